// .xlsx (and .xlsm) in and out as a patch of the package: read the deals, settings and log tabs; apply a
// WorkbookPlan by changing only what pipesheet owns, every other part of the file copied byte for byte.
import { readFile } from "node:fs/promises";
import { LOG_HEADER } from "../../core/index.js";
import { TAB_LOG, TAB_SETTINGS, type Grid } from "../../core/index.js";
import { CliError, fromFsError } from "../errors.js";
import { writeFileAtomic } from "./atomic.js";
import { gridAside } from "./xlsx-pkg/aside.js";
import { Book, type Layout, type SheetInfo } from "./xlsx-pkg/book.js";
import { applyPlanToPackage, OWN_TABS, type PlanParts, type SheetEdit } from "./xlsx-pkg/patch.js";
import { newWorkbook } from "./xlsx-pkg/new-book.js";
import { SharedStrings } from "./xlsx-pkg/sst.js";
import { Package } from "./xlsx-pkg/zip.js";

export { OWN_TABS, type SheetEdit };
export type { NewStyle } from "./xlsx-pkg/new-book.js";

export interface OpenWorkbook {
  path: string;
  pkg: Package;
  book: Book;
  /** pipesheet's tab names as core knows them -> their names in this workbook (another when the team has one alike). */
  tabNames: Record<string, string>;
  /** What to tell the user about how the file was read (a tab of the team's named like one of pipesheet's). */
  notes: string[];
  /** Grids of pipesheet's tabs, read once. */
  grids: Map<string, Grid>;
}

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ENCRYPTION_INFO = Buffer.from("EncryptionInfo", "utf16le");

/** Opens a workbook file, refusing in plain words what is not one. */
export async function openWorkbook(path: string): Promise<OpenWorkbook> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw fromFsError(e, path, false);
  }
  if (buf.subarray(0, 8).equals(CFB_MAGIC)) {
    // Excel saves a password-protected workbook as an encrypted package inside an OLE compound file.
    if (buf.includes(ENCRYPTION_INFO)) throw new CliError("UNREADABLE_FILE", `${path} is password-protected: save a copy without a password`);
    throw new CliError("UNREADABLE_FILE", `cannot read ${path}: it is an Excel 97-2003 workbook (.xls), not an .xlsx; save a copy as .xlsx and run again`);
  }
  let pkg: Package;
  try {
    pkg = await Package.open(buf);
  } catch (e) {
    throw new CliError("UNREADABLE_FILE", `cannot read ${path}: it is not an .xlsx workbook (${e instanceof Error ? e.message : String(e)})`);
  }
  return workbookFromPackage(pkg, path);
}

/** A package already in memory (a workbook just made from a CSV file, or one opened from a file). */
export function workbookFromPackage(pkg: Package, path: string): OpenWorkbook {
  const mimetype = pkg.text("mimetype");
  if (mimetype !== null && mimetype.includes("opendocument"))
    throw new CliError("UNREADABLE_FILE", `cannot read ${path}: it is an OpenDocument spreadsheet (.ods), not an .xlsx; save a copy as .xlsx and run again`);
  let book: Book;
  try {
    book = new Book(pkg);
  } catch (e) {
    throw new CliError("UNREADABLE_FILE", `cannot read ${path}: it is not an .xlsx workbook (${e instanceof Error ? e.message : String(e)})`);
  }
  const notes: string[] = [];
  return { path, pkg, book, tabNames: ownTabNames(book, notes), notes, grids: new Map() };
}

/** A new workbook with one empty sheet (a sync's first write to an .xlsx that does not exist yet). */
export function newSheetWorkbook(sheet: string, path: string): OpenWorkbook {
  return workbookFromPackage(newWorkbook(sheet, [], () => 0, 0, []), path);
}

/** Whether a tab holds what pipesheet writes there (its title, or the log's header), so it is pipesheet's to rewrite. */
function looksOwn(book: Book, sheet: SheetInfo, tab: string): boolean {
  if (!sheet.worksheet) return false;
  const first = book.grid(sheet, 1)[0] ?? [];
  if (tab === TAB_LOG) return LOG_HEADER.slice(0, 3).every((h, i) => first[i] === h);
  return first[0] === tab;
}

/**
 * pipesheet's tab names in this workbook. A tab of the team's that happens to have one of the names (in any case)
 * stays theirs: pipesheet's tab gets "(pipesheet)" after its name, and the user is told.
 */
function ownTabNames(book: Book, notes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tab of OWN_TABS) {
    for (let n = 0; ; n++) {
      const name = n === 0 ? tab : n === 1 ? `${tab} (pipesheet)` : `${tab} (pipesheet ${n})`;
      const there = book.find(name);
      if (there && !looksOwn(book, there, tab)) continue;
      out[tab] = there ? there.name : name;
      if (n > 0) notes.push(`your tab "${book.find(tab)?.name ?? tab}" stays as it is; pipesheet's ${tab} tab is "${out[tab]}"`);
      break;
    }
  }
  return out;
}

