export * from './provider.ts';
export * from './errors.ts';
export { assertBytes, concatBytes, equalBytes, fromHex, toHex, utf8 } from './bytes.ts';
export { defaultProvider, nativeAvailable, providerByName } from './select.ts';
export { nobleProvider } from './noble.ts';
export { ByteWriter, MAX_VARINT, MAX_VARINT_BYTES, readVarint, varintSize, type VarintProblem, type VarintRead } from './byte-writer.ts';
