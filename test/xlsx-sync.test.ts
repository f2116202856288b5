// sync on a workbook another program made (openpyxl: comments, a table, a chart, an image, protection, a hidden
// sheet): it is no longer refused, and every part sync does not write is byte for byte the same afterwards.
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./cli-harness.js";
import { fileEntries } from "./zip-entries.js";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.stop();
});

describe("sync on a workbook made by openpyxl", () => {
  it("writes the Deal IDs it adds and nothing else of the team's", async () => {
    const dir = mkdtempSync(join(h.dir, "xlsx-sync-"));
    const book = join(dir, "team.xlsx");
    copyFileSync(join(ROOT, "test", "fixtures", "workbooks", "team.xlsx"), book);
    const csv = join(dir, "deals.csv");
    const before = await fileEntries(book);
    const r = await runInProcess(["sync", `${book}#Deals`, csv, "--key", h.keyFile, "--today", "2026-11-26"], h.env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(csv)).toBe(true);
    const lines = readFileSync(csv, "utf8").trim().split(/\r?\n/);
    expect(lines[0]).toContain("Deal ID");
    expect(lines[1]).toContain("D-000001");
    const after = await fileEntries(book);
    const changed = [...before.keys()].filter((n) => !after.get(n)?.raw.equals(before.get(n)?.raw as Buffer)).sort();
    // The deals sheet (sheet2) gets its Deal ID column; the texts go to a shared-string table of its own.
    expect(changed).toEqual(["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet2.xml"]);
    const sheet = after.get("xl/worksheets/sheet2.xml")?.text ?? "";
    const old = before.get("xl/worksheets/sheet2.xml")?.text ?? "";
    // Every cell of the team's is there as it was written.
    const teamCells = old.match(/<c [^>]*(?:\/>|>.*?<\/c>)/g) ?? [];
    expect(teamCells.length).toBeGreaterThan(80);
    for (const cell of teamCells) expect(sheet).toContain(cell);
    for (const part of ["xl/comments/comment1.xml", "xl/tables/table1.xml", "xl/media/image1.png"]) expect(after.get(part)?.raw.equals(before.get(part)?.raw as Buffer), part).toBe(true);
  });
});
