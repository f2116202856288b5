// The review tab as a dashboard in the .xlsx the CLI writes: both charts in one drawing where core anchors them,
// every sortable block a real table part, every stuck deal linked to its row, numbers in their formats. Files are
// written by the CLI's own path, then read back from their XML (saxes) and by exceljs.
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { openWorkbook, pickDealsSheet, saveWorkbook } from "../cli/io/xlsx.js";
import { createProgress } from "../cli/progress.js";
import { openSource, parseSourceRef } from "../cli/source.js";
import { parseA1, run, TAB_REVIEW, type Cell, type RunResult, type TabWrite } from "../core/index.js";
import { ROOT, tempDir } from "./cli-harness.js";
import { readBookParts, readReviewLayout, splitRef, type ReviewLayout } from "./helpers/xlsx-review-layout.js";

const dir = await tempDir();
const TODAY = "2026-11-26";
const EMU_PER_POINT = 12_700;
const silent = createProgress({ write: () => true }, false);

/** The CLI's own path: read the file, run core, write the result. Returns the plan core made. */
async function review(input: string, out: string): Promise<RunResult> {
  const source = await openSource(parseSourceRef(input, null), silent);
  const plan = run(source.input, { command: "review", today: TODAY, version: "test" });
  await source.save(plan, out);
  return plan;
}

const reviewTab = (plan: RunResult): TabWrite => {
  const tab = plan.tabs.find((t) => t.name === TAB_REVIEW);
  if (!tab) throw new Error("no review tab in the plan");
  return tab;
};

/** The cells of an A1 range on a sheet as exceljs reads them, row by row. */
function cells(ws: ExcelJS.Worksheet, range: string): Cell[] {
  const [a, b] = range.split(":");
  const from = parseA1(a ?? "");
  const to = parseA1(b ?? a ?? "");
  if (!from || !to) throw new Error(range);
  const out: Cell[] = [];
  for (let r = from.row; r <= to.row; r++) for (let c = from.col; c <= to.col; c++) out.push(ws.getCell(r + 1, c + 1).value as Cell);
  return out;
}

const load = async (path: string): Promise<ExcelJS.Workbook> => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
};

