import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOG_PAGE_LIMITS, type LogPage, type LogWindow, type NodeGroups } from '../../src/node/index.ts';
import { admit, copy, nodeHarness, texts } from '../support/node-harness.ts';
import { tempDir } from '../support/tmp.ts';

const { open } = nodeHarness(tempDir('pars-log-page-'));

/** Every page of a window, following `next`. */
function allPages(groups: NodeGroups, group: string, window: LogWindow): LogPage[] {
  const pages = [groups.logPage(group, window)];
  for (let next = pages[0]?.next; next !== undefined; next = pages.at(-1)?.next) pages.push(groups.logPage(group, { ...window, after: next }));
  return pages;
}

test('log pages: a log larger than a page reads whole, page by page, each page within its byte budget', async () => {
  const a = open('a', 1);
  const g = await a.groups.createGroup('long texts');
  // 60,000 bytes each (the largest message): about 70 make a page of 4 MiB.
  const big = (i: number): string => `${String(i).padStart(4, '0')} ${'x'.repeat(59_995)}`;
  for (let i = 0; i < 80; i++) await a.groups.send(g, big(i));
  await a.groups.send(g, 'short one');
  const pages = allPages(a.groups, g, {});
  assert.ok(pages.length >= 2, `${pages.length} pages`);
  for (const p of pages) {
    const bytes = p.messages.reduce((n, m) => n + Buffer.byteLength(m.text), 0);
    assert.ok(bytes < LOG_PAGE_LIMITS.textBytes + 60_000, `a page of ${bytes} bytes`);
    assert.ok(p.messages.length > 0);
  }
  assert.deepEqual(pages.flatMap((p) => p.messages.map((m) => m.text)), texts(a, g), 'the pages make the whole log, in order, once');
  assert.equal(pages.at(-1)?.next, undefined);

  // The last N, also across pages: the page starts at the N-th last message.
  assert.deepEqual(allPages(a.groups, g, { last: 3 }).flatMap((p) => p.messages.map((m) => m.text)), [big(78), big(79), 'short one']);
  assert.deepEqual(allPages(a.groups, g, { last: 75 }).flatMap((p) => p.messages.map((m) => m.text)), texts(a, g).slice(-75));
  assert.deepEqual(allPages(a.groups, g, { last: 1_000 }).flatMap((p) => p.messages.map((m) => m.text)), texts(a, g), 'more than there are: all of them');

  // A malformed window is refused, not guessed at.
  const first = a.groups.logPage(g, {}).messages[0];
  assert.ok(first !== undefined);
  for (const after of ['', '12', `x:${first.vertexId}`, `${first.lamport}:${first.vertexId.slice(1)}`, `${first.lamport}:${first.vertexId.toUpperCase()}`]) {
    assert.throws(() => a.groups.logPage(g, { after }), { code: 'ERR_LOG_WINDOW' }, JSON.stringify(after));
  }
  for (const last of [0, -1, 1.5]) assert.throws(() => a.groups.logPage(g, { last }), { code: 'ERR_LOG_WINDOW' }, String(last));
  assert.throws(() => a.groups.logPage(g, { since: ['not hex'] }), { code: 'ERR_LOG_WINDOW' });
});

test('log pages: since a frontier, what arrived after it, even a message that sorts before the last one shown', async () => {
  const a = open('a', 1);
  const b = open('b', 2);
  const g = await a.groups.createGroup('partitioned');
  await admit(a, b, g);
  await a.groups.send(g, 'before');
  await copy(a, b);
  // Apart: B writes one message (its epoch's vertex, then the message: Lamport at most 2 past
  // 'before'), A writes three (3 past it), then A reads. So B's sorts before A's last, whatever the ids.
  await b.groups.send(g, 'b while apart');
  const ours = ['a while apart 1', 'a while apart 2', 'a while apart 3'];
  for (const t of ours) await a.groups.send(g, t);
  const seen = a.groups.logPage(g, {});
  assert.deepEqual(seen.messages.map((m) => m.text), ['before', ...ours]);
  assert.deepEqual(a.groups.logPage(g, { since: seen.frontier }).messages, [], 'nothing new yet');

  await copy(b, a);
  const order = texts(a, g);
  assert.ok(order.indexOf('b while apart') < order.indexOf('a while apart 3'), `B's message sorts before A's last (${order.join(' | ')})`);
  const fresh = a.groups.logPage(g, { since: seen.frontier });
  assert.deepEqual(fresh.messages.map((m) => m.text), ['b while apart'], 'only what arrived, however early its place');
  assert.deepEqual(a.groups.logPage(g, { since: fresh.frontier }).messages, []);
});
