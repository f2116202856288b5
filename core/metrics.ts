// Pipeline metrics: one pass over the deals and one over the stage log, returned as plain numbers, each with its definition.
import { dayFromYmd } from "./a1.js";
import { activityMetrics, type ActivityLog, type ActivityMetrics } from "./activity.js";
import { computeCapacity, type CapacityMetrics } from "./capacity.js";
import { computeSegments, segmentsOf, type SegmentMetrics } from "./segments.js";
import type { DealTable } from "./table.js";
import { forecastRange, type ForecastRange } from "./forecast.js";
import type { Movement } from "./movement.js";
import type { Quarterly, Settings } from "./settings.js";
import { stageMatcher } from "./stages.js";
import { numberOrNull } from "./results.js";
import type { Day, Deal, DealResults, Field, Grade, LeadScore, Transition, WinModelSummary } from "./types.js";

export interface MetricsInput {
  deals: readonly Deal[];
  /** Index-aligned with deals. */
  results: DealResults;
  settings: Settings;
  today: Day;
  /** The whole stage log including today's new rows; from "" = a deal's first snapshot. */
  transitions: readonly Transition[];
  winModel: WinModelSummary;
  /** Which input columns the sheet has. */
  present: Partial<Record<Field, boolean>>;
  currency: string;
  /** The activity log read from the workbook; without it the activity figures are zero. */
  activityLog?: ActivityLog;
  /** Segment labels as written on the sheet; without it, the deal's lower-cased categories. */
  segmentLabel?: Parameters<typeof computeSegments>[3];
  /** The deals as a table (core/table.ts), position for position; when given, its segment columns are read instead of segmentLabel. */
  table?: DealTable;
  /** "Since last review", computed from the log by core/movement.ts; null or absent without an earlier run. */
  movement?: Movement | null;
}

export interface Amounts {
  count: number;
  value: number;
  weighted: number;
}

export interface StageRow extends Amounts {
  stage: string;
  /** Stage win probability as a fraction 0..1. */
  probability: number;
}

export interface ForecastRow extends Amounts {
  /** "2026-11", "2026-Q4", "Overdue" or "No close date". */
  period: string;
  kind: "overdue" | "period" | "none";
}

export interface OwnerRow {
  owner: string;
  open: number;
  openValue: number;
  weighted: number;
  won: number;
  wonValue: number;
  lost: number;
  /** Fraction 0..1 on the settings' basis; null with no closed deals. */
  winRate: number | null;
  stuck: number;
}

export interface LossRow {
  reason: string;
  count: number;
  value: number;
}

export interface StuckRow {
  id: string;
  name: string;
  owner: string;
  stage: string;
  sheetRow: number;
  daysInStage: number | null;
  /** Days past the furthest-exceeded limit (stage limit, no-activity limit or close date); 0 when none is known. */
  overdueDays: number;
  severity: "nudge" | "cut loose";
  reasons: string[];
  action: string;
}

export interface ConversionRow {
  from: string;
  to: string;
  reached: number;
  advanced: number;
  /** advanced ÷ reached, 0..1; null when no deal reached `from`. */
  rate: number | null;
}

export interface TimeInStageRow {
  stage: string;
  days: number | null;
  samples: number;
}

export interface LeadMonthRow {
  month: string;
  newLeads: number;
  qualified: number;
}

export interface UnitMetric {
  name: string;
  value: number | null;
  unit: "money" | "months" | "ratio";
  /** Settings labels still blank; empty when the metric could be computed or failed for another reason. */
  missing: string[];
  /** What to show instead of a number: "not set: fill in … in Pipeline Settings". "" when value is set. */
  status: string;
  definition: string;
}

export type HistoryBasis = "stage log" | "sheet";

export interface PipelineMetrics {
  today: Day;
  currency: string;
  counts: { deals: number; open: number; won: number; lost: number; unknownStage: number; openWithoutValue: number };
  pipeline: { rows: StageRow[]; total: Amounts; definition: string };
  forecast: { byMonth: ForecastRow[]; byQuarter: ForecastRow[]; definition: string };
  winRate: { value: number | null; basis: "count" | "value"; won: number; lost: number; wonValue: number; lostValue: number; definition: string };
  dealSize: { value: number | null; deals: number; definition: string };
  cycle: { days: number | null; basis: "won" | "closed"; used: number; leftOut: number; definition: string };
  timeInStage: { basis: HistoryBasis; rows: TimeInStageRow[]; definition: string };
  conversion: { basis: HistoryBasis; rows: ConversionRow[]; definition: string };
  velocity: { perDay: number | null; missing: string[]; definition: string };
  coverage: {
    /** False when no revenue target is set; the other numbers are then 0/null. */
    set: boolean;
    target: number | null;
    period: string;
    wonInPeriod: number;
    /** target − won this period (may be ≤ 0 when the target is met). */
    gap: number | null;
    weightedInPeriod: number;
    /** weightedInPeriod ÷ gap; null when unset or the target is already met. */
    ratio: number | null;
    newLeadsNeeded: number | null;
    definition: string;
  };
  owners: { rows: OwnerRow[]; definition: string };
  lossReasons: { rows: LossRow[]; definition: string };
  responseTime: { present: boolean; mean: number | null; median: number | null; used: number; definition: string };
  newLeads: { last7Days: number; qualifiedLast7Days: number; byMonth: LeadMonthRow[]; definition: string; monthlyDefinition: string };
  unitEconomics: { ltv: UnitMetric; cac: UnitMetric; payback: UnitMetric; magicNumber: UnitMetric };
  /** The most overdue stuck deals (at most STUCK_LIST_MAX) and how many are stuck in all. */
  stuck: { rows: StuckRow[]; total: number; definition: string };
  model: WinModelSummary & { definition: string };
  grades: { counts: Record<Grade, number>; definition: string };
  /** P10/P50/P90 of the won value beside the weighted forecast (core/forecast.ts). */
  forecastRange: ForecastRange;
  /** What changed in the open pipeline since the last review (core/movement.ts); null when there is no earlier run. */
  movement: Movement | null;
  /** The week's calls, emails and meetings per person and for the team, and lead response time from the activity log. */
  activity: ActivityMetrics;
  capacity: CapacityMetrics;
  /** Where we win: win rate, deal size and cycle by source, product, industry and owner. */
  segments: SegmentMetrics;
}

