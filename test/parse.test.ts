import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapColumns, type ColumnMap } from "../core/columns.js";
import { inferCurrency, inferDateOrders, inferNumberConvention, parseDate, parseDeals, parseNumber, parseNumberAs } from "../core/parse.js";
import { DEFAULT_SETTINGS, type Settings } from "../core/settings.js";
import { plainDeal } from "../core/table.js";
import { FIELDS, type Cell, type Deal, type Grid } from "../core/types.js";

// Expected days are computed here, independently of core/a1.ts.
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const stageIndex = (name: string): number => DEFAULT_SETTINGS.stages.findIndex((s) => s.name === name);
const withOrder = (dateOrder: Settings["dateOrder"]): Settings => ({ ...DEFAULT_SETTINGS, dateOrder });

describe("parseNumber", () => {
  it.each<[Cell, number | null | "bad"]>([
    [12500, 12500],
    [-3.25, -3.25],
    [null, null],
    [undefined, null],
    ["", null],
    ["   ", null],
    ["12500", 12500],
    ["12.5", 12.5],
    ["-1200", -1200],
    ["$12,500", 12500],
    ["$12,500.75", 12500.75],
    ["12.500,00 €", 12500],
    ["€ 12 500", 12500],
    ["€\u00a012\u00a0500", 12500],
    ["12\u202f500,50", 12500.5],
    ["12'500", 12500],
    ["12k", 12000],
    ["12 K", 12000],
    ["1.2M", 1_200_000],
    ["1,5 Mio", 1_500_000],
    ["3bn", 3_000_000_000],
    ["(1,200)", -1200],
    ["($1,200.50)", -1200.5],
    ["1200-", -1200],
    ["−7", -7],
    ["+42", 42],
    ["USD 5,000", 5000],
    ["5,000 usd", 5000],
    ["Rs. 500", 500],
    ["12 500,-", 12500],
    ["12,5", 12.5],
    ["0,500", 0.5],
    ["1,234,567.89", 1234567.89],
    ["1.234.567", 1234567],
    ["1.234.567,8", 1234567.8],
    [".5", 0.5],
    ["1.2E+06", 1_200_000],
    ["  $ 99  ", 99],
    ["twelve grand", "bad"],
    ["12 apples", "bad"],
    ["1,23,4", "bad"],
    ["1.2.3", "bad"],
    ["1,234.567,8", "bad"],
    ["5%", "bad"],
    ["$", "bad"],
    ["-", "bad"],
    ["12k k", "bad"],
    ["k12", "bad"],
    [true, "bad"],
    [new Date(2026, 0, 1), "bad"],
    [Number.NaN, "bad"],
    [Number.POSITIVE_INFINITY, "bad"],
  ])("%j -> %j", (cell, expected) => {
    expect(parseNumber(cell)).toBe(expected);
  });

  // Amounts written the way each locale formats money, by Intl rather than by the code under test.
  it.each(["en-US", "de-DE", "fr-FR", "de-CH", "en-IN"])("reads %s money with cents", (locale) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 99 }), fc.boolean(), (whole, cents, neg) => {
        const n = (neg ? -1 : 1) * (whole + cents / 100);
        const text = n.toLocaleString(locale, { style: "currency", currency: "EUR", minimumFractionDigits: 2 });
        if (locale === "en-IN" && Math.abs(n) >= 100_000) return; // lakh grouping (1,00,000) is not read
        expect(parseNumber(text)).toBeCloseTo(n, 6);
      }),
      { numRuns: 200 },
    );
  });

  it("reads whole amounts with thousands commas", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(parseNumber(`$${n.toLocaleString("en-US")}`)).toBe(n);
      }),
    );
  });
});

