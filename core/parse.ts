// Reads the deal rows into Deals: money and dates however people type them, one problem per bad cell, never a throw.
import { a1, dayFromDate, dayFromYmd, EXCEL_EPOCH_OFFSET, isoFromDay } from "./a1.js";
import type { Settings } from "./settings.js";
import { classifyRows, countRows, isBlank, type RowCounts } from "./rows.js";
import { normalize, outcomeWord, stageMatcher } from "./stages.js";
import { TableBuilder, type DealTable, type TableSegment } from "./table.js";
import type { Cell, ColumnMap, Day, Deal, Field, Grid, Problem } from "./types.js";

export interface ParseResult {
  /** Each deal a window on `table` at its position: deals[k] reads the columns at k (see core/table.ts). */
  deals: Deal[];
  /** The deals as typed columns by position. */
  table: DealTable;
  /** Rows below the header up to the last non-empty row, blank ones included. */
  rowCount: number;
  problems: Problem[];
  /** Date cells that read differently day-first and month-first, settled by settings.dateOrder. */
  ambiguousDates: number;
  /** Deal IDs found on more than one row (each reported as DUPLICATE_ID). */
  duplicateIds: Set<string>;
  /** Rows below the header by kind; only "deal" rows became Deals. */
  rows: RowCounts;
  /** The order each mapped date column was read in, and why. */
  dateOrders: DateColumnOrder[];
  /** How the value column writes its numbers, or null without one. */
  numbers: NumberConvention | null;
}

export type DateOrder = "DMY" | "MDY";

// ---------------------------------------------------------------------------------------------
// Numbers and money

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** "-12", "12.5", "12": what Number() reads the same in every locale. */
function isPlainNumber(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === 46 && !dot) dot = true;
    else return false;
  }
  return digits > 0;
}

const CURRENCY_WORDS = new Set([
  "usd", "eur", "gbp", "jpy", "chf", "cad", "aud", "nzd", "sek", "nok", "dkk", "inr", "cny", "rmb", "brl", "mxn", "zar",
  "pln", "czk", "huf", "sgd", "hkd", "us", "ca", "au", "nz", "hk", "s", "r", "rs", "kr", "fr", "eu", "dollars", "euros", "euro",
]);
/** Suffixes that scale the amount, as a power of ten. */
const MULTIPLIERS = new Map<string, number>([
  ["k", 3], ["thousand", 3], ["m", 6], ["mm", 6], ["mn", 6], ["mio", 6], ["million", 6], ["b", 9], ["bn", 9], ["billion", 9],
]);

const isCurrencySymbol = (c: number): boolean => c === 36 || c === 0xa2 || c === 0xa3 || c === 0xa5 || (c >= 0x20a0 && c <= 0x20cf);
const isSpace = (c: number): boolean => c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009 || c === 9;
const isMinus = (c: number): boolean => c === 45 || c === 0x2212 || c === 0x2013;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

interface Affix {
  negative: boolean;
  exponent: number;
}

/** Reads what surrounds the digits: signs, currency symbols and codes, and (after them only) k/M/bn. */
function readAffix(s: string, from: number, to: number, after: boolean): Affix | null {
  let negative = false;
  let exponent = 0;
  let i = from;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || isCurrencySymbol(c) || c === 43) i++;
    else if (isMinus(c)) {
      negative = true;
      i++;
    } else if (after && (c === 44 || c === 46) && i + 1 < to && isMinus(s.charCodeAt(i + 1))) {
      i += 2; // "12 500,-": no cents, not a negative
    } else if (isLetter(c)) {
      let j = i;
      while (j < to && isLetter(s.charCodeAt(j))) j++;
      const word = s.slice(i, j).toLowerCase();
      if (after && exponent === 0 && MULTIPLIERS.has(word)) exponent = MULTIPLIERS.get(word) as number;
      else if (!CURRENCY_WORDS.has(word)) return null;
      i = j;
      if (i < to && s.charCodeAt(i) === 46) i++; // "Rs. 500", "Fr. 20"
    } else return null;
  }
  return { negative, exponent };
}

/** Separator class of a character inside the digits: 1 point, 2 comma, 3 space, 4 apostrophe; 0 when it cannot be one. */
function separator(c: number): number {
  if (c === 46) return 1;
  if (c === 44) return 2;
  if (isSpace(c)) return 3;
  if (c === 39 || c === 0x2019) return 4;
  return 0;
}

const POINT = 1;
const COMMA = 2;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Reads "1,234.50", "1.234,50", "12 500", "12'500", "12,5" and ".5", times 10^exponent. A lone comma before
 * exactly three digits is a thousands separator ("12,500"); otherwise the last comma or point is the decimal
 * one when it differs from the separators before it. Thousands groups must have three digits, so "1,23,4" is
 * not a number. One pass, no allocation: money columns are often text, and there can be a million of them.
 */
