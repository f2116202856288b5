// sync from a CSV that writes its dates as the team does (15/03/2026, 3/4/2026) into an .xlsx: the workbook
// gets real date cells, read in the order the column proves; the CSV keeps its bytes; a later run sees no edit.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { syncSandbox } from "./helpers/sync-sandbox.js";

const { fresh, sync } = syncSandbox("xlsx-dates");

/** Excel's serial of a calendar day, worked out here: days since 1899-12-30. */
const serial = (y: number, m: number, d: number): number => (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;

/** Each cell of the workbook's first deals sheet as stored: its raw `<v>` text, and whether it is a string. */
async function storedCells(path: string): Promise<Map<string, { v: string; text: boolean }>> {
  const buf = readFileSync(path);
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  let xml = "";
  for await (const e of zip.eachEntry()) {
    if (e.fileName !== "xl/worksheets/sheet1.xml") continue;
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
    const raw = buf.subarray(fileDataStart, fileDataStart + e.compressedSize);
    xml = (e.compressionMethod === 8 ? inflateRawSync(raw) : raw).toString("utf8");
  }
  zip.close();
  const out = new Map<string, { v: string; text: boolean }>();
  for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>(.*?)<\/c>)/g)) {
    const attrs = m[2] ?? "";
    const body = m[3] ?? "";
    const v = /<v>(.*?)<\/v>/.exec(body)?.[1] ?? /<t[^>]*>(.*?)<\/t>/.exec(body)?.[1] ?? "";
    out.set(m[1] as string, { v, text: /t="(s|inlineStr|str)"/.test(attrs) });
  }
  return out;
}

const DAY_FIRST = [
  "Deal ID,Deal,Stage,Value,Created,Close date",
  "D-000001,Acme,Proposal,1200,15/03/2026,04/05/2026",
  "D-000002,Beta,Meeting,800,02/04/2026,12/06/2026",
  "D-000003,Gamma,Won,300,01/02/2026,tbd",
  "",
].join("\r\n");

// West and east of UTC too: a day read as UTC midnight must not become the day before (or after) in the workbook.
describe.each(["UTC", "America/Los_Angeles", "Pacific/Auckland"])("sync CSV -> .xlsx with dates written as text, TZ=%s", (zone) => {
  const before = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = zone;
    expect(new Date(2026, 2, 15).getTimezoneOffset() !== 0).toBe(zone !== "UTC");
  });
  afterAll(() => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  });

  it("day-first dates land as date cells in the right order; a cell that is no date stays text", async () => {
    const d = fresh();
    const csv = join(d, "deals.csv");
    const book = join(d, "book.xlsx");
    writeFileSync(csv, DAY_FIRST);
    const r = await sync(csv, book);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const cells = await storedCells(book);
    // 04/05/2026 and 12/06/2026 prove nothing themselves: the sheet's 15/03/2026 makes them day-first.
    expect(["E2", "F2", "E3", "F3", "E4"].map((a) => cells.get(a))).toEqual([
      { v: String(serial(2026, 3, 15)), text: false },
      { v: String(serial(2026, 5, 4)), text: false },
      { v: String(serial(2026, 4, 2)), text: false },
      { v: String(serial(2026, 6, 12)), text: false },
      { v: String(serial(2026, 2, 1)), text: false },
    ]);
    const ws = (await new ExcelJS.Workbook().xlsx.readFile(book)).getWorksheet("Deals");
    expect(ws?.getCell("F4").value).toBe("tbd");
    expect(ws?.getCell("E2").numFmt).toBe("yyyy-mm-dd");
    // Amounts were numbers already, as before.
    expect(ws?.getCell("D2").value).toBe(1200);
    expect(readFileSync(csv, "utf8")).toBe(DAY_FIRST);
  });

  it("a second run sees no edit: the CSV keeps its bytes and the dates their cells", async () => {
    const d = fresh();
    const csv = join(d, "deals.csv");
    const book = join(d, "book.xlsx");
    writeFileSync(csv, DAY_FIRST);
    expect((await sync(csv, book)).code).toBe(0);
    const bookBytes = readFileSync(book);
    const again = await sync(csv, book, "--json");
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { changes: unknown[] }).changes).toEqual([]);
    expect(readFileSync(csv, "utf8")).toBe(DAY_FIRST);
    expect(readFileSync(book).equals(bookBytes)).toBe(true);
  });

  it("a date edited in the CSV moves the workbook's date cell; the CSV is not rewritten", async () => {
    const d = fresh();
    const csv = join(d, "deals.csv");
    const book = join(d, "book.xlsx");
    writeFileSync(csv, DAY_FIRST);
    expect((await sync(csv, book)).code).toBe(0);
    const edited = DAY_FIRST.replace("04/05/2026", "20/05/2026");
    writeFileSync(csv, edited);
    const r = await sync(csv, book, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { changes: { to: string; id: string; column?: string; value?: string }[]; conflicts: unknown[] };
    expect(report.conflicts).toEqual([]);
    expect(report.changes.map((c) => [c.to, c.id, c.column, c.value])).toEqual([["b", "D-000001", "Close date", "20/05/2026"]]);
    expect((await storedCells(book)).get("F2")).toEqual({ v: String(serial(2026, 5, 20)), text: false });
    expect(readFileSync(csv, "utf8")).toBe(edited);
  });

  it("a date edited in the workbook reaches the CSV (as an ISO day, as before); the other records keep their bytes", async () => {
    const d = fresh();
    const csv = join(d, "deals.csv");
    const book = join(d, "book.xlsx");
    writeFileSync(csv, DAY_FIRST);
    expect((await sync(csv, book)).code).toBe(0);
    const wb = await new ExcelJS.Workbook().xlsx.readFile(book);
    (wb.getWorksheet("Deals") as ExcelJS.Worksheet).getCell("F3").value = new Date(Date.UTC(2026, 6, 1));
    await wb.xlsx.writeFile(book);
    const r = await sync(csv, book, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { changes: { to: string; id: string; column?: string; value?: string }[]; conflicts: unknown[] };
    expect(report.conflicts).toEqual([]);
    expect(report.changes.map((c) => [c.to, c.id, c.column, c.value])).toEqual([["a", "D-000002", "Close date", "2026-07-01"]]);
    expect(readFileSync(csv, "utf8")).toBe(DAY_FIRST.replace("D-000002,Beta,Meeting,800,02/04/2026,12/06/2026", "D-000002,Beta,Meeting,800,02/04/2026,2026-07-01"));
  });

  it("month-first dates (3/4/2026 beside 3/25/2026) are March 4", async () => {
    const d = fresh();
    const csv = join(d, "deals.csv");
    const book = join(d, "book.xlsx");
    const text = ["Deal ID,Deal,Stage,Created,Close date", "D-000001,Acme,Proposal,3/4/2026,3/25/2026", "D-000002,Beta,Won,1/2/2026,2/1/2026", ""].join("\n");
    writeFileSync(csv, text);
    expect((await sync(csv, book)).code).toBe(0);
    const cells = await storedCells(book);
    expect(["D2", "E2", "D3", "E3"].map((a) => cells.get(a)?.v)).toEqual([serial(2026, 3, 4), serial(2026, 3, 25), serial(2026, 1, 2), serial(2026, 2, 1)].map(String));
    expect(readFileSync(csv, "utf8")).toBe(text);
  });
});
