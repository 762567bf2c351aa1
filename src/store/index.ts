export { SqliteStore, type StoreOptions, type IntegrityReport } from './sqlite-store.ts';
export { StoreError } from './errors.ts';
export { MIGRATIONS, LATEST_SCHEMA_VERSION, type Migration } from './migrations.ts';
export type { TopicSnapshotRecord, TopicProgressRecord, DocumentSnapshotRecord, SnapshotRejectionRecord } from './snapshot-tables.ts';
export { GroupTables, type GroupRecord, type GroupLogRecord, type PendingMessageRecord, type InviteRecord, type JoinRecord } from './group-tables.ts';
export { BundleTables, type ExchangeRecord, type TopicFrontier } from './bundle-tables.ts';
export { NetTables, NET_TABLE_LIMITS, type StoredPeer } from './net-tables.ts';
