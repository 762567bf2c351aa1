import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import { createVertex, Dag, decodeWithId, idKey, type DecodedVertex } from '../../src/dag/index.ts';
import { Ingester, VerifyPool, type IngestReport } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { fastProvider, makeAuthor, prng, provider, randomDag, topicOf } from '../support/fixtures.ts';
import { pack, packBufferSize, PACK_ROUNDING } from '../../src/node/verify-protocol.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
let n = 0;
const authors = [1, 2, 3, 4, 5].map((i) => makeAuthor(i));
const vertices = randomDag({ vertices: 300, authors, topics: 2, seed: 21 });

function open(workers = 2): { ingester: Ingester; path: string } {
  const path = join(dir, `node-${n++}.sqlite`);
  const ingester = new Ingester({ provider, store: SqliteStore.open(path), workers });
  for (const a of authors) ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  return { ingester, path };
}

function frontiersOf(dag: Dag): Record<string, string[]> {
  return Object.fromEntries(dag.topics().map((t) => [t, dag.frontier(t).map(toHex)]));
}

const reference = new Dag();
for (const v of vertices) reference.add(v);

test('verify pool: verdicts come back in input order whatever the worker count', async () => {
  const bad = Uint8Array.from(vertices[5]?.bytes as Uint8Array);
  bad[200] = (bad[200] as number) ^ 1;
  const items = [...vertices.slice(0, 40).map((v) => v.bytes), bad, Uint8Array.of(1, 2, 3)];
  const results: string[][] = [];
  for (const workers of [1, 2, 3]) {
    const pool = new VerifyPool({ provider, workers });
    pool.addKeys(authors.map((a) => ({ algorithm: 'ml-dsa-65', publicKey: a.publicKey })));
    const verdicts = await pool.verify(items);
    await pool.close();
    results.push(verdicts.map((v) => (v.ok ? v.vertex.key : v.reason)));
    // Accepted vertices come back whole, rebuilt from the workers' layouts: equal to a fresh decode.
    for (const [i, v] of verdicts.entries()) {
      if (!v.ok) continue;
      const fresh = decodeWithId(items[i] as Uint8Array, provider.sha3_256(items[i] as Uint8Array));
      assert.ok(fresh.ok);
      assert.deepStrictEqual(v.vertex, fresh.vertex);
      assert.equal(idKey(v.vertex.id), v.vertex.key);
    }
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  assert.deepEqual(results[0]?.slice(0, 40), vertices.slice(0, 40).map((v) => v.key));
  assert.deepEqual(results[0]?.slice(40), ['bad-signature', 'malformed']);
});

test('verify pool: batches packed into reused buffers (longer than the batch, holding older bytes) get the same verdicts', async () => {
  const pool = new VerifyPool({ provider, workers: 2 });
  pool.addKeys(authors.map((a) => ({ algorithm: 'ml-dsa-65', publicKey: a.publicKey })));
  const bad = Uint8Array.from(vertices[7]?.bytes as Uint8Array);
  bad[300] = (bad[300] as number) ^ 1;
  const batches = [vertices.slice(0, 60).map((v) => v.bytes), [vertices[60]?.bytes as Uint8Array, bad], vertices.slice(61, 64).map((v) => v.bytes), [Uint8Array.of(0xa7)]];
  const expected = [vertices.slice(0, 60).map((v) => v.key), [vertices[60]?.key, 'bad-signature'], vertices.slice(61, 64).map((v) => v.key), ['truncated']];
  for (let round = 0; round < 3; round++) {
    for (const [i, batch] of batches.entries()) {
      const verdicts = await pool.verify(batch);
      assert.deepEqual(verdicts.map((v) => (v.ok ? v.vertex.key : v.reason)), expected[i], `round ${round}, batch ${i}`);
    }
  }
  await pool.close();
});

test('verify pool: a small batch gets a small pack buffer, a large one whole steps of PACK_ROUNDING', () => {
  // One pushed vertex took a quarter-megabyte buffer, a fresh mapping per vertex.
  assert.equal(packBufferSize(4_500), 8 * 1024);
  assert.equal(packBufferSize(8 * 1024 + 1), 16 * 1024);
  assert.equal(packBufferSize(PACK_ROUNDING / 2), PACK_ROUNDING / 2);
  assert.equal(packBufferSize(PACK_ROUNDING / 2 + 1), PACK_ROUNDING);
  assert.equal(packBufferSize(5 * PACK_ROUNDING + 1), 6 * PACK_ROUNDING);
  const { bytes, offsets } = pack([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
  assert.equal(bytes.byteLength, 8 * 1024);
  assert.deepEqual([...offsets], [0, 3, 4]);
});

test('ingest in causal order: all stored durably, frontiers equal the reference, reopen gives the same', async () => {
  const { ingester, path } = open();
  let stored = 0;
  for (let i = 0; i < vertices.length; i += 64) {
    const r = await ingester.ingest(vertices.slice(i, i + 64).map((v) => v.bytes), 'peer');
    stored += r.stored.length;
    assert.equal(r.rejected.length, 0);
  }
  assert.equal(stored, vertices.length);
  assert.deepEqual(frontiersOf(ingester.dag), frontiersOf(reference));
  await ingester.close();
  ingester.store.close();
  const reopened = SqliteStore.open(path);
  assert.equal(reopened.vertexCount, vertices.length);
  assert.deepEqual(frontiersOf(reopened.loadDag()), frontiersOf(reference));
  assert.ok(reopened.checkIntegrity((d) => provider.sha3_256(d)).ok);
  reopened.close();
});

test('out of order with duplicates and overlapping calls: waiting vertices are reported, then released and stored', async () => {
  const { ingester } = open();
  const rand = prng(3);
  const shuffled = [...vertices].sort(() => rand() - 0.5);
  const calls: Promise<Awaited<ReturnType<Ingester['ingest']>>>[] = [];
  for (let i = 0; i < shuffled.length; i += 50) calls.push(ingester.ingest(shuffled.slice(i, i + 50).map((v) => v.bytes), `peer${i % 3}`));
  calls.push(ingester.ingest(shuffled.slice(0, 30).map((v) => v.bytes)));
  const reports = await Promise.all(calls);
  const stored = reports.flatMap((r) => r.stored.map((v) => v.key));
  assert.equal(new Set(stored).size, vertices.length);
  assert.equal(stored.length, vertices.length, 'each vertex acknowledged once');
  assert.ok(reports.some((r) => r.quarantined > 0 && r.missing.length > 0), 'out-of-order delivery must quarantine some');
  assert.equal(reports.at(-1)?.duplicates, 30);
  assert.equal(ingester.dag.quarantine.size, 0);
  assert.deepEqual(frontiersOf(ingester.dag), frontiersOf(reference));
  await ingester.close();
  ingester.store.close();
});

test('bad bytes and unknown authors are rejected with reasons and nothing of them is stored', async () => {
  const { ingester } = open();
  const stranger = makeAuthor(99);
  const unknown = createVertex({ topic: topicOf(9), parents: [], lamport: 1, payload: new Uint8Array(4) }, stranger, fastProvider);
  const tampered = Uint8Array.from(vertices[0]?.bytes as Uint8Array);
  tampered[tampered.length - 20] = (tampered[tampered.length - 20] as number) ^ 0xff;
  const r = await ingester.ingest([unknown.bytes, tampered, new Uint8Array(0), Uint8Array.of(0xa7, 0x63)]);
  assert.deepEqual(r.rejected.map((x) => x.reason).sort(), ['author-unknown', 'bad-signature', 'truncated', 'truncated']);
  assert.equal(r.stored.length, 0);
  assert.equal(ingester.store.vertexCount, 0);
  // Once the author's key is known, the same bytes are accepted.
  ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: stranger.publicKey });
  const again = await ingester.ingest([unknown.bytes]);
  assert.equal(again.stored.length, 1);
  assert.throws(() => ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: new Uint8Array(10) }), { code: 'ERR_BAD_AUTHOR_KEY' });
  await ingester.close();
  ingester.store.close();
});

