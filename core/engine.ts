// The one entry every host calls: cells in, a WorkbookPlan out. Also the live stage-edit plan.
import { a1, a1Range, colName, dayFromIso, excelSerialFromDay, isoFromDay } from "./a1.js";
import { mapColumns, noHeaderProblem, OWNED_HEADERS, type ColumnMap } from "./columns.js";
import { computeMetrics, thousands as n, type PipelineMetrics } from "./metrics.js";
import { parseDeals } from "./parse.js";
import { buildReview } from "./review.js";
import { answerLists, scorer } from "./scoring.js";
import { DEFAULT_SETTINGS, fieldLabel, settingsFromGrid, settingsToGrid, settingsVersion, type Settings } from "./settings.js";
import { LOG_HEADER, logRow, readLog, reachedStages, stageName, type LogEntry } from "./stagelog.js";
import { adoptCustomStages, missingRequired, nextTask, normalize, stageMatcher } from "./stages.js";
import { stuckFormula, stuckJudge, stuckRule, stuckThresholds } from "./stuck.js";
import {
  RULE_PREFIX,
  TAB_LOG,
  TAB_SETTINGS,
  type Cell,
  type ColumnWrite,
  type Day,
  type Deal,
  type DealResult,
  type Dimension,
  type Field,
  type Grid,
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
import { trainWinModel } from "./winmodel.js";

export { LOG_HEADER };
export const DATE_FORMAT = "yyyy-mm-dd";
/** Rules and drop-downs reach this many rows past the data, so deals added later are covered live. */
export const ROOM_FOR_NEW_ROWS = 500;

export interface RunResult extends WorkbookPlan {
  metrics: PipelineMetrics | null;
}

const OUTPUT_KEYS: OwnedKey[] = ["score", "grade", "reasons", "winLikelihood", "stageEntered", "daysInStage", "stuck", "nextTask"];
const DIMENSIONS: Dimension[] = ["need", "budget", "authority"];

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
    missing: map?.missing ?? [],
    headline: "",
  };
}

