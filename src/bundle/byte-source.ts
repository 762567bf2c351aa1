import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Where a bundle is read from: a file on a stick, or bytes in memory (tests, tools). */
export interface ByteSource {
  readonly size: number;
  /**
   * Up to `length` bytes at `offset` (fewer only at the end). The result may be overwritten by
   * the next `read`: copy what must outlive it.
   */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // One buffer for every read: a bundle is read chunk after chunk, and a fresh 64 KiB per chunk
    // would only feed the garbage collector.
    let reused = new Uint8Array(0);
    return {
      size,
      read(offset: number, length: number): Uint8Array {
        const want = Math.max(0, Math.min(length, size - offset));
        if (reused.length < want) reused = new Uint8Array(want);
        const buffer = reused.subarray(0, want);
        let n = 0;
        while (n < buffer.length) {
          const got = readSync(fd, buffer, n, buffer.length - n, offset + n);
          if (got === 0) break;
          n += got;
        }
        return n === buffer.length ? buffer : buffer.subarray(0, n);
      },
      close(): void {
        closeSync(fd);
      },
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset: number, length: number): Uint8Array => bytes.slice(offset, Math.min(bytes.length, offset + length)),
    close: (): void => undefined,
  };
}
