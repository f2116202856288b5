// The one entry every host calls: cells in, a WorkbookPlan out. Also the live stage-edit plan.
import { a1, a1Range, colName, dayFromIso, excelSerialFromDay, isoFromDay } from "./a1.js";
import { activitiesTab, lastActivityByDeal, readActivities, TAB_ACTIVITIES, type ActivityLog } from "./activity.js";
import { mapColumns, noHeaderProblem, OUTPUT_KEYS, OWNED_HEADERS, type ColumnMap } from "./columns.js";
import { numberEvidence } from "./infer-values.js";
import { computeMetrics, thousands, type PipelineMetrics } from "./metrics.js";
import { computeMovement, type Movement } from "./movement.js";
import { inferCurrency, inferDateOrders, inferNumberConvention, parseDeals, parseNumber, type DateOrder, type ParseResult } from "./parse.js";
import { buildReview } from "./review.js";
import { resultColumns, setResult } from "./results.js";
import { count } from "./count.js";
import { answerLists, scorer } from "./scoring.js";
import { DEFAULT_SETTINGS, fieldLabel, settingsFromGrid, settingsToGrid, settingsVersion, type Settings, type Stage } from "./settings.js";
import { centsOf, fieldsChanged, LOG_HEADER, logRow, outcomeByName, pushesNow, readLog, reachedStages, stageName, stateCells, type DealHistory, type LogEntry, type StageLog } from "./stagelog.js";
import { adoptStages, missingRequired, nextTask, NO_FIELDS, normalize, outcomeWord, stageMatcher, type StageUse } from "./stages.js";
import { findPushLimitCell, findStageTable, NO_LIMIT, pushLimitFormula, stuckFormula, stuckJudge, stuckLimitFormula, stuckRule, stuckThresholds, type StageTable } from "./stuck.js";
import {
  DIMENSIONS,
  RULE_PREFIX,
  TAB_LOG,
  TAB_SETTINGS,
  type Cell,
  type ChangesSummary,
  type ColumnMapping,
  type ColumnWrite,
  type Day,
  type Deal,
  type DealResults,
  type Dimension,
  type Field,
  type Grid,
  type LeadScore,
  type OwnedKey,
  type Problem,
  type RunOptions,
  type StageBasis,
  type StuckResult,
  type Summary,
  type TabWrite,
  type ValidationRule,
  type WorkbookInput,
  type WorkbookPlan,
} from "./types.js";
import { trainWinModel, type WinModel } from "./winmodel.js";

export { LOG_HEADER };
export const DATE_FORMAT = "yyyy-mm-dd";
/** Rules and drop-downs reach this many rows past the data, so deals added later are covered live. */
export const ROOM_FOR_NEW_ROWS = 500;

export interface RunResult extends WorkbookPlan {
  metrics: PipelineMetrics | null;
}

/** The owned columns in the order pipesheet adds them: the computed ones (columns.ts), with Stage entered (a field
 * the team may also fill) after Win likelihood. */
const WRITE_ORDER: readonly OwnedKey[] = [...OUTPUT_KEYS.slice(0, 4), "stageEntered", ...OUTPUT_KEYS.slice(4)];

/** x rounded to 3 decimals; the 1,001 values of 0..1 are shared, so a million cells hold no number objects of their own. */
const SHARES: number[] = Array.from({ length: 1001 }, (_, k) => k / 1000);
function roundedShare(x: number): number {
  const k = Math.round(x * 1000);
  return k >= 0 && k <= 1000 ? (SHARES[k] as number) : k / 1000;
}

function emptySummary(options: RunOptions, sheet: string, map: ColumnMap | null): Summary {
  return {
    command: options.command,
    today: options.today,
    sheet,
    deals: 0,
    open: 0,
    won: 0,
    lost: 0,
    scored: 0,
    grades: { A: 0, B: 0, C: 0, D: 0 },
    qualified: 0,
    stuck: 0,
    transitions: 0,
    ambiguousDates: 0,
    idsAdded: 0,
    customStages: [],
    stageBasis: { "stage entered": 0, "stage log": 0, "created date": 0, none: 0 },
    columns: map ? Object.fromEntries(Object.entries(map.fields).map(([f, c]) => [f, map.headers[c] ?? ""])) : {},
    guessed: map?.guessed ?? [],
    mapping: map ? mappingOf(map) : [],
    missing: map?.missing ?? [],
    skippedRows: { blank: 0, header: 0, total: 0, group: 0 },
    dates: [],
    amounts: null,
    currency: { code: "USD", from: "settings" },
    headline: "",
  };
}

/** The column mapping with its evidence, in the order of the sheet's columns. */
function mappingOf(map: ColumnMap): ColumnMapping[] {
  return (Object.entries(map.fields) as [Field, number][])
    .sort((a, b) => a[1] - b[1])
    .map(([field, c]) => {
      const header = map.headers[c] ?? "";
      const evidence = map.evidence[field] ?? "";
      const label = fieldLabel(field);
      return { field, label, header, column: colName(c), guessed: map.guessed.includes(field), evidence, text: `${label} ← ${header} (${colName(c)})${evidence ? `: ${evidence}` : ""}` };
    });
}

/** What the deals in each stage value say, for adopting and ordering the team's stages. */
/**
 * Per stage name in the stage log: the deals seen in it and now closed, and how many of those were won (a deal's
 * outcome read from its stage today: a won or lost stage of the settings, or an outcome word).
 */
function stageHistory(deals: readonly Deal[], log: Grid | null, settings: Settings): Map<string, { won: number; closed: number }> {
  const out = new Map<string, { won: number; closed: number }>();
  if (!log || log.length < 2) return out;
  const kindByName = new Map(settings.stages.map((st) => [st.name.toLowerCase(), st.kind]));
  const outcome = new Map<string, "won" | "lost">();
  for (let n = 0; n < deals.length; n++) {
    const d = deals[n] as Deal;
    if (d.id === "") continue;
    const k = kindByName.get(d.stageRaw.trim().toLowerCase()) ?? outcomeWord(d.stageRaw, settings.outcomes);
    if (k === "won" || k === "lost") outcome.set(d.id, k);
  }
  const seen = new Map<string, Set<string>>();
  for (let r = 1; r < log.length; r++) {
    const row = log[r];
    const id = String(row?.[0] ?? "").trim();
    const result = outcome.get(id);
    if (result === undefined) continue;
    for (const c of [row?.[1], row?.[2]]) {
      const name = String(c ?? "").trim().toLowerCase();
      if (name === "") continue;
      let ids = seen.get(name);
      if (!ids) seen.set(name, (ids = new Set()));
      if (ids.has(id)) continue;
      ids.add(id);
      let h = out.get(name);
      if (!h) out.set(name, (h = { won: 0, closed: 0 }));
      h.closed++;
      if (result === "won") h.won++;
    }
  }
  return out;
}

/** s.trim().toLowerCase(), once per distinct text: a million deals name a few stages, so most calls are one Map hit. */
function foldedOnce(trim: boolean): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    let v = seen.get(s);
    if (v === undefined) {
      v = trim ? s.trim().toLowerCase() : s.toLowerCase();
      if (seen.size < 100_000) seen.set(s, v);
    }
    return v;
  };
}

