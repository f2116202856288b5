// Where deals come from and where the managed result goes: "deals.csv", "book.xlsx#Deals", later "gsheet:ID#Deals".
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type ExcelJS from "exceljs";
import { mapColumns } from "../core/columns.js";
import { DATE_FORMAT, parseDateAs, parseNumberAs, sheetTypes } from "../core/index.js";
import { settingsFromGrid } from "../core/settings.js";
import { TAB_LOG, TAB_SETTINGS, type Cell, type Grid, type WorkbookInput, type WorkbookPlan } from "../core/types.js";
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
  if (g) return { kind: "gsheet", id: g[1] as string, sheet: sheetOption ?? g[2] ?? null };
  // "book.xlsx#Deals" names a sheet, unless a file with that literal name exists.
  const hash = /^(.*\.xlsx)#(.+)$/i.exec(t);
  if (hash && !existsSync(t)) return { kind: "xlsx", path: hash[1] as string, sheet: sheetOption ?? (hash[2] as string) };
  const ext = extname(t).toLowerCase();
  if (CSV_EXT.has(ext)) {
    if (sheetOption !== null) throw new CliError("BAD_ARGUMENTS", `--sheet does not apply to ${t}: a CSV file has one sheet`);
    return { kind: "csv", path: t, sheet: null };
  }
  if (ext === ".xlsx") return { kind: "xlsx", path: t, sheet: sheetOption };
  if (ext === ".xlsm" || ext === ".xls" || ext === ".ods" || ext === ".numbers")
    throw new CliError("BAD_ARGUMENTS", `${t}: ${ext} files are not supported; save a copy as .xlsx (or export .csv) and run again`);
  throw new CliError("BAD_ARGUMENTS", `${t}: unsupported file type "${ext || "(none)"}"; pass a .csv or .xlsx file`);
}

export const describeRef = (ref: SourceRef): string =>
  ref.kind === "gsheet" ? `gsheet:${ref.id}${ref.sheet ? `#${ref.sheet}` : ""}` : ref.path;

/** Default output: FILE-managed.xlsx beside the input, so the input is never overwritten by accident. */
export function defaultOut(ref: SourceRef): string {
  if (ref.kind === "gsheet") throw new CliError("BAD_ARGUMENTS", "give --out for a Google Sheets source");
  const ext = extname(ref.path);
  return join(dirname(ref.path), `${basename(ref.path, ext)}-managed.xlsx`);
}

export type OutKind = "xlsx" | "csv";
export function outKind(path: string): OutKind {
  const ext = extname(path).toLowerCase();
  if (ext === ".xlsx") return "xlsx";
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
}

// ------------------------------------------------------------------------------------------ CSV

/**
 * A CSV holds only text. In the .xlsx made from it, the date and amount columns core recognises become real
 * date and number cells (as Excel does when it opens a CSV), so the live highlighting, which compares dates
 * with TODAY(), works on them. Cells core cannot read stay text, so their problems stay visible.
 */
// exceljs takes half a second to load, so only the paths that write or read .xlsx load it.
const xlsxIo = (): Promise<XlsxIo> => import("./io/xlsx.js");

async function csvWorkbook(grid: string[][], styles: XlsxModule.SharedStyles): Promise<ExcelJS.Workbook> {
  const { default: ExcelJSLib } = await import("exceljs");
  const wb = new ExcelJSLib.Workbook();
  const ws = wb.addWorksheet(CSV_SHEET);
  // Core's own inference (each date column's proven order, the value column's decimal mark), so the cells
  // written are the dates and amounts core read.
  const types = sheetTypes(grid, CSV_SHEET, null);
  const headerRow = types?.headerRow ?? 0;
  const bold = { font: { bold: true } };
  grid.forEach((row, r) => {
    const xr = ws.getRow(r + 1);
    row.forEach((v, c) => {
      if (v === "") return;
      const cell = xr.getCell(c + 1);
      const kind = r > headerRow ? types?.columns.get(c) : undefined;
      if (kind?.kind === "date") {
        const d = parseDateAs(v, kind.order);
        if (d !== null && d !== "bad") {
          cell.value = d.day + 25_569;
          cell.style = styles.with(undefined, DATE_FORMAT);
          return;
        }
      } else if (kind?.kind === "number") {
        const n = parseNumberAs(v, kind.decimal);
        if (typeof n === "number") {
          cell.value = n;
          cell.style = styles.with(undefined, Number.isInteger(n) ? "#,##0" : "#,##0.00");
          return;
        }
      }
      cell.value = v;
      cell.style = r === headerRow ? bold : styles.with(undefined);
    });
  });
  ws.views = [{ state: "frozen", ySplit: headerRow + 1, xSplit: 0 }];
  // Columns as wide as their header and first rows need (within reason), as a CSV opened by hand would be sized.
  const sample = grid.slice(headerRow, headerRow + 200);
  const width = sample.reduce((w, r) => Math.max(w, r.length), 0);
  for (let c = 0; c < width; c++) ws.getColumn(c + 1).width = Math.min(40, Math.max(8, ...sample.map((r) => (r[c] ?? "").length)) + 2);
  return wb;
}

