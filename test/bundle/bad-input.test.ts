import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { concatBytes } from '../../src/crypto/index.ts';
import {
  BUNDLE_LIMITS,
  BundleError,
  FRAME,
  PREAMBLE_BYTES,
  SEALED_CHUNK_BYTES,
  openBundle,
  groupWrapKey,
  memorySource,
  readFrames,
  verifyBundle,
  type ParsedFrame,
} from '../../src/bundle/index.ts';
import type { RejectionReason } from '../../src/dag/index.ts';
import { identityOf, provider, randomSource, topicOf } from '../support/fixtures.ts';
import { tempDir } from '../support/tmp.ts';
import {
  encodeRawFrames,
  exportStore,
  groupKey,
  keyFrames,
  keyingFor,
  markerFrame,
  openFrame,
  openInMemory,
  sealStream,
  signatureFrame,
  signedBy,
  sourceStore,
  sourceVertices,
  vertexFrames,
  writeBundle,
  type RawFrame,
} from './bundle-support.ts';
import { importRefused, receivers, writeCase, type Receiver } from './receiver-support.ts';
import { framesFromWorker } from '../../src/bundle/worker-frames.ts';

// Every other way a file can be wrong: not a bundle at all, a header this reader must not trust,
// a signature that does not match, frames the format does not have, content a device vouched for
// that is still bad, a file changed under the import, and the policy for devices never met.

const dir = tempDir('pars-bundle-bad-');
const receiver = receivers(dir);
const group = groupKey(1);
const alice = identityOf(51);
const mallory = identityOf(52);

const vertices = sourceVertices({ vertices: 12, seed: 0xbad, payloadBytes: 300 });
const topic = topicOf(1);
const source = sourceStore(join(dir, 'source.sqlite'), vertices);
const validPath = join(dir, 'valid.pars');
await exportStore(source, validPath, alice);
const valid = new Uint8Array(readFileSync(validPath));

/** The frames of an honest bundle of `vertices`, without the signature. */
function honestFrames(list = vertices): RawFrame[] {
  const last = list.at(-1);
  return [openFrame(alice), markerFrame(topic, last === undefined ? [] : [last.id]), ...keyFrames(), ...vertexFrames(list)];
}

/** Imports `bytes` into `b` and asserts the refusal, that nothing changed, and that no exchange was recorded. */
async function refused(b: Receiver, bytes: Uint8Array, code: string, message: RegExp, offset?: number): Promise<void> {
  const error = await importRefused(b, writeCase(dir, bytes), alice.nodeId);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
  if (offset !== undefined) assert.equal(error.offset, offset, error.message);
}

test('files that are not bundles', async () => {
  const b = receiver('not-bundles');
  const random = randomSource(7);
  const files: [string, Uint8Array][] = [
    ['an empty file', new Uint8Array(0)],
    ['a text file', new TextEncoder().encode('meeting at the north pier at four\n')],
    ['a PNG header', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13)],
    ['a bundle-sized file of random bytes', random(valid.length)],
    ['the magic one byte short', valid.subarray(0, 7)],
    ['the magic in lower case', concatBytes(new TextEncoder().encode('parsbndl'), valid.subarray(8))],
  ];
  for (const [what, bytes] of files) {
    await refused(b, bytes, 'ERR_BUNDLE_NOT_A_BUNDLE', /not a Pars Mesh bundle/, 0).catch((error: unknown) => {
      throw new Error(`${what}: ${(error as Error).message}`);
    });
  }
});

