// A large sheet read as a grid in a worker thread while the main thread reads another (the log tab while the deals
// sheet is read): the two parts are independent, and the main thread is the one that is busy then. The worker gets
// copies of only the parts a Book needs for that sheet; its grid comes back by structured clone. At 100k deals the
// log tab is 34 MB of XML: about 0.85 s to read on the main thread, against some 60 ms to take its clone. Whenever
// the worker cannot answer (it cannot start, or the sheet cannot be read), the sheet is read here instead, so the
// grid and any error are exactly what Book.grid gives.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Grid } from "../../../core/index.js";
import { relsOf, type Book, type SheetInfo } from "./book.js";
import type { GridJob } from "./grid-worker.js";
import type { Part } from "./zip.js";

/**
 * Below this much XML a sheet is read here: starting a worker and loading the reader into it costs about as much
 * as reading a sheet of a few thousand rows.
 */
export const ASIDE_MIN_BYTES = 4 << 20;

export interface AsideGrid {
  grid: Grid;
  /** Whether the worker read it (false: read here, because it was small or the worker could not). */
  worker: boolean;
}

/**
 * A worker running grid-worker beside this file: grid-worker.js in the built CLI (scripts/build-cli.ts emits it
 * next to the chunks); from the sources, grid-worker.ts loaded through tsx, registered in the worker first (Node 20
 * does not apply an `--import` loader to a worker's own entry file). Null when the script is not there.
 */
function workerFor(job: GridJob, transferList: ArrayBuffer[]): (() => Worker) | null {
  const here = import.meta.url;
  const ts = here.endsWith(".ts");
  const script = new URL(ts ? "./grid-worker.ts" : "./grid-worker.js", here);
  if (!existsSync(fileURLToPath(script))) return null;
  // stdout and stderr are the worker's own: nothing it might print reaches the user's terminal or --json.
  const opts = { workerData: job, transferList, stdout: true, stderr: true };
  if (!ts) return () => new Worker(fileURLToPath(script), opts);
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`;
  return () => new Worker(boot, { ...opts, eval: true });
}

/** Copies of the parts Book reads for `sheet` (the package's root and workbook relationships, styles, shared strings). */
function partsFor(book: Book, sheet: SheetInfo): Part[] | null {
  const names = ["_rels/.rels", book.workbookPart, relsOf(book.workbookPart), book.relPart("/styles"), book.relPart("/sharedStrings"), sheet.part];
  const out: Part[] = [];
  for (const name of names) {
    if (name === null) continue;
    const p = book.pkg.parts.get(name);
    if (!p) continue;
    // A part changed in memory (a workbook just made) is not what its raw bytes say: read it here.
    if (p.replaced !== undefined) return null;
    out.push({ name: p.name, method: p.method, crc: p.crc, size: p.size, raw: p.raw.slice() });
  }
  return out;
}

/** The grid of `sheet`, read in a worker when it is large; starts at once and resolves when the grid is there. */
export function gridAside(book: Book, sheet: SheetInfo, minBytes = ASIDE_MIN_BYTES): Promise<AsideGrid> {
  const here = (): Promise<AsideGrid> => new Promise((done, fail) => {
    try {
      done({ grid: book.grid(sheet), worker: false });
    } catch (e) {
      fail(e);
    }
  });
  const size = book.pkg.parts.get(sheet.part)?.size ?? 0;
  // With one core there is nothing to read beside: the worker would only add its start and the clone.
  const parts = size >= minBytes && availableParallelism() > 1 ? partsFor(book, sheet) : null;
  const start = parts ? workerFor({ parts, sheet: sheet.name }, parts.map((p) => p.raw.buffer)) : null;
  if (!start) return here();
  return new Promise((done, fail) => {
    const worker = start();
    let settled = false;
    const fallBack = (): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      here().then(done, fail);
    };
    worker.once("message", (m: { grid?: Grid; error?: string }) => {
      if (m.grid === undefined) return fallBack();
      settled = true;
      done({ grid: m.grid, worker: true });
    });
    worker.once("error", fallBack);
    worker.once("exit", fallBack);
  });
}
