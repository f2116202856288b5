// The same activity figures from every host, and each host's Log activity on its strict fake: one row appended, the deal updated, typed text kept as text.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discover, runCommand } from "../excel-addin/adapter/command.js";
import { logActivity } from "../excel-addin/adapter/log.js";
import { run } from "../core/engine.js";
import type { Cell } from "../core/types.js";
import { loadScript } from "./fakes/apps-script/bundle.js";
import { hostFor, newWorkbook } from "./fakes/excel/index.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "activity");
const TODAY = "2026-12-01";
const csv = (name: string): string[][] =>
  readFileSync(join(FIXTURE, name), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));
const deals = csv("deals.csv");
const activities = csv("deals.activities.csv");
const core = run({ sheetName: "Deals", deals, settings: null, log: null, sheetNames: ["Deals", "Follow-ups"], activities: { sheet: "Follow-ups", values: activities } }, { command: "review", today: TODAY });
const coreReview = core.tabs.find((t) => t.name === "Pipeline Review")?.values ?? [];
/** The activity table of a review tab: from its "Person" header to the Team row. */
const activityTable = (rows: readonly (readonly unknown[])[]): unknown[][] => {
  const from = rows.findIndex((r) => r[0] === "Person");
  const to = rows.findIndex((r, i) => i > from && r[0] === "Team");
  return rows.slice(from, to + 1).map((r) => r.slice(0, 10).map((v) => (v === null || v === undefined ? "" : v)));
};

describe("Excel: the fake workbook with the team's Follow-ups tab", () => {
  it("reads the tab by its headers and gives core's figures, the review tab holding the same table", async () => {
    const m = newWorkbook();
    m.load("Deals", deals);
    m.load("Follow-ups", activities);
    const host = hostFor(m);
    const d = await discover(host);
    const r = await runCommand(host, { command: "review", sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: TODAY });
    expect(r.plan.metrics?.activity).toEqual(core.metrics?.activity);
    expect(r.plan.metrics?.capacity).toEqual(core.metrics?.capacity);
    expect(r.plan.metrics?.segments).toEqual(core.metrics?.segments);
    // Found by headers: the top rows of the other tabs in the first round trip, the log itself in one more.
    expect(r.read.syncs).toBe(2);
    const review = m.sheet("Pipeline Review");
    const grid = Array.from({ length: coreReview.length }, (_, i) => Array.from({ length: 10 }, (_, c) => review?.value(i, c)));
    expect(activityTable(grid)).toEqual(activityTable(coreReview));
  });

  it("Log activity appends exactly one row to the team's log in one write, and the deal's own cells only when asked", async () => {
    const m = newWorkbook();
    const sheet = m.load("Deals", [["Deal ID", "Deal", "Stage", "Owner", "Next step", "Follow-up date"], ["D-1", "Acme", "Proposal", "Ana", "Call", ""], ["D-2", "Birch", "Meeting", "Ben", "", ""]]);
    m.load("Follow-ups", [["Date", "Deal ID", "Type", "Notes", "By"], [46000, "D-1", "call", "first", "Ana"]]);
    m.selection = { sheetId: sheet.id, rect: { r0: 2, c0: 1, r1: 2, c1: 1 } };
    m.activeSheetId = sheet.id;
    const host = hostFor(m);
    const d = await discover(host);
    m.resetStats();
    const typed = '=HYPERLINK("http://evil","click") <img src=x>';
    const r = await logActivity(host, { sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: TODAY, form: { type: "Meeting", note: typed, nextStep: "Send proposal", nextStepDate: "2026-12-08", by: "", updateTeamColumns: false } });
    expect(r.plan.ok).toBe(true);
    expect(m.stats.syncs).toBe(r.syncs);
    const log = m.sheet("Follow-ups");
    const rows = (n: number): Cell[][] => Array.from({ length: n }, (_, i) => Array.from({ length: 5 }, (_, c) => log?.value(i, c) as Cell));
    // 2026-12-01 is serial 46357; By is left blank (the deal's owner counts).
    expect(rows(4)).toEqual([["Date", "Deal ID", "Type", "Notes", "By"], [46000, "D-1", "call", "first", "Ana"], [46357, "D-2", "Meeting", typed, ""], ["", "", "", "", ""]]);
    expect(log?.numberFormat(2, 3)).toBe("@");
    const dealsSheet = m.sheet("Deals");
    expect([dealsSheet?.value(2, 4), dealsSheet?.value(2, 5), dealsSheet?.value(1, 4)]).toEqual(["", "", "Call"]);
    expect(r.plan.teamColumns.map((t) => t.header)).toEqual(["Next step", "Follow-up date"]);
    const asked = await logActivity(host, { sheet: "Deals", tabs: d.sheets.map((s) => s.name), today: TODAY, form: { type: "call", note: "", nextStep: "Send proposal", nextStepDate: "2026-12-08", by: "", updateTeamColumns: true } });
    expect(asked.plan.ok).toBe(true);
    // 2026-12-08 is serial 46364.
    expect([dealsSheet?.value(2, 4), dealsSheet?.value(2, 5), dealsSheet?.value(1, 4)]).toEqual(["Send proposal", 46364, "Call"]);
    expect(rows(5)[3]?.slice(0, 3)).toEqual([46357, "D-2", "Call"]);
  });

  it("Log activity creates pipesheet's Activities tab when there is no log, and refuses without a selected deal", async () => {
    const m = newWorkbook();
    const sheet = m.load("Deals", [["Deal ID", "Deal", "Stage"], ["D-1", "Acme", "Proposal"]]);
    m.selection = { sheetId: sheet.id, rect: { r0: 0, c0: 0, r1: 0, c1: 0 } };
    const host = hostFor(m);
    const none = await logActivity(host, { sheet: "Deals", tabs: ["Deals"], today: TODAY, form: { type: "call", note: "", nextStep: "", nextStepDate: "", by: "", updateTeamColumns: false } });
    expect(none.plan.ok).toBe(false);
    expect(none.plan.problems[0]?.message).toBe("Select a deal's row on the deals sheet first.");
    expect(m.sheet("Activities")).toBeUndefined();
    m.selection = { sheetId: sheet.id, rect: { r0: 1, c0: 0, r1: 1, c1: 0 } };
    const r = await logActivity(host, { sheet: "Deals", tabs: ["Deals"], today: TODAY, form: { type: "e-mail", note: "sent deck", nextStep: "", nextStepDate: "", by: "Ana", updateTeamColumns: false } });
    expect(r.plan.ok).toBe(true);
    const tab = m.sheet("Activities");
    expect(Array.from({ length: 8 }, (_, c) => tab?.value(1, c))).toEqual([46357, "D-1", "Acme", "Email", "sent deck", "", "", "Ana"]);
    expect(tab?.value(0, 0)).toBe("Date");
  });
});

