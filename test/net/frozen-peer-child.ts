// Run by bad-input.test.ts: a raw libp2p node (it answers pings, like every Pars node) that opens
// a sync stream to ADDRESS, sends the first 400 bytes of a 1,000-byte frame, prints its peer id
// and waits. The test then freezes it with SIGSTOP: its connection stays open, but nothing on it
// answers any more, as with a laptop that went to sleep or walked out of range.
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { connectionEncrypters, encodeLengthPrefix, GOSSIP_PROTOCOL, SYNC_PROTOCOL } from '../../src/net/index.ts';

const address = process.argv[2] ?? '';
const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: connectionEncrypters(undefined),
  streamMuxers: [yamux()],
  services: { ping: ping() },
});
await node.handle(GOSSIP_PROTOCOL, () => undefined);
const stream = await node.dialProtocol(multiaddr(address), SYNC_PROTOCOL);
stream.send(encodeLengthPrefix(1_000));
stream.send(new Uint8Array(400).fill(1));
process.stdout.write(`${JSON.stringify({ peerId: node.peerId.toString() })}\n`);
// Kept alive until the test kills it.
setInterval(() => undefined, 60_000);
