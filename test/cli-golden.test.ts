// Golden fixture: a small team sheet (test/fixtures/cli-golden/deals.csv) beside the owned cells and the review
// it must produce (expected.json). After an intended change, regenerate with:
//   UPDATE_GOLDEN=1 npx vitest run test/cli-golden.test.ts   (then read the diff before committing it)
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { headerMap, readBook, ROOT, runCli, tempDir, type CliRun } from "./cli-harness.js";

const FIXTURE = join(ROOT, "test", "fixtures", "cli-golden");
const OWNED = ["Deal ID", "Score", "Grade", "Score reasons", "Win likelihood", "Days in stage", "Stuck", "Next task"];

type Plain = string | number | boolean | null;
interface Golden {
  owned: Record<string, Plain[]>;
  review: Plain[][];
}

const plain = (v: ExcelJS.CellValue): Plain => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") return JSON.stringify(v);
  return v;
};

describe("golden: the team sheet in test/fixtures/cli-golden", () => {
  let run: CliRun;
  let wb: ExcelJS.Workbook;
  let actual: Golden;
  beforeAll(async () => {
    const dir = await tempDir();
    const out = join(dir, "golden.xlsx");
    run = await runCli(["review", join(FIXTURE, "deals.csv"), "--today", "2026-11-26", "--out", out]);
    wb = await readBook(out);
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(ws, 3);
    const owned: Golden["owned"] = {};
    for (const name of OWNED) {
      const col = h.get(name) as number;
      owned[name] = [];
      for (let r = 4; r <= 11; r++) owned[name].push(plain(ws.getRow(r).getCell(col).value));
    }
    const review: Plain[][] = [];
    (wb.getWorksheet("Pipeline Review") as ExcelJS.Worksheet).eachRow({ includeEmpty: true }, (row) => {
      const vals: Plain[] = [];
      row.eachCell({ includeEmpty: true }, (c) => vals.push(plain(c.value)));
      review.push(vals);
    });
    actual = { owned, review };
    if (process.env.UPDATE_GOLDEN === "1") await writeFile(join(FIXTURE, "expected.json"), `${JSON.stringify(actual, null, 1)}\n`);
  });

  it("exits 0", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  // Worked out by hand from the default settings (weights 40/30/30, points ÷ 3; A ≥ 75, B ≥ 50, C ≥ 25) and today 2026-11-26.
  it("scores, grades, days in stage and stuck verdicts are the hand-computed ones", () => {
    // The two closed deals (rows 3 and 4) are left blank: a won or lost deal needs no score or clock.
    expect(actual.owned.Score).toEqual([100, 47, null, null, 0, 0, 57, 0]);
    expect(actual.owned.Grade).toEqual(["A", "C", null, null, "D", "D", "B", "D"]);
    // Proposal since 10-01; Negotiation since 11-21; Upsell, the typo deal and Quiet one from their created
    // dates (11-01, 11-20, 11-25); Stalled since 08-01.
    expect(actual.owned["Days in stage"]).toEqual([56, 5, null, null, 25, 6, 1, 117]);
    expect(actual.owned.Stuck?.map((s) => (typeof s === "string" && s !== "" ? s.split(":")[0] : ""))).toEqual(["Stuck", "", "", "", "Stuck", "", "", "Cut loose"]);
    expect(actual.owned["Score reasons"]?.[1]).toBe("Need medium +27 · Budget no budget +0 · Authority influencer +20");
    expect(actual.owned["Deal ID"]?.every((id) => typeof id === "string" && /^D-\d+$/.test(id))).toBe(true);
    expect(new Set(actual.owned["Deal ID"]).size).toBe(8);
  });

  it("keeps the team's title rows and their own Notes column, neutralising nothing inside an .xlsx", () => {
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    expect(ws.getCell("A1").value).toBe("ACME pipeline export");
    expect(ws.getCell("N4").value).toBe("keep");
    expect(ws.getCell("N11").value).toBe("=cmd|' /C calc'!A0");
  });

  it("matches expected.json: the owned cells and the review tab", async () => {
    const expected = JSON.parse(await readFile(join(FIXTURE, "expected.json"), "utf8")) as Golden;
    expect(actual.owned).toEqual(expected.owned);
    expect(actual.review).toEqual(expected.review);
  });
});
