import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerFor, answerLists, gradeOf, scorer } from "../core/scoring.js";
import { DEFAULT_SETTINGS, type Scoring } from "../core/settings.js";
import type { Dimension, Grade } from "../core/types.js";

const S = DEFAULT_SETTINGS.scoring;
const row = (need: string, budget: string, authority: string) => ({ need, budget, authority });

describe("scorer with the default answers (weights 40/30/30, A 75, B 50, C 25, qualified 50)", () => {
  const score = scorer(S);
  const cases: {
    cells: [string, string, string];
    score: number;
    grade: Grade;
    reasons: string;
    unknown?: Dimension[];
    unrecognised?: Dimension[];
  }[] = [
    {
      cells: ["High", "Approved", "Decision maker"],
      score: 100,
      grade: "A",
      reasons: "Need high +40 · Budget approved +30 · Authority decision maker +30",
    },
    {
      cells: ["yes", "YES", "Decision-maker"],
      score: 100,
      grade: "A",
      reasons: "Need high +40 · Budget approved +30 · Authority decision maker +30",
    },
    {
      cells: ["3.0", " 3 ", "DM"],
      score: 100,
      grade: "A",
      reasons: "Need high +40 · Budget approved +30 · Authority decision maker +30",
    },
    {
      cells: ["medium", "partial", "Champion"],
      score: 67, // 26.67 + 20 + 20
      grade: "B",
      reasons: "Need medium +27 · Budget planned +20 · Authority influencer +20",
    },
    {
      cells: ["", "maybe later", "influencer"],
      score: 20,
      grade: "D",
      reasons: 'Need unknown +0 · Budget "maybe later" not recognised +0 · Authority influencer +20',
      unknown: ["need"],
      unrecognised: ["budget"],
    },
    {
      cells: ["low", "No Budget", "end-user"],
      score: 23, // 13.33 + 0 + 10
      grade: "D",
      reasons: "Need low +13 · Budget no budget +0 · Authority user +10",
    },
    {
      cells: ["Must-have!", "budget approved", "n/a"],
      score: 70,
      grade: "B",
      reasons: "Need high +40 · Budget approved +30 · Authority unknown +0",
      unknown: ["authority"],
    },
    {
      cells: ["nice to have", "Pending approval", "Economic Buyer"],
      score: 77, // 26.67 + 20 + 30
      grade: "A",
      reasons: "Need medium +27 · Budget planned +20 · Authority decision maker +30",
    },
    {
      cells: ["no", "none", "NO"],
      score: 0,
      grade: "D",
      reasons: "Need none +0 · Budget no budget +0 · Authority no authority +0",
    },
    {
      cells: ["-", "TBD", " "],
      score: 0,
      grade: "D",
      reasons: "Need unknown +0 · Budget unknown +0 · Authority unknown +0",
      unknown: ["need", "budget", "authority"],
    },
    {
      cells: ["2", "1", "0"],
      score: 37, // 26.67 + 10 + 0
      grade: "C",
      reasons: "Need medium +27 · Budget limited +10 · Authority no authority +0",
    },
    {
      cells: ["Low", "HIGH", "medium"],
      score: 63, // 13.33 + 30 + 20
      grade: "B",
      reasons: "Need low +13 · Budget approved +30 · Authority influencer +20",
    },
    {
      cells: ["someday", "2.5", "CEO"],
      score: 0,
      grade: "D",
      reasons: 'Need "someday" not recognised +0 · Budget "2.5" not recognised +0 · Authority "CEO" not recognised +0',
      unrecognised: ["need", "budget", "authority"],
    },
  ];

  it.each(cases)("$cells -> $score $grade", (c) => {
    const got = score(row(...c.cells));
    expect(got.score).toBe(c.score);
    expect(got.grade).toBe(c.grade);
    expect(got.qualified).toBe(c.score >= 50);
    expect(got.reasons).toBe(c.reasons);
    expect(got.unknown).toEqual(c.unknown ?? []);
    expect(got.unrecognised).toEqual(c.unrecognised ?? []);
  });

  it("shortens long unrecognised text in the reasons", () => {
    const long = `We will   know after the board meeting in ${"very ".repeat(20)}late spring`;
    const got = score(row("high", long, "dm"));
    expect(got.reasons).toBe('Need high +40 · Budget "We will know after the board meeting in…" not recognised +0 · Authority decision maker +30');
    expect(got.unrecognised).toEqual(["budget"]);
  });

  it("hands out one shared, frozen result per combination of answers", () => {
    const a = score(row("High", "approved", "dm"));
    const b = score(row("high", "Approved", "Decision maker"));
    const c = score(row("High", "approved", "dm"));
    expect(c).toBe(a);
    expect(b).toEqual(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => (a.unknown as Dimension[]).push("need")).toThrow(TypeError);
  });
});

