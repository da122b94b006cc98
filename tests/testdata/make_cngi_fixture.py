#!/usr/bin/python3
"""Write tests/testdata/cngi_vis.zarr: a tiny visibility dataset in the CNGI layout, written by
xarray/zarr (Zarr v2, consolidated metadata) the way ngCASA's convert_ms did, as the group xds0.

DATA is complex128 (exact visibilities of two point sources), WEIGHT per channel, FLAG and
FLAG_ROW bool, and each variable uses another compressor (Blosc lz4/zstd, Zstd, Zlib, GZip).
The sources are recorded as the group attribute scalebench_sources.

Usage: /usr/bin/python3 tests/testdata/make_cngi_fixture.py [OUT]  (needs python3-xarray, -zarr)
"""
import shutil
import sys

import numpy as np
import xarray as xr
from numcodecs import Blosc, GZip, Zlib, Zstd

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/testdata/cngi_vis.zarr"
C = 299792458.0
ARCSEC = np.pi / 180 / 3600
SOURCES = [(0.0, 0.0, 1.0), (2.1, -1.3, 0.6)]  # l, m (arcsec), flux (Jy)

rng = np.random.default_rng(7)
n_ant, n_time, n_chan, n_pol = 6, 8, 6, 2
ant = rng.uniform(-150, 150, size=(n_ant, 2))  # east, north (m)
pairs = [(a, b) for a in range(n_ant) for b in range(a + 1, n_ant)]
n_bl = len(pairs)
lat, dec = np.radians(-23.02), np.radians(-30.0)
hour_angle = np.linspace(-0.3, 0.3, n_time)  # radians
uvw = np.zeros((n_time, n_bl, 3))
for t, h in enumerate(hour_angle):
    for b, (i, j) in enumerate(pairs):
        e, n = ant[j] - ant[i]
        bx, by, bz = -np.sin(lat) * n, e, np.cos(lat) * n
        uvw[t, b] = [
            np.sin(h) * bx + np.cos(h) * by,
            -np.sin(dec) * np.cos(h) * bx + np.sin(dec) * np.sin(h) * by + np.cos(dec) * bz,
            np.cos(dec) * np.cos(h) * bx - np.cos(dec) * np.sin(h) * by + np.sin(dec) * bz,
        ]
freq = 100e9 + 50e6 * np.arange(n_chan)
data = np.zeros((n_time, n_bl, n_chan, n_pol), dtype=np.complex128)
for l_as, m_as, flux in SOURCES:
    l, m = l_as * ARCSEC, m_as * ARCSEC
    n1 = np.sqrt(1 - l * l - m * m) - 1
    phase = -2 * np.pi * (uvw[..., 0] * l + uvw[..., 1] * m + uvw[..., 2] * n1)
    data += flux * np.exp(1j * phase[:, :, None, None] * freq[None, None, :, None] / C)
flag = rng.uniform(size=data.shape) < 0.1
data[flag] = 1e3 - 5e2j  # garbage where flagged
flag_row = np.zeros((n_time, n_bl), dtype=bool)
flag_row[2, 3] = True
data[2, 3] = -7e2
weight = rng.uniform(0.5, 1.5, size=data.shape).astype(np.float32)

ds = xr.Dataset(
    {
        "DATA": (("time", "baseline", "chan", "pol"), data),
        "UVW": (("time", "baseline", "uvw_index"), uvw),
        "WEIGHT": (("time", "baseline", "chan", "pol"), weight),
        "FLAG": (("time", "baseline", "chan", "pol"), flag),
        "FLAG_ROW": (("time", "baseline"), flag_row),
    },
    coords={
        "time": np.arange(n_time) * 6.048,
        "baseline": np.arange(n_bl),
        "chan": freq,
        "pol": [9, 12],
        "uvw_index": ["u", "v", "w"],
    },
    attrs={"scalebench_sources": [{"l_arcsec": l, "m_arcsec": m, "flux_jy": f} for l, m, f in SOURCES]},
)
encoding = {
    "DATA": {"chunks": (4, n_bl, 4, n_pol), "compressor": Blosc(cname="lz4", clevel=5, shuffle=1)},
    "UVW": {"compressor": GZip(level=5)},
    "WEIGHT": {"chunks": (4, n_bl, 4, n_pol), "compressor": Zstd(level=3)},
    "FLAG": {"chunks": (4, n_bl, 4, n_pol), "compressor": Zlib(level=1)},
    "FLAG_ROW": {"compressor": Blosc(cname="zstd", clevel=3, shuffle=2)},
}
shutil.rmtree(OUT, ignore_errors=True)
ds.to_zarr(OUT, group="xds0", mode="w", consolidated=True, encoding=encoding)
print(f"wrote {OUT}/xds0: {n_time} times x {n_bl} baselines x {n_chan} chans x {n_pol} pols")
