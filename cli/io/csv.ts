// CSV in and out: every field read as text (core converts), malformed quotes refused with their line, formula injection neutralised on the way out.
import { readFile } from "node:fs/promises";
import Papa from "papaparse";
import type { Cell, Grid } from "../../core/types.js";
import { CliError, fromFsError } from "../errors.js";

export interface CsvData {
  /** One row per CSV record; every field a string. */
  grid: string[][];
  delimiter: string;
  newline: string;
  bytes: number;
}

/** Decodes the bytes of a CSV file: UTF-8 (BOM or not) and the UTF-16 that Excel's "Unicode text" export writes. */
export function decodeCsv(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString("utf16le");
  }
  const text = buf.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line where record `record` starts: records before it, plus the line breaks inside their quoted fields. */
function lineOfRecord(grid: readonly string[][], record: number): number {
  let line = 1;
  for (let r = 0; r < record && r < grid.length; r++) {
    line += 1;
    for (const f of grid[r] as string[]) {
      for (let i = f.indexOf("\n"); i >= 0; i = f.indexOf("\n", i + 1)) line++;
    }
  }
  return line;
}

const CHUNK = 1024 * 1024;
/** Distinct values a column may have before it counts as free text (ids, names) and is no longer interned. */
const INTERN_LIMIT = 20_000;

/**
 * Most columns of a deals sheet repeat a few values (stages, owners, dates, answers). Sharing one string per
 * distinct value per column cuts a million-row grid's memory by more than half, and core's caches, which are
 * keyed by value, then hash each value once instead of once per row.
 */
function interner(): (row: string[]) => string[] {
  const maps: (Map<string, string> | null | undefined)[] = [];
  return (row) => {
    for (let c = 0; c < row.length; c++) {
      let m = maps[c];
      if (m === null) continue;
      if (m === undefined) maps[c] = m = new Map();
      const v = row[c] as string;
      const hit = m.get(v);
      if (hit !== undefined) row[c] = hit;
      else if (m.size < INTERN_LIMIT) {
        // A long field is a slice of the whole file's text and would keep all of it alive; keep a copy instead.
        const own = v.length >= 13 ? (` ${v}`).slice(1) : v;
        m.set(v, own);
        row[c] = own;
      } else maps[c] = null;
    }
    return row;
  };
}
const DELIMITERS = [",", ";", "\t", "|"] as const;

/**
 * The delimiter, read from the first line that has one (the header, in a deals export): the candidate that
 * occurs most often outside quotes; ties go to the next lines, then to the comma. papaparse's own guess
 * reads "1;12,5" as two comma-separated fields, which breaks European exports.
 */
export function detectDelimiter(text: string): string {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < 10 && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== "") lines.push(line);
    start = end + 1;
  }
  const counts = lines.map((line) => {
    const c = [0, 0, 0, 0];
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '"') quoted = !quoted;
      else if (!quoted) {
        const k = DELIMITERS.indexOf(ch as (typeof DELIMITERS)[number]);
        if (k >= 0) c[k] = (c[k] as number) + 1;
      }
    }
    return c;
  });
  let best: number[] = [0, 1, 2, 3];
  for (const c of counts) {
    const top = Math.max(...best.map((k) => c[k] as number));
    if (top === 0) continue;
    best = best.filter((k) => c[k] === top);
    if (best.length === 1) break;
  }
  return DELIMITERS[best[0] as number] as string;
}

/**
 * Parses CSV text into a grid of strings. Never merges fields silently: a quote that is not closed, or
 * text after a closing quote, is an error naming the line. `onProgress` gets the share of text parsed.
 */
export function parseCsv(text: string, label: string, onProgress?: (fraction: number) => void, delimiterOption?: string): CsvData {
  const grid: string[][] = [];
  const delimiter = delimiterOption ?? detectDelimiter(text);
  let newline = "\n";
  let failure: { record: number; code: string } | null = null;
  const intern = interner();
  // Chunks let the progress bar move on big files; papaparse carries partial records across them. At 1 MiB
  // a chunk's rows are interned before the garbage collector promotes them, which saves a third of the time.
  // Its type declarations leave `chunk` out for string input, which it supports.
  const config = {
    delimiter,
    chunkSize: CHUNK,
    chunk: (res: Papa.ParseResult<string[]>, p: Papa.Parser) => {
      newline = res.meta.linebreak || newline;
      for (const e of res.errors) {
        if (e.type === "Quotes" && failure === null) failure = { record: grid.length + (e.row ?? 0), code: e.code };
      }
      const rows = res.data;
      for (let r = 0; r < rows.length; r++) grid.push(intern(rows[r] as string[]));
      if (failure !== null) p.abort();
      else onProgress?.(Math.min(1, res.meta.cursor / Math.max(1, text.length)));
    },
  };
  Papa.parse<string[]>(text, config as unknown as Papa.ParseConfig<string[]>);
  if (failure !== null) {
    const { record, code } = failure;
    const line = lineOfRecord(grid, record);
    const what =
      code === "MissingQuotes"
        ? 'a quoted field is never closed (a missing ")'
        : 'a quoted field has text after its closing quote (write a quote inside a quoted field as "")';
    throw new CliError("BAD_CSV", `${label} line ${line}: ${what}; fix the quotes on that line and run again`);
  }
  // A final line break leaves one empty record behind; it is not a row of the sheet.
  const last = grid[grid.length - 1];
  if (last && last.length === 1 && last[0] === "") grid.pop();
  return { grid, delimiter, newline, bytes: text.length };
}

async function readText(path: string): Promise<{ text: string; bytes: number }> {
  try {
    const buf = await readFile(path);
    return { text: decodeCsv(buf), bytes: buf.length };
  } catch (e) {
    throw fromFsError(e, path, false);
  }
}

export async function readCsvFile(path: string, onProgress?: (fraction: number) => void): Promise<CsvData> {
  // The raw bytes are dropped before parsing, so a big file is not held twice while its grid is built.
  const { text, bytes } = await readText(path);
  return { ...parseCsv(text, path, onProgress), bytes };
}

const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Makes a cell safe to open in a spreadsheet: text that starts with =, +, -, @, tab or CR would run as a
 * formula, so it gets a leading apostrophe. Numbers (and text that is exactly a plain number, like "-1200")
 * cannot carry a formula and stay as they are.
 */
export function neutraliseFormula(cell: Cell): Cell {
  if (typeof cell !== "string" || cell === "") return cell;
  const c = cell.charCodeAt(0);
  // = + - @ \t \r
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return cell;
  if ((c === 45 || c === 43) && PLAIN_NUMBER.test(cell)) return cell;
  return `'${cell}`;
}

/** A cell as CSV text: numbers as written, booleans as TRUE/FALSE, dates as ISO days, empties as "". */
function cellText(cell: Cell): string | number {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : "";
  if (typeof cell === "boolean") return cell ? "TRUE" : "FALSE";
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? "" : cell.toISOString().slice(0, 10);
  return neutraliseFormula(cell) as string;
}

export function toCsv(grid: Grid, delimiter = ",", newline = "\r\n"): string {
  const width = grid.reduce((w, r) => Math.max(w, r.length), 0);
  const rows = grid.map((r) => {
    const out: (string | number)[] = new Array<string | number>(width);
    for (let i = 0; i < width; i++) out[i] = cellText(r[i]);
    return out;
  });
  // quotes:false still quotes any field that holds the delimiter, a quote or a line break.
  return `${Papa.unparse(rows, { delimiter, newline, quotes: false })}${newline}`;
}
