// The deals sheet's writes for Apps Script: core's write blocks (core/plan.ts, the one interpretation of the
// column modes every host applies), cut into row chunks, with their number formats and setValues values.
import { dealsWrites, type Grid, type WorkbookPlan, type WriteBlock } from "../../core/index.js";
import { toSheet, type SheetValue } from "./cells.js";

/** setValues payloads stay under this many cells; a chunk is also the unit of work between time checks. */
export const CHUNK_CELLS = 1_000_000;
export const MAX_CHUNK_ROWS = 50_000;

/**
 * Up to this many separate stretches of new values in a "fill" column are written one by one; past it (calls
 * are dear in Apps Script) core makes one block from the first to the last value, marking the team's cells in
 * between, which are written back exactly as read.
 */
export const MAX_FILL_RUNS = 8;

export const planWrites = (plan: Pick<WorkbookPlan, "headerRow" | "rowCount" | "columns">): { headers: WriteBlock[]; cells: WriteBlock[] } =>
  dealsWrites(plan, { maxRunsPerColumn: MAX_FILL_RUNS });

export const widthOf = (b: WriteBlock): number => b.formats.length;

/** Rows per chunk: the widest block's setValues stays under CHUNK_CELLS. */
export function chunkRows(blocks: readonly WriteBlock[]): number {
  const width = blocks.reduce((w, b) => Math.max(w, widthOf(b)), 1);
  return Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.floor(CHUNK_CELLS / width)));
}

/** A number format over a rectangle: 0-based sheet row and column, rows × cols. */
export type FormatRun = [row: number, col: number, rows: number, cols: number, format: string];

/**
 * The formats of rows [from, to) of a block (offsets into the block): side by side where adjacent columns share
 * one, and never over a cell the block keeps for the team.
 */
export function formatRuns(b: WriteBlock, from: number, to: number): FormatRun[] {
  const out: FormatRun[] = [];
  for (let k = 0; k < widthOf(b); k++) {
    const f = b.formats[k];
    if (f === null || f === undefined) continue;
    if (!b.keep) {
      const last = out[out.length - 1];
      if (last && last[1] + last[3] === b.col + k && last[4] === f) last[3]++;
      else out.push([b.row + from, b.col + k, to - from, 1, f]);
      continue;
    }
    let start = -1;
    for (let i = from; i <= to; i++) {
      const written = i < to && b.keep[i]?.[k] !== true;
      if (written && start < 0) start = i;
      if (!written && start >= 0) {
        out.push([b.row + start, b.col + k, i - start, 1, f]);
        start = -1;
      }
    }
  }
  return out;
}

/** Whether writing rows of this block needs the cells' current number formats (and formulas) read first. */
export const needsFormats = (b: WriteBlock): boolean => b.keep !== undefined || b.formats.some((f) => f === null);

/**
 * The setValues values for rows [from, to) of a block. Cells the block keeps for the team get back exactly
 * what they hold: their formula when they have one, else the value read at the start of the run. Text is
 * written literally (an apostrophe where Sheets would parse it), except in plain-text ("@") cells.
 */
export function blockValues(
  b: WriteBlock,
  from: number,
  to: number,
  grid: Grid,
  formats: readonly (readonly string[])[] | null,
  formulas: readonly (readonly string[])[] | null,
  quote: (s: string) => string,
): SheetValue[][] {
  const n = widthOf(b);
  const out: SheetValue[][] = new Array<SheetValue[]>(to - from);
  for (let i = from; i < to; i++) {
    const row: SheetValue[] = new Array<SheetValue>(n);
    const values = b.values[i];
    const keep = b.keep?.[i];
    const fmtRow = formats?.[i - from];
    for (let k = 0; k < n; k++) {
      if (keep?.[k] === true) {
        const fx = formulas?.[i - from]?.[k];
        row[k] = fx ? fx : toSheet(grid[b.row + i]?.[b.col + k], fmtRow?.[k] === "@", quote);
        continue;
      }
      const v = values?.[k];
      // A formula column (the stuck limit's lookup) is written as formulas; setValues reads "=…" as one.
      if (b.kinds[k] === "formula" && typeof v === "string") row[k] = v;
      else row[k] = toSheet(v, (b.formats[k] ?? fmtRow?.[k]) === "@", quote);
    }
    out[i - from] = row;
  }
  return out;
}
