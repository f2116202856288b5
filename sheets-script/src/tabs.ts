// The tabs pipesheet owns whole (review, settings, log): rewritten in one block, styled by 2-D arrays and range lists, chart replaced.
import { LOG_HEADER, parseA1, TAB_LOG, type Cell, type Grid, type TabFormat, type TabWrite } from "../../core/index.js";
import { findTab, tabOf, type Book, type Tab } from "./book.js";
import { toSheet, type SheetValue } from "./cells.js";
import { ensureSize } from "./columns.js";
import type { Sheet } from "./gas.js";
import { CHUNK_CELLS } from "./layout.js";
import type { Pace } from "./pace.js";

/** Empty rows left under a rewritten tab (room to add a stage in Pipeline Settings by typing). */
const ROOM_ROWS = 50;

/** Characters to pixels for column widths (Arial 10 in Sheets is about 7 px a character). */
const PX_PER_CHAR = 7;

/** Bottom-right corner (1-based row and column) of an A1 range such as "B3:D9" or "C4". */
export function rangeEnd(range: string): { row: number; col: number } {
  const parts = range.split(":");
  const end = parseA1(parts[parts.length - 1] ?? "");
  return end ? { row: end.row + 1, col: end.col + 1 } : { row: 1, col: 1 };
}

function insideAny(row: number, col: number, boxes: readonly [number, number, number, number][]): boolean {
  for (const [r0, c0, r1, c1] of boxes) if (row >= r0 && row <= r1 && col >= c0 && col <= c1) return true;
  return false;
}

function box(range: string): [number, number, number, number] {
  const [a, b] = range.split(":");
  const s = parseA1(a ?? "") ?? { row: 0, col: 0 };
  const e = parseA1(b ?? a ?? "") ?? s;
  return [s.row, s.col, e.row, e.col];
}

/** Creates a tab at the end of the workbook and records it, so later steps in the run see it. */
export function createTab(book: Book, name: string): Tab {
  const sheet = book.ss.insertSheet(name, book.complete ? book.tabs.length : book.ss.getNumSheets());
  const tab = tabOf(sheet, name);
  book.tabs.push(tab);
  return tab;
}

export function padGrid(values: Grid, width: number, textBoxes: readonly [number, number, number, number][], quote: (s: string) => string, firstRow = 0): SheetValue[][] {
  return values.map((row, r) => {
    const out: SheetValue[] = new Array<SheetValue>(width);
    for (let c = 0; c < width; c++) out[c] = toSheet(row[c] as Cell, textBoxes.length > 0 && insideAny(firstRow + r, c, textBoxes), quote);
    return out;
  });
}

