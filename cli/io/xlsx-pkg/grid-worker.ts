// The body of a worker thread that reads one sheet of a workbook as a grid (started by aside.ts). It is given only
// the parts a Book needs for that sheet, as they are in the file, and answers with the grid or with the error.
import { parentPort, workerData } from "node:worker_threads";
import { Book } from "./book.js";
import { Package, type Part } from "./zip.js";

export interface GridJob {
  parts: Part[];
  sheet: string;
}

const job = workerData as GridJob;
try {
  const pkg = new Package();
  for (const p of job.parts) pkg.parts.set(p.name, p);
  const book = new Book(pkg);
  const sheet = book.find(job.sheet);
  parentPort?.postMessage({ grid: sheet ? book.grid(sheet) : [] });
} catch (e) {
  parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