const NO_ACTIVITY_LOG: ActivityLog = { sheet: null, columns: null, activities: [], badRows: 0, unknownDeals: 0, problems: [] };

/** The activity, capacity and segment figures, kept apart from the one-pass pipeline figures above. */
function followUpMetrics(input: MetricsInput): Pick<PipelineMetrics, "activity" | "capacity" | "segments"> {
  const log = input.activityLog ?? NO_ACTIVITY_LOG;
  return {
    activity: activityMetrics(log, input.deals, input.today),
    capacity: computeCapacity(input.deals, input.settings, log, input.today),
    segments: input.table
      ? segmentsOf(input.table, input.settings)
      : computeSegments(input.deals, input.settings, input.present, input.segmentLabel ?? ((f, d) => (f === "owner" ? d.owner : (d.categories[f] ?? "")))),
  };
}

/** The review lists at most this many stuck deals; the Stuck column on the sheet has them all. */
export const STUCK_LIST_MAX = 200;

const OPEN = 0;
const WON = 1;
const LOST = 2;
const LEAD_MONTHS = 6;
const NEVER = -2_147_483_648;

// Calendar maths without Date objects, so per-row bucketing stays allocation-free (Hinnant's civil-from-days).
/** Months since year 0: year × 12 + month − 1. */
export function monthIndex(day: Day): number {
  const z = Math.floor(day) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 12 + m - 1;
}
const monthLabel = (mi: number): string => `${Math.floor(mi / 12)}-${String((mi % 12) + 1).padStart(2, "0")}`;
const quarterLabel = (qi: number): string => `${Math.floor(qi / 4)}-Q${(qi % 4) + 1}`;
const monthStart = (mi: number): Day => dayFromYmd(Math.floor(mi / 12), (mi % 12) + 1, 1);

function targetPeriod(kind: Settings["metrics"]["targetPeriod"], today: Day): { start: Day; end: Day; label: string } {
  const mi = monthIndex(today);
  const first = kind === "month" ? mi : kind === "quarter" ? mi - (mi % 3) : mi - (mi % 12);
  const months = kind === "month" ? 1 : kind === "quarter" ? 3 : 12;
  const label = kind === "month" ? monthLabel(mi) : kind === "quarter" ? quarterLabel(Math.floor(mi / 3)) : String(Math.floor(mi / 12));
  return { start: monthStart(first), end: monthStart(first + months) - 1, label };
}

/** 1234567.8 -> "1,234,568": the same text on every host, whatever its locale. */
export function thousands(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const digits = String(Math.abs(Math.round(x)));
  let out = "";
  for (let i = 0; i < digits.length; i++) out += (i > 0 && (digits.length - i) % 3 === 0 ? "," : "") + digits[i];
  return (Math.round(x) < 0 ? "-" : "") + out;
}

const emptyAmounts = (): Amounts => ({ count: 0, value: 0, weighted: 0 });
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

interface OwnerAcc extends OwnerRow {
  lostValue: number;
}

/** Groups free-text labels case- and space-insensitively, with one Map hit per row for a spelling already seen. */
class Groups<T> {
  private byRaw = new Map<string, T>();
  private byKey = new Map<string, T>();
  constructor(private readonly make: (label: string) => T) {}
  get(raw: string): T {
    const hit = this.byRaw.get(raw);
    if (hit !== undefined) return hit;
    const key = raw.trim().toLowerCase();
    let g = this.byKey.get(key);
    if (g === undefined) {
      g = this.make(raw.trim());
      this.byKey.set(key, g);
    }
    this.byRaw.set(raw, g);
    return g;
  }
  values(): T[] {
    return [...this.byKey.values()];
  }
}

