import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Run } from './cli.ts';

/* People running `pars` in-process through `main`, each with a data directory of their own. */

/** Collects what a command writes. */
export class Capture {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface Person {
  readonly dataDir: string;
  readonly env: Record<string, string>;
  nodeId: string;
  run(...args: string[]): Promise<Run>;
  ok(...args: string[]): Promise<string>;
}

/** A person whose data directory is `root/name`; `env` adds to (or overrides) their environment. */
export function person(root: string, name: string, env: Record<string, string> = {}): Person {
  const dataDir = join(root, name);
  const p: Person = {
    dataDir,
    env: { PARS_HOME: dataDir, PARS_PASSPHRASE: `passphrase of ${name}`, PARS_SCRYPT_N: '1024', ...env },
    nodeId: '',
    async run(...args) {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await main(['node', 'pars', ...args], { stdout, stderr, env: p.env });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    async ok(...args) {
      const r = await p.run(...args);
      assert.equal(r.code, 0, `pars ${args.join(' ')} (${name}): ${r.stderr}`);
      return r.stdout;
    },
  };
  return p;
}

/** `pars init` for `p`, remembering its node id. */
export async function init(p: Person): Promise<void> {
  p.nodeId = (JSON.parse(await p.ok('init', '--json')) as { nodeId: string }).nodeId;
}

export const logLines = (out: string): string[] => out.split('\n').filter((l) => l !== '');
/** The texts of `pars log` output (fields after lamport, time, author). */
export const textsOf = (out: string): string[] => logLines(out).map((l) => l.split('  ').slice(3).join('  '));
