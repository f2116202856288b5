/// <reference types="office-js" />
// One pane command end to end: read (one round trip), let core decide, apply the plan. Plus the small calls
// the pane makes around it: find the deals sheet, preview the column mapping, select a problem's cell.
import { findStageColumn, isOwnTab, OWN_TABS, run, TAB_ACTIVITIES, TAB_REVIEW, type Command, type Field, type RunResult } from "../../core/index.js";
import { VERSION } from "../version.js";
import { applyPlan, type ApplyProgress, type ApplyResult } from "./apply.js";
import { errorCode, type Host } from "./host.js";
import { readWorkbook, type WorkbookRead } from "./read.js";
import type { StamperState } from "./stamper.js";

export { OWN_TABS, isOwnTab };

export interface Discovery {
  sheets: { name: string; visible: boolean }[];
  active: string;
  tables: { name: string; sheet: string }[];
}

/** Sheet names, the active sheet and the tables, in one round trip. */
export async function discover(host: Host): Promise<Discovery> {
  return host.run(async (ctx) => {
    const sheets = ctx.workbook.worksheets.load("items/name,items/visibility");
    const active = ctx.workbook.worksheets.getActiveWorksheet().load("name");
    const tables = ctx.workbook.tables.load("items/name,items/worksheet/name");
    await ctx.sync();
    return {
      sheets: sheets.items.map((s) => ({ name: s.name, visible: s.visibility === "Visible" })),
      active: active.name,
      tables: tables.items.map((t) => ({ name: t.name, sheet: t.worksheet.name })),
    };
  });
}

/**
 * The deals sheet: the one the team picked before if it still exists, else the active sheet unless it is one
 * of pipesheet's tabs, else the first sheet holding a table, else the first visible sheet of the team's.
 */
export function chooseDealsSheet(d: Discovery, remembered: string | null): string | null {
  // The activity log tab is not a deals sheet, even when it is the active one (the team was just logging).
  const theirs = d.sheets.filter((s) => !isOwnTab(s.name) && s.name.toLowerCase() !== TAB_ACTIVITIES.toLowerCase());
  const find = (name: string | null): string | undefined => (name === null ? undefined : theirs.find((s) => s.name.toLowerCase() === name.toLowerCase())?.name);
  return (
    find(remembered) ??
    find(d.active) ??
    theirs.find((s) => d.tables.some((t) => t.sheet === s.name))?.name ??
    theirs.find((s) => s.visible)?.name ??
    null
  );
}

export interface CommandRequest {
  command: Command;
  sheet: string;
  /** Tab names as last seen (refreshed and retried once when a tab went missing meanwhile). */
  tabs: string[];
  today: string;
  columnOverrides?: Partial<Record<Field, string>>;
}

export type Progress = { step: "reading" } | { step: "deciding" } | ({ step: "writing" } & ApplyProgress) | { step: "done" };

export interface CommandResult {
  plan: RunResult;
  read: WorkbookRead;
  apply: ApplyResult | null;
  /** Round trips in all. */
  syncs: number;
}

async function readFresh(host: Host, ctx: Excel.RequestContext, req: CommandRequest): Promise<WorkbookRead> {
  try {
    return await readWorkbook(ctx, req.sheet, req.tabs);
  } catch (e) {
    // A pipesheet tab deleted since the pane last looked: look again, once.
    if (errorCode(e) !== "ItemNotFound") throw e;
    const fresh = await discover(host);
    if (!fresh.sheets.some((s) => s.name.toLowerCase() === req.sheet.toLowerCase())) throw e;
    const again = await readWorkbook(ctx, req.sheet, fresh.sheets.map((s) => s.name));
    return { ...again, syncs: again.syncs + 2 };
  }
}

const plan = (read: WorkbookRead, req: CommandRequest): RunResult =>
  run(read.input, { command: req.command, today: req.today, version: VERSION, ...(req.columnOverrides ? { columnOverrides: req.columnOverrides } : {}) });

/** Runs a command against the workbook. */
export async function runCommand(host: Host, req: CommandRequest, onProgress: (p: Progress) => void = () => undefined): Promise<CommandResult> {
  return host.run(async (ctx) => {
    onProgress({ step: "reading" });
    const read = await readFresh(host, ctx, req);
    onProgress({ step: "deciding" });
    const result = plan(read, req);
    onProgress({ step: "writing", done: 0, total: 1 });
    const showReview = req.command === "review" && result.tabs.some((t) => t.name === TAB_REVIEW);
    const apply = await applyPlan(
      ctx,
      result,
      read,
      host,
      (p) => onProgress({ step: "writing", ...p }),
      (c) => {
        if (showReview) c.workbook.worksheets.getItem(TAB_REVIEW).activate();
      },
    );
    onProgress({ step: "done" });
    return { plan: result, read, apply, syncs: read.syncs + apply.syncs };
  });
}

/** What a command would do, without writing: the pane shows the column mapping from it. */
export async function preview(host: Host, req: Omit<CommandRequest, "command">): Promise<CommandResult> {
  return host.run(async (ctx) => {
    const read = await readFresh(host, ctx, { ...req, command: "score" });
    return { plan: plan(read, { ...req, command: "score" }), read, apply: null, syncs: read.syncs };
  });
}

/** Shows a problem's cell: activates its sheet and selects it, in one round trip. */
export async function selectCell(host: Host, sheet: string, address: string): Promise<void> {
  await host.run(async (ctx) => {
    const ws = ctx.workbook.worksheets.getItem(sheet);
    ws.activate();
    ws.getRange(address).select();
    await ctx.sync();
  });
}

/** What live stamping needs to know about the deals sheet after a command or preview. */
export function stamperState(r: CommandResult): StamperState {
  const { plan, read } = r;
  const header = read.input.deals[plan.headerRow] ?? [];
  const width = Math.max(
    read.input.deals.reduce((w, row) => Math.max(w, row.length), 0),
    ...plan.columns.map((c) => c.col + 1),
  );
  const tabs = [...read.input.sheetNames, ...plan.tabs.map((t) => t.name).filter((n) => !read.input.sheetNames.some((s) => s.toLowerCase() === n.toLowerCase()))];
  return { sheet: plan.sheet, headerRow: plan.headerRow, width, stageColumn: plan.columns.length === 0 ? null : findStageColumn(header, read.input.settings), tabs };
}
