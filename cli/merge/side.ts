// One side of a sync (a CSV file, a sheet in an .xlsx, a tab of a Google Sheet): read it as a table, write changes.
import type { DateOrder, Grid } from "../../core/index.js";
import type { Table } from "./table.js";

export interface SideData {
  /** False when the file, sheet or tab does not exist yet (it is created on the first write). */
  exists: boolean;
  table: Table;
  /** The "Pipeline Settings" tab, for stage names and the Stage column; null when the side has none. */
  settings: Grid | null;
  /** Name of the sheet the table is on (for core's messages). */
  sheetName: string;
}

export interface CellWrite {
  /** 0-based sheet row and column. */
  row: number;
  col: number;
  text: string;
  /** The Deal ID of the row (set for stage changes that go to the log with it). */
  id?: string;
}

/** Everything one run writes to one side; positions are the side's own. */
export interface SideWrite {
  /** Header cells to write (new columns, or the whole header of a side that was empty). */
  header: CellWrite[];
  cells: CellWrite[];
  /** New rows, under the last row of the table, in the side's column order. */
  append: string[][];
  /** Rows to delete, with the Deal ID that must be on each (checked again just before deleting). */
  remove: { row: number; id: string }[];
  /** Rows for the "Pipeline Log" tab. */
  log: Grid;
  /**
   * The stage changes those log rows record (stage and Stage entered cells). A side writes them in one step
   * with the log rows, so a run that stops never leaves a logged change unwritten or a written one unlogged.
   */
  logged: CellWrite[];
  /** Width of the table after the write. */
  width: number;
  /**
   * 0-based sheet row of the last deal (or the header): a side that can insert rows safely (a CSV) puts new
   * deals under it, above a totals row or notes that close the table.
   */
  lastDealRow?: number;
  headerRow: number;
  idCol: number;
  /** The side's date columns and the order their text is written in, so a side of typed cells (an .xlsx) stores dates. */
  dates?: Map<number, DateOrder>;
}

export const isEmptyWrite = (w: SideWrite): boolean =>
  w.header.length === 0 && w.cells.length === 0 && w.append.length === 0 && w.remove.length === 0 && w.log.length === 0 && w.logged.length === 0;

export interface Side {
  /** As the user named it: "deals.csv", "book.xlsx#Deals", "gsheet:ID#Deals". */
  readonly label: string;
  /** The file on disk, for a local side. */
  readonly localPath: string | null;
  readonly remote: boolean;
  /** Whether the side keeps a "Pipeline Log" tab. */
  readonly canLog: boolean;
  read(): Promise<SideData>;
  write(w: SideWrite): Promise<void>;
  /** Why this side cannot be written without losing something of the team's (asked after read), or null. */
  cannotWrite?(): string | null;
  /** Why this particular write cannot be made without loss (a character the file's encoding lacks), or null. */
  refuseWrite?(w: SideWrite): string | null;
  /** Something about how the side was read that the user should know (a CSV's encoding), or null. */
  readonly note?: string | null;
  /** Requests sent so far (remote sides), for the report and the bench. */
  requests(): number;
}
