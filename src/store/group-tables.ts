import type Database from 'better-sqlite3';
import { toHex } from '../crypto/index.ts';
import { StoreError } from './errors.ts';
import { blobCopy, blobView, type Row } from './row-blobs.ts';
import { writeTransaction } from './write-transaction.ts';

/*
 * The group tables (schema v3): a member's state per group, the log of handled group and
 * rendezvous vertices, own messages awaiting their vertex, issued invites and pending joins. The
 * store treats every secret column as opaque bytes: the node seals them (src/node/storage-key.ts)
 * before they get here.
 */

export interface GroupRecord {
  readonly groupId: Uint8Array;
  readonly topic: Uint8Array;
  /** Sealed group secret ‖ genesis id. */
  readonly descriptor: Uint8Array;
  /** Sealed member secrets. */
  readonly secrets: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  readonly updatedAt: number;
}

export interface GroupLogRecord {
  readonly vertexId: Uint8Array;
  readonly topic: Uint8Array;
  /** The outcome: a ProcessOutcome status, or a rendezvous outcome ('join-accepted', 'join-refused', …). */
  readonly status: string;
  readonly reason: string | undefined;
  readonly detail: string | undefined;
  /** Sealed message content, for readable messages only. */
  readonly record: Uint8Array | undefined;
}

export interface PendingMessageRecord {
  readonly nonce: Uint8Array;
  readonly groupId: Uint8Array;
  /** Sealed message content. */
  readonly content: Uint8Array;
  readonly createdAt: number;
}

export interface InviteRecord {
  readonly inviteId: Uint8Array;
  readonly groupId: Uint8Array;
  readonly topic: Uint8Array;
  /** Sealed one-time invite secret. */
  readonly secret: Uint8Array;
  /** Unix seconds. */
  readonly expiresAt: number;
  readonly usedBy: Uint8Array | undefined;
  readonly requestId: Uint8Array | undefined;
  readonly welcomeId: Uint8Array | undefined;
  readonly createdAt: number;
}

export interface JoinRecord {
  readonly topic: Uint8Array;
  /** Sealed join ML-KEM seed ‖ invite code. */
  readonly invite: Uint8Array;
  readonly createdAt: number;
}

const optional = (v: unknown): Uint8Array | undefined => (v === null || v === undefined ? undefined : blobCopy(v));
const optionalText = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function groupOf(r: Row): GroupRecord {
  return {
    groupId: blobCopy(r['group_id']),
    topic: blobCopy(r['topic']),
    descriptor: blobCopy(r['descriptor']),
    secrets: blobCopy(r['secrets']),
    updatedAt: r['updated_at'] as number,
  };
}

export class GroupTables {
  readonly #db: Database.Database;
  readonly #stmt: ReturnType<typeof prepare>;
  /** Whether the store holds a vertex: a log row may only name a stored one. */
  readonly #isStored: (id: Uint8Array) => boolean;

  constructor(db: Database.Database, isStored: (id: Uint8Array) => boolean) {
    this.#db = db;
    this.#stmt = prepare(db);
    this.#isStored = isStored;
  }

