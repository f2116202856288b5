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
import type { Day, Deal, DealResults, Field, Grade, Transition, WinModelSummary } from "./types.js";

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
    const k = day - this.from;
    return k >= 0 && k < this.table.length && Number.isInteger(k) ? (this.table[k] as number) : monthIndex(day);
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
  const openCount = openStages.length;
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
  let sorted = true;
  for (let k = 1; k < transitions.length && sorted; k++) if ((transitions[k] as Transition).day < (transitions[k - 1] as Transition).day) sorted = false;
  // The log is appended in time order; only a hand-edited one needs sorting (stable within a day).
  const order = sorted ? null : Array.from(transitions.keys()).sort((a, b) => (transitions[a] as Transition).day - (transitions[b] as Transition).day || a - b);

  // Per-deal state lives in flat typed arrays indexed by slot × stage: a million deals in the log must not mean a million small objects.
  const slotOf = new Map<string, number>();
  const slots = new Int32Array(transitions.length);
  for (let k = 0; k < transitions.length; k++) {
    const id = (transitions[k] as Transition).dealId;
    let slot = slotOf.get(id);
    if (slot === undefined) {
      slot = slotOf.size;
      slotOf.set(id, slot);
    }
    slots[k] = slot;
  }
  const dealCount = slotOf.size;
  // Days are whole numbers, so entry days fit an Int32Array; NEVER marks a stage not entered yet.
  const entered = new Int32Array(dealCount * S).fill(NEVER);
  const seen = new Uint8Array(dealCount * S);
  const tisSum = new Float64Array(S);
  const tisN = new Float64Array(S);
  for (let k = 0; k < transitions.length; k++) {
    const at = order ? (order[k] as number) : k;
    const t = transitions[at] as Transition;
    const base = (slots[at] as number) * S;
    const from = t.from === "" ? -1 : match(t.from).index;
    const to = t.to === "" ? -1 : match(t.to).index;
    if (from >= 0) {
      seen[base + from] = 1;
      const since = entered[base + from] as number;
      if (since !== NEVER && t.day >= since) {
        tisSum[from] = (tisSum[from] as number) + t.day - since;
        tisN[from] = (tisN[from] as number) + 1;
      }
    }
    if (to >= 0) {
      seen[base + to] = 1;
      entered[base + to] = t.day;
    }
  }

  const reached = new Float64Array(openCount);
  const advanced = new Float64Array(openCount);
  for (let base = 0; base < dealCount * S; base += S) {
    let won = false;
    let furthest = -1;
    for (let s = 0; s < S; s++) {
      if (seen[base + s] !== 1) continue;
      if (kind[s] === WON) won = true;
      else if ((openPos[s] as number) > furthest) furthest = openPos[s] as number;
    }
    for (let p = 0; p < openCount; p++) {
      if (!won && seen[base + (openStages[p] as number)] !== 1) continue;
      reached[p] = (reached[p] as number) + 1;
      if (won || p < furthest) advanced[p] = (advanced[p] as number) + 1;
    }
  }
  return { tisSum, tisN, reached, advanced };
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

