import { readFileSync } from 'node:fs';

/** Bytes this process has handed to write calls (Linux /proc/self/io), or NaN elsewhere. */
export function bytesWritten(): number {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}
