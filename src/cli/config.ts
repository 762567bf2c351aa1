import { isIP } from 'node:net';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { listenAddresses, NET_LIMITS, netLimitsOf, peerIdOf, type NetLimits } from '../net/index.ts';
import { CourierQuotaError, courierQuotasOf, DEFAULT_COURIER_QUOTAS, type CourierQuotas, type MeshNetOptions } from '../node/index.ts';
import { readBoundedText } from './bounded-file.ts';
import { CliError } from './errors.ts';
import type { ListenChoice } from './listen-ports.ts';
import { CONFIG_FILE } from './paths.ts';

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
 *   "bootstrap": ["/ip4/203.0.113.5/tcp/4001/p2p/12D3KooW…"],
 *   "bootstrapDns": "_dnsaddr.bootstrap.example.org",
 *   "dht": true,
 *   "limits": { "maxConnections": 64 },
 *   "courier": { "maxTopicBytes": 16777216, "maxTotalBytes": 268435456, "maxPeerBytes": 67108864, "peerWindowMs": 3600000 }
 * }
 * ```
 *
 * - `listen.host`: the interface to listen on, an IPv4 or IPv6 address. Default `0.0.0.0` (every
 *   IPv4 interface: the LAN can reach the node); `127.0.0.1` keeps it to this machine.
 * - `listen.tcpPort`, `listen.wsPort`: TCP and WebSocket ports, 0–65535; `0` picks a free port at
 *   every start; `false` turns that listener off. Unset (the default): the port of the last start
 *   (`ports.json`, see listen-ports.ts) while it is free, else a free one, so that peers who
 *   remember the node's address find it again after a restart.
 * - `mdns`: find and be found by nodes on the LAN by multicast DNS (`_pars-mesh._tcp.local`).
 *   Default `true`.
 * - `peers`: multiaddrs ending in `/p2p/<peer id>`, dialled at start and redialled with backoff
 *   until they answer (at most 64). Default none.
 * - `bootstrap`: bootstrap nodes (PIP-4 level 1), multiaddrs ending in `/p2p/<peer id>` (at most
 *   64), dialled at start and redialled with backoff like `peers`; once one answers, the DHT finds
 *   the members of the node's groups. Default none.
 * - `bootstrapDns`: a DNS name whose TXT records `dnsaddr=<multiaddr>` list more bootstrap nodes
 *   (PIP-4 level 2), resolved once at start and only when set. Default none.
 * - `bootstrapDnsServers`: DNS servers (`"ip"` or `"ip:port"`) asked for `bootstrapDns`. Default:
 *   the system's resolvers.
 * - `dht`: run the Kademlia DHT (`/pars/kad/1.0.0`): announce the node's groups, find their members,
 *   answer other nodes' queries. Default `true`. Each bootstrap level works when the ones above
 *   fail: with no bootstrap node reachable, mDNS on the LAN and invite codes still connect nodes.
 * - `limits`: overrides of the network limits (`NetLimits`, docs/LIMITS.md), each a positive
 *   number; the combination is checked as the node would. Default none.
 * - `courier`: how much the node keeps of topics it is not a member of, carrying them for others
 *   (`CourierQuotas`, docs/LIMITS.md "Courier quotas"); its own groups are never limited.
 *   `maxTopicBytes` per foreign topic (default 16 MiB), `maxTotalBytes` for all of them
 *   (default 256 MiB), `maxPeerBytes` taken from one peer per `peerWindowMs` (default 64 MiB per
 *   hour). Byte quotas are whole numbers >= 0 (0: carry nothing of others); the window is in ms.
 *
 * Flags of `pars start` override the file: `--listen-host`, `--tcp-port`, `--ws-port`,
 * `--no-mdns`, `--no-dht`; each `--peer MULTIADDR` is added to `peers` and each
 * `--bootstrap MULTIADDR` to `bootstrap`.
 */
export interface NodeConfig {
  readonly listen: ListenChoice;
  readonly mdns: boolean;
  readonly peers: readonly string[];
  readonly bootstrap: readonly string[];
  readonly bootstrapDns: string | undefined;
  readonly bootstrapDnsServers: readonly string[] | undefined;
  readonly dht: boolean;
  readonly limits: Partial<NetLimits>;
  readonly courier: Partial<CourierQuotas>;
}

export const DEFAULT_CONFIG: NodeConfig = Object.freeze({
  listen: Object.freeze({ host: '0.0.0.0', tcpPort: undefined, wsPort: undefined }),
  mdns: true,
  peers: Object.freeze([]),
  bootstrap: Object.freeze([]),
  bootstrapDns: undefined,
  bootstrapDnsServers: undefined,
  dht: true,
  limits: Object.freeze({}),
  courier: Object.freeze({}),
});

/** Largest config file read. */
const MAX_CONFIG_BYTES = 64 * 1024;
/** Most configured peers. */
const MAX_PEERS = 64;
const MAX_PEER_CHARS = 512;
/** How errors in the flags of `pars start` name their source. */
const COMMAND_LINE = 'command line';

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
  readonly bootstrap?: readonly string[];
  /** Commander sets false for `--no-dht`. */
  readonly dht?: boolean;
}

function configPath(dataDir: string): string {
  return join(dataDir, CONFIG_FILE);
}

/** Reads and checks `config.json` of `dataDir`; the defaults when there is none. */
export async function loadConfig(dataDir: string): Promise<NodeConfig> {
  const path = configPath(dataDir);
  const text = await readBoundedText(path, MAX_CONFIG_BYTES, (size) => new ConfigError(path, '', `is ${size} bytes, more than the ${MAX_CONFIG_BYTES} a config file may have`));
  if (text === undefined) return DEFAULT_CONFIG;
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
  onlyFields(top, ['listen', 'mdns', 'peers', 'bootstrap', 'bootstrapDns', 'bootstrapDnsServers', 'dht', 'limits', 'courier'], source, '');
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
    bootstrap: top['bootstrap'] === undefined ? [] : peersOf(top['bootstrap'], source, 'bootstrap'),
    bootstrapDns: top['bootstrapDns'] === undefined ? undefined : dnsNameOf(top['bootstrapDns'], source),
    bootstrapDnsServers: top['bootstrapDnsServers'] === undefined ? undefined : dnsServersOf(top['bootstrapDnsServers'], source),
    dht: top['dht'] === undefined ? DEFAULT_CONFIG.dht : booleanOf(top['dht'], source, 'dht'),
    limits: top['limits'] === undefined ? {} : limitsOf(top['limits'], source),
    courier: top['courier'] === undefined ? {} : courierOf(top['courier'], source),
  };
  return config;
}

/** The config with the command-line flags applied (flags win; `--peer` adds to the peers). */
export function applyFlags(config: NodeConfig, flags: ConfigFlags): NodeConfig {
  const source = COMMAND_LINE;
  const peers = withFlagged(config.peers, flags.peer, '--peer', 'peers');
  const bootstrap = withFlagged(config.bootstrap, flags.bootstrap, '--bootstrap', 'bootstrap nodes');
  return {
    listen: {
      host: flags.listenHost === undefined ? config.listen.host : hostOf(flags.listenHost, source, '--listen-host'),
      tcpPort: flags.tcpPort === undefined ? config.listen.tcpPort : portOf(portNumber(flags.tcpPort), source, '--tcp-port'),
      wsPort: flags.wsPort === undefined ? config.listen.wsPort : portOf(portNumber(flags.wsPort), source, '--ws-port'),
    },
    mdns: flags.mdns === false ? false : config.mdns,
    peers,
    bootstrap,
    bootstrapDns: config.bootstrapDns,
    bootstrapDnsServers: config.bootstrapDnsServers,
    dht: flags.dht === false ? false : config.dht,
    limits: config.limits,
    courier: config.courier,
  };
}

/** The file's multiaddrs with those of a repeated flag added (each checked, duplicates dropped), at most `MAX_PEERS`. */
function withFlagged(fromFile: readonly string[], flagged: readonly string[] | undefined, flag: string, what: string): string[] {
  const all = [...new Set([...fromFile, ...(flagged ?? []).map((p, i) => peerOf(p, COMMAND_LINE, `${flag} #${i + 1}`))])];
  if (all.length > MAX_PEERS) throw new ConfigError(COMMAND_LINE, flag, `gives more than ${MAX_PEERS} ${what} together with the config file`);
  return all;
}

