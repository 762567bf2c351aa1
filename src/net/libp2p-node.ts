import { identify, type Identify } from '@libp2p/identify';
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import type { ConnectionEncrypterFactory } from './encryption.ts';
import type { NetLimits } from './limits.ts';

/** The mDNS service name of Pars Mesh nodes (PIP-1, "Local WiFi"). */
export const MDNS_SERVICE_TAG = '_pars-mesh._tcp.local';

/** LAN discovery by multicast DNS. */
export interface MdnsOptions {
  /** Service name queried and answered. Default `_pars-mesh._tcp.local`. */
  readonly serviceTag?: string;
  /** Time between queries. Default 10,000 ms. */
  readonly intervalMs?: number;
  /** UDP port (tests isolate themselves with another one). Default 5353, the mDNS port. */
  readonly port?: number;
}

export type Libp2pNode = Libp2p<{ identify: Identify; ping: Ping }>;

export interface Libp2pNodeOptions {
  readonly privateKey?: PrivateKey;
  readonly listen: readonly string[];
  readonly limits: NetLimits;
  readonly mdns: MdnsOptions | false;
  readonly encrypters: ConnectionEncrypterFactory[];
  /** Peers refused at every stage of a connection, in both directions. */
  readonly refuses: (peer: string) => boolean;
}

/**
 * A libp2p node, not yet started, with the transports, muxer limits, discovery and gater the host
 * needs. Yamux's per-stream window is the host's `streamWindowBytes` (what a peer may have in
 * flight on a stream we stopped reading) and stays below the read buffer limit, so pausing a
 * stream never resets an honest peer.
 */
export async function createLibp2pNode(o: Libp2pNodeOptions): Promise<Libp2pNode> {
  const { limits } = o;
  const refuse = (peer: PeerId): boolean => o.refuses(peer.toString());
  return createLibp2p({
    start: false,
    ...(o.privateKey === undefined ? {} : { privateKey: o.privateKey }),
    addresses: { listen: [...o.listen] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: o.encrypters,
    streamMuxers: [
      yamux({
        maxInboundStreams: limits.maxStreamsPerConnection,
        maxOutboundStreams: limits.maxStreamsPerConnection,
        streamOptions: {
          maxStreamWindowSize: limits.streamWindowBytes,
          maxReadBufferLength: limits.maxReadBufferBytes,
          maxWriteBufferLength: limits.maxSendBufferBytes + limits.maxSyncFrameBytes,
        },
      }),
    ],
    peerDiscovery:
      o.mdns === false
        ? []
        : [
            mdns({
              serviceTag: o.mdns.serviceTag ?? MDNS_SERVICE_TAG,
              ...(o.mdns.intervalMs === undefined ? {} : { interval: o.mdns.intervalMs }),
              ...(o.mdns.port === undefined ? {} : { port: o.mdns.port }),
            }),
          ],
    services: { identify: identify(), ping: ping() },
    connectionManager: {
      maxConnections: limits.maxConnections,
      maxIncomingPendingConnections: limits.maxPendingConnections,
      inboundConnectionThreshold: limits.inboundConnectionsPerSecond,
    },
    connectionGater: {
      denyDialPeer: refuse,
      denyInboundEncryptedConnection: refuse,
      denyOutboundEncryptedConnection: refuse,
    },
  });
}
