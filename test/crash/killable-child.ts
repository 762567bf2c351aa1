import { spawn } from 'node:child_process';
import { basename } from 'node:path';

/** How a child run by `runKillable` ended. */
export interface KillableExit {
  /** Complete stdout lines: a line cut by the kill has no newline, was never whole, and is left out. */
  readonly lines: string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/**
 * Runs `node script ...args` for a crash test. `watch` is called once at the spawn (with an empty
 * stdout) and again after every piece of output (with all of stdout so far); it may call
 * `killIn(ms)` to SIGKILL the child that many ms later. A child that prints nothing for `stuckMs`
 * is killed and the promise rejects. Resolves once the child has exited and its output is read.
 */
export function runKillable(script: string, args: readonly string[], stuckMs: number, watch: (stdout: string, killIn: (ms: number) => void) => void): Promise<KillableExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stuck = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const killIn = (ms: number): void => {
      timers.push(setTimeout(() => child.kill('SIGKILL'), ms));
    };
    const watchdog = (): ReturnType<typeof setTimeout> => setTimeout(() => ((stuck = true), child.kill('SIGKILL')), stuckMs);
    let silence = watchdog();
    watch(stdout, killIn);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      clearTimeout(silence);
      silence = watchdog();
      watch(stdout, killIn);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const clear = (): void => {
      clearTimeout(silence);
      for (const t of timers) clearTimeout(t);
    };
    child.on('error', (error) => {
      clear();
      reject(error);
    });
    child.on('close', (code, signal) => {
      clear();
      if (stuck) {
        reject(new Error(`${basename(script)} printed nothing for ${stuckMs} ms and was killed; stderr:\n${stderr.slice(-4000)}`));
        return;
      }
      resolve({ lines: stdout.split('\n').slice(0, -1), code, signal, stderr });
    });
  });
}
