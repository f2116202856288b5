// The forecast range: P10 / P50 / P90 of the value the open deals will win, per close month and quarter and in total.
import { monthKey, quarterKey } from "./a1.js";
import type { Settings } from "./settings.js";
import type { Day, Deal, DealResults } from "./types.js";

export interface RangeRow {
  /** "2026-11", "2026-Q4", "Overdue", "No close date" or "Total". */
  period: string;
  deals: number;
  p10: number;
  p50: number;
  p90: number;
  /** Value of the deals at or above COMMIT_AT. */
  commit: number;
  /** Value of every open deal in the period. */
  bestCase: number;
  /** How the percentiles were found: the exact distribution, or a seeded simulation (see README). */
  method: "exact" | "simulation";
}

export interface ForecastRange {
  byMonth: RangeRow[];
  byQuarter: RangeRow[];
  total: RangeRow;
  /** "win likelihood" when the model is usable for the open deals, else "stage probability". */
  basis: "win likelihood" | "stage probability";
  definition: string;
}

export const COMMIT_AT = 0.7;
/** Draws of the simulation, when the exact distribution would cost too much. */
export const DRAWS = 10_000;
/** The exact distribution is used while deals × grid cells stay under this (a few milliseconds a period). */
export const EXACT_BUDGET = 4e6;
/** Up to this many deals of any values, the exact distribution is kept as its distinct sums (at most 2^20). */
const SPARSE_MAX_DEALS = 20;
/** In a simulated period, this many deals of the largest spread are drawn one by one; the many small rest go as one normal. */
export const DRAWN_ONE_BY_ONE = 100;
/** Probabilities are compared with this slack, so 1 − 0.9 (0.0999…98) still counts as reaching 10 %. */
const SLACK = 1e-9;
const SEED = 0x5eed_2026;

interface Item {
  cents: number;
  p: number;
}

const gcd = (a: number, b: number): number => {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
};

/** Smallest x of a distribution given by sorted support `at(k)` and masses with P(X ≤ x) ≥ q. */
function quantiles(mass: Float64Array, at: (k: number) => number, qs: readonly number[]): number[] {
  const out: number[] = [];
  let cum = 0;
  let k = 0;
  for (const q of qs) {
    while (k < mass.length && cum + (mass[k] as number) < q - SLACK) cum += mass[k++] as number;
    out.push(at(Math.min(k, mass.length - 1)));
  }
  return out;
}

/**
 * Exact: dynamic programming over the deals on a grid of the values' greatest common divisor in cents, so no
 * value is rounded; when that grid is too fine for the budget, the sparse form below. Null when neither fits.
 */
