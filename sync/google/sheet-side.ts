// A tab of a Google Sheet as one side of a sync, through the Sheets API: one metadata read and one batchGet;
// writes as fixed-range values.batchUpdate (retried), new rows and log rows appended (never retried), tabs
// and columns added and rows deleted in spreadsheets.batchUpdate (never retried).
import { colName } from "../../core/a1.js";
import { LOG_HEADER } from "../../core/index.js";
import { TAB_LOG, TAB_REVIEW, TAB_SETTINGS, type Cell, type Grid } from "../../core/types.js";
import { sheetsInput, sheetsText } from "../merge/cells.js";
import type { CellWrite, Side, SideData, SideWrite } from "../merge/side.js";
import { emptyTable, tableFromGrid } from "../merge/table.js";
import type { Credentials } from "./auth.js";
import { quoteSheet, SheetsClient, type CellValue, type ClientOptions, type RangeWrite, type Request, type SheetMeta, type SpreadsheetMeta } from "./client.js";

const OWN_TABS = new Set([TAB_REVIEW, TAB_SETTINGS, TAB_LOG].map((t) => t.toLowerCase()));

/**
 * Cells grouped into rectangles for values.batchUpdate: one per run of consecutive rows that change the
 * same span of columns (a filled ID column is one rectangle), with null for the cells in between, which the
 * API skips.
 */
export function rectangles(sheet: string, cells: CellWrite[]): RangeWrite[] {
  const byRow = new Map<number, CellWrite[]>();
  for (const c of cells) {
    const list = byRow.get(c.row);
    if (list) list.push(c);
    else byRow.set(c.row, [c]);
  }
  const rows = [...byRow.keys()].sort((x, y) => x - y);
  const out: RangeWrite[] = [];
  let cur: RangeWrite | null = null;
  let curSpan = "";
  for (const r of rows) {
    const list = (byRow.get(r) as CellWrite[]).sort((x, y) => x.col - y.col);
    const c0 = (list[0] as CellWrite).col;
    const c1 = (list[list.length - 1] as CellWrite).col;
    const line: (CellValue | null)[] = new Array<CellValue | null>(c1 - c0 + 1).fill(null);
    for (const c of list) line[c.col - c0] = sheetsInput(c.text);
    const span = `${c0}:${c1}`;
    if (cur && span === curSpan && cur.row + cur.values.length === r) cur.values.push(line);
    else {
      cur = { sheet, row: r, col: c0, values: [line] };
      curSpan = span;
      out.push(cur);
    }
  }
  return out;
}

export class SheetSide implements Side {
  readonly remote = true;
  readonly canLog = true;
  readonly localPath = null;
  readonly client: SheetsClient;
  private meta: SpreadsheetMeta | null = null;
  private tab: SheetMeta | null = null;
  private title: string;
  private lastRow = 0;

  constructor(
    readonly spreadsheetId: string,
    sheet: string | null,
    creds: Credentials,
    opts: ClientOptions = {},
  ) {
    this.title = sheet ?? "";
    this.client = new SheetsClient(spreadsheetId, creds, opts);
  }

  get label(): string {
    return `gsheet:${this.spreadsheetId}${this.title ? `#${this.title}` : ""}`;
  }
  requests(): number {
    return this.client.requests;
  }

  async read(): Promise<SideData> {
    const meta = await this.client.meta();
    this.meta = meta;
    const find = (t: string): SheetMeta | undefined => meta.sheets.find((s) => s.title.toLowerCase() === t.toLowerCase());
    if (this.title) this.tab = find(this.title) ?? null;
    else {
      // No tab named: the first visible tab that is not one of pipesheet's own.
      this.tab = meta.sheets.find((s) => !s.hidden && !OWN_TABS.has(s.title.toLowerCase())) ?? null;
      this.title = this.tab?.title ?? "Deals";
    }
    if (this.tab) this.title = this.tab.title;
    const settingsTab = find(TAB_SETTINGS);
    const ranges = [...(this.tab ? [quoteSheet(this.tab.title)] : []), ...(settingsTab ? [quoteSheet(settingsTab.title)] : [])];
    const got = await this.client.read(ranges, { values: "UNFORMATTED_VALUE", dates: "FORMATTED_STRING" });
    const settings: Grid | null = settingsTab ? ((got[this.tab ? 1 : 0] ?? []) as Grid) : null;
    if (!this.tab) return { exists: false, table: emptyTable(), settings, sheetName: this.title };
    const grid = (got[0] ?? []).map((r) => Array.from(r, sheetsText));
    this.lastRow = grid.length;
    return { exists: true, table: tableFromGrid(grid, this.title), settings, sheetName: this.title };
  }

