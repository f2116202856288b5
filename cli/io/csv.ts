// CSV in and out: every field read as text (core converts), malformed quotes refused with their line, formula injection neutralised on the way out.
import { open, readFile, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { analyse } from "chardet";
import iconv from "iconv-lite";
import Papa from "papaparse";
import type { Cell, Grid } from "../../core/index.js";
import { CliError, fromFsError } from "../errors.js";

export interface CsvData {
  /** One row per CSV record; every field a string. */
  grid: string[][];
  delimiter: string;
  newline: string;
  bytes: number;
  encoding: CsvEncoding;
  bom: boolean;
  /** For a file read in another encoding than UTF-8, the note a command shows. */
  note: string | null;
}

export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

export interface Decoded {
  text: string;
  encoding: CsvEncoding;
  bom: boolean;
}

const ENCODING_NAME: Record<CsvEncoding, string> = { "utf-8": "UTF-8", "utf-16le": "UTF-16 LE", "utf-16be": "UTF-16 BE", "windows-1252": "Windows-1252 (Latin-1)" };

/** What a command says about a file read in another encoding than UTF-8 (null for UTF-8, with or without BOM). */
export function encodingNote(label: string, d: { encoding: CsvEncoding; bom: boolean }, writes: boolean): string | null {
  if (d.encoding === "utf-8") return null;
  return `${label} was read as ${ENCODING_NAME[d.encoding]}${d.bom ? " (it starts with a byte-order mark)" : ""}${writes ? ", and is written back the same way" : ""}`;
}

/** UTF-16 without a BOM (which chardet does not recognise): ASCII text in it has a zero byte in every other place. */
function utf16WithoutBom(buf: Uint8Array): CsvEncoding | null {
  const n = Math.min(buf.length - (buf.length % 2), 4096);
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) even++;
    if (buf[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd > pairs * 0.3 && even < pairs * 0.05) return "utf-16le";
  if (even > pairs * 0.3 && odd < pairs * 0.05) return "utf-16be";
  return null;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes the bytes of a CSV file: UTF-8 with or without BOM, UTF-16 LE/BE with or without BOM (Excel's
 * "Unicode text"), and Windows-1252/Latin-1 (Excel's "CSV" on Windows). chardet reads the byte-order marks and
 * tells the single-byte encodings apart; text that is valid UTF-8 is UTF-8.
 */
export function decodeCsvBytes(buf: Buffer): Decoded {
  const { withBom, wide } = byteOrder(buf.subarray(0, 8192));
  if (withBom) {
    return { text: iconv.decode(buf.subarray(withBom === "utf-8" ? 3 : 2), withBom, { stripBOM: false }), encoding: withBom, bom: true };
  }
  if (wide) return { text: iconv.decode(buf, wide, { stripBOM: false }), encoding: wide, bom: false };
  try {
    return { text: strictUtf8.decode(buf), encoding: "utf-8", bom: false };
  } catch {
    // Not UTF-8: a single-byte code page. Windows-1252 is a superset of Latin-1 (it gives 0x80–0x9F the
    // characters Excel writes there, such as €), so it reads either.
    return { text: iconv.decode(buf, "windows-1252"), encoding: "windows-1252", bom: false };
  }
}

/** The byte-order mark a file starts with, or the UTF-16 its first bytes show without one (from its first 8 KiB). */
function byteOrder(sample: Uint8Array): { withBom: CsvEncoding | undefined; wide: CsvEncoding | null } {
  // A byte-order mark is at the start, and 8 KiB tell the single-byte code pages apart well enough.
  const top = analyse(sample)[0];
  const bomOf: Record<string, CsvEncoding> = { "UTF-8": "utf-8", "UTF-16LE": "utf-16le", "UTF-16BE": "utf-16be" };
  const claimed = top && top.confidence === 100 ? bomOf[top.name] : undefined;
  // chardet's certainty comes from the mark; its bytes are dropped, so check they are the mark.
  const mark = claimed === "utf-8" ? [0xef, 0xbb, 0xbf] : claimed === "utf-16le" ? [0xff, 0xfe] : [0xfe, 0xff];
  const withBom = claimed && mark.every((b, i) => sample[i] === b) ? claimed : undefined;
  return { withBom, wide: withBom ? null : utf16WithoutBom(sample) };
}

/** How to read a file from its first bytes: UTF-8 (with or without a mark, until a byte says otherwise) or another encoding. */
function sampleEncoding(sample: Uint8Array): "utf-8" | "utf-8 bom" | "other" {
  const { withBom, wide } = byteOrder(sample);
  return withBom === "utf-8" ? "utf-8 bom" : withBom || wide ? "other" : "utf-8";
}

/** The text as the bytes of `encoding`, with a BOM when the file had one. */
export function encodeCsvText(text: string, d: { encoding: CsvEncoding; bom: boolean }): Buffer {
  if (d.encoding === "utf-8") return Buffer.from(d.bom ? `\ufeff${text}` : text, "utf8");
  return iconv.encode(text, d.encoding, { addBOM: d.bom });
}

/** The first character of `text` the encoding cannot hold (Windows-1252 holds only 251 of them), or null. */
export function unencodable(text: string, encoding: CsvEncoding): string | null {
  if (encoding !== "windows-1252") return null;
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) continue;
    if (iconv.decode(iconv.encode(ch, "windows-1252"), "windows-1252") !== ch) return ch;
  }
  return null;
}

/** Decodes the bytes of a CSV file to text (see decodeCsvBytes). */
export function decodeCsv(buf: Buffer): string {
  return decodeCsvBytes(buf).text;
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
 * Where papaparse's chunks go: rows interned into the grid, the line break seen, and the first malformed quote,
 * which stops the parse and becomes an error naming its line.
 */
function csvSink(label: string): {
  chunk: (res: Papa.ParseResult<string[]>, p: Papa.Parser) => void;
  finish: () => { grid: string[][]; newline: string };
} {
  const grid: string[][] = [];
  let newline = "\n";
  let failure: { record: number; code: string } | null = null;
  const intern = interner();
  return {
    chunk(res, p) {
      newline = res.meta.linebreak || newline;
      for (const e of res.errors) {
        if (e.type === "Quotes" && failure === null) failure = { record: grid.length + (e.row ?? 0), code: e.code };
      }
      const rows = res.data;
      for (let r = 0; r < rows.length; r++) grid.push(intern(rows[r] as string[]));
      if (failure !== null) p.abort();
    },
    finish() {
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
      return { grid, newline };
    },
  };
}

/**
 * Parses CSV text into a grid of strings. Never merges fields silently: a quote that is not closed, or
 * text after a closing quote, is an error naming the line. `onProgress` gets the share of text parsed.
 */
export function parseCsv(text: string, label: string, onProgress?: (fraction: number) => void, delimiterOption?: string): CsvData {
  const delimiter = delimiterOption ?? detectDelimiter(text);
  const sink = csvSink(label);
  // Chunks let the progress bar move on big files; papaparse carries partial records across them. At 1 MiB
  // a chunk's rows are interned before the garbage collector promotes them, which saves a third of the time.
  // Its type declarations leave `chunk` out for string input, which it supports.
  const config = {
    delimiter,
    chunkSize: CHUNK,
    chunk: (res: Papa.ParseResult<string[]>, p: Papa.Parser) => {
      sink.chunk(res, p);
      onProgress?.(Math.min(1, res.meta.cursor / Math.max(1, text.length)));
    },
  };
  Papa.parse<string[]>(text, config as unknown as Papa.ParseConfig<string[]>);
  const { grid, newline } = sink.finish();
  return { grid, delimiter, newline, bytes: text.length, encoding: "utf-8", bom: false, note: null };
}

/** The bytes of a UTF-8 file were not UTF-8 after all (found part way through a streamed read). */
class NotUtf8 extends Error {}

/**
 * A UTF-8 file parsed as it is read, 1 MiB at a time: neither its bytes nor its text are ever held whole, so a
 * big export costs its grid and little more. Rejects with NotUtf8 when a byte sequence is not UTF-8.
 */
async function streamUtf8Csv(handle: FileHandle, path: string, bom: boolean, onProgress?: (fraction: number) => void): Promise<CsvData> {
  const size = (await handle.stat()).size;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const buf = Buffer.allocUnsafe(CHUNK);
  let position = bom ? 3 : 0;
  // The delimiter is read from the first lines, before any of them is parsed.
  let head = "";
  while (head.split("\n", 11).length <= 10) {
    const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    head += decode(decoder, buf.subarray(0, bytesRead), false);
  }
  const delimiter = detectDelimiter(head);
  async function* texts(): AsyncGenerator<string> {
    if (head !== "") yield head;
    head = "";
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      onProgress?.(Math.min(1, position / Math.max(1, size)));
      yield decode(decoder, buf.subarray(0, bytesRead), false);
    }
    const rest = decode(decoder, new Uint8Array(0), true);
    if (rest !== "") yield rest;
  }
  const sink = csvSink(path);
  await new Promise<void>((resolveParse, rejectParse) => {
    const config = { delimiter, chunk: sink.chunk, complete: () => resolveParse(), error: (e: Error) => rejectParse(e) };
    Papa.parse(Readable.from(texts(), { objectMode: true }), config as Papa.ParseLocalConfig<string[], Papa.LocalFile>);
  });
  const { grid, newline } = sink.finish();
  return { grid, delimiter, newline, bytes: size, encoding: "utf-8", bom, note: null };
}

function decode(decoder: TextDecoder, bytes: Uint8Array, last: boolean): string {
  try {
    return decoder.decode(bytes, { stream: !last });
  } catch {
    throw new NotUtf8();
  }
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw fromFsError(e, path, false);
  }
}

