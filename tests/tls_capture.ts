/**
 * Packet captures for the TLS tests: tcpdump on the loopback interface (Debian's, as root) while
 * a run goes, then the bytes of the run's rendezvous connections only (by the ports rank 0
 * published in `logs/*.rdv`), so that other traffic on the machine cannot confuse the checks.
 *
 * @module
 */
import { type Need, needCommand, needRoot } from "./_needs.ts";

/** What a capture needs: root and tcpdump. */
export async function captureNeeds(): Promise<Need[]> {
  return [needRoot(), await needCommand("tcpdump", ["--version"])];
}

/** A running capture of TCP on `lo` into `file`. */
export class Capture {
  readonly file: string;
  #child: Deno.ChildProcess;
  #stderr: string;
  #reading: Promise<void> = Promise.resolve();

  private constructor(file: string, child: Deno.ChildProcess, first: string) {
    this.file = file;
    this.#child = child;
    this.#stderr = first;
  }

  /** Start tcpdump and wait until it listens. */
  static async start(file: string): Promise<Capture> {
    const child = new Deno.Command("tcpdump", {
      // --immediate-mode: every packet is written as it comes (no buffering to lose at the end);
      // -Z root: keep writing as root into a directory only root may write
      // -B: 128 MiB of kernel buffer, so that a loaded machine's other traffic drops nothing
      args: [
        ...["-i", "lo", "-n", "-U", "--immediate-mode", "-B", "131072"],
        ...["-Z", "root", "-w", file, "tcp"],
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("listening on")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`tcpdump did not start: ${text}`);
      text += value;
    }
    const capture = new Capture(file, child, text);
    capture.#reading = capture.#drain(reader);
    return capture;
  }

  async #drain(reader: ReadableStreamDefaultReader<string>): Promise<void> {
    for (let r = await reader.read(); !r.done; r = await reader.read()) this.#stderr += r.value;
  }

  /**
   * Stop tcpdump once every packet sent so far is in the file: a marker is sent over `lo` last,
   * and tcpdump writes packets in order, so when the marker is in the file so is the run's last
   * frame (a fixed wait lost it on a loaded machine); returns tcpdump's closing lines.
   */
  async stop(): Promise<string> {
    const marker = `scalebench-capture-end-${crypto.randomUUID()}`;
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepted = listener.accept();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const peer = await accepted;
    // only what tcpdump writes from now on is searched (the file holds all of lo's TCP)
    const from = (await Deno.stat(this.file)).size;
    await conn.write(new TextEncoder().encode(marker));
    const file = await Deno.open(this.file);
    const deadline = Date.now() + 30_000;
    try {
      let seen = "";
      const chunk = new Uint8Array(1 << 16);
      await file.seek(from, Deno.SeekMode.Start);
      while (!seen.includes(marker)) {
        const n = await file.read(chunk);
        if (n) {
          // keep a marker's length of the previous text, in case the marker spans two reads
          seen = seen.slice(-marker.length) +
            new TextDecoder("latin1").decode(chunk.subarray(0, n));
          continue;
        }
        if (Date.now() > deadline) throw new Error("The capture never saw its end marker in 30 s");
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      file.close();
      conn.close();
      peer.close();
      listener.close();
    }
    this.#child.kill("SIGINT");
    await this.#child.status;
    await this.#reading;
    return this.#stderr;
  }
}

/** The ports rank 0 published for the run's batches (`logs/<batch>.rdv`: `host:port`). */
export async function rendezvousPorts(runDir: string): Promise<number[]> {
  const ports: number[] = [];
  for await (const e of Deno.readDir(`${runDir}/logs`)) {
    if (!e.name.endsWith(".rdv")) continue;
    const text = (await Deno.readTextFile(`${runDir}/logs/${e.name}`)).trim();
    ports.push(Number(text.slice(text.lastIndexOf(":") + 1)));
  }
  return ports.sort((a, b) => a - b);
}

/** The packets of the capture to or from `ports`, as a pcap file's bytes (latin1 text). */
export async function packetsOf(
  capture: string,
  ports: number[],
): Promise<{ bytes: string; packets: number }> {
  if (!ports.length) throw new Error("No rendezvous port to filter on");
  const out = `${capture}.${ports.join("-")}.pcap`;
  const filter = ports.map((p) => `tcp port ${p}`).join(" or ");
  const cut = await new Deno.Command("tcpdump", {
    args: ["-n", "-r", capture, "-w", out, filter],
    stderr: "piped",
  }).output();
  if (!cut.success) throw new Error(new TextDecoder().decode(cut.stderr));
  const count = await new Deno.Command("tcpdump", {
    args: ["-n", "-r", out],
    stdout: "piped",
    stderr: "null",
  }).output();
  const packets = new TextDecoder().decode(count.stdout).split("\n").filter(Boolean).length;
  return { bytes: new TextDecoder("latin1").decode(await Deno.readFile(out)), packets };
}

/** TLS records seen in captured bytes: handshake (0x16) and application data (0x17), TLS 1.2/1.3. */
export function tlsRecords(bytes: string): { handshake: boolean; applicationData: boolean } {
  return {
    handshake: bytes.includes("\x16\x03\x01") || bytes.includes("\x16\x03\x03"),
    applicationData: bytes.includes("\x17\x03\x03"),
  };
}

/** Plaintext rendezvous frames in captured bytes (their JSON headers). */
export function plaintextFrames(bytes: string): string[] {
  return ['"t":"hello"', '"t":"welcome"', '"t":"coll"', '"t":"result"', '"t":"bye"'].filter((m) =>
    bytes.includes(m)
  );
}
