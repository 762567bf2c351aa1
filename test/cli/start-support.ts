import { spawn, type ChildProcess } from 'node:child_process';
import { after } from 'node:test';
import { CLI_MAIN, pars } from '../support/cli.ts';

/* `pars start` as a long-lived child process, the way a user runs it; loopback only, no mDNS. */

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Every line printed so far (stdout and stderr, in arrival order per stream). */
  readonly out: string[];
  readonly err: string[];
  peerId: string;
  nodeId: string;
  /** The multiaddrs it printed before `ready`. */
  addresses: string[];
  /** Resolves with the exit code (or null after a signal kill) once the process has exited. */
  readonly exited: Promise<number | null>;
}

function lines(stream: NodeJS.ReadableStream, into: string[], onLine: () => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    into.push(...parts);
    onLine();
  });
}

/** Spawns `pars start ARGS` (loopback, no mDNS, any ports) without waiting for it. */
export function spawnNode(env: Record<string, string>, args: readonly string[] = []): { node: NodeProcess; ready: Promise<NodeProcess> } {
  const child = spawn(process.execPath, [CLI_MAIN, 'start', '--listen-host', '127.0.0.1', '--no-mdns', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  const node: NodeProcess = { child, out: [], err: [], peerId: '', nodeId: '', addresses: [], exited };
  let settle: (() => void) | undefined;
  const check = (): void => settle?.();
  lines(child.stdout as NodeJS.ReadableStream, node.out, check);
  lines(child.stderr as NodeJS.ReadableStream, node.err, check);
  const ready = new Promise<NodeProcess>((resolve, reject) => {
    settle = (): void => {
      if (!node.out.includes('ready')) return;
      settle = undefined;
      node.nodeId = /^node id\s+([0-9a-f]{64})$/m.exec(node.out.join('\n'))?.[1] ?? '';
      node.peerId = /^peer id\s+(\S+)$/m.exec(node.out.join('\n'))?.[1] ?? '';
      node.addresses = node.out.slice(0, node.out.indexOf('ready')).filter((l) => l.startsWith('/'));
      resolve(node);
    };
    void exited.then((code) => reject(new Error(`pars start exited with ${code} before ready:\n${node.err.join('\n')}\n${node.out.join('\n')}`)));
  });
  ready.catch(() => undefined);
  return { node, ready };
}

/** Starts a node and waits for its `ready` line. */
export async function startNode(env: Record<string, string>, args: readonly string[] = []): Promise<NodeProcess> {
  return spawnNode(env, args).ready;
}

/** Sends `signal` and resolves with the exit code. */
export async function stopNode(node: NodeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  node.child.kill(signal);
  return node.exited;
}

/** Runs `pars ARGS` until `check(stdout)` holds (the command must succeed), polling; fails after `ms`. */
export async function parsUntil(args: readonly string[], env: Record<string, string>, check: (stdout: string) => boolean, ms: number, what: string): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await pars(args, env);
    if (run.code === 0 && check(run.stdout)) return run.stdout;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last run of pars ${args.join(' ')}: exit ${run.code}\n${run.stdout}${run.stderr}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `pars ARGS` that must succeed; returns stdout. */
export async function parsOk(args: readonly string[], env: Record<string, string>): Promise<string> {
  const run = await pars(args, env);
  if (run.code !== 0) throw new Error(`pars ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}
