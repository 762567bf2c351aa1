import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storePath } from '../../src/cli/paths.ts';
import { encodeInvite } from '../../src/group/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { provider } from '../support/fixtures.ts';
import { init, logLines, person as personIn, textsOf, type Person } from '../support/cli-person.ts';
import { tempDir } from '../support/tmp.ts';

/*
 * The group commands end to end, in-process through `main`, across three data directories. With
 * no network yet, a "sync" copies every vertex and author key of one store into another while no
 * command runs; the next command finds them at start (join requests, welcomes, group vertices).
 */

const root = tempDir('pars-group-cli-');
const person = (name: string): Person => personIn(root, name);

/** Copies every author key and vertex of `from`'s store into `to`'s, as sync will. */
async function copy(from: Person, to: Person): Promise<void> {
  const source = SqliteStore.open(storePath(from.dataDir));
  const ingester = new Ingester({ provider, store: SqliteStore.open(storePath(to.dataDir)), workers: 1 });
  try {
    for (const key of source.keys()) ingester.addKey(key);
    const report = await ingester.ingest([...source.vertexBytes()]);
    assert.deepEqual(report.rejected, []);
  } finally {
    await ingester.close();
    ingester.store.close();
    source.close();
  }
}

const digits = (out: string): string => (logLines(out)[0] ?? '').replaceAll(' ', '');

test('pars group: create, invite (code and QR), join, members, send, log, verify, remove — across three data directories', async () => {
  const alice = person('alice');
  const bob = person('bob');
  const carol = person('carol');
  for (const p of [alice, bob, carol]) await init(p);

  const created = await alice.ok('group', 'create', 'friends');
  const groupId = /group id\s+([0-9a-f]{32})/.exec(created)?.[1] as string;
  assert.ok(groupId !== undefined, created);

  const invite = await alice.ok('group', 'invite', 'friends', '--ttl', '3600');
  const code = logLines(invite)[0] as string;
  assert.match(code, /^PARS[A-Z2-7]+$/);
  assert.match(invite, /[\u2580\u2584\u2588]/, 'a QR code follows the code');
  assert.match(invite, /Single use, valid until/);
  assert.equal(logLines(await alice.ok('group', 'invite', groupId.slice(0, 6), '--no-qr')).length, 2, '--no-qr prints no QR code');

  assert.match(await bob.ok('group', 'join', code), /Join request written for group [0-9a-f]{32}/);
  assert.match(await bob.ok('group', 'list'), /waiting for the welcome/);
  await copy(bob, alice); // the join request: alice's next command admits bob
  const aliceMembers = await alice.ok('group', 'members', 'friends');
  assert.deepEqual(logLines(aliceMembers).map((l) => l.slice(0, 64)), [alice.nodeId, bob.nodeId].sort());
  await copy(alice, bob); // the welcome and the group's vertices
  const bobMembers = logLines(await bob.ok('group', 'members', groupId.slice(0, 4)));
  assert.equal(bobMembers.length, 2);
  assert.ok(bobMembers.some((l) => l.startsWith(bob.nodeId) && l.endsWith('(you)')));
  assert.match(await bob.ok('group', 'list'), new RegExp(`^${groupId}\\s+2 members\\s+"friends"\\s+\\(you: member\\)$`, 'm'));
  assert.match(await alice.ok('group', 'list'), /"friends"\s+\(you: admin\)$/m);

  assert.match(await alice.ok('send', 'friends', 'hello from alice'), /^sent [0-9a-f]{64}$/m);
  await copy(alice, bob);
  await bob.ok('send', 'friends', 'hi from bob');
  await copy(bob, alice);
  for (const p of [alice, bob]) {
    const out = await p.ok('log', 'friends');
    assert.deepEqual(textsOf(out), ['hello from alice', 'hi from bob']);
    const authors = logLines(out).map((l) => l.split('  ')[2]);
    assert.deepEqual(authors, [alice.nodeId.slice(0, 8), bob.nodeId.slice(0, 8)]);
    assert.match(logLines(out)[0] as string, /^\d+ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}[0-9a-f]{8} {2}hello from alice$/);
  }
  const json = JSON.parse(await bob.ok('log', 'friends', '--json')) as { text: string; own: boolean }[];
  assert.deepEqual(json.map((m) => [m.text, m.own]), [['hello from alice', false], ['hi from bob', true]]);

  const fromAlice = digits(await alice.ok('group', 'verify', 'friends', bob.nodeId.slice(0, 8)));
  const fromBob = digits(await bob.ok('group', 'verify', 'friends', alice.nodeId.slice(0, 8)));
  assert.match(fromAlice, /^\d{60}$/);
  assert.equal(fromBob, fromAlice);

  // Carol joins, reads what is sent while she is a member, is removed, and reads nothing after.
  const second = logLines(await alice.ok('group', 'invite', 'friends', '--no-qr'))[0] as string;
  await carol.ok('group', 'join', second);
  await copy(carol, alice);
  await alice.ok('send', 'friends', 'welcome carol');
  await copy(alice, carol);
  await copy(alice, bob);
  assert.equal(logLines(await carol.ok('group', 'members', 'friends')).length, 3);
  assert.deepEqual(textsOf(await carol.ok('log', 'friends')), ['welcome carol']);
  const removed = await alice.ok('group', 'remove', 'friends', carol.nodeId.slice(0, 10));
  assert.match(removed, /Removed/);
  await alice.ok('send', 'friends', 'carol is gone');
  await copy(alice, carol);
  await copy(alice, bob);
  const carolLog = await carol.run('log', 'friends');
  assert.deepEqual(textsOf(carolLog.stdout), ['welcome carol']);
  // What Carol holds but cannot read is counted, not silently left out: the two messages from
  // before she joined and the one after her removal.
  assert.match(carolLog.stderr, /^3 messages of this group cannot be shown here: 3 were sent while you were not a member \(before you joined, or after you left or were removed\)\.$/m);
  assert.equal(JSON.parse(await carol.ok('log', 'friends', '--json')).length, 1, '--json still prints the readable messages alone');
  assert.match(await carol.ok('group', 'list'), /"friends"\s+\(you are no longer a member\)$/m);
  const bobLog = await bob.run('log', 'friends');
  assert.deepEqual(textsOf(bobLog.stdout), ['hello from alice', 'hi from bob', 'welcome carol', 'carol is gone']);
  assert.equal(bobLog.stderr, '', 'a member who reads everything gets no note');
  assert.equal(logLines(await bob.ok('group', 'members', 'friends')).length, 2);
});

