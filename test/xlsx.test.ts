// The .xlsx adapter on its own: cells as core expects them, picking the deals sheet, and applying hand-built plans.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkbookPlan } from "../core/types.js";
import { CliError } from "../cli/errors.js";
import { applyPlan, pickDealsSheet, plainCell, saveWorkbook, sheetGrid } from "../cli/io/xlsx.js";
import { partsNotKept, zipEntryNames } from "../cli/io/zip-parts.js";
import { cfOf, dvOf, headerMap, readBook, runCli } from "./cli-harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pipesheet-xlsx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes and reads back, so tests see what exceljs gives for a real file, not for objects still in memory. */
async function roundTrip(wb: ExcelJS.Workbook, name: string): Promise<ExcelJS.Workbook> {
  const path = join(dir, name);
  await saveWorkbook(wb, path);
  return readBook(path);
}

function plan(over: Partial<WorkbookPlan>): WorkbookPlan {
  return {
    sheet: "Deals",
    headerRow: 0,
    rowCount: 2,
    columns: [],
    conditionalFormats: [],
    validations: [],
    tabs: [],
    logAppend: [],
    summary: {} as WorkbookPlan["summary"],
    problems: [],
    ...over,
  };
}

describe("plainCell", () => {
  it.each<[string, ExcelJS.CellValue, unknown]>([
    ["number", 12500, 12500],
    ["text", "Won", "Won"],
    ["boolean", true, true],
    ["empty", null, null],
    ["rich text", { richText: [{ text: "Big " }, { font: { bold: true }, text: "deal" }] }, "Big deal"],
    ["formula gives its cached result", { formula: "A1*2", result: 42 }, 42],
    ["formula without a result", { formula: "A1*2" } as ExcelJS.CellFormulaValue, null],
    ["shared formula", { sharedFormula: "B2", result: "x" } as unknown as ExcelJS.CellValue, "x"],
    ["hyperlink gives its text", { text: "Acme", hyperlink: "https://acme.test" }, "Acme"],
    ["error value", { error: "#N/A" } as ExcelJS.CellErrorValue, "#N/A"],
  ])("%s", (_name, v, expected) => {
    expect(plainCell(v)).toEqual(expected);
  });

  it("a date cell becomes a Date at local midnight of the same calendar day, whatever the time zone", () => {
    const d = plainCell(new Date("2026-03-01T00:00:00Z")) as Date;
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()]).toEqual([2026, 2, 1, 0]);
    const late = plainCell(new Date("2026-03-01T23:30:00Z")) as Date;
    expect(late.getDate()).toBe(1);
  });
});

describe("sheetGrid and pickDealsSheet", () => {
  it("reads a dense grid from A1 and drops trailing rows that hold only formatting", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.getCell("B2").value = "Stage";
    ws.getCell("C3").value = 5;
    ws.getCell("A9").font = { bold: true };
    const back = await roundTrip(wb, "grid.xlsx");
    expect(sheetGrid(back.getWorksheet("Deals") as ExcelJS.Worksheet)).toEqual([[], [null, "Stage"], [null, null, 5]]);
  });

  it("picks the first sheet that looks like deals, skipping pipesheet's own tabs", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Pipeline Review").addRow(["Deal name", "Stage"]);
    wb.addWorksheet("Cover").addRow(["Q4 numbers"]);
    wb.addWorksheet("Pipeline").addRows([["Deal name", "Stage"], ["A", "Won"]]);
    const isDeals = (g: unknown[][]): boolean => g.some((r) => r.includes("Stage"));
    expect(pickDealsSheet(wb, null, isDeals, "book.xlsx").ws.name).toBe("Pipeline");
    expect(pickDealsSheet(wb, "cover", isDeals, "book.xlsx").ws.name).toBe("Cover");
    expect(() => pickDealsSheet(wb, "Nope", isDeals, "book.xlsx")).toThrow(CliError);
    const only = new ExcelJS.Workbook();
    only.addWorksheet("Cover");
    try {
      pickDealsSheet(only, null, isDeals, "book.xlsx");
      expect.unreachable();
    } catch (e) {
      expect((e as CliError).cause).toEqual({ code: "NO_DEALS_SHEET", exitCode: 4 });
    }
  });
});

