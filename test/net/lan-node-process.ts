import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LanHost } from './lan-namespaces.ts';

const child = fileURLToPath(new URL('./lan-node-child.ts', import.meta.url));

/** What a LAN node reports, one JSON object per line (see lan-node-child.ts). */
export interface LanReport {
  readonly name: string;
  readonly error?: string;
  readonly ready?: boolean;
  readonly synced?: boolean;
  readonly stopped?: boolean;
  readonly peerId?: string;
  readonly addresses?: string[];
  readonly peers?: string[];
  readonly stored?: number;
  readonly frontier?: string[];
}

export interface LanNodeOptions {
  readonly name: string;
  /** Directory the node keeps its store in (a subdirectory named after it). */
  readonly dir: string;
  readonly host: LanHost;
  /** Number of its author (fixtures' `makeAuthor`). */
  readonly author: number;
  /** Vertices it writes before meeting anyone, and again after. */
  readonly writes: number;
  /** Vertices of the topic every node must end with. */
  readonly total: number;
  /** Peers each node must be connected to. */
  readonly peers: number;
}

/** A node process started inside a LAN host's namespace (`ip netns exec`), read line by line. */
export class LanNodeProcess {
  readonly name: string;
  readonly #process: ChildProcess;
  readonly #lines: AsyncIterator<string>;
  readonly exited: Promise<number | null>;

  constructor(o: LanNodeOptions) {
    this.name = o.name;
    const args = ['--name', o.name, '--dir', o.dir, '--address', o.host.address, '--author', String(o.author), '--writes', String(o.writes), '--total', String(o.total), '--peers', String(o.peers)];
    // `ip netns exec` execs the command, so this pid is the node process itself.
    this.#process = spawn('ip', ['netns', 'exec', o.host.namespace, process.execPath, child, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const stdout = this.#process.stdout;
    if (stdout === null) throw new Error('no stdout');
    this.#lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => this.#process.once('exit', (code) => resolve(code)));
  }

  /** The next report; throws when the node reports an error or exits without a report. */
  async next(): Promise<LanReport> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error(`node ${this.name} exited with ${String(await this.exited)} before reporting`);
    const report = JSON.parse(line.value) as LanReport;
    if (report.error !== undefined) throw new Error(`node ${this.name}: ${report.error}`);
    return report;
  }

  /** Tells the node to stop (its stdin ends). */
  stop(): void {
    this.#process.stdin?.end();
  }

  kill(): void {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGKILL');
  }
}
