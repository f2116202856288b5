// The .xlsx adapter on its own: cells as core expects them, picking the deals sheet, and applying hand-built plans
// to real files (written by exceljs, patched by pipesheet, read back by exceljs).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import type { WorkbookPlan } from "../core/types.js";
import { CliError } from "../cli/errors.js";
import { openWorkbook, pickDealsSheet, saveWorkbook } from "../cli/io/xlsx.js";
import { cfOf, dvOf, headerMap, readBook, ROOT, runCli, workbookPlan } from "./cli-harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pipesheet-xlsx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes an exceljs workbook to a file, as a team's workbook would be on disk. */
async function save(wb: ExcelJS.Workbook, name: string): Promise<string> {
  const path = join(dir, name);
  await wb.xlsx.writeFile(path);
  return path;
}

/** Applies a plan to the file at `path` through pipesheet's patcher, writing `name`; returns its path and notes. */
async function patch(path: string, p: WorkbookPlan, name: string): Promise<{ path: string; notes: string[] }> {
  const wb = await openWorkbook(path);
  const deals = pickDealsSheet(wb, p.sheet, () => true, path);
  const out = join(dir, name);
  const notes = await saveWorkbook(wb, deals, p, out);
  return { path: out, notes };
}

/** The grid pipesheet reads from a sheet of the file. */
async function gridOf(path: string, sheet: string): Promise<unknown[][]> {
  const wb = await openWorkbook(path);
  return pickDealsSheet(wb, sheet, () => true, path).grid;
}

const plan = (over: Partial<WorkbookPlan>): WorkbookPlan => workbookPlan({ rowCount: 2, ...over });

describe("reading cells", () => {
  it("gives each kind of cell as core expects it: cached formula results, rich text as text, hyperlinks by text, errors", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.getCell("A1").value = 12500;
    ws.getCell("B1").value = "Won";
    ws.getCell("C1").value = true;
    ws.getCell("D1").value = { richText: [{ text: "Big " }, { font: { bold: true }, text: "deal" }] };
    ws.getCell("E1").value = { formula: "A1*2", result: 42 };
    ws.getCell("F1").value = { formula: "A1*2" } as ExcelJS.CellFormulaValue;
    ws.getCell("G1").value = { text: "Acme", hyperlink: "https://acme.test" };
    ws.getCell("H1").value = { error: "#N/A" } as ExcelJS.CellErrorValue;
    ws.getCell("I1").value = { formula: 'B1&"!"', result: "Won!" };
    ws.getCell("A2").value = { formula: "A1+1", result: 1 };
    ws.getCell("B2").value = { sharedFormula: "A2", result: 2 } as unknown as ExcelJS.CellValue;
    const path = await save(wb, "kinds.xlsx");
    expect(await gridOf(path, "Deals")).toEqual([
      [12500, "Won", true, "Big deal", 42, null, "Acme", "#N/A", "Won!"],
      [1, 2],
    ]);
  });

  it("a date cell becomes a Date at local midnight of the same calendar day, in the 1900 and the 1904 date system", async () => {
    for (const date1904 of [false, true]) {
      const wb = new ExcelJS.Workbook();
      wb.properties.date1904 = date1904;
      const ws = wb.addWorksheet("Deals");
      ws.getCell("A1").value = new Date("2026-03-01T00:00:00Z");
      ws.getCell("A1").numFmt = "yyyy-mm-dd";
      ws.getCell("B1").value = new Date("2026-03-01T23:30:00Z");
      ws.getCell("B1").numFmt = "d mmm yyyy hh:mm";
      const path = await save(wb, `dates-${date1904}.xlsx`);
      const xml = (await (await JSZip.loadAsync(await readFile(path))).file("xl/workbook.xml")?.async("string")) ?? "";
      expect(/date1904="1"/.test(xml)).toBe(date1904);
      const [d, late] = ((await gridOf(path, "Deals"))[0] ?? []) as Date[];
      expect([d?.getFullYear(), d?.getMonth(), d?.getDate(), d?.getHours()]).toEqual([2026, 2, 1, 0]);
      expect(late?.getDate()).toBe(1);
    }
  });
});

