import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import { decodeFrame, encodeErrorFrame, encodeFrame, SYNC_LIMITS, type Frame, type SyncRecord } from '../../src/sync/index.ts';

const topicA = new Uint8Array(16).fill(0xaa);
const id = (n: number): Uint8Array => new Uint8Array(32).fill(n);

const everyRecord: SyncRecord[] = [
  { type: 'frontier', topic: topicA, count: 300, tooWide: false, ids: [id(1), id(2)] },
  { type: 'frontier', topic: topicA, count: 5000, tooWide: true, ids: [] },
  { type: 'base', topic: topicA, digest: new Uint8Array(8).fill(3) },
  {
    type: 'summary',
    after: new Uint8Array(16).fill(1),
    upTo: new Uint8Array(16).fill(0xf0),
    entries: [
      { topic: new Uint8Array(16).fill(2), digest: new Uint8Array(8).fill(4), base: undefined },
      { topic: new Uint8Array(16).fill(9), digest: new Uint8Array(8).fill(5), base: new Uint8Array(8).fill(6) },
    ],
  },
  {
    type: 'ranges',
    topic: topicA,
    ranges: [
      { upper: { lamport: 7, prefix: new Uint8Array(0) }, mode: 'skip' },
      { upper: { lamport: 7, prefix: Uint8Array.of(0x80, 0x01) }, mode: 'fingerprint', count: 129, fingerprint: new Uint8Array(16).fill(7) },
      { upper: { lamport: Infinity, prefix: new Uint8Array(0) }, mode: 'ids', ids: [id(8), id(9)] },
    ],
  },
  { type: 'want', topic: topicA, ids: [id(10)] },
  { type: 'vertices', topic: topicA, vertices: [Uint8Array.of(1, 2, 3), new Uint8Array(200).fill(4)] },
  { type: 'covered', topic: topicA },
  { type: 'not-carried', topic: topicA },
  { type: 'key-want', authors: [id(11), id(12)] },
  { type: 'keys', keys: [{ algorithm: 'ml-dsa-65', publicKey: new Uint8Array(1952).fill(13) }] },
  { type: 'courier-bound', upTo: new Uint8Array(16).fill(0x77) },
];

function roundTrip(frame: Frame): Frame {
  const bytes = encodeFrame(frame);
  const back = decodeFrame(bytes);
  assert.ok(back.ok, back.ok ? '' : back.failure.detail);
  assert.notEqual(back.frame.kind, 'error');
  // Deterministic: re-encoding gives the same bytes.
  assert.deepEqual(encodeFrame(back.frame as Frame), bytes);
  return back.frame as Frame;
}

test('every record type and frame kind survives encode → decode → encode byte for byte', () => {
  const hello: Frame = { kind: 'hello', more: false, await: true, owe: false, mode: 'courier', nonce: new Uint8Array(16).fill(1), authorFilter: new Uint8Array(29).fill(0), records: everyRecord };
  const back = roundTrip(hello);
  assert.equal(back.kind, 'hello');
  assert.equal(back.records.length, everyRecord.length);
  const ranges = back.records[4] as Extract<SyncRecord, { type: 'ranges' }>;
  assert.equal(ranges.ranges[2]?.upper.lamport, Infinity);
  roundTrip({ kind: 'welcome', more: true, await: false, owe: true, nonce: new Uint8Array(16).fill(2), authorFilter: undefined, records: [] });
  roundTrip({ kind: 'data', more: false, await: false, owe: false, records: everyRecord.slice(5) });
});

test('golden hello frame (wire version 1)', () => {
  const frame: Frame = {
    kind: 'hello',
    more: false,
    await: true,
    owe: false,
    mode: 'topics',
    nonce: new Uint8Array(16).fill(0x11),
    authorFilter: undefined,
    records: [{ type: 'frontier', topic: topicA, count: 200, tooWide: false, ids: [id(0x22)] }],
  };
  const hex = toHex(encodeFrame(frame));
  assert.equal(
    hex,
    '010102' + '00' + '11'.repeat(16) + '00' + '01' + 'aa'.repeat(16) + 'c801' + '00' + '01' + '22'.repeat(32),
  );
});

