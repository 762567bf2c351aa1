import { toHex, type CryptoProvider } from '../crypto/index.ts';
import type { AuthorKey, RejectionReason } from '../dag/index.ts';
import type { SqliteStore, TopicFrontier } from '../store/index.ts';
import { openBundleFile, verifyBundle, type VerifiedBundle } from './bundle-reader.ts';
import { framesFromWorker } from './worker-frames.ts';
import type { ParsedFrame } from './frame-parser.ts';
import { BundleError } from './errors.ts';
import type { BundleGroupKey, BundleInviteKey } from './export.ts';
import { decodeMarker, FRAME } from './frames.ts';
import { IngestPipeline } from './ingest-pipeline.ts';
import { BUNDLE_LIMITS } from './limits.ts';
import { groupWrapKey, inviteWrapKey, passphraseWrapKey, snapshotKey } from './recipient-keys.ts';
import { decodeSnapshotFrame, sameDocuments, sameFrontier, snapshotOf, snapshotTopic } from './snapshot-frame.ts';

/** The part of the node's ingester an import needs (src/node Ingester has it). */
export interface IngestSink {
  readonly store: SqliteStore;
  addKey(key: AuthorKey): Uint8Array;
  ingest(
    items: readonly Uint8Array[],
    source: string,
  ): Promise<{
    readonly stored: readonly unknown[];
    readonly duplicates: number;
    readonly rejected: readonly { readonly reason: RejectionReason; readonly detail: string }[];
  }>;
}

/** What to do with a bundle from a device this node has never met. */
export type UnknownDevicePolicy = 'accept' | 'refuse';

export interface ImportOptions {
  readonly provider: CryptoProvider;
  readonly path: string;
  readonly sink: IngestSink;
  /** The node's groups: a bundle made for one of them opens with its key. */
  readonly groups: readonly BundleGroupKey[];
  /** Invites in play at this node (issued, or waiting for a welcome): tried after the groups. */
  readonly invites?: readonly BundleInviteKey[];
  /** Asked only when no group or invite key opens the bundle; undefined means there is none to try. */
  readonly passphrase?: () => Promise<string | undefined>;
  /** Default 'accept': every vertex is checked exactly as from the network, whoever exported it. */
  readonly unknownDevice?: UnknownDevicePolicy;
  /** Vertices per ingest call (default 512). */
  readonly batch?: number;
  /** Ingest calls outstanding while the next batch is read (default 2). */
  readonly inFlight?: number;
  readonly now: () => number;
  readonly onProgress?: (phase: 'verify' | 'import', done: number, total: number) => void;
}

export interface ImportReport {
  readonly path: string;
  readonly marker: string;
  /** Hex node id of the exporting device. */
  readonly device: string;
  /** Whether this node knew the device before (its key, or an earlier bundle from it). */
  readonly knownDevice: boolean;
  /** When the device says it exported (ms since the epoch; its clock, not checked). */
  readonly created: number;
  readonly bytes: number;
  readonly vertices: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** Not stored: they wait for parents this node does not have (import those, then this again). */
  readonly waiting: number;
  readonly rejections: readonly { readonly reason: RejectionReason; readonly detail: string }[];
  readonly topics: number;
  readonly snapshots: { readonly matched: number; readonly differed: number; readonly unchecked: number };
}

/**
 * Imports a bundle in two passes. The first reads everything — every chunk authenticated, every
 * frame checked, the device signature verified — and keeps only each chunk's tag. Nothing is
 * imported unless it succeeds. The second pass reads the file again, checks each chunk against
 * the tag seen in the first (a file that changes in between is refused at the first changed
 * chunk), and hands the vertices to the node's ingest path, which verifies each one as it would
 * from the network. Already-held vertices are duplicates, so importing twice changes nothing.
 */
export async function importBundle(options: ImportOptions): Promise<ImportReport> {
  const { provider, sink } = options;
  const store = sink.store;
  const bundle = await openBundleFile(provider, options.path, [
    async (preamble) => options.groups.map((g) => groupWrapKey(provider, g.bundleKey, preamble.salt)),
    async (preamble) => (options.invites ?? []).map((i) => inviteWrapKey(provider, i.secret, preamble.salt)),
    async (preamble) => {
      const passphrase = await options.passphrase?.();
      return passphrase === undefined ? [] : [await passphraseWrapKey(passphrase, preamble.salt, preamble.kdfLogN)];
    },
  ]);
  let framesRead = 0;
  const snapshotKeys = new Map(options.groups.map((g) => [toHex(g.topic), snapshotKey(provider, g.bundleKey)]));
  const markers = new Map<string, TopicFrontier>();
  // Every frame the import pass will act on is checked here, so that pass cannot fail on content
  // after some of it was stored; the markers are kept for the exchange record.
  const verified = await verifyBundle(provider, bundle, (frame) => {
    const problem = frameProblem(provider, frame, snapshotKeys, markers);
    if (problem !== undefined) throw new BundleError('ERR_BUNDLE_FORMAT', problem);
    options.onProgress?.('verify', ++framesRead, 0);
  });
  const device = toHex(verified.device);
  const knownDevice = store.getKey(verified.device) !== undefined || store.bundles.hasPeer(verified.device);
  if (!knownDevice && options.unknownDevice === 'refuse') {
    throw new BundleError('ERR_BUNDLE_UNKNOWN_DEVICE', `the bundle was exported by device ${device}, which this node has never met; nothing was imported`);
  }
  return await importVerified(options, verified, knownDevice, snapshotKeys, markers);
}