describe("parseDate", () => {
  const cases: [Cell, string | null | "bad", string | null | "bad", boolean][] = [
    // cell, DMY reading, MDY reading, ambiguous
    ["2026-03-04", "2026-03-04", "2026-03-04", false],
    ["2026-03-04T10:00:00Z", "2026-03-04", "2026-03-04", false],
    ["2026/03/04", "2026-03-04", "2026-03-04", false],
    ["2026-3-4", "2026-03-04", "2026-03-04", false],
    ["2026-03-04 17:45", "2026-03-04", "2026-03-04", false],
    ["04/03/2026", "2026-03-04", "2026-04-03", true],
    ["4.3.26", "2026-03-04", "2026-04-03", true],
    ["3-4-2026", "2026-04-03", "2026-03-04", true],
    ["3/4/2026 10:30 AM", "2026-04-03", "2026-03-04", true],
    ["05/05/2026", "2026-05-05", "2026-05-05", false],
    ["13/04/2026", "2026-04-13", "2026-04-13", false],
    ["04/13/2026", "2026-04-13", "2026-04-13", false],
    ["4 Mar 2026", "2026-03-04", "2026-03-04", false],
    ["March 4, 2026", "2026-03-04", "2026-03-04", false],
    ["Mar 4 2026", "2026-03-04", "2026-03-04", false],
    ["4-Mar-26", "2026-03-04", "2026-03-04", false],
    ["Wed, 4th of March 2026", "2026-03-04", "2026-03-04", false],
    ["29/02/2024", "2024-02-29", "2024-02-29", false],
    [46085, "2026-03-04", "2026-03-04", false],
    [46085.99, "2026-03-04", "2026-03-04", false],
    ["46085", "2026-03-04", "2026-03-04", false],
    [20260304, "2026-03-04", "2026-03-04", false],
    [new Date(2026, 2, 4), "2026-03-04", "2026-03-04", false],
    [null, null, null, false],
    ["", null, null, false],
    ["  ", null, null, false],
    ["31/02/2026", "bad", "bad", false],
    ["29/02/2025", "bad", "bad", false],
    ["2026-02-30", "bad", "bad", false],
    ["13/13/2026", "bad", "bad", false],
    ["March 2026", "bad", "bad", false],
    ["yesterday", "bad", "bad", false],
    ["4/3", "bad", "bad", false],
    ["1/2/326", "bad", "bad", false],
    [2026, "bad", "bad", false],
    [true, "bad", "bad", false],
    [new Date(Number.NaN), "bad", "bad", false],
  ];

  it.each(cases)("%j", (cell, dmy, mdy, ambiguous) => {
    for (const [order, want] of [["DMY", dmy], ["MDY", mdy]] as const) {
      const got = parseDate(cell, order);
      if (want === null || want === "bad") expect(got).toBe(want);
      else expect(got).toEqual({ day: day(want), ambiguous });
    }
  });

  it("reads every day from 1960 to 2110 in each way it is commonly written", () => {
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    fc.assert(
      fc.property(fc.integer({ min: day("1960-01-01"), max: day("2110-12-31") }), (d) => {
        const date = new Date(d * 86_400_000);
        const y = date.getUTCFullYear();
        const m = date.getUTCMonth() + 1;
        const dd = date.getUTCDate();
        const p2 = (n: number): string => String(n).padStart(2, "0");
        const amb = m !== dd && m <= 12 && dd <= 12;
        expect(parseDate(`${y}-${p2(m)}-${p2(dd)}`, "MDY")).toEqual({ day: d, ambiguous: false });
        expect(parseDate(`${dd}/${m}/${y}`, "DMY")).toEqual({ day: d, ambiguous: amb });
        expect(parseDate(`${p2(m)}/${p2(dd)}/${y}`, "MDY")).toEqual({ day: d, ambiguous: amb });
        expect(parseDate(`${dd} ${months[m - 1]} ${y}`, "MDY")).toEqual({ day: d, ambiguous: false });
        expect(parseDate(d + 25569, "DMY")).toEqual({ day: d, ambiguous: false });
        expect(parseDate(new Date(y, m - 1, dd, 0, 0, 0), "DMY")).toEqual({ day: d, ambiguous: false });
      }),
    );
  });
});

const HEADER = ["Deal ID", "Deal", "Stage", "Amount", "Owner", "Created", "Close date", "Need", "Source"];

function parse(rows: Cell[][], settings: Settings = DEFAULT_SETTINGS, above: Cell[][] = []) {
  const grid: Grid = [...above, HEADER, ...rows];
  const map = mapColumns(grid, "Deals", {}) as ColumnMap;
  return parseDeals(grid, map, settings, "Deals");
}

