// The Excel adapter against the strict model: round trips, payload sizes, what lands in the cells, rules, chart.
import { describe, expect, it } from "vitest";
import { samplePipeline, syntheticGrid } from "../samples/generate.js";
import { excelValueOf } from "../excel-addin/adapter/apply.js";
import { discover, runCommand, type CommandResult } from "../excel-addin/adapter/command.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";
import type { ModelOptions } from "./fakes/excel/model.js";

const TODAY = "2026-11-26";
const MiB = 1024 * 1024;

function workbook(grid: string[][], options?: ModelOptions): WorkbookModel {
  const m = newWorkbook(options);
  m.load("Deals", grid);
  return m;
}

async function command(m: WorkbookModel, name: "setup" | "score" | "review"): Promise<CommandResult> {
  const host = hostFor(m);
  const d = await discover(host);
  m.resetStats();
  return runCommand(host, { command: name, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: TODAY });
}

describe("round trips", () => {
  // One read, the writes, one closing round trip; more only for each further ~4 MB of cells.
  const sizes = [100, 100_000];
  for (const rows of sizes) {
    it(`${rows} deals: a fixed 3 round trips plus one per 4 MB chunk, none over 4 MB`, async () => {
      const m = workbook(syntheticGrid(rows));
      for (const name of ["setup", "score", "review"] as const) {
        const r = await command(m, name);
        const s = m.stats;
        expect(s.syncs, name).toBe(r.syncs);
        const readExtra = r.read.syncs - 1;
        const writeChunks = r.apply?.chunks ?? 0;
        // The fixed part is the same at every size; each chart is drawn in a round trip of its own.
        const charts = r.plan.tabs.reduce((n, t) => n + (t.chart ? 1 : 0) + (t.charts?.length ?? 0), 0);
        expect(s.syncs - readExtra - (writeChunks - 1) - charts, name).toBe(3);
        for (const b of s.requestBytes) expect(b).toBeLessThanOrEqual(4 * MiB);
        for (const b of s.responseBytes) expect(b).toBeLessThanOrEqual(5 * MiB);
        // Chunks are full: no more than one beyond what the bytes need.
        const writeBytes = s.requestBytes.slice(r.read.syncs, r.read.syncs + writeChunks).reduce((a, b) => a + b, 0);
        expect(writeChunks).toBeLessThanOrEqual(Math.ceil(writeBytes / (4 * MiB)) + 1);
        const readBytes = s.responseBytes.slice(1, r.read.syncs).reduce((a, b) => a + b, 0);
        expect(readExtra).toBeLessThanOrEqual(Math.ceil(readBytes / (3 * MiB)));
        if (rows === 100) expect(s.syncs, name).toBe(3 + charts);
        else expect(writeChunks + readExtra, name).toBeGreaterThan(2);
        // Calculation suspended for every write chunk, screen updating once; the add-in's own writes raise no events.
        expect(s.calcSuspended).toBe(writeChunks);
        expect(s.screenSuspended).toBe(writeChunks > 0 ? 1 : 0);
        expect(s.writesWithEventsOn).toBe(0);
      }
    });
  }
});