/**
 * The network options a MeshNode takes for this config. A port left unset listens on any free
 * one: `pars start` first settles unset ports with `chooseListenPorts`.
 */
export function meshNetOptions(config: NodeConfig): MeshNetOptions {
  return {
    listen: listenAddresses({ host: config.listen.host, tcpPort: config.listen.tcpPort, wsPort: config.listen.wsPort }),
    mdns: config.mdns ? {} : false,
    peers: config.peers,
    limits: config.limits,
    ...(config.bootstrap.length === 0 ? {} : { bootstrap: config.bootstrap }),
    ...(config.bootstrapDns === undefined ? {} : { bootstrapDns: { name: config.bootstrapDns, ...(config.bootstrapDnsServers === undefined ? {} : { servers: config.bootstrapDnsServers }) } }),
    ...(config.dht ? {} : { dht: false as const }),
    ...(Object.keys(config.courier).length === 0 ? {} : { courier: config.courier }),
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
    throw new ConfigError(source, field, `must be a port number 0..65535 (0: any free port)${source === COMMAND_LINE ? '' : ' or false (no listener)'}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function booleanOf(value: unknown, source: string, field: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(source, field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function peersOf(value: unknown, source: string, field = 'peers'): string[] {
  if (!Array.isArray(value)) throw new ConfigError(source, field, 'must be a list of multiaddrs');
  if (value.length > MAX_PEERS) throw new ConfigError(source, field, `has ${value.length} entries, at most ${MAX_PEERS} are allowed`);
  return value.map((p, i) => peerOf(p, source, `${field}[${i}]`));
}

/** A DNS name: dot-separated labels of letters, digits, `-` and `_`, at most 253 characters. */
function dnsNameOf(value: unknown, source: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !/^[A-Za-z0-9_-]{1,63}(\.[A-Za-z0-9_-]{1,63})*\.?$/.test(value)) {
    throw new ConfigError(source, 'bootstrapDns', `must be a DNS name such as "_dnsaddr.bootstrap.example.org", got ${JSON.stringify(value)}`);
  }
  return value;
}

function dnsServersOf(value: unknown, source: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 8) throw new ConfigError(source, 'bootstrapDnsServers', 'must be a list of 1..8 servers ("ip" or "ip:port")');
  return value.map((v, i) => {
    const text = typeof v === 'string' ? v : '';
    const host = text.startsWith('[') ? text.slice(1, text.indexOf(']')) : text.includes(':') && text.indexOf(':') === text.lastIndexOf(':') ? text.slice(0, text.indexOf(':')) : text;
    if (isIP(host) === 0) throw new ConfigError(source, `bootstrapDnsServers[${i}]`, `must be "ip" or "ip:port", got ${JSON.stringify(v)}`);
    return text;
  });
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

function courierOf(value: unknown, source: string): Partial<CourierQuotas> {
  const object = objectOf(value, source, 'courier');
  onlyFields(object, Object.keys(DEFAULT_COURIER_QUOTAS), source, 'courier.');
  try {
    courierQuotasOf(object as Partial<CourierQuotas>);
  } catch (error) {
    if (error instanceof CourierQuotaError) throw new ConfigError(source, `courier.${error.field}`, error.problem);
    throw error;
  }
  return object as Partial<CourierQuotas>;
}
