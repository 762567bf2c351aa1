// The identity layer: key pairs from one 32-byte seed, node ids, the passphrase-protected keystore
// and the data directory it lives in.
export * from './errors.ts';
export { deriveSubSeeds, IDENTITY_INFO, IDENTITY_SALT, MASTER_SEED_LENGTH, type SubSeeds } from './derive.ts';
export { Identity, NODE_ID_LENGTH, nodeIdOf } from './identity.ts';
export {
  createKeystore,
  KEYSTORE_FILE,
  KEYSTORE_MODE,
  keystorePath,
  openKeystore,
  readKeystoreHeader,
  type CreateKeystoreOptions,
  type KeystoreInfo,
  type OpenedKeystore,
  type OpenKeystoreOptions,
} from './keystore.ts';
export {
  KEYSTORE_FORMAT,
  KEYSTORE_VERSION,
  SCRYPT_DEFAULTS,
  SCRYPT_LIMITS,
  type KeystoreFile,
  type ScryptParams,
} from './keystore-format.ts';
export { scryptKey } from './scrypt.ts';
export { ensureDataDir, resolveDataDir, type DataDirStatus, type ResolveDataDirOptions } from './data-dir.ts';
export { placeNoClobber, writeFileAtomic } from './atomic-write.ts';
