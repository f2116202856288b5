// On any random workbook, the CLI changes only pipesheet's columns, rules and tabs: every other cell, style,
// formula, tab and the team's own rules and drop-downs read back exactly as before.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../core/index.js";
import { runCommand, type Output } from "../cli/commands/run.js";
import { cfOf, dvOf, readBook } from "./cli-harness.js";

// "activities": the tab set-up adds when the team keeps no activity log (the generated workbooks have none of their own).
const OWN_TABS = new Set(["pipeline review", "pipeline settings", "pipeline log", "activities"]);
const silent: Output = { stdout: { write: () => true }, stderr: { write: () => true, isTTY: false } };

// Includes columns pipesheet fills (Deal ID, Stage entered) or owns (Score) when the team already has them.
const KNOWN = ["Deal ID", "Deal name", "Stage", "Value", "Owner", "Created", "Expected close", "Stage entered", "Need", "Budget", "Authority", "Loss reason", "Last activity", "Score"] as const;
const USER = ["Notes", "Region", "Custom score", "Contact email"];

const stageArb = fc.constantFrom("Prospecting", "qualified", "Meeting", "Proposal", "negotiation", "Closed Won", "Lost", "Negotation", "Pilot", "", "  Demo ");
const textArb = fc.string({ maxLength: 12 });
const numArb = fc.oneof(fc.integer({ min: -5000, max: 90_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
const dateArb = fc.integer({ min: 20_000, max: 20_800 }).map((d) => new Date(d * 86_400_000));
const cellArb = (header: string): fc.Arbitrary<ExcelJS.CellValue> => {
  switch (header) {
    case "Stage":
      return stageArb;
    case "Value":
      return fc.oneof(numArb, fc.constantFrom("$12,500", "12k", "tbd", ""));
    case "Deal ID":
      return fc.constantFrom("D-000001", "D-000002", "X-7", "", "", 1234);
    case "Stage entered":
    case "Created":
    case "Expected close":
    case "Last activity":
      return fc.oneof(dateArb, fc.constantFrom("2026-11-01", "31/02/2026", ""));
    case "Need":
    case "Budget":
    case "Authority":
      return fc.constantFrom("yes", "no", "High", "partial", "DM", "", "maybe later");
    default:
      return fc.oneof(textArb, numArb, fc.boolean(), dateArb, fc.constant(null));
  }
};

const styleArb: fc.Arbitrary<Partial<ExcelJS.Style> | null> = fc.option(
  fc.record({
    font: fc.record({ bold: fc.boolean(), italic: fc.boolean(), color: fc.record({ argb: fc.constantFrom("FFFF0000", "FF00AA00") }) }),
    fill: fc.constant<ExcelJS.Fill>({ type: "pattern", pattern: "solid", fgColor: { argb: "FFFFFF00" } }),
    numFmt: fc.constantFrom("0.00", "#,##0", "dd/mm/yyyy", "@"),
  }),
  { freq: 3 },
);

interface SheetSpec {
  title: boolean;
  columns: string[];
  rows: ExcelJS.CellValue[][];
  styles: (Partial<ExcelJS.Style> | null)[][];
  formulaCol: boolean;
  userRule: boolean;
  userList: boolean;
  others: { name: string; hidden: boolean; cells: ExcelJS.CellValue[][] }[];
  command: "setup" | "score" | "review";
}

const sheetArb: fc.Arbitrary<SheetSpec> = fc
  .record({
    title: fc.boolean(),
    // A deals header needs two columns pipesheet reads (Score is its own output, not one of them), one of them Stage:
    // without a Stage column the CLI exits 4 and writes nothing (test/reading-cli.test.ts).
    known: fc.shuffledSubarray([...KNOWN], { minLength: 2 }).filter((k) => k.includes("Stage") && k.filter((x) => x !== "Score").length >= 2),
    user: fc.shuffledSubarray(USER),
    rowCount: fc.integer({ min: 1, max: 12 }),
    formulaCol: fc.boolean(),
    userRule: fc.boolean(),
    userList: fc.boolean(),
    others: fc.array(
      fc.record({ name: fc.constantFrom("Notes", "Targets", "Old data", "Lookups"), hidden: fc.boolean(), cells: fc.array(fc.array(fc.oneof(textArb, numArb, fc.constant(null)), { maxLength: 4 }), { maxLength: 5 }) }),
      { maxLength: 2 },
    ),
    command: fc.constantFrom("setup" as const, "score" as const, "review" as const),
    seed: fc.integer(),
  })
  .chain((s) => {
    // Interleave the team's own columns between the ones pipesheet reads.
    const columns = [...s.known, ...s.user].sort((a, b) => ((a.length * 7 + s.seed) % 5) - ((b.length * 7 + s.seed) % 5));
    return fc.record({
      rows: fc.array(fc.tuple(...columns.map(cellArb)), { minLength: s.rowCount, maxLength: s.rowCount }),
      styles: fc.array(fc.array(styleArb, { minLength: columns.length, maxLength: columns.length }), { minLength: s.rowCount + 1, maxLength: s.rowCount + 1 }),
    }).map(({ rows, styles }) => ({
      title: s.title,
      columns,
      rows: rows as ExcelJS.CellValue[][],
      styles,
      formulaCol: s.formulaCol,
      userRule: s.userRule,
      userList: s.userList,
      others: s.others.filter((o, i, all) => all.findIndex((x) => x.name === o.name) === i),
      command: s.command,
    }));
  });

async function writeSpec(spec: SheetSpec, path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Deals");
  let r = 1;
  if (spec.title) {
    ws.getCell("A1").value = "Team pipeline, Q4";
    ws.getCell("A1").font = { bold: true, size: 16 };
    r = 3;
  }
  const headerRow = r;
  spec.columns.forEach((h, c) => {
    const cell = ws.getRow(headerRow).getCell(c + 1);
    cell.value = h;
    const st = spec.styles[0]?.[c];
    if (st) cell.style = st;
  });
  spec.rows.forEach((row, i) => {
    row.forEach((v, c) => {
      const cell = ws.getRow(headerRow + 1 + i).getCell(c + 1);
      cell.value = v === "" ? null : v;
      const st = spec.styles[i + 1]?.[c];
      if (st) cell.style = st;
    });
  });
  const extra = spec.columns.length + 1;
  if (spec.formulaCol) {
    ws.getRow(headerRow).getCell(extra).value = "Check";
    spec.rows.forEach((_, i) => {
      ws.getRow(headerRow + 1 + i).getCell(extra).value = { formula: `LEN(A${headerRow + 1 + i})*2`, result: 4 };
    });
  }
  const last = headerRow + spec.rows.length;
  if (spec.userRule) ws.addConditionalFormatting({ ref: `A${headerRow + 1}:A${last}`, rules: [{ type: "expression", priority: 1, formulae: [`LEN($A${headerRow + 1})>5`], style: { font: { italic: true } } }] });
  if (spec.userList) dvOf(ws)[`${ws.getColumn(extra + 1).letter}${headerRow + 1}:${ws.getColumn(extra + 1).letter}${last}`] = { type: "list", allowBlank: true, formulae: ['"North,South"'] };
  for (const o of spec.others) {
    const other = wb.addWorksheet(o.name);
    o.cells.forEach((row, i) => row.forEach((v, c) => (other.getRow(i + 1).getCell(c + 1).value = v)));
    other.getCell("B2").font = { color: { argb: "FF0000FF" } };
    if (o.hidden) other.state = "hidden";
  }
  // Excel will not open a workbook whose every sheet is hidden; the deals sheet is always visible here.
  await wb.xlsx.writeFile(path);
}

/** Cells of a sheet as comparable snapshots: value and style per address. */
function cells(ws: ExcelJS.Worksheet): Map<string, string> {
  const m = new Map<string, string>();
  ws.eachRow({ includeEmpty: true }, (row) =>
    row.eachCell({ includeEmpty: true }, (cell) => {
      m.set(cell.address, JSON.stringify({ v: cell.value ?? null, s: cell.style ?? {} }));
    }),
  );
  return m;
}

/** Addresses pipesheet may write on the deals sheet under this plan. */
function ownedAddresses(plan: RunResult, ws: ExcelJS.Worksheet): Set<string> {
  const owned = new Set<string>();
  for (const cw of plan.columns) {
    const letter = ws.getColumn(cw.col + 1).letter;
    if (cw.created) owned.add(`${letter}${plan.headerRow + 1}`);
    if (cw.mode === "header") continue;
    cw.values.forEach((v, i) => {
      if (cw.mode === "all" || (v !== null && v !== undefined)) owned.add(`${letter}${plan.headerRow + 2 + i}`);
    });
  }
  return owned;
}

describe("any workbook: nothing outside pipesheet's columns, rules and tabs changes", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipesheet-prop-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("holds for random sheets, styles, formulas, other tabs and the team's own rules", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(sheetArb, async (spec) => {
        n++;
        const input = join(dir, `in-${n}.xlsx`);
        const out = join(dir, `out-${n}.xlsx`);
        await writeSpec(spec, input);
        const plan = await runCommand(spec.command, input, { out, today: "2026-11-26", maxProblems: 5, json: true }, silent);
        const before = await readBook(input);
        const after = await readBook(out);

        // Tabs: the team's tabs keep their names, order and visibility; pipesheet only adds its own.
        const theirs = (wb: ExcelJS.Workbook): string[][] => wb.worksheets.filter((w) => !OWN_TABS.has(w.name.toLowerCase())).map((w) => [w.name, w.state]);
        expect(theirs(after)).toEqual(theirs(before));
        for (const ws of before.worksheets) {
          if (ws.name === "Deals") continue;
          const twin = after.getWorksheet(ws.name) as ExcelJS.Worksheet;
          expect(cells(twin)).toEqual(cells(ws));
        }

        // The deals sheet: every cell pipesheet does not own reads back the same, value and style.
        const ws = before.getWorksheet("Deals") as ExcelJS.Worksheet;
        const ws2 = after.getWorksheet("Deals") as ExcelJS.Worksheet;
        const owned = ownedAddresses(plan, ws2);
        const a = cells(ws);
        const b = cells(ws2);
        for (const [addr, snap] of a) if (!owned.has(addr)) expect(b.get(addr) ?? JSON.stringify({ v: null, s: {} }), addr).toBe(snap);
        for (const [addr, snap] of b) if (!owned.has(addr) && !a.has(addr)) expect(JSON.parse(snap).v, addr).toBeNull();

        // The team's rules and drop-downs are all still there; pipesheet's rule is there once.
        const rules = (w: ExcelJS.Worksheet, ours: boolean): string[] =>
          cfOf(w).flatMap((cf) => cf.rules.filter((r) => JSON.stringify(r).includes("pipesheet") === ours).map((r) => `${cf.ref} ${JSON.stringify((r as ExcelJS.ExpressionRuleType).formulae)}`));
        expect(rules(ws2, false)).toEqual(rules(ws, false));
        expect(rules(ws2, true)).toHaveLength(plan.conditionalFormats.length);
        const lists = (w: ExcelJS.Worksheet, ours: boolean): string[] =>
          Object.entries(dvOf(w))
            .filter(([, v]) => v !== undefined && (v.errorTitle ?? "").startsWith("pipesheet:") === ours)
            .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
            .sort();
        expect(lists(ws2, false)).toEqual(lists(ws, false));
      }),
      { numRuns: 40 },
    );
  });
});