/** k-th smallest (0-based) by quickselect, reordering `xs` in place: linear time where a full sort of a million is not. */
function select(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((xs[i] as number) < pivot) i++;
      while ((xs[j] as number) > pivot) j--;
      if (i <= j) {
        const t = xs[i] as number;
        xs[i] = xs[j] as number;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return xs[k] as number;
}

function median(xs: Float64Array): number | null {
  const n = xs.length;
  if (n === 0) return null;
  const s = xs.slice();
  const upper = select(s, n >> 1);
  return n % 2 === 1 ? upper : (select(s, (n >> 1) - 1) + upper) / 2;
}

/** monthIndex by table lookup for days near today (nearly every date on a sheet), by arithmetic elsewhere. */
class MonthOf {
  private static readonly SPAN = 4000;
  private readonly table = new Int32Array(2 * MonthOf.SPAN + 1);
  private readonly from: number;
  constructor(today: Day) {
    this.from = Math.floor(today) - MonthOf.SPAN;
    let mi = monthIndex(this.from);
    let first = monthStart(mi + 1);
    for (let k = 0; k < this.table.length; k++) {
      if (this.from + k >= first) first = monthStart(++mi + 1);
      this.table[k] = mi;
    }
  }
  get(day: Day): number {
    // A typed array reads undefined outside its range and at a fraction, so the lookup needs no range check.
    return this.table[day - this.from] ?? monthIndex(day);
  }
}

interface LogHistory {
  tisSum: Float64Array;
  tisN: Float64Array;
  reached: Float64Array;
  advanced: Float64Array;
}

/** Time in stage and conversion from the stage log; null when the log holds no real move. */
function fromLog(
  transitions: readonly Transition[],
  settings: Settings,
  kind: Int8Array,
  openPos: Int32Array,
  openStages: readonly number[],
): LogHistory | null {
  let moves = false;
  for (const t of transitions) {
    if (t.from !== "") {
      moves = true;
      break;
    }
  }
  if (!moves) return null;
  const S = settings.stages.length;
  const match = stageMatcher(settings.stages);
  // The log is appended in time order; only a hand-edited one needs sorting (sort is stable, so a day keeps its order).
  let sorted = true;
  let previous = -Infinity;
  for (const t of transitions) {
    if (t.day < previous) {
      sorted = false;
      break;
    }
    previous = t.day;
  }
  const ordered = sorted ? transitions : [...transitions].sort((a, b) => a.day - b.day);

  // Per-deal state lives in flat typed arrays indexed by slot × stage: a million deals in the log must not mean a million small objects.
  const slotOf = new Map<string, number>();
  const slots = new Int32Array(ordered.length);
  let k = 0;
  for (const t of ordered) {
    let slot = slotOf.get(t.dealId);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(t.dealId, slot);
    }
    slots[k++] = slot;
  }
  const dealCount = slotOf.size;
  // Days are whole numbers, so entry days fit an Int32Array; NEVER marks a stage not entered yet.
  const entered = new Int32Array(dealCount * S).fill(NEVER);
  const seen = new Uint8Array(dealCount * S);
  const tisSum = new Float64Array(S);
  const tisN = new Float64Array(S);
  k = 0;
  for (const t of ordered) {
    const base = (slots[k++] ?? 0) * S;
    const from = t.from === "" ? -1 : match(t.from).index;
    const to = t.to === "" ? -1 : match(t.to).index;
    if (from >= 0) {
      seen[base + from] = 1;
      const since = entered[base + from] ?? NEVER;
      if (since !== NEVER && t.day >= since) {
        tisSum[from] = (tisSum[from] ?? 0) + t.day - since;
        tisN[from] = (tisN[from] ?? 0) + 1;
      }
    }
    if (to >= 0) {
      seen[base + to] = 1;
      entered[base + to] = t.day;
    }
  }

  return { tisSum, tisN, ...reachedFromLog(seen, dealCount, kind, openPos, openStages) };
}

/** Per open stage, how many logged deals reached it and how many of those went on to a later open stage or Won. */
function reachedFromLog(seen: Uint8Array, dealCount: number, kind: Int8Array, openPos: Int32Array, openStages: readonly number[]): Pick<LogHistory, "reached" | "advanced"> {
  const S = kind.length;
  const reached = new Float64Array(openStages.length);
  const advanced = new Float64Array(openStages.length);
  for (let base = 0; base < dealCount * S; base += S) {
    let won = false;
    let furthest = -1;
    for (let s = 0; s < S; s++) {
      if (seen[base + s] !== 1) continue;
      if (kind[s] === WON) won = true;
      else furthest = Math.max(furthest, openPos[s] ?? -1);
    }
    let p = -1;
    for (const s of openStages) {
      p++;
      if (!won && seen[base + s] !== 1) continue;
      reached[p] = (reached[p] ?? 0) + 1;
      if (won || p < furthest) advanced[p] = (advanced[p] ?? 0) + 1;
    }
  }
  return { reached, advanced };
}

const QUARTERLY_LABELS: Record<keyof Quarterly, string> = {
  salesMarketingSpend: "Quarter sales & marketing spend",
  previousSpend: "Previous quarter sales & marketing spend",
  newCustomers: "Quarter new customers",
  arpa: "Monthly revenue per customer",
  grossMargin: "Gross margin %",
  monthlyChurn: "Monthly churn %",
  quarterRevenue: "Quarter recurring revenue",
  previousQuarterRevenue: "Previous quarter recurring revenue",
};

function unitMetric(
  q: Quarterly,
  name: string,
  unit: UnitMetric["unit"],
  needs: (keyof Quarterly)[],
  definition: string,
  compute: () => { value: number | null; why: string },
): UnitMetric {
  const missing = needs.filter((k) => q[k] === null).map((k) => QUARTERLY_LABELS[k]);
  if (missing.length > 0) return { name, value: null, unit, missing, status: `not set: fill in ${missing.join(", ")} in Pipeline Settings`, definition };
  const { value, why } = compute();
  return { name, value, unit, missing, status: value === null ? why : "", definition };
}

