import { isAbsolute } from 'node:path';
import type { ExportReport, ImportReport } from '../bundle/index.ts';
import type { GroupMember, GroupSummary, LogPage, LogWindow, MeshJoinResult, MeshNode, NodeStatus, PeersReport, UnreadableMessages } from '../node/index.ts';
import { exportFromNode, importIntoNode, listBundles, type BundleExportArgs, type BundleImportArgs, type BundleListing } from './bundle-operations.ts';
import { CliError } from './errors.ts';
import type { OpenNode } from './open-node.ts';

/*
 * Every operation a command can ask of a node, in one table. The same code carries them out on a
 * running node (requests on the control socket) and on a store opened by the command itself, so
 * a command's output does not depend on which it was.
 */

export interface ControlOperations {
  status: { args: Record<string, never>; result: NodeStatus };
  peers: { args: Record<string, never>; result: PeersReport };
  dial: { args: { address: string }; result: { peerId: string } };
  send: { args: { group: string; text: string }; result: { id: string } };
  /**
   * One page of the log (`after`: the `next` of the page before; `last`: only the last N messages;
   * `since`: a frontier a page returned, for what arrived after it). The first page (neither
   * `after` nor `since`) also counts the messages held here that cannot be shown.
   */
  log: { args: LogWindow & { group: string }; result: LogPage & { unreadable?: UnreadableMessages } };
  'group.create': { args: { name: string }; result: { id: string } };
  'group.invite': { args: { group: string; ttl: number }; result: { code: string } };
  /** Without a running node to dial, `reached` and `dialProblem` are null. */
  'group.join': { args: { code: string }; result: MeshJoinResult };
  'group.list': { args: Record<string, never>; result: { groups: GroupSummary[]; pendingJoins: { groupId: string; inviter: string }[] } };
  'group.members': { args: { group: string }; result: GroupMember[] };
  'group.remove': { args: { group: string; member: string }; result: null };
  'group.promote': { args: { group: string; member: string }; result: null };
  'group.leave': { args: { group: string }; result: null };
  'group.update': { args: { group: string }; result: null };
  'group.verify': { args: { group: string; member: string }; result: { number: string } };
  'bundle.export': { args: BundleExportArgs; result: ExportReport };
  'bundle.import': { args: BundleImportArgs; result: ImportReport };
  'bundle.list': { args: Record<string, never>; result: BundleListing[] };
}

export type OperationName = keyof ControlOperations;
export type OperationArgs<K extends OperationName> = ControlOperations[K]['args'];
export type OperationResult<K extends OperationName> = ControlOperations[K]['result'];

/** What operations run against: a node's identity, ingester and groups, and the running MeshNode when there is one. */
export interface OperationTarget extends OpenNode {
  readonly mesh: MeshNode | undefined;
}

/** A request named no known operation, or its arguments were not as that operation takes them. */
export class BadOperationError extends CliError {
  constructor(message: string) {
    super('ERR_CONTROL_BAD_REQUEST', message);
  }
}

/** The operation needs a running node and none is (status, peers, dial). */
export class NoNodeRunningError extends CliError {
  constructor(dataDir: string) {
    super('ERR_NO_NODE', `no node is running on ${dataDir}; start one with: pars start`);
  }
}

/**
 * Kinds of argument: `path` is an absolute file path (the node's working directory is not the
 * command's), `flag` a boolean; `optional …` ones may be absent (JSON has no undefined).
 */
type Field = 'string' | 'ttl' | 'path' | 'flag' | 'optional string' | 'optional strings' | 'optional integer';
/** Longest string argument (a message text of 60,000 UTF-8 bytes is at most 60,000 UTF-16 units). */
const MAX_ARG_CHARS = 60_000;
/** Longest path argument (Linux's PATH_MAX). */
const MAX_PATH_CHARS = 4096;
/** Most items of a list argument (far above what any operation takes: a bundle opens for at most 16 groups). */
const MAX_LIST_ITEMS = 1024;

/** Each operation's argument names and kinds: a request must carry exactly these. */
const FIELDS: { readonly [K in OperationName]: { readonly [F in keyof OperationArgs<K>]-?: Field } } = {
  status: {},
  peers: {},
  dial: { address: 'string' },
  send: { group: 'string', text: 'string' },
  log: { group: 'string', after: 'optional string', last: 'optional integer', since: 'optional strings' },
  'group.create': { name: 'string' },
  'group.invite': { group: 'string', ttl: 'ttl' },
  'group.join': { code: 'string' },
  'group.list': {},
  'group.members': { group: 'string' },
  'group.remove': { group: 'string', member: 'string' },
  'group.promote': { group: 'string', member: 'string' },
  'group.leave': { group: 'string' },
  'group.update': { group: 'string' },
  'group.verify': { group: 'string', member: 'string' },
  'bundle.export': { file: 'path', groups: 'optional strings', since: 'optional string', for: 'optional string', passphrase: 'optional string', kdfLogN: 'optional integer', force: 'flag' },
  'bundle.import': { file: 'path', passphrase: 'optional string', knownOnly: 'flag' },
  'bundle.list': {},
};

/** Operations that only a running node can carry out. */
export const NODE_ONLY: ReadonlySet<OperationName> = new Set<OperationName>(['status', 'peers', 'dial']);

/** Operations whose work grows with the data (a bundle of any size): a client waits for their answer without a deadline. */
export const UNBOUNDED_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['bundle.export', 'bundle.import']);

