// Where headers say nothing about two date columns, the values decide: the one never before the other is the
// close date, the other the created date; a header that names a field still wins.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapColumns, type ColumnMap } from "../core/columns.js";
import { run } from "../core/engine.js";
import type { Field, Grid } from "../core/types.js";

const SHEET = "Deals";

function mapped(grid: Grid): ColumnMap {
  const map = mapColumns(grid, SHEET, {});
  if (!map) throw new Error("no header row");
  return map;
}
const headerOf = (map: ColumnMap, f: Field): string | undefined => (map.fields[f] === undefined ? undefined : map.headers[map.fields[f] as number]);

/** A sheet of deals with two date columns, each row's pair given as [first column, second column]. */
function sheet(headers: [string, string], pairs: [string, string][]): Grid {
  return [["Deal", "Stage", "Amount", ...headers], ...pairs.map(([a, b], i) => [`Deal ${i + 1}`, "Proposal", String(1000 + i), a, b])];
}

const isoPairs: [string, string][] = [
  ["2026-01-05", "2026-02-10"],
  ["2026-01-20", "2026-01-20"],
  ["2026-02-01", "2026-03-15"],
  ["2026-03-03", "2026-05-01"],
  ["2026-04-10", "2026-04-30"],
];
const swap = (ps: [string, string][]): [string, string][] => ps.map(([a, b]) => [b, a]);

describe("date columns told apart by their values", () => {
  const cases: { what: string; grid: Grid; created: string | undefined; close: string | undefined; closed?: string; evidence?: Partial<Record<Field, string>> }[] = [
    {
      what: "Date 1 before Date 2",
      grid: sheet(["Date 1", "Date 2"], isoPairs),
      created: "Date 1",
      close: "Date 2",
      evidence: { closeDate: "never before Date 1 in 5 rows", createdDate: "never after Date 2 in 5 rows" },
    },
    { what: "the later column first", grid: sheet(["Date 1", "Date 2"], swap(isoPairs)), created: "Date 2", close: "Date 1" },
    { what: "Datum and Fecha", grid: sheet(["Datum", "Fecha"], swap(isoPairs)), created: "Fecha", close: "Datum" },
    {
      // Read month-first, 02/03 (Feb 3) would fall after 01/04 (Jan 4); the day above 12 in row 3 proves day-first.
      what: "day-first text, compared in the order the columns prove",
      grid: sheet(["Date A", "Date B"], [
        ["02/03/2026", "01/04/2026"],
        ["05/01/2026", "07/02/2026"],
        ["25/03/2026", "28/03/2026"],
        ["03/04/2026", "02/05/2026"],
      ]),
      created: "Date A",
      close: "Date B",
    },
    {
      what: "one named by its header, the other by its values",
      grid: sheet(["Created", "Date"], isoPairs),
      created: "Created",
      close: "Date",
      evidence: { closeDate: "never before Created in 5 rows" },
    },
    { what: "a named close date, an unnamed earlier column", grid: sheet(["Date", "Close date"], isoPairs), created: "Date", close: "Close date" },
    // Specific headers win over what the values say.
    { what: "headers that name both fields, values the other way round", grid: sheet(["Close date", "Created"], isoPairs), created: "Created", close: "Close date" },
    { what: "the later column's header says won: the actual close", grid: sheet(["Date", "Won"], isoPairs), created: "Date", close: undefined, closed: "Won" },
    {
      what: "neither column is always the later one",
      grid: sheet(["Date 1", "Date 2"], [...isoPairs, ...swap(isoPairs).slice(0, 3)]),
      created: undefined,
      close: undefined,
    },
    { what: "the same dates in both columns", grid: sheet(["Date 1", "Date 2"], isoPairs.map(([a]) => [a, a])), created: undefined, close: undefined },
  ];
  for (const c of cases)
    it(c.what, () => {
      const map = mapped(c.grid);
      expect(headerOf(map, "createdDate")).toBe(c.created);
      expect(headerOf(map, "closeDate")).toBe(c.close);
      expect(headerOf(map, "closedDate")).toBe(c.closed);
      for (const [f, text] of Object.entries(c.evidence ?? {})) expect(map.evidence[f as Field]).toBe(text);
    });

  it("one odd row in twenty-five is no veto, and the evidence gives the share", () => {
    const pairs: [string, string][] = Array.from({ length: 25 }, (_, i) => {
      const d = (n: number): string => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
      return i === 7 ? [d(i + 3), d(i)] : [d(i), d(i + 10)];
    });
    const map = mapped(sheet(["Date 1", "Date 2"], pairs));
    expect(headerOf(map, "closeDate")).toBe("Date 2");
    expect(map.evidence.closeDate).toBe("on or after Date 1 in 96 % of 25 rows");
    expect(map.guessed).toContain("closeDate");
    expect(map.problems.some((p) => p.code === "GUESSED_COLUMN" && p.cell === "E1")).toBe(true);
  });

  it("three date columns: the earliest is the created date, the latest the close date, the middle one stays unmapped", () => {
    const map = mapped([
      ["Deal", "Stage", "Date X", "Date Y", "Date Z"],
      ["A", "Proposal", "2026-03-01", "2026-01-01", "2026-02-01"],
      ["B", "Proposal", "2026-05-01", "2026-02-10", "2026-04-01"],
      ["C", "Proposal", "2026-06-01", "2026-03-01", "2026-03-01"],
    ]);
    expect(headerOf(map, "createdDate")).toBe("Date Y");
    expect(headerOf(map, "closeDate")).toBe("Date X");
    expect(Object.values(map.fields)).not.toContain(4);
  });

  it("the review's summary shows the evidence", () => {
    const plan = run({ sheetName: SHEET, deals: sheet(["Date 1", "Date 2"], isoPairs), settings: null, log: null, sheetNames: [SHEET] }, { command: "review", today: "2026-11-30" });
    expect(plan.summary.mapping.map((m) => m.text)).toContain("Expected close date ← Date 2 (E): never before Date 1 in 5 rows");
  });
});

