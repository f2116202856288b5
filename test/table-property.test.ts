// One index space: on random sheets with enough closed deals for the win model and a stage log, blank rows
// between deals move the deals' sheet rows and nothing else: every owned cell of every deal, the model's
// held-out figures, the segments and the forecast range are the same as on the sheet without them.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { run, type RunResult } from "../core/engine.js";
import { dealTable, KIND_LOST, KIND_OPEN, KIND_WON, NO_DAY, plainDeal, TableBuilder, Texts } from "../core/table.js";
import { parseDeals } from "../core/parse.js";
import { mapColumns } from "../core/columns.js";
import { DEFAULT_SETTINGS } from "../core/settings.js";
import { TAB_LOG, type Cell, type Deal, type Grid } from "../core/types.js";
import { parseCsv } from "../cli/io/csv.js";

const TODAY = "2026-11-26";
const HEADER = ["Deal ID", "Deal", "Stage", "Amount", "Owner", "Source", "Need", "Created", "Close date"];
const iso = (day: number): string => new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

const dealArb = fc.record({
  // Two in three closed, so most sheets of 60 to 70 deals have the 40 closed the filter below asks for.
  stage: fc.constantFrom("Prospecting", "Meeting", "Proposal", "Negotiation", "Won", "Lost", "Won", "Lost", "Won", "Lost", "Won", "Lost"),
  furthest: fc.constantFrom("Prospecting", "Meeting", "Proposal", "Negotiation"),
  value: fc.integer({ min: 100, max: 90_000 }),
  owner: fc.constantFrom("Ann Lee", "Bo Chen", " bo chen", "Cy Diaz"),
  source: fc.constantFrom("Web", "Referral", "Partner", ""),
  need: fc.constantFrom("High", "Medium", "Low", ""),
  created: fc.integer({ min: 0, max: 600 }),
  length: fc.integer({ min: 0, max: 200 }),
});
type DealRow = { stage: string; furthest: string; value: number; owner: string; source: string; need: string; created: number; length: number };

const rowOf = (d: DealRow, i: number): Cell[] => [`D-${1000 + i}`, `Deal ${i}`, d.stage, d.value, d.owner, d.source, d.need, iso(d.created), iso(d.created + d.length)];

/** The log a previous run would have left: each deal's snapshot, and for the closed ones the way they went. */
function logOf(deals: DealRow[]): Grid {
  const log: Grid = [["Deal ID", "From", "To", "When", "By"]];
  deals.forEach((d, i) => {
    const id = `D-${1000 + i}`;
    log.push([id, "", "Prospecting", iso(d.created), "snapshot"]);
    if (d.furthest !== "Prospecting") log.push([id, "Prospecting", d.furthest, iso(d.created + 1), "pipesheet"]);
    if (d.stage === "Won" || d.stage === "Lost") log.push([id, d.furthest, d.stage, iso(d.created + 2), "pipesheet"]);
  });
  return log;
}

const runOn = (grid: Grid, log: Grid): RunResult =>
  run({ sheetName: "Deals", deals: grid, settings: null, log, sheetNames: ["Deals", TAB_LOG] }, { command: "review", today: TODAY });

/** Each owned column's cells at the deals' rows, deal by deal (the stuck-limit formulas name their row, so they are left out). */
function cellsByDeal(plan: RunResult, rows: number[]): Record<string, Cell[]> {
  const out: Record<string, Cell[]> = {};
  for (const c of plan.columns) if (c.key !== "stuckLimit" && c.mode !== "header") out[c.key] = rows.map((r) => c.values[r] ?? null);
  return out;
}

