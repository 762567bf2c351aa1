import type { Libp2pInit } from 'libp2p';
import { NetError } from '../errors.ts';

/** The datastore libp2p keeps its peer store and the DHT keeps its records in. */
export type Libp2pDatastore = NonNullable<Libp2pInit['datastore']>;
type Key = Parameters<Libp2pDatastore['put']>[0];
type Pair = { key: Key; value: Uint8Array };
type Query = Parameters<Libp2pDatastore['query']>[0];
type KeyQuery = Parameters<Libp2pDatastore['queryKeys']>[0];
type Batch = ReturnType<Libp2pDatastore['batch']>;

/**
 * A missing key. libp2p and the DHT tell "not there" from a failure by the name `NotFoundError`
 * (the convention of `interface-store`), so this one keeps that name next to its own code.
 */
export class DatastoreNotFoundError extends NetError {
  constructor(key: string) {
    super('ERR_DATASTORE_NOT_FOUND', `no entry ${key}`);
    this.name = 'NotFoundError';
  }
}

/** One class of entries (by key prefix) and how many of them may be held. */
export interface DatastoreClass {
  readonly prefix: string;
  readonly maxEntries: number;
}

/**
 * An in-memory datastore where every class of entries has a cap. Strangers write into it through
 * the DHT (PUT_VALUE, ADD_PROVIDER, and every peer a response names lands in the peer store), so
 * without caps a flood of fresh keys from made-up peer ids would grow it without end. When a
 * class is full the entry stored longest ago is dropped: honest nodes rewrite theirs on every
 * refresh, so an attacker must keep flooding faster than `cap / refresh interval` to push them
 * out, where refusing new entries instead would let one burst lock honest nodes out for good.
 * Keys that match no class fall into `other`.
 */
export class BoundedDatastore implements Libp2pDatastore {
  readonly #classes: readonly DatastoreClass[];
  /** Per class (same index as `#classes`, `other` last): the cap, and the entries in insertion order = age. */
  readonly #caps: readonly number[];
  readonly #maps: Map<string, Pair>[];

  constructor(classes: readonly DatastoreClass[], other: { readonly maxEntries: number }) {
    this.#classes = classes;
    this.#caps = [...classes.map((c) => c.maxEntries), other.maxEntries];
    this.#maps = this.#caps.map(() => new Map<string, Pair>());
  }

  /** Entries held now in the class of `prefix` (or in `other` for an unknown prefix). */
  count(prefix: string): number {
    return this.#mapOf(prefix).size;
  }

  put(key: Key, value: Uint8Array): Key {
    const name = key.toString();
    const at = this.#indexOf(name);
    const map = this.#maps[at] as Map<string, Pair>;
    const limit = this.#caps[at] as number;
    map.delete(name); // re-inserting makes it the newest
    while (map.size >= limit) map.delete(map.keys().next().value as string);
    map.set(name, { key, value });
    return key;
  }

  get(key: Key): Uint8Array {
    const name = key.toString();
    const entry = this.#mapOf(name).get(name);
    if (entry === undefined) throw new DatastoreNotFoundError(name);
    return entry.value;
  }

  has(key: Key): boolean {
    const name = key.toString();
    return this.#mapOf(name).has(name);
  }

  delete(key: Key): void {
    const name = key.toString();
    this.#mapOf(name).delete(name);
  }

  *putMany(source: Iterable<Pair>): Generator<Key> {
    for (const { key, value } of source) yield this.put(key, value);
  }

  *getMany(source: Iterable<Key>): Generator<Pair> {
    for (const key of source) yield { key, value: this.get(key) };
  }

  *deleteMany(source: Iterable<Key>): Generator<Key> {
    for (const key of source) {
      this.delete(key);
      yield key;
    }
  }

  batch(): Batch {
    const ops: { key: Key; value: Uint8Array | undefined }[] = [];
    return {
      put: (key, value) => void ops.push({ key, value }),
      delete: (key) => void ops.push({ key, value: undefined }),
      commit: () => {
        for (const op of ops) {
          if (op.value === undefined) this.delete(op.key);
          else this.put(op.key, op.value);
        }
      },
    };
  }

  *query(q: Query): Generator<Pair> {
    yield* window(this.#matching(q.prefix, (pair) => (q.filters ?? []).every((f) => f(pair))), q.orders, q.limit, q.offset);
  }

  *queryKeys(q: KeyQuery): Generator<Key> {
    const pairs = this.#matching(q.prefix, (pair) => (q.filters ?? []).every((f) => f(pair.key)));
    const orders = q.orders?.map((o) => (a: Pair, b: Pair) => o(a.key, b.key));
    for (const pair of window(pairs, orders, q.limit, q.offset)) yield pair.key;
  }

  /** Every entry whose key starts with `prefix` and passes `keep`, snapshotted (callers delete while iterating). */
  #matching(prefix: string | undefined, keep: (pair: Pair) => boolean): Pair[] {
    const out: Pair[] = [];
    for (const map of this.#mapsUnder(prefix)) {
      for (const [name, pair] of map) if ((prefix === undefined || name.startsWith(prefix)) && keep(pair)) out.push(pair);
    }
    return out;
  }

  /**
   * The maps that can hold a key starting with `prefix`, so that a query (one per DHT request a
   * stranger sends) walks its own class only. A class holds only keys under its prefix, and a key
   * under a class prefix never falls into `other`.
   */
  #mapsUnder(prefix: string | undefined): Map<string, Pair>[] {
    if (prefix === undefined) return this.#maps;
    return this.#maps.filter((_, i) => {
      const own = this.#classes[i]?.prefix;
      return own === undefined ? !this.#classes.some((c) => prefix.startsWith(c.prefix)) : prefix.startsWith(own) || own.startsWith(prefix);
    });
  }

  #indexOf(name: string): number {
    const at = this.#classes.findIndex((c) => name.startsWith(c.prefix));
    return at < 0 ? this.#classes.length : at;
  }

  #mapOf(name: string): Map<string, Pair> {
    return this.#maps[this.#indexOf(name)] as Map<string, Pair>;
  }
}

function window(pairs: Pair[], orders: readonly ((a: Pair, b: Pair) => number)[] | undefined, limit: number | undefined, offset: number | undefined): Pair[] {
  for (const order of orders ?? []) pairs.sort(order);
  const start = offset ?? 0;
  return pairs.slice(start, limit === undefined ? undefined : start + limit);
}
