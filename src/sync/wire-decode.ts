import { compareIds, type AuthorKey } from '../dag/index.ts';
import { SyncDecodeFailure, type SyncFailure, type SyncFailureCode } from './errors.ts';
import { SYNC_LIMITS, SYNC_SIZES, SYNC_VERSIONS } from './limits.ts';
import { readAuthorKey } from './author-key-wire.ts';
import { ByteReader } from './wire-bytes.ts';
import {
  FAILURE_WIRE_CODE,
  FRAME_FLAG,
  FRAME_KIND,
  RANGE_MODE,
  RECORD_TYPE,
  type Bound,
  type ErrorFrame,
  type Frame,
  type SummaryEntry,
  type SyncRecord,
  type WireRange,
} from './wire.ts';

export type DecodedFrame =
  | { readonly ok: true; readonly frame: Frame }
  | { readonly ok: true; readonly frame: ErrorFrame }
  | { readonly ok: false; readonly failure: SyncFailure };

const CODE_BY_WIRE = new Map<number, SyncFailureCode>(Object.entries(FAILURE_WIRE_CODE).map(([k, v]) => [v, k as SyncFailureCode]));

function fail(code: SyncFailureCode, detail: string): never {
  throw new SyncDecodeFailure(code, detail);
}

function readTopic(r: ByteReader): Uint8Array {
  return r.copy(SYNC_SIZES.topic, 'topic');
}

/** `n` fixed-size items, with their total size checked against the input before allocating. */
function readFixed(r: ByteReader, n: number, size: number, what: string): Uint8Array[] {
  r.need(n * size, what);
  const out: Uint8Array[] = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) out[i] = r.copy(size, what);
  return out;
}

function readBound(r: ByteReader): Bound {
  const lamport = r.varint('bound lamport');
  const length = r.u8('bound prefix length');
  if (length > SYNC_SIZES.id) fail('malformed', `bound prefix of ${length} bytes`);
  if (lamport === 0 && length !== 0) fail('malformed', 'the end bound has a prefix');
  return { lamport: lamport === 0 ? Infinity : lamport, prefix: r.copy(length, 'bound prefix') };
}

function readRanges(r: ByteReader): WireRange[] {
  const n = r.count('ranges', SYNC_LIMITS.maxRangesPerFlight);
  r.need(n * 3, 'ranges'); // every range takes at least 3 bytes
  const out: WireRange[] = [];
  for (let i = 0; i < n; i++) {
    const upper = readBound(r);
    const mode = r.u8('range mode');
    if (mode === RANGE_MODE.skip) out.push({ upper, mode: 'skip' });
    else if (mode === RANGE_MODE.fingerprint) {
      const count = r.varint('range count');
      out.push({ upper, mode: 'fingerprint', count, fingerprint: r.copy(SYNC_SIZES.fingerprint, 'fingerprint') });
    } else if (mode === RANGE_MODE.ids) {
      const k = r.count('range ids', SYNC_LIMITS.maxIdsPerFlight);
      out.push({ upper, mode: 'ids', ids: readFixed(r, k, SYNC_SIZES.id, 'range ids') });
    } else fail('malformed', `unknown range mode ${mode}`);
  }
  return out;
}

function readSummary(r: ByteReader): SyncRecord {
  const flags = r.u8('summary flags');
  if (flags > 3) fail('malformed', 'unknown summary flags');
  const after = (flags & 1) !== 0 ? readTopic(r) : undefined;
  const upTo = (flags & 2) !== 0 ? readTopic(r) : undefined;
  const n = r.count('summary topics', SYNC_LIMITS.maxTopics);
  r.need(n * (SYNC_SIZES.topic + SYNC_SIZES.digest + 1), 'summary topics');
  const entries: SummaryEntry[] = [];
  for (let i = 0; i < n; i++) {
    const topic = readTopic(r);
    const digest = r.copy(SYNC_SIZES.digest, 'summary digest');
    const hasBase = r.u8('summary base flag');
    if (hasBase > 1) fail('malformed', 'summary base flag');
    const base = hasBase === 1 ? r.copy(SYNC_SIZES.digest, 'summary base') : undefined;
    const previous = entries[i - 1];
    if (previous !== undefined && compareIds(previous.topic, topic) >= 0) fail('non-canonical', 'summary topics are not ascending and unique');
    entries.push({ topic, digest, base });
  }
  if (after !== undefined && entries[0] !== undefined && compareIds(entries[0].topic, after) <= 0) fail('malformed', 'summary topic at or below its lower bound');
  const last = entries[entries.length - 1];
  if (upTo !== undefined && last !== undefined && compareIds(last.topic, upTo) > 0) fail('malformed', 'summary topic above its upper bound');
  return { type: 'summary', after, upTo, entries };
}

function readKeys(r: ByteReader): AuthorKey[] {
  const n = r.count('keys', SYNC_LIMITS.maxKeysPerFlight);
  r.need(n * 2, 'keys');
  const keys: AuthorKey[] = [];
  for (let i = 0; i < n; i++) keys.push(readAuthorKey(r));
  return keys;
}

