// A WorkbookPlan applied to a package: in the deals sheet only pipesheet's cells, rules, drop-downs and column widths
// change (every other byte of that part is copied as it was); pipesheet's tabs, drawing and chart are parts of their
// own; workbook, relationships, content types and styles get only the entries that list pipesheet's parts.
import { a1, colName, dealsWrites, EXCEL_EPOCH_OFFSET, LOG_HEADER, OWN_TABS, RULE_PREFIX, TAB_LOG, TAB_SETTINGS, type Cell, type Grid, type TabWrite, type ValueKind, type WorkbookPlan, type WriteBlock } from "../../../core/index.js";
import { isDateFormat, NS_REL, rangeBox, relsOf, relsXml, relTarget, type Book, type Box, type Layout, type SheetInfo } from "./book.js";
import type { SharedStrings } from "./sst.js";
import { dropTabParts, tabParts, type TabParts } from "./review-tab.js";
import { Styles, type Look } from "./styles.js";
import { Edits, esc, escText, Forward, kid, kids, local, parseTree, type El } from "./xml.js";
import type { Package } from "./zip.js";

const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";
const CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml";
const REL_STYLES = `${NS_REL}/styles`;

/** What of a WorkbookPlan the package needs. */
export type PlanParts = Pick<WorkbookPlan, "headerRow" | "rowCount" | "columns" | "conditionalFormats" | "validations" | "tabs" | "logAppend">;

/** Excel's limit for the text of one cell. */
export const MAX_TEXT = 32_767;

export { OWN_TABS };

/** Children of <worksheet> that come after the rules and drop-downs, in schema order. */
const AFTER_VALIDATIONS = [
  "hyperlinks",
  "printOptions",
  "pageMargins",
  "pageSetup",
  "headerFooter",
  "rowBreaks",
  "colBreaks",
  "customProperties",
  "cellWatches",
  "ignoredErrors",
  "smartTags",
  "drawing",
  "legacyDrawing",
  "legacyDrawingHF",
  "drawingHF",
  "picture",
  "oleObjects",
  "controls",
  "webPublishItems",
  "tableParts",
  "extLst",
];

export interface PatchContext {
  pkg: Package;
  book: Book;
  /** pipesheet's tab names as core knows them -> the names they have (or get) in this workbook. */
  tabNames: Record<string, string>;
  /** The grids of pipesheet's tabs as read (for a list range, and for appending log rows). */
  settingsGrid: Grid | null;
  logGrid: Grid | null;
  notes: string[];
  /** The shared strings the cells pipesheet writes point at (made from `book` by applyPlanToPackage). */
  sst: SharedStrings;
}


/** Boxes of a space-separated sqref ("A2:A9 C4 D:D"): whole columns stay one box, never a million cells. */
const sqrefBoxes = (sqref: string): Box[] => sqref.split(/\s+/).flatMap((p) => (p === "" ? [] : [rangeBox(p)].filter((b): b is Box => b !== null)));
const overlaps = (a: Box, b: Box): boolean => a.left <= b.right && b.left <= a.right && a.top <= b.bottom && b.top <= a.bottom;

/** A Date (local calendar day, as core and the reader use) as an Excel serial in the workbook's date system. */
const dateSerial = (d: Date, date1904: boolean): number => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000 + EXCEL_EPOCH_OFFSET - (date1904 ? 1462 : 0);

/** One cell's XML, or "" when it holds nothing and has no style. Text longer than Excel allows is cut. */
function cellXml(sst: SharedStrings, pre: string, ref: string, style: number, v: Cell, date1904: boolean, cut: (ref: string, length: number) => void): string {
  const s = style > 0 ? ` s="${style}"` : "";
  if (v === null || v === undefined || v === "") return s === "" ? "" : `<${pre}c r="${ref}"${s}/>`;
  if (typeof v === "number") return Number.isFinite(v) ? `<${pre}c r="${ref}"${s}><${pre}v>${v}</${pre}v></${pre}c>` : s === "" ? "" : `<${pre}c r="${ref}"${s}/>`;
  if (typeof v === "boolean") return `<${pre}c r="${ref}"${s} t="b"><${pre}v>${v ? 1 : 0}</${pre}v></${pre}c>`;
  if (v instanceof Date) return `<${pre}c r="${ref}"${s}><${pre}v>${dateSerial(v, date1904)}</${pre}v></${pre}c>`;
  let text = v;
  if (text.length > MAX_TEXT) {
    cut(ref, text.length);
    text = text.slice(0, MAX_TEXT);
  }
  return `<${pre}c r="${ref}"${s} t="s"><${pre}v>${sst.id(text)}</${pre}v></${pre}c>`;
}

function cutNote(ctx: PatchContext, sheet: string): (ref: string, length: number) => void {
  return (ref, length) => ctx.notes.push(`${sheet}!${ref} held ${length.toLocaleString("en")} characters; Excel keeps at most ${MAX_TEXT.toLocaleString("en")}, so the rest was cut`);
}

