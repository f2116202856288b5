import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../core/settings.js";
import { adoptCustomStages, editDistance, missingRequired, nextTask, stageMatcher } from "../core/stages.js";
import type { Deal } from "../core/types.js";
import { blankDeal } from "./helpers/deal.js";

const match = stageMatcher(DEFAULT_SETTINGS.stages);
const names = DEFAULT_SETTINGS.stages.map((s) => s.name);

const deal = (over: Partial<Deal>): Deal => blankDeal({ id: "D-1", name: "Acme", stageRaw: "Proposal", stage: 3, ...over });

describe("stage names are matched loosely", () => {
  it.each([
    ["Won", "Won"],
    ["closed won", "Won"],
    ["Closed - Won", "Won"],
    ["closedwon", "Won"],
    ["CLOSED LOST", "Lost"],
    ["  negotiation ", "Negotiation"],
    ["Lead Qualification", "Lead qualification"],
    ["qualifiedtobuy", "Lead qualification"],
    ["Proposal/Price Quote", "Proposal"],
    ["appointment scheduled", "Prospecting"],
  ])("%s -> %s", (raw, expected) => {
    const m = match(raw);
    expect(names[m.index]).toBe(expected);
    expect(m.suggestion).toBeNull();
  });

  it.each([
    ["negotation", "Negotiation"],
    ["Propsal", "Proposal"],
    ["Meetnig", "Meeting"],
    ["Wonn", "Won"],
  ])("a typo %s is not matched but suggests %s", (raw, suggestion) => {
    expect(match(raw)).toEqual({ index: -1, suggestion });
  });

  it("something else entirely gets no suggestion", () => {
    expect(match("Pilot running")).toEqual({ index: -1, suggestion: null });
    expect(match("")).toEqual({ index: -1, suggestion: null });
  });

  it("edit distance counts a swap of neighbours as one edit and stops early past the limit", () => {
    expect(editDistance("negotation", "negotiation", 2)).toBe(1);
    expect(editDistance("meetnig", "meeting", 2)).toBe(1);
    expect(editDistance("abc", "xyz123", 2)).toBe(3);
  });
});

describe("custom stages", () => {
  it("adopts unknown stage names as open stages before the closed ones, and not typos", () => {
    const { settings, adopted } = adoptCustomStages(DEFAULT_SETTINGS, ["Pilot running", "pilot running", "Negotation", "Won", "Security review"]);
    expect(adopted).toEqual(["Pilot running", "Security review"]);
    expect(settings.stages.map((s) => s.name)).toEqual([...names.slice(0, 5), "Pilot running", "Security review", "Won", "Lost"]);
    const pilot = settings.stages[5];
    expect(pilot).toMatchObject({ kind: "open", probability: 70, stuckDays: 30 });
    expect(DEFAULT_SETTINGS.stages).toHaveLength(7);
  });
});

describe("required fields and next task", () => {
  const proposal = DEFAULT_SETTINGS.stages[3]!;
  const lost = DEFAULT_SETTINGS.stages[6]!;
  it("Proposal needs a value and Lost a loss reason", () => {
    expect(missingRequired(deal({}), proposal)).toEqual(["value"]);
    expect(missingRequired(deal({ value: 10 }), proposal)).toEqual([]);
    expect(missingRequired(deal({ stage: 6 }), lost)).toEqual(["lossReason"]);
  });
  it("next task: a stuck action first, then a missing field, then the team's next step, then the checklist", () => {
    expect(nextTask(deal({ value: 5 }), DEFAULT_SETTINGS, "Nudge: call")).toBe("Nudge: call");
    expect(nextTask(deal({}), DEFAULT_SETTINGS, null)).toBe("Fill in Value");
    expect(nextTask(deal({ value: 5, nextStep: "Send pricing v2" }), DEFAULT_SETTINGS, null)).toBe("Send pricing v2");
    expect(nextTask(deal({ value: 5 }), DEFAULT_SETTINGS, null)).toBe("Present solutions and prices");
    expect(nextTask(deal({ stage: -1, stageRaw: "" }), DEFAULT_SETTINGS, null)).toBe("Set the stage");
  });
});
