// The adapter against failures real Excel has and the plain model did not show: each fault is modelled in the
// strict fake first (a test of the fake proves it fails the old way), then the adapter is held to surviving it.
import { describe, expect, it } from "vitest";
import { samplePipeline } from "../samples/generate.js";
import { discover, runCommand, type CommandResult } from "../excel-addin/adapter/command.js";
import { describeError } from "../excel-addin/taskpane/messages.js";
import { hostFor, newWorkbook, OfficeError, PAYLOAD_LIMIT, type WorkbookModel } from "./fakes/excel/index.js";
import { createHost } from "./fakes/excel/host.js";
import type { CfModel, ModelOptions } from "./fakes/excel/model.js";
import type { Context } from "./fakes/excel/api.js";

const TODAY = "2026-11-26";

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

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return String((e as { code?: string }).code);
  }
  return "no error";
};

/** A CRM export 2,000 rows deep and wide: every cell holds 60 characters of text, 6 MB in all. */
function wideExport(): string[][] {
  const base = samplePipeline(2000);
  return base.map((row, r) => [...row, ...Array.from({ length: 50 }, (_, c) => (r === 0 ? `Extra ${c + 1}` : `note ${r}-${c} `.padEnd(60, "x")))]);
}

describe("the first read of a sheet wider than 5 MB", () => {
  it("the model refuses 2,000 such rows in one response, as Excel on the web does", async () => {
    const m = workbook(wideExport());
    const run = createHost(m).Excel.run;
    const code = await codeOf(
      run(async (ctx: Context) => {
        ctx.workbook.worksheets.getItem("Deals").getRange("A1:BS2000").load("values");
        await ctx.sync();
      }),
    );
    expect(code).toBe("ResponsePayloadSizeLimitExceeded");
  });

  it("is read in smaller blocks, every response under the limit, and the command completes", async () => {
    const m = workbook(wideExport());
    const r = await command(m, "score");
    expect(r.read.input.deals).toHaveLength(2001);
    expect(r.read.input.deals[2000]?.[68]).toMatch(/^note 2000-49 /);
    // The first, full-size answer is refused (as Excel on the web would); every one after it fits.
    const [refused, ...rest] = m.stats.responseBytes;
    expect(refused).toBeGreaterThan(PAYLOAD_LIMIT);
    for (const b of rest) expect(b).toBeLessThanOrEqual(PAYLOAD_LIMIT);
  });
});

describe("the funnel chart", () => {
  it("the model refuses a funnel's series and title after adding it (office-js-docs#910)", async () => {
    const m = workbook([["Stage", "Reached"], ["Prospecting", 10], ["Proposal", 5]] as never);
    const run = createHost(m).Excel.run;
    const code = await codeOf(
      run(async (ctx: Context) => {
        const ws = ctx.workbook.worksheets.getItem("Deals");
        const chart = ws.charts.add("Funnel", ws.getRange("B2:B3"), "Columns");
        chart.title.text = "Funnel";
        await ctx.sync();
      }),
    );
    expect(code).toBe("UnsupportedOperation");
    // The add itself went through: this is the chart that was left behind, unnamed.
    expect(m.sheet("Deals")?.charts.map((c) => c.type)).toEqual(["Funnel"]);
  });

  it("is drawn from the stage and reached columns without touching series or title, and runs leave one chart", async () => {
    const m = workbook(samplePipeline(120));
    for (let i = 0; i < 3; i++) {
      const r = await command(m, "review");
      expect(r.apply?.chart).toBe("funnel");
    }
    const charts = m.sheet("Pipeline Review")?.charts ?? [];
    expect(charts.filter((c) => c.type === "Funnel")).toHaveLength(1);
    expect(charts.every((c) => c.name.startsWith("pipesheet:"))).toBe(true);
    const funnel = charts.find((c) => c.type === "Funnel");
    // Categories and values side by side: the funnel takes its labels from the first column.
    expect(funnel && funnel.source.c1 - funnel.source.c0).toBe(1);
  });

  it("falls back to a bar chart with the first stage on top", async () => {
    const m = workbook(samplePipeline(120), { funnel: false });
    const r = await command(m, "review");
    expect(r.apply?.chart).toBe("bar");
    const charts = m.sheet("Pipeline Review")?.charts ?? [];
    const bars = charts.filter((c) => c.type === "BarClustered");
    expect(bars).toHaveLength(1);
    expect(bars[0]?.reversed).toBe(true);
    expect(charts.filter((c) => c.type === "Funnel")).toHaveLength(0);
  });

  it("when no chart can be drawn at all, the review is still written, events are back on, and the pane is told", async () => {
    const m = workbook(samplePipeline(120), { charts: false });
    const r = await command(m, "review");
    expect(r.apply?.chart).toBeNull();
    expect(r.apply?.notes.join(" ")).toMatch(/chart/i);
    expect(m.eventsEnabled).toBe(true);
    expect(m.sheet("Pipeline Review")?.value(0, 0)).toBe("Pipeline Review");
    expect(m.sheet("Pipeline Review")?.charts).toHaveLength(0);
  });
});

