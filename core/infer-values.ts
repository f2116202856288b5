// What a column's values look like (dates, amounts, stage words, people, codes), as evidence for the column mapping.
import { parseDate, parseNumber, type DateOrder, type NumberConvention } from "./parse.js";
import type { Cell, Grid } from "./types.js";

/** Values looked at per column: enough to tell dates from amounts from names, cheap on a million rows. */
export const PROFILE_SAMPLE = 400;

export interface ColumnProfile {
  /** Non-blank cells looked at. */
  filled: number;
  /** Shares of the non-blank cells, 0..1. */
  dates: number;
  numbers: number;
  /** Text cells that are neither dates nor numbers. */
  texts: number;
  /** Distinct values ÷ filled. */
  distinct: number;
  /** Codes such as "006f4000002NAbGAAW" or "D-1001": letters and digits mixed, no spaces. */
  codes: number;
  /** Two or three capitalised words, as people's names are written. */
  people: number;
  /** Numbers between 0 and 100 (a probability column). */
  percents: number;
  /** Cells with a currency symbol or code. */
  currency: number;
  /** TRUE/FALSE, 1/blank flags. */
  flags: number;
  /** Per non-blank sampled row: the date's day, for comparing date columns row by row. */
  days: Map<number, number>;
}

const CODE = /^(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[A-Za-z0-9_-]{5,}$/;
const PERSON = /^\p{Lu}[\p{L}'’-]+( \p{Lu}\.?)?( \p{Lu}[\p{L}'’-]+){1,2}$/u;
const MONEY_SIGN = /[$€£¥₹₩₽]|\b(USD|EUR|GBP|CHF|JPY|CAD|AUD)\b/;
const FLAG = new Set(["true", "false", "yes", "no", "1", "0"]);

/** Rows of data to sample: evenly spread, so a sorted sheet is seen whole. */
export function sampleRows(grid: Grid, first: number, max = PROFILE_SAMPLE): number[] {
  const n = grid.length - first;
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, k) => first + k);
  const step = n / max;
  return Array.from({ length: max }, (_, k) => first + Math.floor(k * step));
}

export function profileColumn(grid: Grid, rows: readonly number[], c: number): ColumnProfile {
  let filled = 0;
  let dates = 0;
  let numbers = 0;
  let codes = 0;
  let people = 0;
  let percents = 0;
  let currency = 0;
  let flags = 0;
  const seen = new Set<string>();
  const days = new Map<number, number>();
  for (const r of rows) {
    const cell: Cell = grid[r]?.[c];
    if (cell === null || cell === undefined || (typeof cell === "string" && cell.trim() === "")) continue;
    filled++;
    const text = typeof cell === "string" ? cell.trim() : cell instanceof Date ? "" : String(cell);
    seen.add(text.toLowerCase());
    if (typeof cell === "boolean" || FLAG.has(text.toLowerCase())) flags++;
    const n = typeof cell === "boolean" ? "bad" : parseNumber(cell);
    // A number cell in a date column is a serial; only text proves a date, or a host's Date.
    // "24000.0" is an amount even though it would read as an Excel serial date.
    const d = (typeof cell === "string" && typeof n !== "number") || cell instanceof Date ? parseDate(cell, "MDY") : null;
    if (d !== null && d !== "bad") {
      dates++;
      days.set(r, d.day);
    } else if (typeof n === "number") {
      numbers++;
      if (n >= 0 && n <= 100) percents++;
    }
    if (typeof cell === "string") {
      if (CODE.test(text)) codes++;
      if (PERSON.test(text)) people++;
      if (MONEY_SIGN.test(text)) currency++;
    }
  }
  const share = (k: number): number => (filled === 0 ? 0 : k / filled);
  return {
    filled,
    dates: share(dates),
    numbers: share(numbers),
    texts: share(filled - dates - numbers),
    distinct: share(seen.size),
    codes: share(codes),
    people: share(people),
    percents: share(percents),
    currency: share(currency),
    flags: share(flags),
    days,
  };
}

/** How two date columns compare row by row: rows where both hold a date, and of those, A on or after B and A after B. */
export interface DatePairing {
  compared: number;
  atOrAfter: number;
  after: number;
}

/** Each sampled row's date in one column, read in the order the column proves (see inferDateOrders). */
export function columnDays(grid: Grid, rows: readonly number[], c: number, order: DateOrder): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of rows) {
    const cell: Cell = grid[r]?.[c];
    // Only text and host Dates are dates here; a bare number may be an amount (see profileColumn).
    if (typeof cell !== "string" && !(cell instanceof Date)) continue;
    const d = parseDate(cell, order);
    if (d !== null && d !== "bad") out.set(r, d.day);
  }
  return out;
}

export function compareDates(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): DatePairing {
  let compared = 0;
  let atOrAfter = 0;
  let after = 0;
  for (const [r, x] of a) {
    const y = b.get(r);
    if (y === undefined) continue;
    compared++;
    if (x >= y) atOrAfter++;
    if (x > y) after++;
  }
  return { compared, atOrAfter, after };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/** What a money column's number convention was read as, and why, in words (for `summary.amounts`). */
export function numberEvidence(n: Pick<NumberConvention, "decimal" | "basis" | "commaProof" | "pointProof" | "ambiguous">): string {
  const mark = `decimal ${n.decimal}`;
  const why =
    n.basis === "values"
      ? `${plural(n.decimal === "comma" ? n.commaProof : n.pointProof, "value proves it", "values prove it")}, ${plural(n.decimal === "comma" ? n.pointProof : n.commaProof, "value")} a decimal ${n.decimal === "comma" ? "point" : "comma"}`
      : `no value proves the mark; ${
          n.basis === "currency"
            ? "amounts with the euro after them (4.500 €) are written the European way"
            : n.basis === "delimiter"
              ? 'the file is split by ";", as European exports are'
              : "Pipeline Settings' date order and currency decide"
        }`;
  const either = n.ambiguous > 0 ? `; ${plural(n.ambiguous, "value")} such as 9.900 read either way, here as ${n.decimal === "comma" ? "thousands (9900)" : "decimals (9.9)"}` : "";
  return `${mark}: ${why}${either}`;
}
