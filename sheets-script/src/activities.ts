// The activity log in Google Sheets: finding and reading the tab, and the sidebar's "Log activity" form.
import { pickActivitiesTab, planLogActivity, TAB_ACTIVITIES, TAB_SETTINGS, type CellWrite, type Grid, type LogForm } from "../../core/index.js";
import { findTab, isOwnTab, LOCK_WAIT_MS, openBook, pickDealsSheet, readGrid, type Book } from "./book.js";
import { textWriter, toSheet } from "./cells.js";
import type { Sheet } from "./gas.js";
import { readStore } from "./store.js";
import { createTab } from "./tabs.js";

/** Rows of each other tab looked at to find the activity log by its headers. */
const HEAD_ROWS = 30;

/** The activity log: a tab called Activities, else the first of the team's tabs whose headers fit; each read with one getValues. */
export function readActivitiesTab(book: Book, dealsSheet: string): { sheet: string; values: Grid } | null {
  const named = findTab(book, TAB_ACTIVITIES);
  const candidates = named && named.name.toLowerCase() !== dealsSheet.toLowerCase() ? [named] : book.tabs.filter((t) => !isOwnTab(t.name) && t.name.toLowerCase() !== dealsSheet.toLowerCase());
  const heads = candidates.map((t) => {
    const rows = Math.min(Math.max(t.sheet.getLastRow(), 1), HEAD_ROWS);
    const cols = Math.max(t.sheet.getLastColumn(), 1);
    return { tab: t, values: named ? readGrid(t.sheet, book) : (t.sheet.getRange(1, 1, rows, cols).getValues() as Grid) };
  });
  const name = pickActivitiesTab(heads.map((h) => ({ name: h.tab.name, values: h.values })), dealsSheet);
  const hit = heads.find((h) => h.tab.name === name);
  if (!hit) return null;
  return { sheet: hit.tab.name, values: named ? hit.values : readGrid(hit.tab.sheet, book) };
}

export type { LogForm };

export interface LogAnswer {
  ok: boolean;
  message: string;
  /** The team's own columns left alone, so the sidebar can offer the tick box. */
  teamColumns: string[];
}

/** Writes planned cells, one setValues per cell run of the row (a log row is a handful of cells). */
function writeCells(sheet: Sheet, cells: readonly CellWrite[]): void {
  const quote = textWriter();
  for (const c of cells) {
    const target = sheet.getRange(c.row + 1, c.col + 1);
    if (c.numberFormat !== undefined) target.setNumberFormat(c.numberFormat);
    target.setValues([[toSheet(c.value, c.numberFormat === "@", quote)]]);
  }
}

/** The sidebar's Log activity: the deal is the active row of the deals sheet; one row is appended to the log. */
export function sidebarLogActivity(form: LogForm): LogAnswer {
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(LOCK_WAIT_MS)) return { ok: false, message: "Another pipesheet run is in progress in this spreadsheet; try again when it has finished.", teamColumns: [] };
  try {
    return logUnderLock(form);
  } finally {
    lock.releaseLock();
  }
}

function logUnderLock(form: LogForm): LogAnswer {
  const f = (v: unknown): string => (typeof v === "string" ? v : "");
  const ss = SpreadsheetApp.getActiveSpreadsheet();
  const book = openBook(ss);
  const stored = readStore(PropertiesService.getDocumentProperties());
  const deals = pickDealsSheet(book, stored.stage, "score", null);
  if (!deals) return { ok: false, message: "There is no deals sheet: run Set up pipeline first.", teamColumns: [] };
  const active = ss.getActiveSheet();
  if (active.getName() !== deals.name) return { ok: false, message: `Select a deal's row on "${deals.name}" first.`, teamColumns: [] };
  const row = ss.getActiveRange()?.getRow() ?? 0;
  const settings = findTab(book, TAB_SETTINGS);
  const log = readActivitiesTab(book, deals.name);
  const plan = planLogActivity({
    sheetName: deals.name,
    deals: readGrid(deals.sheet, book),
    settings: settings ? readGrid(settings.sheet, book) : null,
    activities: log,
    deal: { row: row - 1 },
    type: f(form.type),
    note: f(form.note),
    nextStep: f(form.nextStep),
    nextStepDate: f(form.nextStepDate),
    by: f(form.by),
    today: book.today,
    updateTeamColumns: form.updateTeamColumns === true,
  });
  if (!plan.ok) return { ok: false, message: plan.problems.map((p) => p.message).join(" "), teamColumns: [] };
  let logSheet = log ? findTab(book, log.sheet)?.sheet : undefined;
  if (plan.createTab) {
    logSheet = createTab(book, plan.createTab.name).sheet;
    const header = plan.createTab.values[0] ?? [];
    logSheet.getRange(1, 1, 1, header.length).setValues([header.map((h) => String(h))]).setFontWeight("bold");
  }
  if (logSheet) writeCells(logSheet, plan.append);
  writeCells(deals.sheet, plan.dealCells);
  // Creating a tab brings it to the front; the user goes on from the deal they logged.
  if (plan.createTab) active.activate();
  SpreadsheetApp.flush();
  const what = `${plan.type} on ${plan.dealId || plan.dealName}`;
  const left = plan.teamColumns.map((t) => t.header);
  return { ok: true, message: `Logged a ${what} in ${plan.activitySheet}.${left.length > 0 ? ` Your own ${left.join(", ")} left as they are.` : ""}`, teamColumns: left };
}
