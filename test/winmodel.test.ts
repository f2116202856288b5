import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type Settings } from "../core/settings.js";
import type { Deal } from "../core/types.js";
import { blankDeal } from "./helpers/deal.js";
import { trainWinModel } from "../core/winmodel.js";

// Default stages: 0 Prospecting … 3 Proposal, 4 Negotiation, 5 Won, 6 Lost.
const PROPOSAL = 3;
const WON = 5;
const LOST = 6;

const deal = (p: Partial<Deal>): Deal => blankDeal({ stage: PROPOSAL, ...p });

const withModel = (minClosed: number, holdout = 25): Settings => ({
  ...structuredClone(DEFAULT_SETTINGS),
  winModel: { minClosed, holdout },
});

const atProposal = () => PROPOSAL;

/** 200 deals with budget approved (160 won) and 200 with no budget (20 won). */
function budgetHistory(): Deal[] {
  const out: Deal[] = [];
  for (let i = 0; i < 400; i++) {
    const approved = i % 2 === 0;
    const k = Math.floor(i / 2) % 10;
    const won = approved ? k < 8 : k < 1;
    out.push(deal({ index: i, id: `D-${String(i).padStart(4, "0")}`, budget: approved ? "Approved" : "no budget", stage: won ? WON : LOST }));
  }
  return out;
}

