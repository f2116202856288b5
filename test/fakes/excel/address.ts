// A1 addresses for the Excel model, written independently of the adapter's so one cannot hide the other's mistakes.

export const MAX_ROWS = 1_048_576;
export const MAX_COLS = 16_384;

/** Inclusive, 0-based rectangle. */
export interface Rect {
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

export const rectRows = (r: Rect): number => r.r1 - r.r0 + 1;
export const rectCols = (r: Rect): number => r.c1 - r.c0 + 1;

export function colLetters(c: number): string {
  let n = c + 1;
  let s = "";
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function colNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

const CELL = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/;
const COLS = /^\$?([A-Za-z]{1,3})$/;
const ROWS = /^\$?(\d{1,7})$/;

function part(p: string): { r: number | null; c: number | null } | null {
  let m = CELL.exec(p);
  if (m) return { r: Number(m[2]) - 1, c: colNumber(m[1] as string) };
  m = COLS.exec(p);
  if (m) return { r: null, c: colNumber(m[1] as string) };
  m = ROWS.exec(p);
  if (m) return { r: Number(m[1]) - 1, c: null };
  return null;
}

/** "Deals!A1:C3", "'My deals'!B2", "A:A", "1:2000" → sheet (or null) and rectangle; null when malformed. */
export function parseAddress(address: string): { sheet: string | null; rect: Rect } | null {
  let sheet: string | null = null;
  let ref = address.trim();
  const bang = ref.lastIndexOf("!");
  if (bang >= 0) {
    sheet = ref.slice(0, bang);
    if (sheet.startsWith("'") && sheet.endsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    ref = ref.slice(bang + 1);
  }
  const [a, b = a] = ref.split(":");
  const p = part(a ?? "");
  const q = part(b ?? "");
  if (!p || !q) return null;
  if ((p.r === null) !== (q.r === null) || (p.c === null) !== (q.c === null)) return null;
  const rect: Rect = {
    r0: Math.min(p.r ?? 0, q.r ?? 0),
    r1: p.r === null ? MAX_ROWS - 1 : Math.max(p.r, q.r ?? 0),
    c0: Math.min(p.c ?? 0, q.c ?? 0),
    c1: p.c === null ? MAX_COLS - 1 : Math.max(p.c, q.c ?? 0),
  };
  if (rect.r1 >= MAX_ROWS || rect.c1 >= MAX_COLS) return null;
  return { sheet, rect };
}

export function rectAddress(rect: Rect): string {
  const tl = `${colLetters(rect.c0)}${rect.r0 + 1}`;
  if (rect.r0 === rect.r1 && rect.c0 === rect.c1) return tl;
  return `${tl}:${colLetters(rect.c1)}${rect.r1 + 1}`;
}

export const quoteSheet = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`);

export const intersect = (a: Rect, b: Rect): Rect | null => {
  const r: Rect = { r0: Math.max(a.r0, b.r0), c0: Math.max(a.c0, b.c0), r1: Math.min(a.r1, b.r1), c1: Math.min(a.c1, b.c1) };
  return r.r0 <= r.r1 && r.c0 <= r.c1 ? r : null;
};

export const contains = (outer: Rect, inner: Rect): boolean =>
  outer.r0 <= inner.r0 && outer.c0 <= inner.c0 && outer.r1 >= inner.r1 && outer.c1 >= inner.c1;

/** a minus b as up to four rectangles. */
export function subtract(a: Rect, b: Rect): Rect[] {
  const x = intersect(a, b);
  if (!x) return [a];
  const out: Rect[] = [];
  if (a.r0 < x.r0) out.push({ r0: a.r0, c0: a.c0, r1: x.r0 - 1, c1: a.c1 });
  if (x.r1 < a.r1) out.push({ r0: x.r1 + 1, c0: a.c0, r1: a.r1, c1: a.c1 });
  if (a.c0 < x.c0) out.push({ r0: x.r0, c0: a.c0, r1: x.r1, c1: x.c0 - 1 });
  if (x.c1 < a.c1) out.push({ r0: x.r0, c0: x.c1 + 1, r1: x.r1, c1: a.c1 });
  return out;
}
