import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayFromIso } from "../core/a1.js";
import { computeMetrics, monthIndex, thousands, type MetricsInput } from "../core/metrics.js";
import { DEFAULT_SETTINGS, type Settings } from "../core/settings.js";
import type { Day, Deal, DealResult, Grade, StuckResult, Transition, WinModelSummary } from "../core/types.js";
import { blankDeal } from "./helpers/deal.js";
import { dealResults } from "../core/results.js";

// ---- builders ---------------------------------------------------------------------------------

const D = (iso: string): Day => {
  const d = dayFromIso(iso);
  if (d === null) throw new Error(`bad test date ${iso}`);
  return d;
};
const TODAY = D("2026-11-26");
const S = DEFAULT_SETTINGS.stages;
const st = (name: string): number => S.findIndex((s) => s.name === name);

interface Row {
  stage: string | number;
  value?: number | null;
  owner?: string;
  created?: string | null;
  close?: string | null;
  contact?: string | null;
  activity?: string | null;
  reason?: string;
  grade?: Grade;
  qualified?: boolean;
  days?: number | null;
  threshold?: number | null;
  stuck?: StuckResult | null;
  name?: string;
}

function deal(r: Row, i: number): Deal {
  const day = (x: string | null | undefined): Day | null => (x ? D(x) : null);
  return blankDeal({
    index: i,
    sheetRow: i + 2,
    id: `D${i + 1}`,
    name: r.name ?? `Deal ${i + 1}`,
    stageRaw: typeof r.stage === "string" ? r.stage : "",
    stage: typeof r.stage === "string" ? st(r.stage) : r.stage,
    value: r.value === undefined ? 1000 : r.value,
    owner: r.owner ?? "",
    created: day(r.created),
    closeDate: day(r.close),
    lastActivity: day(r.activity),
    firstContact: day(r.contact),
    lossReason: r.reason ?? "",
  });
}

function result(r: Row): DealResult {
  return {
    score: { score: 50, grade: r.grade ?? "C", qualified: r.qualified ?? false, reasons: "", unknown: [], unrecognised: [] },
    win: null,
    daysInStage: r.days ?? null,
    threshold: r.threshold ?? null,
    stuck: r.stuck ?? null,
  };
}

const MODEL: WinModelSummary = {
  ready: false,
  closed: 6,
  needed: 30,
  message: "not enough history (6 closed deals, need 30)",
  holdoutSize: 0,
  accuracy: null,
  brier: null,
  baselineBrier: null,
  features: [],
};

function input(rows: Row[], over: Partial<MetricsInput> = {}, settings: Settings = DEFAULT_SETTINGS): MetricsInput {
  return {
    deals: rows.map(deal),
    results: dealResults(rows.map(result)),
    settings,
    today: TODAY,
    transitions: [],
    winModel: MODEL,
    present: { firstContact: true, closeDate: true, lossReason: true },
    currency: "USD",
    ...over,
  };
}

const withMetrics = (patch: Partial<Settings["metrics"]>): Settings => ({
  ...DEFAULT_SETTINGS,
  metrics: { ...DEFAULT_SETTINGS.metrics, ...patch, quarterly: { ...DEFAULT_SETTINGS.metrics.quarterly, ...(patch.quarterly ?? {}) } },
});

// ---- the golden fixture -----------------------------------------------------------------------

