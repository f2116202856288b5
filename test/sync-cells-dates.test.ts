// The date helpers sync uses for a CSV's dates written as text and a workbook's date cells.
import { describe, expect, it } from "vitest";
import { asTextDay, sameDayText } from "../cli/merge/cells.js";

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString().slice(0, 10));

describe("asTextDay: a date written as text, in its column's order", () => {
  const cases: [string, "DMY" | "MDY", string | null][] = [
    ["15/03/2026", "DMY", "2026-03-15"],
    ["04/05/2026", "DMY", "2026-05-04"],
    ["04/05/2026", "MDY", "2026-04-05"],
    ["3/4/26", "MDY", "2026-03-04"],
    ["20.10.2016", "DMY", "2016-10-20"],
    ["4 Mar 2026", "MDY", "2026-03-04"],
    ["2026-03-04", "DMY", "2026-03-04"],
    // A time of day would be lost in a date cell; a number is an amount or a serial, not text to convert.
    ["04/05/2026 10:30", "DMY", null],
    ["45000", "DMY", null],
    ["tbd", "DMY", null],
    ["31/02/2026", "DMY", null],
    ["", "DMY", null],
  ];
  for (const [text, order, want] of cases) it(`${JSON.stringify(text)} read ${order} is ${want ?? "no date"}`, () => expect(iso(asTextDay(text, order))).toBe(want));
});

describe("sameDayText: a workbook's ISO day is the text it came from", () => {
  it("takes the first candidate that writes the same day", () => {
    expect(sameDayText("2026-05-04", "DMY", [null, "04/05/2026"])).toBe("04/05/2026");
    expect(sameDayText("2026-05-04", "DMY", ["04/05/2026", "4.5.2026"])).toBe("04/05/2026");
    expect(sameDayText("2026-05-04", "DMY", [undefined, "20/05/2026", "4.5.26"])).toBe("4.5.26");
  });
  it("keeps the cell when no candidate is that day, or the cell is no ISO day", () => {
    expect(sameDayText("2026-05-04", "MDY", ["04/05/2026"])).toBe("2026-05-04");
    expect(sameDayText("2026-07-01", "DMY", ["04/05/2026", "12/06/2026"])).toBe("2026-07-01");
    expect(sameDayText("04/05/2026", "DMY", ["2026-05-04"])).toBe("04/05/2026");
    expect(sameDayText("2026-05-04 10:00:00", "DMY", ["04/05/2026"])).toBe("2026-05-04 10:00:00");
  });
});