describe("trainWinModel", () => {
  it("learns win rates by budget answer and ranks open deals by them", () => {
    const model = trainWinModel(budgetHistory(), withModel(30), atProposal);
    expect(model.summary.ready).toBe(true);
    expect(model.summary.closed).toBe(400);
    expect(model.summary.holdoutSize).toBe(100);
    expect(model.summary.features).toEqual(["budget"]);
    const approved = model.predict(deal({ budget: "budget approved" }), PROPOSAL) as number;
    const none = model.predict(deal({ budget: "No Budget" }), PROPOSAL) as number;
    const blank = model.predict(deal({ budget: "" }), PROPOSAL) as number;
    expect(approved).toBeCloseTo(0.8, 1);
    expect(none).toBeCloseTo(0.1, 1);
    expect(approved).toBeGreaterThan(blank);
    expect(blank).toBeGreaterThan(none);
    expect(model.summary.message).toMatch(
      /^learned from 400 closed deals; on 100 held out: \d{1,3}% right, Brier 0\.\d\d vs 0\.\d\d for the base rate$/,
    );
    // The budget answer carries real signal, so the model must beat always guessing the base rate.
    expect(model.summary.brier as number).toBeLessThan(model.summary.baselineBrier as number);
    expect(model.summary.accuracy as number).toBeGreaterThan(0.7);
  });

  it("says no closed deals have a prediction", () => {
    const model = trainWinModel(budgetHistory(), withModel(30), atProposal);
    expect(model.predict(deal({ budget: "approved", stage: WON }), 4)).toBeNull();
    expect(model.predict(deal({ budget: "approved", stage: LOST }), 4)).toBeNull();
  });

  it("below the minimum it is not ready and says how far off it is", () => {
    const deals = budgetHistory().slice(0, 12);
    deals.push(deal({ budget: "approved" }));
    const model = trainWinModel(deals, withModel(30), atProposal);
    expect(model.summary).toEqual({
      ready: false,
      closed: 12,
      needed: 30,
      message: "not enough history (12 closed deals, need 30)",
      holdoutSize: 0,
      accuracy: null,
      brier: null,
      baselineBrier: null,
      features: [],
    });
    expect(model.predict(deal({ budget: "approved" }), PROPOSAL)).toBeNull();
  });

  it("needs both outcomes: enough closed deals that are all won is not enough history", () => {
    const deals = Array.from({ length: 40 }, (_, i) => deal({ id: `W${i}`, budget: "approved", stage: WON }));
    deals.push(...Array.from({ length: 4 }, (_, i) => deal({ id: `L${i}`, budget: "no", stage: LOST })));
    const model = trainWinModel(deals, withModel(30), atProposal);
    expect(model.summary).toMatchObject({ ready: false, closed: 44, message: "not enough history: 40 won, 4 lost (need 5 of each)" });
    expect(model.predict(deal({ budget: "approved" }), PROPOSAL)).toBeNull();
  });

  it("holds out the same deals whatever the row order, so the same sheet gives the same summary", () => {
    const deals = budgetHistory();
    const a = trainWinModel(deals, withModel(30), atProposal).summary;
    const b = trainWinModel(deals, withModel(30), atProposal).summary;
    const reversed = trainWinModel([...deals].reverse(), withModel(30), atProposal).summary;
    expect(b).toEqual(a);
    expect(reversed).toEqual(a);
  });

  it("uses the holdout share from settings", () => {
    const model = trainWinModel(budgetHistory(), withModel(30, 10), atProposal);
    expect(model.summary.holdoutSize).toBe(40);
    expect(model.summary.message).toMatch(/; on 40 held out: /);
  });

  it.each([
    ["all won", WON, "not enough history: 40 won, 0 lost (need 5 of each)"],
    ["all lost", LOST, "not enough history: 0 won, 40 lost (need 5 of each)"],
  ])("%s: not enough history, whatever the number of closed deals", (_name, stage, message) => {
    const deals = Array.from({ length: 40 }, (_, i) => deal({ index: i, id: `X${i}`, stage, need: "high", categories: { owner: "ann" } }));
    const model = trainWinModel(deals, withModel(30), atProposal);
    expect(model.summary).toMatchObject({ ready: false, closed: 40, message });
    expect(model.predict(deal({ need: "high", categories: { owner: "ann" } }), -1)).toBeNull();
  });

  it.each([
    ["mostly won", WON],
    ["mostly lost", LOST],
  ])("%s, one owner: finite probabilities in 0..1", (_name, stage) => {
    const deals = Array.from({ length: 40 }, (_, i) =>
      deal({ index: i, id: `X${i}`, stage: i < 35 ? stage : stage === WON ? LOST : WON, need: "high", categories: { owner: "ann" } }),
    );
    const model = trainWinModel(deals, withModel(30), atProposal);
    expect(model.summary.ready).toBe(true);
    for (const s of [model.summary.accuracy, model.summary.brier, model.summary.baselineBrier]) expect(Number.isFinite(s)).toBe(true);
    for (const probe of [deal({ need: "high", categories: { owner: "ann" } }), deal({ need: "low", categories: { owner: "zed" } })]) {
      const p = model.predict(probe, -1) as number;
      expect(Number.isFinite(p)).toBe(true);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it("stays finite with many strong features (log space, no underflow)", () => {
    const owners = ["a", "b", "c", "d"];
    const deals: Deal[] = [];
    for (let i = 0; i < 4000; i++) {
      const won = i % 2 === 0;
      deals.push(
        deal({
          index: i,
          id: `W${i}`,
          stage: won ? WON : LOST,
          need: won ? "high" : "none",
          budget: won ? "approved" : "no budget",
          authority: won ? "dm" : "no",
          categories: { owner: owners[i % 4] as string, source: won ? "referral" : "cold", product: won ? "pro" : "lite", industry: won ? "bank" : "retail" },
        }),
      );
    }
    const model = trainWinModel(deals, withModel(30), (d) => (d.stage === WON ? 4 : 0));
    const hi = model.predict(deal({ need: "high", budget: "approved", authority: "dm", categories: { owner: "a", source: "referral", product: "pro", industry: "bank" } }), 4);
    const lo = model.predict(deal({ need: "none", budget: "no budget", authority: "no", categories: { owner: "b", source: "cold", product: "lite", industry: "retail" } }), 0);
    expect(hi).toBeGreaterThan(0.999);
    expect(hi).toBeLessThanOrEqual(1);
    expect(lo).toBeLessThan(0.001);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(model.summary.accuracy).toBe(1);
  });

  it("any history with both outcomes gives probabilities in 0..1; one outcome alone gives none and says so", () => {
    const row = fc.record({
      won: fc.boolean(),
      need: fc.constantFrom("high", "low", "", "what"),
      owner: fc.constantFrom("ann", "bob", "cy", ""),
      reached: fc.integer({ min: -1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 60 }), row, (rows, probe) => {
        const deals = rows.map((r, i) =>
          deal({ index: i, id: `P${i}`, stage: r.won ? WON : LOST, need: r.need, categories: { owner: r.owner } }),
        );
        const model = trainWinModel(deals, withModel(2), (d) => (rows[d.index] as { reached: number }).reached);
        const p = model.predict(deal({ need: probe.need, categories: { owner: probe.owner } }), probe.reached);
        if (rows.every((r) => r.won) || rows.every((r) => !r.won)) {
          expect(p).toBeNull();
          expect(model.summary.message).toMatch(/^not enough history: \d+ won, \d+ lost/);
          return;
        }
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(model.summary.brier).toBeGreaterThanOrEqual(0);
        expect(model.summary.brier).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("trainWinModel against naive Bayes worked by hand", () => {
  // need: High/Low/blank; owner: ann ×4, bob ×3, cy ×1 (so cy is folded into "other").
  const table: { need: string; owner: string; won: boolean }[] = [
    { need: "High", owner: "ann", won: true },
    { need: "High", owner: "ann", won: true },
    { need: "High", owner: "bob", won: false },
    { need: "Low", owner: "bob", won: false },
    { need: "Low", owner: "ann", won: true },
    { need: "High", owner: "cy", won: false },
    { need: "Low", owner: "bob", won: false },
    { need: "", owner: "ann", won: true },
  ];
  const deals = table.map((r, i) =>
    deal({ index: i, id: `H${i}`, need: r.need, owner: r.owner, categories: { owner: r.owner }, stage: r.won ? WON : LOST }),
  );
  const model = trainWinModel(deals, withModel(4), atProposal);

  // Plain products of add-one smoothed frequencies. Need has 5 values (High, Medium, Low, None, unknown);
  // owner has ann, bob and "other".
  function byHand(need: string, owner: string): number {
    const ownerValue = (o: string) => (table.filter((r) => r.owner === o).length >= 2 ? o : "other");
    const needValue = (n: string) => (n === "" ? "unknown" : n);
    let pWon = 1;
    let pLost = 1;
    for (const won of [true, false]) {
      const rows = table.filter((r) => r.won === won);
      const prior = (rows.length + 1) / (table.length + 2);
      const pNeed = (rows.filter((r) => needValue(r.need) === needValue(need)).length + 1) / (rows.length + 5);
      const pOwner = (rows.filter((r) => ownerValue(r.owner) === ownerValue(owner)).length + 1) / (rows.length + 3);
      if (won) pWon = prior * pNeed * pOwner;
      else pLost = prior * pNeed * pOwner;
    }
    return pWon / (pWon + pLost);
  }

  it("uses need and owner, and drops features that never vary", () => {
    expect(model.summary.features).toEqual(["need", "owner"]);
    expect(model.summary.holdoutSize).toBe(2);
  });

  it.each([
    ["High", "ann"],
    ["Low", "bob"],
    ["", "ann"],
    ["High", "cy"],
    ["Low", "dave"],
  ])("need %j, owner %j", (need, owner) => {
    const p = model.predict(deal({ need, categories: { owner } }), PROPOSAL);
    expect(p).toBeCloseTo(byHand(need, owner), 12);
  });

  it("an answer never seen among the closed deals (Medium) is still one of the five need values", () => {
    const p = model.predict(deal({ need: "medium", categories: { owner: "ann" } }), PROPOSAL) as number;
    // By hand: prior 5/10 each; need 1/9 each; owner ann 5/7 won, 1/7 lost.
    const won = (5 / 10) * (1 / 9) * (5 / 7);
    const lost = (5 / 10) * (1 / 9) * (1 / 7);
    expect(p).toBeCloseTo(won / (won + lost), 12);
  });
});

describe("trainWinModel with categories objects shared or not", () => {
  // Parsing gives deals with the same categories one shared object, and the model looks codes up once per object;
  // a deal with its own copy of equal values must get the very same model and prediction.
  const owners = ["ann", "bo", "cy", "dee", "ed"];
  const sources = ["web", "referral", "event"];
  const history = (share: boolean): Deal[] => {
    const shared = new Map<string, Deal["categories"]>();
    const cats = (owner: string, source: string): Deal["categories"] => {
      if (!share) return { owner, source };
      const key = `${owner}|${source}`;
      let c = shared.get(key);
      if (c === undefined) shared.set(key, (c = { owner, source }));
      return c;
    };
    const out: Deal[] = [];
    for (let i = 0; i < 300; i++) {
      const owner = owners[i % owners.length] as string;
      const source = sources[(i * 7) % sources.length] as string;
      const won = (i * 13) % 10 < (owner === "ann" ? 7 : source === "referral" ? 5 : 2);
      out.push(deal({ index: i, id: `D-${i}`, stage: won ? WON : LOST, need: i % 3 === 0 ? "high" : "low", categories: cats(owner, source) }));
    }
    return out;
  };

  it("gives the same summary and the same predictions, to the last bit", () => {
    const a = trainWinModel(history(true), withModel(30), atProposal);
    const b = trainWinModel(history(false), withModel(30), atProposal);
    expect(a.summary.ready).toBe(true);
    expect(a.summary.features).toEqual(expect.arrayContaining(["owner", "source"]));
    expect(b.summary).toEqual(a.summary);
    const one = { owner: "ann", source: "referral" };
    for (const categories of [one, one, { owner: "bo", source: "web" }, { owner: "zed", source: "web" }, {}]) {
      const p = a.predict(deal({ categories }), PROPOSAL) as number;
      expect(b.predict(deal({ categories: { ...categories } }), PROPOSAL)).toBe(p);
    }
    // Owner carries signal: Ann's open deal is likelier won than Bo's, and an owner never seen falls in "other".
    expect(a.predict(deal({ categories: one }), PROPOSAL) as number).toBeGreaterThan(a.predict(deal({ categories: { owner: "bo", source: "referral" } }), PROPOSAL) as number);
  });
});
