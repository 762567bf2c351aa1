import { concatBytes, equalBytes, utf8, type CryptoProvider } from '../crypto/index.ts';
import { GroupError, groupOk, groupReject, type GroupResult } from './errors.ts';

/*
 * Invite codes: what `pars group invite` prints (and shows as a QR code) and `pars group join`
 * reads. Binary form, version 1:
 *   version 1 byte = 1 ‖ groupId 16 ‖ inviter 32 (node id) ‖ secret 32 (one-time) ‖
 *   expiresAt u32 BE (Unix seconds) ‖ addressCount u8 (≤ 8) ‖
 *   addresses (u8 length 1..200 ‖ multiaddr text)* ‖ checksum 4 = SHA3-256(everything before)[0..4]
 * Text form: "PARS" + RFC 4648 base32 of the binary form, upper case, unpadded — upper case so a
 * QR encoder can use its denser alphanumeric mode. This module only builds and reads codes; the
 * inviter's node enforces expiry and single use (keyed by `inviteIdOf`).
 */

export const INVITE_VERSION = 1;

/** Default lifetime of an invite. */
export const DEFAULT_INVITE_TTL_SECONDS = 7 * 24 * 3600;

/** Longest invite lifetime a node issues. */
export const MAX_INVITE_TTL_SECONDS = 365 * 24 * 3600;

/** Limits of the invite code (docs/LIMITS.md, "Invites"). */
export const INVITE_LIMITS = Object.freeze({
  /** Longest text accepted, separators included; longer text is refused before it is decoded. */
  maxTextChars: 2048,
  /** Most addresses in one invite. */
  maxAddresses: 8,
  /** Longest address in bytes (the shortest is 1). */
  maxAddressBytes: 200,
  groupIdBytes: 16,
  inviterBytes: 32,
  secretBytes: 32,
  checksumBytes: 4,
});

export interface Invite {
  readonly groupId: Uint8Array;
  /** Node id of the member who made the invite (and who will admit the joiner). */
  readonly inviter: Uint8Array;
  /** One-time secret the joiner proves knowledge of; random from the caller. */
  readonly secret: Uint8Array;
  /** Seconds since the Unix epoch; the invite is refused from this instant on. */
  readonly expiresAt: number;
  /** Multiaddrs where the inviter may be reached, e.g. "/ip4/192.168.1.7/tcp/4001". */
  readonly addresses: readonly string[];
}

const PREFIX = 'PARS';
const L = INVITE_LIMITS;
/** Bytes of an invite with no addresses. */
const FIXED_BYTES = 1 + L.groupIdBytes + L.inviterBytes + L.secretBytes + 4 + 1 + L.checksumBytes;
const INVITE_ID_LABEL = utf8('pars-mesh/invite/id/v1');
const INVITE_ID_BYTES = 16;

/*
 * Addresses are printed to the joiner's terminal and logs, so they are limited to printable ASCII
 * without spaces (which every textual multiaddr is): an invite must not be able to carry terminal
 * escape sequences or bidirectional-override tricks.
 */
const ADDRESS_TEXT = /^\/[\x21-\x7e]*$/;

/** Why `address` cannot travel in an invite, or undefined when it can. */
export function inviteAddressProblem(address: unknown): string | undefined {
  if (typeof address !== 'string') return 'is not a string';
  if (address.length < 1 || address.length > L.maxAddressBytes) return `is ${address.length} bytes, must be 1..${L.maxAddressBytes}`;
  if (!ADDRESS_TEXT.test(address)) return 'is not a multiaddr of printable ASCII starting with "/"';
  return undefined;
}

function checkField(value: unknown, length: number, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new GroupError('ERR_INVITE_INPUT', `invite ${what} must be a Uint8Array of ${length} bytes`);
  }
}

/** Text length of a code whose binary form has `bytes` bytes. */
function textLength(bytes: number): number {
  return PREFIX.length + Math.ceil((bytes * 8) / 5);
}

