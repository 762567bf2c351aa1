export { Ingester, type IngestReport, type IngestRejection, type IngesterOptions } from './ingest.ts';
export { VerifyPool, type VerifyPoolOptions } from './verify-pool.ts';
export type { Verdict } from './verify-protocol.ts';
export { NodeError } from './errors.ts';
export { NodeDocuments, type NodeDocumentsOptions } from './documents.ts';
export type { StoredListener } from './ingest.ts';
