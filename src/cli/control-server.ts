import { timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { fromHex } from '../crypto/index.ts';
import { CONTROL_LIMITS, CONTROL_PROTOCOL_VERSION, ControlFrameReader, encodeControlFrame, type ControlProtocolError, type ControlRequest, type ControlResponse } from './control-protocol.ts';

/** Carries out one authenticated request; throw an error with a string `code` for an expected failure. */
export type ControlHandler = (op: string, args: Readonly<Record<string, unknown>>) => Promise<unknown>;

export interface ControlServerOptions {
  /** Socket path (inside a directory only the owner can enter). A stale socket file there is replaced. */
  readonly path: string;
  readonly secret: Uint8Array;
  readonly handle: ControlHandler;
  /** Told about requests that failed with an unexpected error (a bug), with its stack. */
  readonly warn: (message: string) => void;
}

const SECRET_HEX = /^[0-9a-f]{64}$/;

/**
 * The node's end of the control socket (see control-protocol.ts): a Unix domain socket, mode
 * 0600. Each connection brings one request, which must carry the secret; the response goes back
 * and the connection closes. Requests that do not arrive within `requestReadTimeoutMs`, break
 * the framing or exceed the size limit are dropped; a wrong secret gets ERR_CONTROL_AUTH.
 */
export class ControlServer {
  readonly path: string;
  readonly #server: Server;
  readonly #options: ControlServerOptions;
  readonly #sockets = new Set<Socket>();

  private constructor(options: ControlServerOptions, server: Server) {
    this.path = options.path;
    this.#options = options;
    this.#server = server;
  }

  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    // The caller holds the data directory's lock, so a socket file left here is a dead node's.
    await fs.rm(options.path, { force: true });
    const server = createServer({ allowHalfOpen: true });
    server.maxConnections = CONTROL_LIMITS.maxConnections;
    const control = new ControlServer(options, server);
    server.on('connection', (socket) => control.#serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await fs.chmod(options.path, 0o600);
    return control;
  }

  /** Stops accepting, ends open connections, and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
    await fs.rm(this.path, { force: true });
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(CONTROL_LIMITS.requestReadTimeoutMs, () => socket.destroy());
    const reader = new ControlFrameReader(CONTROL_LIMITS.maxRequestBytes);
    let done = false;
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      let request: unknown;
      try {
        request = reader.push(chunk);
      } catch (error) {
        done = true;
        this.#reply(socket, failure(error as ControlProtocolError));
        return;
      }
      if (request === undefined) return;
      done = true;
      socket.setTimeout(0); // the request is in; the operation itself may take a while (a join dials)
      void this.#answer(request).then((response) => this.#reply(socket, response));
    });
    socket.on('end', () => {
      if (!done) socket.destroy();
    });
  }

  async #answer(raw: unknown): Promise<ControlResponse> {
    const request = checkRequest(raw);
    if ('ok' in request) return request;
    if (!this.#authentic(request.secret)) return { ok: false, error: { code: 'ERR_CONTROL_AUTH', message: 'the control secret is wrong; the request was refused' } };
    try {
      const result = await this.#options.handle(request.op, request.args);
      return { ok: true, result: result ?? null };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (error instanceof Error && typeof code === 'string') return { ok: false, error: { code, message: error.message } };
      this.#options.warn(`control request ${request.op} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { ok: false, error: { code: 'ERR_CONTROL_INTERNAL', message: `the node failed to carry out ${request.op} (see its output)` } };
    }
  }

  #authentic(secretHex: string): boolean {
    const given = Buffer.from(fromHex(secretHex));
    return given.length === this.#options.secret.length && timingSafeEqual(given, this.#options.secret);
  }

  #reply(socket: Socket, response: ControlResponse): void {
    if (socket.destroyed) return;
    let frame = encodeControlFrame(response);
    if (frame.length - 4 > CONTROL_LIMITS.maxResponseBytes) {
      frame = encodeControlFrame({ ok: false, error: { code: 'ERR_CONTROL_TOO_LARGE', message: `the response would be ${frame.length - 4} bytes, above the limit of ${CONTROL_LIMITS.maxResponseBytes}` } });
    }
    socket.end(frame);
  }
}

function failure(error: ControlProtocolError): ControlResponse {
  return { ok: false, error: { code: error.code, message: error.message } };
}

/** The request's fields checked, or the error response for a malformed one. */
function checkRequest(raw: unknown): ControlRequest | ControlResponse {
  const bad = (message: string): ControlResponse => ({ ok: false, error: { code: 'ERR_CONTROL_BAD_REQUEST', message } });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('a request is a JSON object');
  const r = raw as Record<string, unknown>;
  if (r['v'] !== CONTROL_PROTOCOL_VERSION) return bad(`unsupported control protocol version ${JSON.stringify(r['v'])}; this node speaks ${CONTROL_PROTOCOL_VERSION}`);
  if (typeof r['secret'] !== 'string' || !SECRET_HEX.test(r['secret'])) return { ok: false, error: { code: 'ERR_CONTROL_AUTH', message: 'the request carries no valid control secret; it was refused' } };
  if (typeof r['op'] !== 'string' || r['op'].length === 0 || r['op'].length > 64) return bad('op must be an operation name');
  const args = r['args'] ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return bad('args must be a JSON object');
  return { v: CONTROL_PROTOCOL_VERSION, secret: r['secret'], op: r['op'], args: args as Record<string, unknown> };
}