/**
 * The text form of `invite`. Throws GroupError on a field of the wrong size, an expiry outside
 * u32, more than 8 addresses, an address that is not 1..200 bytes of printable ASCII starting
 * with "/", or a code that would be longer than `maxTextChars` (which `decodeInvite` would refuse).
 */
export function encodeInvite(provider: CryptoProvider, invite: Invite): string {
  checkField(invite.groupId, L.groupIdBytes, 'groupId');
  checkField(invite.inviter, L.inviterBytes, 'inviter');
  checkField(invite.secret, L.secretBytes, 'secret');
  const { expiresAt, addresses } = invite;
  if (!Number.isInteger(expiresAt) || expiresAt < 0 || expiresAt > 0xffff_ffff) {
    throw new GroupError('ERR_INVITE_INPUT', `invite expiresAt must be an integer number of seconds in 0..2^32-1, got ${expiresAt}`);
  }
  if (!Array.isArray(addresses) || addresses.length > L.maxAddresses) {
    throw new GroupError('ERR_INVITE_INPUT', `an invite carries at most ${L.maxAddresses} addresses`);
  }
  let size = FIXED_BYTES;
  for (const [i, address] of addresses.entries()) {
    const problem = inviteAddressProblem(address);
    if (problem !== undefined) throw new GroupError('ERR_INVITE_INPUT', `invite address ${i} ${problem}`);
    size += 1 + address.length;
  }
  if (textLength(size) > L.maxTextChars) {
    throw new GroupError('ERR_INVITE_INPUT', `invite code would be ${textLength(size)} characters, limit ${L.maxTextChars}; use fewer or shorter addresses`);
  }

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let pos = 0;
  bytes[pos++] = INVITE_VERSION;
  for (const field of [invite.groupId, invite.inviter, invite.secret]) {
    bytes.set(field, pos);
    pos += field.length;
  }
  view.setUint32(pos, expiresAt, false);
  pos += 4;
  bytes[pos++] = addresses.length;
  for (const address of addresses) {
    bytes[pos++] = address.length;
    // Printable ASCII: one byte per character, so the UTF-8 bytes are the char codes.
    for (let i = 0; i < address.length; i++) bytes[pos++] = address.charCodeAt(i);
  }
  bytes.set(provider.sha3_256(bytes.subarray(0, pos)).subarray(0, L.checksumBytes), pos);
  return PREFIX + encodeBase32(bytes);
}

/** People copy codes by hand and mail clients wrap them: these characters are ignored when reading. */
const SEPARATORS = /[\s-]/g;
// Without the u flag, /i never folds a non-ASCII letter (such as U+017F long s) onto an ASCII one.
const PREFIX_TEXT = /^pars/i;

/**
 * Reads an invite code. Lower case and spaces, hyphens and line breaks anywhere are accepted.
 * Refusals: 'limit' for text over `maxTextChars` (before any decoding) or more than 8 addresses;
 * 'malformed' for a missing prefix, bad base32, an unknown version, a wrong checksum (a typo),
 * a truncated or over-long structure; 'invite-expired' when `expiresAt * 1000 <= nowMs`.
 * Throws GroupError only when `nowMs` is not a finite number (a caller bug).
 */
