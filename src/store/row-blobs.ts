/** A row as better-sqlite3 returns it: column name → value (BLOB columns arrive as Buffers). */
export type Row = Record<string, unknown>;

/** A view of a BLOB the driver just allocated for this row (no second copy of large values). */
export function blobView(blob: unknown): Uint8Array {
  const b = blob as Buffer;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A BLOB as a plain, compact `Uint8Array` of its own, for values kept long after the read. */
export function blobCopy(blob: unknown): Uint8Array {
  return Uint8Array.from(blob as Buffer);
}