function stageUses(deals: readonly Deal[], grid: Grid, probabilityCol: number | undefined, today: Day, history: Map<string, { won: number; closed: number }>): StageUse[] {
  const by = new Map<string, { raw: string; deals: number; probSum: number; probN: number; ages: number[] }>();
  const lower = foldedOnce(false);
  for (let n = 0; n < deals.length; n++) {
    const d = deals[n] as Deal;
    if (d.stageRaw === "") continue;
    const key = lower(d.stageRaw);
    let u = by.get(key);
    if (!u) by.set(key, (u = { raw: d.stageRaw, deals: 0, probSum: 0, probN: 0, ages: [] }));
    u.deals++;
    if (probabilityCol !== undefined) {
      const p = parseNumber(grid[d.sheetRow - 1]?.[probabilityCol]);
      // 0.4 and 40 both mean 40 %.
      if (typeof p === "number" && p >= 0 && p <= 100) {
        u.probSum += p <= 1 && p > 0 ? p * 100 : p;
        u.probN++;
      }
    }
    if (d.created !== null && u.ages.length < 10_000) u.ages.push(today - d.created);
  }
  return [...by.values()].map((u) => {
    const ages = u.ages.sort((a, b) => a - b);
    const h = history.get(u.raw.trim().toLowerCase());
    return { raw: u.raw, deals: u.deals, probability: u.probN > 0 ? u.probSum / u.probN : null, age: ages.length > 0 ? (ages[ages.length >> 1] as number) : null, ...(h ? { history: h } : {}) };
  });
}

/** A row number no sheet reaches (Excel stops at 1,048,576), to cut a formula into the text around its row. */
const MARK_ROW = 9_999_999;

/**
 * stuckLimitFormula for every row, the same text: the formula is made once per fallback with a marker row and
 * cut there, so a million rows cost one join each instead of building the lookup text again.
 */
function limitFormulas(table: StageTable, stageCol: number): (sheetRow: number, fallback: number | "") => string {
  const parts = new Map<number | "", string[]>();
  return (sheetRow, fallback) => {
    let p = parts.get(fallback);
    if (p === undefined) parts.set(fallback, (p = stuckLimitFormula(table, stageCol, MARK_ROW, fallback).split(String(MARK_ROW))));
    return p.join(String(sheetRow));
  };
}

/**
 * Reads the deals and fits the team's stage values to the stages (adopting the ones the settings lack), in
 * memory on every command; setup also writes them to the tab. Each adoption is reported at the first deal
 * that names the stage, so the pane and sidebar jump to it.
 */
function fitStages(input: WorkbookInput, map: ColumnMap, start: Settings, today: Day, options: RunOptions, problems: Problem[]): { settings: Settings; parsed: ParseResult; adopted: string[] } {
  const sheet = input.sheetName;
  let settings = start;
  let parsed = parseDeals(input.deals, map, settings, sheet, input.delimiter);
  // The team's stage values are fitted to the stages on every command, in memory; setup also writes them to the tab.
  const history = stageHistory(parsed.deals, input.log, settings);
  const fit = adoptStages(settings, stageUses(parsed.deals, input.deals, map.fields.probability, today, history), input.settings === null);
  const adopted = fit.adopted;
  if (fit.settings !== settings) {
    settings = fit.settings;
    parsed = parseDeals(input.deals, map, settings, sheet, input.delimiter);
  }
  const where = options.command === "setup" || input.settings === null ? "Pipeline Settings › Stages" : "Pipeline Settings › Stages (this run only: add it there to keep it)";
  // Each adoption is reported at the first deal that names the stage, so the pane and sidebar jump to it.
  const firstRowOf = new Map<string, number>();
  const fold = foldedOnce(true);
  for (let k = 0; k < parsed.deals.length; k++) {
    const d = parsed.deals[k] as Deal;
    if (d.stageRaw === "") continue;
    const key = fold(d.stageRaw);
    if (!firstRowOf.has(key)) firstRowOf.set(key, d.sheetRow);
  }
  for (const name of adopted) {
    const st = settings.stages.find((s) => s.name === name);
    const row = firstRowOf.get(name.toLowerCase());
    problems.push({
      sheet: row === undefined || map.fields.stage === undefined ? TAB_SETTINGS : sheet,
      cell: row === undefined || map.fields.stage === undefined ? "A1" : a1(row - 1, map.fields.stage),
      code: "CUSTOM_STAGE",
      message: `Adopted "${name}" from your sheet as ${st?.kind === "open" ? `an open stage (win probability ${st.probability} %)` : `a ${st?.kind ?? "open"} stage`}; check it in ${where}.`,
      severity: "info",
    });
  }
  return { settings, parsed, adopted };
}

/** What this run adds to the stage log, as grid rows, and what it learned on the way. */
interface LogPass {
  /** The log tab is written whole (header and all) rather than appended to. */
  newLogTab: boolean;
  logGrid: Grid;
  /** Where this run's rows start in logGrid (after the header of a new tab). */
  logStart: number;
  /** The day of each of this run's rows. */
  logDays: Day[];
  moved: number;
  /** By deal position: 1 when the deal moved stage since the log's last row for it. */
  transitionNow: Uint8Array;
  wonIds: Set<string>;
  /** By deal position, the log's last entry and history for the deal's ID; null when the log holds none. */
  logByDeal: LogByDeal | null;
}

interface LogByDeal {
  last: (LogEntry | undefined)[];
  history: (DealHistory | undefined)[];
}

/**
 * The stage log: this run's rows against the log's snapshot, one per transition. Every row carries the deal's
 * value, close, owner and outcome, so the log answers what a deal was on any day.
 */