function unitEconomics(q: Quarterly): PipelineMetrics["unitEconomics"] {
  const n = (x: number | null): number => x ?? 0;
  const margin = n(q.arpa) * (n(q.grossMargin) / 100);
  const cacValue = n(q.newCustomers) > 0 ? n(q.salesMarketingSpend) / n(q.newCustomers) : null;
  return {
    ltv: unitMetric(q, "LTV", "money", ["arpa", "grossMargin", "monthlyChurn"], "LTV = monthly revenue per customer × gross margin ÷ monthly churn: the gross profit a customer brings over its expected lifetime.", () =>
      n(q.monthlyChurn) > 0 ? { value: margin / (n(q.monthlyChurn) / 100), why: "" } : { value: null, why: "monthly churn is 0 %: lifetime is unbounded" },
    ),
    cac: unitMetric(q, "CAC", "money", ["salesMarketingSpend", "newCustomers"], "CAC = quarter sales & marketing spend ÷ new customers that quarter.", () =>
      cacValue !== null ? { value: cacValue, why: "" } : { value: null, why: "no new customers this quarter" },
    ),
    payback: unitMetric(q, "CAC payback (months)", "months", ["salesMarketingSpend", "newCustomers", "arpa", "grossMargin"], "CAC payback = CAC ÷ (monthly revenue per customer × gross margin): months of gross profit to earn back the cost of winning a customer.", () =>
      cacValue === null ? { value: null, why: "no new customers this quarter" } : margin > 0 ? { value: cacValue / margin, why: "" } : { value: null, why: "monthly gross profit per customer is 0" },
    ),
    magicNumber: unitMetric(q, "Magic number", "ratio", ["quarterRevenue", "previousQuarterRevenue", "previousSpend"], "Magic number = (quarter recurring revenue − previous quarter's) × 4 ÷ previous quarter sales & marketing spend: new annual revenue per unit of spend; above 0.75 usually means invest more.", () =>
      n(q.previousSpend) > 0 ? { value: ((n(q.quarterRevenue) - n(q.previousQuarterRevenue)) * 4) / n(q.previousSpend), why: "" } : { value: null, why: "previous quarter spend is 0" },
    ),
  };
}

/** Each stage's kind and win probability as flat arrays, and the open stages in settings order. */
interface StageShape {
  kind: Int8Array;
  prob: Float64Array;
  /** A stage's place among the open stages; -1 for won and lost. */
  openPos: Int32Array;
  openStages: number[];
}

function stageShape(stages: Settings["stages"]): StageShape {
  const S = stages.length;
  const shape: StageShape = { kind: new Int8Array(S), prob: new Float64Array(S), openPos: new Int32Array(S).fill(-1), openStages: [] };
  stages.forEach((st, i) => {
    shape.kind[i] = st.kind === "open" ? OPEN : st.kind === "won" ? WON : LOST;
    shape.prob[i] = st.probability;
    if (st.kind === "open") {
      shape.openPos[i] = shape.openStages.length;
      shape.openStages.push(i);
    }
  });
  return shape;
}

// The one pass over the deals feeds one tally per metric family; each tally's add() is small, so the
// pass stays one loop over a million deals rather than one loop per family.

/** Open deals per stage, with their lead grades and (from the sheet) their days in stage. */
class OpenTally {
  readonly count: Float64Array;
  readonly value: Float64Array;
  readonly tisSum: Float64Array;
  readonly tisN: Float64Array;
  withoutValue = 0;
  readonly grades: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0 };
  constructor(stageCount: number) {
    this.count = new Float64Array(stageCount);
    this.value = new Float64Array(stageCount);
    this.tisSum = new Float64Array(stageCount);
    this.tisN = new Float64Array(stageCount);
  }
  add(s: number, d: Deal, score: LeadScore | undefined, days: number | null, v: number): void {
    this.count[s] = (this.count[s] ?? 0) + 1;
    this.value[s] = (this.value[s] ?? 0) + v;
    if (d.value === null) this.withoutValue++;
    if (score) {
      this.grades[score.grade]++;
      if (days !== null) {
        this.tisSum[s] = (this.tisSum[s] ?? 0) + days;
        this.tisN[s] = (this.tisN[s] ?? 0) + 1;
      }
    }
  }
}

/** Open deals by expected close month and quarter, and the weighted value closing in the target period. */
class ForecastTally {
  readonly overdue = emptyAmounts();
  readonly noDate = emptyAmounts();
  readonly byMonth = new Map<number, Amounts>();
  readonly byQuarter = new Map<number, Amounts>();
  weightedInPeriod = 0;
  constructor(
    private readonly today: Day,
    private readonly period: { start: Day; end: Day },
    private readonly monthOf: MonthOf,
  ) {}
  add(cd: Day | null, v: number, w: number): void {
    let bucket: Amounts;
    if (cd === null) bucket = this.noDate;
    else {
      if (cd >= this.period.start && cd <= this.period.end) this.weightedInPeriod += w;
      if (cd < this.today) bucket = this.overdue;
      else {
        const mi = this.monthOf.get(cd);
        let b = this.byMonth.get(mi);
        if (b === undefined) this.byMonth.set(mi, (b = emptyAmounts()));
        b.count++;
        b.value += v;
        b.weighted += w;
        const qi = Math.floor(mi / 3);
        b = this.byQuarter.get(qi);
        if (b === undefined) this.byQuarter.set(qi, (b = emptyAmounts()));
        bucket = b;
      }
    }
    bucket.count++;
    bucket.value += v;
    bucket.weighted += w;
  }
}

