// The review tab as a dashboard, read back from the strict Excel model: tiles, the funnel and forecast charts
// beside their tables, every table a real Excel table, stuck deals linked to their rows, formats in place.
import { describe, expect, it } from "vitest";
import { samplePipeline, SAMPLE_TODAY } from "../samples/generate.js";
import { discover, runCommand, type CommandResult } from "../excel-addin/adapter/command.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";
import { parseAddress } from "./fakes/excel/address.js";
import type { SheetModel } from "./fakes/excel/model.js";

async function command(m: WorkbookModel, name: "setup" | "review"): Promise<CommandResult> {
  const host = hostFor(m);
  const d = await discover(host);
  return runCommand(host, { command: name, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: SAMPLE_TODAY });
}

const colA = (s: SheetModel): string[] => s.values.map((r) => String(r[0] ?? ""));
const rowStarting = (s: SheetModel, text: string): number => colA(s).findIndex((t) => t.startsWith(text));

describe("the review tab in Excel", () => {
  const m = newWorkbook();
  m.load("Deals", samplePipeline());
  let review: SheetModel;
  let result: CommandResult;

  it("is written with two charts, and a second review replaces them and its tables", async () => {
    await command(m, "setup");
    await command(m, "review");
    result = await command(m, "review");
    const tab = m.sheet("Pipeline Review");
    if (!tab) throw new Error("no review tab");
    review = tab;
    expect(review.charts.map((c) => c.type).sort()).toEqual(["ColumnClustered", "Funnel"]);
    expect(review.tables.length).toBe(result.plan.tabs.find((t) => t.name === "Pipeline Review")?.tables?.length);
    expect(m.activeSheetId).toBe(review.id);
  });

  it("leads with six tiles in columns A–F, each figure formatted", () => {
    expect(review.values[3]?.slice(0, 6)).toEqual(["Open pipeline (USD)", "Weighted (USD)", "Win rate", "Sales cycle", "Stuck deals", "Coverage"]);
    const figures = review.values[4] ?? [];
    for (let c = 0; c < 5; c++) expect(typeof figures[c], `tile ${c}`).toBe("number");
    expect(review.numberFormat(4, 0)).toBe("#,##0");
    expect(review.numberFormat(4, 2)).toBe("0%");
    expect(review.numberFormat(4, 3)).toBe('0.0 "days"');
    expect(review.style(4, 0).bold).toBe(true);
  });

  it("draws the funnel of deals that reached each stage right of the stage table, from Stage and Reached", () => {
    const funnel = review.charts.find((c) => c.type === "Funnel");
    const heading = rowStarting(review, "Funnel");
    expect(funnel?.anchor).toMatchObject({ r0: heading, c0: 6 });
    const src = funnel?.source;
    if (!src) throw new Error("no source");
    expect([src.c0, src.c1]).toEqual([0, 1]);
    expect(review.value(src.r0 - 1, 0)).toBe("Stage");
    expect(review.value(src.r0 - 1, 1)).toBe("Reached");
    const reached = Array.from({ length: src.r1 - src.r0 + 1 }, (_, i) => review.value(src.r0 + i, 1) as number);
    expect(reached.length).toBeGreaterThan(3);
    // Deals that reached a stage also reached every stage before it.
    for (let i = 1; i < reached.length; i++) expect(reached[i]).toBeLessThanOrEqual(reached[i - 1] as number);
    // Nothing of the tables sits under the chart: columns A–F hold them, the chart starts at G.
    expect(Math.max(...review.values.slice(heading, heading + 14).map((r) => r.slice(6).filter((v) => v !== "").length))).toBe(0);
  });

  it("charts the weighted forecast by month beside its table", () => {
    const chart = review.charts.find((c) => c.type === "ColumnClustered");
    const heading = rowStarting(review, "Weighted forecast by close month");
    expect(chart?.anchor).toMatchObject({ r0: heading, c0: 6 });
    expect(chart?.source.c0).toBe(3);
    expect(chart?.xValues?.c0).toBe(0);
    expect(review.value(heading + 1, 0)).toBe("Close month");
  });

  it("makes every table a real Excel table over its header and rows", () => {
    const names = review.tables.map((t) => t.name);
    for (const n of ["PipesheetStages", "PipesheetForecast", "PipesheetOwners", "PipesheetConversion"]) expect(names).toContain(n);
    for (const t of review.tables) {
      const header = Array.from({ length: t.rect.c1 - t.rect.c0 + 1 }, (_, c) => review.value(t.rect.r0, t.rect.c0 + c));
      expect(header.every((h) => typeof h === "string" && h !== ""), t.name).toBe(true);
      expect(t.rect.r1).toBeGreaterThan(t.rect.r0);
    }
  });

  it("links each stuck deal's name to its row on the deals sheet", () => {
    const deals = m.sheet("Deals");
    const plan = result.plan.tabs.find((t) => t.name === "Pipeline Review");
    const links = plan?.links?.filter((l) => l.sheet === "Deals") ?? [];
    expect(links.length).toBeGreaterThan(5);
    const nameCol = (deals?.values[0] ?? []).indexOf("Deal name");
    for (const l of links) {
      const at = parseAddress(l.cell)?.rect;
      if (!at || !deals) throw new Error("bad link");
      const link = review.link(at.r0, at.c0);
      expect(link?.documentReference).toBe(`'Deals'!${l.target}`);
      const row = Number(l.target.slice(1)) - 1;
      expect(review.value(at.r0, at.c0)).toBe(deals.value(row, nameCol));
    }
  });

  it("keeps a long stuck list out of the weekly figures, with a link down to it", () => {
    const stuck = rowStarting(review, "Stuck deals");
    const monthly = colA(review).indexOf("Monthly");
    const notes = colA(review).indexOf("Notes");
    expect(stuck).toBeGreaterThan(monthly);
    expect(stuck).toBeLessThan(notes);
    const pointer = colA(review).findIndex((t) => /stuck deals: the list is at the end/.test(t));
    expect(pointer).toBeGreaterThan(0);
    expect(pointer).toBeLessThan(monthly);
    expect(review.link(pointer, 0)?.documentReference).toBe(`'Pipeline Review'!A${stuck + 1}`);
  });
});
