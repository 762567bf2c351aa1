import { fromHex, toHex } from '../crypto/index.ts';
import { compareTopological, type DecodedVertex, type VertexMeta } from '../dag/index.ts';
import type { GroupLogRecord } from '../store/index.ts';
import { NodeGroupError } from './group-errors.ts';
import { readVertex, sealSecrets, type GroupEntry, type GroupRuntime } from './group-runtime.ts';
import { decodeMessageContent } from './message-content.ts';

/** One readable message of a group's log, in the DAG's logical order. */
export interface LoggedMessage {
  /** Hex id of the vertex that carried it. */
  readonly vertexId: string;
  /** Hex node id of its author. */
  readonly author: string;
  readonly lamport: number;
  /** The sender's clock when it wrote the message (ms since the Unix epoch): a claim, not a fact. */
  readonly sentAt: number;
  readonly text: string;
  /** Written by this node. */
  readonly own: boolean;
}

/** The messages of a group this node holds but cannot show, by why. */
export interface UnreadableMessages {
  /**
   * Sealed for the members of a time this node was not one of them: before it joined, or after it
   * left or was removed. Nobody can open them here, by design.
   */
  readonly notForYou: number;
  /**
   * Sealed to this node under a key it could not open (one it had already retired, or a chain it
   * never got). The sender was asked to start its keys to this node afresh, so later ones open.
   */
  readonly keyNotOpened: number;
  /** Opened, but what was inside is not a valid message. */
  readonly badContent: number;
}

/** The log row marking `vertex` handled, with its outcome (and sealed content, for a readable message). */
export function logRow(vertex: DecodedVertex, status: string, reason?: string, detail?: string, record?: Uint8Array): GroupLogRecord {
  return { vertexId: vertex.id, topic: vertex.topic, status, reason, detail, record };
}

/**
 * Hands one vertex of the group's topic to the engine and returns the log row to write (or
 * undefined: a duplicate, or a restored vertex whose row exists). Keys of members added by a
 * control vertex join the ingester's key ring, so their vertices verify.
 */
export function processGroupVertex(rt: GroupRuntime, entry: GroupEntry, vertex: DecodedVertex, mode: 'live' | 'restore'): GroupLogRecord | undefined {
  const outcome = entry.group.process(vertex, mode);
  switch (outcome.status) {
    case 'duplicate':
    case 'restored':
      return undefined;
    case 'control':
      if (mode === 'restore') return undefined;
      for (const op of outcome.ops) if (op.o === 'add') rt.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: op.signingKey });
      return logRow(vertex, 'control');
    case 'message': {
      const content = decodeMessageContent(outcome.content);
      if (!content.ok) return logRow(vertex, 'bad-content', content.reason, content.detail);
      return logRow(vertex, 'message', undefined, undefined, rt.sealer.seal('group-log', vertex.id, outcome.content));
    }
    case 'own': {
      // The content was kept, sealed, before the vertex was appended: move it into the log.
      const nonce = fromHex(outcome.nonce);
      const pending = rt.tables.pending(nonce);
      if (pending === undefined) return logRow(vertex, 'own', 'no-content', 'the content of this own message was not kept');
      const content = rt.sealer.open('group-pending', nonce, pending.content);
      rt.tables.deletePending(nonce);
      return logRow(vertex, 'own', undefined, undefined, rt.sealer.seal('group-log', vertex.id, content));
    }
    case 'unreadable':
      return mode === 'restore' ? undefined : logRow(vertex, 'unreadable', outcome.reason);
    case 'rejected':
      return mode === 'restore' ? undefined : logRow(vertex, 'rejected', outcome.reason, outcome.detail);
  }
}

/**
 * Processes, in topological order, every stored vertex of the group's topic the engine has not
 * seen: 'restore' for those the log already holds, 'live' for the rest. New log rows and the
 * secrets they advanced are written in one transaction. Returns how many were processed live.
 */
export function catchUp(rt: GroupRuntime, entry: GroupEntry): number {
  const logged = rt.tables.loggedIds(entry.topic);
  const rows: GroupLogRecord[] = [];
  rt.tables.transaction(() => {
    for (const meta of rt.ingester.dag.topologicalOrder(entry.topic)) {
      if (entry.group.has(meta.key)) continue;
      const row = processGroupVertex(rt, entry, readVertex(rt, meta.id), logged.has(meta.key) ? 'restore' : 'live');
      if (row !== undefined) rows.push(row);
    }
    if (rows.length === 0) return;
    rt.tables.putLog(rows);
    rt.tables.putSecrets(entry.id, sealSecrets(rt, entry.id, entry.group.secrets), rt.now());
  });
  return rows.length;
}

/** Counts the group's message vertices this node processed but cannot show (see `UnreadableMessages`). */
export function unreadableMessages(rt: GroupRuntime, entry: GroupEntry): UnreadableMessages {
  let notForYou = 0;
  let keyNotOpened = 0;
  let badContent = 0;
  for (const c of rt.tables.logCounts(entry.topic)) {
    if (c.status === 'unreadable' && c.reason === 'no-key') keyNotOpened += c.count;
    else if (c.status === 'unreadable') notForYou += c.count;
    else if (c.status === 'bad-content') badContent += c.count;
  }
  return { notForYou, keyNotOpened, badContent };
}

