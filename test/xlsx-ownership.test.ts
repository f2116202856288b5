// Workbooks made by another program (openpyxl; see test/fixtures/workbooks/make_openpyxl.py) through setup, score and
// review in place: every part pipesheet does not own is byte for byte the same, and inside the deals sheet every
// element outside pipesheet's columns and rules is the same text.
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openWorkbook, pickDealsSheet } from "../cli/io/xlsx.js";
import { parseTree, kids, local, type El } from "../cli/io/xlsx-pkg/xml.js";
import { ROOT, runCli, tempDir } from "./cli-harness.js";
import { fileEntries, type ZipEntry } from "./zip-entries.js";

const FIXTURES = join(ROOT, "test", "fixtures", "workbooks");
const dir = await tempDir();

/** The parts pipesheet may change: the deals sheet, and the shared parts that list what it adds. */
const SHARED = ["[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml"];

const slice = (xml: string, el: El): string => xml.slice(el.start, el.end);
const texts = (xml: string, els: El[]): string[] => els.map((e) => slice(xml, e));
/** Whether a rule or drop-down element is pipesheet's (its marker formula, or its error title). */
const isOwn = (xml: string, el: El): boolean => /pipesheet/.test(slice(xml, el));

function dealsSheetCompare(before: string, after: string): void {
  const a = parseTree(before);
  const b = parseTree(after);
  const byName = (root: El, name: string): El[] => root.children.filter((c) => local(c.name) === name);
  // Every element of the sheet but its cells, column widths, used-range hint, rules and drop-downs: the same text.
  const other = (root: El, xml: string): string[] =>
    texts(xml, root.children.filter((c) => !["sheetData", "cols", "dimension", "conditionalFormatting", "dataValidations"].includes(local(c.name))));
  expect(other(b, after)).toEqual(other(a, before));
  // The team's rules and drop-downs: the same text, in the same order.
  const teamRules = (root: El, xml: string): string[] => byName(root, "conditionalFormatting").filter((e) => !isOwn(xml, e)).map((e) => slice(xml, e));
  expect(teamRules(b, after)).toEqual(teamRules(a, before));
  const teamLists = (root: El, xml: string): string[] => byName(root, "dataValidations").flatMap((d) => kids(d, "dataValidation").filter((e) => !isOwn(xml, e)).map((e) => slice(xml, e)));
  expect(teamLists(b, after)).toEqual(teamLists(a, before));
  // Every cell the team had: the same text; the team's column widths all still there.
  const cells = (root: El, xml: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (const row of kids(byName(root, "sheetData")[0] as El, "row")) for (const c of kids(row, "c")) m.set(c.attrs.r ?? "", slice(xml, c));
    return m;
  };
  const ca = cells(a, before);
  const cb = cells(b, after);
  // pipesheet's columns are the ones whose header it wrote: header cells that held no value before.
  const hasValue = (cell: string | undefined): boolean => cell !== undefined && /<(\w+:)?(v|is)\b/.test(cell);
  const letters = (ref: string): string => ref.replace(/\d+$/, "");
  const own = new Set([...cb].filter(([ref, t]) => /^[A-Z]+1$/.test(ref) && hasValue(t) && !hasValue(ca.get(ref))).map(([ref]) => letters(ref)));
  expect(own.size).toBeGreaterThan(5);
  for (const [ref, text] of ca) if (!own.has(letters(ref))) expect(cb.get(ref), ref).toBe(text);
  const cols = (root: El, xml: string): string[] => byName(root, "cols").flatMap((c) => texts(xml, kids(c, "col")));
  for (const col of cols(a, before)) expect(cols(b, after)).toContain(col);
}

