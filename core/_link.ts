/**
 * Framing of the rendezvous' connections: `u32 header length | u32 payload length | header JSON |
 * payload bytes` (big-endian). A small frame is written with one write; a large payload is written
 * as it is, without a copy. A frame read keeps its header's bytes, so that a tree node forwards it
 * to its children without encoding it again.
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
  /** The header as it was encoded (to forward the frame as it is) */
  head: Uint8Array;
  payload: Uint8Array;
}

/** Frames up to this size (header and payload) are copied into one buffer and written at once. */
const COALESCE = 64 << 10;
/**
 * Bytes read at once (a pending read costs its size in memory, per connection); a larger header
 * or payload is read into a buffer of its own.
 */
const READ_BUFFER = 4 << 10;

/** Encode a frame's header once (to send the same frame on several links). */
export function encodeHead(header: Record<string, unknown>): Uint8Array {
  return enc.encode(JSON.stringify(header));
}

/** The bytes to write for a frame: one buffer when small, else prefix and header, then parts. */
function frameChunks(head: Uint8Array, parts: Uint8Array[]): Uint8Array[] {
  const length = parts.reduce((n, p) => n + p.byteLength, 0);
  const small = 8 + head.length + length <= COALESCE;
  const out = new Uint8Array(8 + head.length + (small ? length : 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length);
  view.setUint32(4, length);
  out.set(head, 8);
  if (!small) return [out, ...parts.filter((p) => p.byteLength > 0)];
  let off = 8 + head.length;
  for (const p of parts) out.set(p, off), off += p.byteLength;
  return [out];
}

/**
 * A connection with serialised writes. Frames are read straight into buffers of their exact size
 * and payload blocks are written as they are, so bulk data is copied once per hop.
 */
export class Link {
  readonly conn: Deno.Conn;
  #writing: Promise<void> = Promise.resolve();
  #frames: AsyncGenerator<Frame> | null = null;
  closed = false;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
    (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
  }

  /** Send a frame whose payload is the concatenation of `parts`. */
  send(header: Record<string, unknown>, parts: Uint8Array[] = []): Promise<void> {
    return this.sendEncoded(encodeHead(header), parts);
  }

  /** Send a frame whose header is already encoded ({@linkcode encodeHead}, or a frame's `head`). */
  sendEncoded(head: Uint8Array, parts: Uint8Array[] = []): Promise<void> {
    const chunks = frameChunks(head, parts);
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

  async #read(buf: Uint8Array): Promise<number | null> {
    try {
      return await this.conn.read(buf);
    } catch {
      return null;
    }
  }

  /**
   * The frames arriving on this connection: one reader for the link's life (every call returns
   * it), since it may have read ahead. Reads go through one buffer, so that small frames cost one
   * read for many; a large header or payload is read straight into its own buffer.
   */
  frames(): AsyncGenerator<Frame> {
    return this.#frames ??= this.#readFrames();
  }

  async *#readFrames(): AsyncGenerator<Frame> {
    const buf = new Uint8Array(READ_BUFFER);
    const view = new DataView(buf.buffer);
    let start = 0, end = 0;
    /** At least `n` (≤ buf.length) bytes buffered from `start`; false at the stream's end. */
    const buffer = async (n: number): Promise<boolean> => {
      // drained: start over at the beginning, so that a link with small frames keeps to a page
      if (start === end) start = end = 0;
      if (buf.length - start < n) {
        buf.copyWithin(0, start, end);
        [start, end] = [0, end - start];
      }
      while (end - start < n) {
        const got = await this.#read(buf.subarray(end));
        if (got === null) return false;
        end += got;
      }
      return true;
    };
    /** The next `n` bytes, in a buffer of their own; null at the end of the stream. */
    const take = async (n: number): Promise<Uint8Array | null> => {
      const out = new Uint8Array(n);
      const have = Math.min(n, end - start);
      out.set(buf.subarray(start, start + have));
      start += have;
      for (let off = have; off < n;) {
        const got = await this.#read(out.subarray(off));
        if (got === null) return null;
        off += got;
      }
      return out;
    };
    while (await buffer(8)) {
      const [headLength, payloadLength] = [view.getUint32(start), view.getUint32(start + 4)];
      if (headLength > MAX_HEADER) return;
      start += 8;
      const head = await take(headLength);
      const payload = head && await take(payloadLength);
      if (!head || !payload) return;
      yield { header: JSON.parse(dec.decode(head)), head, payload };
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
