import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayFromIso, parseA1 } from "../core/a1.js";
import { computeMetrics, type PipelineMetrics } from "../core/metrics.js";
import { buildReview } from "../core/review.js";
import { renderReviewText } from "../cli/review-text.js";
import { DEFAULT_SETTINGS, type Settings } from "../core/settings.js";
import { TAB_REVIEW, type Cell, type Deal, type DealResult, type Problem, type TabWrite, type WinModelSummary } from "../core/types.js";
import { blankDeal } from "./helpers/deal.js";
import { dealResults } from "../core/results.js";

const TODAY_ISO = "2026-11-26";
const TODAY = dayFromIso(TODAY_ISO) as number;
const S = DEFAULT_SETTINGS.stages;

interface Row {
  stage: number;
  value?: number | null;
  owner?: string;
  name?: string;
  close?: number | null;
  created?: number | null;
  reason?: string;
  days?: number | null;
  stuck?: boolean;
  why?: string;
}

function deal(r: Row, i: number): Deal {
  return blankDeal({
    index: i,
    sheetRow: i + 2,
    id: `D${i + 1}`,
    name: r.name ?? `Deal ${i + 1}`,
    stageRaw: S[r.stage]?.name ?? "Mystery",
    stage: r.stage,
    value: r.value === undefined ? 1000 : r.value,
    owner: r.owner ?? "Ann",
    created: r.created ?? null,
    closeDate: r.close ?? null,
    lossReason: r.reason ?? "",
  });
}

function result(r: Row): DealResult {
  return {
    score: { score: 60, grade: "B", qualified: true, reasons: "", unknown: [], unrecognised: [] },
    win: null,
    daysInStage: r.days ?? null,
    threshold: 21,
    stuck: r.stuck ? { reasons: [r.why ?? "40 days in Proposal (limit 21)"], severity: "nudge", action: "Call the buyer and agree a date" } : null,
  };
}

const MODEL: WinModelSummary = {
  ready: true,
  closed: 240,
  needed: 30,
  message: "learned from 240 closed deals; on 60 held out: 72% right, Brier 0.18 vs 0.24 for the base rate",
  holdoutSize: 60,
  accuracy: 0.72,
  brier: 0.181,
  baselineBrier: 0.243,
  features: ["owner", "source"],
};

function metrics(rows: Row[], settings: Settings = DEFAULT_SETTINGS, model: WinModelSummary = MODEL): PipelineMetrics {
  return computeMetrics({
    deals: rows.map(deal),
    results: dealResults(rows.map(result)),
    settings,
    today: TODAY,
    transitions: [],
    winModel: model,
    present: { closeDate: true, lossReason: true },
    currency: "EUR",
  });
}

const ROWS: Row[] = [
  { stage: 0, value: 1200, close: TODAY + 20, created: TODAY - 3 },
  { stage: 2, value: 5000, owner: "Bob", stuck: true, days: 40, close: TODAY - 5 },
  { stage: 3, value: 8000, owner: "Bob", close: TODAY + 70, days: 3 },
  { stage: 3, value: 2500, stuck: true, days: 25 },
  { stage: 4, value: 20000, close: TODAY + 10 },
  { stage: 5, value: 9000, created: TODAY - 90, close: TODAY - 30 },
  { stage: 6, value: 4000, reason: "Price", created: TODAY - 60, close: TODAY - 20 },
  { stage: -1, value: 300 },
];

// ---- reading the grid back --------------------------------------------------------------------

const cell = (tab: TabWrite, ref: string): Cell => {
  const p = parseA1(ref);
  if (!p) throw new Error(`bad ref ${ref}`);
  return tab.values[p.row]?.[p.col];
};

function rangeCells(tab: TabWrite, range: string): Cell[] {
  const [a, b] = range.split(":");
  const from = parseA1(a ?? "");
  const to = parseA1(b ?? a ?? "");
  if (!from || !to) throw new Error(`bad range ${range}`);
  const out: Cell[] = [];
  for (let r = from.row; r <= to.row; r++) for (let c = from.col; c <= to.col; c++) out.push(tab.values[r]?.[c]);
  return out;
}

