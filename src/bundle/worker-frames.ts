import { Worker } from 'node:worker_threads';
import { AES_256_GCM, type CryptoProvider } from '../crypto/index.ts';
import type { VerifiedBundle } from './bundle-reader.ts';
import { BundleError, type BundleFailureCode } from './errors.ts';
import type { ParsedFrame } from './frame-parser.ts';
import type { FrameWorkerConfig, FrameWorkerReply, NextRequest } from './frame-worker-protocol.ts';
import type { FrameType } from './frames.ts';

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './frame-worker.ts' : './frame-worker.js', import.meta.url);
/** Replies requested ahead of the consumer: enough to keep the worker busy, few enough to bound memory. */
const AHEAD = 2;

/**
 * The import pass's frames, read by a worker thread (frame-worker.ts): the same chunks, checks
 * and errors as `readFrames(provider, bundle, bundle)`, but the reading, decryption and
 * framing run beside the main thread. At most AHEAD replies (about 256 KiB each) wait unread.
 */
export async function* framesFromWorker(provider: CryptoProvider, bundle: VerifiedBundle): AsyncGenerator<ParsedFrame> {
  if (provider.name === 'insecure-simulation') throw new Error('bundles need a real crypto provider');
  // Not concatBytes(...tags): a bundle may have up to 2^24 chunks, far more than a call takes arguments.
  const tags = new Uint8Array(bundle.tags.length * AES_256_GCM.tag);
  bundle.tags.forEach((tag, i) => tags.set(tag, i * AES_256_GCM.tag));
  const config: FrameWorkerConfig = {
    provider: provider.name,
    path: bundle.path,
    fileKey: bundle.fileKey,
    preamble: bundle.preamble.bytes,
    salt: bundle.preamble.salt,
    kdfLogN: bundle.preamble.kdfLogN,
    tags,
  };
  const worker = new Worker(WORKER_URL, { workerData: config });
  const replies: FrameWorkerReply[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (m: FrameWorkerReply) => {
    replies.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`bundle frame worker exited with code ${code}`);
    wake?.();
  });
  const request = (): void => worker.postMessage({ type: 'next' } satisfies NextRequest);
  try {
    for (let i = 0; i < AHEAD; i++) request();
    for (;;) {
      while (replies.length === 0) {
        if (failure !== undefined) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      const reply = replies.shift() as FrameWorkerReply;
      if (reply.type === 'end') return;
      if (reply.type === 'error') {
        if (reply.code !== undefined && reply.code.startsWith('ERR_BUNDLE_')) throw new BundleError(reply.code as BundleFailureCode, reply.message, reply.offset);
        throw new Error(`bundle frame worker: ${reply.message}`);
      }
      request();
      const bytes = new Uint8Array(reply.bytes);
      for (let i = 0; i < reply.types.length; i++) {
        yield { type: reply.types[i] as FrameType, body: bytes.subarray(reply.offsets[i] as number, reply.offsets[i + 1] as number) };
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