test('header fields this reader must not trust: version, passphrase cost, reserved bytes', async () => {
  const b = receiver('header');
  const withByte = (at: number, value: number): Uint8Array => {
    const bytes = valid.slice();
    bytes[at] = value;
    return bytes;
  };
  for (const version of [0, 2, 0xff]) await refused(b, withByte(8, version), 'ERR_BUNDLE_VERSION', new RegExp(`version ${version} is not supported`), 8);
  for (const cost of [0, 9, 21, 0xff]) await refused(b, withByte(9, cost), 'ERR_BUNDLE_FORMAT', new RegExp(`passphrase cost 2\\^${cost} is outside`), 9);
  await refused(b, withByte(10, 1), 'ERR_BUNDLE_FORMAT', /reserved header bytes are not zero/, 10);
  await refused(b, withByte(11, 0x80), 'ERR_BUNDLE_FORMAT', /reserved header bytes are not zero/, 10);
  // A cost inside the bounds but not the one sealed into the stanzas: the header no longer opens.
  await refused(b, withByte(9, valid[9] === 10 ? 11 : 10), 'ERR_BUNDLE_NO_KEY', /no key of this node opens the bundle/);
  // Control: the untouched file imports.
  assert.equal((await b.import(validPath)).stored, vertices.length);
});

test('a bundle signed by another device than its open frame names is refused', async () => {
  const b = receiver('signature');
  const keying = keyingFor(group);
  const cases: [string, (digest: Uint8Array) => Uint8Array][] = [
    ['signed by mallory', signedBy(mallory)],
    ['signed by alice without the bundle context', (digest) => alice.sign(digest)],
    ['signed by alice over another digest', (digest) => signedBy(alice)(provider.sha3_256(digest))],
  ];
  for (const [what, sign] of cases) {
    const bytes = writeBundle(keying, honestFrames(), sign);
    await refused(b, bytes, 'ERR_BUNDLE_SIGNATURE', /device signature over the bundle does not verify/).catch((error: unknown) => {
      throw new Error(`${what}: ${(error as Error).message}`);
    });
  }
  // And mallory's open frame with alice's signature: the signature must match the key inside.
  const swapped = writeBundle(keying, [openFrame(mallory), ...honestFrames().slice(1)], signedBy(alice));
  await refused(b, swapped, 'ERR_BUNDLE_SIGNATURE', /does not verify/);
  // Control: the same frames signed by the device they name import.
  const honest = await b.import(writeCase(dir, writeBundle(keying, honestFrames(), signedBy(alice))));
  assert.equal(honest.stored, vertices.length);
  assert.equal(honest.device, alice.nodeIdHex);
});

test('a vertex frame of garbage, correctly signed: counted as rejected with a reason, nothing else harmed', async () => {
  const b = receiver('garbage');
  const garbage = randomSource(99)(300);
  const forged = vertices[5]!.bytes.slice();
  forged[100] = (forged[100] as number) ^ 0x10; // inside the vertex signature
  const frames = honestFrames();
  const at = frames.length - 6;
  const withBad = [...frames.slice(0, at), { type: FRAME.vertex, body: garbage }, { type: FRAME.vertex, body: forged }, ...frames.slice(at)];
  const report = await b.import(writeCase(dir, writeBundle(keyingFor(group), withBad, signedBy(alice))));
  assert.equal(report.vertices, vertices.length + 2);
  assert.equal(report.rejected, 2);
  assert.equal(report.stored, vertices.length);
  assert.equal(report.waiting, 0);
  const decoding: readonly RejectionReason[] = ['truncated', 'malformed', 'non-canonical', 'unknown-version', 'bad-field-size'];
  assert.equal(report.rejections.length, 2);
  const [first, second] = report.rejections;
  assert.ok(first !== undefined && decoding.includes(first.reason), `garbage rejected as ${first?.reason}: ${first?.detail}`);
  assert.equal(second?.reason, 'bad-signature');
  assert.deepEqual(b.state(), { count: vertices.length, frontiers: source.frontiers() });
  assert.equal(b.store.hasVertex(provider.sha3_256(forged)), false);
});

