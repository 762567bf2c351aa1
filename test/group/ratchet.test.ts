import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultProvider, utf8, type CryptoProvider } from '../../src/crypto/index.ts';
import {
  chainRoot,
  decodeReceivingChain,
  decodeSendingChain,
  encodeReceivingChain,
  encodeSendingChain,
  MAX_INDEX,
  MAX_SKIP,
  ratchetStep,
  ReceivingChain,
  SendingChain,
} from '../../src/group/ratchet.ts';

// Runs under the default provider; `PARS_CRYPTO=noble` runs it again under noble.
const P = defaultProvider();

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed + i * 13) & 0xff);
const root = chainRoot(P, bytes(32, 1), bytes(16, 2), bytes(32, 3), 5);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

/** The first `n` message keys of the chain from `root`. */
function sendKeys(n: number): Uint8Array[] {
  const s = SendingChain.fromRoot(P, 5, root);
  return Array.from({ length: n }, () => s.next().messageKey);
}

function receive(chain: ReceivingChain, index: number): Uint8Array {
  const r = chain.keyFor(index);
  assert.ok(r.ok, r.ok ? '' : `${index}: ${r.reason} ${r.detail}`);
  r.value.commit();
  return r.value.messageKey;
}

function rejectedAs(chain: ReceivingChain, index: number, reason: string): void {
  const r = chain.keyFor(index);
  assert.equal(r.ok, false, `index ${index} should be refused`);
  if (!r.ok) assert.equal(r.reason, reason);
}

test('chain root is HKDF-SHA3-256 over the documented info; one step is two domain-separated hashes', () => {
  const info = new Uint8Array([...utf8('pars-mesh/group/chain/v1'), ...bytes(16, 2), ...bytes(32, 3), 0, 0, 0, 5]);
  assert.deepEqual(root, P.hkdfSha3_256(bytes(32, 1), new Uint8Array(0), info, 32));
  assert.notDeepEqual(chainRoot(P, bytes(32, 1), bytes(16, 2), bytes(32, 3), 6), root);
  assert.notDeepEqual(chainRoot(P, bytes(32, 1), bytes(16, 2), bytes(32, 4), 5), root);
  const step = ratchetStep(P, root);
  assert.deepEqual(step.messageKey, P.sha3_256(new Uint8Array([1, ...root])));
  assert.deepEqual(step.next, P.sha3_256(new Uint8Array([2, ...root])));
  assert.throws(() => chainRoot(P, bytes(31, 1), bytes(16, 2), bytes(32, 3), 5), { code: 'ERR_GROUP_ARGUMENT' });
  assert.throws(() => chainRoot(P, bytes(32, 1), bytes(16, 2), bytes(32, 3), 2 ** 32), { code: 'ERR_GROUP_ARGUMENT' });
  assert.throws(() => ratchetStep(P, bytes(16, 0)), { code: 'ERR_GROUP_ARGUMENT' });
});

test('sender and receiver agree over many messages in order', () => {
  const s = SendingChain.fromRoot(P, 5, root);
  const r = ReceivingChain.fromRoot(P, 5, root);
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const sent = s.next();
    assert.equal(sent.index, i);
    assert.deepEqual(receive(r, sent.index), sent.messageKey);
    seen.add(hex(sent.messageKey));
  }
  assert.equal(seen.size, 300, 'every message key is distinct');
  assert.equal(r.nextIndex, 300);
  assert.equal(r.skipped.size, 0);
});

test('property: any delivery order within MAX_SKIP opens each message exactly once', () => {
  const keys = sendKeys(60);
  fc.assert(
    fc.property(fc.shuffledSubarray([...keys.keys()], { minLength: 1 }), (order) => {
      const r = ReceivingChain.fromRoot(P, 5, root);
      for (const i of order) assert.deepEqual(receive(r, i), keys[i]);
      for (const i of order) rejectedAs(r, i, 'replay');
      const max = Math.max(...order);
      assert.equal(r.nextIndex, max + 1);
      assert.equal(r.skipped.size, max + 1 - order.length);
    }),
    { numRuns: 60 },
  );
});

