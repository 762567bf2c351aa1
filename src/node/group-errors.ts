import type { GroupRejection } from '../group/index.ts';
import { NodeError } from './errors.ts';

/**
 * A group operation of this node that cannot be done as asked: an unknown or ambiguous group or
 * member argument, a bad name or text, an expired or unusable invite, a right this member lacks.
 * Codes: ERR_GROUP_NOT_FOUND, ERR_GROUP_AMBIGUOUS, ERR_MEMBER_NOT_FOUND, ERR_MEMBER_AMBIGUOUS,
 * ERR_GROUP_NAME, ERR_MESSAGE_TEXT, ERR_INVITE_TTL, ERR_INVITE_EXPIRED, ERR_INVITE_INVALID,
 * ERR_INVITE_OWN, ERR_JOIN_PENDING, ERR_ALREADY_JOINED, ERR_NOT_ADMIN, ERR_NOT_A_MEMBER, ERR_NOT_YET_MEMBER,
 * ERR_MEMBER_KEY_UNKNOWN, ERR_GROUP_CORRUPT, ERR_GROUP_WRITE.
 */
export class NodeGroupError extends NodeError {}

/** The error for an invite code `decodeInvite` refused: expired, or not a valid code at all. */
export function refusedInvite(refusal: GroupRejection): NodeGroupError {
  if (refusal.reason === 'invite-expired') return new NodeGroupError('ERR_INVITE_EXPIRED', `this invite has expired; ask for a new one (${refusal.detail})`);
  return new NodeGroupError('ERR_INVITE_INVALID', `not a valid invite code: ${refusal.detail}`);
}
