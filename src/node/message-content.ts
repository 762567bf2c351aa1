import * as dagCbor from '@ipld/dag-cbor';
import { decodeBoundedCbor, hasExactKeys, isPlainMap } from '../dag/index.ts';

/*
 * What a group message carries inside its sealed envelope: deterministic DAG-CBOR
 *   { v: 1, text: string, at: unsigned integer }
 * `at` is the sender's clock in milliseconds since the Unix epoch when it wrote the message (a
 * claim, not a fact: the log orders by the DAG, never by `at`). The same bytes are what the node
 * keeps, sealed, in its log.
 */

export const MESSAGE_CONTENT_VERSION = 1;

export const MESSAGE_LIMITS = Object.freeze({
  /** Longest text in UTF-8 bytes (a 64 KiB padding bucket holds it with room for the envelope). */
  maxTextBytes: 60_000,
  /** Largest encoded content accepted by the decoder, checked before any parsing. */
  maxContentBytes: 60_100,
});

export interface MessageContent {
  readonly text: string;
  /** Sender's clock, milliseconds since the Unix epoch. */
  readonly at: number;
}

export type MessageDecode = { readonly ok: true; readonly value: MessageContent } | { readonly ok: false; readonly reason: 'limit' | 'malformed'; readonly detail: string };

const encoder = new TextEncoder();
// UTF-8 cannot carry a lone surrogate: the text would change on the way (String#isWellFormed is ES2024).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be sent, or undefined when it can. */
export function messageTextProblem(text: string): string | undefined {
  if (typeof text !== 'string') return 'message text must be a string';
  if (text.length === 0) return 'message text is empty';
  if (LONE_SURROGATE.test(text)) return 'message text is not well-formed Unicode';
  const bytes = encoder.encode(text).length;
  if (bytes > MESSAGE_LIMITS.maxTextBytes) return `message text is ${bytes} bytes, limit ${MESSAGE_LIMITS.maxTextBytes}`;
  return undefined;
}

/** Encodes a message; throws RangeError on text `messageTextProblem` refuses or a bad clock (caller bugs). */
export function encodeMessageContent(content: MessageContent): Uint8Array {
  const problem = messageTextProblem(content.text);
  if (problem !== undefined) throw new RangeError(problem);
  if (!Number.isSafeInteger(content.at) || content.at < 0) throw new RangeError('message time must be a non-negative integer of milliseconds');
  return dagCbor.encode({ v: MESSAGE_CONTENT_VERSION, text: content.text, at: content.at });
}

/** Decodes message content from another member: every limit is checked, nothing throws. */
export function decodeMessageContent(bytes: Uint8Array): MessageDecode {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'malformed', detail: 'content is not bytes' };
  if (bytes.length > MESSAGE_LIMITS.maxContentBytes) return { ok: false, reason: 'limit', detail: `content is ${bytes.length} bytes, limit ${MESSAGE_LIMITS.maxContentBytes}` };
  const decoded = decodeBoundedCbor(bytes, { maxDepth: 1 });
  if (!decoded.ok) return { ok: false, reason: decoded.reason, detail: `content: ${decoded.detail}` };
  const value = decoded.value;
  if (!isPlainMap(value) || !hasExactKeys(value, ['v', 'text', 'at']) || value['v'] !== MESSAGE_CONTENT_VERSION) {
    return { ok: false, reason: 'malformed', detail: 'content is not a version 1 map { v, text, at }' };
  }
  const { text, at } = value;
  if (typeof text !== 'string' || typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) {
    return { ok: false, reason: 'malformed', detail: 'content fields have the wrong types' };
  }
  const problem = messageTextProblem(text);
  if (problem !== undefined) return { ok: false, reason: text.length === 0 || LONE_SURROGATE.test(text) ? 'malformed' : 'limit', detail: problem };
  return { ok: true, value: { text, at } };
}