function sharedPartsCompare(before: Map<string, ZipEntry>, after: Map<string, ZipEntry>): void {
  // workbook.xml: everything but the sheet list is the same; the team's sheets are listed as they were.
  const wa = before.get("xl/workbook.xml")?.text ?? "";
  const wb = after.get("xl/workbook.xml")?.text ?? "";
  const ta = parseTree(wa);
  const tb = parseTree(wb);
  expect(texts(wb, tb.children.filter((c) => local(c.name) !== "sheets"))).toEqual(texts(wa, ta.children.filter((c) => local(c.name) !== "sheets")));
  const sheetsA = texts(wa, kids(ta.children.find((c) => local(c.name) === "sheets") as El, "sheet"));
  const sheetsB = texts(wb, kids(tb.children.find((c) => local(c.name) === "sheets") as El, "sheet"));
  expect(sheetsB.slice(0, sheetsA.length)).toEqual(sheetsA);
  // Relationships, content types: every entry the team had is still there, as it was.
  for (const part of ["xl/_rels/workbook.xml.rels", "[Content_Types].xml"]) {
    const x = before.get(part)?.text ?? "";
    const y = after.get(part)?.text ?? "";
    const ya = texts(y, parseTree(y).children);
    for (const t of texts(x, parseTree(x).children)) expect(ya, part).toContain(t);
  }
  // styles.xml: the team's formats keep their numbers (pipesheet's are appended after them).
  const sa = before.get("xl/styles.xml")?.text ?? "";
  const sb = after.get("xl/styles.xml")?.text ?? "";
  for (const list of ["cellXfs", "fonts", "fills", "borders", "dxfs", "numFmts", "cellStyles"]) {
    const la = parseTree(sa).children.find((c) => local(c.name) === list);
    const lb = parseTree(sb).children.find((c) => local(c.name) === list);
    if (!la) continue;
    const items = texts(sb, (lb as El).children);
    expect(items.slice(0, la.children.length), list).toEqual(texts(sa, la.children));
  }
}

describe.each([
  ["team.xlsx", "openpyxl workbook"],
  ["team-1904.xlsx", "openpyxl workbook in the 1904 date system"],
  ["team.xlsm", "macro-enabled workbook"],
  ["team-libreoffice.xlsx", "the same workbook saved by LibreOffice"],
  ["team-pivot.xlsx", "LibreOffice's save with a pivot table added by LibreOffice"],
])("%s (%s) through setup, score and review in place", (fixture) => {
  it("keeps every part and element pipesheet does not own", async () => {
    const path = join(dir, fixture);
    await copyFile(join(FIXTURES, fixture), path);
    const before = await fileEntries(path);
    const opened = await openWorkbook(path);
    const dealsPart = opened.book.find("Deals")?.part ?? "";
    const teamSheets = opened.book.sheets.map((x) => [x.name, x.state]);
    for (const [command, today] of [
      ["setup", "2026-11-20"],
      ["score", "2026-11-26"],
      ["review", "2026-11-27"],
    ] as const) {
      const r = await runCli([command, path, "--today", today, "--in-place"]);
      expect(r.stderr, command).toBe("");
      expect(r.code, command).toBe(0);
      // The hidden archive sheet comes first; the deals sheet is the visible one after it.
      expect(r.stdout).toContain("Deals");
    }
    const after = await fileEntries(path);
    for (const [name, e] of before) {
      if (SHARED.includes(name) || name === dealsPart) continue;
      expect(after.get(name)?.raw.equals(e.raw), name).toBe(true);
    }
    sharedPartsCompare(before, after);
    dealsSheetCompare(before.get(dealsPart)?.text ?? "", after.get(dealsPart)?.text ?? "");
    if (fixture.includes("pivot")) expect([...after.keys()].filter((n) => n.startsWith("xl/pivot"))).toHaveLength(5);
    if (fixture.endsWith(".xlsm")) expect(after.get("[Content_Types].xml")?.text).toContain("application/vnd.ms-excel.sheet.macroEnabled.main+xml");

    // Read back (exceljs cannot read openpyxl's comments or images at all, which is part of why this exists).
    const wb = await openWorkbook(path);
    expect(teamSheets.slice(0, 3)).toEqual([
      ["Archive", "hidden"],
      ["Deals", "visible"],
      ["Targets", "visible"],
    ]);
    expect(wb.book.sheets.map((x) => [x.name, x.state])).toEqual([
      ...teamSheets,
      // setup adds the settings, the log and (as the team keeps no activity log) pipesheet's Activities tab;
      // the review tab comes with the first review.
      ["Activities", "visible"],
      ["Pipeline Settings", "visible"],
      ["Pipeline Log", "hidden"],
      ["Pipeline Review", "visible"],
    ]);
    const grid = pickDealsSheet(wb, "Deals", () => true, path).grid;
    const days = (grid[0] ?? []).indexOf("Days in stage");
    expect(days).toBeGreaterThan(0);
    // The team's dates read as the same calendar days in either date system: Created 2026-01-05 to the review's
    // today, 2026-11-27, is 326 days.
    const day = (v: unknown): string => (v instanceof Date ? `${v.getFullYear()}-${v.getMonth() + 1}-${v.getDate()}` : String(v));
    expect(day(grid[1]?.[4])).toBe("2026-1-5");
    expect(grid[1]?.[days]).toBe(326);
    expect(after.get("xl/workbook.xml")?.text.includes('date1904="1"')).toBe(fixture.includes("1904"));
  });
});