export function exactPercentiles(items: readonly Item[], qs: readonly number[]): number[] | null {
  let shift = 0;
  let g = 0;
  // The live values' span in cents: only to give up early (see below).
  let span = 0;
  const live: Item[] = [];
  for (let n = 0; n < items.length; n++) {
    const it = items[n] as Item;
    if (it.cents === 0 || it.p <= 0) continue;
    if (it.p >= 1) shift += it.cents;
    else {
      live.push(it);
      g = gcd(g, Math.abs(it.cents));
      // A fractional amount (not from forecastRange, which rounds to cents) turns the early exit off for good.
      span += Number.isInteger(it.cents) ? Math.abs(it.cents) : Number.NaN;
      // More deals only widen the grid (the span grows, the divisor shrinks): once the deals so far exceed the
      // budget, so would all of them, and a period of a million deals stops after a few dozen instead of
      // finding the divisor of all (1M deals: about -70 ms). Exact while the span is a safe integer.
      if (live.length > SPARSE_MAX_DEALS && Number.isSafeInteger(span) && live.length * (span / g + 1) > EXACT_BUDGET) return null;
    }
  }
  if (live.length === 0) return qs.map(() => shift / 100);
  let lo = 0;
  let hi = 0;
  for (let n = 0; n < live.length; n++) {
    const it = live[n] as Item;
    if (it.cents < 0) lo += it.cents / g;
    else hi += it.cents / g;
  }
  const size = hi - lo + 1;
  // The distinct sums number at most 2^deals: for a few deals (at most about 2 million sums) that beats a long grid.
  const fewSums = live.length <= SPARSE_MAX_DEALS && 2 ** (live.length + 1) < (live.length * size) / 4;
  if (fewSums || live.length * size > EXACT_BUDGET) return live.length <= SPARSE_MAX_DEALS ? sparsePercentiles(live, shift, qs) : null;
  const mass = new Float64Array(size);
  // Index k holds P(sum = (k + lo) × g); a and b bound the support reached so far.
  let a = -lo;
  let b = -lo;
  mass[a] = 1;
  for (let n = 0; n < live.length; n++) {
    const it = live[n] as Item;
    const u = it.cents / g;
    const p = it.p;
    const q = 1 - p;
    if (u > 0) {
      for (let k = b; k >= a; k--) {
        const m = mass[k] as number;
        mass[k + u] = (mass[k + u] as number) + p * m;
        mass[k] = q * m;
      }
      b += u;
    } else {
      for (let k = a; k <= b; k++) {
        const m = mass[k] as number;
        mass[k + u] = (mass[k + u] as number) + p * m;
        mass[k] = q * m;
      }
      a += u;
    }
  }
  return quantiles(mass, (k) => ((k + lo) * g + shift) / 100, qs);
}

/**
 * Exact as well, for values with no useful common divisor: the distribution kept as its sorted distinct sums,
 * merged deal by deal. Its size is at most 2^deals, so it suits few deals of any values.
 */
function sparsePercentiles(live: readonly Item[], shift: number, qs: readonly number[]): number[] {
  let sums = new Float64Array([0]);
  let mass = new Float64Array([1]);
  for (const it of live) {
    const n = sums.length;
    const outSums = new Float64Array(2 * n);
    const outMass = new Float64Array(2 * n);
    const u = it.cents;
    const p = it.p;
    const q = 1 - p;
    // Two sorted lists, the sums without this deal and with it, merged; equal sums become one entry.
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < n || j < n) {
      const a = i < n ? (sums[i] as number) : Infinity;
      const b = j < n ? (sums[j] as number) + u : Infinity;
      const x = a <= b ? a : b;
      let m = 0;
      if (a === x) m += q * (mass[i++] as number);
      if (b === x) m += p * (mass[j++] as number);
      outSums[k] = x;
      outMass[k++] = m;
    }
    sums = outSums.subarray(0, k);
    mass = outMass.subarray(0, k);
  }
  return quantiles(mass, (k) => ((sums[k] as number) + shift) / 100, qs);
}