/** Ingest sources of bundle imports start with this (then the bundle's marker). */
export const BUNDLE_SOURCE_PREFIX = 'bundle:';

async function importVerified(
  options: ImportOptions,
  verified: VerifiedBundle,
  knownDevice: boolean,
  snapshotKeys: ReadonlyMap<string, Uint8Array>,
  markers: ReadonlyMap<string, TopicFrontier>,
): Promise<ImportReport> {
  const { provider, sink } = options;
  const total = verified.frameCounts.get(FRAME.vertex) ?? 0;
  const snapshots = { matched: 0, differed: 0, unchecked: 0 };
  const pipeline = new IngestPipeline(sink, `${BUNDLE_SOURCE_PREFIX}${verified.marker}`, options.batch ?? 512, options.inFlight ?? 2, (done) => options.onProgress?.('import', done, total));
  try {
    for await (const frame of framesFromWorker(provider, verified)) {
      switch (frame.type) {
        case FRAME.key:
          // Batches already submitted hold only vertices written before this key, which do not
          // need it; later batches are verified after the workers have it.
          try {
            sink.addKey({ algorithm: 'ml-dsa-65', publicKey: frame.body.slice() });
          } catch (error) {
            pipeline.note('author-key-invalid', (error as Error).message);
          }
          break;
        case FRAME.vertex:
          await pipeline.push(frame.body);
          break;
        case FRAME.snapshot: {
          const carried = decodeSnapshotFrame(provider, frame.body, snapshotKeys.get(toHex(snapshotTopic(frame.body))));
          if (carried === 'sealed') snapshots.unchecked++;
          else if (typeof carried === 'string') throw new BundleError('ERR_BUNDLE_FORMAT', carried);
          else {
            await pipeline.drain(); // compare with this node's state once the topic's vertices are in
            const own = sink.store.getSnapshots(carried.topic).map(snapshotOf)[0];
            if (own === undefined || !sameFrontier(own.frontier, carried.frontier)) snapshots.unchecked++;
            else if (sameDocuments(carried, own)) snapshots.matched++;
            else snapshots.differed++;
          }
          break;
        }
        default:
          break; // markers were taken in the verifying pass
      }
    }
    await pipeline.drain();
  } finally {
    // On failure, let submitted batches settle before the caller closes the ingester.
    await pipeline.settle();
  }
  const { stored, duplicates, rejected, rejections } = pipeline.counts;
  sink.store.bundles.put({ marker: verified.digest.slice(0, 16), direction: 'import', peer: verified.device, at: options.now(), frontiers: [...markers.values()] });
  return {
    path: verified.path,
    marker: verified.marker,
    device: toHex(verified.device),
    knownDevice,
    created: verified.open.created,
    bytes: verified.bytes,
    vertices: total,
    stored,
    duplicates,
    rejected,
    waiting: total - stored - duplicates - rejected,
    rejections,
    topics: markers.size,
    snapshots,
  };
}

/** What is wrong with a marker or snapshot frame (whose header the parser already checked); keeps markers. */
function frameProblem(provider: CryptoProvider, frame: ParsedFrame, snapshotKeys: ReadonlyMap<string, Uint8Array>, markers: Map<string, TopicFrontier>): string | undefined {
  if (frame.type === FRAME.marker) {
    const marker = decodeMarker(frame.body);
    if (typeof marker === 'string') return marker;
    markers.set(toHex(marker.topic), marker);
    if (markers.size > BUNDLE_LIMITS.maxTopics) return `more than ${BUNDLE_LIMITS.maxTopics} topic markers`;
  } else if (frame.type === FRAME.snapshot) {
    const carried = decodeSnapshotFrame(provider, frame.body, snapshotKeys.get(toHex(snapshotTopic(frame.body))));
    if (typeof carried === 'string' && carried !== 'sealed') return carried;
  }
  return undefined;
}
