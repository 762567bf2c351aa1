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
    description: 'vertices, edges, frontiers, author keys',
    sql: `
      -- seq is the arrival order; edges and frontiers refer to it to stay small.
      CREATE TABLE vertices (
        seq     INTEGER PRIMARY KEY,
        id      BLOB    NOT NULL UNIQUE CHECK (length(id) = 32),
        topic   BLOB    NOT NULL CHECK (length(topic) = 16),
        lamport INTEGER NOT NULL CHECK (lamport >= 1),
        author  BLOB    NOT NULL CHECK (length(author) = 32),
        bytes   BLOB    NOT NULL
      );
      CREATE INDEX vertices_by_topic_order ON vertices (topic, lamport, id);
      CREATE TABLE edges (
        child  INTEGER NOT NULL REFERENCES vertices (seq),
        parent INTEGER NOT NULL REFERENCES vertices (seq),
        PRIMARY KEY (child, parent)
      ) WITHOUT ROWID;
      CREATE INDEX edges_by_parent ON edges (parent);
      CREATE TABLE frontiers (
        topic BLOB    NOT NULL,
        seq   INTEGER NOT NULL REFERENCES vertices (seq),
        PRIMARY KEY (topic, seq)
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