function logPass(input: WorkbookInput, options: RunOptions, parsed: ParseResult, settings: Settings, log: StageLog, today: Day, map: ColumnMap, problems: Problem[]): LogPass {
  const sheet = input.sheetName;
  const deals = parsed.deals;
  // The log rows are built as grid rows straight away; LogEntry objects for them are only made when the
  // metrics can use them (see runTransitions), so a first run does not hold a million of both.
  // A log tab that exists but is empty (a run cut off right after creating it) is written whole, header and all.
  const newLogTab =
    !input.log ||
    !input.sheetNames.some((n) => n.toLowerCase() === TAB_LOG.toLowerCase()) ||
    !input.log.some((r) => r.some((c) => c !== null && c !== undefined && c !== ""));
  const logGrid: Grid = newLogTab ? [LOG_HEADER] : [];
  const logStart = logGrid.length;
  const logDays: Day[] = [];
  let moved = 0;
  const transitionNow = new Uint8Array(deals.length);
  const stageIndex = new Map(settings.stages.map((s, i) => [s.name.toLowerCase(), i]));
  const wonIds = new Set<string>();
  // Every row carries the deal's value, close, owner and outcome, so the log answers what a deal was on any day.
  const loggedOn = isoFromDay(today);
  // A run that writes nothing needs the rows only as the metrics' transitions, and without an earlier log the
  // metrics read none of them (no deal can have moved): a first review of a CSV builds no million log rows.
  const snapshots = !options.figuresOnly || log.last.size > 0;
  // Each deal's log entries are looked up here once and kept by position for the deal pass: a lookup in a
  // Map of a million IDs costs a few cache misses (a day-later score of 1M deals: dealPass about -1.1 s).
  const logByDeal: LogByDeal | null = log.last.size > 0 || log.history.size > 0 ? { last: new Array(deals.length), history: new Array(deals.length) } : null;
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    const hist = log.history.get(d.id);
    if (hist) hist.seen = true;
    const prev = log.last.get(d.id);
    if (logByDeal) {
      logByDeal.last[i] = prev;
      logByDeal.history[i] = hist;
    }
    if (d.stage === -1) continue;
    if (settings.stages[d.stage]?.kind === "won") wonIds.add(d.id);
    // A repeated Deal ID cannot be told apart in the log; it is reported and left out until fixed.
    if (parsed.duplicateIds.has(d.id)) continue;
    const name = stageName(d, settings);
    if (!prev && !snapshots) continue;
    const outcome = settings.stages[d.stage]?.kind ?? "open";
    const cents = centsOf(d.value);
    // The state cells as in stateCells, written out: a first run builds a million of these rows.
    const value = cents === null ? "" : cents / 100;
    const close = d.closeDate === null ? "" : isoFromDay(d.closeDate);
    if (!prev) {
      const day = d.stageEntered ?? d.created ?? today;
      logGrid.push([d.id, "", name, isoFromDay(day), "snapshot", value, close, d.owner, outcome, loggedOn]);
      logDays.push(day);
    } else if (prev.to.toLowerCase() !== name.toLowerCase()) {
      logGrid.push([d.id, prev.to, name, isoFromDay(today), "pipesheet", value, close, d.owner, outcome, loggedOn]);
      logDays.push(today);
      moved++;
      transitionNow[i] = 1;
      const was = stageIndex.get(prev.to.toLowerCase());
      const wasKind = was === undefined ? undefined : settings.stages[was]?.kind;
      if (was !== undefined && d.stage >= 0 && ((wasKind === "open" && d.stage < was) || (wasKind !== "open" && settings.stages[d.stage]?.kind === "open")))
        problems.push({
          sheet,
          cell: a1(d.sheetRow - 1, map.fields.stage ?? 0),
          code: "STAGE_BACKWARDS",
          message: `"${d.name || d.id}" moved back from ${prev.to} to ${name}; if that is right, nothing to do, else put the stage back.`,
          severity: "warning",
        });
    } else if (!hist || fieldsChanged(hist.cur, cents, d.closeDate, d.owner, outcome)) {
      logGrid.push([d.id, name, name, loggedOn, "pipesheet", value, close, d.owner, outcome, loggedOn]);
      logDays.push(today);
    }
  }
  logTail(options, log, today, logGrid, logDays);
  return { newLogTab, logGrid, logStart, logDays, moved, transitionNow, wonIds, logByDeal };
}

/** The log rows after the deals': a "deleted" row for each deal gone from the sheet, and a review marker. */
function logTail(options: RunOptions, log: StageLog, today: Day, logGrid: Grid, logDays: Day[]): void {
  const loggedOn = isoFromDay(today);
  // Deals the log knows that are no longer on the sheet: one "deleted" row each, once.
  for (const [id, h] of log.history) {
    if (h.seen || h.cur.outcome === "deleted") continue;
    logGrid.push([id, h.cur.stage, h.cur.stage, loggedOn, "pipesheet", ...stateCells(h.cur.cents, h.cur.close, h.cur.owner, "deleted", loggedOn)]);
    logDays.push(today);
  }
  // A review marker: where the next review's "since last review" starts. Other runs, and a review run again
  // the same day, leave none, so a run that found nothing new appends nothing.
  if (options.command === "review" && log.lastReview !== today) {
    logGrid.push(["", "", "", loggedOn, "review", "", "", "", "", ""]);
    logDays.push(today);
  }
}

/** The summary's figures known before the deals are scored; the deal pass adds its counts. */
function runSummary(options: RunOptions, sheet: string, map: ColumnMap, parsed: ParseResult, known: { currencyFrom: Summary["currency"]; added: number; adopted: string[]; moved: number }): Summary {
  const { currencyFrom, added, adopted, moved } = known;
  const deals = parsed.deals;
  const summary = emptySummary(options, sheet, map);
  summary.ambiguousDates = parsed.ambiguousDates;
  summary.skippedRows = { blank: parsed.rows.blank, header: parsed.rows.header, total: parsed.rows.total, group: parsed.rows.group };
  const headerOf = (c: number): string => map.headers[c] ?? "";
  summary.dates = parsed.dateOrders.flatMap((d) => {
    const fieldsHere = (Object.entries(map.fields) as [Field, number][]).filter(([, c]) => c === d.column).map(([f]) => f);
    return fieldsHere.map((field) => ({ field, header: headerOf(d.column), column: colName(d.column), order: d.order, basis: d.basis, dayFirst: d.dayFirst, monthFirst: d.monthFirst, ambiguous: d.ambiguous }));
  });
  const nums = parsed.numbers;
  summary.amounts = nums
    ? { header: headerOf(nums.column), column: colName(nums.column), decimal: nums.decimal, basis: nums.basis, commaProof: nums.commaProof, pointProof: nums.pointProof, ambiguous: nums.ambiguous, evidence: numberEvidence(nums) }
    : null;
  summary.currency = currencyFrom;
  summary.idsAdded = added;
  summary.customStages = adopted;
  summary.transitions = moved;
  summary.deals = deals.length;

  return summary;
}

/** A close date pushed again and again is a stuck deal too; the verdicts stay shared, one per verdict and count. */
function pushedVerdicts(pushLimit: number | null): (v: StuckResult | null, pushes: number) => StuckResult | null {
  const made = new Map<StuckResult | null, Map<number, StuckResult>>();
  return (v, pushes) => {
    if (pushLimit === null || pushes < pushLimit) return v;
    let byCount = made.get(v);
    if (byCount === undefined) made.set(v, (byCount = new Map()));
    let out = byCount.get(pushes);
    if (out === undefined) {
      const reasons = Object.freeze([...(v?.reasons ?? []), `close date pushed ${pushes} times`]) as string[];
      const action = v?.action || "Ask the buyer what moved the date and agree one they commit to, or close the deal";
      byCount.set(pushes, (out = Object.freeze({ reasons, severity: v?.severity ?? "nudge", action })));
    }
    return out;
  };
}

const unknownAnswer = (sheet: string, d: Deal, dim: Dimension, col: number): Problem => ({
  sheet,
  cell: a1(d.sheetRow - 1, col),
  code: "UNKNOWN_ANSWER",
  message: `${dim[0]?.toUpperCase()}${dim.slice(1)} "${d[dim]}" is not an answer pipesheet knows (scored 0); pick one from the drop-down or add it to Pipeline Settings › Scoring answers.`,
  severity: "warning",
});

function requiredField(sheet: string, d: Deal, stage: string, f: Field, map: ColumnMap): Problem {
  const c = map.fields[f];
  return {
    sheet,
    cell: a1(d.sheetRow - 1, c ?? map.fields.stage ?? 0),
    code: "REQUIRED_FIELD",
    message: `${stage} needs ${fieldLabel(f)}: fill it in for "${d.name || d.id}"${c === undefined ? ` (add a "${fieldLabel(f)}" column)` : ""}.`,
    severity: "warning",
  };
}

