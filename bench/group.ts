// Benchmark `group`: the group layer's cost of sealing and opening messages, against raw
// AES-256-GCM of the same padded size measured in the same run, and the cost of membership
// changes that need ML-KEM slots (adding a member, a 100-member key update).
//
//   npm run bench -- group [--members N] [--payload BYTES] [--messages N] [--rounds N]
//                          [--update-members N] [--quick]          (PARS_CRYPTO=native|noble)
//
// seal: `Group.prepare(parents, { kind: 'message' })` of a sender whose epoch is established, in
//   chunks of 100 calls on the sender's newest vertex; the chunk is then signed (ML-DSA-65) and
//   placed as sibling vertices, untimed: that is the node's cost, not the group layer's (printed
//   on stderr). The same prepare in the write path, one per signed vertex, runs with colder
//   caches; stderr shows it against raw AES-GCM timed the same way.
// open: the receiver's `Group.process(vertex)` over those message vertices, timed in chunks;
//   every outcome must be 'message' with the content sent.
// aes: `provider.aes256Gcm.seal` / `open` of one padding bucket, fixed key, fresh (counter)
//   nonce, in chunks alternating with the group's (the limit: seal_ratio = seal / aes seal).
// add_member_ms: an admin adds one member, then writes the epoch slots its next message needs
//   (the message itself excluded); prepare + ML-DSA sign + place + own processing of each vertex.
// update_ms_100_members: one member's `write({ kind: 'update' })` in a 100-member group: key
//   rotation and every rekey vertex, signing included.
// Every figure is the median of the timed rounds, after one warm-up round.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AES_256_GCM, defaultProvider, equalBytes } from '../src/crypto/index.ts';
import { PADDING_BUCKETS, type Group, type Prepared, type ProcessOutcome } from '../src/group/index.ts';
import type { DecodedVertex } from '../src/dag/index.ts';
import { buildGroup, GroupMember, type GroupMemberOptions, type WriteStep } from '../test/support/group-member.ts';
import { median } from './support/median.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '10' },
    payload: { type: 'string', default: '4000' },
    messages: { type: 'string', default: '' },
    rounds: { type: 'string', default: '5' },
    'update-members': { type: 'string', default: '' },
    quick: { type: 'boolean', default: false },
  },
});
const provider = defaultProvider();
// A full collection before each timed phase, so garbage from the untimed setup is not collected inside it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const members = Number(values.members);
const contentBytes = Number(values.payload);
const rounds = Math.max(5, Number(values.rounds));
// Each message vertex gets a real ML-DSA signature (untimed, but ~1 ms native, ~9 ms noble here).
const messages = Number(values.messages || (values.quick ? 200 : provider.name === 'native' ? 1000 : 300));
// --quick shrinks the update group too (noble takes ~0.25 s per 100-member update); the default is 100.
const updateMembers = Number(values['update-members'] || (values.quick ? 30 : 100));
const bucket = PADDING_BUCKETS.find((b) => b >= contentBytes + 4);
if (!Number.isInteger(members) || members < 2) throw new Error('--members must be an integer >= 2');
if (!Number.isInteger(updateMembers) || updateMembers < 2) throw new Error('--update-members must be an integer >= 2');
if (!Number.isInteger(messages) || messages < 1) throw new Error('--messages must be a positive integer');
if (bucket === undefined || !Number.isInteger(contentBytes) || contentBytes < 0) throw new Error(`--payload must be 0-${(PADDING_BUCKETS.at(-1) as number) - 4} bytes`);
console.error(`provider ${provider.name}; ${members} members, ${contentBytes} B content (${bucket} B bucket), ${messages} messages × (1 warm-up + ${rounds}) rounds`);

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const round = (n: number, d = 3): number => Number(n.toFixed(d));
const perSecond = (count: number, ms: number): number => Math.round((count * 1000) / ms);

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

function outcomeOf(outcomes: Map<string, ProcessOutcome>, vertex: DecodedVertex): ProcessOutcome | undefined {
  return outcomes.get(vertex.key);
}

// ---------------------------------------------------------------- seal and open vs raw AES-GCM

const content = provider.randomBytes(contentBytes);
const intent = { kind: 'message', content } as const;
/** Real ML-DSA-65 signatures and the provider's randomness, so timings are honest. */
const memberOptions: GroupMemberOptions = { provider, realSignatures: true };
const { admin: sender, others } = buildGroup(memberOptions, members);
const receiver = others[0] as GroupMember;
receiver.joinFrom(sender);
const first = sender.steps(intent); // the first epoch: slots to everyone, then the message
const firstOutcome = outcomeOf(receiver.receive(first.map((s) => s.vertex)), (first.at(-1) as WriteStep).vertex);
check(firstOutcome?.status === 'message', `receiver reads the first message (got ${JSON.stringify(firstOutcome)})`);

