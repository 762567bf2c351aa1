import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from 'qrcode';
import { QrEncodeError, renderQr } from '../../src/cli/qr.ts';
import { encodeInvite } from '../../src/group/invite-code.ts';
import { provider } from '../support/fixtures.ts';

const CODE = encodeInvite(provider, {
  groupId: new Uint8Array(16).fill(1),
  inviter: new Uint8Array(32).fill(2),
  secret: new Uint8Array(32).fill(3),
  expiresAt: 1_800_000_000,
  addresses: ['/ip4/192.168.1.7/tcp/4001', '/ip4/192.168.1.7/tcp/4002/ws'],
});

/** Top half, bottom half: true where the cell draws (foreground). */
const HALVES: Record<string, [boolean, boolean]> = {
  ' ': [false, false],
  '\u2584': [false, true],
  '\u2580': [true, false],
  '\u2588': [true, true],
};

/** The rendered text back as a grid of drawn / not drawn, one entry per module (two rows per line). */
function unrender(rendered: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of rendered.split('\n')) {
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    for (const ch of line) {
      const halves = HALVES[ch];
      assert.ok(halves !== undefined, `unexpected character U+${ch.codePointAt(0)?.toString(16)}`);
      top.push(halves[0]);
      bottom.push(halves[1]);
    }
    rows.push(top, bottom);
  }
  return rows;
}

/** Dark modules of the grid, reading "drawn" as light (dark terminal) or as dark (light terminal). */
function darkAt(grid: boolean[][], drawnIsDark: boolean): (row: number, col: number) => boolean {
  return (row, col) => (grid[row]?.[col] as boolean) === drawnIsDark;
}

/** A 7x7 finder pattern whose top-left module is at (row, col): dark ring, light ring, dark 3x3 core. */
function hasFinder(dark: (row: number, col: number) => boolean, row: number, col: number): boolean {
  for (let r = 0; r < 7; r++) {
    for (let c = 0; c < 7; c++) {
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      if (dark(row + r, col + c) !== (ring !== 2)) return false;
    }
  }
  return true;
}

for (const background of ['dark', 'light'] as const) {
  test(`${background} terminal: size, quiet zone, finder patterns and every module match the symbol`, () => {
    const modules = create(CODE, { errorCorrectionLevel: 'M' }).modules;
    const size = modules.size;
    const rendered = renderQr(CODE, { background });
    const lines = rendered.split('\n');
    const full = size + 8;
    assert.equal(lines.length, Math.ceil(full / 2));
    for (const line of lines) assert.equal([...line].length, full);
    assert.ok(!rendered.endsWith('\n'));

    const grid = unrender(rendered);
    const dark = darkAt(grid, background === 'light');
    // The quiet zone is light on every side (the half row below the last line is terminal background).
    for (let i = 0; i < full; i++) {
      for (let q = 0; q < 4; q++) {
        assert.equal(dark(q, i), false, `top quiet zone ${q},${i}`);
        assert.equal(dark(full - 1 - q, i), false, `bottom quiet zone ${q},${i}`);
        assert.equal(dark(i, q), false, `left quiet zone ${i},${q}`);
        assert.equal(dark(i, full - 1 - q), false, `right quiet zone ${i},${q}`);
      }
    }
    assert.equal(grid[full]?.some((drawn) => drawn), false, 'the half row below the symbol draws nothing');
    assert.ok(hasFinder(dark, 4, 4), 'top-left finder');
    assert.ok(hasFinder(dark, 4, 4 + size - 7), 'top-right finder');
    assert.ok(hasFinder(dark, 4 + size - 7, 4), 'bottom-left finder');
    assert.ok(!hasFinder(dark, 4 + size - 7, 4 + size - 7), 'no finder bottom-right (orientation)');
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) assert.equal(dark(r + 4, c + 4), modules.get(r, c) === 1, `module ${r},${c}`);
    }
  });
}

test('the dark-terminal rendering draws light modules as blocks (a full-block quiet zone)', () => {
  const first = renderQr('PARS').split('\n')[0] ?? '';
  assert.match(first, /^\u2588+$/);
  const light = renderQr('PARS', { background: 'light' }).split('\n')[0] ?? '';
  assert.match(light, /^ +$/);
});

test('the quiet zone can be narrowed', () => {
  const size = create(CODE, { errorCorrectionLevel: 'M' }).modules.size;
  const lines = renderQr(CODE, { quietZone: 1 }).split('\n');
  assert.equal(lines.length, Math.ceil((size + 2) / 2));
  assert.equal([...(lines[0] ?? '')].length, size + 2);
  const grid = unrender(lines.join('\n'));
  assert.ok(hasFinder(darkAt(grid, false), 1, 1));
  assert.throws(() => renderQr(CODE, { quietZone: -1 }), RangeError);
  assert.throws(() => renderQr(CODE, { quietZone: 1.5 }), RangeError);
});

test('an upper-case invite uses alphanumeric mode at level M', () => {
  const symbol = create(CODE, { errorCorrectionLevel: 'M' });
  assert.deepEqual(symbol.segments.map((s) => s.mode.id), ['Alphanumeric']);
  // Alphanumeric packs 5.5 bits a character: the lower-case code needs a larger (or equal) symbol.
  assert.ok(create(CODE.toLowerCase(), { errorCorrectionLevel: 'M' }).modules.size > symbol.modules.size);
});

test('a longer text gives a symbol at least as large', () => {
  let previous = 0;
  for (const length of [1, 10, 50, 100, 200, 400, 800, 1600, 2048]) {
    const size = renderQr('A'.repeat(length)).split('\n')[0]?.length ?? 0;
    assert.ok(size >= previous, `${length} characters`);
    previous = size;
  }
  assert.ok(previous > (renderQr('A').split('\n')[0] ?? '').length);
});

test('text that cannot be a QR code throws QrEncodeError', () => {
  assert.throws(() => renderQr('A'.repeat(5000)), (e: unknown) => e instanceof QrEncodeError && e.code === 'ERR_QR_ENCODE');
  assert.throws(() => renderQr(''), QrEncodeError);
});