describe("the grid and pickDealsSheet", () => {
  it("reads a dense grid from A1 and drops trailing rows that hold only formatting", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.getCell("B2").value = "Stage";
    ws.getCell("C3").value = 5;
    ws.getCell("A9").font = { bold: true };
    expect(await gridOf(await save(wb, "grid.xlsx"), "Deals")).toEqual([[], [null, "Stage"], [null, null, 5]]);
  });

  it("picks the first visible sheet that looks like deals, skipping pipesheet's own tabs and hidden sheets unless named", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Archive", { state: "hidden" }).addRows([["Deal name", "Stage"], ["Old", "Lost"]]);
    wb.addWorksheet("Pipeline Review").addRows([["Pipeline Review"], ["Deal name", "Stage"]]);
    wb.addWorksheet("Cover").addRow(["Q4 numbers"]);
    wb.addWorksheet("Pipeline").addRows([["Deal name", "Stage"], ["A", "Won"]]);
    const path = await save(wb, "pick.xlsx");
    const book = await openWorkbook(path);
    const isDeals = (g: unknown[][]): boolean => g.some((r) => r.includes("Stage"));
    expect(pickDealsSheet(book, null, isDeals, "book.xlsx").sheet.name).toBe("Pipeline");
    expect(pickDealsSheet(book, "cover", isDeals, "book.xlsx").sheet.name).toBe("Cover");
    expect(pickDealsSheet(book, "archive", isDeals, "book.xlsx").sheet.name).toBe("Archive");
    expect(() => pickDealsSheet(book, "Nope", isDeals, "book.xlsx")).toThrow(CliError);
    const only = new ExcelJS.Workbook();
    only.addWorksheet("Cover");
    only.addWorksheet("Archive", { state: "hidden" }).addRows([["Deal name", "Stage"]]);
    try {
      pickDealsSheet(await openWorkbook(await save(only, "only.xlsx")), null, isDeals, "book.xlsx");
      expect.unreachable();
    } catch (e) {
      expect((e as CliError).cause).toEqual({ code: "NO_DEALS_SHEET", exitCode: 4 });
      expect((e as CliError).message).toContain("hidden: Archive");
    }
  });
});

