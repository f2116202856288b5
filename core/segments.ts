// Where we win: win rate, deal size and cycle by source, product, industry and owner, with the lift against the overall win rate.
import { at } from "./checked.js";
import type { Settings } from "./settings.js";
import { dealTable, KIND_LOST, KIND_OPEN, KIND_WON, NO_DAY, type DealTable } from "./table.js";
import type { Deal } from "./types.js";

export const SEGMENT_FIELDS = ["source", "product", "industry", "owner"] as const;
export type SegmentField = (typeof SEGMENT_FIELDS)[number];

export interface SegmentRow {
  value: string;
  deals: number;
  open: number;
  won: number;
  lost: number;
  /** won ÷ (won + lost), 0..1; null with no closed deals. */
  winRate: number | null;
  /** winRate ÷ the overall win rate; null when either is unknown or the overall rate is 0. */
  lift: number | null;
  /** Mean value of won deals with a value. */
  avgDealSize: number | null;
  /** Mean days from created to close date of won deals with both. */
  cycleDays: number | null;
  /** False when the segment has fewer closed deals than the setting: shown, not ranked. */
  ranked: boolean;
  /** 1 = highest win rate among the ranked rows of this table. */
  rank: number | null;
}

export interface SegmentTable {
  by: SegmentField;
  /** False when the deals sheet has no such column. */
  present: boolean;
  rows: SegmentRow[];
}

export interface SegmentMetrics {
  overall: { winRate: number | null; won: number; lost: number };
  minClosed: number;
  tables: SegmentTable[];
  definition: string;
}

const BLANK = "(blank)";

/** `label(field, deal)` gives the segment's text as written on the sheet (the deal keeps only a lower-cased copy). */
export function computeSegments(deals: readonly Deal[], settings: Settings, present: Partial<Record<SegmentField, boolean>>, label: (field: SegmentField, deal: Deal) => string): SegmentMetrics {
  return segmentsOf(
    dealTable(deals, settings, present, (f) => (d) => label(f, d)),
    settings,
  );
}

/**
 * One segment table. Each code of the column is folded into its segment (trimmed, spaces collapsed, case
 * ignored) once, when a deal first shows it; the deals are then summed per segment in typed arrays, in deal
 * order, so the sums are the same as adding deal by deal.
 */
function segmentTable(t: DealTable, by: SegmentField, overall: number | null, minClosed: number): SegmentTable {
  const col = t.segments[by];
  if (col === null) return { by, present: false, rows: [] };
  const slotOf = new Int32Array(t.texts.size).fill(-1);
  const slotByKey = new Map<string, number>();
  const values: string[] = [];
  const cap = t.texts.size;
  const deals = new Float64Array(cap);
  const open = new Float64Array(cap);
  const won = new Float64Array(cap);
  const lost = new Float64Array(cap);
  const size = new Float64Array(cap);
  const sizeN = new Float64Array(cap);
  const cycle = new Float64Array(cap);
  const cycleN = new Float64Array(cap);
  // The one loop over every deal (a million on the largest sheets): i < t.length and slot < cap by construction, so
  // its typed-array reads keep their `as number` rather than a checked read or a branch per deal (see bench/core.ts).
  for (let i = 0; i < t.length; i++) {
    const c = col[i] as number;
    let slot = slotOf[c] as number;
    if (slot < 0) {
      const text = t.texts.text(c).trim().replace(/\s+/g, " ");
      const key = text.toLowerCase();
      let known = slotByKey.get(key);
      if (known === undefined) {
        slotByKey.set(key, (known = values.length));
        values.push(text === "" ? BLANK : text);
      }
      slotOf[c] = slot = known;
    }
    deals[slot] = (deals[slot] as number) + 1;
    const k = t.kind[i];
    if (k === KIND_OPEN) open[slot] = (open[slot] as number) + 1;
    else if (k === KIND_LOST) lost[slot] = (lost[slot] as number) + 1;
    else if (k === KIND_WON) {
      won[slot] = (won[slot] as number) + 1;
      const v = t.value[i] as number;
      if (!Number.isNaN(v)) {
        size[slot] = (size[slot] as number) + v;
        sizeN[slot] = (sizeN[slot] as number) + 1;
      }
      const created = t.created[i] as number;
      const close = t.closeDate[i] as number;
      if (created !== NO_DAY && close !== NO_DAY && close >= created) {
        cycle[slot] = (cycle[slot] as number) + (close - created);
        cycleN[slot] = (cycleN[slot] as number) + 1;
      }
    }
  }
  // Once per segment, not per deal: checked reads.
  const rows: SegmentRow[] = values.map((value, j) => {
    const w = at(won, j);
    const l = at(lost, j);
    const closed = w + l;
    const winRate = closed > 0 ? w / closed : null;
    const sn = at(sizeN, j);
    const cn = at(cycleN, j);
    return {
      value,
      deals: at(deals, j),
      open: at(open, j),
      won: w,
      lost: l,
      winRate,
      lift: winRate !== null && overall !== null && overall > 0 ? winRate / overall : null,
      avgDealSize: sn > 0 ? at(size, j) / sn : null,
      cycleDays: cn > 0 ? at(cycle, j) / cn : null,
      ranked: closed >= minClosed,
      rank: null,
    };
  });
  const ranked = rows.filter((r) => r.ranked).sort((a, b) => (b.winRate ?? 0) - (a.winRate ?? 0) || b.won - a.won || a.value.localeCompare(b.value));
  ranked.forEach((r, i) => (r.rank = i + 1));
  const rest = rows.filter((r) => !r.ranked).sort((a, b) => b.won + b.lost - (a.won + a.lost) || b.deals - a.deals || a.value.localeCompare(b.value));
  return { by, present: true, rows: [...ranked, ...rest] };
}

/** Where we win, from the deal table (its segment columns hold the texts as written on the sheet). */
export function segmentsOf(t: DealTable, settings: Settings): SegmentMetrics {
  const minClosed = settings.segments.minClosed;
  let won = 0;
  let lost = 0;
  for (let i = 0; i < t.length; i++) {
    const k = t.kind[i];
    if (k === KIND_WON) won++;
    else if (k === KIND_LOST) lost++;
  }
  const overall = won + lost > 0 ? won / (won + lost) : null;
  return {
    overall: { winRate: overall, won, lost },
    minClosed,
    tables: SEGMENT_FIELDS.map((by) => segmentTable(t, by, overall, minClosed)),
    definition:
      `Where we win, by source, product, industry and owner: win rate = won ÷ (won + lost) deals; lift = the segment's win rate ÷ the overall win rate (${won} of ${won + lost}); ` +
      `average deal size and cycle (created to close, days) over its won deals. Segments with fewer than ${minClosed} closed deals are marked "too few" and not ranked.`,
  };
}
