import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Movement } from "../core/movement.js";
import { expectedWaterfall, inCents, OPEN, runWeeks, WEEKS, type Row } from "./helpers/weeks.js";

describe("since last review, over three weekly states", () => {
  const plans = runWeeks(WEEKS);
  const m2 = plans[1]?.metrics?.movement as Movement;
  const m3 = plans[2]?.metrics?.movement as Movement;

  it("has no movement on the first run (nothing to compare with)", () => {
    expect(plans[0]?.metrics?.movement).toBeNull();
    expect(plans[0]?.summary.changes).toBeNull();
  });

  it("week 2: the waterfall from the previous review, computed by hand", () => {
    expect(m2.since).toBe("2026-11-02");
    expect(m2.basis).toBe("review");
    expect(inCents(m2)).toEqual(expectedWaterfall(WEEKS.slice(0, 2), 0));
    // Figures a manager would check: D-1 up 2,000.50, D-2 down 500, D-3 won at 8,000, D-4 lost 4,000, D-5 deleted 2,000, D-9 new 6,000.
    expect(m2.increased).toMatchObject({ count: 1, value: 2_000.5 });
    expect(m2.won).toMatchObject({ count: 1, value: 8_000 });
    expect(m2.other).toMatchObject({ count: -1, value: -2_000, out: { count: 1, value: 2_000 } });
    expect(m2.other.deals[0]).toMatchObject({ id: "D-5", sheetRow: null });
    expect(m2.advanced.deals.map((d) => [d.id, d.from, d.to])).toEqual([["D-2", "Meeting", "Negotiation"]]);
    expect(m2.movedBack.deals.map((d) => [d.id, d.from, d.to, d.sheetRow])).toEqual([["D-6", "Negotiation", "Meeting", 6]]);
    expect(m2.pushed.deals.map((d) => [d.id, d.from, d.to, d.pushes])).toEqual([["D-1", "2026-12-01", "2026-12-15", 1]]);
    expect(m2.quiet.deals.map((d) => d.id)).toEqual(["D-7"]);
  });

  it("week 3: reopened deal as other, second push, the review tab's end is the open pipeline", () => {
    expect(m3.since).toBe("2026-11-09");
    expect(inCents(m3)).toEqual(expectedWaterfall(WEEKS.slice(0, 3), 1));
    expect(m3.other).toMatchObject({ count: 1, value: 3_000, in: { count: 1, value: 3_000 } });
    expect(m3.pushed.deals.map((d) => [d.id, d.pushes])).toEqual([["D-1", 2]]);
    expect(m3.quiet.deals.map((d) => d.id).sort()).toEqual(["D-2", "D-7"]);
    const total = plans[2]?.metrics?.pipeline.total;
    expect([m3.end.count, m3.end.value]).toEqual([total?.count, total?.value]);
    expect(plans[2]?.summary.changes?.line).toBe("Since 2026-11-09: 5 → 7 open deals, USD 30,501 → USD 35,501; 1 new, 0 won, 0 lost, 1 pushed.");
  });

  it("links each listed deal in the review tab to its row on the deals sheet; a deleted deal has no link", () => {
    const tab = plans[1]?.tabs.find((t) => t.name === "Pipeline Review");
    const grid = tab?.values ?? [];
    const head = grid.findIndex((r) => r[0] === "Deal" && r[1] === "Row" && r[2] === "Change");
    expect(head).toBeGreaterThan(0);
    const listed: { name: unknown; row: unknown; at: number }[] = [];
    for (let r = head + 1; r < grid.length && grid[r]?.[0] !== "" && grid[r]?.[0] !== undefined; r++) listed.push({ name: grid[r]?.[0], row: grid[r]?.[1], at: r });
    const d6 = listed.find((x) => x.row === 6);
    expect(d6).toBeDefined();
    const links = new Map((tab?.links ?? []).map((l) => [l.cell, l]));
    for (const x of listed) {
      const link = links.get(`A${x.at + 1}`);
      if (typeof x.row === "number") expect(link, String(x.name)).toMatchObject({ sheet: "Deals", target: `A${x.row}` });
      else expect(link, String(x.name)).toBeUndefined();
    }
    expect(listed.some((x) => x.row === "not on the sheet")).toBe(true);
  });

  it("--since a day two weeks back compares with the state logged on that day", () => {
    const again = runWeeks(WEEKS, "2026-11-02");
    const m = again[2]?.metrics?.movement as Movement;
    expect([m.since, m.basis]).toEqual(["2026-11-02", "date"]);
    expect(inCents(m)).toEqual(expectedWaterfall(WEEKS, 0));
  });
});

describe("start + movements = end, on random histories", () => {
  const stage = fc.constantFrom(...OPEN, "Won", "Lost", "Nonsense", "");
  const cell = fc.record({
    present: fc.double({ min: 0, max: 1, noNaN: true }),
    stage,
    value: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5_000_000 }).map((c) => c / 100)),
    close: fc.integer({ min: 0, max: 120 }),
  });
  it("holds to the cent, counts included, and start is the open pipeline of the previous week", () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 4 }), (history) => {
        const weeks = history.map((week, k) => ({
          today: `2026-11-${String(2 + 7 * k).padStart(2, "0")}`,
          rows: week.flatMap((c, i): Row[] => (c.present < 0.8 ? [[`D-${i}`, `Deal ${i}`, c.stage, c.value, "Ann", `2027-01-${String(1 + (c.close % 28)).padStart(2, "0")}`]] : [])),
        }));
        const plans = runWeeks(weeks);
        const m = plans.at(-1)?.metrics?.movement;
        expect(m).not.toBeNull();
        const e = inCents(m as Movement);
        const sum = (k: 0 | 1): number => e.start[k] + e.new[k] + (k === 1 ? e.increased[1] - e.decreased[1] : 0) - e.won[k] - e.lost[k] + e.other[k];
        expect([sum(0), sum(1)]).toEqual(e.end);
        expect(e).toEqual(expectedWaterfall(weeks, weeks.length - 2));
      }),
      { numRuns: 150 },
    );
  });
});
