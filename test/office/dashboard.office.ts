// LibreOffice opens the review dashboard the CLI writes, with its tables, both charts and the links: the workbook is
// converted by soffice to a new .xlsx, which holds only what LibreOffice understood, and read back.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBookParts, readReviewLayout, splitRef, type ReviewLayout } from "../helpers/xlsx-review-layout.js";
import { ROOT, runCli, tempDir } from "../cli-harness.js";

const dir = await tempDir();
const TODAY = "2026-11-26";

/** soffice --headless --convert-to xlsx into a folder of its own (the output keeps the input's name). */
async function throughLibreOffice(file: string): Promise<string> {
  const outdir = join(dir, "libreoffice");
  await mkdir(outdir, { recursive: true });
  execFileSync("soffice", [`-env:UserInstallation=file://${join(dir, "profile")}`, "--headless", "--convert-to", "xlsx", "--outdir", outdir, file], { stdio: "pipe", timeout: 120_000 });
  const out = join(outdir, file.replace(/^.*\//, ""));
  expect(existsSync(out), out).toBe(true);
  return out;
}

const tableMap = (l: ReviewLayout): Map<string, { ref: string; columns: string[] }> => new Map(l.tables.map((t) => [t.name, { ref: t.ref, columns: t.columns }]));
const chartView = (l: ReviewLayout): unknown[] =>
  l.charts.map((c) => ({ name: c.name, col: c.col, row: c.row, barDir: c.barDir, catOrientation: c.catOrientation, categories: splitRef(c.categories), values: splitRef(c.values) }));

describe("LibreOffice and the review dashboard", () => {
  it("opens the review workbook from a CSV and from the team's workbook with every table, both charts and the links", async () => {
    const fromCsv = join(dir, "dashboard-csv.xlsx");
    expect((await runCli(["review", join(ROOT, "samples", "pipeline.csv"), "--today", TODAY, "--out", fromCsv])).code).toBe(0);
    const team = join(dir, "dashboard-team.xlsx");
    await copyFile(join(ROOT, "test", "fixtures", "workbooks", "team.xlsx"), team);
    expect((await runCli(["review", team, "--today", TODAY, "--in-place"])).code).toBe(0);

    for (const book of [fromCsv, team]) {
      const ours = await readReviewLayout(await readBookParts(book), "Pipeline Review");
      const back = await readReviewLayout(await readBookParts(await throughLibreOffice(book)), "Pipeline Review");
      expect(ours.charts, book).toHaveLength(2);
      expect(ours.tables.length, book).toBeGreaterThanOrEqual(4);
      // What LibreOffice read is what pipesheet wrote: the same charts at the same cells on the same ranges,
      expect(chartView(back), book).toEqual(chartView(ours));
      // the same tables by name, range and column,
      expect(tableMap(back), book).toEqual(tableMap(ours));
      // and every link to the same place.
      const links = (l: ReviewLayout): Map<string, string> => new Map(l.links.map((x) => [x.ref, x.location]));
      expect(links(ours).size, book).toBeGreaterThan(5);
      expect(links(back), book).toEqual(links(ours));
    }
  });
});
