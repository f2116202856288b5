// Where deals come from and where the managed result goes: "deals.csv", "book.xlsx#Deals", later "gsheet:ID#Deals".
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { getHeapStatistics } from "node:v8";
import { pickActivitiesTab } from "../core/index.js";
import { HEADER_SCAN_ROWS, mapColumns } from "../core/index.js";
import { dayFromExcelSerial, dealsWrites, excelSerialFromDay, isoFromDay, parseDateAs, parseNumberAs, sheetTypes, type ValueKind } from "../core/index.js";
import { settingsFromGrid } from "../core/index.js";
import { TAB_LOG, TAB_SETTINGS, type Cell, type Grid, type WorkbookInput, type WorkbookPlan } from "../core/index.js";
import { CliError, fromFsError } from "./errors.js";
import { readCsvFile, toCsv } from "./io/csv.js";
import type * as XlsxModule from "./io/xlsx.js";
import type { Progress } from "./progress.js";
import { writeFileAtomic } from "./io/atomic.js";

type XlsxIo = typeof XlsxModule;

export type SourceRef =
  | { kind: "csv"; path: string; sheet: null }
  | { kind: "xlsx"; path: string; sheet: string | null }
  | { kind: "gsheet"; id: string; sheet: string | null };

const CSV_EXT = new Set([".csv", ".tsv", ".txt"]);
/** Name of the deals sheet when the source is a CSV file (and of the sheet in the .xlsx made from it). */
export const CSV_SHEET = "Deals";

