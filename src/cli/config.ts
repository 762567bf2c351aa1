import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { listenAddresses, NET_LIMITS, netLimitsOf, peerIdOf, type NetLimits } from '../net/index.ts';
import type { MeshNetOptions } from '../node/index.ts';
import { CliError } from './errors.ts';

/**
 * `config.json` in the data directory: how `pars start` runs the node. Every field is optional;
 * a missing file means every default. Unknown fields are refused (a typo must not be silently
 * ignored), and so is a file above 64 KiB.
 *
 * ```json
 * {
 *   "listen": { "host": "0.0.0.0", "tcpPort": 0, "wsPort": 0 },
 *   "mdns": true,
 *   "peers": ["/ip4/192.168.1.7/tcp/4001/p2p/12D3KooW…"],
 *   "limits": { "maxConnections": 64 }
 * }
 * ```
 *
 * - `listen.host`: the interface to listen on, an IPv4 or IPv6 address. Default `0.0.0.0` (every
 *   IPv4 interface: the LAN can reach the node); `127.0.0.1` keeps it to this machine.
 * - `listen.tcpPort`, `listen.wsPort`: TCP and WebSocket ports, 0–65535; `0` picks a free port at
 *   every start; `false` turns that listener off. Defaults `0` and `0`.
 * - `mdns`: find and be found by nodes on the LAN by multicast DNS (`_pars-mesh._tcp.local`).
 *   Default `true`.
 * - `peers`: multiaddrs ending in `/p2p/<peer id>`, dialled at start and redialled with backoff
 *   until they answer (at most 64). Default none.
 * - `limits`: overrides of the network limits (`NetLimits`, docs/LIMITS.md), each a positive
 *   number; the combination is checked as the node would. Default none.
 *
 * Flags of `pars start` override the file: `--listen-host`, `--tcp-port`, `--ws-port`,
 * `--no-mdns`; each `--peer MULTIADDR` is added to `peers`.
 */
export interface NodeConfig {
  readonly listen: { readonly host: string; readonly tcpPort: number | false; readonly wsPort: number | false };
  readonly mdns: boolean;
  readonly peers: readonly string[];
  readonly limits: Partial<NetLimits>;
}

export const CONFIG_FILE = 'config.json';

export const DEFAULT_CONFIG: NodeConfig = Object.freeze({
  listen: Object.freeze({ host: '0.0.0.0', tcpPort: 0, wsPort: 0 }),
  mdns: true,
  peers: Object.freeze([]),
  limits: Object.freeze({}),
});

/** Largest config file read. */
const MAX_CONFIG_BYTES = 64 * 1024;
/** Most configured peers. */
const MAX_PEERS = 64;
const MAX_PEER_CHARS = 512;

/** The config file (or a flag) has a value pars cannot use; the message names the field. */
export class ConfigError extends CliError {
  readonly field: string;
  constructor(source: string, field: string, problem: string) {
    super('ERR_CONFIG', `${source}: ${field === '' ? '' : `field "${field}" `}${problem}`);
    this.field = field;
  }
}

/** Command-line overrides of `pars start`. */
export interface ConfigFlags {
  readonly listenHost?: string;
  readonly tcpPort?: string;
  readonly wsPort?: string;
  /** Commander sets false for `--no-mdns` (and true when it is absent: that leaves the file's value). */
  readonly mdns?: boolean;
  readonly peer?: readonly string[];
}

function configPath(dataDir: string): string {
  return join(dataDir, CONFIG_FILE);
}

