// Writes the owned columns of the deals sheet: header cells, then whole blocks per row chunk, stopping before the time limit.
import { a1Range, type Grid, type WorkbookPlan } from "../../core/index.js";
import type { Sheet } from "./gas.js";
import { blockValues, chunkRows, formatPlan, headerRuns, planBlocks } from "./layout.js";

export interface Budget {
  startedAt: number;
  /** Stop starting new chunks once elapsed time plus the next chunk's estimate would pass this. */
  limitMs: number;
  now: () => number;
}

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

export function writeColumns(sheet: Sheet, plan: WorkbookPlan, grid: Grid, fromRow: number, budget: Budget, quote: (s: string) => string): ColumnsOutcome {
  const top = plan.headerRow + 1; // 1-based sheet row of the header
  if (fromRow === 0) {
    for (const run of headerRuns(plan.columns)) sheet.getRange(top, run.first + 1, 1, run.values.length).setValues([run.values.map(quote)]);
  }
  const blocks = planBlocks(plan.columns, plan.rowCount);
  const step = chunkRows(blocks);
  let lastMs = 0;
  let lastRows = 1;
  for (let start = fromRow; start < plan.rowCount; start += step) {
    const end = Math.min(plan.rowCount, start + step);
    if (start > fromRow) {
      const estimate = (lastMs / lastRows) * (end - start);
      if (budget.now() - budget.startedAt + estimate * 1.25 > budget.limitMs) return { done: false, nextRow: start };
    }
    const t0 = budget.now();
    for (const block of blocks) {
      const from = Math.max(start, block.from);
      const to = Math.min(end, block.to);
      if (from >= to) continue;
      const range = sheet.getRange(top + 1 + from, block.first + 1, to - from, block.cols.length);
      const formats = range.getNumberFormats();
      const formulas = block.keepsUserCells ? range.getFormulas() : null;
      // Formats before values: a plain-text or date format decides how Sheets reads what is written.
      const fp = formatPlan(block, from, to);
      for (const [col, n, f] of fp.columns) sheet.getRange(top + 1 + from, col + 1, to - from, n).setNumberFormat(f);
      const byFormat = new Map<string, string[]>();
      for (const [col, row, n, f] of fp.runs) {
        const list = byFormat.get(f) ?? [];
        list.push(a1Range(plan.headerRow + 1 + row, col, n, 1));
        byFormat.set(f, list);
      }
      for (const [f, ranges] of byFormat) sheet.getRangeList(ranges).setNumberFormat(f);
      range.setValues(blockValues(block, from, to, grid, plan.headerRow, formats, formulas, quote));
    }
    lastMs = budget.now() - t0;
    lastRows = end - start;
  }
  return { done: true, nextRow: plan.rowCount };
}