/** The deals grid with the plan's owned columns applied, rendered as CSV shows them (dates as ISO days, 0% as percent). */
export function planToGrid(grid: Grid, plan: WorkbookPlan): Grid {
  const out: Grid = grid.map((r) => [...r]);
  const put = (row: number, col: number, v: Cell): void => {
    while (out.length <= row) out.push([]);
    const r = out[row] as Cell[];
    while (r.length < col) r.push("");
    r[col] = v;
  };
  for (const cw of plan.columns) {
    if (cw.created) put(plan.headerRow, cw.col, cw.header);
    if (cw.mode === "header") continue;
    cw.values.forEach((v, i) => {
      if (cw.mode === "fill" && (v === null || v === undefined)) return;
      put(plan.headerRow + 1 + i, cw.col, formatted(v ?? null, cw.numberFormat));
    });
  }
  return out;
}

function formatted(v: Cell, fmt: string | undefined): Cell {
  if (typeof v !== "number") return v;
  if (fmt === DATE_FORMAT) return new Date((v - 25_569) * 86_400_000).toISOString().slice(0, 10);
  if (fmt === "0%") return `${Math.round(v * 100)}%`;
  return v;
}

async function writeText(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text).catch((e: unknown) => {
    throw fromFsError(e, path, true);
  });
}

async function openCsv(ref: Extract<SourceRef, { kind: "csv" }>, progress: Progress): Promise<OpenedSource> {
  progress.phase(`Reading ${basename(ref.path)}`);
  const csv = await readCsvFile(ref.path, (f) => progress.update(f));
  const input: WorkbookInput = { sheetName: CSV_SHEET, deals: csv.grid, settings: null, log: null, sheetNames: [CSV_SHEET] };
  return {
    ref,
    input,
    bytes: csv.bytes,
    async save(plan, out) {
      if (outKind(out) === "csv") {
        progress.phase(`Writing ${basename(out)}`);
        await writeText(out, toCsv(planToGrid(csv.grid, plan), csv.delimiter, csv.newline));
        return [`${out} holds the deals with pipesheet's columns; the highlighting, drop-downs and tabs need an .xlsx`];
      }
      progress.phase(`Writing ${basename(out)}`);
      const { applyPlan, saveWorkbook, SharedStyles } = await xlsxIo();
      const styles = new SharedStyles();
      const wb = await csvWorkbook(csv.grid, styles);
      const { notes, charts } = applyPlan(wb, plan, styles);
      await saveWorkbook(wb, out, charts);
      return notes;
    },
  };
}

// ------------------------------------------------------------------------------------------ xlsx

async function openXlsx(ref: Extract<SourceRef, { kind: "xlsx" }>, progress: Progress): Promise<OpenedSource> {
  progress.phase(`Reading ${basename(ref.path)}`);
  const { applyPlan, findSheet, readWorkbook, pickDealsSheet, saveWorkbook, sheetGrid } = await xlsxIo();
  const { wb, notKept, ownCharts } = await readWorkbook(ref.path);
  const settingsWs = findSheet(wb, TAB_SETTINGS);
  const settings = settingsWs ? sheetGrid(settingsWs) : null;
  const overrides = settings ? settingsFromGrid(settings).settings.columns : {};
  const { ws, grid } = pickDealsSheet(wb, ref.sheet, (g, name) => mapColumns(g, name, overrides) !== null, ref.path);
  const logWs = findSheet(wb, TAB_LOG);
  const input: WorkbookInput = {
    sheetName: ws.name,
    deals: grid,
    settings,
    log: logWs ? sheetGrid(logWs) : null,
    sheetNames: wb.worksheets.map((w) => w.name),
  };
  const { size } = await stat(ref.path);
  return {
    ref,
    input,
    bytes: size,
    async save(plan, out) {
      const lost = notKept.join(", ");
      // exceljs rewrites the whole package; overwriting the team's file would silently drop these parts.
      if (lost !== "" && resolve(out) === resolve(ref.path))
        throw new CliError("BAD_ARGUMENTS", `${ref.path} has ${lost} that the CLI cannot carry over; write a copy with --out instead of overwriting it`);
      progress.phase(`Writing ${basename(out)}`);
      if (outKind(out) === "csv") {
        await writeText(out, toCsv(planToGrid(grid, plan)));
        return [`${out} holds the deals with pipesheet's columns; the highlighting, drop-downs and tabs stay in .xlsx files`];
      }
      const { notes, charts } = applyPlan(wb, plan);
      // Charts on pipesheet's tabs that this plan leaves alone are drawn again, since exceljs dropped them.
      const kept = ownCharts.filter((c) => !plan.tabs.some((t) => t.name.toLowerCase() === c.sheet.toLowerCase()));
      await saveWorkbook(wb, out, [...charts, ...kept]);
      if (lost !== "") notes.unshift(`${ref.path} has ${lost} that the CLI cannot carry over: they are not in ${out} (${ref.path} is unchanged)`);
      return notes;
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
