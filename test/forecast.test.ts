import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dayFromIso } from "../core/a1.js";
import { COMMIT_AT, DRAWN_ONE_BY_ONE, EXACT_BUDGET, exactPercentiles, forecastRange, simulatedPercentiles } from "../core/forecast.js";
import { DEFAULT_SETTINGS } from "../core/settings.js";
import type { Day, DealResult } from "../core/types.js";
import { blankDeal } from "./helpers/deal.js";
import { dealResults } from "../core/results.js";

/** Every one of the 2^n outcomes, summed in cents; Pn = smallest sum whose cumulative probability reaches n %. */
function bruteForce(items: { cents: number; p: number }[], q: number): number {
  const outcomes: { sum: number; prob: number }[] = [];
  for (let mask = 0; mask < 1 << items.length; mask++) {
    let sum = 0;
    let prob = 1;
    items.forEach((it, k) => {
      if (mask & (1 << k)) {
        sum += it.cents;
        prob *= it.p;
      } else prob *= 1 - it.p;
    });
    outcomes.push({ sum, prob });
  }
  outcomes.sort((a, b) => a.sum - b.sum);
  let cum = 0;
  for (let k = 0; k < outcomes.length; k++) {
    const o = outcomes[k] as { sum: number; prob: number };
    cum += o.prob;
    // Ties of the same sum are one value of x: look at the cumulative only after the last of them.
    if (k + 1 < outcomes.length && (outcomes[k + 1] as { sum: number }).sum === o.sum) continue;
    if (cum >= q - 1e-9) return o.sum / 100;
  }
  return (outcomes[outcomes.length - 1] as { sum: number }).sum / 100;
}

const item = fc.record({
  cents: fc.oneof(fc.integer({ min: -50_000, max: 5_000_000 }), fc.constantFrom(0, 100_000, 250_000, 1_234_56)),
  p: fc.oneof(fc.constantFrom(0, 0.05, 0.1, 0.2, 0.4, 0.7, 1), fc.double({ min: 0, max: 1, noNaN: true })),
});

describe("forecast range: exact percentiles", () => {
  it("match the enumeration of every outcome on small pipelines", () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 0, maxLength: 10 }), (items) => {
        const got = exactPercentiles(items, [0.1, 0.5, 0.9]);
        expect(got).not.toBeNull();
        expect(got).toEqual([bruteForce(items, 0.1), bruteForce(items, 0.5), bruteForce(items, 0.9)]);
      }),
      { numRuns: 300 },
    );
  });

  it("a 90 % deal alone: P10 is 0 (P(0) = 10 % reaches 10 %), P50 and P90 its value", () => {
    expect(exactPercentiles([{ cents: 500_000, p: 0.9 }], [0.1, 0.5, 0.9])).toEqual([0, 5000, 5000]);
  });

  it("two deals: 1,000 at 50 % and 3,000 at 50 % give four equally likely sums", () => {
    // 0, 1000, 3000, 4000 each with 25 %: P10 = 0, P50 = 1000 (cumulative 50 %), P90 = 4000.
    expect(exactPercentiles([{ cents: 100_000, p: 0.5 }, { cents: 300_000, p: 0.5 }], [0.1, 0.5, 0.9])).toEqual([0, 1000, 4000]);
  });

  it("stays exact for a few deals of any cents (no common divisor), and gives up only past its budget", () => {
    const few = [123_457, 9_876_543, 5_000_001, 31_337, 77_777_777, 4_444_447, 1_999_999, 12_345_679, 3, 66_666_661, 8_888_881, 2_718_281].map((cents, k) => ({ cents, p: [0.3, 0.5, 0.7, 0.2, 0.05, 0.1][k % 6] as number }));
    expect(exactPercentiles(few, [0.1, 0.5, 0.9])).toEqual([0.1, 0.5, 0.9].map((q) => bruteForce(few, q)));
    // Values a few cents apart in the hundreds of thousands: too many deals for the distinct sums, a grid of cents too long.
    const many = Array.from({ length: 200 }, (_, k) => ({ cents: 10_000_000 + k * 7 + 1, p: 0.3 }));
    expect(exactPercentiles(many, [0.5])).toBeNull();
  });

  it("gives up exactly when deals × grid cells pass the budget, however early the deals so far pass it", () => {
    // The budget rule written out on all the live deals (the function may stop at the first few dozen).
    const overBudget = (items: { cents: number; p: number }[]): boolean => {
      const live = items.filter((it) => it.cents !== 0 && it.p > 0 && it.p < 1);
      const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
      const g = live.reduce((x, it) => gcd(x, Math.abs(it.cents)), 0);
      const size = live.reduce((s, it) => s + Math.abs(it.cents) / g, 0) + 1;
      return live.length > 20 && live.length * size > EXACT_BUDGET;
    };
    const deal = fc.record({ cents: fc.oneof(fc.integer({ min: -2_000, max: 2_000 }).map((k) => k * 100), fc.integer({ min: -50_000, max: 200_000 })), p: fc.constantFrom(0, 0.2, 0.5, 0.9, 1) });
    fc.assert(
      fc.property(fc.array(deal, { minLength: 15, maxLength: 120 }), (items) => {
        expect(exactPercentiles(items, [0.5]) === null).toBe(overBudget(items));
      }),
      { numRuns: 200 },
    );
  });
});