test('append: local writes extend the frontier with the right parents and Lamport clock, durably', async () => {
  const { ingester, path } = open(1);
  await ingester.ingest(vertices.map((v) => v.bytes));
  const topic = topicOf(1);
  const before = ingester.dag.frontier(topic).map(idKey);
  const mine = await ingester.append(topic, new Uint8Array([1, 2, 3]), authors[0] as (typeof authors)[number]);
  assert.deepEqual(mine.parents.map(idKey), before);
  assert.equal(mine.lamport, 1 + Math.max(...before.map((k) => ingester.dag.get(k)?.lamport ?? 0)));
  assert.deepEqual(ingester.dag.frontier(topic).map(idKey), [mine.key]);
  await ingester.close();
  ingester.store.close();
  const reopened = SqliteStore.open(path);
  assert.ok(reopened.hasVertex(mine.id));
  reopened.close();
});

test('a failed commit acknowledges nothing and takes the batch back out of the DAG', async () => {
  const { ingester } = open(1);
  await ingester.ingest(vertices.slice(0, 10).map((v) => v.bytes));
  ingester.store.close(); // every write now fails
  await assert.rejects(ingester.ingest(vertices.slice(10, 20).map((v) => v.bytes)), { code: 'ERR_STORE_WRITE' });
  assert.equal(ingester.dag.size, 10);
  for (const v of vertices.slice(10, 20) as DecodedVertex[]) assert.equal(ingester.dag.has(v.key), false);
  await ingester.close();
});

