// The review tab as a dashboard, read back from the Apps Script fake: both charts beside their tables, a
// filter on the stuck list, alternating colours on every table, stuck deals linked to their rows.
import { describe, expect, it } from "vitest";
import { TAB_REVIEW, type TabWrite } from "../core/index.js";
import { samplePipeline, SAMPLE_TODAY } from "../samples/generate.js";
import { loadScript, type Script } from "./fakes/apps-script/bundle.js";
import { planOf } from "./fakes/apps-script/expect.js";
import type { FakeSheet } from "./fakes/apps-script/spreadsheet.js";

describe("the review tab in Sheets", async () => {
  const script: Script = await loadScript({ now: `${SAMPLE_TODAY}T12:00:00Z` });
  const grid = samplePipeline();
  const deals = script.env.book.addSheet("Deals", grid.length, grid[0]?.length ?? 1);
  grid.forEach((row, r) => row.forEach((v, c) => v !== "" && deals.enterValue(r, c, v)));
  script.call("pipelineSetup", "menu");
  script.call("pipelineReview", "menu");
  const plan = planOf(script.env, "Deals", "review").tabs.find((t) => t.name === TAB_REVIEW) as TabWrite;
  // A second review must clear its own filter and colours first: Sheets refuses a second filter on a sheet.
  script.call("pipelineReview", "menu");
  const review = script.env.book.sheet(TAB_REVIEW) as FakeSheet;

  it("draws the stage chart and the forecast chart where the plan anchors them, right of columns A–F", () => {
    expect(review.charts.map((c) => c.type)).toEqual(["BAR", "COLUMN"]);
    const specs = [plan.chart, ...(plan.charts ?? [])];
    review.charts.forEach((c, i) => {
      const spec = specs[i];
      expect(c.col).toBe(7);
      expect(`${String.fromCharCode(64 + c.col)}${c.row}`).toBe(spec?.anchor);
      expect(c.ranges).toEqual([`${TAB_REVIEW}!${spec?.categories}`, `${TAB_REVIEW}!${spec?.values}`]);
    });
  });

  it("puts the tab's one filter on the stuck list and alternating colours on every table", () => {
    const stuck = plan.tables?.find((t) => t.name === "PipesheetStuck");
    expect(review.filter?.range).toBe(stuck?.range);
    expect(review.bandings.map((b) => b.range).sort()).toEqual((plan.tables ?? []).map((t) => t.range).sort());
  });

  it("links each stuck deal's name to its row on the deals sheet, keeping the name as the cell's text", () => {
    const links = plan.links?.filter((l) => l.sheet === "Deals") ?? [];
    expect(links.length).toBeGreaterThan(5);
    const nameCol = grid[0]?.indexOf("Deal name") ?? -1;
    for (const l of links) {
      const row = Number(/\d+/.exec(l.cell)?.[0]) - 1;
      expect(review.linkAt(row, 0)).toBe(`#gid=${deals.id}&range=${l.target}`);
      expect(review.raw(row, 0)).toBe(deals.raw(Number(l.target.slice(1)) - 1, nameCol));
    }
  });
});
