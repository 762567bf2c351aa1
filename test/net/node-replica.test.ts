import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import type { NetIngester } from '../../src/net/ingest-port.ts';
import { nodeReplica } from '../../src/net/node-replica.ts';
import { authors, closeNode, fileScope, history, openNode, seed, startHost, type TestNode } from './net-support.ts';

const { dir, nodes } = fileScope('pars-net-replica-');

function open(name: string): TestNode {
  const node = openNode(dir, name);
  nodes.push(node);
  return node;
}

/** The node's Ingester, counting the commit listeners registered through it and still attached. */
function countingIngester(inner: NetIngester): { ingester: NetIngester; attached: () => number } {
  let attached = 0;
  const ingester: NetIngester = {
    provider: inner.provider,
    dag: inner.dag,
    store: inner.store,
    keys: inner.keys,
    addKey: (key) => inner.addKey(key),
    ingest: (items, source) => inner.ingest(items, source),
    onStored: (listener) => {
      attached++;
      const off = inner.onStored(listener);
      let on = true;
      return () => {
        if (on) attached--;
        on = false;
        off();
      };
    },
  };
  return { ingester, attached: () => attached };
}

const firstTopic = (vertices: readonly DecodedVertex[]): Uint8Array => (vertices[0] as DecodedVertex).topic;
const ofTopic = (vertices: readonly DecodedVertex[], topic: Uint8Array): DecodedVertex[] => vertices.filter((v) => toHex(v.topic) === toHex(topic));

test('a replica follows commits until detached, then no longer', async () => {
  const node = open('follow');
  await seed(node, history.slice(0, 40));
  const topic = firstTopic(history);
  const { replica, detach } = nodeReplica(node.ingester);
  const ordered = replica.ordered(topic);
  const before = ordered.size;
  assert.equal(before, ofTopic(history.slice(0, 40), topic).length);

  await node.ingester.ingest(history.slice(40, 80).map((v) => v.bytes));
  const grown = before + ofTopic(history.slice(40, 80), topic).length;
  assert.ok(grown > before, 'the fixture adds vertices to the topic');
  assert.equal(ordered.size, grown, 'while attached, the replica extends its order with each commit');

  detach();
  detach(); // idempotent
  await node.ingester.ingest(history.slice(80, 120).map((v) => v.bytes));
  assert.ok(ofTopic(history.slice(80, 120), topic).length > 0);
  assert.equal(ordered.size, grown, 'a detached replica is not told of later commits');
});

test('a stopped host leaves no commit listener on the Ingester, and later commits still succeed', async () => {
  const node = open('host');
  await seed(node, history.slice(0, 40));
  const { ingester, attached } = countingIngester(node.ingester);
  const host = await startHost(node, { ingester });
  assert.ok(attached() >= 2, `the replica and push gossip follow commits (${attached()} attached)`);
  await host.stop();
  assert.equal(attached(), 0, 'stop detaches every listener the host registered');
  const report = await node.ingester.ingest(history.slice(40, 60).map((v) => v.bytes));
  assert.equal(report.stored.length, 20);
});

test('the author list picks up a key added after the first session, and rereads the store only when a key was added', async () => {
  const [a1, a2, a3] = authors as [(typeof authors)[number], (typeof authors)[number], (typeof authors)[number]];
  const key = (a: typeof a1): { algorithm: string; publicKey: Uint8Array } => ({ algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  // a1 was stored in an earlier run: it is in the store, not in this run's key ring.
  const earlier = openNode(dir, 'authors');
  earlier.ingester.addKey(key(a1));
  await closeNode(earlier);
  const node = open('authors');
  assert.equal(node.ingester.keys.size, 0);

  let storeReads = 0;
  const store = node.ingester.store;
  const readIds = store.authorIds.bind(store);
  store.authorIds = () => {
    storeReads++;
    return readIds();
  };
  const { replica } = nodeReplica(node.ingester);
  const list = (): string[] => [...replica.knownAuthors()].map(toHex).sort();

  const first = replica.knownAuthors();
  assert.deepEqual(list(), [toHex(a1.author)]);
  assert.equal(replica.knownAuthors(), first, 'nothing added: the same list, not a new one');

  node.ingester.addKey(key(a2));
  assert.deepEqual(list(), [a1, a2].map((a) => toHex(a.author)).sort(), 'a key added after the first session is listed');
  node.ingester.addKey(key(a1)); // already stored: must not be listed twice
  node.ingester.addKey(key(a3));
  assert.deepEqual(list(), [a1, a2, a3].map((a) => toHex(a.author)).sort());
  for (let i = 0; i < 5; i++) list();
  assert.equal(storeReads, 3, 'the ids are read again only after a key was added (twice here), never for an unchanged store');
});
