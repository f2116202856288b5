import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HEADER_ALIASES, HEADER_SCAN_ROWS, IMPORTANT_FIELDS, knownField, mapColumns, noHeaderProblem, OUTPUT_KEYS, OWNED_HEADERS, type ColumnMap } from "../core/columns.js";
import { FIELDS, type Cell, type Field, type Grid } from "../core/types.js";

const SHEET = "Deals";

function mapRow(headers: Cell[], overrides: Partial<Record<Field, string>> = {}): ColumnMap {
  const map = mapColumns([headers], SHEET, overrides);
  if (!map) throw new Error(`no header found in ${JSON.stringify(headers)}`);
  return map;
}

/** field -> header text, read back through the map, so expectations name headers rather than indexes. */
const byHeader = (map: ColumnMap): Partial<Record<Field, string>> =>
  Object.fromEntries(Object.entries(map.fields).map(([f, c]) => [f, map.headers[c as number]]));

describe("CRM exports map without guessing", () => {
  const cases: { crm: string; headers: string[]; expected: Partial<Record<Field, string>> }[] = [
    {
      crm: "HubSpot",
      headers: ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date", "Deal owner", "Last Activity Date", "Next Activity Date", "Deal Type"],
      expected: {
        dealId: "Record ID",
        name: "Deal Name",
        stage: "Deal Stage",
        value: "Amount",
        closeDate: "Close Date",
        createdDate: "Create Date",
        owner: "Deal owner",
        lastActivity: "Last Activity Date",
        nextStepDate: "Next Activity Date",
      },
    },
    {
      crm: "Pipedrive",
      headers: [
        "Deal - ID", "Deal - Title", "Deal - Value", "Deal - Stage", "Deal - Owner", "Deal - Expected close date", "Deal - Last stage change",
        "Deal - Status", "Deal - Deal created", "Deal - Lost reason", "Deal - Next activity date", "Deal - Last activity date", "Deal - Organization",
      ],
      expected: {
        dealId: "Deal - ID",
        name: "Deal - Title",
        value: "Deal - Value",
        stage: "Deal - Stage",
        owner: "Deal - Owner",
        closeDate: "Deal - Expected close date",
        stageEntered: "Deal - Last stage change",
        status: "Deal - Status",
        createdDate: "Deal - Deal created",
        lossReason: "Deal - Lost reason",
        nextStepDate: "Deal - Next activity date",
        lastActivity: "Deal - Last activity date",
        company: "Deal - Organization",
      },
    },
    {
      crm: "Salesforce",
      headers: [
        "Opportunity ID", "Opportunity Name", "Account Name", "Stage", "Amount", "Probability (%)", "Close Date", "Created Date",
        "Last Stage Change Date", "Opportunity Owner", "Lead Source", "Next Step", "Last Activity", "Loss Reason", "Fiscal Period",
      ],
      expected: {
        dealId: "Opportunity ID",
        name: "Opportunity Name",
        company: "Account Name",
        stage: "Stage",
        value: "Amount",
        probability: "Probability (%)",
        closeDate: "Close Date",
        createdDate: "Created Date",
        stageEntered: "Last Stage Change Date",
        owner: "Opportunity Owner",
        source: "Lead Source",
        nextStep: "Next Step",
        lastActivity: "Last Activity",
        lossReason: "Loss Reason",
      },
    },
    {
      crm: "a plain team sheet",
      headers: ["Deal", "Company", "Stage", "Deal value", "Rep", "Created on", "Expected close", "Need", "Budget", "Decision maker", "Lost reason", "Source", "Product", "Sector", "First contact", "Last contact", "Next step", "Next step date", "Stage entered"],
      expected: {
        name: "Deal",
        company: "Company",
        stage: "Stage",
        value: "Deal value",
        owner: "Rep",
        createdDate: "Created on",
        closeDate: "Expected close",
        need: "Need",
        budget: "Budget",
        authority: "Decision maker",
        lossReason: "Lost reason",
        source: "Source",
        product: "Product",
        industry: "Sector",
        firstContact: "First contact",
        lastActivity: "Last contact",
        nextStep: "Next step",
        nextStepDate: "Next step date",
        stageEntered: "Stage entered",
      },
    },
  ];

  it.each(cases)("$crm", ({ headers, expected }) => {
    const map = mapRow(headers);
    expect(map.headerRow).toBe(0);
    expect(byHeader(map)).toEqual(expected);
    expect(map.guessed).toEqual([]);
    expect(map.problems.filter((p) => p.code !== "MISSING_COLUMN")).toEqual([]);
    expect(map.missing).toEqual(IMPORTANT_FIELDS.filter((f) => !(f in expected)));
  });
});

