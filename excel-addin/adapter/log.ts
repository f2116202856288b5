/// <reference types="office-js" />
// The pane's "Log activity": the deal is the selected row of the deals sheet; core plans the row and the cells, this writes them.
import { planLogActivity, type CellWrite, type LogActivityPlan, type LogForm } from "../../core/index.js";
import { toExcelValue } from "./cell-text.js";
import type { Host } from "./host.js";
import { readWorkbook } from "./read.js";

export type { LogForm };

export interface LogRequest {
  sheet: string;
  tabs: string[];
  today: string;
  form: LogForm;
}

export interface LogResult {
  plan: LogActivityPlan;
  /** Round trips in all: the read (with the selection), and one write. */
  syncs: number;
}

function write(ws: Excel.Worksheet, cells: readonly CellWrite[]): void {
  for (const c of cells) {
    const cell = ws.getRangeByIndexes(c.row, c.col, 1, 1);
    // The format goes first, so text the user typed lands as text in a "@" cell, never as a formula.
    if (c.numberFormat !== undefined) cell.numberFormat = [[c.numberFormat]];
    cell.values = [[toExcelValue(c.value, c.numberFormat === "@")]];
  }
}

export async function logActivity(host: Host, req: LogRequest): Promise<LogResult> {
  return host.run(async (ctx) => {
    const selected = ctx.workbook.getSelectedRange().load("rowIndex");
    const active = ctx.workbook.worksheets.getActiveWorksheet().load("name");
    // The selection rides on the read's first round trip.
    const read = await readWorkbook(ctx, req.sheet, req.tabs);
    const onDeals = active.name.toLowerCase() === req.sheet.toLowerCase();
    const plan = planLogActivity({
      sheetName: req.sheet,
      deals: read.input.deals,
      settings: read.input.settings,
      activities: read.activities,
      deal: { row: onDeals ? selected.rowIndex : -1 },
      type: req.form.type,
      note: req.form.note,
      nextStep: req.form.nextStep,
      nextStepDate: req.form.nextStepDate,
      by: req.form.by,
      today: req.today,
      updateTeamColumns: req.form.updateTeamColumns,
    });
    if (!plan.ok) return { plan, syncs: read.syncs };
    const sheets = ctx.workbook.worksheets;
    if (plan.createTab) {
      const tab = sheets.add(plan.createTab.name);
      const header = (plan.createTab.values[0] ?? []).map((h) => toExcelValue(h, false));
      const range = tab.getRangeByIndexes(0, 0, 1, header.length);
      range.values = [header];
      range.format.font.bold = true;
    }
    write(sheets.getItem(plan.activitySheet), plan.append);
    write(sheets.getItem(req.sheet), plan.dealCells);
    await ctx.sync();
    return { plan, syncs: read.syncs + 1 };
  });
}