const nudge = (reason: string): StuckResult => ({ reasons: [reason], severity: "nudge", action: "Call the buyer" });
const FIXTURE: Row[] = [
  { name: "Alpha", stage: "Prospecting", value: 1000, owner: "Ann", created: "2026-11-20", close: "2026-12-15", contact: "2026-11-21", grade: "B", qualified: true, days: 3 },
  {
    name: "Bravo",
    stage: "Meeting",
    value: 5000,
    owner: "Bob",
    created: "2026-10-01",
    close: "2026-11-10",
    contact: "2026-10-04",
    grade: "A",
    qualified: true,
    days: 30,
    threshold: 21,
    stuck: nudge("30 days in Meeting (limit 21)"),
  },
  { name: "Charlie", stage: "Proposal", value: null, owner: "Ann", created: "2026-09-15", grade: "C" },
  {
    name: "Delta",
    stage: "Negotiation",
    value: 10000,
    owner: "ann ",
    created: "2026-08-01",
    close: "2027-01-20",
    contact: "2026-08-11",
    grade: "A",
    qualified: true,
    days: 100,
    threshold: 30,
    stuck: { reasons: ["100 days in Negotiation (limit 30)"], severity: "cut loose", action: "Ask for a yes or no" },
  },
  { name: "Echo", stage: "Won", value: 8000, owner: "Bob", created: "2026-06-01", close: "2026-10-15", qualified: true },
  { name: "Foxtrot", stage: "Won", value: 2000, owner: "Ann", created: "2026-09-01", close: "2026-11-01" },
  { name: "Golf", stage: "Won", value: null, owner: "Ann", close: "2026-07-01" },
  { name: "Hotel", stage: "Lost", value: 3000, owner: "Bob", reason: "Price", created: "2026-05-01", close: "2026-06-01" },
  { name: "India", stage: "Lost", value: 1000, owner: "Ann", reason: "price " },
  { name: "Juliet", stage: "Lost", value: 500, reason: "" },
  { name: "Kilo", stage: -1, value: 700, created: "2026-11-25", grade: "D" },
];