describe("header spelling", () => {
  it.each(["Deal  Stage", "deal_stage", "DEAL-STAGE", " Stage ", "stage:", "Deal.Stage"])("%j is the stage", (header) => {
    expect(mapRow(["Name", header]).fields.stage).toBe(1);
  });

  it.each<[string, Field]>([
    ["Estimated deal value (USD)", "value"],
    ["Deal amount in EUR", "value"],
    ["Account manager", "owner"],
    ["Date first contacted", "firstContact"],
    ["Expected closing month", "closeDate"],
    ["Reason for loss", "lossReason"],
    ["Customer industry", "industry"],
    ["Pain level", "need"],
    ["Budget confirmed?", "budget"],
    ["Ammount", "value"],
    ["Sales stgae", "stage"],
  ])("%j is guessed as %s", (header, field) => {
    const map = mapRow([field === "stage" ? "Amount" : "Stage", "Deal name", header]);
    expect(map.fields[field]).toBe(2);
    expect(map.guessed).toEqual([field]);
  });

  it("reports a guess as info, naming the header and its cell", () => {
    const map = mapRow(["Deal", "Stage", "Owner", "Est. value (USD)"]);
    expect(map.fields.value).toBe(3);
    expect(map.problems.filter((p) => p.code === "GUESSED_COLUMN")).toEqual([
      {
        sheet: SHEET,
        cell: "D1",
        code: "GUESSED_COLUMN",
        severity: "info",
        message: 'Guessed that "Est. value (USD)" (D1) is the deal value; correct it in Pipeline Settings › Columns if not.',
      },
    ]);
  });

  it("does not guess a second column for a field that is already known", () => {
    const map = mapRow(["Deal", "Stage", "Amount", "Amount in company currency"]);
    expect(map.fields.value).toBe(2);
    expect(map.guessed).toEqual([]);
  });

  it("does not guess from headers it knows hold nothing of ours", () => {
    const map = mapRow(["Deal", "Stage", "Weighted value", "Created by", "Deal Type", "Pipeline"]);
    expect(map.fields.value).toBeUndefined();
    expect(map.fields.createdDate).toBeUndefined();
    expect(map.guessed).toEqual([]);
  });

  it("reads a Status column as the stage when there is no stage column", () => {
    const map = mapRow(["Deal", "Status", "Amount"]);
    expect(map.fields.stage).toBe(1);
    expect(map.fields.status).toBeUndefined();
    expect(map.guessed).toEqual(["stage"]);
  });

  it("keeps Status as the status when there is a stage column", () => {
    const map = mapRow(["Deal", "Stage", "Status"]);
    expect(map.fields).toMatchObject({ stage: 1, status: 2 });
  });
});

describe("owned columns", () => {
  it("finds pipesheet's output columns and never reads them as input", () => {
    const outputs = OUTPUT_KEYS.map((k) => OWNED_HEADERS[k]);
    const map = mapRow(["Deal", "Stage", ...outputs.map((h) => h.toUpperCase())]);
    expect(map.owned).toEqual(Object.fromEntries(OUTPUT_KEYS.map((k, i) => [k, i + 2])));
    expect(map.fields).toEqual({ name: 0, stage: 1 });
    expect(map.guessed).toEqual([]);
  });

  it("does not take 'Days in stage' for the stage, even with no stage column", () => {
    const map = mapRow(["Deal", "Amount", "Days in stage"]);
    expect(map.fields.stage).toBeUndefined();
    expect(map.owned.daysInStage).toBe(2);
    expect(map.missing).toContain("stage");
  });

  it("maps Deal ID, Need, Budget, Authority and Stage entered as input fields", () => {
    const map = mapRow(["Deal", "Stage", "Deal ID", "Need", "Budget", "Authority", "Stage entered"]);
    expect(map.fields).toMatchObject({ dealId: 2, need: 3, budget: 4, authority: 5, stageEntered: 6 });
    expect(map.owned).toEqual({});
  });

  it("knows every owned header by name", () => {
    expect([knownField("deal id"), knownField("NEED"), knownField("budget"), knownField("Authority"), knownField("stage_entered")]).toEqual([
      "dealId", "need", "budget", "authority", "stageEntered",
    ]);
  });
});

