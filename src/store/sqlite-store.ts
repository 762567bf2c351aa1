import Database from 'better-sqlite3';
import { equalBytes, fromHex, toHex } from '../crypto/index.ts';
import { Dag, idKey, VERTEX_LIMITS, type AuthorKey, type DagOptions, type DecodedVertex, type KeySource } from '../dag/index.ts';
import { StoreError } from './errors.ts';
import { BundleTables } from './bundle-tables.ts';
import { lowSpaceNote } from './disk-space.ts';
import { GroupTables } from './group-tables.ts';
import { IdIndex } from './id-index.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { NetTables } from './net-tables.ts';
import { packIds, unpackIds } from './packed-ids.ts';
import { makeStoreFilesPrivate } from './private-files.ts';
import { blobCopy, blobView, type Row } from './row-blobs.ts';
import { SnapshotTables, type TopicSnapshotRecord } from './snapshot-tables.ts';

export interface StoreOptions {
  /** Open without writing (no migrations); for inspection tools. */
  readonly readonly?: boolean;
  /**
   * Page size of a new store file: a power of two from 512 to 65,536 bytes. Default 4,096 (see
   * `PAGE_BYTES`). An existing file keeps its own; benchmarks compare page sizes with it.
   */
  readonly pageBytes?: number;
}

export interface IntegrityReport {
  readonly ok: boolean;
  readonly problems: string[];
}

/**
 * Page size of a new store file. A vertex is about 4.5 KiB (the ML-DSA-65 signature alone is
 * 3.3 KiB): in 4 KiB pages its row keeps about 500 bytes in a leaf page and the rest in one
 * overflow page, which SQLite sizes the row's split to fill, so the file stays about 1.06 times
 * the vertex bytes (bench ingest). Larger pages hold vertices whole, but the WAL writes every page
 * a commit touches whole, and a chat message's commit touches about ten (the vertex, its indexes,
 * the frontier, the group log, the group's secrets): with 32 KiB pages a node wrote about 315 KB
 * per message sent and 215 KB per message received, five times what 4 KiB pages cost (bench
 * message-writes). Bulk ingest and a growing store write about the same bytes either way.
 */
const PAGE_BYTES = 4096;

/** A batch's rows, to enter the id index once their transaction has committed. */
interface InsertedBatch {
  readonly inserted: { readonly id: Uint8Array; readonly seq: number }[];
  readonly frontiers: Map<string, Set<string>>;
}

/**
 * The node's durable state in one SQLite file: WAL journal with `synchronous = FULL`, so a
 * transaction that has returned is on disk (fsync'd) and survives a crash or power loss. Vertices
 * are written in batches, one transaction per batch: the caller acknowledges them only after
 * `putVertices` returns. Per vertex a batch costs one row appended in arrival order and one
 * index entry in its topic's Lamport order; frontier rows are rewritten once per batch for each
 * topic the batch touched. A row is found by id through `IdIndex` (built from the table on first
 * use), not a SQLite index: see id-index.ts. So one handle writes a store file at a time (the
 * data-directory lock sees to it): another handle's index would not learn its rows.
 */
