// The Apps Script fake is only worth its strictness: each of these is a mistake it must catch, as Apps Script would.
import { describe, expect, test } from "vitest";
import { Env } from "./fakes/apps-script/env.js";
import { enter, isDateFormat } from "./fakes/apps-script/entry.js";
import { formatDate, instantFromSerial, serialFromInstant } from "./fakes/apps-script/time.js";
import type { FakeDataValidationBuilder } from "./fakes/apps-script/spreadsheet.js";

function env(options: ConstructorParameters<typeof Env>[0] = {}): Env {
  const e = new Env(options);
  e.book.addSheet("Deals", 10, 5).load([["a", "b"], [1, 2]]);
  return e;
}
const locked = <T>(e: Env, fn: () => T): T =>
  e.execute("menu", () => {
    (e.globals().LockService as { getDocumentLock(): { tryLock(ms: number): boolean } }).getDocumentLock().tryLock(1);
    return fn();
  });

describe("strict fake", () => {
  test.each([
    ["too few rows", [[1, 2]]],
    ["too many columns", [[1, 2, 3], [4, 5, 6]]],
    ["a ragged row", [[1, 2], [3]]],
    ["undefined in a cell", [[1, undefined], [3, 4]]],
    ["NaN in a cell", [[1, Number.NaN], [3, 4]]],
    ["not an array", "x"],
  ])("setValues with %s throws", (_what, values) => {
    const e = env();
    expect(() => locked(e, () => e.book.sheet("Deals")!.getRange("A1:B2").setValues(values as unknown[][]))).toThrow(/Exception/);
  });

  test.each([
    ["setFontWeights", [["bold", null]]],
    ["setFontWeights", [["bold", "heavy"], [null, null]]],
    ["setFontStyles", [["italic"], ["normal"]]],
    ["setBackgrounds", [["#fff", 3], [null, null]]],
    ["setDataValidations", [[null, "rule"], [null, null]]],
    ["setFontWeights", "bold"],
  ] as const)("%s with a wrong shape or value throws", (method, data) => {
    const e = env();
    const range = e.book.sheet("Deals")!.getRange("A1:B2") as unknown as Record<string, (d: unknown) => unknown>;
    expect(() => locked(e, () => range[method]!(data))).toThrow(/Exception/);
  });

  test("2-D style setters style cell by cell; null resets that property only", () => {
    const e = env();
    const s = e.book.sheet("Deals")!;
    locked(e, () => {
      s.getRange("A1:B1").setFontWeight("bold").setBackground("#eee");
      s.getRange("A1:B2").setFontWeights([[null, "bold"], ["normal", null]]);
      s.getRange("A1:B1").setBackgrounds([[null, "#abc"]]);
      s.getRange("A2").setFontStyles([["italic"]]);
    });
    expect(s.styles.get(0)).toBeUndefined();
    expect(s.styles.get(1)).toEqual({ bold: true, background: "#abc" });
    expect(s.styles.get(1 << 15)).toEqual({ bold: false, italic: true });
    expect(s.styles.has((1 << 15) + 1)).toBe(false);
  });

  test("DataValidation.copy starts a builder with the rule's settings; the copy's new list does not touch the rule", () => {
    const e = env();
    const api = e.globals().SpreadsheetApp as { newDataValidation(): FakeDataValidationBuilder };
    const rule = api.newDataValidation().requireValueInList(["a", "b"], true).setAllowInvalid(false).setHelpText("help").build();
    const other = rule.copy().requireValueInList(["c"], true).build();
    expect(JSON.parse(other.describe())).toEqual([["c"], true, false, "help"]);
    expect(JSON.parse(rule.describe())).toEqual([["a", "b"], true, false, "help"]);
  });

  test("a range outside the sheet throws, as do zero-sized ranges", () => {
    const e = env();
    const s = e.book.sheet("Deals")!;
    expect(() => s.getRange(11, 1)).toThrow(/outside the dimensions/);
    expect(() => s.getRange("F1")).toThrow(/outside the dimensions/);
    expect(() => s.getRange(1, 1, 0, 1)).toThrow(/at least 1/);
  });

  test("insertSheet with a name already taken, in any case, throws", () => {
    const e = env();
    expect(() => locked(e, () => e.book.insertSheet("deals"))).toThrow(/already exists/);
  });

  test("writes without the document lock throw; with it they pass; the lock ends with its execution", () => {
    const e = env();
    const s = e.book.sheet("Deals")!;
    expect(() => e.execute("menu", () => s.getRange("A1").setValue("x"))).toThrow(/without holding the document lock/);
    locked(e, () => s.getRange("A1").setValue("x"));
    expect(e.lockHolder).toBeNull();
  });

  test("a second execution cannot take a held lock: tryLock waits, then says no; waitLock throws", () => {
    const e = env();
    const lockService = e.globals().LockService as { getDocumentLock(): { tryLock(ms: number): boolean; waitLock(ms: number): void } };
    e.execute("menu", () => {
      lockService.getDocumentLock().tryLock(1);
      const t = e.clock;
      const other = e.execute("sidebar", () => lockService.getDocumentLock().tryLock(5000));
      expect(other).toBe(false);
      expect(e.clock - t).toBeGreaterThanOrEqual(5000);
      expect(() => e.execute("sidebar", () => lockService.getDocumentLock().waitLock(10))).toThrow(/Lock timeout/);
    });
  });

  test("executions stop at 6 minutes, simple triggers at 30 seconds; UI is refused in simple triggers", () => {
    const e = env();
    expect(() => e.execute("menu", () => e.spend(360_001))).toThrow(/Exceeded maximum execution time/);
    expect(() => e.execute("simple-trigger", () => e.spend(30_001))).toThrow(/30 s/);
    const ui = () => (e.globals().SpreadsheetApp as { getUi(): { alert(m: string): void } }).getUi();
    expect(() => e.execute("simple-trigger", () => ui().alert("hi"))).toThrow(/Cannot call/);
  });

  test("every call is counted", () => {
    const e = env();
    const s = e.book.sheet("Deals")!;
    e.resetCounts();
    s.getDataRange().getValues();
    expect(e.calls).toBe(2);
    expect(e.byName.get("Range.getValues")).toBe(1);
  });

  test("property values over 9 kB are refused", () => {
    const e = env();
    const props = (e.globals().PropertiesService as { getDocumentProperties(): { setProperty(k: string, v: string): void } }).getDocumentProperties();
    expect(() => props.setProperty("k", "x".repeat(10_000))).toThrow(/too large/);
  });
});

