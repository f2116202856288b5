// The stuck rule with 1, 100 and 400 stages, evaluated by a formula engine on the managed sheet beside the
// settings tab: it must agree with core's Stuck column and stay far under Excel's 8,192-character limit.
import { HyperFormula } from "hyperformula";
import { describe, expect, it } from "vitest";
import { dayFromIso, excelSerialFromDay } from "../core/a1.js";
import { run } from "../core/engine.js";
import { DEFAULT_SETTINGS, settingsToGrid, type Settings } from "../core/settings.js";
import { TAB_SETTINGS, type Cell, type Grid } from "../core/types.js";
import { prng } from "../samples/generate.js";

const TODAY = "2026-11-26";
const today = dayFromIso(TODAY) as number;
/** Excel's formula length limit; Sheets and LibreOffice evaluate rules well under it. */
const EXCEL_FORMULA_LIMIT = 8192;

function settingsWith(open: number): Settings {
  const s = structuredClone(DEFAULT_SETTINGS);
  const won = s.stages.find((st) => st.kind === "won");
  const lost = s.stages.find((st) => st.kind === "lost");
  if (!won || !lost) throw new Error("defaults lack closed stages");
  const stages = Array.from({ length: open }, (_, i) => ({
    name: `Step ${String(i + 1).padStart(3, "0")}`,
    kind: "open" as const,
    probability: Math.min(90, 5 + (i % 80)),
    // Every seventh stage has no limit: its deals are never stuck by days.
    stuckDays: i % 7 === 3 ? null : 3 + (i % 40),
    required: [],
    checklist: [],
    aliases: [],
  }));
  return { ...s, stages: [...stages, won, lost] };
}

/** Three deals per stage, some in time and some long over, written with the case and spacing people use. */
function dealsFor(settings: Settings): Grid {
  const rnd = prng(settings.stages.length);
  const grid: Grid = [["Deal", "Stage", "Value", "Created", "Stage entered", "Expected close"]];
  settings.stages.forEach((st, i) => {
    for (let k = 0; k < 3; k++) {
      const name = k === 1 ? `  ${st.name.toUpperCase()} ` : k === 2 ? st.name.toLowerCase() : st.name;
      const entered = today - Math.floor(rnd() * 90);
      const created = entered - Math.floor(rnd() * 30);
      const close = today + Math.floor(rnd() * 60) - (k === 2 ? 40 : 0);
      grid.push([`Deal ${i}-${k}`, name, 1000 + i, excelSerialFromDay(created), k === 0 ? "" : excelSerialFromDay(entered), excelSerialFromDay(close)]);
    }
  });
  // A deal on a stage the settings do not know, and a blank row between deals.
  grid.push(["Mystery", "Somewhere", 10, excelSerialFromDay(today - 300), "", ""]);
  grid.push([]);
  grid.push(["After the gap", settings.stages[0]?.name ?? "", 5, excelSerialFromDay(today - 200), "", ""]);
  return grid;
}

const engineCell = (c: Cell): string | number | boolean | null => (c === undefined || c === null || c === "" ? null : c instanceof Date ? null : c);

