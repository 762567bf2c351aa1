import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProvider, nativeAvailable, nobleProvider, providerByName, utf8 } from '../../src/crypto/index.ts';
import {
  ENVELOPE_OVERHEAD,
  ENVELOPE_VERSION,
  openEnvelope,
  readEnvelopeHeader,
  sealEnvelope,
  type EnvelopeHeader,
  type SealEnvelopeInput,
} from '../../src/group/envelope.ts';
import { MAX_CONTENT_BYTES } from '../../src/group/padding.ts';

// Runs under the default provider; `PARS_CRYPTO=noble` runs it again under noble.
const P = defaultProvider();

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed + i * 13) & 0xff);
const headerKey = bytes(32, 1);
const bodyKey = bytes(32, 2);
const topic = bytes(16, 3);
const author = bytes(32, 4);
const message: EnvelopeHeader = { kind: 'message', epoch: 7, index: 42 };
const control: EnvelopeHeader = { kind: 'control', epoch: 0, index: 0 };

function seal(content: Uint8Array, over: Partial<SealEnvelopeInput> = {}): Uint8Array {
  return sealEnvelope(P, { headerKey, bodyKey, nonce: bytes(12, 5), header: message, topic, author, content, ...over });
}

/** Reads the header and opens the body as a receiver does; the content only if both succeed. */
function receive(payload: Uint8Array, keys: { headerKey?: Uint8Array; bodyKey?: Uint8Array; topic?: Uint8Array; author?: Uint8Array } = {}): ReturnType<typeof openEnvelope> {
  const h = readEnvelopeHeader(P, payload, keys.headerKey ?? headerKey);
  if (!h.ok) return h;
  return openEnvelope(P, payload, h.value, keys.bodyKey ?? bodyKey, keys.topic ?? topic, keys.author ?? author);
}

test('an envelope round-trips for both kinds and many sizes', () => {
  assert.equal(ENVELOPE_VERSION, 1);
  assert.equal(ENVELOPE_OVERHEAD, 38);
  for (const header of [message, control, { kind: 'message', epoch: 0xffffffff, index: 0xffffffff } as const]) {
    for (const n of [0, 1, 200, 252, 253, 5000, MAX_CONTENT_BYTES]) {
      const content = bytes(n, n);
      const payload = seal(content, { header });
      const h = readEnvelopeHeader(P, payload, headerKey);
      assert.ok(h.ok, h.ok ? '' : h.detail);
      assert.deepEqual(h.value, header);
      const r = openEnvelope(P, payload, h.value, bodyKey, topic, author);
      assert.ok(r.ok, r.ok ? '' : r.detail);
      assert.deepEqual(r.value, content);
    }
  }
});

test('the byte layout is the documented one (checked with the raw primitives)', () => {
  const nonce = bytes(12, 9);
  const content = utf8('salaam');
  const payload = seal(content, { nonce });
  assert.equal(payload.length, ENVELOPE_OVERHEAD + 256);
  assert.equal(payload[0], 1);
  assert.deepEqual(payload.subarray(1, 13), nonce);
  const mask = P.sha3_256(new Uint8Array([...headerKey, ...nonce])).subarray(0, 9);
  const header = payload.subarray(13, 22).map((b, i) => b ^ (mask[i] as number));
  assert.deepEqual(header, Uint8Array.of(2, 0, 0, 0, 7, 0, 0, 0, 42));
  const aad = new Uint8Array([...utf8('pars-mesh/group/payload/v1'), ...topic, ...author, 1, ...header]);
  const padded = P.aes256Gcm.open(bodyKey, nonce, payload.subarray(22), aad);
  assert.ok(padded !== undefined);
  assert.equal(padded.length, 256);
  assert.deepEqual(padded.subarray(0, 4 + content.length), new Uint8Array([0, 0, 0, content.length, ...content]));
});

test('ciphertext length reveals only the bucket', () => {
  assert.equal(seal(bytes(1, 0)).length, seal(bytes(200, 0)).length);
  assert.equal(seal(bytes(0, 0)).length, ENVELOPE_OVERHEAD + 256);
  assert.equal(seal(bytes(253, 0)).length, ENVELOPE_OVERHEAD + 1024);
  assert.equal(seal(bytes(MAX_CONTENT_BYTES, 0)).length, ENVELOPE_OVERHEAD + 65536);
});

test('a wrong header key yields a different header or malformed, and never the content', () => {
  const content = utf8('secret');
  // Seeds 200..247 keep every wrong key distinct from headerKey (seed 257 would wrap to 1).
  for (let s = 0; s < 48; s++) {
    const payload = seal(content, { nonce: bytes(12, 100 + s) });
    const h = readEnvelopeHeader(P, payload, bytes(32, 200 + s));
    if (h.ok) {
      assert.notDeepEqual(h.value, message);
      const r = openEnvelope(P, payload, h.value, bodyKey, topic, author);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.reason, 'decrypt-failed');
    } else {
      assert.equal(h.reason, 'malformed');
    }
  }
});

test('flipping any single bit of a payload never yields content', () => {
  for (const header of [message, control]) {
    const payload = seal(utf8('flip me'), { header });
    assert.equal(payload.length, ENVELOPE_OVERHEAD + 256);
    assert.ok(receive(payload).ok);
    for (let bit = 0; bit < payload.length * 8; bit++) {
      const bad = new Uint8Array(payload);
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      const r = receive(bad);
      assert.equal(r.ok, false, `bit ${bit}`);
      if (!r.ok) assert.ok(['malformed', 'decrypt-failed'].includes(r.reason), `bit ${bit}: ${r.reason}`);
    }
  }
});

