// RunOptions.figuresOnly (pipesheet review without --out): the plan holds no writes to the deals sheet or the
// stage log, and every figure is the full run's. Checked on the bundled sample, on real CRM exports, and on a
// second review after stage moves (where the log's rows are the metrics' transitions).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { run } from "../core/engine.js";
import { TAB_LOG, TAB_REVIEW, type Grid, type RunOptions, type WorkbookInput } from "../core/types.js";
import { parseCsv } from "../cli/io/csv.js";

const csv = (path: string): Grid => parseCsv(readFileSync(path, "utf8"), path).grid;
const input = (deals: Grid, log: Grid | null = null): WorkbookInput => ({ sheetName: "Deals", deals, settings: null, log, sheetNames: log ? ["Deals", TAB_LOG] : ["Deals"] });

/** Everything but the writes: what a host that only shows figures reads. */
function figures(plan: ReturnType<typeof run>): unknown {
  return { summary: plan.summary, problems: plan.problems, metrics: plan.metrics, tabs: plan.tabs.filter((t) => t.name !== TAB_LOG) };
}

function both(inp: WorkbookInput, options: RunOptions): { full: ReturnType<typeof run>; only: ReturnType<typeof run> } {
  // structuredClone: a run may fill in parsed values on its own copies, never on the input; each run gets its own.
  return { full: run(structuredClone(inp), options), only: run(structuredClone(inp), { ...options, figuresOnly: true }) };
}

const FILES = ["samples/pipeline.csv", "test/fixtures/real/maven-sales-pipeline-ddmmyyyy.csv", "test/fixtures/real/dynamics365-opportunity.csv", "test/fixtures/real/sf-powerbi-opportunity-mmddyy.csv"];

describe("figuresOnly: the figures of a full run, and no writes", () => {
  for (const file of FILES) {
    it(`${file}: same summary, problems, metrics and review tab; no columns, rules, validations or log rows`, () => {
      const { full, only } = both(input(csv(file)), { command: "review", today: "2026-11-26" });
      expect(full.columns.length).toBeGreaterThan(0);
      expect(full.summary.deals).toBeGreaterThan(30);
      expect(figures(only)).toEqual(figures(full));
      expect(only.tabs.some((t) => t.name === TAB_REVIEW)).toBe(true);
      expect([only.columns, only.conditionalFormats, only.validations, only.logAppend]).toEqual([[], [], [], []]);
      expect(only.tabs.some((t) => t.name === TAB_LOG)).toBe(false);
    });
  }

  it("a second review, after stage moves, reads the same transitions: velocity and conversion agree", () => {
    const first = csv("samples/pipeline.csv");
    const setup = run(input(first), { command: "setup", today: "2026-11-01" });
    const log = setup.tabs.find((t) => t.name === TAB_LOG)?.values as Grid;
    expect(log.length).toBeGreaterThan(10);
    // Move every second open deal one stage on, by name, as a team would between two reviews.
    const header = first[0] as string[];
    const stageCol = header.findIndex((h) => /^stage$/i.test(h));
    const names = ["Lead qualification", "Meeting", "Demo", "Contract sent"];
    const moved = first.map((row, r) => {
      if (r === 0 || r % 2 !== 0) return row;
      const at = names.findIndex((n) => n.toLowerCase() === String(row[stageCol]).toLowerCase());
      return at >= 0 && at < 3 ? row.map((c, k) => (k === stageCol ? (names[at + 1] as string) : c)) : row;
    });
    expect(moved.filter((r, i) => r !== first[i]).length).toBeGreaterThan(5);
    const { full, only } = both(input(moved, log), { command: "review", today: "2026-11-26" });
    expect(full.summary.transitions).toBeGreaterThan(5);
    expect(full.logAppend.length).toBeGreaterThan(5);
    expect(figures(only)).toEqual(figures(full));
    expect(only.logAppend).toEqual([]);
  });
});