  /**
   * Runs `work` in one transaction (nested calls become savepoints): everything it writes is
   * durable together when this returns, and nothing of it is stored if it throws.
   */
  transaction<T>(work: () => T): T {
    return writeTransaction(this.#db, 'writing group state', work);
  }

  groups(): GroupRecord[] {
    return (this.#stmt.allGroups.all() as Row[]).map(groupOf);
  }

  group(groupId: Uint8Array): GroupRecord | undefined {
    const r = this.#stmt.oneGroup.get(groupId) as Row | undefined;
    return r === undefined ? undefined : groupOf(r);
  }

  putGroup(g: GroupRecord): void {
    this.#stmt.putGroup.run(g.groupId, g.topic, g.descriptor, g.secrets, g.updatedAt);
  }

  putSecrets(groupId: Uint8Array, secrets: Uint8Array, updatedAt: number): void {
    const info = this.#stmt.putSecrets.run(secrets, updatedAt, groupId);
    if (info.changes !== 1) throw new StoreError('ERR_STORE_NO_GROUP', `no group ${toHex(groupId)} to update`);
  }

  /** Ids (hex) of the handled vertices of a topic. */
  loggedIds(topic: Uint8Array): Set<string> {
    return new Set((this.#stmt.logIds.all(topic) as unknown[]).map((id) => toHex(blobView(id))));
  }

  /** How many handled vertices of a topic have each status and reason (the records are not read). */
  logCounts(topic: Uint8Array): { readonly status: string; readonly reason: string | undefined; readonly count: number }[] {
    return (this.#stmt.logCounts.all(topic) as Row[]).map((r) => ({ status: r['status'] as string, reason: optionalText(r['reason']), count: r['n'] as number }));
  }

  /** Handled vertices of a topic, in no particular order. */
  logOf(topic: Uint8Array): GroupLogRecord[] {
    return (this.#stmt.logOf.all(topic) as Row[]).map((r) => ({
      vertexId: blobCopy(r['vertex_id']),
      topic: blobCopy(r['topic']),
      status: r['status'] as string,
      reason: optionalText(r['reason']),
      detail: optionalText(r['detail']),
      record: optional(r['record']),
    }));
  }

  /** The sealed record of one handled vertex: undefined if it is not handled or holds no message. */
  logRecord(vertexId: Uint8Array): Uint8Array | undefined {
    return optional(this.#stmt.logRecord.get(vertexId));
  }

  /** Adds or replaces log rows, each naming a stored vertex (else `ERR_STORE_NO_VERTEX`, nothing written). */
  putLog(rows: readonly GroupLogRecord[]): void {
    for (const r of rows) {
      if (!this.#isStored(r.vertexId)) throw new StoreError('ERR_STORE_NO_VERTEX', `group log row names vertex ${toHex(r.vertexId)}, which is not stored`);
    }
    for (const r of rows) this.#stmt.putLog.run(r.vertexId, r.topic, r.status, r.reason ?? null, r.detail ?? null, r.record ?? null);
  }

  pending(nonce: Uint8Array): PendingMessageRecord | undefined {
    const r = this.#stmt.getPending.get(nonce) as Row | undefined;
    if (r === undefined) return undefined;
    return { nonce: blobCopy(r['nonce']), groupId: blobCopy(r['group_id']), content: blobCopy(r['content']), createdAt: r['created_at'] as number };
  }

  putPending(p: PendingMessageRecord): void {
    this.#stmt.putPending.run(p.nonce, p.groupId, p.content, p.createdAt);
  }

  deletePending(nonce: Uint8Array): void {
    this.#stmt.deletePending.run(nonce);
  }

  invites(): InviteRecord[] {
    return (this.#stmt.allInvites.all() as Row[]).map((r) => ({
      inviteId: blobCopy(r['invite_id']),
      groupId: blobCopy(r['group_id']),
      topic: blobCopy(r['topic']),
      secret: blobCopy(r['secret']),
      expiresAt: r['expires_at'] as number,
      usedBy: optional(r['used_by']),
      requestId: optional(r['request_id']),
      welcomeId: optional(r['welcome_id']),
      createdAt: r['created_at'] as number,
    }));
  }

  putInvite(i: InviteRecord): void {
    this.#stmt.putInvite.run(i.inviteId, i.groupId, i.topic, i.secret, i.expiresAt, i.usedBy ?? null, i.requestId ?? null, i.welcomeId ?? null, i.createdAt);
  }

  /** Marks an invite used by `member` (through its request vertex); false when it was already used. */
  markInviteUsed(inviteId: Uint8Array, member: Uint8Array, requestId: Uint8Array): boolean {
    return this.#stmt.markUsed.run(member, requestId, inviteId).changes === 1;
  }

  setInviteWelcome(inviteId: Uint8Array, welcomeId: Uint8Array): void {
    this.#stmt.setWelcome.run(welcomeId, inviteId);
  }

  joins(): JoinRecord[] {
    return (this.#stmt.allJoins.all() as Row[]).map((r) => ({ topic: blobCopy(r['topic']), invite: blobCopy(r['invite']), createdAt: r['created_at'] as number }));
  }

  putJoin(j: JoinRecord): void {
    this.#stmt.putJoin.run(j.topic, j.invite, j.createdAt);
  }

  deleteJoin(topic: Uint8Array): void {
    this.#stmt.deleteJoin.run(topic);
  }
}

function prepare(db: Database.Database) {
  const inviteColumns = 'invite_id, group_id, topic, secret, expires_at, used_by, request_id, welcome_id, created_at';
  return {
    allGroups: db.prepare('SELECT group_id, topic, descriptor, secrets, updated_at FROM groups ORDER BY group_id'),
    oneGroup: db.prepare('SELECT group_id, topic, descriptor, secrets, updated_at FROM groups WHERE group_id = ?'),
    putGroup: db.prepare('INSERT OR REPLACE INTO groups (group_id, topic, descriptor, secrets, updated_at) VALUES (?, ?, ?, ?, ?)'),
    putSecrets: db.prepare('UPDATE groups SET secrets = ?, updated_at = ? WHERE group_id = ?'),
    logIds: db.prepare('SELECT vertex_id FROM group_log WHERE topic = ?').pluck(),
    logOf: db.prepare('SELECT vertex_id, topic, status, reason, detail, record FROM group_log WHERE topic = ?'),
    logRecord: db.prepare('SELECT record FROM group_log WHERE vertex_id = ?').pluck(),
    logCounts: db.prepare('SELECT status, reason, count(*) AS n FROM group_log WHERE topic = ? GROUP BY status, reason'),
    putLog: db.prepare('INSERT OR REPLACE INTO group_log (vertex_id, topic, status, reason, detail, record) VALUES (?, ?, ?, ?, ?, ?)'),
    getPending: db.prepare('SELECT nonce, group_id, content, created_at FROM group_pending WHERE nonce = ?'),
    putPending: db.prepare('INSERT OR REPLACE INTO group_pending (nonce, group_id, content, created_at) VALUES (?, ?, ?, ?)'),
    deletePending: db.prepare('DELETE FROM group_pending WHERE nonce = ?'),
    allInvites: db.prepare(`SELECT ${inviteColumns} FROM group_invites ORDER BY created_at, invite_id`),
    putInvite: db.prepare(`INSERT OR REPLACE INTO group_invites (${inviteColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    markUsed: db.prepare('UPDATE group_invites SET used_by = ?, request_id = ? WHERE invite_id = ? AND used_by IS NULL'),
    setWelcome: db.prepare('UPDATE group_invites SET welcome_id = ? WHERE invite_id = ?'),
    allJoins: db.prepare('SELECT topic, invite, created_at FROM group_joins ORDER BY created_at, topic'),
    putJoin: db.prepare('INSERT OR REPLACE INTO group_joins (topic, invite, created_at) VALUES (?, ?, ?)'),
    deleteJoin: db.prepare('DELETE FROM group_joins WHERE topic = ?'),
  };
}
