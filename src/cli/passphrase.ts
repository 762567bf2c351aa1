import { EmptyPassphraseError } from '../identity/index.ts';
import type { CliIo } from './context.ts';
import { NoPassphraseError, PassphraseMismatchError } from './errors.ts';
import { HiddenPrompt } from './prompt.ts';

/** Environment variable that supplies the keystore passphrase non-interactively (scripts, services, tests). */
export const PASSPHRASE_ENV = 'PARS_PASSPHRASE';
/** How many times a mismatched or empty entry is asked again before giving up. */
const ATTEMPTS = 3;

export interface PassphraseRequest {
  /** Ask twice and require both entries to match (for a new keystore). */
  readonly confirm: boolean;
  /** The variable that supplies it; default PARS_PASSPHRASE (the keystore's). */
  readonly env?: string;
  /** What is asked for, capitalised as a prompt starts (default 'Passphrase'). */
  readonly label?: string;
}

/**
 * The keystore passphrase: `$PARS_PASSPHRASE` when set (even to the empty string, which the
 * keystore then rejects), else asked on the terminal without echo. With neither, a
 * NoPassphraseError tells the user what to do.
 */
export async function obtainPassphrase(io: CliIo, request: PassphraseRequest): Promise<string> {
  const env = request.env ?? PASSPHRASE_ENV;
  const label = request.label ?? 'Passphrase';
  const fromEnv = io.env[env];
  if (fromEnv !== undefined) return fromEnv;
  if (io.stdin.isTTY !== true) throw new NoPassphraseError(env, `a ${label.toLowerCase()}`);

  const prompt = new HiddenPrompt(io.stdin, io.stderr);
  try {
    let last: Error = new EmptyPassphraseError();
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const first = await prompt.ask(request.confirm ? `New ${label.toLowerCase()}: ` : `${label}: `);
      if (first.length === 0) {
        last = new EmptyPassphraseError();
        io.stderr.write('The passphrase must not be empty.\n');
        continue;
      }
      if (!request.confirm) return first;
      const second = await prompt.ask(`Repeat ${label.toLowerCase()}: `);
      if (first === second) return first;
      last = new PassphraseMismatchError();
      io.stderr.write('The passphrases do not match.\n');
    }
    throw last;
  } finally {
    prompt.close();
  }
}