/** Parses a source argument. `--sheet` wins over a "#Sheet" suffix. */
export function parseSourceRef(text: string, sheetOption: string | null = null): SourceRef {
  const t = text.trim();
  if (t === "") throw new CliError("BAD_ARGUMENTS", "no file given: pass a .csv or .xlsx file");
  const g = /^gsheet:([^#]+)(?:#(.+))?$/i.exec(t);
  if (g) return { kind: "gsheet", id: g[1] ?? "", sheet: sheetOption ?? g[2] ?? null };
  // "book.xlsx#Deals" names a sheet, unless a file with that literal name exists.
  const hash = /^(.*\.xls[xm])#(.+)$/i.exec(t);
  if (hash && !existsSync(t)) return { kind: "xlsx", path: hash[1] ?? "", sheet: sheetOption ?? hash[2] ?? null };
  const ext = extname(t).toLowerCase();
  if (CSV_EXT.has(ext)) {
    if (sheetOption !== null) throw new CliError("BAD_ARGUMENTS", `--sheet does not apply to ${t}: a CSV file has one sheet`);
    return { kind: "csv", path: t, sheet: null };
  }
  if (ext === ".xlsx" || ext === ".xlsm") return { kind: "xlsx", path: t, sheet: sheetOption };
  if (ext === ".xls" || ext === ".ods" || ext === ".numbers")
    throw new CliError("BAD_ARGUMENTS", `${t}: ${ext} files are not supported; save a copy as .xlsx (or export .csv) and run again`);
  throw new CliError("BAD_ARGUMENTS", `${t}: unsupported file type "${ext || "(none)"}"; pass a .csv or .xlsx file`);
}

export const describeRef = (ref: SourceRef): string =>
  ref.kind === "gsheet" ? `gsheet:${ref.id}${ref.sheet ? `#${ref.sheet}` : ""}` : ref.path;

/** Default output: FILE-managed.xlsx beside the input, so the input is never overwritten by accident. */
export function defaultOut(ref: SourceRef): string {
  if (ref.kind === "gsheet") throw new CliError("BAD_ARGUMENTS", "give --out for a Google Sheets source");
  const ext = extname(ref.path);
  // A macro-enabled workbook stays one: its copy keeps the macros and the .xlsm extension Excel needs for them.
  return join(dirname(ref.path), `${basename(ref.path, ext)}-managed${ext.toLowerCase() === ".xlsm" ? ".xlsm" : ".xlsx"}`);
}

export type OutKind = "xlsx" | "csv";
export function outKind(path: string): OutKind {
  const ext = extname(path).toLowerCase();
  if (ext === ".xlsx" || ext === ".xlsm") return "xlsx";
  if (ext === ".csv") return "csv";
  throw new CliError("BAD_ARGUMENTS", `--out ${path}: write to a .xlsx (the managed workbook) or a .csv (deals with pipesheet's columns)`);
}

export interface OpenedSource {
  ref: SourceRef;
  input: WorkbookInput;
  /** Size on disk, to decide whether progress is worth showing. */
  bytes: number;
  /** Applies the plan and writes the result; returns notes for the user. */
  save(plan: WorkbookPlan, out: string): Promise<string[]>;
  /** Notes about how the input was read (a CSV's encoding, when not UTF-8). */
  notes?: string[];
}

// ------------------------------------------------------------------------------------------ CSV

/**
 * A CSV holds only text. In the .xlsx made from it, the date and amount columns core recognises become real
 * date and number cells (as Excel does when it opens a CSV), so the live highlighting, which compares dates
 * with TODAY(), works on them. Cells core cannot read stay text, so their problems stay visible.
 */
const xlsxIo = (): Promise<XlsxIo> => import("./io/xlsx.js");

/**
 * Heap a CSV file of `bytes` needs to become an .xlsx, as measured (bench/xlsx.ts): the grid, the typed cells,
 * the sheet's rows as text and its layout come to about 30 times the file (100k deals, 18 MB: about 0.75 GB;
 * 1,048,575 deals, 178 MB: about 6 GB).
 */
export const XLSX_HEAP_PER_CSV_BYTE = 30;

/**
 * Refuses, before it starts, a CSV -> .xlsx that would run out of Node's heap (which ends the process with no
 * way to catch it), saying what to do: a larger heap through NODE_OPTIONS, or a .csv out.
 */
export function checkXlsxHeap(rows: number, bytes: number, path: string, limit = getHeapStatistics().heap_size_limit): void {
  const need = bytes * XLSX_HEAP_PER_CSV_BYTE;
  if (need <= limit) return;
  const gb = (n: number): string => (n / 2 ** 30).toFixed(1);
  // Twice the estimate, in steps of 4 GB: room for the garbage a run makes on the way.
  const suggest = Math.ceil((2 * need) / 2 ** 32) * 4096;
  throw new CliError(
    "UNWRITABLE_FILE",
    `cannot write ${path}: ${rows.toLocaleString("en")} rows need about ${gb(need)} GB of memory to write as .xlsx, more than Node's heap limit of ${gb(limit)} GB here; run with a larger heap (NODE_OPTIONS=--max-old-space-size=${suggest} pipesheet ...), or write --out with a .csv instead`,
  );
}

/** The .xlsx made from a CSV file, before the plan: typed cells, a bold frozen header row, columns sized to fit. */
async function csvWorkbook(grid: string[][], path: string, delimiter: string): Promise<{ wb: XlsxModule.OpenWorkbook; deals: XlsxModule.DealsSheet }> {
  const { newWorkbookWithLayout, NEW_STYLE } = await import("./io/xlsx-pkg/new-book.js");
  const { workbookFromPackage } = await xlsxIo();
  // Core's own inference (each date column's proven order, the value column's decimal mark), so the cells
  // written are the dates and amounts core read.
  const types = sheetTypes(grid, CSV_SHEET, null, delimiter);
  const headerRow = types?.headerRow ?? 0;
  const typed: Cell[][] = [];
  // One small array per row (a text key per cell cost seconds at 100k rows); 0 is NEW_STYLE.plain.
  const styles: (Uint8Array | undefined)[] = [];
  const setStyle = (r: number, c: number, st: XlsxModule.NewStyle): void => {
    const row = (styles[r] ??= new Uint8Array((grid[r] as string[]).length));
    row[c] = st;
  };
  grid.forEach((row, r) => {
    const out: Cell[] = [...row];
    typed.push(out);
    if (r <= headerRow) return;
    row.forEach((v, c) => {
      if (v === "") return;
      const kind = types?.columns.get(c);
      if (kind?.kind === "date") {
        const d = parseDateAs(v, kind.order);
        if (d !== null && d !== "bad") {
          out[c] = excelSerialFromDay(d.day);
          setStyle(r, c, NEW_STYLE.date);
        }
      } else if (kind?.kind === "number") {
        const n = parseNumberAs(v, kind.decimal);
        if (typeof n === "number") {
          out[c] = n;
          setStyle(r, c, Number.isInteger(n) ? NEW_STYLE.integer : NEW_STYLE.decimal);
        }
      }
    });
  });
  // Columns as wide as their header and first rows need (within reason), as a CSV opened by hand would be sized.
  const sample = grid.slice(headerRow, headerRow + 200);
  const width = sample.reduce((w, r) => Math.max(w, r.length), 0);
  const widths = Array.from({ length: width }, (_, c) => Math.min(40, Math.max(8, ...sample.map((r) => (r[c] ?? "").length)) + 2));
  const { PartTooLarge } = await import("./io/xlsx-pkg/zip.js");
  let made: ReturnType<typeof newWorkbookWithLayout>;
  try {
    made = newWorkbookWithLayout(CSV_SHEET, typed, (r, c) => (r === headerRow ? NEW_STYLE.header : ((styles[r]?.[c] ?? NEW_STYLE.plain) as XlsxModule.NewStyle)), headerRow + 1, widths);
  } catch (e) {
    if (!(e instanceof PartTooLarge)) throw e;
    throw new CliError("UNWRITABLE_FILE", `cannot write ${path}: ${grid.length.toLocaleString("en")} rows make a sheet larger than pipesheet can write as .xlsx (about 2 GB of XML, far past Excel's 1,048,576 rows); write --out with a .csv instead`);
  }
  const { pkg, layout } = made;
  const wb = workbookFromPackage(pkg, path);
  const sheet = wb.book.find(CSV_SHEET);
  if (!sheet) throw new Error("the new workbook lost its sheet");
  return { wb, deals: { sheet, grid: typed, layout } };
}

/** The deals grid with the plan's owned columns applied, rendered as CSV shows them (dates as ISO days, 0% as percent). */
export function planToGrid(grid: Grid, plan: WorkbookPlan): Grid {
  const out: Grid = grid.map((r) => [...r]);
  const put = (row: number, col: number, v: Cell): void => {
    while (out.length < row) out.push([]);
    const r = out[row] ?? [];
    out[row] = r;
    while (r.length < col) r.push("");
    r[col] = v;
  };
  const writes = dealsWrites(plan);
  for (const b of [...writes.headers, ...writes.cells])
    b.values.forEach((row, i) => row.forEach((v, k) => put(b.row + i, b.col + k, asCsvText(v, b.kinds[k] ?? "any"))));
  return out;
}

function asCsvText(v: Cell, kind: ValueKind): Cell {
  if (typeof v !== "number") return v;
  if (kind === "date") return isoFromDay(dayFromExcelSerial(v));
  if (kind === "percent") return `${Math.round(v * 100)}%`;
  return v;
}

async function writeText(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text).catch((e: unknown) => {
    throw fromFsError(e, path, true);
  });
}

/** A CSV has one sheet, so its activity log is the file beside it: deals.csv -> deals.activities.csv. */
export function activitiesCsvPath(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.activities${ext}`);
}

async function csvActivities(path: string): Promise<{ sheet: string; values: Grid } | null> {
  const sibling = activitiesCsvPath(path);
  if (!existsSync(sibling)) return null;
  return { sheet: basename(sibling), values: (await readCsvFile(sibling)).grid };
}

async function openCsv(ref: Extract<SourceRef, { kind: "csv" }>, progress: Progress): Promise<OpenedSource> {
  progress.phase(`Reading ${basename(ref.path)}`);
  const csv = await readCsvFile(ref.path, (f) => progress.update(f));
  const input: WorkbookInput = { sheetName: CSV_SHEET, deals: csv.grid, settings: null, log: null, sheetNames: [CSV_SHEET], activities: await csvActivities(ref.path), delimiter: csv.delimiter };
  return {
    ref,
    input,
    bytes: csv.bytes,
    notes: csv.note === null ? [] : [csv.note],
    async save(plan, out) {
      if (outKind(out) === "csv") {
        progress.phase(`Writing ${basename(out)}`);
        await writeText(out, toCsv(planToGrid(csv.grid, plan), csv.delimiter, csv.newline));
        return [`${out} holds the deals with pipesheet's columns; the highlighting, drop-downs and tabs need an .xlsx`];
      }
      progress.phase(`Writing ${basename(out)}`);
      if (extname(out).toLowerCase() === ".xlsm") throw new CliError("BAD_ARGUMENTS", `--out ${out}: a workbook made from a CSV file has no macros; write a .xlsx`);
      checkXlsxHeap(csv.grid.length, csv.bytes, out);
      const { saveWorkbook } = await xlsxIo();
      const { wb, deals } = await csvWorkbook(csv.grid, out, csv.delimiter);
      const notes = await saveWorkbook(wb, deals, plan, out);
      return notes;
    },
  };
}

