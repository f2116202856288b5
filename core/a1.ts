// A1 addresses and day arithmetic shared by every core module.
import type { Day } from "./types.js";

export function colName(col: number): string {
  let n = col + 1;
  let s = "";
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** "Pipeline Review" -> "'Pipeline Review'", "It's" -> "'It''s'": a sheet name as a formula, a range or a link writes it. */
export const quoteSheet = (name: string): string => `'${name.replace(/'/g, "''")}'`;

/** 0-based row and column to an A1 address ("B12"). */
export const a1 = (row: number, col: number): string => `${colName(col)}${row + 1}`;

/** 0-based rectangle to an A1 range ("A2:P1400"). */
export const a1Range = (row: number, col: number, rows: number, cols: number): string =>
  `${a1(row, col)}:${a1(row + rows - 1, col + cols - 1)}`;

export function colIndex(name: string): number {
  let n = 0;
  for (const ch of name.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** "B12" -> { row: 11, col: 1 }. */
export function parseA1(ref: string): { row: number; col: number } | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d+)$/.exec(ref.trim());
  if (!m) return null;
  return { row: Number(m[2]) - 1, col: colIndex(m[1] as string) };
}

const MS_PER_DAY = 86_400_000;
/** Excel's serial number of 1970-01-01. */
export const EXCEL_EPOCH_OFFSET = 25_569;

export const dayFromYmd = (y: number, m: number, d: number): Day => Date.UTC(y, m - 1, d) / MS_PER_DAY;

/** "2026-11-26" -> day number; null when it is not a real calendar date. */
export function dayFromIso(iso: string): Day | null {
  // Read by character codes, not a regex and a Date made to check the result: the stage log reads five dates a
  // row, and a log of a million rows spent about 1.6 s here. Same answers: Date.UTC maps years 0-99 to 1900-1999,
  // so those never came back equal (null), and a day or month out of range never did either.
  // typeof: a host's untyped JSON (a missing "today") gets the "must be YYYY-MM-DD" message, not a TypeError.
  if (typeof iso !== "string" || iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) return null;
  const y = digitsAt(iso, 0, 4);
  const mo = digitsAt(iso, 5, 2);
  const d = digitsAt(iso, 8, 2);
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return dayFromYmd(y, mo, d);
}

/** The number written by `count` ASCII digits from `at`, or -1 when one of them is not a digit. */
function digitsAt(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days in month `m` (1-12) of year `y`, in the proleptic Gregorian calendar Date uses. */
const daysInMonth = (y: number, m: number): number => (m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : (MONTH_LENGTHS[m - 1] ?? 0));

// Logs and reviews print the same few thousand days over and over; formatting each once saves a Date per row.
const isoCache = new Map<Day, string>();
export function isoFromDay(day: Day): string {
  let s = isoCache.get(day);
  if (s === undefined) {
    s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (isoCache.size < 100_000) isoCache.set(day, s);
  }
  return s;
}

export const excelSerialFromDay = (day: Day): number => day + EXCEL_EPOCH_OFFSET;
export const dayFromExcelSerial = (serial: number): Day => Math.floor(serial) - EXCEL_EPOCH_OFFSET;

/** A host Date (Apps Script gives local-midnight Dates) to a day, reading its local calendar date. */
export const dayFromDate = (d: Date): Day => dayFromYmd(d.getFullYear(), d.getMonth() + 1, d.getDate());

export const monthKey = (day: Day): string => isoFromDay(day).slice(0, 7);
export function quarterKey(day: Day): string {
  const iso = isoFromDay(day);
  return `${iso.slice(0, 4)}-Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1}`;
}