/** Reads and checks `config.json` of `dataDir`; the defaults when there is none. */
export async function loadConfig(dataDir: string): Promise<NodeConfig> {
  const path = configPath(dataDir);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw error;
  }
  let text: string;
  try {
    const { size } = await handle.stat();
    if (size > MAX_CONFIG_BYTES) throw new ConfigError(path, '', `is ${size} bytes, more than the ${MAX_CONFIG_BYTES} a config file may have`);
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, '', `is not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(raw, path);
}

/** Checks a parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source: string): NodeConfig {
  const top = objectOf(raw, source, '');
  onlyFields(top, ['listen', 'mdns', 'peers', 'limits'], source, '');
  const listen = top['listen'] === undefined ? {} : objectOf(top['listen'], source, 'listen');
  onlyFields(listen, ['host', 'tcpPort', 'wsPort'], source, 'listen.');
  const d = DEFAULT_CONFIG.listen;
  const config: NodeConfig = {
    listen: {
      host: listen['host'] === undefined ? d.host : hostOf(listen['host'], source, 'listen.host'),
      tcpPort: listen['tcpPort'] === undefined ? d.tcpPort : portOf(listen['tcpPort'], source, 'listen.tcpPort'),
      wsPort: listen['wsPort'] === undefined ? d.wsPort : portOf(listen['wsPort'], source, 'listen.wsPort'),
    },
    mdns: top['mdns'] === undefined ? DEFAULT_CONFIG.mdns : booleanOf(top['mdns'], source, 'mdns'),
    peers: top['peers'] === undefined ? [] : peersOf(top['peers'], source),
    limits: top['limits'] === undefined ? {} : limitsOf(top['limits'], source),
  };
  return config;
}

/** The config with the command-line flags applied (flags win; `--peer` adds to the peers). */
export function applyFlags(config: NodeConfig, flags: ConfigFlags): NodeConfig {
  const source = 'command line';
  const peers = (flags.peer ?? []).map((p, i) => peerOf(p, source, `--peer #${i + 1}`));
  const all = [...new Set([...config.peers, ...peers])];
  if (all.length > MAX_PEERS) throw new ConfigError(source, '--peer', `gives more than ${MAX_PEERS} peers together with the config file`);
  return {
    listen: {
      host: flags.listenHost === undefined ? config.listen.host : hostOf(flags.listenHost, source, '--listen-host'),
      tcpPort: flags.tcpPort === undefined ? config.listen.tcpPort : portOf(portNumber(flags.tcpPort), source, '--tcp-port'),
      wsPort: flags.wsPort === undefined ? config.listen.wsPort : portOf(portNumber(flags.wsPort), source, '--ws-port'),
    },
    mdns: flags.mdns === false ? false : config.mdns,
    peers: all,
    limits: config.limits,
  };
}

/** The network options a MeshNode takes for this config. */
export function meshNetOptions(config: NodeConfig): MeshNetOptions {
  return {
    listen: listenAddresses({ host: config.listen.host, tcpPort: config.listen.tcpPort, wsPort: config.listen.wsPort }),
    mdns: config.mdns ? {} : false,
    peers: config.peers,
    limits: config.limits,
  };
}

function objectOf(value: unknown, source: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(source, field, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function onlyFields(object: Record<string, unknown>, allowed: readonly string[], source: string, prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new ConfigError(source, `${prefix}${key}`, `is not a known field (known: ${allowed.join(', ')})`);
  }
}

function hostOf(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string' || isIP(value) === 0) throw new ConfigError(source, field, `must be an IPv4 or IPv6 address such as "0.0.0.0" or "127.0.0.1", got ${JSON.stringify(value)}`);
  return value;
}

/** A flag's text as a number when it is one (else left as text for portOf to refuse). */
function portNumber(text: string): unknown {
  return /^[0-9]{1,5}$/.test(text) ? Number(text) : text;
}

function portOf(value: unknown, source: string, field: string): number | false {
  if (value === false) return false;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new ConfigError(source, field, `must be a port number 0..65535 (0: any free port)${source === 'command line' ? '' : ' or false (no listener)'}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function booleanOf(value: unknown, source: string, field: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(source, field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function peersOf(value: unknown, source: string): string[] {
  if (!Array.isArray(value)) throw new ConfigError(source, 'peers', 'must be a list of multiaddrs');
  if (value.length > MAX_PEERS) throw new ConfigError(source, 'peers', `has ${value.length} entries, at most ${MAX_PEERS} are allowed`);
  return value.map((p, i) => peerOf(p, source, `peers[${i}]`));
}

function peerOf(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PEER_CHARS) throw new ConfigError(source, field, `must be a multiaddr of 1..${MAX_PEER_CHARS} characters`);
  let peer: string | undefined;
  try {
    peer = peerIdOf(multiaddr(value));
  } catch (error) {
    throw new ConfigError(source, field, `is not a multiaddr: ${(error as Error).message}`);
  }
  if (peer === undefined) throw new ConfigError(source, field, `must end in /p2p/<peer id> (the address "pars start" prints), got ${JSON.stringify(value)}`);
  return value;
}

function limitsOf(value: unknown, source: string): Partial<NetLimits> {
  const object = objectOf(value, source, 'limits');
  const known = Object.keys(NET_LIMITS);
  onlyFields(object, known, source, 'limits.');
  for (const [key, v] of Object.entries(object)) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new ConfigError(source, `limits.${key}`, `must be a positive number, got ${JSON.stringify(v)}`);
  }
  const limits = object as Partial<NetLimits>;
  try {
    netLimitsOf(limits);
  } catch (error) {
    throw new ConfigError(source, 'limits', (error as Error).message);
  }
  return limits;
}