describe("applyPlan", () => {
  async function dealsBook(): Promise<ExcelJS.Workbook> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRows([
      ["Deal name", "Stage", "Stage entered"],
      ["A", "Won", null],
      ["B", "Lost", new Date("2026-01-05T00:00:00Z")],
    ]);
    ws.getRow(1).font = { bold: true, color: { argb: "FF112233" } };
    wb.addWorksheet("Pipeline Review").getCell("Z99").value = "old review";
    wb.addWorksheet("Notes").getCell("A1").value = "keep";
    return roundTrip(wb, "deals.xlsx");
  }

  it("writes each ColumnWrite mode: all, fill (only non-null) and header", async () => {
    const wb = await dealsBook();
    applyPlan(
      wb,
      plan({
        columns: [
          { key: "score", header: "Score", col: 3, created: true, mode: "all", values: [80, ""], numberFormat: "0" },
          { key: "stageEntered", header: "Stage entered", col: 2, created: false, mode: "fill", values: [46000, null], numberFormat: "yyyy-mm-dd" },
          { key: "need", header: "Need", col: 4, created: true, mode: "header", values: [] },
        ],
      }),
    );
    const ws = (await roundTrip(wb, "modes.xlsx")).getWorksheet("Deals") as ExcelJS.Worksheet;
    expect(ws.getRow(1).values).toEqual([undefined, "Deal name", "Stage", "Stage entered", "Score", "Need"]);
    // A new header takes the look of the team's headers.
    expect(ws.getCell("D1").font).toMatchObject({ bold: true, color: { argb: "FF112233" } });
    expect(ws.getCell("D2").value).toBe(80);
    expect(ws.getCell("D2").numFmt).toBe("0");
    expect(ws.getCell("D3").value).toBeNull();
    expect(ws.getCell("C2").value).toEqual(new Date("2025-12-09T00:00:00Z"));
    expect(ws.getCell("C3").value).toEqual(new Date("2026-01-05T00:00:00Z"));
    expect(ws.getCell("E2").value).toBeNull();
  });

  it("replaces its own conditional-format rules and keeps the team's", async () => {
    const wb = await dealsBook();
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    ws.addConditionalFormatting({ ref: "A2:A3", rules: [{ type: "expression", priority: 1, formulae: ['$A2="A"'], style: { font: { bold: true } } }] });
    ws.addConditionalFormatting({ ref: "A2:C3", rules: [{ type: "expression", priority: 2, formulae: ['AND(N("pipesheet:stuck")=0,TRUE)'], style: {} }] });
    const rule = { id: "pipesheet:stuck", range: "A2:C502", formula: { excel: '=AND(N("pipesheet:stuck")=0,$B2="Won")', sheets: "" }, fill: "#FDE7E9", fontColor: "#A4262C", description: "" };
    applyPlan(wb, plan({ conditionalFormats: [rule] }));
    applyPlan(wb, plan({ conditionalFormats: [rule] }));
    const back = (await roundTrip(wb, "cf.xlsx")).getWorksheet("Deals") as ExcelJS.Worksheet;
    const all = cfOf(back).flatMap((cf) => cf.rules.map((r) => ({ ref: cf.ref, f: (r as ExcelJS.ExpressionRuleType).formulae?.[0], style: r.style })));
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ ref: "A2:A3", f: '$A2="A"' });
    expect(all[1]).toMatchObject({ ref: "A2:C502", f: 'AND(N("pipesheet:stuck")=0,$B2="Won")' });
    expect(all[1]?.style?.fill).toMatchObject({ bgColor: { argb: "FFFDE7E9" } });
    expect(all[1]?.style?.font).toMatchObject({ color: { argb: "FFA4262C" } });
  });

  it("adds drop-downs, replaces its own, and leaves a cell range the team already validates alone", async () => {
    const wb = await dealsBook();
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    dvOf(ws)["A2:A3"] = { type: "list", allowBlank: true, formulae: ['"A,B"'] };
    const p = plan({
      validations: [
        { id: "pipesheet:stage", range: "B2:B502", list: ["Prospecting", 'Say "hi"', "Won"], strict: false },
        { id: "pipesheet:need", range: "A2:A502", list: ["High", "Low"], strict: false },
      ],
    });
    const first = applyPlan(wb, p);
    applyPlan(wb, p);
    const back = (await roundTrip(wb, "dv.xlsx")).getWorksheet("Deals") as ExcelJS.Worksheet;
    const model = dvOf(back);
    expect(model.B2).toMatchObject({ type: "list", errorStyle: "warning", errorTitle: "pipesheet:stage", formulae: ['"Prospecting,Say ""hi"",Won"'] });
    expect(model.B502?.errorTitle).toBe("pipesheet:stage");
    expect(model.A2).toEqual({ type: "list", allowBlank: true, formulae: ['"A,B"'] });
    expect(model.A4).toBeUndefined();
    expect(first.notes.join(" ")).toContain("kept your own drop-down at A2:A3");
  });

  it("points a list too long for Excel's inline limit at the settings tab that holds it", async () => {
    const wb = await dealsBook();
    const stages = Array.from({ length: 40 }, (_, i) => `Custom stage number ${i + 1}`);
    applyPlan(
      wb,
      plan({
        tabs: [{ name: "Pipeline Settings", values: [["Pipeline Settings"], [], ["Stages"], ["Stage"], ...stages.map((s) => [s, "open"])], hidden: false, formats: [] }],
        validations: [{ id: "pipesheet:stage", range: "B2:B502", list: stages, strict: false }],
      }),
    );
    const model = dvOf((await roundTrip(wb, "long.xlsx")).getWorksheet("Deals") as ExcelJS.Worksheet);
    expect(model.B2?.formulae).toEqual(["'Pipeline Settings'!$A$5:$A$44"]);
  });

  it("rewrites its tabs whole in the same place, hides the log, and appends log rows in the log's format", async () => {
    const wb = await dealsBook();
    const first = applyPlan(
      wb,
      plan({
        tabs: [
          { name: "Pipeline Log", values: [["Deal ID", "From", "To", "When", "By"], ["D-1", "", "Won", 46000, "snapshot"]], hidden: true, formats: [{ range: "D2", numberFormat: "yyyy-mm-dd" }] },
          { name: "Pipeline Review", values: [["Pipeline Review"], ["Open", 5]], hidden: false, formats: [{ range: "A1", bold: true, fontSize: 14 }, { range: "B2", numberFormat: "#,##0", fill: "#F3F2F1" }], widths: [30, 12], chart: { type: "funnel", title: "Open pipeline by stage", categories: "A2:A2", values: "B2:B2", anchor: "D1" } },
        ],
      }),
    );
    applyPlan(wb, plan({ logAppend: [["D-1", "Won", "Lost", 46001, "pipesheet"]] }));
    const back = await roundTrip(wb, "tabs.xlsx");
    expect(first.charts).toEqual([{ sheet: "Pipeline Review", spec: { type: "funnel", title: "Open pipeline by stage", categories: "A2:A2", values: "B2:B2", anchor: "D1" } }]);
    expect(back.worksheets.map((w) => [w.name, w.state])).toEqual([
      ["Deals", "visible"],
      ["Pipeline Review", "visible"],
      ["Notes", "visible"],
      ["Pipeline Log", "hidden"],
    ]);
    const review = back.getWorksheet("Pipeline Review") as ExcelJS.Worksheet;
    expect(review.getCell("Z99").value).toBeNull();
    expect(review.getCell("A1").font).toMatchObject({ bold: true, size: 14 });
    expect(review.getCell("B2").numFmt).toBe("#,##0");
    expect(review.getColumn(1).width).toBe(30);
    expect(review.getCell("D1").value).toBeNull();
    const log = back.getWorksheet("Pipeline Log") as ExcelJS.Worksheet;
    expect(log.rowCount).toBe(3);
    expect(log.getCell("A3").value).toBe("D-1");
    expect(log.getCell("D3").numFmt).toBe("yyyy-mm-dd");
    expect((back.getWorksheet("Notes") as ExcelJS.Worksheet).getCell("A1").value).toBe("keep");
  });

  it("creates the hidden log tab with its header when rows arrive and there is none", async () => {
    const wb = await dealsBook();
    applyPlan(wb, plan({ logAppend: [["D-9", "", "Won", "2026-11-26", "snapshot"]] }));
    const log = (await roundTrip(wb, "newlog.xlsx")).getWorksheet("Pipeline Log") as ExcelJS.Worksheet;
    expect(log.state).toBe("hidden");
    expect(log.getRow(1).values).toEqual([undefined, "Deal ID", "From", "To", "When", "By", "Value", "Close", "Owner", "Outcome", "Logged"]);
    expect(log.getRow(2).values).toEqual([undefined, "D-9", undefined, "Won", "2026-11-26", "snapshot"]);
  });
});