export async function readCsvFile(path: string, onProgress?: (fraction: number) => void): Promise<CsvData> {
  // UTF-8 (the common case, and every big export) is parsed as it is read; the other encodings are read whole.
  const handle = await open(path, "r").catch((e: unknown) => {
    throw fromFsError(e, path, false);
  });
  try {
    const sample = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    const kind = sampleEncoding(sample.subarray(0, bytesRead));
    if (kind !== "other") return await streamUtf8Csv(handle, path, kind === "utf-8 bom", onProgress);
  } catch (e) {
    if (!(e instanceof NotUtf8)) throw e;
  } finally {
    await handle.close();
  }
  // The raw bytes are dropped before parsing, so a big file is not held twice while its grid is built.
  let buf: Buffer | null = await readBytes(path);
  const bytes = buf.length;
  const { text, encoding, bom } = decodeCsvBytes(buf);
  buf = null;
  return { ...parseCsv(text, path, onProgress), bytes, encoding, bom, note: encodingNote(path, { encoding, bom }, false) };
}

/**
 * A number as some locale writes it, sign first: "-1200", "-1,200", "-1.200,50", "-$1,200.00", "-€ 1 200",
 * "-12%", "+3.5e2". It cannot carry a formula (no letters but a currency code, no parentheses), and a
 * spreadsheet reads it as the number it is, so it is never given a leading apostrophe.
 */