test('ERROR frames decode in any version and carry the supported versions', () => {
  const bytes = encodeErrorFrame('unknown-version', 'wire version 9, this node speaks 1');
  const d = decodeFrame(bytes);
  assert.ok(d.ok && d.frame.kind === 'error');
  assert.ok(d.ok && d.frame.kind === 'error' && d.frame.code === 'unknown-version');
  assert.ok(d.ok && d.frame.kind === 'error' && d.frame.supportedVersions.join() === '1');
  // An error frame written by a future version (version byte 9) still decodes.
  const future = Uint8Array.from(bytes);
  future[0] = 9;
  const f = decodeFrame(future);
  assert.ok(f.ok && f.frame.kind === 'error' && f.frame.version === 9);
  // Unknown failure codes decode as 'unknown'.
  future[2] = 250;
  const u = decodeFrame(future);
  assert.ok(u.ok && u.frame.kind === 'error' && u.frame.code === 'unknown');
});

test('strict decoding: version, flags, kinds, canonical varints, sorted lists, limits before allocation', () => {
  const data = (records: SyncRecord[]): Uint8Array => encodeFrame({ kind: 'data', more: false, await: false, owe: false, records });
  const codeOf = (bytes: Uint8Array): string => {
    const d = decodeFrame(bytes);
    return d.ok ? 'ok' : d.failure.code;
  };
  assert.equal(codeOf(Uint8Array.of(2, 3, 0)), 'unknown-version');
  assert.equal(codeOf(Uint8Array.of(1, 3, 0x80)), 'malformed'); // unknown flag
  assert.equal(codeOf(Uint8Array.of(1, 9, 0)), 'malformed'); // unknown kind
  assert.equal(codeOf(Uint8Array.of(1)), 'truncated');
  assert.equal(codeOf(new Uint8Array(0)), 'truncated');
  assert.equal(codeOf(Uint8Array.of(1, 3, 0, 0x77)), 'malformed'); // unknown record type
  // A want count written with a redundant continuation byte (0x81 0x00 = 1, not minimal).
  const want = data([{ type: 'want', topic: topicA, ids: [id(1)] }]);
  const padded = Uint8Array.from([...want.subarray(0, 20), 0x81, 0x00, ...want.subarray(21)]);
  assert.equal(codeOf(padded), 'non-canonical');
  // Frontier ids must be ascending and unique.
  assert.equal(codeOf(data([{ type: 'frontier', topic: topicA, count: 2, tooWide: false, ids: [id(2), id(1)] }])), 'non-canonical');
  assert.equal(codeOf(data([{ type: 'frontier', topic: topicA, count: 2, tooWide: false, ids: [id(1), id(1)] }])), 'non-canonical');
  // Summary topics must be ascending.
  const entries = [
    { topic: new Uint8Array(16).fill(5), digest: new Uint8Array(8), base: undefined },
    { topic: new Uint8Array(16).fill(4), digest: new Uint8Array(8), base: undefined },
  ];
  assert.equal(codeOf(data([{ type: 'summary', after: undefined, upTo: undefined, entries }])), 'non-canonical');
  // A count far above its limit is refused before anything is allocated.
  assert.equal(codeOf(Uint8Array.of(1, 3, 0, 0x05, ...topicA, 0xff, 0xff, 0xff, 0xff, 0x0f)), 'limit-exceeded');
  // A count within the limit but longer than the bytes left: refused before allocating too.
  assert.equal(codeOf(Uint8Array.of(1, 3, 0, 0x05, ...topicA, 0xff, 0x7f)), 'truncated');
  // The end bound has no prefix; prefixes are at most 32 bytes.
  assert.equal(codeOf(Uint8Array.of(1, 3, 0, 0x04, ...topicA, 1, 0, 1, 0xaa, 0)), 'malformed');
  assert.equal(codeOf(Uint8Array.of(1, 3, 0, 0x04, ...topicA, 1, 5, 33, ...new Uint8Array(40))), 'malformed');
  // Frames above the frame limit are refused unread.
  assert.equal(codeOf(new Uint8Array(SYNC_LIMITS.maxFrameBytes + 1)), 'limit-exceeded');
  // A key with a bad algorithm label.
  const keys = data([{ type: 'keys', keys: [{ algorithm: 'ML DSA', publicKey: new Uint8Array(4) }] }]);
  assert.equal(codeOf(keys), 'bad-key');
});
