/*
 * Errors thrown or rejected outside any awaited path (a timer, an event listener, a promise no
 * one awaits) after a test ended: node:test fails the whole file for them with only "test
 * failed" in its summary, and the error itself scrolls by in the middle of the output. A file
 * that calls `recordStrayErrors()` keeps them, and `assertNoStrayErrors()` (in its `after` hook)
 * fails with their stacks, which the summary then shows.
 */

const stray: string[] = [];
let recording = false;

/** Starts keeping uncaught exceptions and unhandled rejections of this process (once per file). */
export function recordStrayErrors(): void {
  if (recording) return;
  recording = true;
  const keep = (kind: string) => (error: unknown): void => {
    stray.push(`${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };
  // node:test keeps its own listeners: these add to them and change nothing of what it does.
  process.on('uncaughtException', keep('uncaught exception'));
  process.on('unhandledRejection', keep('unhandled rejection'));
}

/** Throws, naming every stray error so far, when there was any. */
export async function assertNoStrayErrors(): Promise<void> {
  // What the hooks just stopped may still settle in the next turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (stray.length > 0) throw new Error(`errors thrown outside any test's awaited path:\n${stray.join('\n')}`);
}
