// One follow-up appended to the activity log and the deal's follow-up cells updated, in a CSV's sibling log or
// in a workbook. Prints nothing: `pipesheet log` (cli/commands/log.ts) prints what was logged.
import { appendFile, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import {
  DATE_FORMAT,
  EXCEL_EPOCH_OFFSET,
  HEADER_SCAN_ROWS,
  isoFromDay,
  mapActivityColumns,
  mapColumns,
  pickActivitiesTab,
  planLogActivity,
  run,
  settingsFromGrid,
  TAB_LOG,
  TAB_SETTINGS,
  type Cell,
  type CellWrite,
  type Grid,
  type LogActivityInput,
  type LogActivityPlan,
} from "../core/index.js";
import { CliError, fromFsError } from "./errors.js";
import { writeFileAtomic } from "./io/atomic.js";
import { readCsvFile, toCsv } from "./io/csv.js";
import type { SheetEdit } from "./io/xlsx.js";
import { activitiesCsvPath, type SourceRef } from "./source.js";

/** What `pipesheet log` was asked to log. */
export interface LogOptions {
  deal: string;
  type: string;
  note?: string;
  next?: string;
  nextDate?: string;
  by?: string;
  today?: string;
  updateDeal?: boolean;
  sheet?: string;
  out?: string;
  json?: boolean;
}

export interface Logged {
  plan: LogActivityPlan;
  file: string;
  notes: string[];
}

/** A planned row as CSV shows it, as wide as the header: dates as ISO days. */
function csvRow(cells: readonly CellWrite[], width: number): Cell[] {
  const row: Cell[] = new Array<Cell>(width).fill("");
  for (const c of cells) {
    while (row.length < c.col) row.push("");
    row[c.col] = c.numberFormat === DATE_FORMAT && typeof c.value === "number" ? isoFromDay(c.value - EXCEL_EPOCH_OFFSET) : c.value;
  }
  return row;
}

const headerWidth = (grid: Grid): number => {
  const row = grid[mapActivityColumns(grid)?.headerRow ?? 0] ?? [];
  let w = row.length;
  while (w > 0 && String(row[w - 1] ?? "").trim() === "") w--;
  return w;
};

/** What the user asked for, in core's words (the same for a CSV and a workbook). */
const askedFor = (opts: LogOptions, today: string): Omit<LogActivityInput, "sheetName" | "deals" | "settings" | "activities"> => ({
  deal: { id: opts.deal },
  type: opts.type,
  note: opts.note ?? "",
  nextStep: opts.next ?? "",
  nextStepDate: opts.nextDate ?? "",
  by: opts.by ?? "",
  today,
  updateTeamColumns: opts.updateDeal === true,
});

/**
 * A CSV holds one sheet, so the log is the file beside it (deals.csv -> deals.activities.csv), appended to and
 * never rewritten. The deals CSV itself is left as it is: rewriting it would re-quote the team's own cells.
 * core reads the last activity and next step from the log when the deals have no such column.
 */
async function logCsv(path: string, opts: LogOptions, today: string): Promise<Logged> {
  const deals = await readCsvFile(path);
  const sibling = activitiesCsvPath(path);
  const existing = existsSync(sibling) ? await readCsvFile(sibling) : null;
  const plan = planLogActivity({
    sheetName: "Deals",
    deals: deals.grid,
    settings: null,
    activities: existing ? { sheet: basename(sibling), values: existing.grid } : null,
    ...askedFor(opts, today),
  });
  if (!plan.ok) return { plan, file: sibling, notes: [] };
  const notes: string[] = [];
  try {
    if (plan.createTab) {
      await writeFileAtomic(sibling, toCsv([...plan.createTab.values, csvRow(plan.append, plan.createTab.values[0]?.length ?? 0)], deals.delimiter, deals.newline));
      notes.push(`started the activity log ${sibling}`);
    } else {
      const text = await readFile(sibling, "utf8");
      const newline = existing?.newline ?? "\r\n";
      const lead = text === "" || text.endsWith("\n") ? "" : newline;
      await appendFile(sibling, lead + toCsv([csvRow(plan.append, headerWidth(existing?.grid ?? []))], existing?.delimiter ?? ",", newline));
    }
  } catch (e) {
    throw fromFsError(e, sibling, true);
  }
  if (plan.dealCells.length + plan.teamColumns.length > 0) notes.push(`${path} is not changed: a CSV's deal columns are updated by your CRM or by hand; the log now holds the next step and the last activity`);
  return { plan, file: sibling, notes };
}

/** Planned cells as a sheet edit: only those cells change, every other cell of the sheet stays as it is. */
const asEdit = (cells: readonly CellWrite[]): SheetEdit => ({
  cells: cells.map((c) => ({ row: c.row, col: c.col, value: c.value, ...(c.numberFormat !== undefined ? { numFmt: c.numberFormat } : {}) })),
  remove: [],
});

/**
 * An .xlsx goes through the same patcher as every command. The deal's cells ride on a score plan of the
 * updated sheet, so pipesheet's own rules and columns stay as a `score` run leaves them; the appended row
 * is then an edit of the activity tab alone (created by that first write when the team had none).
 */
async function logXlsx(path: string, sheet: string | null, opts: LogOptions, today: string): Promise<Logged> {
  const { openWorkbook, ownTabGrid, pickDealsSheet, saveSheetEdit, saveWorkbook, sheetNamesForCore } = await import("./io/xlsx.js");
  const out = opts.out ?? path;
  const wb = await openWorkbook(path);
  const settings = ownTabGrid(wb, TAB_SETTINGS);
  if (!settings) throw new CliError("BAD_ARGUMENTS", `${path} is not set up yet: run pipesheet setup ${path} --in-place first, then log activities`);
  const overrides = settingsFromGrid(settings).settings.columns;
  const deals = pickDealsSheet(wb, sheet, (g, name) => mapColumns(g, name, overrides) !== null, path);
  const grid = deals.grid;
  const logName = pickActivitiesTab(wb.book.sheets.map((sh) => ({ name: sh.name, values: wb.book.grid(sh, HEADER_SCAN_ROWS) })), deals.sheet.name);
  const logSheet = logName === null ? undefined : wb.book.find(logName);
  const logGrid = logSheet ? wb.book.grid(logSheet) : null;
  const plan = planLogActivity({
    sheetName: deals.sheet.name,
    deals: grid,
    settings,
    activities: logSheet && logGrid ? { sheet: logSheet.name, values: logGrid } : null,
    ...askedFor(opts, today),
  });
  if (!plan.ok) return { plan, file: out, notes: [] };

  // The sheet as it will be, so the score run sees the new activity and the deal's new cells.
  const put = (g: Grid, c: CellWrite): void => {
    while (g.length < c.row) g.push([]);
    const r = g[c.row] ?? [];
    g[c.row] = r;
    while (r.length <= c.col) r.push(null);
    r[c.col] = c.value;
  };
  const updated = grid.map((r) => [...r]);
  for (const c of plan.dealCells) put(updated, c);
  const activities = (plan.createTab ? plan.createTab.values : (logGrid ?? [])).map((r) => [...r]);
  for (const c of plan.append) put(activities, c);
  const scored = run(
    { sheetName: deals.sheet.name, deals: updated, settings, log: ownTabGrid(wb, TAB_LOG), sheetNames: sheetNamesForCore(wb), activities: { sheet: plan.activitySheet, values: activities } },
    { command: "score", today },
  );
  if (plan.createTab) scored.tabs.push(plan.createTab);
  const notes = await saveWorkbook(wb, deals, scored, out, asEdit(plan.dealCells));
  // The row itself, on the team's log or on the tab just written: an edit of that tab, which has no rules of pipesheet's.
  const again = await openWorkbook(out);
  const tab = pickDealsSheet(again, plan.activitySheet, () => true, out);
  notes.push(...(await saveSheetEdit(again, tab, asEdit(plan.append), [], out)).filter((n) => !notes.includes(n)));
  return { plan, file: out, notes };
}

/** Logs on a local file (a CSV or a workbook); the plan says whether it could (`plan.ok`). */
export async function logActivity(ref: Exclude<SourceRef, { kind: "gsheet" }>, opts: LogOptions, today: string): Promise<Logged> {
  return ref.kind === "csv" ? await logCsv(ref.path, opts, today) : await logXlsx(ref.path, ref.sheet, opts, today);
}
