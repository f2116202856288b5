// `pipesheet apply gsheet:ID` against the fake Sheets API: one metadata read and one batchGet, the plan in as
// few batchUpdate bodies as the 2 MB guidance allows, the user's rules, cells and tabs left alone, a second run
// replacing pipesheet's own rules and chart, and a run cut off at any request converging when run again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { colName, parseA1, run } from "../core/index.js";
import { RULE_PREFIX, type Grid } from "../core/types.js";
import { samplePipeline, syntheticGrid } from "../samples/generate.js";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import { userEntered, type FakeSpreadsheet, type Value } from "./fakes/sheets-api/model.js";

let h: Harness;
const TODAY = "2026-11-26";

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.stop();
});

/** The sample has one deliberately repeated Deal ID; these tests want a sheet whose runs settle. */
function uniqueIds(grid: string[][]): string[][] {
  const seen = new Set<string>();
  return grid.map((row, r) => {
    const id = row[0] ?? "";
    if (r === 0 || id === "" || !seen.has(id)) {
      seen.add(id);
      return row;
    }
    return ["", ...row.slice(1)];
  });
}

/** A spreadsheet as a person would have typed the grid in: numbers and dates become typed cells. */
function typedSheet(id: string, grid: string[][]): FakeSpreadsheet {
  h.server.spreadsheets.delete(id);
  const ss = h.server.create(id);
  const sheet = ss.addSheet("Deals", [], { rowCount: grid.length + 20, columnCount: Math.max(26, (grid[0] ?? []).length) });
  grid.forEach((row, r) =>
    row.forEach((text, c) => {
      if (text === "") return;
      const e = userEntered(text);
      sheet.set(r, c, e.v, e.formula);
      if (e.numberFormat) sheet.formats.set(`${r},${c}`, { numberFormat: e.numberFormat });
    }),
  );
  // The team's own things pipesheet must leave alone.
  sheet.conditionalFormats.push({
    ranges: [{ sheetId: sheet.props.sheetId, startRowIndex: 1, endRowIndex: 50, startColumnIndex: 5, endColumnIndex: 6 }],
    booleanRule: { condition: { type: "NUMBER_GREATER", values: [{ userEnteredValue: "50000" }] }, format: { backgroundColor: { green: 1 } } },
  });
  ss.addSheet("Notes", [["Call Acme on Monday", 42]]);
  return ss;
}

const apply = (id: string, extra: string[] = []) => runInProcess(["apply", `gsheet:${id}#Deals`, "--key", h.keyFile, "--today", TODAY, ...extra], h.env);

/** Everything the fake holds, in a form two runs can be compared by. */
function snapshot(ss: FakeSpreadsheet): unknown {
  return ss.sheets.map((s) => ({
    title: s.props.title,
    hidden: Boolean(s.props.hidden),
    grid: ss.grid(s.props.title),
    rules: s.conditionalFormats,
    charts: s.charts.map((c) => ({ ...c, chartId: undefined })),
    bandings: s.bandedRanges.map((b) => ({ ...b, bandedRangeId: undefined })),
    filter: s.basicFilter,
    validations: [...s.validations].sort(([a], [b]) => a.localeCompare(b)),
    formats: [...s.formats].sort(([a], [b]) => a.localeCompare(b)),
    formulas: [...s.formulas],
  }));
}

