// LibreOffice opens every workbook pipesheet writes, and the stuck rule it evaluates agrees with core's Stuck column.
import { execFileSync } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import JSZip from "jszip";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { openWorkbook, pickDealsSheet } from "../../cli/io/xlsx.js";
import { kids, local, parseTree } from "../../cli/io/xlsx-pkg/xml.js";
import { colName } from "../../core/a1.js";
import { readBook, ROOT, runCli, tempDir } from "../cli-harness.js";

const dir = await tempDir();
const TODAY = "2026-11-26";

/** LibreOffice headless: converts `file` to `format` in `dir`; returns the path it wrote. */
function soffice(file: string, format: string): string {
  execFileSync("soffice", ["--headless", "--convert-to", format, "--outdir", dir, file], { stdio: "pipe", timeout: 120_000 });
  const out = join(dir, file.replace(/^.*\//, "").replace(/\.[^.]+$/, `.${format.split(":")[0]}`));
  expect(existsSync(out), out).toBe(true);
  return out;
}

describe("LibreOffice", () => {
  it("opens every workbook pipesheet writes: from a CSV, and the team's own workbooks run in place", async () => {
    const fromCsv = join(dir, "from-csv.xlsx");
    expect((await runCli(["review", join(ROOT, "samples", "pipeline.csv"), "--today", TODAY, "--out", fromCsv])).code).toBe(0);
    const books = [fromCsv];
    for (const fixture of ["team.xlsx", "team-libreoffice.xlsx", "team.xlsm", "team-1904.xlsx"]) {
      const path = join(dir, fixture);
      await copyFile(join(ROOT, "test", "fixtures", "workbooks", fixture), path);
      for (const command of ["setup", "score", "review"]) expect((await runCli([command, path, "--today", TODAY, "--in-place"])).code, `${command} ${fixture}`).toBe(0);
      books.push(path);
    }
    for (const book of books) expect(statSync(soffice(book, "pdf")).size, book).toBeGreaterThan(1000);
  });

  it("evaluates the stuck rule on the written cells as core's Stuck column says", async () => {
    const book = join(dir, "stuck.xlsx");
    expect((await runCli(["review", join(ROOT, "samples", "pipeline.csv"), "--today", TODAY, "--out", book])).code).toBe(0);
    const { stuck } = await stuckAgrees(book, TODAY);
    // The sample is built to have stuck deals; an always-false rule must not pass this test.
    expect(stuck).toBeGreaterThan(10);
  });

  it("evaluates it as core says with close dates pushed, week after week: the Push count against its live limit", async () => {
    const book = join(dir, "pushed.xlsx");
    const days = ["2026-11-05", "2026-11-12", "2026-11-19", "2026-11-26"];
    expect((await runCli(["review", join(ROOT, "samples", "pipeline.csv"), "--today", days[0] as string, "--out", book])).code).toBe(0);
    for (const [k, today] of days.slice(1).entries()) {
      // The team pushes every fifth deal's expected close each week, and the next ones' in the first two weeks.
      const wb = await readBook(book);
      const ws = wb.getWorksheet("Deals");
      const closeCol = ((ws?.getRow(1).values as unknown[]) ?? []).indexOf("Expected close");
      let pushed = 0;
      ws?.eachRow((row, n) => {
        if (n === 1 || !(n % 5 === 0 || (n % 5 === 1 && k < 2))) return;
        const cell = row.getCell(closeCol);
        if (cell.value instanceof Date) {
          cell.value = new Date(cell.value.getTime() + 10 * 86_400_000);
          pushed++;
        }
      });
      expect(pushed).toBeGreaterThan(20);
      await wb.xlsx.writeFile(book);
      expect((await runCli(["review", book, "--in-place", "--today", today])).code, today).toBe(0);
    }
    const { stuck, core } = await stuckAgrees(book, days[days.length - 1] as string);
    expect(core.filter((t) => t.includes("close date pushed 3 times")).length).toBeGreaterThan(5);
    expect(core.filter((t) => t === "Stuck: close date pushed 3 times").length).toBeGreaterThan(0);
    expect(stuck).toBeGreaterThan(10);
  });
});

/** LibreOffice evaluates the book's stuck rule on every data row (TODAY() pinned to `today`); it must say what core's Stuck column says. */
async function stuckAgrees(book: string, today: string): Promise<{ stuck: number; core: string[] }> {
  const wb = await openWorkbook(book);
  const deals = pickDealsSheet(wb, "Deals", () => true, book);
  const header = deals.grid[0] ?? [];
  const stuckCol = header.indexOf("Stuck");
  const width = header.length;
  // The rule's formula, as written in the sheet, put in a cell of its own on every data row (TODAY() pinned).
  const zip = await JSZip.loadAsync(await readFile(book));
  const part = deals.sheet.part;
  const xml = (await zip.file(part)?.async("string")) ?? "";
  const root = parseTree(xml);
  const rule = root.children.filter((c) => local(c.name) === "conditionalFormatting").flatMap((cf) => kids(cf, "cfRule")).find((r) => kids(r, "formula").some((f) => f.text.includes("pipesheet:stuck")));
  const formula = (rule ? kids(rule, "formula")[0]?.text : undefined) ?? "";
  expect(formula).toContain("pipesheet:stuck");
  const pinned = formula.replace(/TODAY\(\)/g, `DATE(${today.split("-").map(Number).join(",")})`);
  const rows = deals.grid.length;
  const col = colName(width);
  const withFormulas = xml.replace(/<row r="(\d+)"([^>]*)>([\s\S]*?)<\/row>/g, (m, r: string, attrs: string, cells: string) => {
    const n = Number(r);
    if (n < 2 || n > rows) return m;
    const f = pinned.replace(/(\$[A-Z]{1,3})2(?!\d)/g, `$1${n}`).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return `<row r="${r}"${attrs.replace(/\s*spans="[^"]*"/, "")}>${cells}<c r="${col}${n}"><f>${f}</f></c></row>`;
  });
  zip.file(part, withFormulas);
  const probe = join(dir, "stuck-probe.xlsx");
  await writeFile(probe, await zip.generateAsync({ type: "uint8array" }));
  const csv = Papa.parse<string[]>(await readFile(soffice(probe, "csv"), "utf8"), { skipEmptyLines: false }).data;
  let stuck = 0;
  const said: string[] = [];
  for (let r = 1; r < rows; r++) {
    const live = csv[r]?.[width];
    const core = deals.grid[r]?.[stuckCol];
    expect(live, `row ${r + 1}: core says ${String(core)}`).toBe(typeof core === "string" && core !== "" ? "TRUE" : "FALSE");
    if (live === "TRUE") stuck++;
    said.push(typeof core === "string" ? core : "");
  }
  return { stuck, core: said };
}
