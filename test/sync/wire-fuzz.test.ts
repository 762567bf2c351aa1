import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, REFUSED_FRAME_CODES, SyncSession, type SyncFailureCode, type SyncStep } from '../../src/sync/index.ts';
import { prng } from '../support/fixtures.ts';
import { grow, hash, nodePair, randomSource, simAuthor, topic, type TestNode } from './sync-fixtures.ts';

const authors = [simAuthor(1), simAuthor(2), simAuthor(3)];
const T = topic(20);
const U = topic(21);

const FAILURE_CODES = new Set<SyncFailureCode>([...REFUSED_FRAME_CODES, 'peer-error', 'peer-unsupported-version']);

interface Sent {
  readonly toResponder: boolean;
  readonly frame: Uint8Array;
}

/** Two diverged replicas (so every record type appears), and their conversation, not ingested. */
function setting(): { a: TestNode; b: TestNode; log: Sent[] } {
  const [a, b] = nodePair({ member: [T, U], keys: authors });
  const extra = simAuthor(9);
  b.addKey(extra.key);
  grow([a, b], { topic: T, count: 150, authors, seed: 41 });
  grow([a], { topic: T, count: 20, authors, seed: 42 });
  grow([b], { topic: T, count: 20, authors: [...authors, extra], seed: 43 });
  grow([b], { topic: U, count: 15, authors, seed: 44 });
  const log: Sent[] = [];
  const [init, resp] = sessions(a, b);
  let inbox = init.start().map((frame) => ({ toResponder: true, frame }));
  while (inbox.length > 0) {
    const next: Sent[] = [];
    for (const m of inbox) {
      log.push(m);
      const step = (m.toResponder ? resp : init).receive(m.frame);
      assert.equal(step.error, undefined);
      for (const frame of step.send) next.push({ toResponder: !m.toResponder, frame });
    }
    inbox = next;
  }
  return { a, b, log };
}

function sessions(a: TestNode, b: TestNode): [SyncSession, SyncSession] {
  const init = SyncSession.initiate({ replica: a.replica, hash, random: randomSource(1), mode: { kind: 'topics', topics: [T, U] }, tuning: { frameBytes: 262_144 } });
  const resp = SyncSession.respond({ replica: b.replica, hash, random: randomSource(2), tuning: { frameBytes: 262_144 } });
  resp.start();
  return [init, resp];
}

/** A fresh session of the receiving side, fed everything that side received before frame `k`. */
function replay(a: TestNode, b: TestNode, log: readonly Sent[], k: number): SyncSession {
  const [init, resp] = sessions(a, b);
  init.start();
  const target = (log[k] as Sent).toResponder;
  for (let i = 0; i < k; i++) {
    const m = log[i] as Sent;
    if (m.toResponder === target) (target ? resp : init).receive(m.frame);
  }
  return target ? resp : init;
}

function mutate(frame: Uint8Array, r: () => number, other: Uint8Array): Uint8Array {
  const at = Math.floor(r() * frame.length);
  const out = Uint8Array.from(frame);
  switch (Math.floor(r() * 8)) {
    case 0:
      out[at] = (out[at] as number) ^ (1 << Math.floor(r() * 8));
      return out;
    case 1:
      return frame.slice(0, at);
    case 2:
      out[at] = Math.floor(r() * 256);
      return out;
    case 3:
      return Uint8Array.from([...frame.subarray(0, at), Math.floor(r() * 256), ...frame.subarray(at)]);
    case 4:
      return Uint8Array.from([...frame.subarray(0, at), ...frame.subarray(at + 1)]);
    case 5:
      out[at] = 0xff;
      if (at + 1 < out.length) out[at + 1] = 0xff;
      return out;
    case 6:
      return Uint8Array.from([...frame.subarray(0, at), ...other.subarray(Math.floor(r() * other.length))]);
    default:
      return Uint8Array.from([...frame, ...frame.subarray(at, at + 1 + Math.floor(r() * 64))]);
  }
}

test('fuzz: thousands of mutated valid frames give a typed failure or a valid step, never a throw', () => {
  const { a, b, log } = setting();
  assert.ok(log.length >= 4, `conversation of ${log.length} frames`);
  const r = prng(7);
  const sizes = [a.dag.size, b.dag.size];
  const seen = new Map<string, number>();
  let runs = 0;
  for (let k = 0; k < log.length; k++) {
    const frame = (log[k] as Sent).frame;
    const perFrame = Math.ceil(2400 / log.length);
    for (let j = 0; j < perFrame; j++) {
      const session = replay(a, b, log, k);
      const bad = mutate(frame, r, (log[Math.floor(r() * log.length)] as Sent).frame);
      let step: SyncStep | undefined;
      assert.doesNotThrow(() => {
        step = session.receive(bad);
      });
      runs++;
      const s = step as SyncStep;
      const code = s.error?.code ?? 'accepted';
      seen.set(code, (seen.get(code) ?? 0) + 1);
      if (s.error !== undefined) {
        assert.ok(FAILURE_CODES.has(s.error.code), `unexpected code ${s.error.code}`);
        assert.ok(s.done && session.done, 'a failure closes the session');
        assert.equal(s.vertices.length + s.keys.length, 0, 'nothing from a refused frame reaches the host');
        for (const f of s.send) {
          const d = decodeFrame(f);
          assert.ok(d.ok && d.frame.kind === 'error', 'the peer is told with an ERROR frame');
        }
        assert.equal(session.receive(frame).error?.code, 'closed');
      } else {
        // Accepted (the mutation kept the frame well-formed): the rest of the conversation,
        // now out of step with this session's state, still gives only typed outcomes.
        for (let i = k + 1; i < log.length && !session.done; i++) {
          const m = log[i] as Sent;
          if (m.toResponder !== (log[k] as Sent).toResponder) continue;
          const later = session.receive(m.frame);
          if (later.error !== undefined) assert.ok(FAILURE_CODES.has(later.error.code), `unexpected code ${later.error.code}`);
        }
      }
    }
  }
  // The session never writes to the replica.
  assert.deepEqual([a.dag.size, b.dag.size], sizes);
  assert.ok(runs >= 2400);
  assert.ok((seen.get('truncated') ?? 0) > 0 && (seen.get('malformed') ?? 0) > 0, JSON.stringify([...seen]));
});