describe("computeMetrics on the golden fixture", () => {
  const m = computeMetrics(input(FIXTURE, {}, withMetrics({ target: 20_000 })));

  it("counts deals by kind, unknown stages in totals only", () => {
    expect(m.counts).toEqual({ deals: 11, open: 4, won: 3, lost: 3, unknownStage: 1, openWithoutValue: 1 });
  });

  it("open pipeline by stage in settings order, weighted by stage probability", () => {
    expect(m.pipeline.rows.map((r) => [r.stage, r.count, r.value, r.weighted])).toEqual([
      ["Prospecting", 1, 1000, 50],
      ["Lead qualification", 0, 0, 0],
      ["Meeting", 1, 5000, 1000],
      ["Proposal", 1, 0, 0],
      ["Negotiation", 1, 10000, 7000],
    ]);
    expect(m.pipeline.total).toEqual({ count: 4, value: 16000, weighted: 8050 });
  });

  it("forecast groups overdue and undated deals apart", () => {
    const rows = (xs: typeof m.forecast.byMonth): unknown[] => xs.map((r) => [r.period, r.count, r.value, r.weighted]);
    expect(rows(m.forecast.byMonth)).toEqual([
      ["Overdue", 1, 5000, 1000],
      ["2026-12", 1, 1000, 50],
      ["2027-01", 1, 10000, 7000],
      ["No close date", 1, 0, 0],
    ]);
    expect(rows(m.forecast.byQuarter)).toEqual([
      ["Overdue", 1, 5000, 1000],
      ["2026-Q4", 1, 1000, 50],
      ["2027-Q1", 1, 10000, 7000],
      ["No close date", 1, 0, 0],
    ]);
  });

  it("win rate, deal size, cycle and velocity", () => {
    expect(m.winRate.value).toBe(0.5);
    expect(m.winRate.definition).toContain("by count");
    expect(m.dealSize.value).toBe(5000);
    expect(m.dealSize.deals).toBe(2);
    expect(m.cycle).toMatchObject({ days: 98.5, used: 2, leftOut: 1, basis: "won" });
    expect(m.cycle.definition).toContain("2 of 3 deals used");
    expect(m.velocity.perDay).toBeCloseTo((4 * 5000 * 0.5) / 98.5, 9);
  });

  it("coverage against the quarter's target, and new leads needed", () => {
    expect(m.coverage).toMatchObject({ set: true, period: "2026-Q4", wonInPeriod: 10000, gap: 10000, weightedInPeriod: 1050, newLeadsNeeded: 4 });
    expect(m.coverage.ratio).toBeCloseTo(0.105, 12);
  });

  it("owners grouped case- and space-insensitively, sorted by open value", () => {
    expect(m.owners.rows).toEqual([
      { owner: "Ann", open: 3, openValue: 11000, weighted: 7050, won: 2, wonValue: 2000, lost: 1, winRate: 2 / 3, stuck: 1 },
      { owner: "Bob", open: 1, openValue: 5000, weighted: 1000, won: 1, wonValue: 8000, lost: 1, winRate: 0.5, stuck: 1 },
      { owner: "(no owner)", open: 0, openValue: 0, weighted: 0, won: 0, wonValue: 0, lost: 1, winRate: 0, stuck: 0 },
    ]);
  });

  it("loss reasons, blank ones named", () => {
    expect(m.lossReasons.rows).toEqual([
      { reason: "Price", count: 2, value: 4000 },
      { reason: "(no reason given)", count: 1, value: 500 },
    ]);
  });

  it("lead response time, leads per month, grades", () => {
    expect(m.responseTime.mean).toBeCloseTo(14 / 3, 12);
    expect(m.responseTime.median).toBe(3);
    expect(m.responseTime.used).toBe(3);
    expect(m.newLeads.byMonth.map((r) => [r.month, r.newLeads, r.qualified])).toEqual([
      ["2026-06", 1, 1],
      ["2026-07", 0, 0],
      ["2026-08", 1, 1],
      ["2026-09", 2, 0],
      ["2026-10", 1, 1],
      ["2026-11", 2, 1],
    ]);
    expect([m.newLeads.last7Days, m.newLeads.qualifiedLast7Days]).toEqual([2, 1]);
    expect(m.grades.counts).toEqual({ A: 2, B: 1, C: 1, D: 0 });
  });

  it("stuck deals, most overdue first", () => {
    // Delta: 100 − 30 = 70 days over its stage limit; Bravo: its close date passed 16 days ago (more than 30 − 21).
    expect(m.stuck.rows.map((s) => [s.name, s.stage, s.overdueDays, s.severity])).toEqual([
      ["Delta", "Negotiation", 70, "cut loose"],
      ["Bravo", "Meeting", 16, "nudge"],
    ]);
  });

  it("time in stage and conversion from the sheet when the log has no moves", () => {
    expect(m.timeInStage.basis).toBe("sheet");
    expect(m.timeInStage.rows.map((r) => [r.stage, r.days, r.samples])).toEqual([
      ["Prospecting", 3, 1],
      ["Lead qualification", null, 0],
      ["Meeting", 30, 1],
      ["Proposal", null, 0],
      ["Negotiation", 100, 1],
    ]);
    expect(m.conversion.basis).toBe("sheet");
    expect(m.conversion.rows.map((r) => [r.from, r.to, r.reached, r.advanced])).toEqual([
      ["Prospecting", "Lead qualification", 10, 6],
      ["Lead qualification", "Meeting", 6, 6],
      ["Meeting", "Proposal", 6, 5],
      ["Proposal", "Negotiation", 5, 4],
      ["Negotiation", "Won", 4, 3],
    ]);
  });

  it("win rate by value and cycle over closed deals when the settings say so", () => {
    const v = computeMetrics(input(FIXTURE, {}, withMetrics({ winRateBasis: "value", cycleBasis: "closed" })));
    expect(v.winRate.value).toBeCloseTo(10000 / 14500, 12);
    expect(v.winRate.definition).toContain("by value");
    expect(v.cycle).toMatchObject({ days: 76, used: 3, leftOut: 3, basis: "closed" });
  });

  it("says what is missing instead of guessing", () => {
    const none = computeMetrics(input(FIXTURE, { present: {} }));
    expect(none.responseTime).toMatchObject({ present: false, mean: null, median: null });
    expect(none.coverage).toMatchObject({ set: false, ratio: null, newLeadsNeeded: null });
    expect(none.coverage.definition).toContain("Revenue target");
    const ue = none.unitEconomics;
    expect(ue.ltv.value).toBeNull();
    expect(ue.ltv.status).toBe("not set: fill in Monthly revenue per customer, Gross margin %, Monthly churn % in Pipeline Settings");
    expect(ue.cac.missing).toEqual(["Quarter sales & marketing spend", "Quarter new customers"]);
    const empty = computeMetrics(input([]));
    expect(empty.winRate.value).toBeNull();
    expect(empty.velocity.perDay).toBeNull();
    expect(empty.conversion.rows.every((r) => r.rate === null)).toBe(true);
  });

  it("unit economics when the quarter's figures are set", () => {
    const q = { salesMarketingSpend: 30000, previousSpend: 20000, newCustomers: 10, arpa: 100, grossMargin: 80, monthlyChurn: 2, quarterRevenue: 50000, previousQuarterRevenue: 40000 };
    const ue = computeMetrics(input(FIXTURE, {}, withMetrics({ quarterly: q }))).unitEconomics;
    expect(ue.ltv.value).toBeCloseTo(4000, 9);
    expect(ue.cac.value).toBe(3000);
    expect(ue.payback.value).toBeCloseTo(37.5, 9);
    expect(ue.magicNumber.value).toBe(2);
    const zero = computeMetrics(input(FIXTURE, {}, withMetrics({ quarterly: { ...q, monthlyChurn: 0, newCustomers: 0 } }))).unitEconomics;
    expect([zero.ltv.value, zero.cac.value, zero.payback.value]).toEqual([null, null, null]);
    expect(zero.ltv.status).toContain("churn");
  });
});

