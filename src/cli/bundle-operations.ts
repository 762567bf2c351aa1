import { isAbsolute } from 'node:path';
import { exportBundle, forPeer, importBundle, sinceMarker, type BelievedFrontiers, type ExportReport, type ImportReport } from '../bundle/index.ts';
import { fromHex, toHex } from '../crypto/index.ts';
import type { SqliteStore } from '../store/index.ts';
import { CliError } from './errors.ts';
import type { OpenNode } from './open-node.ts';

/*
 * `pars bundle` carried out on a node: the running one (control operations `bundle.*`, without
 * progress) or a store the command opened itself (with progress bars). Both run this code, so a
 * report does not depend on which did the work. Everything a prompt or the environment supplies
 * arrives in the arguments: a running node has neither the user's terminal nor their shell.
 */

/** `pars bundle export`: what to write where, and for whom. */
export interface BundleExportArgs {
  /** Absolute path of the bundle to write (a node's working directory is not the user's). */
  readonly file: string;
  /** Only these groups (names or id prefixes); absent: every topic the node holds. */
  readonly groups?: readonly string[];
  /** Only what is new since the bundle with this marker (hex prefix). */
  readonly since?: string;
  /** Only what this device (node id or ≥ 8 hex digits of one) is not known to hold. */
  readonly for?: string;
  /** Also let anyone with this passphrase open the bundle. */
  readonly passphrase?: string;
  /** log2 of the passphrase's scrypt cost; absent: the format's default. */
  readonly kdfLogN?: number;
  /** Replace an existing file. */
  readonly force: boolean;
}

/** `pars bundle import`. */
export interface BundleImportArgs {
  /** Absolute path of the bundle to read. */
  readonly file: string;
  /** Tried after the group keys; absent: only the group keys (or `laterPassphrase`). */
  readonly passphrase?: string;
  /** Refuse a bundle from a device this node has never met. */
  readonly knownOnly: boolean;
}

/** One bundle this node wrote or read, as `pars bundle list --json` prints it. */
export interface BundleListing {
  readonly marker: string;
  readonly direction: 'export' | 'import';
  readonly peer: string | null;
  readonly at: number;
  readonly topics: number;
}

export interface ImportHooks {
  /** Asked when no group key (nor `args.passphrase`) opens the bundle: a prompt, for a command. */
  readonly laterPassphrase?: () => Promise<string | undefined>;
  readonly onProgress?: (phase: 'verify' | 'import', done: number, total: number) => void;
}

/** Refuses `--since` together with `--for` (a command checks it before prompting for anything). */
export function checkExportSelection(args: Pick<BundleExportArgs, 'since' | 'for'>): void {
  if (args.since !== undefined && args.for !== undefined) throw new CliError('ERR_USAGE', 'give --since or --for, not both');
}

/** Writes a bundle of `node`'s DAG (see `exportBundle`). */
export async function exportFromNode(node: OpenNode, args: BundleExportArgs, onProgress?: (done: number, total: number) => void): Promise<ExportReport> {
  checkExportSelection(args);
  const { identity, ingester, groups } = node;
  const store = ingester.store;
  const chosen = args.groups === undefined ? undefined : groups.bundleKeys(args.groups);
  // A chosen group's invites go along (a join request or welcome on their rendezvous topics),
  // where there is something to carry.
  const invites = groups.bundleInvites(args.groups).filter((i) => chosen === undefined || ingester.dag.frontier(toHex(i.topic)).length > 0);
  const peer = args.for === undefined ? undefined : resolvePeer(node, args.for);
  let believed: BelievedFrontiers | undefined;
  if (args.since !== undefined) believed = sinceMarker(store, args.since);
  if (peer !== undefined) believed = forPeer(store, peer);
  return await exportBundle({
    provider: ingester.provider,
    store,
    dag: ingester.dag,
    identity,
    path: absolute(args.file),
    groups: chosen ?? groups.bundleKeys(),
    ...(chosen === undefined ? {} : { topics: [...chosen.map((g) => g.topic), ...invites.map((i) => i.topic)] }),
    invites,
    ...(args.passphrase === undefined ? {} : { passphrase: args.passphrase }),
    ...(args.kdfLogN === undefined ? {} : { kdfLogN: args.kdfLogN }),
    ...(believed === undefined ? {} : { believed }),
    ...(peer === undefined ? {} : { peer }),
    overwrite: args.force,
    now: () => Date.now(),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/**
 * Imports a bundle through `node`'s ingester, so its DAG, groups and (on a running node) peers
 * see the vertices as they commit; resolves once the group work they caused (admissions,
 * welcomes) is done.
 */
export async function importIntoNode(node: OpenNode, args: BundleImportArgs, hooks: ImportHooks = {}): Promise<ImportReport> {
  const { ingester, groups } = node;
  const { laterPassphrase, onProgress } = hooks;
  const report = await importBundle({
    provider: ingester.provider,
    path: absolute(args.file),
    sink: ingester,
    groups: groups.bundleKeys(),
    invites: groups.bundleInvites(),
    passphrase: async () => args.passphrase ?? (await laterPassphrase?.()),
    unknownDevice: args.knownOnly ? 'refuse' : 'accept',
    now: () => Date.now(),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  await groups.idle();
  return report;
}

/** The bundles `node` wrote and read, oldest first, with their markers (for `--since`). */
export function listBundles(node: OpenNode): BundleListing[] {
  return node.ingester.store.bundles.all().map((r) => ({
    marker: toHex(r.marker),
    direction: r.direction,
    peer: r.peer === undefined ? null : toHex(r.peer),
    at: r.at,
    topics: r.frontiers.length,
  }));
}

/** Relative paths would name different files for the command and a running node; they never get here. */
function absolute(path: string): string {
  if (!isAbsolute(path)) throw new CliError('ERR_USAGE', `bundle path ${JSON.stringify(path)} is not absolute`);
  return path;
}

/** A device by full node id, or a hex prefix (≥ 8) of a device met in a bundle or as an author. */
function resolvePeer(node: OpenNode, arg: string): Uint8Array {
  const store: SqliteStore = node.ingester.store;
  const prefix = arg.toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(prefix)) throw new CliError('ERR_USAGE', `--for takes a node id or at least 8 hex digits of one, got ${JSON.stringify(arg)}`);
  const known = new Map<string, Uint8Array>();
  for (const r of store.bundles.all()) if (r.peer !== undefined) known.set(toHex(r.peer), r.peer);
  for (const id of store.authorIds()) known.set(toHex(id), id);
  const matches = [...known].filter(([hex]) => hex.startsWith(prefix));
  if (matches.length === 1) return (matches[0] as [string, Uint8Array])[1];
  if (matches.length === 0) {
    if (prefix.length === 64) return fromHex(prefix);
    throw new CliError('ERR_PEER_NOT_FOUND', `no device met so far has a node id starting with ${prefix}; give the full node id`);
  }
  throw new CliError('ERR_PEER_AMBIGUOUS', `${prefix} matches ${matches.length} devices; give more digits`);
}
