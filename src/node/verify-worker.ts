import { parentPort, workerData } from 'node:worker_threads';
import { providerByName } from '../crypto/index.ts';
import { checkVertex, decodeVertex, KeyRing, LAYOUT_WORDS, packLayout } from '../dag/index.ts';
import type { Failure, FromWorker, ToWorker, WorkerConfig } from './verify-protocol.ts';

// A verification worker: decodes, hashes and signature-checks vertices off the main thread.
// It holds a copy of the author keys, sent by the pool whenever the key ring grows.

const config = workerData as WorkerConfig;
const provider = providerByName(config.provider);
const ring = new KeyRing(provider);
const port = parentPort;
if (port === null) throw new Error('verify-worker must run as a worker thread');

port.on('message', (message: ToWorker) => {
  try {
    if (message.type === 'keys') {
      for (const key of message.keys) ring.add(key);
      return;
    }
    const all = new Uint8Array(message.bytes);
    const count = message.offsets.length - 1;
    const ids = new Uint8Array(32 * count);
    const layouts = new Float64Array(LAYOUT_WORDS * count);
    const failures: Failure[] = [];
    for (let i = 0; i < count; i++) {
      const item = all.subarray(message.offsets[i] as number, message.offsets[i + 1] as number);
      const r = checkVertex(item, ring, provider);
      if (r.ok) {
        ids.set(r.id, 32 * i);
        packLayout(r, layouts, LAYOUT_WORDS * i);
      } else {
        // Hash refused bytes that decode, so the DAG can remember the id (only on this rare path).
        const id = decodeVertex(item).ok ? provider.sha3_256(item) : undefined;
        failures.push({ index: i, id, reason: r.reason, detail: r.detail });
      }
    }
    const reply: FromWorker = { type: 'result', job: message.job, bytes: message.bytes, ids: ids.buffer, layouts: layouts.buffer, failures };
    port.postMessage(reply, [message.bytes, ids.buffer, layouts.buffer]);
  } catch (error) {
    const reply: FromWorker = { type: 'fatal', message: (error as Error).message };
    port.postMessage(reply);
  }
});
