// Stuck deals: thresholds (set or learned), the verdict with a suggested action, and the live conditional-format rule.
import { colName, quoteSheet } from "./a1.js";
import { PUSH_LIMIT_LABEL, type Settings, type Stage } from "./settings.js";
import type { StageLog } from "./stagelog.js";
import { RULE_PREFIX, TAB_SETTINGS, type Cell, type ConditionalRule, type Day, type Deal, type Grid, type StuckResult } from "./types.js";

export const STUCK_RULE_ID = `${RULE_PREFIX}stuck`;
/** Won deals with at least this many measured stays in a stage before a learned threshold replaces the set one. */
export const MIN_LEARNING_SAMPLES = 5;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Days-in-stage threshold per stage index. With `settings.stuck.learned`, an open stage whose time was
 * measured for enough won deals in the log gets ceil(factor × median); every other stage keeps its setting.
 */
export function stuckThresholds(settings: Settings, log: StageLog, wonIds: ReadonlySet<string>): { days: (number | null)[]; learned: boolean[] } {
  const days = settings.stages.map((s) => (s.kind === "open" ? s.stuckDays : null));
  const learned = settings.stages.map(() => false);
  if (!settings.stuck.learned || !log.hasTransitions) return { days, learned };
  const index = new Map(settings.stages.map((s, i) => [s.name.toLowerCase(), i]));
  const stays = settings.stages.map((): number[] => []);
  const enteredAt = new Map<string, { stage: number; day: Day }>();
  for (const e of log.entries) {
    const prev = enteredAt.get(e.dealId);
    if (prev && e.from !== "" && wonIds.has(e.dealId)) stays[prev.stage]?.push(e.day - prev.day);
    const to = index.get(e.to.toLowerCase());
    if (to === undefined) enteredAt.delete(e.dealId);
    else enteredAt.set(e.dealId, { stage: to, day: e.day });
  }
  stays.forEach((xs, i) => {
    if (settings.stages[i]?.kind === "open" && xs.length >= MIN_LEARNING_SAMPLES) {
      days[i] = Math.max(1, Math.ceil(settings.stuck.learnedFactor * median(xs)));
      learned[i] = true;
    }
  });
  return { days, learned };
}

/**
 * The verdict for one open deal, or null when it is moving. Verdicts depend only on the stage and four day
 * counts, so equal ones are shared (frozen): a million stuck deals make a few thousand objects, not millions.
 */
export function stuckJudge(settings: Settings, today: Day): (deal: Deal, stage: Stage, daysInStage: number | null, threshold: number | null) => StuckResult | null {
  const cache = new Map<string, StuckResult | null>();
  // Common verdicts are found without building a key string: by stage name and threshold, then two pairs of day counts.
  const byStage = new Map<string, Map<number | null, Map<number, Map<number, StuckResult>>>>();
  const quiet = settings.stuck.noActivityDays;
  return (deal, stage, daysInStage, threshold) => {
    if (stage.kind !== "open") return null;
    const over = threshold !== null && daysInStage !== null && daysInStage > threshold ? daysInStage : -1;
    const idle = quiet !== null && deal.lastActivity !== null && today - deal.lastActivity > quiet ? today - deal.lastActivity : -1;
    const step = deal.nextStepDate !== null && deal.nextStepDate < today ? today - deal.nextStepDate : -1;
    const close = settings.stuck.overdueCloseDate && deal.closeDate !== null && deal.closeDate < today ? today - deal.closeDate : -1;
    if (over < 0 && idle < 0 && step < 0 && close < 0) return null;
    if (over < PAIR && idle < PAIR && step < PAIR && close < PAIR) {
      let byThreshold = byStage.get(stage.name);
      if (byThreshold === undefined) byStage.set(stage.name, (byThreshold = new Map()));
      let byFirst = byThreshold.get(threshold);
      if (byFirst === undefined) byThreshold.set(threshold, (byFirst = new Map()));
      const first = (over + 1) * PAIR + (idle + 1);
      let bySecond = byFirst.get(first);
      if (bySecond === undefined) byFirst.set(first, (bySecond = new Map()));
      const second = (step + 1) * PAIR + (close + 1);
      let shared = bySecond.get(second);
      if (shared === undefined) bySecond.set(second, (shared = verdictFor(stage, threshold, over, idle, step, close, settings)));
      return shared;
    }
    const key = `${stage.name}|${threshold}|${over}|${idle}|${step}|${close}`;
    let verdict = cache.get(key);
    if (verdict === undefined) {
      verdict = verdictFor(stage, threshold, over, idle, step, close, settings);
      cache.set(key, verdict);
    }
    return verdict;
  };
}

