// One menu command end to end: lock, read, core, write (in parts for big sheets), remember, report.
import {
  findStageColumn,
  run,
  TAB_REVIEW,
  TAB_LOG,
  TAB_SETTINGS,
  type Command,
  type Grid,
  type Problem,
  type WorkbookInput,
  type WorkbookPlan,
} from "../../core/index.js";
import { readActivitiesTab } from "./activities.js";
import { findTab, LOCK_WAIT_MS, openBook, pickDealsSheet, readGrid, type Book, type Tab } from "./book.js";
import { textWriter } from "./cells.js";
import { ensureSize, writeColumns } from "./columns.js";
import type { Spreadsheet } from "./gas.js";
import { PROP_RESUME } from "./names.js";
import { Pace, type Budget } from "./pace.js";
import { applyConditionalFormats, applyValidations } from "./rules.js";
import { readStore, storeAfterRun, type Resume, type StageConfig } from "./store.js";
import { appendLog, rangeEnd, writeTab } from "./tabs.js";
import { VERSION } from "./version.js";

/** Apps Script stops a run at 6 minutes; leave a minute for rules, tabs and the flush after the last chunk. */
export const TIME_LIMIT_MS = 6 * 60_000;
export const CHUNK_DEADLINE_MS = 5 * 60_000;
/** How long a second click waits for a run in progress before saying so. */
/** Problems handed to the sidebar in one answer (the count says how many there are). */
export const MAX_PROBLEMS_SHOWN = 500;

export interface CommandResult {
  command: Command;
  done: boolean;
  /** True when another run held the lock and this one did nothing. */
  busy: boolean;
  sheet: string;
  headline: string;
  /** What changed since the last review ("Since 2026-11-24: 120 → 126 open deals, …"), or "" without one. */
  changes: string;
  problems: Problem[];
  problemCount: number;
  /** Data rows written so far and in all, while a big sheet is done in parts. */
  progress: { done: number; total: number; parts: number } | null;
}

export function busyResult(command: Command): CommandResult {
  return {
    command,
    done: false,
    busy: true,
    sheet: "",
    headline: "Another pipesheet run is in progress in this spreadsheet; try again when it has finished.",
    changes: "",
    problems: [],
    problemCount: 0,
    progress: null,
  };
}

export function readInput(book: Book, deals: Tab): WorkbookInput {
  const settings = findTab(book, TAB_SETTINGS);
  const log = findTab(book, TAB_LOG);
  return {
    sheetName: deals.name,
    deals: readGrid(deals.sheet, book),
    settings: settings ? readGrid(settings.sheet, book) : null,
    log: log ? readGrid(log.sheet, book) : null,
    sheetNames: book.tabs.map((t) => t.name),
    activities: readActivitiesTab(book, deals.name),
  };
}

/** Rows and columns the plan reaches on the deals sheet (1-based), so the sheet can be grown once. */
function extent(plan: WorkbookPlan): { rows: number; cols: number } {
  let rows = plan.headerRow + 1 + plan.rowCount;
  let cols = 1;
  for (const c of plan.columns) cols = Math.max(cols, c.col + 1);
  for (const r of [...plan.conditionalFormats, ...plan.validations]) {
    const end = rangeEnd(r.range);
    rows = Math.max(rows, end.row);
    cols = Math.max(cols, end.col);
  }
  return { rows, cols };
}

function stageConfig(deals: Tab, plan: WorkbookPlan, grid: Grid, settings: Grid | null): StageConfig | null {
  if (plan.columns.length === 0) return null;
  const col = findStageColumn(grid[plan.headerRow] ?? [], settings);
  return col === null ? null : { sheetId: deals.id, sheetName: deals.name, headerRow: plan.headerRow, stageCol: col };
}

export function noDealsSheet(command: Command): CommandResult {
  return {
    command,
    done: true,
    busy: false,
    sheet: "",
    headline: "There is no deals sheet: add a sheet with a header row (at least Deal name and Stage) and run Set up pipeline from it.",
    changes: "",
    problems: [],
    problemCount: 0,
    progress: null,
  };
}

