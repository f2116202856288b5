// Which sheet the pane treats as the deals sheet, read in one round trip.
import { describe, expect, it } from "vitest";
import { chooseDealsSheet, discover, type Discovery } from "../excel-addin/adapter/command.js";
import { hostFor, newWorkbook } from "./fakes/excel/index.js";

const d = (sheets: string[], active: string, tables: [string, string][] = [], hidden: string[] = []): Discovery => ({
  sheets: sheets.map((name) => ({ name, visible: !hidden.includes(name) })),
  active,
  tables: tables.map(([name, sheet]) => ({ name, sheet })),
});

describe("choosing the deals sheet", () => {
  const cases: [string, Discovery, string | null, string | null][] = [
    ["the active sheet", d(["Deals", "Notes"], "Notes"), null, "Notes"],
    ["the sheet picked before, if it still exists", d(["Deals", "Notes"], "Notes"), "deals", "Deals"],
    ["the active sheet when the one picked before is gone", d(["Deals", "Notes"], "Notes"), "Old", "Notes"],
    ["a sheet with a table when pipesheet's own tab is active", d(["Intro", "Deals", "Pipeline Review"], "Pipeline Review", [["DealsTable", "Deals"]]), null, "Deals"],
    ["the first visible sheet of the team's otherwise", d(["Hidden stuff", "Deals", "Pipeline Settings"], "Pipeline Settings", [], ["Hidden stuff"]), null, "Deals"],
    ["none when only pipesheet's tabs exist", d(["Pipeline Review"], "Pipeline Review"), null, null],
  ];
  for (const [name, disc, remembered, want] of cases) it(name, () => expect(chooseDealsSheet(disc, remembered)).toBe(want));

  it("discovers sheets, the active one and tables in one round trip", async () => {
    const m = newWorkbook();
    m.load("Intro", [["Welcome"]]);
    const deals = m.load("Deals", [["Deal", "Stage"], ["A", "Won"]]);
    deals.tables.push({ name: "DealsTable", rect: { r0: 0, c0: 0, r1: 1, c1: 1 } });
    m.addSheet("Pipeline Log").visibility = "Hidden";
    m.resetStats();
    const found = await discover(hostFor(m));
    expect(m.stats.syncs).toBe(1);
    expect(found).toEqual(d(["Intro", "Deals", "Pipeline Log"], "Intro", [["DealsTable", "Deals"]], ["Pipeline Log"]));
    expect(chooseDealsSheet(found, null)).toBe("Intro");
  });
});
