import { AES_256_GCM, utf8 } from '../crypto/index.ts';
import { MASTER_SEED_LENGTH } from './derive.ts';
import { NODE_ID_LENGTH } from './identity.ts';

/**
 * The keystore file format, version 1 (`keystore.json` in the data directory):
 *
 *   {
 *     "format": "pars-keystore",
 *     "version": 1,
 *     "kdf": { "name": "scrypt", "N": 131072, "r": 8, "p": 1, "salt": "<hex, 16..64 bytes>" },
 *     "cipher": "aes-256-gcm",
 *     "nonce": "<hex, 12 bytes>",
 *     "ciphertext": "<hex, 48 bytes: the 32-byte master seed ‖ 16-byte tag>",
 *     "nodeId": "<hex, 32 bytes>"
 *   }
 *
 * key = scrypt(NFC(passphrase), salt, N, r, p, 32 bytes); ciphertext = AES-256-GCM(key, nonce,
 * seed, aad). The AAD is the UTF-8 JSON array
 *   ["pars-keystore/aad", format, version, kdf.name, N, r, p, salt, cipher, nodeId]
 * so changing any header field (for example swapping in another node id, or lowering N) makes the
 * file fail to open. The node id is public and stored in clear so `pars id` needs no passphrase;
 * after decryption it must equal the node id derived from the seed.
 *
 * All hex is lower case. Unknown fields are rejected (new fields mean a new version). Opening
 * bounds the scrypt parameters (see SCRYPT_LIMITS) before running scrypt, so a hostile file cannot
 * make us allocate gigabytes or spin for hours.
 */

export const KEYSTORE_FORMAT = 'pars-keystore';
export const KEYSTORE_VERSION = 1;
export const KEYSTORE_CIPHER = 'aes-256-gcm';
/** Largest keystore file we read; a real one is about 400 bytes. */
export const KEYSTORE_MAX_BYTES = 64 * 1024;

/**
 * Accepted scrypt parameters, on creation and on opening alike. N is a power of two; memory is
 * 128·N·r bytes, capped at 1 GiB. The default is N = 2^17, r = 8, p = 1 (128 MiB, about a third
 * of a second on a laptop), the cost recommended for interactive logins with file encryption.
 */
export const SCRYPT_LIMITS = Object.freeze({
  minLog2N: 10,
  maxLog2N: 20,
  maxR: 32,
  maxP: 16,
  maxMemory: 2 ** 30,
  minSalt: 16,
  maxSalt: 64,
});
export const SCRYPT_DEFAULTS = Object.freeze({ N: 2 ** 17, r: 8, p: 1, saltLength: 32 });

export interface ScryptParams {
  readonly name: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** Lower-case hex. */
  readonly salt: string;
}

/** A parsed, validated keystore file. All byte fields are lower-case hex of the exact length. */
export interface KeystoreFile {
  readonly format: typeof KEYSTORE_FORMAT;
  readonly version: typeof KEYSTORE_VERSION;
  readonly kdf: ScryptParams;
  readonly cipher: typeof KEYSTORE_CIPHER;
  readonly nonce: string;
  readonly ciphertext: string;
  readonly nodeId: string;
}

/** Returns a description of what is wrong with (N, r, p), or undefined when they are acceptable. */
export function scryptParamsProblem(N: unknown, r: unknown, p: unknown): string | undefined {
  const L = SCRYPT_LIMITS;
  if (typeof N !== 'number' || !Number.isInteger(N) || N < 2 ** L.minLog2N || N > 2 ** L.maxLog2N || (N & (N - 1)) !== 0) {
    return `scrypt N must be a power of two from 2^${L.minLog2N} to 2^${L.maxLog2N}, got ${String(N)}`;
  }
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > L.maxR) return `scrypt r must be an integer from 1 to ${L.maxR}, got ${String(r)}`;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > L.maxP) return `scrypt p must be an integer from 1 to ${L.maxP}, got ${String(p)}`;
  if (128 * N * r > L.maxMemory) return `scrypt N·r needs ${(128 * N * r) / 2 ** 20} MiB, more than the ${L.maxMemory / 2 ** 20} MiB limit`;
  return undefined;
}

/** Thrown by `parseKeystore` with a description of the problem; the caller adds the path. */
export class KeystoreParseProblem extends Error {}