function readDigits(s: string, from: number, to: number, exponent: number): number | null {
  let seps = 0;
  let firstSep = 0;
  let lastSep = 0;
  let sameBeforeLast = true; // every separator before the last is of the first one's class
  let lastSeenBefore = false; // the last separator's class also occurs earlier
  let head = -1; // digits before the first separator
  let run = 0;
  let middle3 = true; // runs strictly between the first and the last separator have three digits
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      run++;
      continue;
    }
    const sep = separator(c);
    if (sep === 0) return null;
    if (seps === 0) {
      head = run;
      firstSep = sep;
    } else {
      if (run !== 3) middle3 = false;
      if (lastSep !== firstSep) sameBeforeLast = false;
    }
    if (run === 0 && !(seps === 0 && sep === POINT && i === from)) return null;
    seps++;
    lastSep = sep;
    run = 0;
  }
  if (run === 0) return null;
  if (seps > 1) lastSeenBefore = sameBeforeLast && firstSep === lastSep;
  const tail = run;

  let decimal = false;
  if ((lastSep === POINT || lastSep === COMMA) && !lastSeenBefore) {
    if (seps > 1 || lastSep === POINT) decimal = true;
    else decimal = !(tail === 3 && head >= 1 && head <= 3 && s.charCodeAt(from) !== 48);
  }
  if (seps > 0) {
    const thousands = decimal ? seps - 1 : seps;
    if (thousands > 0) {
      if (!sameBeforeLast || (!decimal && lastSep !== firstSep)) return null;
      if (head < 1 || head > 3 || !middle3 || (!decimal && tail !== 3)) return null;
    }
  }

  // Exact integers and one correctly rounded multiply or divide read the same as Number("12.34e3").
  let mantissa = 0;
  let fraction = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) mantissa = mantissa * 10 + (c - 48);
  }
  if (decimal) fraction = tail;
  if (!Number.isSafeInteger(mantissa) || fraction > 22) return Number(`${s.slice(from, to).replace(/[^0-9]/g, "")}e${exponent - fraction}`);
  const shift = exponent - fraction;
  return shift >= 0 ? mantissa * (POW10[shift] as number) : mantissa / (POW10[-shift] as number);
}

function parseMoneyText(s: string): number | "bad" {
  let from = 0;
  let to = s.length;
  let negative = false;
  if (s.charCodeAt(0) === 40 && s.charCodeAt(to - 1) === 41) {
    negative = true;
    from = 1;
    to--;
  }
  let first = -1;
  let last = -1;
  for (let i = from; i < to; i++) {
    if (isDigit(s.charCodeAt(i))) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return "bad";
  if (first > from && s.charCodeAt(first - 1) === 46) first--; // ".5"
  const pre = readAffix(s, from, first, false);
  const post = readAffix(s, last + 1, to, true);
  if (!pre || !post) return "bad";
  const n = readDigits(s, first, last + 1, post.exponent);
  if (n === null || !Number.isFinite(n)) return "bad";
  return negative || pre.negative || post.negative ? -n : n;
}

/** Excel writes long numbers to CSV as "1.2E+06". */
const SCIENTIFIC = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d{1,3}$/;

/** A money or number cell: numbers pass through, text as people write amounts; blank -> null. */
export function parseNumber(cell: Cell): number | null | "bad" {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : "bad";
  if (typeof cell !== "string") return cell === null || cell === undefined ? null : "bad";
  const s = cell.trim();
  if (s === "") return null;
  if (isPlainNumber(s)) return Number(s);
  const money = parseMoneyText(s);
  if (money !== "bad" || !SCIENTIFIC.test(s)) return money;
  const n = Number(s);
  return Number.isFinite(n) ? n : "bad";
}

// ---------------------------------------------------------------------------------------------
// Dates

type DateRead = { kind: "day"; day: Day; ambiguous: boolean } | { kind: "blank" } | { kind: "bad"; hint: string | null };

const BLANK: DateRead = { kind: "blank" };
const BAD: DateRead = { kind: "bad", hint: null };
/** Serial numbers in this range are dates (1954-2119); other numbers in a date column are not. */
const SERIAL_MIN = 20_000;
const SERIAL_MAX = 80_000;
const YEAR_MIN = 1900;
const YEAR_MAX = 2199;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => (m === 2 && isLeap(y) ? 29 : (MONTH_DAYS[m - 1] ?? 0));
const validYmd = (y: number, m: number, d: number): boolean =>
  y >= YEAR_MIN && y <= YEAR_MAX && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);

const ok = (day: Day, ambiguous: boolean): DateRead => ({ kind: "day", day, ambiguous });

/** For a day past the month's end ("31/02/2026"), the month's last day, as the date to write instead. */
function clampHint(y: number, m: number, d: number): string | null {
  if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 || d > 31) return null;
  return isoFromDay(dayFromYmd(y, m, daysIn(y, m)));
}

const ymd = (y: number, m: number, d: number): DateRead =>
  validYmd(y, m, d) ? ok(dayFromYmd(y, m, d), false) : { kind: "bad", hint: clampHint(y, m, d) };

function serial(n: number): DateRead {
  if (!Number.isFinite(n)) return BAD;
  if (n >= SERIAL_MIN && n < SERIAL_MAX) return ok(Math.floor(n) - EXCEL_EPOCH_OFFSET, false);
  // 20260304 as a number: a yyyymmdd export.
  if (Number.isInteger(n) && n >= YEAR_MIN * 10_000 && n <= YEAR_MAX * 10_000 + 1231) {
    return ymd(Math.floor(n / 10_000), Math.floor(n / 100) % 100, n % 100);
  }
  return BAD;
}

const MONTHS = new Map<string, number>([
  ["jan", 1], ["january", 1], ["feb", 2], ["february", 2], ["mar", 3], ["march", 3], ["apr", 4], ["april", 4], ["may", 5],
  ["jun", 6], ["june", 6], ["jul", 7], ["july", 7], ["aug", 8], ["august", 8], ["sep", 9], ["sept", 9], ["september", 9],
  ["oct", 10], ["october", 10], ["nov", 11], ["november", 11], ["dec", 12], ["december", 12],
]);
/** Words a date may carry that do not change it. */
const FILLER = new Set([
  "st", "nd", "rd", "th", "of", "the", "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
  "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
]);