/** mulberry32's output for state s: small, fast and seeded, so the same sheet gives the same range on every host and every run. */
function mulberry(s: number): number {
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const STEP = 0x6d2b79f5;

/**
 * DRAWS simulated outcomes of one period's won value, in cents and in draw order (unsorted), so the draws of
 * independent periods can be added draw by draw. The DRAWN_ONE_BY_ONE deals with the largest spread
 * (p(1−p)·value²) are drawn as wins or losses; the rest, each too small to move the total alone, are drawn
 * together as one normal with their mean and variance (their sum is that close to normal), which keeps a
 * million deals to a few passes.
 */
export function simulatedDraws(items: readonly Item[], draws = DRAWS, seed = SEED): Float64Array {
  const n = items.length;
  let cents: Float64Array;
  let ps: Float64Array;
  let restMean = 0;
  let restSd = 0;
  if (n > DRAWN_ONE_BY_ONE) {
    // The cut-off spread from a typed-array sort, not a sort of the deals: a period of 100,000 stays cheap.
    const spreads = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const it = items[k] as Item;
      spreads[k] = it.p * (1 - it.p) * it.cents * it.cents;
    }
    const cut = spreads.slice().sort()[n - DRAWN_ONE_BY_ONE] as number;
    cents = new Float64Array(DRAWN_ONE_BY_ONE);
    ps = new Float64Array(DRAWN_ONE_BY_ONE);
    let picked = 0;
    let v = 0;
    for (let k = 0; k < n; k++) {
      const it = items[k] as Item;
      const sp = spreads[k] as number;
      if (sp >= cut && picked < DRAWN_ONE_BY_ONE) {
        cents[picked] = it.cents;
        ps[picked++] = it.p;
      } else {
        restMean += it.p * it.cents;
        v += sp;
      }
    }
    restSd = Math.sqrt(v);
  } else {
    cents = Float64Array.from(items, (it) => it.cents);
    ps = Float64Array.from(items, (it) => it.p);
  }
  const m = cents.length;
  const sums = new Float64Array(draws);
  // One seeded stream for the whole period, as a plain state: this loop draws a million numbers a period.
  let st = seed >>> 0;
  for (let d = 0; d < draws; d++) {
    let s = 0;
    for (let k = 0; k < m; k++) {
      st = (st + STEP) >>> 0;
      if (mulberry(st) < (ps[k] as number)) s += cents[k] as number;
    }
    if (restSd > 0) {
      st = (st + STEP) >>> 0;
      const u1 = mulberry(st);
      st = (st + STEP) >>> 0;
      const u2 = mulberry(st);
      // Box–Muller; 1 − u keeps the logarithm finite.
      const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
      s += Math.round(restMean + restSd * z);
    } else s += restMean;
    sums[d] = s;
  }
  return sums;
}

/** The percentiles of simulated draws (in cents), in currency units. */
function drawPercentiles(draws: Float64Array, qs: readonly number[]): number[] {
  const sorted = draws.slice().sort();
  const n = sorted.length;
  return qs.map((q) => (sorted[Math.min(Math.max(Math.ceil(n * q - SLACK) - 1, 0), n - 1)] as number) / 100);
}

/** Percentiles of one period from a seeded simulation of DRAWS outcomes (see simulatedDraws). */
export function simulatedPercentiles(items: readonly Item[], qs: readonly number[], draws = DRAWS): number[] {
  return drawPercentiles(simulatedDraws(items, draws), qs);
}

const QS = [0.1, 0.5, 0.9] as const;

/** Commit and best case of a period's items, in currency units. */
function amounts(items: readonly Item[]): { commit: number; bestCase: number } {
  let commit = 0;
  let best = 0;
  for (let n = 0; n < items.length; n++) {
    const it = items[n] as Item;
    best += it.cents;
    if (it.p >= COMMIT_AT - SLACK) commit += it.cents;
  }
  return { commit: commit / 100, bestCase: best / 100 };
}