export function computeMetrics(input: MetricsInput): PipelineMetrics {
  const { deals, results, settings, today, transitions, winModel, present, currency } = input;
  const stages = settings.stages;
  const S = stages.length;
  const kind = new Int8Array(S);
  const prob = new Float64Array(S);
  const openPos = new Int32Array(S).fill(-1);
  const openStages: number[] = [];
  stages.forEach((st, i) => {
    kind[i] = st.kind === "open" ? OPEN : st.kind === "won" ? WON : LOST;
    prob[i] = st.probability;
    if (st.kind === "open") {
      openPos[i] = openStages.length;
      openStages.push(i);
    }
  });
  const openCount = openStages.length;
  const winBasis = settings.metrics.winRateBasis;
  const cycleBasis = settings.metrics.cycleBasis;
  const noActivityDays = settings.stuck.noActivityDays;
  const overdueClose = settings.stuck.overdueCloseDate;

  const stCount = new Float64Array(S);
  const stValue = new Float64Array(S);
  const tisSheetSum = new Float64Array(S);
  const tisSheetN = new Float64Array(S);
  let unknownStage = 0;
  let openWithoutValue = 0;
  let won = 0;
  let lost = 0;
  let wonValue = 0;
  let lostValue = 0;
  let sizeSum = 0;
  let sizeN = 0;
  let cycleSum = 0;
  let cycleN = 0;
  let cycleCandidates = 0;
  const overdue = emptyAmounts();
  const noDate = emptyAmounts();
  const byMonth = new Map<number, Amounts>();
  const byQuarter = new Map<number, Amounts>();
  const period = targetPeriod(settings.metrics.targetPeriod, today);
  let weightedInPeriod = 0;
  let wonInPeriod = 0;
  const owners = new Groups<OwnerAcc>((label) => ({
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
  }));
  const losses = new Groups<LossRow>((label) => ({ reason: label === "" ? "(no reason given)" : label, count: 0, value: 0 }));
  const response = new Float64Array(deals.length);
  let responseN = 0;
  const monthOf = new MonthOf(today);
  const thisMonth = monthOf.get(today);
  const leadCount = new Float64Array(LEAD_MONTHS);
  const leadQualified = new Float64Array(LEAD_MONTHS);
  let leads7 = 0;
  let qualified7 = 0;
  const grades: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0 };
  const stuckRows: StuckRow[] = [];
  const stuckIdx: number[] = [];
  const stuckOver: number[] = [];

  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    const sc = results.score[i];
    const days = numberOrNull(results.daysInStage[i]);
    const stuck = results.stuck[i] ?? null;
    const s = d.stage >= 0 && d.stage < S ? d.stage : -1;
    const k = s < 0 ? -1 : (kind[s] as number);
    const v = d.value ?? 0;
    const owner = owners.get(d.owner);

    if (k === OPEN) {
      // × then ÷ 100 keeps whole-number values exact (21000 × 70 ÷ 100 = 14700, not 14699.999…).
      const w = (v * (prob[s] as number)) / 100;
      stCount[s] = (stCount[s] as number) + 1;
      stValue[s] = (stValue[s] as number) + v;
      if (d.value === null) openWithoutValue++;
      owner.open++;
      owner.openValue += v;
      owner.weighted += w;
      if (sc) {
        grades[sc.grade]++;
        if (days !== null) {
          tisSheetSum[s] = (tisSheetSum[s] as number) + days;
          tisSheetN[s] = (tisSheetN[s] as number) + 1;
        }
      }
      const cd = d.closeDate;
      let bucket: Amounts;
      if (cd === null) bucket = noDate;
      else {
        if (cd >= period.start && cd <= period.end) weightedInPeriod += w;
        if (cd < today) bucket = overdue;
        else {
          const mi = monthOf.get(cd);
          let b = byMonth.get(mi);
          if (b === undefined) byMonth.set(mi, (b = emptyAmounts()));
          b.count++;
          b.value += v;
          b.weighted += w;
          const qi = Math.floor(mi / 3);
          b = byQuarter.get(qi);
          if (b === undefined) byQuarter.set(qi, (b = emptyAmounts()));
          bucket = b;
        }
      }
      bucket.count++;
      bucket.value += v;
      bucket.weighted += w;
    } else if (k === WON || k === LOST) {
      if (k === WON) {
        won++;
        wonValue += v;
        owner.won++;
        owner.wonValue += v;
        if (d.value !== null) {
          sizeSum += d.value;
          sizeN++;
        }
        // Won this period by the day it was won; the expected close date stands in when the sheet has none.
        const wonOn = d.closedOn ?? d.closeDate;
        if (wonOn !== null && wonOn >= period.start && wonOn <= period.end) wonInPeriod += v;
      } else {
        lost++;
        lostValue += v;
        owner.lost++;
        owner.lostValue += v;
        const loss = losses.get(d.lossReason);
        loss.count++;
        loss.value += v;
      }
      if (k === WON || cycleBasis === "closed") {
        cycleCandidates++;
        const closedOn = d.closedOn ?? d.closeDate;
        if (d.created !== null && closedOn !== null && closedOn >= d.created) {
          cycleSum += closedOn - d.created;
          cycleN++;
        }
      }
    } else unknownStage++;

    if (d.created !== null) {
      if (d.firstContact !== null && d.firstContact >= d.created) response[responseN++] = d.firstContact - d.created;
      const back = thisMonth - monthOf.get(d.created);
      if (back >= 0 && back < LEAD_MONTHS) {
        const slot = LEAD_MONTHS - 1 - back;
        leadCount[slot] = (leadCount[slot] as number) + 1;
        if (sc?.qualified) leadQualified[slot] = (leadQualified[slot] as number) + 1;
      }
      if (d.created <= today && d.created > today - 7) {
        leads7++;
        if (sc?.qualified) qualified7++;
      }
    }

    if (stuck) {
      owner.stuck++;
      let over = 0;
      const limit = numberOrNull(results.threshold[i]);
      if (days !== null && limit !== null) over = Math.max(over, days - limit);
      if (noActivityDays !== null && d.lastActivity !== null) over = Math.max(over, today - d.lastActivity - noActivityDays);
      if (overdueClose && d.closeDate !== null && k === OPEN) over = Math.max(over, today - d.closeDate);
      stuckIdx.push(i);
      stuckOver.push(over);
    }
  }

  // Only the most overdue are listed; choosing them by a numeric cut-off keeps a million stuck deals cheap.
  const cutoff = stuckIdx.length > STUCK_LIST_MAX ? (Float64Array.from(stuckOver).sort()[stuckOver.length - STUCK_LIST_MAX] as number) : -Infinity;
  for (let j = 0; j < stuckIdx.length; j++) {
    if ((stuckOver[j] as number) < cutoff) continue;
    const i = stuckIdx[j] as number;
    const d = deals[i] as Deal;
    const stuck = results.stuck[i];
    const s = d.stage >= 0 && d.stage < S ? d.stage : -1;
    if (stuck) {
      stuckRows.push({
        id: d.id,
        name: d.name,
        owner: d.owner,
        stage: s >= 0 ? (stages[s]?.name ?? d.stageRaw) : d.stageRaw,
        sheetRow: d.sheetRow,
        daysInStage: numberOrNull(results.daysInStage[i]),
        overdueDays: stuckOver[j] as number,
        severity: stuck.severity,
        reasons: stuck.reasons,
        action: stuck.action,
      });
    }
  }

  // ---- assemble ----------------------------------------------------------------------------
  const pipelineRows: StageRow[] = openStages.map((s) => {
    const st = stages[s];
    const value = stValue[s] as number;
    return { stage: st?.name ?? "", probability: (prob[s] as number) / 100, count: stCount[s] as number, value, weighted: (value * (prob[s] as number)) / 100 };
  });
  const total = emptyAmounts();
  for (const row of pipelineRows) {
    total.count += row.count;
    total.value += row.value;
    total.weighted += row.weighted;
  }
  const open = total.count;

  const rate = winBasis === "count" ? ratio(won, won + lost) : ratio(wonValue, wonValue + lostValue);
  const dealSize = sizeN > 0 ? sizeSum / sizeN : null;
  const cycleDays = cycleN > 0 ? cycleSum / cycleN : null;

  const withLabels = (m: Map<number, Amounts>, label: (i: number) => string): ForecastRow[] =>
    [...m.entries()].sort((a, b) => a[0] - b[0]).map(([i, a]) => ({ period: label(i), kind: "period" as const, ...a }));
  const edges = (rows: ForecastRow[]): ForecastRow[] => [
    ...(overdue.count > 0 ? [{ period: "Overdue", kind: "overdue" as const, ...overdue }] : []),
    ...rows,
    ...(noDate.count > 0 ? [{ period: "No close date", kind: "none" as const, ...noDate }] : []),
  ];

  const log = fromLog(transitions, settings, kind, openPos, openStages);
  const basis: HistoryBasis = log ? "stage log" : "sheet";
  const timeRows: TimeInStageRow[] = openStages.map((s) => {
    const sum = log ? (log.tisSum[s] as number) : (tisSheetSum[s] as number);
    const n = log ? (log.tisN[s] as number) : (tisSheetN[s] as number);
    return { stage: stages[s]?.name ?? "", days: n > 0 ? sum / n : null, samples: n };
  });

  const wonName = stages.find((st) => st.kind === "won")?.name ?? "Won";
  let reached: Float64Array;
  let advanced: Float64Array;
  if (log) ({ reached, advanced } = log);
  else {
    // From the sheet alone: a deal at open stage k passed every earlier one; won deals passed them all; lost deals only entered the first.
    reached = new Float64Array(openCount);
    advanced = new Float64Array(openCount);
    let atOrBeyond = won;
    for (let p = openCount - 1; p >= 0; p--) {
      advanced[p] = atOrBeyond;
      atOrBeyond += stCount[openStages[p] as number] as number;
      reached[p] = atOrBeyond + (p === 0 ? lost : 0);
    }
  }
  const conversionRows: ConversionRow[] = openStages.map((s, p) => {
    const r = reached[p] as number;
    const a = advanced[p] as number;
    const next = openStages[p + 1];
    return { from: stages[s]?.name ?? "", to: next === undefined ? wonName : (stages[next]?.name ?? ""), reached: r, advanced: a, rate: ratio(a, r) };
  });

  const velocityMissing: string[] = [];
  if (open === 0) velocityMissing.push("open deals");
  if (dealSize === null) velocityMissing.push("won deals with a value");
  if (rate === null) velocityMissing.push("closed deals");
  if (cycleDays === null || cycleDays === 0) velocityMissing.push("closed deals with created and close dates");
  const velocity = velocityMissing.length === 0 ? (open * (dealSize as number) * (rate as number)) / (cycleDays as number) : null;

  const target = settings.metrics.target;
  const gap = target === null ? null : target - wonInPeriod;
  const coverageRatio = gap !== null && gap > 0 ? weightedInPeriod / gap : null;
  const perLead = dealSize !== null && rate !== null ? dealSize * rate : 0;
  const leadsNeeded = gap === null ? null : gap - weightedInPeriod <= 0 ? 0 : perLead > 0 ? Math.ceil((gap - weightedInPeriod) / perLead) : null;

  const ownerRows: OwnerRow[] = owners
    .values()
    .map(({ lostValue: lv, ...o }) => ({ ...o, winRate: winBasis === "count" ? ratio(o.won, o.won + o.lost) : ratio(o.wonValue, o.wonValue + lv) }))
    .sort((a, b) => b.openValue - a.openValue || b.open - a.open || a.owner.localeCompare(b.owner));
  const lossRows = losses.values().sort((a, b) => b.count - a.count || b.value - a.value || a.reason.localeCompare(b.reason));
  stuckRows.sort((a, b) => b.overdueDays - a.overdueDays || (b.daysInStage ?? -1) - (a.daysInStage ?? -1) || a.name.localeCompare(b.name));
  stuckRows.length = Math.min(stuckRows.length, STUCK_LIST_MAX);

  const responses = response.subarray(0, responseN);
  let responseSum = 0;
  for (const x of responses) responseSum += x;
  const hasContact = present.firstContact === true;

  const byLeadMonth: LeadMonthRow[] = [];
  for (let slot = 0; slot < LEAD_MONTHS; slot++)
    byLeadMonth.push({ month: monthLabel(thisMonth - (LEAD_MONTHS - 1 - slot)), newLeads: leadCount[slot] as number, qualified: leadQualified[slot] as number });

  const money = (x: number): string => `${currency} ${thousands(x)}`;
  const closeNote = present.closeDate !== true ? " The sheet has no expected close date column, so every deal falls under No close date." : "";

  return {
    today,
    currency,
    counts: { deals: deals.length, open, won, lost, unknownStage, openWithoutValue },
    pipeline: {
      rows: pipelineRows,
      total,
      definition:
        `Open deals (stage kind open) per stage in settings order; weighted value = value × the stage's win probability ÷ 100.` +
        (openWithoutValue > 0 ? ` ${plural(openWithoutValue, "open deal")} without a value count as 0.` : "") +
        (unknownStage > 0 ? ` ${plural(unknownStage, "deal")} with an unknown stage count in the totals of deals only.` : ""),
    },
    forecast: {
      byMonth: edges(withLabels(byMonth, monthLabel)),
      byQuarter: edges(withLabels(byQuarter, quarterLabel)),
      definition: `Open deals by expected close month and quarter, weighted by stage win probability; close dates before today are Overdue.${closeNote}`,
    },
    winRate: {
      value: rate,
      basis: winBasis,
      won,
      lost,
      wonValue,
      lostValue,
      definition:
        winBasis === "count"
          ? `Win rate by count = won deals ÷ (won + lost deals): ${won} of ${won + lost}.`
          : `Win rate by value = value won ÷ (value won + value lost): ${money(wonValue)} of ${money(wonValue + lostValue)}.`,
    },
    dealSize: { value: dealSize, deals: sizeN, definition: `Average deal size = mean value of won deals (${plural(sizeN, "won deal")} with a value).` },
    cycle: {
      days: cycleDays,
      basis: cycleBasis,
      used: cycleN,
      leftOut: cycleCandidates - cycleN,
      definition:
        `Sales cycle = mean days from created date to ${present.closedDate === true || present.lostDate === true ? "actual close date" : "close date"} of ${cycleBasis === "won" ? "won" : "closed (won and lost)"} deals; ` +
        (present.closedDate === true || present.lostDate === true ? "" : "the sheet has no actual close date (Won time, Closed date), so a closed deal's expected close date stands in; ") +
        `${cycleN} of ${plural(cycleCandidates, "deal")} used, the rest lack a date or close before they were created.`,
    },
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
    velocity: {
      perDay: velocity,
      missing: velocityMissing,
      definition: `Sales velocity per day = open deals × average deal size × win rate ÷ sales cycle days${velocityMissing.length > 0 ? `; not shown: needs ${velocityMissing.join(", ")}` : ""}.`,
    },
    coverage: {
      set: target !== null,
      target,
      period: period.label,
      wonInPeriod,
      gap,
      weightedInPeriod,
      ratio: coverageRatio,
      newLeadsNeeded: leadsNeeded,
      definition:
        target === null
          ? "Pipeline coverage: not set: fill in Revenue target in Pipeline Settings."
          : `Pipeline coverage = weighted value of open deals expected to close in ${period.label} ÷ (target − value won in ${period.label}, by close date). ` +
            `New leads needed = (that gap − the weighted pipeline) ÷ (average deal size × win rate), rounded up.` +
            (gap !== null && gap <= 0 ? " The target is already met." : ""),
    },
    owners: { rows: ownerRows, definition: `Per owner: open deals, open and weighted value, won and lost deals, win rate (by ${winBasis}) and stuck deals.` },
    lossReasons: {
      rows: lossRows,
      definition: `Lost deals by loss reason (case and surrounding spaces ignored); a blank reason is "(no reason given)".${present.lossReason !== true ? " The sheet has no loss reason column." : ""}`,
    },
    responseTime: {
      present: hasContact,
      mean: hasContact && responseN > 0 ? responseSum / responseN : null,
      median: hasContact ? median(responses) : null,
      used: hasContact ? responseN : 0,
      definition: hasContact
        ? `Lead response time = days from created date to first contact, mean and median over ${plural(responseN, "deal")} with both dates.`
        : "Lead response time: the sheet has no First contact column; add one to see it.",
    },
    newLeads: {
      last7Days: leads7,
      qualifiedLast7Days: qualified7,
      byMonth: byLeadMonth,
      definition: "New leads = deals created in the last 7 days (today included); qualified = lead score at or above the Qualified from setting.",
      monthlyDefinition: `New and qualified leads per month by created date, for the last ${LEAD_MONTHS} months.`,
    },
    unitEconomics: unitEconomics(settings.metrics.quarterly),
    stuck: {
      rows: stuckRows,
      total: stuckIdx.length,
      definition: "Stuck deals: past their stage's days limit, without activity, or past their close date; most overdue first (days past the limit exceeded most).",
    },
    model: {
      ...winModel,
      definition: "Win likelihood model: accuracy = share of held-out closed deals called right at 50 %; Brier score = mean squared error of the likelihoods (lower is better), next to the Brier score of always guessing the base rate.",
    },
    grades: { counts: grades, definition: "Lead grades of open deals (A best), from the need, budget and authority score." },
    ...followUpMetrics(input),
    forecastRange: forecastRange(deals, results, settings, today),
    movement: input.movement ?? null,
  };
}
