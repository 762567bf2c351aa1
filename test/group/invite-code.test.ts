import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { concatBytes, utf8 } from '../../src/crypto/index.ts';
import { GroupError } from '../../src/group/errors.ts';
import {
  DEFAULT_INVITE_TTL_SECONDS,
  INVITE_LIMITS,
  decodeBase32,
  decodeInvite,
  encodeBase32,
  encodeInvite,
  inviteIdOf,
  type Invite,
} from '../../src/group/invite-code.ts';
import { prng, provider } from '../support/fixtures.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const NOW_MS = 1_750_000_000_000;

function filled(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

const BASE: Invite = {
  groupId: filled(16, 1),
  inviter: filled(32, 2),
  secret: filled(32, 3),
  expiresAt: NOW_MS / 1000 + DEFAULT_INVITE_TTL_SECONDS,
  addresses: ['/ip4/127.0.0.1/tcp/4001'],
};

const EIGHT = Array.from({ length: 8 }, (_, i) => `/ip4/192.168.1.${i + 10}/tcp/400${i}/ws`);

function decodeOk(text: string, nowMs = NOW_MS): Invite {
  const r = decodeInvite(provider, text, nowMs);
  if (!r.ok) assert.fail(`expected ${text.slice(0, 40)}… to decode, got ${r.reason}: ${r.detail}`);
  return r.value;
}

function assertSame(actual: Invite, expected: Invite): void {
  assert.deepEqual(
    { ...actual, addresses: [...actual.addresses] },
    { ...expected, addresses: [...expected.addresses] },
  );
}

function rejection(text: string, nowMs = NOW_MS): { reason: string; detail: string } {
  const r = decodeInvite(provider, text, nowMs);
  assert.equal(r.ok, false, `expected ${text.slice(0, 40)}… to be refused`);
  return r as { reason: string; detail: string };
}

/** A code from raw binary (everything before the checksum), with a correct checksum. */
function handBuilt(body: Uint8Array): string {
  return 'PARS' + encodeBase32(concatBytes(body, provider.sha3_256(body).subarray(0, 4)));
}

function fixedPart(invite: Invite = BASE): Uint8Array {
  const expiry = new Uint8Array(4);
  new DataView(expiry.buffer).setUint32(0, invite.expiresAt, false);
  return concatBytes(Uint8Array.of(1), invite.groupId, invite.inviter, invite.secret, expiry);
}

function addressBytes(addresses: readonly string[]): Uint8Array {
  return concatBytes(...addresses.map((a) => concatBytes(Uint8Array.of(a.length), utf8(a))));
}

// --- base32 ---

test('base32 matches the RFC 4648 test vectors (unpadded) and refuses non-canonical text', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [plain, coded] of vectors) {
    assert.equal(encodeBase32(utf8(plain)), coded);
    const back = decodeBase32(coded);
    assert.ok(back.ok);
    assert.deepEqual(back.bytes, utf8(plain));
    const lower = decodeBase32(coded.toLowerCase());
    assert.ok(lower.ok);
    assert.deepEqual(lower.bytes, utf8(plain));
  }
  for (const bad of ['M', 'MZX', 'MZXW6Y', 'MZ', 'MZXR', 'MY=', 'MY0', 'M1', 'MZXW6YT\u00c9']) {
    assert.equal(decodeBase32(bad).ok, false, bad);
  }
  // "MZ" carries 10 bits for one byte; the last two must be zero ("MY" is the canonical form).
  const nonCanonical = decodeBase32('MZ');
  assert.ok(!nonCanonical.ok);
  assert.match(nonCanonical.problem, /non-zero bits/);
});

test('base32 round-trips arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = encodeBase32(bytes);
      assert.match(text, /^[A-Z2-7]*$/);
      assert.equal(text.length, Math.ceil((bytes.length * 8) / 5));
      const back = decodeBase32(text);
      assert.ok(back.ok);
      assert.deepEqual(back.bytes, bytes);
    }),
  );
});

// --- round trips ---

test('an invite round-trips with 0, 1 and 8 addresses and its text is PARS + upper-case base32', () => {
  for (const addresses of [[], BASE.addresses, EIGHT]) {
    const invite = { ...BASE, addresses };
    const text = encodeInvite(provider, invite);
    assert.match(text, /^PARS[A-Z2-7]+$/);
    assertSame(decodeOk(text), invite);
  }
  // 90 bytes for an invite without addresses: 144 base32 characters.
  assert.equal(encodeInvite(provider, { ...BASE, addresses: [] }).length, 4 + 144);
});

test('decoded fields are copies, not views of shared memory', () => {
  const invite = decodeOk(encodeInvite(provider, BASE));
  assert.notEqual(invite.secret.buffer, invite.groupId.buffer);
  for (const field of [invite.groupId, invite.inviter, invite.secret]) assert.equal(field.byteLength, field.buffer.byteLength);
});

