import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DataDirError } from './errors.ts';

export interface ResolveDataDirOptions {
  /** The `--data-dir` flag, if given; wins over everything else. A leading `~/` is expanded. */
  readonly dataDir?: string | undefined;
  /** The environment to read `PARS_HOME` and `XDG_DATA_HOME` from (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home directory (default `os.homedir()`); injectable for tests. */
  readonly home?: string;
  /** Base for relative paths (default `process.cwd()`). */
  readonly cwd?: string;
}

/**
 * Where the node keeps its keystore and database, as an absolute path. In order of precedence:
 * the `--data-dir` flag, `$PARS_HOME`, `$XDG_DATA_HOME/pars`, then `~/.local/share/pars`.
 * Empty variables count as unset, and a relative `XDG_DATA_HOME` is ignored, as the XDG Base
 * Directory specification requires.
 */
export function resolveDataDir(options: ResolveDataDirOptions): string {
  const home = options.home ?? homedir();
  const cwd = options.cwd ?? process.cwd();
  const flag = options.dataDir;
  if (flag !== undefined && flag !== '') return resolve(cwd, expandHome(flag, home));
  const parsHome = options.env['PARS_HOME'];
  if (parsHome !== undefined && parsHome !== '') return resolve(cwd, expandHome(parsHome, home));
  const xdg = options.env['XDG_DATA_HOME'];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'pars');
  return join(home, '.local', 'share', 'pars');
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** The result of `ensureDataDir`. */
export interface DataDirStatus {
  /** True when this call created the directory. */
  readonly created: boolean;
  /** True when group or others have any access to it (looser than 0700). */
  readonly looseMode: boolean;
}

/**
 * Creates the data directory with mode 0700 if it does not exist (parents are created with the
 * default mode). An existing directory is left as it is; a path that exists but is not a
 * directory is a DataDirError.
 */
export async function ensureDataDir(path: string): Promise<DataDirStatus> {
  await fs.mkdir(dirname(path), { recursive: true });
  let created = false;
  try {
    await fs.mkdir(path, { mode: 0o700 });
    await fs.chmod(path, 0o700); // exact, whatever the umask
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stat = await fs.stat(path);
  if (!stat.isDirectory()) throw new DataDirError(path, 'exists but is not a directory');
  const looseMode = process.platform !== 'win32' && (stat.mode & 0o077) !== 0;
  return { created, looseMode };
}
