// Logging one follow-up: the row to append to the activity log and the deal's cells to update, decided once for every host.
import { a1, dayFromIso, excelSerialFromDay } from "./a1.js";
import { activitiesTab, mapActivityColumns, TAB_ACTIVITIES, typeMatcher, type ActivityColumns, type ActivityField, type ActivityType } from "./activity.js";
import { mapColumns } from "./columns.js";
import { DATE_FORMAT } from "./engine.js";
import { DEFAULT_SETTINGS, settingsFromGrid } from "./settings.js";
import type { Cell, Field, Grid, Problem, TabWrite } from "./types.js";

export interface LogActivityInput {
  sheetName: string;
  /** The deals sheet's values from A1 (the header and at least the deal's row). */
  deals: Grid;
  settings: Grid | null;
  /** The activity log tab as read, or null when the workbook has none yet. */
  activities: { sheet: string; values: Grid } | null;
  /** The deal: by its Deal ID (the CLI) or by its 0-based row on the deals sheet (the selected row in a pane). */
  deal: { id: string } | { row: number };
  type: string;
  note: string;
  nextStep: string;
  /** YYYY-MM-DD, or "" for none. */
  nextStepDate: string;
  by: string;
  today: string;
  /** The user said yes to updating the deal's Next step, Next step date and Last activity columns (always the team's). */
  updateTeamColumns?: boolean;
}

/** What the pane's and the sidebar's Log activity form sends; "by" blank counts it for the deal's owner. */
export type LogForm = Pick<LogActivityInput, "type" | "note" | "nextStep" | "nextStepDate" | "by"> & { updateTeamColumns: boolean };

/** One cell to write; rows and columns are 0-based on `sheet`. "@" marks text the user typed, written as text, never as a formula. */
export interface CellWrite {
  row: number;
  col: number;
  value: Cell;
  numberFormat?: string;
  /** On the deals sheet: which follow-up column the cell is in. */
  field?: DealColumn;
}

export type DealColumn = "lastActivity" | "nextStep" | "nextStepDate";

export interface LogActivityPlan {
  /** False when nothing can be logged: `problems` says why. */
  ok: boolean;
  problems: Problem[];
  dealId: string;
  dealName: string;
  type: ActivityType | null;
  /** The log tab written to. */
  activitySheet: string;
  /** When the workbook has no log: pipesheet's Activities tab to create first (its header row only). */
  createTab: TabWrite | null;
  /** The cells of the one appended row, on `activitySheet` (below the header of a created tab). */
  append: CellWrite[];
  /** Cells of the deal's row on the deals sheet. */
  dealCells: CellWrite[];
  /** The team's own columns left alone because the user was not asked (or said no): ask, then plan again. */
  teamColumns: { field: DealColumn; header: string; cell: string }[];
}

const TYPE_WORD: Record<ActivityType, string> = { call: "Call", email: "Email", meeting: "Meeting", note: "Note" };
const text = (c: Cell): string => (c === null || c === undefined || c instanceof Date ? "" : String(c).trim());

const ACTIVITY_FIELDS: readonly ActivityField[] = ["date", "dealId", "dealName", "type", "note", "nextStep", "nextStepDate", "by"];
const format = (f: ActivityField): string => (f === "date" || f === "nextStepDate" ? DATE_FORMAT : "@");

/** The deal's 0-based row on the deals sheet, by the row given or by its Deal ID; -1 when there is none. */
function dealRow(input: LogActivityInput, headerRow: number, idCol: number | undefined): number {
  if ("row" in input.deal) return input.deal.row > headerRow && input.deal.row < input.deals.length ? input.deal.row : -1;
  const want = input.deal.id.trim().toLowerCase();
  if (idCol !== undefined) for (let r = headerRow + 1; r < input.deals.length; r++) if (text(input.deals[r]?.[idCol]).toLowerCase() === want) return r;
  return -1;
}

/** The new row's cells, below the last non-blank row of the log (`cols` null: pipesheet's own new Activities tab in `grid`). */
function appendRow(cols: ActivityColumns | null, grid: Grid, value: Record<ActivityField, CellWrite["value"]>): CellWrite[] {
  const target = cols ?? mapActivityColumns(grid);
  if (target === null) throw new Error("pipesheet's own Activities header must be readable as an activity log");
  let last = grid.length;
  while (last > target.headerRow + 1 && (grid[last - 1] ?? []).every((c) => text(c) === "")) last--;
  const append: CellWrite[] = [];
  for (const f of ACTIVITY_FIELDS) {
    const c = target.fields[f];
    const v = value[f];
    if (c !== undefined && v !== "") append.push({ row: last, col: c, value: v, numberFormat: format(f) });
  }
  return append.sort((a, b) => a.col - b.col);
}

