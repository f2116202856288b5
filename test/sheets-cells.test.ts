// The adapter's pure parts: literal text, dates across time zones, block layout, and the structuredClone stand-in.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { ColumnWrite, WriteBlock } from "../core/index.js";
import { needsQuote, offsetFromZ, serialFromDate, textWriter, toSheet } from "../sheets-script/src/cells.js";
import { blockValues, chunkRows, formatRuns, MAX_FILL_RUNS, planWrites, widthOf } from "../sheets-script/src/layout.js";
import { structuredClonePolyfill } from "../sheets-script/src/polyfills.js";
import { enter } from "./fakes/apps-script/entry.js";
import { instantFromSerial, zoneOffset } from "./fakes/apps-script/time.js";

describe("literal text", () => {
  test.each([
    ["Proposal", false],
    ["Need high +40 · Budget unknown +0", false],
    ["D-000001", false],
    ["2026-11", true],
    ["00123", true],
    ["=1+1", true],
    ["+1 call back", true],
    ["TRUE", true],
    ["Nov 5", true],
    ["Monday 3 March", true],
    ["Mondays are slow", false],
    ["[1] a note", true],
    ["", false],
  ])("%j needs an apostrophe: %s", (s, quoted) => {
    expect(needsQuote(s)).toBe(quoted);
  });

  test("any string written through the writer reads back as the same text in the fake's typed-input model", () => {
    const quote = textWriter();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const stored = enter(toSheet(s, false, quote), undefined, "Etc/UTC");
        expect(stored.formula).toBeNull();
        expect(stored.value).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  test("plain-text cells take strings verbatim; numbers, booleans and blanks pass through", () => {
    const quote = textWriter();
    expect(toSheet("00123", true, quote)).toBe("00123");
    expect(toSheet(42, false, quote)).toBe(42);
    expect(toSheet(Number.NaN, false, quote)).toBe("");
    expect(toSheet(null, false, quote)).toBe("");
    expect(toSheet(false, false, quote)).toBe(false);
  });
});

describe("dates from getValues", () => {
  test.each(["Etc/UTC", "America/New_York", "Europe/Berlin", "Pacific/Auckland", "Asia/Kolkata", "Australia/Lord_Howe"])(
    "a date cell in %s converts to its own serial, across daylight-saving changes",
    (zone) => {
      const offsetNow = zoneOffset(Date.parse("2026-11-26T12:00:00Z"), zone);
      for (let serial = 45_900; serial < 46_400; serial += 7) {
        const instant = instantFromSerial(serial, zone);
        expect(serialFromDate(new Date(instant), offsetNow), `${zone} ${serial}`).toBe(serial);
      }
    },
  );

  test("a time of day is kept as the fraction", () => {
    const t = instantFromSerial(46_000.75, "Europe/Berlin");
    expect(serialFromDate(new Date(t), zoneOffset(t, "Europe/Berlin"))).toBeCloseTo(46_000.75, 9);
  });

  test.each([
    ["+0100", 3_600_000],
    ["-0800", -28_800_000],
    ["+0530", 19_800_000],
    ["+13:00", 46_800_000],
  ])("offset %s", (z, ms) => {
    expect(offsetFromZ(z)).toBe(ms);
  });
});

const col = (over: Partial<ColumnWrite> & Pick<ColumnWrite, "col" | "mode" | "values">): ColumnWrite => ({ key: "score", header: "H", created: false, ...over });

// The Apps Script applies core's write blocks (core/plan.ts) with MAX_FILL_RUNS as its limit of stretches.
describe("block layout", () => {
  /** [first column, width, first data row, end data row, keeps team cells] of each block, as planBlocks gave them. */
  const shape = (b: WriteBlock, headerRow: number): [number, number, number, number, boolean] => [b.col, widthOf(b), b.row - headerRow - 1, b.row - headerRow - 1 + b.values.length, b.keep !== undefined];

  test("adjacent written columns share a block; a sparse fill column writes only its new cells", () => {
    const n = 10;
    const all = (c: number): ColumnWrite => col({ col: c, mode: "all", values: Array<number>(n).fill(1) });
    const fill = col({ col: 7, mode: "fill", values: [null, null, "x", null, "y", "z", null, null, null, null], numberFormat: "yyyy-mm-dd" });
    const blocks = planWrites({ headerRow: 0, rowCount: n, columns: [all(4), all(5), all(6), fill, col({ col: 8, mode: "header", values: [] }), all(10)] }).cells;
    // The team's cell at row 3 between the two stretches is not part of any block.
    expect(blocks.map((b) => shape(b, 0))).toEqual([
      [4, 3, 0, 10, false],
      [7, 1, 2, 3, false],
      [7, 1, 4, 6, false],
      [10, 1, 0, 10, false],
    ]);
    // Data rows 4–5 are sheet rows 5–6 (0-based) below a header on row 0.
    expect(formatRuns(blocks[2]!, 0, 2)).toEqual([[5, 7, 2, 1, "yyyy-mm-dd"]]);
  });

  test("past MAX_FILL_RUNS stretches, one block spans them and writes the team's cells back as read", () => {
    const n = 2 * (MAX_FILL_RUNS + 1);
    const fill = col({ col: 3, mode: "fill", values: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `D-${i}` : null)), numberFormat: "@" });
    const blocks = planWrites({ headerRow: 0, rowCount: n, columns: [fill] }).cells;
    expect(blocks.map((b) => shape(b, 0))).toEqual([[3, 1, 0, n - 1, true]]);
    // Its format goes over the written cells only, never over the team's in between.
    expect(formatRuns(blocks[0]!, 0, 3)).toEqual([
      [1, 3, 1, 1, "@"],
      [3, 3, 1, 1, "@"],
    ]);
  });

  test("a fill column with nothing to write is not written at all", () => {
    expect(planWrites({ headerRow: 0, rowCount: 2, columns: [col({ col: 2, mode: "fill", values: [null, null] })] }).cells).toEqual([]);
  });

  test("created headers are written in runs of adjacent columns", () => {
    const h = (c: number, header: string): ColumnWrite => col({ col: c, header, created: true, mode: "header", values: [] });
    expect(planWrites({ headerRow: 0, rowCount: 0, columns: [h(9, "C"), h(5, "A"), h(6, "B")] }).headers.map((b) => ({ first: b.col, values: b.values[0] }))).toEqual([
      { first: 5, values: ["A", "B"] },
      { first: 9, values: ["C"] },
    ]);
  });

  test("cells a fill column leaves alone get back their formula, else the value read, as literal text where it is text", () => {
    const quote = textWriter();
    const values = ["D-1", null, null, null, "D-5", null, "D-7", null, "D-9", null, "D-11", null, "D-13", null, "D-15", null, "D-17", null, "D-19"];
    const block = planWrites({ headerRow: 0, rowCount: values.length, columns: [col({ col: 1, mode: "fill", values })] }).cells[0]!;
    expect(block.keep).toBeDefined();
    const grid = [["h", "ID"], ["a", ""], ["b", "00123"], ["c", 4711], ["d", "X-9"], ["e", "x"]];
    const out = blockValues(block, 0, 5, grid, [["0"], ["@"], ["0"], ["0"], ["0"]], [[""], [""], [""], ['=CONCAT("X-",9)'], [""]], quote);
    expect(out).toEqual([["D-1"], ["00123"], [4711], ['=CONCAT("X-",9)'], ["D-5"]]);
  });

  test("chunks keep a setValues under a million cells and 50,000 rows", () => {
    const wide = planWrites({ headerRow: 0, rowCount: 1, columns: [col({ col: 0, mode: "all", values: [1] }), ...Array.from({ length: 39 }, (_, i) => col({ col: i + 1, mode: "all", values: [1] }))] }).cells;
    expect(chunkRows(wide)).toBe(25_000);
    expect(chunkRows(planWrites({ headerRow: 0, rowCount: 1, columns: [col({ col: 0, mode: "all", values: [1] })] }).cells)).toBe(50_000);
  });
});

describe("structuredClone stand-in", () => {
  test("deep-copies plain data, Dates, Maps, Sets and cycles", () => {
    const a: Record<string, unknown> = { n: 1, s: "x", d: new Date(5), arr: [1, { b: 2 }], m: new Map([["k", [1]]]), set: new Set([1, 2]), nil: null };
    a.self = a;
    const b = structuredClonePolyfill(a);
    expect(b).not.toBe(a);
    expect(b.self).toBe(b);
    expect(b.arr).toEqual(a.arr);
    expect(b.arr).not.toBe(a.arr);
    expect((b.d as Date).getTime()).toBe(5);
    expect(b.m).toEqual(a.m);
    expect(b.set).toEqual(a.set);
    expect(() => structuredClonePolyfill({ f: () => 1 })).toThrow();
  });
});
