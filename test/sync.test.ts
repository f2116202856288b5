// pull, push and sync end to end through the CLI, between CSV files, .xlsx sheets and Google Sheets (the fake
// API on 127.0.0.1 through the real googleapis client): rows matched by Deal ID, edits from both sides kept,
// conflicts listed with both values, deletions reported, stage changes stamped and logged, bad input refused.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addCharts } from "./helpers/add-charts.js";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import type { FakeSpreadsheet, Value } from "./fakes/sheets-api/model.js";

let h: Harness;
let dir: string;
const TODAY = "2026-11-26";

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(h.dir, "case-"));
  h.server.spreadsheets.clear();
  h.server.resetCounts();
  h.server.faults.length = 0;
  h.server.beforeEach = null;
});

const file = (name: string, text?: string): string => {
  const p = join(dir, name);
  if (text !== undefined) writeFileSync(p, text);
  return p;
};
const read = (p: string): string => readFileSync(p, "utf8");
const cli = (...args: string[]) => runInProcess([...args, "--key", h.keyFile, "--today", TODAY], h.env);
const sheet = (id: string, rows: (Value | null)[][], title = "Deals"): FakeSpreadsheet => {
  const ss = h.server.create(id);
  ss.addSheet(title, rows);
  return ss;
};
const writes = (): string[] => h.server.calls.filter((c) => !["spreadsheets.get", "values.batchGet", "values.get"].includes(c.method)).map((c) => c.method);

const DEALS = "Deal ID,Deal,Stage,Value,Owner\r\nD-000001,Acme renewal,Proposal,1200,Ana\r\nD-000002,Beta pilot,Meeting,800,Bo\r\n";