test('frames the format does not have are refused as format errors', async () => {
  const b = receiver('frames');
  const keying = keyingFor(group);
  const frames = honestFrames();
  // Through the real writer, its type bypassed: an unknown type among the first frames.
  for (const type of [0x00, 0x06, 0x42, 0x7e, 0xff]) {
    const bytes = writeBundle(keying, [...frames.slice(0, 3), { type, body: new Uint8Array(40) }, ...frames.slice(3)], signedBy(alice));
    await refused(b, bytes, 'ERR_BUNDLE_FORMAT', new RegExp(`unknown frame type 0x${type.toString(16).padStart(2, '0')} .*in chunk 0`), PREAMBLE_BYTES);
  }
  await refused(b, writeBundle(keying, frames.slice(1), signedBy(alice)), 'ERR_BUNDLE_FORMAT', /the first frame is not the open frame/);
  await refused(b, writeBundle(keying, [frames[0]!, ...frames], signedBy(alice)), 'ERR_BUNDLE_FORMAT', /a second open frame/);
  const badOpen = { type: FRAME.open, body: frames[0]!.body.slice() };
  badOpen.body[0] = 2;
  await refused(b, writeBundle(keying, [badOpen, ...frames.slice(1)], signedBy(alice)), 'ERR_BUNDLE_FORMAT', /open frame format 2 is unknown/);

  // Hand-sealed streams the writer could never produce.
  const body = encodeRawFrames(frames);
  const sig = signatureFrame(keying, body, alice);
  const signed = concatBytes(body, encodeRawFrames([sig]));
  const header = (type: number, length: number): Uint8Array => {
    const out = new Uint8Array(5);
    out[0] = type;
    new DataView(out.buffer).setUint32(1, length);
    return out;
  };
  // A header announcing a 4 GiB vertex: refused on the header, before any body is gathered.
  await refused(b, sealStream(keying, concatBytes(encodeRawFrames(frames.slice(0, 2)), header(FRAME.vertex, 0xffff_fff0))), 'ERR_BUNDLE_FORMAT', /a vertex frame of 4294967280 bytes is outside/);
  await refused(b, sealStream(keying, concatBytes(encodeRawFrames(frames.slice(0, 2)), header(FRAME.vertex, 0))), 'ERR_BUNDLE_FORMAT', /a vertex frame of 0 bytes/);
  await refused(b, sealStream(keying, concatBytes(encodeRawFrames(frames.slice(0, 1)), header(FRAME.marker, 16 + 4 + 31))), 'ERR_BUNDLE_FORMAT', /marker frame of 51 bytes/);
  await refused(b, sealStream(keying, concatBytes(encodeRawFrames(frames.slice(0, 1)), header(FRAME.snapshot, 0x7fff_ffff))), 'ERR_BUNDLE_FORMAT', /snapshot frame of 2147483647 bytes/);
  await refused(b, sealStream(keying, concatBytes(encodeRawFrames(frames.slice(0, 1)), header(FRAME.signature, 3308))), 'ERR_BUNDLE_FORMAT', /signature frame is 3309 bytes, not 3308/);
  // A signed stream followed by a non-zero byte where only zero padding may be.
  await refused(b, sealStream(keying, concatBytes(signed, Uint8Array.of(0, 0, 1))), 'ERR_BUNDLE_FORMAT', /non-zero byte in the padding after the signature/);
  // Frames and no signature: the zero padding after them is no frame at all.
  await refused(b, sealStream(keying, body), 'ERR_BUNDLE_FORMAT', /unknown frame type 0x00/);
  // A frame whose body runs past the final chunk: the stream ends inside it.
  const open = concatBytes(body, header(FRAME.vertex, 0));
  const room = Math.ceil(open.length / BUNDLE_LIMITS.chunkBytes) * BUNDLE_LIMITS.chunkBytes - open.length;
  new DataView(open.buffer, open.byteOffset + body.length).setUint32(1, room + 1);
  assert.ok(room + 1 <= BUNDLE_LIMITS.maxVertexBytes);
  await refused(b, sealStream(keying, open), 'ERR_BUNDLE_FORMAT', /the stream ends inside a frame/);
  // Control: the hand-sealed honest stream is accepted, so the refusals above are the damage's doing.
  assert.equal((await b.import(writeCase(dir, sealStream(keying, signed)))).stored, vertices.length);
});