function styleGroups(formats: readonly TabFormat[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const add = (key: string, range: string): void => {
    const list = groups.get(key) ?? [];
    list.push(range);
    groups.set(key, list);
  };
  for (const f of formats) {
    if (f.numberFormat !== undefined) add(`n:${f.numberFormat}`, f.range);
    if (f.bold) add("b:bold", f.range);
    if (f.italic) add("i:italic", f.range);
    if (f.fontSize !== undefined) add(`s:${f.fontSize}`, f.range);
    if (f.fill !== undefined) add(`f:${f.fill}`, f.range);
  }
  return groups;
}

/** Owned tabs are narrow: chunk them by cells only, so a log one row longer than the sheet is still one write. */
const rowsPerChunk = (width: number): number => Math.max(1, Math.floor(CHUNK_CELLS / width));

/** An owned tab gets exactly its content plus a little room (one call whether it must grow or shrink), and columns enough. */
function fitSize(sheet: Sheet, rows: number, cols: number): void {
  const max = sheet.getMaxRows();
  if (max < rows) sheet.insertRowsAfter(max, rows - max);
  else if (max > rows) sheet.deleteRows(rows + 1, max - rows);
  const maxCols = sheet.getMaxColumns();
  if (cols > maxCols) sheet.insertColumnsAfter(maxCols, cols - maxCols);
}

/** Above this many cells in their bounding box, bold/italic/fill stay range lists rather than 2-D arrays. */
const MAX_STYLE_BOX_CELLS = 100_000;

/**
 * Bold, italic and fills of the tab's formatted ranges as 2-D arrays over their bounding box: one getRange and one
 * call per kind instead of a getRangeList and a call per group. Cells outside every range get null, which resets
 * them to the default, as the tab was just cleared (or created). Groups are laid down in the order the range lists
 * would apply them, so overlapping ranges end the same. Null when the range lists take fewer calls.
 */
function styleArrays(groups: Map<string, string[]>): { box: [number, number, number, number]; weights: ("bold" | null)[][] | null; styles: ("italic" | null)[][] | null; fills: (string | null)[][] | null } | null {
  const kinds = new Set<string>();
  let lists = 0;
  let r0 = Infinity;
  let c0 = Infinity;
  let r1 = -1;
  let c1 = -1;
  for (const [key, ranges] of groups) {
    const kind = key.slice(0, 2);
    if (kind !== "b:" && kind !== "i:" && kind !== "f:") continue;
    kinds.add(kind);
    lists++;
    for (const range of ranges) {
      const [a, b, c, d] = box(range);
      r0 = Math.min(r0, a);
      c0 = Math.min(c0, b);
      r1 = Math.max(r1, c);
      c1 = Math.max(c1, d);
    }
  }
  if (lists === 0 || 1 + kinds.size >= 2 * lists) return null;
  const nr = r1 - r0 + 1;
  const nc = c1 - c0 + 1;
  if (nr * nc > MAX_STYLE_BOX_CELLS) return null;
  const grid = <T>(on: boolean): (T | null)[][] | null => (on ? Array.from({ length: nr }, () => new Array<T | null>(nc).fill(null)) : null);
  const weights = grid<"bold">(kinds.has("b:"));
  const styles = grid<"italic">(kinds.has("i:"));
  const fills = grid<string>(kinds.has("f:"));
  for (const [key, ranges] of groups) {
    const target: (string | null)[][] | null = key.startsWith("b:") ? weights : key.startsWith("i:") ? styles : key.startsWith("f:") ? fills : null;
    if (!target) continue;
    const value = key.startsWith("b:") ? "bold" : key.startsWith("i:") ? "italic" : key.slice(2);
    for (const range of ranges) {
      const [a, b, c, d] = box(range);
      for (let r = a; r <= c; r++) for (let col = b; col <= d; col++) (target[r - r0] as (string | null)[])[col - c0] = value;
    }
  }
  return { box: [r0, c0, nr, nc], weights, styles, fills };
}

/**
 * Rewrites an owned tab whole. Big values (the log's first snapshot of every deal) go in row chunks; when
 * time runs out it returns false, and the next part's plan simply appends the log rows still missing.
 */
export function writeTab(book: Book, tab: TabWrite, quote: (s: string) => string, pace: Pace): boolean {
  const width = Math.max(1, tab.values.reduce((w, r) => Math.max(w, r.length), 0));
  const height = tab.values.length;
  const step = rowsPerChunk(width);
  // Leave the tab untouched unless at least its first chunk (with the header) gets written now.
  if (!pace.fits(Math.min(height, step) * width)) return false;
  const existing = findTab(book, tab.name);
  const sheet = existing ? existing.sheet : createTab(book, tab.name).sheet;
  if (existing) {
    sheet.clear();
    // The tab is pipesheet's: any chart, filter or alternating colours on it are what a previous run made.
    for (const chart of sheet.getCharts()) sheet.removeChart(chart);
    sheet.getFilter()?.remove();
    for (const b of sheet.getBandings()) b.remove();
  }
  const anchor = tab.chart ? rangeEnd(tab.chart.anchor) : { row: 1, col: 1 };
  fitSize(sheet, Math.max(height, anchor.row) + ROOM_ROWS, Math.max(width, anchor.col + 6));
  if (tab.hidden) sheet.hideSheet();

  const groups = styleGroups(tab.formats);
  // Number formats first, so plain-text and date formats decide how the values are read.
  for (const [key, ranges] of groups) if (key.startsWith("n:")) sheet.getRangeList(ranges).setNumberFormat(key.slice(2));
  const textBoxes = tab.formats.filter((f) => f.numberFormat === "@").map((f) => box(f.range));
  for (let start = 0; start < height; start += step) {
    const end = Math.min(height, start + step);
    if (!pace.fits((end - start) * width)) return false;
    pace.chunk((end - start) * width, () => sheet.getRange(start + 1, 1, end - start, width).setValues(padGrid(tab.values.slice(start, end), width, textBoxes, quote, start)));
  }
  const arrays = styleArrays(groups);
  if (arrays) {
    const [r0, c0, nr, nc] = arrays.box;
    const range = sheet.getRange(r0 + 1, c0 + 1, nr, nc);
    if (arrays.weights) range.setFontWeights(arrays.weights);
    if (arrays.styles) range.setFontStyles(arrays.styles);
    if (arrays.fills) range.setBackgrounds(arrays.fills);
  }
  for (const [key, ranges] of groups) {
    const value = key.slice(2);
    if (arrays && (key.startsWith("b:") || key.startsWith("i:") || key.startsWith("f:"))) continue;
    if (key.startsWith("b:")) sheet.getRangeList(ranges).setFontWeight("bold");
    else if (key.startsWith("i:")) sheet.getRangeList(ranges).setFontStyle("italic");
    else if (key.startsWith("s:")) sheet.getRangeList(ranges).setFontSize(Number(value));
    else if (key.startsWith("f:")) sheet.getRangeList(ranges).setBackground(value);
  }
  // Adjacent columns of the same width in one call.
  const px = (tab.widths ?? []).map((chars) => Math.round(chars * PX_PER_CHAR + 10));
  for (let i = 0; i < px.length; ) {
    let j = i + 1;
    while (j < px.length && px[j] === px[i]) j++;
    if (j - i > 1) sheet.setColumnWidths(i + 1, j - i, px[i] as number);
    else sheet.setColumnWidth(i + 1, px[i] as number);
    i = j;
  }

  for (const c of [...(tab.chart ? [tab.chart] : []), ...(tab.charts ?? [])]) {
    const at = rangeEnd(c.anchor);
    // Sheets has no funnel chart: a bar chart in stage order, widest at the top, reads as one.
    const builder = c.type === "column" ? sheet.newChart().asColumnChart() : sheet.newChart().asBarChart();
    const chart = builder
      .addRange(sheet.getRange(c.categories))
      .addRange(sheet.getRange(c.values))
      .setPosition(at.row, at.col, 0, 0)
      .setOption("title", c.title)
      .setOption("legend", { position: "none" })
      .setOption("width", Math.round((c.width ?? 420) * 4 / 3))
      .setOption("height", Math.round((c.height ?? 260) * 4 / 3))
      .build();
    sheet.insertChart(chart);
  }
  tableStyles(book, sheet, tab);
  // A tab the user hid is shown again; a tab created just now is visible already.
  if (!tab.hidden && existing) sheet.showSheet();
  return true;
}

/**
 * Appends rows under the last row of the log tab, creating it (hidden, with its header) when missing.
 * In chunks: rows appended before time ran out are part of the snapshot the next part diffs against.
 */
export function appendLog(book: Book, rows: Grid, quote: (s: string) => string, pace: Pace | null): boolean {
  if (rows.length === 0) return true;
  let tab = findTab(book, TAB_LOG);
  if (!tab) {
    tab = createTab(book, TAB_LOG);
    tab.sheet.getRange(1, 1, 1, LOG_HEADER.length).setValues([LOG_HEADER.map(quote)]);
    tab.sheet.hideSheet();
  }
  const sheet = tab.sheet;
  const width = Math.max(LOG_HEADER.length, rows.reduce((w, r) => Math.max(w, r.length), 0));
  let last = sheet.getLastRow();
  if (last === 0) {
    // An emptied log tab: put the header back so the rows below it are read as entries.
    sheet.getRange(1, 1, 1, LOG_HEADER.length).setValues([LOG_HEADER.map(quote)]);
    last = 1;
  }
  ensureSize(sheet, last + rows.length, width);
  const step = rowsPerChunk(width);
  for (let start = 0; start < rows.length; start += step) {
    const end = Math.min(rows.length, start + step);
    if (pace && !pace.fits((end - start) * width)) return false;
    const write = (): void => void sheet.getRange(last + 1 + start, 1, end - start, width).setValues(padGrid(rows.slice(start, end), width, [], quote));
    if (pace) pace.chunk((end - start) * width, write);
    else write();
  }
  return true;
}

/**
 * Tables as Sheets has them: alternating colours on each, and the tab's one basic filter (Sheets allows one per
 * sheet) on the stuck list, the table a manager filters by owner, else the first. Stuck deals' names link to
 * their rows on the deals sheet (rich text, so the cell keeps its text).
 */
function tableStyles(book: Book, sheet: Sheet, tab: TabWrite): void {
  const tables = tab.tables ?? [];
  for (const t of tables) sheet.getRange(t.range).applyRowBanding(SpreadsheetApp.BandingTheme.LIGHT_GREY);
  const filtered = tables.find((t) => t.name.endsWith("Stuck")) ?? tables[0];
  if (filtered) sheet.getRange(filtered.range).createFilter();
  const links = tab.links ?? [];
  if (links.length === 0) return;
  const gids = new Map<string, number | null>();
  const gid = (name: string): number | null => {
    if (!gids.has(name)) gids.set(name, book.ss.getSheetByName(name)?.getSheetId() ?? null);
    return gids.get(name) ?? null;
  };
  // One call per run of linked cells in a column (the stuck list's names), not one per deal.
  const cells = links.map((l) => ({ l, at: rangeEnd(l.cell) })).sort((a, b) => a.at.col - b.at.col || a.at.row - b.at.row);
  for (let i = 0; i < cells.length; ) {
    let j = i + 1;
    while (j < cells.length && cells[j]?.at.col === cells[i]?.at.col && cells[j]?.at.row === (cells[j - 1]?.at.row ?? 0) + 1) j++;
    const run = cells.slice(i, j);
    const first = run[0]?.at ?? { row: 1, col: 1 };
    const texts = run.map(({ l, at }) => {
      const text = tab.values[at.row - 1]?.[at.col - 1];
      const id = gid(l.sheet);
      const b = SpreadsheetApp.newRichTextValue().setText(typeof text === "string" ? text : String(text ?? ""));
      return [(id === null ? b : b.setLinkUrl(`#gid=${id}&range=${l.target}`)).build()];
    });
    sheet.getRange(first.row, first.col, run.length, 1).setRichTextValues(texts);
    i = j;
  }
}
