// A tab of a Google Sheet as one side of a sync, through the Sheets API: one metadata read and one batchGet;
// writes as fixed-range values.batchUpdate (retried); new rows appended, stage changes with their log rows,
// new tabs and columns, and deleted rows in requests that are never retried.
import { colName, EXCEL_EPOCH_OFFSET, LOG_HEADER, quoteSheet, TAB_LOG, TAB_SETTINGS, type Grid } from "../../core/index.js";
import { asIsoDay, asNumber, sheetsInput, sheetsText } from "../merge/cells.js";
import type { sheets_v4 } from "googleapis/build/src/apis/sheets/index.js";
import type { CellWrite, Side, SideData, SideWrite } from "../merge/side.js";
import { emptyTable, tableFromGrid } from "../merge/table.js";
import type { Credentials } from "./auth.js";
import { dealsTab, SheetsClient, tabNamed, type CellValue, type ClientOptions, type RangeWrite, type Request, type SheetMeta, type SpreadsheetMeta } from "./client.js";

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
  const rows = [...byRow.entries()].sort(([x], [y]) => x - y);
  const out: RangeWrite[] = [];
  let cur: RangeWrite | null = null;
  let curSpan = "";
  for (const [r, cellsOfRow] of rows) {
    const list = cellsOfRow.sort((x, y) => x.col - y.col);
    const first = list[0];
    const last = list[list.length - 1];
    if (!first || !last) continue;
    const c0 = first.col;
    const c1 = last.col;
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

/** Text as a typed cell for updateCells/appendCells: numbers, ISO days as dates (yyyy-mm-dd), TRUE/FALSE, else text. */
export function typedCell(text: string): sheets_v4.Schema$CellData {
  if (text === "") return {};
  const n = asNumber(text);
  if (n !== null) return { userEnteredValue: { numberValue: n } };
  const d = asIsoDay(text);
  if (d) return { userEnteredValue: { numberValue: d.getTime() / 86_400_000 + EXCEL_EPOCH_OFFSET }, userEnteredFormat: { numberFormat: { type: "DATE", pattern: "yyyy-mm-dd" } } };
  if (text === "TRUE" || text === "FALSE") return { userEnteredValue: { boolValue: text === "TRUE" } };
  return { userEnteredValue: { stringValue: text } };
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
    const find = (t: string): SheetMeta | undefined => tabNamed(meta, t);
    this.tab = dealsTab(meta, this.title || null) ?? null;
    // No tab named and none to take: the tab this sync will create.
    if (!this.title) this.title = this.tab?.title ?? "Deals";
    if (this.tab) this.title = this.tab.title;
    const settingsTab = find(TAB_SETTINGS);
    const ranges = [...(this.tab ? [quoteSheet(this.tab.title)] : []), ...(settingsTab ? [quoteSheet(settingsTab.title)] : [])];
    const got = await this.client.read(ranges, { values: "UNFORMATTED_VALUE", dates: "FORMATTED_STRING" });
    const settings: Grid | null = settingsTab ? (got[this.tab ? 1 : 0] ?? []) : null;
    if (!this.tab) return { exists: false, table: emptyTable(), settings, sheetName: this.title };
    const grid = (got[0] ?? []).map((r) => Array.from(r, sheetsText));
    this.lastRow = grid.length;
    return { exists: true, table: tableFromGrid(grid, this.title), settings, sheetName: this.title };
  }

  /** The spreadsheet's metadata as read() found it; writing comes after reading. */
  private readMeta(): SpreadsheetMeta {
    if (!this.meta) throw new Error(`${this.label}: written before it was read`);
    return this.meta;
  }

  async write(w: SideWrite): Promise<void> {
    const meta = this.readMeta();
    const structure: Request[] = [];
    const tab = this.tab;
    const fresh = tab === null;
    let sheetId = tab?.sheetId ?? 0;
    if (fresh) {
      // A new tab is made big enough for every row, so all of them go in as retryable fixed-range writes.
      sheetId = nextSheetId(meta);
      const rows = w.headerRow + 1 + w.append.length;
      structure.push({
        addSheet: { properties: { sheetId, title: this.title, gridProperties: { rowCount: Math.max(1000, rows + 100), columnCount: Math.max(26, w.width), frozenRowCount: 1 } } },
      });
    } else if (w.width > tab.columnCount) {
      structure.push({ appendDimension: { sheetId, dimension: "COLUMNS", length: w.width - tab.columnCount } });
    }
    if (structure.length > 0) {
      await this.client.batchUpdate(structure, false, fresh ? `add the tab "${this.title}"` : "add columns");
      // From here on the tab exists; a failure later leaves it, and the next run writes into it.
      if (fresh) this.tab = { sheetId, title: this.title, index: meta.sheets.length, hidden: false, rowCount: Math.max(1000, w.headerRow + 1 + w.append.length + 100), columnCount: Math.max(26, w.width), conditionalFormats: [], chartIds: [] };
      else tab.columnCount = Math.max(tab.columnCount, w.width);
    }
    const cells: CellWrite[] = [...w.header, ...w.cells];
    if (fresh) w.append.forEach((row, i) => row.forEach((text, col) => text !== "" && cells.push({ row: w.headerRow + 1 + i, col, text })));
    if (cells.length > 0) await this.client.write(rectangles(this.title, cells), `write to "${this.title}"`);
    if (!fresh && w.append.length > 0) {
      const rows = w.append.map((r) => r.map(sheetsInput));
      await this.client.append(this.title, Math.max(this.lastRow, w.headerRow + 1), 0, w.width, rows, `add rows to "${this.title}"`);
    }
    if (w.log.length > 0 || w.logged.length > 0) await this.writeLogged(w, sheetId);
    if (w.remove.length > 0) await this.removeRows(w);
  }

  /**
   * Stage changes and their log rows in one batchUpdate, which the API applies all or nothing: a run that
   * stops here leaves the change unwritten and unlogged, and the next run does both. Never retried (it appends).
   */
  private async writeLogged(w: SideWrite, sheetId: number): Promise<void> {
    const meta = this.readMeta();
    let logTab = tabNamed(meta, TAB_LOG);
    const byDeal = new Map<string, { cells: CellWrite[]; log: Grid }>();
    const group = (id: string): { cells: CellWrite[]; log: Grid } => {
      let g = byDeal.get(id);
      if (!g) byDeal.set(id, (g = { cells: [], log: [] }));
      return g;
    };
    for (const c of w.logged) group(c.id ?? "").cells.push(c);
    for (const row of w.log) group(String(row[0] ?? "")).log.push(row);
    const cellRequest = (c: CellWrite): Request => {
      const data = typedCell(c.text);
      return {
        updateCells: {
          start: { sheetId, rowIndex: c.row, columnIndex: c.col },
          rows: [{ values: [data] }],
          fields: data.userEnteredFormat ? "userEnteredValue,userEnteredFormat.numberFormat" : "userEnteredValue",
        },
      };
    };
    // Each deal's cells and log rows stay in the same request; requests are packed up to the payload limit.
    let batch: Request[] = [];
    let logRows: Grid = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0 && logRows.length === 0) return;
      const requests = [...batch];
      if (logRows.length > 0) {
        if (!logTab) {
          const id = nextSheetId(meta, [sheetId]);
          requests.unshift(
            { addSheet: { properties: { sheetId: id, title: TAB_LOG, hidden: true, gridProperties: { rowCount: 1000, columnCount: LOG_HEADER.length } } } },
            { updateCells: { start: { sheetId: id, rowIndex: 0, columnIndex: 0 }, rows: [{ values: LOG_HEADER.map((h) => ({ userEnteredValue: { stringValue: h } })) }], fields: "userEnteredValue" } },
          );
          logTab = { sheetId: id, title: TAB_LOG, index: meta.sheets.length, hidden: true, rowCount: 1000, columnCount: LOG_HEADER.length, conditionalFormats: [], chartIds: [] };
          meta.sheets.push(logTab);
        }
        // A log tab made by 0.1 has 5 columns; 0.2's rows carry 10.
        const width = Math.max(...logRows.map((r) => r.length));
        if (width > logTab.columnCount) {
          requests.push({ appendDimension: { sheetId: logTab.sheetId, dimension: "COLUMNS", length: width - logTab.columnCount } });
          logTab.columnCount = width;
        }
        requests.push({
          appendCells: {
            sheetId: logTab.sheetId,
            rows: logRows.map((r) => ({ values: r.map((c) => typedCell(c instanceof Date ? c.toISOString().slice(0, 10) : c === null || c === undefined ? "" : String(c))) })),
            fields: "userEnteredValue,userEnteredFormat.numberFormat",
          },
        });
      }
      batch = [];
      logRows = [];
      size = 0;
      await this.client.batchUpdate(requests, false, "write stage changes and the Pipeline Log");
    };
    for (const g of byDeal.values()) {
      const reqs = g.cells.map(cellRequest);
      const bytes = JSON.stringify(reqs).length + JSON.stringify(g.log).length * 3;
      if (size + bytes > this.client.limit - 2000) await flush();
      batch.push(...reqs);
      logRows.push(...g.log);
      size += bytes;
    }
    await flush();
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
    if (!this.tab) throw new Error(`rows to delete from "${this.title}", a tab the sync did not find`);
    const sheetId = this.tab.sheetId;
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