describe("header row", () => {
  it("finds the header below titles, notes and blank rows", () => {
    const grid: Grid = [
      ["Q3 pipeline", null, null],
      [],
      ["Updated by Sam", "", "Owner: Sam"],
      ["", "", ""],
      ["Deal", "Stage", "Amount", ""],
      ["Acme", "Proposal", 1200],
    ];
    const map = mapColumns(grid, SHEET, {});
    expect(map?.headerRow).toBe(4);
    expect(map?.headers).toEqual(["Deal", "Stage", "Amount"]);
    expect(map?.problems.find((p) => p.code === "MISSING_COLUMN")?.cell).toBe("A5");
  });

  it("prefers the row that names the most fields", () => {
    const grid: Grid = [["Name", "Stage"], ["Deal name", "Stage", "Amount", "Owner"]];
    expect(mapColumns(grid, SHEET, {})?.headerRow).toBe(1);
  });

  it.each<[string, Grid]>([
    ["an empty sheet", []],
    ["one known header", [["Stage", "Foo", "Bar"]]],
    ["known headers without stage or name", [["Amount", "Owner", "Close date"]]],
    ["a header below the rows scanned", [...Array.from({ length: HEADER_SCAN_ROWS }, () => ["x"]), ["Deal", "Stage"]]],
    ["numbers only", [[1, 2, 3], [4, 5, 6]]],
  ])("returns null for %s", (_, grid) => {
    expect(mapColumns(grid, SHEET, {})).toBeNull();
  });

  it("builds the NO_HEADER problem with what to do", () => {
    expect(noHeaderProblem("Sales")).toEqual({
      sheet: "Sales",
      cell: "A1",
      code: "NO_HEADER",
      severity: "error",
      message: 'No header row found in the first 30 rows of "Sales": put a header row with at least Deal name and Stage.',
    });
  });
});

describe("overrides", () => {
  it("win over known headers, and the other column is not reported as a duplicate", () => {
    const map = mapRow(["Deal", "Stage", "Phase of deal"], { stage: "phase of DEAL" });
    expect(map.fields.stage).toBe(2);
    expect(map.guessed).toEqual([]);
    expect(map.problems.filter((p) => p.code === "DUPLICATE_COLUMN")).toEqual([]);
  });

  it("let a header row be found by overridden names", () => {
    const grid: Grid = [["Title"], ["Opportunity label", "Where it is"]];
    const map = mapColumns(grid, SHEET, { name: "Opportunity label", stage: "Where it is" });
    expect(map?.headerRow).toBe(1);
    expect(map?.fields).toEqual({ name: 0, stage: 1 });
  });

  it("naming a header that does not exist is a MISSING_COLUMN that names the override", () => {
    const map = mapRow(["Deal", "Stage", "Amount"], { value: "Total (EUR)" });
    const p = map.problems.find((x) => x.code === "MISSING_COLUMN" && x.message.includes("Total (EUR)"));
    expect(p).toMatchObject({ sheet: SHEET, cell: "A1", severity: "warning" });
    expect(p?.message).toContain("Value");
    expect(map.fields.value).toBe(2);
  });

  it("cannot point an input field at a column pipesheet writes", () => {
    const map = mapRow(["Deal", "Stage", "Score"], { need: "Score" });
    expect(map.fields.need).toBeUndefined();
    expect(map.problems.find((p) => p.cell === "C1")?.code).toBe("MISSING_COLUMN");
  });
});

describe("problems", () => {
  it("reports a second column for the same field at the second cell and keeps the first", () => {
    const map = mapRow(["Deal", "Stage", "Amount", "Owner", "Deal value"]);
    expect(map.fields.value).toBe(2);
    expect(map.problems.filter((p) => p.code === "DUPLICATE_COLUMN")).toEqual([
      expect.objectContaining({ sheet: SHEET, cell: "E1", severity: "warning", message: expect.stringContaining("C1") }),
    ]);
  });

  it("reports each missing important field once, at the header row", () => {
    const grid: Grid = [[], ["Deal", "Stage"]];
    const map = mapColumns(grid, SHEET, {});
    const missing = map?.problems.filter((p) => p.code === "MISSING_COLUMN") ?? [];
    expect(map?.missing).toEqual(["value", "owner", "createdDate", "closeDate", "need", "budget", "authority"]);
    expect(missing.map((p) => [p.cell, p.severity])).toEqual(map?.missing.map(() => ["A2", "warning"]));
    expect(missing[0]?.message).toContain("Value");
  });
});