/** Runs a command under the document lock; returns before Apps Script's limit with a resume point when the sheet is big. */
export function runCommand(command: Command, budget: Budget, spreadsheet?: Spreadsheet): CommandResult {
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(LOCK_WAIT_MS)) return busyResult(command);
  try {
    const ss = spreadsheet ?? SpreadsheetApp.getActiveSpreadsheet();
    const props = PropertiesService.getDocumentProperties();
    const stored = readStore(props);
    const book = openBook(ss);
    // Carry on a stopped run of the same command from the same day; anything else starts afresh.
    const resume: Resume | null = stored.resume && stored.resume.command === command && stored.resume.today === book.today ? stored.resume : null;
    const deals = pickDealsSheet(book, stored.stage, command, resume?.sheetId ?? null);
    if (!deals) return noDealsSheet(command);

    const input = readInput(book, deals);
    const plan = run(input, { command, today: resume?.today ?? book.today, version: VERSION });
    const quote = textWriter();
    const size = extent(plan);
    if (plan.columns.length > 0) ensureSize(deals.sheet, size.rows, size.cols);
    const fromRow = resume && resume.sheetId === deals.id ? Math.min(resume.nextRow, plan.rowCount) : 0;
    const parts = (resume?.parts ?? 0) + 1;
    const pace = new Pace(budget);
    const written = writeColumns(deals.sheet, plan, input.deals, fromRow, pace, quote);
    // The stage log next: it can be as long as the sheet. Rows it got are the snapshot the next part diffs against.
    const logTab = plan.tabs.find((t) => t.name === TAB_LOG);
    const logged = written.done && (logTab ? writeTab(book, logTab, quote, pace) : appendLog(book, plan.logAppend, quote, pace));
    const tabsDone = logged && plan.tabs.every((t) => t === logTab || writeTab(book, t, quote, pace));
    if (!tabsDone) {
      const next: Resume = { command, today: resume?.today ?? book.today, sheetId: deals.id, nextRow: written.nextRow, rowCount: plan.rowCount, parts };
      props.setProperty(PROP_RESUME, JSON.stringify(next));
      deals.sheet.activate();
      SpreadsheetApp.flush();
      const where = written.done ? `wrote all ${plan.rowCount} rows; the stage log is not finished` : `wrote rows 1–${written.nextRow} of ${plan.rowCount}`;
      return {
        command,
        done: false,
        busy: false,
        sheet: deals.name,
        headline: `Big sheet: part ${parts} ${where} before Apps Script's 6-minute limit; run it again to carry on.`,
        changes: "",
        problems: [],
        problemCount: 0,
        progress: { done: written.nextRow, total: plan.rowCount, parts },
      };
    }

    if (plan.columns.length > 0) applyConditionalFormats(deals.sheet, plan.conditionalFormats);
    const validations = plan.columns.length > 0 ? applyValidations(deals.sheet, deals.id, plan.validations, stored.validations) : stored.validations;
    const review = command === "review" ? findTab(book, TAB_REVIEW) : undefined;
    (review ?? deals).sheet.activate();

    const settingsTab = plan.tabs.find((t) => t.name === TAB_SETTINGS);
    const stage = stageConfig(deals, plan, input.deals, settingsTab ? settingsTab.values : input.settings);
    const headline = parts > 1 ? `${plan.summary.headline} (in ${parts} parts)` : plan.summary.headline;
    storeAfterRun(
      props,
      stage,
      validations,
      { command, at: new Date().toISOString(), sheet: deals.name, headline, problems: plan.problems, problemCount: plan.problems.length },
      stored.resume !== null,
    );
    SpreadsheetApp.flush();
    return {
      command,
      done: true,
      busy: false,
      sheet: deals.name,
      headline,
      changes: plan.summary.changes?.line ?? "",
      problems: plan.problems.slice(0, MAX_PROBLEMS_SHOWN),
      problemCount: plan.problems.length,
      progress: parts > 1 ? { done: plan.rowCount, total: plan.rowCount, parts } : null,
    };
  } finally {
    lock.releaseLock();
  }
}
