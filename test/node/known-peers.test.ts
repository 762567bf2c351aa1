import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withConfigured } from '../../src/node/known-peers.ts';

const A = '12D3KooWQbPjei3LbHr3QZ1gj6WN7tbLgkTPckTZiPUjk2vPTfA3';
const B = '12D3KooWEDwQU8GPJH5knDej6eccTa8HT8vRRPSdhUR7t8CPmsye';

test('known peers: configured peers come first, merged with what the store remembers of them', () => {
  const stored = [
    { peerId: B, addresses: ['/ip4/10.0.0.2/tcp/4001'], lastConnectedAt: 200 },
    { peerId: A, addresses: ['/ip4/10.0.0.1/tcp/4001', '/ip4/10.0.0.1/tcp/4002'], lastConnectedAt: 100 },
  ];
  const out = withConfigured(stored, [`/ip4/10.0.0.1/tcp/4002/p2p/${A}`]);
  assert.deepEqual(out, [
    { peerId: A, addresses: ['/ip4/10.0.0.1/tcp/4002', '/ip4/10.0.0.1/tcp/4001'], lastConnectedAt: 100 },
    stored[0],
  ]);
});

test('known peers: a peer configured twice keeps its stored last-connected time and every address', () => {
  const stored = [{ peerId: A, addresses: ['/ip4/10.0.0.1/tcp/4001'], lastConnectedAt: 100 }];
  const out = withConfigured(stored, [`/ip4/10.0.0.1/tcp/4002/p2p/${A}`, `/dns4/a.example/tcp/4001/p2p/${A}`, `/ip4/10.0.0.1/tcp/4002/p2p/${A}`]);
  assert.deepEqual(out, [{ peerId: A, addresses: ['/ip4/10.0.0.1/tcp/4002', '/ip4/10.0.0.1/tcp/4001', '/dns4/a.example/tcp/4001'], lastConnectedAt: 100 }]);
});

test('known peers: a configured address that is not a multiaddr or names no peer is refused', () => {
  assert.throws(() => withConfigured([], ['not an address']), { code: 'ERR_NODE_PEER_ADDRESS' });
  assert.throws(() => withConfigured([], ['/ip4/10.0.0.1/tcp/4001']), { code: 'ERR_NODE_PEER_ADDRESS' });
});
