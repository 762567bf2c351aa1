import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import type { TextSink, TextSource } from './context.ts';
import { PromptAbortedError } from './errors.ts';

/**
 * Asks questions on a terminal without echoing the answers (for passphrases). The prompt text is
 * written to `output` (stderr, so stdout stays clean for scripts); everything readline would echo
 * while the user types is swallowed. Ctrl-C or Ctrl-D rejects the pending question with
 * PromptAbortedError. One instance serves several questions; `close()` it when done.
 */
export class HiddenPrompt {
  readonly #output: TextSink;
  readonly #rl: Interface;
  #muted = false;
  #closed = false;
  #pending: ((err: Error) => void) | undefined;

  constructor(input: TextSource, output: TextSink) {
    this.#output = output;
    const sink = new Writable({
      write: (chunk: Buffer | string, _encoding, callback): void => {
        if (!this.#muted) output.write(String(chunk));
        callback();
      },
    });
    this.#rl = createInterface({ input, output: sink, terminal: true, historySize: 0 });
    this.#rl.on('SIGINT', () => {
      this.#abort();
      this.#rl.close();
    });
    this.#rl.on('close', () => this.#abort());
  }

  /** Shows `query` and resolves with the line typed, which is not echoed. */
  ask(query: string): Promise<string> {
    if (this.#closed) return Promise.reject(new PromptAbortedError());
    return new Promise<string>((resolve, reject) => {
      this.#pending = reject;
      this.#muted = false;
      this.#rl.question(query, (answer) => {
        this.#pending = undefined;
        this.#muted = false;
        this.#output.write('\n');
        resolve(answer);
      });
      this.#muted = true; // the query is out; hide what follows
    });
  }

  close(): void {
    this.#rl.close();
  }

  #abort(): void {
    this.#closed = true;
    this.#muted = false;
    const reject = this.#pending;
    this.#pending = undefined;
    if (reject !== undefined) {
      this.#output.write('\n');
      reject(new PromptAbortedError());
    }
  }
}
