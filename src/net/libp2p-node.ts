import { identify, type Identify } from '@libp2p/identify';
import type { KadDHT } from '@libp2p/kad-dht';
import type { Libp2p, PeerId, PeerInfo, PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { createLibp2p, type Libp2pInit } from 'libp2p';
import { BoundedDatastore } from './dht/bounded-datastore.ts';
import type { DhtLimits } from './dht/dht-limits.ts';
import { DHT_DATASTORE_PREFIX, dhtService } from './dht/dht-service.ts';
import type { PresenceVerifier } from './dht/presence-verifier.ts';
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

/** The services of a node; `dht` is absent when the DHT is turned off. */
export type Libp2pNode = Libp2p<{ identify: Identify; ping: Ping; dht?: KadDHT }>;

/** What the DHT service needs from the host (see `dhtService`). */
export interface Libp2pDhtOptions {
  /** Checks presence records (the host shares it with its lookups). */
  readonly verifier: PresenceVerifier;
}

export interface Libp2pNodeOptions {
  readonly privateKey?: PrivateKey;
  readonly listen: readonly string[];
  readonly limits: NetLimits;
  readonly mdns: MdnsOptions | false;
  readonly encrypters: ConnectionEncrypterFactory[];
  /** Peers refused at every stage of a connection, in both directions. */
  readonly refuses: (peer: string) => boolean;
  /** The Kademlia DHT (`/pars/kad/1.0.0`, server mode), or `false` for none. */
  readonly dht: Libp2pDhtOptions | false;
  /** Caps of the datastore (DHT records and provider entries, the peer store), used with or without the DHT. */
  readonly dhtLimits: DhtLimits;
  /**
   * Told about every peer mDNS finds on the LAN. Peers the DHT learns of are not reported: the
   * DHT dials what its queries need, and a Sybil answer naming a hundred made-up peers must not
   * turn into a hundred dials by the host.
   */
  readonly onLanPeer: (peer: PeerInfo) => void;
}

/**
 * A libp2p node, not yet started, with the transports, muxer limits, discovery, DHT and gater
 * the host needs. Yamux's per-stream window is the host's `streamWindowBytes` (what a peer may have
 * in flight on a stream we stopped reading) and stays below the read buffer limit, so pausing a
 * stream never resets an honest peer. The datastore (peer store, DHT records and provider
 * entries) is in memory with a cap per class (`BoundedDatastore`, `dhtLimits`).
 */
export async function createLibp2pNode(o: Libp2pNodeOptions): Promise<Libp2pNode> {
  const { limits, dhtLimits } = o;
  const refuse = (peer: PeerId): boolean => o.refuses(peer.toString());
  const datastore = new BoundedDatastore(
    [
      { prefix: `${DHT_DATASTORE_PREFIX}/record`, maxEntries: dhtLimits.maxRecords },
      { prefix: `${DHT_DATASTORE_PREFIX}/provider`, maxEntries: dhtLimits.maxProviderEntries },
    ],
    { maxEntries: dhtLimits.maxOtherEntries },
  );
  const m = o.mdns;
  const lan: NonNullable<Libp2pInit['peerDiscovery']>[number] | undefined =
    m === false
      ? undefined
      : (components) => {
          const discovery = mdns({
            serviceTag: m.serviceTag ?? MDNS_SERVICE_TAG,
            ...(m.intervalMs === undefined ? {} : { interval: m.intervalMs }),
            ...(m.port === undefined ? {} : { port: m.port }),
          })(components);
          discovery.addEventListener('peer', (evt) => o.onLanPeer(evt.detail));
          return discovery;
        };
  const services = {
    identify: identify(),
    ping: ping(),
    ...(o.dht === false ? {} : { dht: dhtService({ verifier: o.dht.verifier, limits: dhtLimits }) }),
  };
  const node = await createLibp2p({
    start: false,
    datastore,
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
    peerDiscovery: lan === undefined ? [] : [lan],
    services,
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
  return node as Libp2pNode;
}