describe("the CLI on an .xlsx with date cells, in any time zone", () => {
  it.each(["UTC", "America/Los_Angeles", "Pacific/Auckland"])("TZ=%s counts the same days in stage", async (tz) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRows([
      ["Deal name", "Stage", "Created", "Stage entered"],
      ["Early", "Proposal", new Date("2026-09-01T00:00:00Z"), new Date("2026-11-01T00:00:00Z")],
      ["Late", "Meeting", new Date("2026-11-20T00:00:00Z"), new Date("2026-11-25T00:00:00Z")],
    ]);
    const path = join(dir, `tz-${tz.replace("/", "-")}.xlsx`);
    await wb.xlsx.writeFile(path);
    const out = join(dir, `tz-${tz.replace("/", "-")}-out.xlsx`);
    const r = await runCli(["score", path, "--today", "2026-11-26", "--out", out], { env: { TZ: tz } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const back = (await readBook(out)).getWorksheet("Deals") as ExcelJS.Worksheet;
    const col = headerMap(back).get("Days in stage") as number;
    const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    expect(back.getRow(2).getCell(col).value).toBe(day("2026-11-26") - day("2026-11-01"));
    expect(back.getRow(3).getCell(col).value).toBe(day("2026-11-26") - day("2026-11-25"));
  });

  it("a file that is not a workbook at all is refused with exit code 3", async () => {
    const path = join(dir, "zip.xlsx");
    await writeFile(path, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0]));
    const r = await runCli(["review", path]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^pipesheet: cannot read .*zip\.xlsx: it is not an \.xlsx workbook/);
  });
});