/** Won and lost deals: win rate, deal size, sales cycle, loss reasons and the value won in the target period. */
class ClosedTally {
  won = 0;
  lost = 0;
  wonValue = 0;
  lostValue = 0;
  sizeSum = 0;
  sizeN = 0;
  cycleSum = 0;
  cycleN = 0;
  cycleCandidates = 0;
  wonInPeriod = 0;
  readonly losses = new Groups<LossRow>((label) => ({ reason: label === "" ? "(no reason given)" : label, count: 0, value: 0 }));
  constructor(
    private readonly cycleBasis: Settings["metrics"]["cycleBasis"],
    private readonly period: { start: Day; end: Day },
  ) {}
  addWon(d: Deal, v: number): void {
    this.won++;
    this.wonValue += v;
    if (d.value !== null) {
      this.sizeSum += d.value;
      this.sizeN++;
    }
    // Won this period by the day it was won; the expected close date stands in when the sheet has none.
    const wonOn = d.closedOn ?? d.closeDate;
    if (wonOn !== null && wonOn >= this.period.start && wonOn <= this.period.end) this.wonInPeriod += v;
    this.addCycle(d);
  }
  addLost(d: Deal, v: number): void {
    this.lost++;
    this.lostValue += v;
    const loss = this.losses.get(d.lossReason);
    loss.count++;
    loss.value += v;
    if (this.cycleBasis === "closed") this.addCycle(d);
  }
  private addCycle(d: Deal): void {
    this.cycleCandidates++;
    const closedOn = d.closedOn ?? d.closeDate;
    if (d.created !== null && closedOn !== null && closedOn >= d.created) {
      this.cycleSum += closedOn - d.created;
      this.cycleN++;
    }
  }
}

/** New leads by created month and in the last 7 days, and lead response time (created to first contact). */
class LeadTally {
  readonly response: Float64Array;
  responseN = 0;
  readonly count = new Float64Array(LEAD_MONTHS);
  readonly qualified = new Float64Array(LEAD_MONTHS);
  last7 = 0;
  qualified7 = 0;
  readonly thisMonth: number;
  constructor(
    dealCount: number,
    private readonly today: Day,
    private readonly monthOf: MonthOf,
  ) {
    this.response = new Float64Array(dealCount);
    this.thisMonth = monthOf.get(today);
  }
  add(d: Deal, created: Day, qualified: boolean): void {
    if (d.firstContact !== null && d.firstContact >= created) this.response[this.responseN++] = d.firstContact - created;
    const back = this.thisMonth - this.monthOf.get(created);
    if (back >= 0 && back < LEAD_MONTHS) {
      const slot = LEAD_MONTHS - 1 - back;
      this.count[slot] = (this.count[slot] ?? 0) + 1;
      if (qualified) this.qualified[slot] = (this.qualified[slot] ?? 0) + 1;
    }
    if (created <= this.today && created > this.today - 7) {
      this.last7++;
      if (qualified) this.qualified7++;
    }
  }
}

/** Every stuck deal's position and how many days past its furthest-exceeded limit it is. */
class StuckTally {
  readonly positions: number[] = [];
  readonly over: number[] = [];
  constructor(
    private readonly today: Day,
    private readonly noActivityDays: number | null,
    private readonly overdueClose: boolean,
  ) {}
  add(i: number, d: Deal, days: number | null, limit: number | null, open: boolean): void {
    let over = 0;
    if (days !== null && limit !== null) over = Math.max(over, days - limit);
    if (this.noActivityDays !== null && d.lastActivity !== null) over = Math.max(over, this.today - d.lastActivity - this.noActivityDays);
    if (this.overdueClose && d.closeDate !== null && open) over = Math.max(over, this.today - d.closeDate);
    this.positions.push(i);
    this.over.push(over);
  }
}

const newOwner = (label: string): OwnerAcc => ({
  owner: label === "" ? "(no owner)" : label,
  open: 0,
  openValue: 0,
  weighted: 0,
  won: 0,
  wonValue: 0,
  lost: 0,
  winRate: null,
  stuck: 0,
  lostValue: 0,
});

interface DealTallies {
  open: OpenTally;
  forecast: ForecastTally;
  closed: ClosedTally;
  leads: LeadTally;
  stuck: StuckTally;
  owners: Groups<OwnerAcc>;
  unknownStage: number;
  period: { start: Day; end: Day; label: string };
}