const aesKey = provider.randomBytes(AES_256_GCM.key);
const aesPlain = provider.randomBytes(bucket);
/** Messages per chunk of a round (see `throughputRound`). */
const CHUNK = 100;
let counter = 0;
/** A fresh nonce per call: a 96-bit counter costs nothing, so the limit is AES-GCM alone. */
function nextNonce(): Uint8Array {
  const nonce = new Uint8Array(AES_256_GCM.nonce);
  new DataView(nonce.buffer).setUint32(8, ++counter);
  return nonce;
}

interface ThroughputRound {
  sealMs: number;
  openMs: number;
  aesSealMs: number;
  aesOpenMs: number;
  nodeMs: number;
}

/** The sender's newest vertex: each chunk of messages is prepared on it alone, as the next message of a chain would be. */
let tip = (first.at(-1) as WriteStep).vertex;

/**
 * One round, in chunks that alternate the group's work with raw AES-GCM on the same number of
 * messages, so that noise from the machine falls on both sides alike: sealing first (the sender
 * prepares a chunk of messages on its newest vertex, then signs and places them, untimed), then
 * opening (the receiver processes those vertices).
 */
function throughputRound(): ThroughputRound {
  const x: ThroughputRound = { sealMs: 0, openMs: 0, aesSealMs: 0, aesOpenMs: 0, nodeMs: 0 };
  const group = sender.group as Group;
  const batch: DecodedVertex[] = [];
  const nonces: Uint8Array[] = [];
  const sealed: Uint8Array[] = [];
  gc();
  for (let start = 0; start < messages; start += CHUNK) {
    const end = Math.min(messages, start + CHUNK);
    const parentKeys = [tip.key];
    const prepared: Prepared[] = [];
    let t = performance.now();
    for (let i = start; i < end; i++) prepared.push(group.prepare(parentKeys, intent));
    x.sealMs += performance.now() - t;
    for (let i = start; i < end; i++) nonces.push(nextNonce());
    t = performance.now();
    for (let i = start; i < end; i++) sealed.push(provider.aes256Gcm.seal(aesKey, nonces[i] as Uint8Array, aesPlain));
    x.aesSealMs += performance.now() - t;
    t = performance.now();
    const parents = [tip];
    for (const p of prepared) {
      check(p.kind === 'message' && p.done, 'an established epoch prepares the message alone');
      batch.push(sender.placeOn(parents, p.payload));
    }
    x.nodeMs += performance.now() - t;
    tip = batch.at(-1) as DecodedVertex;
  }
  gc();
  const outcomes: ProcessOutcome[] = [];
  let opened = 0;
  for (let start = 0; start < messages; start += CHUNK) {
    const end = Math.min(messages, start + CHUNK);
    x.openMs += receiver.processTimed(batch.slice(start, end), outcomes);
    const t = performance.now();
    for (let i = start; i < end; i++) if (provider.aes256Gcm.open(aesKey, nonces[i] as Uint8Array, sealed[i] as Uint8Array) !== undefined) opened++;
    x.aesOpenMs += performance.now() - t;
  }
  check(opened === messages, 'raw AES-GCM opens what it sealed');
  for (const o of outcomes) check(o.status === 'message' && o.content.length === contentBytes, `receiver decrypts every message (got ${o.status})`);
  const last = outcomes.at(-1);
  check(last?.status === 'message' && equalBytes(last.content, content), 'the content read is the content sent');
  return x;
}

const throughput: ThroughputRound[] = [];
for (let r = 0; r <= rounds; r++) {
  const x = throughputRound();
  const label = r === 0 ? 'warm-up' : `round ${r}`;
  console.error(
    `${label}: seal ${perSecond(messages, x.sealMs)}/s, open ${perSecond(messages, x.openMs)}/s, ` +
      `aes seal ${perSecond(messages, x.aesSealMs)}/s, aes open ${perSecond(messages, x.aesOpenMs)}/s`,
  );
  if (r > 0) throughput.push(x);
}
const sealPerS = perSecond(messages, median(throughput.map((x) => x.sealMs)));
const openPerS = perSecond(messages, median(throughput.map((x) => x.openMs)));
const aesSealPerS = perSecond(messages, median(throughput.map((x) => x.aesSealMs)));
const aesOpenPerS = perSecond(messages, median(throughput.map((x) => x.aesOpenMs)));
console.error(
  `seal counts Group.prepare only; signing and placing each message vertex (ML-DSA-65, untimed) took ` +
    `${(median(throughput.map((x) => x.nodeMs)) / messages).toFixed(3)} ms more per message, outside the figure`,
);

