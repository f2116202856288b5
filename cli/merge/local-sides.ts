// The local sides of a sync: a CSV file (rewritten whole, atomically) and a sheet in an .xlsx workbook
// (only the cells sync changes are touched; every other part of the workbook is copied byte for byte).
import { existsSync } from "node:fs";
import type * as XlsxModule from "../io/xlsx.js";
import { TAB_SETTINGS, type Cell, type DateOrder, type Grid } from "../../core/index.js";
import { CliError, fromFsError } from "../errors.js";
import { csvField, encodeCsvText, rawFields, readCsvDocument, unencodable, type CsvDocument } from "../io/csv.js";
import { asIsoDay, asNumber, asTextDay, csvStored, csvValue, textOf } from "./cells.js";
import type { Side, SideData, SideWrite } from "./side.js";
import { emptyTable, tableFromGrid } from "./table.js";
import { writeFileAtomic } from "../io/atomic.js";

async function atomicWrite(path: string, text: string | Uint8Array): Promise<void> {
  await writeFileAtomic(path, text).catch((e: unknown) => {
    throw fromFsError(e, path, true);
  });
}

/**
 * Applies a write to a grid of cell values. `origin` runs alongside: the record each row was read from (null
 * for new rows). A row is copied before its first change, so an untouched row is still the very array read.
 */
function applyToGrid(grid: string[][], origin: (number | null)[], w: SideWrite): void {
  const put = (r: number, c: number, text: string): void => {
    while (grid.length <= r) {
      grid.push([]);
      origin.push(null);
    }
    const row = (grid[r] as string[]).slice();
    grid[r] = row;
    while (row.length <= c) row.push("");
    row[c] = text;
  };
  for (const h of w.header) put(h.row, h.col, h.text);
  for (const c of [...w.cells, ...w.logged]) put(c.row, c.col, c.text);
  // Deleting bottom-up keeps the row numbers of the rest valid.
  for (const r of [...w.remove].sort((x, y) => y.row - x.row)) {
    const idNow = (grid[r.row]?.[w.idCol] ?? "").trim();
    if (idNow === r.id) {
      grid.splice(r.row, 1);
      origin.splice(r.row, 1);
    }
  }
  if (w.append.length === 0) return;
  let last = grid.length;
  while (last > w.headerRow + 1 && (grid[last - 1] ?? []).every((c) => c.trim() === "")) last--;
  // Under the last deal, when what follows it closes the table (a totals row, notes); a CSV has no formulas
  // that inserting a row could break. Deleted rows above it moved it up by as many.
  const removedAbove = w.remove.filter((r) => w.lastDealRow !== undefined && r.row <= w.lastDealRow).length;
  const after = w.lastDealRow === undefined ? last : Math.min(last, w.lastDealRow - removedAbove + 1);
  if (after < last) {
    grid.splice(after, 0, ...w.append.map((r) => r.slice()));
    origin.splice(after, 0, ...w.append.map(() => null));
    return;
  }
  grid.splice(last, grid.length - last, ...w.append.map((r) => r.slice()));
  origin.splice(last, origin.length - last, ...w.append.map(() => null));
}

/**
 * A CSV file. It is written back as it was read, except for what sync changes: records nobody changed keep
 * their bytes, a changed record keeps the raw text of its unchanged fields, and the file keeps its encoding,
 * BOM, delimiter and line breaks. Only the values pipesheet writes are guarded against formula injection.
 */
export class CsvSide implements Side {
  readonly remote = false;
  readonly canLog = false;
  private doc: CsvDocument | null = null;
  /** Cell values as read (the stored text with pipesheet's guarding apostrophe taken off). */
  private values: string[][] = [];
  constructor(readonly localPath: string) {}
  get label(): string {
    return this.localPath;
  }
  requests(): number {
    return 0;
  }
  /** Said when the file is not UTF-8: which encoding it was read in (and is written back in). */
  get note(): string | null {
    return this.doc?.note ?? null;
  }

