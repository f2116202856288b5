// A sheet read in a worker thread (cli/io/xlsx-pkg/aside.ts) gives exactly the grid the main thread reads, for
// workbooks made by other programs (LibreOffice, openpyxl, Excel's 1904 date system, a pivot table, macros) and by
// pipesheet; when the worker cannot answer (it cannot start, stops without a word, answers nonsense, or the sheet
// cannot be read), the sheet is read on the main thread, with the same result or error.
// The tests say `cores: 2` so they read in a worker on a one-core machine too (where pipesheet itself does not).
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { openWorkbook, ownTabGrid, ownTabGridAside, workbookFromPackage } from "../cli/io/xlsx.js";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ASIDE_MIN_BYTES, gridAside, type AsideOptions } from "../cli/io/xlsx-pkg/aside.js";
import { packGrid, unpackGrid } from "../cli/io/xlsx-pkg/grid-worker.js";
import { Book } from "../cli/io/xlsx-pkg/book.js";
import { Package } from "../cli/io/xlsx-pkg/zip.js";
import { runCli, ROOT, tempDir } from "./cli-harness.js";

const BOOKS = ["team.xlsx", "team-1904.xlsx", "team-libreoffice.xlsx", "team-pivot.xlsx", "team.xlsm"].map((f) => join(ROOT, "test", "fixtures", "workbooks", f));

const CT = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WB = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WB_RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;

/** A one-sheet workbook whose sheet part is `sheetXml`. */
const oneSheet = (sheetXml: string): Promise<Package> =>
  Package.open(Buffer.from(zipSync({ "[Content_Types].xml": strToU8(CT), "_rels/.rels": strToU8(ROOT_RELS), "xl/workbook.xml": strToU8(WB), "xl/_rels/workbook.xml.rels": strToU8(WB_RELS), "xl/worksheets/sheet1.xml": strToU8(sheetXml) })));

/** Always in a worker, whatever the sheet's size and the machine's cores. */
const ALWAYS: AsideOptions = { minBytes: 0, cores: 2 };

