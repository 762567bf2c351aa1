import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import type { MeshNode } from '../../src/node/index.ts';
import { tempDir } from '../support/tmp.ts';
import { startMesh, stopMesh, storePathOf, texts, until } from './mesh-support.ts';

/*
 * A and B share a group but never meet. Courier C is in no group: it meets B (and picks up B's
 * join request), then A (who admits B and writes messages while C is there), A goes away, and
 * C meets B again: B joins and reads every message through C alone. C's store holds the group's
 * vertices as ciphertext only: no plaintext in its SQLite database or WAL, and no group key.
 */

const dir = tempDir('pars-courier-relay-');
const GROUP_NAME = 'the quiet circle';
const MESSAGES = Array.from({ length: 6 }, (_, i) => `courier plaintext probe ${i} 7f3a`);

/** Every vertex of `from` is held by `to`. */
function holdsAll(to: MeshNode, from: MeshNode): boolean {
  return from.ingester.dag.topics().every((t) => to.ingester.dag.topicSize(t) === from.ingester.dag.topicSize(t));
}

/** The bytes of C's database files (database, WAL and shared memory, those that exist). */
function storeFiles(path: string): { name: string; bytes: Buffer }[] {
  return [path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p)).map((p) => ({ name: p, bytes: readFileSync(p) }));
}

function assertNoPlaintext(path: string, when: string): void {
  const files = storeFiles(path);
  assert.ok(files.length > 0 && files.some((f) => f.bytes.length > 0));
  for (const f of files) {
    for (const text of [...MESSAGES, GROUP_NAME]) assert.equal(f.bytes.indexOf(Buffer.from(text, 'utf8')), -1, `${when}: "${text}" is not in ${f.name}`);
  }
}

test('courier: A → C → B carries a group C cannot read; B gets every message; C holds ciphertext only', { timeout: 120_000 }, async () => {
  const a = await startMesh(dir, 'a', 1);
  let b = await startMesh(dir, 'b', 2);
  const c = await startMesh(dir, 'c', 3);
  const group = await a.groups.createGroup(GROUP_NAME);
  const code = await a.invite(group, 3600);
  // B writes its join request without dialling the inviter (it never meets A).
  await b.groups.join(code);
  b.courier.refreshMembership();

  // C meets B, takes the join request, and leaves.
  await c.dial(b.multiaddrs()[0] as string);
  await until(() => holdsAll(c, b), 20_000, 'B’s join request at C');
  await stopMesh(b);

  // C meets A: A admits B (through the request C brought) and writes while C is there.
  await c.dial(a.multiaddrs()[0] as string);
  await until(() => a.groups.members(group).length === 2, 30_000, 'B admitted at A');
  for (const m of MESSAGES) await a.groups.send(group, m);
  await until(() => holdsAll(c, a), 30_000, 'every vertex of A at C');
  assert.ok(texts(a, group).length >= MESSAGES.length);
  await stopMesh(a);

  // Later C meets B again.
  b = await startMesh(dir, 'b', 2);
  await c.dial(b.multiaddrs()[0] as string);
  await until(() => MESSAGES.every((m) => texts(b, group).includes(m)), 30_000, 'every message at B');
  assert.deepEqual(b.groups.groups().map((g) => [g.id, g.members]), [[group, 2]]);
  const topic = b.groups.bundleKeys()[0]?.topic as Uint8Array;
  assert.ok(c.ingester.dag.topicSize(topic) >= MESSAGES.length, 'C carries the group’s vertices');
  assert.ok(b.net.peers().every((p) => p.peerId === c.net.peerId), 'B only ever met C');

  // C can open none of it: no group, no key, no plaintext in its files (while running: the WAL).
  assert.deepEqual(c.groups.groups(), []);
  assert.deepEqual(c.groups.bundleKeys(), []);
  assert.deepEqual(c.store.groups.groups(), []);
  assert.equal(c.courier.isMember(toHex(topic)), false);
  const path = storePathOf(dir, 'c');
  assertNoPlaintext(path, 'C running');
  await stopMesh(c);
  assertNoPlaintext(path, 'C stopped');
});