  async read(): Promise<SideData> {
    if (!existsSync(this.localPath)) return { exists: false, table: emptyTable(), settings: null, sheetName: "Deals" };
    this.doc = await readCsvDocument(this.localPath);
    this.values = this.doc.grid.map((r) => r.map(csvValue));
    return { exists: true, table: tableFromGrid(this.values, "Deals"), settings: null, sheetName: "Deals" };
  }

  refuseWrite(w: SideWrite): string | null {
    const doc = this.doc;
    if (!doc || doc.encoding !== "windows-1252") return null;
    const texts = [...w.header, ...w.cells, ...w.logged].map((c) => c.text).concat(w.append.flat());
    for (const t of texts) {
      const ch = unencodable(t, doc.encoding);
      if (ch !== null)
        return `${this.localPath} is a Windows-1252 file, which cannot hold "${ch}" (in "${t.length > 40 ? `${t.slice(0, 39)}…` : t}"); save it as UTF-8 (in Excel: CSV UTF-8) and run again.`;
    }
    return null;
  }

  async write(w: SideWrite): Promise<void> {
    const doc = this.doc;
    const grid = this.values.slice();
    const origin: (number | null)[] = grid.map((_, i) => i);
    applyToGrid(grid, origin, w);
    const delimiter = doc?.delimiter ?? ",";
    const newline = doc?.newline ?? "\r\n";
    const quoteAll = doc?.quoteAll ?? false;
    const records = doc?.records() ?? null;
    const lines: string[] = new Array<string>(grid.length);
    for (let i = 0; i < grid.length; i++) {
      const row = grid[i] as string[];
      const o = origin[i] ?? null;
      const was = o === null ? undefined : this.values[o];
      const raw = o === null ? undefined : records?.[o];
      if (was !== undefined && row === was && raw !== undefined) {
        lines[i] = raw;
        continue;
      }
      const split = raw === undefined ? null : rawFields(raw, delimiter);
      // Fields that do not line up with the values read are not used: the record is written from its values.
      const fields = split !== null && was !== undefined && split.length === was.length ? split : null;
      const stored = o === null ? undefined : doc?.grid[o];
      lines[i] = row
        .map((v, c) => {
          if (was !== undefined && c < was.length && v === was[c]) {
            // The team's own cell, unchanged: its text exactly as it was, apostrophes and quotes included.
            const f = fields?.[c];
            return f ?? csvField(stored?.[c] ?? v, delimiter);
          }
          return csvField(csvStored(v), delimiter, quoteAll || (fields?.[c]?.startsWith('"') ?? false));
        })
        .join(delimiter);
    }
    const text = lines.length === 0 ? "" : `${lines.join(newline)}${doc === null || doc.finalNewline || records === null ? newline : ""}`;
    await atomicWrite(this.localPath, encodeCsvText(text, doc ?? { encoding: "utf-8", bom: false }));
  }
}

type XlsxIo = typeof XlsxModule;

/** A text cell as the typed value Excel should hold: exact numbers, ISO days (and in a date column, its dates) as dates, TRUE/FALSE. */
function xlsxValue(text: string, order?: DateOrder): { value: Cell; numFmt?: string } {
  if (text === "") return { value: null };
  const n = asNumber(text);
  if (n !== null) return { value: n };
  const d = order === undefined ? asIsoDay(text) : asTextDay(text, order);
  // The day is read as UTC midnight; the .xlsx writer takes a Date's calendar day in local time, so hand it that day.
  if (d) return { value: new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), numFmt: "yyyy-mm-dd" };
  if (text === "TRUE" || text === "FALSE") return { value: text === "TRUE" };
  return { value: text };
}

