// A workbook read from its package: the sheet list, date system, shared strings and date styles, and the cells of a
// sheet as core's Grid. The cost is one pass over the sheet's XML, in proportion to the cells it holds.
import { SaxesParser } from "saxes";
import { colIndex, EXCEL_EPOCH_OFFSET, parseA1, type Cell, type Grid } from "../../../core/index.js";
import { attr, esc, kid, kids, local, parseTree, type El } from "./xml.js";
import type { Package } from "./zip.js";

export const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
export const REL_WORKSHEET = `${NS_REL}/worksheet`;

export interface SheetInfo {
  name: string;
  sheetId: number;
  rid: string;
  state: "visible" | "hidden" | "veryHidden";
  /** Package path of the sheet part ("xl/worksheets/sheet1.xml"); "" when the relationship is missing. */
  part: string;
  /** Only worksheets hold cells; chart sheets and dialog sheets are listed but never read. */
  worksheet: boolean;
}

/** Resolves a relationship target against the folder of the part that holds it. */
export function resolvePart(fromPart: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = fromPart.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== "." && seg !== "") parts.push(seg);
  }
  return parts.join("/");
}

export const relsOf = (part: string): string => `${part.slice(0, part.lastIndexOf("/") + 1)}_rels/${part.slice(part.lastIndexOf("/") + 1)}.rels`;