describe("typed input, as Sheets reads setValues strings", () => {
  test.each([
    ["00123", undefined, 123],
    ["'00123", undefined, "00123"],
    ["00123", "@", "00123"],
    ["2026-11", undefined, 46327],
    ["1/2/2026", undefined, 46024],
    ["Nov 5, 2026", undefined, 46331],
    ["TRUE", undefined, true],
    ["12%", undefined, 0.12],
    ["$1,250", undefined, 1250],
    ["+1 call", undefined, "#ERROR!"],
    ["plain words", undefined, "plain words"],
    ["D-000001", undefined, "D-000001"],
  ])("%j (format %s) is stored as %j", (raw, format, stored) => {
    expect(enter(raw, format, "Etc/UTC").value).toEqual(stored);
  });

  test("a formula string becomes a formula", () => {
    expect(enter("=A1*2", undefined, "Etc/UTC").formula).toBe("=A1*2");
  });

  test("date formats make getValues return Dates; number formats do not", () => {
    for (const f of ["yyyy-mm-dd", "M/d/yyyy H:mm:ss", "d mmm"]) expect(isDateFormat(f), f).toBe(true);
    for (const f of ["0", "0%", "#,##0", '0.00"x"', "@", "General"]) expect(isDateFormat(f), f).toBe(false);
  });
});

describe("time zones", () => {
  test.each(["Etc/UTC", "America/Los_Angeles", "Europe/Berlin", "Pacific/Auckland", "Asia/Kolkata"])("serial ⇄ instant round-trips in %s", (zone) => {
    for (const serial of [46_000, 46_100.5, 46_200, 46_350]) expect(serialFromInstant(instantFromSerial(serial, zone), zone)).toBeCloseTo(serial, 9);
  });

  test("midnight of 2026-11-26 in Auckland is 11:00 UTC the day before; formatDate agrees", () => {
    const t = instantFromSerial(46_352, "Pacific/Auckland");
    expect(new Date(t).toISOString()).toBe("2026-11-25T11:00:00.000Z");
    expect(formatDate(t, "Pacific/Auckland", "yyyy-MM-dd")).toBe("2026-11-26");
    expect(formatDate(t, "Pacific/Auckland", "Z")).toBe("+1300");
  });
});
