import { create } from 'qrcode';
import { CliError } from './errors.ts';

/*
 * QR codes drawn with Unicode half blocks, two module rows per line of text, for `pars group
 * invite`. The `qrcode` package builds the module matrix (error correction level M, and the
 * alphanumeric mode for upper-case invite codes); the drawing is ours so its format is fixed and
 * tested.
 */

/** The text cannot be a QR code: it is empty, or too long for the largest one (version 40 at level M). */
export class QrEncodeError extends CliError {
  constructor(length: number, cause: unknown) {
    super('ERR_QR_ENCODE', `text of ${length} characters cannot be encoded as a QR code: ${(cause as Error).message}`, { cause });
  }
}

export interface QrOptions {
  /**
   * Colour of the terminal's background. Scanners want dark modules on a light field, so on a
   * 'dark' terminal the light modules (and the quiet zone) are drawn as blocks and the dark ones
   * left as background; on a 'light' terminal the dark modules are drawn. Default 'dark'.
   */
  readonly background?: 'dark' | 'light';
  /** Light margin around the symbol in modules; the standard asks for 4. Default 4. */
  readonly quietZone?: number;
}

// Indexed by (top drawn ? 2 : 0) + (bottom drawn ? 1 : 0).
const CELLS = [' ', '\u2584', '\u2580', '\u2588'] as const;

/**
 * `text` as a QR code (level M) in lines of Unicode half blocks, joined by "\n" with no newline
 * at the end. Each line is `size + 2 * quietZone` characters wide and there are
 * `ceil((size + 2 * quietZone) / 2)` lines, `size` being the symbol's module count. The half line
 * below the last module row (the row count is always odd) is left as terminal background.
 * Throws QrEncodeError when the text is empty or does not fit in a QR code.
 */
export function renderQr(text: string, options: QrOptions = {}): string {
  const quietZone = options.quietZone ?? 4;
  if (!Number.isInteger(quietZone) || quietZone < 0 || quietZone > 16) throw new RangeError('quietZone must be an integer in 0..16');
  const drawLight = (options.background ?? 'dark') === 'dark';
  let modules;
  try {
    modules = create(text, { errorCorrectionLevel: 'M' }).modules;
  } catch (error) {
    throw new QrEncodeError(text.length, error);
  }
  const size = modules.size;
  const full = size + 2 * quietZone;
  // True where something is drawn; outside the full height nothing is.
  const drawn = (row: number, col: number): boolean => {
    if (row >= full) return false;
    const r = row - quietZone;
    const c = col - quietZone;
    const dark = r >= 0 && r < size && c >= 0 && c < size && modules.get(r, c) !== 0;
    return dark !== drawLight;
  };
  const lines: string[] = [];
  for (let row = 0; row < full; row += 2) {
    let line = '';
    for (let col = 0; col < full; col++) line += CELLS[(drawn(row, col) ? 2 : 0) + (drawn(row + 1, col) ? 1 : 0)];
    lines.push(line);
  }
  return lines.join('\n');
}