function isOperation(op: string): op is OperationName {
  return Object.hasOwn(FIELDS, op);
}

/** Checks untrusted arguments against the operation's fields (names, kinds, sizes). */
function checkArgs<K extends OperationName>(op: K, raw: Readonly<Record<string, unknown>>): OperationArgs<K> {
  const fields = FIELDS[op] as Record<string, Field>;
  for (const name of Object.keys(raw)) if (!Object.hasOwn(fields, name)) throw new BadOperationError(`${op} takes no argument "${name}"`);
  for (const [name, kind] of Object.entries(fields)) {
    const problem = fieldProblem(kind, raw[name]);
    if (problem !== undefined) throw new BadOperationError(`${op}: ${name} must be ${problem}`);
  }
  return raw as OperationArgs<K>;
}

/** What `value` should have been, or undefined when it is a valid `kind`. */
function fieldProblem(kind: Field, value: unknown): string | undefined {
  const text = (v: unknown): boolean => typeof v === 'string' && v.length <= MAX_ARG_CHARS;
  switch (kind) {
    case 'string':
      return text(value) ? undefined : `a string of at most ${MAX_ARG_CHARS} characters`;
    case 'ttl':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : 'a whole number of seconds';
    case 'path':
      return typeof value === 'string' && value.length <= MAX_PATH_CHARS && isAbsolute(value) && !value.includes('\0') ? undefined : `an absolute path of at most ${MAX_PATH_CHARS} characters`;
    case 'flag':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'optional string':
      return value === undefined || text(value) ? undefined : `absent or a string of at most ${MAX_ARG_CHARS} characters`;
    case 'optional strings':
      return value === undefined || (Array.isArray(value) && value.length <= MAX_LIST_ITEMS && value.every(text)) ? undefined : `absent or a list of at most ${MAX_LIST_ITEMS} strings`;
    case 'optional integer':
      return value === undefined || (typeof value === 'number' && Number.isSafeInteger(value)) ? undefined : 'absent or a whole number';
  }
}

/** Carries out `op` with checked `args` on `target`. */
export async function runOperation<K extends OperationName>(target: OperationTarget, op: K, args: OperationArgs<K>): Promise<OperationResult<K>> {
  return (await dispatch(target, op, args as Record<string, unknown>)) as OperationResult<K>;
}

async function dispatch(target: OperationTarget, op: OperationName, a: Record<string, unknown>): Promise<unknown> {
  const { groups, mesh } = target;
  const s = (name: string): string => a[name] as string;
  switch (op) {
    case 'status':
      return needMesh(mesh).status();
    case 'peers':
      return needMesh(mesh).peers();
    case 'dial':
      return { peerId: await dial(needMesh(mesh), s('address')) };
    case 'send':
      return { id: await groups.send(s('group'), s('text')) };
    case 'log': {
      const window: LogWindow = { after: a['after'] as string | undefined, last: a['last'] as number | undefined, since: a['since'] as string[] | undefined };
      const page = groups.logPage(s('group'), window);
      // Counted once, with the first page: a follower's polls would count the whole log again.
      return window.after === undefined && window.since === undefined ? { ...page, unreadable: groups.unreadable(s('group')) } : page;
    }
    case 'group.create':
      return { id: await groups.createGroup(s('name')) };
    case 'group.invite':
      return { code: mesh === undefined ? await groups.invite(s('group'), a['ttl'] as number) : await mesh.invite(s('group'), a['ttl'] as number) };
    case 'group.join':
      return mesh === undefined ? { ...(await groups.join(s('code'))), reached: null, dialProblem: null } : await mesh.join(s('code'));
    case 'group.list':
      return { groups: groups.groups(), pendingJoins: groups.pendingJoins() };
    case 'group.members':
      return groups.members(s('group'));
    case 'group.remove':
      await groups.remove(s('group'), s('member'));
      return null;
    case 'group.promote':
      await groups.promote(s('group'), s('member'));
      return null;
    case 'group.leave':
      await groups.leave(s('group'));
      return null;
    case 'group.update':
      await groups.update(s('group'));
      return null;
    case 'group.verify':
      return { number: groups.verify(s('group'), s('member')) };
    case 'bundle.export':
      return exportFromNode(target, a as unknown as BundleExportArgs);
    case 'bundle.import':
      return importIntoNode(target, a as unknown as BundleImportArgs);
    case 'bundle.list':
      return listBundles(target);
  }
}

/** Dials; libp2p's own errors (a bad address, a refused connection) become one coded error. */
async function dial(mesh: MeshNode, address: string): Promise<string> {
  try {
    return await mesh.dial(address);
  } catch (error) {
    if (typeof (error as { code?: unknown }).code === 'string') throw error;
    throw new CliError('ERR_DIAL', `could not connect to ${address}: ${(error as Error).message}`);
  }
}

function needMesh(mesh: MeshNode | undefined): MeshNode {
  if (mesh === undefined) throw new BadOperationError('this operation needs a running node');
  return mesh;
}

/** The control server's handler: checks the request's operation and arguments, then runs it on the node. */
export function operationHandler(mesh: MeshNode): (op: string, args: Readonly<Record<string, unknown>>) => Promise<unknown> {
  return async (op, args) => {
    if (!isOperation(op)) throw new BadOperationError(`unknown operation ${JSON.stringify(op)}`);
    return runOperation({ identity: mesh.identity, ingester: mesh.ingester, groups: mesh.groups, mesh }, op, checkArgs(op, args));
  };
}
