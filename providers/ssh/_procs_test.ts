import assert from "node:assert/strict";
import { needCommand, needs } from "../../tests/_needs.ts";
import { Gate, lastLine, pumpStderr, runSsh } from "./_procs.ts";

Deno.test("Gate lets `limit` holders in at once, the next one when a holder releases (once)", async () => {
  const gate = new Gate(1);
  const first = await gate.take();
  let second = false;
  const waiting = gate.take().then((release) => {
    second = true;
    return release;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(second, false);
  first();
  first(); // twice is once
  const release = await waiting;
  assert.equal(second, true);
  release();
  (await gate.take())();
});

Deno.test("pumpStderr() drops the wrapper's marker, turns CR LF into LF and hands over each line", async () => {
  const tmp = await Deno.makeTempFile();
  const text =
    "Warning: x\r\n@@scalebench-ssh pid=42 pgid= 41\nrank says\r\n@@scalebench-ssh pid=1 pgid=1\nlast";
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.subarray(i, i + 7));
      c.close();
    },
  });
  const markers: unknown[] = [], lines: string[] = [];
  await pumpStderr(stream, tmp, {
    onMarker: (m) => markers.push(m),
    onLine: (l) => lines.push(l),
  });
  assert.deepEqual(markers, [{ pid: 42, pgid: 41 }]);
  assert.deepEqual(lines, ["Warning: x", "rank says", "@@scalebench-ssh pid=1 pgid=1", "last"]);
  assert.equal(
    await Deno.readTextFile(tmp),
    "Warning: x\nrank says\n@@scalebench-ssh pid=1 pgid=1\nlast\n",
  );
  await Deno.remove(tmp);
});

Deno.test("lastLine() is the last non-empty line, CR LF or LF", () => {
  assert.equal(lastLine("a\r\nssh: refused\r\n\r\n"), "ssh: refused");
  assert.equal(lastLine(""), "");
});

Deno.test(needs([await needCommand("ssh", ["-V"])], {
  name: "runSsh() reports ssh's own failure instead of throwing",
  async fn() {
    const r = await runSsh(["-o", "NoSuchOption=1", "h", "true"], { seconds: 10 });
    assert.equal(r.code, 255);
    assert.equal(
      lastLine(r.stderr),
      "command-line: line 0: Bad configuration option: nosuchoption",
    );
  },
}));