// ------------------------------------------------------------------------------------------ xlsx

const MACRO_CONTENT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml";

async function openXlsx(ref: Extract<SourceRef, { kind: "xlsx" }>, progress: Progress): Promise<OpenedSource> {
  progress.phase(`Reading ${basename(ref.path)}`);
  const { openWorkbook, ownTabGrid, ownTabGridAside, pickDealsSheet, saveWorkbook, sheetNamesForCore } = await xlsxIo();
  const wb = await openWorkbook(ref.path);
  // The log tab (as large as the deals sheet's own columns) is read in a worker while the deals sheet is read here.
  const log = ownTabGridAside(wb, TAB_LOG);
  // Awaited below; a refusal before then (no deals sheet) must not also surface as an unhandled rejection.
  log.grid.catch(() => undefined);
  let input: WorkbookInput;
  let deals: ReturnType<typeof pickDealsSheet>;
  try {
    const settings = ownTabGrid(wb, TAB_SETTINGS);
    const overrides = settings ? settingsFromGrid(settings).settings.columns : {};
    deals = pickDealsSheet(wb, ref.sheet, (g, name) => mapColumns(g, name, overrides) !== null, ref.path);
    // The activity log is found by its headers, so only each tab's top rows are read to find it.
    const activitiesName = pickActivitiesTab(wb.book.sheets.map((sh) => ({ name: sh.name, values: wb.book.grid(sh, HEADER_SCAN_ROWS) })), deals.sheet.name);
    const activitiesSheet = activitiesName === null ? undefined : wb.book.find(activitiesName);
    input = {
      sheetName: deals.sheet.name,
      deals: deals.grid,
      settings,
      log: await log.grid,
      sheetNames: sheetNamesForCore(wb),
      activities: activitiesSheet ? { sheet: activitiesSheet.name, values: wb.book.grid(activitiesSheet) } : null,
    };
  } catch (e) {
    // A refusal (no deals sheet): the user is not kept waiting for the log tab the run will never use.
    log.cancel();
    throw e;
  }
  const { size } = await stat(ref.path);
  const macros = (wb.pkg.text("[Content_Types].xml") ?? "").includes(MACRO_CONTENT);
  return {
    ref,
    input,
    bytes: size,
    async save(plan, out) {
      progress.phase(`Writing ${basename(out)}`);
      if (outKind(out) === "csv") {
        await writeText(out, toCsv(planToGrid(deals.grid, plan)));
        return [`${out} holds the deals with pipesheet's columns; the highlighting, drop-downs and tabs stay in .xlsx files`];
      }
      // Excel opens a workbook only when its extension says what its content is: macros need .xlsm, none need .xlsx.
      const ext = extname(out).toLowerCase();
      if (macros && ext !== ".xlsm") throw new CliError("BAD_ARGUMENTS", `--out ${out}: ${ref.path} holds macros, which Excel opens only from an .xlsm file; write to a .xlsm`);
      if (!macros && ext === ".xlsm") throw new CliError("BAD_ARGUMENTS", `--out ${out}: ${ref.path} has no macros; write to a .xlsx`);
      return saveWorkbook(wb, deals, plan, out);
    },
  };
}

export async function openSource(ref: SourceRef, progress: Progress): Promise<OpenedSource> {
  switch (ref.kind) {
    case "csv":
      return openCsv(ref, progress);
    case "xlsx":
      return openXlsx(ref, progress);
    case "gsheet":
      throw new CliError("BAD_ARGUMENTS", `${describeRef(ref)}: Google Sheets are read by the pull, push, sync and apply commands`);
  }
}
