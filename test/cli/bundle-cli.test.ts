import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { init, logLines, person, textsOf, type Person } from '../support/cli-person.ts';
import { tempDir } from '../support/tmp.ts';

/*
 * `pars bundle` end to end, in-process, with no network and no store copying: a person joins a
 * group purely by carried files (the join request and the welcome travel under the invite's
 * secret, which only the joiner and the inviter hold), then messages travel under the group key
 * alone, and a courier who is in no group carries them on under a passphrase.
 */

const root = tempDir('pars-bundle-cli-');
const stick = join(root, 'stick');
const file = (name: string): string => join(stick, name);
const PASS = { PARS_BUNDLE_PASSPHRASE: 'shared words for the stick' };

interface ImportJson {
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly knownDevice: boolean;
  readonly device: string;
  readonly marker: string;
}
interface ExportJson {
  readonly vertices: number;
  readonly marker: string;
  readonly passphrase: boolean;
  readonly groupRecipients: number;
  readonly inviteRecipients: number;
}

const exportJson = async (p: Person, ...args: string[]): Promise<ExportJson> => JSON.parse(await p.ok('bundle', 'export', ...args, '--json')) as ExportJson;
const importJson = async (p: Person, ...args: string[]): Promise<ImportJson> => JSON.parse(await p.ok('bundle', 'import', ...args, '--json')) as ImportJson;

test('pars bundle: join by sneakernet, talk under the group key, carry through a courier, --for sends only news', async () => {
  const alice = person(root, 'alice');
  const bob = person(root, 'bob');
  const carol = person(root, 'carol'); // the courier
  for (const p of [alice, bob, carol]) await init(p);
  mkdirSync(stick);

  await alice.ok('group', 'create', 'safehouse');
  const code = logLines(await alice.ok('group', 'invite', 'safehouse', '--no-qr'))[0] as string;
  await bob.ok('group', 'join', code);

  // Bob is in no group yet, but his bundle opens for the other end of his invite: Alice, who
  // issued it. Nobody else can open it (Carol holds no key to it), and no passphrase is needed.
  const joinOut = await exportJson(bob, file('bob-join.pars'));
  assert.equal(joinOut.passphrase, false);
  assert.equal(joinOut.groupRecipients, 0);
  assert.equal(joinOut.inviteRecipients, 1);
  const stranger = await carol.run('bundle', 'import', file('bob-join.pars'));
  assert.equal(stranger.code, 1);
  assert.match(stranger.stderr, /no key of this node opens the bundle/);
  assert.equal(JSON.parse(await carol.ok('store', 'info', '--json')).vertices, 0, 'carol stored nothing');
  const joinIn = await importJson(alice, file('bob-join.pars'));
  assert.equal(joinIn.device, bob.nodeId);
  assert.equal(joinIn.knownDevice, false, 'alice had never met bob');
  assert.ok(joinIn.stored >= 1);
  // Alice's import admitted bob (the welcome is written): his id is among the members.
  assert.match(await alice.ok('group', 'members', 'safehouse'), new RegExp(bob.nodeId));

  // The welcome goes back the same way: Alice's bundle opens for the group and for Bob's invite.
  const welcomeOut = await exportJson(alice, file('welcome.pars'), '--for', bob.nodeId);
  assert.equal(welcomeOut.inviteRecipients, 1);
  assert.equal(welcomeOut.groupRecipients, 1);
  const welcomeIn = await importJson(bob, file('welcome.pars'));
  assert.equal(welcomeIn.rejected, 0);
  assert.match(await bob.ok('group', 'list'), /2 members\s+"safehouse"/);

  // From now on the group key suffices.
  await alice.ok('send', 'safehouse', 'the door code is 4471');
  const msgOut = await exportJson(alice, file('msg.pars'), '--group', 'safehouse', '--for', bob.nodeId.slice(0, 10));
  assert.equal(msgOut.groupRecipients, 1);
  assert.equal(msgOut.inviteRecipients, 1, 'bob has written nothing on the group yet: his welcome still goes along');
  assert.ok(msgOut.vertices >= 1 && msgOut.vertices <= 3, `only the news for bob, got ${msgOut.vertices}`);
  const msgIn = await importJson(bob, file('msg.pars'));
  assert.equal(msgIn.stored, msgOut.vertices);
  assert.deepEqual(textsOf(await bob.ok('log', 'safehouse')), ['the door code is 4471']);

  const again = await importJson(bob, file('msg.pars'));
  assert.equal(again.stored, 0, 'importing twice is a no-op');
  assert.equal(again.duplicates, msgOut.vertices);

  // The courier: carol opens alice's passphrase bundle, reads nothing, and carries it to bob.
  await bob.ok('send', 'safehouse', 'got it, see you at nine');
  Object.assign(bob.env, PASS);
  Object.assign(carol.env, PASS);
  await exportJson(bob, file('bob-to-carol.pars'), '--passphrase');
  const atCarol = await importJson(carol, file('bob-to-carol.pars'));
  assert.ok(atCarol.stored > 0);
  assert.match(await carol.ok('group', 'list'), /^(?![\s\S]*safehouse)/, 'carol is in no group');
  const failedLog = await carol.run('log', 'safehouse');
  assert.equal(failedLog.code, 1, 'carol cannot name, let alone read, the group');
  await exportJson(carol, file('carol-to-alice.pars'), '--passphrase');
  Object.assign(alice.env, PASS);
  const atAlice = await importJson(alice, file('carol-to-alice.pars'));
  assert.equal(atAlice.device, carol.nodeId);
  assert.deepEqual(textsOf(await alice.ok('log', 'safehouse')), ['the door code is 4471', 'got it, see you at nine']);

  // The list names every bundle with its marker; --since takes one.
  const list = JSON.parse(await alice.ok('bundle', 'list', '--json')) as { marker: string; direction: string }[];
  assert.ok(list.some((r) => r.marker === atAlice.marker && r.direction === 'import'));
  const since = await exportJson(alice, file('since.pars'), '--passphrase', '--since', msgOut.marker.slice(0, 12));
  assert.ok(since.vertices >= 1, 'what arrived after the message bundle');

  // Existing files are not replaced without --force, and nothing half-written is left around.
  const exists = await alice.run('bundle', 'export', file('msg.pars'), '--group', 'safehouse');
  assert.equal(exists.code, 1);
  assert.match(exists.stderr, /already exists/);
  const forced = await alice.ok('bundle', 'export', file('msg.pars'), '--group', 'safehouse', '--force');
  // The plain-text report counts in words that agree with the numbers.
  assert.match(forced, /^ {2}\d+ vertices of 1 topic, [\d,]+ bytes$/m);
  // Bob has written on the group since (only a holder of the group secret can): his invite is out of play.
  assert.match(forced, /^ {2}opens for members of 1 group$/m);
  assert.deepEqual(readdirSync(stick).filter((f) => f.endsWith('.partial')), []);

  const garbage = await alice.run('bundle', 'import', join(root, 'alice', 'keystore.json'));
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /not a Pars Mesh bundle/);
});