test('skipped keys are stored on a jump, each opens once, and a replay is refused', () => {
  const keys = sendKeys(12);
  const r = ReceivingChain.fromRoot(P, 5, root);
  assert.deepEqual(receive(r, 10), keys[10]);
  assert.deepEqual([...r.skipped.keys()], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(receive(r, 3), keys[3]);
  rejectedAs(r, 3, 'replay');
  rejectedAs(r, 10, 'replay');
  assert.equal(r.skipped.size, 9);
  assert.deepEqual(receive(r, 11), keys[11]);
});

test('MAX_SKIP bounds one jump and the total held; index 2^31 is refused at once', () => {
  let hashes = 0;
  const counting: CryptoProvider = {
    ...P,
    sha3_256: (data: Uint8Array): Uint8Array => {
      hashes++;
      return P.sha3_256(data);
    },
  };
  const r = ReceivingChain.fromRoot(counting, 5, root);
  const before = encodeReceivingChain(r);
  rejectedAs(r, 2 ** 31, 'skip-limit');
  rejectedAs(r, MAX_INDEX, 'skip-limit');
  rejectedAs(r, MAX_SKIP + 1, 'skip-limit');
  assert.equal(hashes, 0, 'the limit is checked before any hashing');
  assert.deepEqual(encodeReceivingChain(r), before, 'no state change');
  receive(r, MAX_SKIP); // exactly MAX_SKIP skipped: allowed
  assert.equal(hashes, 2 * (MAX_SKIP + 1));
  assert.equal(r.skipped.size, MAX_SKIP);
  hashes = 0;
  rejectedAs(r, MAX_SKIP + 2, 'skip-limit'); // would hold MAX_SKIP + 1
  assert.equal(hashes, 0);
  receive(r, MAX_SKIP + 1); // no gap: fine
  receive(r, 0); // frees one slot
  receive(r, MAX_SKIP + 3); // skips exactly one
  assert.equal(r.skipped.size, MAX_SKIP);
  for (const bad of [-1, 1.5, Number.NaN, MAX_INDEX + 1, Infinity]) rejectedAs(r, bad, 'malformed');
});

test('a key that is not committed leaves the chain unchanged; a stale commit throws', () => {
  const keys = sendKeys(8);
  const r = ReceivingChain.fromRoot(P, 5, root);
  const before = encodeReceivingChain(r);
  const ahead = r.keyFor(5);
  assert.ok(ahead.ok);
  assert.deepEqual(ahead.value.messageKey, keys[5]);
  assert.deepEqual(encodeReceivingChain(r), before);
  const twin = r.keyFor(5);
  assert.ok(twin.ok);
  twin.value.commit();
  // The first tentative key is now stale, and so is a second commit of the same one.
  assert.throws(() => ahead.value.commit(), { code: 'ERR_CHAIN_STALE' });
  assert.throws(() => twin.value.commit(), { code: 'ERR_CHAIN_STALE' });
  rejectedAs(r, 5, 'replay');
  const fresh = ReceivingChain.fromRoot(P, 5, root);
  // Never committed (say the AEAD failed): the same index is still available.
  assert.ok(fresh.keyFor(5).ok);
  assert.deepEqual(encodeReceivingChain(fresh), before);
  assert.deepEqual(receive(fresh, 5), keys[5]);
  const afterJump = encodeReceivingChain(fresh);
  const skippedKey = fresh.keyFor(2);
  assert.ok(skippedKey.ok);
  assert.deepEqual(encodeReceivingChain(fresh), afterJump);
  assert.deepEqual(receive(fresh, 2), keys[2]);
  // The uncommitted key was computed before that commit: applying it now would corrupt the chain.
  assert.throws(() => skippedKey.value.commit(), { name: 'GroupError', code: 'ERR_CHAIN_STALE' });
  rejectedAs(fresh, 2, 'replay');
});

test('old chain and message keys are gone from the state after a step (forward secrecy)', () => {
  const s = SendingChain.fromRoot(P, 5, root);
  const given: Uint8Array[] = [root];
  for (let i = 0; i < 5; i++) {
    const before = s.chainKey;
    const { messageKey } = s.next();
    given.push(before, messageKey);
  }
  const state = encodeSendingChain(s);
  for (const key of given) assert.ok(!contains(state, key), 'persisted state holds an old key');
  // Stepping on from the state yields only later keys.
  const later = ratchetStep(P, s.chainKey);
  for (const key of given) assert.notDeepEqual(later.messageKey, key);
  // The receiver deletes a used skipped key: its state no longer holds it.
  const r = ReceivingChain.fromRoot(P, 5, root);
  const k7 = receive(r, 7);
  const k3 = receive(r, 3);
  const rs = encodeReceivingChain(r);
  assert.ok(!contains(rs, k3) && !contains(rs, k7) && !contains(rs, root));
  assert.ok(contains(rs, sendKeys(3)[2] as Uint8Array), 'unused skipped keys are kept');
});

test('a sending chain is exhausted after MAX_INDEX', () => {
  const s = new SendingChain(P, { epoch: 1, nextIndex: MAX_INDEX, chainKey: root });
  assert.equal(s.next().index, MAX_INDEX);
  assert.throws(() => s.next(), { name: 'GroupError', code: 'ERR_CHAIN_EXHAUSTED' });
  assert.throws(() => new SendingChain(P, { epoch: 1, nextIndex: MAX_INDEX + 2, chainKey: root }), { code: 'ERR_GROUP_ARGUMENT' });
  const w = SendingChain.fromRoot(P, 1, root);
  w.wipe();
  assert.throws(() => w.next(), { code: 'ERR_CHAIN_EXHAUSTED' });
});

test('persisted chains round-trip and resume where they left off', () => {
  const keys = sendKeys(20);
  const s = SendingChain.fromRoot(P, 5, root);
  for (let i = 0; i < 7; i++) s.next();
  const sd = decodeSendingChain(encodeSendingChain(s));
  assert.ok(sd.ok);
  assert.deepEqual({ ...sd.value, chainKey: hex(sd.value.chainKey) }, { epoch: 5, nextIndex: 7, chainKey: hex(s.chainKey) });
  assert.deepEqual(new SendingChain(P, sd.value).next(), { index: 7, messageKey: keys[7] });

  const r = ReceivingChain.fromRoot(P, 5, root);
  receive(r, 9);
  receive(r, 4);
  const bytes = encodeReceivingChain(r);
  const rd = decodeReceivingChain(bytes);
  assert.ok(rd.ok);
  assert.equal(rd.value.nextIndex, 10);
  assert.deepEqual([...rd.value.skipped.keys()], [0, 1, 2, 3, 5, 6, 7, 8]);
  const resumed = new ReceivingChain(P, rd.value);
  assert.deepEqual(encodeReceivingChain(resumed), bytes);
  assert.deepEqual(receive(resumed, 6), keys[6]);
  assert.deepEqual(receive(resumed, 15), keys[15]);
  rejectedAs(resumed, 4, 'replay');
  // A full chain (MAX_SKIP skipped keys, largest indices) round-trips too.
  const full = new ReceivingChain(P, { epoch: MAX_INDEX, nextIndex: MAX_INDEX + 1, chainKey: root, skipped: new Map(Array.from({ length: MAX_SKIP }, (_, i) => [MAX_INDEX - i, root])) });
  const fd = decodeReceivingChain(encodeReceivingChain(full));
  assert.ok(fd.ok);
  assert.equal(fd.value.skipped.size, MAX_SKIP);
});

test('decoders reject truncated, oversized and non-canonical states', () => {
  const reason = (r: { ok: boolean; reason?: string }): string | undefined => (r.ok ? undefined : r.reason);
  const s = encodeSendingChain(new SendingChain(P, { epoch: 300, nextIndex: 70000, chainKey: root }));
  for (let n = 0; n < s.length; n++) assert.equal(reason(decodeSendingChain(s.subarray(0, n))), 'malformed', `sending length ${n}`);
  assert.equal(reason(decodeSendingChain(new Uint8Array([...s, 0]))), 'malformed');
  assert.equal(reason(decodeSendingChain(new Uint8Array([2, ...s.subarray(1)]))), 'malformed');
  // epoch 2^32 and nextIndex 2^32 + 1 are beyond range.
  assert.equal(reason(decodeSendingChain(new Uint8Array([1, 0x80, 0x80, 0x80, 0x80, 0x10, 0, ...root]))), 'malformed');
  assert.equal(reason(decodeSendingChain(new Uint8Array([1, 0, 0x81, 0x80, 0x80, 0x80, 0x10, ...root]))), 'malformed');
  assert.equal(reason(decodeSendingChain(new Uint8Array([1, 0, 0x80, 0x00, ...root]))), 'malformed'); // non-canonical varint

  const r = ReceivingChain.fromRoot(P, 5, root);
  receive(r, 3);
  const rb = encodeReceivingChain(r);
  for (let n = 0; n < rb.length; n++) assert.equal(reason(decodeReceivingChain(rb.subarray(0, n))), 'malformed', `receiving length ${n}`);
  assert.equal(reason(decodeReceivingChain(new Uint8Array([...rb, 0]))), 'malformed');
  const head = new Uint8Array([1, 5, 4, ...root]);
  // MAX_SKIP + 1 entries: refused by count before any entry is read.
  assert.equal(reason(decodeReceivingChain(new Uint8Array([...head, 0xe9, 0x07]))), 'limit');
  // A huge count with no bytes behind it: refused before allocating.
  assert.equal(reason(decodeReceivingChain(new Uint8Array([...head, 0xe8, 0x07]))), 'malformed');
  const entry = (i: number): number[] => [i, ...root];
  assert.ok(decodeReceivingChain(new Uint8Array([...head, 2, ...entry(0), ...entry(2)])).ok);
  assert.equal(reason(decodeReceivingChain(new Uint8Array([...head, 2, ...entry(2), ...entry(0)]))), 'malformed'); // descending
  assert.equal(reason(decodeReceivingChain(new Uint8Array([...head, 2, ...entry(1), ...entry(1)]))), 'malformed'); // duplicate
  assert.equal(reason(decodeReceivingChain(new Uint8Array([...head, 1, ...entry(4)]))), 'malformed'); // not below nextIndex
});
