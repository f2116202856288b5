import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapColumns, type ColumnMap } from "../core/columns.js";
import { classifyRows, countRows, type RowKind } from "../core/rows.js";
import type { Grid } from "../core/types.js";

const HEADER = ["Deal name", "Stage", "Amount", "Owner", "Close date"];
const kinds = (grid: Grid): RowKind[] => {
  const map = mapColumns(grid, "Deals", {}) as ColumnMap;
  return classifyRows(grid, map.headerRow, map);
};

describe("classifyRows", () => {
  it.each<[string, Grid, RowKind[]]>([
    ["a deal", [HEADER, ["Acme", "Proposal", 10, "Ann", "2026-01-01"]], ["deal"]],
    ["a blank row between deals", [HEADER, ["A", "Lead", 1, "Ann", ""], ["", " ", null, undefined, ""], ["B", "Won", 2, "Bo", ""]], ["deal", "blank", "deal"]],
    ["a note in an unmapped column only", [[...HEADER, ""], ["", "", "", "", "", "see below"]], ["blank"]],
    ["the header repeated inside the data", [HEADER, ["A", "Lead", 1, "Ann", ""], [...HEADER], ["B", "Won", 2, "Bo", ""]], ["deal", "header", "deal"]],
    ["a repeated header in other case and spacing", [HEADER, ["deal  NAME", "STAGE", "amount", "", ""]], ["header"]],
    ["a totals row under the deals", [HEADER, ["A", "Won", 1, "Ann", ""], ["Total", "", 1, "", ""]], ["deal", "total"]],
    ["a grand total in the stage column", [HEADER, ["", "Grand Total", 1, "", ""]], ["total"]],
    ["a German Summe row", [HEADER, ["Summe:", "", "12.500,00 €", "", ""]], ["total"]],
    ["a totals word after spaces, a no-break space or a tab", [HEADER, ["  Total", "", 1, "", ""], ["\u00a0Grand total", "", 1, "", ""], ["\tSumme", "", 1, "", ""]], ["total", "total", "total"]],
    ["a deal whose name starts like no totals word", [HEADER, ["Acme Totals", "", 1, "Ann", ""]], ["deal"]],
    ["a deal called Total Gym, with a stage", [HEADER, ["Total Gym", "Proposal", 1, "Ann", ""]], ["deal"]],
    ["a group title above a repeated header", [HEADER, ["A", "Lead", 1, "Ann", ""], ["Closed deals", "", "", "", ""], HEADER, ["B", "Won", 2, "Bo", ""]], ["deal", "group", "header", "deal"]],
    ["a group title counting its deals, over their sum (Odoo's grouped export)", [HEADER, ["New (3)", "", 104000, "", ""], ["A", "New", 24000, "Ann", ""], ["Won (1)", "", "2.000", "", ""], ["B", "Won", 2000, "Bo", ""]], ["group", "deal", "group", "deal"]],
    ["a lone name with no header after it is a deal", [HEADER, ["Just a name", "", "", "", ""]], ["deal"]],
    ["a deal whose name is a header word", [HEADER, ["Stage", "Lead", 5, "Ann", ""]], ["deal"]],
  ])("%s", (_what, grid, expected) => {
    expect(kinds(grid)).toEqual(expected);
  });

  it("counts each kind", () => {
    expect(countRows(["deal", "deal", "blank", "header", "total", "group"])).toEqual({ deal: 2, blank: 1, header: 1, total: 1, group: 1 });
  });

  it("classifies the deal rows as deals whatever blank, header and totals rows are inserted among them", () => {
    const deal = fc.tuple(fc.constantFrom("Acme", "Beta GmbH", "Cobalt"), fc.constantFrom("Lead", "Proposal", "Won", "Lost"), fc.integer({ min: 1, max: 1e6 }), fc.constantFrom("Ann", "Bo"), fc.constant("2026-02-03"));
    const filler = fc.constantFrom<[RowKind, (string | number)[]]>(["blank", ["", "", "", "", ""]], ["header", HEADER], ["total", ["Total", "", 123, "", ""]]);
    fc.assert(
      fc.property(fc.array(fc.oneof(deal.map((d): [RowKind, (string | number)[]] => ["deal", d]), filler), { minLength: 1, maxLength: 40 }), (rows) => {
        const grid: Grid = [HEADER, ["Acme", "Lead", 1, "Ann", ""], ...rows.map(([, r]) => r)];
        expect(kinds(grid)).toEqual(["deal", ...rows.map(([k]) => k)]);
      }),
    );
  });
});
