import type { DecodedVertex } from '../../src/dag/index.ts';

/**
 * Feeds `list` to `run` in batches of `batch` vertex encodings with at most `inFlight` calls
 * outstanding, as a sync session does: workers verify the next batches while the main thread
 * commits an earlier one. `done` sums what the calls returned; `seconds` is the whole stream.
 */
export async function streamBatches(
  list: readonly DecodedVertex[],
  batch: number,
  inFlight: number,
  run: (chunk: Uint8Array[]) => Promise<number>,
): Promise<{ seconds: number; done: number }> {
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  let done = 0;
  for (let i = 0; i < list.length; i += batch) {
    pending.push(run(list.slice(i, i + batch).map((v) => v.bytes)).then((n) => (done += n)));
    if (pending.length >= inFlight) await pending.shift();
  }
  await Promise.all(pending);
  return { seconds: (performance.now() - started) / 1000, done };
}
