/// <reference types="office-js" />
// Applies a WorkbookPlan: pipesheet's columns, tabs, rules and chart, in as few round trips as the
// request limit allows, with calculation, screen updating and this add-in's events off while it writes.
import { a1, colName, dealsWrites, TAB_LOG, TAB_REVIEW, type Cell, type ChartSpec, type ConditionalRule, type TabWrite, type ValidationRule, type WorkbookPlan } from "../../core/index.js";
import { toExcelValue } from "./cell-text.js";
import { Packer, CALL_OVERHEAD, type Op } from "./packer.js";
import { CHART_NAME, PAYLOAD_BUDGET, type WorkbookRead } from "./read.js";
import { errorCode } from "./host.js";
import { parseRange } from "./ranges.js";
import { stringBytes } from "./json-size.js";

export interface Env {
  isSetSupported(name: string, version: string): boolean;
}

export interface ApplyProgress {
  done: number;
  total: number;
}

export interface ApplyResult {
  /** Round trips the writes took (chunks plus the closing one). */
  syncs: number;
  chunks: number;
  /** Largest estimated request, in bytes. */
  largestChunk: number;
  chart: "funnel" | "bar" | null;
  /** Things that could not be applied, in words (e.g. a drop-down list too long for Excel). */
  notes: string[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
/** Excel's inline drop-down source is at most 255 characters. */
const LIST_LIMIT = 255;
/** Points per character of column width (Calibri 11: a default 8.43-character column is 48 points). */
const POINTS_PER_CHAR = 5.7;

function errorLocation(e: unknown): string {
  const info = (e as { debugInfo?: { errorLocation?: unknown } } | null)?.debugInfo;
  return typeof info?.errorLocation === "string" ? info.errorLocation : "";
}
const isChartError = (e: unknown): boolean => errorLocation(e).startsWith("Chart");
/** The add itself failed, so there is no chart to clean up. */
const chartAddFailed = (e: unknown): boolean => errorLocation(e).startsWith("ChartCollection.add");

/** The owned columns: exactly the blocks core/plan.ts decides (a cell outside them is the team's and never written). */
function columnOps(p: Packer, plan: WorkbookPlan): void {
  const writes = dealsWrites(plan);
  for (const b of [...writes.headers, ...writes.cells]) {
    // Formats set only where core names one; a block with none keeps the cells' own.
    const formats = b.formats.every((f) => f === null) ? null : b.formats;
    p.addBlock({ sheet: plan.sheet, row: b.row, col: b.col, rows: b.values, width: b.formats.length, formats, formulas: b.kinds.map((k) => k === "formula") });
  }
}

/**
 * The review's table names, each free in the workbook: Excel table names are unique across the workbook, case
 * aside, so a name the team's table already has gets a number (PipesheetStages_2); the team's table keeps its
 * own, and pipesheet still knows its tables by their prefix.
 */
export function tableNames(tables: readonly { name: string }[], taken: readonly string[]): string[] {
  const used = new Set(taken.map((n) => n.toLowerCase()));
  return tables.map((t) => {
    let name = t.name;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${t.name}_${k}`;
    used.add(name.toLowerCase());
    return name;
  });
}

function tabOps(p: Packer, tab: TabWrite, exists: boolean, read: WorkbookRead, env: Env): void {
  const name = tab.name;
  // A table survives clear(), and a new one may not overlap it: pipesheet's own go first.
  if (exists && same(name, TAB_REVIEW)) for (const t of read.ownTables) p.add({ bytes: CALL_OVERHEAD, run: () => t.delete() });
  p.add({
    bytes: CALL_OVERHEAD,
    run: (ctx) => {
      const sheets = ctx.workbook.worksheets;
      if (!exists) sheets.add(name);
      // pipesheet owns the tab whole: clear it, and drop its own chart (a chart the team added stays).
      else sheets.getItem(name).getRange().clear("All");
    },
  });
  if (exists && same(name, TAB_REVIEW)) for (const chart of read.ownCharts) p.add({ bytes: CALL_OVERHEAD, run: () => chart.delete() });
  const width = tab.values.reduce((w, r) => Math.max(w, r.length), 0);
  if (width > 0 && tab.values.length > 0) {
    const rows = tab.values.map((r) => (r.length === width ? r : [...r, ...new Array<Cell>(width - r.length).fill("")]));
    p.addBlock({ sheet: name, row: 0, col: 0, rows, width, formats: null });
  }
  for (const f of tab.formats) {
    const box = parseRange(f.range);
    const fmtBytes = f.numberFormat === undefined ? 0 : box.rows * box.cols * (stringBytes(f.numberFormat) + 1);
    p.add({
      bytes: CALL_OVERHEAD + fmtBytes,
      run: (ctx) => {
        const range = ctx.workbook.worksheets.getItem(name).getRange(f.range);
        if (f.bold !== undefined) range.format.font.bold = f.bold;
        if (f.italic !== undefined) range.format.font.italic = f.italic;
        if (f.fontSize !== undefined) range.format.font.size = f.fontSize;
        if (f.fill !== undefined) range.format.fill.color = f.fill;
        if (f.numberFormat !== undefined) range.numberFormat = Array.from({ length: box.rows }, () => new Array<string>(box.cols).fill(f.numberFormat as string));
      },
    });
  }
  const names = tableNames(tab.tables ?? [], read.otherTableNames);
  for (const [i, t] of (tab.tables ?? []).entries())
    p.add({
      bytes: CALL_OVERHEAD * 3,
      run: (ctx) => {
        const table = ctx.workbook.worksheets.getItem(name).tables.add(`'${name.replace(/'/g, "''")}'!${t.range}`, true);
        table.name = names[i] ?? t.name;
        table.style = "TableStyleLight1";
      },
    });
  // Links came with ExcelApi 1.7; below it the names stay plain text.
  if (env.isSetSupported("ExcelApi", "1.7"))
    for (const l of tab.links ?? []) {
      const box = parseRange(l.cell);
      const text = tab.values[box.row]?.[box.col];
      const textToDisplay = typeof text === "string" ? text : String(text ?? "");
      const documentReference = `'${l.sheet.replace(/'/g, "''")}'!${l.target}`;
      p.add({
        bytes: CALL_OVERHEAD + stringBytes(textToDisplay) + stringBytes(documentReference),
        run: (ctx) => {
          ctx.workbook.worksheets.getItem(name).getRange(l.cell).hyperlink = { documentReference, textToDisplay };
        },
      });
    }
  const widths = tab.widths ?? [];
  if (widths.length > 0)
    p.add({
      bytes: CALL_OVERHEAD * widths.length,
      run: (ctx) => {
        const ws = ctx.workbook.worksheets.getItem(name);
        widths.forEach((w, c) => {
          ws.getRangeByIndexes(0, c, 1, 1).format.columnWidth = Math.round(w * POINTS_PER_CHAR + 5);
        });
      },
    });
  p.add({
    bytes: CALL_OVERHEAD,
    run: (ctx) => {
      ctx.workbook.worksheets.getItem(name).visibility = tab.hidden ? "Hidden" : "Visible";
    },
  });
}

