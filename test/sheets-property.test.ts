// Property: on random sheets, after any sequence of commands and stage edits, nothing outside what pipesheet owns changed.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseA1, RULE_PREFIX, TAB_LOG, TAB_REVIEW, TAB_SETTINGS } from "../core/index.js";
import { editEvent, loadScript, type Script } from "./fakes/apps-script/bundle.js";
import { planOf } from "./fakes/apps-script/expect.js";
import { colName, type FakeSheet } from "./fakes/apps-script/spreadsheet.js";

const KEY = 1 << 15;
// "Activities": the tab set-up adds when the team keeps no activity log (the generated sheets have none of their own).
const OWN_TABS = new Set([TAB_REVIEW, TAB_SETTINGS, TAB_LOG, "Activities"]);

const userText = fc.oneof(
  fc.constantFrom("00123", "2026-11", "1/2/2026", "TRUE", "=SUM(1,2)", "+1 call", "-", "Nov 5", "'quoted", "  spaced  ", "ünïcode", "#N/A", "12%", "$5"),
  fc.string({ maxLength: 12 }),
);
const userCell = fc.oneof(userText, fc.integer({ min: -5000, max: 5000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.boolean(), fc.constant(""));
const day = fc.integer({ min: 0, max: 700 }).map((d) => new Date(Date.UTC(2025, 6, 1) + d * 86_400_000));
const stage = fc.constantFrom("Prospecting", "Qualified", "Meeting", "Proposal", "Negotiation", "Won", "Lost", "Closed Won", "Negotation", "Pilot", "");
const answer = fc.constantFrom("High", "yes", "Approved", "Decision maker", "dm", "", "maybe later", "3");

interface Column {
  header: string;
  cell: fc.Arbitrary<unknown>;
}
const optional: Column[] = [
  { header: "Value", cell: fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.constantFrom("$12,500", "12k", "")) },
  { header: "Owner", cell: fc.constantFrom("Ann", "Bob", "") },
  { header: "Created", cell: fc.oneof(day, fc.constant("")) },
  { header: "Expected close date", cell: fc.oneof(day, fc.constant("")) },
  { header: "Last activity", cell: fc.oneof(day, fc.constant("")) },
  { header: "Need", cell: answer },
  { header: "Budget", cell: answer },
  { header: "Authority", cell: answer },
  { header: "Deal ID", cell: fc.oneof(fc.constantFrom("", "", "D-000007", "X-1"), fc.integer({ min: 1, max: 99 })) },
];
const userColumns: Column[] = ["Notes", "Region", "Internal code"].map((header) => ({ header, cell: userCell }));

const sheetArb = fc
  .record({
    optional: fc.subarray(optional),
    users: fc.subarray(userColumns, { minLength: 1 }),
    rows: fc.integer({ min: 1, max: 18 }),
    seed: fc.integer(),
  })
  .chain(({ optional: opt, users, rows, seed }) => {
    const cols: Column[] = fc.sample(fc.shuffledSubarray([{ header: "Deal name", cell: fc.string({ maxLength: 8 }) }, { header: "Stage", cell: stage }, ...opt, ...users], { minLength: 2 + opt.length + users.length }), { seed, numRuns: 1 })[0] ?? [];
    return fc.record({
      headers: fc.constant(cols.map((c) => c.header)),
      cells: fc.tuple(...cols.map((c) => fc.array(c.cell, { minLength: rows, maxLength: rows }))),
      formats: fc.array(fc.tuple(fc.nat(rows), fc.nat(cols.length - 1), fc.constantFrom("@", "0.00", "#,##0")), { maxLength: 6 }),
      styles: fc.array(fc.tuple(fc.nat(rows), fc.nat(cols.length - 1), fc.constantFrom("#ffeeaa", "#ccddff")), { maxLength: 6 }),
      formula: fc.option(fc.tuple(fc.integer({ min: 1, max: rows }), fc.nat(cols.length - 1)), { nil: null }),
      steps: fc.array(fc.oneof(fc.constantFrom("setup", "score", "review"), fc.tuple(fc.integer({ min: 1, max: rows }), stage)), { minLength: 1, maxLength: 4 }),
    });
  });

type Model = fc.Arbitrary<unknown> extends never ? never : typeof sheetArb extends fc.Arbitrary<infer T> ? T : never;

function build(script: Script, m: Model): FakeSheet {
  const env = script.env;
  const deals = env.book.addSheet("Deals", m.cells[0]!.length + 1, m.headers.length);
  const grid: unknown[][] = [m.headers, ...m.cells[0]!.map((_, r) => m.cells.map((col) => col[r]))];
  deals.load(grid.map((row) => row.map((v) => (typeof v === "string" && v.startsWith("=") ? "" : v))));
  grid.forEach((row, r) =>
    row.forEach((v, c) => {
      if (typeof v === "string" && v.startsWith("=")) {
        deals.formulas.set(r * KEY + c, v);
        deals.store(r, c, 3);
      }
    }),
  );
  for (const [r, c, f] of m.formats) if (r > 0) deals.setFormat(r, c, f);
  for (const [r, c, bg] of m.styles) deals.patchStyle(r, c, { background: bg, bold: true });
  if (m.formula) {
    deals.formulas.set(m.formula[0] * KEY + m.formula[1], "=ROW()*2");
    deals.store(m.formula[0], m.formula[1], m.formula[0] * 2 + 2);
  }
  // A drop-down and a highlight of the team's own, on a column of theirs.
  const userCol = m.headers.findIndex((h) => ["Notes", "Region", "Internal code"].includes(h));
  const api = env.globals().SpreadsheetApp as Record<string, () => Record<string, (...a: unknown[]) => Record<string, (...a: unknown[]) => unknown>>>;
  env.quietly(() => {
    const col = colName(userCol);
    const dv = (api.newDataValidation!() as unknown as { requireValueInList(v: string[]): { build(): unknown } }).requireValueInList(["x", "y"]).build();
    deals.getRange(`${col}2`).setDataValidation(dv as never);
    const b = api.newConditionalFormatRule!() as unknown as { whenTextContains(t: string): { setBackground(c: string): { setRanges(r: unknown[]): { build(): unknown } } } };
    deals.rules = [b.whenTextContains("x").setBackground("#00ff00").setRanges([deals.getRange(`${col}2:${col}${m.cells[0]!.length + 1}`)]).build() as never];
  });
  const other = env.book.addSheet("Other", 10, 4);
  other.load([["Quarter", "Target"], ["2026-Q4", 250000], ["=note", true]]);
  other.patchStyle(1, 1, { bold: true });
  return deals;
}

type Cells = Record<string, { v?: unknown; f?: string; fx?: string; s?: unknown; dv?: string }>;

describe("nothing outside what pipesheet owns changes", () => {
  test("random sheets, random commands and stage edits", async () => {
    await fc.assert(
      fc.asyncProperty(sheetArb, async (m) => {
        const script = await loadScript();
        const deals = build(script, m);
        const width = m.headers.length;
        const before = deals.snapshot() as { cells: Cells; rules: string[] };
        const otherBefore = JSON.stringify(script.env.book.sheet("Other")?.snapshot());
        const userRules = [...deals.rules];
        const touched = new Set<string>();
        const validated = new Set<number>();
        const stageCol = m.headers.indexOf("Stage");
        const idCol = m.headers.indexOf("Deal ID");
        for (const step of m.steps) {
          if (typeof step === "string") {
            for (const v of planOf(script.env, "Deals", step).validations) validated.add(parseA1(v.range.split(":")[0] ?? "")?.col ?? -1);
            script.call(step === "setup" ? "pipelineSetup" : step === "score" ? "pipelineScore" : "pipelineReview", "menu");
          } else {
            const [row, value] = step;
            deals.store(row, stageCol, value);
            touched.add(`${colName(stageCol)}${row + 1}`);
            script.call("onEdit", "simple-trigger", editEvent(script, "Deals", `${colName(stageCol)}${row + 1}`, value));
          }
        }
        const after = deals.snapshot() as { cells: Cells };
        // Every cell of the team's columns: same value, format, formula and style; drop-downs too, except
        // on the columns pipesheet puts its own drop-down on (Stage, Need, Budget, Authority).
        for (let c = 0; c < width; c++) {
          for (let r = 0; r <= m.cells[0]!.length + 600; r++) {
            const a = `${colName(c)}${r + 1}`;
            if (touched.has(a)) continue;
            const was = before.cells[a] ?? {};
            const now = after.cells[a] ?? {};
            if (c === idCol && (was.v === undefined || was.v === "") && !was.fx) continue; // a blank ID pipesheet fills
            const strip = (x: Cells[string]): Cells[string] => {
              if (!validated.has(c)) return x;
              const { dv: _dv, ...rest } = x;
              return rest;
            };
            expect(strip(now), a).toEqual(strip(was));
          }
        }
        expect(deals.rules.filter((r) => !String(r.condition?.values[0] ?? "").includes(RULE_PREFIX))).toEqual(userRules);
        expect(JSON.stringify(script.env.book.sheet("Other")?.snapshot())).toBe(otherBefore);
        expect(script.env.book.sheets.filter((s) => !OWN_TABS.has(s.name)).map((s) => [s.name, s.hidden])).toEqual([
          ["Deals", false],
          ["Other", false],
        ]);
        expect(script.env.logs).toEqual([]);
      }),
      { numRuns: 40 },
    );
  }, 240_000);
});
