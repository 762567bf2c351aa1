import * as dagCbor from '@ipld/dag-cbor';
import { concatBytes, equalBytes, ML_KEM_768, utf8, type CryptoProvider } from '../crypto/index.ts';
import { decodeBoundedCbor, hasExactKeys, isPlainMap } from '../dag/index.ts';
import { groupOk, groupReject, type GroupResult } from './errors.ts';
import { GROUP_SECRET_BYTES, type InviteKeys } from './group-keys.ts';
import { padToBucket, unpad } from './padding.ts';
import { decodeTaggedKey, encodeTaggedKey } from './tagged-key.ts';

/*
 * Joining by invite. The invite's one-time secret names a rendezvous topic and a key. The joiner
 * writes a join request there (its ML-DSA key and a fresh group ML-KEM key, sealed under the
 * invite key: only someone who saw the invite can write one the inviter accepts). The inviter,
 * if the invite is unexpired and unused, adds the joiner to the group and answers on the same
 * topic with a welcome: the group secret and genesis id, sealed to the joiner's ML-KEM key and the
 * invite key together. Relays see two opaque vertices on a topic that says nothing about the group.
 *
 * Payload layouts (docs/PROTOCOL.md, "Joining"):
 *   request: 0x01 ‖ 0x01 ‖ nonce(12) ‖ AES-256-GCM(inviteKey, nonce, pad(cbor{v:1, dk, kk}), aad)
 *   welcome: 0x01 ‖ 0x02 ‖ nonce(12) ‖ ct(1088) ‖ AES-256-GCM(welcomeKey, nonce, pad(cbor{v:1, s, g, to}), aad)
 *   aad = "pars-mesh/invite/<request|welcome>/v1" ‖ topic ‖ author
 *   welcomeKey = HKDF-SHA3(ss ‖ inviteKey, info = "pars-mesh/invite/welcome-key/v1" ‖ joiner id)
 */

const VERSION = 1;
const REQUEST = 1;
const WELCOME = 2;
const NONCE = 12;

function aad(kind: 'request' | 'welcome', topic: Uint8Array, author: Uint8Array): Uint8Array {
  return concatBytes(utf8(`pars-mesh/invite/${kind}/v1`), topic, author);
}

function decodeMap(bytes: Uint8Array, keys: readonly string[]): GroupResult<Record<string, unknown>> {
  const decoded = decodeBoundedCbor(bytes, { maxDepth: 2 });
  if (!decoded.ok) return groupReject(decoded.reason, decoded.detail);
  const value = decoded.value;
  if (!isPlainMap(value) || value['v'] !== VERSION || !hasExactKeys(value, keys)) {
    return groupReject('malformed', `not a map { ${keys.join(', ')} }`);
  }
  return groupOk(value);
}

export interface JoinRequest {
  readonly signingKey: Uint8Array;
  readonly kemKey: Uint8Array;
}

export function sealJoinRequest(provider: CryptoProvider, invite: InviteKeys, author: Uint8Array, request: JoinRequest, nonce: Uint8Array): Uint8Array {
  const body = padToBucket(dagCbor.encode({ v: VERSION, dk: encodeTaggedKey('ml-dsa-65', request.signingKey), kk: encodeTaggedKey('ml-kem-768', request.kemKey) }));
  return concatBytes(new Uint8Array([VERSION, REQUEST]), nonce, provider.aes256Gcm.seal(invite.key, nonce, body, aad('request', invite.topic, author)));
}

/** Whether a rendezvous payload is a request or a welcome (or neither). */
export function rendezvousKind(payload: Uint8Array): 'request' | 'welcome' | undefined {
  if (payload.length < 2 || payload[0] !== VERSION) return undefined;
  return payload[1] === REQUEST ? 'request' : payload[1] === WELCOME ? 'welcome' : undefined;
}