describe("history from the stage log", () => {
  const t = (dealId: string, from: string, to: string, iso: string): Transition => ({ dealId, from, to, day: D(iso) });
  const LOG: Transition[] = [
    t("D1", "", "Prospecting", "2026-01-01"),
    t("D2", "", "Meeting", "2026-01-01"),
    t("D1", "Prospecting", "Meeting", "2026-01-11"),
    t("D1", "Meeting", "Proposal", "2026-01-31"),
    t("D2", "Meeting", "Lost", "2026-01-05"),
    t("D3", "", "Proposal", "2026-02-01"),
    t("D3", "Proposal", "Won", "2026-02-15"),
  ];

  it("time in stage = day left minus day entered; conversion counts a won deal through every open stage", () => {
    const m = computeMetrics(input([], { transitions: LOG }));
    expect(m.timeInStage.basis).toBe("stage log");
    const days = Object.fromEntries(m.timeInStage.rows.map((r) => [r.stage, [r.days, r.samples]]));
    // Meeting: D1 20 days, D2 4 days; Proposal: D3 14 days.
    expect(days).toEqual({ Prospecting: [10, 1], "Lead qualification": [null, 0], Meeting: [12, 2], Proposal: [14, 1], Negotiation: [null, 0] });
    expect(m.conversion.basis).toBe("stage log");
    expect(m.conversion.rows.map((r) => [r.from, r.reached, r.advanced])).toEqual([
      ["Prospecting", 2, 2],
      ["Lead qualification", 1, 1],
      ["Meeting", 3, 2],
      ["Proposal", 2, 1],
      ["Negotiation", 1, 1],
    ]);
  });

  it("does not depend on the log's row order", () => {
    const a = computeMetrics(input([], { transitions: LOG }));
    const b = computeMetrics(input([], { transitions: [...LOG].reverse() }));
    expect(b.timeInStage).toEqual(a.timeInStage);
    expect(b.conversion).toEqual(a.conversion);
  });

  it("first snapshots alone are no history: the sheet is used", () => {
    const m = computeMetrics(input(FIXTURE, { transitions: LOG.filter((x) => x.from === "") }));
    expect(m.timeInStage.basis).toBe("sheet");
    expect(m.conversion.basis).toBe("sheet");
  });
});

describe("helpers", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1,000"],
    [1234567.6, "1,234,568"],
    [-1234, "-1,234"],
  ])("thousands(%d) = %s", (x, s) => {
    expect(thousands(x)).toBe(s);
  });

  it("monthIndex agrees with the calendar", () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000, max: 80_000 }), (day) => {
        const d = new Date(day * 86_400_000);
        expect(monthIndex(day)).toBe(d.getUTCFullYear() * 12 + d.getUTCMonth());
      }),
    );
  });
});

// ---- random deals against a plain reference ---------------------------------------------------

