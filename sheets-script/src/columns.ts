// Writes the owned columns of the deals sheet: core's header blocks, then its cell blocks per row chunk,
// stopping before the time limit.
import { a1Range, type Grid, type WorkbookPlan, type WriteBlock } from "../../core/index.js";
import type { Range, Sheet } from "./gas.js";
import { blockValues, chunkRows, formatRuns, needsFormats, planWrites, widthOf } from "./layout.js";
import type { Pace } from "./pace.js";

export interface ColumnsOutcome {
  done: boolean;
  /** First data row (0-based) not yet written when `done` is false. */
  nextRow: number;
}

/** Grows the sheet when owned columns or rules reach past its edge: Apps Script refuses ranges outside it. */
export function ensureSize(sheet: Sheet, rows: number, cols: number): void {
  const maxRows = sheet.getMaxRows();
  if (rows > maxRows) sheet.insertRowsAfter(maxRows, rows - maxRows);
  const maxCols = sheet.getMaxColumns();
  if (cols > maxCols) sheet.insertColumnsAfter(maxCols, cols - maxCols);
}

export function writeColumns(sheet: Sheet, plan: WorkbookPlan, grid: Grid, fromRow: number, pace: Pace, quote: (s: string) => string): ColumnsOutcome {
  const writes = planWrites(plan);
  if (fromRow === 0) {
    for (const h of writes.headers) sheet.getRange(h.row + 1, h.col + 1, 1, widthOf(h)).setValues(h.values.map((r) => r.map((v) => quote(String(v ?? "")))));
  }
  const first = plan.headerRow + 1;
  const step = chunkRows(writes.cells);
  for (let start = fromRow; start < plan.rowCount; start += step) {
    const end = Math.min(plan.rowCount, start + step);
    const cells = writes.cells.reduce((n, b) => n + Math.max(0, Math.min(end, b.row - first + b.values.length) - Math.max(start, b.row - first)) * widthOf(b), 0);
    if (!pace.fits(cells)) return { done: false, nextRow: start };
    pace.chunk(cells, () => writeChunk(sheet, grid, writes.cells, first + start, first + end, quote));
  }
  return { done: true, nextRow: plan.rowCount };
}

/** Writes the sheet rows [top, bottom) of every block. */
function writeChunk(sheet: Sheet, grid: Grid, blocks: readonly WriteBlock[], top: number, bottom: number, quote: (s: string) => string): void {
  const parts: { block: WriteBlock; from: number; to: number; range: Range; formats: string[][] | null; formulas: string[][] | null }[] = [];
  for (const block of blocks) {
    const from = Math.max(top, block.row) - block.row;
    const to = Math.min(bottom, block.row + block.values.length) - block.row;
    if (from >= to) continue;
    const range = sheet.getRange(block.row + from + 1, block.col + 1, to - from, widthOf(block));
    const read = needsFormats(block);
    parts.push({ block, from, to, range, formats: read ? range.getNumberFormats() : null, formulas: block.keep ? range.getFormulas() : null });
  }
  // Formats before values: a plain-text or date format decides how Sheets reads what is written.
  // One range list per format across every block of the chunk.
  const byFormat = new Map<string, string[]>();
  for (const { block, from, to } of parts) {
    for (const [row, col, rows, cols, f] of formatRuns(block, from, to)) {
      const list = byFormat.get(f);
      const a1 = a1Range(row, col, rows, cols);
      if (list) list.push(a1);
      else byFormat.set(f, [a1]);
    }
  }
  for (const [f, ranges] of byFormat) {
    if (ranges.length === 1) sheet.getRange(ranges[0] as string).setNumberFormat(f);
    else sheet.getRangeList(ranges).setNumberFormat(f);
  }
  for (const { block, from, to, range, formats, formulas } of parts) range.setValues(blockValues(block, from, to, grid, formats, formulas, quote));
}
