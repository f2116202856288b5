// The stage log: the hidden "Pipeline Log" tab is both the history of transitions and the last snapshot to diff against.
import { a1, dayFromDate, dayFromExcelSerial, dayFromIso, isoFromDay } from "./a1.js";
import type { Settings } from "./settings.js";
import { TAB_LOG, type Cell, type Day, type Deal, type Grid, type Problem, type Transition } from "./types.js";

export const LOG_HEADER = ["Deal ID", "From", "To", "When", "By"];

export interface LogEntry extends Transition {
  /** "snapshot" for a deal's first sighting, "pipesheet" for a diff, "edit" for a live stamp, "sync" for the sync tool. */
  by: string;
}

export interface StageLog {
  entries: LogEntry[];
  /** Last known stage per deal id (the snapshot), with the day of that entry and whether it was a real transition. */
  last: Map<string, LogEntry>;
  /** True when the log holds at least one real transition (not only first snapshots). */
  hasTransitions: boolean;
  problems: Problem[];
}

function logDay(c: Cell): Day | null {
  if (typeof c === "number" && Number.isFinite(c)) return dayFromExcelSerial(c);
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? null : dayFromDate(c);
  if (typeof c === "string") return dayFromIso(c.trim().slice(0, 10));
  return null;
}

const str = (c: Cell): string => (c === null || c === undefined ? "" : String(c).trim());

export function readLog(grid: Grid | null): StageLog {
  const entries: LogEntry[] = [];
  const last = new Map<string, LogEntry>();
  const problems: Problem[] = [];
  let hasTransitions = false;
  if (!grid) return { entries, last, hasTransitions, problems };
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
    const e: LogEntry = { dealId, from: str(row[1]), to, day, by: str(row[4]) };
    entries.push(e);
    if (e.from !== "") hasTransitions = true;
    last.set(dealId, e);
  }
  return { entries, last, hasTransitions, problems };
}

export const logRow = (e: LogEntry): Cell[] => [e.dealId, e.from, e.to, isoFromDay(e.day), e.by];

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
