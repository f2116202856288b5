// The version on the Pipeline Settings tab of a workbook set up in Excel or in Sheets (through the strict fakes),
// and a settings tab written by 0.1 (no version, the row blank) migrated on the next score there as in the CLI.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, settingsFromGrid, settingsToGrid, settingsVersion } from "../core/settings.js";
import type { Grid } from "../core/types.js";
import { discover, runCommand } from "../excel-addin/adapter/command.js";
import { samplePipeline } from "../samples/generate.js";
import { loadScript } from "./fakes/apps-script/bundle.js";
import { dealsBook } from "./fakes/apps-script/deals.js";
import { storedGrid } from "./fakes/apps-script/expect.js";
import { hostFor, newWorkbook, type WorkbookModel } from "./fakes/excel/index.js";
import { ROOT } from "./cli-harness.js";

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const TODAY = "2026-11-26";

/** 0.1's settings tab with the team's own edit: Proposal at 55 % and stuck after 9 days. */
function settingsOf01(): Grid {
  const stages = DEFAULT_SETTINGS.stages.map((s) => (s.name === "Proposal" ? { ...s, probability: 55, stuckDays: 9 } : s));
  const grid = settingsToGrid({ ...DEFAULT_SETTINGS, stages });
  expect(grid[1]).toEqual([]);
  return grid;
}

const proposal = (grid: Grid) => settingsFromGrid(grid).settings.stages.find((s) => s.name === "Proposal");

describe("Excel", () => {
  const excelGrid = (m: WorkbookModel, name: string): Grid => {
    const s = m.sheet(name) ?? expect.fail(`no ${name}`);
    const rect = s.usedRect(true) ?? expect.fail("empty");
    return Array.from({ length: rect.r1 + 1 }, (_, r) => Array.from({ length: rect.c1 + 1 }, (_, c) => s.value(r, c)));
  };
  async function command(m: WorkbookModel, name: "setup" | "score"): Promise<void> {
    const host = hostFor(m);
    const d = await discover(host);
    await runCommand(host, { command: name, sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: TODAY });
  }

  it("setup writes this version on the settings tab", async () => {
    const m = newWorkbook();
    m.load("Deals", samplePipeline().slice(0, 41));
    await command(m, "setup");
    const s = m.sheet("Pipeline Settings") ?? expect.fail("no settings tab");
    expect([s.value(1, 0), s.value(1, 1)]).toEqual(["pipesheet version", VERSION]);
  });

  it("score migrates a 0.1 settings tab: rewritten with this version, the team's settings kept", async () => {
    const m = newWorkbook();
    m.load("Deals", samplePipeline().slice(0, 41));
    m.load("Pipeline Settings", settingsOf01() as (string | number | boolean | null)[][]);
    await command(m, "score");
    const after = excelGrid(m, "Pipeline Settings");
    expect(settingsVersion(after)).toBe(VERSION);
    expect(proposal(after)).toMatchObject({ probability: 55, stuckDays: 9 });
    expect(settingsFromGrid(after).problems).toEqual([]);
  });
});

describe("Apps Script", () => {
  it("setup writes this version on the settings tab", async () => {
    const script = await loadScript();
    dealsBook(script.env, 30);
    script.call("pipelineSetup", "menu");
    const s = script.env.book.sheet("Pipeline Settings") ?? expect.fail("no settings tab");
    expect([s.raw(1, 0), s.raw(1, 1)]).toEqual(["pipesheet version", VERSION]);
  });

  it("score migrates a 0.1 settings tab: rewritten with this version, the team's settings kept", async () => {
    const script = await loadScript();
    dealsBook(script.env, 30);
    const old = settingsOf01();
    const width = Math.max(...old.map((r) => r.length));
    const tab = script.env.book.addSheet("Pipeline Settings", old.length + 5, width);
    tab.load(old.map((r) => Array.from({ length: width }, (_, c) => r[c] ?? "")));
    script.call("pipelineScore", "menu");
    const after = storedGrid(script.env.book.sheet("Pipeline Settings") ?? expect.fail("no settings tab"));
    expect(settingsVersion(after)).toBe(VERSION);
    expect(proposal(after)).toMatchObject({ probability: 55, stuckDays: 9 });
    expect(settingsFromGrid(after).problems).toEqual([]);
  });
});