const twoDigit = (s: string, i: number): boolean => isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1));
const num2 = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/** "2026-03-04", "2026/03/04", "2026-03-04T10:00:00Z" without a regex: the common case of exports. */
function isoFast(s: string): DateRead | null {
  if (s.length < 10 || !(s.length === 10 || s.charCodeAt(10) === 84)) return null;
  const sep = s.charCodeAt(4);
  if ((sep !== 45 && sep !== 47) || s.charCodeAt(7) !== sep) return null;
  if (!twoDigit(s, 0) || !twoDigit(s, 2) || !twoDigit(s, 5) || !twoDigit(s, 8)) return null;
  return ymd(num2(s, 0) * 100 + num2(s, 2), num2(s, 5), num2(s, 8));
}

const fullYear = (token: string): number => (token.length === 2 ? 2000 + Number(token) : token.length === 4 ? Number(token) : -1);

/** Day-first and month-first readings of two small numbers: one valid reading wins; two different ones follow `order`. */
function dayOrMonth(a: number, b: number, y: number, order: DateOrder): DateRead {
  const dmy = validYmd(y, b, a);
  const mdy = validYmd(y, a, b);
  if (dmy && mdy) {
    const [d, m] = order === "DMY" ? [a, b] : [b, a];
    return ok(dayFromYmd(y, m, d), a !== b);
  }
  if (dmy) return ok(dayFromYmd(y, b, a), false);
  if (mdy) return ok(dayFromYmd(y, a, b), false);
  const first = order === "DMY" ? clampHint(y, b, a) : clampHint(y, a, b);
  return { kind: "bad", hint: first ?? (order === "DMY" ? clampHint(y, a, b) : clampHint(y, b, a)) };
}

/** Any other date text: numbers, month names and filler words, cut at a time of day. */
function parseDateWords(s: string, order: DateOrder): DateRead {
  const nums: string[] = [];
  let month = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      let j = i;
      while (j < s.length && isDigit(s.charCodeAt(j))) j++;
      if (j < s.length && s.charCodeAt(j) === 58) break; // "10:30": the time of day, and whatever follows
      nums.push(s.slice(i, j));
      i = j;
    } else if (isLetter(c)) {
      let j = i;
      while (j < s.length && isLetter(s.charCodeAt(j))) j++;
      const word = s.slice(i, j).toLowerCase();
      const m = MONTHS.get(word);
      if (m !== undefined) {
        if (month !== 0) return BAD;
        month = m;
      } else if (!FILLER.has(word)) return BAD;
      i = j;
    } else if (isSpace(c) || c === 47 || c === 45 || c === 46 || c === 44) i++;
    else return BAD;
  }
  if (month !== 0) {
    if (nums.length !== 2) return BAD;
    const [a, b] = nums as [string, string];
    const [d, y] = a.length === 4 ? [b, a] : [a, b];
    if (d.length > 2) return BAD;
    return ymd(fullYear(y), month, Number(d));
  }
  if (nums.length === 1) {
    const only = nums[0] as string;
    return only.length === 8 ? ymd(Number(only.slice(0, 4)), Number(only.slice(4, 6)), Number(only.slice(6))) : BAD;
  }
  if (nums.length !== 3) return BAD;
  const [a, b, c] = nums as [string, string, string];
  if (a.length === 4) return b.length <= 2 && c.length <= 2 ? ymd(Number(a), Number(b), Number(c)) : BAD;
  if (a.length > 2 || b.length > 2) return BAD;
  const y = fullYear(c);
  if (y < 0) return BAD;
  return dayOrMonth(Number(a), Number(b), y, order);
}

function parseDateText(s: string, order: DateOrder): DateRead {
  const iso = isoFast(s);
  if (iso) return iso;
  if (isPlainNumber(s)) return serial(Number(s));
  return parseDateWords(s, order);
}

function readDate(cell: Cell, order: DateOrder): DateRead {
  if (cell === null || cell === undefined) return BLANK;
  if (typeof cell === "number") return serial(cell);
  if (typeof cell === "string") {
    const s = cell.trim();
    return s === "" ? BLANK : parseDateText(s, order);
  }
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? BAD : ok(dayFromDate(cell), false);
  return BAD;
}

/** A date cell: serial numbers, host Dates, ISO, day-first or month-first text, month names; blank -> null. */
export function parseDate(cell: Cell, order: DateOrder): { day: Day; ambiguous: boolean } | null | "bad" {
  const r = readDate(cell, order);
  return r.kind === "day" ? { day: r.day, ambiguous: r.ambiguous } : r.kind === "blank" ? null : "bad";
}

// ---------------------------------------------------------------------------------------------
// Per-column inference: the date order and the number convention a column proves with its own values

/** What one date column was read as, and why. */
export interface DateColumnOrder {
  column: number;
  order: DateOrder;
  /** "values": the column's own dates prove it; "other columns": dates elsewhere on the sheet do; "settings": nothing does. */
  basis: "values" | "other columns" | "settings";
  /** Values only valid day-first (a day above 12), only valid month-first, and valid both ways. */
  dayFirst: number;
  monthFirst: number;
  ambiguous: number;
}