export class XlsxSide implements Side {
  readonly remote = false;
  readonly canLog = true;
  private io: XlsxIo | null = null;
  private wb: XlsxModule.OpenWorkbook | null = null;
  private deals: XlsxModule.DealsSheet | null = null;
  private grid: Grid = [];
  private sheetName: string;
  constructor(
    readonly localPath: string,
    sheet: string | null,
  ) {
    this.sheetName = sheet ?? "";
  }
  get label(): string {
    return this.sheetName ? `${this.localPath}#${this.sheetName}` : this.localPath;
  }
  requests(): number {
    return 0;
  }

  async read(): Promise<SideData> {
    this.io = await import("../io/xlsx.js");
    const { openWorkbook, ownTabGrid, pickDealsSheet, newSheetWorkbook } = this.io;
    if (!existsSync(this.localPath)) {
      this.sheetName ||= "Deals";
      this.wb = newSheetWorkbook(this.sheetName, this.localPath);
      this.deals = pickDealsSheet(this.wb, this.sheetName, () => true, this.localPath);
      return { exists: false, table: emptyTable(), settings: null, sheetName: this.sheetName };
    }
    const wb = await openWorkbook(this.localPath);
    this.wb = wb;
    const settings = ownTabGrid(wb, TAB_SETTINGS);
    if (this.sheetName && !wb.book.find(this.sheetName)) return { exists: false, table: emptyTable(), settings, sheetName: this.sheetName };
    const { mapColumns } = await import("../../core/index.js");
    const picked = pickDealsSheet(wb, this.sheetName || null, (g, name) => mapColumns(g.slice(0, 40), name, {}) !== null, this.localPath);
    this.deals = picked;
    this.sheetName = picked.sheet.name;
    this.grid = picked.grid;
    const text = picked.grid.map((r) => Array.from(r, textOf));
    return { exists: true, table: tableFromGrid(text, this.sheetName), settings, sheetName: this.sheetName };
  }

  async write(w: SideWrite): Promise<void> {
    const io = this.io as XlsxIo;
    const wb = this.wb as XlsxModule.OpenWorkbook;
    if (this.deals === null)
      throw new CliError("NO_DEALS_SHEET", `no sheet "${this.sheetName}" in ${this.localPath}: add it in Excel, or name the deals sheet with ${this.localPath}#Sheet`);
    const cells: XlsxModule.SheetEdit["cells"] = [];
    // Later writes to a cell win, as they would written one after another.
    const at = new Map<string, number>();
    const set = (row: number, col: number, v: { value: Cell; numFmt?: string }): void => {
      const key = `${row},${col}`;
      const k = at.get(key);
      if (k !== undefined) cells[k] = { row, col, ...v };
      else {
        at.set(key, cells.length);
        cells.push({ row, col, ...v });
      }
    };
    for (const h of w.header) set(h.row, h.col, { value: h.text === "" ? null : h.text });
    for (const c of [...w.cells, ...w.logged]) set(c.row, c.col, xlsxValue(c.text, w.dates?.get(c.col)));
    const textAt = (row: number, col: number): string => {
      const k = at.get(`${row},${col}`);
      return k !== undefined ? textOf((cells[k] as { value: Cell }).value) : textOf(this.grid[row]?.[col] ?? null);
    };
    const remove = w.remove.filter((r) => textAt(r.row, w.idCol).trim() === r.id).map((r) => r.row);
    // New rows go under the last row holding anything (counted before the removed rows move the rest up).
    let last = this.grid.length;
    for (const c of cells) if (c.value !== null && c.value !== "") last = Math.max(last, c.row + 1);
    let next = Math.max(last, w.headerRow + 1);
    for (const row of w.append) {
      row.forEach((text, c) => {
        if (text !== "") set(next, c, xlsxValue(text, w.dates?.get(c)));
      });
      next++;
    }
    const log = w.log.map((row) => row.map((c) => (c instanceof Date ? textOf(c) : (c ?? null))));
    await io.saveSheetEdit(wb, this.deals, { cells, remove }, log, this.localPath);
  }
}
