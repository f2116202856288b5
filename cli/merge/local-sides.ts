// The local sides of a sync: a CSV file (rewritten whole, atomically) and a sheet in an .xlsx workbook
// (only the cells sync changes are touched; every other part of the workbook is copied byte for byte).
import { existsSync } from "node:fs";
import type * as XlsxModule from "../io/xlsx.js";
import { TAB_SETTINGS, type Cell, type Grid } from "../../core/types.js";
import { CliError, fromFsError } from "../errors.js";
import { readCsvFile, toCsv } from "../io/csv.js";
import { asIsoDay, asNumber, csvStored, csvValue, textOf } from "./cells.js";
import type { Side, SideData, SideWrite } from "./side.js";
import { emptyTable, tableFromGrid } from "./table.js";
import { writeFileAtomic } from "../io/atomic.js";

async function atomicWrite(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text).catch((e: unknown) => {
    throw fromFsError(e, path, true);
  });
}

function applyToGrid(grid: string[][], w: SideWrite): void {
  const put = (r: number, c: number, text: string): void => {
    while (grid.length <= r) grid.push([]);
    const row = grid[r] as string[];
    while (row.length <= c) row.push("");
    row[c] = text;
  };
  for (const h of w.header) put(h.row, h.col, h.text);
  for (const c of [...w.cells, ...w.logged]) put(c.row, c.col, c.text);
  // Deleting bottom-up keeps the row numbers of the rest valid.
  for (const r of [...w.remove].sort((x, y) => y.row - x.row)) {
    const idNow = (grid[r.row]?.[w.idCol] ?? "").trim();
    if (idNow === r.id) grid.splice(r.row, 1);
  }
  let last = grid.length;
  while (last > w.headerRow + 1 && (grid[last - 1] ?? []).every((c) => c.trim() === "")) last--;
  grid.splice(last, grid.length - last, ...w.append.map((r) => r.slice()));
}

export class CsvSide implements Side {
  readonly remote = false;
  readonly canLog = false;
  private grid: string[][] = [];
  private delimiter = ",";
  private newline = "\r\n";
  constructor(readonly localPath: string) {}
  get label(): string {
    return this.localPath;
  }
  requests(): number {
    return 0;
  }

  async read(): Promise<SideData> {
    if (!existsSync(this.localPath)) return { exists: false, table: emptyTable(), settings: null, sheetName: "Deals" };
    const csv = await readCsvFile(this.localPath);
    this.grid = csv.grid.map((r) => r.map(csvValue));
    this.delimiter = csv.delimiter;
    this.newline = csv.newline;
    return { exists: true, table: tableFromGrid(this.grid, "Deals"), settings: null, sheetName: "Deals" };
  }

  async write(w: SideWrite): Promise<void> {
    applyToGrid(this.grid, w);
    await atomicWrite(this.localPath, toCsv(this.grid.map((r) => r.map(csvStored)), this.delimiter, this.newline));
  }
}

type XlsxIo = typeof XlsxModule;

/** A text cell as the typed value Excel should hold: exact numbers, ISO days as dates, TRUE/FALSE. */
function xlsxValue(text: string): { value: Cell; numFmt?: string } {
  if (text === "") return { value: null };
  const n = asNumber(text);
  if (n !== null) return { value: n };
  const d = asIsoDay(text);
  if (d) return { value: d, numFmt: "yyyy-mm-dd" };
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
    const { mapColumns } = await import("../../core/columns.js");
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
    for (const c of [...w.cells, ...w.logged]) set(c.row, c.col, xlsxValue(c.text));
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
        if (text !== "") set(next, c, xlsxValue(text));
      });
      next++;
    }
    const log = w.log.map((row) => row.map((c) => (c instanceof Date ? textOf(c) : (c ?? null))));
    await io.saveSheetEdit(wb, this.deals, { cells, remove }, log, this.localPath);
  }
}