describe("Sheets: the fake spreadsheet with the team's Follow-ups tab", () => {
  it("a review run writes the same activity table as core", async () => {
    const script = await loadScript({ zone: "Etc/UTC", now: `${TODAY}T12:00:00Z` });
    script.env.book.addSheet("Deals", deals.length, deals[0]?.length ?? 1).load(deals);
    script.env.book.addSheet("Follow-ups", activities.length, 5).load(activities);
    const r = script.call("sidebarRun", "sidebar", "review") as { done: boolean; problems: { sheet: string; cell: string; code: string }[] };
    expect(r.done).toBe(true);
    expect(r.problems.filter((p) => p.sheet === "Follow-ups").map((p) => `${p.cell} ${p.code}`)).toEqual(["B15 UNKNOWN_DEAL", "A16 BAD_ACTIVITY", "C17 BAD_ACTIVITY"]);
    const review = script.env.book.sheet("Pipeline Review");
    const grid = Array.from({ length: coreReview.length }, (_, i) => Array.from({ length: 10 }, (_, c) => review?.raw(i, c)));
    expect(activityTable(grid)).toEqual(activityTable(coreReview));
  });

  it("sidebarLogActivity appends one row for the selected deal, as text, and updates the deal's own cells only when asked", async () => {
    const script = await loadScript({ zone: "Etc/UTC", now: `${TODAY}T12:00:00Z` });
    const sheet = script.env.book.addSheet("Deals", 3, 6);
    sheet.load([["Deal ID", "Deal", "Stage", "Owner", "Next step", "Follow-up date"], ["D-1", "Acme", "Proposal", "Ana", "Call", ""], ["D-2", "Birch", "Meeting", "Ben", "", ""]]);
    const log = script.env.book.addSheet("Follow-ups", 10, 5);
    log.load([["Date", "Deal ID", "Type", "Notes", "By"], [new Date(Date.UTC(2026, 10, 30)), "D-1", "call", "first", "Ana"]]);
    script.env.book.active = sheet;
    script.env.book.selection = "Deals!B3";
    const typed = "=IMPORTXML(\"http://evil\",\"//a\") <b>bold</b>";
    const answer = script.call("sidebarLogActivity", "sidebar", { type: "meeting", note: typed, nextStep: "Send proposal", nextStepDate: "2026-12-08", by: "Ben", updateTeamColumns: false }) as { ok: boolean; message: string; teamColumns: string[] };
    expect(answer).toEqual({ ok: true, message: "Logged a meeting on D-2 in Follow-ups. Your own Next step, Follow-up date left as they are.", teamColumns: ["Next step", "Follow-up date"] });
    const row = (r: number): unknown[] => Array.from({ length: 5 }, (_, c) => log.raw(r, c));
    expect(row(2)).toEqual([46357, "D-2", "Meeting", typed, "Ben"]);
    expect(row(3)).toEqual(["", "", "", "", ""]);
    expect([sheet.raw(2, 4), sheet.raw(2, 5), sheet.raw(1, 4)]).toEqual(["", "", "Call"]);
    const asked = script.call("sidebarLogActivity", "sidebar", { type: "email", note: "", nextStep: "Send proposal", nextStepDate: "2026-12-08", by: "Ben", updateTeamColumns: true }) as { ok: boolean; teamColumns: string[] };
    expect(asked).toMatchObject({ ok: true, teamColumns: [] });
    expect([sheet.raw(2, 4), sheet.raw(2, 5), sheet.raw(1, 4)]).toEqual(["Send proposal", 46364, "Call"]);
    expect(row(3).slice(0, 3)).toEqual([46357, "D-2", "Email"]);
    script.env.book.selection = "Deals!A1";
    const refused = script.call("sidebarLogActivity", "sidebar", { type: "call", note: "", nextStep: "", nextStepDate: "", by: "", updateTeamColumns: false }) as { ok: boolean; message: string };
    expect(refused).toEqual({ ok: false, message: "Select a deal's row on the deals sheet first.", teamColumns: [] });
    expect(row(4)).toEqual(["", "", "", "", ""]);
  });
});