const OWNERS = ["Ann", "ann", " Ann ", "Bob", "", "Cy"];
const REASONS = ["Price", "price", "Timing", "", "Competitor "];
const GRADES: Grade[] = ["A", "B", "C", "D"];
const dayArb = fc.option(fc.integer({ min: TODAY - 400, max: TODAY + 200 }), { nil: null });
const rowArb = fc.record({
  stage: fc.integer({ min: -1, max: S.length - 1 }),
  value: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  owner: fc.constantFrom(...OWNERS),
  created: dayArb,
  close: dayArb,
  contact: dayArb,
  reason: fc.constantFrom(...REASONS),
  grade: fc.constantFrom(...GRADES),
  qualified: fc.boolean(),
  days: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }),
  stuck: fc.boolean(),
});
type RandomRow = typeof rowArb extends fc.Arbitrary<infer T> ? T : never;

function randomInput(rows: RandomRow[], transitions: Transition[] = [], settings: Settings = DEFAULT_SETTINGS): MetricsInput {
  const deals: Deal[] = rows.map((r, i) => ({
    ...deal({ stage: r.stage, value: r.value, owner: r.owner, reason: r.reason }, i),
    created: r.created,
    closeDate: r.close,
    firstContact: r.contact,
  }));
  const results = rows.map((r) => result({ stage: r.stage, grade: r.grade, qualified: r.qualified, days: r.days, stuck: r.stuck ? nudge("x") : null }));
  return { deals, results: dealResults(results), settings, today: TODAY, transitions, winModel: MODEL, present: { firstContact: true }, currency: "EUR" };
}

const nameArb = fc.constantFrom("", ...S.map((s) => s.name), "Bogus stage");
const transitionArb = fc.record({
  dealId: fc.constantFrom("a", "b", "c", "d"),
  from: nameArb,
  to: nameArb.filter((x) => x !== ""),
  day: fc.integer({ min: 0, max: 60 }),
});

