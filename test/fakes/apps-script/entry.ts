// How Sheets reads a value written by Range.setValues: like typing it (en_US), unless the cell is plain text.
import { serialFromInstant, serialFromYmd } from "./time.js";

export type Stored = string | number | boolean;

export interface Entered {
  value: Stored;
  formula: string | null;
  /** A number format Sheets applies when the cell had none (typing a date gives a date format). */
  format: string | null;
}

const NUMBER = /^[-+]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const monthOf = (w: string): number => MONTHS.indexOf(w.slice(0, 3).toLowerCase()) + 1;
const realDay = (y: number, m: number, d: number): boolean => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

function asDate(s: string): number | null {
  let m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(s);
  if (m) return realDay(+m[1]!, +m[2]!, +m[3]!) ? serialFromYmd(+m[1]!, +m[2]!, +m[3]!) : null;
  m = /^(\d{4})-(\d{1,2})$/.exec(s);
  if (m) return +m[2]! >= 1 && +m[2]! <= 12 ? serialFromYmd(+m[1]!, +m[2]!, 1) : null;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(s);
  if (m) {
    const y = m[3]!.length === 2 ? 2000 + +m[3]! : +m[3]!;
    return realDay(y, +m[1]!, +m[2]!) ? serialFromYmd(y, +m[1]!, +m[2]!) : null;
  }
  m = /^(?:[a-z]+,?\s+)?([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(s);
  if (m && monthOf(m[1]!) > 0) return realDay(+m[3]!, monthOf(m[1]!), +m[2]!) ? serialFromYmd(+m[3]!, monthOf(m[1]!), +m[2]!) : null;
  m = /^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})$/i.exec(s);
  if (m && monthOf(m[2]!) > 0) return realDay(+m[3]!, monthOf(m[2]!), +m[1]!) ? serialFromYmd(+m[3]!, monthOf(m[2]!), +m[1]!) : null;
  m = /^([a-z]{3,9})\.?\s+(\d{4})$/i.exec(s);
  if (m && monthOf(m[1]!) > 0) return serialFromYmd(+m[2]!, monthOf(m[1]!), 1);
  return null;
}

const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) === "[object Date]";

/** What a cell holds after setValues writes `raw` into it (`format` is the cell's current number format). */
export function enter(raw: unknown, format: string | undefined, zone: string): Entered {
  if (raw === null) return { value: "", formula: null, format: null };
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) throw new Error(`Exception: setValues got a number that is not finite (${raw}).`);
    return { value: raw, formula: null, format: null };
  }
  if (typeof raw === "boolean") return { value: raw, formula: null, format: null };
  if (isDate(raw)) {
    const t = raw.getTime();
    if (Number.isNaN(t)) throw new Error("Exception: setValues got an invalid Date.");
    return { value: serialFromInstant(t, zone), formula: null, format: "M/d/yyyy H:mm:ss" };
  }
  if (typeof raw !== "string") throw new Error(`Exception: The parameters (${typeof raw}) don't match the method signature for SpreadsheetApp.Range.setValues.`);
  if (format === "@") return { value: raw, formula: null, format: null };
  if (raw === "") return { value: "", formula: null, format: null };
  if (raw.startsWith("'")) return { value: raw.slice(1), formula: null, format: null };
  if (raw.startsWith("=")) return { value: "", formula: raw, format: null };
  const s = raw.trim();
  const lower = s.toLowerCase();
  if (lower === "true" || lower === "false") return { value: lower === "true", formula: null, format: null };
  let body = s;
  let pct = false;
  let money = false;
  if (body.endsWith("%")) {
    pct = true;
    body = body.slice(0, -1);
  }
  if (/^[-+]?\$/.test(body)) {
    money = true;
    body = body.replace("$", "");
  }
  if (NUMBER.test(body)) {
    const n = Number(body.replace(/,/g, ""));
    return { value: pct ? n / 100 : n, formula: null, format: pct ? "0%" : money ? '"$"#,##0.00' : null };
  }
  const serial = asDate(s);
  if (serial !== null) return { value: serial, formula: null, format: "yyyy-mm-dd" };
  // Typed text starting with + or - that is not a number is read as a formula, which then fails.
  if (s.startsWith("+") || s.startsWith("-")) return { value: "#ERROR!", formula: `=${s.slice(1)}`, format: null };
  return { value: raw, formula: null, format: null };
}

/** Formats under which getValues returns a Date rather than a number. */
export function isDateFormat(format: string | undefined): boolean {
  if (!format || format === "@" || format === "General") return false;
  const plain = format.replace(/"[^"]*"/g, "").replace(/\\./g, "");
  return /[dy]/i.test(plain) || /h/i.test(plain) || (/m/i.test(plain) && /s/i.test(plain));
}
