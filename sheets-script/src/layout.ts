// Turns the plan's owned columns into as few whole-block writes as possible, cut into row chunks.
import type { Cell, ColumnWrite, Grid } from "../../core/index.js";
import { toSheet, type SheetValue } from "./cells.js";

/** setValues payloads stay under this many cells; a chunk is also the unit of work between time checks. */
export const CHUNK_CELLS = 1_000_000;
export const MAX_CHUNK_ROWS = 50_000;

/** Contiguous owned columns written together; `from`/`to` bound the data rows that need writing. */
export interface Block {
  first: number;
  cols: ColumnWrite[];
  from: number;
  to: number;
  /** True when some column keeps the team's cells (mode "fill" on an existing column). */
  keepsUserCells: boolean;
}

/** Header cells of created columns, one run per stretch of adjacent columns. */
export interface HeaderRun {
  first: number;
  values: string[];
}

export function headerRuns(columns: readonly ColumnWrite[]): HeaderRun[] {
  const created = columns.filter((c) => c.created).sort((a, b) => a.col - b.col);
  const runs: HeaderRun[] = [];
  for (const c of created) {
    const last = runs[runs.length - 1];
    if (last && last.first + last.values.length === c.col) last.values.push(c.header);
    else runs.push({ first: c.col, values: [c.header] });
  }
  return runs;
}

const ownsAllCells = (c: ColumnWrite): boolean => c.mode === "all" || c.created;

function window(c: ColumnWrite, rowCount: number): [number, number] | null {
  if (c.mode === "header") return null;
  if (c.mode === "all") return rowCount > 0 ? [0, rowCount] : null;
  let from = -1;
  let to = -1;
  for (let i = 0; i < rowCount; i++) {
    if (c.values[i] !== null && c.values[i] !== undefined) {
      if (from < 0) from = i;
      to = i + 1;
    }
  }
  return from < 0 ? null : [from, to];
}

/** Up to this many separate stretches of new values in a "fill" column are written one by one. */
export const MAX_FILL_RUNS = 8;

/** Stretches [from, to) of consecutive new values in a "fill" column. */
function fillRuns(c: ColumnWrite, rowCount: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= rowCount; i++) {
    const has = i < rowCount && c.values[i] !== null && c.values[i] !== undefined;
    if (has && start < 0) start = i;
    if (!has && start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  return runs;
}

/**
 * Blocks of adjacent written columns. A "fill" column joins its neighbours only where all of them need
 * every row anyway. On its own, a few stretches of new values (a missing Deal ID, a stamped stage) are
 * written each as its own block, so no cell of the team's is written at all; only past MAX_FILL_RUNS
 * stretches does one block span the first to the last value, writing the team's cells back as read, to
 * keep the number of calls bounded.
 */
export function planBlocks(columns: readonly ColumnWrite[], rowCount: number): Block[] {
  const written = columns
    .map((c) => ({ c, w: window(c, rowCount) }))
    .filter((x): x is { c: ColumnWrite; w: [number, number] } => x.w !== null)
    .sort((a, b) => a.c.col - b.c.col);
  const blocks: Block[] = [];
  for (const { c, w } of written) {
    if (!ownsAllCells(c)) {
      const runs = fillRuns(c, rowCount);
      if (runs.length <= MAX_FILL_RUNS) {
        for (const [from, to] of runs) blocks.push({ first: c.col, cols: [c], from, to, keepsUserCells: false });
        continue;
      }
    }
    const last = blocks[blocks.length - 1];
    const full = w[0] === 0 && w[1] === rowCount;
    if (last && last.first + last.cols.length === c.col && full && last.from === 0 && last.to === rowCount) {
      last.cols.push(c);
      last.keepsUserCells ||= !ownsAllCells(c);
    } else {
      blocks.push({ first: c.col, cols: [c], from: w[0], to: w[1], keepsUserCells: !ownsAllCells(c) });
    }
  }
  return blocks;
}

export function chunkRows(blocks: readonly Block[]): number {
  const width = blocks.reduce((w, b) => Math.max(w, b.cols.length), 1);
  return Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.floor(CHUNK_CELLS / width)));
}

/** Number formats to set: whole column stretches, and the written cells of columns that keep the team's cells. */
export interface FormatPlan {
  /** [first column, column count, format] for columns pipesheet owns every cell of. */
  columns: [number, number, string][];
  /** [column, first data row, row count, format] runs of written cells in columns that keep the team's cells. */
  runs: [number, number, number, string][];
}

export function formatPlan(block: Block, from: number, to: number): FormatPlan {
  const columns: [number, number, string][] = [];
  const runs: [number, number, number, string][] = [];
  for (const c of block.cols) {
    const f = c.numberFormat;
    if (f === undefined) continue;
    if (ownsAllCells(c)) {
      const last = columns[columns.length - 1];
      if (last && last[0] + last[1] === c.col && last[2] === f) last[1]++;
      else columns.push([c.col, 1, f]);
      continue;
    }
    let start = -1;
    for (let i = from; i <= to; i++) {
      const has = i < to && c.values[i] !== null && c.values[i] !== undefined;
      if (has && start < 0) start = i;
      if (!has && start >= 0) {
        runs.push([c.col, start, i - start, f]);
        start = -1;
      }
    }
  }
  return { columns, runs };
}

/**
 * The values for one chunk of a block. Cells a "fill" column leaves to the team get back exactly what
 * they hold: their formula when they have one, else the value read at the start of the run.
 */
export function blockValues(
  block: Block,
  from: number,
  to: number,
  grid: Grid,
  headerRow: number,
  formats: readonly (readonly string[])[] | null,
  formulas: readonly (readonly string[])[] | null,
  quote: (s: string) => string,
): SheetValue[][] {
  const out: SheetValue[][] = new Array<SheetValue[]>(to - from);
  const n = block.cols.length;
  for (let i = from; i < to; i++) {
    const row: SheetValue[] = new Array<SheetValue>(n);
    const src = grid[headerRow + 1 + i];
    const fmtRow = formats?.[i - from];
    const fxRow = formulas?.[i - from];
    for (let k = 0; k < n; k++) {
      const c = block.cols[k] as ColumnWrite;
      const fmt = c.numberFormat ?? fmtRow?.[k];
      let v: Cell = c.values[i];
      if (c.mode === "fill" && (v === null || v === undefined)) {
        const fx = fxRow?.[k];
        if (fx) {
          row[k] = fx;
          continue;
        }
        // The team's own cell: its format stays, so text is literal exactly where the cell is plain text.
        v = c.created ? "" : src?.[c.col];
        row[k] = toSheet(v, fmtRow?.[k] === "@", quote);
        continue;
      }
      // A formula column (the stuck limit's lookup) is written as formulas; setValues reads "=…" as one.
      row[k] = c.formulas === true && typeof v === "string" ? v : toSheet(v, fmt === "@", quote);
    }
    out[i - from] = row;
  }
  return out;
}
