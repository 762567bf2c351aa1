import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BUNDLE_LIMITS, type ExportReport, type ImportReport } from '../../bundle/index.ts';
import { checkExportSelection, exportFromNode, importIntoNode, type BundleExportArgs, type BundleImportArgs } from '../bundle-operations.ts';
import type { CliContext } from '../context.ts';
import { counted } from '../counted.ts';
import { onRunningNode, perform } from '../control-routing.ts';
import { CliError } from '../errors.ts';
import { withNode, type OpenNode } from '../open-node.ts';
import { obtainPassphrase } from '../passphrase.ts';
import { ProgressBar } from '../progress.ts';
import { ID_PREFIX_CHARS } from './group.ts';
import { scryptNFromEnv } from './init.ts';

/** Supplies a bundle passphrase without a prompt (scripts, tests). */
export const BUNDLE_PASSPHRASE_ENV = 'PARS_BUNDLE_PASSPHRASE';
/** Where a bundle passphrase comes from and how its prompt reads. */
const SOURCE = { env: BUNDLE_PASSPHRASE_ENV, label: 'Bundle passphrase' } as const;

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
 *
 * While `pars start` runs on the data directory, the work is sent to that node (control
 * operations `bundle.*`): an import goes through its own ingester, so its groups and connected
 * peers get the vertices at once. Passphrases are asked for here, before sending; progress bars
 * are drawn only when this command does the work itself.
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
      checkExportSelection(options);
      const passphrase = options.passphrase === true ? await obtainPassphrase(ctx, { ...SOURCE, confirm: true }) : undefined;
      const kdfLogN = passphrase === undefined ? undefined : kdfLogNFromEnv(ctx);
      const args: BundleExportArgs = {
        file: resolve(file), // the running node's working directory is not ours
        ...(options.group === undefined ? {} : { groups: options.group }),
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.for === undefined ? {} : { for: options.for }),
        ...(passphrase === undefined ? {} : { passphrase }),
        ...(kdfLogN === undefined ? {} : { kdfLogN }),
        force: options.force === true,
      };
      const report =
        (await onRunningNode(ctx, 'bundle.export', args))?.result ??
        (await withProgress(ctx, (node, bar) => exportFromNode(node, args, (done, total) => bar.update('exporting', done, total, 'vertices'))));
      ctx.stdout.write(options.json === true ? `${JSON.stringify(report)}\n` : describeExport(report));
    });

  bundle
    .command('import')
    .argument('<file>', 'the bundle to read')
    .description('verify a bundle whole, then merge its vertices through the normal checks')
    .option('--passphrase', 'ask for the passphrase even before trying your groups\' keys')
    .option('--known-only', 'refuse a bundle exported by a device this node has never met')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: ImportCliOptions): Promise<void> => {
      const early = options.passphrase === true ? await obtainPassphrase(ctx, { ...SOURCE, confirm: false }) : undefined;
      const args: BundleImportArgs = { file: resolve(file), knownOnly: options.knownOnly === true, ...(early === undefined ? {} : { passphrase: early }) };
      const report = (await importOnRunningNode(ctx, args)) ?? (await importHere(ctx, args));
      ctx.stdout.write(options.json === true ? `${JSON.stringify(report)}\n` : describeImport(report));
    });

  bundle
    .command('list')
    .description('list the bundles this node wrote and read (markers for --since)')
    .option('--json', 'print [{"marker", "direction", "peer", "at", "topics"}] as JSON')
    .action(async (options: { json?: boolean }): Promise<void> => {
      const rows = await perform(ctx, 'bundle.list', {});
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      if (rows.length === 0) ctx.stdout.write('No bundles written or read yet.\n');
      for (const r of rows) {
        const peer = r.peer === null ? '-' : r.peer.slice(0, ID_PREFIX_CHARS);
        ctx.stdout.write(`${r.marker}  ${r.direction.padEnd(6)}  ${new Date(r.at).toISOString()}  peer ${peer}  ${counted(r.topics, 'topic')}\n`);
      }
    });
}

/** `work` done by this command on the store it opens, with a progress bar (drawn only on a terminal). */
async function withProgress<T>(ctx: CliContext, work: (node: OpenNode, bar: ProgressBar) => Promise<T>): Promise<T> {
  return await withNode(ctx, async (node) => {
    const bar = new ProgressBar(ctx.stderr);
    try {
      return await work(node, bar);
    } finally {
      bar.done();
    }
  });
}