describe("a sheet read in a worker", () => {
  it.each(BOOKS)("gives the main thread's grid for every worksheet of %s", async (path) => {
    const wb = await openWorkbook(path);
    let read = 0;
    for (const sheet of wb.book.sheets.filter((s) => s.worksheet)) {
      const aside = await gridAside(wb.book, sheet, ALWAYS).result;
      expect(aside.worker, sheet.name).toBe(true);
      expect(aside.grid, sheet.name).toEqual(new Book(wb.pkg).grid(sheet));
      read++;
    }
    expect(read).toBeGreaterThan(0);
  }, 60_000);

  it("keeps dates as dates in the workbook's date system, inline and rich text, booleans and errors", async () => {
    const wb = await openWorkbook(join(ROOT, "test", "fixtures", "workbooks", "team-1904.xlsx"));
    const sheet = wb.book.find("Deals");
    if (!sheet) throw new Error("no Deals sheet");
    const { grid } = await gridAside(wb.book, sheet, ALWAYS).result;
    expect(grid.flat().some((c) => c instanceof Date)).toBe(true);
    const pkg = await oneSheet(
      `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="2"><c r="B2" t="inlineStr"><is><r><t>Zü</t></r><r><t>rich 😀</t></r></is></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c><c r="F2"><v>1.5</v></c></row></sheetData></worksheet>`,
    );
    const book = new Book(pkg);
    const one = book.sheets[0];
    if (!one) throw new Error("no sheet");
    const aside = await gridAside(book, one, ALWAYS).result;
    expect(aside.worker).toBe(true);
    expect(aside.grid).toEqual([[], [null, "Zürich 😀", true, "#N/A", null, 1.5]]);
  });

  it("falls back to the main thread, with its very error, for a sheet that cannot be read", async () => {
    const pkg = await oneSheet(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>`);
    const book = new Book(pkg);
    const one = book.sheets[0];
    if (!one) throw new Error("no sheet");
    let direct = "";
    try {
      book.grid(one);
    } catch (e) {
      direct = e instanceof Error ? e.message : String(e);
    }
    expect(direct).not.toBe("");
    const err = await gridAside(book, one, ALWAYS).result.then(
      () => null,
      (e: unknown) => e,
    );
    // The main thread's own error, not one made from the worker's message.
    if (!(err instanceof Error)) throw new Error(`expected an Error, got ${String(err)}`);
    expect(err.message).toBe(direct);
    expect(err.stack).toMatch(/book\.ts/);
  });

  it.each([
    ["cannot start", () => {
      throw new Error("threads refused");
    }],
    ["stops without a word", () => new Worker("process.exit(0)", { eval: true })],
    ["answers nonsense", () => new Worker("require('node:worker_threads').parentPort.postMessage({ grid: 'no' })", { eval: true })],
    ["fails", () => new Worker("throw new Error('boom')", { eval: true, stderr: true })],
  ])("reads on the main thread, the same grid, when the worker %s", async (_label, spawn) => {
    const wb = await openWorkbook(BOOKS[0] as string);
    const sheet = wb.book.sheets.find((s) => s.worksheet);
    if (!sheet) throw new Error("no worksheet");
    const aside = await gridAside(wb.book, sheet, { ...ALWAYS, spawn }).result;
    expect(aside.worker).toBe(false);
    expect(aside.grid).toEqual(new Book(wb.pkg).grid(sheet));
  });

  it("packs each text once and unpacks the very grid (numbers, booleans, dates and blanks kept)", () => {
    const day = new Date(2026, 10, 26);
    const far: (string | null)[] = new Array<string | null>(16_384).fill(null);
    far[16_383] = "b";
    const grid = [["a", 1, "b", true], [], [null, "a", undefined, day, "b"], far, ["a"]];
    const copy = structuredClone(grid);
    const packed = packGrid(structuredClone(grid));
    expect(packed.texts).toEqual(["a", "b"]);
    // One far cell costs its own row only, not a row's width for every row.
    expect(packed.codes.length).toBe(4 + 0 + 5 + 16_384 + 1);
    expect(unpackGrid(structuredClone(packed))).toEqual(copy);
  });

  it("stops the worker when the grid is no longer wanted", async () => {
    const wb = await openWorkbook(BOOKS[0] as string);
    const sheet = wb.book.sheets.find((s) => s.worksheet);
    if (!sheet) throw new Error("no worksheet");
    let worker: Worker | null = null;
    const read = gridAside(wb.book, sheet, { ...ALWAYS, spawn: () => (worker = new Worker("setInterval(() => {}, 1000)", { eval: true })) });
    const exited = new Promise<number>((ok) => worker?.once("exit", ok));
    read.cancel();
    // The worker runs forever unless stopped: that it exits at all is the test (it would time out otherwise).
    expect(typeof (await exited)).toBe("number");
  });

  it("reads on the main thread a small sheet, and a part changed in memory (a workbook just made)", async () => {
    const pkg = await oneSheet(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData></worksheet>`);
    const book = new Book(pkg);
    const one = book.sheets[0];
    if (!one) throw new Error("no sheet");
    expect(await gridAside(book, one, { cores: 2 }).result).toEqual({ grid: [[7]], worker: false });
    pkg.set("xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>8</v></c></row></sheetData></worksheet>`);
    expect(await gridAside(book, one, ALWAYS).result).toEqual({ grid: [[8]], worker: false });
  });

  it("reads a managed workbook's log tab of over 4 MB in a worker, the same grid, and ownTabGrid gets it after", async () => {
    const dir = await tempDir();
    const csv = join(dir, "deals.csv");
    const { writeSyntheticCsv } = await import("../samples/generate.js");
    await writeSyntheticCsv(csv, 14_000, 11);
    const book = join(dir, "deals.xlsx");
    const setup = await runCli(["setup", csv, "--today", "2026-11-26", "--out", book]);
    expect(setup.code, setup.stderr).toBe(0);
    const wb = await openWorkbook(book);
    const sheet = wb.book.find("Pipeline Log");
    if (!sheet) throw new Error("no log tab");
    expect(wb.pkg.parts.get(sheet.part)?.size).toBeGreaterThan(ASIDE_MIN_BYTES);
    const aside = await gridAside(wb.book, sheet, { cores: 2 }).result;
    expect(aside.worker).toBe(true);
    expect(aside.grid.length).toBe(14_001);
    const fresh = workbookFromPackage(wb.pkg, book);
    expect(aside.grid).toEqual(ownTabGrid(fresh, "Pipeline Log"));
    const viaTab = await ownTabGridAside(wb, "Pipeline Log").grid;
    expect(ownTabGrid(wb, "Pipeline Log")).toBe(viaTab);
    // The CLI reads it so too (Node's own debug log names each worker it starts), and scores every deal.
    const score = await runCli(["score", book, "--today", "2026-11-27", "--json"], { env: { NODE_DEBUG: "worker" } });
    expect(score.code).toBe(0);
    // pipesheet reads beside only with a second core to read on (a one-core machine reads in turn).
    if (availableParallelism() > 1) expect(score.stderr).toMatch(/create new worker [^\n]*grid-worker\.ts/);
    else expect(score.stderr).not.toMatch(/create new worker/);
    const scored = JSON.parse(score.stdout) as { summary: { deals: number } };
    expect(scored.summary.deals).toBe(14_000);
  }, 120_000);
});
