// A first run on exports shaped as the CRMs write them, through the real CLI: what the .xlsx holds and what
// `review --json` says must be what the team's own sheet means (day-first dates, European amounts, totals rows).
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBook, runCli, tempDir } from "./cli-harness.js";

/** A date cell as exceljs reads it back: the calendar day at midnight UTC. */
const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

describe("setup from a semicolon CSV with day-first dates and European amounts", () => {
  const csv = [
    "Deal;Phase;Betrag (€);Verantwortlich;Erstellt am;Abschlussdatum",
    "Stühle;Angebot;12.500,00 €;Anna Schmidt;01.03.2026;04.05.2026",
    "Tische;Gewonnen;9.900 €;Jonas Weber;15.03.2026;02.04.2026",
    "Lampen;Verloren;900 €;Anna Schmidt;03.02.2026;05.03.2026",
    ";;;;;",
    "Summe;;23.300 €;;;",
  ].join("\n");

  it("writes the dates in the order the column proves and the amounts in the column's convention, and skips the totals row", async () => {
    const dir = await tempDir();
    const file = join(dir, "deals.csv");
    await writeFile(file, csv);
    const out = join(dir, "managed.xlsx");
    const run = await runCli(["setup", file, "--out", out, "--today", "2026-06-01", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      summary: { deals: number; won: number; lost: number; skippedRows: Record<string, number>; currency: { code: string }; dates: { header: string; order: string; basis: string }[]; amounts: { decimal: string } };
    };
    expect(json.summary.deals).toBe(3);
    expect([json.summary.won, json.summary.lost]).toEqual([1, 1]);
    expect(json.summary.skippedRows).toMatchObject({ total: 1, blank: 1 });
    expect(json.summary.currency.code).toBe("EUR");
    expect(json.summary.amounts.decimal).toBe("comma");
    expect(json.summary.dates.map((d) => [d.header, d.order, d.basis])).toEqual([
      ["Erstellt am", "DMY", "values"],
      ["Abschlussdatum", "DMY", "other columns"],
    ]);
    const ws = (await readBook(out)).getWorksheet("Deals");
    // 04.05.2026 proves nothing by itself; the sheet's 15.03.2026 makes it the 4th of May.
    expect([ws?.getCell("E2").value, ws?.getCell("F2").value, ws?.getCell("F3").value]).toEqual([day("2026-03-01"), day("2026-05-04"), day("2026-04-02")]);
    expect([ws?.getCell("C2").value, ws?.getCell("C3").value]).toEqual([12500, 9900]);
  });
});

describe("a sheet without a Stage column", () => {
  it("exits 4, names the headers it saw and what to name, and writes nothing", async () => {
    const dir = await tempDir();
    const file = join(dir, "no-stage.csv");
    await writeFile(file, "Deal name,Amount,Owner\nAcme,1200,Ann\nBeta,300,Bo\n");
    const out = join(dir, "out.xlsx");
    const run = await runCli(["setup", file, "--out", out, "--today", "2026-06-01"]);
    expect(run.code).toBe(4);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("no Stage column in");
    expect(run.stderr).toContain("the header row (row 1) has Deal name, Amount, Owner");
    expect(run.stderr).toContain('name the column with each deal\'s stage "Stage"');
    await expect(stat(out)).rejects.toThrow();
  });
});