/** The one pass over the deals. */
function tallyDeals(input: MetricsInput, shape: StageShape): DealTallies {
  const { deals, results, settings, today } = input;
  const S = settings.stages.length;
  const { kind, prob } = shape;
  const period = targetPeriod(settings.metrics.targetPeriod, today);
  const monthOf = new MonthOf(today);
  const t: DealTallies = {
    open: new OpenTally(S),
    forecast: new ForecastTally(today, period, monthOf),
    closed: new ClosedTally(settings.metrics.cycleBasis, period),
    leads: new LeadTally(deals.length, today, monthOf),
    stuck: new StuckTally(today, settings.stuck.noActivityDays, settings.stuck.overdueCloseDate),
    owners: new Groups<OwnerAcc>(newOwner),
    unknownStage: 0,
    period,
  };
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    const sc = results.score[i];
    const days = numberOrNull(results.daysInStage[i]);
    const s = d.stage >= 0 && d.stage < S ? d.stage : -1;
    const k = s < 0 ? -1 : (kind[s] ?? -1);
    const v = d.value ?? 0;
    const owner = t.owners.get(d.owner);
    if (k === OPEN) {
      // × then ÷ 100 keeps whole-number values exact (21000 × 70 ÷ 100 = 14700, not 14699.999…).
      const w = (v * (prob[s] ?? 0)) / 100;
      t.open.add(s, d, sc, days, v);
      t.forecast.add(d.closeDate, v, w);
      owner.open++;
      owner.openValue += v;
      owner.weighted += w;
    } else if (k === WON) {
      t.closed.addWon(d, v);
      owner.won++;
      owner.wonValue += v;
    } else if (k === LOST) {
      t.closed.addLost(d, v);
      owner.lost++;
      owner.lostValue += v;
    } else t.unknownStage++;
    if (d.created !== null) t.leads.add(d, d.created, sc?.qualified === true);
    if (results.stuck[i]) {
      owner.stuck++;
      t.stuck.add(i, d, days, numberOrNull(results.threshold[i]), k === OPEN);
    }
  }
  return t;
}

/** The most overdue stuck deals, at most STUCK_LIST_MAX of them. */
function stuckSection(input: MetricsInput, tally: StuckTally): PipelineMetrics["stuck"] {
  const { deals, results } = input;
  const stages = input.settings.stages;
  // Only the most overdue are listed; choosing them by a numeric cut-off keeps a million stuck deals cheap.
  const cutoff = tally.over.length > STUCK_LIST_MAX ? (Float64Array.from(tally.over).sort()[tally.over.length - STUCK_LIST_MAX] ?? -Infinity) : -Infinity;
  const rows: StuckRow[] = [];
  tally.over.forEach((overdueDays, j) => {
    if (overdueDays < cutoff) return;
    const i = tally.positions[j] ?? -1;
    const d = deals[i];
    const stuck = results.stuck[i];
    if (d === undefined || !stuck) return;
    const s = d.stage >= 0 && d.stage < stages.length ? d.stage : -1;
    rows.push({
      id: d.id,
      name: d.name,
      owner: d.owner,
      stage: s >= 0 ? (stages[s]?.name ?? d.stageRaw) : d.stageRaw,
      sheetRow: d.sheetRow,
      daysInStage: numberOrNull(results.daysInStage[i]),
      overdueDays,
      severity: stuck.severity,
      reasons: stuck.reasons,
      action: stuck.action,
    });
  });
  rows.sort((a, b) => b.overdueDays - a.overdueDays || (b.daysInStage ?? -1) - (a.daysInStage ?? -1) || a.name.localeCompare(b.name));
  rows.length = Math.min(rows.length, STUCK_LIST_MAX);
  return {
    rows,
    total: tally.positions.length,
    definition: "Stuck deals: past their stage's days limit, without activity, or past their close date; most overdue first (days past the limit exceeded most).",
  };
}

function pipelineSection(stages: Settings["stages"], shape: StageShape, t: DealTallies): PipelineMetrics["pipeline"] {
  const open = t.open;
  const rows: StageRow[] = shape.openStages.map((s) => {
    const st = stages[s];
    const value = open.value[s] ?? 0;
    const probability = st?.probability ?? 0;
    return { stage: st?.name ?? "", probability: probability / 100, count: open.count[s] ?? 0, value, weighted: (value * probability) / 100 };
  });
  const total = emptyAmounts();
  for (const row of rows) {
    total.count += row.count;
    total.value += row.value;
    total.weighted += row.weighted;
  }
  return {
    rows,
    total,
    definition:
      `Open deals (stage kind open) per stage in settings order; weighted value = value × the stage's win probability ÷ 100.` +
      (open.withoutValue > 0 ? ` ${plural(open.withoutValue, "open deal")} without a value count as 0.` : "") +
      (t.unknownStage > 0 ? ` ${plural(t.unknownStage, "deal")} with an unknown stage count in the totals of deals only.` : ""),
  };
}

function forecastSection(f: ForecastTally, present: MetricsInput["present"]): PipelineMetrics["forecast"] {
  const withLabels = (m: Map<number, Amounts>, label: (i: number) => string): ForecastRow[] =>
    [...m.entries()].sort((a, b) => a[0] - b[0]).map(([i, a]) => ({ period: label(i), kind: "period" as const, ...a }));
  const edges = (rows: ForecastRow[]): ForecastRow[] => [
    ...(f.overdue.count > 0 ? [{ period: "Overdue", kind: "overdue" as const, ...f.overdue }] : []),
    ...rows,
    ...(f.noDate.count > 0 ? [{ period: "No close date", kind: "none" as const, ...f.noDate }] : []),
  ];
  const closeNote = present.closeDate !== true ? " The sheet has no expected close date column, so every deal falls under No close date." : "";
  return {
    byMonth: edges(withLabels(f.byMonth, monthLabel)),
    byQuarter: edges(withLabels(f.byQuarter, quarterLabel)),
    definition: `Open deals by expected close month and quarter, weighted by stage win probability; close dates before today are Overdue.${closeNote}`,
  };
}

