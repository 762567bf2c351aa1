import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/index.ts';

/**
 * A store file at `path` as an older program left it: WAL, the migrations up to `version` and
 * nothing later. Returned open, so a test can put rows in before closing it and letting
 * `SqliteStore.open` migrate it.
 */
export function storeAtSchema(path: string, version: number): Database.Database {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) raw.exec(m.sql);
  raw.pragma(`user_version = ${version}`);
  return raw;
}
