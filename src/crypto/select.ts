import { CryptoProviderUnavailableError } from './errors.ts';
import { nobleProvider } from './noble.ts';
import type { CryptoProvider, ProviderName } from './provider.ts';

// The native module is loaded only where `node:crypto` exists, so browsers bundle noble alone.
const isNode = typeof globalThis.process?.versions?.node === 'string';
const { native, noble } = isNode ? await loadNode() : { native: undefined, noble: nobleProvider };

/**
 * The two providers of a Node process. Every Node this program supports has SHA3-256, AES-256-GCM,
 * HKDF, X25519 and SHA-256 in `node:crypto`; only ML-DSA and ML-KEM arrived later (Node 24.7). So
 * under Node the noble provider takes just those two from `@noble/post-quantum` and the rest from
 * OpenSSL, which hashes a vertex id about ten times faster than the pure TypeScript SHA3 (bench
 * ingest's `sha3_us`). The all-TypeScript `nobleProvider` remains the browser's provider.
 */
async function loadNode(): Promise<{ native: CryptoProvider | undefined; noble: CryptoProvider }> {
  const module = await import('./native.ts');
  const noble: CryptoProvider = Object.freeze({ ...module.nativeProvider, name: 'noble' as const, mlDsa65: nobleProvider.mlDsa65, mlKem768: nobleProvider.mlKem768 });
  return { native: module.nativePostQuantumAvailable() ? module.nativeProvider : undefined, noble };
}

/** Whether `node:crypto` in this runtime implements ML-DSA-65 and ML-KEM-768. */
export function nativeAvailable(): boolean {
  return native !== undefined;
}

/** The provider of the given name; throws CryptoProviderUnavailableError if this runtime lacks it. */
export function providerByName(name: ProviderName): CryptoProvider {
  if (name === 'noble') return noble;
  // Callers outside TypeScript (worker data, config files) can pass anything: only the two real
  // providers have names here.
  if (name !== 'native') throw new CryptoProviderUnavailableError(`unknown crypto provider ${JSON.stringify(name)}; use "native" or "noble"`);
  if (native === undefined) {
    throw new CryptoProviderUnavailableError(
      `native ML-DSA/ML-KEM needs Node >= 24.7 with OpenSSL >= 3.5 (this is Node ${globalThis.process?.versions?.node ?? 'unknown'}); use PARS_CRYPTO=noble`,
    );
  }
  return native;
}

/**
 * The provider for this process: `PARS_CRYPTO=native|noble` forces one; otherwise native where
 * the runtime has it (faster) and noble elsewhere.
 */
export function defaultProvider(): CryptoProvider {
  const forced = globalThis.process?.env?.['PARS_CRYPTO'];
  if (forced === undefined || forced === '' || forced === 'auto') return native ?? noble;
  if (forced === 'native' || forced === 'noble') return providerByName(forced);
  throw new CryptoProviderUnavailableError(`PARS_CRYPTO must be "native", "noble" or "auto", got ${JSON.stringify(forced)}`);
}