/** How one money column writes its numbers. "comma": 1.234,56; "point": 1,234.56. */
export interface NumberConvention {
  column: number;
  decimal: "point" | "comma";
  basis: "values" | "currency" | "delimiter" | "settings";
  /** Values that prove a decimal comma / a decimal point, and values such as "9.900" or "12,500" that read either way. */
  commaProof: number;
  pointProof: number;
  ambiguous: number;
}

const CACHE_FREE_LIMIT = 200_000;
/** "20-10-16", "04/03/2026", "4.3.26 10:00": two small numbers before a two- or four-digit year. */
const DAY_MONTH = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?!\d)/;

/** Counts a date column's values that only one order reads, each distinct text once. */
function countDateProof(grid: Grid, first: number, end: number, c: number): { dayFirst: number; monthFirst: number; ambiguous: number } {
  let dayFirst = 0;
  let monthFirst = 0;
  let ambiguous = 0;
  const seen = new Map<string, 0 | 1 | 2 | 3>();
  for (let r = first; r < end; r++) {
    const cell = grid[r]?.[c];
    if (typeof cell !== "string") continue;
    // Three digits first ("2026-03-04", "20260304"): DAY_MONTH needs a separator after one or two digits, so
    // the cell proves nothing, told without the cache (a cell starting with a digit has no space to trim).
    // Most exports write ISO dates: this skips a Map lookup for nearly every cell (1M deals: about -150 ms).
    if (isDigit(cell.charCodeAt(0)) && isDigit(cell.charCodeAt(1)) && isDigit(cell.charCodeAt(2))) continue;
    let k = seen.get(cell);
    if (k === undefined) {
      const s = cell.trim();
      k = 0;
      const m = DAY_MONTH.exec(s);
      if (m) {
        const a = Number(m[1]);
        const b = Number(m[2]);
        if (a > 12 && a <= 31 && b >= 1 && b <= 12) k = 1;
        else if (b > 12 && b <= 31 && a >= 1 && a <= 12) k = 2;
        else if (a >= 1 && a <= 12 && b >= 1 && b <= 12 && a !== b) k = 3;
      }
      if (seen.size < CACHE_FREE_LIMIT) seen.set(cell, k);
    }
    if (k === 1) dayFirst++;
    else if (k === 2) monthFirst++;
    else if (k === 3) ambiguous++;
  }
  return { dayFirst, monthFirst, ambiguous };
}

/**
 * The order each date column is read in: what its unambiguous values prove (a day above 12); a column
 * without proof follows the other date columns of the sheet (one export writes one format); only
 * then the settings' order.
 */
export function inferDateOrders(grid: Grid, first: number, end: number, columns: readonly number[], fallback: DateOrder): DateColumnOrder[] {
  const counts = columns.map((c) => ({ c, ...countDateProof(grid, first, end, c) }));
  let sheetDay = 0;
  let sheetMonth = 0;
  for (const k of counts) {
    sheetDay += k.dayFirst;
    sheetMonth += k.monthFirst;
  }
  const sheetOrder: DateOrder | null = sheetDay > sheetMonth ? "DMY" : sheetMonth > sheetDay ? "MDY" : null;
  return counts.map(({ c, dayFirst, monthFirst, ambiguous }) => {
    const own: DateOrder | null = dayFirst > monthFirst ? "DMY" : monthFirst > dayFirst ? "MDY" : null;
    const order = own ?? sheetOrder ?? fallback;
    const basis = own ? "values" : sheetOrder ? "other columns" : "settings";
    return { column: c, order, basis, dayFirst, monthFirst, ambiguous };
  });
}

/** 1 when a money text proves a decimal comma, 2 a decimal point, 3 when it reads either way, 0 when it says nothing. */
function numberProof(s: string): 0 | 1 | 2 | 3 {
  let dots = 0;
  let commas = 0;
  let lastDot = -1;
  let lastComma = -1;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46) {
      dots++;
      lastDot = i;
    } else if (ch === 44) {
      commas++;
      lastComma = i;
    }
  }
  if (dots > 0 && commas > 0) return lastComma > lastDot ? 1 : 2;
  if (dots > 1) return 1;
  if (commas > 1) return 2;
  const at = dots === 1 ? lastDot : commas === 1 ? lastComma : -1;
  if (at < 0) return 0;
  let after = 0;
  for (let i = at + 1; i < s.length && isDigit(s.charCodeAt(i)); i++) after++;
  let before = 0;
  for (let i = at - 1; i >= 0 && isDigit(s.charCodeAt(i)); i--) before++;
  if (after === 3 && before >= 1 && before <= 3) return 3;
  if (after === 0) return 0;
  return dots === 1 ? 2 : 1;
}

const EURO_SUFFIX = /\d\s*(€|eur\b|euro)/i;
/** False when the text has no "€", "e" or "E", so EURO_SUFFIX cannot match (told without the regex). */
function mayNameEuro(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x20ac || ch === 101 || ch === 69) return true;
  }
  return false;
}

/**
 * The convention of a money column from its own values: "1.234,56", "12.500" beside "3,5" or "1.234.567"
 * prove a decimal comma; "1,234.56" or "12.5" a decimal point. A column of lone "9.900"s proves nothing: then
 * an amount written with the euro after it ("4.500 €") hints at the comma, then a CSV's ";" delimiter (the
 * host's hint), else the settings decide (a DMY date order with a euro currency means the comma).
 */
