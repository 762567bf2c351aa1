import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AES_256_GCM } from '../../src/crypto/index.ts';
import { BUNDLE_LIMITS, BundleError, PREAMBLE_BYTES, SEALED_CHUNK_BYTES, STANZA_BYTES, verifyBundle, type BundleFailureCode } from '../../src/bundle/index.ts';
import { identityOf, provider } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import { exportStore, groupKey, openInMemory, sourceStore, sourceVertices } from './bundle-support.ts';
import { receivers } from './receiver-support.ts';

// Tamper evidence (issue 8): one flipped bit anywhere in a bundle is refused with a BundleError,
// and nothing of it reaches the reader, let alone the store.

const dir = tempDir('pars-bundle-tamper-');
const receiver = receivers(dir);
const group = groupKey(1);
const exporter = identityOf(21);
/** Fixed fields of the preamble: magic 0..7, version 8, kdf 9, reserved 10..11, salt 12..43. */
const STANZAS_AT = 44;

const vertices = sourceVertices({ vertices: 8, seed: 0x7a3e, payloadBytes: 200 });
const source = sourceStore(join(dir, 'source.sqlite'), vertices);
const bundlePath = join(dir, 'small.pars');
const exported = await exportStore(source, bundlePath, exporter);
const original = new Uint8Array(readFileSync(bundlePath));

/** Plaintext offset where the signature frame starts: everything before it is the other frames. */
async function signatureStart(): Promise<number> {
  let at = 0;
  await verifyBundle(provider, await openInMemory(original, group), (frame) => (at += 5 + frame.body.length));
  return at;
}

/** What a flip at `position` may be refused as, by the part of the file it hits. */
function allowed(position: number): readonly BundleFailureCode[] {
  if (position < 8) return ['ERR_BUNDLE_NOT_A_BUNDLE'];
  if (position === 8) return ['ERR_BUNDLE_VERSION'];
  // A cost still inside the bounds is a different header: the stanza's associated data fails.
  if (position === 9) return ['ERR_BUNDLE_FORMAT', 'ERR_BUNDLE_NO_KEY'];
  if (position < 12) return ['ERR_BUNDLE_FORMAT'];
  if (position < STANZAS_AT) return ['ERR_BUNDLE_NO_KEY'];
  // The recipient's stanza no longer opens; a decoy stanza opens nothing but is bound into every chunk.
  if (position < PREAMBLE_BYTES) return ['ERR_BUNDLE_NO_KEY', 'ERR_BUNDLE_TAMPERED'];
  return ['ERR_BUNDLE_TAMPERED'];
}

test('the small bundle is one chunk and verifies untouched', async () => {
  assert.equal(exported.vertices, vertices.length);
  assert.equal(original.length, PREAMBLE_BYTES + SEALED_CHUNK_BYTES, 'one sealed chunk after the preamble');
  const verified = await verifyBundle(provider, await openInMemory(original, group));
  assert.equal(verified.marker, exported.marker);
  assert.equal(verified.frameCounts.get(4), vertices.length);
});

