import { concatBytes, equalBytes, toHex, utf8 } from '../crypto/index.ts';
import type { DecodedVertex } from '../dag/index.ts';
import {
  decodeInvite,
  deriveGroupKeys,
  deriveInviteKeys,
  openJoinRequest,
  openWelcome,
  rendezvousKind,
  sealWelcome,
  type ControlOp,
  type GroupRejectionReason,
  type Invite,
  type InviteKeys,
  type JoinRequest,
  type Welcome,
} from '../group/index.ts';
import type { GroupLogRecord, InviteRecord, JoinRecord } from '../store/index.ts';
import { NodeGroupError } from './group-errors.ts';
import { logRow } from './group-log.ts';
import { membersOf, readVertex, type GroupEntry, type GroupRuntime } from './group-runtime.ts';
import type { GroupWriter } from './group-writer.ts';

/*
 * The two ends of an invite's rendezvous topic. The inviter watches the topics of the invites it
 * issued for join requests; the joiner watches the topic of its pending join for the welcome.
 * Every vertex seen on such a topic gets a log row (the "handled" marker), refusals with their
 * typed reason. Status values: 'own' (written here), 'ignored' (not for this end),
 * 'join-accepted', 'join-refused', 'join-failed' (accepted, but the admission could not be
 * written), 'welcome', 'welcome-refused'.
 */

/** An invite this node issued. */
export interface InviteEntry {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly groupId: Uint8Array;
  readonly groupHex: string;
  readonly topic: Uint8Array;
  readonly topicHex: string;
  readonly secret: Uint8Array;
  readonly keys: InviteKeys;
  /** Unix seconds. */
  readonly expiresAt: number;
  usedBy: Uint8Array | undefined;
  requestId: Uint8Array | undefined;
  welcomeId: Uint8Array | undefined;
}

/** A join request this node wrote, awaiting its welcome. */
export interface JoinEntry {
  readonly topic: Uint8Array;
  readonly topicHex: string;
  readonly invite: Invite;
  readonly keys: InviteKeys;
  /** Seed of the ML-KEM key the request published: the welcome is sealed to it, and it becomes this member's first group key. */
  readonly kemSeed: Uint8Array;
}

const KEM_SEED_BYTES = 64;

export function inviteEntryOf(rt: GroupRuntime, r: InviteRecord): InviteEntry {
  const secret = rt.sealer.open('group-invite', r.inviteId, r.secret);
  const keys = deriveInviteKeys(rt.provider, secret);
  if (!equalBytes(keys.topic, r.topic)) throw new NodeGroupError('ERR_GROUP_CORRUPT', `invite ${toHex(r.inviteId)}: secret and topic disagree`);
  return {
    id: r.inviteId,
    idHex: toHex(r.inviteId),
    groupId: r.groupId,
    groupHex: toHex(r.groupId),
    topic: r.topic,
    topicHex: toHex(r.topic),
    secret,
    keys,
    expiresAt: r.expiresAt,
    usedBy: r.usedBy,
    requestId: r.requestId,
    welcomeId: r.welcomeId,
  };
}

export function sealJoin(rt: GroupRuntime, topic: Uint8Array, kemSeed: Uint8Array, code: string): Uint8Array {
  return rt.sealer.seal('group-join', topic, concatBytes(kemSeed, utf8(code)));
}

export function joinEntryOf(rt: GroupRuntime, r: JoinRecord): JoinEntry {
  const plain = rt.sealer.open('group-join', r.topic, r.invite);
  if (plain.length <= KEM_SEED_BYTES) throw new NodeGroupError('ERR_GROUP_CORRUPT', 'pending join record too short');
  // Expiry was checked when joining; a welcome may arrive after it, so it is not checked here.
  const invite = decodeInvite(rt.provider, new TextDecoder().decode(plain.subarray(KEM_SEED_BYTES)), 0);
  if (!invite.ok) throw new NodeGroupError('ERR_GROUP_CORRUPT', `pending join record: ${invite.detail}`);
  const keys = deriveInviteKeys(rt.provider, invite.value.secret);
  return { topic: r.topic, topicHex: toHex(r.topic), invite: invite.value, keys, kemSeed: plain.slice(0, KEM_SEED_BYTES) };
}

export type RequestVerdict =
  | { readonly row: GroupLogRecord; readonly accepted: false }
  | { readonly row: GroupLogRecord; readonly accepted: true; readonly request: JoinRequest };

/**
 * Judges a vertex on an issued invite's topic. A join request is accepted when it opens under the
 * invite key, the invite is unexpired and no one used it; acceptance marks the invite used (in the
 * caller's transaction) and the caller then admits the joiner.
 */