/** What every dashboard the CLI writes must hold, checked against the plan core made and the cells read back. */
async function expectDashboard(path: string, plan: RunResult, dealsSheet: string): Promise<ReviewLayout> {
  const tab = reviewTab(plan);
  const book = await readBookParts(path);
  const layout = await readReviewLayout(book, TAB_REVIEW);
  const wb = await load(path);
  const ws = wb.getWorksheet(TAB_REVIEW) as ExcelJS.Worksheet;
  const deals = wb.getWorksheet(dealsSheet) as ExcelJS.Worksheet;
  const metrics = plan.metrics;
  if (!metrics) throw new Error("no metrics");

  // ---- two charts in one drawing, anchored and sized as core says ----
  const specs = [tab.chart, ...(tab.charts ?? [])].filter((s) => s !== undefined);
  expect(specs).toHaveLength(2);
  expect(layout.charts).toHaveLength(2);
  expect(new Set(layout.charts.map((c) => c.part)).size).toBe(2);
  layout.charts.forEach((c, i) => {
    const spec = specs[i];
    if (!spec) throw new Error("no spec");
    expect(c.name).toBe(spec.id);
    expect({ col: c.col, row: c.row }).toEqual(parseA1(spec.anchor));
    expect(c.cx).toBe((spec.width ?? 420) * EMU_PER_POINT);
    expect(c.cy).toBe((spec.height ?? 260) * EMU_PER_POINT);
    expect(c.title).toBe(spec.title);
    expect(splitRef(c.categories)).toEqual({ sheet: TAB_REVIEW, range: spec.categories });
    expect(splitRef(c.values)).toEqual({ sheet: TAB_REVIEW, range: spec.values });
  });
  const [funnel, forecast] = layout.charts as [(typeof layout.charts)[0], (typeof layout.charts)[0]];
  // The funnel: horizontal bars, first stage on top; its cells are the stages and the deals that reached each.
  expect([funnel.barDir, funnel.catOrientation]).toEqual(["bar", "maxMin"]);
  expect(cells(ws, splitRef(funnel.categories).range)).toEqual(metrics.pipeline.rows.map((r) => r.stage));
  const reached = new Map(metrics.conversion.rows.map((r) => [r.from, r.reached]));
  expect(cells(ws, splitRef(funnel.values).range)).toEqual(metrics.pipeline.rows.map((r) => reached.get(r.stage) ?? r.count));
  // The forecast: columns left to right, one per close month, at their weighted value.
  expect([forecast.barDir, forecast.catOrientation]).toEqual(["col", "minMax"]);
  expect(cells(ws, splitRef(forecast.categories).range)).toEqual(metrics.forecast.byMonth.map((r) => r.period));
  expect(cells(ws, splitRef(forecast.values).range)).toEqual(metrics.forecast.byMonth.map((r) => r.weighted));
  // Both sit right of columns A–F, beside their tables.
  expect(layout.charts.map((c) => c.col)).toEqual([6, 6]);

  // ---- tables: one part each, their header cells strings that name the columns ----
  const specsT = tab.tables ?? [];
  expect(specsT.length).toBeGreaterThanOrEqual(4);
  expect(layout.tables.map((t) => t.ref)).toEqual(specsT.map((t) => t.range));
  const types = await book.overrides();
  for (const t of layout.tables) {
    expect(t.autoFilter).toBe(t.ref);
    expect(types.get(t.part)).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml");
    const [from, to] = t.ref.split(":");
    const header = cells(ws, `${from}:${(to ?? "").replace(/\d+$/, "")}${(from ?? "").replace(/^[A-Z]+/, "")}`);
    expect(header.every((h) => typeof h === "string" && h !== "")).toBe(true);
    expect(t.columns).toEqual(header);
    expect(new Set(t.columns.map((c) => c.toLowerCase())).size).toBe(t.columns.length);
  }
  const stages = layout.tables.find((t) => t.columns[0] === "Stage" && t.columns[1] === "Reached");
  expect(stages?.columns).toEqual(["Stage", "Reached", "Open deals", `Open value (${metrics.currency})`, `Weighted (${metrics.currency})`, "Win probability"]);
  // exceljs reads every table back, by name and range.
  const byName = new Map(ws.getTables().map((t) => [(t as unknown as { table: { name: string; tableRef: string } }).table.name, (t as unknown as { table: { tableRef: string } }).table.tableRef]));
  expect(byName).toEqual(new Map(layout.tables.map((t) => [t.name, t.ref])));
  // Names and ids unique in the whole workbook.
  const all = await book.allTables();
  expect(new Set(all.map((t) => t.name.toLowerCase())).size).toBe(all.length);
  expect(new Set(all.map((t) => t.id)).size).toBe(all.length);

  // ---- links: each stuck deal's name goes to its own row on the deals sheet ----
  const dealHeader = (deals.getRow(1).values as Cell[]).slice(1);
  const nameCol = dealHeader.findIndex((h) => typeof h === "string" && /deal name|^deal$|^name$/i.test(h)) + 1;
  expect(nameCol).toBeGreaterThan(0);
  const toDeals = layout.links.filter((l) => splitRef(l.location).sheet === dealsSheet);
  expect(toDeals.length).toBeGreaterThanOrEqual(Math.min(metrics.stuck.rows.length, 5));
  expect(layout.links.map((l) => l.ref)).toEqual((tab.links ?? []).map((l) => l.cell));
  for (const l of toDeals) {
    const target = parseA1(splitRef(l.location).range);
    if (!target) throw new Error(l.location);
    expect(l.display).toBe(ws.getCell(l.ref).value);
    // It looks like a link: underlined, in the hyperlink blue.
    const font = ws.getCell(l.ref).font;
    expect(font?.underline, `${l.ref} underlined`).toBeTruthy();
    expect(font?.color?.argb, `${l.ref} in the hyperlink blue`).toBe("FF0563C1");
    expect(deals.getCell(target.row + 1, nameCol).value, `${l.ref} -> ${l.location}`).toBe(l.display);
  }
  const stuckRows = metrics.stuck.rows.map((s) => `A${s.sheetRow}`);
  expect(stuckRows.every((r) => toDeals.some((l) => splitRef(l.location).range === r))).toBe(true);

  // ---- number formats: every formatted cell as core says, money, percent and days among them ----
  const expected = new Map<string, string>();
  for (const f of tab.formats) {
    if (f.numberFormat === undefined) continue;
    const [a, b] = f.range.split(":");
    const from = parseA1(a ?? "");
    const to = parseA1(b ?? a ?? "");
    if (!from || !to) continue;
    for (let r = from.row; r <= to.row; r++) for (let c = from.col; c <= to.col; c++) expected.set(`${r},${c}`, f.numberFormat);
  }
  let checked = 0;
  for (const [key, fmt] of expected) {
    const [r, c] = key.split(",").map(Number) as [number, number];
    const cell = ws.getCell(r + 1, c + 1);
    if (typeof cell.value !== "number") continue;
    expect(cell.numFmt, `${cell.address}`).toBe(fmt);
    checked++;
  }
  expect(checked).toBeGreaterThan(20);
  const used = new Set(expected.values());
  for (const fmt of ["#,##0", "0%", '0.0 "days"']) expect(used.has(fmt), fmt).toBe(true);
  // The tile row: money, percent and days as a manager reads them.
  const tiles = (ws.getRow(4).values as Cell[]).slice(1);
  const figure = (label: RegExp): ExcelJS.Cell => ws.getCell(5, tiles.findIndex((t) => typeof t === "string" && label.test(t)) + 1);
  expect(figure(/^Open pipeline/).numFmt).toBe("#,##0");
  expect(figure(/^Win rate/).numFmt).toBe("0%");
  expect(figure(/^Sales cycle/).numFmt).toBe('0.0 "days"');
  // The days format as written in styles.xml, read with a parser (its quotes escaped in the attribute).
  const styles = (await book.text("xl/styles.xml")) ?? "";
  expect(styles).toContain('formatCode="0.0 &quot;days&quot;"');

  // ---- the worksheet's elements in schema order ----
  const order = layout.order.filter((n) => ["sheetData", "hyperlinks", "pageMargins", "drawing", "tableParts"].includes(n));
  expect(order).toEqual(["sheetData", "hyperlinks", "pageMargins", "drawing", "tableParts"]);
  return layout;
}

