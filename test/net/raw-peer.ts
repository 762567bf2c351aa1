import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import { connectionEncrypters, GOSSIP_PROTOCOL } from '../../src/net/index.ts';

export interface RawPeerOptions {
  /** Its libp2p key; default a fresh one. Give the same key to come back as the same peer. */
  readonly privateKey?: PrivateKey;
  /** Whether it answers pings, as every Pars node does; default not. */
  readonly ping?: boolean;
}

/**
 * A bare libp2p node on loopback TCP that passes for a Pars node (the post-quantum encrypter,
 * yamux, and gossip streams accepted and never read), started, for tests that then write whatever
 * they want on our protocols.
 */
export async function rawPeer(o: RawPeerOptions = {}): Promise<Libp2p> {
  const node = await createLibp2p({
    ...(o.privateKey === undefined ? {} : { privateKey: o.privateKey }),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: connectionEncrypters(undefined),
    streamMuxers: [yamux()],
    ...(o.ping === true ? { services: { ping: ping() } } : {}),
  });
  await node.handle(GOSSIP_PROTOCOL, () => undefined);
  return node;
}
