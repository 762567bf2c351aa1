import type { MessageStream, MessageStreamDirection, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { AbstractMessageStream, LengthPrefixedDecoder, type SendResult } from '@libp2p/utils';
import { Uint8ArrayList } from 'uint8arraylist';
import { MAX_RECORD_PLAINTEXT_BYTES, TAG_BYTES } from './constants.ts';
import { PqHandshakeError } from './errors.ts';
import type { RecordCipher } from './record-cipher.ts';

/*
 * The connection after the handshake: each record is a 4-byte big-endian length, then
 * AES-256-GCM ciphertext ‖ tag of at most MAX_RECORD_PLAINTEXT_BYTES of plaintext. A record that
 * does not open ends the connection.
 */

const PREFIX_BYTES = 4;
const MAX_SEALED_BYTES = MAX_RECORD_PLAINTEXT_BYTES + TAG_BYTES;

function recordLength(data: Uint8ArrayList | Uint8Array): number {
  if (data.byteLength < PREFIX_BYTES) throw new RangeError('record length incomplete');
  const length = data instanceof Uint8Array ? new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0) : data.getUint32(0);
  if (length <= TAG_BYTES || length > MAX_SEALED_BYTES) throw new PqHandshakeError('ERR_PQ_MALFORMED', `record of ${length} bytes (${TAG_BYTES + 1}..${MAX_SEALED_BYTES})`);
  return length;
}

function prefix(length: number): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES);
  new DataView(out.buffer).setUint32(0, length);
  return out;
}

export class EncryptedStream extends AbstractMessageStream {
  readonly #inner: MessageStream;
  readonly #sender: RecordCipher;
  readonly #receiver: RecordCipher;
  readonly #decoder = new LengthPrefixedDecoder({
    lengthDecoder: recordLength,
    encodingLength: () => PREFIX_BYTES,
    maxDataLength: MAX_SEALED_BYTES,
    // One whole record plus whatever the transport hands over in one read after it.
    maxBufferSize: PREFIX_BYTES + MAX_SEALED_BYTES + 1024 * 1024,
  });

  constructor(inner: MessageStream, sender: RecordCipher, receiver: RecordCipher, direction: MessageStreamDirection) {
    super({ log: inner.log, inactivityTimeout: inner.inactivityTimeout, maxReadBufferLength: inner.maxReadBufferLength, direction });
    this.#inner = inner;
    this.#sender = sender;
    this.#receiver = receiver;
    inner.addEventListener('message', (evt: StreamMessageEvent) => this.#onMessage(evt.data));
    inner.addEventListener('close', (evt: StreamCloseEvent) => {
      if (evt.error !== undefined) {
        if (evt.local === true) this.abort(evt.error);
        else this.onRemoteReset();
      } else {
        this.onTransportClosed();
      }
    });
    inner.addEventListener('drain', () => this.safeDispatchEvent('drain'));
    inner.addEventListener('remoteCloseWrite', () => this.onRemoteCloseWrite());
  }

  #onMessage(data: Uint8Array | Uint8ArrayList): void {
    try {
      // Records span the transport's reads: they are opened in place, never joined first.
      for (const record of this.#decoder.decode(data)) {
        this.onData(new Uint8ArrayList(...this.#receiver.openParts([...record])));
      }
    } catch (err) {
      this.abort(err instanceof Error ? err : new PqHandshakeError('ERR_PQ_MALFORMED', String(err)));
    }
  }

  sendData(data: Uint8ArrayList): SendResult {
    const out = new Uint8ArrayList();
    for (let at = 0; at < data.byteLength; at += MAX_RECORD_PLAINTEXT_BYTES) {
      const end = Math.min(at + MAX_RECORD_PLAINTEXT_BYTES, data.byteLength);
      // The muxer's frames arrive as several buffers (headers, payloads): sealed as they are.
      out.append(prefix(end - at + TAG_BYTES));
      for (const piece of this.#sender.sealParts([...data.sublist(at, end)])) out.append(piece);
    }
    return { sentBytes: data.byteLength, canSendMore: this.#inner.send(out) };
  }

  sendReset(err: Error): void {
    this.#inner.abort(err);
  }

  sendPause(): void {
    this.#inner.pause();
  }

  sendResume(): void {
    this.#inner.resume();
  }

  async close(options?: Parameters<MessageStream['close']>[0]): Promise<void> {
    await this.#inner.close(options);
  }
}