test('bytes that fail verification are remembered: what waits on them is refused with parent-rejected', async () => {
  const { ingester } = open(1);
  const [alice, bob] = authors as [(typeof authors)[number], (typeof authors)[number]];
  // A vertex claiming Alice as author but signed by Bob, and an honest child of it.
  const forged = createVertex({ topic: topicOf(5), parents: [], lamport: 1, payload: new Uint8Array(3) }, { author: alice.author, sign: bob.sign }, fastProvider);
  const child = createVertex({ topic: topicOf(5), parents: [forged.id], lamport: 2, payload: new Uint8Array(3) }, alice, fastProvider);
  assert.equal((await ingester.ingest([child.bytes])).quarantined, 1);
  const r = await ingester.ingest([forged.bytes]);
  assert.deepEqual(r.rejected.map((x) => [x.id === undefined ? undefined : idKey(x.id), x.reason]), [
    [forged.key, 'bad-signature'],
    [child.key, 'parent-rejected'],
  ]);
  assert.equal(ingester.dag.quarantine.size, 0);
  assert.equal(ingester.dag.rejectionOf(forged.key), 'bad-signature');
  assert.equal(ingester.store.vertexCount, 0);
  await ingester.close();
  ingester.store.close();
});

/** Blocks the thread for `ms`, as a long commit on a slow disk would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * Records the size of every non-empty commit; the first one runs `onStall` (which may start more
 * calls) and stalls, so that the workers' answers for later calls queue up meanwhile; `fail(n)`
 * decides whether commit n throws instead.
 */
function watchCommits(ingester: Ingester, fail: (n: number) => boolean = () => false, onStall: () => void = () => {}): number[] {
  const commits: number[] = [];
  const put = ingester.store.putVertices.bind(ingester.store);
  ingester.store.putVertices = (batch) => {
    if (batch.length === 0) return put(batch);
    commits.push(batch.length);
    if (commits.length === 1) {
      onStall();
      stall(300);
    }
    if (fail(commits.length)) throw new Error('disk full');
    return put(batch);
  };
  return commits;
}

test('calls verified while a commit runs are committed together: each call reported and notified on its own', async (t) => {
  const { ingester, path } = open(2);
  t.after(() => ingester.close());
  const commits = watchCommits(ingester);
  const notified: [string, number][] = [];
  ingester.onStored((batch, source) => notified.push([source, batch.length]));
  const slices = Array.from({ length: 12 }, (_, i) => vertices.slice(i * 25, (i + 1) * 25));
  const reports = await Promise.all(slices.map((s, i) => ingester.ingest(s.map((v) => v.bytes), `peer${i}`)));
  for (const [i, r] of reports.entries()) assert.deepEqual(r.stored.map((v) => v.key), slices[i]?.map((v) => v.key), `call ${i} reports its own vertices`);
  assert.deepEqual(notified, slices.map((s, i) => [`peer${i}`, s.length]), 'one notification per call, in call order, after the commit');
  assert.equal(commits.reduce((a, b) => a + b, 0), vertices.length);
  assert.ok(commits.length < 12, `12 calls took ${commits.length} commits (${commits.join(', ')})`);
  await ingester.close();
  ingester.store.close();
  const reopened = SqliteStore.open(path);
  assert.equal(reopened.vertexCount, vertices.length);
  assert.deepEqual(frontiersOf(reopened.loadDag()), frontiersOf(reference));
  reopened.close();
});

