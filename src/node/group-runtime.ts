import { toHex, type CryptoProvider } from '../crypto/index.ts';
import { decodeWithId, type DecodedVertex, type VertexSigner } from '../dag/index.ts';
import { Group, MemberSecrets, type GroupDescriptor, type MemberInfo } from '../group/index.ts';
import type { Identity } from '../identity/index.ts';
import type { GroupRecord, GroupTables } from '../store/index.ts';
import { NodeGroupError } from './group-errors.ts';
import type { Ingester } from './ingest.ts';
import type { StorageSealer } from './storage-key.ts';

/** What the pieces of the node's group support share: one identity, one store, one clock. */
export interface GroupRuntime {
  readonly provider: CryptoProvider;
  readonly identity: Identity;
  readonly self: Uint8Array;
  readonly selfHex: string;
  readonly signer: VertexSigner;
  readonly ingester: Ingester;
  readonly tables: GroupTables;
  readonly sealer: StorageSealer;
  readonly now: () => number;
  readonly random: (n: number) => Uint8Array;
}

/** One group this node is in: its ids and the engine object (replaced when the state is reloaded). */
export interface GroupEntry {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly topic: Uint8Array;
  readonly topicHex: string;
  group: Group;
}

const DESCRIPTOR_BYTES = 64;

export function sealDescriptor(rt: GroupRuntime, groupId: Uint8Array, descriptor: GroupDescriptor): Uint8Array {
  const plain = new Uint8Array(DESCRIPTOR_BYTES);
  plain.set(descriptor.secret, 0);
  plain.set(descriptor.genesis, 32);
  const sealed = rt.sealer.seal('group-descriptor', groupId, plain);
  plain.fill(0);
  return sealed;
}

export function sealSecrets(rt: GroupRuntime, groupId: Uint8Array, secrets: MemberSecrets | Uint8Array): Uint8Array {
  const plain = secrets instanceof MemberSecrets ? secrets.encode() : secrets;
  return rt.sealer.seal('group-secrets', groupId, plain);
}

/** The engine object of a stored group, its secrets as last persisted (no vertex processed yet). */
export function openGroupRecord(rt: GroupRuntime, record: GroupRecord): GroupEntry {
  const descriptor = rt.sealer.open('group-descriptor', record.groupId, record.descriptor);
  if (descriptor.length !== DESCRIPTOR_BYTES) throw new NodeGroupError('ERR_GROUP_CORRUPT', `group ${toHex(record.groupId)}: descriptor of ${descriptor.length} bytes`);
  const secrets = MemberSecrets.decode(rt.provider, rt.sealer.open('group-secrets', record.groupId, record.secrets));
  if (!secrets.ok) throw new NodeGroupError('ERR_GROUP_CORRUPT', `group ${toHex(record.groupId)}: ${secrets.detail}`);
  const group = new Group(
    { provider: rt.provider, self: rt.self, random: rt.random },
    { secret: descriptor.slice(0, 32), genesis: descriptor.slice(32) },
    secrets.value,
  );
  descriptor.fill(0);
  if (toHex(group.keys.groupId) !== toHex(record.groupId) || toHex(group.keys.topic) !== toHex(record.topic)) {
    throw new NodeGroupError('ERR_GROUP_CORRUPT', `group ${toHex(record.groupId)}: the descriptor belongs to another group`);
  }
  return { id: Uint8Array.from(record.groupId), idHex: toHex(record.groupId), topic: group.topic, topicHex: toHex(group.topic), group };
}

/** A stored vertex, decoded for the group engine. */
export function readVertex(rt: GroupRuntime, id: Uint8Array): DecodedVertex {
  const bytes = rt.ingester.store.getVertexBytes(id);
  if (bytes === undefined) throw new NodeGroupError('ERR_GROUP_CORRUPT', `vertex ${toHex(id)} is in the DAG but not in the store`);
  const d = decodeWithId(bytes, id);
  if (!d.ok) throw new NodeGroupError('ERR_GROUP_CORRUPT', `stored vertex ${toHex(id)} does not decode: ${d.reason}`);
  return d.vertex;
}

/** The group's current members (as of this node's frontier of its topic), ascending by id. */
export function membersOf(rt: GroupRuntime, entry: GroupEntry): MemberInfo[] {
  return entry.group.members(rt.ingester.dag.frontier(entry.topic).map(toHex));
}