for (const open of [1, 100, 400]) {
  describe(`${open} open stage${open === 1 ? "" : "s"}`, () => {
    const settings = settingsWith(open);
    const settingsGrid = settingsToGrid(settings);
    const deals = dealsFor(settings);
    const plan = run({ sheetName: "Deals", deals, settings: settingsGrid, log: null, sheetNames: ["Deals", TAB_SETTINGS] }, { command: "score", today: TODAY });
    const rule = plan.conditionalFormats[0];
    const limit = plan.columns.find((c) => c.key === "stuckLimit");
    const stuck = plan.columns.find((c) => c.key === "stuck");

    it("keeps the rule and every helper cell short, and the rule free of other tabs", () => {
      expect(rule).toBeDefined();
      expect(limit?.formulas).toBe(true);
      const text = rule?.formula.excel ?? "";
      expect(text.length).toBeLessThan(600);
      expect(text.length).toBeLessThan(EXCEL_FORMULA_LIMIT);
      expect(text).not.toMatch(/!/);
      expect(rule?.formula.sheets).toBe(text);
      for (const v of limit?.values ?? []) expect(String(v).length).toBeLessThan(400);
    });

    it("agrees with core's Stuck column on every row, evaluated by HyperFormula", () => {
      if (!rule || !limit || !stuck) throw new Error("no rule");
      const width = Math.max(...plan.columns.map((c) => c.col)) + 2;
      const scratch = width - 1;
      const sheet: (string | number | boolean | null)[][] = deals.map((r) => Array.from({ length: width }, (_, c) => engineCell(r[c])));
      for (const c of plan.columns) {
        if (c.created) (sheet[plan.headerRow] as unknown[])[c.col] = c.header;
        if (c.mode !== "all") continue;
        c.values.forEach((v, i) => {
          const row = sheet[plan.headerRow + 1 + i];
          if (row) row[c.col] = engineCell(v);
        });
      }
      const hf = HyperFormula.buildFromSheets(
        { Deals: sheet, [TAB_SETTINGS]: settingsGrid.map((r) => r.map(engineCell)) },
        { licenseKey: "gpl-v3" },
      );
      const dealsId = hf.getSheetId("Deals") as number;
      const first = plan.headerRow + 2;
      const formula = rule.formula.excel.replace(/TODAY\(\)/g, "DATE(2026,11,26)");
      let highlighted = 0;
      for (let i = 0; i < plan.rowCount; i++) {
        const row = plan.headerRow + 1 + i;
        const shifted = formula.replace(new RegExp(`\\$([A-Z]+)${first}\\b`, "g"), (_m, c: string) => `$${c}${row + 1}`);
        hf.setCellContents({ sheet: dealsId, row, col: scratch }, [[shifted]]);
        const live = hf.getCellValue({ sheet: dealsId, row, col: scratch });
        const want = stuck.values[i] !== "" && stuck.values[i] !== undefined;
        expect(live, `row ${row + 1}: ${String(deals[row]?.[1])}`).toBe(want);
        if (live === true) highlighted++;
      }
      // The sample is built so that both outcomes occur.
      expect(highlighted).toBeGreaterThan(0);
      expect(highlighted).toBeLessThan(plan.rowCount - 1);
    });

    it("follows a limit the team edits on the settings tab, without a run", () => {
      if (!rule || !limit) throw new Error("no rule");
      const width = Math.max(...plan.columns.map((c) => c.col)) + 1;
      const sheet: (string | number | boolean | null)[][] = deals.map((r) => Array.from({ length: width }, (_, c) => engineCell(r[c])));
      limit.values.forEach((v, i) => {
        const row = sheet[plan.headerRow + 1 + i];
        if (row) row[limit.col] = engineCell(v);
      });
      const tab = settingsGrid.map((r) => r.map(engineCell));
      const hf = HyperFormula.buildFromSheets({ Deals: sheet, [TAB_SETTINGS]: tab }, { licenseKey: "gpl-v3" });
      const dealsId = hf.getSheetId("Deals") as number;
      const settingsId = hf.getSheetId(TAB_SETTINGS) as number;
      const stageRow = tab.findIndex((r) => r[0] === settings.stages[0]?.name);
      expect(hf.getCellValue({ sheet: dealsId, row: plan.headerRow + 1, col: limit.col })).toBe(settings.stages[0]?.stuckDays);
      hf.setCellContents({ sheet: settingsId, row: stageRow, col: 3 }, [[77]]);
      expect(hf.getCellValue({ sheet: dealsId, row: plan.headerRow + 1, col: limit.col })).toBe(77);
      // A closed stage has no limit, so the rule's open test fails for its deals.
      const wonRow = deals.findIndex((r) => r[1] === "Won");
      expect(hf.getCellValue({ sheet: dealsId, row: wonRow, col: limit.col })).toBe("");
    });
  });
}
