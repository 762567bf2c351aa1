import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exportBundle, forPeer, importBundle, sinceMarker, type BelievedFrontiers, type ExportReport, type ImportReport } from '../../bundle/index.ts';
import { fromHex, toHex } from '../../crypto/index.ts';
import { nodeIdOf } from '../../identity/index.ts';
import type { SqliteStore } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { withNode } from '../open-node.ts';
import { obtainPassphrase } from '../passphrase.ts';
import { ProgressBar } from '../progress.ts';
import { ID_PREFIX_CHARS } from './group.ts';
import { scryptNFromEnv } from './init.ts';

/** Supplies a bundle passphrase without a prompt (scripts, tests). */
export const BUNDLE_PASSPHRASE_ENV = 'PARS_BUNDLE_PASSPHRASE';
const LABEL = 'Bundle passphrase';

interface ExportCliOptions {
  readonly group?: string[];
  readonly since?: string;
  readonly for?: string;
  readonly passphrase?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

interface ImportCliOptions {
  readonly passphrase?: boolean;
  readonly knownOnly?: boolean;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `pars bundle export|import|list`: carry the node's DAG on a USB stick (docs/BUNDLE.md). A
 * bundle made for your groups opens on their members' nodes; one with a passphrase opens for
 * anyone who knows it, such as a courier who is in none of the groups and carries it on.
 */
export function registerBundle(program: Command, ctx: CliContext): void {
  const bundle = program
    .command('bundle')
    .description('export and import sneakernet bundles (signed, encrypted files for USB transfer)')
    .addHelpText('after', `\nA passphrase is read from $${BUNDLE_PASSPHRASE_ENV} when set, else asked on the terminal.\n`);

  bundle
    .command('export')
    .argument('<file>', 'where to write the bundle (appears only when complete)')
    .description('write the groups\' vertices (all, or what a receiver lacks) to a bundle file')
    .option('--group <group>', 'only this group (repeat for more); default: everything this node holds', collect)
    .option('--since <marker>', 'only what is new since the bundle with this marker (see pars bundle list)')
    .option('--for <peer>', 'only what this device (node id or ≥ 8 hex digits of it) is not known to hold')
    .option('--passphrase', 'also let anyone with a passphrase open it (couriers, devices in none of the groups)')
    .option('--force', 'replace an existing file')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: ExportCliOptions): Promise<void> => {
      if (options.since !== undefined && options.for !== undefined) throw new CliError('ERR_USAGE', 'give --since or --for, not both');
      const passphrase = options.passphrase === true ? await obtainPassphrase(ctx, { confirm: true, env: BUNDLE_PASSPHRASE_ENV, label: LABEL }) : undefined;
      const kdfLogN = passphrase === undefined ? undefined : kdfLogNFromEnv(ctx);
      await withNode(ctx, async ({ identity, ingester, groups }) => {
        const store = ingester.store;
        const chosen = options.group === undefined ? undefined : groups.bundleKeys(options.group);
        const peer = options.for === undefined ? undefined : resolvePeer(store, options.for, ctx);
        let believed: BelievedFrontiers | undefined;
        if (options.since !== undefined) believed = sinceMarker(store, options.since);
        if (peer !== undefined) believed = forPeer(store, peer);
        const bar = new ProgressBar(ctx.stderr);
        const report = await exportBundle({
          provider: ctx.provider(),
          store,
          dag: ingester.dag,
          identity,
          path: resolve(file),
          groups: chosen ?? groups.bundleKeys(),
          ...(chosen === undefined ? {} : { topics: chosen.map((g) => g.topic) }),
          ...(passphrase === undefined ? {} : { passphrase }),
          ...(kdfLogN === undefined ? {} : { kdfLogN }),
          ...(believed === undefined ? {} : { believed }),
          ...(peer === undefined ? {} : { peer }),
          overwrite: options.force === true,
          now: () => Date.now(),
          onProgress: (done, total) => bar.update('exporting', done, total, 'vertices'),
        });
        bar.done();
        ctx.stdout.write(options.json === true ? `${JSON.stringify(report)}\n` : describeExport(report));
      });
    });

