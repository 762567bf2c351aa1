import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { defaultProvider, ML_DSA_65, ML_KEM_768 } from '../../src/crypto/index.ts';
import { safetyNumber, type SafetyParty } from '../../src/group/safety-number.ts';

const P = defaultProvider();
const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed * 7 + i * 13) & 0xff);

function party(seed: number): SafetyParty {
  return { nodeId: bytes(32, seed), signingKey: bytes(ML_DSA_65.publicKey, seed + 1), kemKey: bytes(ML_KEM_768.publicKey, seed + 2) };
}

const alice = party(10);
const bob = party(20);

/** An independent implementation with node:crypto, straight from the description. */
function reference(a: SafetyParty, b: SafetyParty): string {
  const sha3 = (...parts: Uint8Array[]): Buffer => createHash('sha3-256').update(Buffer.concat(parts)).digest();
  const digits = (p: SafetyParty): string => {
    let h = sha3(Buffer.from('pars-mesh/safety/v1'), p.nodeId, p.signingKey, p.kemKey);
    for (let i = 0; i < 1024; i++) h = sha3(h, p.signingKey, p.kemKey);
    let out = '';
    for (let c = 0; c < 6; c++) out += (h.readUIntBE(c * 5, 5) % 100000).toString().padStart(5, '0');
    return out;
  };
  const [first, second] = Buffer.compare(Buffer.from(a.nodeId), Buffer.from(b.nodeId)) < 0 ? [a, b] : [b, a];
  return (digits(first) + digits(second)).replace(/(\d{5})(?!$)/g, '$1 ');
}

test('a safety number is 60 digits in twelve groups of five, the same from both sides', () => {
  const ab = safetyNumber(P, alice, bob);
  assert.match(ab, /^\d{5}( \d{5}){11}$/);
  assert.equal(safetyNumber(P, bob, alice), ab);
  assert.equal(ab, reference(alice, bob));
});

test('known answer (computed once with this implementation and the reference above, then pinned)', () => {
  assert.equal(safetyNumber(P, alice, bob), '43580 21430 97356 98998 48728 54899 65272 98944 18035 28191 59662 38372');
});

test('changing any of the four keys changes the number', () => {
  const base = safetyNumber(P, alice, bob);
  const flip = (b: Uint8Array, at: number): Uint8Array => {
    const c = new Uint8Array(b);
    c[at] = (c[at] as number) ^ 1;
    return c;
  };
  const variants: [SafetyParty, SafetyParty][] = [
    [{ ...alice, signingKey: flip(alice.signingKey, 0) }, bob],
    [{ ...alice, kemKey: flip(alice.kemKey, ML_KEM_768.publicKey - 1) }, bob],
    [alice, { ...bob, signingKey: flip(bob.signingKey, 100) }],
    [alice, { ...bob, kemKey: flip(bob.kemKey, 7) }],
  ];
  const seen = new Set([base]);
  for (const [a, b] of variants) {
    const n = safetyNumber(P, a, b);
    assert.equal(n, safetyNumber(P, b, a));
    seen.add(n);
  }
  assert.equal(seen.size, 5);
  // Only the changed party's half moves.
  const halves = (n: string): [string, string] => [n.slice(0, 35), n.slice(36)];
  const [a0, b0] = halves(base);
  const [a1, b1] = halves(safetyNumber(P, { ...alice, kemKey: flip(alice.kemKey, 3) }, bob));
  assert.ok(Buffer.compare(Buffer.from(alice.nodeId), Buffer.from(bob.nodeId)) < 0);
  assert.notEqual(a1, a0);
  assert.equal(b1, b0);
});

test('a party checking itself gets one order as well', () => {
  const other = { ...alice, kemKey: bytes(ML_KEM_768.publicKey, 99) };
  assert.equal(safetyNumber(P, alice, other), safetyNumber(P, other, alice));
});

test('wrong sizes throw GroupError', () => {
  const misuse = { name: 'GroupError', code: 'ERR_GROUP_ARGUMENT' };
  assert.throws(() => safetyNumber(P, { ...alice, nodeId: bytes(16, 0) }, bob), misuse);
  assert.throws(() => safetyNumber(P, alice, { ...bob, signingKey: bytes(ML_KEM_768.publicKey, 0) }), misuse);
  assert.throws(() => safetyNumber(P, alice, { ...bob, kemKey: bytes(ML_DSA_65.publicKey, 0) }), misuse);
});
