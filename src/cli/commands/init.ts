import type { Command } from 'commander';
import {
  createKeystore,
  ensureDataDir,
  Identity,
  KeystoreExistsError,
  KeystoreFormatError,
  keystorePath,
  KeystoreNotFoundError,
  readKeystoreHeader,
  SCRYPT_DEFAULTS,
} from '../../identity/index.ts';
import { SqliteStore } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { InvalidEnvError } from '../errors.ts';
import { obtainPassphrase } from '../passphrase.ts';
import { storePath } from '../paths.ts';

/**
 * Test-only: `PARS_SCRYPT_N` lowers the scrypt cost of a keystore being created (a power of two,
 * at least 2^10) so test suites do not spend 128 MiB and a third of a second per keystore. It is
 * honoured only when creating; opening always uses the N recorded in the file.
 */
export const SCRYPT_N_ENV = 'PARS_SCRYPT_N';

interface InitOptions {
  readonly force?: boolean;
  readonly json?: boolean;
}

/**
 * `pars init [--force] [--json]`: create the data directory, a new passphrase-protected identity,
 * and the node's store (`node.sqlite`, created and migrated; an existing store is kept as it is,
 * since vertices do not belong to an identity).
 */
export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create the data directory and a new identity in a passphrase-protected keystore')
    .option('--force', 'replace an existing keystore (destroys that identity unless you have a backup)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `\nThe passphrase is read from $PARS_PASSPHRASE if set, otherwise asked twice on the terminal.\n`)
    .action(async (options: InitOptions): Promise<void> => {
      await runInit(ctx, options);
    });
}

async function runInit(ctx: CliContext, options: InitOptions): Promise<void> {
  const dataDir = ctx.dataDir();
  const force = options.force === true;
  const scryptN = scryptNFromEnv(ctx);

  const dir = await ensureDataDir(dataDir);
  // Refuse before asking for a passphrase, so the user does not type it twice for nothing.
  const previous = await previousIdentity(dataDir);
  if (previous !== undefined && !force) throw new KeystoreExistsError(keystorePath(dataDir), previous === '' ? '' : ` (node id ${previous})`);
  if (dir.looseMode) ctx.warn(`data directory ${dataDir} is accessible to other users; consider: chmod 700 '${dataDir}'`);
  const passphrase = await obtainPassphrase(ctx, { confirm: true });
  if (passphrase.length > 0 && passphrase.length < 8) ctx.warn('this passphrase is short; anyone who gets the keystore file can try to guess it offline');

  const identity = Identity.generate(ctx.provider());
  const info = await createKeystore(dataDir, identity, passphrase, { force, scryptN });
  if (previous !== undefined) ctx.warn(previous === '' ? 'replaced an unreadable keystore' : `replaced the previous identity ${previous}`);
  const store = storePath(dataDir);
  SqliteStore.open(store).close(); // creates the file, or migrates an existing one

  if (options.json === true) {
    ctx.stdout.write(`${JSON.stringify({ nodeId: info.nodeIdHex, dataDir, keystore: info.path, store })}\n`);
    return;
  }
  ctx.stdout.write(
    `Created a new identity.\n` +
      `node id   ${info.nodeIdHex}\n` +
      `data dir  ${dataDir}\n` +
      `keystore  ${info.path}\n` +
      `store     ${store}\n` +
      `Keep the passphrase safe: without it the keystore cannot be opened, and nobody can reset it.\n`,
  );
}

/** The node id already in the data directory, '' if a keystore exists but is unreadable, undefined if none. */
async function previousIdentity(dataDir: string): Promise<string | undefined> {
  try {
    return (await readKeystoreHeader(dataDir)).nodeIdHex;
  } catch (err) {
    if (err instanceof KeystoreNotFoundError) return undefined;
    if (err instanceof KeystoreFormatError) return '';
    throw err;
  }
}

/** `PARS_SCRYPT_N` when set (keystores being created and bundle passphrases); warns when below the default. */
export function scryptNFromEnv(ctx: CliContext): number | undefined {
  const raw = ctx.env[SCRYPT_N_ENV];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]{1,8}$/.test(raw)) throw new InvalidEnvError(SCRYPT_N_ENV, `must be a power of two, got ${JSON.stringify(raw)}`);
  const N = Number(raw);
  if (N < SCRYPT_DEFAULTS.N) ctx.warn(`${SCRYPT_N_ENV}=${N} weakens passphrase protection (meant for tests only)`);
  return N;
}