/** A period's own seed, from its name, so its figures do not move when another period comes or goes. */
function seedOf(period: string): number {
  let h = SEED;
  for (let i = 0; i < period.length; i++) h = Math.imul(h ^ period.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The periods that share no deal (Overdue, each month, No close date) are simulated once each, when needed; a
 * quarter and the total are the draw-by-draw sums of their months' draws (the deals are independent, so the
 * sum of independent draws is a draw of the sum). One simulation pass serves every period.
 */
class Leaves {
  private readonly draws = new Map<string, Float64Array>();
  constructor(private readonly items: Map<string, Item[]>) {}
  of(period: string): Float64Array {
    let d = this.draws.get(period);
    if (d === undefined) this.draws.set(period, (d = simulatedDraws(this.items.get(period) ?? [], DRAWS, seedOf(period))));
    return d;
  }
  sum(periods: readonly string[]): Float64Array {
    const out = new Float64Array(DRAWS);
    for (const p of periods) {
      const d = this.of(p);
      for (let k = 0; k < DRAWS; k++) out[k] = (out[k] as number) + (d[k] as number);
    }
    return out;
  }
}

function rangeRow(period: string, items: readonly Item[], leaves: Leaves, parts: readonly string[]): RangeRow {
  const { commit, bestCase } = amounts(items);
  const exact = exactPercentiles(items, QS);
  const [p10, p50, p90] = (exact ?? drawPercentiles(parts.length === 1 && parts[0] === period ? leaves.of(period) : leaves.sum(parts), QS)) as [number, number, number];
  return { period, deals: items.length, p10, p50, p90, commit, bestCase, method: exact ? "exact" : "simulation" };
}

const OVERDUE = "Overdue";
const NO_CLOSE = "No close date";

/** The range for the open deals: the same periods as the weighted forecast (Overdue, months or quarters, No close date). */
export function forecastRange(deals: readonly Deal[], results: DealResults, settings: Settings, today: Day): ForecastRange {
  // Leaf periods (Overdue, months, No close date) hold each open deal once; a quarter lists its months.
  const leafItems = new Map<string, Item[]>();
  const byQuarter = new Map<string, { items: Item[]; months: Set<string> }>();
  const all: Item[] = [];
  const labels = new Map<Day, [string, string]>();
  const add = (key: string, it: Item): void => {
    const list = leafItems.get(key);
    if (list) list.push(it);
    else leafItems.set(key, [it]);
  };
  let learned = 0;
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    const st = settings.stages[d.stage];
    if (st?.kind !== "open") continue;
    const win = i < results.length ? (results.win[i] as number) : NaN;
    if (!Number.isNaN(win)) learned++;
    const it: Item = { cents: Math.round((d.value ?? 0) * 100), p: Number.isNaN(win) ? st.probability / 100 : win };
    all.push(it);
    const cd = d.closeDate;
    if (cd === null) add(NO_CLOSE, it);
    else if (cd < today) add(OVERDUE, it);
    else {
      let l = labels.get(cd);
      if (l === undefined) labels.set(cd, (l = [monthKey(cd), quarterKey(cd)]));
      add(l[0], it);
      let q = byQuarter.get(l[1]);
      if (q === undefined) byQuarter.set(l[1], (q = { items: [], months: new Set() }));
      q.items.push(it);
      q.months.add(l[0]);
    }
  }
  const leaves = new Leaves(leafItems);
  const edge = (key: string): RangeRow[] => {
    const items = leafItems.get(key);
    return items ? [rangeRow(key, items, leaves, [key])] : [];
  };
  const sorted = <T>(m: Map<string, T>): [string, T][] => [...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const months = sorted(leafItems).filter(([k]) => k !== OVERDUE && k !== NO_CLOSE);
  const byMonth = [...edge(OVERDUE), ...months.map(([k, items]) => rangeRow(k, items, leaves, [k])), ...edge(NO_CLOSE)];
  const byQuarterRows = [...edge(OVERDUE), ...sorted(byQuarter).map(([k, q]) => rangeRow(k, q.items, leaves, [...q.months])), ...edge(NO_CLOSE)];
  const total = rangeRow("Total", all, leaves, [...leafItems.keys()]);
  const basis = learned > 0 ? "win likelihood" : "stage probability";
  return {
    byMonth,
    byQuarter: byQuarterRows,
    total,
    basis,
    definition:
      `Forecast range: each open deal is won (its full value) or not, independently, with its ${basis === "win likelihood" ? "win likelihood (stage win probability where the model gives none)" : "stage win probability"}. ` +
      "Pn is the smallest value x with P(won value ≤ x) ≥ n %: P10 is a cautious figure, P50 the middle, P90 an optimistic one. " +
      `Commit = value of deals at ${Math.round(COMMIT_AT * 100)} % or more; best case = value of every open deal. ` +
      "Computed exactly from the distribution of the sum (on a grid of the values' common divisor in cents); for very large periods, from a seeded simulation of 10,000 draws.",
  };
}
