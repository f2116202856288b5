// Where we win: win rate, deal size and cycle by source, product, industry and owner, with the lift against the overall win rate.
import type { Settings } from "./settings.js";
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
  const minClosed = settings.segments.minClosed;
  let won = 0;
  let lost = 0;
  for (const d of deals) {
    const k = settings.stages[d.stage]?.kind;
    if (k === "won") won++;
    else if (k === "lost") lost++;
  }
  const overall = won + lost > 0 ? won / (won + lost) : null;
  const tables = SEGMENT_FIELDS.map((by): SegmentTable => {
    if (present[by] !== true) return { by, present: false, rows: [] };
    const acc = new Map<string, SegmentRow & { size: number; sizeN: number; cycle: number; cycleN: number }>();
    for (const d of deals) {
      const text = label(by, d).trim().replace(/\s+/g, " ");
      const key = text.toLowerCase();
      let r = acc.get(key);
      if (!r) acc.set(key, (r = { value: text === "" ? BLANK : text, deals: 0, open: 0, won: 0, lost: 0, winRate: null, lift: null, avgDealSize: null, cycleDays: null, ranked: false, rank: null, size: 0, sizeN: 0, cycle: 0, cycleN: 0 }));
      r.deals++;
      const k = settings.stages[d.stage]?.kind;
      if (k === "open") r.open++;
      else if (k === "lost") r.lost++;
      else if (k === "won") {
        r.won++;
        if (d.value !== null) {
          r.size += d.value;
          r.sizeN++;
        }
        if (d.created !== null && d.closeDate !== null && d.closeDate >= d.created) {
          r.cycle += d.closeDate - d.created;
          r.cycleN++;
        }
      }
    }
    const rows: SegmentRow[] = [...acc.values()].map(({ size, sizeN, cycle, cycleN, ...r }) => {
      const closed = r.won + r.lost;
      const winRate = closed > 0 ? r.won / closed : null;
      return { ...r, winRate, lift: winRate !== null && overall !== null && overall > 0 ? winRate / overall : null, avgDealSize: sizeN > 0 ? size / sizeN : null, cycleDays: cycleN > 0 ? cycle / cycleN : null, ranked: closed >= minClosed };
    });
    const ranked = rows.filter((r) => r.ranked).sort((a, b) => (b.winRate ?? 0) - (a.winRate ?? 0) || b.won - a.won || a.value.localeCompare(b.value));
    ranked.forEach((r, i) => (r.rank = i + 1));
    const rest = rows.filter((r) => !r.ranked).sort((a, b) => b.won + b.lost - (a.won + a.lost) || b.deals - a.deals || a.value.localeCompare(b.value));
    return { by, present: true, rows: [...ranked, ...rest] };
  });
  return {
    overall: { winRate: overall, won, lost },
    minClosed,
    tables,
    definition:
      `Where we win, by source, product, industry and owner: win rate = won ÷ (won + lost) deals; lift = the segment's win rate ÷ the overall win rate (${won} of ${won + lost}); ` +
      `average deal size and cycle (created to close, days) over its won deals. Segments with fewer than ${minClosed} closed deals are marked "too few" and not ranked.`,
  };
}
