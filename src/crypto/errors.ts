/** Base class of every error the crypto layer throws; `code` is stable and safe to match on. */
export class CryptoError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An argument of the wrong type or size reached a primitive (a bug in the caller, not bad network input). */
export class CryptoInputError extends CryptoError {
  constructor(message: string) {
    super('ERR_CRYPTO_INPUT', message);
  }
}

/** `PARS_CRYPTO` named a provider this runtime cannot supply. */
export class CryptoProviderUnavailableError extends CryptoError {
  constructor(message: string) {
    super('ERR_CRYPTO_PROVIDER_UNAVAILABLE', message);
  }
}