test('pars group errors are one line with a code-bearing message, exit 1', async () => {
  const dave = person('dave');
  await init(dave);
  const none = await dave.run('send', 'nosuch', 'hi');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^pars: no group matches "nosuch"/);
  const badTtl = await dave.run('group', 'invite', 'x', '--ttl', 'soon');
  assert.equal(badTtl.code, 1);
  assert.match(badTtl.stderr, /--ttl must be a whole number/);
  const badCode = await dave.run('group', 'join', 'PARSXYZ');
  assert.equal(badCode.code, 1);
  assert.match(badCode.stderr, /not a valid invite code/);
  // A mistyped or expired code is refused before any passphrase is asked for.
  const withPassphrase = dave.env['PARS_PASSPHRASE'] as string;
  delete (dave.env as Record<string, string | undefined>)['PARS_PASSPHRASE'];
  const typo = await dave.run('group', 'join', 'PARSXYZ');
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /^pars: not a valid invite code: invite code is not base32/);
  const old = encodeInvite(provider, { groupId: new Uint8Array(16).fill(1), inviter: new Uint8Array(32).fill(2), secret: new Uint8Array(32).fill(3), expiresAt: Math.floor(Date.now() / 1000) - 60, addresses: [] });
  const expired = await dave.run('group', 'join', old);
  assert.equal(expired.code, 1);
  assert.match(expired.stderr, /^pars: this invite has expired; ask for a new one/);
  dave.env['PARS_PASSPHRASE'] = withPassphrase;
  assert.match(await dave.ok('group', 'list'), /No groups yet/);
  await dave.ok('group', 'create', 'solo');
  const controls = await dave.run('send', 'solo', 'bell \u0007 and \u001b[2J clear');
  assert.equal(controls.code, 0);
  assert.match(await dave.ok('log', 'solo'), /bell \\u\{7\} and \\u\{1b\}\[2J clear$/m, 'control characters are shown, not obeyed');
  const nobody = person('nobody');
  const missing = await nobody.run('group', 'list');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no keystore/);
});
