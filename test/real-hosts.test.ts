// The real public CRM exports of test/fixtures/real in the other two hosts: each CSV pasted as plain text into a
// sheet of the Excel fake (run through the add-in's adapter) and of the Apps Script fake (run through the built
// bundle), then a FIRST review with no settings, as a new user would. The Excel run's figures must be the ones
// test/real/expected.ts works out independently (the CLI is held to the same in real-exports.test.ts); the Sheets
// run must write the same review tab cell for cell.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { discover, runCommand } from "../excel-addin/adapter/command.js";
import { TAB_REVIEW } from "../core/index.js";
import { ROOT } from "./cli-harness.js";
import { loadScript } from "./fakes/apps-script/bundle.js";
import { hostFor, newWorkbook } from "./fakes/excel/index.js";
import { expectedFor, FIXTURES } from "./real/expected.js";

const DIR = join(ROOT, "test", "fixtures", "real");
const CSVS = FIXTURES.filter((f) => f.file.endsWith(".csv"));

type Value = string | number | boolean;

function csvGrid(file: string): string[][] {
  const text = readFileSync(join(DIR, file), "utf8").replace(/^\uFEFF/, "");
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  return parsed.data;
}

/** A tab's values as rows, trailing blanks trimmed (numbers to 9 decimals, as hosts store them). */
function trimmed(rows: number, cols: number, cell: (r: number, c: number) => Value): Value[][] {
  const out: Value[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => {
      const v = cell(r, c);
      return typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v;
    });
    while (row.length > 0 && row[row.length - 1] === "") row.pop();
    out.push(row);
  }
  while (out.length > 0 && out[out.length - 1]?.length === 0) out.pop();
  return out;
}

const within = (expected: number, actual: number | null | undefined): boolean =>
  typeof actual === "number" && Math.abs(actual - expected) <= Math.max(0.01, Math.abs(expected) * 0.005);

describe.each(CSVS)("real export $file in Excel and Sheets", (fx) => {
  it("gives the independently worked-out figures in Excel, and the same review tab in Sheets", async () => {
    const grid = csvGrid(fx.file);
    const exp = await expectedFor(fx, DIR);

    // Excel: the add-in's own read, plan and write against the strict fake.
    const book = newWorkbook();
    book.load("Deals", grid);
    const host = hostFor(book);
    const d = await discover(host);
    const result = await runCommand(host, { command: "review", sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: fx.today });
    const m = result.plan.metrics;
    if (!m) throw new Error(`no metrics from Excel for ${fx.file}`);
    expect(m.counts, "deals per outcome").toMatchObject({ deals: exp.deals, won: exp.won, lost: exp.lost, open: exp.open });
    const rate = m.winRate.basis === "value" ? exp.winRateByValue : exp.winRateByCount;
    if (rate === null) expect(m.winRate.value).toBeNull();
    else expect(Math.abs((m.winRate.value ?? NaN) - rate), `win rate ${m.winRate.value} vs ${rate}`).toBeLessThanOrEqual(0.0005);
    expect(within(exp.wonValue, m.winRate.wonValue), `won value ${m.winRate.wonValue} vs ${exp.wonValue}`).toBe(true);
    expect(m.pipeline.total.count).toBe(exp.openCount);
    expect(within(exp.openValue, m.pipeline.total.value), `open value ${m.pipeline.total.value} vs ${exp.openValue}`).toBe(true);
    for (const [stage, s] of Object.entries(exp.openByStage)) {
      const row = m.pipeline.rows.find((r) => r.stage.trim().toLowerCase() === stage.trim().toLowerCase());
      expect(row?.count, `open deals in ${stage}`).toBe(s.count);
      expect(within(s.value, row?.value), `open value in ${stage}`).toBe(true);
    }
    if (exp.topOwner) {
      const top = [...m.owners.rows].sort((a, b) => b.wonValue - a.wonValue)[0];
      expect(top?.owner).toBe(exp.topOwner.owner);
      expect(top?.won).toBe(exp.topOwner.won);
    }
    const excelReview = book.sheet(TAB_REVIEW);
    if (!excelReview) throw new Error("no review tab in Excel");
    let rows = 0;
    for (let r = 0; r < 3000; r++) for (let c = 0; c < 12; c++) if (excelReview.value(r, c) !== "") rows = r + 1;

    // Sheets: the built bundle against the Apps Script fake, the CSV pasted as plain text (no conversion).
    const script = await loadScript({ now: `${fx.today}T12:00:00Z` });
    const sheet = script.env.book.addSheet("Deals", grid.length + 10, Math.max(26, ...grid.map((r) => r.length)));
    grid.forEach((row, r) => row.forEach((v, c) => v !== "" && sheet.enterValue(r, c, `'${v}`)));
    script.call("pipelineReview", "menu");
    const sheetsReview = script.env.book.sheet(TAB_REVIEW);
    if (!sheetsReview) throw new Error("no review tab in Sheets");
    const inSheets = trimmed(sheetsReview.lastRowQuiet(), sheetsReview.lastColQuiet(), (r, c) => sheetsReview.raw(r, c) as Value);
    const width = inSheets.reduce((w, r) => Math.max(w, r.length), 0);
    const inExcel = trimmed(rows, width, (r, c) => excelReview.value(r, c) as Value);
    expect(inSheets.length).toBeGreaterThan(20);
    expect(inSheets).toEqual(inExcel);
  }, 180_000);
});
