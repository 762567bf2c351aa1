import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KadDHT } from '@libp2p/kad-dht';
import { toHex } from '../../src/crypto/index.ts';
import { deriveSessionId } from '../../src/group/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { DHT_LIMITS, encodePresenceRecord, presenceKey, PresenceVerifier, SessionPresence } from '../../src/net/index.ts';
import { provider } from '../support/fixtures.ts';

const PEER = '12D3KooWEDwQU8GPJH5knDej6eccTa8HT8vRRPSdhUR7t8CPmsye';
const NOW = 1_700_000_000_000;

/**
 * A DHT that answers `provide` and `put` as kad-dht reports them (one PEER_RESPONSE per peer that
 * took the entry), each put reaching the next count of `putReach`; it logs the calls in order.
 */
function scriptedDht(provideReach: number, putReach: number[]): { dht: KadDHT; calls: string[] } {
  const calls: string[] = [];
  const responses = async function* (messageName: string, peers: number): AsyncGenerator<unknown> {
    for (let i = 0; i < peers; i++) yield { name: 'PEER_RESPONSE', messageName };
  };
  const dht = {
    provide: () => (calls.push('provide'), responses('ADD_PROVIDER', provideReach)),
    put: () => (calls.push('put'), responses('PUT_VALUE', putReach.shift() ?? 0)),
  };
  return { dht: dht as unknown as KadDHT, calls };
}

function presence(dht: KadDHT, addresses: () => string[] = () => ['/ip4/127.0.0.1/tcp/4001']): SessionPresence {
  const now = (): number => NOW;
  return new SessionPresence({
    dht,
    provider,
    limits: DHT_LIMITS,
    verifier: new PresenceVerifier(provider, DHT_LIMITS, now),
    now,
    peerId: PEER,
    addresses,
    signer: Identity.fromSeed(new Uint8Array(32).fill(5), provider),
  });
}

const sessions = [1, 2, 3].map((i) => deriveSessionId(provider, new Uint8Array(32).fill(i)));

test('presence: a record that reached few peers is sent again with the next announcement, after the provider entry', async () => {
  const { dht, calls } = scriptedDht(20, [4, 20]);
  const p = presence(dht);
  assert.deepEqual(await p.announcePresence(sessions[0] as Uint8Array), { providerPeers: 20, recordPeers: 4 });
  // 4 of the 20 peers the provider entry reached: the record goes out again.
  assert.deepEqual(await p.announcePresence(sessions[1] as Uint8Array), { providerPeers: 20, recordPeers: 20 });
  // Now it is out: a third session's announcement sends only its provider entry.
  assert.deepEqual(await p.announcePresence(sessions[2] as Uint8Array), { providerPeers: 20, recordPeers: 0 });
  assert.deepEqual(calls, ['provide', 'put', 'provide', 'put', 'provide']);
});

test('presence: a record that reached half the provider entry\'s peers is not sent again until its addresses change', async () => {
  let addresses = ['/ip4/127.0.0.1/tcp/4001'];
  const { dht, calls } = scriptedDht(20, [10, 20]);
  const p = presence(dht, () => addresses);
  assert.equal((await p.announcePresence(sessions[0] as Uint8Array)).recordPeers, 10);
  assert.equal((await p.announcePresence(sessions[1] as Uint8Array)).recordPeers, 0);
  addresses = ['/ip4/127.0.0.1/tcp/4002'];
  assert.equal((await p.announcePresence(sessions[2] as Uint8Array)).recordPeers, 20);
  assert.deepEqual(calls, ['provide', 'put', 'provide', 'provide', 'put']);
});

test('presence: a lookup tells providers that are not members apart from providers with no record that verifies', async () => {
  const member = Identity.fromSeed(new Uint8Array(32).fill(6), provider);
  const outsider = Identity.fromSeed(new Uint8Array(32).fill(7), provider);
  const record = (signer: Identity, peerId: string): Uint8Array => encodePresenceRecord(provider, signer, { peerId, addresses: ['/ip4/127.0.0.1/tcp/4001'], issuedAt: NOW, expiresAt: NOW + 60_000 });
  const peers = { member: 'peer-member', outsider: 'peer-outsider', silent: 'peer-silent', forged: 'peer-forged' };
  const held = new Map<string, Uint8Array>([
    [toHex(presenceKey(peers.member)), record(member, peers.member)],
    [toHex(presenceKey(peers.outsider)), record(outsider, peers.outsider)],
    // A copy of the member's record under another peer's key: it verifies for nobody there.
    [toHex(presenceKey(peers.forged)), record(member, peers.member)],
  ]);
  const dht = {
    findProviders: async function* (): AsyncGenerator<unknown> {
      yield { name: 'PROVIDER', providers: Object.values(peers).map((id) => ({ id: { toString: () => id } })) };
    },
    get: async function* (key: Uint8Array): AsyncGenerator<unknown> {
      const value = held.get(toHex(key));
      if (value !== undefined) yield { name: 'VALUE', value };
    },
  } as unknown as KadDHT;
  const lookup = await presence(dht).findSessionPeers(sessions[0] as Uint8Array, { members: new Set([member.nodeIdHex]) });
  assert.deepEqual(lookup.peers.map((p) => p.peerId), [peers.member]);
  assert.equal(lookup.providers, 4);
  assert.equal(lookup.refused, 1, 'the outsider: its record verifies, it is not a member');
  assert.equal(lookup.unverified, 2, 'the silent peer and the forged copy');
});