// ------------------------------------------------------------------ property: same figures however the dates are named

const TODAY = "2026-11-30";
const dmy = (day: number): string => {
  const d = new Date(Date.UTC(2025, 0, 1) + day * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, "0")}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${d.getUTCFullYear()}`;
};
type Row = { stage: string; value: number; created: number; length: number };
const rowArb = fc.record({
  stage: fc.constantFrom("Prospecting", "Proposal", "Negotiation", "Won", "Lost"),
  value: fc.integer({ min: 100, max: 50_000 }),
  created: fc.integer({ min: 0, max: 500 }),
  length: fc.integer({ min: 0, max: 90 }),
});

function datedSheet(rows: Row[], names: [string, string], closeFirst: boolean): Grid {
  const dates = (r: Row): string[] => (closeFirst ? [dmy(r.created + r.length), dmy(r.created)] : [dmy(r.created), dmy(r.created + r.length)]);
  const header = closeFirst ? [names[1], names[0]] : names;
  return [["Deal", "Stage", "Amount", ...header], ...rows.map((r, i) => [`Deal ${i + 1}`, r.stage, String(r.value), ...dates(r)])];
}

function figures(grid: Grid) {
  const plan = run({ sheetName: SHEET, deals: grid, settings: null, log: null, sheetNames: [SHEET] }, { command: "review", today: TODAY });
  const m = plan.metrics;
  if (!m) throw new Error(plan.summary.headline);
  return {
    counts: m.counts,
    winRate: m.winRate.value,
    cycle: [m.cycle.days, m.cycle.used],
    pipeline: m.pipeline.rows.map((r) => [r.stage, r.count, r.value]),
    mapped: Object.keys(plan.summary.columns).sort(),
  };
}

describe("figures do not depend on the date columns' names or order", () => {
  it("named Created / Close date, or uninformative names in either order", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 5, maxLength: 40 }).filter((rs) => rs.some((r) => r.length > 0)),
        fc.constantFrom<[string, string]>(["Date 1", "Date 2"], ["Datum", "Fecha"], ["Date A", "Date B"], ["Data", "Date"]),
        fc.boolean(),
        (rows, names, closeFirst) => {
          const plain = figures(datedSheet(rows, ["Created", "Close date"], false));
          expect(plain.mapped).toEqual(["closeDate", "createdDate", "name", "stage", "value"]);
          expect(figures(datedSheet(rows, names, closeFirst))).toEqual(plain);
        },
      ),
      { numRuns: 60 },
    );
  });
});