export function inferNumberConvention(grid: Grid, first: number, end: number, c: number, settings: Pick<Settings, "dateOrder" | "currency">, delimiter?: string): NumberConvention {
  let commaProof = 0;
  let pointProof = 0;
  let ambiguous = 0;
  let euroAfter = 0;
  // Only a cell that proves something is looked up among the distinct ones: a plain "37770" counts nowhere,
  // so most cells of a million-row column cost a scan of their characters and no Set (1M deals: about -0.3 s).
  const seen = new Set<string>();
  for (let r = first; r < end; r++) {
    const cell = grid[r]?.[c];
    if (typeof cell !== "string") continue;
    const k = numberProof(cell);
    const mayBeEuro = mayNameEuro(cell);
    if ((k === 0 && !mayBeEuro) || seen.has(cell)) continue;
    // The regex only for a text not counted yet: a column repeating "4.500 €" runs it once per distinct text.
    const euro = mayBeEuro && EURO_SUFFIX.test(cell);
    if (k === 0 && !euro) continue;
    if (seen.size < CACHE_FREE_LIMIT) seen.add(cell);
    if (k === 1) commaProof++;
    else if (k === 2) pointProof++;
    else if (k === 3) ambiguous++;
    if (euro) euroAfter++;
  }
  if (commaProof !== pointProof) return { column: c, decimal: commaProof > pointProof ? "comma" : "point", basis: "values", commaProof, pointProof, ambiguous };
  if (euroAfter > 0) return { column: c, decimal: "comma", basis: "currency", commaProof, pointProof, ambiguous };
  // A CSV split by ";" is written where the comma is the decimal mark (Excel's European list separator).
  if (delimiter === ";") return { column: c, decimal: "comma", basis: "delimiter", commaProof, pointProof, ambiguous };
  const decimal = settings.dateOrder === "DMY" && settings.currency.toUpperCase() === "EUR" ? "comma" : "point";
  return { column: c, decimal, basis: "settings", commaProof, pointProof, ambiguous };
}

/** A money cell read in its column's convention: with a decimal comma, points are thousands and the comma the decimal. */
export function parseNumberAs(cell: Cell, decimal: "point" | "comma"): number | null | "bad" {
  if (decimal === "point" || typeof cell !== "string") return parseNumber(cell);
  const s = cell.trim();
  if (s.indexOf(".") < 0 && s.indexOf(",") < 0) return parseNumber(s);
  return parseNumber(s.replace(/\.(?=\d{3}(\D|$))/g, "").replace(",", "."));
}

/** A date cell read in its column's order. */
export function parseDateAs(cell: Cell, order: DateOrder): { day: Day; ambiguous: boolean } | null | "bad" {
  return parseDate(cell, order);
}

const CURRENCY_SYMBOLS: [RegExp, string][] = [
  [/€/, "EUR"], [/£/, "GBP"], [/¥/, "JPY"], [/₹/, "INR"], [/₩/, "KRW"], [/₽/, "RUB"], [/\bCHF\b/i, "CHF"], [/\bEUR\b/i, "EUR"], [/\bGBP\b/i, "GBP"],
  [/\bUSD\b/i, "USD"], [/\bSEK\b/i, "SEK"], [/\bNOK\b/i, "NOK"], [/\bDKK\b/i, "DKK"], [/\bPLN\b/i, "PLN"], [/\bCAD\b/i, "CAD"], [/\bAUD\b/i, "AUD"], [/\bBRL\b|R\$/, "BRL"], [/\$/, "USD"],
];

/** The currency a header ("Amount (€)", "Value EUR") or most of a money column's cells name, or null. */
export function inferCurrency(header: string, grid: Grid, first: number, end: number, c: number): { code: string; from: "header" | "values" } | null {
  for (const [re, code] of CURRENCY_SYMBOLS) if (re.test(header)) return { code, from: "header" };
  const counts = new Map<string, number>();
  let filled = 0;
  const step = Math.max(1, Math.floor((end - first) / 2000));
  for (let r = first; r < end; r += step) {
    const cell = grid[r]?.[c];
    if (typeof cell !== "string" || cell.trim() === "") continue;
    filled++;
    for (const [re, code] of CURRENCY_SYMBOLS)
      if (re.test(cell)) {
        counts.set(code, (counts.get(code) ?? 0) + 1);
        break;
      }
  }
  let best: [string, number] | null = null;
  for (const e of counts) if (!best || e[1] > best[1]) best = e;
  return best && best[1] * 2 > filled ? { code: best[0], from: "values" } : null;
}

// ---------------------------------------------------------------------------------------------
// Rows

const text = (c: Cell): string => {
  if (typeof c === "string") return c.trim();
  if (c === null || c === undefined) return "";
  if (typeof c === "number") return Number.isFinite(c) ? String(c) : "";
  if (typeof c === "boolean") return c ? "TRUE" : "FALSE";
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? "" : isoFromDay(dayFromDate(c));
  return "";
};


/** How a cell looks in a message. */
function shown(c: Cell): string {
  if (typeof c === "string") {
    const t = c.trim();
    return `"${t.length > 40 ? `${t.slice(0, 37)}...` : t}"`;
  }
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? "an invalid date" : `"${text(c)}"`;
  return String(c);
}

const DATE_FIELDS = ["createdDate", "closeDate", "closedDate", "lostDate", "stageEntered", "lastActivity", "nextStepDate", "firstContact"] as const satisfies readonly Field[];
const DATE_EXAMPLE = "2026-03-04";
/** Bounds the per-run caches, so a sheet of a million distinct strings cannot grow them without end. */
const CACHE_LIMIT = 100_000;

