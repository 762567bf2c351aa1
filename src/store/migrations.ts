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
  {
    version: 2,
    description: 'CRDT document snapshots',
    sql: `
      -- How far each topic's documents are materialised: every document with an entry in the
      -- causal past of frontier (vertex ids, 32 bytes each, ascending) has a crdt_snapshots row.
      -- Counters and the last refusal are kept for observability across restarts.
      CREATE TABLE crdt_topics (
        topic                BLOB    PRIMARY KEY CHECK (length(topic) = 16),
        frontier             BLOB    NOT NULL CHECK (length(frontier) % 32 = 0),
        applied_vertices     INTEGER NOT NULL CHECK (applied_vertices >= 0),
        ignored_payloads     INTEGER NOT NULL CHECK (ignored_payloads >= 0),
        unknown_type_entries INTEGER NOT NULL CHECK (unknown_type_entries >= 0),
        last_reason          TEXT,
        last_detail          TEXT,
        last_vertex          BLOB    CHECK (last_vertex IS NULL OR length(last_vertex) = 32)
      ) WITHOUT ROWID;
      -- One row per document: its canonical state bytes as of frontier (the topic's applied
      -- frontier when the row was written). state comes last so scans of the rest skip it.
      CREATE TABLE crdt_snapshots (
        topic            BLOB    NOT NULL REFERENCES crdt_topics (topic),
        doc_id           BLOB    NOT NULL CHECK (length(doc_id) = 32),
        type             TEXT    NOT NULL,
        name             TEXT    NOT NULL,
        frontier         BLOB    NOT NULL CHECK (length(frontier) % 32 = 0),
        applied_ops      INTEGER NOT NULL CHECK (applied_ops >= 0),
        rejected_entries INTEGER NOT NULL CHECK (rejected_entries >= 0),
        last_reason      TEXT,
        last_detail      TEXT,
        last_vertex      BLOB    CHECK (last_vertex IS NULL OR length(last_vertex) = 32),
        state            BLOB    NOT NULL,
        PRIMARY KEY (topic, doc_id)
      );
    `,
  },
  {
    version: 3,
    description: 'groups: member state, processed-vertex log, pending own messages, invites, pending joins',
    sql: `
      -- Every column named sealed holds nonce(12) ‖ AES-256-GCM ciphertext under the storage key
      -- derived from the identity's master seed (src/node/storage-key.ts): group secrets, names,
      -- member key seeds and message text are never in clear on disk. Ids, topics, times and
      -- statuses are in clear: the vertices table already shows topics and authors.
      CREATE TABLE groups (
        group_id   BLOB    PRIMARY KEY CHECK (length(group_id) = 16),
        topic      BLOB    NOT NULL UNIQUE CHECK (length(topic) = 16),
        descriptor BLOB    NOT NULL,  -- sealed: group secret (32) ‖ genesis vertex id (32)
        secrets    BLOB    NOT NULL,  -- sealed: MemberSecrets.encode()
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- One row per handled vertex of a group topic or a rendezvous topic: the "already
      -- processed" marker used at restart. record (sealed message content) only for readable
      -- messages, own ones included.
      CREATE TABLE group_log (
        vertex_id BLOB PRIMARY KEY REFERENCES vertices (id),
        topic     BLOB NOT NULL CHECK (length(topic) = 16),
        status    TEXT NOT NULL,
        reason    TEXT,
        detail    TEXT,
        record    BLOB
      ) WITHOUT ROWID;
      CREATE INDEX group_log_by_topic ON group_log (topic);
      -- Content of own messages, written before their vertex is appended and moved into the log
      -- when the vertex is processed (keyed by the payload nonce, hex in Prepared.nonce).
      CREATE TABLE group_pending (
        nonce      BLOB    PRIMARY KEY CHECK (length(nonce) = 12),
        group_id   BLOB    NOT NULL REFERENCES groups (group_id),
        content    BLOB    NOT NULL,  -- sealed
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Invites this node issued. used_by/request_id are set when a join request is accepted,
      -- welcome_id once the welcome is written (a crash in between is resumed at start).
      CREATE TABLE group_invites (
        invite_id  BLOB    PRIMARY KEY CHECK (length(invite_id) = 16),
        group_id   BLOB    NOT NULL REFERENCES groups (group_id),
        topic      BLOB    NOT NULL UNIQUE CHECK (length(topic) = 16),
        secret     BLOB    NOT NULL,  -- sealed: the invite's one-time secret
        expires_at INTEGER NOT NULL,  -- Unix seconds
        used_by    BLOB    CHECK (used_by IS NULL OR length(used_by) = 32),
        request_id BLOB    CHECK (request_id IS NULL OR length(request_id) = 32),
        welcome_id BLOB    CHECK (welcome_id IS NULL OR length(welcome_id) = 32),
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Join requests this node wrote and whose welcome it awaits, by rendezvous topic.
      CREATE TABLE group_joins (
        topic      BLOB    PRIMARY KEY CHECK (length(topic) = 16),
        invite     BLOB    NOT NULL,  -- sealed: join ML-KEM seed (64) ‖ invite code text
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description: 'bundle exchanges (sneakernet frontier markers)',
    sql: `
      -- One row per bundle written or read here. frontiers packs, per topic, topic (16) ‖ u32 count
      -- ‖ ids (32 each): the exporter's frontiers, i.e. what the receiver holds once it imported.
      -- peer is the other device: the importer's exporter, or the receiver named at export.
      CREATE TABLE bundle_exchanges (
        marker    BLOB    NOT NULL CHECK (length(marker) = 16),
        direction TEXT    NOT NULL CHECK (direction IN ('export', 'import')),
        peer      BLOB    CHECK (peer IS NULL OR length(peer) = 32),
        at        INTEGER NOT NULL,
        frontiers BLOB    NOT NULL,
        PRIMARY KEY (marker, direction)
      ) WITHOUT ROWID;
      CREATE INDEX bundle_exchanges_by_peer ON bundle_exchanges (peer, at);
    `,
  },
  {
    version: 5,
    description: 'network: known peers, per-peer sync state, topic reconciliation times',
    sql: `
      -- Peers the network host met, so a restarted node redials them. rank is their order
      -- (0 = most recently connected); addresses is a JSON array of multiaddrs without /p2p/.
      CREATE TABLE net_peers (
        peer_id           TEXT    PRIMARY KEY CHECK (length(peer_id) BETWEEN 1 AND 512),
        rank              INTEGER NOT NULL,
        addresses         TEXT    NOT NULL,
        last_connected_at INTEGER
      ) WITHOUT ROWID;
      -- What the last completed sync session with a peer left for the next one
      -- (SyncPeerState.toBytes), so the first session after a restart takes the same short cut.
      CREATE TABLE net_sync_states (
        peer_id    TEXT    PRIMARY KEY CHECK (length(peer_id) BETWEEN 1 AND 512),
        state      BLOB    NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX net_sync_states_by_age ON net_sync_states (updated_at);
      -- When each topic was last reconciled in a completed sync session with any peer (Unix ms of
      -- the session's start): the sync lag of pars status.
      CREATE TABLE net_topic_syncs (
        topic         BLOB    PRIMARY KEY CHECK (length(topic) = 16),
        reconciled_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    description: 'vertices without the index on id (found through IdIndex); frontiers and group_log without foreign keys to it',
    sql: `
      -- A SQLite index on the id takes its inserts at random places (ids are hashes): once it
      -- outgrows a batch, every stored vertex rewrote a 32 KiB page of it, and ingest slowed as the
      -- store grew. The store now finds a row by id through an in-memory table of seqs (IdIndex,
      -- built from this table) and keeps ids unique itself; checkIntegrity checks both. Foreign
      -- keys need a unique index on what they name, so the two tables naming vertex ids lose
      -- theirs; checkIntegrity checks those ids instead. Children first, so that no foreign key
      -- names vertices when it is dropped.
      CREATE TABLE frontiers_v6 (
        topic BLOB NOT NULL,
        id    BLOB NOT NULL CHECK (length(id) = 32),
        PRIMARY KEY (topic, id)
      ) WITHOUT ROWID;
      INSERT INTO frontiers_v6 (topic, id) SELECT topic, id FROM frontiers;
      DROP TABLE frontiers;
      ALTER TABLE frontiers_v6 RENAME TO frontiers;

      CREATE TABLE group_log_v6 (
        vertex_id BLOB PRIMARY KEY CHECK (length(vertex_id) = 32),
        topic     BLOB NOT NULL CHECK (length(topic) = 16),
        status    TEXT NOT NULL,
        reason    TEXT,
        detail    TEXT,
        record    BLOB
      ) WITHOUT ROWID;
      INSERT INTO group_log_v6 (vertex_id, topic, status, reason, detail, record)
        SELECT vertex_id, topic, status, reason, detail, record FROM group_log;
      DROP TABLE group_log;
      ALTER TABLE group_log_v6 RENAME TO group_log;
      CREATE INDEX group_log_by_topic ON group_log (topic);

      CREATE TABLE vertices_v6 (
        seq     INTEGER PRIMARY KEY,
        id      BLOB    NOT NULL CHECK (length(id) = 32),
        topic   BLOB    NOT NULL CHECK (length(topic) = 16),
        lamport INTEGER NOT NULL CHECK (lamport >= 1),
        author  BLOB    NOT NULL CHECK (length(author) = 32),
        parents BLOB    NOT NULL CHECK (length(parents) % 32 = 0),
        bytes   BLOB    NOT NULL
      );
      INSERT INTO vertices_v6 (seq, id, topic, lamport, author, parents, bytes)
        SELECT seq, id, topic, lamport, author, parents, bytes FROM vertices ORDER BY seq;
      DROP TABLE vertices;
      ALTER TABLE vertices_v6 RENAME TO vertices;
      CREATE INDEX vertices_by_topic_order ON vertices (topic, lamport, id);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
