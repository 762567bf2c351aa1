import { applyOpened, DocumentStore, materialise, plainPayload, type DocumentChange, type MaterialiseReport, type PayloadOpener } from '../crdt/index.ts';
import type { DecodedVertex, VertexSigner } from '../dag/index.ts';
import type { Ingester } from './ingest.ts';

export interface NodeDocumentsOptions {
  /** Opens a payload for the CRDT layer; identity until group encryption. */
  readonly openPayload?: PayloadOpener;
  /** Snapshot a topic after this many applied vertices (DocumentStore default otherwise). */
  readonly snapshotEvery?: number;
}

/**
 * The node's CRDT documents, kept in step with its store: at start the documents resume from the
 * snapshots in the store and replay only the vertices no snapshot covers; afterwards every vertex
 * the ingester commits — received or written here — is applied once, in commit (causal) order.
 * Local changes take the same path as remote ones: build the payload, append the vertex, and
 * the commit listener applies it.
 */
export class NodeDocuments {
  readonly documents: DocumentStore;
  /** What the start-up materialisation did (snapshots restored, vertices replayed or skipped). */
  readonly started: MaterialiseReport;
  readonly #ingester: Ingester;
  readonly #open: PayloadOpener;

  constructor(ingester: Ingester, options: NodeDocumentsOptions = {}) {
    this.#ingester = ingester;
    this.#open = options.openPayload ?? plainPayload;
    this.documents = new DocumentStore({
      snapshots: ingester.store,
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    });
    this.started = materialise(ingester.dag, ingester.store, this.documents, this.#open);
    ingester.onStored((vertices) => this.#apply(vertices));
  }

  /** Writes `changes` as one vertex on `topic` signed by `signer`; resolves once it is durable and applied. */
  async change(topic: Uint8Array, changes: readonly DocumentChange[], signer: VertexSigner): Promise<DecodedVertex> {
    const payload = this.documents.change(topic, changes, signer.author);
    return this.#ingester.append(topic, payload, signer);
  }

  /** Persists a snapshot of every topic changed since its last one; returns documents written. */
  flush(): number {
    return this.documents.flush();
  }

  #apply(vertices: readonly DecodedVertex[]): void {
    for (const v of vertices) applyOpened(this.documents, v, this.#open);
  }
}
