// Run by dht-lan.test.ts inside a network namespace of its own: the only bootstrap node both hosts
// know is gone before they start, so the DHT has nobody to start from; mDNS (level 4 of the
// bootstrap hierarchy) must still bring them together, and they sync.
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdOf, withoutPeerId } from '../../src/net/index.ts';
import { closeNode, openNode, startHost } from './net-support.ts';
import { runTwoNodeChild } from './two-node-child.ts';

await runTwoNodeChild({
  dirPrefix: 'pars-dht-lan-',
  prepare: async (dir) => {
    const nodeX = openNode(dir, 'x');
    const x = await startHost(nodeX, { mdns: false });
    const address = multiaddr(x.multiaddrs()[0] as string);
    const bootstrap = { peerId: peerIdOf(address) as string, addresses: [withoutPeerId(address)] };
    await x.stop();
    await closeNode(nodeX);
    return { knownPeers: [bootstrap], dht: { limits: { queryTimeoutMs: 5_000 } } };
  },
  whileUp: async ({ b }, result) => {
    result.dhtPeersFound = (await b.presence.findSessionPeers(new Uint8Array(32).fill(9))).peers.length;
  },
});