describe("what lands in the workbook", () => {
  it("writes every owned column exactly as the plan says, leaving fill-mode blanks alone", async () => {
    const m = workbook(samplePipeline().slice(0, 200 + 1));
    const r = await command(m, "setup");
    const sheet = m.sheet("Deals");
    const plan = r.plan;
    expect(plan.columns.length).toBeGreaterThan(5);
    for (const c of plan.columns) {
      if (c.created) expect(sheet?.value(plan.headerRow, c.col), c.key).toBe(c.header);
      if (c.mode === "header") continue;
      for (let i = 0; i < plan.rowCount; i++) {
        const v = c.values[i];
        if (c.mode === "fill" && (v === null || v === undefined)) continue;
        if (c.formulas === true && typeof v === "string") expect(sheet?.formula(plan.headerRow + 1 + i, c.col), `${c.key} row ${i}`).toBe(v);
        else expect(sheet?.value(plan.headerRow + 1 + i, c.col), `${c.key} row ${i}`).toEqual(excelValueOf(v));
        if (c.numberFormat) expect(sheet?.numberFormat(plan.headerRow + 1 + i, c.col)).toBe(c.numberFormat);
      }
    }
  });

  it("keeps text as text: formulas, signs, numbers and dates in sheet text are not reinterpreted", async () => {
    const grid = samplePipeline().slice(0, 20 + 1);
    const header = grid[0] as string[];
    const next = header.indexOf("Next step");
    const stage = header.indexOf("Stage");
    const tricky = ["=HYPERLINK(\"http://x\")", "- call back Monday", "+44 20 7946 0000", "00123", "2026-12-01", "TRUE", "12%"];
    tricky.forEach((t, i) => {
      const row = grid[i + 1] as string[];
      row[next] = `'${t}`;
      row[stage] = "Proposal";
    });
    const m = workbook(grid);
    const r = await command(m, "score");
    const task = r.plan.columns.find((c) => c.key === "nextTask");
    expect(task).toBeDefined();
    const sheet = m.sheet("Deals");
    tricky.forEach((_, i) => {
      const want = task?.values[i];
      expect(sheet?.value(r.plan.headerRow + 1 + i, task?.col ?? -1)).toBe(want);
      expect(sheet?.formula(r.plan.headerRow + 1 + i, task?.col ?? -1)).toBeUndefined();
    });
  });

  it("replaces its own conditional format and drop-downs on every run and keeps the team's", async () => {
    const m = workbook(samplePipeline().slice(0, 50 + 1));
    const deals = m.sheet("Deals");
    if (!deals) throw new Error("no sheet");
    const user = { id: 999, rect: { r0: 1, c0: 4, r1: 50, c1: 4 }, type: "CellValue" as const, formula: "=10000", operator: "GreaterThan", fill: "#00FF00", fontColor: null, stopIfTrue: false };
    deals.cfs.push(user);
    for (const name of ["setup", "score", "score", "review"] as const) await command(m, name);
    const own = deals.cfs.filter((cf) => cf.formula.includes("pipesheet:"));
    expect(own).toHaveLength(1);
    expect(own[0]?.fill).toBe("#FDE7E9");
    expect(deals.cfs).toContainEqual(user);
    const stageCol = (m.sheet("Deals")?.values[0] ?? []).indexOf("Stage");
    const dv = deals.validationOf({ r0: 1, c0: stageCol, r1: 50, c1: stageCol });
    expect(typeof dv === "object" && dv.rule).toMatchObject({ list: { inCellDropDown: true } });
    expect(typeof dv === "object" && dv.errorAlert.style).toBe("Warning");
    expect(typeof dv === "object" && dv.prompt.title).toBe("pipesheet:stage");
  });

  it("draws a funnel on the review tab, replacing its previous one, and keeps a chart the team added", async () => {
    const m = workbook(samplePipeline().slice(0, 80 + 1));
    await command(m, "review");
    const review = m.sheet("Pipeline Review");
    if (!review) throw new Error("no review tab");
    review.charts.push({ id: 5000, name: "Team chart", type: "Pie", source: { r0: 0, c0: 0, r1: 3, c1: 1 }, xValues: null, title: "", anchor: null, width: 1, height: 1 });
    const r = await command(m, "review");
    const own = review.charts.filter((c) => c.name === "pipesheet:review");
    expect(own).toHaveLength(1);
    expect(own[0]?.type).toBe("Funnel");
    expect(review.charts.map((c) => c.name)).toContain("Team chart");
    expect(r.apply?.chart).toBe("funnel");
    expect(m.activeSheetId).toBe(review.id);
  });

  const fallbacks: [string, ModelOptions][] = [
    ["a host below ExcelApi 1.9", { apiSets: { ExcelApi: "1.8" } }],
    ["a host that refuses funnel charts", { funnel: false }],
  ];
  for (const [name, options] of fallbacks) {
    it(`falls back to a bar chart on ${name}`, async () => {
      const m = workbook(samplePipeline().slice(0, 80 + 1), options);
      const r = await command(m, "review");
      expect(r.apply?.chart).toBe("bar");
      expect(m.sheet("Pipeline Review")?.charts.map((c) => c.type)).toEqual(["BarClustered", "ColumnClustered"]);
    });
  }

  it("creates the log tab hidden and appends below it on later runs", async () => {
    const m = workbook(samplePipeline().slice(0, 30 + 1));
    await command(m, "setup");
    const log = m.sheet("Pipeline Log");
    expect(log?.visibility).toBe("Hidden");
    const before = log?.usedRect(true)?.r1 ?? 0;
    const deals = m.sheet("Deals");
    const stageCol = (deals?.values[0] ?? []).indexOf("Stage");
    deals?.write(1, stageCol, "Negotiation");
    const r = await command(m, "score");
    expect(r.plan.logAppend.length).toBeGreaterThan(0);
    expect(log?.usedRect(true)?.r1).toBe(before + r.plan.logAppend.length);
    expect(log?.values[before + 1]?.[2]).toBe("Negotiation");
  });
});