const CODES = "USD|EUR|GBP|CHF|JPY|CNY|INR|AUD|CAD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|ZAR|SGD|HKD|KRW|TRY|ILS|AED";
const LOCALE_NUMBER = new RegExp(
  `^[+-](?:[$€£¥₹]\\s?|(?:${CODES})\\s)?(?:\\d{1,3}(?:[ \\u00a0\\u202f]\\d{3})+(?:[.,]\\d+)?|\\d[\\d.,'\\u2019]*(?:[eE][+-]?\\d+)?|[.,]\\d+)(?:\\s?(?:[$€£¥₹%]|${CODES}))?$`,
  "u",
);

export const isLocaleNumber = (text: string): boolean => LOCALE_NUMBER.test(text);

/**
 * Makes a cell safe to open in a spreadsheet: text that starts with =, +, -, @, tab or CR would run as a
 * formula, so it gets a leading apostrophe. Numbers in any locale's writing (see LOCALE_NUMBER) cannot carry
 * a formula and stay as they are. For what pipesheet writes; sync leaves the team's own unchanged cells alone.
 */
export function neutraliseFormula(cell: Cell): Cell {
  if (typeof cell !== "string" || cell === "") return cell;
  const c = cell.charCodeAt(0);
  // = + - @ \t \r
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return cell;
  if ((c === 45 || c === 43) && LOCALE_NUMBER.test(cell)) return cell;
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

// ------------------------------------------------------------------------------------------ keeping a file as it was

/**
 * A CSV file as its records' raw text, so a rewrite can keep every record and field nobody changed byte for
 * byte (its quoting, its spacing), and the encoding, BOM and line breaks it had.
 */
export interface CsvDocument extends CsvData {
  /** Raw text of each record without its line break, one per grid row; null when they could not be lined up. */
  records: () => string[] | null;
  /** Whether the file ends with a line break. */
  finalNewline: boolean;
  /** Whether every field of the first record is quoted: then new fields are quoted too. */
  quoteAll: boolean;
}

/**
 * Splits raw CSV text into records (at `newline` outside quotes) or a record into fields (at `delimiter`), by
 * the rules papaparse reads with: a quote opens a quoted field only at the start of a field, "" inside it is a
 * quote.
 */
function splitRaw(text: string, at: string, other: string): string[] {
  const out: string[] = [];
  let start = 0;
  let fieldStart = true;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (fieldStart && ch === '"') {
      quoted = true;
      fieldStart = false;
      continue;
    }
    if (text.startsWith(at, i)) {
      out.push(text.slice(start, i));
      i += at.length - 1;
      start = i + 1;
      fieldStart = true;
      continue;
    }
    if (other !== "" && text.startsWith(other, i)) {
      i += other.length - 1;
      fieldStart = true;
      continue;
    }
    fieldStart = false;
  }
  out.push(text.slice(start));
  return out;
}

