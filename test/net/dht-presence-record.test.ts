import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dagCbor from '@ipld/dag-cbor';
import { deriveSessionId, SESSION_ID_BYTES } from '../../src/group/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { BoundedDatastore, checkPresenceRecord, DHT_LIMITS, dhtLimitsOf, encodePresenceRecord, NetOptionsError, presenceKey, PresenceVerifier, sessionKey } from '../../src/net/index.ts';
import { fromHex, toHex } from '../../src/crypto/index.ts';
import { provider } from '../support/fixtures.ts';

const alice = Identity.fromSeed(new Uint8Array(32).fill(1), provider);
const mallory = Identity.fromSeed(new Uint8Array(32).fill(2), provider);
const PEER = '12D3KooWEDwQU8GPJH5knDej6eccTa8HT8vRRPSdhUR7t8CPmsye';
const OTHER = '12D3KooWHGZEb2jTyRbSPsBZsCdkhYZ4kV4a4FyVCEjfc3Jvn9v5';
const NOW = 1_700_000_000_000;
const limits = DHT_LIMITS;

function record(over: Partial<{ peerId: string; issuedAt: number; expiresAt: number; addresses: string[] }> = {}, signer: Identity = alice): Uint8Array {
  return encodePresenceRecord(provider, signer, { peerId: PEER, addresses: ['/ip4/127.0.0.1/tcp/4001'], issuedAt: NOW, expiresAt: NOW + 60_000, ...over });
}

/** Decodes, changes one field, re-encodes (the signature is left as it was). */
function tampered(bytes: Uint8Array, change: (m: Record<string, unknown>) => void): Uint8Array {
  const m = dagCbor.decode(bytes) as Record<string, unknown>;
  change(m);
  return dagCbor.encode(m);
}

function flipped(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[10] = (out[10] as number) ^ 1;
  return out;
}

test('presence record: a signed record verifies under its own peer key and names its node', () => {
  const r = checkPresenceRecord(provider, presenceKey(PEER), record(), NOW, limits);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.equal(toHex(r.record.nodeId), alice.nodeIdHex);
  assert.deepEqual(r.record.addresses, ['/ip4/127.0.0.1/tcp/4001']);
});

test('presence record: forgeries are refused with their reason', () => {
  const key = presenceKey(PEER);
  const reason = (bytes: Uint8Array, k = key, now = NOW): string => {
    const r = checkPresenceRecord(provider, k, bytes, now, limits);
    return r.ok ? 'accepted' : r.reason;
  };
  assert.equal(reason(tampered(record(), (m) => (m['addrs'] = ['/ip4/6.6.6.6/tcp/1']))), 'bad-signature', 'addresses changed after signing');
  assert.equal(reason(tampered(record(), (m) => (m['sig'] = flipped(m['sig'] as Uint8Array)))), 'bad-signature', 'flipped signature byte');
  // Moved to another peer: under the other peer's key, with the peer field rewritten to match.
  assert.equal(reason(record(), presenceKey(OTHER)), 'wrong-key', 'stored under another peer id');
  assert.equal(reason(tampered(record(), (m) => (m['peer'] = OTHER)), presenceKey(OTHER)), 'bad-signature', 'peer id rewritten');
  // Another node's key with the victim's node id, or a node id that is not the key's hash.
  assert.equal(reason(tampered(record({}, mallory), (m) => (m['node'] = alice.nodeId))), 'node-id-mismatch');
  assert.equal(reason(record({ issuedAt: NOW - 60_000, expiresAt: NOW }), key, NOW), 'expired');
  assert.equal(reason(record(), key, NOW + 60_000), 'expired', 'expired at expiresAt');
  assert.equal(reason(record({ issuedAt: NOW + limits.maxClockSkewMs + 1, expiresAt: NOW + limits.maxClockSkewMs + 60_000 })), 'not-yet-valid');
  assert.equal(reason(record({ expiresAt: NOW + limits.maxTtlMs + 1 })), 'ttl-too-long');
  assert.equal(reason(new Uint8Array(limits.maxRecordBytes + 1)), 'too-large', 'absurd size refused before decoding');
  assert.equal(reason(new Uint8Array(64 * 1024 * 1024)), 'too-large');
  assert.equal(reason(Uint8Array.of(0x81, 0x81, 0x81, 0x81, 0x80)), 'malformed', 'nested arrays');
  assert.equal(reason(tampered(record(), (m) => (m['extra'] = 1))), 'malformed', 'stray field');
  assert.equal(reason(tampered(record(), (m) => (m['addrs'] = Array.from({ length: 9 }, () => '/ip4/1.2.3.4/tcp/1')))), 'malformed', 'too many addresses');
  assert.equal(reason(tampered(record(), (m) => (m['addrs'] = ['not a multiaddr']))), 'malformed');
});

