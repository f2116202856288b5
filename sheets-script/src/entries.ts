// The entry points Apps Script calls by name: triggers, menu items and the sidebar's server functions.
import { fieldLabel } from "../../core/index.js";
import { parseA1, run, TAB_SETTINGS, type Command, type Field } from "../../core/index.js";
import { findTab, openBook, pickDealsSheet, readGrid } from "./book.js";
import { busyResult, CHUNK_DEADLINE_MS, runCommand, type CommandResult } from "./commands.js";
import type { EditEvent, Spreadsheet } from "./gas.js";
import type { Budget } from "./pace.js";
import { handleEdit } from "./stage-edit.js";

export { sidebarLogActivity } from "./activities.js";
import { readStore, type LastRun } from "./store.js";

const MENU = "Pipeline";
const TITLE = "pipesheet";
/** Rows read for the sidebar's column list: the header is within the first 30 rows. */
const HEADER_SCAN = 31;

const budget = (): Budget => ({ startedAt: Date.now(), limitMs: CHUNK_DEADLINE_MS, now: () => Date.now() });

/** The menu's items, the same in the bound script's Pipeline menu and the add-on's menu under Extensions. */
export function addMenuItems(menu: GoogleAppsScript.Base.Menu): void {
  menu
    .addItem("Set up pipeline", "pipelineSetup")
    .addItem("Score leads", "pipelineScore")
    .addItem("Pipeline review", "pipelineReview")
    .addSeparator()
    .addItem("Open sidebar", "openSidebar")
    .addToUi();
}

export function onOpen(): void {
  addMenuItems(SpreadsheetApp.getUi().createMenu(MENU));
}

export function onEdit(e: EditEvent): void {
  handleEdit(e);
}

/**
 * Menu commands report in a toast; when there is something to act on (problems, or a big sheet's next part) the
 * sidebar opens, which lists every problem with a link to its cell and carries a big run on. No modal alert:
 * it would stop the person after every run.
 */
function report(result: CommandResult, ss: Spreadsheet): void {
  if (result.busy) {
    SpreadsheetApp.getUi().alert(TITLE, result.headline, SpreadsheetApp.getUi().ButtonSet.OK);
    return;
  }
  if (!result.done) {
    ss.toast(`${result.headline} The sidebar carries on by itself.`, TITLE, 10);
    openSidebar();
    return;
  }
  // One problem count, the sidebar's: core's own count of cells to fix would be a second number.
  const headline = result.headline.replace(/; \d+ cells need fixing$/, "");
  const problems = result.problemCount === 0 ? "" : ` · ${result.problemCount} problem${result.problemCount === 1 ? "" : "s"}: see the sidebar`;
  ss.toast(`${headline}${problems}`, TITLE, 10);
  if (result.problemCount > 0) openSidebar();
}

function menuCommand(command: Command): void {
  let result: CommandResult;
  // One Spreadsheet for the run and its toast.
  const ss = SpreadsheetApp.getActiveSpreadsheet();
  try {
    result = runCommand(command, budget(), ss);
  } catch (err) {
    // Not instanceof Error: a service's exception may come from another realm.
    const e = err as { message?: unknown; stack?: unknown } | null;
    const message = e && typeof e.message === "string" ? e.message : String(err);
    console.error(`pipesheet ${command} failed: ${e && typeof e.stack === "string" ? e.stack : message}`);
    SpreadsheetApp.getUi().alert(TITLE, `pipesheet could not finish: ${message}\n\nRunning it again is safe: it rewrites only its own cells. If it keeps failing, tell whoever set pipesheet up.`, SpreadsheetApp.getUi().ButtonSet.OK);
    return;
  }
  report(result, ss);
}

export function pipelineSetup(): void {
  menuCommand("setup");
}
export function pipelineScore(): void {
  menuCommand("score");
}
export function pipelineReview(): void {
  menuCommand("review");
}

export function openSidebar(): void {
  const html = HtmlService.createHtmlOutputFromFile("Sidebar").setTitle("Pipeline");
  SpreadsheetApp.getUi().showSidebar(html);
}

export interface SidebarColumn {
  field: string;
  label: string;
  header: string;
  guessed: boolean;
}

export interface SidebarState {
  sheet: string;
  columns: SidebarColumn[];
  missing: string[];
  last: LastRun | null;
  resume: { command: Command; done: number; total: number } | null;
}

/** What the sidebar shows on opening: the recognised columns (from the header rows only) and the last run. */
export function sidebarState(): SidebarState {
  const ss = SpreadsheetApp.getActiveSpreadsheet();
  const stored = readStore(PropertiesService.getDocumentProperties());
  const book = openBook(ss);
  const deals = pickDealsSheet(book, stored.stage, "score", null);
  const base: SidebarState = {
    sheet: deals?.name ?? "",
    columns: [],
    missing: [],
    last: stored.last,
    resume: stored.resume ? { command: stored.resume.command, done: stored.resume.nextRow, total: stored.resume.rowCount } : null,
  };
  if (!deals) return base;
  const rows = Math.min(Math.max(deals.sheet.getLastRow(), 1), HEADER_SCAN);
  const cols = Math.max(deals.sheet.getLastColumn(), 1);
  const top = deals.sheet.getRange(1, 1, rows, cols).getValues();
  const settingsTab = findTab(book, TAB_SETTINGS);
  const plan = run(
    { sheetName: deals.name, deals: top, settings: settingsTab ? readGrid(settingsTab.sheet, book) : null, log: null, sheetNames: book.tabs.map((t) => t.name) },
    { command: "score", today: book.today },
  );
  const guessed = new Set(plan.summary.guessed);
  base.columns = Object.entries(plan.summary.columns).map(([field, header]) => ({
    field,
    label: fieldLabel(field as Field),
    header: header ?? "",
    guessed: guessed.has(field as Field),
  }));
  base.missing = plan.summary.missing.map((f) => fieldLabel(f));
  return base;
}

const COMMANDS: readonly Command[] = ["setup", "score", "review"];

/** The sidebar's buttons; a big sheet answers done: false and the sidebar calls again to carry on. */
export function sidebarRun(command: string): CommandResult {
  const c = COMMANDS.find((x) => x === command);
  if (!c) throw new Error(`Unknown command "${command}"`);
  const result = runCommand(c, budget());
  return result.busy ? busyResult(c) : result;
}

/** Selects a problem's cell; the address comes from the page, so it is checked before use. */
export function sidebarSelect(sheetName: string, cell: string): boolean {
  if (typeof sheetName !== "string" || typeof cell !== "string" || parseA1(cell) === null) return false;
  const sheet = SpreadsheetApp.getActiveSpreadsheet().getSheetByName(sheetName);
  if (!sheet) return false;
  sheet.getRange(cell).activate();
  return true;
}