/** "TRUE", "1", "yes": a flag column such as Salesforce's IsWon says won; false says nothing (open or lost). */
const TRUE_WORDS = new Set(["true", "1", "yes", "y", "x", "ja", "oui", "si", "sí", "sim", "wahr", "vrai", "verdadero", "vero", "waar"]);

/**
 * First deal with each ID, in a flat open-addressing table of (deal position + 1, hash) pairs; 0 = empty.
 * A Map of a million distinct strings costs several times as much, and every row is checked. The stored
 * hash saves a trip to a far-away deal object on most probes.
 */
interface IdTable {
  slots: Int32Array;
  mask: number;
}

function idTable(rows: number): IdTable {
  let size = 16;
  while (size < rows * 2) size *= 2;
  return { slots: new Int32Array(size * 2), mask: size - 1 };
}

/** The earlier deal holding `id`, or undefined after recording deal number `at` as its first holder. */
function firstWithId(ids: IdTable, deals: readonly Deal[], id: string, at: number): Deal | undefined {
  let h = 0x811c9dc5;
  for (let j = 0; j < id.length; j++) h = Math.imul(h ^ id.charCodeAt(j), 0x01000193);
  const slots = ids.slots;
  let p = h & ids.mask;
  for (;;) {
    const e = slots[2 * p] as number;
    if (e === 0) {
      slots[2 * p] = at + 1;
      slots[2 * p + 1] = h;
      return undefined;
    }
    if (slots[2 * p + 1] === h) {
      const d = deals[e - 1] as Deal;
      if (d.id === id) return d;
    }
    p = (p + 1) & ids.mask;
  }
}

/** Where a parse's problems go: one report names the cell. */
type Report = (r: number, c: number, code: Problem["code"], severity: Problem["severity"], message: string) => void;

/** A value read by row: `row` is grid[r] (0-based sheet row r). */
type RowRead<T> = (row: Cell[], r: number) => T;

/**
 * Each date column's reader, made once: its order settled by inferDateOrders and a cache by cell text, so a
 * cell costs one lookup. Ambiguous cells of a column read in the settings' order are counted in `tally`.
 */
function dateReader(c: number, order: DateOrder, cache: Map<string, DateRead>, countAmbiguous: boolean, tally: { ambiguous: number }, report: Report): RowRead<Day | null> {
  if (c < 0) return () => null;
  return (row, r) => {
    const cell = row[c];
    if (typeof cell === "number" && cell >= SERIAL_MIN && cell < SERIAL_MAX) return Math.floor(cell) - EXCEL_EPOCH_OFFSET;
    let read: DateRead;
    if (typeof cell === "string") {
      const hit = cache.get(cell);
      if (hit) read = hit;
      else {
        const s = cell.trim();
        read = s === "" ? BLANK : parseDateText(s, order);
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(cell, read);
      }
    } else read = readDate(cell, order);
    if (read.kind === "day") {
      if (read.ambiguous && countAmbiguous) tally.ambiguous++;
      return read.day;
    }
    if (read.kind === "bad") report(r, c, "BAD_DATE", "error", `${shown(cell)} is not a date; write the date as ${read.hint ?? DATE_EXAMPLE} or as a date cell.`);
    return null;
  };
}

/** `s.toLowerCase()`, cached (bounded): a column repeats a few texts a million times. */
function lowerCase(): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = s.toLowerCase();
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

/** How the status column closes a deal: a word (Won, Closed lost), a flag (IsWon), or Odoo's Active / Archived. */
interface StatusReader {
  /** A status cell's outcome, cached by text. */
  closedAs(status: string): "won" | "lost" | null;
  /** Active false closes a deal: a blank Active cell on a row with a stage is lost. */
  activeFlag: boolean;
  archivedFlag: boolean;
}

