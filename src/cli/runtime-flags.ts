/*
 * V8 flags for the processes that move vertices in bulk (a running node, bundle import and
 * export). Their memory is mostly short-lived Buffers that V8 frees only when it collects their
 * holders; small semi-spaces make the young collections free them while their memory is still
 * warm, instead of the heap growing into fresh pages and setting off full collections of the
 * whole DAG. Why and what it saves: docs/ARCHITECTURE.md, "The node process's V8 flags".
 */

/** The flags, as `node` takes them on its command line. */
export const RUNTIME_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=4']);

/** Commands whose process the flags are for: the long-running node and bulk bundle transfer. */
const BULK_COMMANDS: ReadonlySet<string> = new Set(['start', 'bundle']);

/** The V8 options RUNTIME_FLAGS set, dashed (V8 takes `_` and `-` alike). */
const FLAG_NAMES: readonly string[] = RUNTIME_FLAGS.map((f) => f.split('=')[0] as string);

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
 * needs no relaunch: the options are set already, by an earlier relaunch or by the user (on the
 * command line or in NODE_OPTIONS), whose choice is left as it is.
 */
export function relaunchCommandLine(execPath: string, execArgv: readonly string[], argv: readonly string[], nodeOptions = ''): string[] | undefined {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) => a.split('=')[0]?.replaceAll('_', '-'));
  if (FLAG_NAMES.some((name) => given.includes(name))) return undefined;
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
