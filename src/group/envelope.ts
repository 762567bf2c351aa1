import { AES_256_GCM, toHex, utf8, type CryptoProvider } from '../crypto/index.ts';
import { checkArgumentBytes, groupArgumentError, groupOk, groupReject, type GroupResult } from './errors.ts';
import { isBucket, padToBucket, unpad } from './padding.ts';

/*
 * The payload of every group vertex (format version 1):
 *
 *   offset 0   1 byte    version = 1
 *   offset 1   12 bytes  nonce (random, chosen by the sender)
 *   offset 13  9 bytes   masked header = header XOR SHA3-256(headerKey ‖ nonce)[0..9]
 *                        header = kind (1 control, 2 message) ‖ epoch (u32 BE) ‖ index (u32 BE)
 *   offset 22  rest      AES-256-GCM(bodyKey, nonce, padToBucket(content), aad)
 *                        aad = "pars-mesh/group/payload/v1" ‖ topic (16) ‖ author (32) ‖ version ‖ header
 *
 * The header is masked so that outsiders cannot read epochs and message counters off the wire;
 * members unmask it to find the key to open the body with. The plaintext header is bound into
 * the AEAD, so a header changed in transit fails the tag. Topic and author bind the body to the
 * vertex that carries it: a payload replayed on another topic or under another author fails too.
 */

export const ENVELOPE_VERSION = 1;
/** Bytes a payload adds to its padded content: version, nonce, masked header, GCM tag. */
export const ENVELOPE_OVERHEAD = 38;

export type EnvelopeKind = 'control' | 'message';

export interface EnvelopeHeader {
  readonly kind: EnvelopeKind;
  /** Epoch number (u32); 0 for control payloads. */
  readonly epoch: number;
  /** Message index in the sender's chain for this epoch (u32); 0 for control payloads. */
  readonly index: number;
}

export interface SealEnvelopeInput {
  readonly headerKey: Uint8Array;
  readonly bodyKey: Uint8Array;
  /** 12 random bytes, from the caller's injected randomness. */
  readonly nonce: Uint8Array;
  readonly header: EnvelopeHeader;
  /** The vertex's 16-byte topic tag. */
  readonly topic: Uint8Array;
  /** The vertex's 32-byte author node id. */
  readonly author: Uint8Array;
  readonly content: Uint8Array;
}

const KEY_BYTES = 32;
const NONCE_BYTES = AES_256_GCM.nonce;
const HEADER_BYTES = 9;
const TOPIC_BYTES = 16;
const AUTHOR_BYTES = 32;
const NONCE_AT = 1;
const HEADER_AT = NONCE_AT + NONCE_BYTES;
const BODY_AT = HEADER_AT + HEADER_BYTES;
const MAX_U32 = 0xffffffff;
const KIND_CONTROL = 1;
const KIND_MESSAGE = 2;

const AAD_LABEL = utf8('pars-mesh/group/payload/v1');
const AAD_TOPIC_AT = AAD_LABEL.length;
const AAD_AUTHOR_AT = AAD_TOPIC_AT + TOPIC_BYTES;
const AAD_VERSION_AT = AAD_AUTHOR_AT + AUTHOR_BYTES;
const AAD_HEADER_AT = AAD_VERSION_AT + 1;
const AAD_BYTES = AAD_HEADER_AT + HEADER_BYTES;

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_U32;
}

function checkHeader(header: EnvelopeHeader): void {
  if (header.kind !== 'control' && header.kind !== 'message') throw groupArgumentError(`header kind must be "control" or "message"`);
  if (!isU32(header.epoch) || !isU32(header.index)) throw groupArgumentError('header epoch and index must be u32 integers');
  if (header.kind === 'control' && (header.epoch !== 0 || header.index !== 0)) throw groupArgumentError('a control header has epoch 0 and index 0');
}

function writeU32(out: Uint8Array, at: number, n: number): void {
  out[at] = n >>> 24;
  out[at + 1] = (n >>> 16) & 0xff;
  out[at + 2] = (n >>> 8) & 0xff;
  out[at + 3] = n & 0xff;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0;
}

/** The additional data with the plaintext header in place: built once per seal or open. */
function buildAad(topic: Uint8Array, author: Uint8Array, header: EnvelopeHeader): Uint8Array {
  const aad = new Uint8Array(AAD_BYTES);
  aad.set(AAD_LABEL, 0);
  aad.set(topic, AAD_TOPIC_AT);
  aad.set(author, AAD_AUTHOR_AT);
  aad[AAD_VERSION_AT] = ENVELOPE_VERSION;
  aad[AAD_HEADER_AT] = header.kind === 'control' ? KIND_CONTROL : KIND_MESSAGE;
  writeU32(aad, AAD_HEADER_AT + 1, header.epoch);
  writeU32(aad, AAD_HEADER_AT + 5, header.index);
  return aad;
}

/** SHA3-256(headerKey ‖ nonce): the first 9 bytes mask the header. */
function headerMask(provider: CryptoProvider, headerKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  const input = new Uint8Array(KEY_BYTES + NONCE_BYTES);
  input.set(headerKey, 0);
  input.set(nonce, KEY_BYTES);
  return provider.sha3_256(input);
}

/** Whether `payloadLength` is a version-1 payload size: the overhead plus a padding bucket. */
function isPayloadLength(payloadLength: number): boolean {
  return isBucket(payloadLength - ENVELOPE_OVERHEAD);
}