/** A rectangle of cells, 0-based and inclusive. */
export interface Box {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** "B2:D9", "C4", "D:F" (whole columns) or "3:5" (whole rows) as a Box; null when it is none of these. */
export function rangeBox(range: string): Box | null {
  const [a, b] = range.replace(/\$/g, "").split(":");
  const whole = /^([A-Z]{1,3})$/i;
  if (a !== undefined && b !== undefined && whole.test(a) && whole.test(b))
    return { top: 0, left: Math.min(colIndex(a), colIndex(b)), bottom: 1_048_575, right: Math.max(colIndex(a), colIndex(b)) };
  if (a !== undefined && b !== undefined && /^\d+$/.test(a) && /^\d+$/.test(b))
    return { top: Math.min(+a, +b) - 1, left: 0, bottom: Math.max(+a, +b) - 1, right: 16_383 };
  const tl = parseA1(a ?? "");
  const br = b === undefined ? tl : parseA1(b);
  if (!tl || !br) return null;
  return { top: Math.min(tl.row, br.row), left: Math.min(tl.col, br.col), bottom: Math.max(tl.row, br.row), right: Math.max(tl.col, br.col) };
}

/** A relationships part holding `items`. */
export const relsXml = (items: { id: string; type: string; target: string }[]): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items
    .map((r) => `<Relationship Id="${r.id}" Type="${r.type}" Target="${esc(r.target)}"/>`)
    .join("")}</Relationships>`;

/** Target of `part` relative to the folder of `from` (the inverse of resolvePart). */
export function relTarget(from: string, part: string): string {
  const a = from.split("/").slice(0, -1);
  const b = part.split("/");
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

export interface Rel {
  id: string;
  type: string;
  target: string;
  external: boolean;
}

export function readRels(pkg: Package, part: string): Rel[] {
  const xml = pkg.text(relsOf(part));
  if (xml === null) return [];
  return kids(parseTree(xml), "Relationship").map((r) => ({
    id: r.attrs.Id ?? "",
    type: r.attrs.Type ?? "",
    target: r.attrs.Target ?? "",
    external: r.attrs.TargetMode === "External",
  }));
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A number format shows a date or time when, outside quotes, escapes and [colour] sections, it has d, m, y, h or s. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    .replace(/\[(?:h+|m+|s+)\]/gi, "h")
    .replace(/\[[^\]]*\]/g, "")
    .split(";")[0] as string;
  return /[dmyhs]/i.test(bare.replace(/General/gi, ""));
}

export class Book {
  readonly workbookPart: string;
  readonly workbookXml: string;
  readonly sheets: SheetInfo[];
  readonly date1904: boolean;
  private strings: string[] | null = null;
  /** Which shared strings are plain text (one <t>, no runs), so pipesheet may point a cell of its own at them. */
  plainStrings: boolean[] = [];
  private dateStyles: boolean[] | null = null;

  constructor(readonly pkg: Package) {
    const root = readRels(pkg, "").find((r) => r.type.endsWith("/officeDocument"));
    this.workbookPart = root ? resolvePart("", root.target) : "xl/workbook.xml";
    const xml = pkg.text(this.workbookPart);
    if (xml === null) throw new Error("the package has no workbook part");
    this.workbookXml = xml;
    const wb = parseTree(xml);
    if (local(wb.name) !== "workbook") throw new Error("the main part is not a spreadsheet workbook");
    const pr = kid(wb, "workbookPr");
    const d1904 = pr ? attr(pr, "date1904") : undefined;
    this.date1904 = d1904 === "1" || d1904 === "true";
    const rels = readRels(pkg, this.workbookPart);
    this.sheets = kids(kid(wb, "sheets") ?? wb, "sheet").map((s) => {
      const rid = attr(s, "r:id") ?? "";
      const rel = rels.find((r) => r.id === rid);
      const state = s.attrs.state === "hidden" || s.attrs.state === "veryHidden" ? s.attrs.state : "visible";
      return {
        name: s.attrs.name ?? "",
        sheetId: Number(s.attrs.sheetId ?? 0),
        rid,
        state,
        part: rel ? resolvePart(this.workbookPart, rel.target) : "",
        worksheet: rel !== undefined && rel.type.endsWith("/worksheet"),
      };
    });
  }

  relPart(typeSuffix: string): string | null {
    const rel = readRels(this.pkg, this.workbookPart).find((r) => r.type.endsWith(typeSuffix));
    return rel ? resolvePart(this.workbookPart, rel.target) : null;
  }

  find(name: string): SheetInfo | undefined {
    const lower = name.toLowerCase();
    return this.sheets.find((s) => s.name.toLowerCase() === lower);
  }

  sharedStrings(): string[] {
    if (this.strings) return this.strings;
    const out: string[] = [];
    const part = this.relPart("/sharedStrings");
    const xml = part ? this.pkg.text(part) : null;
    if (xml !== null) {
      const p = new SaxesParser({ position: false });
      let cur: string[] | null = null;
      let inT = false;
      let phonetic = 0;
      let plain = true;
      p.on("opentag", (n) => {
        const name = local(n.name);
        if (name === "si") {
          cur = [];
          plain = true;
        } else if (name === "rPh" || name === "r" || name === "phoneticPr") plain = false;
        if (name === "rPh") phonetic++;
        else if (name === "t" && phonetic === 0) inT = !n.isSelfClosing;
      });
      p.on("text", (t) => {
        if (inT && cur) cur.push(t);
      });
      p.on("closetag", (n) => {
        const name = local(n.name);
        if (name === "t") inT = false;
        else if (name === "rPh") phonetic--;
        else if (name === "si" && cur) {
          out.push(cur.join(""));
          this.plainStrings.push(plain);
          cur = null;
        }
      });
      p.write(xml).close();
    }
    this.strings = out;
    return out;
  }

  /** For each cell style index, whether its number format shows a date. */
  datesByStyle(): boolean[] {
    if (this.dateStyles) return this.dateStyles;
    const part = this.relPart("/styles");
    const xml = part ? this.pkg.text(part) : null;
    const out: boolean[] = [];
    if (xml !== null) {
      const root = parseTree(xml);
      const custom = new Map<number, string>();
      for (const f of kids(kid(root, "numFmts") ?? root, "numFmt")) custom.set(Number(f.attrs.numFmtId), f.attrs.formatCode ?? "");
      for (const xf of kids(kid(root, "cellXfs") ?? root, "xf")) {
        const id = Number(xf.attrs.numFmtId ?? 0);
        const code = custom.get(id);
        out.push(code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id));
      }
    }
    this.dateStyles = out;
    return out;
  }

  /** Local midnight of each day met so far, by day number (a sheet's dates fall on a few thousand days at most). */
  private readonly midnights = new Map<number, number>();

  /** An Excel serial as the Date core expects: local midnight of that calendar day (time of day dropped). */
  serialDate(serial: number): Date | null {
    const day = Math.floor(serial) + (this.date1904 ? 1462 : 0) - EXCEL_EPOCH_OFFSET;
    let ms = this.midnights.get(day);
    if (ms === undefined) {
      const utc = new Date(day * 86_400_000);
      ms = Number.isNaN(utc.getTime()) ? NaN : new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate()).getTime();
      this.midnights.set(day, ms);
    }
    // A Date of its own for each cell: core may hold on to it.
    return Number.isNaN(ms) ? null : new Date(ms);
  }

  /** The cells of a worksheet as a dense grid from A1; `maxRows` stops early (for telling deals sheets apart). */
  grid(sheet: SheetInfo, maxRows = Infinity): Grid {
    if (!sheet.worksheet || !sheet.part || !this.pkg.has(sheet.part)) return [];
    return scanCells(this.pkg.chunks(sheet.part, { early: maxRows !== Infinity }), this, maxRows, null);
  }

  /**
   * The grid and where each row, cell and top-level element sits in the part, for patching it later. The part is
   * read as a stream; what is kept of its text is only what lies outside sheetData's rows.
   */
  layout(sheet: SheetInfo): { grid: Grid; layout: Layout } {
    const part = sheet.part;
    const has = part !== "" && this.pkg.has(part);
    const layout = new Layout(has ? this.pkg.reader(part) : () => []);
    const grid = scanCells(layout.source(), this, Infinity, layout);
    return { grid, layout };
  }
}

/** Largest block of an Ints, in entries (256 KB). */
const INTS_BLOCK = 1 << 16;

/**
 * A growing list of 32-bit integers: a row or cell position costs 4 bytes, not a JavaScript array slot. Held as
 * blocks that are never copied while the list grows (doubling one array would hold up to three times the entries
 * at once: a 100k-deal sheet's five cell lists would peak at over 120 MB), joined once into an exact array by done().
 */
export class Ints {
  private blocks: Int32Array[] = [];
  private cur = new Int32Array(1024);
  private at = 0;
  length = 0;
  push(v: number): void {
    if (this.at === this.cur.length) {
      this.blocks.push(this.cur);
      this.cur = new Int32Array(Math.min(INTS_BLOCK, Math.max(1024, this.cur.length * 2)));
      this.at = 0;
    }
    this.cur[this.at++] = v;
    this.length++;
  }
  /** Sets the entry pushed last (there is one: a new block starts only with a push). */
  setLast(v: number): void {
    this.cur[this.at - 1] = v;
  }
  /** The entries as one array of their exact length, which the list then holds instead of its blocks. */
  done(): Int32Array {
    const out = new Int32Array(this.length);
    let o = 0;
    for (const b of this.blocks) {
      out.set(b, o);
      o += b.length;
    }
    out.set(this.cur.subarray(0, this.at), o);
    this.blocks = [];
    this.cur = out;
    this.at = out.length;
    return out;
  }
}

const LAYOUT_FIELDS = ["rowNum", "rowStart", "rowOpenEnd", "rowCloseStart", "rowEnd", "rowFirstCell", "cellCol", "cellStart", "cellEnd", "cellStyle", "cellFormula"] as const;

/** Elements kept whole in the layout, as trees: small, and pipesheet edits inside them. */
const TREE_ELEMENTS = new Set(["conditionalFormatting", "dataValidations", "cols", "dimension", "sheetData"]);

/**
 * Positions in a worksheet part: the root, its children, and every row and cell of sheetData (as flat arrays). Of
 * the text, only what lies outside sheetData's content is kept (`head` and `tail`); the rows are read again from
 * `source` as a stream when the sheet is written.
 */
export class Layout {
  root: El | null = null;
  /** Children of the root (trees only for TREE_ELEMENTS). */
  top: El[] = [];
  rowNum: Int32Array = new Int32Array(0);
  rowStart: Int32Array = new Int32Array(0);
  rowOpenEnd: Int32Array = new Int32Array(0);
  rowCloseStart: Int32Array = new Int32Array(0);
  rowEnd: Int32Array = new Int32Array(0);
  /** Index of the row's first cell in the cell arrays. */
  rowFirstCell: Int32Array = new Int32Array(0);
  cellCol: Int32Array = new Int32Array(0);
  cellStart: Int32Array = new Int32Array(0);
  cellEnd: Int32Array = new Int32Array(0);
  /** Cell style index (0 when none). */
  cellStyle: Int32Array = new Int32Array(0);
  /** 1 when the cell holds a formula. */
  cellFormula: Int32Array = new Int32Array(0);
  /** The text before sheetData's content (all of it when there is no sheetData). */
  head = "";
  /** The text from sheetData's end tag on, which starts at `tailStart`. */
  tail = "";
  tailStart = Number.POSITIVE_INFINITY;
  /** Length of the whole text. */
  length = 0;
  /** @param source the part's text as pieces, from the start, each time it is called */
  constructor(readonly source: () => Iterable<string>) {}

  /** Text outside sheetData's content (the elements pipesheet edits around the rows). */
  text(from: number, to: number): string {
    if (to <= this.head.length) return this.head.slice(from, to);
    if (from >= this.tailStart) return this.tail.slice(from - this.tailStart, to - this.tailStart);
    throw new Error("the rows of a sheet are read as a stream, not as text");
  }
}

const STOP = new Error("enough rows");

/** `A12` -> row 11, column 0 (in `out`); false when it is not a cell reference. Called for every cell, so no regex. */
function cellPos(ref: string, out: { row: number; col: number }): boolean {
  let i = 0;
  let col = 0;
  let row = 0;
  if (ref.charCodeAt(0) === 36) i++;
  const colStart = i;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) & ~32;
    if (c < 65 || c > 90) break;
    col = col * 26 + (c - 64);
  }
  if (i === colStart || i - colStart > 3) return false;
  if (ref.charCodeAt(i) === 36) i++;
  const rowStart = i;
  for (; i < ref.length; i++) {
    const d = ref.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    row = row * 10 + d;
  }
  if (i === rowStart) return false;
  out.row = row - 1;
  out.col = col - 1;
  return true;
}

function scanCells(chunks: Iterable<string>, book: Book, maxRows: number, L: Layout | null): Grid {
  const grid: Grid = [];
  let sst: string[] | null = null;
  const strings = (): string[] => (sst ??= book.sharedStrings());
  const dates = book.datesByStyle();
  const p = new SaxesParser({ position: false });
  let depth = 0;
  const stack: El[] = [];
  // Where the start tag being read begins (saxes reports the position just past its name and the next character).
  let tagStart = 0;
  if (L !== null) p.on("opentagstart", (n) => (tagStart = p.position - n.name.length - 2));
  // Around the parser's position: the piece being parsed and the end of the ones before, for where an end tag begins.
  let win = "";
  let winBase = 0;
  const startOf = (end: number): number => winBase + win.lastIndexOf("<", end - 1 - winBase);
  let dataOpenEnd = -1;
  let dataCloseStart = -1;
  let row = -1;
  let col = -1;
  let type = "n";
  let style = 0;
  let text = "";
  let inValue = false;
  let inInline = false;
  let phonetic = 0;
  let hasValue = false;
  let inData = false;
  const pos = { row: 0, col: 0 };
  // Positions are gathered in growing typed arrays while scanning, then kept at their length.
  const A: Record<(typeof LAYOUT_FIELDS)[number], Ints> = {
    rowNum: new Ints(),
    rowStart: new Ints(),
    rowOpenEnd: new Ints(),
    rowCloseStart: new Ints(),
    rowEnd: new Ints(),
    rowFirstCell: new Ints(),
    cellCol: new Ints(),
    cellStart: new Ints(),
    cellEnd: new Ints(),
    cellStyle: new Ints(),
    cellFormula: new Ints(),
  };
  p.on("opentag", (n) => {
    const name = local(n.name);
    const a = n.attributes as Record<string, string>;
    depth++;
    // Root and its children always; deeper only inside the few elements pipesheet edits (never row by row).
    const inTree = !inData && depth > 2 && depth === stack.length + 1 && stack[1] !== undefined && TREE_ELEMENTS.has(local(stack[1].name));
    if (L !== null && (depth <= 2 || inTree)) {
      const end = p.position;
      const parent = stack[stack.length - 1] ?? null;
      const el: El = { name: n.name, attrs: a, start: tagStart, openEnd: end, closeStart: end, end, depth: depth - 1, parent, children: [], text: "" };
      if (depth === 1) L.root = el;
      else if (depth === 2) L.top.push(el);
      else parent?.children.push(el);
      stack.push(el);
    }
    switch (name) {
      case "sheetData":
        inData = true;
        if (dataOpenEnd < 0) dataOpenEnd = p.position;
        break;
      case "row": {
        if (!inData) break;
        const r = a.r !== undefined ? Number(a.r) - 1 : row + 1;
        if (r >= maxRows) throw STOP;
        row = r;
        col = -1;
        if (L !== null) {
          const end = p.position;
          A.rowNum.push(r);
          A.rowStart.push(tagStart);
          A.rowOpenEnd.push(end);
          A.rowCloseStart.push(end);
          A.rowEnd.push(end);
          A.rowFirstCell.push(A.cellCol.length);
        }
        break;
      }
      case "c": {
        if (!inData) break;
        if (a.r !== undefined && cellPos(a.r, pos)) {
          row = pos.row;
          col = pos.col;
        } else col++;
        type = a.t ?? "n";
        style = a.s !== undefined ? Number(a.s) : 0;
        text = "";
        hasValue = false;
        if (L !== null) {
          const end = p.position;
          A.cellCol.push(col);
          A.cellStart.push(tagStart);
          A.cellEnd.push(end);
          A.cellStyle.push(style);
          A.cellFormula.push(0);
        }
        break;
      }
      case "f":
        if (L !== null && inData) A.cellFormula.setLast(1);
        break;
      case "v":
        inValue = !n.isSelfClosing;
        hasValue = true;
        break;
      case "is":
        inInline = true;
        hasValue = true;
        break;
      case "rPh":
        phonetic++;
        break;
      case "t":
        if (inInline && phonetic === 0 && !n.isSelfClosing) inValue = true;
        break;
    }
  });
  p.on("text", (t) => {
    if (inValue) text += t;
    else if (L !== null && !inData && depth === stack.length && depth > 2) (stack[stack.length - 1] as El).text += t;
  });
  p.on("closetag", (n) => {
    const name = local(n.name);
    if (L !== null) {
      const top = stack[stack.length - 1];
      if (top && top.depth === depth - 1) {
        stack.pop();
        top.end = p.position;
        top.closeStart = n.isSelfClosing ? top.end : startOf(top.end);
      }
      if (inData && name === "row") {
        A.rowEnd.setLast(p.position);
        A.rowCloseStart.setLast(n.isSelfClosing ? p.position : startOf(p.position));
      } else if (inData && name === "c") A.cellEnd.setLast(p.position);
    }
    depth--;
    if (name === "v" || name === "t") inValue = false;
    else if (name === "rPh") phonetic--;
    else if (name === "is") inInline = false;
    else if (name === "sheetData") {
      inData = false;
      if (dataCloseStart < 0) dataCloseStart = n.isSelfClosing ? p.position : startOf(p.position);
    }
    else if (name === "c" && inData && hasValue && row >= 0 && col >= 0) {
      const raw = text;
      let v: Cell = null;
      switch (type) {
        case "s":
          v = strings()[Number(raw)] ?? null;
          break;
        case "inlineStr":
        case "str":
          v = raw;
          break;
        case "b":
          v = raw === "1" || raw === "true";
          break;
        case "e":
          v = raw;
          break;
        case "d": {
          const d = new Date(raw);
          v = Number.isNaN(d.getTime()) ? raw : new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
          break;
        }
        default: {
          if (raw === "") break;
          const num = Number(raw);
          v = Number.isNaN(num) ? raw : dates[style] === true ? book.serialDate(num) : num;
        }
      }
      if (v === null || v === "") return;
      while (grid.length <= row) grid.push([]);
      const r = grid[row] as Cell[];
      while (r.length < col) r.push(null);
      r[col] = v;
    }
  });
  const head: string[] = [];
  const tail: string[] = [];
  let headDone = false;
  let tailOn = false;
  let prev = "";
  let at = 0;
  const KEEP = 1 << 12;
  try {
    for (const chunk of chunks) {
      win = prev + chunk;
      winBase = at - prev.length;
      p.write(chunk);
      if (L !== null) {
        // Kept: the text before sheetData's content, and from its end tag on.
        if (!headDone) {
          if (dataOpenEnd < 0) head.push(chunk);
          else {
            head.push(chunk.slice(0, dataOpenEnd - at));
            headDone = true;
          }
        }
        if (dataCloseStart >= 0) {
          if (!tailOn) tail.push(win.slice(dataCloseStart - winBase));
          else tail.push(chunk);
          tailOn = true;
        }
      }
      at += chunk.length;
      if (at > 0x7fffffff) throw new Error("a sheet of more than 2 billion characters of XML cannot be patched");
      prev = win.length > KEEP ? win.slice(win.length - KEEP) : win;
    }
    p.close();
  } catch (e) {
    if (e !== STOP) throw e;
  }
  if (L !== null) {
    for (const f of LAYOUT_FIELDS) L[f] = A[f].done();
    L.head = head.join("");
    L.tail = tail.join("");
    L.tailStart = dataCloseStart >= 0 ? dataCloseStart : Number.POSITIVE_INFINITY;
    L.length = at;
  }
  return grid;
}

export type { El };