describe("apply on a Google Sheet", () => {
  let ss: FakeSpreadsheet;
  const grid = uniqueIds(samplePipeline());
  beforeEach(() => {
    ss = typedSheet("S1", grid);
    h.server.resetCounts();
  });

  it("reads once, writes in one batchUpdate, and fills the cells core planned", async () => {
    const before = ss.grid("Deals");
    const r = await apply("S1", ["--run", "setup"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(h.server.calls.map((c) => c.method)).toEqual(["spreadsheets.get", "values.batchGet", "spreadsheets.batchUpdate"]);
    expect(h.server.calls.every((c) => c.bytes <= 1_900_000)).toBe(true);
    expect(r.stdout).toMatch(/Applied to gsheet:S1#Deals in 3 requests \(1 batchUpdate\)/);

    const plan = run({ sheetName: "Deals", deals: before as Grid, settings: null, log: null, sheetNames: ["Deals", "Notes"] }, { command: "setup", today: TODAY });
    const after = ss.grid("Deals");
    for (const c of plan.columns) {
      if (c.created) expect(after[plan.headerRow]?.[c.col]).toBe(c.header);
      c.values.forEach((v, i) => {
        if (c.mode === "fill" && (v === null || v === undefined)) return;
        expect(after[plan.headerRow + 1 + i]?.[c.col] ?? "").toEqual(v ?? "");
      });
    }
    // Nothing outside pipesheet's columns changed.
    const owned = new Set(plan.columns.map((c) => c.col));
    before.forEach((row, r) => row.forEach((v, c) => owned.has(c) || expect(after[r]?.[c]).toEqual(v)));
    expect(ss.grid("Notes")).toEqual([["Call Acme on Monday", 42]]);
    expect(ss.sheet("Deals").formulas.size).toBe(0);
  });

  it("adds its rule beside the team's, the drop-downs, the tabs and the chart", async () => {
    await apply("S1", ["--run", "setup"]);
    expect(ss.sheets.map((s) => s.props.title)).not.toContain("Pipeline Review");
    await apply("S1", ["--run", "review"]);
    const deals = ss.sheet("Deals");
    const own = deals.conditionalFormats.filter((r) => JSON.stringify(r).includes(RULE_PREFIX));
    expect(own).toHaveLength(1);
    expect(deals.conditionalFormats).toHaveLength(2);
    expect(own[0].booleanRule.condition.values[0].userEnteredValue).toMatch(/^=AND\(N\("pipesheet:stuck"\)=0,/);
    const stageRule = deals.validations.get("1,3");
    expect(stageRule.condition.type).toBe("ONE_OF_LIST");
    expect(stageRule.strict).toBe(false);
    expect(stageRule.condition.values.map((v: { userEnteredValue: string }) => v.userEnteredValue)).toContain("Negotiation");
    expect(ss.sheets.map((s) => [s.props.title, Boolean(s.props.hidden)])).toEqual([
      ["Deals", false],
      ["Notes", false],
      ["Pipeline Settings", false],
      ["Pipeline Log", true],
      // Set-up's activity log, as the sheet had none of its own.
      ["Activities", false],
      ["Pipeline Review", false],
    ]);
    expect(ss.grid("Pipeline Review")[0]?.[0]).toBe("Pipeline Review");
  });

  it("writes the review as the dashboard core plans: both charts, every table banded, the stuck list filtered, names linked", async () => {
    await apply("S1", ["--run", "setup"]);
    const before = ss.grid("Deals");
    await apply("S1", ["--run", "review"]);
    const names = ss.sheets.map((s) => s.props.title);
    const plan = run(
      { sheetName: "Deals", deals: before as Grid, settings: ss.grid("Pipeline Settings") as Grid, log: ss.grid("Pipeline Log") as Grid, sheetNames: names },
      { command: "review", today: TODAY },
    );
    const tab = plan.tabs.find((t) => t.name === "Pipeline Review");
    const review = ss.sheet("Pipeline Review");
    const rangeOf = (g: { startRowIndex: number; endRowIndex: number; startColumnIndex: number; endColumnIndex: number }): string =>
      `${colName(g.startColumnIndex)}${g.startRowIndex + 1}:${colName(g.endColumnIndex - 1)}${g.endRowIndex}`;
    // The funnel as bars, then the forecast by month as columns, each at its anchor and size (points as pixels).
    const specs = [tab?.chart, ...(tab?.charts ?? [])];
    expect(review.charts.map((c) => c.spec.basicChart.chartType)).toEqual(["BAR", "COLUMN"]);
    review.charts.forEach((c, i) => {
      const spec = specs[i];
      const at = c.position.overlayPosition;
      expect(`${colName(at.anchorCell.columnIndex)}${at.anchorCell.rowIndex + 1}`).toBe(spec?.anchor);
      expect(at.heightPixels).toBe(Math.round(((spec?.height ?? 0) * 4) / 3));
      expect(rangeOf(c.spec.basicChart.series[0].series.sourceRange.sources[0])).toBe(spec?.values);
    });
    // Every table banded, none overlapping; the one basic filter on the stuck list.
    expect(review.bandedRanges.map((b) => rangeOf(b.range))).toEqual(tab?.tables?.map((t) => t.range));
    expect(rangeOf(review.basicFilter?.range)).toBe(tab?.tables?.find((t) => t.name.endsWith("Stuck"))?.range);
    // Each stuck deal's name links to its row on the deals sheet, and keeps its text.
    const links = tab?.links ?? [];
    expect(links.filter((l) => l.sheet === "Deals").length).toBeGreaterThan(0);
    const grid = ss.grid("Pipeline Review");
    for (const l of links) {
      const at = parseA1(l.cell) ?? { row: -1, col: -1 };
      expect(review.formats.get(`${at.row},${at.col}`)?.textFormat?.link?.uri).toBe(`#gid=${ss.sheet(l.sheet).props.sheetId}&range=${l.target}`);
      const text = grid[at.row]?.[at.col];
      expect(typeof text === "string" && text !== "").toBe(true);
      if (l.sheet === "Deals") expect(ss.grid("Deals")[(parseA1(l.target) ?? { row: -1 }).row]).toContain(text);
    }
  });

  it("a second run replaces its own rule and chart and leaves the team's", async () => {
    await apply("S1", ["--run", "setup"]);
    await apply("S1", ["--run", "review"]);
    const once = snapshot(ss);
    h.server.resetCounts();
    const r = await apply("S1", ["--run", "review"]);
    expect(r.code).toBe(0);
    expect(h.server.count("values.batchGet")).toBe(1);
    expect(h.server.count("spreadsheets.batchUpdate")).toBe(1);
    expect(snapshot(ss)).toEqual(once);
    const sent = h.server.calls.find((c) => c.method === "spreadsheets.batchUpdate")?.body.requests as Record<string, unknown>[];
    expect(sent.filter((q) => q.deleteConditionalFormatRule).map((q) => q.deleteConditionalFormatRule)).toEqual([{ sheetId: 0, index: 0 }]);
    expect(sent.filter((q) => q.deleteEmbeddedObject)).toHaveLength(2);
    expect(sent.filter((q) => q.deleteBanding)).toHaveLength(ss.sheet("Pipeline Review").bandedRanges.length);
    expect(sent.filter((q) => q.addSheet)).toHaveLength(0);
  });

  it("--dry-run reads and plans but sends no write", async () => {
    const before = snapshot(ss);
    const r = await apply("S1", ["--run", "setup", "--dry-run"]);
    expect(r.stdout).toMatch(/Dry run: would send 1 batchUpdate request to gsheet:S1#Deals; nothing written\./);
    expect(h.server.calls.map((c) => c.method)).toEqual(["spreadsheets.get", "values.batchGet"]);
    expect(snapshot(ss)).toEqual(before);
  });

  it("prints the review for --run review", async () => {
    const r = await apply("S1");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").every((l) => l.length <= 80)).toBe(true);
    expect(r.stdout).toMatch(/Pipeline Review/);
  });

  it("explains a tab that does not exist", async () => {
    const r = await runInProcess(["apply", "gsheet:S1#Nope", "--key", h.keyFile, "--today", TODAY], h.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no tab "Nope" in spreadsheet S1 \(tabs: Deals, Notes\)/);
  });
});

describe("apply on a big sheet", () => {
  const big = uniqueIds(syntheticGrid(5000, 7));

  it("packs the plan into bodies under 2 MB, non-repeatable requests first", async () => {
    const ss = typedSheet("BIG", big);
    h.server.resetCounts();
    const r = await apply("BIG", ["--run", "setup"]);
    expect(r.code).toBe(0);
    const bodies = h.server.calls.filter((c) => c.method === "spreadsheets.batchUpdate");
    expect(bodies.length).toBeGreaterThan(1);
    const total = bodies.reduce((n, c) => n + c.bytes, 0);
    expect(bodies.every((c) => c.bytes <= 1_900_000)).toBe(true);
    // As few as the guidance allows: no more than one body beyond the bytes divided by the limit, plus the first.
    expect(bodies.length).toBeLessThanOrEqual(Math.ceil(total / 1_700_000) + 1);
    const once = new Set(["addSheet", "appendDimension", "addConditionalFormatRule", "deleteConditionalFormatRule", "addChart", "deleteEmbeddedObject", "appendCells"]);
    for (const b of bodies.slice(1)) for (const q of b.body.requests as Record<string, unknown>[]) for (const k of Object.keys(q)) expect(once.has(k)).toBe(false);
    expect(ss.grid("Deals").length).toBe(5001);
  });

  it("converges when a run is cut off at any request and run again", { timeout: 300_000 }, async () => {
    const clean = typedSheet("CLEAN", big);
    await apply("CLEAN", ["--run", "setup"]);
    const want = snapshot(clean);
    h.server.resetCounts();
    typedSheet("CUT", big);
    await apply("CUT", ["--run", "setup"]);
    const total = h.server.count();
    let stopped = 0;
    for (let k = 1; k <= total; k++) {
      for (const kind of ["drop-after", "500"] as const) {
        const ss = typedSheet("CUT", big);
        h.server.resetCounts();
        h.server.failAt(k, kind);
        // A fault on a read or a repeatable write is retried; on the first (non-repeatable) body it ends the run.
        const first = await apply("CUT", ["--run", "setup"]);
        h.server.faults.length = 0;
        const second = await apply("CUT", ["--run", "setup"]);
        expect(second.code).toBe(0);
        if (first.code !== 0) {
          stopped++;
          expect(first.stderr).toMatch(/run the same command again|safe to repeat/);
        }
        expect(snapshot(ss)).toEqual(want);
      }
    }
    // The first body is never retried, so both faults on it stopped a run; the rest were retried.
    expect(stopped).toBe(2);
  });
});

describe("cell values sent", () => {
  it("never sends a formula: text from the sheet that looks like one stays text", async () => {
    const ss = typedSheet("F1", uniqueIds(samplePipeline()).slice(0, 41));
    // A CRM export put this text into the deal name; it is text in the sheet, not a formula.
    ss.sheet("Deals").set(1, 1, "=IMPORTXML(\"http://x\")" as Value);
    await apply("F1", ["--run", "setup"]);
    const body = JSON.stringify(h.server.calls.filter((c) => c.method === "spreadsheets.batchUpdate").map((c) => c.body));
    expect(body).not.toContain("formulaValue");
    expect(ss.sheet("Deals").formulas.size).toBe(0);
  });
});
