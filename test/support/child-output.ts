import { writeSync } from 'node:fs';

/**
 * Writes to stdout synchronously, for child processes a test kills at random: a line is in the
 * pipe before the next step runs. The pipe can be full for a moment (EAGAIN) when the parent is
 * slow to read; retry until it takes the whole text.
 */
export function out(text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}
