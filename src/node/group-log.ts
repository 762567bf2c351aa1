import { fromHex, toHex } from '../crypto/index.ts';
import type { DecodedVertex } from '../dag/index.ts';
import type { GroupLogRecord } from '../store/index.ts';
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
  const rows = new Map(rt.tables.logOf(entry.topic).map((r) => [toHex(r.vertexId), r]));
  const out: LoggedMessage[] = [];
  for (const meta of rt.ingester.dag.topologicalOrder(entry.topic)) {
    const record = rows.get(meta.key)?.record;
    if (record === undefined) continue;
    const content = decodeMessageContent(rt.sealer.open('group-log', meta.id, record));
    if (!content.ok) continue; // only valid content is logged with a record
    out.push({ vertexId: meta.key, author: meta.author, lamport: meta.lamport, sentAt: content.value.at, text: content.value.text, own: meta.author === rt.selfHex });
  }
  return out;
}