test('in a group, a refusal after an earlier call stored something is judged again once the listeners saw it', async (t) => {
  // The admission keeps topic 8 only once a listener has seen the "welcome" on topic 7, as a node
  // keeps a group's topic only once it has processed the welcome to it; topic 9 it never keeps.
  const path = join(dir, `node-${n++}.sqlite`);
  const allowed = new Set([toHex(topicOf(7))]);
  for (const v of vertices) allowed.add(toHex(v.topic));
  // One worker answers in call order, so the group is [welcome, member, foreign] in that order.
  const ingester = new Ingester({ provider, store: SqliteStore.open(path), workers: 1, admission: { batch: () => (v) => allowed.has(toHex(v.topic)) } });
  t.after(() => ingester.close());
  for (const a of authors) ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  const [alice] = authors as [(typeof authors)[number]];
  const at = (topic: number): DecodedVertex => createVertex({ topic: topicOf(topic), parents: [], lamport: 1, payload: new Uint8Array(4) }, alice, fastProvider);
  const [welcome, member, foreign] = [at(7), at(8), at(9)];
  ingester.onStored((batch) => {
    if (batch.some((v) => v.key === welcome.key)) allowed.add(toHex(topicOf(8)));
  });
  // The three calls start while the first commit stalls, so they are verified meanwhile and
  // placed as one group: [welcome, member, foreign].
  let later: Promise<IngestReport[]> | undefined;
  const commits = watchCommits(ingester, undefined, () => {
    later = Promise.all([welcome, member, foreign].map((v) => ingester.ingest([v.bytes], 'peer')));
  });
  await ingester.ingest(vertices.slice(0, 20).map((v) => v.bytes), 'peer');
  const [w, m, f] = (await later) as [IngestReport, IngestReport, IngestReport];
  assert.deepEqual(w.stored.map((v) => v.key), [welcome.key]);
  assert.deepEqual([m.stored.map((v) => v.key), m.overQuota], [[member.key], 0], 'the group\'s vertex is kept once the welcome was seen');
  assert.deepEqual([f.stored.length, f.overQuota], [0, 1], 'a refusal stands when asked again');
  assert.deepEqual(commits, [20, 1, 1], 'the welcome was committed with its group, the member vertex in the next commit');
  assert.ok(ingester.store.hasVertex(member.id));
  assert.equal(ingester.store.hasVertex(foreign.id), false);
  await ingester.close();
  ingester.store.close();
});

test('a group whose commit fails fails every call of it, and the DAG takes them all back', async (t) => {
  const { ingester } = open(2);
  t.after(() => ingester.close());
  const commits = watchCommits(ingester, (n) => n === 2);
  const calls = [0, 1, 2, 3, 4, 5].map((i) => ingester.ingest(vertices.slice(i * 20, (i + 1) * 20).map((v) => v.bytes)));
  const settled = await Promise.allSettled(calls);
  const failedGroup = commits[1] as number;
  assert.ok(failedGroup > 20, `the failed commit held more than one call (${commits.join(', ')})`);
  assert.equal(settled.filter((s) => s.status === 'rejected').length, failedGroup / 20, 'every call of the failed group fails, no other');
  for (const [i, s] of settled.entries()) {
    // A later call may only quarantine what builds on the failed group; what it stored is on disk.
    if (s.status === 'fulfilled') for (const v of s.value.stored) assert.ok(ingester.store.hasVertex(v.id));
    else for (const v of vertices.slice(i * 20, (i + 1) * 20)) assert.equal(ingester.dag.has(v.key), false, 'a vertex of a failed call is not in the DAG');
  }
  assert.equal(ingester.dag.size, ingester.store.vertexCount, 'memory holds exactly what disk holds');
  // The refused vertices come in again.
  const again = await ingester.ingest(vertices.slice(0, 120).map((v) => v.bytes));
  assert.equal(again.rejected.length, 0);
  assert.equal(ingester.store.vertexCount, 120);
  assert.equal(ingester.dag.quarantine.size, 0);
  await ingester.close();
  ingester.store.close();
});

test('a listener that throws fails only its own call of a group', async (t) => {
  const { ingester } = open(2);
  t.after(() => ingester.close());
  ingester.onStored((_batch, source) => {
    if (source === 'bad') throw new Error('listener failed');
  });
  const calls = [0, 1, 2, 3, 4].map((i) => ingester.ingest(vertices.slice(i * 30, (i + 1) * 30).map((v) => v.bytes), i === 2 ? 'bad' : 'good'));
  const settled = await Promise.allSettled(calls);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.equal(ingester.store.vertexCount, 150, "the listener's failure does not undo the commit");
  await ingester.close();
  ingester.store.close();
});

test('close while calls overlap: every call settles, and what a call acknowledged is on disk', async () => {
  const { ingester, path } = open(2);
  const calls = [0, 1, 2, 3, 4, 5].map((i) => ingester.ingest(vertices.slice(i * 50, (i + 1) * 50).map((v) => v.bytes)));
  await new Promise((r) => setTimeout(r, 20));
  await ingester.close();
  const settled = await Promise.allSettled(calls);
  const acknowledged = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.stored : []));
  for (const s of settled) if (s.status === 'rejected') assert.equal((s.reason as { code?: string }).code, 'ERR_VERIFY_POOL_CLOSED');
  ingester.store.close();
  const reopened = SqliteStore.open(path);
  for (const v of acknowledged) assert.ok(reopened.hasVertex(v.id));
  assert.equal(reopened.vertexCount, acknowledged.length);
  reopened.close();
});