describe("the review tab as a dashboard in the CLI's .xlsx", () => {
  it("a workbook made from a CSV: two charts, the tables, the links and the formats", async () => {
    const out = join(dir, "from-csv.xlsx");
    const plan = await review(join(ROOT, "samples", "pipeline.csv"), out);
    const layout = await expectDashboard(out, plan, "Deals");
    expect(layout.tables.map((t) => t.name)).toEqual((reviewTab(plan).tables ?? []).map((t) => t.name));
  });

  it("a workbook run in place again: pipesheet's parts replaced, not added to", async () => {
    const path = join(dir, "team-twice.xlsx");
    await copyFile(join(ROOT, "samples", "pipeline.csv"), join(dir, "team-twice.csv"));
    await review(join(dir, "team-twice.csv"), path);
    const first = await readBookParts(path);
    const parts1 = Object.keys(first.zip.files).filter((f) => /^xl\/(tables|charts|drawings)\//.test(f)).sort();
    const plan = await review(path, path);
    await expectDashboard(path, plan, "Deals");
    const second = await readBookParts(path);
    const parts2 = Object.keys(second.zip.files).filter((f) => /^xl\/(tables|charts|drawings)\//.test(f)).sort();
    expect(parts2).toEqual(parts1);
    // No content type is left for a part that is gone, and every part pipesheet wrote has one.
    const types = await second.overrides();
    for (const part of types.keys()) expect(second.zip.file(part), part).not.toBeNull();
    for (const part of parts2.filter((p) => !p.includes("_rels"))) expect(types.has(part), part).toBe(true);
  });

  it("a team table named like pipesheet's keeps its name and part; pipesheet's gets another name", async () => {
    const wb = new ExcelJS.Workbook();
    const deals = wb.addWorksheet("Bob's deals");
    deals.addRow(["Deal name", "Stage", "Value", "Owner", "Expected close", "Created"]);
    const stages = ["Prospecting", "Qualified", "Proposal", "Negotiation"];
    for (let i = 0; i < 24; i++) deals.addRow([`Deal ${i} & co`, i >= 18 ? (i % 2 ? "Won" : "Lost") : stages[i % 4], 1000 + i * 10, i % 2 ? "Ana" : "Ben", new Date(Date.UTC(2026, 11 + (i % 3), 15)), new Date(Date.UTC(2026, i % 2 ? 0 : 10, 20))]);
    const targets = wb.addWorksheet("Targets");
    targets.addTable({ name: "PipesheetStages", ref: "A1", headerRow: true, columns: [{ name: "Owner" }, { name: "Target" }], rows: [["Ana", 10], ["Ben", 20]] });
    wb.definedNames.add("Targets!$B$2", "PipesheetForecast");
    const path = join(dir, "team-table.xlsx");
    await writeFile(path, new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer));
    const before = await readBookParts(path);
    const teamTable = (await before.allTables()).find((t) => t.name === "PipesheetStages");
    if (!teamTable) throw new Error("exceljs wrote no table");
    const teamXml = await before.text(teamTable.part);

    for (let run = 0; run < 2; run++) {
      const plan = await review(path, path);
      const layout = await expectDashboard(path, plan, "Bob's deals");
      const book = await readBookParts(path);
      // The team's table: the same part, byte for byte, on its own sheet.
      expect(await book.text(teamTable.part)).toBe(teamXml);
      const names = layout.tables.map((t) => t.name);
      expect(names).toContain("PipesheetStages_2");
      expect(names).toContain("PipesheetForecast_2");
      expect(names).not.toContain("PipesheetStages");
      // Links to a sheet whose name has a quote and a space.
      expect(layout.links.some((l) => l.location.startsWith("'Bob''s deals'!A"))).toBe(true);
      expect((await book.allTables()).length).toBe(layout.tables.length + 1);
    }
    const back = await load(path);
    expect(back.getWorksheet("Targets")?.getTables().map((t) => (t as unknown as { table: { name: string } }).table.name)).toEqual(["PipesheetStages"]);
  });

  it("a table's header cells become unique texts: a number, a blank and a repeat are renamed, text is escaped", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Deals").addRows([
      ["Deal name", "Stage", "Value"],
      ["A", "Proposal", 100],
    ]);
    const src = join(dir, "headers-in.xlsx");
    await writeFile(src, new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer));
    const opened = await openWorkbook(src);
    const deals = pickDealsSheet(opened, "Deals", () => true, src);
    const tab: TabWrite = {
      name: TAB_REVIEW,
      values: [
        [2026, "", "Stage", "stage", 'A & "B" <c>'],
        [1, 2, 3, 4, 5],
        ["x", "y", "z", "w", "v"],
      ],
      hidden: false,
      formats: [{ range: "A2:E2", numberFormat: '0.0 "days"' }],
      tables: [{ name: "PipesheetOdd", range: "A1:E3" }],
      links: [
        { cell: "C3", sheet: "Deals", target: "A2" },
        { cell: "C3", sheet: "Deals", target: "A9" },
      ],
      chart: { type: "bar", title: "T", categories: "C3:E3", values: "C2:E2", anchor: "H2" },
      charts: [{ type: "column", title: "U", categories: "A3:B3", values: "A2:B2", anchor: "H20", width: 300, height: 200 }],
    };
    const out = join(dir, "headers-out.xlsx");
    await saveWorkbook(opened, deals, { headerRow: 0, rowCount: 0, columns: [], conditionalFormats: [], validations: [], tabs: [tab], logAppend: [] }, out);
    const book = await readBookParts(out);
    const layout = await readReviewLayout(book, TAB_REVIEW);
    expect(layout.tables).toHaveLength(1);
    expect(layout.tables[0]?.columns).toEqual(["2026", "Column2", "Stage", "stage2", 'A & "B" <c>']);
    const ws = (await load(out)).getWorksheet(TAB_REVIEW) as ExcelJS.Worksheet;
    expect(cells(ws, "A1:E1")).toEqual(["2026", "Column2", "Stage", "stage2", 'A & "B" <c>']);
    expect(ws.getCell("A2").numFmt).toBe('0.0 "days"');
    // One link per cell, the first.
    expect(layout.links).toEqual([{ ref: "C3", location: "'Deals'!A2", display: "z" }]);
    // "bar" is horizontal in sheet order; "column" vertical; sizes as given, 420 × 260 points when none is.
    expect(layout.charts.map((c) => [c.barDir, c.catOrientation, c.col, c.row, c.cx, c.cy])).toEqual([
      ["bar", "minMax", 7, 1, 420 * EMU_PER_POINT, 260 * EMU_PER_POINT],
      ["col", "minMax", 7, 19, 300 * EMU_PER_POINT, 200 * EMU_PER_POINT],
    ]);
  });
});