describe("answerFor", () => {
  it.each([
    ["authority", "Decision-maker", "Decision maker"],
    ["authority", "decision   maker", "Decision maker"],
    ["authority", "economic_buyer", "Decision maker"],
    ["budget", "3.00", "Approved"],
    ["budget", "+2", "Planned"],
    ["budget", "No budget", "No budget"],
    ["need", "NICE-TO-HAVE", "Medium"],
    ["need", "Not interested.", "None"],
  ] as [Dimension, string, string][])("%s %j -> %s", (d, raw, label) => {
    expect(answerFor(S, d, raw)?.label).toBe(label);
  });

  it.each([
    ["need", ""],
    ["need", "   "],
    ["budget", "--"],
    ["authority", "Unknown"],
    ["authority", "N/A"],
  ] as [Dimension, string][])("%s %j is blank (null)", (d, raw) => {
    expect(answerFor(S, d, raw)).toBeNull();
  });

  it.each([
    ["need", "4"],
    ["need", "approved"],
    ["budget", "decision maker"],
    ["authority", "1.5"],
  ] as [Dimension, string][])("%s %j is not recognised (undefined)", (d, raw) => {
    expect(answerFor(S, d, raw)).toBeUndefined();
  });

  const custom: Scoring = {
    answers: [
      { dimension: "need", label: "Pain", points: 3, synonyms: [] },
      { dimension: "need", label: "Curious", points: 1, synonyms: [] },
      { dimension: "need", label: "Nothing", points: 0, synonyms: [] },
      { dimension: "budget", label: "Funded", points: 3, synonyms: ["yes"] },
      { dimension: "budget", label: "Unfunded", points: 1, synonyms: ["no"] },
      { dimension: "authority", label: "Signs", points: 2, synonyms: [] },
    ],
    weights: { need: 50, budget: 25, authority: 25 },
    grades: { A: 80, B: 60, C: 40 },
    qualifiedAt: 60,
  };

  it.each([
    ["need", "Yes", "Pain"],
    ["need", "true", "Pain"],
    ["need", "N", "Nothing"],
    ["need", "1.0", "Curious"],
    ["budget", "no", "Unfunded"],
    ["authority", "2", "Signs"],
    ["authority", "y", "Signs"],
  ] as [Dimension, string, string][])("custom answers: generic %s %j -> %s", (d, raw, label) => {
    expect(answerFor(custom, d, raw)?.label).toBe(label);
  });

  it("custom answers: 'no' means nothing where no answer is worth 0 points, and 'maybe' is unknown to them", () => {
    expect(answerFor(custom, "authority", "no")).toBeUndefined();
    expect(answerFor(custom, "need", "maybe")).toBeUndefined();
  });

  it("custom answers score with their own weights and cut-offs", () => {
    const got = scorer(custom)(row("pain", "unfunded", "yes"));
    // need 50 × 3/3, budget 25 × 1/3, authority 25 × 2/3
    expect(got.score).toBe(75);
    expect(got.grade).toBe("B");
    expect(got.qualified).toBe(true);
    expect(got.reasons).toBe("Need pain +50 · Budget unfunded +8 · Authority signs +17");
  });
});

