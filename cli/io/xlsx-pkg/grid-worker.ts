// The body of a worker thread that reads one sheet of a workbook as a grid (started by aside.ts). It is given only
// the parts a Book needs for that sheet, as they are in the file, and answers with the grid (its texts sent once
// each, see packGrid) or with the error.
import { parentPort, workerData } from "node:worker_threads";
import type { Cell, Grid } from "../../../core/index.js";
import { Book } from "./book.js";
import { Package, type Part } from "./zip.js";

export interface GridJob {
  parts: Part[];
  /** The sheet's part ("xl/worksheets/sheet4.xml"). */
  part: string;
}

/**
 * A grid as the worker sends it: each text once in `texts`, and in the grid a text cell is null with its place in
 * `texts` plus one in `codes` (row r's cells from `starts[r]`, so a row holding one far cell costs only itself).
 * Structured clone copies a text for every cell that holds it, where the main thread's own read points them all
 * at one shared string: the log tab's stages, owners and dates would come back as a copy per cell (about 160
 * bytes more per log row).
 */
export interface PackedGrid {
  grid: Grid;
  texts: string[];
  codes: Int32Array<ArrayBuffer>;
  starts: Int32Array<ArrayBuffer>;
}

export function packGrid(grid: Grid): PackedGrid {
  const starts = new Int32Array(grid.length + 1);
  for (let r = 0; r < grid.length; r++) starts[r + 1] = (starts[r] as number) + (grid[r] as Cell[]).length;
  const codes = new Int32Array(starts[grid.length] as number);
  const texts: string[] = [];
  const seen = new Map<string, number>();
  for (let r = 0; r < grid.length; r++) {
    const row = grid[r] as Cell[];
    const at = starts[r] as number;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (typeof v !== "string") continue;
      let code = seen.get(v);
      if (code === undefined) {
        code = texts.length + 1;
        texts.push(v);
        seen.set(v, code);
      }
      codes[at + c] = code;
      row[c] = null;
    }
  }
  return { grid, texts, codes, starts };
}

/** The grid as it was before packGrid: each text cell back, pointing at the one string of its text. */
export function unpackGrid(p: PackedGrid): Grid {
  const { grid, texts, codes, starts } = p;
  for (let r = 0; r < grid.length; r++) {
    const row = grid[r] as Cell[];
    const at = starts[r] as number;
    for (let c = 0; c < row.length; c++) {
      const code = codes[at + c] as number;
      if (code > 0) row[c] = texts[code - 1];
    }
  }
  return grid;
}

const isJob = (x: unknown): x is GridJob => typeof x === "object" && x !== null && "parts" in x && Array.isArray(x.parts) && "part" in x && typeof x.part === "string";

if (parentPort && isJob(workerData)) {
  const job = workerData;
  try {
    const pkg = new Package();
    for (const p of job.parts) pkg.parts.set(p.name, p);
    const book = new Book(pkg);
    const sheet = book.sheets.find((s) => s.part === job.part);
    if (!sheet) throw new Error(`no sheet in part ${job.part}`);
    const packed = packGrid(book.grid(sheet));
    parentPort.postMessage(packed, [packed.codes.buffer, packed.starts.buffer]);
  } catch (e) {
    parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}
