// `pipesheet log FILE --deal D-1042 --type call ...`: one follow-up appended to the activity log, the deal's follow-up cells updated.
import { appendFile, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { type Command as Program } from "commander";
import { mapActivityColumns, pickActivitiesTab } from "../../core/index.js";
import { HEADER_SCAN_ROWS, mapColumns } from "../../core/index.js";
import { dayFromIso, isoFromDay, planLogActivity, run, TAB_LOG, TAB_SETTINGS, type Cell, type CellWrite, type Grid, type LogActivityInput, type LogActivityPlan } from "../../core/index.js";
import type { SheetEdit } from "../io/xlsx.js";
import { settingsFromGrid } from "../../core/index.js";
import { CliError, fromFsError } from "../errors.js";
import { readCsvFile, toCsv } from "../io/csv.js";
import { localToday, type Output } from "./run.js";
import { activitiesCsvPath, parseSourceRef } from "../source.js";
import { writeFileAtomic } from "../io/atomic.js";

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

interface Logged {
  plan: LogActivityPlan;
  file: string;
  notes: string[];
}

const DATE_FORMAT = "yyyy-mm-dd";

/** A planned row as CSV shows it, as wide as the header: dates as ISO days. */
function csvRow(cells: readonly CellWrite[], width: number): Cell[] {
  const row: Cell[] = new Array<Cell>(width).fill("");
  for (const c of cells) {
    while (row.length < c.col) row.push("");
    row[c.col] = c.numberFormat === DATE_FORMAT && typeof c.value === "number" ? isoFromDay(c.value - 25_569) : c.value;
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
  const { openWorkbook, ownTabGrid, pickDealsSheet, saveSheetEdit, saveWorkbook, sheetNamesForCore } = await import("../io/xlsx.js");
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
    while (g.length <= c.row) g.push([]);
    const r = g[c.row] as Cell[];
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

export async function logCommand(file: string, opts: LogOptions, io: Output): Promise<void> {
  const today = opts.today ?? localToday();
  if (dayFromIso(today) === null) throw new CliError("BAD_ARGUMENTS", `--today ${today}: give a real date as YYYY-MM-DD, such as 2026-11-26`);
  const ref = parseSourceRef(file, opts.sheet ?? null);
  if (ref.kind === "gsheet") throw new CliError("BAD_ARGUMENTS", `${file}: log activities on a Google Sheet from its sidebar (pipesheet › Log activity)`);
  if (ref.kind === "csv" && opts.out !== undefined) throw new CliError("BAD_ARGUMENTS", "--out does not apply to a CSV: the activity is appended to the log beside it");
  const done = ref.kind === "csv" ? await logCsv(ref.path, opts, today) : await logXlsx(ref.path, ref.sheet, opts, today);
  const { plan } = done;
  if (!plan.ok) throw new CliError("BAD_ARGUMENTS", plan.problems.map((p) => p.message).join(" "));
  const asked = opts.updateDeal === true;
  const notes = [...done.notes];
  if (!asked && plan.teamColumns.length > 0)
    notes.push(`left your own ${plan.teamColumns.map((t) => `"${t.header}" (${t.cell})`).join(", ")} as they are; add --update-deal to update them too`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ logged: { dealId: plan.dealId, deal: plan.dealName, type: plan.type, sheet: plan.activitySheet, created: plan.createTab !== null }, dealCells: plan.dealCells, teamColumns: plan.teamColumns, output: done.file, notes }, null, 2)}\n`);
    return;
  }
  const lines = [`Logged a ${plan.type} on ${plan.dealId || plan.dealName}${plan.dealName && plan.dealId ? ` (${plan.dealName})` : ""} in ${done.file}${plan.createTab ? ` (new ${plan.activitySheet} tab)` : ""}.`];
  for (const n of notes) lines.push(`Note: ${n}`);
  io.stdout.write(`${lines.join("\n")}\n`);
}

export function register(program: Program, io: Output): void {
  program
    .command("log")
    .summary("log a call, email, meeting or note on a deal, with its next step")
    .description("Log one follow-up: append it to the activity log (the team's own activity tab, else pipesheet's Activities tab; beside a CSV, FILE.activities.csv) and update the deal's Next step, Next step date and Last activity.")
    .argument("<file>", "deals file: book.xlsx (set up), book.xlsx#Sheet, or deals.csv")
    .requiredOption("--deal <id>", "the Deal ID, e.g. D-1042")
    .requiredOption("--type <type>", "call, email, meeting or note (your own words for them work too)")
    .option("--note <text>", "the outcome, in a few words")
    .option("--next <text>", "the next step")
    .option("--next-date <YYYY-MM-DD>", "when the next step is due")
    .option("--by <name>", "who did it (default: the deal's owner)")
    .option("--update-deal", "also update the deal's Next step, Next step date and Last activity when those columns are your own")
    .option("--sheet <name>", "the deals sheet of an .xlsx")
    .option("--out <file>", "write the updated workbook here instead of into FILE (.xlsx only)")
    .option("--today <YYYY-MM-DD>", "the date of the activity (default: today)")
    .option("--json", "print what was logged as JSON")
    .action(async (file: string, opts: LogOptions) => {
      await logCommand(file, opts, io);
    });
}
