// pipesheet's conditional formats and drop-downs on the deals sheet: its own replaced, the team's kept.
import { parseA1, RULE_PREFIX, type ConditionalRule, type ValidationRule } from "../../core/index.js";
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
  // One rule object per distinct list. The first comes from a new builder, which already allows invalid input (only
  // strict rules say otherwise); the others are copies of it with their own list, so the help text is not set again.
  const built = new Map<string, GoogleAppsScript.Spreadsheet.DataValidation>();
  let model: { rule: GoogleAppsScript.Spreadsheet.DataValidation; strict: boolean } | null = null;
  const ruleFor = (r: ValidationRule): GoogleAppsScript.Spreadsheet.DataValidation => {
    const id = JSON.stringify([r.list, r.strict]);
    let rule = built.get(id);
    if (rule) return rule;
    if (model) {
      const builder = model.rule.copy().requireValueInList(r.list, true);
      if (r.strict !== model.strict) builder.setAllowInvalid(!r.strict);
      rule = builder.build();
    } else {
      const builder = SpreadsheetApp.newDataValidation().requireValueInList(r.list, true);
      if (r.strict) builder.setAllowInvalid(false);
      rule = builder.setHelpText(`Pick from the list, or type your own ${VALIDATION_MARKER}`).build();
      model = { rule, strict: r.strict };
    }
    built.set(id, rule);
    return rule;
  };
  // Drop-downs on adjacent single columns over the same rows go in together: one setDataValidations.
  for (const run of validationRuns(rules)) {
    const first = run[0] as { rule: ValidationRule; box: Box | null };
    if (run.length === 1 || !first.box) {
      sheet.getRange(first.rule.range).setDataValidation(ruleFor(first.rule));
      continue;
    }
    const row = run.map((x) => ruleFor(x.rule));
    const rows = first.box.r1 - first.box.r0 + 1;
    sheet.getRange(first.box.r0 + 1, first.box.c0 + 1, rows, run.length).setDataValidations(Array.from({ length: rows }, () => row));
  }
  return rules.map((r) => ({ sheetId, range: r.range }));
}

/** 0-based corners of an A1 range. */
interface Box {
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

function boxOf(range: string): Box | null {
  const [a, b, extra] = range.split(":");
  if (extra !== undefined) return null;
  const s = parseA1(a ?? "");
  const e = b === undefined ? s : parseA1(b);
  if (!s || !e) return null;
  return { r0: Math.min(s.row, e.row), c0: Math.min(s.col, e.col), r1: Math.max(s.row, e.row), c1: Math.max(s.col, e.col) };
}

/**
 * Rules in runs, in their order: a rule on the column just right of the previous one, over the same rows, joins its
 * run. Runs keep the order and their cells are disjoint, so writing a run at once ends as writing its rules one by one.
 */
export function validationRuns(rules: readonly ValidationRule[]): { rule: ValidationRule; box: Box | null }[][] {
  const runs: { rule: ValidationRule; box: Box | null }[][] = [];
  for (const rule of rules) {
    const box = boxOf(rule.range);
    const last = runs[runs.length - 1];
    const prev = last?.[last.length - 1]?.box;
    const joins = box !== null && prev !== null && prev !== undefined && box.c0 === box.c1 && prev.c0 === prev.c1 && prev.r0 === box.r0 && prev.r1 === box.r1 && prev.c0 + 1 === box.c0;
    if (last && joins) last.push({ rule, box });
    else runs.push([{ rule, box }]);
  }
  return runs;
}
