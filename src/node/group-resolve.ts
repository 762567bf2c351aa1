import type { MemberInfo } from '../group/index.ts';
import { NodeGroupError } from './group-errors.ts';
import type { GroupEntry } from './group-runtime.ts';

/** Shortest hex prefix accepted for a group or member id: shorter ones collide too easily. */
export const MIN_ID_PREFIX = 4;

const HEX_PREFIX = /^[0-9a-fA-F]+$/;

/** What people type for a group: a hex prefix of its id (≥ 4 characters) or its exact name; either must name one group. */
export function resolveGroup(entries: Iterable<GroupEntry>, arg: string): GroupEntry {
  const prefix = arg.length >= MIN_ID_PREFIX && arg.length <= 32 && HEX_PREFIX.test(arg) ? arg.toLowerCase() : undefined;
  const matches = new Set<GroupEntry>();
  for (const e of entries) {
    if (prefix !== undefined && e.idHex.startsWith(prefix)) matches.add(e);
    if (e.group.name !== '' && e.group.name === arg) matches.add(e);
  }
  if (matches.size === 1) return [...matches][0] as GroupEntry;
  if (matches.size === 0) throw new NodeGroupError('ERR_GROUP_NOT_FOUND', `no group matches ${JSON.stringify(arg)} (give its exact name or at least ${MIN_ID_PREFIX} hex digits of its id; see pars group list)`);
  throw new NodeGroupError('ERR_GROUP_AMBIGUOUS', `${JSON.stringify(arg)} matches ${matches.size} groups: ${[...matches].map((e) => e.idHex).join(', ')}; give more of the id`);
}

/** A member by a hex prefix (≥ 4 characters) of its node id, unique among `members`. */
export function resolveMember(members: readonly MemberInfo[], arg: string): MemberInfo {
  if (arg.length < MIN_ID_PREFIX || arg.length > 64 || !HEX_PREFIX.test(arg)) {
    throw new NodeGroupError('ERR_MEMBER_NOT_FOUND', `a member is named by at least ${MIN_ID_PREFIX} hex digits of its node id, got ${JSON.stringify(arg)}`);
  }
  const prefix = arg.toLowerCase();
  const matches = members.filter((m) => m.id.startsWith(prefix));
  if (matches.length === 1) return matches[0] as MemberInfo;
  if (matches.length === 0) throw new NodeGroupError('ERR_MEMBER_NOT_FOUND', `no member's node id starts with ${prefix} (see pars group members)`);
  throw new NodeGroupError('ERR_MEMBER_AMBIGUOUS', `${prefix} matches ${matches.length} members; give more of the node id`);
}
