import { parentPort, workerData } from 'node:worker_threads';
import { AES_256_GCM, providerByName } from '../crypto/index.ts';
import { readFrames } from './bundle-reader.ts';
import { fileSource } from './byte-source.ts';
import { BundleError } from './errors.ts';
import type { ParsedFrame } from './frame-parser.ts';
import { REPLY_BYTES, type FrameWorkerConfig, type FrameWorkerReply } from './frame-worker-protocol.ts';

// Reads, authenticates and cuts a bundle's chunks into frames off the main thread during the
// import pass, so decryption overlaps with the main thread's placement and commits. It checks
// every chunk against the tags of the verifying pass, exactly as the in-thread reader does.

const config = workerData as FrameWorkerConfig;
const port = parentPort;
if (port === null) throw new Error('frame-worker must run as a worker thread');
const provider = providerByName(config.provider);
const tags: Uint8Array[] = [];
for (let at = 0; at < config.tags.length; at += AES_256_GCM.tag) tags.push(config.tags.subarray(at, at + AES_256_GCM.tag));
const frames = readFrames(
  provider,
  { path: config.path, source: () => fileSource(config.path), preamble: { bytes: config.preamble, salt: config.salt, kdfLogN: config.kdfLogN }, fileKey: config.fileKey },
  { tags },
);

async function reply(): Promise<FrameWorkerReply> {
  const taken: ParsedFrame[] = [];
  let size = 0;
  while (size < REPLY_BYTES) {
    const next = await frames.next();
    if (next.done === true) break;
    taken.push(next.value);
    size += next.value.body.length;
  }
  if (taken.length === 0) return { type: 'end' };
  const bytes = new Uint8Array(size);
  const offsets = [0];
  for (const f of taken) {
    bytes.set(f.body, offsets[offsets.length - 1] as number);
    offsets.push((offsets[offsets.length - 1] as number) + f.body.length);
  }
  return { type: 'frames', types: taken.map((f) => f.type), offsets, bytes: bytes.buffer };
}

// Requests are served one at a time, in order.
let queue: Promise<void> = Promise.resolve();
port.on('message', () => {
  queue = queue.then(async () => {
    let message: FrameWorkerReply;
    try {
      message = await reply();
    } catch (error) {
      const e = error as Error & { code?: unknown };
      message =
        error instanceof BundleError
          ? { type: 'error', code: error.code, message: error.detail, offset: error.offset }
          : { type: 'error', code: typeof e.code === 'string' ? e.code : undefined, message: e.message, offset: undefined };
    }
    port.postMessage(message, message.type === 'frames' ? [message.bytes] : []);
  });
});
