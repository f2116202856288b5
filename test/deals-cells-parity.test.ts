// The same deals sheet through the Apps Script (bundle + strict fake) and the Excel add-in (adapter + strict
// fake): both apply core's write blocks (core/plan.ts dealsWrites), so every cell of the deals sheet ends up
// the same in both, value (or formula) and number format, the team's cells and pipesheet's alike. The sheet
// has a Deal ID column of the team's with many gaps, so Apps Script's one-block-with-kept-cells path is used.
import { describe, expect, test } from "vitest";
import { discover, runCommand } from "../excel-addin/adapter/command.js";
import { loadScript } from "./fakes/apps-script/bundle.js";
import { dealsGrid } from "./fakes/apps-script/deals.js";
import { todayOf } from "./fakes/apps-script/expect.js";
import { hostFor, newWorkbook } from "./fakes/excel/index.js";

type Value = string | number | boolean;
const ROWS = 80;
const DATE = "yyyy-mm-dd";

/** The fixture as stored cells: dates as serials (formatted as dates), amounts as numbers, a sparse Deal ID. */
function fixture(): { values: Value[][]; dates: [number, number][] } {
  const grid = dealsGrid(ROWS, 11);
  const dates: [number, number][] = [];
  const values = grid.map((row, r) => {
    const out = row.map((v, c): Value => {
      if (v instanceof Date) {
        dates.push([r, c]);
        return Date.UTC(v.getUTCFullYear(), v.getUTCMonth(), v.getUTCDate()) / 86_400_000 + 25_569;
      }
      if (typeof v === "string" && /^\$[\d,]+$/.test(v)) return Number(v.replace(/[$,]/g, ""));
      // Text both hosts read as text whatever their typing rules.
      if (typeof v === "string" && /^\d|^\d{4}-/.test(v)) return `n${v}`;
      return v as Value;
    });
    // The team's own Deal IDs, with a gap every third row: many stretches for core to fill.
    out.push(r === 0 ? "Deal ID" : r % 3 === 0 ? "" : `D-${String(r).padStart(6, "0")}`);
    return out;
  });
  return { values, dates };
}

interface Cells {
  cells: string[][];
}
const normalFormat = (f: string): string => (f === "General" || f === "0.###############" ? "General" : f);
const round = (v: Value): Value => (typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v);
const show = (v: Value, formula: string | undefined, format: string): string => `${formula ? formula : JSON.stringify(round(v))} | ${normalFormat(format)}`;

function snapshot(rows: number, cols: number, cell: (r: number, c: number) => string): Cells {
  return { cells: Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => cell(r, c))) };
}

describe("the Apps Script and Excel give the same deals-sheet cells", () => {
  test("after setup, then score: values, formulas and number formats, cell by cell", async () => {
    const { values, dates } = fixture();
    const width = Math.max(...values.map((r) => r.length));

    const script = await loadScript();
    const gs = script.env.book.addSheet("Deals", ROWS + 1, width);
    gs.load(values);
    for (const [r, c] of dates) gs.setFormat(r, c, DATE);

    const m = newWorkbook();
    const xs = m.load("Deals", values);
    for (const [r, c] of dates) xs.setNumberFormat(r, c, DATE);

    const gsCell = (r: number, c: number): string => show(gs.raw(r, c), gs.formulaAt(r, c) || undefined, gs.formatAt(r, c));
    const xsCell = (r: number, c: number): string => show(xs.value(r, c), xs.formula(r, c), xs.numberFormat(r, c));
    // The two fakes start from the same cells, so any difference after is the hosts'.
    expect(snapshot(ROWS + 1, width, xsCell)).toEqual(snapshot(ROWS + 1, width, gsCell));

    const host = hostFor(m);
    for (const [command, entry] of [
      ["setup", "pipelineSetup"],
      ["score", "pipelineScore"],
    ] as const) {
      script.call(entry, "menu");
      const d = await discover(host);
      await runCommand(host, { command, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: todayOf(script.env) });
      const cols = Math.max(gs.lastColQuiet(), (xs.usedRect(false)?.c1 ?? 0) + 1);
      expect(cols, command).toBeGreaterThan(width);
      expect(snapshot(ROWS + 1, cols, xsCell), command).toEqual(snapshot(ROWS + 1, cols, gsCell));
      // Between the two, the team moves a few deals (with the add-in closed): score stamps just those rows.
      if (command === "setup") {
        const stageCol = (values[0] as Value[]).indexOf("Stage");
        for (const r of [5, 17, 18, 40]) {
          gs.enterValue(r, stageCol, "Negotiation");
          xs.write(r, stageCol, "Negotiation");
        }
      }
    }
    // The gaps were filled and the team's IDs kept, in both.
    const idCol = width - 1;
    expect(gs.raw(3, idCol)).not.toBe("");
    expect(gs.raw(4, idCol)).toBe("D-000004");
  });
});
