import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { defaultProvider, fromHex, toHex, utf8, type CryptoProvider } from '../crypto/index.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { ensureDataDir } from './data-dir.ts';
import {
  EmptyPassphraseError,
  KeystoreExistsError,
  KeystoreFormatError,
  KeystoreNotFoundError,
  KeystoreOptionError,
  WrongPassphraseError,
} from './errors.ts';
import { Identity } from './identity.ts';
import {
  KEYSTORE_CIPHER,
  KEYSTORE_FORMAT,
  KEYSTORE_MAX_BYTES,
  KEYSTORE_VERSION,
  KeystoreParseProblem,
  keystoreAad,
  parseKeystore,
  SCRYPT_DEFAULTS,
  scryptParamsProblem,
  serializeKeystore,
  type KeystoreFile,
} from './keystore-format.ts';
import { scryptKey } from './scrypt.ts';

/** Name of the keystore file inside the data directory. */
export const KEYSTORE_FILE = 'keystore.json';
/** The mode a keystore is written with: read/write for the owner only. */
export const KEYSTORE_MODE = 0o600;

/** Path of the keystore file in a data directory. */
export function keystorePath(dataDir: string): string {
  return join(dataDir, KEYSTORE_FILE);
}

/** What can be learnt about a keystore without its passphrase. */
export interface KeystoreInfo {
  readonly path: string;
  /** The parsed, validated file (public fields and the sealed seed). */
  readonly file: KeystoreFile;
  /** Lower-case hex node id from the header. */
  readonly nodeIdHex: string;
  /** Permission bits of the file. */
  readonly mode: number;
  /** True when group or others have any access to the file (looser than 0600); warn the user. */
  readonly looseMode: boolean;
}

/** An opened keystore: its info and the identity it protects. */
export interface OpenedKeystore extends KeystoreInfo {
  readonly identity: Identity;
}

export interface CreateKeystoreOptions {
  /** Replace an existing keystore (default false: throw KeystoreExistsError). */
  readonly force?: boolean;
  /**
   * scrypt cost N, a power of two in 2^10..2^20 (default 2^17). Lower values are for tests only;
   * the value is recorded in the file, and opening always uses what the file says.
   */
  readonly scryptN?: number;
}

export interface OpenKeystoreOptions {
  /** Provider the opened identity's keys live in (default: `defaultProvider()`). */
  readonly provider?: CryptoProvider;
}

/**
 * Seals `identity`'s master seed under `passphrase` into `<dataDir>/keystore.json` (creating the
 * data directory with mode 0700 if needed). The write is atomic and the file mode is 0600.
 */
export async function createKeystore(
  dataDir: string,
  identity: Identity,
  passphrase: string,
  options: CreateKeystoreOptions = {},
): Promise<KeystoreInfo> {
  const secret = passphraseBytes(passphrase);
  const N = options.scryptN ?? SCRYPT_DEFAULTS.N;
  const problem = scryptParamsProblem(N, SCRYPT_DEFAULTS.r, SCRYPT_DEFAULTS.p);
  if (problem !== undefined) throw new KeystoreOptionError(problem);
  const path = keystorePath(dataDir);
  await ensureDataDir(dataDir);
  if (options.force !== true && (await exists(path))) throw new KeystoreExistsError(path);

  const provider = identity.provider;
  const salt = provider.randomBytes(SCRYPT_DEFAULTS.saltLength);
  const nonce = provider.randomBytes(12);
  const header = {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    kdf: { name: 'scrypt', N, r: SCRYPT_DEFAULTS.r, p: SCRYPT_DEFAULTS.p, salt: toHex(salt) },
    cipher: KEYSTORE_CIPHER,
    nodeId: identity.nodeIdHex,
  } as const;
  const key = await scryptKey(secret, salt, N, SCRYPT_DEFAULTS.r, SCRYPT_DEFAULTS.p);
  secret.fill(0);
  const seed = identity.exportSeed();
  const sealed = provider.aes256Gcm.seal(key, nonce, seed, keystoreAad(header));
  seed.fill(0);
  key.fill(0);
  const file: KeystoreFile = { ...header, nonce: toHex(nonce), ciphertext: toHex(sealed) };

  try {
    await writeFileAtomic(path, serializeKeystore(file), { mode: KEYSTORE_MODE, overwrite: options.force === true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeystoreExistsError(path);
    throw err;
  }
  return { path, file, nodeIdHex: file.nodeId, mode: KEYSTORE_MODE, looseMode: false };
}

/**
 * Reads and validates `<dataDir>/keystore.json` without the passphrase — enough for the public
 * node id. Throws KeystoreNotFoundError or KeystoreFormatError.
 */
export async function readKeystoreHeader(dataDir: string): Promise<KeystoreInfo> {
  const path = keystorePath(dataDir);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KeystoreNotFoundError(path);
    throw err;
  }
  let bytes: Uint8Array;
  let mode: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new KeystoreFormatError(path, 'it is not a regular file');
    if (stat.size > KEYSTORE_MAX_BYTES) throw new KeystoreFormatError(path, `it is ${stat.size} bytes, larger than the ${KEYSTORE_MAX_BYTES}-byte limit`);
    mode = stat.mode & 0o777;
    bytes = new Uint8Array(KEYSTORE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    if (bytesRead > KEYSTORE_MAX_BYTES) throw new KeystoreFormatError(path, `it is larger than the ${KEYSTORE_MAX_BYTES}-byte limit`);
    bytes = bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }

  let file: KeystoreFile;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    file = parseKeystore(text);
  } catch (err) {
    if (err instanceof KeystoreParseProblem) throw new KeystoreFormatError(path, err.message);
    if (err instanceof TypeError) throw new KeystoreFormatError(path, 'it is not UTF-8 text');
    throw err;
  }
  const looseMode = process.platform !== 'win32' && (mode & 0o077) !== 0;
  return { path, file, nodeIdHex: file.nodeId, mode, looseMode };
}

/**
 * Opens `<dataDir>/keystore.json` with `passphrase` and returns the identity inside. Throws
 * KeystoreNotFoundError, KeystoreFormatError, WrongPassphraseError or EmptyPassphraseError. The
 * scrypt cost is the one the file records (within SCRYPT_LIMITS).
 */
export async function openKeystore(dataDir: string, passphrase: string, options: OpenKeystoreOptions = {}): Promise<OpenedKeystore> {
  const secret = passphraseBytes(passphrase);
  const info = await readKeystoreHeader(dataDir);
  const { file, path } = info;
  const provider = options.provider ?? defaultProvider();
  const key = await scryptKey(secret, fromHex(file.kdf.salt), file.kdf.N, file.kdf.r, file.kdf.p);
  secret.fill(0);
  const seed = provider.aes256Gcm.open(key, fromHex(file.nonce), fromHex(file.ciphertext), keystoreAad(file));
  key.fill(0);
  if (seed === undefined) throw new WrongPassphraseError(path);
  const identity = Identity.fromSeed(seed, provider);
  seed.fill(0);
  if (identity.nodeIdHex !== file.nodeId) {
    throw new KeystoreFormatError(path, `the header node id ${file.nodeId} does not match the identity inside (${identity.nodeIdHex})`);
  }
  return { ...info, identity };
}

/** NFC-normalised UTF-8, so the same passphrase typed on different systems gives the same bytes. */
function passphraseBytes(passphrase: string): Uint8Array {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase must be a string');
  const normalized = passphrase.normalize('NFC');
  if (normalized.length === 0) throw new EmptyPassphraseError();
  return utf8(normalized);
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
