import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import {
  CryptoInputError,
  fromHex,
  nativeAvailable,
  nobleProvider,
  providerByName,
  toHex,
  type CryptoProvider,
  type ProviderName,
} from '../../src/crypto/index.ts';

// Shared by the crypto tests: which providers to run, vector loading, small assertions.
// Not a test file itself (the runner only picks up *.test.ts).

const nodeVersion = globalThis.process.versions.node;
const opensslVersion = globalThis.process.versions.openssl ?? 'none';

function atLeast(version: string, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (match === null) return false;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}

/** True where node:crypto must offer ML-DSA/ML-KEM: Node >= 24.7 built with OpenSSL >= 3.5 (our CI). */
export function nativeExpected(): boolean {
  return atLeast(nodeVersion, 24, 7) && atLeast(opensslVersion, 3, 5);
}

/** Human-readable runtime, for diagnostics. */
export const RUNTIME = `Node ${nodeVersion}, OpenSSL ${opensslVersion}`;

/** Why a provider-by-provider test has no native half on this runtime. */
const NATIVE_MISSING = `native provider unavailable on ${RUNTIME}; native half not checked`;

/** The native provider, or undefined where this runtime lacks it. */
export function nativeOrUndefined(): CryptoProvider | undefined {
  return nativeAvailable() ? providerByName('native') : undefined;
}

/**
 * Noble, and native where the runtime has it; for tests declared once per provider at the top of a
 * file. Without native, a skipped test says so (never silently passed). Call it once per file.
 */
export function availableProviders(): CryptoProvider[] {
  const native = nativeOrUndefined();
  if (native !== undefined) return [nobleProvider, native];
  test('native provider', { skip: NATIVE_MISSING }, () => {});
  return [nobleProvider];
}

/**
 * Runs `body` once per provider as a subtest named after it. The noble provider always runs; the
 * native one runs where the runtime has it and is otherwise reported (diagnostic + visible skip),
 * never silently passed. kat.test.ts fails outright if native is missing where it must exist.
 */
export async function forEachProvider(
  t: TestContext,
  body: (provider: CryptoProvider, t: TestContext) => void | Promise<void>,
): Promise<void> {
  const names: readonly ProviderName[] = ['native', 'noble'];
  for (const name of names) {
    const provider = name === 'noble' ? nobleProvider : nativeOrUndefined();
    if (provider === undefined) {
      t.diagnostic(NATIVE_MISSING);
      await t.test(name, { skip: NATIVE_MISSING }, () => {});
      continue;
    }
    await t.test(name, (st: TestContext) => body(provider, st));
  }
}

/** Both providers as a pair for cross-provider checks, or undefined (with a diagnostic) without native. */
export function providerPair(t: TestContext): readonly [CryptoProvider, CryptoProvider] | undefined {
  const native = nativeOrUndefined();
  if (native === undefined) {
    t.diagnostic(`native provider unavailable on ${RUNTIME}; cross-provider check not run`);
    t.skip('native provider unavailable');
    return undefined;
  }
  return [native, nobleProvider];
}

/** Parses a JSON vector file under test/vectors/crypto/. */
export function loadVectors(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../vectors/crypto/${file}`, import.meta.url), 'utf8')) as unknown;
}

/** Narrowing helpers for vector files (they are data, so their shape is checked, not assumed). */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} must be an object`);
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, what: string): readonly unknown[] {
  assert.ok(Array.isArray(value), `${what} must be an array`);
  return value as readonly unknown[];
}

export function field(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  assert.equal(typeof value, 'string', `vector field "${key}" must be a string`);
  return value as string;
}

export function optionalField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  assert.equal(typeof value, 'string', `vector field "${key}" must be a string`);
  return value as string;
}

export function numberField(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  assert.equal(typeof value, 'number', `vector field "${key}" must be a number`);
  return value as number;
}

export function booleanField(record: Record<string, unknown>, key: string): boolean {
  const value = record[key];
  assert.equal(typeof value, 'boolean', `vector field "${key}" must be a boolean`);
  return value as boolean;
}

/** Hex field as bytes (upper- or lower-case hex, as the sources print it). */
export function bytes(record: Record<string, unknown>, key: string): Uint8Array {
  return fromHex(field(record, key));
}

/** Byte-exact equality with a readable (hex) failure message. */
export function assertBytesEqual(actual: Uint8Array, expected: Uint8Array, message: string): void {
  assert.equal(toHex(actual), toHex(expected), message);
}

/** Asserts `fn` throws the crypto layer's typed input error. */
export function assertInputError(fn: () => unknown, message: string): void {
  assert.throws(
    fn,
    (error: unknown) => error instanceof CryptoInputError && error.code === 'ERR_CRYPTO_INPUT',
    message,
  );
}

/** A copy of `data` with bit `bit` of byte `index` flipped. */
export function flipBit(data: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(data);
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return copy;
}
