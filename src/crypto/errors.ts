/**
 * Base of every error Pars Mesh throws: a stable `code` that callers match on, and the subclass
 * name as `name`. It lives in the lowest layer so every layer's own base class extends it.
 */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Base class of every error the crypto layer throws. */
export class CryptoError extends CodedError {}

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