/** What the deal pass reads: the parsed deals and what the passes before it found. */
interface DealPassInput {
  sheet: string;
  parsed: ParseResult;
  settings: Settings;
  map: ColumnMap;
  today: Day;
  log: StageLog;
  transitionNow: Uint8Array;
  /** From the log pass: each deal's log entries by position, so the judge looks no ID up again. */
  logByDeal: LogByDeal | null;
  ownsEntered: boolean;
  thresholds: ReturnType<typeof stuckThresholds>;
  /** By deal position, the furthest open stage each deal reached (stagelog.ts). */
  reached: Int32Array;
  model: WinModel;
  stageTable: StageTable | null;
  /** The settings tab as it will be (its push-limit cell is what the live limit reads). */
  settingsOnTab: Grid | null;
  /** Counted into: open, won, lost, scored, grades, qualified, stuck and the stage-entered basis. */
  summary: Summary;
  problems: Problem[];
  /** No cells are planned (RunOptions.figuresOnly): the columns stay empty arrays; the results and counts are the same. */
  figuresOnly: boolean;
}

/** Each deal's result, and the owned columns' cells by data row (blank rows between deals stay ""). */
interface DealCells {
  results: DealResults;
  enteredWrites: (Cell | null)[];
  scoreValues: Cell[];
  gradeValues: Cell[];
  reasonValues: Cell[];
  winValues: Cell[];
  daysValues: Cell[];
  stuckValues: Cell[];
  taskValues: Cell[];
  limitValues: Cell[];
  /** The Push count and its live limit; empty arrays when the sheet gets no such columns (pushCols false). */
  pushValues: Cell[];
  pushLimitValues: Cell[];
  pushCols: boolean;
}

/** What the deal pass works out for one deal; one record, filled again for each deal (see dealJudge). */
interface Verdict {
  st: Stage | undefined;
  score: LeadScore;
  basis: StageBasis;
  /** The day the deal entered its stage, by `basis`. */
  entered: Day | null;
  daysInStage: number | null;
  threshold: number | null;
  stuck: StuckResult | null;
  /** Times the close date moved later (0 unless the push limit or its columns are on). */
  pushes: number;
  missing: readonly Field[];
  win: number | null;
}

/** The judge of one deal: its score, where its stage clock starts, the stuck verdict, pushes and win likelihood. */
function dealJudge(ctx: DealPassInput): (d: Deal, i: number, v: Verdict) => void {
  const { settings, today, logByDeal, transitionNow, ownsEntered, thresholds, reached, model, parsed } = ctx;
  const score = scorer(settings.scoring);
  const judgeStuck = stuckJudge(settings, today);
  const withPushes = pushedVerdicts(settings.review.pushLimit);
  const countPushes = settings.review.pushLimit !== null || pushColsBefore(ctx.map);
  return (d, i, v) => {
    const st = settings.stages[d.stage];
    v.st = st;
    v.score = score(d);
    const logged = parsed.duplicateIds.has(d.id) ? undefined : logByDeal?.last[i];
    const moved = transitionNow[i] === 1;
    const basis: StageBasis = moved && ownsEntered ? "stage log" : d.stageEntered !== null ? "stage entered" : logged && logged.from !== "" && !moved ? "stage log" : d.created !== null ? "created date" : "none";
    v.basis = basis;
    v.entered = basis === "stage log" ? (moved ? today : (logged?.day ?? null)) : basis === "stage entered" ? d.stageEntered : basis === "created date" ? d.created : null;
    v.daysInStage = v.entered === null ? null : today - v.entered;
    v.threshold = d.stage >= 0 ? (thresholds.days[d.stage] ?? null) : null;
    const judged = st ? judgeStuck(d, st, v.daysInStage, v.threshold) : null;
    v.pushes = st?.kind === "open" && countPushes && !parsed.duplicateIds.has(d.id) ? pushesNow(logByDeal?.history[i], d.closeDate) : 0;
    v.stuck = v.pushes > 0 ? withPushes(judged, v.pushes) : judged;
    v.missing = st ? missingRequired(d, st) : NO_FIELDS;
    v.win = st?.kind === "open" ? model.predict(d, reached[i] ?? -1) : null;
  };
}

/** The verdict record's starting score, before the first deal is judged. */
const NO_SCORE: LeadScore = { score: 0, grade: "D", qualified: false, reasons: "", unknown: [], unrecognised: [] };

/** The sheet already has pipesheet's Push count or its limit column (kept once there). */
const pushColsBefore = (map: ColumnMap): boolean => map.owned.pushCount !== undefined || map.owned.pushLimit !== undefined;

/**
 * The owned columns' cells by data row, written deal by deal (blank rows between deals stay ""); `finish`
 * gives blank rows the live limit lookup and fills the Push columns when the sheet gets them.
 */
function cellColumns(ctx: DealPassInput, rows: number) {
  const { settings, map, ownsEntered, thresholds, stageTable, model } = ctx;
  const blankColumn = (): Cell[] => new Array<Cell>(rows).fill("");
  const c = {
    enteredWrites: new Array<Cell | null>(rows).fill(null),
    scoreValues: blankColumn(),
    gradeValues: blankColumn(),
    reasonValues: blankColumn(),
    winValues: blankColumn(),
    daysValues: blankColumn(),
    stuckValues: blankColumn(),
    taskValues: blankColumn(),
    // The stuck rule reads each row's limit from a helper cell that looks it up on the settings tab (stuck.ts).
    limitValues: blankColumn(),
  };
  const stageCol = map.fields.stage;
  const winText = model.summary.ready ? null : model.summary.message;
  const limitFormula = stageTable !== null && stageCol !== undefined ? limitFormulas(stageTable, stageCol) : () => "";
  // Verdicts are shared between deals, so each one's text is built once.
  const stuckText = new Map<StuckResult, string>();
  const say = (v: StuckResult): string => {
    let t = stuckText.get(v);
    if (t === undefined) stuckText.set(v, (t = `${v.severity === "cut loose" ? "Cut loose" : "Stuck"}: ${v.reasons.join("; ")}`));
    return t;
  };
  const write = (d: Deal, v: Verdict): void => {
    const at = d.index;
    const st = v.st;
    // Pipesheet's own Stage entered column is filled in where the stage log knows the day.
    if (v.basis === "stage log" && ownsEntered && v.entered !== null) c.enteredWrites[at] = excelSerialFromDay(v.entered);
    // A won or lost deal needs no score, clock or next task; its cells stay blank so the open ones stand out.
    const closed = st !== undefined && st.kind !== "open";
    c.scoreValues[at] = closed ? "" : v.score.score;
    c.gradeValues[at] = closed ? "" : v.score.grade;
    c.reasonValues[at] = closed ? "" : v.score.reasons;
    c.winValues[at] = v.win !== null ? roundedShare(v.win) : st?.kind === "open" && winText ? winText : "";
    c.daysValues[at] = closed ? "" : (v.daysInStage ?? "");
    c.stuckValues[at] = v.stuck ? say(v.stuck) : "";
    c.taskValues[at] = closed ? "" : nextTask(d, settings, v.stuck?.action ?? null, v.missing);
    if (stageCol !== undefined) {
      // A learned limit is not on the settings tab, so that row keeps the number core worked out.
      const fallback = st?.kind === "open" ? (v.threshold ?? NO_LIMIT) : "";
      const live = stageTable !== null && !(d.stage >= 0 && thresholds.learned[d.stage]);
      c.limitValues[at] = live ? limitFormula(d.sheetRow, fallback) : fallback;
    }
  };
  const finish = (pushedRows: readonly number[], pushedCounts: readonly number[]): Omit<DealCells, "results"> => {
    // Blank rows between deals get the lookup too, so a deal typed into one is judged live.
    if (stageCol !== undefined && stageTable !== null)
      for (let i = 0; i < rows; i++) if (c.limitValues[i] === "") c.limitValues[i] = limitFormula(map.headerRow + 2 + i, "");
    const pushLimit = settings.review.pushLimit;
    const pushCols = stageCol !== undefined && (pushColsBefore(map) || (pushLimit !== null && pushedRows.length > 0));
    const pushValues = pushCols ? blankColumn() : [];
    const pushLimitValues = pushCols ? blankColumn() : [];
    if (pushCols && !ctx.figuresOnly) {
      const limitCell = pushLimitFormula(findPushLimitCell(ctx.settingsOnTab), pushLimit);
      pushedRows.forEach((at, k) => {
        pushValues[at] = pushedCounts[k] as number;
        pushLimitValues[at] = limitCell;
      });
    }
    return { ...c, pushValues, pushLimitValues, pushCols };
  };
  return { write, finish };
}

