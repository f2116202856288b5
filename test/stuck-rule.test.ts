// The stuck rule with 1, 100 and 400 stages, evaluated by a formula engine on the managed sheet beside the
// settings tab: it must agree with core's Stuck column and stay far under Excel's 8,192-character limit.
import { HyperFormula } from "hyperformula";
import { describe, expect, it } from "vitest";
import { colName, dayFromIso, excelSerialFromDay } from "../core/a1.js";
import { run } from "../core/engine.js";
import { dealsWrites } from "../core/plan.js";
import { DEFAULT_SETTINGS, settingsToGrid, type Settings } from "../core/settings.js";
import { TAB_LOG, TAB_SETTINGS, type Cell, type Grid } from "../core/types.js";
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

    it("with close dates pushed (push limit 1), the rule compares the Push count too, stays short and agrees", () => {
      const s1 = structuredClone(settings);
      s1.review.pushLimit = 1;
      const tab = settingsToGrid(s1);
      const first = run({ sheetName: "Deals", deals, settings: tab, log: null, sheetNames: ["Deals", TAB_SETTINGS] }, { command: "score", today: TODAY });
      const log = first.tabs.find((t) => t.name === TAB_LOG)?.values ?? null;
      // The team pushes every fourth deal's expected close by ten days; the same day's next run counts it.
      const input = applyDealsWrites(deals, first).map((r, i) => (i > 0 && i % 4 === 1 && typeof r[5] === "number" ? [...r.slice(0, 5), r[5] + 10, ...r.slice(6)] : [...r]));
      const plan2 = run({ sheetName: "Deals", deals: input, settings: tab, log, sheetNames: ["Deals", TAB_SETTINGS, TAB_LOG] }, { command: "score", today: TODAY });
      const text = plan2.conditionalFormats.find((r) => r.id === "pipesheet:stuck")?.formula.excel ?? "";
      expect(plan2.columns.some((c) => c.key === "pushCount")).toBe(true);
      expect(text).toContain('N("pipesheet:stuck")');
      expect(text.length).toBeLessThan(EXCEL_FORMULA_LIMIT);
      expect(text.length).toBeLessThan(700);
      expect(text).not.toMatch(/!/);
      const m: Managed = { plan: plan2, sheet: applyDealsWrites(input, plan2), input, settingsTab: tab, logBefore: log };
      const want = stuckOf(plan2);
      expect(highlighted(m, tab, TODAY)).toEqual(want);
      // Some deals are stuck by their push (alone, with more than one stage), so the push test is what highlights them.
      const stuckText = plan2.columns.find((c) => c.key === "stuck")?.values ?? [];
      expect(stuckText.filter((v) => typeof v === "string" && v.includes("close date pushed 1 times")).length).toBeGreaterThan(0);
      if (open > 1) expect(stuckText.filter((v) => v === "Stuck: close date pushed 1 times").length).toBeGreaterThan(0);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Pushed close dates: four weekly runs on one managed sheet (each run's writes applied through the one plan
// contract, its log rows appended), so the log counts how often each deal's close date moved later.

type Week = { today: string; rows: [string, string, string][] };
/** [Deal ID, stage, expected close] per week; every deal was created 2026-10-30 except Slow (2026-10-01). */
const PUSH_WEEKS: Week[] = [
  {
    today: "2026-11-02",
    rows: [
      ["P-3", "Negotiation", "2026-12-01"],
      ["P-2", "Negotiation", "2026-12-05"],
      ["P-back", "Negotiation", "2026-12-01"],
      ["W-3", "Negotiation", "2026-12-01"],
      ["Calm", "Negotiation", "2027-01-15"],
      ["Slow", "Proposal", "2027-01-15"],
      ["Late", "Meeting", "2026-11-20"],
      ["Gone", "Lost", "2026-10-20"],
    ],
  },
  {
    today: "2026-11-09",
    rows: [
      ["P-3", "Negotiation", "2026-12-15"],
      ["P-2", "Negotiation", "2026-12-05"],
      ["P-back", "Negotiation", "2026-12-20"],
      ["W-3", "Negotiation", "2026-12-10"],
      ["Calm", "Negotiation", "2027-01-15"],
      ["Slow", "Proposal", "2027-01-15"],
      ["Late", "Meeting", "2026-11-20"],
      ["Gone", "Lost", "2026-10-20"],
    ],
  },
  {
    today: "2026-11-16",
    rows: [
      ["P-3", "Negotiation", "2027-01-10"],
      ["P-2", "Negotiation", "2026-12-20"],
      // Moved earlier: not a push.
      ["P-back", "Negotiation", "2026-12-10"],
      ["W-3", "Negotiation", "2026-12-20"],
      ["Calm", "Negotiation", "2027-01-15"],
      ["Slow", "Proposal", "2027-01-15"],
      ["Late", "Meeting", "2026-11-20"],
      ["Gone", "Lost", "2026-10-20"],
    ],
  },
  {
    today: "2026-11-23",
    rows: [
      ["P-3", "Negotiation", "2027-02-01"],
      ["P-2", "Negotiation", "2027-01-05"],
      ["P-back", "Negotiation", "2027-01-10"],
      // Pushed a third time and won the same week: closed deals are never stuck, their count stays blank.
      ["W-3", "Won", "2027-01-05"],
      ["Calm", "Negotiation", "2027-01-15"],
      ["Slow", "Proposal", "2027-01-15"],
      ["Late", "Meeting", "2026-11-20"],
      ["Gone", "Lost", "2026-10-20"],
    ],
  },
];
const PUSH_HEADER = ["Deal ID", "Deal", "Stage", "Value", "Expected close date", "Created"];
const serialOf = (iso: string): number => excelSerialFromDay(dayFromIso(iso) as number);

/** The sheet after a host applied the plan's deals writes (headers and cells, `keep` cells left alone). */
function applyDealsWrites(grid: Grid, plan: ReturnType<typeof run>): Grid {
  const out: Grid = grid.map((r) => [...r]);
  const w = dealsWrites(plan);
  for (const b of [...w.headers, ...w.cells])
    b.values.forEach((row, i) =>
      row.forEach((v, k) => {
        if (b.keep?.[i]?.[k] === true || v === null) return;
        const r = (out[b.row + i] ??= []) as Cell[];
        while (r.length < b.col + k) r.push("");
        r[b.col + k] = v;
      }),
    );
  return out;
}

interface Managed {
  plan: ReturnType<typeof run>;
  /** The deals sheet after the last run's writes, and the input that run read. */
  sheet: Grid;
  input: Grid;
  settingsTab: Grid;
  /** The log as it stood before the last run. */
  logBefore: Grid | null;
}

/** Runs the weeks in turn on one sheet: the team edits stage and close on their rows, pipesheet writes its columns. */
function manage(weeks: Week[], settingsTab: Grid | null = null): Managed[] {
  let sheet: Grid = [PUSH_HEADER];
  let log: Grid | null = null;
  let tab = settingsTab;
  const out: Managed[] = [];
  for (const w of weeks) {
    const input = sheet.map((r) => [...r]);
    w.rows.forEach(([id, stage, close], k) => {
      const row = (input[k + 1] ??= []) as Cell[];
      const base = [id, `Deal ${id}`, stage, 1000 * (k + 1), serialOf(close), serialOf(id === "Slow" ? "2026-10-01" : "2026-10-30")];
      base.forEach((v, c) => (row[c] = v));
    });
    const names = ["Deals", ...(tab ? [TAB_SETTINGS] : []), ...(log ? [TAB_LOG] : [])];
    const plan = run({ sheetName: "Deals", deals: input, settings: tab, log, sheetNames: names }, { command: "review", today: w.today });
    const logBefore = log;
    tab = plan.tabs.find((t) => t.name === TAB_SETTINGS)?.values ?? tab;
    log = log ? [...log, ...plan.logAppend] : (plan.tabs.find((t) => t.name === TAB_LOG)?.values ?? null);
    sheet = applyDealsWrites(input, plan);
    out.push({ plan, sheet, input, settingsTab: tab as Grid, logBefore });
  }
  return out;
}

/** The stuck rule evaluated by HyperFormula on every data row of the managed sheet (TODAY() pinned), against `tab`. */
function highlighted(m: Managed, tab: Grid, today: string, edit?: (hf: HyperFormula, settingsId: number) => void): boolean[] {
  const rule = m.plan.conditionalFormats.find((r) => r.id === "pipesheet:stuck");
  if (!rule) throw new Error("no stuck rule");
  const width = Math.max(...m.sheet.map((r) => r.length)) + 1;
  const scratch = width - 1;
  const deals = m.sheet.map((r) => Array.from({ length: width }, (_, c) => engineCell(r[c])));
  const hf = HyperFormula.buildFromSheets({ Deals: deals, [TAB_SETTINGS]: tab.map((r) => r.map(engineCell)) }, { licenseKey: "gpl-v3" });
  const dealsId = hf.getSheetId("Deals") as number;
  edit?.(hf, hf.getSheetId(TAB_SETTINGS) as number);
  const [y, mo, d] = today.split("-").map(Number);
  const formula = rule.formula.excel.replace(/TODAY\(\)/g, `DATE(${y},${mo},${d})`);
  const first = m.plan.headerRow + 2;
  const out: boolean[] = [];
  for (let i = 0; i < m.plan.rowCount; i++) {
    const row = m.plan.headerRow + 1 + i;
    hf.setCellContents({ sheet: dealsId, row, col: scratch }, [[formula.replace(new RegExp(`\\$([A-Z]+)${first}\\b`, "g"), (_x, c: string) => `$${c}${row + 1}`)]]);
    const v = hf.getCellValue({ sheet: dealsId, row, col: scratch });
    if (typeof v !== "boolean") throw new Error(`row ${row + 1}: the rule gave ${JSON.stringify(v)}`);
    out.push(v);
  }
  return out;
}

const stuckOf = (plan: ReturnType<typeof run>): boolean[] => {
  const col = plan.columns.find((c) => c.key === "stuck");
  return Array.from({ length: plan.rowCount }, (_, i) => col?.values[i] !== "" && col?.values[i] !== undefined && col?.values[i] !== null);
};

describe("the stuck rule sees close dates pushed later, from the log's Push count", () => {
  const weeks = manage(PUSH_WEEKS);
  const last = weeks[weeks.length - 1] as Managed;
  const today = PUSH_WEEKS[PUSH_WEEKS.length - 1]?.today as string;
  const ids = last.sheet.slice(1).map((r) => r[0]);
  const rowOf = (id: string): number => ids.indexOf(id);
  const header = last.sheet[0] ?? [];
  const pushCol = header.indexOf("Close date pushes");
  const limitCol = header.indexOf("Stuck after (pushes)");
  const limitRow = last.settingsTab.findIndex((r) => r[0] === "Stuck after close date pushed times");

  it("writes the Push count of each open deal from the log, blank for a closed deal or no push, and its live limit beside it", () => {
    // No push on the first run, so no column yet: it appears with the first pushed close date.
    expect(weeks[0]?.sheet[0]).not.toContain("Close date pushes");
    expect(weeks[1]?.sheet[0]).toContain("Close date pushes");
    expect(pushCol).toBeGreaterThan(0);
    expect(limitCol).toBe(pushCol + 1);
    const counts = Object.fromEntries(ids.map((id, i) => [id, last.sheet[i + 1]?.[pushCol]]));
    expect(counts).toEqual({ "P-3": 3, "P-2": 2, "P-back": 2, "W-3": "", Calm: "", Slow: "", Late: "", Gone: "" });
    const limit = last.sheet[rowOf("P-3") + 1]?.[limitCol];
    const cell = `'${TAB_SETTINGS}'!$B$${limitRow + 1}`;
    expect(limit).toBe(`=IFERROR(IF(VALUE(${cell})>0,VALUE(${cell}),""),"")`);
    expect(last.sheet[rowOf("Calm") + 1]?.[limitCol]).toBe("");
    const stuck = last.plan.columns.find((c) => c.key === "stuck")?.values ?? [];
    expect(stuck[rowOf("P-3")]).toBe("Stuck: close date pushed 3 times");
    expect(stuck[rowOf("P-2")]).toBe("");
    expect(stuck[rowOf("W-3")]).toBe("");
  });

  it("highlights what core's Stuck column says on every row, evaluated by HyperFormula, in every week", () => {
    for (const [k, m] of weeks.entries()) expect(highlighted(m, m.settingsTab, PUSH_WEEKS[k]?.today as string), `week ${k + 1}`).toEqual(stuckOf(m.plan));
    const live = highlighted(last, last.settingsTab, today);
    // The pushed deal, the one long in its stage and the one past its close date; a deal pushed twice is not.
    expect(ids.filter((_, i) => live[i])).toEqual(["P-3", "Slow", "Late"]);
  });

  it("follows a push limit the team edits on the settings tab, without a run, as core's next run would", () => {
    expect(limitRow).toBeGreaterThan(0);
    for (const value of [2, 4, 1, ""] as const) {
      const tab = last.settingsTab.map((r, i) => (i === limitRow ? [r[0], value, ...r.slice(2)] : [...r]));
      const rerun = run(
        { sheetName: "Deals", deals: last.input, settings: tab, log: last.logBefore, sheetNames: ["Deals", TAB_SETTINGS, TAB_LOG] },
        { command: "review", today },
      );
      expect(rerun.problems.filter((p) => p.sheet === TAB_SETTINGS)).toEqual([]);
      const live = highlighted(last, last.settingsTab, today, (hf, settingsId) => hf.setCellContents({ sheet: settingsId, row: limitRow, col: 1 }, [[value === "" ? null : value]]));
      expect(live, `push limit ${value}`).toEqual(stuckOf(rerun));
      const pushedStuck = ids.filter((id, i) => live[i] && id !== "Slow" && id !== "Late");
      expect(pushedStuck, `push limit ${value}`).toEqual(value === 1 || value === 2 ? ["P-3", "P-2", "P-back"] : []);
    }
  });

  it("reads a push limit typed as text (\"3\", \" 2 \") as core does: the highlight agrees with core's Stuck column", () => {
    for (const value of ["3", " 2 ", "1"]) {
      const tab = last.settingsTab.map((r, i) => (i === limitRow ? [r[0], value, ...r.slice(2)] : [...r]));
      const rerun = run(
        { sheetName: "Deals", deals: last.input, settings: tab, log: last.logBefore, sheetNames: ["Deals", TAB_SETTINGS, TAB_LOG] },
        { command: "review", today },
      );
      expect(rerun.problems.filter((p) => p.sheet === TAB_SETTINGS)).toEqual([]);
      // The text goes into the cell as a string (HyperFormula would read a bare "3" as the number 3).
      const live = highlighted(last, last.settingsTab, today, (hf, settingsId) => hf.setCellContents({ sheet: settingsId, row: limitRow, col: 1 }, [[`'${value}`]]));
      expect(live, `push limit ${JSON.stringify(value)}`).toEqual(stuckOf(rerun));
      const pushedStuck = ids.filter((id, i) => live[i] && id !== "Slow" && id !== "Late");
      expect(pushedStuck, `push limit ${JSON.stringify(value)}`).toEqual(value === "3" ? ["P-3"] : ["P-3", "P-2", "P-back"]);
    }
  });

  it("leaves a team column called Push Count (Salesforce's own field) as the team's: pipesheet writes its own Close date pushes", () => {
    const width = header.length;
    const input = last.input.map((r, i) => {
      const row = Array.from({ length: width }, (_, c) => r[c] ?? "");
      return [...row, i === 0 ? "Push Count" : 7];
    });
    const rerun = run(
      { sheetName: "Deals", deals: input, settings: last.settingsTab, log: last.logBefore, sheetNames: ["Deals", TAB_SETTINGS, TAB_LOG] },
      { command: "review", today },
    );
    const after = applyDealsWrites(input, rerun);
    expect(after.map((r) => r[width])).toEqual(input.map((r) => r[width]));
    expect(after[0]?.indexOf("Close date pushes")).toBe(pushCol);
    expect(after[rowOf("P-3") + 1]?.[pushCol]).toBe(3);
  });

  it("keeps the rule short, marked and free of other tabs", () => {
    const rule = last.plan.conditionalFormats.find((r) => r.id === "pipesheet:stuck");
    const text = rule?.formula.excel ?? "";
    expect(text).toContain('N("pipesheet:stuck")');
    expect(text).toContain(`$${colName(pushCol)}2`);
    expect(text).not.toMatch(/!/);
    expect(text.length).toBeLessThan(EXCEL_FORMULA_LIMIT);
    expect(rule?.formula.sheets).toBe(text);
  });
});
