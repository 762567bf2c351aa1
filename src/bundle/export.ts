import { toHex, fromHex, type CryptoProvider } from '../crypto/index.ts';
import type { Dag, VertexMeta } from '../dag/index.ts';
import type { SqliteStore, TopicFrontier } from '../store/index.ts';
import { BUNDLE_SIGNATURE_CONTEXT, BundleWriter } from './bundle-writer.ts';
import { BundleOptionError } from './errors.ts';
import type { BelievedFrontiers } from './exchange.ts';
import { AtomicFile } from './file-commit.ts';
import { encodeMarker, encodeOpen, FRAME, SNAPSHOT_HEADER_BYTES } from './frames.ts';
import { BUNDLE_LIMITS } from './limits.ts';
import { buildPreamble, FILE_KEY_BYTES, newSalt } from './preamble.ts';
import { groupWrapKey, inviteWrapKey, passphraseWrapKey, snapshotKey } from './recipient-keys.ts';
import { encodeSnapshotFrame, snapshotOf } from './snapshot-frame.ts';

/** A group the exporting or importing node is in: its topic and `GroupKeys.bundleKey`. */
export interface BundleGroupKey {
  readonly topic: Uint8Array;
  readonly bundleKey: Uint8Array;
}

/**
 * An invite in play at the exporting or importing node, one it issued or one it waits on a
 * welcome for: its rendezvous topic and its secret.
 */
export interface BundleInviteKey {
  readonly topic: Uint8Array;
  readonly secret: Uint8Array;
}

/** The exporting device: its ML-DSA-65 public key and a signer under it. */
export interface BundleSigner {
  readonly signingPublicKey: Uint8Array;
  sign(message: Uint8Array, context?: Uint8Array): Uint8Array;
}

