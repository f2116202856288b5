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

/** Per row (0-based), the first rule that holds on it. */
export function evaluateRules(sheet: SheetModel, rows: number, cols: number, todaySerial: number): Map<number, Highlight> {
  const out = new Map<number, Highlight>();
  if (sheet.cfs.length === 0) return out;
  const data: (string | number | boolean | null)[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: (string | number | boolean | null)[] = [];
    for (let c = 0; c < cols; c++) {
      const v = sheet.value(r, c);
      row.push(v === "" ? null : typeof v === "string" && /^[=+\-']/.test(v) ? `'${v}` : v);
    }
    data.push(row);
  }
  const hf = HyperFormula.buildFromArray(data, { licenseKey: "gpl-v3" });
  try {
    for (const cf of sheet.cfs) {
      if (cf.type !== "Custom" || cf.formula === "") continue;
      const pinned = cf.formula.replace(/TODAY\(\)/g, String(todaySerial));
      for (let r = cf.rect.r0; r <= Math.min(cf.rect.r1, rows - 1); r++) {
        if (out.has(r)) continue;
        const v = hf.calculateFormula(shiftRows(pinned, r - cf.rect.r0), 0);
        if (v === true || (typeof v === "number" && v !== 0)) out.set(r, { fill: cf.fill, font: cf.fontColor, c0: cf.rect.c0, c1: cf.rect.c1 });
      }
    }
  } finally {
    hf.destroy();
  }
  return out;
}