export const rawFields = (record: string, delimiter: string): string[] => splitRaw(record, delimiter, "");

export async function readCsvDocument(path: string): Promise<CsvDocument> {
  const buf = await readBytes(path);
  const d = decodeCsvBytes(buf);
  const data = parseCsv(d.text, path);
  const nl = data.newline;
  const finalNewline = d.text.endsWith(nl);
  // Split only when the file is written: a run that changes nothing pays nothing for keeping it.
  let records: string[] | null | undefined;
  const recordsOf = (): string[] | null => {
    if (records !== undefined) return records;
    records = d.text === "" ? [] : splitRaw(finalNewline ? d.text.slice(0, -nl.length) : d.text, nl, data.delimiter);
    // papaparse's records and ours must be the same ones, or nothing can be kept safely: then every record is
    // written anew (still without touching the value of any cell). Fields are checked record by record when
    // a record is rewritten.
    if (records.length !== data.grid.length) records = null;
    return records;
  };
  const first = d.text.slice(0, Math.max(0, d.text.indexOf(nl)));
  const quoteAll = first !== "" && rawFields(first, data.delimiter).every((f) => f.startsWith('"'));
  return { ...data, bytes: buf.length, encoding: d.encoding, bom: d.bom, note: encodingNote(path, d, true), records: recordsOf, finalNewline, quoteAll };
}

/** One field as CSV text: quoted when it must be (or `quote`), quotes inside doubled. */
export function csvField(text: string, delimiter: string, quote = false): string {
  const must = quote || text.includes(delimiter) || /["\r\n]/.test(text) || /^[ \t]|[ \t]$/.test(text);
  return must ? `"${text.replace(/"/g, '""')}"` : text;
}