/** A formula pipesheet owns (its stuck helper column): written as a formula, for Excel to compute on open. */
function formulaXml(pre: string, ref: string, style: number, formula: string): string {
  const s = style > 0 ? ` s="${style}"` : "";
  return `<${pre}c r="${ref}"${s}><${pre}f>${esc(formula.replace(/^=/, ""))}</${pre}f></${pre}c>`;
}

/** A plan value of a date column is a 1900-system serial; a 1904 workbook counts from 1904-01-01. */
const planValue = (v: Cell, kind: ValueKind, date1904: boolean): Cell => (date1904 && kind === "date" && typeof v === "number" ? v - 1462 : v);

/** A sync edit's date (set with a date number format) is a 1900-system serial too. */
const inDateSystem = (v: Cell, numFmt: string | undefined, date1904: boolean): Cell =>
  date1904 && typeof v === "number" && numFmt !== undefined && isDateFormat(numFmt) ? v - 1462 : v;

// ------------------------------------------------------------------------------------------ the deals sheet

/** Index of the cell at (row, col) in the layout's cell arrays, or -1. */
function cellFinder(L: Layout): (row: number, col: number) => number {
  const rowAt = new Map<number, number>();
  L.rowNum.forEach((r, k) => rowAt.set(r, k));
  return (row, col) => {
    const k = rowAt.get(row);
    if (k === undefined) return -1;
    const end = k + 1 < L.rowFirstCell.length ? (L.rowFirstCell[k + 1] as number) : L.cellCol.length;
    for (let i = L.rowFirstCell[k] as number; i < end; i++) if (L.cellCol[i] === col) return i;
    return -1;
  };
}

