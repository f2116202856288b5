import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, Settings, settingsFromGrid, settingsToGrid } from "../core/settings.js";
import { FIELDS, type Grid } from "../core/types.js";

const findRow = (g: Grid, label: string): number => g.findIndex((r) => r[0] === label);

describe("settings tab", () => {
  it("defaults follow common practice: seven stages in order, Lost needs a loss reason, Proposal a value", () => {
    expect(DEFAULT_SETTINGS.stages.map((s) => s.name)).toEqual(["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation", "Won", "Lost"]);
    expect(DEFAULT_SETTINGS.stages.find((s) => s.name === "Lost")?.required).toContain("lossReason");
    expect(DEFAULT_SETTINGS.stages.find((s) => s.name === "Proposal")?.required).toContain("value");
    expect(Settings.safeParse(DEFAULT_SETTINGS).success).toBe(true);
  });

  it("settings -> grid -> settings is the identity for the defaults", () => {
    const back = settingsFromGrid(settingsToGrid(DEFAULT_SETTINGS));
    expect(back.problems).toEqual([]);
    expect(back.settings).toEqual(DEFAULT_SETTINGS);
  });

  it("round-trips arbitrary valid settings (property)", () => {
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,14}[A-Za-z0-9]$/);
    const stage = (kind: "open" | "won" | "lost") =>
      fc.record({
        name: word,
        kind: fc.constant(kind),
        probability: fc.integer({ min: 0, max: 100 }),
        stuckDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
        required: fc.uniqueArray(fc.constantFrom(...FIELDS), { maxLength: 3 }),
        checklist: fc.array(word, { maxLength: 3 }),
        aliases: fc.array(word, { maxLength: 3 }),
      });
    const arb = fc
      .tuple(fc.array(stage("open"), { minLength: 1, maxLength: 6 }), stage("won"), stage("lost"), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }))
      .filter(([open, won, lost]) => new Set([...open, won, lost].map((s) => s.name.toLowerCase())).size === open.length + 2)
      .map(([open, won, lost, need, rest]) => {
        const s = structuredClone(DEFAULT_SETTINGS);
        s.stages = [...open, won, lost];
        const budget = Math.min(rest, 100 - need);
        s.scoring.weights = { need, budget, authority: 100 - need - budget };
        s.metrics.target = rest * 1000 || null;
        s.dateOrder = need % 2 ? "DMY" : "MDY";
        s.columns = rest % 2 ? { value: "Amount (USD)", owner: "Rep" } : {};
        return s;
      });
    fc.assert(
      fc.property(arb, (s) => {
        const back = settingsFromGrid(settingsToGrid(s));
        expect(back.problems).toEqual([]);
        expect(back.settings).toEqual(s);
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ["a stage kind that is not open/won/lost", (g: Grid) => ((g[findRow(g, "Meeting")] as unknown[])[1] = "maybe"), "B", "Meeting", "BAD_SETTING", /must be open, won or lost/],
    ["a probability that is not a number", (g: Grid) => ((g[findRow(g, "Proposal")] as unknown[])[2] = "lots"), "C", "Proposal", "BAD_SETTING", /not a number/],
    ["an unknown required field", (g: Grid) => ((g[findRow(g, "Lost")] as unknown[])[4] = "Reason why"), "E", "Lost", "BAD_SETTING", /not a field pipesheet knows/],
    ["a weight that is not a number", (g: Grid) => ((g[findRow(g, "Need weight")] as unknown[])[1] = "forty"), "B", "Need weight", "BAD_SETTING", /not a number/],
    ["an unknown date order", (g: Grid) => ((g[findRow(g, "Date order")] as unknown[])[1] = "YMD"), "B", "Date order", "BAD_SETTING", /DMY, MDY/],
  ])("reports %s by its address and keeps going", (_what, mutate, col, rowLabel, code, message) => {
    const g = settingsToGrid(DEFAULT_SETTINGS);
    mutate(g);
    const { settings, problems } = settingsFromGrid(g);
    const row = findRow(g, rowLabel) + 1;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ sheet: "Pipeline Settings", cell: `${col}${row}`, code });
    expect(problems[0]?.message).toMatch(message);
    expect(Settings.safeParse(settings).success).toBe(true);
  });

  it("weights that do not add up to 100 are reported at the Need weight cell and fall back to the defaults", () => {
    const g = settingsToGrid(DEFAULT_SETTINGS);
    (g[findRow(g, "Need weight")] as unknown[])[1] = 80;
    const { settings, problems } = settingsFromGrid(g);
    expect(problems.map((p) => [p.cell, p.message])).toEqual([[`B${findRow(g, "Need weight") + 1}`, "Need, budget and authority weights must add up to 100."]]);
    expect(settings.scoring.weights).toEqual(DEFAULT_SETTINGS.scoring.weights);
  });

  it("reads numbers typed as text with a % sign and yes/no switches", () => {
    const g = settingsToGrid(DEFAULT_SETTINGS);
    (g[findRow(g, "Proposal")] as unknown[])[2] = "45 %";
    (g[findRow(g, "Learn stuck thresholds")] as unknown[])[1] = "Yes";
    const { settings, problems } = settingsFromGrid(g);
    expect(problems).toEqual([]);
    expect(settings.stages.find((s) => s.name === "Proposal")?.probability).toBe(45);
    expect(settings.stuck.learned).toBe(true);
  });
});