describe("one index space: blank rows between deals change no result", () => {
  it("on random sheets with at least 40 closed deals, a stage log and blank rows between deals", () => {
    fc.assert(
      fc.property(
        fc.array(dealArb, { minLength: 60, maxLength: 70 }).filter((ds) => ds.filter((d) => d.stage === "Won" || d.stage === "Lost").length >= 40),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 70, maxLength: 70 }),
        (deals, gaps) => {
          const log = logOf(deals);
          const dense: Grid = [HEADER, ...deals.map(rowOf)];
          const sparse: Grid = [HEADER];
          const at: number[] = [];
          deals.forEach((d, i) => {
            // Blank rows before a deal, between deals, and with notes in a column no field maps to.
            for (let g = 0; g < (gaps[i] ?? 1) - 1; g++) sparse.push(g === 0 ? [] : ["", "", "", "", "", "", "", "", "", "a note"]);
            at.push(sparse.length - 1);
            sparse.push(rowOf(d, i));
          });
          const a = runOn(dense, log);
          const b = runOn(sparse, log);
          expect(a.metrics?.model.ready).toBe(true);
          expect(b.summary.deals).toBe(deals.length);
          expect(cellsByDeal(b, at)).toEqual(cellsByDeal(a, deals.map((_, i) => i)));
          expect(b.metrics?.model).toEqual(a.metrics?.model);
          expect(b.metrics?.segments).toEqual(a.metrics?.segments);
          expect(b.metrics?.forecastRange).toEqual(a.metrics?.forecastRange);
          expect(b.metrics?.winRate).toEqual(a.metrics?.winRate);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("DealTable", () => {
  const grid: Grid = [HEADER, [], ["D-1", "A", "Won", 1200, "Ann Lee", "Web", "", "2026-01-10", "2026-02-01"], ["", "", "", "", "", "", "", "", ""], ["D-2", "B", "Meeting", "", "bo chen", "", "", "", ""], ["D-3", "C", "Lost", 50, "Ann Lee", "Web ", "", "2026-03-01", ""]];
  const map = mapColumns(grid, "Deals", {});
  if (!map) throw new Error("no header found");
  const deals = parseDeals(grid, map, DEFAULT_SETTINGS, "Deals").deals;
  const cell = (f: string, sheetRow: number): string => String(grid[sheetRow - 1]?.[map.fields[f as "owner"] ?? -1] ?? "");
  const t = dealTable(deals, DEFAULT_SETTINGS, { owner: true, source: true }, (f) => (d) => cell(f, d.sheetRow));

  it("holds the deals by position, with their sheet rows as one column", () => {
    expect(t.length).toBe(3);
    expect([...t.sheetRow]).toEqual([3, 5, 6]);
    expect([...t.kind]).toEqual([KIND_WON, KIND_OPEN, KIND_LOST]);
    expect([...t.value]).toEqual([1200, NaN, 50]);
    expect(t.closeDate[1]).toBe(NO_DAY);
    expect(t.created[0]).not.toBe(NO_DAY);
  });

  it("codes the segment texts into one dictionary, each distinct text once, blank as 0", () => {
    const owner = t.segments.owner as Int32Array;
    const source = t.segments.source as Int32Array;
    expect([...owner].map((c) => t.texts.text(c))).toEqual(["Ann Lee", "bo chen", "Ann Lee"]);
    expect(owner[0]).toBe(owner[2]);
    expect([...source].map((c) => t.texts.text(c))).toEqual(["Web", "", "Web "]);
    expect(source[1]).toBe(0);
    expect(t.segments.product).toBeNull();
    const texts = new Texts();
    expect([texts.code("x"), texts.code("y"), texts.code("x"), texts.code("")]).toEqual([1, 2, 1, 0]);
    expect(texts.size).toBe(3);
  });
});

describe("the table parseDeals fills as it reads", () => {
  const asWritten = (v: Cell): string => (typeof v === "string" ? v : v === null || v === undefined || v instanceof Date ? "" : String(v));
  const files = ["samples/pipeline.csv", ...readdirSync("test/fixtures/real").filter((f) => f.endsWith(".csv")).map((f) => `test/fixtures/real/${f}`)];
  const odd: Grid = [
    ["Deal", "Stage", "Amount", "Owner", "Source", "Product", "Industry", "Created"],
    ["A", "Won", 10, 42, true, new Date(Date.UTC(2026, 0, 2)), "  Retail ", "2026-01-01"],
    [],
    ["B", "Nowhere", "", null, "Web", "", "retail", ""],
    ["C", "Lost", "1,5", " Ann ", "web", "X", "", 46000],
  ];
  const cases: [string, Grid][] = [...files.map((f): [string, Grid] => [f, parseCsv(readFileSync(f, "utf8"), f).grid]), ["mixed cell types", odd]];
  for (const [name, grid] of cases) {
    it(`${name}: each column is its deals' values, the segments as written on the sheet`, () => {
      const map = mapColumns(grid, "Deals", {});
      if (!map) throw new Error("no header found");
      const { deals, table: t } = parseDeals(grid, map, DEFAULT_SETTINGS, "Deals");
      expect(deals.length).toBeGreaterThanOrEqual(name === "mixed cell types" ? 3 : 15);
      expect(t.length).toBe(deals.length);
      deals.forEach((d, k) => {
        expect(t.sheetRow[k]).toBe(d.sheetRow);
        expect(t.stage[k]).toBe(d.stage);
        const kind = d.stage < 0 ? 0 : { open: KIND_OPEN, won: KIND_WON, lost: KIND_LOST }[DEFAULT_SETTINGS.stages[d.stage]?.kind ?? "open"];
        expect(t.kind[k]).toBe(kind);
        expect(t.value[k]).toBe(d.value ?? NaN);
        expect(t.created[k]).toBe(d.created ?? NO_DAY);
        expect(t.closeDate[k]).toBe(d.closeDate ?? NO_DAY);
      });
      // The rest of the row, read from the grid here: each text column is its cells trimmed, each date column of
      // ISO cells the days since 1970 by Date.UTC, a blank cell NO_DAY.
      const row = (k: number): Cell[] => grid[(t.sheetRow[k] as number) - 1] ?? [];
      const trimmed = (v: Cell | undefined): string => (typeof v === "string" ? v.trim() : v === null || v === undefined ? "" : typeof v === "number" ? String(v) : typeof v === "boolean" ? (v ? "TRUE" : "FALSE") : "");
      const texts = { id: "dealId", name: "name", owner: "owner", nextStep: "nextStep", need: "need", budget: "budget", authority: "authority", lossReason: "lossReason" } as const;
      for (const [col, field] of Object.entries(texts)) {
        const c = map.fields[field];
        const want = Array.from({ length: t.length }, (_, k) => (c === undefined ? "" : trimmed(row(k)[c])));
        // A deal without an ID is given one only by setup (assignIds), after parsing.
        expect([...t[col as keyof typeof texts]], `${name}: ${col}`).toEqual(want);
      }
      const isoDay = (v: Cell | undefined): number | null => {
        const m = typeof v === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim()) : null;
        return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : null;
      };
      const dates = { stageEntered: "stageEntered", lastActivity: "lastActivity", nextStepDate: "nextStepDate", firstContact: "firstContact" } as const;
      let isoChecked = 0;
      for (const [col, field] of Object.entries(dates)) {
        const c = map.fields[field];
        for (let k = 0; k < t.length; k++) {
          const v = c === undefined ? undefined : row(k)[c];
          const day = isoDay(v);
          if (c === undefined || v === "" || v === null || v === undefined) expect(t[col as keyof typeof dates][k]).toBe(NO_DAY);
          else if (day !== null) {
            expect(t[col as keyof typeof dates][k], `${name}: ${col} of deal ${k}`).toBe(day);
            isoChecked++;
          }
        }
      }
      if (name === "samples/pipeline.csv") expect(isoChecked).toBeGreaterThan(100);
      expect([...t.index]).toEqual(deals.map((d) => d.sheetRow - 1 - map.headerRow - 1));
      for (const f of ["owner", "source", "product", "industry"] as const) {
        const c = map.fields[f];
        const col = t.segments[f];
        if (c === undefined) {
          expect(col).toBeNull();
          continue;
        }
        expect([...(col as Int32Array)].map((code) => t.texts.text(code))).toEqual(deals.map((d) => asWritten(grid[d.sheetRow - 1]?.[c] ?? null)));
        // Each distinct text once in the dictionary.
        expect(new Set(t.texts.list).size).toBe(t.texts.size);
      }
    });
  }
});

describe("a parsed deal", () => {
  const grid: Grid = [HEADER, ["D-1", "A", "Won", 1200, "Ann Lee", "Web", "High", "2026-01-10", "2026-02-01"], ["D-2", "B", "Meeting", "", "bo chen", "", "", "", ""]];
  const map = mapColumns(grid, "Deals", {});
  if (!map) throw new Error("no header found");
  const deals = parseDeals(grid, map, DEFAULT_SETTINGS, "Deals").deals;

  it("reads as its fields, in JSON too, and not as the table it is a window on", () => {
    const json = JSON.parse(JSON.stringify(deals[1])) as Record<string, unknown>;
    expect(json).toEqual(plainDeal(deals[1] as Deal));
    expect([json.value, json.created, json.owner]).toEqual([null, null, "bo chen"]);
    expect(Object.keys(json)).toHaveLength(21);
    expect(JSON.stringify(deals[1])).not.toContain("Ann Lee");
  });

  it("takes a new ID and a last activity day without changing its neighbours", () => {
    const [a, b] = deals as [Deal, Deal];
    b.id = "D-9";
    b.lastActivity = 20_000;
    expect([a.id, b.id, a.lastActivity, b.lastActivity]).toEqual(["D-1", "D-9", null, 20_000]);
    b.lastActivity = null;
    expect(b.lastActivity).toBeNull();
  });

  it("carries no table in a spread or a structured clone", () => {
    const d = deals[0] as Deal;
    expect(Object.keys({ ...d })).toEqual([]);
    expect(JSON.stringify(structuredClone(d))).toBe("{}");
  });
});

describe("TableBuilder", () => {
  const values = { index: 0, id: "", name: "", stageRaw: "", owner: "", closedOn: null, stageEntered: null, lastActivity: null, nextStep: "", nextStepDate: null, firstContact: null, need: "", budget: "", authority: "", lossReason: "" };

  it("makes one table: after finish it takes no more deals", () => {
    const b = new TableBuilder(2, DEFAULT_SETTINGS, {});
    const k = b.add(2, 0, 10, null, null);
    expect(b.deal(k, values, {}).value).toBe(10);
    const t = b.finish();
    expect(t.length).toBe(1);
    expect(() => b.add(3, 0, 5, null, null)).toThrow(/finish\(\) was called/);
    expect(() => b.fill(k, values, {})).toThrow(/finish\(\) was called/);
    expect(() => b.finish()).toThrow(/finish\(\) was called/);
    expect([t.length, t.value[0]]).toEqual([1, 10]);
  });

  it("refuses a deal past its room, or the rest of a row never added", () => {
    const b = new TableBuilder(1, DEFAULT_SETTINGS, {});
    expect(() => b.fill(0, values, {})).toThrow(/deal 0 was never added/);
    b.add(2, 0, 1, null, null);
    expect(() => b.add(3, 0, 2, null, null)).toThrow(/room for 1 deals/);
  });
});
