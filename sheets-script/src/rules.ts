// pipesheet's conditional formats and drop-downs on the deals sheet: its own replaced, the team's kept.
import { RULE_PREFIX, type ConditionalRule, type ValidationRule } from "../../core/index.js";
import type { Sheet } from "./gas.js";
import { VALIDATION_MARKER } from "./names.js";

/** setConditionalFormatRules replaces the whole list, so the team's rules go back in, in their order. */
export function applyConditionalFormats(sheet: Sheet, rules: readonly ConditionalRule[]): void {
  const existing = sheet.getConditionalFormatRules();
  const kept: GoogleAppsScript.Spreadsheet.ConditionalFormatRule[] = [];
  let at = -1;
  for (const rule of existing) {
    const cond = rule.getBooleanCondition();
    const mine =
      cond !== null &&
      cond.getCriteriaType() === SpreadsheetApp.BooleanCriteria.CUSTOM_FORMULA &&
      String(cond.getCriteriaValues()[0] ?? "").includes(RULE_PREFIX);
    if (!mine) kept.push(rule);
    else if (at < 0) at = kept.length;
  }
  if (at < 0 && rules.length === 0) return;
  const fresh = rules.map((r) =>
    SpreadsheetApp.newConditionalFormatRule()
      .whenFormulaSatisfied(r.formula.sheets)
      .setBackground(r.fill)
      .setFontColor(r.fontColor)
      .setRanges([sheet.getRange(r.range)])
      .build(),
  );
  kept.splice(at < 0 ? kept.length : at, 0, ...fresh);
  sheet.setConditionalFormatRules(kept);
}

/** Where pipesheet put its drop-downs last time, so a moved column does not leave an old one behind. */
export interface StoredValidation {
  sheetId: number;
  range: string;
}

export function applyValidations(sheet: Sheet, sheetId: number, rules: readonly ValidationRule[], previous: readonly StoredValidation[]): StoredValidation[] {
  const now = new Set(rules.map((r) => r.range));
  for (const old of previous) {
    if (old.sheetId !== sheetId || now.has(old.range)) continue;
    let range;
    try {
      range = sheet.getRange(old.range);
    } catch {
      continue; // the sheet shrank: nothing of ours is left there
    }
    const dv = range.getDataValidation();
    if (dv && dv.getHelpText().includes(VALIDATION_MARKER)) range.clearDataValidations();
  }
  for (const r of rules) {
    const rule = SpreadsheetApp.newDataValidation()
      .requireValueInList(r.list, true)
      .setAllowInvalid(!r.strict)
      .setHelpText(`Pick from the list, or type your own ${VALIDATION_MARKER}`)
      .build();
    sheet.getRange(r.range).setDataValidation(rule);
  }
  return rules.map((r) => ({ sheetId, range: r.range }));
}