function validationOps(p: Packer, plan: WorkbookPlan, read: WorkbookRead, notes: string[]): void {
  const planned = new Set(plan.validations.map((v) => parseRange(v.range).col));
  const first = plan.headerRow + 1;
  const lastRow = Math.max(plan.rowCount, ...plan.validations.map((v) => parseRange(v.range).rows)) + first;
  // A pipesheet drop-down left in a column that no longer needs one (the team re-mapped a column).
  for (const col of read.ownValidationColumns) {
    if (planned.has(col)) continue;
    p.add({ bytes: CALL_OVERHEAD, run: (ctx) => ctx.workbook.worksheets.getItem(plan.sheet).getRangeByIndexes(first, col, lastRow - first, 1).dataValidation.clear() });
  }
  for (const v of plan.validations) {
    const source = v.list.join(",");
    if (source.length > LIST_LIMIT || v.list.some((x) => x.includes(","))) {
      notes.push(`The ${listName(v)} drop-down was left out: Excel allows at most ${LIST_LIMIT} characters and no commas in an in-cell list.`);
      continue;
    }
    p.add({ bytes: CALL_OVERHEAD * 4 + stringBytes(source), run: (ctx) => addValidation(ctx, plan.sheet, v, source) });
  }
}

const listName = (v: ValidationRule): string => v.id.replace(/^pipesheet:/, "");

