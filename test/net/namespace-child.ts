import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A script run by this process's Node inside a network namespace (`ip netns exec`, which execs
 * the command, so the pid is the script's own), talking JSON lines: one object per line on
 * stdout, and on stdin whatever the script reads. A line with an `error` field is the script's
 * failure.
 */
export class NamespaceChild<Line extends { readonly error?: unknown }> {
  readonly name: string;
  readonly exited: Promise<number | null>;
  readonly #process: ChildProcess;
  readonly #lines: AsyncIterator<string>;

  constructor(name: string, namespace: string, script: string, args: readonly string[]) {
    this.name = name;
    this.#process = spawn('ip', ['netns', 'exec', namespace, process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const stdout = this.#process.stdout;
    if (stdout === null) throw new Error('no stdout');
    this.#lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => this.#process.once('exit', (code) => resolve(code)));
  }

  /** The next line; throws when it reports an error or the script exits without one. */
  async next(): Promise<Line> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error(`node ${this.name} exited with ${String(await this.exited)} before reporting`);
    const parsed = JSON.parse(line.value) as Line;
    if (parsed.error !== undefined) throw new Error(`node ${this.name}: ${String(parsed.error)}`);
    return parsed;
  }

  /** Writes one JSON line to the script's stdin. */
  send(value: object): void {
    this.#process.stdin?.write(`${JSON.stringify(value)}\n`);
  }

  /** Ends the script's stdin (the scripts here take it as the signal to stop). */
  endInput(): void {
    this.#process.stdin?.end();
  }

  kill(): void {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGKILL');
  }
}