function covers(range: string, row: number, col: number): boolean {
  const [a, b] = range.split(":");
  const from = parseA1(a ?? "");
  const to = parseA1(b ?? a ?? "");
  return !!from && !!to && row >= from.row && row <= to.row && col >= from.col && col <= to.col;
}

const formatsAt = (tab: TabWrite, row: number, col: number) => tab.formats.filter((f) => covers(f.range, row, col));
const colA = (tab: TabWrite): string[] => tab.values.map((r) => String(r[0] ?? ""));
const rowOf = (tab: TabWrite, text: string | RegExp): number =>
  colA(tab).findIndex((t) => (typeof text === "string" ? t === text || t.startsWith(`${text} [`) : text.test(t)));

describe("buildReview", () => {
  const m = metrics(ROWS, { ...DEFAULT_SETTINGS, metrics: { ...DEFAULT_SETTINGS.metrics, target: 50_000 } });
  const tab = buildReview(m, TODAY_ISO);

  it("is the visible review tab, titled and dated", () => {
    expect(tab.name).toBe(TAB_REVIEW);
    expect(tab.hidden).toBe(false);
    expect(cell(tab, "A1")).toBe("Pipeline Review");
    expect(cell(tab, "A2")).toBe(`as of ${TODAY_ISO}`);
  });

  it("leads with six headline tiles in columns A–F: label, figure, basis", () => {
    const header = tab.values[3] ?? [];
    const values = tab.values[4] ?? [];
    expect(header.slice(0, 6)).toEqual(["Open pipeline (EUR)", "Weighted (EUR)", "Win rate", "Sales cycle", "Stuck deals", "Coverage"]);
    // Open: 1200 + 5000 + 8000 + 2500 + 20000; weighted at 5/20/40/40/70 %.
    expect(values.slice(0, 6)).toEqual([36700, 60 + 1000 + 3200 + 1000 + 14000, 0.5, m.cycle.days ?? "n/a", 2, m.coverage.ratio ?? "n/a"]);
    expect(tab.values[5]?.[2]).toBe("by count: 1 won, 1 lost");
    for (let c = 0; c < 6; c++) expect(formatsAt(tab, 4, c).some((f) => f.bold && f.fontSize === 16), `tile ${c}`).toBe(true);
  });

  it("groups the sections by cadence, each with its tables", () => {
    const at = (t: string): number => rowOf(tab, t);
    // The funnel and the monthly forecast first (each beside its chart), then the weekly figures with a short
    // stuck list after them, the monthly and quarterly ones.
    const order = ["Funnel: deals that reached each stage", "Weighted forecast by close month", "Weekly", "New leads", "Lead grades of open deals", "Stuck deals", "Monthly", "Key figures", "Weighted forecast by quarter", "Owners", "Loss reasons", "Leads per month", "Quarterly", "Pipeline coverage", "Stage conversion", "Average time in stage", "Unit economics", "Win likelihood model", "Notes"];
    const rows = order.map(at);
    expect(rows.every((r) => r > 0)).toBe(true);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    for (const label of ["Win rate", "Average deal size", "Sales cycle", "Sales velocity", "Lead response", "LTV", "CAC", "CAC payback", "Magic number"])
      expect(colA(tab).some((t) => t.startsWith(label)), label).toBe(true);
  });

  it("numbers every footnote once and explains each metric with its basis", () => {
    const notesAt = rowOf(tab, "Notes");
    const markers = new Set<number>();
    tab.values.slice(0, notesAt).forEach((r) =>
      r.forEach((c) => {
        for (const hit of String(c).matchAll(/\[(\d+)\]/g)) markers.add(Number(hit[1]));
      }),
    );
    const notes = colA(tab).slice(notesAt + 1).filter((t) => t !== "");
    expect(notes.length).toBeGreaterThan(10);
    expect(notes.map((t) => Number(/^\[(\d+)\] /.exec(t)?.[1]))).toEqual(notes.map((_, i) => i + 1));
    expect([...markers].sort((a, b) => a - b)).toEqual(notes.map((_, i) => i + 1));
    const text = notes.join("\n");
    for (const phrase of ["won deals ÷ (won + lost deals): 1 of 2", "from the sheet alone", "1 of 1 deal used", "value × the stage's win probability ÷ 100", "(target − value won in 2026-Q4"])
      expect(text).toContain(phrase);
  });

  it("charts the deals that reached each stage from the stage table's own cells, right of columns A–F", () => {
    const chart = tab.chart;
    expect(chart?.type).toBe("funnel");
    if (!chart) return;
    expect(rangeCells(tab, chart.categories)).toEqual(S.filter((s) => s.kind === "open").map((s) => s.name));
    const reached = new Map(m.conversion.rows.map((r) => [r.from, r.reached]));
    expect(rangeCells(tab, chart.values)).toEqual(m.pipeline.rows.map((r) => reached.get(r.stage) ?? r.count));
    // Side by side, as a funnel needs: Stage in A, Reached in B.
    expect(parseA1(chart.values.split(":")[0] ?? "")?.col).toBe(1);
    const anchor = parseA1(chart.anchor);
    const heading = rowOf(tab, "Funnel: deals that reached each stage");
    expect(anchor).toEqual({ row: heading, col: 6 });
    // Nothing under the chart: the 14 rows it covers hold cells in A–F only.
    for (const r of tab.values.slice(heading, heading + 14)) expect(r.slice(6).every((c) => c === "")).toBe(true);
    const forecast = tab.charts?.[0];
    expect(forecast?.type).toBe("column");
    expect(parseA1(forecast?.anchor ?? "")).toEqual({ row: rowOf(tab, "Weighted forecast by close month"), col: 6 });
    expect(rangeCells(tab, forecast?.values ?? "")).toEqual(m.forecast.byMonth.map((r) => r.weighted));
    // The funnel ends above the forecast chart at Excel's default row height (15 points), with room for taller heading rows.
    const gapRows = (parseA1(forecast?.anchor ?? "")?.row ?? 0) - (anchor?.row ?? 0);
    expect((chart.height ?? 260) + 10).toBeLessThanOrEqual(gapRows * 15);
  });

  it("marks every table for the host to make sortable, and links each stuck deal to its row", () => {
    const withSheet = buildReview(m, TODAY_ISO, "Deals");
    const names = withSheet.tables?.map((t) => t.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(["PipesheetStages", "PipesheetForecast", "PipesheetStuck", "PipesheetOwners", "PipesheetConversion"]));
    for (const t of withSheet.tables ?? []) {
      const head = parseA1(t.range.split(":")[0] ?? "");
      const row = withSheet.values[head?.row ?? -1] ?? [];
      expect(String(row[0]), t.name).not.toBe("");
    }
    expect(withSheet.links).toEqual(m.stuck.rows.map((s, i) => ({ cell: `A${rowOf(withSheet, "Stuck deals") + 3 + i}`, sheet: "Deals", target: `A${s.sheetRow}` })));
    expect(tab.links).toEqual([]);
  });

  it("formats header rows bold, money as #,##0 and shares as 0%", () => {
    const header = rowOf(tab, "Stage");
    expect(tab.values[header]?.slice(0, 6)).toEqual(["Stage", "Reached", "Open deals", "Open value (EUR)", "Weighted (EUR)", "Win probability"]);
    for (let c = 0; c < 6; c++) expect(formatsAt(tab, header, c).some((f) => f.bold)).toBe(true);
    const first = header + 1;
    expect(formatsAt(tab, first, 3).map((f) => f.numberFormat)).toContain("#,##0");
    expect(formatsAt(tab, first, 4).map((f) => f.numberFormat)).toContain("#,##0");
    expect(formatsAt(tab, first, 5).map((f) => f.numberFormat)).toContain("0%");
    expect(tab.values[first]?.[5]).toBe(0.05);
    expect(formatsAt(tab, 4, 3).map((f) => f.numberFormat)).toContain('0.0 "days"');
    expect(formatsAt(tab, 4, 2).map((f) => f.numberFormat)).toContain("0%");
    expect(formatsAt(tab, 4, 0).map((f) => f.numberFormat)).toContain("#,##0");
  });

  it("holds plain values in a rectangle: no formulas, no dates, no blanks that are not strings", () => {
    const width = tab.values[0]?.length ?? 0;
    for (const r of tab.values) {
      expect(r.length).toBe(width);
      for (const c of r) {
        expect(["string", "number"]).toContain(typeof c);
        if (typeof c === "string") expect(c.startsWith("=")).toBe(false);
        if (typeof c === "number") expect(Number.isFinite(c)).toBe(true);
      }
    }
    expect(tab.widths?.length).toBe(width);
  });

  it("lists stuck deals most overdue first and says what is not set", () => {
    const at = rowOf(tab, "Stuck deals") + 2;
    expect(tab.values[at]?.slice(0, 5)).toEqual(["Deal 2", "Bob", "Meeting", 40, 19]);
    expect(tab.values[at + 1]?.slice(0, 5)).toEqual(["Deal 4", "Ann", "Proposal", 25, 4]);
    expect(colA(tab)).toContain("Coverage");
    const bare = buildReview(metrics(ROWS), TODAY_ISO);
    expect(colA(bare)[rowOf(bare, "Pipeline coverage") + 1]).toBe("not set: fill in Revenue target in Pipeline Settings");
    const ltv = bare.values[rowOf(bare, "LTV")] ?? [];
    expect(ltv[1]).toBe("n/a");
    expect(String(ltv[2])).toMatch(/^not set: fill in .* in Pipeline Settings$/);
  });

  it("has no chart, and does not throw, when the settings have no open stage", () => {
    const closedOnly: Settings = { ...DEFAULT_SETTINGS, stages: S.filter((s) => s.kind !== "open") };
    const t = buildReview(metrics([{ stage: 0 }, { stage: 1 }], closedOnly), TODAY_ISO);
    expect(t.chart).toBeUndefined();
    expect(rowOf(t, "Total")).toBeGreaterThan(0);
  });
});