function addValidation(ctx: Excel.RequestContext, sheet: string, v: ValidationRule, source: string): void {
  const dv = ctx.workbook.worksheets.getItem(sheet).getRange(v.range).dataValidation;
  dv.clear();
  dv.rule = { list: { inCellDropDown: true, source } };
  dv.errorAlert = {
    showAlert: true,
    style: v.strict ? "Stop" : "Warning",
    title: "Not in the list",
    message: `This value is not one of the ${listName(v)} choices in Pipeline Settings. Keep it anyway?`,
  };
  // The rule's id in the (hidden) input prompt is how pipesheet finds its own drop-downs next time.
  dv.prompt = { showPrompt: false, title: v.id.slice(0, 32), message: "" };
}

/** Excel's last row (1-based): a rule that reaches it never has to grow with the sheet. */
const SHEET_ROWS = 1_048_576;

/** A pipesheet rule below ExcelApi 1.17 whose cells may have to change: its range, loaded in the first chunk. */
interface RuleMove {
  cf: Excel.ConditionalFormat;
  rule: ConditionalRule;
  at: Excel.Range;
}

/**
 * Below ExcelApi 1.17 a rule cannot be moved (no setRanges), so pipesheet's rule reaches down to the sheet's
 * last row: the formula is anchored at the rule's top-left cell, so the rows past the deals change nothing, and
 * the sheet can grow without the rule having to move.
 */
function ruleRange(rule: ConditionalRule, canMove: boolean): string {
  if (canMove) return rule.range;
  const box = parseRange(rule.range);
  return `${a1(box.row, box.col)}:${colName(box.col + box.cols - 1)}${SHEET_ROWS}`;
}

function ruleOps(p: Packer, plan: WorkbookPlan, read: WorkbookRead, env: Env, moves: RuleMove[]): void {
  // delete() fails with ItemNotFound when another rule shares a cell (office-js#5222), and the team's rules
  // often cover the deals: so pipesheet's rules are rewritten in place, and moved with setRanges where it exists.
  const canMove = env.isSetSupported("ExcelApi", "1.17");
  const planned = plan.conditionalFormats;
  read.ownRules.forEach((cf, i) => {
    const rule = planned[i];
    if (rule === undefined) p.add({ bytes: CALL_OVERHEAD, run: () => cf.delete() });
    else
      p.add({
        bytes: CALL_OVERHEAD * 6 + stringBytes(rule.formula.excel),
        run: (ctx) => {
          updateRule(ctx, plan.sheet, cf, rule, canMove);
          // Without setRanges, whether it must move is known once this chunk has run (movedRules).
          // getRange() throws for a rule over several areas (the team cleared formats across it): then it is null.
          if (!canMove) moves.push({ cf, rule, at: cf.getRangeOrNullObject().load("address") });
        },
      });
  });
  // Excel puts each new rule on top, so adding in reverse keeps the plan's order of priority.
  const added = planned.slice(read.ownRules.length);
  for (const rule of [...added].reverse()) p.add({ bytes: CALL_OVERHEAD * 4 + stringBytes(rule.formula.excel), run: (ctx) => addRule(ctx, plan.sheet, rule, ruleRange(rule, canMove)) });
}

/**
 * Below ExcelApi 1.17, a rule of pipesheet's that covers other cells than it must (the team added a column, or
 * the header row moved) is deleted and added again, in that order: adding first would make two rules share
 * every cell, and delete() then fails (office-js#5222). When a rule of the team's shares its cells, the delete
 * fails all the same; the batch stops there, so the rule stays as updated in place, and the note says so.
 * One more round trip, only when a rule must move.
 */
async function movedRules(ctx: Excel.RequestContext, sheet: string, moves: readonly RuleMove[], notes: string[]): Promise<number> {
  let syncs = 0;
  for (const m of moves) {
    const want = ruleRange(m.rule, false);
    const have = m.at.isNullObject ? "several areas" : m.at.address.slice(m.at.address.lastIndexOf("!") + 1).replace(/\$/g, "");
    if (have.toUpperCase() === want.toUpperCase()) continue;
    m.cf.delete();
    addRule(ctx, sheet, m.rule, want);
    try {
      await ctx.sync();
    } catch (e) {
      if (errorCode(e) !== "ItemNotFound") throw e;
      notes.push(`Excel could not move pipesheet's stuck-deal highlight onto ${want} (another conditional format shares its cells, and this Excel has no ConditionalFormat.setRanges); it still covers ${have}.`);
    } finally {
      syncs++;
    }
  }
  return syncs;
}