/** Hex of a payload's nonce: unique per payload, it is how a writer recognises its own vertex when it comes back. */
export function envelopeNonce(payload: Uint8Array): string {
  return toHex(payload.subarray(NONCE_AT, HEADER_AT));
}

/**
 * Seals `content` into a payload of ENVELOPE_OVERHEAD + bucket bytes. Throws GroupError on caller
 * misuse (`ERR_GROUP_ARGUMENT`: key, nonce, topic or author sizes, header out of range) and
 * `ERR_MESSAGE_TOO_LARGE` above MAX_CONTENT_BYTES.
 */
export function sealEnvelope(provider: CryptoProvider, input: SealEnvelopeInput): Uint8Array {
  checkArgumentBytes(input.headerKey, KEY_BYTES, 'headerKey');
  checkArgumentBytes(input.bodyKey, KEY_BYTES, 'bodyKey');
  checkArgumentBytes(input.nonce, NONCE_BYTES, 'nonce');
  checkArgumentBytes(input.topic, TOPIC_BYTES, 'topic');
  checkArgumentBytes(input.author, AUTHOR_BYTES, 'author');
  checkHeader(input.header);
  const padded = padToBucket(input.content);
  const aad = buildAad(input.topic, input.author, input.header);
  const sealed = provider.aes256Gcm.seal(input.bodyKey, input.nonce, padded, aad);
  const mask = headerMask(provider, input.headerKey, input.nonce);
  const out = new Uint8Array(BODY_AT + sealed.length);
  out[0] = ENVELOPE_VERSION;
  out.set(input.nonce, NONCE_AT);
  for (let i = 0; i < HEADER_BYTES; i++) out[HEADER_AT + i] = (aad[AAD_HEADER_AT + i] as number) ^ (mask[i] as number);
  out.set(sealed, BODY_AT);
  return out;
}

/**
 * Unmasks the header of a payload with the group's header key. 'malformed' for another version,
 * a length that is not the overhead plus a bucket, an unknown kind, or a control header with a
 * nonzero epoch or index. A wrong header key yields garbage or 'malformed'; the body's tag
 * catches the garbage in `openEnvelope`.
 */
export function readEnvelopeHeader(provider: CryptoProvider, payload: Uint8Array, headerKey: Uint8Array): GroupResult<EnvelopeHeader> {
  checkArgumentBytes(headerKey, KEY_BYTES, 'headerKey');
  // Size and version first: nothing is allocated or hashed for a payload of the wrong shape.
  if (!isPayloadLength(payload.length)) return groupReject('malformed', `payload length ${payload.length} is not ${ENVELOPE_OVERHEAD} plus a bucket size`);
  if (payload[0] !== ENVELOPE_VERSION) return groupReject('malformed', `payload version ${payload[0]} is not ${ENVELOPE_VERSION}`);
  const mask = headerMask(provider, headerKey, payload.subarray(NONCE_AT, HEADER_AT));
  for (let i = 0; i < HEADER_BYTES; i++) mask[i] = (mask[i] as number) ^ (payload[HEADER_AT + i] as number);
  const kindByte = mask[0];
  if (kindByte !== KIND_CONTROL && kindByte !== KIND_MESSAGE) return groupReject('malformed', 'unknown payload kind');
  const epoch = readU32(mask, 1);
  const index = readU32(mask, 5);
  if (kindByte === KIND_CONTROL && (epoch !== 0 || index !== 0)) return groupReject('malformed', 'control payload with a nonzero epoch or index');
  return groupOk({ kind: kindByte === KIND_CONTROL ? 'control' : 'message', epoch, index });
}

/**
 * The content of a payload whose header `readEnvelopeHeader` returned, under the body key that
 * header selects. 'decrypt-failed' when the tag does not verify (wrong key, topic, author or
 * header, or any bit changed), 'bad-padding' when the verified plaintext is not canonical.
 */
export function openEnvelope(
  provider: CryptoProvider,
  payload: Uint8Array,
  header: EnvelopeHeader,
  bodyKey: Uint8Array,
  topic: Uint8Array,
  author: Uint8Array,
): GroupResult<Uint8Array> {
  checkArgumentBytes(bodyKey, KEY_BYTES, 'bodyKey');
  checkArgumentBytes(topic, TOPIC_BYTES, 'topic');
  checkArgumentBytes(author, AUTHOR_BYTES, 'author');
  checkHeader(header);
  // Re-checked here so that a caller who skipped readEnvelopeHeader still gets a value, not a throw.
  if (!isPayloadLength(payload.length)) return groupReject('malformed', `payload length ${payload.length} is not ${ENVELOPE_OVERHEAD} plus a bucket size`);
  if (payload[0] !== ENVELOPE_VERSION) return groupReject('malformed', `payload version ${payload[0]} is not ${ENVELOPE_VERSION}`);
  const aad = buildAad(topic, author, header);
  const padded = provider.aes256Gcm.open(bodyKey, payload.subarray(NONCE_AT, HEADER_AT), payload.subarray(BODY_AT), aad);
  if (padded === undefined) return groupReject('decrypt-failed', 'payload tag did not verify');
  const content = unpad(padded);
  if (!content.ok) padded.fill(0);
  return content;
}
