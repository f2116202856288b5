// Property: on random workbooks, after every command nothing outside what pipesheet owns has changed —
// no cell, formula, number format, style, conditional format, drop-down, chart or tab of the team's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { samplePipeline } from "../samples/generate.js";
import type { WorkbookPlan } from "../core/index.js";
import { discover, runCommand } from "../excel-addin/adapter/command.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";
import type { SheetModel } from "./fakes/excel/model.js";

// "activities": the tab set-up adds when the team keeps no activity log (the generated workbooks have none of their own).
const OWN_TABS = new Set(["pipeline review", "pipeline settings", "pipeline log", "activities"]);
const SAMPLE = samplePipeline();

interface Shape {
  rows: number;
  extra: { at: number; header: string; kind: "text" | "number" | "formula" }[];
  titleRows: number;
  cfs: { col: number; r0: number; r1: number }[];
  validations: { col: number; r0: number; r1: number }[];
  otherTabs: string[][][];
  commands: ("setup" | "score" | "review")[];
}

const shape: fc.Arbitrary<Shape> = fc.record({
  rows: fc.integer({ min: 3, max: 60 }),
  extra: fc.array(
    fc.record({ at: fc.integer({ min: 0, max: 19 }), header: fc.constantFrom("Notes", "Region", "Custom field", "Priority", "Region code", "=B1&\"x\""), kind: fc.constantFrom("text", "number", "formula") }),
    { maxLength: 3 },
  ),
  titleRows: fc.integer({ min: 0, max: 2 }),
  cfs: fc.array(fc.record({ col: fc.integer({ min: 0, max: 25 }), r0: fc.integer({ min: 0, max: 40 }), r1: fc.integer({ min: 0, max: 80 }) }), { maxLength: 3 }),
  validations: fc.array(fc.record({ col: fc.integer({ min: 0, max: 25 }), r0: fc.integer({ min: 0, max: 40 }), r1: fc.integer({ min: 0, max: 80 }) }), { maxLength: 2 }),
  otherTabs: fc.array(fc.array(fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer().map(String)), { maxLength: 4 }), { maxLength: 4 }), { maxLength: 2 }),
  commands: fc.array(fc.constantFrom("setup", "score", "review"), { minLength: 1, maxLength: 3 }),
});

function build(s: Shape): WorkbookModel {
  const m = newWorkbook();
  const grid = SAMPLE.slice(0, s.rows + 1).map((r) => [...r]);
  for (const e of s.extra) for (const [i, row] of grid.entries()) row.splice(Math.min(e.at, row.length), 0, i === 0 ? `'${e.header}` : e.kind === "number" ? String(i * 7) : `'note ${i}`);
  const titled = [...Array.from({ length: s.titleRows }, (_, i) => [`Pipeline export ${i + 1}`]), ...grid];
  const deals = m.load("Deals", titled);
  // Formulas of the team's, in their extra columns.
  s.extra.forEach((e, k) => {
    if (e.kind === "formula") for (let r = s.titleRows + 1; r <= s.titleRows + s.rows; r++) deals.writeFormula(r, Math.min(e.at, 19), `=ROW()*${k + 2}`, r * (k + 2));
  });
  deals.styles.set(0, { bold: true, fill: "#FFFF00" });
  s.cfs.forEach((c, i) => {
    deals.cfs.push({ id: 10_000 + i, rect: { r0: Math.min(c.r0, c.r1), c0: c.col, r1: Math.max(c.r0, c.r1), c1: c.col }, type: i % 2 ? "Custom" : "CellValue", formula: i % 2 ? `=$A${c.r0 + 1}<>""` : "=100", operator: "GreaterThan", fill: "#C6EFCE", fontColor: "#006100", stopIfTrue: false });
  });
  s.validations.forEach((v) => {
    const rect = { r0: Math.min(v.r0, v.r1), c0: v.col, r1: Math.max(v.r0, v.r1), c1: v.col };
    deals.clearValidation(rect);
    deals.validations.push({ rect, rule: { wholeNumber: { formula1: 0, operator: "GreaterThan" } }, prompt: { title: "Team rule", message: "", showPrompt: true }, errorAlert: { title: "", message: "", showAlert: true, style: "Stop" }, ignoreBlanks: true });
  });
  s.otherTabs.forEach((g, i) => {
    const t = m.load(`Notes ${i + 1}`, g.map((r) => r.map((c) => `'${c}`)));
    t.charts.push({ id: 20_000 + i, name: "Their chart", type: "Pie", source: { r0: 0, c0: 0, r1: 1, c1: 1 }, xValues: null, title: "", anchor: null, width: 1, height: 1 });
  });
  return m;
}

