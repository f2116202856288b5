// The stage log: the hidden "Pipeline Log" tab is both the history of transitions and the last snapshot to diff against.
import { a1, dayFromDate, dayFromExcelSerial, dayFromIso, isoFromDay } from "./a1.js";
import type { Settings } from "./settings.js";
import { TAB_LOG, type Cell, type Day, type Deal, type Grid, type Problem, type Transition } from "./types.js";

/**
 * Columns A-E are pipesheet 0.1's stage log and keep their meaning. F-J (0.2) hold the deal as it stood after
 * the row: a row whose From equals its To changed no stage, only those fields. A row with an Outcome carries
 * the whole state; a row without one (0.1, a live stage edit) changed only the stage, and the fields carry on.
 * A row with no Deal ID and no To is a review marker ("review" in By); 0.1 skips such rows silently.
 */
export const LOG_HEADER = ["Deal ID", "From", "To", "When", "By", "Value", "Close", "Owner", "Outcome", "Logged"];
export const LOG_WIDTH = LOG_HEADER.length;

export type Outcome = "open" | "won" | "lost" | "deleted";

export interface LogEntry extends Transition {
  /** "snapshot" for a deal's first sighting, "pipesheet" for a diff, "edit" for a live stamp, "sync" for the sync tool. */
  by: string;
}

/** A deal as the log last saw it. */
export interface DealState {
  stage: string;
  /** Value in whole cents; null when the cell was blank. */
  cents: number | null;
  close: Day | null;
  owner: string;
  /** "" when the row recorded no outcome (a stage-only row): the stage's kind decides. */
  outcome: Outcome | "";
  /** False until a row with the fields (an Outcome) has been read: value, close and owner are then unknown. */
  full: boolean;
  /** The run day the row was written (Logged, else When). */
  day: Day;
}

/** One deal's history in the log, gathered in the same single pass. */
export interface DealHistory {
  cur: DealState;
  /** The state after the last row logged on or before the `since` day; null when the deal was first logged later. */
  atSince: DealState | null;
  /** The first state with the fields, standing in for the value at `since` of deals logged by 0.1 before it. */
  baseline: DealState | null;
  /** The last state in which the deal was open: the value it had when it left the open pipeline. */
  lastOpen: DealState | null;
  /** Times its expected close moved later, over the whole log, and since the `since` day. */
  pushes: number;
  pushesSince: number;
  /** A row for it was logged after the `since` day. */
  changedSince: boolean;
  /** Set by the run when the deal is on the sheet, so the rest can be logged as deleted. */
  seen: boolean;
}

export interface StageLog {
  entries: LogEntry[];
  /** Last known stage per deal id (the snapshot), with the day of that entry and whether it was a real transition. */
  last: Map<string, LogEntry>;
  /** True when the log holds at least one real transition (not only first snapshots). */
  hasTransitions: boolean;
  problems: Problem[];
  history: Map<string, DealHistory>;
  /** The day "since last review" starts from; null when there is none (no earlier run). */
  since: Day | null;
  sinceBasis: "date" | "review" | "run" | "none";
  /** The last day a review marker was logged (today's included), so a review run again the same day adds none. */
  lastReview: Day | null;
}

export interface ReadLogOptions {
  today: Day;
  /** A day picked by the user; without it, the previous review run (else the previous run) before today. */
  since?: Day | null;
  /** Outcome of a stage by its name, for rows that recorded none. */
  outcomeOf?: (stage: string) => Outcome | "";
}

function logDay(c: Cell): Day | null {
  if (typeof c === "number" && Number.isFinite(c)) return dayFromExcelSerial(c);
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? null : dayFromDate(c);
  if (typeof c === "string") return dayFromIso(c.trim().slice(0, 10));
  return null;
}

const str = (c: Cell): string => (c === null || c === undefined ? "" : String(c).trim());

function cents(c: Cell): number | null {
  if (typeof c === "number") return Number.isFinite(c) ? Math.round(c * 100) : null;
  const t = str(c);
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? Math.round(n * 100) : null;
}

const OUTCOMES = new Set<string>(["open", "won", "lost", "deleted"]);

/** The day "since last review" starts from: the user's day, else the last review marker before today, else the last day anything was logged. */
function findSince(grid: Grid, opts: ReadLogOptions): { since: Day | null; basis: StageLog["sinceBasis"]; lastReview: Day | null } {
  let lastReview: Day | null = null;
  let review: Day | null = null;
  let anyRun: Day | null = null;
  for (let r = 1; r < grid.length; r++) {
    const row = grid[r];
    if (!row) continue;
    const marker = str(row[0]) === "" && str(row[2]) === "";
    if (marker && str(row[4]).toLowerCase() !== "review") continue;
    const day = marker ? logDay(row[3]) : (logDay(row[9]) ?? logDay(row[3]));
    if (day === null) continue;
    if (marker && (lastReview === null || day > lastReview)) lastReview = day;
    if (day >= opts.today) continue;
    if (anyRun === null || day > anyRun) anyRun = day;
    if (marker && (review === null || day > review)) review = day;
  }
  if (opts.since !== undefined && opts.since !== null) return { since: opts.since, basis: "date", lastReview };
  if (review !== null) return { since: review, basis: "review", lastReview };
  if (anyRun !== null) return { since: anyRun, basis: "run", lastReview };
  return { since: null, basis: "none", lastReview };
}