/** The sheet names core sees: pipesheet's tabs under the names core knows, the team's look-alikes left out. */
export function sheetNamesForCore(wb: OpenWorkbook): string[] {
  const own = new Map(Object.entries(wb.tabNames).map(([k, v]) => [v.toLowerCase(), k]));
  return wb.book.sheets.filter((s) => own.has(s.name.toLowerCase()) || !OWN_TABS.some((t) => t.toLowerCase() === s.name.toLowerCase())).map((s) => own.get(s.name.toLowerCase()) ?? s.name);
}

/** The grid of one of pipesheet's tabs (by the name core knows), or null when the workbook has none. */
export function ownTabGrid(wb: OpenWorkbook, tab: string): Grid | null {
  const sheet = wb.book.find(wb.tabNames[tab] ?? tab);
  if (!sheet) return null;
  let grid = wb.grids.get(sheet.name);
  if (!grid) wb.grids.set(sheet.name, (grid = wb.book.grid(sheet)));
  return grid;
}

/**
 * ownTabGrid, begun now and read beside the main thread when the tab is large (a worker reads the log tab while
 * the deals sheet is read here); later ownTabGrid calls get the same grid. `cancel` stops the worker when the run
 * ends before it needs the grid (no deals sheet), so the process need not wait for it.
 */
export function ownTabGridAside(wb: OpenWorkbook, tab: string): { grid: Promise<Grid | null>; cancel(): void } {
  const sheet = wb.book.find(wb.tabNames[tab] ?? tab);
  if (!sheet) return { grid: Promise.resolve(null), cancel: () => undefined };
  const cached = wb.grids.get(sheet.name);
  if (cached) return { grid: Promise.resolve(cached), cancel: () => undefined };
  const read = gridAside(wb.book, sheet);
  const grid = read.result.then(({ grid: g }) => {
    wb.grids.set(sheet.name, g);
    return g;
  });
  return { grid, cancel: read.cancel };
}

export interface DealsSheet {
  sheet: SheetInfo;
  grid: Grid;
  layout: Layout;
}

const DETECT_ROWS = 40;

/**
 * The deals sheet: the one named (case-insensitive, hidden ones too), else the first visible worksheet that maps
 * as a deals sheet. pipesheet's own tabs are never candidates.
 */
export function pickDealsSheet(wb: OpenWorkbook, requested: string | null, isDeals: (grid: Grid, name: string) => boolean, label: string): DealsSheet {
  return pickSheet(wb, requested, isDeals, label);
}

function pickSheet(wb: OpenWorkbook, requested: string | null, isDeals: (grid: Grid, name: string) => boolean, label: string): DealsSheet {
  const { book } = wb;
  const names = book.sheets.map((s) => s.name);
  const ownNames = new Set(Object.values(wb.tabNames).map((n) => n.toLowerCase()));
  if (requested !== null) {
    const sheet = book.find(requested);
    if (!sheet) throw new CliError("NO_DEALS_SHEET", `no sheet "${requested}" in ${label} (sheets: ${names.join(", ") || "none"})`);
    if (!sheet.worksheet) throw new CliError("NO_DEALS_SHEET", `"${sheet.name}" in ${label} is a chart sheet, not a sheet of cells; name the deals sheet with --sheet`);
    return { sheet, ...book.layout(sheet) };
  }
  for (const sheet of book.sheets) {
    if (!sheet.worksheet || sheet.state !== "visible" || ownNames.has(sheet.name.toLowerCase())) continue;
    // The header row is near the top: judge each sheet by its first rows, read the whole of the one chosen.
    if (!isDeals(book.grid(sheet, DETECT_ROWS), sheet.name)) continue;
    return { sheet, ...book.layout(sheet) };
  }
  const hidden = book.sheets.filter((s) => s.state !== "visible").map((s) => s.name);
  throw new CliError(
    "NO_DEALS_SHEET",
    `no deals sheet found in ${label}: no visible sheet has a header row with at least Deal name and Stage (sheets: ${names.join(", ") || "none"}${hidden.length > 0 ? `; hidden: ${hidden.join(", ")}` : ""}); name one with --sheet`,
  );
}

/** Applies the plan to the package and writes it to `out` (atomically); returns notes for the user. */
export async function saveWorkbook(wb: OpenWorkbook, deals: DealsSheet, plan: PlanParts, out: string, edit: SheetEdit | null = null): Promise<string[]> {
  const notes = [...wb.notes];
  await applyPlanToPackage(
    { pkg: wb.pkg, book: wb.book, tabNames: wb.tabNames, settingsGrid: ownTabGrid(wb, TAB_SETTINGS), logGrid: ownTabGrid(wb, TAB_LOG), notes, sst: new SharedStrings(wb.book) },
    deals,
    plan,
    edit,
  );
  const bytes = await wb.pkg.write();
  try {
    await writeFileAtomic(out, bytes);
  } catch (e) {
    throw fromFsError(e, out, true);
  }
  return notes;
}

/** A sync's cell edits and log rows, written into the workbook (its rules, drop-downs and columns left as they are). */
export function saveSheetEdit(wb: OpenWorkbook, deals: DealsSheet, edit: SheetEdit, log: Grid, out: string): Promise<string[]> {
  const plan: PlanParts = { headerRow: 0, rowCount: 0, columns: [], conditionalFormats: [], validations: [], tabs: [], logAppend: log };
  return saveWorkbook(wb, deals, plan, out, edit);
}

