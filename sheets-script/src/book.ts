// Reading the workbook: the tabs, the clock in the spreadsheet's time zone, and each grid in one getValues.
import { isOwnTab, OWN_TABS, type Grid } from "../../core/index.js";
import { datesToSerials, offsetFromZ, serialFromDate, serialFromLocalDate } from "./cells.js";
import type { Sheet, Spreadsheet } from "./gas.js";

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
