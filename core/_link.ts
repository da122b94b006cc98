/**
 * Framing of the rendezvous' connections: `u32 header length | u32 payload length | header JSON |
 * payload bytes` (big-endian), written and read without intermediate copies.
 *
 * @module
 */
const enc = new TextEncoder();
const dec = new TextDecoder();
/** Longest frame header read: a larger length is not a frame (e.g. a TLS record on a plaintext hub) */
const MAX_HEADER = 1 << 20;

/** A frame: a JSON header and a payload. */
export interface Frame {
  header: Record<string, unknown>;
  payload: Uint8Array;
}

/** The prefix and header of a frame; the payload follows as its own parts. */
function frameHead(header: Record<string, unknown>, payloadLength: number): Uint8Array {
  const h = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, h.length);
  view.setUint32(4, payloadLength);
  out.set(h, 8);
  return out;
}

/**
 * A connection with serialised writes. Frames are read straight into buffers of their exact size
 * and payload blocks are written as they are, so bulk data is copied once per hop.
 */
export class Link {
  readonly conn: Deno.Conn;
  #writing: Promise<void> = Promise.resolve();
  closed = false;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
    (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
  }

  /** Send a frame whose payload is the concatenation of `parts`. */
  send(header: Record<string, unknown>, parts: Uint8Array[] = []): Promise<void> {
    const length = parts.reduce((n, p) => n + p.byteLength, 0);
    const chunks = [frameHead(header, length), ...parts.filter((p) => p.byteLength > 0)];
    this.#writing = this.#writing.then(async () => {
      for (const bytes of chunks) {
        let off = 0;
        while (off < bytes.length && !this.closed) {
          off += await this.conn.write(bytes.subarray(off));
        }
      }
    }).catch(() => {
      this.closed = true;
    });
    return this.#writing;
  }

  async #fill(buf: Uint8Array): Promise<boolean> {
    let off = 0;
    while (off < buf.length) {
      let n: number | null;
      try {
        n = await this.conn.read(buf.subarray(off));
      } catch {
        n = null;
      }
      if (n === null) return false;
      off += n;
    }
    return true;
  }

  async *frames(): AsyncGenerator<Frame> {
    const prefix = new Uint8Array(8);
    const view = new DataView(prefix.buffer);
    while (await this.#fill(prefix)) {
      if (view.getUint32(0) > MAX_HEADER) return;
      const header = new Uint8Array(view.getUint32(0));
      const payload = new Uint8Array(view.getUint32(4));
      if (!(await this.#fill(header)) || !(await this.#fill(payload))) return;
      yield { header: JSON.parse(dec.decode(header)), payload };
    }
  }

  async close(): Promise<void> {
    await this.#writing;
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}
