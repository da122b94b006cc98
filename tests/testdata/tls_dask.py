"""A Dask scheduler, worker and client on 127.0.0.1 configured only by scalebench's daskTlsEnv()
(DASK_DISTRIBUTED__COMM__TLS__*): prints the result of one task and the schemes used, then whether
a client trusting another CA (OTHER_CA) and a plaintext client could connect."""
import asyncio
import os

import dask
from distributed import Client, Scheduler, Worker
from distributed.security import Security


async def attempt(addr, security):
    try:
        client = await asyncio.wait_for(
            Client(addr, security=security, asynchronous=True, timeout="2s"), 15
        )
        await client.close()
        return "connected"
    except Exception:
        return "refused"


async def main():
    tls_dir = os.path.dirname(os.environ["DASK_DISTRIBUTED__COMM__TLS__CA_FILE"])
    async with Scheduler(host="127.0.0.1", port=0, dashboard_address=None) as s:
        async with Worker(s.address, nthreads=1, local_directory=os.environ["WORK_DIR"]) as w:
            async with Client(s.address, asynchronous=True) as c:
                r = await c.submit(lambda x: x + 1, 41)
                print("result", r, s.address.split(":")[0], w.address.split(":")[0], flush=True)
        other = Security(
            tls_ca_file=os.environ["OTHER_CA"],
            tls_client_cert=os.path.join(tls_dir, "tls.crt"),
            tls_client_key=os.path.join(tls_dir, "tls.key"),
            require_encryption=True,
        )
        print("other-ca", await attempt(s.address, other), flush=True)
        plain = {
            "distributed.comm.require-encryption": False,
            "distributed.comm.tls.ca-file": None,
            "distributed.comm.tls.client.cert": None,
            "distributed.comm.tls.client.key": None,
        }
        with dask.config.set(plain):
            addr = "tcp://" + s.address.split("://")[1]
            print("plaintext", await attempt(addr, Security()), flush=True)


asyncio.run(main())