// In the write path each message vertex is signed (about a millisecond of other work) before the
// next prepare, which then runs with colder caches; raw AES-GCM right after a signature slows
// down alike. Measured on a group of its own, commentary only.
function writePath(count: number): { sealMs: number; aesMs: number } {
  const out = { sealMs: 0, aesMs: 0 };
  for (let i = 0; i < count; i++) {
    const steps = writer.steps(intent);
    check(steps.length === 1, 'an established epoch writes the message alone');
    out.sealMs += (steps[0] as WriteStep).prepareMs;
    const nonce = nextNonce();
    const t = performance.now();
    provider.aes256Gcm.seal(aesKey, nonce, aesPlain);
    out.aesMs += performance.now() - t;
  }
  return out;
}
const writer = buildGroup(memberOptions, members).admin;
writer.steps(intent);
writePath(Math.min(messages, 2 * CHUNK));
const inWrite = writePath(messages);
console.error(
  `in the write path (one prepare per signed vertex, ${messages} messages): seal ${perSecond(messages, inWrite.sealMs)}/s, ` +
    `aes seal ${perSecond(messages, inWrite.aesMs)}/s timed the same way, ratio ${(inWrite.aesMs / inWrite.sealMs).toFixed(3)}`,
);

// ---------------------------------------------------------------- adding a member

const addGroup = buildGroup(memberOptions, members).admin;
addGroup.steps(intent);
const addMs: number[] = [];
let addVertices = 0;
for (let r = 0; r <= rounds; r++) {
  const newcomer = new GroupMember('newcomer', memberOptions);
  const added = addGroup.steps({ kind: 'ops', ops: [addGroup.addOp(newcomer)] });
  const next = addGroup.steps(intent);
  const prerequisites = next.filter((s) => s.kind === 'control');
  const ms = sum(added.map((s) => s.totalMs)) + sum(prerequisites.map((s) => s.totalMs));
  // Untimed: the newcomer receives the DAG and must read the message, then leaves again so every
  // round starts from a group of `members`.
  const message = next.at(-1) as WriteStep;
  const read = outcomeOf(newcomer.joinFrom(addGroup), message.vertex);
  check(message.kind === 'message' && read?.status === 'message' && equalBytes(read.content, content), `the new member reads the next message (got ${read?.status})`);
  addGroup.write({ kind: 'ops', ops: [{ o: 'remove', member: newcomer.author }] });
  addGroup.steps(intent);
  console.error(`${r === 0 ? 'warm-up' : `round ${r}`}: add member ${ms.toFixed(1)} ms (${added.length} + ${prerequisites.length} vertices)`);
  if (r > 0) {
    addMs.push(ms);
    addVertices = added.length + prerequisites.length;
  }
}

// ---------------------------------------------------------------- key update in a large group

let t0 = performance.now();
const big = buildGroup(memberOptions, updateMembers);
const updater = big.others[0] as GroupMember;
updater.joinFrom(big.admin);
console.error(`built a ${updateMembers}-member group in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const updateMs: number[] = [];
let updateVertices = 0;
for (let r = 0; r <= rounds; r++) {
  t0 = performance.now();
  const steps = updater.steps({ kind: 'update' });
  const ms = performance.now() - t0;
  // The warm-up is every slot's first contact (one encapsulation); later slots are chained to a pair key (key generation and two).
  const label = r === 0 ? 'warm-up (first contact)' : `round ${r}`;
  console.error(`${label}: update ${ms.toFixed(1)} ms (${steps.length} vertices; signing, placing and own processing ${sum(steps.map((s) => s.totalMs - s.prepareMs)).toFixed(1)} ms of it)`);
  if (r > 0) {
    updateMs.push(ms);
    updateVertices = steps.length;
  }
}
// Untimed: another member reads the updater's first message of its latest epoch.
const reader = big.others[1] as GroupMember;
reader.joinFrom(big.admin, updater);
const after = updater.steps(intent);
check(after.length === 1, 'the update left a complete epoch');
const afterRead = outcomeOf(reader.receive(after.map((s) => s.vertex)), (after[0] as WriteStep).vertex);
check(afterRead?.status === 'message', `a member reads the message after the updates (got ${afterRead?.status})`);
if (updateMembers !== 100) console.error(`note: update_ms_100_members was measured with ${updateMembers} members (--quick or --update-members)`);

const sealRatio = sealPerS / aesSealPerS;
const openRatio = openPerS / aesOpenPerS;
console.log(
  JSON.stringify({
    bench: 'group',
    members,
    seal_per_s: sealPerS,
    open_per_s: openPerS,
    add_member_ms: round(median(addMs), 2),
    update_ms_100_members: round(median(updateMs), 2),
    aes_gcm_limit_per_s: aesSealPerS,
    provider: provider.name,
    payload_bytes: bucket,
    aes_seal_per_s: aesSealPerS,
    aes_open_per_s: aesOpenPerS,
    seal_ratio: round(sealRatio),
    open_ratio: round(openRatio),
    target_ratio: 0.5,
    ok: sealRatio >= 0.5 && openRatio >= 0.5,
    add_member_vertices: addVertices,
    update_members: updateMembers,
    update_vertices: updateVertices,
  }),
);