/** The import done by this command on the store it opens, with progress; a passphrase is asked for only when needed. */
async function importHere(ctx: CliContext, args: BundleImportArgs): Promise<ImportReport> {
  return await withProgress(ctx, (node, bar) =>
    importIntoNode(node, args, {
      // None without the variable or a terminal: the import then fails with the bundle's own error.
      laterPassphrase: async () => (ctx.env[BUNDLE_PASSPHRASE_ENV] === undefined && ctx.stdin.isTTY !== true ? undefined : await askAfterGroupKeys(ctx)),
      onProgress: (phase, done, total) => (phase === 'verify' ? bar.update('verifying', done, total, 'frames') : bar.update('importing', done, total, 'vertices')),
    }),
  );
}

/**
 * Imports through the node running on the data directory, or resolves undefined when none runs.
 * The node cannot ask for a passphrase, so one from the environment goes along with the request
 * (the node tries it only after the group keys); on a terminal, a passphrase for a bundle that no
 * group key opened is asked for here and the request sent again.
 */
async function importOnRunningNode(ctx: CliContext, args: BundleImportArgs): Promise<ImportReport | undefined> {
  const fromEnv = ctx.env[BUNDLE_PASSPHRASE_ENV];
  const sent: BundleImportArgs = args.passphrase === undefined && fromEnv !== undefined ? { ...args, passphrase: fromEnv } : args;
  try {
    return (await onRunningNode(ctx, 'bundle.import', sent))?.result;
  } catch (error) {
    if (sent.passphrase !== undefined || (error as { code?: unknown }).code !== 'ERR_BUNDLE_NO_KEY' || ctx.stdin.isTTY !== true) throw error;
  }
  const again: BundleImportArgs = { ...args, passphrase: await askAfterGroupKeys(ctx) };
  // Should the node have stopped meanwhile, this command does the import with the passphrase just given.
  return (await onRunningNode(ctx, 'bundle.import', again))?.result ?? (await importHere(ctx, again));
}

/** The passphrase once no group key opened the bundle: from the environment, or asked on the terminal. */
async function askAfterGroupKeys(ctx: CliContext): Promise<string> {
  ctx.stderr.write('None of your groups\' keys opens this bundle.\n');
  return await obtainPassphrase(ctx, { ...SOURCE, confirm: false });
}

function kdfLogNFromEnv(ctx: CliContext): number | undefined {
  const N = scryptNFromEnv(ctx);
  if (N === undefined) return undefined;
  const log = Math.log2(N);
  if (!Number.isInteger(log)) throw new CliError('ERR_USAGE', `PARS_SCRYPT_N must be a power of two, got ${N}`);
  return log;
}

function describeExport(r: ExportReport): string {
  const who = [
    r.groupRecipients > 0 ? `members of ${counted(r.groupRecipients, 'group')}` : '',
    r.inviteRecipients > 0 ? `the other end of ${counted(r.inviteRecipients, 'invite')} (inviter or joiner)` : '',
    r.passphrase ? 'anyone with the passphrase' : '',
  ].filter((s) => s !== '');
  const leftOut =
    r.invitesLeftOut > 0
      ? `  ${counted(r.invitesLeftOut, 'invite')} left out: a bundle opens for at most ${BUNDLE_LIMITS.stanzas} groups, invites and passphrases (export with --group for the rest)\n`
      : '';
  return (
    `Wrote ${r.path}\n` +
    `  ${counted(r.vertices, 'vertex', 'vertices')} of ${counted(r.topics, 'topic')}, ${counted(r.bytes, 'byte')}\n` +
    `  opens for ${who.join(' and ')}\n` +
    leftOut +
    `  marker ${r.marker} (pars bundle export FILE --since ${r.marker.slice(0, 12)} sends only what is newer)\n`
  );
}

function describeImport(r: ImportReport): string {
  const lines = [
    `Imported ${r.path}`,
    `  from device ${r.device}${r.knownDevice ? '' : ' (never met before)'}, exported ${new Date(r.created).toISOString()}`,
    `  ${counted(r.vertices, 'vertex', 'vertices')}: ${r.stored.toLocaleString('en')} new, ${r.duplicates.toLocaleString('en')} already here, ${r.rejected} rejected` +
      (r.waiting > 0 ? `, ${r.waiting} waiting for parents this node lacks (not imported)` : ''),
  ];
  if (r.snapshots.matched + r.snapshots.differed > 0) lines.push(`  CRDT snapshots: ${r.snapshots.matched} agree with this node, ${r.snapshots.differed} differ`);
  for (const x of r.rejections) lines.push(`  rejected: ${x.reason}: ${x.detail}`);
  lines.push(`  marker ${r.marker}`);
  return `${lines.join('\n')}\n`;
}
