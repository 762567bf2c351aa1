import { parentPort, workerData } from 'node:worker_threads';
import { providerByName } from '../../src/crypto/index.ts';
import type { ParallelVerifyData } from './parallel-verify.ts';

// A thread of ParallelVerify: checks every case on each 'run' message and answers when done.
const data = workerData as ParallelVerifyData;
const provider = providerByName(data.provider);
const checks = data.cases.map((c) => ({ message: c.message, signature: c.signature, verifier: provider.mlDsa65.verifier(c.publicKey) }));
function checkAll(): void {
  for (const c of checks) if (!c.verifier.verify(c.message, c.signature, data.context)) throw new Error('a fixture signature fails');
}
const port = parentPort;
if (port === null) throw new Error('parallel-verify-worker must run as a worker thread');
checkAll(); // warm up
port.postMessage('ready');
port.on('message', () => {
  checkAll();
  port.postMessage('done');
});
