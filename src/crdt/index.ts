// The types and their interface.
export { CRDT_TYPE_NAMES, type CrdtType, type CrdtTypeName, type OpOrigin } from './crdt-type.ts';
export { CrdtError, crdtOk, crdtReject, type CrdtRejection, type CrdtRejectionReason, type CrdtResult } from './errors.ts';
export { CrdtArgumentError } from './argument-error.ts';
export { BASIC_TYPE_LIMITS } from './basic-limits.ts';
export { checkScalar, compareScalars, type Scalar } from './scalar.ts';
export type { Dot, DotTuple } from './dot.ts';
export { OP_KIND_PREFIXES } from './op-kind.ts';
export { SNAPSHOT_TYPE_CODES, SNAPSHOT_FORMAT_VERSION } from './state-codec.ts';
export { gCounter, type GCounterOp, type GCounterState, type GCounterType } from './g-counter.ts';
export { pnCounter, type PNCounterOp, type PNCounterState, type PNCounterType } from './pn-counter.ts';
export { gSet, type GSetOp, type GSetState, type GSetType } from './g-set.ts';
export { orSet, type ORSetOp, type ORSetState, type ORSetType } from './or-set.ts';
export { lwwRegister, compareStamps, type LwwRegisterOp, type LwwRegisterState, type LwwRegisterType, type LwwStamp } from './lww-register.ts';
export { mvRegister, type MVRegisterOp, type MVRegisterState, type MVRegisterType } from './mv-register.ts';
export * from './rga/index.ts';
export { CRDT_TYPES, crdtTypeByName, type AnyCrdtType, type CrdtTypeOf, type CrdtTypes, type OpOf, type StateOf, type ValueOf } from './registry.ts';

// Documents on the DAG.
export { documentId, documentNameProblem, DOCUMENT_ID_BYTES, DOCUMENT_ID_DOMAIN, MAX_DOCUMENT_NAME_BYTES } from './document-id.ts';
export { CRDTDocument, normaliseFrontier, type Ancestry } from './document.ts';
export { decodeDocument, encodeDocument, DOCUMENT_RECORD_LIMITS, DOCUMENT_RECORD_VERSION } from './document-record.ts';
export { decodeEnvelope, encodeEnvelope, ENVELOPE_LIMITS, ENVELOPE_VERSION, type Envelope, type EnvelopeEntry } from './envelope.ts';
export {
  changeOf,
  CrdtChangeRejectedError,
  DocumentStore,
  type AppliedVertex,
  type ApplyOutcome,
  type DocumentChange,
  type DocumentInfo,
  type DocumentStoreOptions,
  type EntryRejection,
} from './document-store.ts';
export type { DocumentStats, RecordedRejection } from './document-slot.ts';
export type { TopicStats } from './topic-slot.ts';
export type { DagView, RestoreReport } from './restore.ts';
export type { SnapshotStore, StoredDocument, StoredRejection, StoredTopic, TopicSnapshot } from './snapshot.ts';
export { applyOpened, materialise, plainPayload, type MaterialiseDag, type MaterialiseReport, type PayloadOpener, type VertexBytesSource } from './materialise.ts';