describe("parseDeals", () => {
  it("reads rows below the header, skipping blank ones but counting them", () => {
    const res = parse(
      [
        ["D1", " Acme ", "Proposal", "$12,500", " Ann ", "2026-01-05", "2026-03-01", "High", "Web"],
        [],
        [null, "", "   ", undefined],
        ["D2", "Globex", "negotiation", 800, "BOB", 46030, "", "", "Referral "],
        ["", "", "", "", "", "", "", "", ""],
      ],
      DEFAULT_SETTINGS,
      [["Pipeline 2026"], []],
    );
    expect(res.rowCount).toBe(4);
    expect(res.deals.map((d) => [d.index, d.sheetRow])).toEqual([[0, 4], [3, 7]]);
    // A deal is a window on the table's columns; plainDeal reads every field into an object.
    expect(plainDeal(res.deals[0] as Deal)).toEqual({
      index: 0,
      sheetRow: 4,
      id: "D1",
      name: "Acme",
      stageRaw: "Proposal",
      stage: stageIndex("Proposal"),
      value: 12500,
      owner: "Ann",
      created: day("2026-01-05"),
      closeDate: day("2026-03-01"),
      closedOn: null,
      stageEntered: null,
      lastActivity: null,
      nextStep: "",
      nextStepDate: null,
      firstContact: null,
      need: "High",
      budget: "",
      authority: "",
      lossReason: "",
      categories: { owner: "ann", source: "web" },
    });
    expect(res.deals[1]).toMatchObject({ stage: stageIndex("Negotiation"), value: 800, created: 46030 - 25569, closeDate: null, categories: { owner: "bob", source: "referral" } });
    expect(res.problems).toEqual([]);
  });

  it("has no rows when the header is the last row", () => {
    const res = parse([]);
    expect([res.rowCount, res.deals.length]).toEqual([0, 0]);
  });

  it("reports bad cells with their address, code and what to write", () => {
    const res = parse([
      ["D1", "A", "Proposal", "twelve grand", "Ann", "31/02/2026", "", "", ""],
      ["D2", "B", "Negotiaton", 10, "Ann", "", "soon", "", ""],
      ["D3", "C", "Parked", 10, "Ann", "", "", "", ""],
      ["D4", "D", "", 10, "Ann", "", "", "", ""],
      ["D1", "E", "Won", 10, "Ann", "2026-05-01", "2026-04-01", "", ""],
    ]);
    expect(res.problems).toEqual([
      { sheet: "Deals", cell: "D2", code: "BAD_NUMBER", severity: "error", message: '"twelve grand" is not an amount; write a number such as 12500.' },
      { sheet: "Deals", cell: "F2", code: "BAD_DATE", severity: "error", message: '"31/02/2026" is not a date; write the date as 2026-02-28 or as a date cell.' },
      {
        sheet: "Deals",
        cell: "C3",
        code: "UNKNOWN_STAGE",
        severity: "warning",
        message: "\"Negotiaton\" is not one of your stages; did you mean 'Negotiation'? It is counted there until you fix the spelling or add it to Pipeline Settings › Stages.",
      },
      { sheet: "Deals", cell: "G3", code: "BAD_DATE", severity: "error", message: '"soon" is not a date; write the date as 2026-03-04 or as a date cell.' },
      {
        sheet: "Deals",
        cell: "C4",
        code: "UNKNOWN_STAGE",
        severity: "error",
        message: '"Parked" is not one of your stages; add it to Pipeline Settings › Stages or run Set up pipeline to adopt it.',
      },
      { sheet: "Deals", cell: "C5", code: "MISSING_STAGE", severity: "warning", message: "The stage is blank; pick one from the drop-down." },
      {
        sheet: "Deals",
        cell: "A6",
        code: "DUPLICATE_ID",
        severity: "warning",
        message: 'Deal ID "D1" is also in A2; give each deal its own ID, or clear this one and Set up pipeline will add a new one.',
      },
      {
        sheet: "Deals",
        cell: "G6",
        code: "CLOSE_BEFORE_CREATE",
        severity: "warning",
        message: "The close date 2026-04-01 is before the created date 2026-05-01 (F6); check both dates.",
      },
    ]);
    expect(res.deals.map((d) => [d.value, d.created, d.stage])).toEqual([
      [null, null, stageIndex("Proposal")],
      [10, null, stageIndex("Negotiation")],
      [10, null, -1],
      [10, null, -1],
      [10, day("2026-05-01"), stageIndex("Won")],
    ]);
  });

  it("reads each date column in the order its own values prove; the settings only settle a sheet with no proof, and those are counted", () => {
    // Created proves day-first (13/03); Close has no proof of its own and follows the sheet.
    const proven = [
      ["D1", "A", "Won", 1, "Ann", "04/03/2026", "05/03/2026", "", ""],
      ["D2", "B", "Won", 1, "Ann", "13/03/2026", "2026-03-20", "", ""],
    ];
    for (const order of ["DMY", "MDY"] as const) {
      const res = parse(proven, withOrder(order));
      expect(res.ambiguousDates).toBe(0);
      expect(res.deals.map((d) => [d.created, d.closeDate])).toEqual([
        [day("2026-03-04"), day("2026-03-05")],
        [day("2026-03-13"), day("2026-03-20")],
      ]);
      expect(res.dateOrders.map((d) => [d.order, d.basis, d.dayFirst, d.ambiguous])).toEqual([
        ["DMY", "values", 1, 1],
        ["DMY", "other columns", 0, 1],
      ]);
      expect(res.problems).toEqual([]);
    }
    // Nothing proves either order: the settings decide, and the ambiguous values are counted.
    const unproven = [["D1", "A", "Won", 1, "Ann", "04/03/2026", "05/03/2026", "", ""]];
    const dmy = parse(unproven, withOrder("DMY"));
    const mdy = parse(unproven, withOrder("MDY"));
    expect([dmy.ambiguousDates, mdy.ambiguousDates]).toEqual([2, 2]);
    expect(dmy.deals[0]).toMatchObject({ created: day("2026-03-04"), closeDate: day("2026-03-05") });
    expect(mdy.deals[0]).toMatchObject({ created: day("2026-04-03"), closeDate: day("2026-05-03") });
  });

  it("moves a deal to the first won or lost stage when the status column says so", () => {
    const grid: Grid = [
      ["Deal - Title", "Deal - Stage", "Deal - Status"],
      ["A", "Negotiations Started", "won"],
      ["B", "Proposal made", "Lost"],
      ["C", "Proposal made", "open"],
      ["D", "Somewhere odd", "won"],
    ];
    const map = mapColumns(grid, "Deals", {}) as ColumnMap;
    const res = parseDeals(grid, map, DEFAULT_SETTINGS, "Deals");
    expect(res.deals.map((d) => [d.stageRaw, d.stage])).toEqual([
      ["Negotiations Started", stageIndex("Won")],
      ["Proposal made", stageIndex("Lost")],
      ["Proposal made", stageIndex("Proposal")],
      ["Somewhere odd", stageIndex("Won")],
    ]);
    expect(res.problems).toEqual([]);
  });

  it("leaves fields of missing columns empty and reports no per-row missing stage", () => {
    const grid: Grid = [["Deal name", "Amount", "Owner"], ["A", 5, "Ann"]];
    const res = parseDeals(grid, mapColumns(grid, "Deals", {}) as ColumnMap, DEFAULT_SETTINGS, "Deals");
    expect(res.deals[0]).toMatchObject({ stage: -1, stageRaw: "", id: "", value: 5, categories: { owner: "ann" } });
    expect(res.problems).toEqual([]);
  });

  it("reports every repeat of an ID against its first cell, over many rows", () => {
    const rows: Cell[][] = [];
    for (let i = 0; i < 5000; i++) rows.push([`D-${i % 2500}`, "x", "Won", 1, "", "", "", "", ""]);
    const res = parse(rows);
    const dups = res.problems.filter((p) => p.code === "DUPLICATE_ID");
    expect(dups.length).toBe(2500);
    expect(dups[0]?.cell).toBe("A2502");
    expect(dups[0]?.message).toContain("is also in A2;");
    expect(dups[2499]?.message).toContain('"D-2499" is also in A2501;');
  });
});