// ------------------------------------------------------------------------------------------ zip parts

/** Entries of a zip (any method exceljs writes), for rebuilding one with an extra part in the tests. */
function unzip(buf: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = [];
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    const method = buf.readUInt16LE(at + 8);
    const size = buf.readUInt32LE(at + 18);
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    const name = buf.toString("utf8", at + 30, at + 30 + nameLen);
    const start = at + 30 + nameLen + extraLen;
    const raw = buf.subarray(start, start + size);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at = start + size;
  }
  return out;
}

/** A stored (uncompressed) zip; CRCs are computed so real readers accept it. */
function zip(entries: { name: string; data: Buffer }[]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe("pipesheet's own chart", () => {
  it("is drawn on review, kept through a run that leaves the review tab alone, and never counted as the team's", async () => {
    const path = join(dir, "own-chart.xlsx");
    const csv = join(dir, "own-chart.csv");
    await writeFile(csv, "Deal name,Stage,Value\nA,Proposal,100\nB,Meeting,50\nC,Won,70\n");
    expect((await runCli(["review", csv, "--today", "2026-11-26", "--out", path])).code).toBe(0);
    const chartsIn = async (): Promise<string[]> => zipEntryNames(await readFile(path)).filter((n) => /^xl\/charts\/chart\d+\.xml$/.test(n));
    expect(await chartsIn()).toHaveLength(1);

    // score does not rewrite the review tab; exceljs drops the chart on reading, so pipesheet draws it again.
    const score = await runCli(["score", path, "--today", "2026-11-27", "--in-place"]);
    expect(score.stderr).toBe("");
    expect(score.code).toBe(0);
    expect(score.stdout).not.toContain("cannot carry over");
    expect(await chartsIn()).toHaveLength(1);
    const again = await runCli(["review", path, "--today", "2026-11-27", "--in-place"]);
    expect(again.code).toBe(0);
    expect(await chartsIn()).toHaveLength(1);
    expect((await readBook(path)).getWorksheet("Pipeline Review")?.getCell("A1").value).toBe("Pipeline Review");
  });
});

describe("parts exceljs cannot carry over", () => {
  it("are counted from the package's entries", () => {
    expect(partsNotKept(["xl/workbook.xml", "xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/style1.xml", "xl/pivotTables/pivotTable1.xml", "xl/vbaProject.bin"])).toEqual([
      "2 charts",
      "1 pivot table",
      "1 macro project",
    ]);
    expect(partsNotKept(["xl/workbook.xml", "xl/worksheets/sheet1.xml"])).toEqual([]);
    expect(zipEntryNames(Buffer.from("not a zip at all, just some text that is long enough"))).toEqual([]);
  });

  it("a workbook with a chart gets a copy and a note, and is never overwritten in place", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Deals").addRows([
      ["Deal name", "Stage", "Value"],
      ["A", "Proposal", 100],
    ]);
    const plainBuf = Buffer.from(await wb.xlsx.writeBuffer());
    const entries = unzip(plainBuf);
    expect(zipEntryNames(plainBuf).sort()).toEqual(entries.map((e) => e.name).sort());
    entries.push({ name: "xl/charts/chart1.xml", data: Buffer.from('<?xml version="1.0"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>') });
    const path = join(dir, "with-chart.xlsx");
    await writeFile(path, zip(entries));
    const before = await readFile(path);

    const inPlace = await runCli(["score", path, "--today", "2026-11-26", "--in-place"]);
    expect(inPlace.code).toBe(2);
    expect(inPlace.stderr).toMatch(/has 1 chart that the CLI cannot carry over; write a copy with --out/);
    expect((await readFile(path)).equals(before)).toBe(true);

    const copy = await runCli(["score", path, "--today", "2026-11-26"]);
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    expect(copy.stdout.replace(/\s+/g, " ")).toContain("has 1 chart that the CLI cannot carry over: they are not in");
    expect(copy.stdout).toContain("with-chart-managed.xlsx");
  });
});
