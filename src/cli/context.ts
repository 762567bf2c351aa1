import type { Command } from 'commander';
import type { CryptoProvider } from '../crypto/index.ts';

/** Anything text can be written to (a process stream, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** An input stream, possibly a terminal. */
export type TextSource = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/** The process surroundings a command may touch; injectable so tests can run `main` in-process. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: TextSource;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What every command receives besides its own options. */
export interface CliContext extends CliIo {
  /** The data directory: `--data-dir`, else `$PARS_HOME`, else `$XDG_DATA_HOME/pars`, else `~/.local/share/pars`. */
  dataDir(): string;
  /** The crypto provider for this run (`PARS_CRYPTO` may force one). */
  provider(): CryptoProvider;
  /** Prints `pars: warning: <message>` to stderr. */
  warn(message: string): void;
}

/**
 * Adds one command (or a group of subcommands) to the program. Create commands with
 * `program.command(...)` so they inherit the program's output and exit settings; throw errors
 * with a `code` (named Error subclasses) for expected failures — `main` prints their message.
 */
export type CommandRegistrar = (program: Command, ctx: CliContext) => void;
