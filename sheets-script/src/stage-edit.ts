// onEdit: an edit to the Stage column stamps Stage entered and logs the move; any other edit costs one cheap check.
import { planStageEdit, TAB_LOG, TAB_SETTINGS, type Cell } from "../../core/index.js";
import { openBook, readGrid } from "./book.js";
import { datesToSerials, textWriter, toSheet } from "./cells.js";
import type { EditEvent } from "./gas.js";
import { PROP_STAGE } from "./names.js";
import { parseJson, type StageConfig } from "./store.js";
import { appendLog } from "./tabs.js";

/** A simple trigger has 30 seconds; wait for a running command only part of that. */
const EDIT_LOCK_WAIT_MS = 20_000;

/** The event's range carries its bounds as plain fields (columnStart…); fall back to the methods if absent. */
interface EventBounds {
  columnStart?: number;
  columnEnd?: number;
  rowStart?: number;
  rowEnd?: number;
}

export function handleEdit(e: EditEvent): void {
  const range = e.range;
  const bounds = range as unknown as EventBounds;
  const stored = PropertiesService.getDocumentProperties().getProperty(PROP_STAGE);
  const cfg = parseJson<StageConfig>(stored);
  if (!cfg) return;
  const c1 = bounds.columnStart ?? range.getColumn();
  const c2 = bounds.columnEnd ?? range.getLastColumn();
  const stageCol = cfg.stageCol + 1;
  const r2 = bounds.rowEnd ?? range.getLastRow();
  // Not the Stage column, or only the header and above: nothing to stamp.
  if (stageCol < c1 || stageCol > c2 || r2 <= cfg.headerRow + 1) return;
  const sheet = range.getSheet();
  if (sheet.getSheetId() !== cfg.sheetId) return;
  const r1 = Math.max(bounds.rowStart ?? range.getRow(), cfg.headerRow + 2);

  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(EDIT_LOCK_WAIT_MS)) return; // the next full run's snapshot diff stamps it instead
  try {
    const book = openBook(e.source, false);
    const width = Math.max(sheet.getLastColumn(), stageCol);
    const header = sheet.getRange(cfg.headerRow + 1, 1, 1, width).getValues() as Cell[][];
    const rows = sheet.getRange(r1, 1, r2 - r1 + 1, width).getValues() as Cell[][];
    datesToSerials(header, book.toSerial);
    datesToSerials(rows, book.toSerial);
    const settingsSheet = e.source.getSheetByName(TAB_SETTINGS);
    book.tabs = settingsSheet ? [{ sheet: settingsSheet, name: TAB_SETTINGS, id: settingsSheet.getSheetId() }] : [];
    const settings = settingsSheet ? readGrid(settingsSheet, book) : null;
    const single = r1 === r2 && c1 === c2;
    const plan = planStageEdit({
      sheetName: sheet.getName(),
      header: header[0] ?? [],
      headerRow: cfg.headerRow,
      rows: rows.map((values, i) => (single ? { row: r1 - 1 + i, values, oldStage: e.oldValue } : { row: r1 - 1 + i, values })),
      settings,
      today: book.today,
      by: "edit",
    });
    if (plan.stageColumn !== null && plan.stageColumn !== cfg.stageCol) {
      // The Stage column moved (a column was inserted): remember where it is now; the full run catches up.
      PropertiesService.getDocumentProperties().setProperty(PROP_STAGE, JSON.stringify({ ...cfg, stageCol: plan.stageColumn }));
      return;
    }
    const quote = textWriter();
    // Stamps come as runs of adjacent rows in one column: one format and one setValues per run.
    const cells = [...plan.cells].sort((a, b) => a.col - b.col || a.row - b.row);
    for (let i = 0; i < cells.length; ) {
      let j = i + 1;
      const first = cells[i] as (typeof cells)[number];
      while (j < cells.length && cells[j]?.col === first.col && cells[j]?.row === first.row + (j - i) && cells[j]?.numberFormat === first.numberFormat) j++;
      const target = sheet.getRange(first.row + 1, first.col + 1, j - i, 1);
      if (first.numberFormat !== undefined) target.setNumberFormat(first.numberFormat);
      target.setValues(cells.slice(i, j).map((c) => [toSheet(c.value, c.numberFormat === "@", quote)]));
      i = j;
    }
    if (plan.logAppend.length > 0) {
      const log = e.source.getSheetByName(TAB_LOG);
      book.tabs.push(...(log ? [{ sheet: log, name: TAB_LOG, id: log.getSheetId() }] : []));
      appendLog(book, plan.logAppend, quote, null);
      if (!log) sheet.activate(); // creating the log tab brought it to the front
    }
    SpreadsheetApp.flush();
  } finally {
    lock.releaseLock();
  }
}