/** One deal counted into the summary, and its problems (unknown answers, required fields) reported. */
function countDeal(ctx: DealPassInput, d: Deal, v: Verdict): void {
  const { summary, problems, sheet, map } = ctx;
  const st = v.st;
  // Indexed loops: a for-of would make an iterator for each of a million deals.
  const unrecognised = v.score.unrecognised;
  for (let k = 0; k < unrecognised.length; k++) {
    const dim = unrecognised[k] as Dimension;
    problems.push(unknownAnswer(sheet, d, dim, map.fields[dim] ?? 0));
  }
  summary.stageBasis[v.basis]++;
  if (st) {
    for (let k = 0; k < v.missing.length; k++) problems.push(requiredField(sheet, d, st.name, v.missing[k] as Field, map));
    if (st.kind === "open") summary.open++;
    else if (st.kind === "won") summary.won++;
    else summary.lost++;
  }
  if (st === undefined || st.kind === "open") {
    summary.scored++;
    summary.grades[v.score.grade]++;
    if (v.score.qualified) summary.qualified++;
  }
  if (v.stuck) summary.stuck++;
}

/**
 * One pass over the deals, by position: score, days in stage, stuck verdict, win likelihood and next task,
 * written straight into the owned columns at each deal's data row, rather than one more pass over a million
 * deals for each column.
 */
function dealPass(ctx: DealPassInput): DealCells {
  const deals = ctx.parsed.deals;
  const judge = dealJudge(ctx);
  const results = resultColumns(deals.length);
  const cells = cellColumns(ctx, ctx.figuresOnly ? 0 : ctx.parsed.rowCount);
  // Push counts are kept aside, so a sheet without the Push columns allocates none.
  const pushedRows: number[] = [];
  const pushedCounts: number[] = [];
  const v: Verdict = { st: undefined, score: NO_SCORE, basis: "none", entered: null, daysInStage: null, threshold: null, stuck: null, pushes: 0, missing: NO_FIELDS, win: null };
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    judge(d, i, v);
    // The verdict holds a DealResult's fields: copied into the result columns, no object per deal.
    setResult(results, i, v);
    if (!ctx.figuresOnly) cells.write(d, v);
    countDeal(ctx, d, v);
    if (v.pushes > 0) {
      pushedRows.push(d.index);
      pushedCounts.push(v.pushes);
    }
  }
  return { results, ...cells.finish(pushedRows, pushedCounts) };
}

/**
 * The columns pipesheet writes: the input columns it adds when the sheet has none (need, budget, authority,
 * Deal ID), then its output columns, each in the column of the sheet that has it or a new one at the right.
 */
function planColumns(grid: Grid, map: ColumnMap, deals: readonly Deal[], ids: readonly (string | null)[], rows: number, cells: DealCells, ownsEntered: boolean): { columns: ColumnWrite[]; nextCol: number; width: number } {
  const { enteredWrites, scoreValues, gradeValues, reasonValues, winValues, daysValues, stuckValues, taskValues, limitValues, pushValues, pushLimitValues, pushCols } = cells;
  const stageCol = map.fields.stage;
  const width = grid.reduce((w, r) => Math.max(w, r.length), map.headers.length);
  let nextCol = width;
  const columns: ColumnWrite[] = [];
  const place = (key: OwnedKey, existing: number | undefined): { col: number; created: boolean } =>
    existing !== undefined ? { col: existing, created: false } : { col: nextCol++, created: true };

  // Input columns pipesheet adds when the sheet has none: need, budget, authority (for the team to fill), Deal ID.
  for (const dim of DIMENSIONS) {
    if (map.fields[dim] === undefined) {
      const p = place(dim, undefined);
      columns.push({ key: dim, header: OWNED_HEADERS[dim], col: p.col, created: true, mode: "header", values: [] });
    }
  }
  {
    const p = place("dealId", map.fields.dealId);
    const fill: Cell[] = new Array<Cell>(rows).fill(null);
    deals.forEach((d, i) => {
      if (ids[i] !== null) fill[d.index] = ids[i];
    });
    columns.push({ key: "dealId", header: p.created ? OWNED_HEADERS.dealId : (map.headers[p.col] ?? ""), col: p.col, created: p.created, mode: p.created ? "all" : "fill", values: p.created ? fill.map((v) => v ?? "") : fill });
  }
  const outputs: Record<Exclude<OwnedKey, "dealId" | "need" | "budget" | "authority">, () => Omit<ColumnWrite, "key" | "header" | "col" | "created">> = {
    score: () => ({ mode: "all", values: scoreValues, numberFormat: "0" }),
    grade: () => ({ mode: "all", values: gradeValues }),
    reasons: () => ({ mode: "all", values: reasonValues }),
    winLikelihood: () => ({ mode: "all", values: winValues, numberFormat: "0%" }),
    stageEntered: () => ({ mode: "fill", values: enteredWrites, numberFormat: DATE_FORMAT, kind: "date" }),
    daysInStage: () => ({ mode: "all", values: daysValues, numberFormat: "0" }),
    stuck: () => ({ mode: "all", values: stuckValues }),
    nextTask: () => ({ mode: "all", values: taskValues, numberFormat: "@" }),
    stuckLimit: () => ({ mode: "all", values: limitValues, numberFormat: "0", formulas: true }),
    pushCount: () => ({ mode: "all", values: pushValues, numberFormat: "0" }),
    pushLimit: () => ({ mode: "all", values: pushLimitValues, numberFormat: "0", formulas: true }),
  };
  for (const key of WRITE_ORDER) {
    const k = key as keyof typeof outputs;
    if (key === "stageEntered" && !ownsEntered) continue;
    if (key === "stuckLimit" && stageCol === undefined) continue;
    if ((key === "pushCount" || key === "pushLimit") && !pushCols) continue;
    const existing = key === "stageEntered" ? map.fields.stageEntered : map.owned[key];
    const p = place(key, existing);
    const w = outputs[k]();
    columns.push({ key, header: p.created ? OWNED_HEADERS[key] : (map.headers[p.col] ?? OWNED_HEADERS[key]), col: p.col, created: p.created, ...w });
  }

  return { columns, nextCol, width };
}

