import Database from 'better-sqlite3';
import { toHex } from '../crypto/index.ts';
import { Dag, idKey, type AuthorKey, type DagOptions, type DecodedVertex, type KeySource } from '../dag/index.ts';
import { StoreError } from './errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';

export interface StoreOptions {
  /** Open without writing (no migrations); for inspection tools. */
  readonly readonly?: boolean;
}

export interface IntegrityReport {
  readonly ok: boolean;
  readonly problems: string[];
}

type Row = Record<string, unknown>;

const u8 = (b: unknown): Uint8Array => new Uint8Array((b as Buffer).buffer, (b as Buffer).byteOffset, (b as Buffer).byteLength);

/**
 * The node's durable state in one SQLite file: WAL journal with `synchronous = FULL`, so a
 * transaction that has returned is on disk (fsync'd) and survives a crash or power loss. Vertices
 * are written in batches, one transaction per batch: the caller acknowledges them only after
 * `putVertices` returns.
 */
export class SqliteStore implements KeySource {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmt: ReturnType<SqliteStore['prepare']>;
  readonly #putBatch: (vertices: readonly DecodedVertex[]) => number;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#stmt = this.prepare();
    this.#putBatch = db.transaction((vertices: readonly DecodedVertex[]) => {
      let inserted = 0;
      for (const v of vertices) if (this.#insert(v)) inserted++;
      return inserted;
    });
  }

  /** Opens (creating if needed) the store at `path` and applies pending migrations. */
  static open(path: string, options: StoreOptions = {}): SqliteStore {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
    } catch (cause) {
      throw new StoreError('ERR_STORE_OPEN', `cannot open store ${path}: ${(cause as Error).message}`, { cause });
    }
    try {
      if (options.readonly !== true) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db, options.readonly === true);
      return new SqliteStore(path, db);
    } catch (error) {
      db.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError('ERR_STORE_OPEN', `cannot open store ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private prepare() {
    const db = this.#db;
    return {
      insertVertex: db.prepare('INSERT OR IGNORE INTO vertices (id, topic, lamport, author, bytes) VALUES (?, ?, ?, ?, ?)'),
      insertEdge: db.prepare('INSERT INTO edges (child, parent) SELECT ?, seq FROM vertices WHERE id = ?'),
      dropFrontier: db.prepare('DELETE FROM frontiers WHERE topic = ? AND seq = (SELECT seq FROM vertices WHERE id = ?)'),
      addFrontier: db.prepare('INSERT INTO frontiers (topic, seq) VALUES (?, ?)'),
      hasVertex: db.prepare('SELECT 1 FROM vertices WHERE id = ?').pluck(),
      getBytes: db.prepare('SELECT bytes FROM vertices WHERE id = ?').pluck(),
      count: db.prepare('SELECT count(*) FROM vertices').pluck(),
      topics: db.prepare('SELECT DISTINCT topic FROM frontiers ORDER BY topic').pluck(),
      frontier: db.prepare('SELECT v.id FROM frontiers f JOIN vertices v ON v.seq = f.seq WHERE f.topic = ? ORDER BY v.id').pluck(),
      allFrontiers: db.prepare('SELECT f.topic, v.id FROM frontiers f JOIN vertices v ON v.seq = f.seq ORDER BY f.topic, v.id'),
      rebuiltFrontiers: db.prepare(
        'SELECT v.topic, v.id FROM vertices v WHERE NOT EXISTS (SELECT 1 FROM edges e WHERE e.parent = v.seq) ORDER BY v.topic, v.id',
      ),
      metaInOrder: db.prepare('SELECT seq, id, topic, lamport, author FROM vertices ORDER BY lamport, id'),
      edges: db.prepare('SELECT child, parent FROM edges'),
      bytesByTopic: db.prepare('SELECT bytes FROM vertices WHERE topic = ? ORDER BY lamport, id').pluck(),
      bytesAll: db.prepare('SELECT bytes FROM vertices ORDER BY lamport, id').pluck(),
      idAndBytes: db.prepare('SELECT id, bytes FROM vertices'),
      putKey: db.prepare('INSERT OR IGNORE INTO author_keys (author, algorithm, public_key) VALUES (?, ?, ?)'),
      getKey: db.prepare('SELECT algorithm, public_key FROM author_keys WHERE author = ?'),
      allKeys: db.prepare('SELECT algorithm, public_key FROM author_keys'),
    };
  }

  #insert(v: DecodedVertex): boolean {
    const s = this.#stmt;
    const info = s.insertVertex.run(v.id, v.topic, v.lamport, v.author, v.bytes);
    if (info.changes === 0) return false;
    const seq = info.lastInsertRowid;
    for (const p of v.parents) {
      if (s.insertEdge.run(seq, p).changes !== 1) {
        // Rolls the whole batch back: the DAG only hands over vertices whose parents are placed.
        throw new StoreError('ERR_STORE_MISSING_PARENT', `vertex ${v.key} names parent ${idKey(p)} that is not stored`);
      }
      s.dropFrontier.run(v.topic, p);
    }
    s.addFrontier.run(v.topic, seq);
    return true;
  }

  /**
   * Stores a batch of vertices (parents before children, as `Dag.add` returns them) in one
   * transaction. When this returns, the batch is durable; if it throws, nothing of it is stored.
   * Returns how many were new.
   */
  putVertices(vertices: readonly DecodedVertex[]): number {
    if (vertices.length === 0) return 0;
    try {
      return this.#putBatch(vertices);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('ERR_STORE_WRITE', `storing ${vertices.length} vertices failed: ${(error as Error).message}`, { cause: error });
    }
  }

  hasVertex(id: Uint8Array): boolean {
    return this.#stmt.hasVertex.get(id) !== undefined;
  }

  getVertexBytes(id: Uint8Array): Uint8Array | undefined {
    const b = this.#stmt.getBytes.get(id);
    return b === undefined ? undefined : u8(b);
  }

  get vertexCount(): number {
    return this.#stmt.count.get() as number;
  }

  /** Topics (hex) with at least one vertex. */
  topics(): string[] {
    return (this.#stmt.topics.all() as Buffer[]).map((t) => toHex(u8(t)));
  }

  /** The stored frontier of a topic, ascending by id. */
  frontier(topic: Uint8Array): Uint8Array[] {
    return (this.#stmt.frontier.all(topic) as Buffer[]).map(u8);
  }

  /** Every stored frontier: topic hex → sorted id keys. */
  frontiers(): Map<string, string[]> {
    return groupFrontiers(this.#stmt.allFrontiers.all() as Row[]);
  }

  /** Frontiers recomputed from the edges alone (vertices with no children), for checking. */
  rebuildFrontiers(): Map<string, string[]> {
    return groupFrontiers(this.#stmt.rebuiltFrontiers.all() as Row[]);
  }

  /** Stored bytes of every vertex (of one topic, or all), parents first: (lamport, id) order. */
  *vertexBytes(topic?: Uint8Array): IterableIterator<Uint8Array> {
    const it = topic === undefined ? this.#stmt.bytesAll.iterate() : this.#stmt.bytesByTopic.iterate(topic);
    for (const b of it) yield u8(b);
  }

  /** Rebuilds the in-memory DAG from the stored vertices and edges. */
  loadDag(options: DagOptions = {}): Dag {
    const dag = new Dag(options);
    const parentsOf = new Map<number, number[]>();
    for (const e of this.#stmt.edges.iterate() as IterableIterator<Row>) {
      const child = e['child'] as number;
      let list = parentsOf.get(child);
      if (list === undefined) parentsOf.set(child, (list = []));
      list.push(e['parent'] as number);
    }
    const idOfSeq = new Map<number, Uint8Array>();
    for (const r of this.#stmt.metaInOrder.iterate() as IterableIterator<Row>) {
      const seq = r['seq'] as number;
      const id = Uint8Array.from(r['id'] as Buffer);
      idOfSeq.set(seq, id);
      const parents = (parentsOf.get(seq) ?? []).map((p) => {
        const pid = idOfSeq.get(p);
        if (pid === undefined) throw new StoreError('ERR_STORE_CORRUPT', `vertex ${idKey(id)} has a parent stored after it`);
        return pid;
      });
      dag.restore({ id, key: idKey(id), topic: u8(r['topic']), lamport: r['lamport'] as number, author: u8(r['author']), parents });
    }
    return dag;
  }

  /** Records an author's public key (already checked to hash to `author`). */
  putKey(author: Uint8Array, key: AuthorKey): void {
    this.#stmt.putKey.run(author, key.algorithm, key.publicKey);
  }

  getKey(author: Uint8Array): AuthorKey | undefined {
    const r = this.#stmt.getKey.get(author) as Row | undefined;
    if (r === undefined) return undefined;
    return { algorithm: r['algorithm'] as string, publicKey: Uint8Array.from(r['public_key'] as Buffer) };
  }

  /** Every stored author key. */
  keys(): AuthorKey[] {
    return (this.#stmt.allKeys.all() as Row[]).map((r) => ({ algorithm: r['algorithm'] as string, publicKey: Uint8Array.from(r['public_key'] as Buffer) }));
  }

  /**
   * SQLite's own integrity and foreign-key checks, stored frontiers equal to a rebuild from the
   * edges, and (given a hash function) every vertex's bytes hashing to its id.
   */
  checkIntegrity(hash?: (data: Uint8Array) => Uint8Array): IntegrityReport {
    const problems: string[] = [];
    const integrity = this.#db.pragma('integrity_check', { simple: false }) as Row[];
    for (const r of integrity) if (r['integrity_check'] !== 'ok') problems.push(`integrity_check: ${String(r['integrity_check'])}`);
    const fk = this.#db.pragma('foreign_key_check') as Row[];
    if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} dangling references`);
    const stored = this.frontiers();
    const rebuilt = this.rebuildFrontiers();
    for (const t of new Set([...stored.keys(), ...rebuilt.keys()])) {
      if ((stored.get(t) ?? []).join() !== (rebuilt.get(t) ?? []).join()) problems.push(`frontier of topic ${t} differs from a rebuild`);
    }
    if (hash !== undefined) {
      for (const r of this.#stmt.idAndBytes.iterate() as IterableIterator<Row>) {
        if (toHex(hash(u8(r['bytes']))) !== toHex(u8(r['id']))) problems.push(`vertex ${toHex(u8(r['id']))} does not hash to its id`);
      }
    }
    return { ok: problems.length === 0, problems };
  }

  /** Schema version of the open store. */
  get schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function groupFrontiers(rows: readonly Row[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const t = toHex(u8(r['topic']));
    let list = out.get(t);
    if (list === undefined) out.set(t, (list = []));
    list.push(toHex(u8(r['id'])));
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