// ---- the text review --------------------------------------------------------------------------

const problem = (i: number, message: string): Problem => ({ sheet: "Deals", cell: `E${i + 2}`, code: "UNKNOWN_STAGE", message, severity: "error" });
const codePoints = (s: string): number => [...s].length;

describe("renderReviewText", () => {
  const m = metrics(ROWS);
  const long = "Stage 'Propsal' is not a stage in Pipeline Settings: did you mean 'Proposal'? Fix the cell, or add the stage to the settings tab.";
  const problems = Array.from({ length: 7 }, (_, i) => problem(i, long));
  const text = renderReviewText(m, problems, { width: 80, maxProblems: 5 });
  const lines = text.split("\n");

  it("fits 80 columns, without colour codes", () => {
    for (const l of lines) expect(codePoints(l), l).toBeLessThanOrEqual(80);
    expect(text).not.toContain("\u001b");
  });

  it("leads with the headline, then the stage table", () => {
    expect(lines[0]).toBe("Pipeline Review");
    expect(text).toContain("Open pipeline EUR 36,700 in 5 deals");
    expect(text).toContain("weighted EUR 19,260");
    expect(text).toContain("win rate 50% (by count)");
    expect(text).toContain("2 stuck");
    const proposal = lines.find((l) => l.startsWith("Proposal"));
    expect(proposal?.trim().split(/\s+/)).toEqual(["Proposal", "2", "10,500", "4,200"]);
    expect(lines.find((l) => l.startsWith("Total"))?.trim().split(/\s+/)).toEqual(["Total", "5", "36,700", "19,260"]);
    // Counts read as people write them (this said "1 deals have" before).
    expect(text).toContain("1 deal has an unknown stage and is in no row.");
  });

  it("shows the monthly key figures after the stage table: deal size, cycle, the top owners by won value", () => {
    const at = lines.indexOf("Monthly key figures");
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith("Total")));
    const dealSize = m.dealSize.value === null ? "n/a" : `EUR ${m.dealSize.value.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
    const cycle = m.cycle.days === null ? "n/a" : `${Math.round(m.cycle.days)} days`;
    const plural = (n: number): string => `${n} deal${n === 1 ? "" : "s"}`;
    const block = lines.slice(at + 1, at + 3).join(" · ");
    for (const fact of [`Average deal size ${dealSize}`, `sales cycle ${cycle} (won deals)`, `${plural(m.counts.won)} won, ${plural(m.counts.lost)} lost`]) expect(block).toContain(fact);
    const head = lines.findIndex((l) => l.startsWith("Top owners by won value"));
    expect(head).toBeGreaterThan(at);
    const top = [...m.owners.rows].filter((o) => o.won > 0).sort((a, b) => b.wonValue - a.wonValue).slice(0, 3);
    expect(top.length).toBeGreaterThan(0);
    for (const [k, o] of top.entries()) {
      const row = lines[head + 1 + k] ?? "";
      expect(row.startsWith(o.owner || "(no owner)")).toBe(true);
      expect(row.trim().split(/\s+/).slice(-2)).toEqual([String(o.won), o.wonValue.toLocaleString("en-US", { maximumFractionDigits: 0 })]);
    }
  });

  it("shows the first problems, then how many more", () => {
    expect(lines.filter((l) => l.startsWith("  - error Deals!E")).map((l) => l.slice(10, 19).split(":")[0])).toEqual(["Deals!E2", "Deals!E3", "Deals!E4", "Deals!E5", "Deals!E6"]);
    expect(text).toContain("  … and 2 more");
    expect(text).toContain("Problems (7)");
  });

  it("lists stuck deals most overdue first, and model quality on one line", () => {
    const first = lines.findIndex((l) => l.startsWith("Stuck deals (2)"));
    expect(lines[first + 1]).toBe("  1. Deal 2 (Bob) · Meeting · 40 days");
    // The model's message, held-out figures included, wrapped rather than cut.
    expect(lines.slice(-3, -1)).toEqual(["Win model: learned from 240 closed deals; on 60 held out: 72% right, Brier 0.18", "vs 0.24 for the base rate"]);
    const wide = renderReviewText(m, [], { width: 120, maxProblems: 5 }).split("\n");
    expect(wide[wide.length - 2]).toBe("Win model: learned from 240 closed deals; on 60 held out: 72% right, Brier 0.18 vs 0.24 for the base rate");
  });

  it("caps the stuck list with … and N more", () => {
    const many = metrics(Array.from({ length: 14 }, (_, i) => ({ stage: 3, stuck: true, days: 30 + i })));
    const t = renderReviewText(many, [], { width: 80, maxProblems: 3, maxStuck: 10 });
    expect(t).toContain("Stuck deals (14)");
    expect(t).toContain(" 10. ");
    expect(t).not.toContain(" 11. ");
    expect(t).toContain("  … and 4 more");
  });

  it("lists none for a stuck count below one, and counts them all as more", () => {
    const many = metrics(Array.from({ length: 3 }, (_, i) => ({ stage: 3, stuck: true, days: 30 + i })));
    for (const maxStuck of [-2, 0, 0.5]) {
      const t = renderReviewText(many, [], { width: 80, maxProblems: 3, maxStuck });
      expect(t).not.toContain("  1. ");
      expect(t).toContain("  … and 3 more");
    }
    expect(renderReviewText(many, [], { width: 80, maxProblems: 3, maxStuck: 2.7 })).toContain("  … and 1 more");
  });

  it("never writes a line wider than asked, whatever the cells hold", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 120 });
    const rowArb = fc.record({
      stage: fc.integer({ min: -1, max: S.length - 1 }),
      value: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: null }),
      owner: text,
      name: text,
      stuck: fc.boolean(),
      why: text,
      days: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 25 }), fc.array(text, { maxLength: 12 }), fc.integer({ min: 1, max: 140 }), fc.nat(8), text, (rows, messages, width, maxProblems, message) => {
        const mm = metrics(rows, DEFAULT_SETTINGS, { ...MODEL, message });
        const out = renderReviewText(mm, messages.map((msg, i) => problem(i, msg)), { width, maxProblems });
        for (const l of out.split("\n")) expect(codePoints(l)).toBeLessThanOrEqual(width);
      }),
    );
  });
});