test('one flipped bit at every byte position is refused, before any frame is read', async (t) => {
  const bytes = original.slice();
  const problems: string[] = [];
  const codes = new Map<string, number>();
  const stanzaNoKey: number[] = [];
  const started = performance.now();
  for (let position = 0; position < bytes.length; position++) {
    const mask = 1 << position % 8;
    bytes[position] = (bytes[position] as number) ^ mask;
    let frames = 0;
    try {
      await verifyBundle(provider, await openInMemory(bytes, group), () => frames++);
      problems.push(`byte ${position} bit ${position % 8}: accepted`);
    } catch (error) {
      if (!(error instanceof BundleError)) {
        problems.push(`byte ${position}: ${String(error)} is not a BundleError`);
      } else {
        const code = error.code as BundleFailureCode;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (!allowed(position).includes(code)) problems.push(`byte ${position}: ${code}, expected ${allowed(position).join(' or ')}`);
        // Where it broke: at or before the damaged byte, except that a decoy stanza is caught by
        // the first chunk, which binds the whole header.
        if (code === 'ERR_BUNDLE_TAMPERED') {
          if (error.offset !== PREAMBLE_BYTES) problems.push(`byte ${position}: tampering reported at byte ${error.offset}, not at the chunk`);
        } else if (error.offset !== undefined && error.offset > position) {
          problems.push(`byte ${position}: reported at byte ${error.offset}, after the damage`);
        }
        if (code === 'ERR_BUNDLE_NO_KEY' && position >= STANZAS_AT) stanzaNoKey.push(position);
      }
      if (frames > 0) problems.push(`byte ${position}: ${frames} frames were read before the refusal`);
    } finally {
      bytes[position] = (bytes[position] as number) ^ mask;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${bytes.length} positions in ${seconds.toFixed(1)} s; ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} positions misbehaved`);
  // Exactly the one stanza wrapping the file key fails to open; every decoy stanza flip is caught by the chunk.
  assert.equal(stanzaNoKey.length, STANZA_BYTES);
  const first = stanzaNoKey[0] as number;
  assert.equal((first - STANZAS_AT) % STANZA_BYTES, 0, 'the unopenable bytes are one whole stanza');
  assert.deepEqual(stanzaNoKey, Array.from({ length: STANZA_BYTES }, (_, i) => first + i));
  assert.equal(codes.get('ERR_BUNDLE_TAMPERED') ?? 0, bytes.length - STANZAS_AT - STANZA_BYTES);
});

test('flipped bits through the file import: refused, the store unchanged, no exchange recorded', async () => {
  const b = receiver('b');
  // B already holds part of the DAG, so "unchanged" is a real state and not an empty store.
  for (const key of source.keys()) b.ingester.addKey(key);
  const pre = await b.ingester.ingest(vertices.slice(0, 3).map((v) => v.bytes), 'test');
  assert.equal(pre.stored.length, 3);
  const before = b.state();

  const sigAt = PREAMBLE_BYTES + (await signatureStart());
  const sigEnd = sigAt + 5 + BUNDLE_LIMITS.signatureBytes;
  const end = original.length;
  const positions = [
    // preamble: magic, version, cost, reserved, salt, stanzas
    0, 4, 7, 8, 9, 10, 11, 12, 27, 43, STANZAS_AT, STANZAS_AT + 11, STANZAS_AT + 12, STANZAS_AT + STANZA_BYTES - 1,
    STANZAS_AT + 5 * STANZA_BYTES + 40, STANZAS_AT + 9 * STANZA_BYTES + 70, PREAMBLE_BYTES - 1,
    // first frames: open frame header and body, the marker, a key
    PREAMBLE_BYTES, PREAMBLE_BYTES + 1, PREAMBLE_BYTES + 5, PREAMBLE_BYTES + 900, PREAMBLE_BYTES + 1970, PREAMBLE_BYTES + 2100,
    // the middle of the vertices
    PREAMBLE_BYTES + 6_000, PREAMBLE_BYTES + 12_000, Math.floor((PREAMBLE_BYTES + sigAt) / 2), sigAt - 1,
    // the signature frame: header, body, last byte
    sigAt, sigAt + 4, sigAt + 5, sigAt + 1654, sigAt + 3000, sigEnd - 1,
    // zero padding after the signature, to the end of the chunk's plaintext
    sigEnd, sigEnd + 7000, sigEnd + 20_000, end - AES_256_GCM.tag - 1,
    // the chunk's tag
    end - AES_256_GCM.tag, end - 9, end - 1,
  ];
  assert.ok(positions.length >= 40 && new Set(positions).size === positions.length && positions.every((p) => p >= 0 && p < end));
  for (const position of positions) {
    const bytes = original.slice();
    bytes[position] = (bytes[position] as number) ^ (1 << position % 8);
    const path = join(dir, `flipped-${position}.pars`);
    writeFileSync(path, bytes);
    await assert.rejects(
      b.import(path),
      (error: unknown) => error instanceof BundleError && allowed(position).includes(error.code as BundleFailureCode),
      `byte ${position}`,
    );
    assert.deepEqual(b.state(), before, `byte ${position}: the store changed`);
    assert.equal(b.store.bundles.withPeer(exporter.nodeId).length, 0, `byte ${position}: an exchange was recorded`);
  }

  // The same file untouched imports: the refusals were the flips' doing.
  const report = await b.import(bundlePath);
  assert.equal(report.stored, vertices.length - 3);
  assert.equal(report.duplicates, 3);
  assert.deepEqual(b.state(), { count: vertices.length, frontiers: source.frontiers() });
});