/** Day counts below this pack two to a number key exactly ((a + 1) × PAIR + b + 1 stays under 2^53). */
const PAIR = 1 << 24;

function verdictFor(stage: Stage, threshold: number | null, over: number, idle: number, step: number, close: number, settings: Settings): StuckResult {
  const reasons: string[] = [];
  let severity: StuckResult["severity"] = "nudge";
  let action = "";
  if (over >= 0 && threshold !== null) {
    reasons.push(`${over} days in ${stage.name} (limit ${threshold})`);
    if (over > threshold * settings.stuck.cutLooseFactor) {
      severity = "cut loose";
      action = `Cut loose: ${over} days in ${stage.name}, over ${settings.stuck.cutLooseFactor}× the limit; get a yes or no this week, or mark it Lost`;
    } else {
      action = `Nudge: ${stage.checklist[0] ?? "agree a next step with a date"}`;
    }
  }
  if (idle >= 0) {
    reasons.push(`no activity for ${idle} days`);
    if (action === "") action = "Nudge: contact the buyer with something useful and book the next step";
  }
  if (step >= 0) {
    reasons.push(`next step overdue by ${step} days`);
    if (action === "") action = "Do the overdue next step, or set a new date";
  }
  if (close >= 0) {
    reasons.push(`close date passed ${close} days ago`);
    if (action === "") action = "Confirm the close date with the buyer and update it, or close the deal";
  }
  return Object.freeze({ reasons: Object.freeze(reasons) as string[], severity, action });
}

export interface RuleColumns {
  /** pipesheet's "Stuck after (days)" helper column: the row's stage limit, "" for a closed or unknown stage. */
  limit: number;
  /** The column holding the day the deal entered its stage (pipesheet's "Stage entered", or the team's own). */
  entered: number | null;
  created: number | null;
  lastActivity: number | null;
  nextStepDate: number | null;
  closeDate: number | null;
  /** A CRM status column (open/won/lost) that closes a deal whatever its stage text says. */
  status: number | null;
  /**
   * pipesheet's "Close date pushes" (its push count: times the close date moved later, from the log) and "Stuck after (pushes)" (the
   * push limit read live from the settings tab, "" when off) helper columns; null on a sheet without them.
   */
  pushCount: number | null;
  pushLimit: number | null;
}

/** Limit used for an open stage that has none, so the days test never fires and the other tests still do. */
export const NO_LIMIT = 100000;

/** Where the stage table sits on the settings tab: 0-based rows of the first and last stage, in settings order. */
export interface StageTable {
  first: number;
  last: number;
}

const cellText = (c: Cell): string => (typeof c === "string" ? c.trim().toLowerCase() : "");

/** Finds the stage rows (names in column A, in the settings' order) on the grid the settings tab will hold. */
export function findStageTable(grid: Grid | null, settings: Settings): StageTable | null {
  if (!grid || settings.stages.length === 0) return null;
  // The Stages section as the tab has it: the rows under its "Stage | Kind" header, down to the first blank.
  // Stages adopted for this run only are not on the tab; their rows fall back to core's limit.
  for (let r = 0; r + 1 < grid.length; r++) {
    if (cellText(grid[r]?.[0]) !== "stage" || cellText(grid[r]?.[1]) !== "kind") continue;
    let last = r;
    while (last + 1 < grid.length && cellText(grid[last + 1]?.[0]) !== "") last++;
    return last > r ? { first: r + 1, last } : null;
  }
  return null;
}

const sheetRef = quoteSheet(TAB_SETTINGS);

/**
 * The helper cell of one row: the stage's "Stuck after days" looked up on the settings tab, live (a cell may
 * refer to another tab, a conditional-format rule may not). Kind column B, limit column D, as settingsToGrid
 * writes them. A stage the lookup cannot find gives `fallback`, the limit core worked out for the row.
 */
export function stuckLimitFormula(table: StageTable, stageCol: number, sheetRow: number, fallback: number | ""): string {
  const range = `${sheetRef}!$A$${table.first + 1}:$D$${table.last + 1}`;
  const look = (col: number): string => `VLOOKUP(TRIM($${colName(stageCol)}${sheetRow}),${range},${col},0)`;
  const fb = fallback === "" ? '""' : String(fallback);
  return `=IFERROR(IF(${look(2)}="open",IF(N(${look(4)})>0,${look(4)},${NO_LIMIT}),""),${fb})`;
}

