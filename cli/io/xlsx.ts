// .xlsx in and out with exceljs: read the deals, settings and log tabs; apply a WorkbookPlan, touching only what pipesheet owns.
import { readFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import { colIndex, colName, parseA1 } from "../../core/a1.js";
import { LOG_HEADER } from "../../core/index.js";
import { RULE_PREFIX, TAB_LOG, TAB_REVIEW, TAB_SETTINGS, type Cell, type Grid, type TabWrite, type WorkbookPlan } from "../../core/types.js";
import { CliError, fromFsError } from "../errors.js";
import { packageCharts, type OwnChart } from "./own-charts.js";
import { addCharts } from "./xlsx-chart.js";
import { partsNotKept, zipEntryNames } from "./zip-parts.js";
import { writeFileAtomic } from "./atomic.js";

type Workbook = ExcelJS.Workbook;
type Worksheet = ExcelJS.Worksheet;

/** What exceljs keeps on a worksheet but leaves out of its type declarations. */
interface SheetInternals {
  conditionalFormattings: ExcelJS.ConditionalFormattingOptions[];
  dataValidations: { model: Record<string, ExcelJS.DataValidation | undefined> };
  orderNo: number;
}
const internals = (ws: Worksheet): SheetInternals => ws as unknown as SheetInternals;

export const OWN_TABS = [TAB_REVIEW, TAB_SETTINGS, TAB_LOG];
const isOwnTab = (name: string): boolean => OWN_TABS.some((t) => t.toLowerCase() === name.toLowerCase());

export interface LoadedWorkbook {
  wb: Workbook;
  /** Parts of the file exceljs cannot carry over into the copy it writes ("2 charts"). */
  notKept: string[];
  /** pipesheet's own charts in the file, to draw again where the plan does not rewrite their tab. */
  ownCharts: OwnChart[];
}

export async function readWorkbook(path: string): Promise<LoadedWorkbook> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw fromFsError(e, path, false);
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (e) {
    throw new CliError("UNREADABLE_FILE", `cannot read ${path}: it is not an .xlsx workbook (${e instanceof Error ? e.message : String(e)})`);
  }
  const names = zipEntryNames(buf);
  const charts = await packageCharts(buf, names);
  return { wb, notKept: partsNotKept(names, charts.own.length), ownCharts: charts.own };
}

export const loadWorkbook = async (path: string): Promise<Workbook> => (await readWorkbook(path)).wb;