/** The one row and the deal's cells for a logged activity. Pure: the host applies the writes. */
export function planLogActivity(input: LogActivityInput): LogActivityPlan {
  const problems: Problem[] = [];
  const settings = input.settings ? settingsFromGrid(input.settings).settings : DEFAULT_SETTINGS;
  const sheet = input.sheetName;
  const fail = (cell: string, message: string): LogActivityPlan => {
    problems.push({ sheet, cell, code: "BAD_ACTIVITY", severity: "error", message });
    return { ok: false, problems, dealId: "", dealName: "", type: null, activitySheet: input.activities?.sheet ?? TAB_ACTIVITIES, createTab: null, append: [], dealCells: [], teamColumns: [] };
  };
  const today = dayFromIso(input.today);
  if (today === null) throw new Error(`today must be YYYY-MM-DD, got "${input.today}"`);
  const map = mapColumns(input.deals, sheet, settings.columns);
  if (!map) return fail("A1", `No header row found on "${sheet}", so the deal cannot be found.`);
  const idCol = map.fields.dealId;
  const row = dealRow(input, map.headerRow, idCol);
  if (row < 0)
    return fail(
      a1(map.headerRow, idCol ?? 0),
      "row" in input.deal ? "Select a deal's row on the deals sheet first." : `No deal "${input.deal.id}" in the Deal ID column of "${sheet}".`,
    );
  const cells = input.deals[row] ?? [];
  const dealId = idCol === undefined ? "" : text(cells[idCol]);
  const dealName = map.fields.name === undefined ? "" : text(cells[map.fields.name]);
  if (dealId === "" && dealName === "") return fail(a1(row, idCol ?? 0), "This row has no Deal ID or deal name; run Set up pipeline first to give it an ID.");

  const type = typeMatcher(settings.activityTypes)(input.type).type;
  if (type === null) return fail(a1(row, 0), `"${input.type}" is not an activity type: use call, email, meeting or note.`);
  const nextDate = input.nextStepDate.trim() === "" ? null : dayFromIso(input.nextStepDate.trim());
  if (input.nextStepDate.trim() !== "" && nextDate === null) return fail(a1(row, 0), `Next step date "${input.nextStepDate}" is not a date: give it as YYYY-MM-DD.`);

  const todaySerial = excelSerialFromDay(today);
  const nextSerial = nextDate === null ? null : excelSerialFromDay(nextDate);
  const value: Record<ActivityField, CellWrite["value"]> = {
    date: todaySerial,
    dealId,
    dealName,
    type: TYPE_WORD[type],
    note: input.note.trim(),
    nextStep: input.nextStep.trim(),
    nextStepDate: nextSerial ?? "",
    by: input.by.trim(),
  };

  const log = input.activities;
  const cols = log ? mapActivityColumns(log.values) : null;
  if (log && !cols) return fail("A1", `"${log.sheet}" has no header row with Date, Deal and Type; fix its headers, or rename it so pipesheet can add its own Activities tab.`);
  // No log yet: pipesheet's own Activities tab, created with its header; the row goes below it like any other.
  const createTab: TabWrite | null = cols ? null : activitiesTab();
  const append = appendRow(cols, log?.values ?? createTab?.values ?? [], value);

  // The deal's follow-up cells. pipesheet adds no Next step, Next step date or Last activity column of its own, so
  // any such column is the team's (a header alone cannot tell who made it) and is written only when the user says
  // so; without one, the log itself holds the next step and the last activity, which core reads from there.
  const dealCells: CellWrite[] = [];
  const teamColumns: LogActivityPlan["teamColumns"] = [];
  const dealValue: Record<DealColumn, { value: Cell; numberFormat: string } | null> = {
    lastActivity: { value: todaySerial, numberFormat: DATE_FORMAT },
    nextStep: value.nextStep === "" ? null : { value: value.nextStep, numberFormat: "@" },
    nextStepDate: nextSerial === null ? null : { value: nextSerial, numberFormat: DATE_FORMAT },
  };
  for (const f of ["lastActivity", "nextStep", "nextStepDate"] as const satisfies readonly (DealColumn & Field)[]) {
    const c = map.fields[f];
    const v = dealValue[f];
    if (c === undefined || v === null) continue;
    const header = map.headers[c] ?? "";
    if (input.updateTeamColumns === true) dealCells.push({ row, col: c, ...v, field: f });
    else teamColumns.push({ field: f, header, cell: a1(row, c) });
  }
  return { ok: true, problems, dealId, dealName, type, activitySheet: createTab ? TAB_ACTIVITIES : (log?.sheet ?? TAB_ACTIVITIES), createTab, append, dealCells, teamColumns };
}
