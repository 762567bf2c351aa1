import { CliError } from './errors.ts';

/*
 * The control socket's wire format. One request per connection, one response, then the server
 * closes. Each message is one frame: length (u32, big-endian) ‖ that many bytes of UTF-8 JSON.
 *
 *   request:  { "v": 1, "secret": "<64 hex digits of control.secret>", "op": "<name>", "args": { … } }
 *   response: { "ok": true, "result": … }  or  { "ok": false, "error": { "code": "ERR_…", "message": "…" } }
 *
 * The socket is a Unix domain socket in the data directory (mode 0600, in a directory only its
 * owner can enter), so it is never reachable from another host; the secret also keeps out other
 * local users' processes should the directory's mode ever be loosened.
 */

export const CONTROL_PROTOCOL_VERSION = 1;

/** Limits of the control socket (both ends refuse a length prefix above them before allocating). */
export const CONTROL_LIMITS = Object.freeze({
  /** Largest request: a message text of 60,000 bytes fits even with every character escaped. */
  maxRequestBytes: 1024 * 1024,
  /** Largest response (a long group log). */
  maxResponseBytes: 32 * 1024 * 1024,
  /** The server drops a connection whose request has not fully arrived after this long. */
  requestReadTimeoutMs: 5_000,
  /** The client gives up on a response after this long (a join dials for up to 10 s). */
  responseTimeoutMs: 60_000,
  /** Connections the server handles at once; more are refused by the kernel's backlog, then dropped. */
  maxConnections: 16,
  /** Bytes of control.secret. */
  secretBytes: 32,
});

/** The control connection failed: the peer broke the framing, sent too much, or was too slow. */
export class ControlProtocolError extends CliError {
  constructor(detail: string) {
    super('ERR_CONTROL_PROTOCOL', `control socket: ${detail}`);
  }
}

export interface ControlRequest {
  readonly v: number;
  readonly secret: string;
  readonly op: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export type ControlResponse =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** One frame holding `value` as JSON. */
export function encodeControlFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Collects one frame from chunks as they arrive. The length prefix is checked against `maxBytes`
 * before anything is kept for the body; bytes after the frame are a protocol error.
 */
export class ControlFrameReader {
  readonly #maxBytes: number;
  readonly #chunks: Buffer[] = [];
  #have = 0;
  #length: number | undefined;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Adds a chunk; returns the parsed JSON once the frame is complete, else undefined. */
  push(chunk: Buffer): unknown {
    this.#chunks.push(chunk);
    this.#have += chunk.length;
    if (this.#length === undefined) {
      if (this.#have < 4) return undefined;
      const head = Buffer.concat(this.#chunks);
      this.#chunks.length = 0;
      this.#chunks.push(head);
      this.#length = head.readUInt32BE(0);
      if (this.#length > this.#maxBytes) throw new ControlProtocolError(`frame of ${this.#length} bytes is above the limit of ${this.#maxBytes}`);
    }
    const want = 4 + this.#length;
    if (this.#have < want) return undefined;
    if (this.#have > want) throw new ControlProtocolError(`${this.#have - want} bytes after the frame`);
    const all = Buffer.concat(this.#chunks);
    try {
      return JSON.parse(all.subarray(4).toString('utf8')) as unknown;
    } catch (error) {
      throw new ControlProtocolError(`frame is not JSON: ${(error as Error).message}`);
    }
  }

  /** Whether the frame began but is not complete (the stream ended inside it). */
  get partial(): boolean {
    return this.#have > 0;
  }
}
