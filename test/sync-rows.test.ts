// Which rows sync touches: deleting rows in a workbook is refused for that side (listed, row by row, for a
// person to do in Excel, which shifts the references), while a CSV side still gets them deleted.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { runInProcess } from "./fakes/sheets-api/harness.js";
import { syncSandbox } from "./helpers/sync-sandbox.js";

const box = syncSandbox("rows");
const { fresh, sync } = box;

const DEALS = ["Deal ID,Deal,Stage,Value", "D-000001,Acme,Proposal,1200", "D-000002,Beta,Meeting,800", "D-000003,Gamma,Won,300", "D-000004,Delta,Lost,50", ""].join("\r\n");

/** A workbook like a team keeps: a commission formula beside each deal, another sheet pointing at a deal. */
async function teamBook(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Deals");
  for (const line of DEALS.trim().split("\r\n")) ws.addRow(line.split(",").map((v, i) => (i === 3 && /^\d+$/.test(v) ? Number(v) : v)));
  ws.getCell("F1").value = "Commission";
  for (let r = 2; r <= 5; r++) ws.getCell(`F${r}`).value = { formula: `D${r}*0.1` };
  const other = wb.addWorksheet("Summary");
  other.getCell("A1").value = { formula: "Deals!D4" };
  await wb.xlsx.writeFile(path);
}

describe("--delete on a workbook side", () => {
  it("is refused for the workbook, with its rows listed; everything else syncs; the CSV side still deletes", async () => {
    const d = fresh();
    const csv = join(d, "deals.csv");
    const book = join(d, "book.xlsx");
    writeFileSync(csv, DEALS);
    await teamBook(book);
    expect((await sync(csv, `${book}#Deals`)).code).toBe(0);
    // The CSV loses Gamma (row 4 of the workbook); the workbook loses Delta; the CSV also edits Acme.
    const synced = readFileSync(csv, "utf8");
    writeFileSync(csv, synced.replace(/D-000003,Gamma,Won,300[^\r]*\r\n/, "").replace("Acme,Proposal", "Acme,Negotiation"));
    const wb0 = new ExcelJS.Workbook();
    await wb0.xlsx.readFile(book);
    (wb0.getWorksheet("Deals") as ExcelJS.Worksheet).spliceRows(5, 1);
    await wb0.xlsx.writeFile(book);
    const r = await sync(csv, `${book}#Deals`, "--delete");
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain(
      `Not deleted in ${book}#Deals (--delete): pipesheet does not delete rows in a workbook (${book}#Deals): its formulas, names, validations and merged ranges would point at the wrong deal. Delete these rows there yourself (Excel shifts the references), then run again:\n  - row 4  D-000003  deleted in ${csv}`,
    );
    // The workbook keeps Gamma and its formulas; Acme's edit went across. The CSV lost Delta.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(book);
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    expect(ws.getCell("B4").value).toBe("Gamma");
    expect(ws.getCell("C2").value).toBe("Negotiation");
    expect((ws.getCell("F4").value as { formula: string }).formula).toBe("D4*0.1");
    expect(((wb.getWorksheet("Summary") as ExcelJS.Worksheet).getCell("A1").value as { formula: string }).formula).toBe("Deals!D4");
    expect(readFileSync(csv, "utf8")).not.toContain("Delta");
    // Still listed on the next run (it waits for a person) and in --json.
    const again = await sync(csv, `${book}#Deals`, "--delete", "--json");
    const report = JSON.parse(again.stdout) as { deletions: { id: string; propagated: boolean; refused?: string; row?: number }[] };
    expect(report.deletions).toEqual([{ id: "D-000003", deletedIn: "a", propagated: false, refused: expect.stringMatching(/does not delete rows in a workbook/) as unknown as string, row: 4 }]);
    // Once the team deletes it in Excel, both agree and it is gone from the state.
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.readFile(book);
    (wb2.getWorksheet("Deals") as ExcelJS.Worksheet).spliceRows(4, 1);
    await wb2.xlsx.writeFile(book);
    const done = await sync(csv, `${book}#Deals`, "--delete", "--json");
    expect((JSON.parse(done.stdout) as { deletions: unknown[] }).deletions).toEqual([]);
    const state = readFileSync(join(d, ".book.xlsx.pipesheet-sync.json"), "utf8");
    expect(state).not.toContain("D-000003");
  });
});

describe("only deals are synced", () => {
  const TEAM = [
    "Deal,Stage,Value,Owner,Notes",
    "Open deals,,,,",
    "Deal,Stage,Value,Owner,Notes",
    "Acme,Proposal,1200,Ana,",
    "Beta,Meeting,800,Bo,",
    ",,,,call everyone back on Monday",
    "Closed deals,,,,",
    "Deal,Stage,Value,Owner,Notes",
    "Gamma,Won,300,Cy,",
    "Total,,2300,,",
    "",
  ].join("\n");

  it("a totals row, repeated headers, group titles and notes get no Deal ID, do not go across, and stay as they are", async () => {
    const d = fresh();
    const team = join(d, "team.csv");
    const other = join(d, "other.csv");
    writeFileSync(team, TEAM);
    const r = await sync(team, other);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain(
      `Note: ${team} has a totals row (row 10), 2 repeated header rows (rows 3, 8), 2 group titles (rows 2, 7), a note row (row 6): not deals, so not synced and left as they are`,
    );
    const lines = readFileSync(team, "utf8").split("\n");
    expect(lines).toEqual([
      "Deal,Stage,Value,Owner,Notes,Deal ID",
      "Open deals,,,,",
      "Deal,Stage,Value,Owner,Notes",
      "Acme,Proposal,1200,Ana,,D-000001",
      "Beta,Meeting,800,Bo,,D-000002",
      ",,,,call everyone back on Monday",
      "Closed deals,,,,",
      "Deal,Stage,Value,Owner,Notes",
      "Gamma,Won,300,Cy,,D-000003",
      "Total,,2300,,",
      "",
    ]);
    expect(readFileSync(other, "utf8")).toBe("Deal,Stage,Value,Owner,Notes,Deal ID\r\nAcme,Proposal,1200,Ana,,D-000001\r\nBeta,Meeting,800,Bo,,D-000002\r\nGamma,Won,300,Cy,,D-000003\r\n");
    // A deal added on the other side goes in under the last deal, above the totals row.
    writeFileSync(other, `${readFileSync(other, "utf8")}Delta,Lead,50,Di,,\r\n`);
    expect((await sync(team, other)).code).toBe(0);
    expect(readFileSync(team, "utf8").split("\n").slice(8)).toEqual(["Gamma,Won,300,Cy,,D-000003", "Delta,Lead,50,Di,,D-000004", "Total,,2300,,", ""]);
  });

  it("a totals row in a Google Sheet gets no Deal ID either", async () => {
    const ss = box.harness().server.create("R1");
    ss.addSheet("Deals", [
      ["Deal", "Stage", "Value"],
      ["Acme", "Proposal", 1200],
      ["Total", "", 1200],
    ]);
    const d = fresh();
    const csv = join(d, "deals.csv");
    const r = await runInProcess(["sync", csv, "gsheet:R1#Deals", "--key", box.harness().keyFile, "--today", "2026-11-26"], box.harness().env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(ss.grid("Deals")).toEqual([
      ["Deal", "Stage", "Value", "Deal ID"],
      ["Acme", "Proposal", 1200, "D-000001"],
      ["Total", null, 1200],
    ]);
    expect(readFileSync(csv, "utf8")).toBe("Deal,Stage,Value,Deal ID\r\nAcme,Proposal,1200,D-000001\r\n");
  });
});
