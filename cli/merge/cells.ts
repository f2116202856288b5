// Cell text, the one form sync compares: what each host stores, turned into text and back without loss.
import { dayFromIso, isoFromDay, parseDateAs, sheetTypes, type Cell, type DateOrder, type Grid } from "../../core/index.js";
import { neutraliseFormula } from "../io/csv.js";

/** Text that is exactly the shortest form of a number ("12500", "-3.5"), so writing it as a number loses nothing. */
export function asNumber(text: string): number | null {
  if (text === "" || text.length > 17) return null;
  const c = text.charCodeAt(0);
  if (!(c === 45 || (c >= 48 && c <= 57))) return null;
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : null;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** "2026-03-04" as a UTC day, or null. */
export function asIsoDay(text: string): Date | null {
  const m = ISO_DAY.exec(text);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? d : null;
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** A host cell as text: numbers in their shortest form, booleans TRUE/FALSE, dates as their calendar day. */
export function textOf(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  if (typeof cell === "boolean") return cell ? "TRUE" : "FALSE";
  if (Number.isNaN(cell.getTime())) return "";
  // Hosts hand over dates at local midnight (see core/a1.ts dayFromDate); keep the day they show.
  const day = `${cell.getFullYear()}-${pad(cell.getMonth() + 1)}-${pad(cell.getDate())}`;
  const secs = cell.getHours() * 3600 + cell.getMinutes() * 60 + cell.getSeconds();
  return secs === 0 ? day : `${day} ${pad(cell.getHours())}:${pad(cell.getMinutes())}:${pad(cell.getSeconds())}`;
}

// ------------------------------------------------------------------------------ dates written as text

/**
 * The date columns of the aligned table and the order each is written in, as core infers it for `setup`
 * (sheetTypes: the column's own unambiguous values, then the sheet's other dates, then the settings), from
 * both sides' cells together: a CSV's "15/03/2026" proves day-first for the workbook's column too.
 */
export function dateOrders(names: readonly string[], rows: Iterable<readonly string[]>[], settings: Grid | null): Map<number, DateOrder> {
  const grid: Grid = [[...names]];
  for (const side of rows) for (const r of side) grid.push(r as string[]);
  const out = new Map<number, DateOrder>();
  for (const [k, t] of sheetTypes(grid, "Deals", settings)?.columns ?? []) if (t.kind === "date") out.set(k, t.order);
  return out;
}

/** A date a CSV writes as text ("04/03/2026", "3/4/26", "4 Mar 2026") as a UTC day, read in its column's order; null for anything else (a time of day included, which a date cell would lose). */
export function asTextDay(text: string, order: DateOrder): Date | null {
  if (text === "" || text.includes(":") || asNumber(text) !== null) return null;
  const iso = asIsoDay(text);
  if (iso) return iso;
  const d = parseDateAs(text, order);
  return d === null || d === "bad" ? null : asIsoDay(isoFromDay(d.day));
}

/**
 * A workbook hands its date cells over as ISO days ("2026-03-04"). Where the same day was written as text
 * ("04/03/2026", in the last synced state or on the other side), that text is what the cell holds, so a date
 * sync turned into a date cell is no edit, and the text side's bytes stay as they are.
 */
export function sameDayText(cell: string, order: DateOrder, candidates: readonly (string | null | undefined)[]): string {
  const day = asIsoDay(cell) ? dayFromIso(cell) : null;
  if (day === null) return cell;
  for (const c of candidates) {
    if (c === null || c === undefined || c === cell) continue;
    const d = asTextDay(c, order);
    if (d !== null && dayFromIso(d.toISOString().slice(0, 10)) === day) return c;
  }
  return cell;
}

// ------------------------------------------------------------------------------ CSV

const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * A cell pipesheet writes into a CSV, as stored on disk: text a spreadsheet would run as a formula (starting
 * with =, +, -, @, tab or CR, unless it is a number as some locale writes it) gets a leading apostrophe. Text
 * that already starts with apostrophes before such a character gets one more, so reading strips exactly one
 * and every value comes back as it was.
 */
export function csvStored(text: string): string {
  if (/^'+[=+\-@\t\r]/.test(text)) return `'${text}`;
  return neutraliseFormula(text) as string;
}

/** The value a CSV cell holds, undoing the apostrophe pipesheet (or another careful exporter) put in front. */
export function csvValue(stored: string): string {
  return stored.startsWith("'") && FORMULA_START.test(stored.slice(1)) ? stored.slice(1) : stored;
}

// ------------------------------------------------------------------------------ Google Sheets

/**
 * What to send with valueInputOption USER_ENTERED so the cell ends up holding `text`: exact numbers as
 * numbers, ISO days as dates, TRUE/FALSE as booleans, and everything else as literal text (a leading
 * apostrophe, so "=IMPORTXML(...)" from a CRM export stays text and never becomes a formula).
 */
export function sheetsInput(text: string): string | number | boolean {
  if (text === "") return "";
  const n = asNumber(text);
  if (n !== null) return n;
  if (asIsoDay(text)) return text;
  if (text === "TRUE") return true;
  if (text === "FALSE") return false;
  return `'${text}`;
}

/** A value read with UNFORMATTED_VALUE and dates as FORMATTED_STRING, as text. */
export function sheetsText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  return String(v);
}