function statusReader(map: ColumnMap, settings: Settings, cStatus: number): StatusReader {
  // A status column headed IsWon / Won holds a flag, not a word.
  const header = cStatus >= 0 ? normalize(map.headers[cStatus] ?? "") : "";
  const wonFlag = ["iswon", "won", "gewonnen", "gagne"].includes(header);
  // Odoo archives the opportunities it loses: Active false (or Archived true) is a closed deal, lost unless its stage is won.
  const activeFlag = header === "active" || header === "isactive";
  const archivedFlag = header === "archived" || header === "isarchived";
  const cache = new Map<string, "won" | "lost" | null>();
  const closedAs = (s: string): "won" | "lost" | null => {
    let v = cache.get(s);
    if (v === undefined) {
      if (wonFlag) v = TRUE_WORDS.has(s.toLowerCase()) ? "won" : null;
      else if (activeFlag || archivedFlag) v = TRUE_WORDS.has(s.toLowerCase()) === archivedFlag ? "lost" : null;
      else {
        const w = outcomeWord(s, settings.outcomes);
        v = w === "won" || w === "lost" ? w : null;
      }
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
  return { closedAs, activeFlag, archivedFlag };
}

type Categories = Deal["categories"];

/**
 * Rows with the same category values share one categories object (core only reads them): a million rows hold
 * a few hundred combinations, not a million small objects. Absent columns read as "" throughout the run.
 */
function categoryCache(has: { owner: boolean; source: boolean; product: boolean; industry: boolean }): (owner: string, source: string, product: string, industry: string) => Categories {
  let tree = new Map<string, Map<string, Map<string, Map<string, Categories>>>>();
  let count = 0;
  return (owner, source, product, industry) => {
    let bySource = tree.get(owner);
    if (bySource === undefined) tree.set(owner, (bySource = new Map()));
    let byProduct = bySource.get(source);
    if (byProduct === undefined) bySource.set(source, (byProduct = new Map()));
    let byIndustry = byProduct.get(product);
    if (byIndustry === undefined) byProduct.set(product, (byIndustry = new Map()));
    let made = byIndustry.get(industry);
    if (made === undefined) {
      made = {};
      if (has.owner) made.owner = owner;
      if (has.source) made.source = source;
      if (has.product) made.product = product;
      if (has.industry) made.industry = industry;
      if (count >= CACHE_LIMIT) {
        tree = new Map();
        count = 0;
        return made;
      }
      count++;
      byIndustry.set(industry, made);
    }
    return made;
  };
}

/**
 * A deal's stage: the status column's outcome first (won or lost), else the stage cell matched against the
 * settings' stages; a near spelling counts in the stage it is close to, with a warning, rather than dropping
 * the deal. Problems name the stage cell.
 */
function stageReader(settings: Settings, cStage: number, status: StatusReader, report: Report): (stageRaw: string, statusText: string, r: number) => number {
  const match = stageMatcher(settings.stages);
  const wonStage = settings.stages.findIndex((s) => s.kind === "won");
  const lostStage = settings.stages.findIndex((s) => s.kind === "lost");
  const { activeFlag, archivedFlag } = status;
  return (stageRaw, statusText, r) => {
    const closedAs = statusText === "" ? (activeFlag && cStage >= 0 ? "lost" : null) : status.closedAs(statusText);
    // An archived deal in a won stage stays won.
    const archivedWon = closedAs === "lost" && (activeFlag || archivedFlag) && stageRaw !== "" && settings.stages[match(stageRaw).index]?.kind === "won";
    const closedStage = archivedWon ? -1 : closedAs === "won" ? wonStage : closedAs === "lost" ? lostStage : -1;
    if (closedStage >= 0) return closedStage;
    if (stageRaw === "") {
      if (cStage >= 0) report(r, cStage, "MISSING_STAGE", "warning", "The stage is blank; pick one from the drop-down.");
      return -1;
    }
    const m = match(stageRaw);
    if (m.index >= 0) return m.index;
    if (m.suggestion !== null) {
      report(r, cStage, "UNKNOWN_STAGE", "warning", `"${stageRaw}" is not one of your stages; did you mean '${m.suggestion}'? It is counted there until you fix the spelling or add it to Pipeline Settings › Stages.`);
      return settings.stages.findIndex((st) => st.name === m.suggestion);
    }
    report(r, cStage, "UNKNOWN_STAGE", "error", `"${stageRaw}" is not one of your stages; add it to Pipeline Settings › Stages or run Set up pipeline to adopt it.`);
    return -1;
  };
}

/** The columns of the fields a deal holds, -1 where the sheet has none. */
function fieldColumns(map: ColumnMap) {
  const col = (f: Field): number => map.fields[f] ?? -1;
  const [created, close, closed, lostOn, entered, last, nextDate, firstContact] = DATE_FIELDS.map(col) as [number, number, number, number, number, number, number, number];
  return {
    id: col("dealId"), name: col("name"), stage: col("stage"), status: col("status"), value: col("value"), owner: col("owner"), nextStep: col("nextStep"),
    need: col("need"), budget: col("budget"), authority: col("authority"), loss: col("lossReason"), source: col("source"), product: col("product"), industry: col("industry"),
    created, close, closed, lostOn, entered, last, nextDate, firstContact,
  };
}

/** The readers of one parse, made once from the sheet's columns and what the inference found. */
function rowReaders(grid: Grid, map: ColumnMap, settings: Settings, first: number, end: number, report: Report, delimiter: string | undefined) {
  const c = fieldColumns(map);
  const dateCols = DATE_FIELDS.map((f) => map.fields[f] ?? -1).filter((k) => k >= 0);
  const dateOrders = inferDateOrders(grid, first, end, [...new Set(dateCols)], settings.dateOrder);
  const orderOf = new Map(dateOrders.map((d) => [d.column, d.order]));
  const settled = new Set(dateOrders.filter((d) => d.basis === "settings").map((d) => d.column));
  const numbers = c.value >= 0 ? inferNumberConvention(grid, first, end, c.value, settings, delimiter) : null;
  const caches = { DMY: new Map<string, DateRead>(), MDY: new Map<string, DateRead>() };
  const tally = { ambiguous: 0 };
  const date = (k: number): RowRead<Day | null> => {
    const order = orderOf.get(k) ?? settings.dateOrder;
    return dateReader(k, order, caches[order], settled.has(k), tally, report);
  };
  return {
    c,
    dateOrders,
    numbers,
    decimal: numbers?.decimal ?? "point",
    tally,
    created: date(c.created),
    close: date(c.close),
    closed: date(c.closed),
    lostOn: date(c.lostOn),
    entered: date(c.entered),
    last: date(c.last),
    nextDate: date(c.nextDate),
    firstContact: date(c.firstContact),
    lower: lowerCase(),
    stage: stageReader(settings, c.stage, statusReader(map, settings, c.status), report),
    categories: categoryCache({ owner: c.owner >= 0, source: c.source >= 0, product: c.product >= 0, industry: c.industry >= 0 }),
  };
}
type RowReaders = ReturnType<typeof rowReaders>;

/** The deal's amount in its column's number convention, or null (reported when the cell is not an amount). */
function valueOf(row: Cell[], r: number, cValue: number, decimal: "point" | "comma", report: Report): number | null {
  if (cValue < 0) return null;
  const cell = row[cValue];
  const v = typeof cell === "number" && Number.isFinite(cell) ? cell : parseNumberAs(cell, decimal);
  if (v !== "bad") return v;
  report(r, cValue, "BAD_NUMBER", "error", `${shown(cell)} is not an amount; write a number such as 12500.`);
  return null;
}

/**
 * The table's segment cells, coded as written on the sheet (the segment tables show them so); the
 * lower-cased, trimmed copy each deal's categories keep is made once per code.
 */
function segmentCoder(table: TableBuilder, lower: (s: string) => string): (f: TableSegment, c: number, k: number, row: Cell[]) => string {
  const lowerOfCode: (string | undefined)[] = [];
  return (f, c, k, row) => {
    if (c < 0) return "";
    const cell = row[c];
    if (typeof cell !== "string") {
      table.segment(f, k, cell === null || cell === undefined || cell instanceof Date ? "" : String(cell));
      return lower(text(cell));
    }
    const code = table.segment(f, k, cell);
    let v = lowerOfCode[code];
    if (v === undefined) lowerOfCode[code] = v = lower(cell.trim());
    return v;
  };
}

/** The trimmed text of cell k of a row, "" when the sheet has no such column (k < 0). */
const cellText = (row: Cell[], k: number): string => (k >= 0 ? text(row[k]) : "");

/** One deal row read into the table, its problems reported; returns the deal, a window on the table at its position. */
function readDeal(row: Cell[], r: number, id: string, first: number, R: RowReaders, table: TableBuilder, segment: ReturnType<typeof segmentCoder>, settings: Settings, report: Report): Deal {
  const c = R.c;
  const stageRaw = cellText(row, c.stage);
  const stage = R.stage(stageRaw, cellText(row, c.status), r);
  const value = valueOf(row, r, c.value, R.decimal, report);
  const created = R.created(row, r);
  const closeDate = R.close(row, r);
  if (created !== null && closeDate !== null && closeDate < created) {
    report(r, c.close, "CLOSE_BEFORE_CREATE", "warning", `The close date ${isoFromDay(closeDate)} is before the created date ${isoFromDay(created)} (${a1(r, c.created)}); check both dates.`);
  }
  // The actual close: a lost deal's Lost time first, else the won or closed date, else the other.
  const closedAt = R.closed(row, r);
  const lostAt = R.lostOn(row, r);
  const closedOn = settings.stages[stage]?.kind === "lost" ? (lostAt ?? closedAt) : (closedAt ?? lostAt);
  const k = table.add(r + 1, stage, value, created, closeDate);
  const categories = R.categories(segment("owner", c.owner, k, row), segment("source", c.source, k, row), segment("product", c.product, k, row), segment("industry", c.industry, k, row));
  return table.deal(
    k,
    {
      index: r - first,
      id,
      name: cellText(row, c.name),
      stageRaw,
      owner: cellText(row, c.owner),
      closedOn,
      stageEntered: R.entered(row, r),
      lastActivity: R.last(row, r),
      nextStep: cellText(row, c.nextStep),
      nextStepDate: R.nextDate(row, r),
      firstContact: R.firstContact(row, r),
      need: cellText(row, c.need),
      budget: cellText(row, c.budget),
      authority: cellText(row, c.authority),
      lossReason: cellText(row, c.loss),
    },
    categories,
  );
}

export function parseDeals(grid: Grid, map: ColumnMap, settings: Settings, sheet: string, delimiter?: string): ParseResult {
  const problems: Problem[] = [];
  const report: Report = (r, c, code, severity, message) => problems.push({ sheet, cell: a1(r, c), code, severity, message });
  const first = map.headerRow + 1;
  let end = grid.length;
  while (end > first && (grid[end - 1] ?? []).every(isBlank)) end--;
  const rowCount = Math.max(0, end - first);
  const kinds = classifyRows(grid, map.headerRow, map);
  const R = rowReaders(grid, map, settings, first, end, report, delimiter);
  const cId = R.c.id;
  const table = new TableBuilder(rowCount, settings, { source: R.c.source >= 0, product: R.c.product >= 0, industry: R.c.industry >= 0, owner: R.c.owner >= 0 });
  const segment = segmentCoder(table, R.lower);
  const deals: Deal[] = [];
  const duplicateIds = new Set<string>();
  const ids = idTable(cId >= 0 ? rowCount : 0);

  for (let r = first; r < end; r++) {
    const row = grid[r];
    if (!row || kinds[r - first] !== "deal") continue;
    // The ID is checked before the row's other cells, so its problem comes first.
    const id = cId >= 0 ? text(row[cId]) : "";
    if (id !== "") {
      const seen = firstWithId(ids, deals, id, deals.length);
      if (seen) {
        duplicateIds.add(id);
        report(r, cId, "DUPLICATE_ID", "warning", `Deal ID "${id}" is also in ${a1(seen.sheetRow - 1, cId)}; give each deal its own ID, or clear this one and Set up pipeline will add a new one.`);
      }
    }
    deals.push(readDeal(row, r, id, first, R, table, segment, settings, report));
  }

  return { deals, table: table.finish(), rowCount, problems, ambiguousDates: R.tally.ambiguous, duplicateIds, rows: countRows(kinds.slice(0, rowCount)), dateOrders: R.dateOrders, numbers: R.numbers };
}
