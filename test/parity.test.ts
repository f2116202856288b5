// One fixture sheet through three hosts — the Sheets script (bundle + fake), the Excel add-in (adapter + fake)
// and the CLI (a real child process writing .xlsx) — must give the same owned cells and the same review.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { OWNED_HEADERS } from "../core/columns.js";
import { TAB_REVIEW } from "../core/index.js";
import { samplePipeline, SAMPLE_TODAY } from "../samples/generate.js";
import { readBook, runCli, tempDir } from "./cli-harness.js";
import { loadScript } from "./fakes/apps-script/bundle.js";

type Value = string | number | boolean;
/** Owned columns by header, then the review tab, as plain values (dates as serial numbers). */
interface Outcome {
  owned: Record<string, Value[]>;
  review: Value[][];
  /** The helper column's formulas, where the host's model keeps them. */
  formulas?: string[];
}

const ROWS = 120;
const grid = samplePipeline().slice(0, ROWS + 1);
/** The stuck limit's helper cells hold formulas, which the fakes do not calculate: compared as formulas below. */
const FORMULA_HEADER = OWNED_HEADERS.stuckLimit;
const OWNED = new Set(Object.values(OWNED_HEADERS).filter((h) => h !== FORMULA_HEADER));

function outcome(header: Value[], cell: (r: number, c: number) => Value, reviewRows: number, reviewCols: number, reviewCell: (r: number, c: number) => Value): Outcome {
  const owned: Record<string, Value[]> = {};
  header.forEach((h, c) => {
    if (typeof h === "string" && OWNED.has(h) && !grid[0]?.includes(h)) owned[h] = Array.from({ length: ROWS }, (_, i) => cell(i + 1, c));
  });
  const review: Value[][] = [];
  for (let r = 0; r < reviewRows; r++) {
    const row = Array.from({ length: reviewCols }, (_, c) => reviewCell(r, c));
    while (row.length > 0 && row[row.length - 1] === "") row.pop();
    review.push(row);
  }
  while (review.length > 0 && review[review.length - 1]?.length === 0) review.pop();
  return { owned, review };
}

const round = (v: Value): Value => (typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v);

async function viaSheets(): Promise<Outcome> {
  const script = await loadScript({ now: `${SAMPLE_TODAY}T12:00:00Z` });
  const sheet = script.env.book.addSheet("Deals", ROWS + 1, grid[0]?.length ?? 1);
  // As if typed (or pasted) into Sheets: dates become dates, amounts numbers.
  grid.forEach((row, r) => row.forEach((v, c) => v !== "" && sheet.enterValue(r, c, v)));
  script.call("pipelineSetup", "menu");
  script.call("pipelineReview", "menu");
  const review = script.env.book.sheet(TAB_REVIEW);
  if (!review) throw new Error("no review tab");
  const header = Array.from({ length: sheet.maxCols }, (_, c) => sheet.raw(0, c));
  const fx = header.indexOf(FORMULA_HEADER);
  return {
    ...outcome(header, (r, c) => round(sheet.raw(r, c)), review.lastRowQuiet(), review.lastColQuiet(), (r, c) => round(review.raw(r, c))),
    formulas: Array.from({ length: ROWS }, (_, i) => sheet.formulaAt(i + 1, fx)),
  };
}

const excelCell = (v: ExcelJS.CellValue): Value => {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return round(v.getTime() / 86_400_000 + 25_569);
  if (typeof v === "object") {
    if ("result" in v) return excelCell(v.result as ExcelJS.CellValue);
    if ("richText" in v) return v.richText.map((t) => t.text).join("");
    return String(v);
  }
  return round(v);
};