/** The push limit's value cell on the settings tab as a cross-tab reference, or null when the tab has no such row. */
export function findPushLimitCell(grid: Grid | null): string | null {
  if (!grid) return null;
  const label = PUSH_LIMIT_LABEL.toLowerCase();
  const r = grid.findIndex((row) => cellText(row[0]) === label);
  return r < 0 ? null : `${sheetRef}!$B$${r + 1}`;
}

/**
 * The "Stuck after (pushes)" helper cell: the push limit read live from its settings cell (blank or 0 there
 * is off, so the cell is blank and the rule's push test cannot fire). Without the cell, the limit core used.
 * VALUE reads a limit typed as text ("3") as core does (N() would read it as 0, turning the highlight off);
 * IFERROR makes a blank cell (VALUE gives 0 in Excel, #VALUE! in HyperFormula) or other text blank: off.
 */
export function pushLimitFormula(cell: string | null, fallback: number | null): Cell {
  if (cell === null) return fallback ?? "";
  return `=IFERROR(IF(VALUE(${cell})>0,VALUE(${cell}),""),"")`;
}

/**
 * The stuck rule as one custom formula, relative to the first data row, live through TODAY() and with no
 * reference to another tab, so the same text works in Excel and in Google Sheets. The stage limit comes from
 * the row's helper cell, so the rule's length does not grow with the number of stages.
 * N("pipesheet:stuck") adds 0 and marks the rule as pipesheet's, so every host can find and replace it.
 */
export function stuckFormula(settings: Settings, cols: RuleColumns, firstRow: number): string {
  const ref = (c: number): string => `$${colName(c)}${firstRow + 1}`;
  const limit = ref(cols.limit);
  const conditions: string[] = [];
  const basis =
    cols.entered !== null && cols.created !== null
      ? `IF(ISNUMBER(${ref(cols.entered)}),${ref(cols.entered)},${ref(cols.created)})`
      : cols.entered !== null
        ? ref(cols.entered)
        : cols.created !== null
          ? ref(cols.created)
          : null;
  if (basis !== null) conditions.push(`AND(ISNUMBER(${basis}),TODAY()-${basis}>${limit})`);
  const quiet = settings.stuck.noActivityDays;
  if (quiet !== null && cols.lastActivity !== null)
    conditions.push(`AND(ISNUMBER(${ref(cols.lastActivity)}),TODAY()-${ref(cols.lastActivity)}>${quiet})`);
  if (cols.nextStepDate !== null) conditions.push(`AND(ISNUMBER(${ref(cols.nextStepDate)}),${ref(cols.nextStepDate)}<TODAY())`);
  if (settings.stuck.overdueCloseDate && cols.closeDate !== null)
    conditions.push(`AND(ISNUMBER(${ref(cols.closeDate)}),${ref(cols.closeDate)}<TODAY())`);
  // Pushed too often: the row's count (from the log, written each run) at or over its live limit cell.
  if (cols.pushCount !== null && cols.pushLimit !== null)
    conditions.push(`AND(ISNUMBER(${ref(cols.pushLimit)}),N(${ref(cols.pushCount)})>=${ref(cols.pushLimit)})`);

  // A number in the helper cell means an open stage; a closed or unknown one leaves it blank.
  let isOpen = `ISNUMBER(${limit})`;
  if (cols.status !== null) isOpen = `${isOpen},NOT(OR(TRIM(${ref(cols.status)})="won",TRIM(${ref(cols.status)})="lost"))`;
  const any = conditions.length === 0 ? "FALSE" : conditions.length === 1 ? (conditions[0] as string) : `OR(${conditions.join(",")})`;
  return `=AND(N("${STUCK_RULE_ID}")=0,${isOpen},${any})`;
}

export function stuckRule(formula: string, range: string): ConditionalRule {
  return {
    id: STUCK_RULE_ID,
    range,
    // Excel and Google Sheets read the same text: plain functions, relative row, no other tab.
    formula: { excel: formula, sheets: formula },
    fill: "#FDE7E9",
    fontColor: "#A4262C",
    description: "pipesheet: open deal stuck (days in stage over the limit, no activity, overdue dates, or close date pushed too often)",
  };
}