describe("the team's conditional formats", () => {
  const theirs = (id: number, formula: string): CfModel => ({ id, rect: { r0: 1, c0: 4, r1: 60, c1: 4 }, type: "CellValue", formula, operator: "GreaterThan", fill: "#00FF00", fontColor: null, stopIfTrue: false });

  it("the model fails to read the details of two cell-value rules on one range (office-js#6827)", async () => {
    const m = workbook(samplePipeline(60));
    m.sheet("Deals")?.cfs.push(theirs(9001, "=10000"), theirs(9002, "=50000"));
    const run = createHost(m).Excel.run;
    const details = await codeOf(
      run(async (ctx: Context) => {
        ctx.workbook.worksheets.getItem("Deals").getRange().conditionalFormats.load("items/type,items/customOrNullObject/rule/formula");
        await ctx.sync();
      }),
    );
    expect(details).toBe("GeneralException");
    const ids = await codeOf(
      run(async (ctx: Context) => {
        ctx.workbook.worksheets.getItem("Deals").getRange().conditionalFormats.load("items/type,items/id");
        await ctx.sync();
      }),
    );
    expect(ids).toBe("no error");
  });

  it("the model fails to delete a rule that shares cells with another (office-js#5222)", async () => {
    const m = workbook(samplePipeline(60));
    const deals = m.sheet("Deals");
    deals?.cfs.push(theirs(9001, "=10000"), { ...theirs(9002, "=1"), type: "Custom", formula: '=N("x")=0', rect: { r0: 1, c0: 0, r1: 60, c1: 10 } });
    const run = createHost(m).Excel.run;
    const code = await codeOf(
      run(async (ctx: Context) => {
        ctx.workbook.worksheets.getItem("Deals").getRange().conditionalFormats.getItem("9002").delete();
        await ctx.sync();
      }),
    );
    expect(code).toBe("ItemNotFound");
  });

  for (const api of ["1.9", "1.17"]) {
    it(`reads and replaces only its own rule beside two of the team's (ExcelApi ${api})`, async () => {
      const m = workbook(samplePipeline(60), { apiSets: { ExcelApi: api } });
      const deals = m.sheet("Deals");
      if (!deals) throw new Error("no sheet");
      const mine = [theirs(9001, "=10000"), theirs(9002, "=50000")];
      deals.cfs.push(...mine.map((c) => ({ ...c })));
      for (const name of ["setup", "score", "review", "score"] as const) await command(m, name);
      const own = deals.cfs.filter((cf) => cf.formula.includes("pipesheet:"));
      expect(own).toHaveLength(1);
      expect(own[0]?.fill).toBe("#FDE7E9");
      for (const t of mine) expect(deals.cfs).toContainEqual(t);
    });
  }

  it("grows its rule with the sheet when the rule cannot be deleted", async () => {
    const m = workbook(samplePipeline(60), { apiSets: { ExcelApi: "1.17" } });
    const deals = m.sheet("Deals");
    if (!deals) throw new Error("no sheet");
    deals.cfs.push(theirs(9001, "=10000"));
    await command(m, "setup");
    const more = samplePipeline(900).slice(61);
    more.forEach((row, i) => row.forEach((v, c) => v !== "" && deals.write(61 + i, c, v)));
    await command(m, "score");
    const own = deals.cfs.filter((cf) => cf.formula.includes("pipesheet:"));
    expect(own).toHaveLength(1);
    expect(own[0]?.rect.r1).toBeGreaterThanOrEqual(900);
  });

  it("says a rule could not be changed, not that a sheet was renamed, when Excel reports ItemNotFound on a rule", () => {
    const said = describeError(new OfficeError("ItemNotFound", "Item Not Found.", "ConditionalFormat.delete"));
    expect(said).toMatch(/conditional format/i);
    expect(said).not.toMatch(/renamed/);
  });
});

describe("screen updating", () => {
  it("is suspended once for the whole write, not once per chunk (per-chunk calls make the window flicker)", async () => {
    const m = workbook(samplePipeline(60_000));
    const r = await command(m, "setup");
    expect(r.apply?.chunks).toBeGreaterThan(1);
    expect(m.stats.screenSuspended).toBe(1);
    expect(m.stats.calcSuspended).toBe(r.apply?.chunks);
  });
});

describe("closed deals", () => {
  it("leave score, grade, days in stage, stuck and next task blank", async () => {
    const m = workbook(samplePipeline(200));
    const r = await command(m, "score");
    const sheet = m.sheet("Deals");
    const header = sheet?.values[0] ?? [];
    const stage = header.indexOf("Stage");
    const cols = ["Score", "Grade", "Days in stage", "Stuck", "Next task"].map((h) => header.indexOf(h));
    expect(cols.every((c) => c >= 0)).toBe(true);
    let closed = 0;
    let open = 0;
    for (let i = 1; i <= r.plan.rowCount; i++) {
      const s = String(sheet?.value(i, stage));
      const cells = cols.map((c) => sheet?.value(i, c));
      if (/won|lost/i.test(s)) {
        closed++;
        expect(cells, `row ${i + 1}`).toEqual(["", "", "", "", ""]);
      } else if (s !== "") {
        open++;
        expect(typeof cells[0], `row ${i + 1}`).toBe("number");
      }
    }
    expect(closed).toBeGreaterThan(10);
    expect(open).toBeGreaterThan(10);
  });
});