describe("answerLists", () => {
  it("lists the default labels, highest points first", () => {
    expect(answerLists(S)).toEqual({
      need: ["High", "Medium", "Low", "None"],
      budget: ["Approved", "Planned", "Limited", "No budget"],
      authority: ["Decision maker", "Influencer", "User", "No authority"],
    });
  });

  it("orders by points whatever the order in settings, and lists a label once", () => {
    const s: Scoring = {
      ...S,
      answers: [
        { dimension: "need", label: "Low", points: 1, synonyms: [] },
        { dimension: "need", label: "High", points: 3, synonyms: [] },
        { dimension: "need", label: "High", points: 3, synonyms: ["urgent"] },
        { dimension: "budget", label: "Some", points: 2, synonyms: [] },
      ],
    };
    expect(answerLists(s)).toEqual({ need: ["High", "Low"], budget: ["Some"], authority: [] });
  });
});

describe("properties", () => {
  // Known cells and the points they stand for, written out by hand for the oracle below.
  const KNOWN: Record<Dimension, [string, number][]> = {
    need: [["High", 3], ["urgent", 3], ["Medium", 2], ["nice to have", 2], ["low", 1], ["None", 0], ["no need", 0], ["", 0]],
    budget: [["Approved", 3], ["allocated", 3], ["planned", 2], ["in planning", 2], ["Limited", 1], ["small", 1], ["No budget", 0], ["", 0]],
    authority: [["Decision maker", 3], ["signer", 3], ["Influencer", 2], ["champion", 2], ["User", 1], ["gatekeeper", 1], ["No authority", 0], ["", 0]],
  };
  const cell = (d: Dimension) =>
    fc.oneof(
      fc.constantFrom(...KNOWN[d]),
      // "zq" never starts an answer, so these are unrecognised and worth nothing.
      fc.string().map((s): [string, number] => [`zq${s.replace(/[^a-z]/gi, "")}`, 0]),
    );
  const split = fc
    .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }))
    .map(([x, y]) => ({ need: Math.min(x, y), budget: Math.abs(x - y), authority: 100 - Math.max(x, y) }));
  const cutOffs = fc
    .uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 3, maxLength: 3 })
    .map((v) => [...v].sort((a, b) => b - a))
    .map(([A, B, C]) => ({ A: A as number, B: B as number, C: C as number }));
  const scoringArb = fc.record({ weights: split, grades: cutOffs, qualifiedAt: fc.integer({ min: 0, max: 100 }) }).map(
    (r): Scoring => ({ ...S, ...r }),
  );

  it("the score is the rounded weighted sum of points, a whole number in 0..100", () => {
    fc.assert(
      fc.property(scoringArb, cell("need"), cell("budget"), cell("authority"), (s, n, b, a) => {
        const got = scorer(s)(row(n[0], b[0], a[0]));
        let sum = 0;
        sum += (s.weights.need * n[1]) / 3;
        sum += (s.weights.budget * b[1]) / 3;
        sum += (s.weights.authority * a[1]) / 3;
        expect(got.score).toBe(Math.round(sum));
        expect(Number.isInteger(got.score)).toBe(true);
        expect(got.qualified).toBe(got.score >= s.qualifiedAt);
      }),
    );
  });

  it("any text at all scores a whole number in 0..100 and a grade that matches the cut-offs", () => {
    fc.assert(
      fc.property(scoringArb, fc.string(), fc.string(), fc.string(), (s, n, b, a) => {
        const got = scorer(s)(row(n, b, a));
        expect(Number.isInteger(got.score)).toBe(true);
        expect(got.score).toBeGreaterThanOrEqual(0);
        expect(got.score).toBeLessThanOrEqual(100);
        const g = s.grades;
        const expected = got.score >= g.A ? "A" : got.score >= g.B ? "B" : got.score >= g.C ? "C" : "D";
        expect(got.grade).toBe(expected);
        expect(got.unknown.length + got.unrecognised.length).toBeLessThanOrEqual(3);
      }),
    );
  });

  it("the grade never gets worse as the score rises", () => {
    const rank: Record<Grade, number> = { D: 0, C: 1, B: 2, A: 3 };
    fc.assert(
      fc.property(cutOffs, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (grades, x, y) => {
        const s: Scoring = { ...S, grades };
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        expect(rank[gradeOf(lo, s)]).toBeLessThanOrEqual(rank[gradeOf(hi, s)]);
      }),
    );
  });
});
