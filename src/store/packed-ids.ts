/** 32-byte ids packed back to back into one blob (how the store keeps parent lists and frontiers). */
export function packIds(ids: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(32 * ids.length);
  ids.forEach((id, i) => out.set(id, 32 * i));
  return out;
}

/** The ids of a packed blob, each its own copy. */
export function unpackIds(packed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < packed.length; i += 32) out.push(Uint8Array.from(packed.subarray(i, i + 32)));
  return out;
}