function updateRule(ctx: Excel.RequestContext, sheet: string, cf: Excel.ConditionalFormat, rule: ConditionalRule, canMove: boolean): void {
  const custom = cf.custom;
  custom.rule.formula = rule.formula.excel;
  custom.format.fill.color = rule.fill;
  custom.format.font.color = rule.fontColor;
  if (canMove) cf.setRanges(ctx.workbook.worksheets.getItem(sheet).getRange(rule.range));
}

function addRule(ctx: Excel.RequestContext, sheet: string, rule: ConditionalRule, range: string): void {
  const cf = ctx.workbook.worksheets.getItem(sheet).getRange(range).conditionalFormats.add("Custom");
  cf.custom.rule.formula = rule.formula.excel;
  cf.custom.format.fill.color = rule.fill;
  cf.custom.format.font.color = rule.fontColor;
}

/** The chart's data as one range when categories and values sit side by side, as a funnel needs. */
function sideBySide(spec: ChartSpec): string | null {
  const c = parseRange(spec.categories);
  const v = parseRange(spec.values);
  if (c.cols !== 1 || v.cols !== 1 || c.row !== v.row || c.rows !== v.rows || v.col !== c.col + 1) return null;
  return `${spec.categories.split(":")[0]}:${spec.values.split(":").pop()}`;
}

function chartOp(ctx: Excel.RequestContext, tab: TabWrite, spec: ChartSpec, type: "funnel" | "bar", name: string, reverse: boolean): void {
  const ws = ctx.workbook.worksheets.getItem(tab.name);
  const both = sideBySide(spec);
  if (type === "funnel" && both !== null) {
    // A funnel has no series, title or axes in the API (office-js-docs#910): it takes labels and values from its
    // two-column source, and the title is the heading cell beside it. Named first, so a later failure leaves
    // a chart pipesheet finds and replaces next time rather than an orphan.
    const chart = ws.charts.add("Funnel", ws.getRange(both), "Columns");
    chart.name = name;
    chart.setPosition(spec.anchor);
    chart.width = spec.width ?? 420;
    chart.height = spec.height ?? 260;
    return;
  }
  const chart = ws.charts.add(spec.type === "column" ? "ColumnClustered" : "BarClustered", ws.getRange(spec.values), "Columns");
  chart.name = name;
  chart.series.getItemAt(0).setXAxisValues(ws.getRange(spec.categories));
  chart.title.text = spec.title;
  // A bar chart draws its first category at the bottom; a funnel reads top down.
  if (reverse && spec.type !== "column") chart.axes.categoryAxis.reversePlotOrder = true;
  chart.setPosition(spec.anchor);
  chart.width = spec.width ?? 420;
  chart.height = spec.height ?? 260;
}

