import { closeSync, constants, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { placeNoClobber } from '../identity/index.ts';
import { BundleOptionError } from './errors.ts';
import type { ByteSink } from './bundle-writer.ts';

/**
 * A file that appears under its final name only when complete: it is written under a hidden
 * temporary name in the same directory, fsynced, renamed, and the directory fsynced. A stick
 * pulled out or a process killed midway leaves at most the temporary file, never a half bundle
 * under the name people will look for.
 */
export class AtomicFile implements ByteSink {
  readonly path: string;
  readonly temporary: string;
  readonly #overwrite: boolean;
  #fd: number | undefined;

  constructor(path: string, overwrite: boolean) {
    if (!overwrite && existsSync(path)) throw new BundleOptionError('ERR_BUNDLE_EXISTS', `${path} already exists (pass --force to replace it)`);
    this.path = path;
    this.#overwrite = overwrite;
    this.temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
    this.#fd = openSync(this.temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  }

  write(bytes: Uint8Array): void {
    if (this.#fd === undefined) throw new Error('file already closed');
    let at = 0;
    while (at < bytes.length) at += writeSync(this.#fd, bytes, at, bytes.length - at);
  }

  /** Makes the file durable under its final name. */
  commit(): void {
    if (this.#fd === undefined) throw new Error('file already closed');
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#overwrite) renameSync(this.temporary, this.path);
    else {
      // A file that appeared under the name while the bundle was written is not replaced either.
      try {
        placeNoClobber(this.temporary, this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BundleOptionError('ERR_BUNDLE_EXISTS', `${this.path} already exists (pass --force to replace it)`);
        throw err;
      }
    }
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /** Removes the temporary file after a failure. */
  abandon(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    try {
      unlinkSync(this.temporary);
    } catch {
      // Already gone: nothing to clean.
    }
  }
}