describe("against a deliberately simple reference", () => {
  const kindOf = (i: number): string => S[i]?.kind ?? "unknown";
  const near = (a: number | null, b: number | null): void => {
    if (b === null) expect(a).toBeNull();
    else expect(a).toBeCloseTo(b, 6);
  };

  it("pipeline, win rate, deal size, cycle, owners and loss reasons", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), fc.constantFrom("count", "value"), fc.constantFrom("won", "closed"), (rows, winRateBasis, cycleBasis) => {
        const settings = withMetrics({ winRateBasis: winRateBasis as "count" | "value", cycleBasis: cycleBasis as "won" | "closed" });
        const inp = randomInput(rows, [], settings);
        const m = computeMetrics(inp);

        // Pipeline: filter per stage.
        S.forEach((stage, s) => {
          if (stage.kind !== "open") return;
          const here = rows.filter((r) => r.stage === s);
          const row = m.pipeline.rows.find((x) => x.stage === stage.name);
          expect(row?.count).toBe(here.length);
          expect(row?.value).toBe(here.reduce((a, r) => a + (r.value ?? 0), 0));
          near(row?.weighted ?? null, here.reduce((a, r) => a + ((r.value ?? 0) * stage.probability) / 100, 0));
        });
        expect(m.counts.unknownStage).toBe(rows.filter((r) => r.stage === -1).length);

        // Win rate.
        const wonRows = rows.filter((r) => kindOf(r.stage) === "won");
        const lostRows = rows.filter((r) => kindOf(r.stage) === "lost");
        const sum = (xs: RandomRow[]): number => xs.reduce((a, r) => a + (r.value ?? 0), 0);
        const expectedRate =
          winRateBasis === "count"
            ? wonRows.length + lostRows.length === 0
              ? null
              : wonRows.length / (wonRows.length + lostRows.length)
            : sum(wonRows) + sum(lostRows) === 0
              ? null
              : sum(wonRows) / (sum(wonRows) + sum(lostRows));
        near(m.winRate.value, expectedRate);

        // Average deal size.
        const valued = wonRows.filter((r) => r.value !== null);
        near(m.dealSize.value, valued.length === 0 ? null : sum(valued) / valued.length);

        // Cycle.
        const cyc = (cycleBasis === "won" ? wonRows : [...wonRows, ...lostRows])
          .filter((r) => r.created !== null && r.close !== null && r.close >= r.created)
          .map((r) => (r.close as number) - (r.created as number));
        near(m.cycle.days, cyc.length === 0 ? null : cyc.reduce((a, b) => a + b, 0) / cyc.length);
        expect(m.cycle.used).toBe(cyc.length);

        // Owners: group by normalised name with a plain object.
        const byOwner: Record<string, { open: number; won: number; lost: number; stuck: number }> = {};
        for (const r of rows) {
          const key = r.owner.trim().toLowerCase();
          const o = (byOwner[key] ??= { open: 0, won: 0, lost: 0, stuck: 0 });
          const k = kindOf(r.stage);
          if (k === "open") o.open++;
          if (k === "won") o.won++;
          if (k === "lost") o.lost++;
          if (r.stuck) o.stuck++;
        }
        expect(m.owners.rows.length).toBe(Object.keys(byOwner).length);
        for (const o of m.owners.rows) {
          const key = o.owner === "(no owner)" ? "" : o.owner.toLowerCase();
          expect([o.open, o.won, o.lost, o.stuck]).toEqual([byOwner[key]?.open, byOwner[key]?.won, byOwner[key]?.lost, byOwner[key]?.stuck]);
        }

        // Loss reasons.
        const byReason: Record<string, number> = {};
        for (const r of lostRows) byReason[r.reason.trim().toLowerCase()] = (byReason[r.reason.trim().toLowerCase()] ?? 0) + 1;
        expect(m.lossReasons.rows.map((x) => [x.reason === "(no reason given)" ? "" : x.reason.toLowerCase(), x.count]).sort()).toEqual(Object.entries(byReason).sort());
      }),
    );
  });

  it("forecast months, leads per month and response time against Date-based grouping and a full sort", () => {
    const wide = fc.option(fc.integer({ min: TODAY - 6000, max: TODAY + 6000 }), { nil: null });
    const arb = fc.array(fc.record({ row: rowArb, close: wide, created: wide }), { maxLength: 60 });
    fc.assert(
      fc.property(arb, (xs) => {
        const rows = xs.map((x) => ({ ...x.row, close: x.close, created: x.created }));
        const m = computeMetrics(randomInput(rows));
        const ym = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 7);
        const open = rows.filter((r) => kindOf(r.stage) === "open");
        const months: Record<string, number> = {};
        for (const r of open) {
          const key = r.close === null ? "No close date" : r.close < TODAY ? "Overdue" : ym(r.close);
          months[key] = (months[key] ?? 0) + 1;
        }
        expect(Object.fromEntries(m.forecast.byMonth.map((r) => [r.period, r.count]))).toEqual(months);

        const recent: string[] = [];
        for (let back = 5; back >= 0; back--) {
          const d = new Date(TODAY * 86_400_000);
          recent.push(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1)).toISOString().slice(0, 7));
        }
        expect(m.newLeads.byMonth.map((r) => [r.month, r.newLeads])).toEqual(recent.map((k) => [k, rows.filter((r) => r.created !== null && ym(r.created) === k).length]));

        const waits = rows
          .filter((r) => r.created !== null && r.contact !== null && r.contact >= r.created)
          .map((r) => (r.contact as number) - (r.created as number))
          .sort((a, b) => a - b);
        const mid = Math.floor(waits.length / 2);
        near(m.responseTime.median, waits.length === 0 ? null : waits.length % 2 ? (waits[mid] as number) : ((waits[mid - 1] as number) + (waits[mid] as number)) / 2);
        near(m.responseTime.mean, waits.length === 0 ? null : waits.reduce((a, b) => a + b, 0) / waits.length);
      }),
    );
  });

  it("sheet-based conversion: count who reached and went past each open stage", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), (rows) => {
        const m = computeMetrics(randomInput(rows));
        const open = S.map((s, i) => (s.kind === "open" ? i : -1)).filter((i) => i >= 0);
        open.forEach((s, p) => {
          let reached = 0;
          let went = 0;
          for (const r of rows) {
            const k = kindOf(r.stage);
            const pos = open.indexOf(r.stage);
            const reach = k === "won" || (k === "open" && pos >= p) || (k === "lost" && p === 0);
            const past = k === "won" || (k === "open" && pos > p);
            if (reach) reached++;
            if (past) went++;
          }
          expect(m.conversion.rows[p]).toMatchObject({ reached, advanced: went });
        });
      }),
    );
  });

  it("log-based time in stage and conversion: replay each deal's moves", () => {
    fc.assert(
      fc.property(fc.array(transitionArb, { minLength: 1, maxLength: 40 }), (log) => {
        const m = computeMetrics(randomInput([], log));
        if (log.every((x) => x.from === "")) {
          expect(m.timeInStage.basis).toBe("sheet");
          return;
        }
        const spent: Record<string, number[]> = {};
        const reachedBy: Record<string, Set<string>> = {};
        for (const id of new Set(log.map((x) => x.dealId))) {
          const mine = log.map((x, i) => ({ ...x, i })).filter((x) => x.dealId === id);
          mine.sort((a, b) => a.day - b.day || a.i - b.i);
          const entered: Record<string, number> = {};
          const seen = (reachedBy[id] = new Set<string>());
          for (const x of mine) {
            if (x.from !== "" && x.from !== "Bogus stage") {
              seen.add(x.from);
              if (entered[x.from] !== undefined) (spent[x.from] ??= []).push(x.day - (entered[x.from] as number));
            }
            if (x.to !== "Bogus stage") {
              seen.add(x.to);
              entered[x.to] = x.day;
            }
          }
        }
        for (const row of m.timeInStage.rows) {
          const xs = spent[row.stage] ?? [];
          expect(row.samples).toBe(xs.length);
          near(row.days, xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
        }
        const openNames = S.filter((s) => s.kind === "open").map((s) => s.name);
        openNames.forEach((name, p) => {
          let reached = 0;
          let went = 0;
          for (const seen of Object.values(reachedBy)) {
            const won = seen.has("Won");
            if (!won && !seen.has(name)) continue;
            reached++;
            if (won || openNames.slice(p + 1).some((later) => seen.has(later))) went++;
          }
          expect(m.conversion.rows[p]).toMatchObject({ reached, advanced: went });
        });
      }),
    );
  });
});

