// Run by bad-input.test.ts: a raw libp2p node (it answers pings, like every Pars node) that opens
// a sync stream to ADDRESS, sends the first 400 bytes of a 1,000-byte frame, prints its peer id
// and waits. The test then freezes it with SIGSTOP: its connection stays open, but nothing on it
// answers any more, as with a laptop that went to sleep or walked out of range.
import { multiaddr } from '@multiformats/multiaddr';
import { encodeLengthPrefix, SYNC_PROTOCOL } from '../../src/net/index.ts';
import { rawPeer } from './raw-peer.ts';

const address = process.argv[2] ?? '';
const node = await rawPeer({ ping: true });
const stream = await node.dialProtocol(multiaddr(address), SYNC_PROTOCOL);
stream.send(encodeLengthPrefix(1_000));
stream.send(new Uint8Array(400).fill(1));
process.stdout.write(`${JSON.stringify({ peerId: node.peerId.toString() })}\n`);
// Kept alive until the test kills it.
setInterval(() => undefined, 60_000);
