import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

// The CLI as a child process, the way a user runs it. Every run gets its own HOME and PARS_HOME
// under a temp dir, and PARS_SCRYPT_N=1024 keeps keystore creation fast.
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A factory of isolated environments under one temp dir, removed when the test file ends. */
export async function cliSandboxes(prefix: string): Promise<() => Promise<Record<string, string>>> {
  const root = await fs.mkdtemp(join(tmpdir(), prefix));
  after(() => fs.rm(root, { recursive: true, force: true }));
  let counter = 0;
  return async () => {
    const dir = join(root, `s${counter++}`);
    await fs.mkdir(dir);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith('PARS_') && key !== 'XDG_DATA_HOME') env[key] = value;
    }
    if (process.env['PARS_CRYPTO'] !== undefined) env['PARS_CRYPTO'] = process.env['PARS_CRYPTO'];
    return { ...env, HOME: dir, PARS_HOME: join(dir, 'pars'), PARS_PASSPHRASE: 'correct horse battery', PARS_SCRYPT_N: '1024' };
  };
}

/** Output kept of one run at most: a whole large log (tens of MB) fits; execFile's default is 1 MiB. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Runs `pars ARGS` from the TypeScript source, in directory `cwd` (default: the test's). */
export function pars(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const options = { env, encoding: 'utf8' as const, timeout: 20_000, maxBuffer: MAX_OUTPUT_BYTES, ...(cwd === undefined ? {} : { cwd }) };
    const child = execFile(process.execPath, [CLI_MAIN, ...args], options, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(); // stdin is a pipe, never a terminal
  });
}

export function assertNoStack(run: Run): void {
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'expected errors print no stack trace');
}