describe("invariants", () => {
  it("conversions stay within 0..100 %, stage counts add up to the open deals, nothing throws", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 80 }), fc.array(transitionArb, { maxLength: 30 }), (rows, log) => {
        const m = computeMetrics(randomInput(rows, log));
        for (const c of m.conversion.rows) {
          expect(c.advanced).toBeLessThanOrEqual(c.reached);
          if (c.rate !== null) {
            expect(c.rate).toBeGreaterThanOrEqual(0);
            expect(c.rate).toBeLessThanOrEqual(1);
          }
        }
        const openDeals = rows.filter((r) => S[r.stage]?.kind === "open").length;
        expect(m.pipeline.rows.reduce((a, r) => a + r.count, 0)).toBe(openDeals);
        expect(m.counts.open + m.counts.won + m.counts.lost + m.counts.unknownStage).toBe(rows.length);
        expect(m.forecast.byMonth.reduce((a, r) => a + r.count, 0)).toBe(openDeals);
        expect(m.forecast.byQuarter.reduce((a, r) => a + r.count, 0)).toBe(openDeals);
        expect(Object.values(m.grades.counts).reduce((a, b) => a + b, 0)).toBe(openDeals);
        if (m.winRate.value !== null) expect(m.winRate.value).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("actual close apart from expected close", () => {
  it("measures the cycle and won-this-period to the day a deal was won, and says when the expected close date stands in", () => {
    // Won on 2026-11-10 after being created on 2026-10-01 (40 days), though expected to close 2027-03-31.
    const won = { ...deal({ stage: "Won", created: "2026-10-01", close: "2027-03-31", value: 5000 }, 0), closedOn: D("2026-11-10") };
    const withActual = computeMetrics({ ...input([]), deals: [won], results: dealResults([result({ stage: "Won" })]), present: { closeDate: true, closedDate: true } });
    expect(withActual.cycle.days).toBe(40);
    expect(withActual.cycle.definition).toContain("to actual close date");
    const without = computeMetrics({ ...input([]), deals: [{ ...won, closedOn: null }], results: dealResults([result({ stage: "Won" })]), present: { closeDate: true } });
    expect(without.cycle.days).toBe(181);
    expect(without.cycle.definition).toContain("expected close date stands in");
  });
});
