import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../core/settings.js";
import { adoptStages, editDistance, missingRequired, nextTask, outcomeWord, stageMatcher, stagePrefix, type StageUse } from "../core/stages.js";
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

const use = (raw: string, over: Partial<StageUse> = {}): StageUse => ({ raw, deals: 1, probability: null, age: null, ...over });
const fit = (uses: StageUse[], teamWords = false) => adoptStages(DEFAULT_SETTINGS, uses, teamWords);
const table = (uses: StageUse[], teamWords = false): [string, string, number][] => fit(uses, teamWords).settings.stages.map((s) => [s.name, s.kind, s.probability]);

describe("adopting the team's stages", () => {
  it("adopts unknown names as open stages between their neighbours, never a copy of the last one's probability, and not typos", () => {
    const { settings, adopted, typos } = fit([use("Pilot running"), use("pilot running"), use("Negotation"), use("Won"), use("Security review")]);
    expect(adopted).toEqual(["Pilot running", "Security review"]);
    expect(typos).toEqual([["Negotation", "Negotiation"]]);
    expect(settings.stages.map((s) => s.name)).toEqual([...names.slice(0, 5), "Pilot running", "Security review", "Won", "Lost"]);
    // After Negotiation (70 %) and before Won (100 %): the gap shared evenly, none a copy of Negotiation's.
    expect(settings.stages.slice(5, 7).map((s) => s.probability)).toEqual([80, 90]);
    expect(settings.stages[5]).toMatchObject({ kind: "open", stuckDays: 30 });
    expect(DEFAULT_SETTINGS.stages).toHaveLength(7);
  });

  it.each<[string, "won" | "lost" | "open" | null]>([
    ["Project lost", "lost"],
    ["Not relevant", "lost"],
    ["Dead", "lost"],
    ["Closed - Lost", "lost"],
    ["Disqualified", "lost"],
    ["Verloren", "lost"],
    ["Perdu", "lost"],
    ["Signed", "won"],
    ["Closed Won", "won"],
    ["Gagné", "won"],
    ["On hold", "open"],
    ["Proposal", null],
    ["Lost reason unknown? no: a stage", "lost"],
  ])("outcome word in %s -> %s", (raw, kind) => {
    expect(outcomeWord(raw, DEFAULT_SETTINGS.outcomes)).toBe(kind);
  });

  it("makes lost and won stages of names with lost or won words", () => {
    const stages = table([use("Project lost"), use("Not relevant"), use("Signed contract")]);
    expect(stages.filter(([, k]) => k !== "open").map(([n, k]) => [n, k])).toEqual([
      ["Won", "won"],
      ["Lost", "lost"],
      ["Project lost", "lost"],
      ["Not relevant", "lost"],
      ["Signed contract", "won"],
    ]);
  });

  it.each<[string, { order: number; rest: string } | null]>([
    ["A. Lead generated", { order: 1, rest: "Lead generated" }],
    ["F. Negotiations", { order: 6, rest: "Negotiations" }],
    ["3 - Proposal", { order: 3, rest: "Proposal" }],
    ["10) Won", { order: 10, rest: "Won" }],
    ["Id. Decision Makers", null],
    ["Proposal", null],
    ["2024-01", null],
  ])("prefix of %s", (raw, expected) => {
    expect(stagePrefix(raw)).toEqual(expected);
  });

  it("strips prefixes, plurals and verb forms to match, and orders the team's stages by their prefix", () => {
    const uses = [use("C. Proposal/Quote"), use("A. Lead generated"), use("F. Negotiations"), use("B. Meeting booked"), use("G. Won"), use("H. Lost")];
    const res = fit(uses, true);
    const open = res.settings.stages.filter((s) => s.kind === "open").map((s) => s.name);
    expect(open.slice(0, 4)).toEqual(["A. Lead generated", "B. Meeting booked", "C. Proposal/Quote", "F. Negotiations"]);
    expect(res.adopted).toEqual(["A. Lead generated", "B. Meeting booked"]);
    // Matched stages keep what pipesheet knows about them, under the team's name.
    expect(res.settings.stages.find((s) => s.name === "F. Negotiations")).toMatchObject({ probability: 70, required: ["value", "closeDate"] });
    expect(res.settings.stages.find((s) => s.name === "C. Proposal/Quote")).toMatchObject({ probability: 40 });
    expect(stageMatcher(res.settings.stages)("G. Won").index).toBe(res.settings.stages.findIndex((s) => s.name === "Won"));
  });

  it("matches 'Negotiate' and 'Proposal/Quote' to pipesheet's stages", () => {
    const res = fit([use("Negotiate"), use("Proposal/Quote")]);
    expect(res.adopted).toEqual([]);
  });

  it("names the stages in the team's words on a first run: one name renames, several names split the stage", () => {
    const res = fit([use("Prospecting"), use("Qualification"), use("Needs Analysis"), use("Value Proposition"), use("Proposal/Price Quote"), use("Closed Won"), use("Closed Lost")], true);
    expect(res.settings.stages.map((s) => [s.name, s.kind, s.probability])).toEqual([
      ["Prospecting", "open", 5],
      ["Qualification", "open", 10],
      ["Needs Analysis", "open", 20],
      ["Proposal/Price Quote", "open", 30],
      ["Value Proposition", "open", 40],
      ["Negotiation", "open", 70],
      ["Won", "won", 100],
      ["Lost", "lost", 0],
    ]);
    expect(res.adopted).toEqual([]);
  });

  it("keeps pipesheet's names when the team writes them, whatever other spellings it uses too", () => {
    expect(fit([use("Proposal"), use("proposal sent"), use("Quote")], true).settings).toBe(DEFAULT_SETTINGS);
  });

  it("orders and weighs the stages by the sheet's own probability column when it has one", () => {
    const uses = [use("Prospecting", { probability: 10 }), use("Id. Decision Makers", { probability: 60 }), use("Value Proposition", { probability: 50 }), use("Perception Analysis", { probability: 70 }), use("Negotiation/Review", { probability: 90 })];
    const open = table(uses, true).filter(([, k]) => k === "open");
    expect(open.filter(([n]) => uses.some((u) => u.raw === n))).toEqual([
      ["Prospecting", "open", 10],
      ["Value Proposition", "open", 50],
      ["Id. Decision Makers", "open", 60],
      ["Perception Analysis", "open", 70],
      ["Negotiation/Review", "open", 90],
    ]);
  });

  it("places an adopted stage by the age of its deals when nothing else tells", () => {
    const uses = [use("Prospecting", { age: 5 }), use("Meeting", { age: 20 }), use("Proposal", { age: 40 }), use("Pilot", { age: 25 })];
    const stages = table(uses);
    const at = stages.findIndex(([n]) => n === "Pilot");
    expect(stages[at - 1]?.[0]).toBe("Meeting");
    expect(stages[at]?.[2]).toBe(30); // between Meeting's 20 and Proposal's 40
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
