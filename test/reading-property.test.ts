// The figures of a sheet do not depend on how it is laid out: column order, header spelling, blank rows,
// header rows repeated inside the data and a totals row change no figure of the first review.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { run } from "../core/engine.js";
import type { Cell, Grid } from "../core/types.js";

const TODAY = "2026-11-30";

// Each column with the spellings real exports use for it.
const COLUMNS = [
  { key: "name", names: ["Deal name", "Opportunity Name", "Deal - Title", "Topic"] },
  { key: "stage", names: ["Stage", "Deal Stage", "StageName", "deal_stage"] },
  { key: "value", names: ["Amount", "Deal value", "close_value", "Est. Revenue"] },
  { key: "owner", names: ["Owner", "Sales rep", "sales_agent", "Salesperson"] },
  { key: "created", names: ["Created", "Create Date", "engage_date", "CreatedDate"] },
  { key: "close", names: ["Close date", "Expected close", "CloseDate", "Est. Close Date"] },
] as const;
type Key = (typeof COLUMNS)[number]["key"];

const iso = (day: number): string => new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

const dealArb = fc.record({
  stage: fc.constantFrom("Prospecting", "Meeting", "Proposal", "Negotiation", "Won", "Lost", "Closed Won", "Closed Lost"),
  value: fc.integer({ min: 100, max: 90_000 }),
  owner: fc.constantFrom("Ann Lee", "Bo Chen", "Cy Diaz"),
  created: fc.integer({ min: 0, max: 500 }),
  length: fc.integer({ min: 0, max: 120 }),
});
type DealRow = { stage: string; value: number; owner: string; created: number; length: number };

const cellOf = (d: DealRow, i: number, key: Key): Cell =>
  key === "name" ? `Deal ${i + 1}` : key === "stage" ? d.stage : key === "value" ? String(d.value) : key === "owner" ? d.owner : key === "created" ? iso(d.created) : iso(d.created + d.length);

interface Layout {
  order: number[];
  spelling: number[];
  /** Row positions (into the deal list) before which a blank row / a repeated header goes. */
  blanks: number[];
  headers: number[];
  totals: boolean;
}

function sheet(deals: DealRow[], layout: Layout): Grid {
  const cols = layout.order.map((k) => COLUMNS[k] as (typeof COLUMNS)[number]);
  const header = cols.map((c, j) => c.names[(layout.spelling[j] ?? 0) % c.names.length] as string);
  const grid: Grid = [header];
  deals.forEach((d, i) => {
    for (const b of layout.blanks) if (b === i) grid.push(cols.map(() => ""));
    for (const h of layout.headers) if (h === i && i > 0) grid.push([...header]);
    grid.push(cols.map((c) => cellOf(d, i, c.key)));
  });
  if (layout.totals) grid.push(cols.map((c) => (c.key === "name" ? "Total" : c.key === "value" ? String(deals.reduce((s, d) => s + d.value, 0)) : "")));
  return grid;
}

function figures(grid: Grid) {
  const plan = run({ sheetName: "Deals", deals: grid, settings: null, log: null, sheetNames: ["Deals"] }, { command: "review", today: TODAY });
  const m = plan.metrics;
  if (!m) throw new Error(plan.summary.headline);
  return {
    counts: m.counts,
    winRate: [m.winRate.value, m.winRate.wonValue, m.winRate.lostValue],
    dealSize: m.dealSize.value,
    pipeline: m.pipeline.rows.map((r) => [r.stage, r.count, r.value]),
    cycle: [m.cycle.days, m.cycle.used],
    owners: m.owners.rows.map((o) => [o.owner, o.won, o.wonValue, o.lost]).sort(),
    mapped: Object.keys(plan.summary.columns).sort(),
  };
}

const layoutArb = fc.record({
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
  spelling: fc.array(fc.nat(3), { minLength: 6, maxLength: 6 }),
  blanks: fc.array(fc.nat(80), { maxLength: 6 }),
  headers: fc.array(fc.nat(80), { maxLength: 3 }),
  totals: fc.boolean(),
});

describe("figures do not depend on the layout", () => {
  it("shuffled columns, synonym headers, blank rows, repeated header rows and a totals row", () => {
    fc.assert(
      fc.property(
        fc.array(dealArb, { minLength: 60, maxLength: 80 }).filter((ds) => ds.filter((d) => /Won|Lost/.test(d.stage)).length >= 40),
        layoutArb,
        (deals, layout) => {
          const plain = figures(sheet(deals, { order: [0, 1, 2, 3, 4, 5], spelling: [0, 0, 0, 0, 0, 0], blanks: [], headers: [], totals: false }));
          expect(plain.mapped).toEqual(["closeDate", "createdDate", "name", "owner", "stage", "value"]);
          expect(plain.counts.deals).toBe(deals.length);
          expect(figures(sheet(deals, layout))).toEqual(plain);
        },
      ),
      { numRuns: 40 },
    );
  });
});