test('a signed bundle whose marker or snapshot does not decode is refused before anything is imported', async () => {
  const badMarker = markerFrame(topic, [vertices[2]!.id]);
  new DataView(badMarker.body.buffer).setUint32(16, 2); // says two ids, holds one
  const badSnapshot = { type: FRAME.snapshot, body: concatBytes(topic, Uint8Array.of(0), Uint8Array.of(0xa1, 0x61, 0x78, 0xff)) };
  const problems: string[] = [];
  for (const [what, bad] of [
    ['marker', badMarker],
    ['snapshot', badSnapshot],
  ] as const) {
    const b = receiver(`undecodable-${what}`);
    // Vertices first, the bad frame after them; batches of one put each vertex to ingest at once.
    const path = writeCase(dir, writeBundle(keyingFor(group), [...honestFrames(), bad], signedBy(alice)));
    await assert.rejects(b.import(path, { batch: 1 }), { code: 'ERR_BUNDLE_FORMAT' }, what);
    // Let any batch still in flight land before looking.
    await b.ingester.close();
    const count = b.state().count;
    if (count !== 0) problems.push(`a correctly signed bundle with a bad ${what} frame was refused after importing ${count} of its vertices`);
  }
  assert.deepEqual(problems, []);
});

test('unknown device policy: accepted by default and reported; refused on request; a known device is let in', async () => {
  const keying = keyingFor(group);
  const first = writeCase(dir, writeBundle(keying, honestFrames(vertices.slice(0, 6)), signedBy(alice)));
  const second = writeCase(dir, writeBundle(keyingFor(group), honestFrames(), signedBy(alice)));

  const open = receiver('policy-open');
  const accepted = await open.import(first);
  assert.equal(accepted.knownDevice, false);
  assert.equal(accepted.device, alice.nodeIdHex);
  assert.equal(accepted.stored, 6);
  // After one bundle from alice, alice is known: her next bundle passes even when strangers are refused.
  const again = await open.import(second, { unknownDevice: 'refuse' });
  assert.equal(again.knownDevice, true);
  assert.equal(again.stored, vertices.length - 6);

  const strict = receiver('policy-strict');
  await assert.rejects(strict.import(first, { unknownDevice: 'refuse' }), (error: unknown) => {
    assert.ok(error instanceof BundleError);
    assert.equal(error.code, 'ERR_BUNDLE_UNKNOWN_DEVICE');
    assert.match(error.message, new RegExp(`device ${alice.nodeIdHex}, which this node has never met; nothing was imported`));
    return true;
  });
  assert.deepEqual(strict.state(), { count: 0, frontiers: new Map() });
  assert.equal(strict.store.bundles.withPeer(alice.nodeId).length, 0);
  assert.equal(strict.store.getKey(alice.nodeId), undefined);
  // A bundle that carries the device's own key frame does not introduce its device: that key vouches only for itself.
  const selfIntroduced = writeCase(dir, writeBundle(keying, [...honestFrames(), { type: FRAME.key, body: alice.signingPublicKey }], signedBy(alice)));
  await assert.rejects(strict.import(selfIntroduced, { unknownDevice: 'refuse' }), { code: 'ERR_BUNDLE_UNKNOWN_DEVICE' });
  assert.equal(strict.state().count, 0);

  // Holding the device's key (met before, on the network or in a group) makes it known.
  const friend = receiver('policy-friend');
  friend.ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: alice.signingPublicKey });
  const known = await friend.import(second, { unknownDevice: 'refuse' });
  assert.equal(known.knownDevice, true);
  assert.equal(known.stored, vertices.length);
  // 'accept' is the default, and explicit 'accept' behaves the same.
  const explicit = await receiver('policy-explicit').import(first, { unknownDevice: 'accept' });
  assert.equal(explicit.knownDevice, false);
  assert.equal(explicit.stored, 6);
});