/** The readable messages of a group (own ones included) in the DAG's topological order. */
export function readLog(rt: GroupRuntime, entry: GroupEntry): LoggedMessage[] {
  const out: LoggedMessage[] = [];
  let page = readLogPage(rt, entry, {});
  out.push(...page.messages);
  while (page.next !== undefined) {
    page = readLogPage(rt, entry, { after: page.next });
    out.push(...page.messages);
  }
  return out;
}

/**
 * One page of a group's readable messages, in topological order: those after the cursor
 * `window.after`, or the last `window.last` ones, of the vertices outside the past of
 * `window.since` (a frontier an earlier page returned: what arrived since, however old its place
 * in the order). A page holds at most LOG_PAGE_LIMITS.messages messages and about
 * LOG_PAGE_LIMITS.textBytes of text (at least one message), so a log of any size crosses the
 * control socket; `next` continues it. A malformed window is NodeGroupError `ERR_LOG_WINDOW`.
 */
export function readLogPage(rt: GroupRuntime, entry: GroupEntry, window: LogWindow): LogPage {
  const after = cursorOf(window.after);
  if (window.last !== undefined && !(Number.isSafeInteger(window.last) && window.last >= 1)) {
    throw new NodeGroupError('ERR_LOG_WINDOW', `the number of last messages must be a whole number, at least 1; got ${window.last}`);
  }
  if (window.since?.some((k) => !VERTEX_KEY.test(k)) === true) throw new NodeGroupError('ERR_LOG_WINDOW', 'a log frontier is a list of vertex ids (64 hex digits each)');
  const dag = rt.ingester.dag;
  const frontier = dag.frontier(entry.topic).map(toHex);
  const metas = window.since === undefined ? dag.topologicalOrder(entry.topic) : dag.missingFor(entry.topic, window.since.map(fromHex));
  let start = 0;
  if (after !== undefined) while (start < metas.length && compareTopological(metas[start] as VertexMeta, after) <= 0) start++;
  // Records the walk back to the last messages read already (none there: not a message), kept
  // so that the page does not read them again.
  const read = new Map<string, Uint8Array | undefined>();
  if (window.last !== undefined) {
    let i = metas.length;
    for (let found = 0; i > start && found < window.last; ) {
      const meta = metas[--i] as VertexMeta;
      const record = rt.tables.logRecord(meta.id);
      read.set(meta.key, record);
      if (record !== undefined) found++;
    }
    start = i;
  }
  const messages: LoggedMessage[] = [];
  let textBytes = 0;
  let i = start;
  for (; i < metas.length && messages.length < LOG_PAGE_LIMITS.messages && textBytes < LOG_PAGE_LIMITS.textBytes; i++) {
    const meta = metas[i] as VertexMeta;
    const record = read.has(meta.key) ? read.get(meta.key) : rt.tables.logRecord(meta.id);
    if (record === undefined) continue;
    // Only valid content is logged with a record.
    const content = decodeMessageContent(rt.sealer.open('group-log', meta.id, record));
    if (!content.ok) continue;
    messages.push({ vertexId: meta.key, author: meta.author, lamport: meta.lamport, sentAt: content.value.at, text: content.value.text, own: meta.author === rt.selfHex });
    textBytes += Buffer.byteLength(content.value.text);
  }
  const last = metas[i - 1];
  const next = i < metas.length && last !== undefined ? `${last.lamport}:${last.key}` : undefined;
  return { messages, frontier, ...(next === undefined ? {} : { next }) };
}

const LOG_CURSOR = /^(\d{1,15}):([0-9a-f]{64})$/;
const VERTEX_KEY = /^[0-9a-f]{64}$/;

/** The position a cursor (`lamport:vertex id`, a page's `next`) names; a malformed one is refused, not guessed at. */
function cursorOf(cursor: string | undefined): { lamport: number; key: string } | undefined {
  if (cursor === undefined) return undefined;
  const m = LOG_CURSOR.exec(cursor);
  if (m === null) throw new NodeGroupError('ERR_LOG_WINDOW', `a log cursor is "lamport:vertex id" (64 hex digits), got "${cursor.slice(0, 80)}"`);
  return { lamport: Number(m[1]), key: m[2] as string };
}

/**
 * What a page may hold. Text counts its UTF-8 bytes; a page stops after the message that reaches
 * the byte budget, so the largest message (60,000 bytes) still gets a page of its own and the
 * JSON of a page stays far below the control socket's 32 MiB.
 */
export const LOG_PAGE_LIMITS = Object.freeze({ messages: 1_000, textBytes: 4 * 1024 * 1024 });

/** Which messages a page is asked for (see `readLogPage`). */
export interface LogWindow {
  /** Only messages after this cursor (a page's `next`, `lamport:vertex id`; exclusive). */
  readonly after?: string;
  /** Only the last this many messages (then the page goes on from the first of them). */
  readonly last?: number;
  /** Only messages on vertices outside the past of this frontier (hex vertex ids). */
  readonly since?: readonly string[];
}

export interface LogPage {
  readonly messages: LoggedMessage[];
  /** The group topic's frontier when the page was read: pass it as `since` to ask what came after. */
  readonly frontier: string[];
  /** Present when the log goes on past this page: ask again with this as the cursor (`lamport:vertex id`). */
  readonly next?: string;
}