test('presence verifier: a cached verdict still checks the key and the time', () => {
  let now = NOW;
  const v = new PresenceVerifier(provider, limits, () => now);
  const bytes = record();
  assert.ok(v.check(presenceKey(PEER), bytes).ok);
  assert.ok(v.check(presenceKey(PEER), bytes).ok, 'served from the cache');
  const moved = v.check(presenceKey(OTHER), bytes);
  assert.equal(moved.ok ? 'accepted' : moved.reason, 'wrong-key');
  now = NOW + 60_000;
  const late = v.check(presenceKey(PEER), bytes);
  assert.equal(late.ok ? 'accepted' : late.reason, 'expired');
  now = NOW - limits.maxClockSkewMs - 1;
  const early = v.check(presenceKey(PEER), bytes);
  assert.equal(early.ok ? 'accepted' : early.reason, 'not-yet-valid');
});

test('session id: derived from the group bundle key, deterministic, and the DHT key is SHA-256 of it', async () => {
  const bundleKey = fromHex('00'.repeat(31) + '01');
  const a = deriveSessionId(provider, bundleKey);
  assert.equal(a.length, SESSION_ID_BYTES);
  assert.deepEqual(deriveSessionId(provider, bundleKey), a);
  assert.notDeepEqual(deriveSessionId(provider, fromHex('00'.repeat(31) + '02')), a);
  assert.equal(toHex(a), toHex(provider.hkdfSha3_256(bundleKey, new Uint8Array(0), new TextEncoder().encode('pars-mesh/group/session/v1'), 32)));
  const key = await sessionKey(a);
  assert.equal(toHex(key.multihash.digest), toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', a))));
  assert.equal(key.multihash.code, 0x12, 'SHA-256 multihash');
  await assert.rejects(sessionKey(new Uint8Array(4)), NetOptionsError);
});

test('bounded datastore: each class keeps at most its cap, dropping the oldest first', async () => {
  const store = new BoundedDatastore([{ prefix: '/dht/provider', maxEntries: 3 }], { maxEntries: 2 });
  const key = (s: string): Parameters<BoundedDatastore['put']>[0] => ({ toString: () => s }) as unknown as Parameters<BoundedDatastore['put']>[0];
  for (let i = 0; i < 100; i++) store.put(key(`/dht/provider/k${i}`), Uint8Array.of(i));
  for (let i = 0; i < 10; i++) store.put(key(`/peers/p${i}`), Uint8Array.of(i));
  assert.equal(store.count('/dht/provider'), 3);
  assert.equal(store.count('/peers'), 2);
  assert.deepEqual(store.get(key('/dht/provider/k99')), Uint8Array.of(99));
  assert.equal(store.has(key('/dht/provider/k0')), false);
  assert.throws(() => store.get(key('/dht/provider/k0')), (e: Error) => e.name === 'NotFoundError');
  const listed = [...store.query({ prefix: '/dht/provider' })].map((p) => p.key.toString());
  assert.deepEqual(listed, ['/dht/provider/k97', '/dht/provider/k98', '/dht/provider/k99']);
  // A query only walks the classes its prefix can reach, and still sees every class it reaches.
  const keys = (prefix?: string): string[] => [...store.queryKeys(prefix === undefined ? {} : { prefix })].map((k) => k.toString());
  assert.deepEqual(keys('/dht/provider/k9'), ['/dht/provider/k97', '/dht/provider/k98', '/dht/provider/k99']);
  assert.deepEqual(keys('/peers/'), ['/peers/p8', '/peers/p9']);
  assert.deepEqual(keys('/'), ['/dht/provider/k97', '/dht/provider/k98', '/dht/provider/k99', '/peers/p8', '/peers/p9']);
  assert.deepEqual(keys('/d'), ['/dht/provider/k97', '/dht/provider/k98', '/dht/provider/k99']);
  assert.deepEqual(keys(), keys('/'));
  assert.deepEqual(keys('/dht/record'), []);
  assert.throws(() => dhtLimitsOf({ refreshMs: DHT_LIMITS.presenceTtlMs }), NetOptionsError);
  assert.throws(() => dhtLimitsOf({ maxRecords: 0 }), NetOptionsError);
});
