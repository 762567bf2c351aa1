import { utf8 } from '../crypto/index.ts';
import { CONTROL_LIMITS, type MemberRole } from '../group/index.ts';

/* The shapes NodeGroups takes and returns, and its argument checks. */

export interface NodeGroupsOptions {
  /** The clock: milliseconds since the Unix epoch (invite expiry, message times). */
  readonly now: () => number;
  /** Secure randomness; default the provider's. */
  readonly random?: (length: number) => Uint8Array;
  /** Told about background work that failed (admitting a joiner); default: ignored. */
  readonly warn?: (message: string) => void;
}

export interface GroupSummary {
  /** Hex of the 16-byte group id. */
  readonly id: string;
  /** '' until the group's genesis vertex has arrived. */
  readonly name: string;
  readonly members: number;
  /** This node's role now; 'none' once it has left or been removed. */
  readonly role: MemberRole | 'none';
}

export interface GroupBundleKey {
  /** Hex group id. */
  readonly id: string;
  readonly name: string;
  readonly topic: Uint8Array;
  /** `GroupKeys.bundleKey`: a secret; never logged. */
  readonly bundleKey: Uint8Array;
}

/**
 * An invite in play at this node, for sneakernet bundles: the join request and its welcome travel
 * in a bundle that opens for the invite's other end.
 */
export interface GroupBundleInvite {
  /** The invite's rendezvous topic. */
  readonly topic: Uint8Array;
  /** The invite secret: never logged. */
  readonly secret: Uint8Array;
}

/**
 * How long after its expiry an invite this node issued still opens bundles: the joiner may read
 * the welcome weeks after it was written, when the stick comes back.
 */
export const INVITE_BUNDLE_GRACE_MS = 30 * 24 * 3600 * 1000;

export interface GroupMember {
  /** Hex node id. */
  readonly id: string;
  readonly role: MemberRole;
  /** This node. */
  readonly you: boolean;
}

/** A vertex on the topic of an invite this node issued, as judged here. */
export interface JoinRequestRecord {
  readonly inviteId: string;
  readonly vertexId: string;
  readonly author: string;
  /** 'join-accepted', 'join-refused', 'join-failed', 'own' or 'ignored'. */
  readonly status: string;
  readonly reason: string | undefined;
}

export interface JoinResult {
  readonly groupId: string;
  readonly inviter: string;
  /** Hex id of the join request vertex. */
  readonly requestId: string;
}

// Names are shown on terminals: no control characters or bidirectional overrides.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why `name` cannot name a group, or undefined when it can. */
export function groupNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'a group name must not be empty';
  const bytes = utf8(name).length;
  if (bytes > CONTROL_LIMITS.maxNameBytes) return `a group name is at most ${CONTROL_LIMITS.maxNameBytes} bytes of UTF-8, got ${bytes}`;
  if (UNPRINTABLE.test(name)) return 'a group name must not contain control or bidirectional-override characters';
  return undefined;
}
