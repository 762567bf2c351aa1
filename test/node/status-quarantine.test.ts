import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createVertex, type DecodedVertex } from '../../src/dag/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { MeshNode } from '../../src/node/index.ts';
import { fastProvider, makeAuthor, provider } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';

/*
 * `pars status` per group: vertices of a group's topic that wait for a missing parent. The node
 * carries vertices of any author it can verify, so a stranger's two vertices stand in for a
 * member's messages that arrive out of order; the network is not needed for the quarantine.
 */

const dir = tempDir('pars-status-quarantine-');
const nodes: MeshNode[] = [];
after(async () => {
  for (const n of nodes) await n.stop();
});

const stranger = makeAuthor(9);

function openNode(seed: number, name: string): MeshNode {
  const node = new MeshNode({ identity: Identity.fromSeed(new Uint8Array(32).fill(seed), provider), provider, storePath: join(dir, `${name}.sqlite`), workers: 1 });
  nodes.push(node);
  return node;
}

test('status: a child whose parent is missing counts 1 in its group, and 0 once the parent arrives', async () => {
  const node = openNode(3, 'node');
  const red = await node.groups.createGroup('red');
  const blue = await node.groups.createGroup('blue');
  const topic = node.groups.bundleKeys([red])[0]?.topic;
  assert.ok(topic !== undefined);
  node.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: stranger.publicKey });

  const next = node.ingester.dag.nextParents(topic);
  const parent = createVertex({ topic, parents: next.parents, lamport: next.lamport, payload: Uint8Array.of(1) }, stranger, fastProvider);
  const child = createVertex({ topic, parents: [parent.id], lamport: parent.lamport + 1, payload: Uint8Array.of(2) }, stranger, fastProvider);
  const waiting = (): Record<string, number> => Object.fromEntries(node.status().groups.map((g) => [g.id, g.waitingForParents]));
  assert.deepEqual(waiting(), { [red]: 0, [blue]: 0 });

  const early = await node.ingester.ingest([child.bytes], 'peer-1');
  assert.equal(early.quarantined, 1);
  assert.deepEqual(waiting(), { [red]: 1, [blue]: 0 }, 'only the child’s group counts it');
  assert.equal(node.status().waitingForParents, 1);

  const late = await node.ingester.ingest([parent.bytes], 'peer-1');
  assert.deepEqual(late.stored.map((v: DecodedVertex) => v.key), [parent.key, child.key], 'the parent releases the child');
  assert.deepEqual(waiting(), { [red]: 0, [blue]: 0 });
  assert.equal(node.status().waitingForParents, 0);
});

test('status: a group named like another group’s id does not make status ambiguous', async () => {
  const node = openNode(4, 'names');
  const first = await node.groups.createGroup('first');
  const twin = await node.groups.createGroup(first);
  const groups = node.status().groups;
  assert.deepEqual(groups.map((g) => g.id).sort(), [first, twin].sort());
  assert.deepEqual(groups.map((g) => g.members), [1, 1], 'each group counts its own creator');
});
