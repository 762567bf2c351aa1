import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyVertices, concurrentOps, placeShuffled, replaySequential, traceSigners, traceVertices } from '../../bench/support/trace-replay.ts';
import { readTrace } from '../../bench/support/trace-reader.ts';
import { rga, rgaText } from '../../src/crdt/rga/index.ts';
import { insecureSimulationProvider } from '../../src/sim/insecure-signatures.ts';
import { fastProvider, prng, topicOf } from '../support/fixtures.ts';

const TRACES = new URL('../vectors/editing-traces/', import.meta.url).pathname;

test('automerge-paper (sequential, 259,778 edits): local edits reproduce endContent; the snapshot round-trips', () => {
  const trace = readTrace(`${TRACES}automerge-paper.json.gz`);
  assert.equal(trace.kind, 'sequential');
  const state = replaySequential(trace, new Uint8Array(32).fill(1));
  assert.equal(rgaText(state), trace.endContent);
  const bytes = rga.encodeState(state);
  const back = rga.decodeState(bytes);
  assert.ok(back.ok);
  assert.equal(rgaText(back.value), trace.endContent);
  assert.deepEqual(rga.encodeState(back.value), bytes);
});

test('friendsforever (concurrent, 2 agents): one DAG vertex per transaction, 3 random delivery orders, every replica reaches endContent', () => {
  const trace = readTrace(`${TRACES}friendsforever.json.gz`);
  assert.equal(trace.kind, 'concurrent');
  // 26,078 vertices: signed with the simulator's stand-in scheme (ML-DSA-65 sizes, hash
  // "signatures"), which the Dag never checks; real ML-DSA signing would dominate the test.
  const provider = insecureSimulationProvider(fastProvider);
  // Signers come in the order of their ids: the trace's one concurrent insert at the same place
  // (transactions 22360 and 22365) is settled in endContent with agent 0 first.
  const signers = traceSigners(provider, trace.numAgents);
  const ops = concurrentOps(trace, signers.map((s) => s.author));
  const vertices = traceVertices(trace, ops, signers, provider, topicOf(9));
  const states: string[] = [];
  for (const seed of [1, 2, 3]) {
    const replica = rga.create();
    applyVertices(replica, placeShuffled(vertices, prng(seed)));
    assert.equal(rgaText(replica), trace.endContent, `delivery order ${seed}`);
    states.push(Buffer.from(rga.encodeState(replica)).toString('hex'));
  }
  assert.equal(new Set(states).size, 1, 'every replica has the same snapshot bytes');
});