export async function applyPlan(
  ctx: Excel.RequestContext,
  plan: WorkbookPlan,
  read: WorkbookRead,
  env: Env,
  onProgress: (p: ApplyProgress) => void = () => undefined,
  /** Calls for the closing round trip (e.g. showing the review tab). */
  finish: (ctx: Excel.RequestContext) => void = () => undefined,
): Promise<ApplyResult> {
  const notes: string[] = [];
  const p = new Packer(PAYLOAD_BUDGET);
  const existing = (name: string): boolean => read.input.sheetNames.some((n) => same(n, name));

  const moves: RuleMove[] = [];
  ruleOps(p, plan, read, env, moves);
  validationOps(p, plan, read, notes);
  columnOps(p, plan);
  for (const tab of plan.tabs) tabOps(p, tab, existing(tab.name), read, env);
  if (plan.logAppend.length > 0 && !plan.tabs.some((t) => same(t.name, TAB_LOG))) {
    const width = plan.logAppend.reduce((w, r) => Math.max(w, r.length), 0);
    p.addBlock({ sheet: TAB_LOG, row: read.logRows, col: 0, rows: plan.logAppend, width, formats: null });
  }
  const chartTab = plan.tabs.find((t) => t.chart !== undefined || (t.charts?.length ?? 0) > 0);
  // Funnel charts came with ExcelApi 1.9; some hosts that report it still refuse them, so a bar chart is the fallback.
  const funnelFirst = env.isSetSupported("ExcelApi", "1.9");
  const reverse = env.isSetSupported("ExcelApi", "1.7");
  const specs = chartTab ? [...(chartTab.chart ? [chartTab.chart] : []), ...(chartTab.charts ?? [])] : [];
  const chartName = (spec: ChartSpec, i: number): string => (i === 0 && spec === chartTab?.chart ? CHART_NAME : (spec.id ?? `${CHART_NAME}-${i}`));

  const chunks = p.chunks.filter((c) => c.length > 0);
  const canPauseEvents = env.isSetSupported("ExcelApi", "1.8");
  const canPauseScreen = env.isSetSupported("ExcelApi", "1.9");
  let syncs = 0;
  let chart: ApplyResult["chart"] = null;
  let failure: unknown = null;
  try {
    for (let i = 0; i < chunks.length; i++) {
      if (i === 0 && canPauseEvents) ctx.runtime.enableEvents = false;
      // Once for the whole write: called for every chunk it makes the window flicker (the reference warns).
      if (i === 0 && canPauseScreen) ctx.application.suspendScreenUpdatingUntilNextSync();
      ctx.application.suspendApiCalculationUntilNextSync();
      for (const op of chunks[i] as Op[]) op.run(ctx);
      try {
        await ctx.sync();
      } finally {
        syncs++;
      }
      onProgress({ done: i + 1, total: chunks.length });
    }
    if (moves.length > 0) syncs += await movedRules(ctx, plan.sheet, moves, notes);
    if (chartTab)
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i] as ChartSpec;
        const drawn = await drawChart(ctx, chartTab, spec, chartName(spec, i), spec.type === "funnel" && funnelFirst, reverse);
        syncs += drawn.syncs;
        if (i === 0) chart = drawn.type;
        if (drawn.type === null) notes.push(`Excel could not draw the "${spec.title}" chart here; the figures are in the table beside it.`);
      }
  } catch (e) {
    failure = e;
  }
  // One closing round trip: events back on, the workbook recalculated (API calculation was suspended).
  if (canPauseEvents) ctx.runtime.enableEvents = true;
  ctx.application.calculate("Recalculate");
  if (failure === null) finish(ctx);
  try {
    await ctx.sync();
  } catch (e) {
    // Whatever else failed, events must come back on, or live stamping stops until the workbook is reopened.
    if (canPauseEvents) {
      ctx.runtime.enableEvents = true;
      await ctx.sync();
      syncs++;
    }
    if (failure === null) failure = e;
  }
  syncs++;
  if (failure !== null) throw failure;
  return { syncs, chunks: chunks.length, largestChunk: p.largestChunk, chart, notes };
}

/**
 * One chart in its own round trip: the funnel where the host draws it, else a bar chart; a chart that failed
 * after it was added is deleted again (by the name it was given first), so no run leaves one behind.
 */
async function drawChart(ctx: Excel.RequestContext, tab: TabWrite, spec: ChartSpec, name: string, funnel: boolean, reverse: boolean): Promise<{ type: "funnel" | "bar" | null; syncs: number }> {
  const tries: ("funnel" | "bar")[] = funnel && sideBySide(spec) !== null ? ["funnel", "bar"] : ["bar"];
  let syncs = 0;
  for (const type of tries) {
    chartOp(ctx, tab, spec, type, name, reverse);
    try {
      await ctx.sync();
      return { type: spec.type === "funnel" ? type : "bar", syncs: syncs + 1 };
    } catch (e) {
      syncs++;
      if (!isChartError(e)) throw e;
      if (!chartAddFailed(e)) {
        ctx.workbook.worksheets.getItem(tab.name).charts.getItem(name).delete();
        await ctx.sync();
        syncs++;
      }
    }
  }
  return { type: null, syncs };
}

/** The value Excel will hold for a plan cell; exported for the tests' expectations. */
export const excelValueOf = (c: Cell): string | number | boolean => {
  const v = toExcelValue(c, false);
  return typeof v === "string" && v.startsWith("'") ? v.slice(1) : v;
};