describe("forecast range: the seeded simulation", () => {
  // Values on a $1,000 grid plus a few cents each (too fine for the exact grid), so the exact answer on the $1,000 grid is within n dollars of the truth.
  const make = (n: number): { cents: number; p: number }[] =>
    Array.from({ length: n }, (_, k) => ({ cents: (((k * 37) % 9) + 1) * 100_000 + ((k * 13) % 99) + 1, p: [0.05, 0.1, 0.2, 0.4, 0.7][k % 5] as number }));
  const onGrid = (items: { cents: number; p: number }[]): { cents: number; p: number }[] => items.map((it) => ({ cents: Math.round(it.cents / 100_000) * 100_000, p: it.p }));

  for (const n of [60, DRAWN_ONE_BY_ONE + 400]) {
    it(`stays within 2 % of the best case of the exact figures (${n} deals)`, () => {
      const items = make(n);
      expect(exactPercentiles(items, [0.5])).toBeNull();
      const sim = simulatedPercentiles(items, [0.1, 0.5, 0.9]);
      const exact = exactPercentiles(onGrid(items), [0.1, 0.5, 0.9]) as number[];
      const best = items.reduce((s, it) => s + it.cents, 0) / 100;
      sim.forEach((x, k) => expect(Math.abs(x - (exact[k] as number))).toBeLessThan(0.02 * best));
      expect(sim[0]).toBeLessThan(sim[2] as number);
    });
  }

  it("is seeded: the same deals give the same figures", () => {
    const items = make(100);
    expect(simulatedPercentiles(items, [0.1, 0.5, 0.9])).toEqual(simulatedPercentiles(items, [0.1, 0.5, 0.9]));
  });
});

/** An open deal's result with only its win likelihood set. */
const result = (win: number | null): DealResult => ({
  score: { score: 0, grade: "D", qualified: false, reasons: "", unknown: [], unrecognised: [] },
  win,
  daysInStage: null,
  threshold: null,
  stuck: null,
});

describe("forecastRange over deals", () => {
  const today = dayFromIso("2026-11-26") as Day;
  const day = (iso: string): Day => dayFromIso(iso) as Day;
  const stage = (name: string): number => DEFAULT_SETTINGS.stages.findIndex((s) => s.name === name);
  const deals = [
    blankDeal({ index: 0, stage: stage("Negotiation"), value: 10_000, closeDate: day("2026-12-10") }),
    blankDeal({ index: 1, stage: stage("Proposal"), value: 4_000.5, closeDate: day("2026-12-20") }),
    blankDeal({ index: 2, stage: stage("Meeting"), value: 6_000, closeDate: day("2027-01-05") }),
    blankDeal({ index: 3, stage: stage("Prospecting"), value: 2_000, closeDate: day("2026-11-01") }),
    blankDeal({ index: 4, stage: stage("Proposal"), value: null, closeDate: null }),
    blankDeal({ index: 5, stage: stage("Won"), value: 99_000, closeDate: day("2026-12-01") }),
  ];

  it("uses the stage probability when the model gives none, and groups as the weighted forecast does", () => {
    const fr = forecastRange(deals, dealResults(deals.map(() => result(null))), DEFAULT_SETTINGS, today);
    expect(fr.basis).toBe("stage probability");
    expect(fr.byMonth.map((r) => r.period)).toEqual(["Overdue", "2026-12", "2027-01", "No close date"]);
    expect(fr.byQuarter.map((r) => r.period)).toEqual(["Overdue", "2026-Q4", "2027-Q1", "No close date"]);
    const dec = fr.byMonth[1];
    const items = [
      { cents: 1_000_000, p: 0.7 },
      { cents: 400_050, p: 0.4 },
    ];
    expect(dec).toEqual({
      period: "2026-12",
      deals: 2,
      p10: bruteForce(items, 0.1),
      p50: bruteForce(items, 0.5),
      p90: bruteForce(items, 0.9),
      commit: 10_000,
      bestCase: 14_000.5,
      method: "exact",
    });
    const all = [...items, { cents: 600_000, p: 0.2 }, { cents: 200_000, p: 0.05 }, { cents: 0, p: 0.4 }];
    expect(fr.total).toMatchObject({ period: "Total", deals: 5, p10: bruteForce(all, 0.1), p50: bruteForce(all, 0.5), p90: bruteForce(all, 0.9), commit: 10_000, bestCase: 22_000.5 });
  });

  it("uses the win likelihood when the model gives one; commit follows it", () => {
    const wins = [0.2, 0.75, 0.5, 0.1, 0.3, null];
    const fr = forecastRange(deals, dealResults(wins.map(result)), DEFAULT_SETTINGS, today);
    expect(fr.basis).toBe("win likelihood");
    const items = [
      { cents: 1_000_000, p: 0.2 },
      { cents: 400_050, p: 0.75 },
    ];
    expect(fr.byMonth[1]).toMatchObject({ p10: bruteForce(items, 0.1), p50: bruteForce(items, 0.5), p90: bruteForce(items, 0.9), commit: 4_000.5 });
    expect(COMMIT_AT).toBe(0.7);
  });
});