/** Opens a join request written by `author`; the signing key must be the author's (its hash is the node id). */
export function openJoinRequest(provider: CryptoProvider, invite: InviteKeys, author: Uint8Array, payload: Uint8Array): GroupResult<JoinRequest> {
  if (rendezvousKind(payload) !== 'request' || payload.length < 2 + NONCE + 16 + 256) return groupReject('malformed', 'not a join request');
  const plain = provider.aes256Gcm.open(invite.key, payload.subarray(2, 2 + NONCE), payload.subarray(2 + NONCE), aad('request', invite.topic, author));
  if (plain === undefined) return groupReject('decrypt-failed', 'join request does not open under this invite');
  const body = unpad(plain);
  if (!body.ok) return body;
  const map = decodeMap(body.value, ['v', 'dk', 'kk']);
  if (!map.ok) return map;
  if (!(map.value['dk'] instanceof Uint8Array) || !(map.value['kk'] instanceof Uint8Array)) return groupReject('malformed', 'keys are not bytes');
  const dk = decodeTaggedKey(map.value['dk'], 'ml-dsa-65');
  if (!dk.ok) return dk;
  const kk = decodeTaggedKey(map.value['kk'], 'ml-kem-768');
  if (!kk.ok) return kk;
  if (!equalBytes(provider.sha3_256(dk.value), author)) return groupReject('bad-key', 'join request signing key is not its author\'s');
  return groupOk({ signingKey: dk.value, kemKey: kk.value });
}

export interface Welcome {
  readonly secret: Uint8Array;
  readonly genesis: Uint8Array;
}

function welcomeKey(provider: CryptoProvider, shared: Uint8Array, invite: InviteKeys, joiner: Uint8Array): Uint8Array {
  return provider.hkdfSha3_256(concatBytes(shared, invite.key), new Uint8Array(0), concatBytes(utf8('pars-mesh/invite/welcome-key/v1'), joiner), 32);
}

export function sealWelcome(
  provider: CryptoProvider,
  invite: InviteKeys,
  author: Uint8Array,
  joiner: Uint8Array,
  joinerKem: Uint8Array,
  welcome: Welcome,
  nonce: Uint8Array,
): Uint8Array {
  const { cipherText, sharedSecret } = provider.mlKem768.encapsulate(joinerKem);
  const key = welcomeKey(provider, sharedSecret, invite, joiner);
  sharedSecret.fill(0);
  const body = padToBucket(dagCbor.encode({ v: VERSION, s: welcome.secret, g: welcome.genesis, to: joiner }));
  const sealed = provider.aes256Gcm.seal(key, nonce, body, aad('welcome', invite.topic, author));
  key.fill(0);
  body.fill(0);
  return concatBytes(new Uint8Array([VERSION, WELCOME]), nonce, cipherText, sealed);
}

/** Opens a welcome addressed to `joiner` with the ML-KEM seed the joiner put in its request. */
export function openWelcome(provider: CryptoProvider, invite: InviteKeys, author: Uint8Array, joiner: Uint8Array, kemSeed: Uint8Array, payload: Uint8Array): GroupResult<Welcome> {
  const ctAt = 2 + NONCE;
  if (rendezvousKind(payload) !== 'welcome' || payload.length < ctAt + ML_KEM_768.cipherText + 16 + 256) return groupReject('malformed', 'not a welcome');
  const shared = provider.mlKem768.keyPair(kemSeed).decapsulate(payload.subarray(ctAt, ctAt + ML_KEM_768.cipherText));
  const key = welcomeKey(provider, shared, invite, joiner);
  shared.fill(0);
  const plain = provider.aes256Gcm.open(key, payload.subarray(2, ctAt), payload.subarray(ctAt + ML_KEM_768.cipherText), aad('welcome', invite.topic, author));
  key.fill(0);
  if (plain === undefined) return groupReject('decrypt-failed', 'welcome does not open for this member');
  const body = unpad(plain);
  if (!body.ok) return body;
  const map = decodeMap(body.value, ['v', 's', 'g', 'to']);
  if (!map.ok) return map;
  const { s, g, to } = map.value;
  if (!(s instanceof Uint8Array) || s.length !== GROUP_SECRET_BYTES || !(g instanceof Uint8Array) || g.length !== 32 || !(to instanceof Uint8Array) || !equalBytes(to, joiner)) {
    return groupReject('malformed', 'welcome fields');
  }
  return groupOk({ secret: Uint8Array.from(s), genesis: Uint8Array.from(g) });
}
