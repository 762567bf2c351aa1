export * from './provider.ts';
export * from './errors.ts';
export { assertBytes, concatBytes, equalBytes, fromHex, toHex, utf8 } from './bytes.ts';
export { defaultProvider, nativeAvailable, providerByName } from './select.ts';
export { nobleProvider } from './noble.ts';