describe("never throws", () => {
  const cell: fc.Arbitrary<Cell> = fc.oneof(
    fc.string({ maxLength: 16 }),
    fc.constantFrom<Cell>("Won", "Lost", "Proposal", "$1,200", "04/03/2026", "2026-02-30", "(1.2M)", ",-", ".", "1e999", "", null, undefined),
    fc.double(),
    fc.integer({ min: 19_000_000, max: 23_000_000 }),
    fc.boolean(),
    fc.date(),
    fc.stringMatching(/^[\d\s.,$€()'-]{1,12}[kKmM]?$/),
  );

  it("parseNumber and parseDate on any cell", () => {
    fc.assert(
      fc.property(cell, fc.constantFrom("DMY" as const, "MDY" as const), (c, order) => {
        const n = parseNumber(c);
        expect(n === null || n === "bad" || Number.isFinite(n)).toBe(true);
        const d = parseDate(c, order);
        expect(d === null || d === "bad" || Number.isInteger(d.day)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("parseDeals on any grid, with any mapping, one deal per non-blank row", () => {
    const colFor = fc.integer({ min: 0, max: 7 });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 25 }),
        fc.dictionary(fc.constantFrom(...FIELDS), colFor),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom("DMY" as const, "MDY" as const),
        (grid, fields, headerRow, order) => {
          const map: ColumnMap = { headerRow, headers: [], fields, owned: {}, guessed: [], missing: [], evidence: {}, valueRunnerUp: null, problems: [] };
          const res = parseDeals(grid, map, withOrder(order), "Deals");
          expect(res.rowCount).toBeGreaterThanOrEqual(res.deals.length);
          for (const d of res.deals) {
            expect(d.sheetRow).toBe(d.index + headerRow + 2);
            expect(d.index).toBeLessThan(res.rowCount);
          }
          for (const p of res.problems) expect(p.message.startsWith(`${p.cell}: `)).toBe(false); // the address is in p.cell, not repeated
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("per-column inference", () => {
  const column = (values: Cell[]): Grid => [["x"], ...values.map((v) => [v])];

  it.each<[string, Cell[], "DMY" | "MDY", [string, number, number, number]]>([
    ["a mixed column, mostly day-first", ["20-10-16", "01-03-17", "25/10/2016", "3/4/2017", "2017-01-02"], "MDY", ["DMY", 2, 0, 2]],
    ["two-digit years, month-first", ["02/23/26", "02/03/24", "12/31/25 08:55 PM"], "DMY", ["MDY", 0, 2, 1]],
    ["text months prove nothing and are not ambiguous", ["4 Mar 2026", "March 5, 2026", "2026-03-04"], "DMY", ["DMY", 0, 0, 0]],
    ["no proof: the settings decide", ["04/03/2026", "05/06/2026", "01/01/2026"], "DMY", ["DMY", 0, 0, 2]],
    ["no proof, other order in the settings", ["04/03/2026"], "MDY", ["MDY", 0, 0, 1]],
  ])("dates: %s", (_what, values, fallback, [order, dayFirst, monthFirst, ambiguous]) => {
    const grid = column(values);
    const [res] = inferDateOrders(grid, 1, grid.length, [0], fallback);
    expect([res?.order, res?.dayFirst, res?.monthFirst, res?.ambiguous]).toEqual([order, dayFirst, monthFirst, ambiguous]);
  });

  it.each<[string, Cell[], Pick<Settings, "dateOrder" | "currency">, "comma" | "point", string, number[]]>([
    ["12.500 beside 3,5 proves the comma", ["12.500", "3,5", "9.900"], { dateOrder: "MDY", currency: "USD" }, "comma", "values", [12500, 3.5, 9900]],
    ["1.234,56 proves the comma", ["1.234,56", "9.900"], { dateOrder: "MDY", currency: "USD" }, "comma", "values", [1234.56, 9900]],
    ["1,234.56 proves the point", ["1,234.56", "12,500"], { dateOrder: "DMY", currency: "EUR" }, "point", "values", [1234.56, 12500]],
    ["12.5 proves the point", ["12.5", "9.900"], { dateOrder: "DMY", currency: "EUR" }, "point", "values", [12.5, 9.9]],
    ["lone 4.500 € take the euro's comma", ["4.500 €", "9.900 €"], { dateOrder: "MDY", currency: "USD" }, "comma", "currency", [4500, 9900]],
    ["lone 9.900 with DMY and EUR in the settings", ["9.900", "1.200"], { dateOrder: "DMY", currency: "EUR" }, "comma", "settings", [9900, 1200]],
    ["lone 9.900 with the default settings", ["9.900"], { dateOrder: "MDY", currency: "USD" }, "point", "settings", [9.9]],
    ["plain integers say nothing", ["1200", "350"], { dateOrder: "MDY", currency: "USD" }, "point", "settings", [1200, 350]],
  ])("numbers: %s", (_what, values, settings, decimal, basis, read) => {
    const grid = column(values);
    const res = inferNumberConvention(grid, 1, grid.length, 0, settings);
    expect([res.decimal, res.basis]).toEqual([decimal, basis]);
    expect(values.map((v) => parseNumberAs(v, res.decimal))).toEqual(read);
  });

  it.each<[string, Cell[], string | null]>([
    ["Amount (€)", ["12"], "EUR"],
    ["Value EUR", ["12"], "EUR"],
    ["Amount", ["£12", "£1,200", "13"], "GBP"],
    ["Amount", ["12", "13"], null],
  ])("currency of %s", (header, values, code) => {
    const grid = column(values);
    expect(inferCurrency(header, grid, 1, grid.length, 0)?.code ?? null).toBe(code);
  });
});

describe("status columns", () => {
  const run = (header: string, values: string[], stages: string[]) => {
    const grid: Grid = [["Deal", "Stage", header], ...values.map((v, i) => [`D${i}`, stages[i] ?? "Proposal", v])];
    return parseDeals(grid, mapColumns(grid, "Deals", {}) as ColumnMap, DEFAULT_SETTINGS, "Deals").deals.map((d) => DEFAULT_SETTINGS.stages[d.stage]?.kind ?? "none");
  };
  it.each<[string, string[], string[], string[]]>([
    ["Status", ["Dead", "Signed", "open", "Not relevant"], [], ["lost", "won", "open", "lost"]],
    ["IsWon", ["TRUE", "FALSE", "1", ""], ["Proposal", "Closed Lost", "Proposal", "Proposal"], ["won", "lost", "won", "open"]],
    ["Active", ["True", "", "False", ""], ["Proposal", "Proposal", "Proposal", "Won"], ["open", "lost", "lost", "won"]],
  ])("%s", (header, values, stages, kinds) => {
    expect(run(header, values, stages)).toEqual(kinds);
  });
});

describe("actual close apart from expected close", () => {
  it.each<[string, Cell[][], [number | null, number | null][]]>([
    [
      "Pipedrive's Won time and Lost time, the lost deal's own column first",
      [["Deal - Title", "Deal - Stage", "Deal - Status", "Deal - Expected close date", "Deal - Won time", "Deal - Lost time"], ["A", "Proposal made", "won", "2026-05-01", "2026-03-02 10:00:00", ""], ["B", "Proposal made", "lost", "2026-05-01", "", "2026-03-09 11:00:00"], ["C", "Proposal made", "open", "2026-05-01", "", ""]],
      [[day("2026-05-01"), day("2026-03-02")], [day("2026-05-01"), day("2026-03-09")], [day("2026-05-01"), null]],
    ],
    [
      "Dynamics' Actual Close Date",
      [["Topic", "Status", "Sales Stage", "Est. close date", "Actual Close Date"], ["A", "Won", "Close", "8/31/2024", "6/26/2024"]],
      [[day("2024-08-31"), day("2024-06-26")]],
    ],
  ])("%s", (_what, grid, expected) => {
    const res = parseDeals(grid, mapColumns(grid, "Deals", {}) as ColumnMap, DEFAULT_SETTINGS, "Deals");
    expect(res.deals.map((d) => [d.closeDate, d.closedOn])).toEqual(expected);
  });
});