type Snap = Map<string, string>;

/** Everything of one sheet that a team could care about, cell by cell, plus its rules and charts. */
function snapSheet(s: SheetModel, rows: number, cols: number, out: Snap): void {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const style = s.styles.get(r * 16_384 + c);
      const dv = s.validationOf({ r0: r, c0: c, r1: r, c1: c });
      out.set(`${s.name}|${r}|${c}`, JSON.stringify([s.value(r, c), s.formula(r, c) ?? null, s.numberFormat(r, c), style ?? null, typeof dv === "string" ? dv : [dv.rule, dv.prompt]]));
    }
  out.set(`${s.name}|cfs`, JSON.stringify(s.cfs.filter((cf) => !cf.formula.includes("pipesheet:"))));
  out.set(`${s.name}|charts`, JSON.stringify(s.charts.filter((ch) => !ch.name.startsWith("pipesheet:"))));
  out.set(`${s.name}|meta`, JSON.stringify([s.visibility, [...s.colWidths]]));
}

function snap(m: WorkbookModel): Snap {
  const out: Snap = new Map();
  out.set("tabs", JSON.stringify(m.sheets.filter((s) => !OWN_TABS.has(s.name.toLowerCase())).map((s) => s.name)));
  for (const s of m.sheets) if (!OWN_TABS.has(s.name.toLowerCase())) snapSheet(s, 130, 40, out);
  return out;
}

/** The deals-sheet cells and drop-downs the plan owns. */
function owned(plan: WorkbookPlan): (r: number, c: number) => { value: boolean; validation: boolean } {
  const cells = new Set<string>();
  for (const col of plan.columns) {
    if (col.created) cells.add(`${plan.headerRow}|${col.col}`);
    if (col.mode === "header") continue;
    for (let i = 0; i < plan.rowCount; i++) if (col.mode === "all" || (col.values[i] !== null && col.values[i] !== undefined)) cells.add(`${plan.headerRow + 1 + i}|${col.col}`);
  }
  const ranges = plan.validations.map((v) => {
    const [a = "", b = a] = v.range.split(":");
    const p = (x: string): [number, number] => {
      const m = /^([A-Z]+)(\d+)$/.exec(x);
      const col = [...(m?.[1] ?? "A")].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      return [Number(m?.[2]) - 1, col];
    };
    const [r0, c0] = p(a);
    const [r1, c1] = p(b);
    return { r0, c0, r1, c1 };
  });
  return (r, c) => ({ value: cells.has(`${r}|${c}`), validation: ranges.some((x) => r >= x.r0 && r <= x.r1 && c >= x.c0 && c <= x.c1) });
}

describe("ownership (property)", () => {
  it("changes nothing outside pipesheet's own columns, rules and tabs, whatever the workbook holds", async () => {
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const m = build(s);
        const host = hostFor(m);
        for (const command of s.commands) {
          const before = snap(m);
          const d = await discover(host);
          const r = await runCommand(host, { command, sheet: "Deals", tabs: d.sheets.map((x) => x.name), today: "2026-11-26" });
          const after = snap(m);
          const own = owned(r.plan);
          for (const [key, was] of before) {
            const now = after.get(key);
            if (now === was) continue;
            const [sheet, rs, cs] = key.split("|");
            if (sheet === "Deals" && cs !== undefined && /^\d+$/.test(cs)) {
              const o = own(Number(rs), Number(cs));
              const [v0, f0, n0, st0, dv0] = JSON.parse(was) as unknown[];
              const [v1, f1, n1, st1, dv1] = JSON.parse(now ?? "[]") as unknown[];
              const cellSame = JSON.stringify([v0, f0, n0, st0]) === JSON.stringify([v1, f1, n1, st1]);
              const dvSame = JSON.stringify(dv0) === JSON.stringify(dv1);
              if ((cellSame || o.value) && (dvSame || o.validation)) continue;
            }
            expect.fail(`${command}: ${key} changed from ${was} to ${now}`);
          }
          expect(after.get("tabs")).toBe(before.get("tabs"));
        }
      }),
      { numRuns: 40, seed: 20261126 },
    );
  });
});