function readRecord(r: ByteReader): SyncRecord {
  const type = r.u8('record type');
  switch (type) {
    case RECORD_TYPE.frontier: {
      const topic = readTopic(r);
      const count = r.varint('topic size');
      const tooWide = r.u8('frontier flags');
      if (tooWide > 1) fail('malformed', 'unknown frontier flags');
      const n = r.count('frontier ids', SYNC_LIMITS.maxFrontierIds);
      if (tooWide === 1 && n !== 0) fail('malformed', 'a too-wide frontier lists ids');
      const ids = readFixed(r, n, SYNC_SIZES.id, 'frontier ids');
      for (let i = 1; i < n; i++) if (compareIds(ids[i - 1] as Uint8Array, ids[i] as Uint8Array) >= 0) fail('non-canonical', 'frontier ids are not ascending and unique');
      return { type: 'frontier', topic, count, tooWide: tooWide === 1, ids };
    }
    case RECORD_TYPE.base:
      return { type: 'base', topic: readTopic(r), digest: r.copy(SYNC_SIZES.digest, 'base digest') };
    case RECORD_TYPE.summary:
      return readSummary(r);
    case RECORD_TYPE.ranges:
      return { type: 'ranges', topic: readTopic(r), ranges: readRanges(r) };
    case RECORD_TYPE.want: {
      const topic = readTopic(r);
      const n = r.count('wanted ids', SYNC_LIMITS.maxWantsPerFlight);
      return { type: 'want', topic, ids: readFixed(r, n, SYNC_SIZES.id, 'wanted ids') };
    }
    case RECORD_TYPE.vertices: {
      const topic = readTopic(r);
      const n = r.count('vertices', Math.floor(SYNC_LIMITS.maxFrameBytes / 2));
      r.need(n, 'vertices');
      const vertices: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const size = r.count('vertex length', SYNC_LIMITS.maxVertexBytes);
        vertices.push(r.view(size, 'vertex'));
      }
      return { type: 'vertices', topic, vertices };
    }
    case RECORD_TYPE.covered:
      return { type: 'covered', topic: readTopic(r) };
    case RECORD_TYPE.notCarried:
      return { type: 'not-carried', topic: readTopic(r) };
    case RECORD_TYPE.keyWant: {
      const n = r.count('wanted keys', SYNC_LIMITS.maxKeysPerFlight);
      return { type: 'key-want', authors: readFixed(r, n, SYNC_SIZES.author, 'wanted keys') };
    }
    case RECORD_TYPE.keys:
      return { type: 'keys', keys: readKeys(r) };
    case RECORD_TYPE.courierBound:
      return { type: 'courier-bound', upTo: readTopic(r) };
    default:
      return fail('malformed', `unknown record type ${type}`);
  }
}

function readErrorFrame(r: ByteReader, version: number): ErrorFrame {
  const code = CODE_BY_WIRE.get(r.u8('error code')) ?? 'unknown';
  const n = r.u8('supported versions');
  const supportedVersions = [...r.view(n, 'supported versions')];
  const length = r.u8('error detail length');
  const detail = new TextDecoder('utf-8', { fatal: false }).decode(r.view(length, 'error detail'));
  if (r.remaining !== 0) fail('malformed', 'bytes after the error frame');
  return { kind: 'error', version, code, supportedVersions, detail };
}

/**
 * Decodes one frame. Never throws on bad input: the size is checked first, then every count
 * against its limit and the bytes left before anything is allocated; the result is a typed failure.
 * Vertex bytes in a VERTICES record are views into `bytes` (no copy).
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  if (!(bytes instanceof Uint8Array)) return { ok: false, failure: { code: 'malformed', detail: 'frame is not a byte array' } };
  if (bytes.length > SYNC_LIMITS.maxFrameBytes) {
    return { ok: false, failure: { code: 'limit-exceeded', detail: `frame of ${bytes.length} bytes, limit ${SYNC_LIMITS.maxFrameBytes}` } };
  }
  const r = new ByteReader(bytes);
  try {
    const version = r.u8('version');
    const kindByte = r.u8('frame kind');
    if (kindByte === FRAME_KIND.error) return { ok: true, frame: readErrorFrame(r, version) };
    if (!SYNC_VERSIONS.includes(version)) {
      return { ok: false, failure: { code: 'unknown-version', detail: `wire version ${version}, this node speaks ${SYNC_VERSIONS.join(', ')}`, supportedVersions: SYNC_VERSIONS } };
    }
    const flags = r.u8('frame flags');
    if ((flags & ~(FRAME_FLAG.more | FRAME_FLAG.await | FRAME_FLAG.owe)) !== 0) fail('malformed', `unknown frame flags ${flags}`);
    const base = { more: (flags & FRAME_FLAG.more) !== 0, await: (flags & FRAME_FLAG.await) !== 0, owe: (flags & FRAME_FLAG.owe) !== 0 };
    let mode: 'topics' | 'courier' = 'topics';
    if (kindByte === FRAME_KIND.hello) {
      const m = r.u8('mode');
      if (m > 1) fail('malformed', `unknown mode ${m}`);
      mode = m === 1 ? 'courier' : 'topics';
    } else if (kindByte !== FRAME_KIND.welcome && kindByte !== FRAME_KIND.data) fail('malformed', `unknown frame kind ${kindByte}`);
    let nonce: Uint8Array = new Uint8Array(0);
    let authorFilter: Uint8Array | undefined;
    if (kindByte !== FRAME_KIND.data) {
      nonce = r.copy(SYNC_SIZES.nonce, 'nonce');
      const size = r.count('author filter length', SYNC_LIMITS.maxAuthorFilterBytes);
      authorFilter = size === 0 ? undefined : r.copy(size, 'author filter');
    }
    const records: SyncRecord[] = [];
    while (r.remaining > 0) records.push(readRecord(r));
    if (kindByte === FRAME_KIND.hello) return { ok: true, frame: { kind: 'hello', ...base, mode, nonce, authorFilter, records } };
    if (kindByte === FRAME_KIND.welcome) return { ok: true, frame: { kind: 'welcome', ...base, nonce, authorFilter, records } };
    return { ok: true, frame: { kind: 'data', ...base, records } };
  } catch (error) {
    if (error instanceof SyncDecodeFailure) return { ok: false, failure: { code: error.code, detail: error.detail } };
    throw error;
  }
}