/** Generated ids continue the highest "D-000123" already on the sheet, so they stay unique and stable once written. */
function assignIds(deals: Deal[]): { ids: (string | null)[]; added: number } {
  let max = 0;
  for (const d of deals) {
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

  // Settings: the tab when present, else the defaults.
  let settings: Settings = structuredClone(DEFAULT_SETTINGS);
  if (input.settings) {
    const read = settingsFromGrid(input.settings);
    settings = read.settings;
    problems.push(...read.problems);
  }
  const overrides = { ...settings.columns, ...(options.columnOverrides ?? {}) };
  // Corrections made in the pane or on the command line are kept in the settings tab by the next set-up.
  if (options.command === "setup") settings.columns = overrides;

  const map = mapColumns(input.deals, sheet, overrides);
  if (!map) {
    problems.unshift(noHeaderProblem(sheet));
    const summary = emptySummary(options, sheet, null);
    summary.headline = `No deals found on "${sheet}": add a header row with at least Deal name and Stage.`;
    return { sheet, headerRow: 0, rowCount: 0, columns: [], conditionalFormats: [], validations: [], tabs: [], logAppend: [], summary, problems, metrics: null };
  }
  problems.push(...map.problems);

  let parsed = parseDeals(input.deals, map, settings, sheet);
  let adopted: string[] = [];
  if (options.command === "setup") {
    const unknown = parsed.deals.filter((d) => d.stage === -1 && d.stageRaw !== "").map((d) => d.stageRaw);
    const next = adoptCustomStages(settings, unknown);
    if (next.adopted.length > 0) {
      settings = next.settings;
      adopted = next.adopted;
      parsed = parseDeals(input.deals, map, settings, sheet);
      for (const name of adopted)
        problems.push({
          sheet: TAB_SETTINGS,
          cell: "A1",
          code: "CUSTOM_STAGE",
          message: `Adopted "${name}" from your sheet as an open stage; set its win probability and stuck days in Pipeline Settings › Stages.`,
          severity: "info",
        });
    }
  }
  problems.push(...parsed.problems);
  const deals = parsed.deals;
  const { ids, added } = assignIds(deals);

  // Stage log: diff against the snapshot, one row per transition.
  const log = readLog(input.log);
  problems.push(...log.problems);
  // The log rows are built as grid rows straight away; LogEntry objects for them are only made when the
  // metrics can use them (see `transitions` below), so a first run does not hold a million of both.
  const newLogTab = !input.log || !input.sheetNames.some((n) => n.toLowerCase() === TAB_LOG.toLowerCase());
  const logGrid: Grid = newLogTab ? [LOG_HEADER] : [];
  const logStart = logGrid.length;
  const logDays: Day[] = [];
  let moved = 0;
  const transitionNow = new Uint8Array(deals.length);
  const stageIndex = new Map(settings.stages.map((s, i) => [s.name.toLowerCase(), i]));
  const wonIds = new Set<string>();
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    if (d.stage === -1) continue;
    if (settings.stages[d.stage]?.kind === "won") wonIds.add(d.id);
    // A repeated Deal ID cannot be told apart in the log; it is reported and left out until fixed.
    if (parsed.duplicateIds.has(d.id)) continue;
    const name = stageName(d, settings);
    const prev = log.last.get(d.id);
    if (!prev) {
      const day = d.stageEntered ?? d.created ?? today;
      logGrid.push([d.id, "", name, isoFromDay(day), "snapshot"]);
      logDays.push(day);
    } else if (prev.to.toLowerCase() !== name.toLowerCase()) {
      logGrid.push([d.id, prev.to, name, isoFromDay(today), "pipesheet"]);
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
    }
  }

  // Where days in stage are counted from.
  const enteredCol = map.fields.stageEntered;
  const ownsEntered = enteredCol === undefined || normalize(map.headers[enteredCol] ?? "") === normalize(OWNED_HEADERS.stageEntered);
  const thresholds = stuckThresholds(settings, log, wonIds);
  const reached = reachedStages(deals, settings, log);
  const model = trainWinModel(deals, settings, (_d, position) => reached[position] ?? -1);
  const score = scorer(settings.scoring);
  const judgeStuck = stuckJudge(settings, today);

  const summary = emptySummary(options, sheet, map);
  summary.ambiguousDates = parsed.ambiguousDates;
  summary.idsAdded = added;
  summary.customStages = adopted;
  summary.transitions = moved;
  summary.deals = deals.length;

  const results: DealResult[] = new Array<DealResult>(deals.length);
  const enteredWrites: (Cell | null)[] = new Array<Cell | null>(parsed.rowCount).fill(null);
  const answerCol: Record<Dimension, number | undefined> = { need: map.fields.need, budget: map.fields.budget, authority: map.fields.authority };
  // The owned output columns are filled in the same pass, rather than one more pass over a million deals each.
  const rows = parsed.rowCount;
  const blankColumn = (): Cell[] => new Array<Cell>(rows).fill("");
  const scoreValues = blankColumn();
  const gradeValues = blankColumn();
  const reasonValues = blankColumn();
  const winValues = blankColumn();
  const daysValues = blankColumn();
  const stuckValues = blankColumn();
  const taskValues = blankColumn();
  const winText = model.summary.ready ? null : model.summary.message;
  // Verdicts are shared between deals, so each one's text is built once.
  const stuckText = new Map<StuckResult, string>();
  const say = (v: StuckResult): string => {
    let t = stuckText.get(v);
    if (t === undefined) stuckText.set(v, (t = `${v.severity === "cut loose" ? "Cut loose" : "Stuck"}: ${v.reasons.join("; ")}`));
    return t;
  };
  // How each stage is written on the sheet, for the stuck rule; each distinct text is folded once per stage.
  const spellings = settings.stages.map(() => new Set<string>());
  const folded = settings.stages.map(() => new Set<string>());
  for (let i = 0; i < deals.length; i++) {
    const d = deals[i] as Deal;
    const st = settings.stages[d.stage];
    if (st) {
      const raw = folded[d.stage] as Set<string>;
      if (!raw.has(d.stageRaw)) {
        raw.add(d.stageRaw);
        spellings[d.stage]?.add(d.stageRaw.replace(/ {2,}/g, " ").toLowerCase());
      }
    }
    const sc = score(d);
    if (sc.unrecognised.length > 0)
      for (const dim of sc.unrecognised)
        problems.push({
          sheet,
          cell: a1(d.sheetRow - 1, answerCol[dim] ?? 0),
          code: "UNKNOWN_ANSWER",
          message: `${dim[0]?.toUpperCase()}${dim.slice(1)} "${d[dim]}" is not an answer pipesheet knows (scored 0); pick one from the drop-down or add it to Pipeline Settings › Scoring answers.`,
          severity: "warning",
        });

    let entered: Day | null = null;
    let basis: StageBasis = "none";
    const logged = parsed.duplicateIds.has(d.id) ? undefined : log.last.get(d.id);
    if (transitionNow[i] && ownsEntered) {
      entered = today;
      basis = "stage log";
      enteredWrites[d.index] = excelSerialFromDay(today);
    } else if (d.stageEntered !== null) {
      entered = d.stageEntered;
      basis = "stage entered";
    } else if (logged && logged.from !== "" && !transitionNow[i]) {
      entered = logged.day;
      basis = "stage log";
      if (ownsEntered) enteredWrites[d.index] = excelSerialFromDay(logged.day);
    } else if (d.created !== null) {
      entered = d.created;
      basis = "created date";
    }
    summary.stageBasis[basis]++;
    const daysInStage = entered === null ? null : today - entered;
    const threshold = d.stage >= 0 ? (thresholds.days[d.stage] ?? null) : null;
    const stuck = st ? judgeStuck(d, st, daysInStage, threshold) : null;
    const missing = st ? missingRequired(d, st) : [];
    const win = st?.kind === "open" ? model.predict(d, reached[i] ?? -1) : null;
    const task = nextTask(d, settings, stuck?.action ?? null, missing);
    results[i] = {
      score: sc,
      win,
      stageEntered: entered,
      basis,
      daysInStage,
      threshold,
      stuck,
      nextTask: task,
    };
    const at = d.index;
    scoreValues[at] = sc.score;
    gradeValues[at] = sc.grade;
    reasonValues[at] = sc.reasons;
    winValues[at] = win !== null ? roundedShare(win) : st?.kind === "open" && winText ? winText : "";
    daysValues[at] = daysInStage ?? "";
    stuckValues[at] = stuck ? say(stuck) : "";
    taskValues[at] = task;

    if (st) {
      for (const f of missing) {
        const c = map.fields[f];
        problems.push({
          sheet,
          cell: a1(d.sheetRow - 1, c ?? map.fields.stage ?? 0),
          code: "REQUIRED_FIELD",
          message: `${st.name} needs ${fieldLabel(f)}: fill it in for "${d.name || d.id}"${c === undefined ? ` (add a "${fieldLabel(f)}" column)` : ""}.`,
          severity: "warning",
        });
      }
      if (st.kind === "open") summary.open++;
      else if (st.kind === "won") summary.won++;
      else summary.lost++;
    }
    summary.scored++;
    summary.grades[sc.grade]++;
    if (sc.qualified) summary.qualified++;
    if (stuck) summary.stuck++;
  }

  // ------------------------------------------------------------------ the plan
  const width = input.deals.reduce((w, r) => Math.max(w, r.length), map.headers.length);
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
    stageEntered: () => ({ mode: "fill", values: enteredWrites, numberFormat: DATE_FORMAT }),
    daysInStage: () => ({ mode: "all", values: daysValues, numberFormat: "0" }),
    stuck: () => ({ mode: "all", values: stuckValues }),
    nextTask: () => ({ mode: "all", values: taskValues, numberFormat: "@" }),
  };
  for (const key of OUTPUT_KEYS) {
    const k = key as keyof typeof outputs;
    if (key === "stageEntered" && !ownsEntered) continue;
    const existing = key === "stageEntered" ? map.fields.stageEntered : map.owned[key];
    const p = place(key, existing);
    const w = outputs[k]();
    columns.push({ key, header: p.created ? OWNED_HEADERS[key] : (map.headers[p.col] ?? OWNED_HEADERS[key]), col: p.col, created: p.created, ...w });
  }

  const firstRow = map.headerRow + 1;
  const lastCol = Math.max(nextCol, width) - 1;
  const span = rows + ROOM_FOR_NEW_ROWS;
  const colOf = (key: OwnedKey): number | undefined => columns.find((c) => c.key === key)?.col;

  const conditionalFormats = [];
  if (map.fields.stage !== undefined) {
    const formula = stuckFormula(
      settings,
      thresholds.days,
      spellings,
      {
        stage: map.fields.stage,
        entered: ownsEntered ? (colOf("stageEntered") ?? null) : (enteredCol ?? null),
        created: map.fields.createdDate ?? null,
        lastActivity: map.fields.lastActivity ?? null,
        nextStepDate: map.fields.nextStepDate ?? null,
        closeDate: map.fields.closeDate ?? null,
        status: map.fields.status ?? null,
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

  const tabs: TabWrite[] = [];
  const hasTab = (name: string): boolean => input.sheetNames.some((n) => n.toLowerCase() === name.toLowerCase());
  // Setup writes back what it read (normalised, with adopted stages); other commands only create a missing tab,
  // or rewrite one another version wrote, so its layout is this version's.
  const outdated = options.version !== undefined && input.settings !== null && settingsVersion(input.settings) !== options.version;
  if (options.command === "setup" || !hasTab(TAB_SETTINGS) || outdated)
    tabs.push({ name: TAB_SETTINGS, values: settingsToGrid(settings, options.version), hidden: false, formats: settingsFormats(settings), widths: [34, 14, 18, 16, 28, 60, 40] });
  if (newLogTab) tabs.push({ name: TAB_LOG, values: logGrid, hidden: true, formats: [{ range: "A1:E1", bold: true }] });
  const logAppend: Grid = newLogTab ? [] : logGrid;

  const metrics = computeMetrics({
    deals,
    results,
    settings,
    today,
    transitions: runTransitions(log.entries, log.hasTransitions || moved > 0, logGrid, logStart, logDays),
    winModel: model.summary,
    present: Object.fromEntries(Object.keys(map.fields).map((f) => [f, true])) as Partial<Record<Field, boolean>>,
    currency: settings.currency,
  });
  if (options.command === "review") tabs.push(buildReview(metrics, options.today));

  const verb = options.command === "setup" ? "Set up" : options.command === "score" ? "Scored" : "Reviewed";
  summary.headline =
    `${verb} ${n(summary.deals)} deals: ${n(summary.grades.A)} A · ${n(summary.grades.B)} B · ${n(summary.grades.C)} C · ${n(summary.grades.D)} D; ` +
    `${n(summary.stuck)} stuck; ${n(summary.open)} open, ${n(summary.won)} won, ${n(summary.lost)} lost` +
    (summary.transitions ? `; ${n(summary.transitions)} stage changes logged` : "") +
    (summary.ambiguousDates ? `; ${n(summary.ambiguousDates)} ambiguous dates read ${settings.dateOrder === "DMY" ? "day" : "month"} first` : "") +
    (summary.idsAdded ? `; ${n(summary.idsAdded)} Deal ID${summary.idsAdded === 1 ? "" : "s"} added` : "") +
    (problems.some((p) => p.severity === "error") ? `; ${n(problems.filter((p) => p.severity === "error").length)} cells need fixing` : "");

  return {
    sheet,
    headerRow: map.headerRow,
    rowCount: rows,
    columns,
    conditionalFormats,
    validations,
    tabs,
    logAppend,
    summary,
    problems,
    metrics,
  };
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
    out.push({ dealId: row[0] as string, from: row[1] as string, to: row[2] as string, day: days[k - start] as Day, by: row[4] as string });
  }
  return out;
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

