/** Errors of the node layer (composition, lifecycle, worker pool); `code` is stable. */
export class NodeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeError';
    this.code = code;
  }
}
