import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes, equalBytes, toHex, X25519_SIZES } from '../../../src/crypto/index.ts';
import { InitiatorHandshake, PqHandshakeError, RecordCipher, ResponderHandshake, type HandshakeIdentity, type PqFailure } from '../../../src/net/index.ts';
import { MESSAGE2_FIXED_BYTES } from '../../../src/net/pq/constants.ts';
import { trafficKeys, transcriptHash } from '../../../src/net/pq/transcript.ts';
import { flipBit, providerPair } from '../../crypto/helpers.ts';
import { handshake, party, provider, RecordingRandom, type Party } from './pq-fixture.ts';

const pqError = (code?: PqFailure) => (err: unknown): boolean => err instanceof PqHandshakeError && (code === undefined || err.code === code);

test('both sides end with the same pair of keys, each learning the other\'s proven identity', async () => {
  const [a, b] = [await party(), await party()];
  const run = await handshake(a, b);
  assert.ok(equalBytes(run.initiator.sendKey, run.responder.receiveKey));
  assert.ok(equalBytes(run.initiator.receiveKey, run.responder.sendKey));
  assert.ok(!equalBytes(run.initiator.sendKey, run.initiator.receiveKey), 'each direction has its own key');
  assert.equal(toHex(run.initiator.remote.nodeId), b.identity.nodeIdHex);
  assert.equal(toHex(run.responder.remote.nodeId), a.identity.nodeIdHex);
  assert.ok(equalBytes(run.responder.remote.libp2pPublicKey, a.handshakeIdentity.libp2pKey.publicKey));
  assert.equal(run.initiator.muxer, '/yamux/1.0.0');
  assert.equal(run.responder.muxer, '/yamux/1.0.0');
  // A second handshake between the same two nodes has fresh keys (fresh ephemerals).
  const again = await handshake(a, b);
  assert.ok(!equalBytes(again.initiator.sendKey, run.initiator.sendKey));
});

test('both sides pick the same muxer: the first of the initiator\'s the responder also offers, or none', async () => {
  const [a, b] = [await party(), await party()];
  const run = await handshake(a, b, { initiatorMuxers: ['/mplex/6.7.0', '/yamux/1.0.0'], responderMuxers: ['/yamux/1.0.0', '/mplex/6.7.0'] });
  assert.equal(run.initiator.muxer, '/mplex/6.7.0');
  assert.equal(run.responder.muxer, '/mplex/6.7.0');
  const none = await handshake(a, b, { initiatorMuxers: ['/yamux/1.0.0'], responderMuxers: [] });
  assert.equal(none.initiator.muxer, undefined);
  assert.equal(none.responder.muxer, undefined);
});

test('a recorder who later learns both X25519 secrets still cannot derive the session keys', async () => {
  const [a, b] = [await party(), await party()];
  const iRandom = new RecordingRandom();
  const rRandom = new RecordingRandom();
  const run = await handshake(a, b, { initiatorRandom: iRandom.next, responderRandom: rRandom.next });
  // Draws: the initiator's X25519 secret, then its ML-KEM seed; the responder's X25519 secret.
  const [iX25519, iKemSeed] = iRandom.draws as [Uint8Array, Uint8Array];
  const [rX25519] = rRandom.draws as [Uint8Array];
  assert.equal(iX25519.length, X25519_SIZES.secretKey);
  const responderEphemeral = run.message2.subarray(0, 32);
  const dh = provider.x25519.keyPair(iX25519).agree(responderEphemeral);
  assert.ok(equalBytes(dh, provider.x25519.keyPair(rX25519).agree(run.message1.subarray(1, 33))), 'the recorder has the real X25519 secret');
  const transcript = transcriptHash(provider, [run.message1, run.message2, run.message3]);
  const derive = (kemSecret: Uint8Array): Uint8Array => trafficKeys(provider, concatBytes(dh, kemSecret), transcript).initiator;
  // With the ML-KEM secret too (the initiator's KEM seed), the schedule gives the real key: the
  // recorder's computation is right, so the refusals below are not vacuous.
  const kemSecret = provider.mlKem768.keyPair(iKemSeed).decapsulate(run.message2.subarray(32, MESSAGE2_FIXED_BYTES));
  assert.ok(equalBytes(derive(kemSecret), run.initiator.sendKey));
  // Without it, no guess works: not zeros, not a decapsulation under another key, not random bytes.
  const guesses = [new Uint8Array(32), provider.mlKem768.keyPair(provider.randomBytes(64)).decapsulate(run.message2.subarray(32, MESSAGE2_FIXED_BYTES)), provider.randomBytes(32)];
  const record = new RecordCipher(provider, run.initiator.sendKey).seal(new TextEncoder().encode('a message from the initiator'));
  for (const guess of guesses) {
    const key = derive(guess);
    assert.ok(!equalBytes(key, run.initiator.sendKey));
    assert.throws(() => new RecordCipher(provider, key).open(record), pqError('ERR_PQ_DECRYPT'));
  }
  // And the other way round: the ML-KEM secret alone, with a wrong X25519 value, does not do either.
  const onlyKem = trafficKeys(provider, concatBytes(new Uint8Array(32), kemSecret), transcript).initiator;
  assert.ok(!equalBytes(onlyKem, run.initiator.sendKey));
});