describe("alias tables", () => {
  it("every known header names its own field, and none names an output column", () => {
    for (const f of FIELDS) for (const alias of HEADER_ALIASES[f]) expect([alias, knownField(alias)]).toEqual([alias, f]);
    for (const k of OUTPUT_KEYS) expect(knownField(OWNED_HEADERS[k])).toBeUndefined();
  });
});

describe("never throws, and a column holds one thing", () => {
  const cell = fc.oneof(
    fc.constantFrom<Cell>("Deal", "Stage", "Amount", "Owner", "Score", "Status", "Days in stage", "Deal value", "Est. value", "", null, undefined),
    fc.string({ maxLength: 12 }),
    fc.double(),
    fc.boolean(),
    fc.date(),
  );
  it("on arbitrary grids and overrides", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { maxLength: 10 }), { maxLength: 35 }),
        fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("Amount", "Score", "Stage"))),
        (grid, overrides) => {
          const map = mapColumns(grid, SHEET, overrides);
          if (map === null) return;
          const cols = [...Object.values(map.fields), ...Object.values(map.owned)];
          expect(new Set(cols).size).toBe(cols.length);
          for (const c of cols) expect(c).toBeLessThan(map.headers.length);
          for (const p of map.problems) expect(p.cell).toMatch(/^[A-Z]+\d+$/);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("headers and values together", () => {
  /** A header row over a few rows of values, one column per [header, values]. */
  const sheet = (cols: [string, Cell[]][]): Grid => {
    const rows = Math.max(...cols.map(([, v]) => v.length));
    return [cols.map(([h]) => h), ...Array.from({ length: rows }, (_, r) => cols.map(([, v]) => v[r] ?? ""))];
  };
  const names = ["Moses Frase", "Darcel Schlecht", "Anna Snelling", "Vicki Laflamme"];
  const stages = ["Won", "Lost", "Engaging", "Won"];

  it.each<[string, [string, Cell[]][], Partial<Record<Field, string>>]>([
    [
      "snake_case with a value whose first word names the close date",
      [["opportunity_id", ["1C1I7A6R", "Z063OYW0", "EC4QE1BX", "MV1LWRNH"]], ["sales_agent", names], ["account", ["Cancity", "Isdom", "Cancity", "Codehow"]], ["deal_stage", stages],
        ["engage_date", ["20-10-16", "25-10-16", "25-10-16", "30-10-16"]], ["close_date", ["01-03-17", "11-03-17", "07-03-17", "09-03-17"]], ["close_value", ["1054", "4514", "50", "588"]], ["close_quarter", ["Q1 2017", "Q1 2017", "Q1 2017", "Q1 2017"]]],
      { dealId: "opportunity_id", owner: "sales_agent", company: "account", stage: "deal_stage", createdDate: "engage_date", closeDate: "close_date", value: "close_value" },
    ],
    [
      "Salesforce API names",
      [["Id", ["006f4000002NAbGAAW", "006f4000002NAbHAAW", "006f4000002NAbIAAW"]], ["AccountId", ["001f4000003NkdYAAS", "001f4000003NkdjAAC", "001f4000003NkdkAAC"]], ["Name", ["System Assessment", "300 Add'l Users", "Pilot"]],
        ["StageName", ["Prospecting", "Closed Won", "Closed Lost"]], ["Amount", [24710, 1200, 300]], ["ExpectedRevenue", [2471, 1200, 0]], ["CloseDate", ["2024-06-14", "2024-01-02", "2024-01-03"]],
        ["IsClosed", ["", "1", "1"]], ["IsWon", ["", "1", ""]], ["ForecastCategoryName", ["Pipeline", "Closed", "Omitted"]], ["OwnerId", ["005f4000000VrDDAA0", "005f4000000VrDDAA0", "005f4000000VrDDAA1"]], ["CreatedDate", ["2017-08-04T09:09:33.000+0000", "2017-08-04T09:09:33.000+0000", "2017-08-04T09:09:33.000+0000"]]],
      { dealId: "Id", name: "Name", stage: "StageName", value: "Amount", closeDate: "CloseDate", status: "IsWon", owner: "OwnerId", createdDate: "CreatedDate" },
    ],
    [
      "Dynamics 365 labels",
      [["Topic", ["Fabrikam upgrade", "Contoso pilot", "Litware 40 seats"]], ["Potential Customer", ["Fabrikam", "Contoso", "Litware"]], ["Est. Revenue", ["€ 4.500", "€ 12.000", "€ 900"]], ["Est. Close Date", ["14/06/2026", "02/07/2026", "30/06/2026"]], ["Pipeline Phase", ["1-Qualify", "2-Develop", "3-Propose"]], ["Owner", names.slice(0, 3)]],
      { name: "Topic", company: "Potential Customer", value: "Est. Revenue", closeDate: "Est. Close Date", stage: "Pipeline Phase", owner: "Owner" },
    ],
    [
      "Odoo: Expected Revenue is the deal's value, Salesperson the owner",
      [["Opportunity", ["Office chairs", "Desks", "Lamps"]], ["Customer", ["Deco Addict", "Gemini Furniture", "Azure Interior"]], ["Expected Revenue", ["1,200.00", "35,000.00", "19,800.00"]], ["Expected Closing", ["2026-06-14", "2026-07-02", "2026-06-30"]], ["Salesperson", names.slice(0, 3)], ["Stage", ["New", "Qualified", "Won"]]],
      { name: "Opportunity", company: "Customer", value: "Expected Revenue", closeDate: "Expected Closing", owner: "Salesperson", stage: "Stage" },
    ],
    [
      "German export",
      [["Verkaufschance", ["Stühle", "Tische", "Lampen"]], ["Firma", ["Müller GmbH", "Schmidt AG", "Weber KG"]], ["Phase", ["Angebot", "Verhandlung", "Gewonnen"]], ["Betrag (€)", ["12.500,00 €", "3.200,00 €", "900,00 €"]], ["Verantwortlich", ["Anna Schmidt", "Jonas Weber", "Anna Schmidt"]], ["Erstellt am", ["01.03.2026", "15.03.2026", "20.03.2026"]], ["Abschlussdatum", ["30.06.2026", "15.07.2026", "31.03.2026"]]],
      { name: "Verkaufschance", company: "Firma", stage: "Phase", value: "Betrag (€)", owner: "Verantwortlich", createdDate: "Erstellt am", closeDate: "Abschlussdatum" },
    ],
    [
      "an account executive's id is the owner, never the company",
      [["Deal", ["A", "B", "C"]], ["Stage", ["Lead", "Won", "Lost"]], ["Account_Exe_Id", ["AE-0012", "AE-0044", "AE-0012"]]],
      { name: "Deal", stage: "Stage", owner: "Account_Exe_Id" },
    ],
    [
      "a column of dates under a header that says value is not the value",
      [["Deal", ["A", "B", "C"]], ["Stage", ["Lead", "Won", "Lost"]], ["Value date", ["2026-01-01", "2026-02-01", "2026-03-01"]], ["Deal size", ["10", "20", "30"]]],
      { name: "Deal", stage: "Stage", value: "Deal size" },
    ],
  ])("%s", (_what, cols, expected) => {
    const map = mapColumns(sheet(cols), SHEET, {}) as ColumnMap;
    expect(map).not.toBeNull();
    expect(byHeader(map)).toEqual(expected);
  });

  it("reports a second column of a field only when its values could be that field", () => {
    const rows = (third: Cell[]): Grid => sheet([["Deal", ["A", "B", "C"]], ["Stage", ["Lead", "Won", "Lost"]], ["Amount", ["1", "2", "3"]], ["Revenue", third]]);
    expect((mapColumns(rows(["User Provided", "User Provided", "System"]), SHEET, {}) as ColumnMap).problems.filter((p) => p.code === "DUPLICATE_COLUMN")).toEqual([]);
    expect((mapColumns(rows(["10", "20", "30"]), SHEET, {}) as ColumnMap).problems.filter((p) => p.code === "DUPLICATE_COLUMN").map((p) => p.cell)).toEqual(["D1"]);
  });

  it("says why, and names the runner-up of two money columns", () => {
    const map = mapColumns(sheet([["Deal", ["A", "B", "C"]], ["Stage", ["Lead", "Won", "Lost"]], ["close_value", ["1", "2", "3"]], ["ExpectedRevenue", ["1", "2", "0"]]]), SHEET, {}) as ColumnMap;
    expect(map.evidence.value).toBe('header word "value", 100 % amounts; runner-up "ExpectedRevenue"');
    expect(map.valueRunnerUp).toBe(3);
    expect(map.evidence.stage).toBe("known header");
  });
});