describe("applying a plan", () => {
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
    (wb.getWorksheet("Pipeline Review") as ExcelJS.Worksheet).getCell("A1").value = "Pipeline Review";
    wb.addWorksheet("Notes").getCell("A1").value = "keep";
    return wb;
  }

  it("writes each ColumnWrite mode: all, fill (only non-null) and header", async () => {
    const src = await save(await dealsBook(), "modes-in.xlsx");
    const out = await patch(
      src,
      plan({
        columns: [
          { key: "score", header: "Score", col: 3, created: true, mode: "all", values: [80, ""], numberFormat: "0" },
          { key: "stageEntered", header: "Stage entered", col: 2, created: false, mode: "fill", values: [46000, null], numberFormat: "yyyy-mm-dd" },
          { key: "need", header: "Need", col: 4, created: true, mode: "header", values: [] },
        ],
      }),
      "modes.xlsx",
    );
    const ws = (await readBook(out.path)).getWorksheet("Deals") as ExcelJS.Worksheet;
    expect(ws.getRow(1).values).toEqual([undefined, "Deal name", "Stage", "Stage entered", "Score", "Need"]);
    // A new header looks like the team's headers.
    expect(ws.getCell("D1").font).toMatchObject({ bold: true, color: { argb: "FF112233" } });
    expect(ws.getCell("D2").value).toBe(80);
    expect(ws.getCell("D2").numFmt).toBe("0");
    expect(ws.getCell("D3").value).toBeNull();
    expect(ws.getCell("C2").value).toEqual(new Date("2025-12-09T00:00:00Z"));
    expect(ws.getCell("C3").value).toEqual(new Date("2026-01-05T00:00:00Z"));
    expect(ws.getCell("E2").value).toBeNull();
  });

  it("writes dates in the workbook's own date system", async () => {
    const wb = await dealsBook();
    wb.properties.date1904 = true;
    const src = await save(wb, "d1904-in.xlsx");
    const out = await patch(
      src,
      plan({ columns: [{ key: "stageEntered", header: "Stage entered", col: 2, created: false, mode: "fill", values: [46000, null], numberFormat: "yyyy-mm-dd" }] }),
      "d1904.xlsx",
    );
    const back = await readBook(out.path);
    expect(back.properties.date1904).toBe(true);
    expect((back.getWorksheet("Deals") as ExcelJS.Worksheet).getCell("C2").value).toEqual(new Date("2025-12-09T00:00:00Z"));
    const [, row2] = (await gridOf(out.path, "Deals")) as Date[][];
    expect(row2?.[2]?.getFullYear()).toBe(2025);
  });

  it("replaces its own conditional-format rules and keeps the team's", async () => {
    const wb = await dealsBook();
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    ws.addConditionalFormatting({ ref: "A2:A3", rules: [{ type: "expression", priority: 1, formulae: ['$A2="A"'], style: { font: { bold: true } } }] });
    ws.addConditionalFormatting({ ref: "A2:C3", rules: [{ type: "expression", priority: 2, formulae: ['AND(N("pipesheet:stuck")=0,TRUE)'], style: {} }] });
    const rule = { id: "pipesheet:stuck", range: "A2:C502", formula: { excel: '=AND(N("pipesheet:stuck")=0,$B2="Won")', sheets: "" }, fill: "#FDE7E9", fontColor: "#A4262C", description: "" };
    const once = await patch(await save(wb, "cf-in.xlsx"), plan({ conditionalFormats: [rule] }), "cf-once.xlsx");
    const twice = await patch(once.path, plan({ conditionalFormats: [rule] }), "cf.xlsx");
    const back = (await readBook(twice.path)).getWorksheet("Deals") as ExcelJS.Worksheet;
    const all = cfOf(back).flatMap((cf) => cf.rules.map((r) => ({ ref: cf.ref, f: (r as ExcelJS.ExpressionRuleType).formulae?.[0], style: r.style, priority: r.priority })));
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ ref: "A2:A3", f: '$A2="A"' });
    expect(all[1]).toMatchObject({ ref: "A2:C502", f: 'AND(N("pipesheet:stuck")=0,$B2="Won")', priority: 2 });
    expect(all[1]?.style?.fill).toMatchObject({ bgColor: { argb: "FFFDE7E9" } });
    expect(all[1]?.style?.font).toMatchObject({ color: { argb: "FFA4262C" } });
    // Its highlight format is reused, not appended again on every run.
    const styles = async (path: string): Promise<string> => (await (await JSZip.loadAsync(await readFile(path))).file("xl/styles.xml")?.async("string")) ?? "";
    expect(await styles(twice.path)).toBe(await styles(once.path));
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
    const first = await patch(await save(wb, "dv-in.xlsx"), p, "dv-once.xlsx");
    const second = await patch(first.path, p, "dv.xlsx");
    const back = (await readBook(second.path)).getWorksheet("Deals") as ExcelJS.Worksheet;
    const model = dvOf(back);
    expect(model.B2).toMatchObject({ type: "list", errorStyle: "warning", errorTitle: "pipesheet:stage", formulae: ['"Prospecting,Say ""hi"",Won"'] });
    expect(model.B502?.errorTitle).toBe("pipesheet:stage");
    expect(model.A2).toEqual({ type: "list", allowBlank: true, formulae: ['"A,B"'] });
    expect(model.A4).toBeUndefined();
    expect(first.notes.join(" ")).toContain("kept your own drop-down at A2:A3");
    const xml = (await (await JSZip.loadAsync(await readFile(second.path))).file("xl/worksheets/sheet1.xml")?.async("string")) ?? "";
    expect(xml.match(/<dataValidation /g)).toHaveLength(2);
  });

  it("points a list too long for Excel's inline limit at the settings tab that holds it", async () => {
    const stages = Array.from({ length: 40 }, (_, i) => `Custom stage number ${i + 1}`);
    const out = await patch(
      await save(await dealsBook(), "long-in.xlsx"),
      plan({
        tabs: [{ name: "Pipeline Settings", values: [["Pipeline Settings"], [], ["Stages"], ["Stage"], ...stages.map((s) => [s, "open"])], hidden: false, formats: [] }],
        validations: [{ id: "pipesheet:stage", range: "B2:B502", list: stages, strict: false }],
      }),
      "long.xlsx",
    );
    const model = dvOf((await readBook(out.path)).getWorksheet("Deals") as ExcelJS.Worksheet);
    expect(model.B2?.formulae).toEqual(["'Pipeline Settings'!$A$5:$A$44"]);
  });

  it("rewrites its tabs whole in the same place, hides the log, and appends log rows in the log's format", async () => {
    const first = await patch(
      await save(await dealsBook(), "tabs-in.xlsx"),
      plan({
        tabs: [
          { name: "Pipeline Log", values: [["Deal ID", "From", "To", "When", "By"], ["D-1", "", "Won", 46000, "snapshot"]], hidden: true, formats: [{ range: "D2", numberFormat: "yyyy-mm-dd" }] },
          { name: "Pipeline Review", values: [["Pipeline Review"], ["Open", 5]], hidden: false, formats: [{ range: "A1", bold: true, fontSize: 14 }, { range: "B2", numberFormat: "#,##0", fill: "#F3F2F1" }], widths: [30, 12], chart: { type: "funnel", title: "Open pipeline by stage", categories: "A2:A2", values: "B2:B2", anchor: "D1" } },
        ],
      }),
      "tabs-once.xlsx",
    );
    const second = await patch(first.path, plan({ logAppend: [["D-1", "Won", "Lost", 46001, "pipesheet"]] }), "tabs.xlsx");
    const back = await readBook(second.path);
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
    // The chart drawn with the review stays through the run that leaves the review alone.
    const zip = await JSZip.loadAsync(await readFile(second.path));
    expect(Object.keys(zip.files).filter((n) => /^xl\/charts\/chart\d+\.xml$/.test(n))).toHaveLength(1);
    expect(await zip.file("xl/charts/chart1.xml")?.async("string")).toContain("Open pipeline by stage");
  });

  it("creates the hidden log tab with its header when rows arrive and there is none", async () => {
    const out = await patch(await save(await dealsBook(), "newlog-in.xlsx"), plan({ logAppend: [["D-9", "", "Won", "2026-11-26", "snapshot"]] }), "newlog.xlsx");
    const log = (await readBook(out.path)).getWorksheet("Pipeline Log") as ExcelJS.Worksheet;
    expect(log.state).toBe("hidden");
    expect(log.getRow(1).values).toEqual([undefined, "Deal ID", "From", "To", "When", "By", "Value", "Close", "Owner", "Outcome", "Logged"]);
    expect(log.getRow(2).values).toEqual([undefined, "D-9", undefined, "Won", "2026-11-26", "snapshot"]);
  });

  it("gives its tab another name when the team has a tab named like it, and says so", async () => {
    const wb = await dealsBook();
    wb.removeWorksheet((wb.getWorksheet("Pipeline Review") as ExcelJS.Worksheet).id);
    wb.addWorksheet("Pipeline review").getCell("A1").value = "Our own weekly review";
    const out = await patch(await save(wb, "clash-in.xlsx"), plan({ tabs: [{ name: "Pipeline Review", values: [["Pipeline Review"]], hidden: false, formats: [] }] }), "clash.xlsx");
    expect(out.notes.join(" ")).toContain('your tab "Pipeline review" stays as it is; pipesheet\'s Pipeline Review tab is "Pipeline Review (pipesheet)"');
    const back = await readBook(out.path);
    expect((back.getWorksheet("Pipeline review") as ExcelJS.Worksheet).getCell("A1").value).toBe("Our own weekly review");
    expect((back.getWorksheet("Pipeline Review (pipesheet)") as ExcelJS.Worksheet).getCell("A1").value).toBe("Pipeline Review");
    // The next run finds its tab again under that name.
    const again = await patch(out.path, plan({ tabs: [{ name: "Pipeline Review", values: [["Pipeline Review"], ["again"]], hidden: false, formats: [] }] }), "clash2.xlsx");
    const back2 = await readBook(again.path);
    expect(back2.worksheets.map((w) => w.name)).toEqual(["Deals", "Notes", "Pipeline review", "Pipeline Review (pipesheet)"]);
    expect((back2.getWorksheet("Pipeline Review (pipesheet)") as ExcelJS.Worksheet).getCell("A2").value).toBe("again");
  });

  it("cuts text longer than Excel allows in a cell, and says where", async () => {
    const long = "x".repeat(40_000);
    const out = await patch(
      await save(await dealsBook(), "long-text-in.xlsx"),
      plan({ columns: [{ key: "reasons", header: "Score reasons", col: 3, created: true, mode: "all", values: [long, "short"] }] }),
      "long-text.xlsx",
    );
    expect(out.notes.join(" ")).toContain("Deals!D2 held 40,000 characters; Excel keeps at most 32,767");
    const ws = (await readBook(out.path)).getWorksheet("Deals") as ExcelJS.Worksheet;
    expect(String(ws.getCell("D2").value)).toHaveLength(32_767);
    expect(ws.getCell("D3").value).toBe("short");
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

/** Each entry's bytes as stored in the zip (compressed), by name: what "copied byte for byte" is checked against. */
async function rawEntries(buf: Buffer): Promise<Map<string, Buffer>> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for await (const e of zip.eachEntry()) {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
    out.set(e.fileName, buf.subarray(fileDataStart, fileDataStart + e.compressedSize));
  }
  zip.close();
  return out;
}

describe("pipesheet's own chart", () => {
  it("is drawn on review and kept through a run that leaves the review tab alone", async () => {
    const path = join(dir, "own-chart.xlsx");
    const csv = join(dir, "own-chart.csv");
    await writeFile(csv, "Deal name,Stage,Value\nA,Proposal,100\nB,Meeting,50\nC,Won,70\n");
    expect((await runCli(["review", csv, "--today", "2026-11-26", "--out", path])).code).toBe(0);
    const chartsIn = async (): Promise<string[]> => [...(await rawEntries(await readFile(path))).keys()].filter((n) => /^xl\/charts\/chart\d+\.xml$/.test(n));
    // The funnel and the weighted forecast by month.
    expect(await chartsIn()).toHaveLength(2);

    const score = await runCli(["score", path, "--today", "2026-11-27", "--in-place"]);
    expect(score.stderr).toBe("");
    expect(score.code).toBe(0);
    expect(await chartsIn()).toHaveLength(2);
    const again = await runCli(["review", path, "--today", "2026-11-27", "--in-place"]);
    expect(again.code).toBe(0);
    expect(await chartsIn()).toHaveLength(2);
    expect((await readBook(path)).getWorksheet("Pipeline Review")?.getCell("A1").value).toBe("Pipeline Review");
  });
});

describe("parts of the team's that exceljs could not carry over", () => {
  it("a workbook with the team's chart is scored in place, every part but pipesheet's copied byte for byte", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Deals").addRows([
      ["Deal name", "Stage", "Value"],
      ["A", "Proposal", 100],
    ]);
    const entries = unzip(Buffer.from(await wb.xlsx.writeBuffer()));
    entries.push({ name: "xl/charts/chart1.xml", data: Buffer.from('<?xml version="1.0"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>') });
    const path = join(dir, "with-chart.xlsx");
    await writeFile(path, zip(entries));
    const before = await rawEntries(await readFile(path));

    const inPlace = await runCli(["score", path, "--today", "2026-11-26", "--in-place"]);
    expect(inPlace.stderr).toBe("");
    expect(inPlace.code).toBe(0);
    const after = await rawEntries(await readFile(path));
    const changed = [...before.keys()].filter((n) => !after.get(n)?.equals(before.get(n) as Buffer));
    // Only the deals sheet, and the shared parts that list pipesheet's new tabs, formats and texts (appended to).
    expect(changed.sort()).toEqual(["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]);
    expect(after.get("xl/charts/chart1.xml")?.equals(before.get("xl/charts/chart1.xml") as Buffer)).toBe(true);
  });
});

