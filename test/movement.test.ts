import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { run, type RunResult } from "../core/engine.js";
import type { Movement } from "../core/movement.js";
import { TAB_LOG, type Grid } from "../core/types.js";

// Weekly states of one sheet: [id, name, stage, value, owner, close].
type Row = [string, string, string, number | null, string, string];
const HEADER = ["Deal ID", "Deal", "Stage", "Value", "Owner", "Expected close date"];
const OPEN = ["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation"];

export const WEEKS: { today: string; rows: Row[] }[] = [
  {
    today: "2026-11-02",
    rows: [
      ["D-1", "Big", "Proposal", 10_000, "Ann", "2026-12-01"],
      ["D-2", "Mid", "Meeting", 5_000, "Bo", "2026-12-10"],
      ["D-3", "Win", "Negotiation", 8_000, "Ann", "2026-11-20"],
      ["D-4", "Lose", "Proposal", 4_000, "Cy", "2026-11-30"],
      ["D-5", "Del", "Meeting", 2_000, "Cy", "2026-12-05"],
      ["D-6", "Back", "Negotiation", 7_000, "Bo", "2026-12-20"],
      ["D-7", "Quiet", "Prospecting", 1_000, "Ann", "2027-01-10"],
      ["D-8", "Old win", "Won", 3_000, "Bo", "2026-10-01"],
    ],
  },
  {
    today: "2026-11-09",
    rows: [
      ["D-1", "Big", "Proposal", 12_000.5, "Ann", "2026-12-15"],
      ["D-2", "Mid", "Negotiation", 4_500, "Bo", "2026-12-10"],
      ["D-3", "Win", "Won", 8_500, "Ann", "2026-11-08"],
      ["D-4", "Lose", "Lost", 4_000, "Cy", "2026-11-07"],
      ["D-6", "Back", "Meeting", 7_000, "Bo", "2026-12-20"],
      ["D-7", "Quiet", "Prospecting", 1_000, "Ann", "2027-01-10"],
      ["D-8", "Old win", "Won", 3_000, "Bo", "2026-10-01"],
      ["D-9", "Fresh", "Prospecting", 6_000, "Cy", "2027-02-01"],
    ],
  },
  {
    today: "2026-11-16",
    rows: [
      ["D-1", "Big", "Negotiation", 12_000.5, "Ann", "2027-01-15"],
      ["D-2", "Mid", "Negotiation", 4_500, "Bo", "2026-12-10"],
      ["D-3", "Win", "Won", 8_500, "Ann", "2026-11-08"],
      ["D-4", "Lose", "Lost", 4_000, "Cy", "2026-11-07"],
      ["D-6", "Back", "Meeting", 6_000, "Bo", "2026-12-20"],
      ["D-7", "Quiet", "Prospecting", 1_000, "Ann", "2027-01-10"],
      ["D-8", "Old win", "Proposal", 3_000, "Bo", "2026-12-30"],
      ["D-9", "Fresh", "Prospecting", 6_500, "Cy", "2027-02-01"],
      ["D-10", "Newer", "Meeting", 2_500, "Ann", "2027-01-20"],
      ["D-11", "Quick win", "Won", 900, "Ann", "2026-11-15"],
    ],
  },
];

export const sheetOf = (rows: Row[]): Grid => [HEADER, ...rows.map((r) => [...r])];

/** Runs core on each state in turn, each run's logAppend appended to the log the next one reads. */
export function runWeeks(weeks: { today: string; rows: Row[] }[], since?: string): RunResult[] {
  let log: Grid | null = null;
  const out: RunResult[] = [];
  weeks.forEach((w, k) => {
    const opts = { command: "review" as const, today: w.today, ...(since !== undefined && k === weeks.length - 1 ? { since } : {}) };
    const plan = run({ sheetName: "Deals", deals: sheetOf(w.rows), settings: null, log, sheetNames: log ? ["Deals", TAB_LOG] : ["Deals"] }, opts);
    log = log ? [...log, ...plan.logAppend] : (plan.tabs.find((t) => t.name === TAB_LOG)?.values ?? null);
    out.push(plan);
  });
  return out;
}

interface Expected {
  start: [number, number];
  new: [number, number];
  increased: [number, number];
  decreased: [number, number];
  won: [number, number];
  lost: [number, number];
  other: [number, number];
  end: [number, number];
}

/**
 * The waterfall by hand from the weekly tables alone, in cents. What the log knows of a deal in a week: its row
 * when its stage is a known one; the week before's when the stage is not (pipesheet logs no unknown stage);
 * "gone" when the row was deleted. A deal leaves with the value of its last open week before today; a deal
 * the log never knew up to `since` is new.
 */
export function expectedWaterfall(weeks: { rows: Row[] }[], sinceWeek: number): Expected {
  const cents = (v: number | null): number => Math.round((v ?? 0) * 100);
  const KNOWN = [...OPEN, "Won", "Lost"];
  const last = weeks.length - 1;
  const logged: Map<string, Row | "gone">[] = [];
  let prev = new Map<string, Row | "gone">();
  for (let k = 0; k < last; k++) {
    const cur = new Map<string, Row | "gone">();
    const rows = new Map((weeks[k]?.rows ?? []).map((r) => [r[0], r]));
    for (const id of prev.keys()) if (!rows.has(id)) cur.set(id, "gone");
    for (const [id, r] of rows) {
      if (KNOWN.includes(r[2])) cur.set(id, r);
      else if (prev.has(id)) cur.set(id, prev.get(id) as Row | "gone");
    }
    logged.push(cur);
    prev = cur;
  }
  const isOpen = (r: Row | "gone" | undefined): r is Row => r !== undefined && r !== "gone" && OPEN.includes(r[2]);
  const then = logged[sinceWeek] ?? new Map<string, Row | "gone">();
  const now = new Map((weeks[last]?.rows ?? []).map((r) => [r[0], r]));
  const e: Expected = { start: [0, 0], new: [0, 0], increased: [0, 0], decreased: [0, 0], won: [0, 0], lost: [0, 0], other: [0, 0], end: [0, 0] };
  const plus = (k: keyof Expected, v: number, n = 1): void => {
    e[k] = [e[k][0] + n, e[k][1] + v];
  };
  for (const id of new Set([...then.keys(), ...now.keys()])) {
    const a = then.get(id);
    const b = now.get(id);
    if (isOpen(b)) plus("end", cents(b[3]));
    if (isOpen(a)) {
      const v0 = cents(a[3]);
      plus("start", v0);
      let leftAt = v0;
      for (let k = sinceWeek; k < last; k++) {
        const r = logged[k]?.get(id);
        if (isOpen(r)) leftAt = cents(r[3]);
      }
      const v1 = isOpen(b) ? cents(b[3]) : leftAt;
      if (v1 > v0) plus("increased", v1 - v0);
      if (v1 < v0) plus("decreased", v0 - v1);
      if (!isOpen(b)) {
        if (b?.[2] === "Won") plus("won", v1);
        else if (b?.[2] === "Lost") plus("lost", v1);
        else plus("other", -v1, -1);
      }
    } else if (isOpen(b)) plus(a === undefined ? "new" : "other", cents(b[3]));
  }
  return e;
}

export const inCents = (m: Movement): Expected => {
  const c = (a: { count: number; value: number }, sign = 1): [number, number] => [a.count, Math.round(a.value * 100) * sign];
  return { start: c(m.start), new: c(m.new), increased: c(m.increased), decreased: c(m.decreased), won: c(m.won), lost: c(m.lost), other: c(m.other), end: c(m.end) };
};

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
