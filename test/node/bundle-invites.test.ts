import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import { decodeInvite } from '../../src/group/index.ts';
import { INVITE_BUNDLE_GRACE_MS } from '../../src/node/index.ts';
import { provider } from '../support/fixtures.ts';
import { copy, nodeHarness } from '../support/node-harness.ts';
import { tempDir } from '../support/tmp.ts';

// Which invites a node offers to sneakernet bundles: those whose other end may still need one.
const { open } = nodeHarness(tempDir('pars-bundle-invites-'));
const secretOf = (code: string): string => {
  const d = decodeInvite(provider, code, 0);
  assert.ok(d.ok);
  return toHex(d.value.secret);
};
const secrets = (list: readonly { secret: Uint8Array }[]): string[] => list.map((i) => toHex(i.secret));

test('pending joins first, then issued invites by latest expiry; an invite leaves play when its joiner writes on the group, or 30 days after it expired', async () => {
  const admin = open('admin', 71);
  const joiner = open('joiner', 72);
  const g = await admin.groups.createGroup('orchard');
  const other = await admin.groups.createGroup('meadow');
  const short = await admin.groups.invite(g, 3600);
  const long = await admin.groups.invite(g, 7 * 24 * 3600);
  const elsewhere = await admin.groups.invite(other, 3600);
  assert.deepEqual(secrets(admin.groups.bundleInvites()), [secretOf(long), secretOf(short), secretOf(elsewhere)]);
  assert.deepEqual(secrets(admin.groups.bundleInvites([other])), [secretOf(elsewhere)], 'only the chosen group\'s');

  await joiner.groups.join(short);
  assert.deepEqual(secrets(joiner.groups.bundleInvites()), [secretOf(short)], 'the joiner offers its pending join');
  await copy(joiner, admin); // the request arrives; the admin welcomes
  await copy(admin, joiner); // the welcome arrives
  assert.equal(joiner.groups.bundleInvites().length, 0, 'welcomed: nothing pending on the joiner');
  assert.ok(secrets(admin.groups.bundleInvites()).includes(secretOf(short)), 'the admin cannot tell yet that the welcome arrived');

  await joiner.groups.send(g, 'arrived');
  await copy(joiner, admin);
  assert.ok(!secrets(admin.groups.bundleInvites()).includes(secretOf(short)), 'the joiner wrote on the group: its welcome arrived');

  admin.clock.t += 3600 * 1000 + INVITE_BUNDLE_GRACE_MS - 1000;
  assert.deepEqual(secrets(admin.groups.bundleInvites()), [secretOf(long), secretOf(elsewhere)], 'expired, but within the grace');
  admin.clock.t += 2000;
  assert.deepEqual(secrets(admin.groups.bundleInvites()), [secretOf(long)], 'more than 30 days past expiry');
});
