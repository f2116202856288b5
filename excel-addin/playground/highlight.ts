// Evaluates the sheet's conditional-format formulas with HyperFormula, so the playground shows the same
// highlighting Excel would. TODAY() is pinned to the playground's date so the sample always looks the same.
import { HyperFormula } from "hyperformula";
import type { SheetModel } from "../../test/fakes/excel/model.js";

export interface Highlight {
  fill: string | null;
  font: string | null;
  /** Columns the rule covers. */
  c0: number;
  c1: number;
}

const REF = /(\$?)([A-Z]{1,3})(\$?)(\d+)/g;

/** Moves the relative row references of a rule written for its range's first row down by `rows`. */
export function shiftRows(formula: string, rows: number): string {
  // Only outside string literals: a stage called "Q2" must stay "Q2".
  return formula
    .split('"')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(REF, (_, c$: string, col: string, r$: string, row: string) => `${c$}${col}${r$}${r$ ? row : Number(row) + rows}`)))
    .join('"');
}

export interface Evaluated {
  /** Per row (0-based), the first rule that holds on it. */
  marks: Map<number, Highlight>;
  /** What a formula cell of the sheet shows (the model itself does not calculate). */
  shown: (r: number, c: number) => string | number | boolean | null;
}

type Plain = string | number | boolean | null;

function sheetData(sheet: SheetModel, rows: number, cols: number): Plain[][] {
  const data: Plain[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: Plain[] = [];
    for (let c = 0; c < cols; c++) {
      const f = sheet.formula(r, c);
      const v = sheet.value(r, c);
      // Formulas (the stuck limit's lookups on the settings tab) are calculated; text that looks like one is not.
      row.push(f !== undefined ? f : v === "" ? null : typeof v === "string" && /^[=+\-']/.test(v) ? `'${v}` : v);
    }
    data.push(row);
  }
  return data;
}

/**
 * Evaluates the sheet's rules, and its formula cells, with the workbook's other sheets beside it: a helper cell
 * may look a value up on another tab, and the rule reads the helper cell.
 */
export function evaluateRules(sheet: SheetModel, rows: number, cols: number, todaySerial: number, others: readonly SheetModel[] = []): Evaluated {
  const marks = new Map<number, Highlight>();
  const sheets: Record<string, Plain[][]> = { [sheet.name]: sheetData(sheet, rows, cols) };
  for (const o of others) {
    if (o === sheet) continue;
    const used = o.usedRect(true);
    if (used) sheets[o.name] = sheetData(o, used.r1 + 1, used.c1 + 1);
  }
  const hf = HyperFormula.buildFromSheets(sheets, { licenseKey: "gpl-v3" });
  const id = hf.getSheetId(sheet.name) ?? 0;
  const computed = new Map<number, Plain>();
  try {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        if (sheet.formula(r, c) === undefined) continue;
        const v = hf.getCellValue({ sheet: id, row: r, col: c });
        computed.set(r * 16_384 + c, typeof v === "object" && v !== null ? String(v.value) : v);
      }
    for (const cf of sheet.cfs) {
      if (cf.type !== "Custom" || cf.formula === "") continue;
      const pinned = cf.formula.replace(/TODAY\(\)/g, String(todaySerial));
      for (let r = cf.rect.r0; r <= Math.min(cf.rect.r1, rows - 1); r++) {
        if (marks.has(r)) continue;
        const v = hf.calculateFormula(shiftRows(pinned, r - cf.rect.r0), id);
        if (v === true || (typeof v === "number" && v !== 0)) marks.set(r, { fill: cf.fill, font: cf.fontColor, c0: cf.rect.c0, c1: cf.rect.c1 });
      }
    }
  } finally {
    hf.destroy();
  }
  return { marks, shown: (r, c) => computed.get(r * 16_384 + c) ?? null };
}