test('every truncation and extension is rejected', () => {
  const payload = seal(utf8('cut me'));
  for (let n = 0; n < payload.length; n++) {
    const cut = payload.subarray(0, n);
    const h = readEnvelopeHeader(P, cut, headerKey);
    assert.equal(h.ok, false, `length ${n}`);
    if (!h.ok) assert.equal(h.reason, 'malformed');
    // Straight to open with the right header: still a rejection, not a throw.
    const r = openEnvelope(P, cut, message, bodyKey, topic, author);
    assert.equal(r.ok, false);
  }
  const longer = new Uint8Array(payload.length + 1);
  longer.set(payload);
  assert.equal(receive(longer).ok, false);
  // A bucket-sized extension passes the length check but not the tag.
  const grown = new Uint8Array(ENVELOPE_OVERHEAD + 1024);
  grown.set(payload);
  const r = receive(grown);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.reason, 'decrypt-failed');
});

test('another topic, author, body key or header is decrypt-failed', () => {
  const payload = seal(utf8('bound'));
  for (const keys of [{ topic: bytes(16, 50) }, { author: bytes(32, 51) }, { bodyKey: bytes(32, 52) }]) {
    const r = receive(payload, keys);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'decrypt-failed');
  }
  for (const header of [{ ...message, index: 43 }, { ...message, epoch: 8 }, control]) {
    const r = openEnvelope(P, payload, header, bodyKey, topic, author);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason, 'decrypt-failed');
  }
});

/** A payload built by hand from the raw primitives, to reach the checks behind the tag. */
function handmade(header: Uint8Array, padded: Uint8Array, version = 1): Uint8Array {
  const nonce = bytes(12, 77);
  const mask = P.sha3_256(new Uint8Array([...headerKey, ...nonce]));
  const aad = new Uint8Array([...utf8('pars-mesh/group/payload/v1'), ...topic, ...author, version, ...header]);
  const body = P.aes256Gcm.seal(bodyKey, nonce, padded, aad);
  return new Uint8Array([version, ...nonce, ...header.map((b, i) => b ^ (mask[i] as number)), ...body]);
}

test('version, kind and control fields are checked; verified but non-canonical padding is bad-padding', () => {
  const good = new Uint8Array(256);
  good[3] = 1;
  assert.ok(receive(handmade(Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0, 2), good)).ok);
  const reason = (payload: Uint8Array): string | undefined => {
    const r = receive(payload);
    return r.ok ? undefined : r.reason;
  };
  assert.equal(reason(handmade(Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0, 2), good, 2)), 'malformed');
  assert.equal(reason(handmade(Uint8Array.of(3, 0, 0, 0, 1, 0, 0, 0, 2), good)), 'malformed');
  assert.equal(reason(handmade(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0), good)), 'malformed');
  assert.equal(reason(handmade(Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 0), good)), 'malformed');
  assert.equal(reason(handmade(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 1), good)), 'malformed');
  const dirty = new Uint8Array(good);
  dirty[200] = 1;
  assert.equal(reason(handmade(Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0, 2), dirty)), 'bad-padding');
  const loose = new Uint8Array(1024);
  loose[3] = 1;
  assert.equal(reason(handmade(Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0, 2), loose)), 'bad-padding');
});

test('caller misuse throws GroupError', () => {
  const misuse = { name: 'GroupError', code: 'ERR_GROUP_ARGUMENT' };
  const c = utf8('x');
  assert.throws(() => seal(c, { headerKey: bytes(31, 0) }), misuse);
  assert.throws(() => seal(c, { bodyKey: bytes(33, 0) }), misuse);
  assert.throws(() => seal(c, { nonce: bytes(16, 0) }), misuse);
  assert.throws(() => seal(c, { topic: bytes(32, 0) }), misuse);
  assert.throws(() => seal(c, { author: bytes(16, 0) }), misuse);
  assert.throws(() => seal(c, { header: { kind: 'message', epoch: 2 ** 32, index: 0 } }), misuse);
  assert.throws(() => seal(c, { header: { kind: 'message', epoch: 0, index: -1 } }), misuse);
  assert.throws(() => seal(c, { header: { kind: 'message', epoch: 0.5, index: 0 } }), misuse);
  assert.throws(() => seal(c, { header: { kind: 'control', epoch: 1, index: 0 } }), misuse);
  assert.throws(() => seal(c, { header: { kind: 'control', epoch: 0, index: 1 } }), misuse);
  assert.throws(() => seal(c, { header: { kind: 'other' as 'control', epoch: 0, index: 0 } }), misuse);
  assert.throws(() => seal(new Uint8Array(MAX_CONTENT_BYTES + 1)), { name: 'GroupError', code: 'ERR_MESSAGE_TOO_LARGE' });
  assert.throws(() => readEnvelopeHeader(P, seal(c), bytes(16, 0)), misuse);
});

test('a payload sealed by one provider opens under the other', { skip: !nativeAvailable() && 'native provider unavailable' }, () => {
  const native = providerByName('native');
  const content = bytes(3000, 5);
  for (const [from, to] of [
    [native, nobleProvider],
    [nobleProvider, native],
  ] as const) {
    const payload = sealEnvelope(from, { headerKey, bodyKey, nonce: bytes(12, 6), header: message, topic, author, content });
    const h = readEnvelopeHeader(to, payload, headerKey);
    assert.ok(h.ok);
    const r = openEnvelope(to, payload, h.value, bodyKey, topic, author);
    assert.ok(r.ok);
    assert.deepEqual(r.value, content);
  }
});
