/**
 * Schema migrations, applied in order inside one transaction each; `PRAGMA user_version` records
 * the last one applied. Never edit a released migration: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'vertices, frontiers, author keys',
    sql: `
      -- seq is the arrival order. parents holds the parent ids (32 bytes each, ascending) so the
      -- DAG reloads from this table alone; bytes, the largest column, comes last so scans of the
      -- small columns never read it.
      CREATE TABLE vertices (
        seq     INTEGER PRIMARY KEY,
        id      BLOB    NOT NULL UNIQUE CHECK (length(id) = 32),
        topic   BLOB    NOT NULL CHECK (length(topic) = 16),
        lamport INTEGER NOT NULL CHECK (lamport >= 1),
        author  BLOB    NOT NULL CHECK (length(author) = 32),
        parents BLOB    NOT NULL CHECK (length(parents) % 32 = 0),
        bytes   BLOB    NOT NULL
      );
      CREATE INDEX vertices_by_topic_order ON vertices (topic, lamport, id);
      -- The frontier of each topic, rewritten in the same transaction as the vertices that move it.
      CREATE TABLE frontiers (
        topic BLOB NOT NULL,
        id    BLOB NOT NULL REFERENCES vertices (id),
        PRIMARY KEY (topic, id)
      ) WITHOUT ROWID;
      CREATE TABLE author_keys (
        author     BLOB PRIMARY KEY CHECK (length(author) = 32),
        algorithm  TEXT NOT NULL,
        public_key BLOB NOT NULL
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