function winRateSection(c: ClosedTally, basis: Settings["metrics"]["winRateBasis"], currency: string): PipelineMetrics["winRate"] {
  const money = (x: number): string => `${currency} ${thousands(x)}`;
  const { won, lost, wonValue, lostValue } = c;
  return {
    value: basis === "count" ? ratio(won, won + lost) : ratio(wonValue, wonValue + lostValue),
    basis,
    won,
    lost,
    wonValue,
    lostValue,
    definition:
      basis === "count"
        ? `Win rate by count = won deals ÷ (won + lost deals): ${won} of ${won + lost}.`
        : `Win rate by value = value won ÷ (value won + value lost): ${money(wonValue)} of ${money(wonValue + lostValue)}.`,
  };
}

function cycleSection(c: ClosedTally, basis: Settings["metrics"]["cycleBasis"], present: MetricsInput["present"]): PipelineMetrics["cycle"] {
  const actual = present.closedDate === true || present.lostDate === true;
  return {
    days: c.cycleN > 0 ? c.cycleSum / c.cycleN : null,
    basis,
    used: c.cycleN,
    leftOut: c.cycleCandidates - c.cycleN,
    definition:
      `Sales cycle = mean days from created date to ${actual ? "actual close date" : "close date"} of ${basis === "won" ? "won" : "closed (won and lost)"} deals; ` +
      (actual ? "" : "the sheet has no actual close date (Won time, Closed date), so a closed deal's expected close date stands in; ") +
      `${c.cycleN} of ${plural(c.cycleCandidates, "deal")} used, the rest lack a date or close before they were created.`,
  };
}

/** Time in stage and stage conversion: from the stage log once it holds a real move, from the sheet alone before that. */
function historySections(input: MetricsInput, shape: StageShape, t: DealTallies): Pick<PipelineMetrics, "timeInStage" | "conversion"> {
  const stages = input.settings.stages;
  const { openStages } = shape;
  const log = fromLog(input.transitions, input.settings, shape.kind, shape.openPos, openStages);
  const basis: HistoryBasis = log ? "stage log" : "sheet";
  const times = log ?? t.open;
  const timeRows: TimeInStageRow[] = openStages.map((s) => {
    const sum = times.tisSum[s] ?? 0;
    const n = times.tisN[s] ?? 0;
    return { stage: stages[s]?.name ?? "", days: n > 0 ? sum / n : null, samples: n };
  });

  let reached: Float64Array;
  let advanced: Float64Array;
  if (log) ({ reached, advanced } = log);
  else {
    // From the sheet alone: a deal at open stage k passed every earlier one; won deals passed them all; lost deals only entered the first.
    reached = new Float64Array(openStages.length);
    advanced = new Float64Array(openStages.length);
    let atOrBeyond = t.closed.won;
    for (const [p, s] of [...openStages.entries()].reverse()) {
      advanced[p] = atOrBeyond;
      atOrBeyond += t.open.count[s] ?? 0;
      reached[p] = atOrBeyond + (p === 0 ? t.closed.lost : 0);
    }
  }
  const wonName = stages.find((st) => st.kind === "won")?.name ?? "Won";
  const conversionRows: ConversionRow[] = openStages.map((s, p) => {
    const r = reached[p] ?? 0;
    const a = advanced[p] ?? 0;
    const next = openStages[p + 1];
    return { from: stages[s]?.name ?? "", to: next === undefined ? wonName : (stages[next]?.name ?? ""), reached: r, advanced: a, rate: ratio(a, r) };
  });
  return {
    timeInStage: {
      basis,
      rows: timeRows,
      definition: log
        ? "Average time in stage from the stage log: for each move out of a stage, the days since the deal entered it (its first snapshot counts as entering)."
        : "Average time in stage from the sheet alone (the stage log has no moves yet): mean current days in stage of open deals.",
    },
    conversion: {
      basis,
      rows: conversionRows,
      definition: log
        ? "Stage conversion from the stage log: of the deals that reached a stage, the share that went on to a later open stage or Won; a won deal passed every open stage."
        : "Stage conversion from the sheet alone (the stage log has no moves yet): a deal at a stage passed every earlier one, won deals passed them all, lost deals count only in the first stage.",
    },
  };
}

function velocitySection(open: number, dealSize: number | null, rate: number | null, cycleDays: number | null): PipelineMetrics["velocity"] {
  const missing: string[] = [];
  if (open === 0) missing.push("open deals");
  if (dealSize === null) missing.push("won deals with a value");
  if (rate === null) missing.push("closed deals");
  if (cycleDays === null || cycleDays === 0) missing.push("closed deals with created and close dates");
  return {
    perDay: open > 0 && dealSize !== null && rate !== null && cycleDays !== null && cycleDays !== 0 ? (open * dealSize * rate) / cycleDays : null,
    missing,
    definition: `Sales velocity per day = open deals × average deal size × win rate ÷ sales cycle days${missing.length > 0 ? `; not shown: needs ${missing.join(", ")}` : ""}.`,
  };
}