export function judgeRequest(rt: GroupRuntime, invite: InviteEntry, vertex: DecodedVertex, groupKnown: boolean): RequestVerdict {
  const refuse = (reason: GroupRejectionReason, detail: string): RequestVerdict => ({ row: logRow(vertex, 'join-refused', reason, detail), accepted: false });
  if (toHex(vertex.author) === rt.selfHex) return { row: logRow(vertex, 'own'), accepted: false };
  if (rendezvousKind(vertex.payload) !== 'request') return { row: logRow(vertex, 'ignored', 'malformed', 'not a join request'), accepted: false };
  const opened = openJoinRequest(rt.provider, invite.keys, vertex.author, vertex.payload);
  if (!opened.ok) return refuse(opened.reason, opened.detail);
  rt.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: opened.value.signingKey });
  if (invite.usedBy !== undefined) return refuse('invite-used', `invite ${invite.idHex} was used by ${toHex(invite.usedBy)}`);
  if (rt.now() >= invite.expiresAt * 1000) return refuse('invite-expired', `invite ${invite.idHex} expired at ${new Date(invite.expiresAt * 1000).toISOString()}`);
  if (!groupKnown) return refuse('invite-unknown', `invite ${invite.idHex} names a group this node no longer holds`);
  if (!rt.tables.markInviteUsed(invite.id, vertex.author, vertex.id)) return refuse('invite-used', `invite ${invite.idHex} was used`);
  invite.usedBy = Uint8Array.from(vertex.author);
  invite.requestId = vertex.id;
  return { row: logRow(vertex, 'join-accepted'), accepted: true, request: opened.value };
}

export type WelcomeVerdict = { readonly row: GroupLogRecord; readonly welcome: Welcome | undefined };

/** Judges a vertex on a pending join's topic: a welcome from the invite's inviter that opens, for the group the invite named. */
export function judgeWelcome(rt: GroupRuntime, join: JoinEntry, vertex: DecodedVertex): WelcomeVerdict {
  const refuse = (reason: GroupRejectionReason, detail: string): WelcomeVerdict => ({ row: logRow(vertex, 'welcome-refused', reason, detail), welcome: undefined });
  if (toHex(vertex.author) === rt.selfHex) return { row: logRow(vertex, 'own'), welcome: undefined };
  if (rendezvousKind(vertex.payload) !== 'welcome') return { row: logRow(vertex, 'ignored', 'malformed', 'not a welcome'), welcome: undefined };
  if (!equalBytes(vertex.author, join.invite.inviter)) return refuse('forbidden', 'welcome not written by the inviter');
  const opened = openWelcome(rt.provider, join.keys, vertex.author, rt.self, join.kemSeed, vertex.payload);
  if (!opened.ok) return refuse(opened.reason, opened.detail);
  if (!equalBytes(deriveGroupKeys(rt.provider, opened.value.secret).groupId, join.invite.groupId)) return refuse('malformed', 'welcome to another group than the invite named');
  return { row: logRow(vertex, 'welcome'), welcome: opened.value };
}

/**
 * Adds an accepted joiner to the group (unless it already is a member) and answers with a welcome
 * on the invite's topic. Run in the background after the acceptance is durable, and again at the
 * next start if it did not finish; a failure is logged on the request ('join-failed') and thrown.
 */
export async function admitJoiner(rt: GroupRuntime, writer: GroupWriter, inv: InviteEntry, entry: GroupEntry | undefined): Promise<void> {
  const joiner = inv.usedBy;
  const requestId = inv.requestId;
  if (inv.welcomeId !== undefined || joiner === undefined || requestId === undefined) return;
  const logRequest = (status: string, reason?: string, detail?: string): void =>
    rt.tables.putLog([{ vertexId: requestId, topic: inv.topic, status, reason, detail, record: undefined }]);
  try {
    if (entry === undefined) throw new NodeGroupError('ERR_GROUP_NOT_FOUND', `group ${inv.groupHex} is not held here`);
    const request = openJoinRequest(rt.provider, inv.keys, joiner, readVertex(rt, requestId).payload);
    if (!request.ok) throw new NodeGroupError('ERR_GROUP_CORRUPT', `accepted join request no longer opens: ${request.detail}`);
    const { signingKey, kemKey } = request.value;
    if (!membersOf(rt, entry).some((m) => m.id === toHex(joiner))) {
      const add: ControlOp = { o: 'add', member: joiner, signingKey, kemKey, role: 'member' };
      await writer.write(entry, { kind: 'ops', ops: [add] });
    }
    const payload = sealWelcome(rt.provider, inv.keys, rt.self, joiner, kemKey, entry.group.descriptor, rt.random(12));
    const vertex = await rt.ingester.append(inv.topic, payload, rt.signer);
    rt.tables.transaction(() => {
      rt.tables.setInviteWelcome(inv.id, vertex.id);
      logRequest('join-accepted'); // clears a failure of an earlier attempt
    });
    inv.welcomeId = vertex.id;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    logRequest('join-failed', typeof code === 'string' ? code : 'error', (error as Error).message);
    throw error;
  }
}
