/**
 * The adapter that turns HPC Challenge's output, `hpccoutf.txt`, into scalebench records: one per
 * metric, with the seconds the metric took and its amount, so that amount / seconds is the rate
 * hpcc reports (HPL Gflop/s, PTRANS GB/s, MPIRandomAccess GUP/s, MPIFFT Gflop/s, StarDGEMM
 * Gflop/s, StarSTREAM Triad GB/s, random-ring bandwidth GB/s) and a latency; each checked the way
 * hpcc checks it (residuals, error fractions, nodes with errors).
 *
 * Where hpcc reports only a rate, the seconds are the amount over it: STREAM's rate is its best
 * iteration's 24·n bytes, DGEMM's 2·n³ flops of one process, FFT's 5·n·log₂n flops, the ring's
 * 2 000 000-byte messages (hpcc's sizes).
 *
 * @module
 */
import type { ExecRecord } from "../../core/exec_records.ts";

/** The operations the adapter records, in order. */
export const HPCC_OPS = [
  "HPL",
  "PTRANS",
  "MPIRandomAccess",
  "MPIFFT",
  "StarDGEMM",
  "StarSTREAM_Triad",
  "RandomRing_bandwidth",
  "PingPong_latency",
] as const;

/** `key=value` lines of the (last) Summary section. */
export function hpccSummary(text: string): Map<string, string> {
  const start = text.lastIndexOf("Begin of Summary section.");
  const end = text.indexOf("End of Summary section.", start);
  const out = new Map<string, string>();
  if (start < 0 || end < 0) return out;
  for (const line of text.slice(start, end).split("\n")) {
    const m = /^(\w+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

/** The text of a section of the last run (`Begin of NAME section.` … `End of NAME section.`). */
function section(text: string, name: string): string {
  const start = text.lastIndexOf(`Begin of ${name} section.`);
  if (start < 0) return "";
  const end = text.indexOf(`End of ${name} section.`, start);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Records from the text of hpccoutf.txt (empty when it holds no summary). */
export function parseHpcc(text: string): ExecRecord[] {
  const s = hpccSummary(text);
  if (!s.size) return [];
  const num = (k: string): number | null => {
    const v = Number(s.get(k));
    return s.has(k) && Number.isFinite(v) ? v : null;
  };
  const success = s.get("Success") === "1";
  const out: ExecRecord[] = [];
  const add = (
    op: string,
    values: {
      seconds: number | null;
      amount?: number | null;
      unit?: string;
      failure?: string | null;
    },
  ) => {
    if (values.seconds === null || !(values.seconds >= 0)) {
      out.push({ op, seconds: 0, ok: false, error: `hpcc reported no ${op} result` });
      return;
    }
    const failure = values.failure ?? (success ? null : "hpcc reports Success=0");
    out.push({
      op,
      seconds: values.seconds,
      amount: values.amount ?? null,
      unit: values.unit ?? null,
      ok: failure === null,
      error: failure,
    });
  };
  const failedChecks = (name: string) => {
    const m = /(\d+) tests completed and failed residual checks/.exec(section(text, name));
    return m && Number(m[1]) > 0 ? `${m[1]} ${name} tests failed their residual checks` : null;
  };
  const nodesWithError = (name: string) => {
    const m = /Node\(s\) with error (\d+)/.exec(section(text, name));
    return m && Number(m[1]) > 0 ? `${name}: ${m[1]} node(s) with errors` : null;
  };
  const per = (rate: number | null, amount: number) => (rate && rate > 0 ? amount / rate : null);

  const n = num("HPL_N") ?? 0;
  const hplFlops = ((2 / 3) * n ** 3 + 1.5 * n ** 2) / 1e9;
  add("HPL", {
    seconds: num("HPL_time"),
    amount: hplFlops,
    unit: "Gflop",
    failure: failedChecks("HPL"),
  });

  const ptransTime = num("PTRANS_time"), ptransRate = num("PTRANS_GBs");
  add("PTRANS", {
    seconds: ptransTime,
    amount: ptransTime !== null && ptransRate !== null ? ptransRate * ptransTime : null,
    unit: "GB",
    failure: failedChecks("PTRANS") ??
      ((num("PTRANS_residual") ?? 0) > 0 ? "PTRANS residual is not 0" : null),
  });

  const errors = num("MPIRandomAccess_ErrorsFraction");
  add("MPIRandomAccess", {
    seconds: num("MPIRandomAccess_time"),
    amount: (num("MPIRandomAccess_ExeUpdates") ?? 0) / 1e9,
    unit: "GUP",
    // hpcc's own rule: at most 1 % of the table may be wrong
    failure: errors !== null && errors > 0.01
      ? `MPIRandomAccess: ${errors} of updates wrong (> 0.01)`
      : null,
  });

  const fftN = num("MPIFFT_N") ?? 0;
  const fftFlops = fftN > 0 ? (5 * fftN * Math.log2(fftN)) / 1e9 : 0;
  const eps = num("HPL_eps") ?? 1.1102230246251565e-16;
  const fftErr = num("MPIFFT_maxErr");
  add("MPIFFT", {
    seconds: per(num("MPIFFT_Gflops"), fftFlops),
    amount: fftFlops,
    unit: "Gflop",
    failure: fftErr !== null && fftN > 1 && fftErr / (eps * Math.log2(fftN)) >= 16
      ? `MPIFFT: error ${fftErr} too large`
      : null,
  });

  const dgemmN = num("DGEMM_N") ?? 0;
  const dgemmFlops = (2 * dgemmN ** 3) / 1e9;
  add("StarDGEMM", {
    seconds: per(num("StarDGEMM_Gflops"), dgemmFlops),
    amount: dgemmFlops,
    unit: "Gflop",
    failure: nodesWithError("StarDGEMM"),
  });

  const streamBytes = (24 * (num("STREAM_VectorSize") ?? 0)) / 1e9;
  add("StarSTREAM_Triad", {
    seconds: per(num("StarSTREAM_Triad"), streamBytes),
    amount: streamBytes,
    unit: "GB",
    failure: nodesWithError("StarSTREAM"),
  });

  const ringBytes = 2_000_000 / 1e9;
  add("RandomRing_bandwidth", {
    seconds: per(num("RandomlyOrderedRingBandwidth_GBytes"), ringBytes),
    amount: ringBytes,
    unit: "GB",
  });

  const latency = num("AvgPingPongLatency_usec");
  add("PingPong_latency", { seconds: latency === null ? null : latency / 1e6 });
  return out;
}