describe("forecastRange: one simulation pass for every period", () => {
  const today = dayFromIso("2026-11-26") as Day;
  const stage = (name: string): number => DEFAULT_SETTINGS.stages.findIndex((s) => s.name === name);
  const open = ["Prospecting", "Meeting", "Proposal", "Negotiation"].map(stage);
  // Values on a $1,000 grid plus a few cents each (too fine for the exact grid), over six months, an overdue
  // stretch and no close date; quarters and the total are then sums of their months' draws.
  const n = 700;
  const deals = Array.from({ length: n }, (_, k) =>
    blankDeal({
      index: k,
      stage: open[k % 4] as number,
      value: (((k * 37) % 9) + 1) * 1_000 + (((k * 13) % 99) + 1) / 100,
      closeDate: k % 11 === 0 ? null : today - 20 + ((k * 7) % 180),
    }),
  );
  const wins = deals.map((_, k) => [0.05, 0.1, 0.2, 0.4, 0.7][k % 5] as number);
  const fr = forecastRange(deals, dealResults(wins.map(result)), DEFAULT_SETTINGS, today);
  const itemsOf = (inPeriod: (d: (typeof deals)[number]) => boolean): { cents: number; p: number }[] =>
    deals.flatMap((d, k) => (inPeriod(d) ? [{ cents: Math.round(((d.value ?? 0) * 100) / 100_000) * 100_000, p: wins[k] as number }] : []));
  const monthOf = (d: (typeof deals)[number]): string => {
    const iso = new Date(((d.closeDate ?? 0) as number) * 86_400_000).toISOString();
    return iso.slice(0, 7);
  };

  it("agrees with the exact distribution (on the $1,000 grid) in every month, quarter and the total", () => {
    const rows = [...fr.byMonth, ...fr.byQuarter, fr.total];
    expect([...fr.byQuarter.filter((r) => r.period.includes("-Q")), fr.total].every((r) => r.method === "simulation")).toBe(true);
    expect(fr.byQuarter.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) {
      const member = (d: (typeof deals)[number]): boolean => {
        if (r.period === "Total") return true;
        if (d.closeDate === null) return r.period === "No close date";
        if (d.closeDate < today) return r.period === "Overdue";
        const m = monthOf(d);
        return r.period.includes("-Q") ? `${m.slice(0, 4)}-Q${Math.floor((Number(m.slice(5, 7)) - 1) / 3) + 1}` === r.period : m === r.period;
      };
      const items = itemsOf(member);
      expect(items.length).toBe(r.deals);
      const exact = exactPercentiles(items, [0.1, 0.5, 0.9]) as number[];
      [r.p10, r.p50, r.p90].forEach((x, k) => expect(Math.abs(x - (exact[k] as number))).toBeLessThan(0.02 * r.bestCase));
      expect(r.p10).toBeLessThan(r.p90);
    }
  });

  it("is seeded: the same deals give the same figures, and a period keeps its figures when another one goes", () => {
    expect(forecastRange(deals, dealResults(wins.map(result)), DEFAULT_SETTINGS, today)).toEqual(fr);
    const first = fr.byMonth.find((r) => r.period !== "Overdue") as (typeof fr.byMonth)[number];
    const without = deals.map((d) => (d.closeDate !== null && d.closeDate >= today && monthOf(d) !== first.period ? { ...d, closeDate: null } : d));
    const other = forecastRange(without, dealResults(wins.map(result)), DEFAULT_SETTINGS, today);
    expect(other.byMonth.find((r) => r.period === first.period)).toEqual(first);
  });
});
