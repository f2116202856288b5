// Deal results as columns (DealResults in types.ts), written by the deal pass and read by the figures.
import type { DealResult, DealResults, LeadScore, StuckResult } from "./types.js";

/** Columns for `n` deals, to be filled position by position with setResult. */
export function resultColumns(n: number): DealResults & { score: LeadScore[]; stuck: (StuckResult | null)[] } {
  return {
    length: n,
    score: new Array<LeadScore>(n),
    win: new Float64Array(n).fill(NaN),
    daysInStage: new Float64Array(n).fill(NaN),
    threshold: new Float64Array(n).fill(NaN),
    stuck: new Array<StuckResult | null>(n).fill(null),
  };
}

type Writable = ReturnType<typeof resultColumns>;

export function setResult(cols: Writable, i: number, r: DealResult): void {
  cols.score[i] = r.score;
  cols.win[i] = r.win ?? NaN;
  cols.daysInStage[i] = r.daysInStage ?? NaN;
  cols.threshold[i] = r.threshold ?? NaN;
  cols.stuck[i] = r.stuck;
}

/** The columns of a list of results (tests and small callers build results one object each). */
export function dealResults(list: readonly DealResult[]): DealResults {
  const cols = resultColumns(list.length);
  list.forEach((r, i) => setResult(cols, i, r));
  return cols;
}

/** A column's number, or null where it holds none (NaN). */
export const numberOrNull = (x: number | undefined): number | null => (x === undefined || Number.isNaN(x) ? null : x);