/** The stuck rule over the data and room below it, and the drop-downs of the stage and answer columns. */
function planRules(settings: Settings, map: ColumnMap, columns: readonly ColumnWrite[], rows: number, lastCol: number, ownsEntered: boolean): Pick<WorkbookPlan, "conditionalFormats" | "validations"> {
  const enteredCol = map.fields.stageEntered;
  const firstRow = map.headerRow + 1;
  const span = rows + ROOM_FOR_NEW_ROWS;
  const colOf = (key: OwnedKey): number | undefined => columns.find((c) => c.key === key)?.col;

  const conditionalFormats = [];
  if (map.fields.stage !== undefined) {
    const formula = stuckFormula(
      settings,
      {
        limit: colOf("stuckLimit") ?? 0,
        entered: ownsEntered ? (colOf("stageEntered") ?? null) : (enteredCol ?? null),
        created: map.fields.createdDate ?? null,
        lastActivity: map.fields.lastActivity ?? null,
        nextStepDate: map.fields.nextStepDate ?? null,
        closeDate: map.fields.closeDate ?? null,
        status: map.fields.status ?? null,
        pushCount: colOf("pushCount") ?? null,
        pushLimit: colOf("pushLimit") ?? null,
      },
      firstRow,
    );
    conditionalFormats.push(stuckRule(formula, a1Range(firstRow, 0, span, lastCol + 1)));
  }

  const validations: ValidationRule[] = [];
  if (map.fields.stage !== undefined)
    validations.push({ id: `${RULE_PREFIX}stage`, range: a1Range(firstRow, map.fields.stage, span, 1), list: settings.stages.map((s) => s.name), strict: false });
  const lists = answerLists(settings.scoring);
  for (const dim of DIMENSIONS) {
    const c = map.fields[dim] ?? colOf(dim);
    if (c !== undefined) validations.push({ id: `${RULE_PREFIX}${dim}`, range: a1Range(firstRow, c, span, 1), list: lists[dim], strict: false });
  }

  return { conditionalFormats, validations };
}

/** The one line a host shows after a run. */
function headlineOf(summary: Summary, problems: readonly Problem[], settings: Settings, command: RunOptions["command"]): string {
  const notDeals = summary.skippedRows.header + summary.skippedRows.total + summary.skippedRows.group;
  const verb = command === "setup" ? "Set up" : command === "score" ? "Scored" : "Reviewed";
  const n = (x: number): string => x.toLocaleString("en-US");
  const errors = problems.filter((p) => p.severity === "error").length;
  return (
    `${verb} ${count(summary.deals, "deal")}: ${n(summary.grades.A)} A · ${n(summary.grades.B)} B · ${n(summary.grades.C)} C · ${n(summary.grades.D)} D; ` +
    `${n(summary.stuck)} stuck; ${n(summary.open)} open, ${n(summary.won)} won, ${n(summary.lost)} lost` +
    (summary.transitions ? `; ${n(summary.transitions)} stage changes logged` : "") +
    (summary.ambiguousDates ? `; ${n(summary.ambiguousDates)} ambiguous dates read ${settings.dateOrder === "DMY" ? "day" : "month"} first` : "") +
    (summary.idsAdded ? `; ${count(summary.idsAdded, "Deal ID")} added` : "") +
    (notDeals ? `; ${notDeals} row${notDeals === 1 ? "" : "s"} that ${notDeals === 1 ? "is" : "are"} not a deal skipped (repeated headers, totals, group titles)` : "") +
    (errors > 0 ? `; ${count(errors, "cell")} need${errors === 1 ? "s" : ""} fixing` : "")
  );
}

/** Generated ids continue the highest "D-000123" already on the sheet, so they stay unique and stable once written. */
function assignIds(deals: Deal[]): { ids: (string | null)[]; added: number } {
  let max = 0;
  for (let n = 0; n < deals.length; n++) {
    const d = deals[n] as Deal;
    const m = d.id.charCodeAt(0) === 68 && d.id.charCodeAt(1) === 45 ? /^D-(\d+)$/.exec(d.id) : null;
    if (m) max = Math.max(max, Number(m[1]));
  }
  const ids: (string | null)[] = new Array<string | null>(deals.length).fill(null);
  let added = 0;
  deals.forEach((d, i) => {
    if (d.id === "") {
      d.id = `D-${String(++max).padStart(6, "0")}`;
      ids[i] = d.id;
      added++;
    }
  });
  return { ids, added };
}

export function run(input: WorkbookInput, options: RunOptions): RunResult {
  const today = dayFromIso(options.today);
  if (today === null) throw new Error(`RunOptions.today must be a date as YYYY-MM-DD, got "${options.today}"`);
  const problems: Problem[] = [];
  const sheet = input.sheetName;

  const read = runSettings(input, options, problems);
  const map = mapColumns(input.deals, sheet, read.overrides);
  if (!map) {
    problems.unshift(noHeaderProblem(sheet));
    const summary = emptySummary(options, sheet, null);
    summary.headline = `No deals found on "${sheet}": add a header row with at least Deal name and Stage.`;
    return { sheet, headerRow: 0, rowCount: 0, columns: [], conditionalFormats: [], validations: [], tabs: [], logAppend: [], summary, problems, metrics: null };
  }
  problems.push(...map.problems);

  const { currencyFrom, ...withCurrency } = currencyOf(input, map, read.settings);
  const fitted = fitStages(input, map, withCurrency.settings, today, options, problems);
  const settings = fitted.settings;
  const { parsed, adopted } = fitted;
  problems.push(...parsed.problems);
  const deals = parsed.deals;
  const { ids, added } = assignIds(deals);
  const activityLog = readActivityLog(input, deals, settings, map, today);
  problems.push(...activityLog.problems);

  // Stage log: diff against the snapshot, one row per transition.
  const log = readRunLog(input, options, settings, today, problems);
  const { newLogTab, logGrid, logStart, logDays, moved, transitionNow, wonIds, logByDeal } = logPass(input, options, parsed, settings, log, today, map, problems);

  // Where days in stage are counted from.
  const enteredCol = map.fields.stageEntered;
  const ownsEntered = enteredCol === undefined || normalize(map.headers[enteredCol] ?? "") === normalize(OWNED_HEADERS.stageEntered);
  const thresholds = stuckThresholds(settings, log, wonIds);
  const reached = reachedStages(deals, settings, log);
  const model = trainWinModel(deals, settings, (_d, position) => reached[position] ?? -1);

  const summary = runSummary(options, sheet, map, parsed, { currencyFrom, added, adopted, moved });
  const { rewriteSettings, settingsOnTab } = settingsTab(input, options, settings);
  const stageTable = findStageTable(settingsOnTab, settings);
  const figuresOnly = options.figuresOnly === true;
  const cells = dealPass({ sheet, parsed, settings, map, today, log, transitionNow, logByDeal, ownsEntered, thresholds, reached, model, stageTable, settingsOnTab, summary, problems, figuresOnly });
  const results = cells.results;
  const rows = parsed.rowCount;

  // ------------------------------------------------------------------ the plan
  const { columns, conditionalFormats, validations } = sheetWrites(input, options, settings, map, deals, ids, rows, cells, ownsEntered);

  const tabs = ownTabs(input, options, settings, rewriteSettings ? settingsOnTab : null, newLogTab && !options.figuresOnly ? logGrid : null, activityLog);
  const logAppend: Grid = newLogTab || options.figuresOnly ? [] : logGrid;

  const movement = computeMovement({ deals, settings, log, duplicateIds: parsed.duplicateIds, historyByDeal: logByDeal?.history ?? null });
  const metrics = computeMetrics({
    deals,
    results,
    settings,
    today,
    transitions: runTransitions(log.entries, log.hasTransitions || moved > 0, logGrid, logStart, logDays),
    winModel: model.summary,
    present: Object.fromEntries(Object.keys(map.fields).map((f) => [f, true])) as Partial<Record<Field, boolean>>,
    currency: settings.currency,
    activityLog,
    table: parsed.table,
    movement,
  });
  summary.changes = changesSummary(movement, settings.currency);
  if (options.command === "review") tabs.push(buildReview(metrics, options.today, sheet));

  summary.headline = headlineOf(summary, problems, settings, options.command);

  return { sheet, headerRow: map.headerRow, rowCount: rows, columns, conditionalFormats, validations, tabs, logAppend, summary, problems, metrics };
}