const addressArb = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789./:-_%[]'), maxLength: 100 })
  .map((s) => '/' + s);

test('property: any valid invite round-trips', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.integer({ min: 1_750_000_001, max: 0xffff_ffff }),
      fc.array(addressArb, { maxLength: 8 }),
      (groupId, inviter, secret, expiresAt, addresses) => {
        const invite = { groupId, inviter, secret, expiresAt, addresses };
        const text = encodeInvite(provider, invite);
        assert.ok(text.length <= INVITE_LIMITS.maxTextChars);
        assertSame(decodeOk(text), invite);
      },
    ),
    { numRuns: 200 },
  );
});

test('lower case, hyphen-, space- and newline-separated codes decode', () => {
  const text = encodeInvite(provider, BASE);
  const groups = text.match(/.{1,4}/g) ?? [];
  for (const variant of [
    text.toLowerCase(),
    groups.join('-'),
    groups.join(' '),
    groups.join(' - ').toLowerCase(),
    (text.match(/.{1,60}/g) ?? []).join('\n'),
    (text.match(/.{1,60}/g) ?? []).join('\r\n') + '\n',
    `  ${text.slice(0, 2)}-${text.slice(2)}\t`,
  ]) {
    assert.notEqual(variant, text);
    assertSame(decodeOk(variant), BASE);
  }
});

// --- typos and damage ---

test('every single-character substitution in the base32 part is refused', () => {
  const text = encodeInvite(provider, { ...BASE, addresses: ['/ip4/10.0.0.1/tcp/4001'] });
  let checked = 0;
  for (let i = 4; i < text.length; i++) {
    for (const c of ALPHABET) {
      if (c === text[i]) continue;
      const r = rejection(text.slice(0, i) + c + text.slice(i + 1));
      assert.equal(r.reason, 'malformed');
      checked++;
    }
  }
  assert.equal(checked, (text.length - 4) * 31);
});

test('characters outside the alphabet and a wrong prefix are refused as malformed', () => {
  const text = encodeInvite(provider, BASE);
  for (const c of ['0', '1', '8', '9', '=', '_', 'É', '\u017f']) {
    const r = rejection(text.slice(0, 20) + c + text.slice(21));
    assert.equal(r.reason, 'malformed');
    assert.match(r.detail, /base32/);
  }
  for (const bad of ['PARZ' + text.slice(4), text.slice(4), 'PAR' + text.slice(4), '\u017fPARS' + text.slice(4), 'PAR\u017f' + text.slice(4), '']) {
    const r = rejection(bad);
    assert.equal(r.reason, 'malformed');
    assert.match(r.detail, /PARS/);
  }
});

test('a typo is reported as a checksum mismatch', () => {
  const text = encodeInvite(provider, BASE);
  const typo = text.slice(0, 50) + (text[50] === 'A' ? 'B' : 'A') + text.slice(51);
  assert.match(rejection(typo).detail, /checksum/);
});

test('every truncation of a code is refused', () => {
  const text = encodeInvite(provider, { ...BASE, addresses: EIGHT.slice(0, 2) });
  for (let n = 0; n < text.length; n++) assert.equal(rejection(text.slice(0, n)).reason, 'malformed', `length ${n}`);
});

test('structural damage with a valid checksum is refused with a detail saying what', () => {
  const fixed = fixedPart();
  const cases: [string, Uint8Array, RegExp][] = [
    ['unknown version', concatBytes(Uint8Array.of(2), fixed.subarray(1), Uint8Array.of(0)), /version 2/],
    ['trailing bytes', concatBytes(fixed, Uint8Array.of(0, 0xaa)), /trailing/],
    ['address running past the end', concatBytes(fixed, Uint8Array.of(1, 10), utf8('/ip4')), /truncated/],
    ['missing address', concatBytes(fixed, Uint8Array.of(2), addressBytes(['/dns4/a'])), /truncated/],
    ['empty address', concatBytes(fixed, Uint8Array.of(1, 0)), /0 bytes/],
    ['address of 201 bytes', concatBytes(fixed, Uint8Array.of(1, 201), utf8('/' + 'a'.repeat(200))), /201 bytes/],
    ['address without a slash', concatBytes(fixed, Uint8Array.of(1), addressBytes(['ip4/1.2.3.4'])), /printable ASCII/],
    ['address with an escape sequence', concatBytes(fixed, Uint8Array.of(1), addressBytes(['/dns4/\x1b[2Jx'])), /printable ASCII/],
    ['address with a space', concatBytes(fixed, Uint8Array.of(1), addressBytes(['/dns4/a b'])), /printable ASCII/],
    ['address with non-ASCII UTF-8', concatBytes(fixed, Uint8Array.of(1, 8), utf8('/dns4/\u00e9')), /printable ASCII/],
    ['address with invalid UTF-8', concatBytes(fixed, Uint8Array.of(1, 3), Uint8Array.of(0x2f, 0xc3, 0x28)), /printable ASCII/],
  ];
  for (const [name, body, detail] of cases) {
    const r = rejection(handBuilt(body));
    assert.equal(r.reason, 'malformed', name);
    assert.match(r.detail, detail, name);
  }
  // The hand-built codes are sound: the same construction with good bytes decodes.
  assertSame(decodeOk(handBuilt(concatBytes(fixed, Uint8Array.of(1), addressBytes(BASE.addresses)))), BASE);
});

