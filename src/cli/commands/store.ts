import { promises as fs } from 'node:fs';
import type { Command } from 'commander';
import { fromHex } from '../../crypto/index.ts';
import { LATEST_SCHEMA_VERSION, SqliteStore } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { counted } from '../counted.ts';
import { CliError } from '../errors.ts';
import { storePath } from '../paths.ts';

/** There is no store file in the data directory (inspection never creates one). */
export class StoreNotFoundError extends CliError {
  readonly path: string;
  constructor(path: string) {
    super('ERR_STORE_NOT_FOUND', `no store at ${path}; run \`pars init\` to create one (or pass --data-dir / set PARS_HOME to use another data directory)`);
    this.path = path;
  }
}

/** `pars store check` found problems; they have been printed to stdout. */
export class StoreCheckFailedError extends CliError {
  readonly path: string;
  constructor(path: string, problems: number) {
    super('ERR_STORE_CHECK_FAILED', `store ${path} failed its integrity check (${problems} problem${problems === 1 ? '' : 's'})`);
    this.path = path;
  }
}

interface JsonOption {
  readonly json?: boolean;
}

/** What `pars store info --json` prints. */
export interface StoreInfoReport {
  readonly store: string;
  readonly schemaVersion: number;
  /** Newest schema this program knows. */
  readonly latestSchemaVersion: number;
  /** Size of the main database file in bytes. */
  readonly fileBytes: number;
  /** Size of the write-ahead log (`node.sqlite-wal`) in bytes; 0 when there is none. */
  readonly walBytes: number;
  readonly vertices: number;
  readonly authorKeys: number;
  /** Topics (hex) with their vertex counts and stored frontier sizes, ascending by topic. */
  readonly topics: readonly { readonly topic: string; readonly vertices: number; readonly frontier: number }[];
}

/**
 * `pars store info|check [--json]`: inspect the node's SQLite store (`<data dir>/node.sqlite`)
 * without the passphrase. The store is opened read-only: a missing store is an error (it is never
 * created here) and nothing is migrated.
 */
export function registerStore(program: Command, ctx: CliContext): void {
  const store = program.command('store').description("inspect the node's vertex store (no passphrase needed)");
  store
    .command('info')
    .description('print schema version, vertex and author-key counts, topics with their frontiers, and file size')
    .option('--json', 'print the figures as one JSON object')
    .action(async (options: JsonOption): Promise<void> => {
      const report = await storeInfo(ctx);
      if (options.json === true) ctx.stdout.write(`${JSON.stringify(report)}\n`);
      else ctx.stdout.write(formatInfo(report));
    });
  store
    .command('check')
    .description('check SQLite integrity, foreign keys, stored frontiers and every vertex id; exit 1 on any problem')
    .option('--json', 'print {"store", "ok", "vertices", "problems"} as JSON')
    .action(async (options: JsonOption): Promise<void> => {
      await storeCheck(ctx, options.json === true);
    });
}

/** Opens the existing store read-only; throws StoreNotFoundError when there is none. */
async function openExisting(ctx: CliContext): Promise<SqliteStore> {
  const path = storePath(ctx.dataDir());
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new CliError('ERR_STORE_NOT_FILE', `store ${path} is not a regular file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoreNotFoundError(path);
    throw err;
  }
  return SqliteStore.open(path, { readonly: true });
}

async function storeInfo(ctx: CliContext): Promise<StoreInfoReport> {
  const store = await openExisting(ctx);
  try {
    const counts = store.topicCounts();
    const topics = store.topics().map((topic) => ({ topic, vertices: counts.get(topic) ?? 0, frontier: store.frontier(fromHex(topic)).length }));
    return {
      store: store.path,
      schemaVersion: store.schemaVersion,
      latestSchemaVersion: LATEST_SCHEMA_VERSION,
      fileBytes: await fileSize(store.path),
      walBytes: await fileSize(`${store.path}-wal`),
      vertices: store.vertexCount,
      authorKeys: store.keys().length,
      topics,
    };
  } finally {
    store.close();
  }
}

function formatInfo(r: StoreInfoReport): string {
  const lines = [
    `store           ${r.store}`,
    `schema version  ${r.schemaVersion}${r.schemaVersion === r.latestSchemaVersion ? '' : ` (this program writes ${r.latestSchemaVersion})`}`,
    `file size       ${r.fileBytes} bytes (+ ${r.walBytes} bytes of write-ahead log)`,
    `vertices        ${r.vertices}`,
    `author keys     ${r.authorKeys}`,
    `topics          ${r.topics.length}`,
  ];
  for (const t of r.topics) lines.push(`  ${t.topic}  ${counted(t.vertices, 'vertex', 'vertices')}, frontier ${t.frontier}`);
  return `${lines.join('\n')}\n`;
}

async function storeCheck(ctx: CliContext, json: boolean): Promise<void> {
  const provider = ctx.provider();
  const store = await openExisting(ctx);
  let problems: string[];
  let vertices: number;
  try {
    vertices = store.vertexCount;
    problems = store.checkIntegrity((data) => provider.sha3_256(data)).problems;
  } finally {
    store.close();
  }
  const ok = problems.length === 0;
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ store: store.path, ok, vertices, problems })}\n`);
  } else if (ok) {
    ctx.stdout.write(`ok  ${store.path}: ${counted(vertices, 'vertex', 'vertices')}; SQLite integrity, foreign keys, frontiers and vertex ids checked\n`);
  } else {
    ctx.stdout.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${store.path}:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
  }
  if (!ok) throw new StoreCheckFailedError(store.path, problems.length);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