function fail(problem: string): never {
  throw new KeystoreParseProblem(problem);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of allowed) if (!Object.hasOwn(obj, key)) fail(`${where} lacks the field "${key}"`);
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) fail(`${where} has an unknown field "${key}"`);
}

function hexField(value: unknown, name: string, minBytes: number, maxBytes = minBytes): string {
  if (typeof value !== 'string') fail(`"${name}" must be a hex string`);
  if (!/^(?:[0-9a-f]{2})*$/.test(value)) fail(`"${name}" must be lower-case hex of whole bytes`);
  const bytes = value.length / 2;
  if (bytes < minBytes || bytes > maxBytes) {
    fail(minBytes === maxBytes ? `"${name}" must be ${minBytes} bytes, got ${bytes}` : `"${name}" must be ${minBytes} to ${maxBytes} bytes, got ${bytes}`);
  }
  return value;
}

/** Parses and validates keystore JSON text; throws KeystoreParseProblem saying what is wrong. */
export function parseKeystore(text: string): KeystoreFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(`not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(raw)) fail('the top level must be a JSON object');
  if (raw['format'] !== KEYSTORE_FORMAT) fail(`"format" must be "${KEYSTORE_FORMAT}", got ${JSON.stringify(raw['format']) ?? 'nothing'}`);
  const version = raw['version'];
  if (typeof version === 'number' && Number.isInteger(version) && version > KEYSTORE_VERSION) {
    fail(`keystore version ${version} is newer than this pars understands (version ${KEYSTORE_VERSION}); upgrade pars`);
  }
  if (version !== KEYSTORE_VERSION) fail(`"version" must be ${KEYSTORE_VERSION}, got ${JSON.stringify(version) ?? 'nothing'}`);
  checkKeys(raw, ['format', 'version', 'kdf', 'cipher', 'nonce', 'ciphertext', 'nodeId'], 'the keystore');

  const kdf = raw['kdf'];
  if (!isRecord(kdf)) fail('"kdf" must be an object');
  if (kdf['name'] !== 'scrypt') fail(`"kdf.name" must be "scrypt", got ${JSON.stringify(kdf['name']) ?? 'nothing'}`);
  checkKeys(kdf, ['name', 'N', 'r', 'p', 'salt'], '"kdf"');
  const problem = scryptParamsProblem(kdf['N'], kdf['r'], kdf['p']);
  if (problem !== undefined) fail(problem);
  const salt = hexField(kdf['salt'], 'kdf.salt', SCRYPT_LIMITS.minSalt, SCRYPT_LIMITS.maxSalt);

  if (raw['cipher'] !== KEYSTORE_CIPHER) fail(`"cipher" must be "${KEYSTORE_CIPHER}", got ${JSON.stringify(raw['cipher']) ?? 'nothing'}`);
  return {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    kdf: { name: 'scrypt', N: kdf['N'] as number, r: kdf['r'] as number, p: kdf['p'] as number, salt },
    cipher: KEYSTORE_CIPHER,
    nonce: hexField(raw['nonce'], 'nonce', AES_256_GCM.nonce),
    ciphertext: hexField(raw['ciphertext'], 'ciphertext', MASTER_SEED_LENGTH + AES_256_GCM.tag),
    nodeId: hexField(raw['nodeId'], 'nodeId', NODE_ID_LENGTH),
  };
}

/** The file text: pretty-printed JSON with a trailing newline, fields in the documented order. */
export function serializeKeystore(file: KeystoreFile): string {
  const ordered: KeystoreFile = {
    format: file.format,
    version: file.version,
    kdf: { name: file.kdf.name, N: file.kdf.N, r: file.kdf.r, p: file.kdf.p, salt: file.kdf.salt },
    cipher: file.cipher,
    nonce: file.nonce,
    ciphertext: file.ciphertext,
    nodeId: file.nodeId,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** The AEAD associated data binding every header field (everything but nonce and ciphertext). */
export function keystoreAad(file: Omit<KeystoreFile, 'nonce' | 'ciphertext'>): Uint8Array {
  const { kdf } = file;
  return utf8(JSON.stringify(['pars-keystore/aad', file.format, file.version, kdf.name, kdf.N, kdf.r, kdf.p, kdf.salt, file.cipher, file.nodeId]));
}
