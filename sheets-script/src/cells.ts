// Cell values across the Apps Script boundary: Dates in, serial numbers and literal text out.
import { EXCEL_EPOCH_OFFSET, type Cell } from "../../core/index.js";

const MS_PER_DAY = 86_400_000;
const EPOCH_SERIAL = EXCEL_EPOCH_OFFSET;

/** A value Range.setValues accepts. */
export type SheetValue = string | number | boolean | Date;

/**
 * Range.setValues reads strings the way a person typing does: "2026-11" becomes a date, "00123" a number,
 * "=x" a formula. A leading apostrophe keeps the text as written (Sheets stores it without the apostrophe).
 * Plain words are left alone so the formula bar shows what the team expects.
 */
const LEADING_WORD_DATE = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?[\s,./-]*\d/i;
const LETTER = /^[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u0590-\u06FF\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]/;

export function needsQuote(s: string): boolean {
  if (s === "") return false;
  if (!LETTER.test(s)) return true;
  const lower = s.toLowerCase();
  if (lower === "true" || lower === "false") return true;
  return LEADING_WORD_DATE.test(s);
}

/** Literal text for setValues, cached per distinct string (a column repeats the same few values). */
export function textWriter(): (s: string) => string {
  const cache = new Map<string, string>();
  return (s: string): string => {
    let out = cache.get(s);
    if (out === undefined) {
      out = needsQuote(s) ? `'${s}` : s;
      if (cache.size < 200_000) cache.set(s, out);
    }
    return out;
  };
}

/**
 * Turns a plan cell into what setValues takes. `asText` is true where the cell's number format is
 * plain text ("@"): there Sheets keeps strings verbatim, so no apostrophe.
 */
export function toSheet(v: Cell, asText: boolean, quote: (s: string) => string): SheetValue {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return asText ? v : quote(v);
  if (typeof v === "number") return Number.isFinite(v) ? v : "";
  if (typeof v === "boolean") return v;
  return Number.isNaN(v.getTime()) ? "" : v;
}

/**
 * Sheets hands dates to a script as instants at midnight in the spreadsheet's time zone, while the script's
 * own Date getters use the script's zone; the two may differ. Convert with the spreadsheet zone's offset.
 * `offsetMs` is the zone's current offset; a date on the other side of a daylight-saving change is off by
 * that change (an hour), so values within that of a midnight snap to it.
 */
export function serialFromDate(d: Date, offsetMs: number): number {
  const t = d.getTime();
  if (Number.isNaN(t)) return Number.NaN;
  const x = (t + offsetMs) / MS_PER_DAY + EPOCH_SERIAL;
  const whole = Math.round(x);
  return Math.abs(x - whole) <= 1 / 24 + 1e-9 ? whole : x;
}

/** Exact conversion when the script runs in the spreadsheet's zone: read the calendar fields. */
export function serialFromLocalDate(d: Date): number {
  if (Number.isNaN(d.getTime())) return Number.NaN;
  const day = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / MS_PER_DAY + EPOCH_SERIAL;
  const secs = d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
  return secs === 0 ? day : day + secs / 86_400;
}

/** "+0530" / "-0800" (Utilities.formatDate's "Z") to milliseconds. */
export function offsetFromZ(z: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z.trim());
  if (!m) return 0;
  const ms = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return m[1] === "-" ? -ms : ms;
}

/**
 * Replaces every Date in a grid read by getValues with its serial number, in place. Core reads serial
 * numbers in date columns (as Excel gives them), so both hosts hand core the same thing.
 */
export function datesToSerials(grid: unknown[][], convert: (d: Date) => number): void {
  for (const row of grid) {
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      // getValues yields only primitives and Dates, so any object is a Date (from whatever realm).
      if (v !== null && typeof v === "object") {
        const n = convert(v as Date);
        row[c] = Number.isNaN(n) ? "" : n;
      }
    }
  }
}
