import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RUNTIME_FLAGS } from '../../src/cli/runtime-flags.ts';

/**
 * With PARS_BENCH_CPU_PROF=DIR, each child writes a V8 CPU profile of every thread into DIR.
 * With PARS_BENCH_PERF=1, each child writes /tmp/perf-PID.map for `perf` to name JIT frames (V8's
 * own profiler samples wall time, so under contention it charges waiting to whatever ran last).
 */
function profileFlags(): string[] {
  if (process.env['PARS_BENCH_PERF'] === '1') return ['--perf-basic-prof'];
  const dir = process.env['PARS_BENCH_CPU_PROF'];
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/**
 * A benchmark child process that reports on stdout, one JSON object per line, run under the
 * node's V8 flags (RUNTIME_FLAGS) as `pars start` is. Its stderr goes to ours (progress notes);
 * its stdin stays open until `finish()`, and a child that sees stdin end shuts down, so a
 * benchmark that dies takes its children with it.
 */
export class NetChild {
  readonly #process: ChildProcess;
  readonly #lines: AsyncIterator<string>;
  readonly #exited: Promise<number | null>;

  constructor(script: string, args: readonly string[]) {
    this.#process = spawn(process.execPath, [...RUNTIME_FLAGS, ...profileFlags(), script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const stdout = this.#process.stdout;
    if (stdout === null) throw new Error('child has no stdout');
    this.#lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
    this.#exited = new Promise((resolve) => this.#process.once('exit', (code) => resolve(code)));
  }

  /** The next JSON line; a child that exits first, or reports `error`, fails the benchmark. */
  async next<T>(): Promise<T> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error(`child exited with ${String(await this.#exited)} before reporting`);
    const value = JSON.parse(line.value) as T & { error?: string };
    if (value.error !== undefined) throw new Error(`child failed: ${value.error}`);
    return value;
  }

  /** Closes the child's stdin (its signal to stop), then returns its last line once it exits. */
  async finish<T>(): Promise<T> {
    this.#process.stdin?.end();
    const last = await this.next<T>();
    const code = await this.#exited;
    if (code !== 0) throw new Error(`child exited with ${String(code)}`);
    return last;
  }

  /** Closes the child's stdin and waits for it to exit, reading nothing more. */
  async close(): Promise<void> {
    this.#process.stdin?.end();
    const code = await this.#exited;
    if (code !== 0) throw new Error(`child exited with ${String(code)}`);
  }

  kill(): void {
    if (this.#process.exitCode === null) this.#process.kill('SIGKILL');
  }
}