test('any flipped byte of message 2 fails the handshake (every position)', async () => {
  const [a, b] = [await party(), await party()];
  const random = new RecordingRandom();
  const run = await handshake(a, b, { initiatorRandom: random.next });
  const fresh = (): InitiatorHandshake => new InitiatorHandshake({ provider, identity: a.handshakeIdentity, muxers: ['/yamux/1.0.0'], random: random.replay() });
  // The replayed initiator is the same one: the untouched message 2 completes with it.
  assert.equal(toHex((await fresh().readMessage2(run.message2)).result.remote.nodeId), b.identity.nodeIdHex);
  for (let at = 0; at < run.message2.length; at++) {
    await assert.rejects(fresh().readMessage2(flipBit(run.message2, at)), pqError(), `flip at byte ${at}`);
  }
});

test('any flipped byte of message 1 or message 3 fails the handshake (every position)', async () => {
  const [a, b] = [await party(), await party()];
  const run = await handshake(a, b);
  for (let at = 0; at < run.message1.length; at++) {
    const initiator = new InitiatorHandshake({ provider, identity: a.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
    const responder = new ResponderHandshake({ provider, identity: b.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
    const tampered = flipBit(initiator.message1(), at);
    let failed = false;
    try {
      const message2 = await responder.readMessage1(tampered);
      await initiator.readMessage2(message2);
    } catch (err) {
      assert.ok(pqError()(err), `flip at byte ${at}: ${String(err)}`);
      failed = true;
    }
    assert.ok(failed, `flip at byte ${at} of message 1 went unnoticed`);
  }
  // Every position of message 3: each try needs a fresh handshake up to message 3.
  const length = run.message3.length;
  for (let at = 0; at < length; at++) {
    const initiator = new InitiatorHandshake({ provider, identity: a.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
    const responder = new ResponderHandshake({ provider, identity: b.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
    const { message3 } = await initiator.readMessage2(await responder.readMessage1(initiator.message1()));
    assert.equal(message3.length, length);
    await assert.rejects(responder.readMessage3(flipBit(message3, at)), pqError('ERR_PQ_DECRYPT'), `flip at byte ${at} of message 3`);
  }
});

test('a replayed handshake fails: a recorded message 1 and 3 get nowhere with a fresh responder', async () => {
  const [a, b] = [await party(), await party()];
  const run = await handshake(a, b);
  const responder = new ResponderHandshake({ provider, identity: b.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
  const message2 = await responder.readMessage1(run.message1);
  assert.ok(!equalBytes(message2, run.message2), 'the responder answers with fresh ephemerals');
  await assert.rejects(responder.readMessage3(run.message3), pqError('ERR_PQ_DECRYPT'));
  // A recorded message 2 replayed to a new initiator fails as well.
  const initiator = new InitiatorHandshake({ provider, identity: a.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
  await assert.rejects(initiator.readMessage2(run.message2), pqError());
  // And a record of the old connection does not open on a new one between the same nodes.
  const later = await handshake(a, b);
  const old = new RecordCipher(provider, run.initiator.sendKey).seal(Uint8Array.of(1, 2, 3));
  assert.throws(() => new RecordCipher(provider, later.responder.receiveKey).open(old), pqError('ERR_PQ_DECRYPT'));
});

function impostor(claimed: Party, signsWith: Party, which: 'ml-dsa' | 'libp2p'): HandshakeIdentity {
  return which === 'ml-dsa'
    ? { signer: { publicKey: claimed.handshakeIdentity.signer.publicKey, sign: signsWith.handshakeIdentity.signer.sign }, libp2pKey: signsWith.handshakeIdentity.libp2pKey }
    : { signer: signsWith.handshakeIdentity.signer, libp2pKey: { publicKey: claimed.handshakeIdentity.libp2pKey.publicKey, sign: signsWith.handshakeIdentity.libp2pKey.sign } };
}

test('a peer that claims an identity or a peer id it cannot sign for is refused, on either side', async () => {
  const [victim, mallory, honest] = [await party(), await party(), await party()];
  for (const which of ['ml-dsa', 'libp2p'] as const) {
    const fake = impostor(victim, mallory, which);
    // Mallory answering a dial.
    const initiator = new InitiatorHandshake({ provider, identity: honest.handshakeIdentity, muxers: [] });
    const responder = new ResponderHandshake({ provider, identity: fake, muxers: [] });
    await assert.rejects(initiator.readMessage2(await responder.readMessage1(initiator.message1())), pqError('ERR_PQ_SIGNATURE'), `responder, ${which}`);
    // Mallory dialling.
    const i2 = new InitiatorHandshake({ provider, identity: fake, muxers: [] });
    const r2 = new ResponderHandshake({ provider, identity: honest.handshakeIdentity, muxers: [] });
    const { message3 } = await i2.readMessage2(await r2.readMessage1(i2.message1()));
    await assert.rejects(r2.readMessage3(message3), pqError('ERR_PQ_SIGNATURE'), `initiator, ${which}`);
  }
});

test('a dial that names its peer refuses any other peer before revealing the dialler\'s identity', async () => {
  const [a, b, c] = [await party(), await party(), await party()];
  const initiator = new InitiatorHandshake({ provider, identity: a.handshakeIdentity, muxers: [] }, c.handshakeIdentity.libp2pKey.publicKey);
  const responder = new ResponderHandshake({ provider, identity: b.handshakeIdentity, muxers: [] });
  await assert.rejects(initiator.readMessage2(await responder.readMessage1(initiator.message1())), pqError('ERR_PQ_UNEXPECTED_PEER'));
});

test('malformed messages get typed refusals: wrong version, wrong sizes, out of order', async () => {
  const [a, b] = [await party(), await party()];
  const run = await handshake(a, b);
  const responder = (): ResponderHandshake => new ResponderHandshake({ provider, identity: b.handshakeIdentity, muxers: [] });
  await assert.rejects(responder().readMessage1(flipBit(run.message1, 0, 1)), pqError('ERR_PQ_VERSION'));
  await assert.rejects(responder().readMessage1(run.message1.subarray(0, run.message1.length - 1)), pqError('ERR_PQ_MALFORMED'));
  await assert.rejects(responder().readMessage1(concatBytes(run.message1, Uint8Array.of(0))), pqError('ERR_PQ_MALFORMED'));
  await assert.rejects(responder().readMessage1(new Uint8Array(0)), pqError('ERR_PQ_MALFORMED'));
  await assert.rejects(responder().readMessage3(run.message3), pqError('ERR_PQ_MALFORMED'));
  const initiator = (): InitiatorHandshake => new InitiatorHandshake({ provider, identity: a.handshakeIdentity, muxers: [] });
  await assert.rejects(initiator().readMessage2(run.message2.subarray(0, 100)), pqError('ERR_PQ_MALFORMED'));
  await assert.rejects(initiator().readMessage2(new Uint8Array(200_000)), pqError('ERR_PQ_MALFORMED'));
  // A low-order X25519 point in message 1 (an all-zero shared secret) is refused.
  const lowOrder = Uint8Array.from(run.message1);
  lowOrder.fill(0, 1, 33);
  await assert.rejects(responder().readMessage1(lowOrder), pqError('ERR_PQ_KEY_EXCHANGE'));
});

test('records: in order they open; repeated, reordered or other-direction records do not', () => {
  const key = provider.randomBytes(32);
  const sender = new RecordCipher(provider, key);
  const records = [1, 2, 3].map((n) => sender.seal(new Uint8Array(n).fill(n)));
  const inOrder = new RecordCipher(provider, key);
  assert.deepEqual(records.map((r) => [...inOrder.open(r)]), [[1], [2, 2], [3, 3, 3]]);
  const repeated = new RecordCipher(provider, key);
  repeated.open(records[0] as Uint8Array);
  assert.throws(() => repeated.open(records[0] as Uint8Array), pqError('ERR_PQ_DECRYPT'));
  assert.throws(() => new RecordCipher(provider, key).open(records[1] as Uint8Array), pqError('ERR_PQ_DECRYPT'));
  assert.throws(() => new RecordCipher(provider, provider.randomBytes(32)).open(records[0] as Uint8Array), pqError('ERR_PQ_DECRYPT'));
});

test('a node on the native provider and one on noble complete the handshake with each other', async (t) => {
  const pair = providerPair(t);
  if (pair === undefined) return;
  const [native, noble] = pair;
  const [a, b] = [await party(), await party()];
  for (const [pi, pr] of [
    [native, noble],
    [noble, native],
  ] as const) {
    const initiator = new InitiatorHandshake({ provider: pi, identity: a.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
    const responder = new ResponderHandshake({ provider: pr, identity: b.handshakeIdentity, muxers: ['/yamux/1.0.0'] });
    const { message3, result } = await initiator.readMessage2(await responder.readMessage1(initiator.message1()));
    const other = await responder.readMessage3(message3);
    assert.ok(equalBytes(result.sendKey, other.receiveKey) && equalBytes(result.receiveKey, other.sendKey), `${pi.name} → ${pr.name}`);
    const record = new RecordCipher(pi, result.sendKey).seal(Uint8Array.of(42));
    assert.deepEqual([...new RecordCipher(pr, other.receiveKey).open(record)], [42]);
  }
});
