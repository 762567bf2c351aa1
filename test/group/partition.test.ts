import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { GroupMember, syncAll } from '../support/group-member.ts';

/*
 * The acceptance scenario: five members; partition into {A, B} and {C, D, E}; on both sides
 * members are added and removed and messages sent; after the partitions merge, every member has
 * the same membership, reads exactly what the rule says (a message is for the members its
 * sender's causal past shows), and the removed read nothing sent after their removal.
 */
test('partition {2}/{3}: concurrent adds, removes and messages converge; removed members read nothing after removal', () => {
  const [a, b, c, d, e, f, g] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((n, i) => new GroupMember(n, { seed: 100 + i })) as [GroupMember, GroupMember, GroupMember, GroupMember, GroupMember, GroupMember, GroupMember];
  a.create('five');
  a.write({ kind: 'ops', ops: [a.addOp(b), a.addOp(c, 'admin'), a.addOp(d), a.addOp(e)] });
  for (const m of [b, c, d, e]) m.joinFrom(a);
  const all5 = [a, b, c, d, e];
  const hello = all5.map((m) => {
    const v = m.say(`hello from ${m.name}`);
    syncAll(all5);
    return v;
  });

  // Partition. Side 1 = {A, B}, side 2 = {C, D, E}.
  const side1 = [a, b];
  const side2 = [c, d, e];
  a.write({ kind: 'ops', ops: [{ o: 'remove', member: d.author }, a.addOp(f)] });
  f.joinFrom(a);
  const s1 = [a, b, f];
  const bUnaware = b.say('B before it hears of the removal'); // concurrent with the removal
  const s1msgs = [a.say('A after removing D')];
  syncAll(s1);
  s1msgs.push(b.say('B on side 1'));
  syncAll(s1);
  const fMsg = f.say('F joined on side 1');
  syncAll(s1);

  const eBefore = e.say('E before its removal is known'); // concurrent with its removal below
  syncAll(side2);
  c.write({ kind: 'ops', ops: [{ o: 'remove', member: e.author }, { o: 'promote', member: d.author }, c.addOp(g)] });
  g.joinFrom(c);
  const s2 = [c, d, e, g];
  syncAll(s2);
  assert.throws(() => e.say('E after its removal'), { code: 'ERR_NOT_A_MEMBER' });
  const s2msgs = [c.say('C after removing E'), d.say('D on side 2'), g.say('G joined on side 2')];
  syncAll(s2);
  assert.equal(side1.length + side2.length, 5);

  // Heal.
  const everyone = [a, b, c, d, e, f, g];
  syncAll(everyone);
  const finalMembers = [a, b, c, f, g].map((m) => m.hex).sort();
  for (const m of everyone) assert.deepEqual(m.members(), finalMembers, `${m.name} sees the merged membership`);
  assert.throws(() => d.say('D after the merge'), { code: 'ERR_NOT_A_MEMBER' }, 'concurrent promote loses to remove');

  const after = [a, b, c, f, g].map((m) => {
    const v = m.say(`after the merge: ${m.name}`);
    syncAll(everyone);
    return v;
  });

  const reads = (m: GroupMember, v: DecodedVertex): boolean => {
    const o = m.outcomeOf(v);
    return o?.status === 'message' || o?.status === 'own';
  };
  const expectReaders = (v: DecodedVertex, readers: readonly GroupMember[], what: string): void => {
    for (const m of everyone) assert.equal(reads(m, v), readers.includes(m), `${what}: ${m.name} ${readers.includes(m) ? 'reads' : 'does not read'} it`);
  };
  // Before the partition, the five read each other (F and G had not joined).
  for (const v of hello) expectReaders(v, all5, 'hello');
  // Side 1 after removing D and adding F: for A, B, C, E, F (its sender's view), never D or G.
  for (const v of s1msgs) expectReaders(v, [a, b, c, e, f], 'side-1 message');
  expectReaders(fMsg, [a, b, c, e, f], "F's message");
  expectReaders(bUnaware, [a, b, c, d, e], "B's message written before it knew of D's removal");
  // E wrote before it knew of its removal: that message is for the members E saw.
  expectReaders(eBefore, [a, b, c, d, e], "E's concurrent message");
  // Side 2 after removing E and adding G: for A, B, C, D, G; never E; F was unknown there.
  for (const v of s2msgs) expectReaders(v, [a, b, c, d, g], 'side-2 message');
  // After the merge: the final five only.
  for (const v of after) expectReaders(v, [a, b, c, f, g], 'after-merge message');

  // Nobody refused anything an honest member wrote, and everyone agrees on every outcome's validity.
  for (const m of everyone) {
    const refused = m.log.filter((r) => r.outcome.status === 'rejected');
    assert.deepEqual(refused.map((r) => r.outcome), [], `${m.name} refused nothing`);
  }
});