export interface ExportOptions {
  readonly provider: CryptoProvider;
  readonly store: SqliteStore;
  /** The node's DAG (the ingester's): order and "what the receiver lacks" come from it. */
  readonly dag: Dag;
  /** Signs the bundle; its public key travels inside (an `Identity` is one). */
  readonly identity: BundleSigner;
  readonly path: string;
  /** Topics to carry; default every topic in the store (groups, rendezvous, carried for others). */
  readonly topics?: readonly Uint8Array[];
  /** The node's groups: those whose topic is carried become recipients, and their snapshots are sealed to them. */
  readonly groups: readonly BundleGroupKey[];
  /**
   * Invites in play: those whose rendezvous topic is carried become recipients, in the order
   * given, in the slots the groups and the passphrase leave free.
   */
  readonly invites?: readonly BundleInviteKey[];
  /** Lets whoever knows it open the bundle (couriers, devices in no group). */
  readonly passphrase?: string;
  /** scrypt cost of the passphrase (log2 N); default BUNDLE_LIMITS.defaultKdfLogN. */
  readonly kdfLogN?: number;
  /** What the receiver already holds (sinceMarker / forPeer): only the rest is written. */
  readonly believed?: BelievedFrontiers;
  /** Recorded as the receiver, for later `forPeer` exports. */
  readonly peer?: Uint8Array;
  readonly overwrite?: boolean;
  readonly now: () => number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportReport {
  readonly path: string;
  readonly marker: string;
  readonly bytes: number;
  readonly vertices: number;
  readonly keys: number;
  readonly topics: number;
  readonly snapshots: number;
  readonly groupRecipients: number;
  /** Invites whose other end can open the bundle (a joiner's inviter, a welcomed joiner). */
  readonly inviteRecipients: number;
  /** Invites whose topic is carried but which found no free slot: their other end cannot open it. */
  readonly invitesLeftOut: number;
  readonly passphrase: boolean;
}

/** Vertices written between two turns of the event loop. */
const YIELD_EVERY = 256;

/**
 * Writes a bundle of the chosen topics: per topic a frontier marker, the vertices the receiver is
 * not believed to hold (parents first, each author's key before its first vertex), and the
 * stored CRDT snapshot; then the device signature. Memory holds one chunk and one vertex at a
 * time, plus the list of which vertices to write. The file appears only when complete, and the
 * exchange is recorded so a later `--since`/`--for` export sends only what is new.
 */
export async function exportBundle(options: ExportOptions): Promise<ExportReport> {
  const { provider, store, dag } = options;
  const topics = options.topics?.map((t) => toHex(t)) ?? store.topics();
  const unique = [...new Set(topics)].sort();
  if (unique.length > BUNDLE_LIMITS.maxTopics) throw new BundleOptionError('ERR_BUNDLE_TOPICS', `a bundle carries at most ${BUNDLE_LIMITS.maxTopics} topics`);
  const groupByTopic = new Map(options.groups.map((g) => [toHex(g.topic), g]));
  const recipients = unique.flatMap((t) => groupByTopic.get(t) ?? []);
  const slots = recipients.length + (options.passphrase === undefined ? 0 : 1);
  if (slots > BUNDLE_LIMITS.stanzas) {
    throw new BundleOptionError('ERR_BUNDLE_RECIPIENTS', `a bundle opens for at most ${BUNDLE_LIMITS.stanzas} groups and passphrases; this one would need ${slots} (export fewer groups at a time)`);
  }
  const carried = new Set(unique);
  const invites = [...new Map((options.invites ?? []).filter((i) => carried.has(toHex(i.topic))).map((i) => [toHex(i.secret), i])).values()];
  const inviteRecipients = invites.slice(0, BUNDLE_LIMITS.stanzas - slots);
  if (slots + inviteRecipients.length === 0) {
    throw new BundleOptionError('ERR_BUNDLE_NO_RECIPIENT', 'nobody could open this bundle: it carries no group of yours and no invite in play; give a passphrase (--passphrase) for the receiver');
  }
  const kdfLogN = options.kdfLogN ?? BUNDLE_LIMITS.defaultKdfLogN;
  if (kdfLogN < BUNDLE_LIMITS.minKdfLogN || kdfLogN > BUNDLE_LIMITS.maxKdfLogN) throw new BundleOptionError('ERR_BUNDLE_KDF', `passphrase cost must be 2^${BUNDLE_LIMITS.minKdfLogN}..2^${BUNDLE_LIMITS.maxKdfLogN}`);

  const salt = newSalt(provider);
  const wrapKeys = recipients.map((g) => groupWrapKey(provider, g.bundleKey, salt));
  for (const i of inviteRecipients) wrapKeys.push(inviteWrapKey(provider, i.secret, salt));
  if (options.passphrase !== undefined) wrapKeys.push(await passphraseWrapKey(options.passphrase, salt, kdfLogN));
  const fileKey = provider.randomBytes(FILE_KEY_BYTES);
  const preamble = buildPreamble(provider, fileKey, wrapKeys, kdfLogN, salt);

  // What goes in, and each topic's marker, fixed here at once: the export yields to the event loop
  // as it writes (a running node keeps serving its peers), and vertices stored meanwhile must not
  // slip into a marker that claims them without the bundle carrying them.
  const plan: { topic: string; vertices: VertexMeta[]; frontier: Uint8Array[] }[] = unique.map((topic) => {
    const believed = options.believed?.get(topic);
    // A wider frontier than a marker holds only makes the receiver look as if it had less.
    const frontier = dag.frontier(topic).slice(0, BUNDLE_LIMITS.maxMarkerIds);
    return { topic, vertices: believed === undefined ? dag.topologicalOrder(topic) : dag.missingFor(topic, believed), frontier };
  });
  const total = plan.reduce((n, p) => n + p.vertices.length, 0);

  const file = new AtomicFile(options.path, options.overwrite === true);
  try {
    const writer = new BundleWriter(provider, fileKey, preamble, file);
    writer.frame(FRAME.open, encodeOpen({ created: options.now(), devicePublicKey: options.identity.signingPublicKey }));
    const written = new Set<string>();
    const markers: TopicFrontier[] = [];
    let done = 0;
    let snapshots = 0;
    for (const { topic, vertices, frontier } of plan) {
      const topicBytes = fromHex(topic);
      const marker = { topic: topicBytes, frontier };
      markers.push(marker);
      writer.frame(FRAME.marker, encodeMarker(marker));
      for (const v of vertices) {
        if (!written.has(v.author)) {
          const key = store.getKey(fromHex(v.author));
          if (key !== undefined) writer.frame(FRAME.key, key.publicKey);
          written.add(v.author);
        }
        const bytes = store.getVertexBytes(v.id);
        if (bytes === undefined) throw new BundleOptionError('ERR_BUNDLE_STORE', `vertex ${v.key} is in the DAG but not in the store`);
        writer.frame(FRAME.vertex, bytes);
        options.onProgress?.(++done, total);
        if (done % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const group = groupByTopic.get(topic);
      for (const record of store.getSnapshots(topicBytes)) {
        const body = encodeSnapshotFrame(provider, snapshotOf(record), group === undefined ? undefined : snapshotKey(provider, group.bundleKey));
        if (body.length - SNAPSHOT_HEADER_BYTES > BUNDLE_LIMITS.maxSnapshotBytes) continue; // too large to carry; the vertices suffice
        writer.frame(FRAME.snapshot, body);
        snapshots++;
      }
    }
    const result = writer.finish((digest) => options.identity.sign(digest, BUNDLE_SIGNATURE_CONTEXT));
    file.commit();
    const marker = result.digest.slice(0, 16);
    store.bundles.put({ marker, direction: 'export', peer: options.peer, at: options.now(), frontiers: markers });
    return {
      path: options.path,
      marker: toHex(marker),
      bytes: result.bytes,
      vertices: total,
      keys: written.size,
      topics: unique.length,
      snapshots,
      groupRecipients: recipients.length,
      inviteRecipients: inviteRecipients.length,
      invitesLeftOut: invites.length - inviteRecipients.length,
      passphrase: options.passphrase !== undefined,
    };
  } catch (error) {
    file.abandon();
    throw error;
  }
}