async function viaCli(): Promise<Outcome> {
  const dir = await tempDir();
  const csv = join(dir, "deals.csv");
  await writeFile(csv, `${grid.map((r) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(",")).join("\n")}\n`);
  const managed = join(dir, "managed.xlsx");
  const setup = await runCli(["setup", csv, "--today", SAMPLE_TODAY, "--out", managed]);
  expect(setup.code, setup.stderr).toBe(0);
  const reviewed = await runCli(["review", managed, "--today", SAMPLE_TODAY, "--in-place"]);
  expect(reviewed.code, reviewed.stderr).toBe(0);
  const wb = await readBook(managed);
  const deals = wb.worksheets.find((w) => w.getRow(1).getCell(1).value !== null && !["Pipeline Settings", "Pipeline Log", TAB_REVIEW].includes(w.name));
  const review = wb.getWorksheet(TAB_REVIEW);
  if (!deals || !review) throw new Error("CLI output lacks a sheet");
  const header = Array.from({ length: deals.columnCount }, (_, c) => excelCell(deals.getRow(1).getCell(c + 1).value));
  return outcome(header, (r, c) => excelCell(deals.getRow(r + 1).getCell(c + 1).value), review.rowCount, review.columnCount, (r, c) => excelCell(review.getRow(r + 1).getCell(c + 1).value));
}

async function viaExcel(): Promise<Outcome | null> {
  if (!existsSync("excel-addin/adapter/command.ts") || !existsSync("test/fakes/excel/index.ts")) return null;
  const { discover, runCommand } = await import("../excel-addin/adapter/command.js");
  const { hostFor, newWorkbook } = await import("./fakes/excel/index.js");
  const m = newWorkbook();
  const sheet = m.load("Deals", grid);
  const host = hostFor(m);
  for (const command of ["setup", "review"] as const) {
    const d = await discover(host);
    await runCommand(host, { command, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: SAMPLE_TODAY });
  }
  const review = m.sheet(TAB_REVIEW);
  if (!review) throw new Error("no review tab");
  const width = 64;
  const used = (s: typeof sheet, rows: number): number => {
    let w = 0;
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) if (s.value(r, c) !== "") w = Math.max(w, c + 1);
    return w;
  };
  let reviewRows = 0;
  for (let r = 0; r < 2000; r++) for (let c = 0; c < 16; c++) if (review.value(r, c) !== "") reviewRows = r + 1;
  const header = Array.from({ length: used(sheet, 1) }, (_, c) => sheet.value(0, c) as Value);
  const fx = header.indexOf(FORMULA_HEADER);
  return {
    ...outcome(header, (r, c) => round(sheet.value(r, c) as Value), reviewRows, used(review, reviewRows), (r, c) => round(review.value(r, c) as Value)),
    formulas: Array.from({ length: ROWS }, (_, i) => sheet.formula(i + 1, fx) ?? ""),
  };
}

describe("parity", () => {
  test("Sheets, Excel and the CLI give the same owned cells and the same review", async () => {
    const [sheets, cli, excel] = await Promise.all([viaSheets(), viaCli(), viaExcel()]);
    expect(excel !== null, "the Excel adapter is here, so it takes part").toBe(existsSync("excel-addin/adapter/command.ts"));
    expect(Object.keys(sheets.owned).length).toBeGreaterThan(6);
    expect(sheets.review.length).toBeGreaterThan(20);
    expect(sheets.owned).toEqual(cli.owned);
    // exceljs cannot draw charts, so the CLI notes how to insert one beside the table; compare the plan's grid.
    const width = sheets.review.reduce((w, r) => Math.max(w, r.length), 0);
    const within = (o: Outcome): Value[][] =>
      o.review.map((r) => {
        const row = r.slice(0, width);
        while (row.length > 0 && row[row.length - 1] === "") row.pop();
        return row;
      });
    expect(within(cli)).toEqual(sheets.review);
    if (excel) {
      expect(sheets.owned).toEqual(excel.owned);
      expect(sheets.formulas?.filter((f) => f.startsWith("=IFERROR(")).length).toBe(ROWS);
      expect(excel.formulas).toEqual(sheets.formulas);
      expect(within(excel)).toEqual(sheets.review);
    }
  }, 120_000);
});
