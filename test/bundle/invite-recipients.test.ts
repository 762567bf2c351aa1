import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BundleError, BundleOptionError, BUNDLE_LIMITS, exportBundle, type BundleInviteKey, type ExportOptions } from '../../src/bundle/index.ts';
import { identityOf, provider, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { groupKey, KDF, NOW, sourceStore, sourceVertices } from './bundle-support.ts';
import { receivers } from './receiver-support.ts';

// A join request and its welcome travel on a stick before the joiner is a member: the bundle opens
// for the invite's other end, under a key from the invite secret, and for nobody else.

const dir = tempDir('pars-bundle-invite-');
const receiver = receivers(dir);
const exporter = identityOf(61);
// Topic 1 stands for an invite's rendezvous topic, topic 2 for a group's.
const source = sourceStore(join(dir, 'source.sqlite'), sourceVertices({ vertices: 10, seed: 0x1a7e, topics: 2, payloadBytes: 200 }));
const dag = source.loadDag();
const secret = (n: number): Uint8Array => provider.sha3_256(new TextEncoder().encode(`invite secret ${n}`));
const invite = (n: number, topic = topicOf(1)): BundleInviteKey => ({ topic, secret: secret(n) });

let files = 0;
async function exportWith(extra: Partial<ExportOptions>): Promise<{ path: string; report: Awaited<ReturnType<typeof exportBundle>> }> {
  const path = join(dir, `out-${files++}.pars`);
  const report = await exportBundle({ provider, store: source, dag, identity: exporter, path, groups: [], kdfLogN: KDF, now: () => NOW, ...extra });
  return { path, report };
}

test('a bundle carrying an invite\'s topic opens with that invite\'s secret, and not with another', async () => {
  const { path, report } = await exportWith({ topics: [topicOf(1)], invites: [invite(1), invite(2, topicOf(9))] });
  assert.equal(report.inviteRecipients, 1, 'only the invite whose topic is carried');
  assert.equal(report.invitesLeftOut, 0);
  assert.equal(report.groupRecipients, 0);

  const stranger = receiver('stranger');
  await assert.rejects(stranger.import(path, { invites: [invite(2)] }, []), (e: unknown) => e instanceof BundleError && e.code === 'ERR_BUNDLE_NO_KEY');
  assert.equal(stranger.store.vertexCount, 0);

  const inviter = receiver('inviter');
  const opened = await inviter.import(path, { invites: [invite(2), invite(1)] }, []);
  assert.equal(opened.stored, dag.topicSize(topicOf(1)));
  assert.equal(opened.rejected, 0);
});

test('invites take the slots the groups and the passphrase leave, in the order given; the rest are reported', async () => {
  const many = Array.from({ length: 20 }, (_, i) => invite(100 + i));
  const { path, report } = await exportWith({ groups: [groupKey(2)], passphrase: 'courier words', invites: [...many, invite(100)] });
  const free = BUNDLE_LIMITS.stanzas - 2;
  assert.equal(report.groupRecipients, 1);
  assert.equal(report.inviteRecipients, free);
  assert.equal(report.invitesLeftOut, 20 - free, 'a repeated invite counts once');
  const first = await receiver('first').import(path, { invites: [invite(100)] }, []);
  assert.ok(first.stored > 0, 'the first invite given has a slot');
  await assert.rejects(receiver('last').import(path, { invites: [invite(119)] }, []), (e: unknown) => e instanceof BundleError && e.code === 'ERR_BUNDLE_NO_KEY');
});

test('with no group, no invite carried and no passphrase, the export is refused and writes nothing', async () => {
  await assert.rejects(exportWith({ invites: [invite(3, topicOf(9))] }), (e: unknown) => e instanceof BundleOptionError && e.code === 'ERR_BUNDLE_NO_RECIPIENT');
  assert.equal(existsSync(join(dir, `out-${files - 1}.pars`)), false);
});
