// Turns a plan cell into what Range.values must receive so Excel stores exactly that value.
import { EXCEL_EPOCH_OFFSET, type Cell } from "../../core/index.js";

export type ExcelValue = string | number | boolean;

// Excel reads a string written through Range.values like typed input: "=…" and "+…"/"-…" become formulas,
// "00123", "12%", "1/2" and "2026-11-26" become numbers or dates, "TRUE" a boolean. A leading apostrophe
// keeps the text as text and is not part of the value.
const RISKY_START = /^[=+\-@'\d.,$€£¥(#%\s]/;
const BOOLEAN = /^(true|false)$/i;
const MONTH_DATE = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[\s\-/.,]*\d/i;
const DAY_MS = 86_400_000;

export const isRiskyText = (s: string): boolean => RISKY_START.test(s) || BOOLEAN.test(s) || MONTH_DATE.test(s);

/**
 * @param textFormat true when the target cell's number format is "@" (text): Excel then stores strings as they are.
 */
export function toExcelValue(c: Cell, textFormat: boolean): ExcelValue {
  if (c === null || c === undefined) return "";
  if (typeof c === "number") return Number.isFinite(c) ? c : "";
  if (typeof c === "boolean") return c;
  if (c instanceof Date) {
    const t = c.getTime();
    return Number.isNaN(t) ? "" : Date.UTC(c.getFullYear(), c.getMonth(), c.getDate()) / DAY_MS + EXCEL_EPOCH_OFFSET;
  }
  if (textFormat || c === "") return c;
  return isRiskyText(c) ? `'${c}` : c;
}
