import { createServer } from 'node:net';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { writeFileAtomic } from '../identity/index.ts';
import { readBoundedText } from './bounded-file.ts';

/**
 * The ports `pars start` listened on last time, kept in `ports.json` in the data directory, so a
 * node whose config leaves a port unset comes back on the same one. Peers remember the addresses
 * they met a node at and redial them; on a fresh port every start, a restarted node could be found
 * again only by mDNS (which many WiFi networks filter), the DHT or a new invite.
 */
export const PORTS_FILE = 'ports.json';

/** Larger than any valid file: `{"tcp":65535,"ws":65535}` with room for whitespace. */
const MAX_PORTS_BYTES = 256;

/** Ports of the last start; a listener that was off (or a file that is missing) leaves its port out. */
export interface RememberedPorts {
  readonly tcp?: number;
  readonly ws?: number;
}

/** A listener's port as configured: a number (0: any free port), false (no listener), undefined (the last start's). */
export type ConfiguredPort = number | false | undefined;

export interface ListenChoice {
  readonly host: string;
  readonly tcpPort: ConfiguredPort;
  readonly wsPort: ConfiguredPort;
}

/** The ports of the last start; none when the file is missing, and none (with a warning) when it is damaged. */
export async function readRememberedPorts(dataDir: string, warn: (message: string) => void): Promise<RememberedPorts> {
  const path = join(dataDir, PORTS_FILE);
  let text: string | undefined;
  try {
    text = await readBoundedText(path, MAX_PORTS_BYTES, (size) => new Error(`is ${size} bytes, more than the ${MAX_PORTS_BYTES} a ports file may have`));
  } catch (error) {
    warn(`${path}: ${(error as Error).message}; listening on free ports and writing it anew`);
    return {};
  }
  if (text === undefined) return {};
  const ports = portsOf(text);
  if (ports === undefined) warn(`${path} is not a ports file; listening on free ports and writing it anew`);
  return ports ?? {};
}

function portsOf(text: string): RememberedPorts | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const out: { tcp?: number; ws?: number } = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((key !== 'tcp' && key !== 'ws') || !isPort(value)) return undefined;
    out[key] = value;
  }
  return out;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65_535;
}

/**
 * The ports to listen on: configured ones as they are; an unset one is the last start's port when
 * that is still free on `host`, else 0 (any free port), with a warning that peers will not find
 * the node at its old address.
 */
export async function chooseListenPorts(listen: ListenChoice, last: RememberedPorts, warn: (message: string) => void): Promise<{ host: string; tcpPort: number | false; wsPort: number | false }> {
  const choose = async (configured: ConfiguredPort, previous: number | undefined, what: string): Promise<number | false> => {
    if (configured !== undefined) return configured;
    if (previous === undefined) return 0;
    if (await isFree(listen.host, previous)) return previous;
    warn(`${what} port ${previous} of the last start is taken; listening on another, so peers that remember the old address will not reach this node there`);
    return 0;
  };
  const tcpPort = await choose(listen.tcpPort, last.tcp, 'TCP');
  // The WebSocket listener must not be handed the port the TCP one is about to take.
  const wsPort = await choose(listen.wsPort, last.ws === tcpPort ? undefined : last.ws, 'WebSocket');
  return { host: listen.host, tcpPort, wsPort };
}

/** Whether `port` can be bound on `host` now (bound and released at once). */
async function isFree(host: string, port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The TCP and WebSocket ports a node listens on, read off its multiaddrs. */
export function listeningPorts(addresses: readonly string[]): RememberedPorts {
  const out: { tcp?: number; ws?: number } = {};
  for (const address of addresses) {
    const parts = multiaddr(address).getComponents();
    const tcp = parts.find((p) => p.name === 'tcp');
    if (tcp?.value === undefined) continue;
    const port = Number(tcp.value);
    if (!isPort(port)) continue;
    if (parts.some((p) => p.name === 'ws' || p.name === 'wss')) out.ws ??= port;
    else out.tcp ??= port;
  }
  return out;
}

/** Writes `ports` for the next start (mode 0600, replaced whole so a crash leaves the old file or the new one). */
export async function rememberPorts(dataDir: string, ports: RememberedPorts): Promise<void> {
  await writeFileAtomic(join(dataDir, PORTS_FILE), `${JSON.stringify(ports)}\n`, { mode: 0o600, overwrite: true });
}