  async write(w: SideWrite): Promise<void> {
    const meta = this.meta as SpreadsheetMeta;
    const structure: Request[] = [];
    const fresh = this.tab === null;
    let sheetId = this.tab?.sheetId ?? 0;
    if (fresh) {
      // A new tab is made big enough for every row, so all of them go in as retryable fixed-range writes.
      sheetId = nextSheetId(meta);
      const rows = w.headerRow + 1 + w.append.length;
      structure.push({
        addSheet: { properties: { sheetId, title: this.title, gridProperties: { rowCount: Math.max(1000, rows + 100), columnCount: Math.max(26, w.width), frozenRowCount: 1 } } },
      });
    } else if (w.width > (this.tab as SheetMeta).columnCount) {
      structure.push({ appendDimension: { sheetId, dimension: "COLUMNS", length: w.width - (this.tab as SheetMeta).columnCount } });
    }
    const logTab = meta.sheets.find((s) => s.title.toLowerCase() === TAB_LOG.toLowerCase());
    if (w.log.length > 0 && !logTab) {
      structure.push({
        addSheet: { properties: { sheetId: nextSheetId(meta, fresh ? [sheetId] : []), title: TAB_LOG, hidden: true, gridProperties: { rowCount: 1000, columnCount: LOG_HEADER.length } } },
      });
    }
    if (structure.length > 0) {
      await this.client.batchUpdate(structure, false, fresh ? `add the tab "${this.title}"` : "add columns");
      // From here on the tab exists; a failure later leaves it, and the next run writes into it.
      if (fresh) this.tab = { sheetId, title: this.title, index: meta.sheets.length, hidden: false, rowCount: Math.max(1000, w.headerRow + 1 + w.append.length + 100), columnCount: Math.max(26, w.width), conditionalFormats: [], chartIds: [] };
      else (this.tab as SheetMeta).columnCount = Math.max((this.tab as SheetMeta).columnCount, w.width);
      if (w.log.length > 0 && !logTab) meta.sheets.push({ sheetId: -1, title: TAB_LOG, index: meta.sheets.length, hidden: true, rowCount: 1000, columnCount: LOG_HEADER.length, conditionalFormats: [], chartIds: [] });
    }
    const cells: CellWrite[] = [...w.header, ...w.cells];
    if (fresh) w.append.forEach((row, i) => row.forEach((text, col) => text !== "" && cells.push({ row: w.headerRow + 1 + i, col, text })));
    if (cells.length > 0) await this.client.write(rectangles(this.title, cells), `write to "${this.title}"`);
    if (!fresh && w.append.length > 0) {
      const rows = w.append.map((r) => r.map(sheetsInput));
      await this.client.append(this.title, Math.max(this.lastRow, w.headerRow + 1), 0, w.width, rows, `add rows to "${this.title}"`);
    }
    if (w.log.length > 0) {
      const rows = w.log.map((r) => r.map((c: Cell) => sheetsInput(c instanceof Date ? c.toISOString().slice(0, 10) : c === null || c === undefined ? "" : String(c))));
      await this.client.append(TAB_LOG, 0, 0, LOG_HEADER.length, rows, "append to the Pipeline Log");
    }
    if (w.remove.length > 0) await this.removeRows(w);
    this.meta = null;
  }

  /** Deletes rows by Deal ID, re-reading the ID column first so a row moved since the read is not hit. */
  private async removeRows(w: SideWrite): Promise<void> {
    const col = colName(w.idCol);
    const [ids] = await this.client.read([`${quoteSheet(this.title)}!${col}:${col}`], { values: "UNFORMATTED_VALUE", dates: "FORMATTED_STRING" });
    const where = new Map<string, number>();
    (ids ?? []).forEach((r, i) => {
      const id = sheetsText(r[0]).trim();
      if (i > w.headerRow && id !== "" && !where.has(id)) where.set(id, i);
    });
    const rows = w.remove
      .map((r) => where.get(r.id))
      .filter((r): r is number => r !== undefined)
      .sort((x, y) => y - x);
    if (rows.length === 0) return;
    const sheetId = (this.tab as SheetMeta).sheetId;
    await this.client.batchUpdate(
      rows.map((r) => ({ deleteDimension: { range: { sheetId, dimension: "ROWS", startIndex: r, endIndex: r + 1 } } })),
      false,
      `delete rows from "${this.title}"`,
    );
  }
}

/** A sheet ID no tab uses yet (chosen by us, so one batchUpdate can add a tab and write to it). */
export function nextSheetId(meta: SpreadsheetMeta, alsoTaken: number[] = []): number {
  const taken = new Set([...meta.sheets.map((s) => s.sheetId), ...alsoTaken]);
  let id = 1_000_001;
  while (taken.has(id)) id++;
  return id;
}
