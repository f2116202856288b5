/// <reference types="office-js" />
// Reads what core needs in one round trip: the deals sheet from A1, the settings and log tabs, pipesheet's own
// rules and charts. Only sheets too big for one response are finished in further round trips, each under the limit.
import { pickActivitiesTab, RULE_PREFIX, TAB_ACTIVITIES, TAB_LOG, TAB_REVIEW, TAB_SETTINGS, type Grid, type WorkbookInput } from "../../core/index.js";
import { gridBytes } from "./json-size.js";

/** Excel on the web refuses requests and responses over 5 MB; stay well under it. */
export const PAYLOAD_BUDGET = 4 * 1024 * 1024;
/** Rows read in the first round trip; a typical deals sheet fits whole. */
export const FIRST_BLOCK_ROWS = 2000;
/** Columns whose drop-down marker is checked (pipesheet's rules sit in the first columns of any real sheet). */
export const MARKER_COLUMNS = 64;
/** Marker of pipesheet's chart on the review tab. */
export const CHART_NAME = `${RULE_PREFIX}review`;
/** Prefix of the review's table names (Excel table names allow no colon). */
export const TABLE_PREFIX = "Pipesheet";

export interface WorkbookRead {
  input: WorkbookInput;
  /** Rows in use on the log tab, where appended rows go. */
  logRows: number;
  /** The activity log tab, when the workbook has one (see readActivities). */
  activities: { sheet: string; values: Grid } | null;
  /** pipesheet's conditional formats on the deals sheet (found by the marker in their formula). */
  ownRules: Excel.ConditionalFormat[];
  /** pipesheet's charts on the review tab. */
  ownCharts: Excel.Chart[];
  /** pipesheet's tables on the review tab (named with TABLE_PREFIX). */
  ownTables: Excel.Table[];
  /**
   * Names of every other table in the workbook (the team's) and of its defined names: tables and defined names
   * share one name space, unique workbook-wide, case aside, so the review's tables must not take one of them.
   */
  otherTableNames: string[];
  /** Columns of the deals sheet whose drop-down carries pipesheet's marker. */
  ownValidationColumns: number[];
  /** Round trips the read took. */
  syncs: number;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

interface Block {
  used: Excel.Range;
  first: Excel.Range;
  bounds: Excel.Range;
  sheet: Excel.Worksheet;
}

function block(sheet: Excel.Worksheet, rows: number): Block {
  const used = sheet.getUsedRange(true).load("rowIndex,columnIndex,rowCount,columnCount");
  const bounds = sheet.getRange("A1").getBoundingRect(used);
  const first = bounds.getIntersection(sheet.getRange(`1:${rows}`)).load("values,rowCount");
  return { used, first, bounds, sheet };
}

interface Pending {
  grid: Grid;
  sheet: Excel.Worksheet;
  next: number;
  total: number;
  cols: number;
  bytesPerRow: number;
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}

/** Reads the rest of large sheets in round trips sized by the bytes per row seen in the first block. */
async function readRest(ctx: Excel.RequestContext, pending: Pending[]): Promise<number> {
  let syncs = 0;
  let factor = 1;
  for (;;) {
    const open = pending.filter((p) => p.next < p.total);
    if (open.length === 0) return syncs;
    let budget = PAYLOAD_BUDGET * factor;
    const parts: { p: Pending; range: Excel.Range; rows: number }[] = [];
    for (const p of open) {
      if (budget <= 0) break;
      const rows = Math.min(p.total - p.next, Math.max(1, Math.floor(budget / p.bytesPerRow)));
      budget -= rows * p.bytesPerRow;
      parts.push({ p, rows, range: p.sheet.getRangeByIndexes(p.next, 0, rows, p.cols).load("values") });
    }
    try {
      await ctx.sync();
    } catch (e) {
      // Cells much longer than the first block's: halve and try again.
      if (isCode(e, "ResponsePayloadSizeLimitExceeded") && factor > 1 / 64) {
        factor /= 2;
        syncs++;
        continue;
      }
      throw e;
    }
    syncs++;
    for (const { p, range, rows } of parts) {
      for (const row of range.values) p.grid.push(row);
      p.next += rows;
    }
  }
}

/** Loads of the first round trip. */
interface First {
  sheets: Excel.WorksheetCollection;
  deals: Block;
  settings: Block | null;
  log: Block | null;
  rules: Excel.ConditionalFormatCollection;
  charts: Excel.ChartCollection | null;
  tables: Excel.TableCollection | null;
  allTables: Excel.TableCollection;
  allNames: Excel.NamedItemCollection;
  markers: Excel.DataValidation[];
  activities: ActivitiesRead;
}

function queueFirst(ctx: Excel.RequestContext, sheetName: string, tabs: readonly string[], rows: number, ruleDetails: boolean): First {
  const has = (name: string): boolean => tabs.some((t) => same(t, name));
  const sheets = ctx.workbook.worksheets;
  sheets.load("items/name");
  const deals = block(sheets.getItem(sheetName), rows);
  const activities = startActivities(sheets, sheetName, tabs, rows);
  const settings = has(TAB_SETTINGS) && !same(sheetName, TAB_SETTINGS) ? block(sheets.getItem(TAB_SETTINGS), rows) : null;
  const log = has(TAB_LOG) && !same(sheetName, TAB_LOG) ? block(sheets.getItem(TAB_LOG), rows) : null;
  // Excel cannot read the details of some of the team's rules (office-js#6827, #6835); their id and type it can.
  const rules = deals.sheet.getRange().conditionalFormats.load(ruleDetails ? "items/id,items/type,items/customOrNullObject/rule/formula" : "items/id,items/type");
  const charts = has(TAB_REVIEW) ? sheets.getItem(TAB_REVIEW).charts.load("items/name") : null;
  const tables = has(TAB_REVIEW) ? sheets.getItem(TAB_REVIEW).tables.load("items/name") : null;
  const allTables = ctx.workbook.tables.load("items/name");
  const allNames = ctx.workbook.names.load("items/name");
  const lastRow = deals.bounds.getLastRow();
  const markers: Excel.DataValidation[] = [];
  for (let c = 0; c < MARKER_COLUMNS; c++) markers.push(lastRow.getCell(0, c).dataValidation.load("type,prompt"));
  return { sheets, deals, settings, log, rules, charts, tables, allTables, allNames, markers, activities };
}

const ownFormula = (f: string): boolean => f.includes(RULE_PREFIX);

/**
 * pipesheet's rules among Custom ones whose details the first read left out: all in one round trip, or,
 * when one of the team's rules cannot be read, one round trip each (a rule that cannot be read is not found).
 */
async function ownRulesById(ctx: Excel.RequestContext, rules: Excel.ConditionalFormatCollection): Promise<{ own: Excel.ConditionalFormat[]; syncs: number }> {
  const custom = rules.items.filter((cf) => cf.type === "Custom").map((cf) => cf.id);
  if (custom.length === 0) return { own: [], syncs: 0 };
  const load = (id: string): { cf: Excel.ConditionalFormat; rule: Excel.ConditionalFormatRule } => {
    const cf = rules.getItem(id);
    return { cf, rule: cf.custom.rule.load("formula") };
  };
  const all = custom.map(load);
  try {
    await ctx.sync();
    return { own: all.filter((x) => ownFormula(x.rule.formula)).map((x) => x.cf), syncs: 1 };
  } catch {
    const own: Excel.ConditionalFormat[] = [];
    let syncs = 1;
    for (const id of custom) {
      const one = load(id);
      try {
        await ctx.sync();
        if (ownFormula(one.rule.formula)) own.push(one.cf);
      } catch {
        // One of the team's rules Excel cannot read; pipesheet's own rules are Custom formulas it can.
      } finally {
        syncs++;
      }
    }
    return { own, syncs };
  }
}

/**
 * @param tabs names of the workbook's tabs as last seen; a pipesheet tab deleted since then makes the read
 *   fail with ItemNotFound, and the caller reads again with fresh names.
 */
export async function readWorkbook(ctx: Excel.RequestContext, sheetName: string, tabs: readonly string[]): Promise<WorkbookRead> {
  let rows = FIRST_BLOCK_ROWS;
  let ruleDetails = true;
  let tries = 0;
  let first: First;
  for (;;) {
    first = queueFirst(ctx, sheetName, tabs, rows, ruleDetails);
    tries++;
    try {
      await ctx.sync();
      break;
    } catch (e) {
      // A wide sheet's first rows can be more than Excel on the web sends in one response: read fewer, the rest follows in chunks.
      if (isCode(e, "ResponsePayloadSizeLimitExceeded") && rows > 1) rows = Math.max(1, Math.floor(rows / 8));
      else if (ruleDetails && !isCode(e, "ItemNotFound") && !isCode(e, "ResponsePayloadSizeLimitExceeded")) ruleDetails = false;
      else throw e;
    }
  }
  const { sheets, deals, settings, log, rules, charts, tables, allTables, allNames, markers, activities } = first;
  const byId = ruleDetails ? null : await ownRulesById(ctx, rules);

  const pending: Pending[] = [];
  const gridOf = (b: Block): Grid => {
    const grid: Grid = b.first.values.slice();
    const total = b.used.rowIndex + b.used.rowCount;
    if (total > grid.length) {
      const cols = b.used.columnIndex + b.used.columnCount;
      // 25 % headroom over the average row of the first block, as later rows may be longer.
      const bytesPerRow = Math.ceil((gridBytes(b.first.values as (string | number | boolean)[][]) / Math.max(1, grid.length)) * 1.25) + 8;
      pending.push({ grid, sheet: b.sheet, next: grid.length, total, cols, bytesPerRow });
    }
    return grid;
  };
  const dealsGrid = gridOf(deals);
  const settingsGrid = settings ? gridOf(settings) : null;
  const logGrid = log ? gridOf(log) : null;
  const activityGrid = activities.named ? { sheet: activities.named.name, values: gridOf(activities.named.block) } : null;
  const more = await readRest(ctx, pending);
  const found = activityGrid ? { values: activityGrid, syncs: 0 } : await finishActivities(ctx, activities, sheetName);

  const ownRules = byId ? byId.own : rules.items.filter((cf) => cf.type === "Custom" && !cf.customOrNullObject.isNullObject && ownFormula(cf.customOrNullObject.rule.formula));
  const ownCharts = charts ? charts.items.filter((ch) => ch.name.startsWith(RULE_PREFIX)) : [];
  const ownTables = tables ? tables.items.filter((t) => t.name.startsWith(TABLE_PREFIX)) : [];
  const otherTableNames = [...allTables.items.map((t) => t.name).filter((n) => !ownTables.some((o) => o.name === n)), ...allNames.items.map((n) => n.name)];
  const ownValidationColumns: number[] = [];
  markers.forEach((dv, c) => {
    if (dv.type !== "None" && dv.type !== "Inconsistent" && dv.prompt.title.startsWith(RULE_PREFIX)) ownValidationColumns.push(c);
  });
  const logRows = log ? log.used.rowIndex + log.used.rowCount : 0;
  return {
    input: {
      sheetName,
      deals: dealsGrid,
      settings: settingsGrid,
      log: logGrid,
      sheetNames: sheets.items.map((s) => s.name),
      activities: found.values,
    },
    activities: found.values,
    logRows: logGrid && logGrid.length === 1 && logGrid[0]?.every((c) => c === "") ? 0 : logRows,
    ownRules,
    ownCharts,
    ownTables,
    otherTableNames,
    ownValidationColumns,
    syncs: tries + (byId?.syncs ?? 0) + more + found.syncs,
  };
}

// ------------------------------------------------------------------ the activity log

/** Header rows looked at on each other tab to find the activity log by its headers. */
const HEAD_ROWS = 30;
const HEAD_COLS = 26;

interface ActivitiesRead {
  /** A tab called Activities is read whole in the first round trip. */
  named: { name: string; block: Block } | null;
  /** Otherwise the top rows of the team's other tabs, to find the log by its headers. */
  heads: { name: string; range: Excel.Range }[];
}

function startActivities(sheets: Excel.WorksheetCollection, dealsSheet: string, tabs: readonly string[], rows: number): ActivitiesRead {
  const own = [TAB_REVIEW, TAB_SETTINGS, TAB_LOG, dealsSheet];
  const named = tabs.find((t) => same(t, TAB_ACTIVITIES) && !same(t, dealsSheet));
  if (named !== undefined) return { named: { name: named, block: block(sheets.getItem(named), rows) }, heads: [] };
  const heads = tabs.filter((t) => !own.some((o) => same(o, t))).map((name) => ({ name, range: sheets.getItem(name).getRangeByIndexes(0, 0, HEAD_ROWS, HEAD_COLS).load("values") }));
  return { named: null, heads };
}

/** The tab found by its headers, read whole in one more round trip (only when the workbook has such a tab). */
async function finishActivities(ctx: Excel.RequestContext, a: ActivitiesRead, dealsSheet: string): Promise<{ values: { sheet: string; values: Grid } | null; syncs: number }> {
  const name = pickActivitiesTab(a.heads.map((h) => ({ name: h.name, values: h.range.values })), dealsSheet);
  if (name === null) return { values: null, syncs: 0 };
  const b = block(ctx.workbook.worksheets.getItem(name), FIRST_BLOCK_ROWS);
  await ctx.sync();
  const grid: Grid = b.first.values.slice();
  const pending: Pending[] = [];
  const total = b.used.rowIndex + b.used.rowCount;
  if (total > grid.length)
    pending.push({ grid, sheet: b.sheet, next: grid.length, total, cols: b.used.columnIndex + b.used.columnCount, bytesPerRow: Math.ceil((gridBytes(b.first.values as (string | number | boolean)[][]) / Math.max(1, grid.length)) * 1.25) + 8 });
  const more = await readRest(ctx, pending);
  return { values: { sheet: name, values: grid }, syncs: 1 + more };
}
