/*
 * V8 flags for the processes that move vertices in bulk (a running node, bundle import and
 * export). A node's working memory is mostly short-lived Buffers outside the JavaScript heap:
 * frames read and written, records decrypted and encrypted, rows read from SQLite. V8 frees such
 * a Buffer only when it collects the object that holds it, and with its default young generation
 * (semi-spaces that grow to 32 MiB) a sync allocates tens of megabytes of them between two
 * collections; the heap then grows into fresh pages, which the kernel must zero one by one, and
 * the external memory left over sets off full mark-compact collections of the whole DAG. With
 * 4 MiB semi-spaces the young collections run often enough to free those Buffers while their
 * memory is still warm. Measured with `npm run bench -- net-sync` (rounds with and without the
 * flag, in one run): about 15% less CPU for the two nodes of a 10,000-vertex sync, and a third
 * fewer fresh pages on the serving node; `npm run bench -- ingest` used less main-thread CPU too.
 */

/** The flags, as `node` takes them on its command line. */
export const RUNTIME_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=4']);

/** Commands whose process the flags are for: the long-running node and bulk bundle transfer. */
const BULK_COMMANDS: ReadonlySet<string> = new Set(['start', 'bundle']);

/** Global options of `pars` that take a value (the value is not the command). */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(['--data-dir']);

/** The `pars` command in `process.argv` form (node, script, args…), or undefined. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv[i + 1];
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Whether `argv` (in `process.argv` form) runs a command that moves vertices in bulk. */
export function isBulkCommand(argv: readonly string[]): boolean {
  const command = commandOf(argv);
  return command !== undefined && BULK_COMMANDS.has(command);
}

/**
 * The command line that runs `argv` again under RUNTIME_FLAGS, or undefined when the process
 * needs no relaunch: the flags are there already, or the user chose a young generation size (on
 * the command line or in NODE_OPTIONS), which is left as it is.
 */
export function relaunchCommandLine(execPath: string, execArgv: readonly string[], argv: readonly string[], nodeOptions = ''): string[] | undefined {
  const chosen = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => a.startsWith('--max-semi-space-size') || a.startsWith('--max_semi_space_size'));
  if (chosen) return undefined;
  return [execPath, ...RUNTIME_FLAGS, ...execArgv, ...argv.slice(1)];
}

/**
 * Replaces this process (same pid, same open files and standard streams) with one running the
 * same script and arguments under RUNTIME_FLAGS, when `when(process.argv)` holds (default: a
 * bulk `pars` command) and `relaunchCommandLine` gives a command line. Where Node cannot replace a
 * process (`process.execve` is missing: Windows, Node before 22.15) it goes on as it is: the flags
 * save CPU and memory, and nothing depends on them. Call it first, before anything is opened.
 */
export function relaunchWithRuntimeFlags(when: (argv: readonly string[]) => boolean = isBulkCommand): void {
  if (typeof process.execve !== 'function' || !when(process.argv)) return;
  const line = relaunchCommandLine(process.execPath, process.execArgv, process.argv, process.env['NODE_OPTIONS']);
  if (line === undefined) return;
  process.execve(process.execPath, line, process.env);
}