/** exceljs gives date cells as UTC instants of the serial; core reads a Date's local calendar day, so move it there. */
const localDay = (d: Date): Date | null => (Number.isNaN(d.getTime()) ? null : new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** One exceljs cell value as the plain Cell core expects: formulas give their cached result, rich text its text. */
export function plainCell(v: ExcelJS.CellValue | undefined): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Date) return localDay(v);
  if (typeof v === "object") {
    if ("richText" in v) return v.richText.map((r) => r.text).join("");
    if ("formula" in v || "sharedFormula" in v) return plainCell((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ("hyperlink" in v) {
      const t = (v as ExcelJS.CellHyperlinkValue).text as unknown;
      return typeof t === "string" ? t : plainCell(t as ExcelJS.CellValue);
    }
    if ("error" in v) return (v as ExcelJS.CellErrorValue).error;
  }
  return null;
}

/** The sheet's values from A1 to its last used cell, as a dense grid. */
export function sheetGrid(ws: Worksheet, maxRows = Infinity): Grid {
  const grid: Grid = [];
  const last = Math.min(ws.rowCount, maxRows);
  for (let r = 1; r <= last; r++) {
    const row = ws.findRow(r);
    if (!row) {
      grid.push([]);
      continue;
    }
    const values = row.values as ExcelJS.CellValue[];
    const out: Cell[] = new Array<Cell>(Math.max(0, values.length - 1));
    for (let c = 1; c < values.length; c++) out[c - 1] = plainCell(values[c]);
    grid.push(out);
  }
  // Trailing rows with nothing in them (formatting only) are not part of the data.
  while (grid.length > 0 && (grid[grid.length - 1] as Cell[]).every((c) => c === null || c === undefined || c === "")) grid.pop();
  return grid;
}

export function findSheet(wb: Workbook, name: string): Worksheet | undefined {
  return wb.worksheets.find((w) => w.name.toLowerCase() === name.toLowerCase());
}

const DETECT_ROWS = 40;

/**
 * The deals sheet: the one named (case-insensitive), else the first sheet that maps as a deals sheet.
 * pipesheet's own tabs are never candidates.
 */
export function pickDealsSheet(wb: Workbook, requested: string | null, isDeals: (grid: Grid, name: string) => boolean, label: string): { ws: Worksheet; grid: Grid } {
  const names = wb.worksheets.map((w) => w.name);
  if (requested !== null) {
    const ws = findSheet(wb, requested);
    if (!ws) throw new CliError("NO_DEALS_SHEET", `no sheet "${requested}" in ${label} (sheets: ${names.join(", ") || "none"})`);
    return { ws, grid: sheetGrid(ws) };
  }
  for (const ws of wb.worksheets) {
    // The header row is near the top: judge each sheet by its first rows, read the whole grid of the one chosen.
    if (isOwnTab(ws.name) || !isDeals(sheetGrid(ws, DETECT_ROWS), ws.name)) continue;
    return { ws, grid: sheetGrid(ws) };
  }
  throw new CliError(
    "NO_DEALS_SHEET",
    `no deals sheet found in ${label}: no sheet has a header row with at least Deal name and Stage (sheets: ${names.join(", ") || "none"}); name one with --sheet`,
  );
}

// ------------------------------------------------------------------------------------------ writing

const argb = (hex: string): string => {
  const h = hex.replace(/^#/, "").toUpperCase();
  return h.length === 6 ? `FF${h}` : h.length === 8 ? h : "FF000000";
};

type Style = Partial<ExcelJS.Style>;

/**
 * Styles for the cells pipesheet writes, shared between alike cells. Two exceljs facts shape this:
 * cells read from a file share one style object per style id, so mutating a cell's numFmt would restyle the
 * team's cells too (styles are only ever replaced here, never mutated); and on save exceljs renders every
 * distinct style object to XML to find its id, which for a fresh object per cell takes minutes at 100k rows.
 */
export class SharedStyles {
  private readonly empty: Style = {};
  private readonly byFormat = new Map<string, Style>();
  private readonly derived = new WeakMap<Style, Map<string, Style>>();

  /** `current` with `numFmt` applied (when given), as an object every alike cell shares. */
  with(current: Style | undefined, numFmt?: string, extra?: Style): Style {
    const plain = current === undefined || Object.values(current).every((v) => v === undefined);
    if (extra !== undefined) return { ...(plain ? {} : current), ...extra, ...(numFmt !== undefined ? { numFmt } : {}) };
    if (plain) {
      if (numFmt === undefined) return this.empty;
      let s = this.byFormat.get(numFmt);
      if (!s) this.byFormat.set(numFmt, (s = { numFmt }));
      return s;
    }
    if (numFmt === undefined || current.numFmt === numFmt) return current;
    let m = this.derived.get(current);
    if (!m) this.derived.set(current, (m = new Map()));
    let s = m.get(numFmt);
    if (!s) m.set(numFmt, (s = { ...current, numFmt }));
    return s;
  }
}

/** What a plan value becomes in a cell: "" and null clear it. */
const cellValue = (v: Cell): ExcelJS.CellValue => (v === undefined || v === null || v === "" ? null : v);

function rangeBox(range: string): { top: number; left: number; bottom: number; right: number } | null {
  const [a, b] = range.split(":");
  const tl = parseA1(a ?? "");
  const br = b === undefined ? tl : parseA1(b);
  if (!tl || !br) return null;
  return { top: Math.min(tl.row, br.row), left: Math.min(tl.col, br.col), bottom: Math.max(tl.row, br.row), right: Math.max(tl.col, br.col) };
}

/** Boxes of a space-separated sqref ("A2:A9 C4"), or whole columns ("D:D"). */
function sqrefBoxes(sqref: string): { top: number; left: number; bottom: number; right: number }[] {
  const out = [];
  for (const part of sqref.split(/\s+/)) {
    const whole = /^\$?([A-Z]{1,3}):\$?([A-Z]{1,3})$/i.exec(part);
    if (whole) {
      out.push({ top: 0, left: colIndex(whole[1] as string), bottom: 1_048_575, right: colIndex(whole[2] as string) });
      continue;
    }
    const b = rangeBox(part.replace(/\$/g, ""));
    if (b) out.push(b);
  }
  return out;
}
const overlaps = (a: ReturnType<typeof rangeBox> & object, b: ReturnType<typeof rangeBox> & object): boolean =>
  a.left <= b.right && b.left <= a.right && a.top <= b.bottom && b.top <= a.bottom;

export interface ApplyReport {
  /** Things the user should know: what was kept or could not be written. */
  notes: string[];
  /** Charts to draw when saving (exceljs writes none itself). */
  charts: OwnChart[];
}

/** Owned columns of the deals sheet, per ColumnWrite mode. */
function writeColumns(ws: Worksheet, plan: WorkbookPlan, styles: SharedStyles): void {
  const headerRow = ws.getRow(plan.headerRow + 1);
  for (const cw of plan.columns) {
    const col = cw.col + 1;
    if (cw.created) {
      const cell = headerRow.getCell(col);
      cell.value = cw.header;
      // A new header looks like the team's own headers: copy the style of the header cell to its left.
      if (col > 1) {
        const left = headerRow.getCell(col - 1);
        if (left.style && Object.keys(left.style).length > 0) cell.style = structuredClone(left.style);
      }
      const column = ws.getColumn(col);
      if (column.width === undefined) column.width = Math.max(10, Math.min(40, cw.header.length + 4));
    }
    if (cw.mode === "header") continue;
    for (let i = 0; i < cw.values.length; i++) {
      const v = cw.values[i];
      if (cw.mode === "fill" && (v === null || v === undefined)) continue;
      const cell = ws.getRow(plan.headerRow + 2 + i).getCell(col);
      cell.value = cellValue(v ?? null);
      cell.style = styles.with(cell.style, cell.value === null ? undefined : cw.numberFormat);
    }
  }
}

/** pipesheet's own rules carry the marker text in their formula (see engine-api.md); everything else is the user's. */
const isOwnRule = (rule: ExcelJS.ConditionalFormattingRule): boolean =>
  "formulae" in rule && Array.isArray(rule.formulae) && rule.formulae.some((f) => typeof f === "string" && f.includes("pipesheet"));

function writeConditionalFormats(ws: Worksheet, plan: WorkbookPlan): void {
  const sheet = internals(ws);
  const kept: ExcelJS.ConditionalFormattingOptions[] = [];
  for (const cf of sheet.conditionalFormattings ?? []) {
    const rules = cf.rules.filter((r) => !isOwnRule(r));
    if (rules.length > 0) kept.push({ ...cf, rules });
  }
  sheet.conditionalFormattings = kept;
  for (const rule of plan.conditionalFormats) {
    ws.addConditionalFormatting({
      ref: rule.range,
      rules: [
        {
          type: "expression",
          // exceljs leaves priority to be filled in after the user's rules, so theirs keep precedence.
          priority: undefined as unknown as number,
          formulae: [rule.formula.excel.replace(/^=/, "")],
          style: {
            fill: { type: "pattern", pattern: "solid", bgColor: { argb: argb(rule.fill) } },
            font: { color: { argb: argb(rule.fontColor) } },
          },
        },
      ],
    });
  }
}

/** Excel caps an inline list at 255 characters and cannot hold a comma inside an item. */
const inlineList = (list: string[]): string | null => {
  if (list.some((x) => x.includes(","))) return null;
  const text = `"${list.map((x) => x.replace(/"/g, '""')).join(",")}"`;
  return text.length <= 257 ? text : null;
};

/** A column range on one of pipesheet's tabs that already holds the list, for lists too long to write inline. */
function listRange(wb: Workbook, plan: WorkbookPlan, list: string[]): string | null {
  for (const name of [TAB_SETTINGS]) {
    const tab = plan.tabs.find((t) => t.name === name);
    const grid = tab ? tab.values : (() => {
      const ws = findSheet(wb, name);
      return ws ? sheetGrid(ws) : null;
    })();
    if (!grid) continue;
    const first = list[0];
    for (let r = 0; r + list.length <= grid.length; r++) {
      const row = grid[r] as Cell[];
      for (let c = 0; c < row.length; c++) {
        if (row[c] !== first) continue;
        if (list.every((x, k) => (grid[r + k] as Cell[])[c] === x))
          return `'${name.replace(/'/g, "''")}'!$${colName(c)}$${r + 1}:$${colName(c)}$${r + list.length}`;
      }
    }
  }
  return null;
}

function writeValidations(wb: Workbook, ws: Worksheet, plan: WorkbookPlan, notes: string[]): void {
  const model = internals(ws).dataValidations.model;
  // exceljs expands a read range to one entry per cell; ours are told apart by their error title.
  for (const key of Object.keys(model)) {
    const v = model[key];
    if (!v || (v.errorTitle ?? "").startsWith(RULE_PREFIX)) delete model[key];
  }
  const userBoxes: { box: NonNullable<ReturnType<typeof rangeBox>>; at: string }[] = [];
  for (const key of Object.keys(model)) for (const box of sqrefBoxes(key)) userBoxes.push({ box, at: key });
  for (const rule of plan.validations) {
    const box = rangeBox(rule.range);
    if (!box) continue;
    const clash = userBoxes.find((u) => overlaps(u.box, box));
    if (clash) {
      notes.push(`kept your own drop-down at ${clash.at}; pipesheet's ${rule.id.slice(RULE_PREFIX.length)} list (${rule.range}) was not added there`);
      continue;
    }
    const formula = inlineList(rule.list) ?? listRange(wb, plan, rule.list);
    if (formula === null) {
      notes.push(`the ${rule.id.slice(RULE_PREFIX.length)} drop-down (${rule.range}) was left out: its list is too long for Excel to hold inline`);
      continue;
    }
    model[rule.range] = {
      type: "list",
      allowBlank: true,
      formulae: [formula],
      showErrorMessage: true,
      // strict=false: Excel warns but lets the team type their own vocabulary.
      errorStyle: rule.strict ? "stop" : "warning",
      errorTitle: rule.id.slice(0, 32),
      error: "This is not in pipesheet's list. Keep it anyway, or pick one from the drop-down.",
    };
  }
}

function emptyTab(wb: Workbook, name: string): Worksheet {
  const old = findSheet(wb, name);
  if (!old) return wb.addWorksheet(name);
  // Rewritten whole: a fresh sheet in the same place drops old values, styles, merges and widths in one go.
  const orderNo = internals(old).orderNo;
  wb.removeWorksheet(old.id);
  const ws = wb.addWorksheet(name);
  internals(ws).orderNo = orderNo;
  return ws;
}

function writeTab(wb: Workbook, tab: TabWrite, styles: SharedStyles): void {
  const ws = emptyTab(wb, tab.name);
  const width = tab.values.reduce((w, r) => Math.max(w, r.length), 0);
  tab.values.forEach((row, r) => {
    if (row.length === 0) return;
    const xr = ws.getRow(r + 1);
    for (let c = 0; c < width; c++) {
      const v = cellValue(row[c] ?? null);
      if (v === null) continue;
      const cell = xr.getCell(c + 1);
      cell.value = v;
      cell.style = styles.with(cell.style);
    }
  });
  for (const f of tab.formats) {
    const box = rangeBox(f.range);
    if (!box) continue;
    const font: Partial<ExcelJS.Font> = {
      ...(f.bold !== undefined ? { bold: f.bold } : {}),
      ...(f.italic !== undefined ? { italic: f.italic } : {}),
      ...(f.fontSize !== undefined ? { size: f.fontSize } : {}),
    };
    for (let r = box.top; r <= box.bottom; r++) {
      const xr = ws.getRow(r + 1);
      for (let c = box.left; c <= box.right; c++) {
        const cell = xr.getCell(c + 1);
        const extra: Style = {
          ...(Object.keys(font).length > 0 ? { font: { ...(cell.font ?? {}), ...font } } : {}),
          ...(f.fill !== undefined ? { fill: { type: "pattern", pattern: "solid", fgColor: { argb: argb(f.fill) } } as ExcelJS.Fill } : {}),
        };
        cell.style = Object.keys(extra).length > 0 ? styles.with(cell.style, f.numberFormat, extra) : styles.with(cell.style, f.numberFormat);
      }
    }
  }
  tab.widths?.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  ws.state = tab.hidden ? "hidden" : "visible";
}

function appendLog(wb: Workbook, rows: Grid, styles: SharedStyles): void {
  if (rows.length === 0) return;
  let ws = findSheet(wb, TAB_LOG);
  if (!ws) {
    ws = wb.addWorksheet(TAB_LOG);
    ws.state = "hidden";
    LOG_HEADER.forEach((h, c) => {
      const cell = (ws as Worksheet).getRow(1).getCell(c + 1);
      cell.value = h;
      cell.style = { font: { bold: true } };
    });
  }
  let last = ws.rowCount;
  while (last > 0 && !ws.findRow(last)?.hasValues) last--;
  const above = last > 1 ? ws.getRow(last) : null;
  rows.forEach((row, i) => {
    const xr = ws.getRow(last + 1 + i);
    row.forEach((v, c) => {
      const cell = xr.getCell(c + 1);
      cell.value = cellValue(v);
      // Appended rows continue the formats of the row above (e.g. the date format of "When").
      cell.style = styles.with(cell.style, above?.getCell(c + 1).numFmt || undefined);
    });
  });
}

/** Applies a WorkbookPlan to the workbook in memory. Nothing outside the owned columns, rules and tabs changes. */
export function applyPlan(wb: Workbook, plan: WorkbookPlan, styles = new SharedStyles()): ApplyReport {
  const notes: string[] = [];
  const ws = findSheet(wb, plan.sheet);
  if (!ws) throw new CliError("NO_DEALS_SHEET", `the deals sheet "${plan.sheet}" is not in the workbook`);
  writeColumns(ws, plan, styles);
  writeConditionalFormats(ws, plan);
  // New tabs go in reading order: the review first, then settings, then the hidden log.
  const rank = (t: TabWrite): number => OWN_TABS.findIndex((n) => n.toLowerCase() === t.name.toLowerCase());
  for (const tab of [...plan.tabs].sort((a, b) => rank(a) - rank(b))) writeTab(wb, tab, styles);
  writeValidations(wb, ws, plan, notes);
  appendLog(wb, plan.logAppend, styles);
  // The workbook opens on the deals sheet, not on a hidden log tab.
  const visible = wb.worksheets.filter((w) => w.state !== "hidden" && w.state !== "veryHidden");
  const active = wb.views?.[0]?.activeTab;
  if (active !== undefined && wb.worksheets[active]?.state === "hidden" && visible[0]) wb.views = [{ ...wb.views[0], activeTab: wb.worksheets.indexOf(visible[0]) } as ExcelJS.WorkbookView];
  const charts = plan.tabs.flatMap((t) => (t.chart ? [{ sheet: t.name, spec: t.chart }] : []));
  return { notes, charts };
}

/**
 * Writes next to the target and renames over it, so a failure never leaves half a workbook behind.
 * `charts` are drawn into the package after exceljs has written it (exceljs writes no charts).
 */
export async function saveWorkbook(wb: Workbook, path: string, charts: OwnChart[] = []): Promise<void> {
  try {
    // writeBuffer, not writeFile: exceljs's file stream never settles when the folder is missing.
    // Deflate level 1: exceljs compresses with a pure-JS zlib, where the default level costs seconds per 100k rows
    // for a file a few percent smaller.
    const raw = new Uint8Array((await wb.xlsx.writeBuffer({ zip: { compression: "DEFLATE", compressionOptions: { level: 1 } } } as ExcelJS.XlsxWriteOptions)) as ArrayBuffer);
    const live = charts.filter((c) => findSheet(wb, c.sheet) !== undefined);
    await writeFileAtomic(path, live.length > 0 ? await addCharts(raw, live) : raw);
  } catch (e) {
    throw fromFsError(e, path, true);
  }
}