/** The stage log tab as read, since the review's start day (the command line's --since, else the settings'). */
function readRunLog(input: WorkbookInput, options: RunOptions, settings: Settings, today: Day, problems: Problem[]): StageLog {
  const sinceDay = options.since !== undefined ? dayFromIso(options.since) : settings.review.since !== null ? dayFromIso(settings.review.since) : null;
  if (options.since !== undefined && sinceDay === null) throw new Error(`RunOptions.since must be a date as YYYY-MM-DD, got "${options.since}"`);
  const log = readLog(input.log, { today, since: sinceDay, outcomeOf: outcomeByName(settings) });
  problems.push(...log.problems);
  return log;
}

/** The plan's writes to the deals sheet: the owned columns and the rules over them (none for a figures-only run). */
function sheetWrites(input: WorkbookInput, options: RunOptions, settings: Settings, map: ColumnMap, deals: readonly Deal[], ids: readonly (string | null)[], rows: number, cells: DealCells, ownsEntered: boolean): Pick<WorkbookPlan, "columns" | "conditionalFormats" | "validations"> {
  if (options.figuresOnly) return { columns: [], conditionalFormats: [], validations: [] };
  const { columns, nextCol, width } = planColumns(input.deals, map, deals, ids, rows, cells, ownsEntered);
  return { columns, ...planRules(settings, map, columns, rows, Math.max(nextCol, width) - 1, ownsEntered) };
}

/** The settings: the tab when present, else the defaults; column corrections from the pane or command line on top. */
function runSettings(input: WorkbookInput, options: RunOptions, problems: Problem[]): { settings: Settings; overrides: Settings["columns"] } {
  let settings: Settings = structuredClone(DEFAULT_SETTINGS);
  if (input.settings) {
    const read = settingsFromGrid(input.settings);
    settings = read.settings;
    problems.push(...read.problems);
  }
  const overrides = { ...settings.columns, ...(options.columnOverrides ?? {}) };
  // Corrections made in the pane or on the command line are kept in the settings tab by the next set-up.
  if (options.command === "setup") settings.columns = overrides;
  return { settings, overrides };
}

/** Without a settings tab the currency comes from the value column's header or cells, when they name one. */
function currencyOf(input: WorkbookInput, map: ColumnMap, settings: Settings): { settings: Settings; currencyFrom: Summary["currency"] } {
  if (input.settings === null && map.fields.value !== undefined) {
    const found = inferCurrency(map.headers[map.fields.value] ?? "", input.deals, map.headerRow + 1, input.deals.length, map.fields.value);
    if (found) return { settings: { ...settings, currency: found.code }, currencyFrom: { code: found.code, from: found.from } };
  }
  return { settings, currencyFrom: { code: settings.currency, from: "settings" } };
}

/**
 * Setup writes the settings tab back (normalised, with adopted stages); other commands only create a missing
 * one, or rewrite one another version wrote, so its layout is this version's. The helper cells look stages up
 * on the tab as it will be (`settingsOnTab`).
 */
function settingsTab(input: WorkbookInput, options: RunOptions, settings: Settings): { rewriteSettings: boolean; settingsOnTab: Grid | null } {
  const outdated = options.version !== undefined && input.settings !== null && settingsVersion(input.settings) !== options.version;
  const rewriteSettings = options.command === "setup" || !input.sheetNames.some((n) => n.toLowerCase() === TAB_SETTINGS.toLowerCase()) || outdated;
  return { rewriteSettings, settingsOnTab: rewriteSettings ? settingsToGrid(settings, options.version) : input.settings };
}

/** pipesheet's tabs this run writes whole: the settings tab (when rewritten), a new log tab, and on set-up the Activities tab. */
function ownTabs(input: WorkbookInput, options: RunOptions, settings: Settings, settingsGrid: Grid | null, newLog: Grid | null, activityLog: ActivityLog): TabWrite[] {
  const tabs: TabWrite[] = [];
  const hasTab = (name: string): boolean => input.sheetNames.some((n) => n.toLowerCase() === name.toLowerCase());
  if (settingsGrid) tabs.push({ name: TAB_SETTINGS, values: settingsGrid, hidden: false, formats: settingsFormats(settings), widths: [34, 14, 18, 16, 28, 60, 40] });
  if (newLog) tabs.push({ name: TAB_LOG, values: newLog, hidden: true, formats: [{ range: `A1:${colName(LOG_HEADER.length - 1)}1`, bold: true }] });
  // A team without an activity log of its own gets pipesheet's Activities tab on set-up, to log follow-ups in.
  if (options.command === "setup" && activityLog.sheet === null && (!hasTab(TAB_ACTIVITIES) || emptyActivitiesTab(input))) tabs.push(activitiesTab());
  return tabs;
}

/** A tab called Activities the host read and found empty: pipesheet's, left so by a run cut off before filling it. */
const emptyActivitiesTab = (input: WorkbookInput): boolean =>
  input.activities?.sheet.toLowerCase() === TAB_ACTIVITIES.toLowerCase() && input.activities.values.every((r) => r.every((c) => c === null || c === undefined || c === ""));

/**
 * The activity log tab, read against the deals. When the deals sheet has no Last activity column of its own,
 * each deal's last activity comes from the log, so the "no activity for N days" stuck rule sees it.
 */
function readActivityLog(input: WorkbookInput, deals: Deal[], settings: Settings, map: ColumnMap, today: Day): ActivityLog {
  const log = readActivities(emptyActivitiesTab(input) ? null : (input.activities ?? null), deals, { dateOrder: settings.dateOrder, typeWords: settings.activityTypes });
  if (map.fields.lastActivity === undefined)
    lastActivityByDeal(log, deals.length, today).forEach((day, i) => {
      if (day !== null) (deals[i] as Deal).lastActivity = day;
    });
  return log;
}

