import { toHex } from '../crypto/index.ts';
import type { ExchangeRecord, SqliteStore, TopicFrontier } from '../store/index.ts';
import { BundleOptionError } from './errors.ts';

/** Shortest marker prefix accepted on the command line. */
export const MIN_MARKER_PREFIX = 8;

/** What the receiver is believed to hold: topic hex → frontier ids (possibly several records' ids together). */
export type BelievedFrontiers = Map<string, Uint8Array[]>;

/** The frontiers recorded with one earlier bundle, named by a hex prefix of its marker. */
export function sinceMarker(store: SqliteStore, prefix: string): BelievedFrontiers {
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_MARKER_PREFIX || p.length > 32) {
    throw new BundleOptionError('ERR_BUNDLE_MARKER', `a marker is ${MIN_MARKER_PREFIX} to 32 hex digits, got ${JSON.stringify(prefix)}`);
  }
  const records = store.bundles.byMarkerPrefix(p);
  const markers = new Set(records.map((r) => toHex(r.marker)));
  if (markers.size === 0) throw new BundleOptionError('ERR_BUNDLE_MARKER', `no bundle written or read here has marker ${p}… (see pars bundle list)`);
  if (markers.size > 1) throw new BundleOptionError('ERR_BUNDLE_MARKER', `${p} matches ${markers.size} bundles; give more digits`);
  return merge(records);
}

/**
 * What `peer` is believed to hold: for each topic, the frontier of the newest bundle read from
 * it (it held that much when it exported) together with that of the newest bundle written for it
 * (assumed delivered). Vertices under either are not sent again.
 */
export function forPeer(store: SqliteStore, peer: Uint8Array): BelievedFrontiers {
  const newest = new Map<string, TopicFrontier>();
  for (const record of store.bundles.withPeer(peer)) {
    for (const f of record.frontiers) {
      const k = `${record.direction}:${toHex(f.topic)}`;
      if (!newest.has(k)) newest.set(k, f);
    }
  }
  const out: BelievedFrontiers = new Map();
  for (const f of newest.values()) add(out, f);
  return out;
}

function merge(records: readonly ExchangeRecord[]): BelievedFrontiers {
  const out: BelievedFrontiers = new Map();
  for (const r of records) for (const f of r.frontiers) add(out, f);
  return out;
}

function add(out: BelievedFrontiers, f: TopicFrontier): void {
  const t = toHex(f.topic);
  let ids = out.get(t);
  if (ids === undefined) out.set(t, (ids = []));
  // Appended in place: merging many records for one topic does not copy its list each time.
  for (const id of f.frontier) ids.push(id);
}