export function readLog(grid: Grid | null, opts: ReadLogOptions = { today: Infinity }): StageLog {
  const entries: LogEntry[] = [];
  const last = new Map<string, LogEntry>();
  const history = new Map<string, DealHistory>();
  const problems: Problem[] = [];
  let hasTransitions = false;
  if (!grid) return { entries, last, hasTransitions, problems, history, since: opts.since ?? null, sinceBasis: opts.since ? "date" : "none", lastReview: null };
  const { since, basis, lastReview } = findSince(grid, opts);
  const outcomeOf = opts.outcomeOf ?? ((): Outcome | "" => "");
  const isOpen = (st: DealState): boolean => (st.outcome === "" ? outcomeOf(st.stage) === "open" : st.outcome === "open");
  for (let r = 1; r < grid.length; r++) {
    const row = grid[r];
    if (!row) continue;
    const dealId = str(row[0]);
    const to = str(row[2]);
    if (dealId === "" && to === "") continue;
    const day = logDay(row[3]);
    if (dealId === "" || to === "" || day === null) {
      problems.push({
        sheet: TAB_LOG,
        cell: a1(r, dealId === "" ? 0 : to === "" ? 2 : 3),
        code: "BAD_LOG_ROW",
        message: "This log row is incomplete (Deal ID, To and a date in When are needed); pipesheet skips it. Delete it or fill it in.",
        severity: "warning",
      });
      continue;
    }
    const from = str(row[1]);
    const by = str(row[4]);
    const outcomeText = str(row[8]).toLowerCase();
    const full = OUTCOMES.has(outcomeText);
    // A From equal to To is a change of the fields only (or a deletion); it is no stage transition.
    if (from === "" || from.toLowerCase() !== to.toLowerCase()) {
      const e: LogEntry = { dealId, from, to, day, by };
      entries.push(e);
      if (from !== "") hasTransitions = true;
      last.set(dealId, e);
    }
    const logged = logDay(row[9]) ?? day;
    const h = history.get(dealId);
    const prev = h?.cur;
    const state: DealState = full
      ? { stage: to, cents: cents(row[5]), close: logDay(row[6]), owner: str(row[7]), outcome: outcomeText as Outcome, full: true, day: logged }
      : { stage: to, cents: prev?.cents ?? null, close: prev?.close ?? null, owner: prev?.owner ?? "", outcome: "", full: prev?.full ?? false, day: logged };
    const after = since !== null && logged > since;
    const pushed = full && prev?.full === true && prev.close !== null && state.close !== null && state.close > prev.close ? 1 : 0;
    if (!h) {
      history.set(dealId, { cur: state, atSince: after ? null : state, baseline: full ? state : null, lastOpen: isOpen(state) ? state : null, pushes: pushed, pushesSince: 0, changedSince: after, seen: false });
      continue;
    }
    h.cur = state;
    if (h.baseline === null && full) h.baseline = state;
    if (!after) h.atSince = state;
    else h.changedSince = true;
    if (isOpen(state)) h.lastOpen = state;
    h.pushes += pushed;
    if (after) h.pushesSince += pushed;
  }
  return { entries, last, hasTransitions, problems, history, since, sinceBasis: basis, lastReview };
}

export const logRow = (e: LogEntry): Cell[] => [e.dealId, e.from, e.to, isoFromDay(e.day), e.by];

/** The F-J cells of a full-state row. */
export const stateCells = (cents: number | null, close: Day | null, owner: string, outcome: Outcome, logged: string): Cell[] => [
  cents === null ? "" : cents / 100,
  close === null ? "" : isoFromDay(close),
  owner,
  outcome,
  logged,
];

/** Whether the sheet's deal differs from what the log last recorded in value, close, owner or outcome. */
export const fieldsChanged = (cur: DealState, cents: number | null, close: Day | null, owner: string, outcome: Outcome): boolean =>
  !cur.full || cur.cents !== cents || cur.close !== close || cur.owner !== owner || cur.outcome !== outcome;

/** Times the deal's close date moved later, counting the move this run would log. */
export const pushesNow = (h: DealHistory | undefined, close: Day | null): number =>
  h === undefined ? 0 : h.pushes + (h.cur.full && h.cur.close !== null && close !== null && close > h.cur.close ? 1 : 0);

export const centsOf = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : Math.round(value * 100));

/** A stage's outcome by its name in the settings (loosely, as the log may spell it); "" when unknown. */
export function outcomeByName(settings: Settings): (stage: string) => Outcome | "" {
  const byName = new Map(settings.stages.map((s) => [s.name.toLowerCase(), s.kind]));
  return (stage) => byName.get(stage.trim().toLowerCase()) ?? "";
}

/** Canonical name of a deal's stage for the log: the settings name when matched, else what the sheet says. */
export const stageName = (deal: Deal, settings: Settings): string => settings.stages[deal.stage]?.name ?? deal.stageRaw;

/**
 * For each deal, the furthest open stage it reached: its current stage while open; for a closed deal, what
 * the log shows, else unknown (-1). Guessing "won deals passed every stage" would hand the win model the
 * answer (every won deal "reached Negotiation", no lost one did) and make it look perfect on held-out deals.
 */
export function reachedStages(deals: readonly Deal[], settings: Settings, log: StageLog): Int32Array {
  const byName = new Map(settings.stages.map((s, i) => [s.name.toLowerCase(), i]));
  const furthest = new Map<string, number>();
  for (const e of log.entries) {
    for (const name of [e.from, e.to]) {
      const i = byName.get(name.toLowerCase());
      if (i === undefined || settings.stages[i]?.kind !== "open") continue;
      const prev = furthest.get(e.dealId);
      if (prev === undefined || i > prev) furthest.set(e.dealId, i);
    }
  }
  const out = new Int32Array(deals.length);
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    const kind = settings.stages[d.stage]?.kind;
    if (kind === "open") out[i] = d.stage;
    else out[i] = furthest.get(d.id) ?? -1;
  }
  return out;
}