describe("push and pull", () => {
  it("push copies a CSV into a new tab in three requests and writes nothing else", async () => {
    const csv = file("deals.csv", DEALS);
    const ss = sheet("S1", [["Something else"]], "Other");
    const r = await cli("push", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(0);
    expect(h.server.calls.map((c) => c.method)).toEqual(["spreadsheets.get", "spreadsheets.batchUpdate", "values.batchUpdate"]);
    expect(ss.grid("Deals")).toEqual([
      ["Deal ID", "Deal", "Stage", "Value", "Owner"],
      ["D-000001", "Acme renewal", "Proposal", 1200, "Ana"],
      ["D-000002", "Beta pilot", "Meeting", 800, "Bo"],
    ]);
    expect(ss.grid("Other")).toEqual([["Something else"]]);
    expect(read(csv)).toBe(DEALS);
    expect(existsSync(join(dir, ".deals.csv.pipesheet-sync.json"))).toBe(true);
  });

  it("gives rows without a Deal ID one, on both sides, and the same ones on the next run", async () => {
    const csv = file("deals.csv", "Deal,Stage,Value\nAcme,Proposal,1200\nBeta,Meeting,800\n");
    const ss = sheet("S1", []);
    expect((await cli("push", csv, "gsheet:S1#Deals")).code).toBe(0);
    expect(read(csv)).toBe("Deal,Stage,Value,Deal ID\nAcme,Proposal,1200,D-000001\nBeta,Meeting,800,D-000002\n");
    expect(ss.grid("Deals").map((r) => r[3])).toEqual(["Deal ID", "D-000001", "D-000002"]);
    h.server.resetCounts();
    const again = await cli("sync", csv, "gsheet:S1#Deals");
    expect(again.code).toBe(0);
    expect(writes()).toEqual([]);
    expect(again.stdout).toMatch(/deals\.csv: no changes\n.*gsheet:S1#Deals: no changes/s);
  });

  it("pull brings the sheet's edits into the CSV and keeps the CSV's own edits", async () => {
    const csv = file("deals.csv", DEALS);
    const ss = sheet("S1", []);
    await cli("push", csv, "gsheet:S1#Deals");
    ss.sheet("Deals").set(1, 3, 1500); // the sheet changes Acme's value
    writeFileSync(csv, DEALS.replace("Beta pilot", "Beta pilot (EU)")); // the CSV renames Beta
    h.server.resetCounts();
    const r = await cli("pull", "gsheet:S1#Deals", csv);
    expect(r.code).toBe(0);
    expect(read(csv)).toBe(DEALS.replace("Beta pilot", "Beta pilot (EU)").replace("1200", "1500"));
    expect(ss.grid("Deals")[2]?.[1]).toBe("Beta pilot"); // pull writes nothing back but IDs
    expect(writes()).toEqual([]);
  });

  it("exports CSV with formula-like text neutralised and numbers kept as numbers", async () => {
    sheet("S1", [
      ["Deal ID", "Deal", "Value", "Note"],
      ["D-1", "=HYPERLINK(\"http://evil\",\"x\")", -1200, "+1 555 0100"],
      ["D-2", "@SUM(A1)", "-3.5", "\tleading tab"],
      ["D-3", "-not a number", 12500, "\rcarriage"],
    ]);
    const csv = file("out.csv");
    expect((await cli("pull", "gsheet:S1#Deals", csv)).code).toBe(0);
    expect(read(csv).split("\r\n")).toEqual([
      "Deal ID,Deal,Value,Note",
      `D-1,"'=HYPERLINK(""http://evil"",""x"")",-1200,'+1 555 0100`,
      "D-2,'@SUM(A1),-3.5,'\tleading tab",
      `D-3,'-not a number,12500,"'\rcarriage"`,
      "",
    ]);
    // Read back by the next sync, the apostrophes are not mistaken for edits.
    h.server.resetCounts();
    const again = await cli("sync", csv, "gsheet:S1#Deals");
    expect(again.code).toBe(0);
    expect(writes()).toEqual([]);
  });

  it("imports a HubSpot export into the team's own columns by meaning, adding the rest", async () => {
    const ours = file("deals.csv", "Deal ID,Deal,Stage,Value\r\nD-000001,Acme renewal,Proposal,1200\r\n");
    const hubspot = file("hubspot.csv", "Record ID,Deal Name,Deal Stage,Amount,Pipeline\r\nD-000001,Acme renewal,Negotiation,1300,Sales\r\n9001,Gamma,Prospect,500,Sales\r\n");
    // Never synced before, so the deal both have differs in two cells: conflicts, each side keeps its value.
    const first = await cli("pull", hubspot, ours);
    expect(first.code).toBe(10);
    expect(first.stdout).toMatch(/D-000001 {2}Deal Stage: last synced \(none\), .*hubspot\.csv "Negotiation", .*deals\.csv "Proposal"/);
    expect(first.stderr).toMatch(/2 conflicts wait for a person \(listed in .*deals\.conflicts\.csv\)/);
    expect(read(ours)).toBe("Deal ID,Deal,Stage,Value,Pipeline\r\nD-000001,Acme renewal,Proposal,1200,Sales\r\n9001,Gamma,Prospect,500,Sales\r\n");
    // The team says the CRM is right.
    const settled = await cli("pull", hubspot, ours, "--prefer", "first");
    expect(settled.code).toBe(0);
    expect(read(ours)).toBe("Deal ID,Deal,Stage,Value,Pipeline\r\nD-000001,Acme renewal,Negotiation,1300,Sales\r\n9001,Gamma,Prospect,500,Sales\r\n");
    expect(read(hubspot)).toBe("Record ID,Deal Name,Deal Stage,Amount,Pipeline\r\nD-000001,Acme renewal,Negotiation,1300,Sales\r\n9001,Gamma,Prospect,500,Sales\r\n");
  });
});

describe("two-way sync", () => {
  async function synced(): Promise<{ csv: string; ss: FakeSpreadsheet }> {
    const csv = file("deals.csv", DEALS);
    const ss = sheet("S1", []);
    expect((await cli("sync", csv, "gsheet:S1#Deals")).code).toBe(0);
    h.server.resetCounts();
    return { csv, ss };
  }

  it("carries edits both ways and adds new rows on either side", async () => {
    const { csv, ss } = await synced();
    writeFileSync(csv, `${DEALS.replace("Ana", "Ana K.")}D-000003,Gamma,Prospecting,300,Cy\r\n`);
    ss.sheet("Deals").set(2, 3, 950);
    ss.sheet("Deals").set(3, 0, "D-000004");
    ss.sheet("Deals").set(3, 1, "Delta");
    const r = await cli("sync", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(0);
    expect(read(csv)).toBe("Deal ID,Deal,Stage,Value,Owner\r\nD-000001,Acme renewal,Proposal,1200,Ana K.\r\nD-000002,Beta pilot,Meeting,950,Bo\r\nD-000003,Gamma,Prospecting,300,Cy\r\nD-000004,Delta,,,\r\n");
    expect(ss.grid("Deals")).toEqual([
      ["Deal ID", "Deal", "Stage", "Value", "Owner"],
      ["D-000001", "Acme renewal", "Proposal", 1200, "Ana K."],
      ["D-000002", "Beta pilot", "Meeting", 950, "Bo"],
      ["D-000004", "Delta"],
      ["D-000003", "Gamma", "Prospecting", 300, "Cy"],
    ]);
  });

  it("keeps both values of a cell changed on both sides, lists them, and exits 10 until a person settles it", async () => {
    const { csv, ss } = await synced();
    writeFileSync(csv, DEALS.replace("1200", "1300"));
    ss.sheet("Deals").set(1, 3, 1400);
    const r = await cli("sync", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/! D-000001 {2}Value: last synced "1200", .*deals\.csv "1300", gsheet:S1#Deals "1400"/);
    expect(r.stderr).toMatch(/1 conflict waits for a person \(listed in .*deals\.conflicts\.csv\); everything else is in sync/);
    expect(read(csv)).toContain("D-000001,Acme renewal,Proposal,1300,Ana");
    expect(ss.grid("Deals")[1]?.[3]).toBe(1400);
    const conflicts = read(join(dir, "deals.conflicts.csv")).split("\r\n");
    expect(conflicts[0]).toBe(`Deal ID,Column,Last synced value,${csv},gsheet:S1#Deals,Found`);
    expect(conflicts[1]).toMatch(/^D-000001,Value,1200,1300,1400,\d{4}-\d\d-\d\d \d\d:\d\d$/);
    // Still a conflict next time; settled once both sides hold the same value.
    expect((await cli("sync", csv, "gsheet:S1#Deals")).code).toBe(10);
    ss.sheet("Deals").set(1, 3, 1300);
    const settled = await cli("sync", csv, "gsheet:S1#Deals");
    expect(settled.code).toBe(0);
    expect(existsSync(join(dir, "deals.conflicts.csv"))).toBe(false);
  });

  it("--prefer second settles conflicts by taking the second side's value", async () => {
    const { csv, ss } = await synced();
    writeFileSync(csv, DEALS.replace("1200", "1300"));
    ss.sheet("Deals").set(1, 3, 1400);
    const r = await cli("sync", csv, "gsheet:S1#Deals", "--prefer", "second");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Conflicts settled by --prefer:\n.*D-000001.*-> took gsheet:S1#Deals/);
    expect(read(csv)).toContain("D-000001,Acme renewal,Proposal,1400,Ana");
  });

  it("reports a row deleted on one side and deletes it on the other only with --delete", async () => {
    const { csv, ss } = await synced();
    ss.sheet("Deals").deleteRows(2, 3);
    const r = await cli("sync", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Deleted on one side only.*\n {2}- D-000002 {2}deleted in gsheet:S1#Deals, still in .*deals\.csv/);
    expect(read(csv)).toBe(DEALS);
    expect(ss.grid("Deals")).toHaveLength(2); // not re-added
    const d = await cli("sync", csv, "gsheet:S1#Deals", "--delete");
    expect(d.code).toBe(0);
    expect(read(csv)).toBe("Deal ID,Deal,Stage,Value,Owner\r\nD-000001,Acme renewal,Proposal,1200,Ana\r\n");
    const state = JSON.parse(read(join(dir, ".deals.csv.pipesheet-sync.json"))) as { pairs: Record<string, { rows: [string, unknown][] }> };
    expect((Object.values(state.pairs)[0]?.rows ?? []).map((r) => r[0])).toEqual(["D-000001"]);
  });

  it("deletes a row in the Google Sheet with --delete, found again by its Deal ID", async () => {
    const { csv, ss } = await synced();
    writeFileSync(csv, "Deal ID,Deal,Stage,Value,Owner\r\nD-000002,Beta pilot,Meeting,800,Bo\r\n");
    // Someone inserts a row at the top of the sheet after pipesheet read it: the deletion must still hit D-000001 only.
    h.server.beforeEach = (call) => {
      // The re-read of the ID column just before deleting.
      if (call.method !== "values.batchGet" || !call.query.getAll("ranges").some((r) => r.endsWith("!A:A"))) return;
      const deals = ss.sheet("Deals");
      deals.insertRows(1, 1);
      deals.set(1, 0, "D-000009");
      deals.set(1, 1, "Typed in meanwhile");
    };
    const r = await cli("sync", csv, "gsheet:S1#Deals", "--delete");
    expect(r.code).toBe(0);
    expect(ss.grid("Deals")).toEqual([
      ["Deal ID", "Deal", "Stage", "Value", "Owner"],
      ["D-000009", "Typed in meanwhile"],
      ["D-000002", "Beta pilot", "Meeting", 800, "Bo"],
    ]);
  });

  it("--dry-run prints the changes and writes nothing anywhere", async () => {
    const { csv, ss } = await synced();
    writeFileSync(csv, DEALS.replace("Meeting", "Proposal"));
    ss.sheet("Deals").set(1, 4, "Ana K.");
    const stateBefore = read(join(dir, ".deals.csv.pipesheet-sync.json"));
    const gridBefore = JSON.stringify(ss.grid("Deals"));
    const r = await cli("sync", csv, "gsheet:S1#Deals", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(dry run: nothing written\)/);
    expect(r.stdout).toMatch(/~ .*deals\.csv {2}D-000001 {2}Owner: "Ana" -> "Ana K\."/);
    expect(r.stdout).toMatch(/~ gsheet:S1#Deals {2}D-000002 {2}Stage: "Meeting" -> "Proposal"/);
    expect(writes()).toEqual([]);
    expect(read(csv)).toBe(DEALS.replace("Meeting", "Proposal"));
    expect(read(join(dir, ".deals.csv.pipesheet-sync.json"))).toBe(stateBefore);
    expect(JSON.stringify(ss.grid("Deals"))).toBe(gridBefore);
  });

  it("stamps Stage entered and logs a stage change it writes into the sheet", async () => {
    const csv = file("deals.csv", "Deal ID,Deal,Stage,Value,Stage entered\r\nD-000001,Acme,Proposal,1200,2026-10-01\r\n");
    const ss = sheet("S1", []);
    await cli("sync", csv, "gsheet:S1#Deals");
    writeFileSync(csv, "Deal ID,Deal,Stage,Value,Stage entered\r\nD-000001,Acme,Negotiation,1200,2026-10-01\r\n");
    const r = await cli("sync", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/gsheet:S1#Deals: 1 cell changed, 1 stage change stamped, 1 log row/);
    expect(ss.grid("Deals")[1]).toEqual(["D-000001", "Acme", "Negotiation", 1200, 46352]);
    expect(ss.sheet("Deals").formats.get("1,4")?.numberFormat).toEqual({ type: "DATE", pattern: "yyyy-mm-dd" });
    expect(ss.sheet("Pipeline Log").props.hidden).toBe(true);
    expect(ss.grid("Pipeline Log")).toEqual([
      ["Deal ID", "From", "To", "When", "By", "Value", "Close", "Owner", "Outcome", "Logged"],
      ["D-000001", "Proposal", "Negotiation", 46352, "sync"],
    ]);
    // The CSV gets the same stamp, so both sides agree and the next run has nothing to do.
    expect(read(csv)).toBe("Deal ID,Deal,Stage,Value,Stage entered\r\nD-000001,Acme,Negotiation,1200,2026-11-26\r\n");
    h.server.resetCounts();
    expect((await cli("sync", csv, "gsheet:S1#Deals")).code).toBe(0);
    expect(writes()).toEqual([]);
  });

  it("matches rows without IDs that are the same on both sides instead of doubling them", async () => {
    const text = "Deal,Stage,Value\nAcme,Proposal,1200\nBeta,Meeting,800\n";
    const csv = file("deals.csv", text);
    const ss = sheet("S1", [["Deal", "Stage", "Value"], ["Acme", "Proposal", 1200], ["Beta", "Meeting", 800], ["Gamma", "Won", 5]]);
    const r = await cli("sync", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(0);
    expect(read(csv)).toBe("Deal,Stage,Value,Deal ID\nAcme,Proposal,1200,D-000001\nBeta,Meeting,800,D-000002\nGamma,Won,5,D-000003\n");
    expect(ss.grid("Deals").map((row) => row[3])).toEqual(["Deal ID", "D-000001", "D-000002", "D-000003"]);
  });
});

describe("two Google Sheets, and --json", () => {
  it("syncs two spreadsheets, keeping the state in pipesheet's config folder", async () => {
    const a = sheet("A1", [["Deal ID", "Deal", "Stage"], ["D-000001", "Acme", "Won"]]);
    const b = sheet("B1", [["Deal ID", "Deal", "Stage"], ["D-000002", "Beta", "Lost"]]);
    const r = await cli("sync", "gsheet:A1#Deals", "gsheet:B1#Deals");
    expect(r.code).toBe(0);
    expect(a.grid("Deals")).toEqual([["Deal ID", "Deal", "Stage"], ["D-000001", "Acme", "Won"], ["D-000002", "Beta", "Lost"]]);
    expect(b.grid("Deals")).toEqual([["Deal ID", "Deal", "Stage"], ["D-000002", "Beta", "Lost"], ["D-000001", "Acme", "Won"]]);
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(join(h.env.PIPESHEET_CONFIG_DIR as string, "sync")).some((f) => f.endsWith(".pipesheet-sync.json"))).toBe(true);
  });

  it("prints one JSON document: the report, with the error in it when conflicts remain", async () => {
    const csv = file("deals.csv", DEALS);
    const ss = sheet("S1", []);
    await cli("sync", csv, "gsheet:S1#Deals");
    writeFileSync(csv, DEALS.replace("1200", "1300"));
    ss.sheet("Deals").set(1, 3, 1400);
    const r = await cli("sync", csv, "gsheet:S1#Deals", "--json");
    expect(r.code).toBe(10);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report.conflicts).toEqual([expect.objectContaining({ id: "D-000001", column: "Value", base: "1200", a: "1300", b: "1400" })]);
    expect(report.error).toEqual(expect.objectContaining({ code: "CONFLICTS", exitCode: 10 }));
  });
});

describe("refused, with nothing written", () => {
  it("a header that changed since the last sync", async () => {
    const csv = file("deals.csv", DEALS);
    const ss = sheet("S1", []);
    await cli("sync", csv, "gsheet:S1#Deals");
    ss.sheet("Deals").set(0, 4, "Account owner");
    ss.sheet("Deals").set(1, 1, "changed");
    writeFileSync(csv, DEALS.replace("800", "900"));
    const grid = JSON.stringify(ss.grid("Deals"));
    h.server.resetCounts();
    const r = await cli("sync", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/the header row of gsheet:S1#Deals changed since the last sync \(added "Account owner"; removed or renamed "Owner"\).*Nothing was written.*--accept-header/);
    expect(writes()).toEqual([]);
    expect(read(csv)).toBe(DEALS.replace("800", "900"));
    expect(JSON.stringify(ss.grid("Deals"))).toBe(grid);
    const accepted = await cli("sync", csv, "gsheet:S1#Deals", "--accept-header");
    expect(accepted.code).toBe(0);
  });

  it("a repeated Deal ID", async () => {
    const csv = file("deals.csv", `${DEALS}D-000001,Copy of Acme,Won,1,Ana\r\n`);
    const ss = sheet("S1", []);
    const r = await cli("push", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/has the same Deal ID on more than one row \("D-000001" on rows 2 and 4\).*Nothing was written/);
    expect(writes()).toEqual([]);
    expect(ss.sheets.map((s) => s.props.title)).toEqual(["Deals"]);
    expect(existsSync(join(dir, ".deals.csv.pipesheet-sync.json"))).toBe(false);
  });

  it("a CSV with a malformed quote", async () => {
    const csv = file("deals.csv", 'Deal ID,Deal,Stage\r\nD-1,"Acme, Inc,Won\r\nD-2,Beta,Lost\r\n');
    sheet("S1", []);
    const r = await cli("push", csv, "gsheet:S1#Deals");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/deals\.csv line 2: a quoted field is never closed/);
    expect(writes()).toEqual([]);
  });
});

describe(".xlsx sides", () => {
  it("pulls a Google Sheet into a new workbook", async () => {
    sheet("S1", [["Deal ID", "Deal", "Value", "Close date"], ["D-000001", "Acme", 1200, "2026-12-01"]]);
    const book = file("new.xlsx");
    const r = await cli("pull", "gsheet:S1#Deals", `${book}#Pipeline`);
    expect(r.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(book);
    const ws = wb.getWorksheet("Pipeline") as ExcelJS.Worksheet;
    expect(ws.getRow(1).values).toEqual([undefined, "Deal ID", "Deal", "Value", "Close date"]);
    expect(ws.getCell("C2").value).toBe(1200);
    // An ISO day becomes a real date cell, shown the same way.
    expect(ws.getCell("D2").value).toEqual(new Date(Date.UTC(2026, 11, 1)));
    expect(ws.getCell("D2").numFmt).toBe("yyyy-mm-dd");
  });

  it("syncs a sheet of a workbook, typing cells and leaving the other sheets alone, and logs stage changes there", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRow(["Deal ID", "Deal", "Stage", "Value", "Stage entered"]);
    ws.addRow(["D-000001", "Acme", "Proposal", 1200, new Date(Date.UTC(2026, 9, 1))]);
    ws.getCell("E2").numFmt = "yyyy-mm-dd";
    const notes = wb.addWorksheet("Notes");
    notes.getCell("A1").value = { formula: "1+1", result: 2 };
    const book = file("book.xlsx");
    await wb.xlsx.writeFile(book);
    const csv = file("deals.csv");
    expect((await cli("sync", `${book}#Deals`, csv)).code).toBe(0);
    expect(read(csv)).toBe("Deal ID,Deal,Stage,Value,Stage entered\r\nD-000001,Acme,Proposal,1200,2026-10-01\r\n");
    writeFileSync(csv, "Deal ID,Deal,Stage,Value,Stage entered\r\nD-000001,Acme,Won,1250,2026-10-01\r\nD-000002,Beta,Meeting,80,\r\n");
    expect((await cli("sync", `${book}#Deals`, csv)).code).toBe(0);
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(book);
    const d = back.getWorksheet("Deals") as ExcelJS.Worksheet;
    expect(d.getCell("C2").value).toBe("Won");
    expect(d.getCell("D2").value).toBe(1250);
    expect((d.getCell("E2").value as Date).toISOString().slice(0, 10)).toBe(TODAY);
    expect(d.getCell("B3").value).toBe("Beta");
    expect(d.getCell("D3").value).toBe(80);
    expect((back.getWorksheet("Notes") as ExcelJS.Worksheet).getCell("A1").value).toEqual({ formula: "1+1", result: 2 });
    const log = back.getWorksheet("Pipeline Log") as ExcelJS.Worksheet;
    expect(log.state).toBe("hidden");
    expect(log.getRow(2).values).toEqual([undefined, "D-000001", "Proposal", "Won", TODAY, "sync"]);
  });

  it("syncs a workbook holding the team's own chart, every part of the chart kept as it was", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRow(["Deal ID", "Deal", "Stage", "Value"]);
    ws.addRow(["D-000001", "Acme", "Proposal", 1200]);
    const plain = new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    // A chart of the team's own: drawn with the same parts Excel writes, under a name that is not pipesheet's.
    const charted = await addCharts(plain, [{ sheet: "Deals", spec: { type: "bar", title: "Values", categories: "B2:B2", values: "D2:D2", anchor: "F2" } }]);
    const zip = await JSZip.loadAsync(charted);
    const drawing = (await zip.file("xl/drawings/drawing1.xml")?.async("string")) ?? "";
    zip.file("xl/drawings/drawing1.xml", drawing.replace('name="pipesheet:review"', 'name="Chart 1"'));
    const book = file("charted.xlsx");
    writeFileSync(book, await zip.generateAsync({ type: "uint8array" }));
    const before = await JSZip.loadAsync(readFileSync(book));
    const csv = file("deals.csv", "Deal ID,Deal,Stage,Value\r\nD-000001,Acme,Proposal,1200\r\nD-000002,Beta,Meeting,800\r\n");
    const r = await cli("sync", `${book}#Deals`, csv);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const after = await JSZip.loadAsync(readFileSync(book));
    for (const part of ["xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/drawings/_rels/drawing1.xml.rels", "xl/worksheets/_rels/sheet1.xml.rels"])
      expect(await after.file(part)?.async("string"), part).toBe(await before.file(part)?.async("string"));
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(book);
    expect((back.getWorksheet("Deals") as ExcelJS.Worksheet).getRow(3).values).toEqual([undefined, "D-000002", "Beta", "Meeting", 800]);
    expect(read(csv)).toBe("Deal ID,Deal,Stage,Value\r\nD-000001,Acme,Proposal,1200\r\nD-000002,Beta,Meeting,800\r\n");
  });
});