/**
 * The log's entries followed by this run's rows, for the metrics. The metrics read the log only when it
 * holds a real move (a row with a From stage); without one, the log's own entries stand for the whole.
 */
function runTransitions(entries: LogEntry[], anyMove: boolean, logGrid: Grid, start: number, days: readonly Day[]): LogEntry[] {
  if (!anyMove || logGrid.length === start) return entries;
  const out = entries.slice();
  for (let k = start; k < logGrid.length; k++) {
    const row = logGrid[k] as Cell[];
    // Rows that changed no stage (fields only, deletions, run markers) are no transitions.
    if (row[1] === row[2]) continue;
    out.push({ dealId: row[0] as string, from: row[1] as string, to: row[2] as string, day: days[k - start] as Day, by: row[4] as string });
  }
  return out;
}

function changesSummary(m: Movement | null, currency: string): ChangesSummary | null {
  if (m === null) return null;
  const money = (x: number): string => `${currency} ${thousands(x)}`;
  return {
    since: m.since,
    start: { count: m.start.count, value: m.start.value },
    end: { count: m.end.count, value: m.end.value },
    new: m.new.count,
    won: m.won.count,
    lost: m.lost.count,
    pushed: m.pushed.count,
    advanced: m.advanced.count,
    movedBack: m.movedBack.count,
    line:
      `Since ${m.since}: ${m.start.count} → ${m.end.count} open deals, ${money(m.start.value)} → ${money(m.end.value)}; ` +
      `${m.new.count} new, ${m.won.count} won, ${m.lost.count} lost, ${m.pushed.count} pushed.`,
  };
}

function settingsFormats(settings: Settings): TabWrite["formats"] {
  const grid = settingsToGrid(settings);
  const formats: TabWrite["formats"] = [{ range: "A1", bold: true, fontSize: 14 }];
  grid.forEach((row, r) => {
    if (row.length === 1 && typeof row[0] === "string" && row[0] !== "") formats.push({ range: a1(r, 0), bold: true, fontSize: 12 });
    const next = grid[r + 1];
    if (row.length === 1 && next) formats.push({ range: `${a1(r + 1, 0)}:${colName(next.length - 1)}${r + 2}`, bold: true, fill: "#F3F2F1" });
  });
  return formats;
}

// ------------------------------------------------------------------ typed cells for hosts that convert text

/** How a host that turns text cells into typed ones (a CSV made into an .xlsx) reads each column core recognises. */
export interface SheetTypes {
  headerRow: number;
  /** Date columns with the order their values prove; value columns with their number convention. */
  columns: Map<number, { kind: "date"; order: DateOrder } | { kind: "number"; decimal: "point" | "comma" }>;
}

/**
 * The same inference `run` makes, for hosts that write typed cells: a date column is written in the order
 * core read it, never re-parsed by another rule. Read cells with parseDateAs / parseNumberAs.
 */
export function sheetTypes(grid: Grid, sheet: string, settingsGrid: Grid | null, delimiter?: string): SheetTypes | null {
  const settings = readSettings(settingsGrid);
  const map = mapColumns(grid, sheet, settings.columns);
  if (!map) return null;
  const first = map.headerRow + 1;
  const columns: SheetTypes["columns"] = new Map();
  const dateCols = [...new Set(DATE_FIELDS_ALL.map((f) => map.fields[f]).filter((c): c is number => c !== undefined))];
  for (const d of inferDateOrders(grid, first, grid.length, dateCols, settings.dateOrder)) columns.set(d.column, { kind: "date", order: d.order });
  const v = map.fields.value;
  if (v !== undefined) columns.set(v, { kind: "number", decimal: inferNumberConvention(grid, first, grid.length, v, settings, delimiter).decimal });
  return { headerRow: map.headerRow, columns };
}

const DATE_FIELDS_ALL = ["createdDate", "closeDate", "closedDate", "lostDate", "stageEntered", "lastActivity", "nextStepDate", "firstContact"] as const satisfies readonly Field[];

// ------------------------------------------------------------------ live stage edits

export interface StageEditInput {
  sheetName: string;
  header: Cell[];
  headerRow: number;
  rows: { row: number; values: Cell[]; oldStage?: Cell }[];
  settings: Grid | null;
  today: string;
  by?: string;
}

export interface StageEditPlan {
  stageColumn: number | null;
  cells: { row: number; col: number; value: Cell; numberFormat?: string }[];
  logAppend: Grid;
}

function headerGrid(header: Cell[], headerRow: number): Grid {
  const g: Grid = Array.from({ length: headerRow }, () => []);
  g.push(header);
  return g;
}

function readSettings(grid: Grid | null): Settings {
  return grid ? settingsFromGrid(grid).settings : DEFAULT_SETTINGS;
}

/** The Stage column for a header row, so onEdit can return after one cheap check. */
export function findStageColumn(header: Cell[], settings: Grid | null): number | null {
  const s = readSettings(settings);
  return mapColumns(headerGrid(header, 0), "", s.columns)?.fields.stage ?? null;
}

/**
 * A stage cell was edited (one cell or a pasted block): stamp Stage entered with today and log the move.
 * Rows whose Deal ID is blank are logged by the next full run, which also assigns the ID.
 */
export function planStageEdit(input: StageEditInput): StageEditPlan {
  const today = dayFromIso(input.today);
  if (today === null) throw new Error(`today must be YYYY-MM-DD, got "${input.today}"`);
  const settings = readSettings(input.settings);
  const map = mapColumns(headerGrid(input.header, input.headerRow), input.sheetName, settings.columns);
  const stageCol = map?.fields.stage;
  if (!map || stageCol === undefined) return { stageColumn: null, cells: [], logAppend: [] };
  const enteredCol = map.fields.stageEntered;
  const ownsEntered = enteredCol !== undefined && normalize(map.headers[enteredCol] ?? "") === normalize(OWNED_HEADERS.stageEntered);
  const match = stageMatcher(settings.stages);
  const cells: StageEditPlan["cells"] = [];
  const logAppend: Grid = [];
  const idCol = map.fields.dealId;
  for (const { row, values, oldStage } of input.rows) {
    const raw = String(values[stageCol] ?? "").trim();
    if (raw === "") continue;
    const m = match(raw);
    const to = m.index >= 0 ? (settings.stages[m.index]?.name ?? raw) : raw;
    const oldRaw = String(oldStage ?? "").trim();
    const from = oldRaw === "" ? "" : (settings.stages[match(oldRaw).index]?.name ?? oldRaw);
    if (from !== "" && from.toLowerCase() === to.toLowerCase()) continue;
    if (ownsEntered && enteredCol !== undefined) cells.push({ row, col: enteredCol, value: excelSerialFromDay(today), numberFormat: DATE_FORMAT });
    const id = idCol === undefined ? "" : String(values[idCol] ?? "").trim();
    if (id !== "") logAppend.push(logRow({ dealId: id, from: from === "" ? "?" : from, to, day: today, by: input.by ?? "edit" }));
  }
  return { stageColumn: stageCol, cells, logAppend };
}

