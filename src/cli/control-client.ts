import { connect } from 'node:net';
import { toHex } from '../crypto/index.ts';
import { CONTROL_LIMITS, CONTROL_PROTOCOL_VERSION, ControlFrameReader, ControlProtocolError, encodeControlFrame } from './control-protocol.ts';
import { CliError } from './errors.ts';

/** Nothing listens on the control socket (no node, or one still starting or already gone). */
export class ControlUnavailableError extends CliError {
  constructor(path: string, detail: string) {
    super('ERR_CONTROL_UNAVAILABLE', `no node answers on ${path} (${detail})`);
  }
}

/** The running node refused or failed a request; `code` and message are the node's. */
export class NodeRequestError extends CliError {}

const UNAVAILABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ECONNRESET', 'EPIPE']);

/**
 * Sends one request over the control socket at `path` and resolves with the node's result.
 * Rejects with ControlUnavailableError when nobody listens, NodeRequestError with the node's code
 * when it refused or failed the request, ControlProtocolError on a broken or oversized response
 * or when none came within `responseTimeoutMs`.
 */
export function controlRequest(path: string, secret: Uint8Array, op: string, args: Readonly<Record<string, unknown>>, timeoutMs: number = CONTROL_LIMITS.responseTimeoutMs): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path, allowHalfOpen: true });
    const reader = new ControlFrameReader(CONTROL_LIMITS.maxResponseBytes);
    let settled = false;
    const finish = (error: Error | undefined, value?: unknown): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error === undefined) resolve(value);
      else reject(error);
    };
    socket.setTimeout(timeoutMs, () => finish(new ControlProtocolError(`no response within ${timeoutMs} ms`)));
    socket.on('connect', () => socket.end(encodeControlFrame({ v: CONTROL_PROTOCOL_VERSION, secret: toHex(secret), op, args })));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish(UNAVAILABLE.has(error.code ?? '') && !reader.partial ? new ControlUnavailableError(path, error.code ?? error.message) : error);
    });
    socket.on('data', (chunk: Buffer) => {
      let response: unknown;
      try {
        response = reader.push(chunk);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (response !== undefined) finish(...settle(response));
    });
    socket.on('end', () => finish(new ControlProtocolError(reader.partial ? 'the node ended the connection inside its response' : 'the node closed the connection without a response')));
  });
}

function settle(response: unknown): [Error | undefined, unknown?] {
  if (typeof response !== 'object' || response === null) return [new ControlProtocolError('the response is not a JSON object')];
  const r = response as { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (r.ok === true) return [undefined, r.result];
  if (r.ok === false && typeof r.error?.code === 'string' && typeof r.error.message === 'string') return [new NodeRequestError(r.error.code, r.error.message)];
  return [new ControlProtocolError('the response has neither a result nor an error')];
}
