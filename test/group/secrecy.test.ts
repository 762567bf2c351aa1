import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { decodeControl, Group, MemberSecrets, openEnvelope, openSlot, readEnvelopeHeader, type EpochSlot } from '../../src/group/index.ts';
import { GroupMember, syncAll } from '../support/group-member.ts';
import { provider } from '../support/fixtures.ts';

/*
 * A thief copies a member's whole group state (the group secret, its published key seeds, pair
 * seeds, chains) at time T and records every vertex ever sent. Forward secrecy: nothing the
 * member had received before T opens. Post-compromise security: once the member updates, nothing
 * new opens. In between (after T, before the update) the thief does read new messages — which
 * shows the attack below is a real one, so its failures mean something.
 */

function thiefOf(victim: GroupMember): GroupMember {
  const thief = new GroupMember(`thief of ${victim.name}`, { seed: victim.seed as number });
  const stolen = MemberSecrets.decode(provider, (victim.group as Group).secrets.encode());
  assert.ok(stolen.ok);
  thief.group = new Group({ provider, self: thief.author, random: thief.random }, (victim.group as Group).descriptor, stolen.value);
  return thief;
}

const read = (m: GroupMember, v: DecodedVertex): boolean => m.outcomeOf(v)?.status === 'message';

/** Every slot addressed to `victim` in `vertices`, opened with every combination of stolen seeds. */
function slotsOpenedWith(stolen: MemberSecrets, victim: GroupMember, vertices: readonly DecodedVertex[], group: Group): number {
  let opened = 0;
  for (const v of vertices) {
    const h = readEnvelopeHeader(provider, v.payload, group.keys.headerKey);
    if (!h.ok || h.value.kind !== 'control') continue;
    const body = openEnvelope(provider, v.payload, h.value, group.keys.controlKey, v.topic, v.author);
    assert.ok(body.ok);
    const ops = decodeControl(body.value);
    assert.ok(ops.ok);
    for (const op of ops.value) {
      if (op.o !== 'rekey') continue;
      const slot = op.slots.find((s: EpochSlot) => toHex(s.member) === victim.hex);
      if (slot === undefined) continue;
      const ctx = { groupId: group.keys.groupId, sender: v.author, recipient: victim.author, epoch: op.epoch };
      for (const kem of stolen.kemKeys) {
        for (const pair of [undefined, ...stolen.pairIn.values(), ...stolen.pairOut.values()]) {
          if (openSlot(provider, slot, ctx, kem.seed, pair).ok) opened++;
        }
      }
    }
  }
  return opened;
}

test('state stolen at T: nothing received before T decrypts; after an update nothing new decrypts', () => {
  const [a, b, c] = ['A', 'B', 'C'].map((n, i) => new GroupMember(n, { seed: 200 + i })) as [GroupMember, GroupMember, GroupMember];
  const all = [a, b, c];
  a.create('secrets');
  a.write({ kind: 'ops', ops: [a.addOp(b), a.addOp(c)] });
  b.joinFrom(a);
  c.joinFrom(a);
  const before: DecodedVertex[] = [];
  for (let round = 0; round < 3; round++) {
    for (const m of all) {
      before.push(m.say(`round ${round} from ${m.name}`));
      syncAll(all);
    }
  }
  const received = before.filter((v) => read(b, v));
  assert.equal(received.length, 6, 'B read the six messages of A and C');
  assert.equal(b.group?.secrets.kemKeys.length, 1, 'B rotated away from the key first contacts were sealed to, and retired it');

  // T: the thief copies B's state and has recorded every vertex so far.
  const thief = thiefOf(b);
  const stolen = (thief.group as Group).secrets;
  for (const v of a.dag.topologicalOrder()) thief.receive(a.vertices.get(v.key) as DecodedVertex);
  for (const v of received) assert.notEqual(thief.outcomeOf(v)?.status, 'message', 'a message B received before T stays closed');
  const recorded = a.dag.topologicalOrder().map((m) => a.vertices.get(m.key) as DecodedVertex);
  assert.equal(slotsOpenedWith(stolen, b, recorded, b.group as Group), 0, 'no slot sent to B before T opens with any stolen seed');

  // After T, before B updates: A's and C's current epochs are still the ones B (and so the thief) holds.
  const between = [a.say('after T, before the update (A)'), c.say('after T, before the update (C)')];
  syncAll(all);
  for (const v of between) thief.receive(v);
  for (const v of between) assert.equal(thief.outcomeOf(v)?.status, 'message', 'the thief reads what B can read until B updates');

  // B updates: fresh randomness, a new published key and a new epoch. Everyone else re-keys for B's new key.
  const update = b.write({ kind: 'update' });
  syncAll(all);
  const later: DecodedVertex[] = [];
  for (let round = 0; round < 2; round++) {
    for (const m of all) {
      later.push(m.say(`after the update, round ${round}, ${m.name}`));
      syncAll(all);
    }
  }
  for (const v of [...update, ...later]) thief.receive(a.vertices.get(v.key) as DecodedVertex);
  for (const v of later) {
    if (v.author !== b.author) assert.ok(read(b, v), 'B reads the others after its update');
    assert.notEqual(thief.outcomeOf(v)?.status, 'message', 'the thief reads nothing sent after the update');
  }
  const afterUpdate = a.dag.topologicalOrder().map((m) => a.vertices.get(m.key) as DecodedVertex).filter((v) => !recorded.some((r) => r.key === v.key));
  // Slots sealed after T but before the update (none here, epochs were current) may open; after the update none may.
  const postUpdate = afterUpdate.filter((v) => !between.some((x) => x.key === v.key));
  assert.equal(slotsOpenedWith(stolen, b, postUpdate, b.group as Group), 0, 'no slot sealed after the update opens with stolen seeds');
});