const A1_IN_CELL = /(<(?:[\w.-]+:)?c\b[^>]*?\sr=")([A-Z]{1,3})(\d+)"/g;

/** The cells of one of pipesheet's columns, made on demand: the XML for a row, or null to leave it. */
interface ColumnSource {
  col: number;
  first: number;
  count: number;
  /** `idx`: the row's place in the layout's rows, or -1 when the sheet has no such row. */
  at(row: number, idx: number): string | null;
}

/** Index of the cell in column `col` of the layout's row `idx` (-1 for none). */
function cellIn(L: Layout, idx: number, col: number): number {
  if (idx < 0) return -1;
  const end = idx + 1 < L.rowFirstCell.length ? (L.rowFirstCell[idx + 1] as number) : L.cellCol.length;
  for (let i = L.rowFirstCell[idx] as number; i < end; i++) if (L.cellCol[i] === col) return i;
  return -1;
}

/**
 * Characters of output gathered before they are handed on to be deflated, as the pieces they are: deflateParts
 * encodes each piece into its own buffers, so joining them first would only leave a large string behind.
 */
const OUT_BATCH = 1 << 20;

/**
 * The content of sheetData with pipesheet's cells written, made as the sheet is streamed: each changed row is
 * rebuilt from its own text (the team's cells in it copied as they were), rows in `remove` are taken out and the
 * rows under them move up, every other stretch is copied as it was. Sets `out.formulaReplaced` when a formula was
 * overwritten. With `sheetData` written `<sheetData/>`, the whole element is made (there are no rows to copy).
 */
function* emitRows(text: Forward, L: Layout, sheetData: El, writes: Map<number, Write[]>, sources: ColumnSource[], remove: Set<number>, pre: string, out: { formulaReplaced: boolean }): Generator<string> {
  const selfClosingData = sheetData.closeStart === sheetData.end;
  const sortedRemoved = [...remove].sort((a, b) => a - b);
  const firstRemoved = sortedRemoved[0] ?? Infinity;
  let buf: string[] = [];
  let size = 0;
  const push = (t: string): void => {
    buf.push(t);
    size += t.length;
  };
  let at = selfClosingData ? sheetData.end : sheetData.openEnd;
  const copyTo = (to: number): void => {
    if (to > at) for (const piece of text.pieces(at, to)) push(piece);
    at = Math.max(at, to);
  };
  if (selfClosingData) push(L.text(sheetData.start, sheetData.openEnd).replace(/\s*\/>$/, ">"));
  const newRows: string[] = [];
  const flush = (pos: number): void => {
    if (newRows.length === 0) return;
    copyTo(pos);
    for (const r of newRows) push(r);
    newRows.length = 0;
  };
  // The rows to make, marked in one array by row number (a Set of a million numbers costs more than the rows).
  let last = -1;
  for (const r of writes.keys()) last = Math.max(last, r);
  for (const src of sources) last = Math.max(last, src.first + src.count - 1);
  if (sortedRemoved.length > 0) last = Math.max(last, ...L.rowNum.slice(-1));
  const marked = new Uint8Array(last + 1);
  for (const r of writes.keys()) marked[r] = 1;
  for (const src of sources) marked.fill(1, src.first, src.first + src.count);
  for (let k = 0; k < L.rowNum.length; k++) if ((L.rowNum[k] as number) > firstRemoved || remove.has(L.rowNum[k] as number)) marked[L.rowNum[k] as number] = 1;
  const rowAt = new Map<number, number>();
  L.rowNum.forEach((r, k) => rowAt.set(r, k));
  let k = 0;
  let shift = 0;
  for (let row = 0; row <= last; row++) {
    if (marked[row] !== 1) continue;
    if (size >= OUT_BATCH) {
      yield* buf;
      buf = [];
      size = 0;
    }
    while (shift < sortedRemoved.length && (sortedRemoved[shift] as number) < row) shift++;
    while (k < L.rowNum.length && (L.rowNum[k] as number) < row) {
      flush(L.rowStart[k] as number);
      k++;
    }
    const idx = rowAt.get(row);
    const list = [...(writes.get(row) ?? [])];
    for (const src of sources) {
      if (row < src.first || row >= src.first + src.count) continue;
      const x = src.at(row, idx ?? -1);
      if (x !== null) list.push({ col: src.col, xml: x });
    }
    list.sort((a, b) => a.col - b.col);
    const final = row - shift;
    if (idx === undefined) {
      const cells = list.map((w) => w.xml).join("");
      if (cells !== "") newRows.push(renumber(`<${pre}row r="${final + 1}">${cells}</${pre}row>`, row, final));
      continue;
    }
    const rowStart = L.rowStart[idx] as number;
    const rowEnd = L.rowEnd[idx] as number;
    flush(rowStart);
    copyTo(rowStart);
    at = rowEnd;
    if (remove.has(row)) continue;
    // The row's own text; positions in it are relative to its start.
    const xml = text.slice(rowStart, rowEnd);
    const first = L.rowFirstCell[idx] as number;
    const end = idx + 1 < L.rowFirstCell.length ? (L.rowFirstCell[idx + 1] as number) : L.cellCol.length;
    const openEnd = (L.rowOpenEnd[idx] as number) - rowStart;
    const closeStart = (L.rowCloseStart[idx] as number) - rowStart;
    let open = xml.slice(0, openEnd);
    const selfClosing = closeStart === xml.length;
    if (list.length > 0) {
      // spans is a hint of the row's first and last column; widen it rather than leave it wrong.
      const spans = /\bspans="(\d+):(\d+)"/.exec(open);
      const lastCol = (list[list.length - 1] as Write).col + 1;
      const firstCol = (list[0] as Write).col + 1;
      if (spans && (lastCol > Number(spans[2]) || firstCol < Number(spans[1])))
        open = open.replace(spans[0], `spans="${Math.min(firstCol, Number(spans[1]))}:${Math.max(lastCol, Number(spans[2]))}"`);
    }
    const parts: string[] = [selfClosing ? open.replace(/\s*\/>$/, ">") : open];
    let from = openEnd;
    let w = 0;
    for (let c = first; c < end; c++) {
      const col = L.cellCol[c] as number;
      const cs = (L.cellStart[c] as number) - rowStart;
      while (w < list.length && (list[w] as Write).col < col) {
        parts.push(xml.slice(from, cs), (list[w++] as Write).xml);
        from = cs;
      }
      if (w < list.length && (list[w] as Write).col === col) {
        if (L.cellFormula[c] === 1) out.formulaReplaced = true;
        parts.push(xml.slice(from, cs), (list[w++] as Write).xml);
        from = (L.cellEnd[c] as number) - rowStart;
      }
    }
    if (selfClosing) {
      while (w < list.length) parts.push((list[w++] as Write).xml);
      parts.push(`</${pre}row>`);
    } else {
      parts.push(xml.slice(from, closeStart));
      while (w < list.length) parts.push((list[w++] as Write).xml);
      parts.push(xml.slice(closeStart));
    }
    push(renumber(parts.join(""), row, final));
  }
  if (selfClosingData) {
    for (const r of newRows) push(r);
    push(`</${sheetData.name}>`);
  } else {
    flush(sheetData.closeStart);
    copyTo(sheetData.closeStart);
  }
  yield* buf;
}

/** A row moved up by removed rows above it: its number and its cells' references follow. */
function renumber(rowXml: string, row: number, final: number): string {
  if (row === final) return rowXml;
  const open = rowXml.indexOf(">");
  const head = rowXml.slice(0, open).replace(/\br="\d+"/, `r="${final + 1}"`);
  return head + rowXml.slice(open).replace(A1_IN_CELL, (_m, lead: string, col: string) => `${lead}${col}${final + 1}"`);
}

interface Write {
  col: number;
  xml: string;
}

/** Cells a sync writes into the deals sheet (any of them, the team's included), and rows it removes. */
export interface SheetEdit {
  cells: { row: number; col: number; value: Cell; numFmt?: string }[];
  /** 0-based rows to take out; the rows under them move up. */
  remove: number[];
}

/** The deals sheet as it will be, made as a stream when it is written; `formulaReplaced` is known once it has been. */
interface PatchedSheet {
  stream: () => Iterable<string>;
  state: { formulaReplaced: boolean };
}

function patchDeals(ctx: PatchContext, sheet: SheetInfo, L: Layout, plan: PlanParts, styles: Styles, edit: SheetEdit | null): PatchedSheet {
  const root = L.root;
  if (!root) throw new Error(`${sheet.name} is not a worksheet`);
  const pre = root.name.includes(":") ? `${root.name.slice(0, root.name.indexOf(":"))}:` : "";
  const date1904 = ctx.book.date1904;
  // Positions refer to the part's whole text; the edits around sheetData only ever read its head and tail.
  const edits = new Edits("");
  const cut = cutNote(ctx, sheet.name);

  const cellAt = cellFinder(L);
  // Cells to write, by row, each list in column order.
  const writes = new Map<number, Write[]>();
  const put = (row: number, col: number, cellXmlText: string): void => {
    let list = writes.get(row);
    if (!list) writes.set(row, (list = []));
    list.push({ col, xml: cellXmlText });
  };
  let maxCol = -1;
  let maxRow = -1;
  const sources: ColumnSource[] = [];
  // The cells are core's write blocks, as every host applies them (core/plan.ts): which cells, values and formats.
  const blocks = dealsWrites(plan);
  for (const h of blocks.headers) {
    const cells = h.values[0] ?? [];
    cells.forEach((header, k) => {
      const col = h.col + k;
      const left = col > 0 ? cellAt(h.row, col - 1) : -1;
      // A new header looks like the team's headers: the style of the header cell to its left.
      const style = left >= 0 ? (L.cellStyle[left] as number) : 0;
      put(h.row, col, cellXml(ctx.sst, pre, a1(h.row, col), style, header, date1904, cut));
      maxCol = Math.max(maxCol, col);
      maxRow = Math.max(maxRow, h.row);
    });
  }
  const widths = plan.columns.filter((cw) => cw.created).map((cw) => ({ col: cw.col, width: Math.max(10, Math.min(40, cw.header.length + 4)) }));
  for (const b of blocks.cells) {
    b.formats.forEach((numFmt, k) => {
      const col = b.col + k;
      for (let i = b.values.length - 1; i >= 0; i--) {
        const v = (b.values[i] as Cell[])[k];
        if (v !== null && v !== undefined && v !== "" && (b.keep?.[i]?.[k] ?? false) === false) {
          maxCol = Math.max(maxCol, col);
          maxRow = Math.max(maxRow, b.row + i);
          break;
        }
      }
      sources.push(blockColumn(ctx, L, styles, b, k, numFmt, pre, date1904, cut));
    });
  }

  for (const c of edit?.cells ?? []) {
    const at = cellAt(c.row, c.col);
    const old = at >= 0 ? (L.cellStyle[at] as number) : 0;
    const style = c.numFmt === undefined ? old : styles.cell(old, { numFmt: c.numFmt });
    put(c.row, c.col, cellXml(ctx.sst, pre, a1(c.row, c.col), style, inDateSystem(c.value, c.numFmt, date1904), date1904, cut));
    if (c.value !== null && c.value !== "") {
      maxCol = Math.max(maxCol, c.col);
      maxRow = Math.max(maxRow, c.row);
    }
  }
  const sheetData = L.top.find((e) => local(e.name) === "sheetData");
  if (!sheetData) throw new Error(`${sheet.name} has no sheetData`);
  const state = { formulaReplaced: false };
  const remove = new Set(edit?.remove ?? []);
  let text: Forward | null = null;
  const selfClosingData = sheetData.closeStart === sheetData.end;
  // Rows are made only as the sheet is streamed out: a million-row sheet is never one text, in or out.
  edits.replaceLazy(selfClosingData ? sheetData.start : sheetData.openEnd, selfClosingData ? sheetData.end : sheetData.closeStart, () =>
    emitRows(text as Forward, L, sheetData, writes, sources, remove, pre, state),
  );
  // The used-range hint covers the new columns.
  const dim = L.top.find((e) => local(e.name) === "dimension");
  if (dim && maxCol >= 0) {
    const box = rangeBox(dim.attrs.ref ?? "");
    if (box && (maxCol > box.right || maxRow > box.bottom)) {
      const ref = `${a1(box.top, box.left)}:${a1(Math.max(box.bottom, maxRow), Math.max(box.right, maxCol))}`;
      edits.replace(dim.start, dim.openEnd, L.text(dim.start, dim.openEnd).replace(/\bref="[^"]*"/, `ref="${ref}"`));
    }
  }
  if (edit === null) {
    patchCols(edits, L, widths, pre, sheetData);
    const rulesAnchor = anchorAfter(L, ["dataValidations", ...AFTER_VALIDATIONS]);
    patchRules(edits, L, plan, styles, pre, rulesAnchor);
    patchValidations(ctx, edits, L, plan, pre, rulesAnchor);
  }
  return {
    stream: () => {
      const forward = new Forward(L.source());
      text = forward;
      return edits.stream((from, to) => forward.pieces(from, to), L.length);
    },
    state,
  };
}

/** One column of a write block as cells made on demand; a cell under `keep` is the team's and left as it is. */
function blockColumn(ctx: PatchContext, L: Layout, styles: Styles, b: WriteBlock, k: number, numFmt: string | null, pre: string, date1904: boolean, cut: (ref: string, length: number) => void): ColumnSource {
  const col = b.col + k;
  const letter = colName(col);
  const kind = b.kinds[k] ?? "any";
  // The style each of the team's styles becomes with the block's number format, worked out once per style.
  const withFormat = new Map<number, number>();
  const styleOf = (old: number): number => {
    if (numFmt === null) return old;
    let s = withFormat.get(old);
    if (s === undefined) withFormat.set(old, (s = styles.cell(old, { numFmt })));
    return s;
  };
  return {
    col,
    first: b.row,
    count: b.values.length,
    at: (row, idx) => {
      const i = row - b.row;
      if (b.keep?.[i]?.[k] === true) return null;
      const v = (b.values[i] as Cell[])[k];
      if (v === null || v === undefined) return null;
      const at = cellIn(L, idx, col);
      const old = at >= 0 ? (L.cellStyle[at] as number) : 0;
      // The number format goes on the cells that hold a value; an emptied cell keeps the style it had.
      const style = v === "" ? old : styleOf(old);
      if (kind === "formula" && typeof v === "string" && v.startsWith("=")) return formulaXml(pre, `${letter}${row + 1}`, style, v);
      return cellXml(ctx.sst, pre, `${letter}${row + 1}`, style, planValue(v, kind, date1904), date1904, cut);
    },
  };
}

/** Where an element goes that precedes all of `following`: before the first of them there is, else before </worksheet>. */
function anchorAfter(L: Layout, following: string[]): number {
  const next = L.top.find((e) => following.includes(local(e.name)));
  return next ? next.start : (L.root as El).closeStart;
}

function patchCols(edits: Edits, L: Layout, widths: { col: number; width: number }[], pre: string, sheetData: El): void {
  const cols = L.top.find((e) => local(e.name) === "cols");
  const existing = cols ? kids(cols, "col") : [];
  const todo = widths.filter((w) => !existing.some((c) => Number(c.attrs.min) - 1 <= w.col && w.col <= Number(c.attrs.max) - 1));
  if (todo.length === 0) return;
  const colXml = (w: { col: number; width: number }): string => `<${pre}col min="${w.col + 1}" max="${w.col + 1}" width="${w.width}" customWidth="1"/>`;
  if (!cols) {
    edits.insert(sheetData.start, `<${pre}cols>${todo.map(colXml).join("")}</${pre}cols>`);
    return;
  }
  for (const w of todo.sort((a, b) => a.col - b.col)) {
    const after = existing.find((c) => Number(c.attrs.min) - 1 > w.col);
    edits.insert(after ? after.start : cols.closeStart, colXml(w));
  }
}

/** pipesheet's own conditional-format rules carry "pipesheet" in their formula (the N("pipesheet:…") marker). */
const isOwnRule = (rule: El): boolean => kids(rule, "formula").some((f) => f.text.includes("pipesheet"));

function patchRules(edits: Edits, L: Layout, plan: PlanParts, styles: Styles, pre: string, anchor: number): void {
  const blocks = L.top.filter((e) => local(e.name) === "conditionalFormatting");
  let priority = 0;
  for (const cf of blocks) {
    const rules = kids(cf, "cfRule");
    const own = rules.filter(isOwnRule);
    for (const r of rules) if (!own.includes(r)) priority = Math.max(priority, Number(r.attrs.priority ?? 0));
    if (own.length === 0) continue;
    if (own.length === rules.length) edits.remove(cf);
    else for (const r of own) edits.remove(r);
  }
  if (plan.conditionalFormats.length === 0) return;
  const kept = blocks.filter((cf) => !kids(cf, "cfRule").every(isOwnRule));
  const at = kept.length > 0 ? (kept[kept.length - 1] as El).end : anchor;
  // The team's rules keep precedence: pipesheet's come after the highest priority in the sheet.
  const xml = plan.conditionalFormats
    .map((rule) => {
      const dxf = styles.dxf(rule.fill, rule.fontColor);
      return `<${pre}conditionalFormatting sqref="${esc(rule.range)}"><${pre}cfRule type="expression" dxfId="${dxf}" priority="${++priority}"><${pre}formula>${escText(rule.formula.excel.replace(/^=/, ""))}</${pre}formula></${pre}cfRule></${pre}conditionalFormatting>`;
    })
    .join("");
  edits.insert(at, xml);
}

/** Excel caps an inline list at 255 characters and cannot hold a comma inside an item. */
const inlineList = (list: string[]): string | null => {
  if (list.some((x) => x.includes(","))) return null;
  const text = `"${list.map((x) => x.replace(/"/g, '""')).join(",")}"`;
  return text.length <= 257 ? text : null;
};

/** A column range on the settings tab that already holds the list, for lists too long to write inline. */
function listRange(ctx: PatchContext, plan: PlanParts, list: string[]): string | null {
  const name = ctx.tabNames[TAB_SETTINGS] ?? TAB_SETTINGS;
  const grid = plan.tabs.find((t) => t.name === TAB_SETTINGS)?.values ?? ctx.settingsGrid;
  if (!grid || list.length === 0) return null;
  const first = list[0];
  for (let r = 0; r + list.length <= grid.length; r++) {
    const row = grid[r] as Cell[];
    for (let c = 0; c < row.length; c++) {
      if (row[c] !== first) continue;
      if (list.every((x, k) => (grid[r + k] as Cell[])[c] === x)) return `'${name.replace(/'/g, "''")}'!$${colName(c)}$${r + 1}:$${colName(c)}$${r + list.length}`;
    }
  }
  return null;
}

function patchValidations(ctx: PatchContext, edits: Edits, L: Layout, plan: PlanParts, pre: string, anchor: number): void {
  const block = L.top.find((e) => local(e.name) === "dataValidations");
  const all = block ? kids(block, "dataValidation") : [];
  // pipesheet's drop-downs are told apart by their error title.
  const own = all.filter((v) => (v.attrs.errorTitle ?? "").startsWith(RULE_PREFIX));
  const team = all.filter((v) => !own.includes(v));
  if (own.length === 0 && plan.validations.length === 0) return;
  const teamBoxes = team.flatMap((v) => sqrefBoxes(v.attrs.sqref ?? "").map((box) => ({ box, at: v.attrs.sqref ?? "" })));
  const added: string[] = [];
  for (const rule of plan.validations) {
    const box = rangeBox(rule.range);
    if (!box) continue;
    const clash = teamBoxes.find((u) => overlaps(u.box, box));
    if (clash) {
      ctx.notes.push(`kept your own drop-down at ${clash.at}; pipesheet's ${rule.id.slice(RULE_PREFIX.length)} list (${rule.range}) was not added there`);
      continue;
    }
    const formula = inlineList(rule.list) ?? listRange(ctx, plan, rule.list);
    if (formula === null) {
      ctx.notes.push(`the ${rule.id.slice(RULE_PREFIX.length)} drop-down (${rule.range}) was left out: its list is too long for Excel to hold inline`);
      continue;
    }
    // errorStyle warning: Excel warns but lets the team type their own vocabulary.
    added.push(
      `<${pre}dataValidation type="list" errorStyle="${rule.strict ? "stop" : "warning"}" allowBlank="1" showErrorMessage="1" errorTitle="${esc(rule.id.slice(0, 32))}" error="${esc("This is not in pipesheet's list. Keep it anyway, or pick one from the drop-down.")}" sqref="${esc(rule.range)}"><${pre}formula1>${escText(formula)}</${pre}formula1></${pre}dataValidation>`,
    );
  }
  if (!block) {
    if (added.length > 0) edits.insert(anchor, `<${pre}dataValidations count="${added.length}">${added.join("")}</${pre}dataValidations>`);
    return;
  }
  const count = team.length + added.length;
  if (count === 0) {
    edits.remove(block);
    return;
  }
  for (const v of own) edits.remove(v);
  const open = L.text(block.start, block.openEnd);
  const withCount = /\bcount="[^"]*"/.test(open) ? open.replace(/\bcount="[^"]*"/, `count="${count}"`) : open.replace(/\/?>$/, (m) => ` count="${count}"${m}`);
  if (block.closeStart === block.end) edits.replace(block.start, block.end, `${withCount.replace(/\/>$/, ">")}${added.join("")}</${block.name}>`);
  else {
    edits.replace(block.start, block.openEnd, withCount);
    if (added.length > 0) edits.insert(block.closeStart, added.join(""));
  }
}

// ------------------------------------------------------------------------------------------ pipesheet's tabs

/** A tab's sheet XML as pieces (its head, then a piece per row, then its end): a log of a million rows is never one text. */
function tabXml(sst: SharedStrings, tab: TabWrite, styles: Styles, date1904: boolean, own: TabParts, cut: (ref: string, length: number) => void): string[] {
  // Formats are few and cells many (the log has one row per move): each cell looks its formats up, in order.
  const boxes = tab.formats.flatMap((f) => {
    const box = rangeBox(f.range);
    return box ? [{ box, f }] : [];
  });
  // Linked cells (stuck deals' names) look like links: underlined, in the hyperlink blue.
  const linked = new Set((tab.links ?? []).map((l) => l.cell));
  const lookAt = (r: number, c: number): Look | undefined => {
    let look: Look | undefined = linked.size > 0 && linked.has(a1(r, c)) ? { link: true } : undefined;
    for (const { box, f } of boxes) {
      if (r < box.top || r > box.bottom || c < box.left || c > box.right) continue;
      look ??= {};
      if (f.bold !== undefined) look.bold = f.bold;
      if (f.italic !== undefined) look.italic = f.italic;
      if (f.fontSize !== undefined) look.size = f.fontSize;
      if (f.numberFormat !== undefined) look.numFmt = f.numberFormat;
      if (f.fill !== undefined) look.fill = f.fill;
    }
    return look;
  };
  // rows[0] is the head, made last: its dimension names the last column written.
  const rows: string[] = [""];
  let lastCol = 0;
  // A formatted empty cell is still written, with its style; a format over whole columns reaches the values only.
  const finite = boxes.filter(({ box }) => box.bottom < 1_048_575 && box.right < 16_383);
  const height = Math.max(tab.values.length, ...finite.map(({ box }) => box.bottom + 1));
  for (let r = 0; r < height; r++) {
    const row = tab.values[r] ?? [];
    const cells: string[] = [];
    let width = row.length;
    for (const { box } of finite) if (r >= box.top && r <= box.bottom) width = Math.max(width, box.right + 1);
    for (let c = 0; c < width; c++) {
      const look = lookAt(r, c);
      const style = look ? styles.cell(0, look) : 0;
      const x = cellXml(sst, "", a1(r, c), style, inDateSystem(row[c] ?? null, look?.numFmt, date1904), date1904, cut);
      if (x !== "") {
        cells.push(x);
        lastCol = Math.max(lastCol, c);
      }
    }
    if (cells.length > 0) rows.push(`<row r="${r + 1}">${cells.join("")}</row>`);
  }
  const cols = (tab.widths ?? []).map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join("");
  rows[0] = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><dimension ref="A1:${a1(Math.max(0, height - 1), lastCol)}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>${cols === "" ? "" : `<cols>${cols}</cols>`}<sheetData>`;
  rows.push(`</sheetData>${own.hyperlinks}<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>${own.drawing}${own.tableParts}</worksheet>`);
  return rows;
}

/** The log tab as it will be: what it held, the new rows after it, "When" as a date. */
function logTab(ctx: PatchContext, rows: Grid, hidden: boolean): TabWrite {
  const old = ctx.logGrid && ctx.logGrid.length > 0 ? ctx.logGrid : [LOG_HEADER];
  let last = old.length;
  while (last > 1 && (old[last - 1] ?? []).every((c) => c === null || c === undefined || c === "")) last--;
  const values = [...old.slice(0, last), ...rows];
  const when = LOG_HEADER.indexOf("When");
  return {
    name: TAB_LOG,
    values,
    hidden,
    formats: [
      { range: `A1:${colName(LOG_HEADER.length - 1)}1`, bold: true },
      ...(values.length > 1 ? [{ range: `${colName(when)}2:${colName(when)}${values.length}`, numberFormat: "yyyy-mm-dd" }] : []),
    ],
  };
}

// ------------------------------------------------------------------------------------------ the package

class Parts {
  private readonly types: string;
  private readonly typesTree: El;
  private readonly addTypes: string[] = [];
  private readonly dropTypes = new Set<string>();
  constructor(private readonly pkg: Package) {
    this.types = pkg.text("[Content_Types].xml") ?? "";
    this.typesTree = parseTree(this.types);
  }
  free(prefix: string, ext: string): string {
    for (let n = 1; ; n++) {
      const name = `${prefix}${n}${ext}`;
      if (!this.pkg.has(name)) return name;
    }
  }
  add(name: string, content: string | string[], type: string): void {
    this.pkg.set(name, content);
    if (!kids(this.typesTree, "Override").some((o) => o.attrs.PartName === `/${name}`)) this.addTypes.push(`<Override PartName="/${esc(name)}" ContentType="${type}"/>`);
    this.dropTypes.delete(`/${name}`);
  }
  /** A large part (a tab's rows), deflated now so that its text can go. */
  async addStreamed(name: string, pieces: string[], type: string): Promise<void> {
    this.add(name, pieces, type);
    await this.pkg.setStreamed(name, () => pieces);
  }
  drop(name: string): void {
    this.pkg.delete(name);
    this.dropTypes.add(`/${name}`);
  }
  finish(): void {
    if (this.addTypes.length === 0 && this.dropTypes.size === 0) return;
    const edits = new Edits(this.types);
    for (const o of kids(this.typesTree, "Override")) if (this.dropTypes.has(o.attrs.PartName ?? "")) edits.remove(o);
    if (this.addTypes.length > 0) edits.insert(this.typesTree.closeStart, this.addTypes.join(""));
    this.pkg.set("[Content_Types].xml", edits.apply());
  }
}

/** Writes one of pipesheet's tabs as its sheet part (where a tab's parts go into the package). */
async function writeTab(parts: Parts, part: string, xml: string[]): Promise<void> {
  await parts.addStreamed(part, xml, CT_SHEET);
}

/** Applies the plan to the package in memory; returns notes for the user. */
export async function applyPlanToPackage(ctx: PatchContext, deals: { sheet: SheetInfo; layout: Layout }, plan: PlanParts, edit: SheetEdit | null = null): Promise<void> {
  const { pkg, book } = ctx;
  const parts = new Parts(pkg);
  const stylesPart = book.relPart("/styles");
  const styles = new Styles(stylesPart ? pkg.text(stylesPart) : null);

  const patched = patchDeals(ctx, deals.sheet, deals.layout, plan, styles, edit);
  // Streamed and deflated now, before the shared strings and styles its cells add to are written.
  await pkg.setStreamed(deals.sheet.part, patched.stream);
  // calcChain lists formula cells; one pipesheet overwrote with a value would make Excel repair the file.
  const calcChain = book.relPart("/calcChain");
  const dropCalcChain = patched.state.formulaReplaced && calcChain !== null;

  const tabs = [...plan.tabs];
  if (plan.logAppend.length > 0 && !tabs.some((t) => t.name === TAB_LOG)) {
    const existing = book.find(ctx.tabNames[TAB_LOG] ?? TAB_LOG);
    tabs.push(logTab(ctx, plan.logAppend, existing ? existing.state !== "visible" : true));
  }
  const rank = (t: TabWrite): number => OWN_TABS.indexOf(t.name);
  tabs.sort((a, b) => rank(a) - rank(b));

  const wbTree = parseTree(book.workbookXml);
  const wbEdits = new Edits(book.workbookXml);
  const sheetsEl = kid(wbTree, "sheets");
  if (!sheetsEl) throw new Error("workbook.xml lists no sheets");
  const relPrefix = Object.entries(wbTree.attrs).find(([k, v]) => k.startsWith("xmlns:") && v === NS_REL)?.[0].slice(6);
  const wbRelsPath = relsOf(book.workbookPart);
  const wbRelsXml = pkg.text(wbRelsPath) ?? relsXml([]);
  const wbRelsTree = parseTree(wbRelsXml);
  const rids = new Set(kids(wbRelsTree, "Relationship").map((r) => r.attrs.Id ?? ""));
  const newRels: string[] = [];
  const freeRid = (): string => {
    for (let n = rids.size + 1; ; n++)
      if (!rids.has(`rId${n}`)) {
        rids.add(`rId${n}`);
        return `rId${n}`;
      }
  };
  let sheetId = Math.max(0, ...book.sheets.map((s) => s.sheetId));
  const newSheets: string[] = [];
  const sheetEls = kids(sheetsEl, "sheet");

  for (const tab of tabs) {
    const name = ctx.tabNames[tab.name] ?? tab.name;
    const existing = book.sheets.find((s) => s.name === name);
    let part: string;
    if (existing && existing.worksheet && existing.part !== "") {
      part = existing.part;
      dropTabParts(pkg, parts, part);
      const el = sheetEls.find((s) => s.attrs.name === existing.name);
      const state = tab.hidden ? "hidden" : null;
      if (el && (el.attrs.state ?? null) !== state) {
        const open = book.workbookXml.slice(el.start, el.openEnd);
        const without = open.replace(/\s+state="[^"]*"/, "");
        wbEdits.replace(el.start, el.openEnd, state ? without.replace(/\s*(\/?)>$/, ` state="${state}"$1>`) : without);
      }
    } else {
      part = parts.free("xl/worksheets/sheet", ".xml");
      const rid = freeRid();
      newRels.push(`<Relationship Id="${rid}" Type="${NS_REL}/worksheet" Target="${esc(relTarget(book.workbookPart, part))}"/>`);
      const ridAttr = relPrefix ? `${relPrefix}:id="${rid}"` : `xmlns:r="${NS_REL}" r:id="${rid}"`;
      newSheets.push(`<sheet name="${esc(name)}" sheetId="${++sheetId}"${tab.hidden ? ' state="hidden"' : ""} ${ridAttr}/>`);
    }
    const own = tabParts({ pkg, parts, sheetPart: part, sheetName: name, tab, tabNames: ctx.tabNames, workbookXml: book.workbookXml, notes: ctx.notes });
    await writeTab(parts, part, tabXml(ctx.sst, own.tab, styles, book.date1904, own, cutNote(ctx, name)));
  }

  if (newSheets.length > 0) {
    if (sheetsEl.closeStart === sheetsEl.end) wbEdits.replace(sheetsEl.start, sheetsEl.end, `<${sheetsEl.name}>${newSheets.join("")}</${sheetsEl.name}>`);
    else wbEdits.insert(sheetsEl.closeStart, newSheets.join(""));
  }
  if (ctx.sst.changed) {
    const sstPart = book.relPart("/sharedStrings");
    if (sstPart) pkg.set(sstPart, ctx.sst.toXml(pkg.text(sstPart)));
    else {
      parts.add("xl/sharedStrings.xml", ctx.sst.toXml(null), CT_SST);
      newRels.push(`<Relationship Id="${freeRid()}" Type="${NS_REL}/sharedStrings" Target="${esc(relTarget(book.workbookPart, "xl/sharedStrings.xml"))}"/>`);
    }
  }
  if (styles.changed) {
    if (stylesPart) pkg.set(stylesPart, styles.toXml());
    else {
      parts.add("xl/styles.xml", styles.toXml(), CT_STYLES);
      newRels.push(`<Relationship Id="${freeRid()}" Type="${REL_STYLES}" Target="${esc(relTarget(book.workbookPart, "xl/styles.xml"))}"/>`);
    }
  }
  const relEdits = new Edits(wbRelsXml);
  if (dropCalcChain && calcChain) {
    parts.drop(calcChain);
    const rel = kids(wbRelsTree, "Relationship").find((r) => (r.attrs.Type ?? "").endsWith("/calcChain"));
    if (rel) relEdits.remove(rel);
  }
  if (newRels.length > 0) relEdits.insert(wbRelsTree.closeStart, newRels.join(""));
  if (relEdits.size > 0) pkg.set(wbRelsPath, relEdits.apply());
  if (wbEdits.size > 0) pkg.set(book.workbookPart, wbEdits.apply());
  parts.finish();
}
