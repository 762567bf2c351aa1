import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { defaultProvider, type CryptoProvider } from '../crypto/index.ts';
import { resolveDataDir } from '../identity/index.ts';
import { commands } from './commands/index.ts';
import type { CliContext, CliIo } from './context.ts';

/** Exit codes: 0 success, 1 an expected failure (message printed), 70 an internal error (a bug), 130 cancelled. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, internal: 70, cancelled: 130 });

/**
 * Runs the `pars` command line on `argv` (in `process.argv` form: node, script, args…) and
 * returns the exit code. It never calls `process.exit`, so tests can call it in-process; `io`
 * replaces the process streams and environment.
 *
 * Errors that carry a string `code` (our named errors, Node's system errors) are expected: they
 * print `pars: <message>` without a stack trace. Anything else is a bug and prints its stack.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    get stdin() {
      return io.stdin ?? process.stdin; // touched only when a command needs it
    },
    env: io.env ?? process.env,
  };
  const program = new Command('pars');
  let provider: CryptoProvider | undefined;
  const ctx: CliContext = {
    stdout: full.stdout,
    stderr: full.stderr,
    get stdin() {
      return full.stdin;
    },
    env: full.env,
    dataDir: () => resolveDataDir({ dataDir: program.opts<{ dataDir?: string }>().dataDir, env: full.env }),
    provider: () => (provider ??= defaultProvider()),
    warn: (message) => void full.stderr.write(`pars: warning: ${message}\n`),
  };

  program
    .description('Pars Mesh: an offline-first, post-quantum mesh node')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .option('--data-dir <path>', 'data directory (default: $PARS_HOME, else $XDG_DATA_HOME/pars, else ~/.local/share/pars)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void full.stdout.write(text),
      writeErr: (text) => void full.stderr.write(text),
    })
    .showHelpAfterError('(run pars --help for usage)');
  // Subcommands made with program.command() inherit the exit and output settings above.
  for (const register of commands) register(program, ctx);

  try {
    await program.parseAsync([...argv], { from: 'node' });
    return EXIT.ok;
  } catch (err) {
    return report(err, full);
  }
}

function report(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) return err.exitCode; // commander printed help or the usage error
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (err instanceof Error && typeof code === 'string') {
    io.stderr.write(`pars: ${err.message}\n`);
    return code === 'ERR_PROMPT_ABORTED' ? EXIT.cancelled : EXIT.failure;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(`pars: internal error (please report it): ${detail}\n`);
  return EXIT.internal;
}

function packageVersion(): string {
  try {
    // ../../package.json from both src/cli/main.ts and dist/cli/main.js.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