test('a file changed between the verifying pass and the import pass is refused', async () => {
  // Through the real import: another bundle is renamed over the path while the verifying pass
  // reads the original (it holds the original open), so the import pass reads the other one.
  const b = receiver('changed-file');
  const path = join(dir, 'changing.pars');
  writeFileSync(path, valid);
  const replacement = join(dir, 'replacement.pars');
  writeFileSync(replacement, writeBundle(keyingFor(group), honestFrames(), signedBy(alice)));
  let swapped = false;
  const onProgress = (phase: 'verify' | 'import'): void => {
    if (phase === 'verify' && !swapped) {
      renameSync(replacement, path);
      swapped = true;
    }
  };
  await assert.rejects(b.import(path, { onProgress }), (error: unknown) => {
    assert.ok(error instanceof BundleError);
    assert.equal(error.code, 'ERR_BUNDLE_CHANGED');
    assert.equal(error.offset, PREAMBLE_BYTES);
    assert.match(error.message, /chunk 0 differs from the one verified moments ago/);
    return true;
  });
  assert.ok(swapped);
  assert.deepEqual(b.state(), { count: 0, frontiers: new Map() });

  // In memory, against a validly sealed bundle made with the same file key and header that
  // differs only from a later chunk on: the frames of the unchanged chunks come through, and the
  // pass stops at the first changed chunk without using any of its bytes.
  const many = sourceVertices({ vertices: 40, seed: 0xc4a, payloadBytes: 1200 });
  const keying = keyingFor(group);
  const frames = honestFrames(many);
  const before = writeBundle(keying, frames, signedBy(alice));
  const changed = [...frames.slice(0, -1), { type: FRAME.vertex, body: sourceVertices({ vertices: 40, seed: 0xc4b, payloadBytes: 1200 })[39]!.bytes }];
  const after = writeBundle(keying, changed, signedBy(alice));
  assert.equal(after.length, before.length);
  let differs = 0;
  while (before[differs] === after[differs]) differs++;
  const changedChunk = Math.floor((differs - PREAMBLE_BYTES) / SEALED_CHUNK_BYTES);
  assert.ok(changedChunk >= 2, `the bundles differ from chunk ${changedChunk}`);

  let passes = 0;
  const opened = await openBundle(provider, 'memory', () => memorySource(passes++ < 2 ? before : after), [
    async (p) => [groupWrapKey(provider, group.bundleKey, p.salt)],
  ]);
  const seen: ParsedFrame[] = [];
  const verified = await verifyBundle(provider, opened, (frame) => seen.push({ type: frame.type, body: frame.body.slice() }));
  const read: ParsedFrame[] = [];
  await assert.rejects(
    async () => {
      for await (const frame of readFrames(provider, opened, verified)) read.push(frame);
    },
    (error: unknown) => {
      assert.ok(error instanceof BundleError);
      assert.equal(error.code, 'ERR_BUNDLE_CHANGED');
      assert.equal(error.offset, PREAMBLE_BYTES + changedChunk * SEALED_CHUNK_BYTES);
      return true;
    },
  );
  assert.equal(passes, 3);
  assert.ok(read.length > 0 && read.length < seen.length);
  read.forEach((frame, i) => assert.deepEqual(frame.body, seen[i]?.body, `frame ${i} is the verified one`));

  // Control: the same bytes on both passes read through.
  let count = 0;
  const steady = await openInMemory(before, group);
  const steadyVerified = await verifyBundle(provider, steady);
  for await (const frame of readFrames(provider, steady, steadyVerified)) count += frame.type === FRAME.vertex ? 1 : 0;
  assert.equal(count, many.length);
});

test('the import worker takes a chunk-tag list longer than a call takes arguments (and refuses a file with fewer chunks)', async () => {
  // 2^17 tags: as many as a bundle of 8 GiB has. Spread into one call they would overflow the stack.
  const opened = await openInMemory(valid, group);
  const verified = await verifyBundle(provider, { ...opened, path: validPath });
  const tags = [...verified.tags, ...Array.from({ length: 2 ** 17 }, () => new Uint8Array(16))];
  await assert.rejects(
    async () => {
      for await (const frame of framesFromWorker(provider, { ...verified, tags })) assert.ok(frame.body.length > 0);
    },
    (error: unknown) => {
      assert.ok(error instanceof BundleError);
      assert.equal(error.code, 'ERR_BUNDLE_CHANGED');
      return true;
    },
  );
});
