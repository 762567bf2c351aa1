import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';

/**
 * Runs `work` in one transaction (a savepoint when nested in another): what it writes is durable
 * together when this returns, and nothing of it is stored if it throws. A failure of SQLite itself
 * (a constraint, a full disk) becomes a StoreError `ERR_STORE_WRITE` saying what failed, as the
 * store's other writes report it; any other error passes through unchanged.
 */
export function writeTransaction<T>(db: Database.Database, what: string, work: () => T): T {
  try {
    return db.transaction(work)();
  } catch (error) {
    if (error instanceof Error && error.name === 'SqliteError') {
      throw new StoreError('ERR_STORE_WRITE', `${what} failed: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
