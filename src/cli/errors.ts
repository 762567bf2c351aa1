import { CodedError } from '../crypto/index.ts';

/** Base class of the errors the command line itself throws. */
export class CliError extends CodedError {}

/** A passphrase is needed but there is neither `PARS_PASSPHRASE` nor a terminal to ask on. */
export class NoPassphraseError extends CliError {
  constructor(env = 'PARS_PASSPHRASE', what = 'a passphrase') {
    super('ERR_NO_PASSPHRASE', `${what} is needed but stdin is not a terminal; set ${env} or run pars in a terminal`);
  }
}

/** The two passphrase entries differed (after every retry). */
export class PassphraseMismatchError extends CliError {
  constructor() {
    super('ERR_PASSPHRASE_MISMATCH', 'the passphrases did not match');
  }
}

/** The user ended a prompt with Ctrl-C or Ctrl-D. */
export class PromptAbortedError extends CliError {
  constructor() {
    super('ERR_PROMPT_ABORTED', 'cancelled');
  }
}

/** An environment variable has a value pars cannot use. */
export class InvalidEnvError extends CliError {
  constructor(name: string, problem: string) {
    super('ERR_INVALID_ENV', `${name}: ${problem}`);
  }
}

/**
 * A file the command must write could not be: said with the file, and for a full disk what to do.
 * Node's message for a write on an open file names no path ("ENOSPC: no space left on device,
 * write"), which left the user guessing which disk was full.
 */
export class WriteFailedError extends CliError {
  constructor(path: string, cause: unknown) {
    const code = (cause as { code?: unknown }).code;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    super(
      full ? 'ERR_DISK_FULL' : 'ERR_WRITE_FAILED',
      full ? `cannot write ${path}: the disk is full (${String(code)}); free some space there and try again` : `cannot write ${path}: ${(cause as Error).message}`,
    );
  }
}