  bundle
    .command('import')
    .argument('<file>', 'the bundle to read')
    .description('verify a bundle whole, then merge its vertices through the normal checks')
    .option('--passphrase', 'ask for the passphrase even before trying your groups\' keys')
    .option('--known-only', 'refuse a bundle exported by a device this node has never met')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: ImportCliOptions): Promise<void> => {
      const early = options.passphrase === true ? await obtainPassphrase(ctx, { confirm: false, env: BUNDLE_PASSPHRASE_ENV, label: LABEL }) : undefined;
      await withNode(ctx, async ({ ingester, groups }) => {
        const bar = new ProgressBar(ctx.stderr);
        const report = await importBundle({
          provider: ctx.provider(),
          path: resolve(file),
          sink: ingester,
          groups: groups.bundleKeys(),
          passphrase: async () => early ?? (await laterPassphrase(ctx)),
          unknownDevice: options.knownOnly === true ? 'refuse' : 'accept',
          now: () => Date.now(),
          onProgress: (phase, done, total) => (phase === 'verify' ? bar.update('verifying', done, total, 'frames') : bar.update('importing', done, total, 'vertices')),
        });
        bar.done();
        await groups.idle();
        ctx.stdout.write(options.json === true ? `${JSON.stringify(report)}\n` : describeImport(report));
      });
    });

  bundle
    .command('list')
    .description('list the bundles this node wrote and read (markers for --since)')
    .option('--json', 'print [{"marker", "direction", "peer", "at", "topics"}] as JSON')
    .action(async (options: { json?: boolean }): Promise<void> => {
      await withNode(ctx, async ({ ingester }) => {
        const rows = ingester.store.bundles.all().map((r) => ({
          marker: toHex(r.marker),
          direction: r.direction,
          peer: r.peer === undefined ? null : toHex(r.peer),
          at: r.at,
          topics: r.frontiers.length,
        }));
        if (options.json === true) {
          ctx.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        if (rows.length === 0) ctx.stdout.write('No bundles written or read yet.\n');
        for (const r of rows) {
          const peer = r.peer === null ? '-' : r.peer.slice(0, ID_PREFIX_CHARS);
          ctx.stdout.write(`${r.marker}  ${r.direction.padEnd(6)}  ${new Date(r.at).toISOString()}  peer ${peer}  ${r.topics} topics\n`);
        }
      });
    });
}

/** Asked only when no group key opened the bundle: from the environment, or a terminal; else none. */
async function laterPassphrase(ctx: CliContext): Promise<string | undefined> {
  if (ctx.env[BUNDLE_PASSPHRASE_ENV] === undefined && ctx.stdin.isTTY !== true) return undefined;
  ctx.stderr.write('None of your groups\' keys opens this bundle.\n');
  return await obtainPassphrase(ctx, { confirm: false, env: BUNDLE_PASSPHRASE_ENV, label: LABEL });
}

function kdfLogNFromEnv(ctx: CliContext): number | undefined {
  const N = scryptNFromEnv(ctx);
  if (N === undefined) return undefined;
  const log = Math.log2(N);
  if (!Number.isInteger(log)) throw new CliError('ERR_USAGE', `PARS_SCRYPT_N must be a power of two, got ${N}`);
  return log;
}

/** A device by full node id, or a hex prefix (≥ 8) of a device met in a bundle or as an author. */
function resolvePeer(store: SqliteStore, arg: string, ctx: CliContext): Uint8Array {
  const prefix = arg.toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(prefix)) throw new CliError('ERR_USAGE', `--for takes a node id or at least 8 hex digits of one, got ${JSON.stringify(arg)}`);
  const known = new Map<string, Uint8Array>();
  for (const r of store.bundles.all()) if (r.peer !== undefined) known.set(toHex(r.peer), r.peer);
  for (const key of store.keys()) {
    const id = nodeIdOf(key.publicKey, ctx.provider());
    known.set(toHex(id), id);
  }
  const matches = [...known].filter(([hex]) => hex.startsWith(prefix));
  if (matches.length === 1) return (matches[0] as [string, Uint8Array])[1];
  if (matches.length === 0) {
    if (prefix.length === 64) return fromHex(prefix);
    throw new CliError('ERR_PEER_NOT_FOUND', `no device met so far has a node id starting with ${prefix}; give the full node id`);
  }
  throw new CliError('ERR_PEER_AMBIGUOUS', `${prefix} matches ${matches.length} devices; give more digits`);
}

function describeExport(r: ExportReport): string {
  const who = [r.groupRecipients > 0 ? `members of ${r.groupRecipients} group${r.groupRecipients === 1 ? '' : 's'}` : '', r.passphrase ? 'anyone with the passphrase' : ''].filter((s) => s !== '').join(' and ');
  return (
    `Wrote ${r.path}\n` +
    `  ${r.vertices.toLocaleString('en')} vertices of ${r.topics} topics, ${r.bytes.toLocaleString('en')} bytes\n` +
    `  opens for ${who}\n` +
    `  marker ${r.marker} (pars bundle export FILE --since ${r.marker.slice(0, 12)} sends only what is newer)\n`
  );
}

function describeImport(r: ImportReport): string {
  const lines = [
    `Imported ${r.path}`,
    `  from device ${r.device}${r.knownDevice ? '' : ' (never met before)'}, exported ${new Date(r.created).toISOString()}`,
    `  ${r.vertices.toLocaleString('en')} vertices: ${r.stored.toLocaleString('en')} new, ${r.duplicates.toLocaleString('en')} already here, ${r.rejected} rejected` +
      (r.waiting > 0 ? `, ${r.waiting} waiting for parents this node lacks (not imported)` : ''),
  ];
  if (r.snapshots.matched + r.snapshots.differed > 0) lines.push(`  CRDT snapshots: ${r.snapshots.matched} agree with this node, ${r.snapshots.differed} differ`);
  for (const x of r.rejections) lines.push(`  rejected: ${x.reason}: ${x.detail}`);
  lines.push(`  marker ${r.marker}`);
  return `${lines.join('\n')}\n`;
}
