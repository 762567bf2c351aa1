import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Where a bundle is read from: a file on a stick, or bytes in memory (tests, tools). */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer only at the end). */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    return {
      size,
      read(offset: number, length: number): Uint8Array {
        const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
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
