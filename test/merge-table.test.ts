// Tables, column alignment (CRM exports by meaning), Deal IDs, and the cell text round trips sync relies on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeSpreadsheet } from "./fakes/sheets-api/model.js";
import { isLocaleNumber, neutraliseFormula } from "../cli/io/csv.js";
import { asNumber, csvStored, csvValue, sheetsInput, sheetsText, textOf } from "../cli/merge/cells.js";
import { assignIds, checkUniqueIds, formatId } from "../cli/merge/ids.js";
import { alignColumns, tableFromGrid } from "../cli/merge/table.js";

describe("tableFromGrid", () => {
  it("finds the header below a title and skips blank rows", () => {
    const t = tableFromGrid(
      [["Q3 pipeline"], [], ["Deal ID", "Deal", "Stage", "Value"], ["D-1", "Acme", "Won", "10"], ["", "", "", ""], ["D-2", "Beta", "Lost", "5"]],
      "Deals",
    );
    expect(t.headerRow).toBe(2);
    expect(t.header).toEqual(["Deal ID", "Deal", "Stage", "Value"]);
    expect(t.rows.map((r) => r.sheetRow)).toEqual([3, 5]);
    expect(t.idCol).toBe(0);
  });

  it("recognises a CRM export's ID column (HubSpot Record ID)", () => {
    const t = tableFromGrid([["Record ID", "Deal Name", "Deal Stage", "Amount"], ["901", "Acme", "closedwon", "10"]], "export");
    expect(t.idCol).toBe(0);
  });

  it("is empty for an empty grid", () => {
    expect(tableFromGrid([], "Deals").headerRow).toBe(-1);
  });
});

describe("alignColumns", () => {
  it("lines a HubSpot export up with a team's own headers by meaning", () => {
    const ours = tableFromGrid([["Deal ID", "Deal", "Stage", "Value", "Owner", "Notes"]], "Deals");
    const hubspot = tableFromGrid([["Record ID", "Deal Name", "Deal Stage", "Amount", "Deal owner", "Pipeline"]], "export");
    const cols = alignColumns(hubspot, ours);
    const pairs = cols.map((c) => [c.a === null ? null : hubspot.header[c.a], c.b === null ? null : ours.header[c.b]]);
    expect(pairs).toEqual([
      ["Record ID", "Deal ID"],
      ["Deal Name", "Deal"],
      ["Deal Stage", "Stage"],
      ["Amount", "Value"],
      ["Deal owner", "Owner"],
      ["Pipeline", null],
      [null, "Notes"],
    ]);
  });

  it("pairs repeated headers in order", () => {
    const a = tableFromGrid([["Deal ID", "Deal", "Notes", "Stage", "Notes"]], "a");
    const b = tableFromGrid([["Deal ID", "Notes", "Deal", "Notes", "Stage"]], "b");
    const cols = alignColumns(a, b);
    expect(cols.map((c) => [c.a, c.b])).toEqual([
      [0, 0],
      [1, 2],
      [2, 1],
      [3, 4],
      [4, 3],
    ]);
  });

  it("prefers identical headers over a match by meaning", () => {
    const a = tableFromGrid([["Deal name", "Name", "Stage"]], "a");
    const b = tableFromGrid([["Name", "Stage"]], "b");
    const cols = alignColumns(a, b);
    expect(cols.find((c) => c.b === 0)?.a).toBe(1);
    expect(cols.find((c) => c.a === 0)?.b).toBeNull();
  });
});

describe("Deal IDs", () => {
  const t = (rows: string[][]) => tableFromGrid([["Deal ID", "Deal", "Stage"], ...rows], "Deals");

  it("continues the highest D-number on either side and in the base", () => {
    const a = t([["D-000007", "A", "Won"], ["", "B", "Lost"]]);
    const b = t([["D-000003", "C", "Won"]]);
    const fills = assignIds(a, b, ["D-000010"], () => "a", () => "b");
    expect(fills.a).toEqual([{ row: 1, id: formatId(11) }]);
    expect(fills.b).toEqual([]);
  });

  it("gives a row without ID that is identical on both sides one ID", () => {
    const a = t([["", "Acme", "Won"], ["", "Beta", "Lost"]]);
    const b = t([["", "Beta", "Lost"], ["", "Gamma", "Won"]]);
    const content = (x: typeof a) => (i: number) => (x.rows[i]?.cells.slice(1) ?? []).join("|");
    const fills = assignIds(a, b, [], content(a), content(b));
    expect(fills.a).toEqual([
      { row: 0, id: "D-000001" },
      { row: 1, id: "D-000002" },
    ]);
    expect(fills.b).toEqual([
      { row: 0, id: "D-000002" },
      { row: 1, id: "D-000003" },
    ]);
  });

  it("refuses a side with a repeated Deal ID, naming both rows", () => {
    expect(() => checkUniqueIds(t([["D-1", "A", "Won"], ["D-1", "B", "Won"]]), "deals.csv")).toThrow(/deals\.csv has the same Deal ID on more than one row \("D-1" on rows 2 and 3\).*Nothing was written/);
  });
});

describe("cell text", () => {
  it("round-trips any text through a CSV cell, with formulas neutralised on disk", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "'", "\t", "\r", "a", "1", " ") }), (text) => {
        const stored = csvStored(text);
        const onDisk = neutraliseFormula(stored) as string;
        expect(csvValue(onDisk)).toBe(text);
        // What a spreadsheet opens never starts with a formula character, unless it is a number as a locale writes it.
        if (/^[=+\-@\t\r]/.test(onDisk)) expect(isLocaleNumber(onDisk)).toBe(true);
      }),
    );
  });

  it("round-trips any text through a Google Sheets cell (USER_ENTERED in; UNFORMATTED, dates as shown, out)", () => {
    const ss = new FakeSpreadsheet("x");
    ss.addSheet("Deals");
    const isoDay = fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2090, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const texts = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      isoDay,
      fc.constantFrom("TRUE", "FALSE", "true", "=SUM(A1)", "'=x", "12%", "$5", "1/2/2026", "007", "2026-02-30", " 12"),
    );
    let row = 0;
    fc.assert(
      fc.property(texts, (text) => {
        // A fresh cell each time: a cell formatted as a date by an earlier value would show later numbers as dates.
        const at = `Deals!A${(row++ % 999) + 1}`;
        ss.sheet("Deals").formats.clear();
        ss.updateValues(at, { values: [[sheetsInput(text)]] }, "USER_ENTERED");
        expect(ss.sheet("Deals").formulas.size).toBe(0);
        const got = ss.getValues(`${at}:A${(row - 1) % 999 + 1}`, { valueRenderOption: "UNFORMATTED_VALUE", dateTimeRenderOption: "FORMATTED_STRING" });
        expect(sheetsText(got.values?.[0]?.[0] ?? "")).toBe(text);
      }),
    );
  });

  it("keeps numbers exact and IDs with leading zeros as text", () => {
    expect(asNumber("12500")).toBe(12500);
    expect(asNumber("-1200")).toBe(-1200);
    expect(asNumber("007")).toBeNull();
    expect(asNumber("1.50")).toBeNull();
    expect(asNumber("1e3")).toBeNull();
  });

  it("reads host cells as the text a person sees", () => {
    expect(textOf(new Date(2026, 2, 4))).toBe("2026-03-04");
    expect(textOf(true)).toBe("TRUE");
    expect(textOf(0.25)).toBe("0.25");
    expect(textOf(null)).toBe("");
  });
});