export function decodeInvite(provider: CryptoProvider, text: string, nowMs: number): GroupResult<Invite> {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new GroupError('ERR_INVITE_INPUT', 'nowMs must be a finite number of milliseconds');
  if (typeof text !== 'string') return groupReject('malformed', 'invite code is not text');
  if (text.length > L.maxTextChars) return groupReject('limit', `invite code is ${text.length} characters, limit ${L.maxTextChars}`);
  const compact = text.replace(SEPARATORS, '');
  if (!PREFIX_TEXT.test(compact)) return groupReject('malformed', `invite code does not start with "${PREFIX}"`);
  const decoded = decodeBase32(compact.slice(PREFIX.length));
  if (!decoded.ok) return groupReject('malformed', `invite code is not base32: ${decoded.problem}`);
  const bytes = decoded.bytes;

  if (bytes.length === 0) return groupReject('malformed', 'invite code is empty');
  // The version comes first: another version may lay out (and checksum) its bytes differently.
  if (bytes[0] !== INVITE_VERSION) return groupReject('malformed', `unsupported invite version ${bytes[0]}`);
  if (bytes.length < FIXED_BYTES) return groupReject('malformed', `invite is truncated: ${bytes.length} bytes, at least ${FIXED_BYTES} needed`);
  const end = bytes.length - L.checksumBytes;
  // Checked before the structure so that a mistyped code is reported as one.
  const sum = provider.sha3_256(bytes.subarray(0, end)).subarray(0, L.checksumBytes);
  if (!equalBytes(sum, bytes.subarray(end))) return groupReject('malformed', 'invite checksum does not match: the code is mistyped or damaged');

  let pos = 1;
  const take = (n: number): Uint8Array => bytes.slice(pos, (pos += n));
  const groupId = take(L.groupIdBytes);
  const inviter = take(L.inviterBytes);
  const secret = take(L.secretBytes);
  const expiresAt = new DataView(bytes.buffer, bytes.byteOffset).getUint32(pos, false);
  pos += 4;
  const count = bytes[pos++] as number;
  if (count > L.maxAddresses) return groupReject('limit', `invite has ${count} addresses, limit ${L.maxAddresses}`);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    if (pos >= end) return groupReject('malformed', `invite is truncated in address ${i}`);
    const length = bytes[pos++] as number;
    if (length < 1 || length > L.maxAddressBytes) return groupReject('malformed', `invite address ${i} is ${length} bytes, must be 1..${L.maxAddressBytes}`);
    if (pos + length > end) return groupReject('malformed', `invite is truncated in address ${i}`);
    const address = String.fromCharCode(...bytes.subarray(pos, pos + length));
    pos += length;
    const problem = inviteAddressProblem(address);
    if (problem !== undefined) return groupReject('malformed', `invite address ${i} ${problem}`);
    addresses.push(address);
  }
  if (pos !== end) return groupReject('malformed', `invite has ${end - pos} trailing bytes`);
  if (expiresAt * 1000 <= nowMs) return groupReject('invite-expired', `invite expired at ${new Date(expiresAt * 1000).toISOString()}`);
  return groupOk({ groupId, inviter, secret, expiresAt, addresses });
}

/**
 * What the inviter records to enforce single use: a one-way tag of the secret, so the record of
 * used invites does not let anyone who reads it redeem them.
 */
export function inviteIdOf(provider: CryptoProvider, secret: Uint8Array): Uint8Array {
  checkField(secret, L.secretBytes, 'secret');
  return provider.sha3_256(concatBytes(INVITE_ID_LABEL, secret)).slice(0, INVITE_ID_BYTES);
}

// RFC 4648 base32 (section 6), unpadded. Small enough to own rather than depend on.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUES = new Map([...ALPHABET].flatMap((c, i) => [[c, i], [c.toLowerCase(), i]] as const));

/** RFC 4648 base32 of `bytes`, upper case, without padding. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export type Base32Read = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly problem: string };

/**
 * Reads unpadded base32, upper or lower case (letters only; nothing else is folded). Canonical form only: a length no byte count produces
 * (1, 3 or 6 mod 8) and non-zero bits after the last byte are refused, so each byte string has
 * exactly one text and no character of a code can change without changing its bytes.
 */
export function decodeBase32(text: string): Base32Read {
  const tail = text.length % 8;
  if (tail === 1 || tail === 3 || tail === 6) return { ok: false, problem: `length ${text.length} is not a whole number of bytes` };
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const value = VALUES.get(text[i] as string);
    if (value === undefined) return { ok: false, problem: `character ${JSON.stringify(text[i])} at ${i} is not in the base32 alphabet` };
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[pos++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return { ok: false, problem: 'non-zero bits after the last byte' };
  return { ok: true, bytes: out };
}
