// The plan's owned columns turned into the exact cells to write, once, for every host: which ranges, which
// values, which number format over exactly those cells, and (by leaving them out) which cells are never touched.
import type { Cell, ColumnWrite, WorkbookPlan } from "./types.js";

/**
 * What a column's values are, so that no host has to recognise a date by its number format:
 * "date" cells hold Excel serial days (1900 system), "percent" fractions, "number" plain numbers,
 * "text" literal text (never parsed as a number or formula), "formula" strings written as formulas ("=…"),
 * "any" values of mixed kinds.
 */
export type ValueKind = NonNullable<ColumnWrite["kind"]>;

export interface WriteBlock {
  /** 0-based sheet row and column of the block's top-left cell. */
  row: number;
  col: number;
  /** rows × columns of values; every row has the block's full width. */
  values: Cell[][];
  /** Per column of the block: the number format to set over exactly these cells, or null to leave theirs. */
  formats: (string | null)[];
  kinds: ValueKind[];
  /**
   * Only on a block that spans cells the team owns (see maxRunsPerColumn): true where the cell is the team's
   * and must be written back exactly as the host read it (its formula, else its value and format).
   */
  keep?: boolean[][];
}

export interface DealsWrites {
  /** Header cells of the columns pipesheet creates: one single-row block per stretch of adjacent columns. */
  headers: WriteBlock[];
  /** Data cells. A cell outside every block is never written. */
  cells: WriteBlock[];
}

export interface WriteOptions {
  /**
   * A "fill" column writes each stretch of new values as its own block, so no cell of the team's is written.
   * A host whose calls are dear (Apps Script) may set a limit: past it, the column becomes one block from its
   * first to its last new value, with `keep` marking the team's cells in between.
   */
  maxRunsPerColumn?: number;
}

const KIND_BY_FORMAT: Record<string, ValueKind> = { "yyyy-mm-dd": "date", "0%": "percent", "0": "number", "@": "text" };
const has = (v: Cell | undefined): boolean => v !== null && v !== undefined;

export function kindOf(c: ColumnWrite): ValueKind {
  if (c.formulas === true) return "formula";
  return c.kind ?? (c.numberFormat === undefined ? "any" : (KIND_BY_FORMAT[c.numberFormat] ?? "any"));
}


/** Stretches [from, to) of consecutive values that are not null. */
function runsOf(values: readonly Cell[], rowCount: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= rowCount; i++) {
    const here = i < rowCount && has(values[i]);
    if (here && start < 0) start = i;
    if (!here && start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  return runs;
}

function headerBlocks(cols: readonly ColumnWrite[], headerRow: number): WriteBlock[] {
  const out: WriteBlock[] = [];
  for (const c of cols) {
    if (!c.created) continue;
    const last = out[out.length - 1];
    const lastRow = last?.values[0];
    if (last && lastRow && last.col + lastRow.length === c.col) {
      lastRow.push(c.header);
      last.formats.push(null);
      last.kinds.push("text");
    } else out.push({ row: headerRow, col: c.col, values: [[c.header]], formats: [null], kinds: ["text"] });
  }
  return out;
}

/** Adjacent columns that own every cell are written side by side as one block over all the data rows. */
function wholeBlock(group: readonly ColumnWrite[], first: number, rowCount: number): WriteBlock {
  const values: Cell[][] = new Array<Cell[]>(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const row = new Array<Cell>(group.length);
    for (let k = 0; k < group.length; k++) {
      const v = (group[k] as ColumnWrite).values[i];
      row[k] = has(v) ? (v as Cell) : "";
    }
    values[i] = row;
  }
  return {
    row: first,
    col: (group[0] as ColumnWrite).col,
    values,
    formats: group.map((c) => c.numberFormat ?? null),
    kinds: group.map(kindOf),
  };
}

function fillBlocks(c: ColumnWrite, first: number, rowCount: number, maxRuns: number): WriteBlock[] {
  const runs = runsOf(c.values, rowCount);
  const format = [c.numberFormat ?? null];
  const kinds = [kindOf(c)];
  if (runs.length <= maxRuns) {
    return runs.map(([from, to]) => ({ row: first + from, col: c.col, values: c.values.slice(from, to).map((v) => [v]), formats: format, kinds }));
  }
  const from = (runs[0] as [number, number])[0];
  const to = (runs[runs.length - 1] as [number, number])[1];
  const values: Cell[][] = [];
  const keep: boolean[][] = [];
  for (let i = from; i < to; i++) {
    const v = c.values[i];
    values.push([has(v) ? (v as Cell) : null]);
    keep.push([!has(v)]);
  }
  return [{ row: first + from, col: c.col, values, formats: format, kinds, keep }];
}

/**
 * The one interpretation of the column modes: an "all" column is written over every data row; a "fill"
 * column only where core gave a value (new or not, a cell core has no value for is left as it is); a
 * "header" column only in its header cell. Number formats go over exactly the cells written.
 */
export function dealsWrites(plan: Pick<WorkbookPlan, "headerRow" | "rowCount" | "columns">, opts: WriteOptions = {}): DealsWrites {
  const cols = [...plan.columns].sort((a, b) => a.col - b.col);
  const first = plan.headerRow + 1;
  const maxRuns = opts.maxRunsPerColumn ?? Number.POSITIVE_INFINITY;
  const cells: WriteBlock[] = [];
  let group: ColumnWrite[] = [];
  const flush = (): void => {
    if (group.length > 0 && plan.rowCount > 0) cells.push(wholeBlock(group, first, plan.rowCount));
    group = [];
  };
  for (const c of cols) {
    if (c.mode === "header") {
      flush();
      continue;
    }
    if (c.mode === "all") {
      const prev = group[group.length - 1];
      if (prev && prev.col + 1 !== c.col) flush();
      group.push(c);
      continue;
    }
    flush();
    cells.push(...fillBlocks(c, first, plan.rowCount, maxRuns));
  }
  flush();
  return { headers: headerBlocks(cols, plan.headerRow), cells };
}
