import type { CryptoProvider } from '../crypto/index.ts';
import { encodeUnsigned, encodeVertex } from './codec.ts';
import { VERTEX_LIMITS, VERTEX_SIGNATURE_CONTEXT, VERTEX_VERSION } from './limits.ts';
import { DagError } from './rejection.ts';
import { idKey, sortedUniqueIds, type DecodedVertex, type VertexFields } from './vertex.ts';

/** Whoever signs new vertices: an identity's node id and its ML-DSA-65 signing function. */
export interface VertexSigner {
  readonly author: Uint8Array;
  sign(message: Uint8Array, context: Uint8Array): Uint8Array;
}

export interface NewVertex {
  readonly topic: Uint8Array;
  /** Parent ids (the topic's frontier); sorted and de-duplicated here. */
  readonly parents: readonly Uint8Array[];
  /** 1 + the largest parent Lamport clock (1 for a root). */
  readonly lamport: number;
  readonly payload: Uint8Array;
}

/** Builds, signs and encodes a vertex; throws DagError if the caller's fields break a limit. */
export function createVertex(input: NewVertex, signer: VertexSigner, provider: CryptoProvider): DecodedVertex {
  const parents = sortedUniqueIds(input.parents);
  if (input.topic.length !== VERTEX_LIMITS.topicBytes) throw new DagError('ERR_VERTEX_FIELDS', `topic must be ${VERTEX_LIMITS.topicBytes} bytes`);
  if (signer.author.length !== VERTEX_LIMITS.authorBytes) throw new DagError('ERR_VERTEX_FIELDS', `author must be ${VERTEX_LIMITS.authorBytes} bytes`);
  if (parents.length > VERTEX_LIMITS.maxParents) throw new DagError('ERR_VERTEX_FIELDS', `at most ${VERTEX_LIMITS.maxParents} parents`);
  if (parents.some((p) => p.length !== VERTEX_LIMITS.idBytes)) throw new DagError('ERR_VERTEX_FIELDS', 'parent ids are 32 bytes');
  if (input.payload.length > VERTEX_LIMITS.maxPayloadBytes) {
    throw new DagError('ERR_VERTEX_FIELDS', `payload is ${input.payload.length} bytes, limit ${VERTEX_LIMITS.maxPayloadBytes}`);
  }
  if (!Number.isSafeInteger(input.lamport) || input.lamport < 1) throw new DagError('ERR_VERTEX_FIELDS', 'lamport must be a positive safe integer');
  const fields: VertexFields = {
    version: VERTEX_VERSION,
    topic: input.topic,
    parents,
    lamport: input.lamport,
    author: signer.author,
    payload: input.payload,
  };
  const sig = signer.sign(encodeUnsigned(fields), VERTEX_SIGNATURE_CONTEXT);
  const bytes = encodeVertex({ ...fields, sig });
  if (bytes.length > VERTEX_LIMITS.maxVertexBytes) throw new DagError('ERR_VERTEX_FIELDS', `vertex is ${bytes.length} bytes, limit ${VERTEX_LIMITS.maxVertexBytes}`);
  const id = provider.sha3_256(bytes);
  return { ...fields, sig, bytes, id, key: idKey(id) };
}
