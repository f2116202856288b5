// A brand-new workbook of one sheet (the .xlsx made from a CSV file), written as the parts Excel itself writes, so the
// plan is then applied to it exactly as to a workbook the team already has.
import { a1 } from "../../../core/index.js";
import type { Cell, Grid } from "../../../core/index.js";
import { Ints, Layout, NS_REL } from "./book.js";
import { esc, escText, parseTree, type El } from "./xml.js";
import { Package, PartTooLarge } from "./zip.js";

/** Positions in the sheet's text are 32-bit: room is left under 2^31 for the parts around sheetData. */
const MAX_SHEET_TEXT = 0x7f00_0000;
/** Characters of rows kept as they were made for the patch to read; rows past it are made again (less memory). */
const KEEP_TEXT = 1 << 28;

const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";

/** Cell formats of the new workbook's styles.xml, by index. */
export const NEW_STYLE = { plain: 0, header: 1, date: 2, integer: 3, decimal: 4 } as const;
export type NewStyle = (typeof NEW_STYLE)[keyof typeof NEW_STYLE];

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${NS_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`;

/**
 * One sheet named `sheet` holding `grid`; `styleOf` gives each cell's format. Rows above `frozenRows` stay in view;
 * `widths` are column widths in characters.
 */
export function newWorkbook(sheet: string, grid: Grid, styleOf: (row: number, col: number) => NewStyle, frozenRows: number, widths: number[]): Package {
  return newWorkbookWithLayout(sheet, grid, styleOf, frozenRows, widths).pkg;
}

/**
 * The same, with the sheet's layout worked out while its XML is written (where each row and cell is), so the
 * plan is applied to it without parsing back what was just written.
 */
export function newWorkbookWithLayout(
  sheet: string,
  grid: Grid,
  styleOf: (row: number, col: number) => NewStyle,
  frozenRows: number,
  widths: number[],
  keepText = KEEP_TEXT,
): { pkg: Package; layout: Layout } {
  const pkg = new Package();
  pkg.set(
    "[Content_Types].xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
  );
  pkg.set("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${NS_PKG_REL}"><Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  pkg.set(
    "xl/workbook.xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets><sheet name="${esc(sheet)}" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/></workbook>`,
  );
  pkg.set(
    "xl/_rels/workbook.xml.rels",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${NS_PKG_REL}"><Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${NS_REL}/styles" Target="styles.xml"/><Relationship Id="rId3" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  );
  pkg.set("xl/styles.xml", STYLES);
  const rows: (string | null)[] = [];
  let lastCol = 0;
  const A = { rowNum: new Ints(), rowStart: new Ints(), rowOpenEnd: new Ints(), rowCloseStart: new Ints(), rowEnd: new Ints(), rowFirstCell: new Ints() };
  const C = { cellCol: new Ints(), cellStart: new Ints(), cellEnd: new Ints(), cellStyle: new Ints(), cellFormula: new Ints() };
  /** Where the next text goes, counted from the start of sheetData's content. */
  let at = 0;
  // Shared strings, as Excel writes them: a text repeated down a column is stored once.
  const strings = new Map<string, number>();
  const si: string[] = [];
  let refs = 0;
  /** One cell's XML (its shared string added the first time its text is met). */
  const cellText = (r: number, c: number, v: Cell, st: number): string => {
    const s = st === 0 ? "" : ` s="${st}"`;
    if (typeof v === "number") return `<c r="${a1(r, c)}"${s}><v>${v}</v></c>`;
    if (typeof v === "boolean") return `<c r="${a1(r, c)}"${s} t="b"><v>${v ? 1 : 0}</v></c>`;
    const text = String(v);
    let id = strings.get(text);
    if (id === undefined) {
      strings.set(text, (id = si.length));
      const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : "";
      si.push(`<si><t${space}>${escText(text)}</t></si>`);
    }
    return `<c r="${a1(r, c)}"${s} t="s"><v>${id}</v></c>`;
  };
  /** A row made again, as it was the first time (for rows past KEEP_TEXT, which are not kept). */
  const remake = (r: number): string => {
    const row = grid[r] as Cell[];
    const cells: string[] = [];
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v !== null && v !== undefined && v !== "") cells.push(cellText(r, c, v, styleOf(r, c)));
    }
    return `<row r="${r + 1}">${cells.join("")}</row>`;
  };
  for (let r = 0; r < grid.length; r++) {
    const row = grid[r] as Cell[];
    const cells: string[] = [];
    const open = `<row r="${r + 1}">`;
    let cellAt = at + open.length;
    const firstCell = C.cellCol.length;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v === null || v === undefined || v === "") continue;
      const st = styleOf(r, c);
      lastCol = Math.max(lastCol, c);
      if (typeof v !== "number" && typeof v !== "boolean") refs++;
      const text = cellText(r, c, v, st);
      cells.push(text);
      C.cellCol.push(c);
      C.cellStart.push(cellAt);
      cellAt += text.length;
      C.cellEnd.push(cellAt);
      C.cellStyle.push(st);
      C.cellFormula.push(0);
    }
    if (cells.length === 0) continue;
    A.rowNum.push(r);
    A.rowStart.push(at);
    A.rowOpenEnd.push(at + open.length);
    A.rowCloseStart.push(cellAt);
    A.rowEnd.push(cellAt + "</row>".length);
    A.rowFirstCell.push(firstCell);
    // Rows are kept as made up to KEEP_TEXT characters; past it (a million rows) they are made again when streamed.
    rows.push(at < keepText ? `${open}${cells.join("")}</row>` : null);
    at = cellAt + "</row>".length;
    if (at > MAX_SHEET_TEXT) throw new PartTooLarge("xl/worksheets/sheet1.xml", at);
  }
  pkg.set("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${NS_MAIN}" count="${refs}" uniqueCount="${si.length}">${si.join("")}</sst>`);
  const pane = frozenRows > 0 ? `<pane ySplit="${frozenRows}" topLeftCell="A${frozenRows + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>` : "";
  const cols = widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join("");
  const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><dimension ref="A1:${a1(Math.max(0, grid.length - 1), lastCol)}"/><sheetViews><sheetView workbookViewId="0">${pane}</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>${cols === "" ? "" : `<cols>${cols}</cols>`}<sheetData>`;
  const tail = `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
  // The sheet's text stays its rows as they were made, never joined into one text (a million rows would not fit).
  const rowNum = A.rowNum.done();
  function* source(): Generator<string> {
    yield head;
    for (let k = 0; k < rows.length; k++) yield rows[k] ?? remake(rowNum[k] as number);
    yield tail;
  }
  pkg.set("xl/worksheets/sheet1.xml", source);
  const bodyLength = at;
  // The elements around sheetData are few: parse them with sheetData empty, then move what follows it.
  const layout = new Layout(source);
  layout.head = head;
  layout.tail = tail;
  layout.tailStart = head.length + bodyLength;
  layout.length = layout.tailStart + tail.length;
  const skeleton = parseTree(head + tail);
  const moveFrom = head.length;
  // sheetData's own start tag ends at moveFrom and stays; its end tag, and all after it, move.
  const move = (el: El): void => {
    for (const k of ["start", "openEnd", "closeStart", "end"] as const) if (el[k] > moveFrom || (k === "closeStart" && el[k] === moveFrom)) el[k] += bodyLength;
    el.children.forEach(move);
  };
  move(skeleton);
  layout.root = skeleton;
  layout.top = skeleton.children;
  const base = head.length;
  const placed = (v: Ints): Int32Array => v.done().map((x) => x + base);
  layout.rowNum = rowNum;
  layout.rowStart = placed(A.rowStart);
  layout.rowOpenEnd = placed(A.rowOpenEnd);
  layout.rowCloseStart = placed(A.rowCloseStart);
  layout.rowEnd = placed(A.rowEnd);
  layout.rowFirstCell = A.rowFirstCell.done();
  layout.cellCol = C.cellCol.done();
  layout.cellStart = placed(C.cellStart);
  layout.cellEnd = placed(C.cellEnd);
  layout.cellStyle = C.cellStyle.done();
  layout.cellFormula = C.cellFormula.done();
  return { pkg, layout };
}
