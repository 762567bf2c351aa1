import { CodedError } from '../crypto/index.ts';

/** Base class of every error the identity layer throws. */
export class IdentityError extends CodedError {}

/**
 * The keystore did not decrypt. AES-GCM cannot tell a wrong passphrase from a header or
 * ciphertext that was altered after writing, so the message names both (the passphrase first:
 * it is by far the likelier cause).
 */
export class WrongPassphraseError extends IdentityError {
  readonly path: string;
  constructor(path: string) {
    super('ERR_WRONG_PASSPHRASE', `wrong passphrase for keystore ${path} (or the file was modified since it was written)`);
    this.path = path;
  }
}

/** The keystore file exists but is not a well-formed version-1 keystore; the message says what is wrong. */
export class KeystoreFormatError extends IdentityError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super('ERR_KEYSTORE_FORMAT', `keystore ${path} is damaged or not a Pars keystore: ${problem}`);
    this.path = path;
  }
}

/** There is no keystore in the data directory yet. */
export class KeystoreNotFoundError extends IdentityError {
  readonly path: string;
  constructor(path: string) {
    super('ERR_KEYSTORE_NOT_FOUND', `no keystore at ${path}; run \`pars init\` to create an identity (or pass --data-dir / set PARS_HOME to use another data directory)`);
    this.path = path;
  }
}

/** Creating a keystore would replace an existing one (and with it, an identity) without `force`. */
export class KeystoreExistsError extends IdentityError {
  readonly path: string;
  constructor(path: string, detail = '') {
    super('ERR_KEYSTORE_EXISTS', `a keystore already exists at ${path}${detail}; refusing to overwrite it (use --force to replace it, which destroys that identity unless you have a backup)`);
    this.path = path;
  }
}

/** The passphrase is empty (after Unicode normalisation). */
export class EmptyPassphraseError extends IdentityError {
  constructor() {
    super('ERR_EMPTY_PASSPHRASE', 'the passphrase must not be empty');
  }
}

/** A keystore creation option (such as the scrypt cost) is out of range. */
export class KeystoreOptionError extends IdentityError {
  constructor(message: string) {
    super('ERR_KEYSTORE_OPTION', message);
  }
}

/** The data directory cannot be used (for example, the path is a file). */
export class DataDirError extends IdentityError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super('ERR_DATA_DIR', `data directory ${path}: ${problem}`);
    this.path = path;
  }
}