// --- limits and expiry ---

test('9 addresses: GroupError on encode, limit on a hand-built decode', () => {
  const nine = [...EIGHT, '/ip4/10.0.0.9/tcp/9'];
  assert.throws(() => encodeInvite(provider, { ...BASE, addresses: nine }), (e: unknown) => e instanceof GroupError && e.code === 'ERR_INVITE_INPUT');
  const r = rejection(handBuilt(concatBytes(fixedPart(), Uint8Array.of(9), addressBytes(nine))));
  assert.equal(r.reason, 'limit');
  assert.match(r.detail, /9 addresses/);
  // A count of 255 with no address bytes behind it is refused on the count, before reading on.
  assert.equal(rejection(handBuilt(concatBytes(fixedPart(), Uint8Array.of(255)))).reason, 'limit');
});

test('text longer than 2048 characters is refused as limit without being decoded', () => {
  const r = rejection('PARS' + 'A'.repeat(4996));
  assert.equal(r.reason, 'limit');
  // Not even the prefix is looked at: 5000 characters of garbage give the same answer.
  assert.equal(rejection('!'.repeat(5000)).reason, 'limit');
  assert.equal(rejection(' '.repeat(2049)).reason, 'limit');
  assert.equal(rejection(' '.repeat(2048)).reason, 'malformed');
});

test('expiry: refused exactly at expiresAt, accepted one millisecond before', () => {
  const text = encodeInvite(provider, BASE);
  const at = BASE.expiresAt * 1000;
  assertSame(decodeOk(text, at - 1), BASE);
  const r = rejection(text, at);
  assert.equal(r.reason, 'invite-expired');
  assert.equal(rejection(text, at + 1).reason, 'invite-expired');
  assert.throws(() => decodeInvite(provider, text, Number.NaN), GroupError);
});

test('encodeInvite refuses fields it cannot represent', () => {
  const bad: [string, Partial<Invite>][] = [
    ['short groupId', { groupId: new Uint8Array(15) }],
    ['long inviter', { inviter: new Uint8Array(33) }],
    ['short secret', { secret: new Uint8Array(0) }],
    ['negative expiry', { expiresAt: -1 }],
    ['expiry beyond u32', { expiresAt: 2 ** 32 }],
    ['fractional expiry', { expiresAt: 1.5 }],
    ['empty address', { addresses: [''] }],
    ['address of 201 bytes', { addresses: ['/' + 'a'.repeat(200)] }],
    ['address with a newline', { addresses: ['/ip4/1.2.3.4\n'] }],
    ['address with non-ASCII', { addresses: ['/dns4/\u00e9x.org'] }],
    ['code over 2048 characters', { addresses: Array.from({ length: 8 }, () => '/' + 'a'.repeat(199)) }],
  ];
  for (const [name, change] of bad) {
    assert.throws(() => encodeInvite(provider, { ...BASE, ...change }), (e: unknown) => e instanceof GroupError && e.code === 'ERR_INVITE_INPUT', name);
  }
  // The longest address is accepted.
  const longest = { ...BASE, addresses: ['/' + 'a'.repeat(199)] };
  assertSame(decodeOk(encodeInvite(provider, longest)), longest);
});

test('inviteIdOf is 16 bytes of SHA3-256 over the label and the secret', () => {
  const id = inviteIdOf(provider, BASE.secret);
  assert.equal(id.length, 16);
  assert.deepEqual(id, provider.sha3_256(concatBytes(utf8('pars-mesh/invite/id/v1'), BASE.secret)).subarray(0, 16));
  const other = Uint8Array.from(BASE.secret);
  other[31] = (other[31] as number) ^ 1;
  assert.notDeepEqual(inviteIdOf(provider, other), id);
  assert.throws(() => inviteIdOf(provider, new Uint8Array(31)), GroupError);
});

test('random garbage never throws', () => {
  const rand = prng(7);
  for (let i = 0; i < 500; i++) {
    const length = Math.floor(rand() * 300);
    const chars = Array.from({ length }, () => String.fromCharCode(Math.floor(rand() * 128)));
    const text = (rand() < 0.5 ? 'PARS' : '') + chars.join('');
    assert.equal(decodeInvite(provider, text, NOW_MS).ok, false);
  }
});