describe("files that are not a workbook pipesheet can patch", () => {
  const cfb = (streams: string[]): Buffer =>
    // An OLE compound file as Excel writes a password-protected workbook: its signature, then directory names.
    Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504), ...streams.map((n) => Buffer.from(`${n}\0`, "utf16le")), Buffer.alloc(512)]);

  it.each<[string, Buffer, number, RegExp]>([
    ["a password-protected workbook", cfb(["Root Entry", "EncryptionInfo", "EncryptedPackage"]), 3, /^pipesheet: \S*locked\.xlsx is password-protected: save a copy without a password\n$/],
    ["an Excel 97-2003 workbook", cfb(["Root Entry", "Workbook"]), 3, /it is an Excel 97-2003 workbook \(\.xls\), not an \.xlsx; save a copy as \.xlsx/],
    ["an OpenDocument spreadsheet", zip([{ name: "mimetype", data: Buffer.from("application/vnd.oasis.opendocument.spreadsheet") }, { name: "content.xml", data: Buffer.from("<x/>") }]), 3, /it is an OpenDocument spreadsheet \(\.ods\), not an \.xlsx/],
    ["a zip that holds no workbook", zip([{ name: "readme.txt", data: Buffer.from("hello") }]), 3, /it is not an \.xlsx workbook \(the package has no workbook part\)/],
  ])("%s is refused with a plain message", async (_what, bytes, code, message) => {
    const path = join(dir, "locked.xlsx");
    await writeFile(path, bytes);
    const r = await runCli(["score", path, "--today", "2026-11-26", "--in-place"]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect((await readFile(path)).equals(bytes)).toBe(true);
  });

  it("a macro-enabled workbook is written only as an .xlsm, so Excel opens it with its macros", async () => {
    const path = join(dir, "macros.xlsm");
    await writeFile(path, await readFile(join(ROOT, "test", "fixtures", "workbooks", "team.xlsm")));
    const toXlsx = await runCli(["score", path, "--today", "2026-11-26", "--out", join(dir, "macros-copy.xlsx")]);
    expect(toXlsx.code).toBe(2);
    expect(toXlsx.stderr).toContain("holds macros, which Excel opens only from an .xlsm file; write to a .xlsm");
    const copy = await runCli(["score", path, "--today", "2026-11-26"]);
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    const out = await rawEntries(await readFile(join(dir, "macros-managed.xlsm")));
    expect(out.get("xl/vbaProject.bin")?.equals((await rawEntries(await readFile(path))).get("xl/vbaProject.bin") as Buffer)).toBe(true);
  });
});
