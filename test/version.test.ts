// One version everywhere: package.json's is what `pipesheet --version` prints, the manifest's <Version>, the
// pane's and the sidebar's footer, and the pipesheet version row of the Pipeline Settings tab; and a workbook
// written by 0.1 (test/fixtures/v0.1/, made with the 0.1 code) is read and migrated to this layout.
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { settingsFromGrid, settingsToGrid, settingsVersion, DEFAULT_SETTINGS } from "../core/settings.js";
import type { Grid } from "../core/types.js";
import { openWorkbook, ownTabGrid } from "../cli/io/xlsx.js";
import { buildSheetsScript } from "../sheets-script/build.js";
import { ROOT, runCli, tempDir } from "./cli-harness.js";

/** The Pipeline Settings tab of a workbook file, as pipesheet reads it. */
const settingsTab = async (path: string): Promise<Grid> => ownTabGrid(await openWorkbook(path), "Pipeline Settings") ?? expect.fail("no settings tab");

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const FIXTURE = join(ROOT, "test", "fixtures", "v0.1", "managed.xlsx");

describe("the version", () => {
  it("is semver, and pipesheet --version prints it", async () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  it("is the add-in manifest's <Version> (Office wants four parts)", () => {
    const manifest = readFileSync(join(ROOT, "manifest.xml"), "utf8");
    expect(/<Version>([^<]+)<\/Version>/.exec(manifest)?.[1]).toBe(`${VERSION.replace(/-.*$/, "")}.0`);
  });

  it("is in the pane's and the sidebar's footer, filled in at build time", () => {
    expect(readFileSync(join(ROOT, "excel-addin", "taskpane", "pane.html"), "utf8")).toMatch(/<footer[^>]*>[^<]*pipesheet %PIPESHEET_VERSION%/);
    expect(readFileSync(join(ROOT, "sheets-script", "Sidebar.html"), "utf8")).toMatch(/<footer[^>]*>[^<]*pipesheet %PIPESHEET_VERSION%/);
  });

  it("is in the built sidebar", async () => {
    const out = await buildSheetsScript({ outDir: join(await tempDir(), "sheets"), typecheck: false });
    const sidebar = readFileSync(join(out, "Sidebar.html"), "utf8");
    expect(sidebar).toContain(`<footer class="muted">pipesheet ${VERSION}</footer>`);
    expect(sidebar).not.toContain("%PIPESHEET_VERSION%");
  });

  it("is in the CHANGELOG", () => {
    expect(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8")).toMatch(new RegExp(`^## ${VERSION.replace(/\./g, "\\.")}\\b`, "m"));
  });
});

describe("the Pipeline Settings tab says which version wrote it", () => {
  it("in the row 0.1 left blank, so no section moves", () => {
    const old = settingsToGrid(DEFAULT_SETTINGS);
    const now = settingsToGrid(DEFAULT_SETTINGS, "9.8.7");
    expect(old[1]).toEqual([]);
    expect(now[1]).toEqual(["pipesheet version", "9.8.7"]);
    expect(now.slice(2)).toEqual(old.slice(2));
    expect(settingsVersion(now)).toBe("9.8.7");
    expect(settingsVersion(old)).toBeNull();
    expect(settingsFromGrid(now)).toEqual(settingsFromGrid(old));
  });

  it("setup writes this version there", async () => {
    const dir = await tempDir();
    const out = join(dir, "new.xlsx");
    expect((await runCli(["setup", join(ROOT, "samples", "pipeline.csv"), "--today", "2026-11-26", "--out", out])).code).toBe(0);
    const grid = await settingsTab(out);
    expect(grid[1]?.slice(0, 2)).toEqual(["pipesheet version", VERSION]);
  });
});

describe("a workbook written by 0.1", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });

  it("has no version row: the fixture really is 0.1's layout, with the team's own edit", async () => {
    const grid = await settingsTab(FIXTURE);
    expect(settingsVersion(grid)).toBeNull();
    const proposal = settingsFromGrid(grid).settings.stages.find((s) => s.name === "Proposal");
    expect(proposal).toMatchObject({ probability: 55, stuckDays: 9 });
  });

  it("score migrates it: the tab is rewritten in this layout with this version, the team's settings kept", async () => {
    const book = join(dir, "team.xlsx");
    copyFileSync(FIXTURE, book);
    const before = await settingsTab(book);
    const r = await runCli(["score", book, "--in-place", "--today", "2026-11-30", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const after = await settingsTab(book);
    expect(settingsVersion(after)).toBe(VERSION);
    expect(settingsFromGrid(after).settings).toEqual(settingsFromGrid(before).settings);
    expect(settingsFromGrid(after).problems).toEqual([]);
    // The limits the team set (9 days in Proposal) are the ones applied.
    const doc = JSON.parse(r.stdout) as { problems: { code: string }[]; metrics: { stuck: { rows: { stage: string; reasons: string[] }[] } } };
    expect(doc.problems.filter((p) => p.code === "BAD_SETTING")).toEqual([]);
    expect(doc.metrics.stuck.rows.filter((row) => row.stage === "Proposal").flatMap((row) => row.reasons)).toContain("60 days in Proposal (limit 9)");
  });

  it("a second run leaves the migrated tab alone", async () => {
    const book = join(dir, "team.xlsx");
    const r = await runCli(["score", book, "--today", "2026-12-01", "--json", "--out", join(dir, "again.xlsx")]);
    expect(r.code, r.stderr).toBe(0);
    const first = await settingsTab(book);
    const second = await settingsTab(join(dir, "again.xlsx"));
    expect(second).toEqual(first);
  });
});
