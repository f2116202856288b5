// The pieces the commands share now that command files are leaves: option parsers, --today, the one wrap,
// reading error shapes without casts, the retry line, and pipesheet's own tabs as every host sees them.
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { isOwnTab, OWN_TABS, TAB_ACTIVITIES, TAB_LOG, TAB_REVIEW, TAB_SETTINGS } from "../core/index.js";
import { CliError, errnoCode, prop } from "../cli/errors.js";
import { dealsTab, type SheetMeta, type SpreadsheetMeta } from "../cli/google/client.js";
import { httpFailure, retryLine } from "../cli/google/retry.js";
import { countOption, localToday, parseCount, parseWidth, todayOption } from "../cli/options.js";
import { wrap } from "../cli/review-text.js";

describe("option parsers", () => {
  it("take whole numbers and name the example each option suggests", () => {
    expect(parseCount(" 7 ")).toBe(7);
    expect(() => parseCount("7.5")).toThrow(new InvalidArgumentError("give a whole number, such as 10."));
    expect(() => countOption(50)("many")).toThrow("give a whole number, such as 50.");
    expect(parseWidth("20")).toBe(20);
    expect(() => parseWidth("19")).toThrow(/20 or more/);
  });

  it("--today: a real day passes, anything else is exit 2, and none is the machine's today", async () => {
    await expect(todayOption("2026-02-28")).resolves.toBe("2026-02-28");
    const bad = await todayOption("2026-02-30").catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CliError);
    expect(bad).toMatchObject({ message: "--today 2026-02-30: give a real date as YYYY-MM-DD, such as 2026-11-26", cause: { code: "BAD_ARGUMENTS", exitCode: 2 } });
    await expect(todayOption(undefined)).resolves.toBe(localToday());
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });
});

describe("wrap", () => {
  it("splits a word longer than the line, or keeps it whole on its own line when asked", () => {
    expect(wrap("a bcdefghij k", 5)).toEqual(["a", "bcdef", "ghij", "k"]);
    expect(wrap("a bcdefghij k", 5, "", "", false)).toEqual(["a", "bcdefghij", "k"]);
    expect(wrap("Note: see /a/very/long/path please", 12, "", "  ", false)).toEqual(["Note: see", "  /a/very/long/path", "  please"]);
  });
});

describe("reading error shapes", () => {
  it("follows a path through objects and gives undefined where the shape differs", () => {
    const e = { response: { data: { error: { message: "quota" } } } };
    expect(prop(e, "response", "data", "error", "message")).toBe("quota");
    expect(prop(e, "response", "status")).toBeUndefined();
    expect(prop(null, "response")).toBeUndefined();
    expect(prop("text", "length")).toBeUndefined();
    expect(errnoCode(Object.assign(new Error("gone"), { code: "ENOENT" }))).toBe("ENOENT");
    expect(errnoCode({ code: 7 })).toBeUndefined();
  });

  it("reads a status and Retry-After from a response, and a network code from a bare error", () => {
    expect(httpFailure({ response: { status: 429, headers: { "retry-after": "3" } } })).toEqual({ status: 429, retryAfter: 3 });
    expect(httpFailure(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toEqual({ status: null, retryAfter: null });
    expect(httpFailure({ code: "EWHATEVER" })).toBeNull();
  });

  it("the retry line names the answer, the wait and the attempt", () => {
    expect(retryLine("read the sheet's values", 2, 1500, { status: 503 })).toBe("pipesheet: Google answered 503 while trying to read the sheet's values; trying again in 1.5 s (retry 2)\n");
    expect(retryLine("add rows", 1, 200, { status: null })).toMatch(/^pipesheet: no answer from Google while trying to add rows; trying again in 0\.2 s/);
  });
});

describe("pipesheet's own tabs", () => {
  it("are the review, settings and log tabs in any case, and never the deals tab", () => {
    expect(OWN_TABS).toEqual([TAB_REVIEW, TAB_SETTINGS, TAB_LOG]);
    expect(isOwnTab("pipeline LOG")).toBe(true);
    expect(isOwnTab(TAB_ACTIVITIES)).toBe(false);
    const tab = (title: string, hidden = false): SheetMeta => ({ title, hidden, sheetId: 1, index: 0, rowCount: 1, columnCount: 1, conditionalFormats: [], chartIds: [] });
    const meta: SpreadsheetMeta = { title: "Team", sheets: [tab("Pipeline Review"), tab("Old", true), tab("Deals"), tab("Other")] };
    expect(dealsTab(meta, null)?.title).toBe("Deals");
    expect(dealsTab(meta, "other")?.title).toBe("Other");
    expect(dealsTab(meta, "Missing")).toBeUndefined();
  });
});
