/*
 * Writes test/vectors/dag/golden-vertex.json: one fully specified vertex of format version 1,
 * pinned byte for byte, so any implementation (or a future refactor of this one) can check its
 * codec, id, CID and signature against it.
 *
 *   node scripts/make-golden-vertex.ts           (re)write the file
 *   node scripts/make-golden-vertex.ts --check   exit 1 if the file differs from what this makes
 *
 * Every input is fixed and the output is byte-identical on every run:
 *   - identity master seed: the 32 bytes 00 01 02 … 1f; the ML-DSA-65 key-generation seed is
 *     derived from it as every identity does (src/identity/derive.ts: HKDF-SHA3-256, salt
 *     "pars-mesh/identity/v1", info "ml-dsa-65") and is written out too;
 *   - topic: the first 16 bytes of SHA3-256(UTF-8 "pars-mesh/golden/topic");
 *   - parents: SHA3-256(UTF-8 "pars-mesh/golden/parent/1") and SHA3-256(".../parent/2"), sorted
 *     ascending (they name no real vertex: the vector checks the codec, not DAG placement);
 *   - lamport 7; payload the UTF-8 bytes of "Pars Mesh golden vertex v1", not padded (the codec
 *     treats the payload as opaque bytes; padding to size buckets is the group layer's job);
 *   - signature: ML-DSA-65 in FIPS 204's deterministic variant (rnd = 32 zero bytes), pure mode,
 *     context "pars-mesh/vertex/v1". Nodes sign hedged (fresh randomness, so their signatures
 *     differ every time); any valid signature verifies the same way, and the deterministic one
 *     makes this file reproducible. It is made with @noble/post-quantum directly, because the
 *     provider interface deliberately offers hedged signing only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { equalBytes, nobleProvider, toHex, utf8 } from '../src/crypto/index.ts';
import { compareIds, encodeUnsigned, encodeVertex, idToString, VERTEX_SIGNATURE_CONTEXT, VERTEX_VERSION, type VertexFields } from '../src/dag/index.ts';
import { deriveSubSeeds, Identity, IDENTITY_INFO, IDENTITY_SALT } from '../src/identity/index.ts';

const OUT = fileURLToPath(new URL('../test/vectors/dag/golden-vertex.json', import.meta.url));
const provider = nobleProvider;
const sha3 = (text: string): Uint8Array => provider.sha3_256(utf8(text));

const masterSeed = Uint8Array.from({ length: 32 }, (_, i) => i);
const { signingSeed } = deriveSubSeeds(masterSeed, provider);
const identity = Identity.fromSeed(masterSeed, provider);
const { publicKey, secretKey } = ml_dsa65.keygen(signingSeed);
if (!equalBytes(publicKey, identity.signingPublicKey)) throw new Error('noble keygen and Identity disagree on the public key');

const PAYLOAD_TEXT = 'Pars Mesh golden vertex v1';
const fields: VertexFields = {
  version: VERTEX_VERSION,
  topic: sha3('pars-mesh/golden/topic').subarray(0, 16),
  parents: [sha3('pars-mesh/golden/parent/1'), sha3('pars-mesh/golden/parent/2')].sort(compareIds),
  lamport: 7,
  author: identity.nodeId,
  payload: utf8(PAYLOAD_TEXT),
};
const message = encodeUnsigned(fields);
const sig = ml_dsa65.sign(message, secretKey, { context: VERTEX_SIGNATURE_CONTEXT, extraEntropy: false });
if (!provider.mlDsa65.verify(publicKey, message, sig, VERTEX_SIGNATURE_CONTEXT)) throw new Error('the signature does not verify');
const bytes = encodeVertex({ ...fields, sig });
const id = provider.sha3_256(bytes);

const vector = {
  description:
    'One vertex of format version 1 (docs/PROTOCOL.md): deterministic DAG-CBOR map {sig, topic, author, lamport, parents, payload, version}, ' +
    'parents as CIDv1 links; id = SHA3-256(vertex); CID = CIDv1(dag-cbor 0x71, multihash sha3-256 0x16) in base32. Made by scripts/make-golden-vertex.ts.',
  masterSeed: toHex(masterSeed),
  masterSeedNote: 'identity master seed (src/identity): the bytes 00..1f',
  mlDsaSeed: toHex(signingSeed),
  mlDsaSeedNote: `ML-DSA-65 key-generation seed = HKDF-SHA3-256(masterSeed, salt "${IDENTITY_SALT}", info "${IDENTITY_INFO.mlDsa65}", 32)`,
  publicKey: toHex(publicKey),
  author: toHex(fields.author),
  authorNote: 'node id = SHA3-256(publicKey)',
  version: fields.version,
  topic: toHex(fields.topic),
  topicNote: 'first 16 bytes of SHA3-256(UTF-8 "pars-mesh/golden/topic")',
  parents: fields.parents.map(toHex),
  parentsNote: 'SHA3-256(UTF-8 "pars-mesh/golden/parent/1") and ".../parent/2", sorted ascending; no such vertices exist',
  lamport: fields.lamport,
  payload: toHex(fields.payload),
  payloadNote: `UTF-8 "${PAYLOAD_TEXT}", not padded`,
  signatureContext: toHex(VERTEX_SIGNATURE_CONTEXT),
  signatureContextNote: 'UTF-8 "pars-mesh/vertex/v1" (FIPS 204 context string)',
  signedMessage: toHex(message),
  signedMessageNote: 'canonical DAG-CBOR of every field but sig (a 6-entry map)',
  signature: toHex(sig),
  signatureNote: 'ML-DSA-65, pure, deterministic variant (rnd = 32 zero bytes); hedged signatures by nodes differ but verify the same',
  vertex: toHex(bytes),
  id: toHex(id),
  cid: idToString(id),
};
const text = `${JSON.stringify(vector, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing file: reported below
  }
  if (current !== text) {
    console.error(`${OUT} differs from what scripts/make-golden-vertex.ts makes`);
    process.exitCode = 1;
  } else {
    console.log(`${OUT} is up to date (id ${vector.id}, cid ${vector.cid})`);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}: ${bytes.length}-byte vertex, id ${vector.id}, cid ${vector.cid}`);
}
