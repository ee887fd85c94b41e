/**
 * A 5×7 bitmap font for burning short labels into pixels, holding only the characters our labels
 * use (a glyph is 7 rows of 5 columns, '#' lit). Kept tiny on purpose: no font file, no canvas.
 */
const GLYPHS: Record<string, readonly string[]> = {
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
  '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  a: ['.....', '.....', '.###.', '....#', '.####', '#...#', '.####'],
  c: ['.....', '.....', '.###.', '#....', '#....', '#...#', '.###.'],
  d: ['....#', '....#', '.##.#', '#..##', '#...#', '#...#', '.####'],
  e: ['.....', '.....', '.###.', '#...#', '#####', '#....', '.###.'],
  f: ['..##.', '.#..#', '.#...', '###..', '.#...', '.#...', '.#...'],
  g: ['.....', '.....', '.####', '#...#', '.####', '....#', '.###.'],
  h: ['#....', '#....', '#.##.', '##..#', '#...#', '#...#', '#...#'],
  i: ['..#..', '.....', '.##..', '..#..', '..#..', '..#..', '.###.'],
  l: ['.##..', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  n: ['.....', '.....', '#.##.', '##..#', '#...#', '#...#', '#...#'],
  o: ['.....', '.....', '.###.', '#...#', '#...#', '#...#', '.###.'],
  r: ['.....', '.....', '#.##.', '##..#', '#....', '#....', '#....'],
  s: ['.....', '.....', '.####', '#....', '.###.', '....#', '####.'],
  t: ['.#...', '.#...', '###..', '.#...', '.#...', '.#..#', '..##.'],
  u: ['.....', '.....', '#...#', '#...#', '#...#', '#..##', '.##.#'],
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character: the glyph and one blank column. */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

/** Width in pixels of `text` at `scale`. Throws on a character the font lacks. */
export function textWidth(text: string, scale: number): number {
  for (const ch of text) if (!GLYPHS[ch]) throw new Error(`bitmap font has no glyph for ${JSON.stringify(ch)}`);
  return (text.length * GLYPH_ADVANCE - 1) * scale;
}

/** Calls `lit(x, y)` for every lit pixel of `text` drawn with its top-left corner at (x0, y0). */
export function drawText(text: string, x0: number, y0: number, scale: number, lit: (x: number, y: number) => void): void {
  textWidth(text, scale);
  [...text].forEach((ch, i) => {
    const glyph = GLYPHS[ch]!;
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (glyph[gy]![gx] !== '#') continue;
        for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) lit(x0 + (i * GLYPH_ADVANCE + gx) * scale + sx, y0 + gy * scale + sy);
      }
    }
  });
}
