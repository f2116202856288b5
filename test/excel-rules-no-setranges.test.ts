// pipesheet's stuck rule in an Excel without ConditionalFormat.setRanges (ExcelApi below 1.17), through the strict
// fake: it must still cover the deals when the sheet grows or the team adds a column, without touching the
// team's rules, and without ever calling setRanges (the fake refuses it below 1.17, as Excel has no such method).
import { describe, expect, it } from "vitest";
import { samplePipeline } from "../samples/generate.js";
import { discover, runCommand, type CommandResult } from "../excel-addin/adapter/command.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";
import type { CfModel } from "./fakes/excel/model.js";

const BELOW_1_17 = { apiSets: { ExcelApi: "1.16" } };
const LAST_ROW = 1_048_575;

async function command(m: WorkbookModel, name: "setup" | "score" | "review"): Promise<CommandResult> {
  const host = hostFor(m);
  const d = await discover(host);
  m.resetStats();
  return runCommand(host, { command: name, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: "2026-11-26" });
}

const own = (m: WorkbookModel): CfModel[] => m.sheet("Deals")?.cfs.filter((cf) => cf.formula.includes("pipesheet:")) ?? [];
const theirs = (id: number, c0: number, c1: number): CfModel => ({ id, rect: { r0: 1, c0, r1: 60, c1 }, type: "CellValue", formula: "=10000", operator: "GreaterThan", fill: "#00FF00", fontColor: null, stopIfTrue: false });

function workbook(rows: number): WorkbookModel {
  const m = newWorkbook(BELOW_1_17);
  m.load("Deals", samplePipeline().slice(0, rows + 1));
  return m;
}

/** The team adds a column of their own after pipesheet's, with a value in a few rows. */
function addTeamColumn(m: WorkbookModel): number {
  const deals = m.sheet("Deals");
  if (!deals) throw new Error("no sheet");
  const c = (deals.usedRect(true)?.c1 ?? 0) + 1;
  deals.write(0, c, "Region");
  for (let r = 1; r <= 5; r++) deals.write(r, c, "EMEA");
  return c;
}

describe("without setRanges (ExcelApi below 1.17)", () => {
  it("the fake has no setRanges there, so a rule move through it would fail", () => {
    expect(newWorkbook(BELOW_1_17).supports("ExcelApi", "1.17")).toBe(false);
  });

  it("adds its rule down to the sheet's last row, so the sheet can grow under it with no move", async () => {
    const m = workbook(60);
    await command(m, "setup");
    expect(own(m)).toHaveLength(1);
    const first = own(m)[0]!;
    expect(first.rect.r0).toBe(1);
    expect(first.rect.r1).toBe(LAST_ROW);
    const deals = m.sheet("Deals")!;
    const more = samplePipeline().slice(61, 901);
    more.forEach((row, i) => row.forEach((v, c) => v !== "" && deals.write(61 + i, c, v)));
    const r = await command(m, "score");
    expect(r.apply?.notes).toEqual([]);
    expect(own(m)).toEqual([{ ...first, formula: own(m)[0]!.formula }]);
    expect(own(m)[0]!.rect.r1).toBeGreaterThanOrEqual(900);
    // Same rule, no extra round trip: the read, the writes, the closing one (and the chart's, on review).
    expect(m.stats.syncs).toBe(r.syncs);
  });

  it("moves its rule onto a column the team added: deletes it, then adds it again, in one more round trip", async () => {
    const m = workbook(60);
    await command(m, "setup");
    const before = own(m)[0]!;
    const c = addTeamColumn(m);
    const quiet = await command(m, "score");
    const syncsWithMove = m.stats.syncs;
    expect(quiet.apply?.notes).toEqual([]);
    expect(own(m)).toHaveLength(1);
    expect(own(m)[0]!.rect).toEqual({ r0: 1, c0: 0, r1: LAST_ROW, c1: c });
    expect(own(m)[0]!.id).not.toBe(before.id);
    expect(own(m)[0]!.fill).toBe(before.fill);
    // Once moved, the next run leaves it where it is.
    await command(m, "score");
    expect(m.stats.syncs).toBe(syncsWithMove - 1);
    expect(own(m)[0]!.rect.c1).toBe(c);
  });

  it("a rule the team split by clearing formats across it is one rule over two areas; the next run makes it whole again", async () => {
    const m = workbook(60);
    await command(m, "setup");
    m.sheet("Deals")!.clear({ r0: 10, c0: 0, r1: 10, c1: 30 }, "Formats");
    expect(own(m).map((cf) => cf.id)).toHaveLength(2);
    expect(new Set(own(m).map((cf) => cf.id)).size).toBe(1);
    const r = await command(m, "score");
    expect(r.apply?.notes).toEqual([]);
    expect(own(m)).toHaveLength(1);
    expect(own(m)[0]!.rect).toMatchObject({ r0: 1, r1: LAST_ROW });
  });

  it("with a rule of the team's on its cells (delete gives ItemNotFound, office-js#5222): keeps its rule, updated, says so, and leaves the team's alone", async () => {
    const m = workbook(60);
    m.sheet("Deals")!.cfs.push(theirs(9001, 4, 4));
    await command(m, "setup");
    const before = own(m)[0]!;
    const team = { ...m.sheet("Deals")!.cfs.find((cf) => cf.id === 9001)! };
    addTeamColumn(m);
    const r = await command(m, "score");
    expect(r.apply?.notes.some((n) => /could not move pipesheet's stuck-deal highlight/.test(n))).toBe(true);
    expect(own(m)).toHaveLength(1);
    expect(own(m)[0]!.id).toBe(before.id);
    expect(own(m)[0]!.rect).toEqual(before.rect);
    expect(m.sheet("Deals")!.cfs).toContainEqual(team);
    // Events are back on: live stamping goes on after the refused delete.
    expect(m.eventsEnabled).toBe(true);
  });
});
