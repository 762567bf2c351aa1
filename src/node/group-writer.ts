import { equalBytes, fromHex, toHex } from '../crypto/index.ts';
import type { DecodedVertex } from '../dag/index.ts';
import { envelopeNonce, type Prepared, type WriteIntent } from '../group/index.ts';
import { NodeGroupError } from './group-errors.ts';
import { catchUp } from './group-log.ts';
import { openGroupRecord, sealSecrets, type GroupEntry, type GroupRuntime } from './group-runtime.ts';

/** Most vertices one write may need (key rotation and epoch slots come first, then the intent). */
const MAX_WRITE_STEPS = 100;

/**
 * This member's writes to its groups. Each payload is prepared on the exact parents its vertex
 * gets (`Ingester.appendWith`); the advanced secrets, and an own message's content, are persisted
 * before the vertex is appended, so a crash after the append loses neither. If an append fails
 * before its vertex exists, the secrets go back to what they were: a slot whose vertex never
 * existed must not advance the pair-key chain.
 */
export class GroupWriter {
  readonly #rt: GroupRuntime;
  readonly #warn: (message: string) => void;
  /** Nonces of own group vertices processed: tells a failed write whether its vertex exists. */
  readonly #ownSeen = new Set<string>();

  constructor(rt: GroupRuntime, warn: (message: string) => void) {
    this.#rt = rt;
    this.#warn = warn;
  }

  /** Called for every group vertex processed: own ones are noted. */
  noteProcessed(vertex: DecodedVertex): void {
    if (equalBytes(vertex.author, this.#rt.self)) this.#ownSeen.add(envelopeNonce(vertex.payload));
  }

  /** Writes an intent with whatever prerequisite vertices it needs; resolves with the last vertex, durable and processed. */
  async write(entry: GroupEntry, intent: WriteIntent): Promise<DecodedVertex> {
    const rt = this.#rt;
    for (let step = 0; step < MAX_WRITE_STEPS; step++) {
      let before: Uint8Array | undefined;
      let prepared: Prepared | undefined;
      let persisted = false;
      let vertex: DecodedVertex;
      try {
        vertex = await rt.ingester.appendWith(
          entry.topic,
          (parents) => {
            before = entry.group.secrets.encode();
            const p = entry.group.prepare(parents.map(toHex), intent);
            prepared = p;
            rt.tables.transaction(() => {
              rt.tables.putSecrets(entry.id, sealSecrets(rt, entry.id, entry.group.secrets), rt.now());
              if (p.kind === 'message' && intent.kind === 'message') {
                const nonce = fromHex(p.nonce);
                rt.tables.putPending({ nonce, groupId: entry.id, content: rt.sealer.seal('group-pending', nonce, intent.content), createdAt: rt.now() });
              }
            });
            persisted = true;
            return p.payload;
          },
          rt.signer,
        );
      } catch (error) {
        const stored = prepared !== undefined && this.#ownSeen.delete(prepared.nonce);
        if (before !== undefined && !stored) this.#restore(entry, before, prepared, persisted);
        // The group layer speaks of "this member"; the person at the keyboard is that member.
        if ((error as { code?: unknown }).code === 'ERR_NOT_A_MEMBER') {
          throw new NodeGroupError('ERR_NOT_A_MEMBER', `you are no longer a member of "${entry.group.name}" (you left or were removed), so you cannot write to it; what you received until then stays readable`, { cause: error });
        }
        throw error;
      }
      // Assigned inside the callback, which TypeScript's flow analysis does not follow.
      const done = prepared as Prepared | undefined;
      this.#ownSeen.delete(done?.nonce ?? '');
      if (done?.done !== false) return vertex;
    }
    throw new NodeGroupError('ERR_GROUP_WRITE', `a write needed more than ${MAX_WRITE_STEPS} vertices`);
  }

  /**
   * Puts the secrets from before a failed prepare or append back, in the engine and, when the
   * advanced ones were persisted, on disk. The engine is rebuilt from `before` itself, not from
   * what the store holds: on a full disk the rewrite fails, and the engine must still not keep a
   * pair-key chain advanced by a slot whose vertex never existed (the member it was for could not
   * read this sender's next epoch). When the advanced secrets were never persisted (their own
   * transaction failed, the usual way a full disk shows) the store holds `before` already.
   */
  #restore(entry: GroupEntry, before: Uint8Array, prepared: Prepared | undefined, persisted: boolean): void {
    const rt = this.#rt;
    if (equalBytes(entry.group.secrets.encode(), before)) return; // nothing advanced
    const sealed = sealSecrets(rt, entry.id, before);
    if (persisted) {
      try {
        rt.tables.transaction(() => {
          rt.tables.putSecrets(entry.id, sealed, rt.now());
          if (prepared !== undefined) rt.tables.deletePending(fromHex(prepared.nonce));
        });
      } catch (error) {
        this.#warn(`group ${entry.idHex}: the store keeps the secrets of a write that did not happen until the group's next write (${(error as Error).message})`);
      }
    }
    try {
      const record = rt.tables.group(entry.id);
      if (record !== undefined) {
        entry.group = openGroupRecord(rt, { ...record, secrets: sealed }).group;
        catchUp(rt, entry);
      }
    } catch (error) {
      this.#warn(`restoring the secrets of group ${entry.idHex} after a failed write failed: ${(error as Error).message}`);
    }
  }
}
