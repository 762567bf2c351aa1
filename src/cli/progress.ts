import type { TextSink } from './context.ts';

const WIDTH = 28;
/** Redraw at most this often: a terminal is slow next to a bundle import. */
const REDRAW_MS = 100;

/**
 * A one-line progress bar on a terminal (`\r`-redrawn, on stderr so stdout stays clean for
 * `--json` and scripts). On anything that is not a terminal it prints nothing.
 */
export class ProgressBar {
  readonly #sink: TextSink;
  readonly #enabled: boolean;
  #last = 0;
  #drawn = false;

  constructor(sink: TextSink) {
    this.#sink = sink;
    this.#enabled = (sink as { isTTY?: boolean }).isTTY === true;
  }

  /** `total` 0 means unknown: a counter without a bar. */
  update(label: string, done: number, total: number, unit: string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < REDRAW_MS && done !== total) return;
    this.#last = now;
    this.#drawn = true;
    const count = total > 0 ? `${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit}` : `${done.toLocaleString('en')} ${unit}`;
    if (total <= 0) {
      this.#sink.write(`\r${label} ${count}\u001b[K`);
      return;
    }
    const filled = Math.min(WIDTH, Math.floor((done / total) * WIDTH));
    const percent = Math.floor((done / total) * 100);
    this.#sink.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}% ${count}\u001b[K`);
  }

  /** Ends the line, if one was drawn. */
  done(): void {
    if (this.#drawn) this.#sink.write('\n');
    this.#drawn = false;
  }
}
