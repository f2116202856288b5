// Reading the workbook: the tabs, the clock in the spreadsheet's time zone, and each grid in one getValues.
import { isOwnTab, OWN_TABS, TAB_ACTIVITIES, type Command, type Grid } from "../../core/index.js";
import { datesToSerials, offsetFromZ, serialFromDate, serialFromLocalDate } from "./cells.js";
import type { Sheet, Spreadsheet } from "./gas.js";
import type { StageConfig } from "./store.js";

/** How long a command waits for another run in the same spreadsheet to finish. */
export const LOCK_WAIT_MS = 10_000;

export interface Tab {
  sheet: Sheet;
  name: string;
  readonly id: number;
}

export interface Book {
  ss: Spreadsheet;
  /** The spreadsheet's time zone, e.g. "Europe/Berlin". */
  zone: string;
  /** Today in the spreadsheet's time zone, "YYYY-MM-DD". */
  today: string;
  toSerial: (d: Date) => number;
  tabs: Tab[];
  /** True when `tabs` holds every sheet of the spreadsheet (read with getSheets), so its length is the sheet count. */
  complete: boolean;
}

/** A tab whose sheet id is asked for only when something needs it, and then once. */
export function tabOf(sheet: Sheet, name: string): Tab {
  let id: number | undefined;
  return {
    sheet,
    name,
    get id(): number {
      id ??= sheet.getSheetId();
      return id;
    },
  };
}

export { OWN_TABS, isOwnTab };

export function openBook(ss: Spreadsheet, withTabs = true): Book {
  const zone = ss.getSpreadsheetTimeZone();
  const now = new Date();
  // Today and the zone's offset in one call: "2026-11-26 +1300".
  const [today = "", z = ""] = Utilities.formatDate(now, zone, "yyyy-MM-dd Z").split(" ");
  // Exact when the script runs in the spreadsheet's zone; else corrected by the zone's offset.
  const toSerial = Session.getScriptTimeZone() === zone ? serialFromLocalDate : ((offset: number) => (d: Date) => serialFromDate(d, offset))(offsetFromZ(z));
  const tabs = withTabs ? ss.getSheets().map((sheet) => tabOf(sheet, sheet.getName())) : [];
  return { ss, zone, today, toSerial, tabs, complete: withTabs };
}

/** Tab names are unique regardless of case in Sheets, and core compares them that way too. */
export function findTab(book: Book, name: string): Tab | undefined {
  const key = name.toLowerCase();
  return book.tabs.find((t) => t.name.toLowerCase() === key);
}

/** The whole used range from A1, dates as serial numbers. */
export function readGrid(sheet: Sheet, book: Book): Grid {
  const grid = sheet.getDataRange().getValues() as Grid;
  datesToSerials(grid, book.toSerial);
  return grid;
}

/**
 * The deals sheet: for setup the sheet in front of the user (unless it is one of pipesheet's tabs);
 * for the other commands the sheet set up before, else the one in front.
 */
export function pickDealsSheet(book: Book, stage: StageConfig | null, command: Command, resumeSheet: number | null): Tab | null {
  // Ids are read lazily: try the tab of the remembered name first, so usually only that one's id is asked for.
  const byId = (id: number | null | undefined): Tab | undefined => {
    if (id === null || id === undefined) return undefined;
    const named = stage ? findTab(book, stage.sheetName) : undefined;
    return named && named.id === id ? named : book.tabs.find((t) => t.id === id);
  };
  const resumed = byId(resumeSheet);
  if (resumed) return resumed;
  // The sheet in front is asked for only when it decides: always for setup, else when no sheet was set up.
  const active = (): Tab | undefined => {
    const activeName = book.ss.getActiveSheet().getName();
    // The activity log is not a deals sheet, even when the team was just logging on it.
    return isOwnTab(activeName) || activeName.toLowerCase() === TAB_ACTIVITIES.toLowerCase() ? undefined : findTab(book, activeName);
  };
  const configured = (): Tab | undefined => byId(stage?.sheetId);
  const first = (): Tab | undefined => book.tabs.find((t) => !isOwnTab(t.name));
  return (command === "setup" ? (active() ?? configured()) : (configured() ?? active())) ?? first() ?? null;
}