export class SqliteStore implements KeySource {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmt: ReturnType<SqliteStore['prepare']>;
  readonly #putBatch: (vertices: readonly DecodedVertex[]) => InsertedBatch;
  /** Row of each stored id; built on first use (see `#ids`). */
  #idIndex: IdIndex | undefined;
  /** topic hex → frontier id keys; mirrors the frontiers table (loaded at open). */
  #frontiers = new Map<string, Set<string>>();
  readonly #snapshots: SnapshotTables;
  /** The group tables (schema v3); their secret columns arrive sealed by the node. */
  readonly groups: GroupTables;
  /** The bundle exchanges (schema v4): frontier markers of bundles written and read. */
  readonly bundles: BundleTables;
  /** The network tables (schema v5): known peers, per-peer sync state, topic reconciliation times. */
  readonly net: NetTables;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#stmt = this.prepare();
    for (const [topic, ids] of this.frontiers()) this.#frontiers.set(topic, new Set(ids));
    this.#putBatch = db.transaction((vertices: readonly DecodedVertex[]) => this.#insertBatch(vertices));
    this.#snapshots = new SnapshotTables(db);
    this.groups = new GroupTables(db, (id) => this.hasVertex(id));
    this.bundles = new BundleTables(db);
    this.net = new NetTables(db);
  }

  /** Opens (creating if needed) the store at `path` and applies pending migrations. */
  static open(path: string, options: StoreOptions = {}): SqliteStore {
    const pageBytes = options.pageBytes ?? PAGE_BYTES;
    // SQLite ignores a page size it cannot use, without a word.
    if (!Number.isInteger(pageBytes) || pageBytes < 512 || pageBytes > 65_536 || (pageBytes & (pageBytes - 1)) !== 0) {
      throw new StoreError('ERR_STORE_OPEN', `page size must be a power of two from 512 to 65536 bytes, got ${String(pageBytes)}`);
    }
    let db: Database.Database;
    try {
      if (options.readonly !== true) makeStoreFilesPrivate(path);
      db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
    } catch (cause) {
      throw new StoreError('ERR_STORE_OPEN', `cannot open store ${path}: ${(cause as Error).message}${lowSpaceNote(path)}`, { cause });
    }
    try {
      if (options.readonly !== true) {
        // Only a new, empty file takes this: an existing store keeps its page size.
        db.pragma(`page_size = ${pageBytes}`);
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new StoreError('ERR_STORE_OPEN', `cannot put store ${path} in WAL mode (got ${String(mode)})`);
        db.pragma('synchronous = FULL');
      }
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db, options.readonly === true);
      return new SqliteStore(path, db);
    } catch (error) {
      db.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError('ERR_STORE_OPEN', `cannot open store ${path}: ${(error as Error).message}${lowSpaceNote(path)}`, { cause: error });
    }
  }

  private prepare() {
    const db = this.#db;
    return {
      insertVertex: db.prepare('INSERT INTO vertices (id, topic, lamport, author, parents, bytes) VALUES (?, ?, ?, ?, ?, ?)'),
      // Confirm an IdIndex candidate: the row's own id must be the one asked for.
      isRowOf: db.prepare('SELECT 1 FROM vertices WHERE seq = ? AND id = ?').pluck(),
      bytesOfRow: db.prepare('SELECT bytes FROM vertices WHERE seq = ? AND id = ?').pluck(),
      seqAndId: db.prepare('SELECT seq, id FROM vertices').raw(),
      logIds: db.prepare('SELECT vertex_id FROM group_log').pluck(),
      count: db.prepare('SELECT count(*) FROM vertices').pluck(),
      topicCounts: db.prepare('SELECT topic, count(*) AS n FROM vertices GROUP BY topic ORDER BY topic'),
      // length() of a blob is taken from the record header: the bytes themselves are not read.
      topicBytes: db.prepare('SELECT coalesce(sum(length(bytes)), 0) FROM vertices WHERE topic = ?').pluck(),
      clearFrontier: db.prepare('DELETE FROM frontiers WHERE topic = ?'),
      addFrontier: db.prepare('INSERT INTO frontiers (topic, id) VALUES (?, ?)'),
      allFrontiers: db.prepare('SELECT topic, id FROM frontiers ORDER BY topic, id'),
      metaInOrder: db.prepare('SELECT seq, id, topic, lamport, author, parents FROM vertices ORDER BY lamport, id'),
      parentsOnly: db.prepare('SELECT id, topic, parents FROM vertices'),
      bytesByTopic: db.prepare('SELECT bytes FROM vertices WHERE topic = ? ORDER BY lamport, id').pluck(),
      bytesAll: db.prepare('SELECT bytes FROM vertices ORDER BY lamport, id').pluck(),
      parentsAndBytes: db.prepare('SELECT id, topic, parents, bytes FROM vertices'),
      putKey: db.prepare('INSERT OR IGNORE INTO author_keys (author, algorithm, public_key) VALUES (?, ?, ?)'),
      getKey: db.prepare('SELECT algorithm, public_key FROM author_keys WHERE author = ?'),
      allKeys: db.prepare('SELECT algorithm, public_key FROM author_keys'),
      authorIds: db.prepare('SELECT author FROM author_keys').pluck(),
      keyCount: db.prepare('SELECT count(*) FROM author_keys').pluck(),
    };
  }

  #insertBatch(vertices: readonly DecodedVertex[]): InsertedBatch {
    const s = this.#stmt;
    // Copies of the frontiers this batch moves; swapped in only after the commit succeeds.
    const touched = new Map<string, Set<string>>();
    const inserted: { id: Uint8Array; seq: number }[] = [];
    // Keys stored by this batch so far: the index learns them only after the commit.
    const inBatch = new Set<string>();
    for (const v of vertices) {
      if (inBatch.has(v.key) || this.hasVertex(v.id)) continue;
      const info = s.insertVertex.run(v.id, v.topic, v.lamport, v.author, packIds(v.parents), v.bytes);
      inserted.push({ id: v.id, seq: Number(info.lastInsertRowid) });
      inBatch.add(v.key);
      const topic = toHex(v.topic);
      let frontier = touched.get(topic);
      if (frontier === undefined) touched.set(topic, (frontier = new Set(this.#frontiers.get(topic))));
      for (const p of v.parents) {
        const pk = idKey(p);
        // A frontier member is stored by construction; look up only older parents.
        if (!frontier.delete(pk) && !inBatch.has(pk) && !this.hasVertex(p)) {
          // Rolls the whole batch back: the DAG only hands over vertices whose parents are placed.
          throw new StoreError('ERR_STORE_MISSING_PARENT', `vertex ${v.key} names parent ${pk} that is not stored`);
        }
      }
      frontier.add(v.key);
    }
    for (const [topic, frontier] of touched) {
      const t = fromHex(topic);
      s.clearFrontier.run(t);
      for (const k of frontier) s.addFrontier.run(t, fromHex(k));
    }
    return { inserted, frontiers: touched };
  }

  /** The id index, built from the table on first use. */
  #ids(): IdIndex {
    if (this.#idIndex === undefined) {
      const index = new IdIndex();
      for (const [seq, id] of this.#stmt.seqAndId.iterate() as IterableIterator<[number, Buffer]>) index.add(id, seq);
      this.#idIndex = index;
    }
    return this.#idIndex;
  }

  /**
   * `read(seq)` of the row holding `id`, or undefined if none does. `read` runs a statement
   * `… WHERE seq = ? AND id = ?`, so a candidate row holding another id reads as undefined.
   */
  #readRow(id: Uint8Array, read: (seq: number) => unknown): unknown {
    if (id.length !== VERTEX_LIMITS.idBytes) return undefined;
    return this.#ids().find(id, read);
  }

  /**
   * Stores a batch of vertices (parents before children, as `Dag.add` returns them) in one
   * transaction. When this returns, the batch is durable; if it throws, nothing of it is stored.
   * Returns how many were new.
   */
  putVertices(vertices: readonly DecodedVertex[]): number {
    if (vertices.length === 0) return 0;
    let result: InsertedBatch;
    try {
      result = this.#putBatch(vertices);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('ERR_STORE_WRITE', `storing ${vertices.length} vertices failed: ${(error as Error).message}`, { cause: error });
    }
    for (const [topic, frontier] of result.frontiers) this.#frontiers.set(topic, frontier);
    const index = this.#ids();
    for (const { id, seq } of result.inserted) index.add(id, seq);
    return result.inserted.length;
  }

  hasVertex(id: Uint8Array): boolean {
    return this.#readRow(id, (seq) => this.#stmt.isRowOf.get(seq, id)) !== undefined;
  }

  getVertexBytes(id: Uint8Array): Uint8Array | undefined {
    const bytes = this.#readRow(id, (seq) => this.#stmt.bytesOfRow.get(seq, id));
    return bytes === undefined ? undefined : blobView(bytes);
  }

  get vertexCount(): number {
    return this.#stmt.count.get() as number;
  }

  /** Encoded bytes stored of one topic. */
  topicBytes(topic: Uint8Array): number {
    return this.#stmt.topicBytes.get(topic) as number;
  }

  /** Vertex count of every topic: topic hex → count. */
  topicCounts(): Map<string, number> {
    return new Map((this.#stmt.topicCounts.all() as Row[]).map((r) => [toHex(blobView(r['topic'])), r['n'] as number]));
  }

  /** Topics (hex) with at least one vertex, ascending. */
  topics(): string[] {
    return [...this.#frontiers.keys()].sort();
  }

  /** The stored frontier of a topic, ascending by id. */
  frontier(topic: Uint8Array): Uint8Array[] {
    return [...(this.#frontiers.get(toHex(topic)) ?? [])].sort().map(fromHex);
  }

  /** Every frontier as stored on disk: topic hex → sorted id keys. */
  frontiers(): Map<string, string[]> {
    const rows = this.#stmt.allFrontiers.all() as Row[];
    return groupByTopic(rows.map((r) => [toHex(blobView(r['topic'])), toHex(blobView(r['id']))]));
  }

  /** Frontiers recomputed from the stored vertices alone (those no stored vertex names as a parent). */
  rebuildFrontiers(): Map<string, string[]> {
    return this.#scanVertices().frontiers;
  }

  /**
   * One pass over the vertices table: the frontiers rebuilt from the parent lists, the topic of
   * every stored id, the ids stored more than once, and (given `hash`) the ids whose bytes hash to
   * something else.
   */
  #scanVertices(hash?: (data: Uint8Array) => Uint8Array): { frontiers: Map<string, string[]>; topicOf: ReadonlyMap<string, string>; duplicated: string[]; misHashed: string[] } {
    const named = new Set<string>();
    const topicOf = new Map<string, string>();
    const duplicated: string[] = [];
    const misHashed: string[] = [];
    const rows = (hash === undefined ? this.#stmt.parentsOnly : this.#stmt.parentsAndBytes).iterate() as IterableIterator<Row>;
    for (const r of rows) {
      const id = blobView(r['id']);
      const key = toHex(id);
      if (topicOf.has(key)) duplicated.push(key);
      topicOf.set(key, toHex(blobView(r['topic'])));
      const parents = blobView(r['parents']);
      for (let i = 0; i < parents.length; i += 32) named.add(toHex(parents.subarray(i, i + 32)));
      if (hash !== undefined && !equalBytes(hash(blobView(r['bytes'])), id)) misHashed.push(key);
    }
    const frontiers = groupByTopic([...topicOf].filter(([id]) => !named.has(id)).map(([id, topic]) => [topic, id]));
    return { frontiers, topicOf, duplicated, misHashed };
  }

  /** Stored bytes of every vertex (of one topic, or all), parents first: (lamport, id) order. */
  *vertexBytes(topic?: Uint8Array): IterableIterator<Uint8Array> {
    const it = topic === undefined ? this.#stmt.bytesAll.iterate() : this.#stmt.bytesByTopic.iterate(topic);
    for (const b of it) yield blobView(b);
  }

  /** Rebuilds the in-memory DAG from the stored vertices (parents come first in Lamport order). */
  loadDag(options: DagOptions = {}): Dag {
    const dag = new Dag(options);
    // The same scan builds the id index, if nothing has yet: one read of the table at start.
    const index = this.#idIndex === undefined ? new IdIndex() : undefined;
    try {
      for (const r of this.#stmt.metaInOrder.iterate() as IterableIterator<Row>) {
        // Views suffice: the DAG copies the id and keeps topic and author as hex.
        const id = blobView(r['id']);
        index?.add(id, r['seq'] as number);
        dag.restore({
          id,
          key: idKey(id),
          topic: blobView(r['topic']),
          lamport: r['lamport'] as number,
          author: blobView(r['author']),
          parents: unpackIds(blobView(r['parents'])),
        });
      }
    } catch (error) {
      throw new StoreError('ERR_STORE_CORRUPT', `store ${this.path} does not form a DAG: ${(error as Error).message}`, { cause: error });
    }
    if (index !== undefined) this.#idIndex = index;
    return dag;
  }

  /** Records an author's public key (already checked to hash to `author`). */
  putKey(author: Uint8Array, key: AuthorKey): void {
    this.#stmt.putKey.run(author, key.algorithm, key.publicKey);
  }

  getKey(author: Uint8Array): AuthorKey | undefined {
    const r = this.#stmt.getKey.get(author) as Row | undefined;
    return r === undefined ? undefined : authorKeyOf(r);
  }

  /** Every stored author key. */
  keys(): AuthorKey[] {
    return (this.#stmt.allKeys.all() as Row[]).map(authorKeyOf);
  }

  /** The author id of every stored key (the SHA3-256 of the key, as stored beside it). */
  authorIds(): Uint8Array[] {
    return (this.#stmt.authorIds.all() as unknown[]).map(blobCopy);
  }

  /** How many author keys are stored (they are only ever added). */
  get keyCount(): number {
    return this.#stmt.keyCount.get() as number;
  }

  /**
   * Writes CRDT document snapshots (the crdt layer's `SnapshotStore`) in one transaction: for each
   * topic its progress row, and its document rows (first deleting the topic's other rows when
   * `replace`). When this returns the batch is durable; if it throws, nothing of it is stored.
   */
  putSnapshots(batch: readonly TopicSnapshotRecord[]): void {
    try {
      this.#snapshots.put(batch);
    } catch (error) {
      throw new StoreError('ERR_STORE_WRITE', `storing snapshots of ${batch.length} topics failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The stored CRDT snapshots of one topic or of all, each with every document row of its topic. */
  getSnapshots(topic?: Uint8Array): TopicSnapshotRecord[] {
    return this.#snapshots.get(topic);
  }

  /**
   * SQLite's own integrity and foreign-key checks, stored frontiers equal to a rebuild from the
   * vertices, no id stored twice, every group log row naming a stored vertex, and (given a hash
   * function) every vertex's bytes hashing to its id. One scan of the vertices table serves all.
   */
  checkIntegrity(hash?: (data: Uint8Array) => Uint8Array): IntegrityReport {
    // One read transaction: every check sees the same snapshot, even while a node writes.
    return this.#db.transaction(() => this.#checkSnapshot(hash))();
  }

  #checkSnapshot(hash: ((data: Uint8Array) => Uint8Array) | undefined): IntegrityReport {
    const problems: string[] = [];
    const integrity = this.#db.pragma('integrity_check', { simple: false }) as Row[];
    for (const r of integrity) if (r['integrity_check'] !== 'ok') problems.push(`integrity_check: ${String(r['integrity_check'])}`);
    const fk = this.#db.pragma('foreign_key_check') as Row[];
    if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} dangling references`);
    const stored = this.frontiers();
    const scan = this.#scanVertices(hash);
    for (const t of new Set([...stored.keys(), ...scan.frontiers.keys()])) {
      if ((stored.get(t) ?? []).join() !== (scan.frontiers.get(t) ?? []).join()) problems.push(`frontier of topic ${t} differs from a rebuild`);
    }
    for (const key of scan.misHashed) problems.push(`vertex ${key} does not hash to its id`);
    // What SQLite no longer enforces (see migration 6): unique ids, and group log rows naming
    // stored vertices. Frontier ids are covered by the comparison with the rebuild above.
    if (scan.duplicated.length > 0) problems.push(`${new Set(scan.duplicated).size} vertex ids are stored more than once`);
    let dangling = 0;
    for (const id of this.#stmt.logIds.iterate() as IterableIterator<Buffer>) if (!scan.topicOf.has(toHex(blobView(id)))) dangling++;
    if (dangling > 0) problems.push(`group_log: ${dangling} rows name vertices that are not stored`);
    return { ok: problems.length === 0, problems };
  }

  /** Moves the WAL into the main file and truncates it (the file size is then the whole store). */
  checkpoint(): void {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Page size of the store file (set when it was created). */
  get pageBytes(): number {
    return this.#db.pragma('page_size', { simple: true }) as number;
  }

  /** Schema version of the open store. */
  get schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function authorKeyOf(r: Row): AuthorKey {
  return { algorithm: r['algorithm'] as string, publicKey: blobCopy(r['public_key']) };
}

/** topic → ids, both ascending: the one shape in which frontiers are compared. */
function groupByTopic(pairs: readonly (readonly [string, string])[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [topic, id] of [...pairs].sort(([t1, i1], [t2, i2]) => (t1 < t2 ? -1 : t1 > t2 ? 1 : i1 < i2 ? -1 : 1))) {
    const list = out.get(topic);
    if (list === undefined) out.set(topic, [id]);
    else list.push(id);
  }
  return out;
}

function migrate(db: Database.Database, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new StoreError('ERR_STORE_TOO_NEW', `store schema ${current} is newer than this program (${LATEST_SCHEMA_VERSION}); upgrade Pars Mesh`);
  }
  if (current === LATEST_SCHEMA_VERSION) return;
  if (readonly) throw new StoreError('ERR_STORE_NEEDS_MIGRATION', `store schema ${current} needs migrating to ${LATEST_SCHEMA_VERSION}; open it read-write once`);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
