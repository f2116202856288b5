// The review's tables when the workbook already has a table of the team's with one of their names: Excel table
// names are unique workbook-wide and case-insensitive, so naming pipesheet's table that way fails. The strict
// fake refuses it as Excel does; the add-in picks a free name and leaves the team's table alone.
import { describe, expect, it } from "vitest";
import { samplePipeline } from "../samples/generate.js";
import { discover, runCommand, type CommandResult } from "../excel-addin/adapter/command.js";
import { tableNames } from "../excel-addin/adapter/apply.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";

async function command(m: WorkbookModel, name: "setup" | "review"): Promise<CommandResult> {
  const host = hostFor(m);
  const d = await discover(host);
  return runCommand(host, { command: name, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: "2026-11-26" });
}

/** A workbook whose Targets tab holds the team's tables "PIPESHEETSTAGES" (pipesheet's name, other case) and "Table1". */
function withTeamTables(): WorkbookModel {
  const m = newWorkbook();
  m.load("Deals", samplePipeline().slice(0, 61));
  const targets = m.load("Targets", [
    ["Stage", "Target"],
    ["Proposal", 10],
    [""],
    ["Quarter", "Goal"],
    ["Q4", 5],
  ]);
  targets.tables.push({ name: "PIPESHEETSTAGES", rect: { r0: 0, c0: 0, r1: 1, c1: 1 } }, { name: "Table1", rect: { r0: 3, c0: 0, r1: 4, c1: 1 } });
  return m;
}

const allTables = (m: WorkbookModel): { sheet: string; name: string; rect: unknown }[] =>
  m.sheets.flatMap((s) => s.tables.map((t) => ({ sheet: s.name, name: t.name, rect: t.rect })));

describe("review tables beside the team's", () => {
  it("the fake refuses a table name another table has, whatever the case, as Excel does", async () => {
    const m = withTeamTables();
    const host = hostFor(m);
    await expect(
      host.run(async (ctx) => {
        const t = ctx.workbook.worksheets.getItem("Deals").tables.add("Deals!A1:B3", true);
        t.name = "PipesheetStages";
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: "InvalidArgument" });
  });

  it("review names its stage table PipesheetStages_2 and leaves the team's tables as they were, run after run", async () => {
    const m = withTeamTables();
    const team = allTables(m);
    await command(m, "setup");
    const first = await command(m, "review");
    expect(first.apply?.notes ?? []).toEqual([]);
    const review = m.sheet("Pipeline Review")?.tables.map((t) => t.name) ?? [];
    expect(review).toContain("PipesheetStages_2");
    expect(review.filter((n) => n.toLowerCase() === "pipesheetstages")).toEqual([]);
    for (const t of team) expect(allTables(m)).toContainEqual(t);
    await command(m, "review");
    expect(m.sheet("Pipeline Review")?.tables.map((t) => t.name).sort()).toEqual([...review].sort());
    expect(allTables(m).filter((t) => t.sheet === "Targets")).toEqual(team);
  });

  it("picks each name free of the team's and of the others it picks", () => {
    expect(tableNames([{ name: "PipesheetStages" }, { name: "PipesheetStuck" }], ["pipesheetstages", "PipesheetStages_2", "Table1"])).toEqual(["PipesheetStages_3", "PipesheetStuck"]);
  });

  it("a defined name of the team's (one name space with tables in Excel) is avoided too; the fake refuses it as Excel does", async () => {
    const m = newWorkbook();
    m.load("Deals", samplePipeline().slice(0, 61));
    m.definedNames.push("PipesheetForecast");
    await expect(
      hostFor(m).run(async (ctx) => {
        const t = ctx.workbook.worksheets.getItem("Deals").tables.add("Deals!A1:B3", true);
        t.name = "pipesheetforecast";
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: "InvalidArgument" });
    await command(m, "setup");
    await command(m, "review");
    const review = m.sheet("Pipeline Review")?.tables.map((t) => t.name) ?? [];
    expect(review).toContain("PipesheetForecast_2");
    expect(review).toContain("PipesheetStages");
    expect(m.definedNames).toEqual(["PipesheetForecast"]);
  });
});
