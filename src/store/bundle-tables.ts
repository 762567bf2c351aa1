import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import { packIds, unpackIds } from './packed-ids.ts';
import { blobCopy, blobView, type Row } from './row-blobs.ts';
import { writeTransaction } from './write-transaction.ts';

/* The bundle exchange table (schema v4): what each bundle written or read here carried, so the
 * next export for the same peer (or since the same bundle) sends only what is new. */

export interface TopicFrontier {
  readonly topic: Uint8Array;
  readonly frontier: readonly Uint8Array[];
}

export interface ExchangeRecord {
  /** First 16 bytes of the bundle's signed digest; the same on both sides. */
  readonly marker: Uint8Array;
  readonly direction: 'export' | 'import';
  readonly peer: Uint8Array | undefined;
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly frontiers: readonly TopicFrontier[];
}

const TOPIC = 16;
const ID = 32;

function packFrontiers(frontiers: readonly TopicFrontier[]): Uint8Array {
  let size = 0;
  for (const f of frontiers) size += TOPIC + 4 + ID * f.frontier.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of frontiers) {
    out.set(f.topic, at);
    view.setUint32(at + TOPIC, f.frontier.length);
    out.set(packIds(f.frontier), at + TOPIC + 4);
    at += TOPIC + 4 + ID * f.frontier.length;
  }
  return out;
}

function unpackFrontiers(bytes: Uint8Array): TopicFrontier[] {
  const out: TopicFrontier[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < TOPIC + 4) throw new StoreError('ERR_STORE_CORRUPT', 'bundle exchange frontiers are cut short');
    const topic = bytes.slice(at, at + TOPIC);
    const count = view.getUint32(at + TOPIC);
    at += TOPIC + 4;
    if (bytes.length - at < count * ID) throw new StoreError('ERR_STORE_CORRUPT', 'bundle exchange frontiers are cut short');
    out.push({ topic, frontier: unpackIds(bytes.subarray(at, at + count * ID)) });
    at += count * ID;
  }
  return out;
}

export class BundleTables {
  readonly #db: Database.Database;
  readonly #stmt: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#stmt = prepare(db);
  }

  /** Records an exchange; a bundle read twice keeps its first record's time and frontiers. */
  put(record: ExchangeRecord): void {
    const frontiers = packFrontiers(record.frontiers);
    writeTransaction(this.#db, 'recording a bundle exchange', () => this.#stmt.put.run(record.marker, record.direction, record.peer ?? null, record.at, frontiers));
  }

  /** Exchanges whose marker starts with the hex `prefix` (lower case hex digits), newest first. */
  byMarkerPrefix(prefix: string): ExchangeRecord[] {
    return (this.#stmt.byPrefix.all(`${prefix.toUpperCase()}%`) as Row[]).map(recordOf);
  }

  /** Whether any exchange was made with `peer`. */
  hasPeer(peer: Uint8Array): boolean {
    return this.#stmt.hasPeer.get(peer) !== undefined;
  }

  /** Every exchange with `peer`, newest first. */
  withPeer(peer: Uint8Array): ExchangeRecord[] {
    return (this.#stmt.withPeer.all(peer) as Row[]).map(recordOf);
  }

  all(): ExchangeRecord[] {
    return (this.#stmt.all.all() as Row[]).map(recordOf);
  }
}

function prepare(db: Database.Database) {
  return {
    put: db.prepare('INSERT OR IGNORE INTO bundle_exchanges (marker, direction, peer, at, frontiers) VALUES (?, ?, ?, ?, ?)'),
    all: db.prepare('SELECT marker, direction, peer, at, frontiers FROM bundle_exchanges ORDER BY at DESC, marker'),
    byPrefix: db.prepare('SELECT marker, direction, peer, at, frontiers FROM bundle_exchanges WHERE hex(marker) LIKE ? ORDER BY at DESC, marker'),
    hasPeer: db.prepare('SELECT 1 FROM bundle_exchanges WHERE peer = ? LIMIT 1').pluck(),
    withPeer: db.prepare('SELECT marker, direction, peer, at, frontiers FROM bundle_exchanges WHERE peer = ? ORDER BY at DESC, marker'),
  };
}

function recordOf(r: Row): ExchangeRecord {
  return {
    marker: blobCopy(r['marker']),
    direction: r['direction'] as 'export' | 'import',
    peer: r['peer'] === null ? undefined : blobCopy(r['peer']),
    at: r['at'] as number,
    frontiers: unpackFrontiers(blobView(r['frontiers'])),
  };
}
