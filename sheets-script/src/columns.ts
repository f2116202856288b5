// Writes the owned columns of the deals sheet: header cells, then whole blocks per row chunk, stopping before the time limit.
import { a1Range, type Grid, type WorkbookPlan } from "../../core/index.js";
import type { Range, Sheet } from "./gas.js";
import { blockValues, chunkRows, formatPlan, headerRuns, planBlocks, type Block } from "./layout.js";
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
  const top = plan.headerRow + 1; // 1-based sheet row of the header
  if (fromRow === 0) {
    for (const run of headerRuns(plan.columns)) sheet.getRange(top, run.first + 1, 1, run.values.length).setValues([run.values.map(quote)]);
  }
  const blocks = planBlocks(plan.columns, plan.rowCount);
  const step = chunkRows(blocks);
  for (let start = fromRow; start < plan.rowCount; start += step) {
    const end = Math.min(plan.rowCount, start + step);
    const cells = blocks.reduce((n, b) => n + Math.max(0, Math.min(end, b.to) - Math.max(start, b.from)) * b.cols.length, 0);
    if (!pace.fits(cells)) return { done: false, nextRow: start };
    pace.chunk(cells, () => writeChunk(sheet, plan, grid, blocks, start, end, quote));
  }
  return { done: true, nextRow: plan.rowCount };
}

function writeChunk(sheet: Sheet, plan: WorkbookPlan, grid: Grid, blocks: ReturnType<typeof planBlocks>, start: number, end: number, quote: (s: string) => string): void {
  const top = plan.headerRow + 1;
  const parts: { block: Block; from: number; to: number; range: Range; formats: string[][]; formulas: string[][] | null }[] = [];
  for (const block of blocks) {
    const from = Math.max(start, block.from);
    const to = Math.min(end, block.to);
    if (from >= to) continue;
    const range = sheet.getRange(top + 1 + from, block.first + 1, to - from, block.cols.length);
    parts.push({ block, from, to, range, formats: range.getNumberFormats(), formulas: block.keepsUserCells ? range.getFormulas() : null });
  }
  // Formats before values: a plain-text or date format decides how Sheets reads what is written.
  // One range list per format across every block of the chunk.
  const byFormat = new Map<string, string[]>();
  const add = (f: string, range: string): void => {
    const list = byFormat.get(f);
    if (list) list.push(range);
    else byFormat.set(f, [range]);
  };
  for (const { block, from, to } of parts) {
    const fp = formatPlan(block, from, to);
    for (const [col, n, f] of fp.columns) add(f, a1Range(plan.headerRow + 1 + from, col, to - from, n));
    for (const [col, row, n, f] of fp.runs) add(f, a1Range(plan.headerRow + 1 + row, col, n, 1));
  }
  for (const [f, ranges] of byFormat) {
    if (ranges.length === 1) sheet.getRange(ranges[0] as string).setNumberFormat(f);
    else sheet.getRangeList(ranges).setNumberFormat(f);
  }
  for (const { block, from, to, range, formats, formulas } of parts) range.setValues(blockValues(block, from, to, grid, plan.headerRow, formats, formulas, quote));
}
