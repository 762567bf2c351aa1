import { AES_256_GCM, equalBytes, toHex, type CryptoProvider, type IncrementalHash } from '../crypto/index.ts';
import { nodeIdOf } from '../identity/index.ts';
import { BUNDLE_SIGNATURE_CONTEXT } from './bundle-writer.ts';
import { fileSource, type ByteSource } from './byte-source.ts';
import { ChunkCipher, SEALED_CHUNK_BYTES } from './chunk-cipher.ts';
import { BundleError } from './errors.ts';
import { FrameParser, type ParsedFrame } from './frame-parser.ts';
import { decodeOpen, FRAME, type OpenFrame } from './frames.ts';
import { parsePreamble, PREAMBLE_BYTES, unwrapFileKey, type Preamble } from './preamble.ts';

/** A bundle file opened with a key: ready for passes over its frames. */
export interface OpenedBundle {
  /** A file path, or a name for a bundle read from memory. */
  readonly path: string;
  /** Opens the bytes for a pass (each pass reads afresh: a file may change under us). */
  readonly source: () => ByteSource;
  readonly preamble: Preamble;
  readonly fileKey: Uint8Array;
}

/** What a full verifying pass learned; the import pass is checked against it. */
export interface VerifiedBundle extends OpenedBundle {
  readonly open: OpenFrame;
  readonly device: Uint8Array;
  readonly digest: Uint8Array;
  /** Hex of the digest's first 16 bytes: names this bundle to both sides. */
  readonly marker: string;
  /** The tag of every chunk, in order: a second pass must read exactly these chunks. */
  readonly tags: readonly Uint8Array[];
  readonly bytes: number;
  readonly frameCounts: ReadonlyMap<number, number>;
}

/** Wrap keys to try, given the preamble (its salt and passphrase cost). */
export type WrapKeyAttempt = (preamble: Preamble) => Promise<readonly Uint8Array[]>;

/**
 * Reads the preamble and finds the file key: each attempt in turn (group keys first, then a
 * passphrase, which may have to be asked for) until one of its keys opens a stanza.
 */
export async function openBundleFile(provider: CryptoProvider, path: string, attempts: readonly WrapKeyAttempt[]): Promise<OpenedBundle> {
  return await openBundle(provider, path, () => fileSource(path), attempts);
}

/** `openBundleFile` over any byte source. */
export async function openBundle(provider: CryptoProvider, path: string, source: () => ByteSource, attempts: readonly WrapKeyAttempt[]): Promise<OpenedBundle> {
  const input = source();
  let head: Uint8Array;
  try {
    head = input.read(0, PREAMBLE_BYTES);
  } finally {
    input.close();
  }
  const preamble = parsePreamble(head);
  let fileKey: Uint8Array | undefined;
  for (const attempt of attempts) {
    fileKey = unwrapFileKey(provider, preamble, await attempt(preamble));
    if (fileKey !== undefined) break;
  }
  if (fileKey === undefined) {
    throw new BundleError(
      'ERR_BUNDLE_NO_KEY',
      'no key of this node opens the bundle: it was made for groups or invites this node is not in, or needs a passphrase (or its header is damaged)',
    );
  }
  return { path, source, preamble, fileKey };
}

/**
 * One pass over the frames: every chunk is read, authenticated and cut into frames, in order.
 * Without `expect`, this is the verifying pass: it hashes the stream, and at the end checks the
 * device signature and says what was verified. With `expect`, each chunk's tag must equal the
 * verified pass's (and their number), so a file changed in between is caught before any of its
 * new bytes are used; no hash is needed then.
 * Memory: one sealed chunk plus at most one frame being gathered.
 */