function coverageSection(target: number | null, t: DealTallies, dealSize: number | null, rate: number | null): PipelineMetrics["coverage"] {
  const { wonInPeriod } = t.closed;
  const { weightedInPeriod } = t.forecast;
  const label = t.period.label;
  const gap = target === null ? null : target - wonInPeriod;
  const perLead = dealSize !== null && rate !== null ? dealSize * rate : 0;
  return {
    set: target !== null,
    target,
    period: label,
    wonInPeriod,
    gap,
    weightedInPeriod,
    ratio: gap !== null && gap > 0 ? weightedInPeriod / gap : null,
    newLeadsNeeded: gap === null ? null : gap - weightedInPeriod <= 0 ? 0 : perLead > 0 ? Math.ceil((gap - weightedInPeriod) / perLead) : null,
    definition:
      target === null
        ? "Pipeline coverage: not set: fill in Revenue target in Pipeline Settings."
        : `Pipeline coverage = weighted value of open deals expected to close in ${label} ÷ (target − value won in ${label}, by close date). ` +
          `New leads needed = (that gap − the weighted pipeline) ÷ (average deal size × win rate), rounded up.` +
          (gap !== null && gap <= 0 ? " The target is already met." : ""),
  };
}

function ownersSection(owners: Groups<OwnerAcc>, winBasis: Settings["metrics"]["winRateBasis"]): PipelineMetrics["owners"] {
  const rows: OwnerRow[] = owners
    .values()
    .map(({ lostValue: lv, ...o }) => ({ ...o, winRate: winBasis === "count" ? ratio(o.won, o.won + o.lost) : ratio(o.wonValue, o.wonValue + lv) }))
    .sort((a, b) => b.openValue - a.openValue || b.open - a.open || a.owner.localeCompare(b.owner));
  return { rows, definition: `Per owner: open deals, open and weighted value, won and lost deals, win rate (by ${winBasis}) and stuck deals.` };
}

function lossSection(losses: Groups<LossRow>, present: MetricsInput["present"]): PipelineMetrics["lossReasons"] {
  return {
    rows: losses.values().sort((a, b) => b.count - a.count || b.value - a.value || a.reason.localeCompare(b.reason)),
    definition: `Lost deals by loss reason (case and surrounding spaces ignored); a blank reason is "(no reason given)".${present.lossReason !== true ? " The sheet has no loss reason column." : ""}`,
  };
}

function responseSection(leads: LeadTally, present: MetricsInput["present"]): PipelineMetrics["responseTime"] {
  const n = leads.responseN;
  const responses = leads.response.subarray(0, n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += responses[k] as number;
  const hasContact = present.firstContact === true;
  return {
    present: hasContact,
    mean: hasContact && n > 0 ? sum / n : null,
    median: hasContact ? median(responses) : null,
    used: hasContact ? n : 0,
    definition: hasContact
      ? `Lead response time = days from created date to first contact, mean and median over ${plural(n, "deal")} with both dates.`
      : "Lead response time: the sheet has no First contact column; add one to see it.",
  };
}

function newLeadsSection(leads: LeadTally): PipelineMetrics["newLeads"] {
  return {
    last7Days: leads.last7,
    qualifiedLast7Days: leads.qualified7,
    byMonth: Array.from(leads.count, (newLeads, slot) => ({ month: monthLabel(leads.thisMonth - (LEAD_MONTHS - 1 - slot)), newLeads, qualified: leads.qualified[slot] ?? 0 })),
    definition: "New leads = deals created in the last 7 days (today included); qualified = lead score at or above the Qualified from setting.",
    monthlyDefinition: `New and qualified leads per month by created date, for the last ${LEAD_MONTHS} months.`,
  };
}

export function computeMetrics(input: MetricsInput): PipelineMetrics {
  const { deals, results, settings, today, winModel, present, currency } = input;
  const shape = stageShape(settings.stages);
  const t = tallyDeals(input, shape);
  const c = t.closed;
  const pipeline = pipelineSection(settings.stages, shape, t);
  const winRate = winRateSection(c, settings.metrics.winRateBasis, currency);
  const dealSize = c.sizeN > 0 ? c.sizeSum / c.sizeN : null;
  const cycle = cycleSection(c, settings.metrics.cycleBasis, present);
  return {
    today,
    currency,
    counts: { deals: deals.length, open: pipeline.total.count, won: c.won, lost: c.lost, unknownStage: t.unknownStage, openWithoutValue: t.open.withoutValue },
    pipeline,
    forecast: forecastSection(t.forecast, present),
    winRate,
    dealSize: { value: dealSize, deals: c.sizeN, definition: `Average deal size = mean value of won deals (${plural(c.sizeN, "won deal")} with a value).` },
    cycle,
    ...historySections(input, shape, t),
    velocity: velocitySection(pipeline.total.count, dealSize, winRate.value, cycle.days),
    coverage: coverageSection(settings.metrics.target, t, dealSize, winRate.value),
    owners: ownersSection(t.owners, settings.metrics.winRateBasis),
    lossReasons: lossSection(c.losses, present),
    responseTime: responseSection(t.leads, present),
    newLeads: newLeadsSection(t.leads),
    unitEconomics: unitEconomics(settings.metrics.quarterly),
    stuck: stuckSection(input, t.stuck),
    model: {
      ...winModel,
      definition: "Win likelihood model: accuracy = share of held-out closed deals called right at 50 %; Brier score = mean squared error of the likelihoods (lower is better), next to the Brier score of always guessing the base rate.",
    },
    grades: { counts: t.open.grades, definition: "Lead grades of open deals (A best), from the need, budget and authority score." },
    ...followUpMetrics(input),
    forecastRange: forecastRange(deals, results, settings, today),
    movement: input.movement ?? null,
  };
}
