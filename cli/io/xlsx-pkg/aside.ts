// A large sheet read as a grid in a worker thread while the main thread reads another (the log tab while the deals
// sheet is read): the two parts are independent, and the main thread is the one that is busy then. The worker gets
// copies of only the parts a Book needs for that sheet; its grid comes back by structured clone, each text once
// (grid-worker.ts packGrid). At 100k deals the log tab is 34 MB of XML: about 0.85 s to read on the main thread,
// against some 60 ms to take its clone. Whenever the worker cannot answer (it cannot start, stops without a word,
// or the sheet cannot be read), the sheet is read here instead, so the grid and any error are exactly what
// Book.grid gives.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Grid } from "../../../core/index.js";
import { relsOf, type Book, type SheetInfo } from "./book.js";
import { unpackGrid, type GridJob, type PackedGrid } from "./grid-worker.js";
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

/** A read begun: the grid when it is there, and a way to stop the worker when the grid is no longer wanted. */
export interface AsideRead {
  result: Promise<AsideGrid>;
  cancel(): void;
}

export type Spawn = (job: GridJob, transferList: ArrayBuffer[]) => Worker;

export interface AsideOptions {
  minBytes?: number;
  /** Cores to count on (default: availableParallelism()); with one there is nothing to read beside. */
  cores?: number;
  /** Starts the worker (tests give one that fails); default: grid-worker beside this file. */
  spawn?: Spawn | null;
}

/**
 * Starts grid-worker beside this file: grid-worker.js in the built CLI (scripts/build-cli.ts emits it next to the
 * chunks); from the sources, grid-worker.ts loaded through tsx, registered in the worker first (Node 20 does not
 * apply an `--import` loader to a worker's own entry file). Null when neither can be found.
 */
function defaultSpawn(): Spawn | null {
  const here = import.meta.url;
  const ts = here.endsWith(".ts");
  const script = new URL(ts ? "./grid-worker.ts" : "./grid-worker.js", here);
  if (!existsSync(fileURLToPath(script))) return null;
  // stdout and stderr are the worker's own: nothing it might print reaches the user's terminal or --json.
  const opts = (job: GridJob, transferList: ArrayBuffer[]): { workerData: GridJob; transferList: ArrayBuffer[]; stdout: true; stderr: true } => ({ workerData: job, transferList, stdout: true, stderr: true });
  if (!ts) return (job, list) => new Worker(fileURLToPath(script), opts(job, list));
  let tsx: string;
  try {
    tsx = import.meta.resolve("tsx/esm/api");
  } catch {
    return null;
  }
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`;
  return (job, list) => new Worker(boot, { ...opts(job, list), eval: true });
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

const isPacked = (m: unknown): m is PackedGrid =>
  typeof m === "object" && m !== null && "grid" in m && Array.isArray(m.grid) && "texts" in m && Array.isArray(m.texts) && "codes" in m && m.codes instanceof Int32Array && "starts" in m && m.starts instanceof Int32Array && m.starts.length === m.grid.length + 1;

/** The grid of `sheet`, read in a worker when it is large; starts at once, resolves when the grid is there. */
export function gridAside(book: Book, sheet: SheetInfo, opts: AsideOptions = {}): AsideRead {
  const here = (): Promise<AsideGrid> =>
    new Promise((done, fail) => {
      try {
        done({ grid: book.grid(sheet), worker: false });
      } catch (e) {
        fail(e);
      }
    });
  const size = book.pkg.parts.get(sheet.part)?.size ?? 0;
  const cores = opts.cores ?? availableParallelism();
  const parts = size >= (opts.minBytes ?? ASIDE_MIN_BYTES) && cores > 1 ? partsFor(book, sheet) : null;
  const spawn = parts ? (opts.spawn === undefined ? defaultSpawn() : opts.spawn) : null;
  if (!parts || !spawn) return { result: here(), cancel: () => undefined };
  let worker: Worker | null = null;
  let settled = false;
  const result = new Promise<AsideGrid>((done, fail) => {
    const fallBack = (): void => {
      if (settled) return;
      settled = true;
      void worker?.terminate();
      here().then(done, fail);
    };
    try {
      worker = spawn({ parts, part: sheet.part }, parts.map((p) => p.raw.buffer));
    } catch {
      // A worker that cannot start (a runtime that refuses threads, say): the sheet is read here.
      return fallBack();
    }
    worker.once("message", (m: unknown) => {
      if (!isPacked(m)) return fallBack();
      settled = true;
      done({ grid: unpackGrid(m), worker: true });
    });
    worker.once("error", fallBack);
    worker.once("exit", fallBack);
  });
  return {
    result,
    cancel: () => {
      if (settled || !worker) return;
      settled = true;
      void worker.terminate();
    },
  };
}
