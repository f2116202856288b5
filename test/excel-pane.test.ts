// Column corrections the pane keeps after set-up: only those the written settings tab does not hold.
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, settingsToGrid, TAB_SETTINGS, type WorkbookPlan } from "../core/index.js";
import { unsavedOverrides } from "../excel-addin/taskpane/pane.js";

const planWith = (columns: Record<string, string> | null): WorkbookPlan =>
  ({ tabs: columns === null ? [] : [{ name: TAB_SETTINGS, values: settingsToGrid({ ...structuredClone(DEFAULT_SETTINGS), columns }), hidden: false, formats: [] }] }) as unknown as WorkbookPlan;

describe("corrections after set-up", () => {
  const cases: [string, Record<string, string> | null, Record<string, string>][] = [
    ["all saved: nothing left to hold", { owner: "Source", value: "Amount" }, {}],
    ["saved in another case: still saved", { owner: "source" }, { value: "Amount" }],
    ["not saved: kept", {}, { owner: "Source", value: "Amount" }],
    ["no settings tab written: kept", null, { owner: "Source", value: "Amount" }],
  ];
  for (const [name, saved, left] of cases)
    it(name, () => expect(unsavedOverrides({ owner: "Source", value: "Amount" }, planWith(saved))).toEqual(left));
});
