// Sneakernet bundles (docs/BUNDLE.md): a signed, encrypted, padded file of DAG vertices, frontier
// markers and CRDT snapshots, written and read as a stream.
export { exportBundle, type BundleGroupKey, type BundleInviteKey, type BundleSigner, type ExportOptions, type ExportReport } from './export.ts';
export { importBundle, BUNDLE_SOURCE_PREFIX, type ImportOptions, type ImportReport, type IngestSink, type UnknownDevicePolicy } from './import.ts';
export { openBundle, openBundleFile, readFrames, verifyBundle, type OpenedBundle, type VerifiedBundle, type WrapKeyAttempt } from './bundle-reader.ts';
export { BundleWriter, BUNDLE_SIGNATURE_CONTEXT, type ByteSink, type WrittenBundle } from './bundle-writer.ts';
export { forPeer, sinceMarker, MIN_MARKER_PREFIX, type BelievedFrontiers } from './exchange.ts';
export { BundleError, BundleOptionError, type BundleFailureCode } from './errors.ts';
export { BUNDLE_LIMITS, BUNDLE_VERSION } from './limits.ts';
export { BUNDLE_MAGIC, PREAMBLE_BYTES, STANZA_BYTES, buildPreamble, parsePreamble, unwrapFileKey, type Preamble } from './preamble.ts';
export { SEALED_CHUNK_BYTES, ChunkCipher } from './chunk-cipher.ts';
export { FRAME, encodeFrame, encodeMarker, decodeMarker, encodeOpen, decodeOpen, type FrameType, type Marker, type OpenFrame } from './frames.ts';
export type { ParsedFrame } from './frame-parser.ts';
export { groupWrapKey, inviteWrapKey, passphraseWrapKey, snapshotKey } from './recipient-keys.ts';
export { padme } from './padme.ts';
export { fileSource, memorySource, type ByteSource } from './byte-source.ts';