export async function* readFrames(
  provider: CryptoProvider,
  bundle: OpenedBundle,
  expect?: Pick<VerifiedBundle, 'tags'>,
  result?: (verified: VerifiedBundle) => void,
): AsyncGenerator<ParsedFrame> {
  const cipher = new ChunkCipher(provider, bundle.fileKey, bundle.preamble.bytes, bundle.preamble.salt);
  // The import pass skips the hash: equal tags under the same key mean equal ciphertext, hence
  // the plaintext the signature was checked over.
  let hash: IncrementalHash | undefined;
  if (expect === undefined) {
    hash = provider.sha256Stream();
    hash.update(bundle.preamble.bytes);
  }
  const parser = new FrameParser(hash);
  const tags: Uint8Array[] = [];
  const counts = new Map<number, number>();
  let open: OpenFrame | undefined;
  const input = bundle.source();
  try {
    const size = input.size;
    let offset = PREAMBLE_BYTES;
    let index = 0;
    let last = false;
    while (!last) {
      if (offset >= size) throw new BundleError('ERR_BUNDLE_TRUNCATED', `the bundle ends after ${index} chunks without its final chunk: it was cut short`, offset);
      if (size - offset < SEALED_CHUNK_BYTES) throw new BundleError('ERR_BUNDLE_TRUNCATED', `the bundle ends inside chunk ${index}: it was cut short`, size);
      const sealed = input.read(offset, SEALED_CHUNK_BYTES);
      if (sealed.length !== SEALED_CHUNK_BYTES) throw new BundleError('ERR_BUNDLE_TRUNCATED', `short read in chunk ${index}`, offset);
      const tag = sealed.subarray(SEALED_CHUNK_BYTES - AES_256_GCM.tag);
      if (expect !== undefined && (index >= expect.tags.length || !equalBytes(tag, expect.tags[index] as Uint8Array))) {
        throw new BundleError('ERR_BUNDLE_CHANGED', `chunk ${index} differs from the one verified moments ago: the file changed while it was being imported`, offset);
      }
      const opened = cipher.open(index, sealed);
      if (opened === undefined) throw new BundleError('ERR_BUNDLE_TAMPERED', `chunk ${index} fails its authentication check: the bundle was altered or damaged`, offset);
      if (expect === undefined) tags.push(tag.slice());
      last = opened.last;
      let frames: ParsedFrame[];
      try {
        frames = parser.push(opened.plaintext);
      } catch (error) {
        if (error instanceof BundleError) throw new BundleError('ERR_BUNDLE_FORMAT', `${error.message} in chunk ${index}`, offset);
        throw error;
      }
      for (const frame of frames) {
        if (open === undefined) {
          if (frame.type !== FRAME.open) throw new BundleError('ERR_BUNDLE_FORMAT', 'the first frame is not the open frame', offset);
          const decoded = decodeOpen(frame.body);
          if (typeof decoded === 'string') throw new BundleError('ERR_BUNDLE_FORMAT', decoded, offset);
          open = decoded;
        } else if (frame.type === FRAME.open) {
          throw new BundleError('ERR_BUNDLE_FORMAT', 'a second open frame', offset);
        }
        counts.set(frame.type, (counts.get(frame.type) ?? 0) + 1);
        yield frame;
      }
      offset += SEALED_CHUNK_BYTES;
      index++;
    }
    if (offset !== size) throw new BundleError('ERR_BUNDLE_TRAILING_DATA', `${size - offset} bytes follow the final chunk`, offset);
    try {
      parser.finish();
    } catch (error) {
      if (error instanceof BundleError) throw new BundleError('ERR_BUNDLE_FORMAT', error.message, offset);
      throw error;
    }
    if (open === undefined) throw new BundleError('ERR_BUNDLE_FORMAT', 'the bundle has no open frame', offset);
    if (expect !== undefined) {
      if (index !== expect.tags.length) throw new BundleError('ERR_BUNDLE_CHANGED', 'the file changed while it was being imported', offset);
      return;
    }
    // finish() passed, so the signature frame was read, and this pass hashed what precedes it.
    const digest = parser.digest as Uint8Array;
    const signature = parser.signature as Uint8Array;
    if (!provider.mlDsa65.verify(open.devicePublicKey, digest, signature, BUNDLE_SIGNATURE_CONTEXT)) {
      throw new BundleError('ERR_BUNDLE_SIGNATURE', 'the device signature over the bundle does not verify: it was altered after export', offset);
    }
    result?.({
      ...bundle,
      open,
      device: nodeIdOf(open.devicePublicKey, provider),
      digest,
      marker: toHex(digest.subarray(0, 16)),
      tags,
      bytes: size,
      frameCounts: counts,
    });
  } finally {
    input.close();
  }
}

/** The verifying pass alone: every chunk, frame and the signature, nothing kept but the summary. */
export async function verifyBundle(provider: CryptoProvider, bundle: OpenedBundle, onFrame?: (frame: ParsedFrame) => void): Promise<VerifiedBundle> {
  let verified: VerifiedBundle | undefined;
  for await (const frame of readFrames(provider, bundle, undefined, (v) => (verified = v))) onFrame?.(frame);
  if (verified === undefined) throw new Error('verifying pass ended without a result');
  return verified;
}
