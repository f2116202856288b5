// The activity log read from a team's tab (test/fixtures/activity), and the weekly figures worked out here a second, simpler way.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dayFromIso } from "../core/a1.js";
import { mapActivityColumns, pickActivitiesTab, readActivities, TAB_ACTIVITIES, typeMatcher } from "../core/activity.js";
import { run } from "../core/engine.js";
import { planLogActivity } from "../core/log-activity.js";
import { renderReviewText } from "../cli/review-text.js";
import { DEFAULT_SETTINGS, settingsFromGrid, settingsToGrid } from "../core/settings.js";
import type { Cell, Grid } from "../core/types.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "activity");
const TODAY = "2026-12-01";
// The fixtures hold no quoted commas, so a split is the whole CSV reader these tests need.
const csv = (name: string): string[][] =>
  readFileSync(join(FIXTURE, name), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));
const dealRows = csv("deals.csv");
const activityRows = csv("deals.activities.csv");
const input = (activities: Grid | null = activityRows) => ({
  sheetName: "Deals",
  deals: dealRows,
  settings: null,
  log: null,
  sheetNames: ["Deals", "Follow-ups"],
  activities: activities ? { sheet: "Follow-ups", values: activities } : null,
});

/** The figures the long way: plain loops over the fixture's text, with the type words spelled out. */
function expected() {
  const words: Record<string, string> = { call: "call", phone: "call", email: "email", "e-mail": "email", meeting: "meeting", demo: "meeting", note: "note" };
  const owner = new Map(dealRows.slice(1).map((r) => [r[0], r[5]]));
  const created = new Map(dealRows.slice(1).map((r) => [r[0], r[6] as string]));
  const today = TODAY;
  const daysBefore = (iso: string): number => (Date.parse(today) - Date.parse(iso)) / 86_400_000;
  const week = new Map<string, { contacts: number; appointments: number }>();
  const prev = new Map<string, { contacts: number; appointments: number }>();
  const first = new Map<string, string>();
  for (const [date, id, type, , by] of activityRows.slice(1) as string[][]) {
    const t = words[(type as string).toLowerCase()];
    if (!/^\d{4}-\d\d-\d\d$/.test(date as string) || t === undefined) continue;
    const person = by !== "" ? (by as string) : (owner.get(id) ?? "(no owner)");
    const ago = daysBefore(date as string);
    const c = created.get(id as string);
    if (t !== "note" && c !== undefined && (date as string) >= c && ago >= 0 && (!first.has(id as string) || (date as string) < (first.get(id as string) as string))) first.set(id as string, date as string);
    const bucket = ago >= 0 && ago <= 6 ? week : ago >= 7 && ago <= 13 ? prev : null;
    if (!bucket || t === "note") continue;
    const row = bucket.get(person) ?? { contacts: 0, appointments: 0 };
    row.contacts++;
    if (t === "meeting") row.appointments++;
    bucket.set(person, row);
  }
  const waits = [...first].map(([id, d]) => (Date.parse(d) - Date.parse(created.get(id) as string)) / 86_400_000).sort((a, b) => a - b);
  return { week, prev, waits };
}

describe("the activity log in test/fixtures/activity", () => {
  const plan = run(input(), { command: "review", today: TODAY });
  const m = plan.metrics;
  if (!m) throw new Error("no metrics");
  const want = expected();

  it("finds the tab by its headers, whatever it is called", () => {
    expect(pickActivitiesTab([{ name: "Deals", values: dealRows }, { name: "Notes", values: [["Anything"]] }, { name: "Follow-ups", values: activityRows }], "Deals")).toBe("Follow-ups");
    expect(pickActivitiesTab([{ name: "Calls", values: activityRows }, { name: TAB_ACTIVITIES, values: activityRows }], "Deals")).toBe(TAB_ACTIVITIES);
    expect(pickActivitiesTab([{ name: "Deals", values: dealRows }], "Deals")).toBeNull();
    // Headers as a CRM export or a team writes them.
    const cols = mapActivityColumns([["Activity log"], [], ["Done on", "Opportunity", "Activity type", "Result", "Logged by", "Follow-up date"]]);
    expect(cols).toEqual({ headerRow: 2, headers: ["Done on", "Opportunity", "Activity type", "Result", "Logged by", "Follow-up date"], fields: { date: 0, dealName: 1, type: 2, note: 3, by: 4, nextStepDate: 5 } });
  });

  it("maps the team's words to types the way stages are matched: aliases, near spellings, settings words", () => {
    const match = typeMatcher({ meeting: ["Kaffee"] });
    expect(["Phone", "E-mail", "demo", "Kaffee", "NOTE", "Meetng"].map((w) => match(w).type)).toEqual(["call", "email", "meeting", "meeting", "note", "meeting"]);
    expect(match("Meetng").suggestion).toBe("meeting");
    expect(match("Carrier pigeon").type).toBeNull();
  });

  it("reports the bad rows by cell and keeps the activity for an unknown deal", () => {
    const mine = plan.problems.filter((p) => p.sheet === "Follow-ups");
    expect(mine.map((p) => [p.cell, p.code, p.severity])).toEqual([
      ["B15", "UNKNOWN_DEAL", "warning"],
      ["A16", "BAD_ACTIVITY", "error"],
      ["C17", "BAD_ACTIVITY", "error"],
    ]);
    expect(mine[0]?.message).toContain('"D-9999"');
    expect(mine[2]?.message).toContain('"Carrier pigeon"');
    expect(m.activity.badRows).toBe(2);
    expect(m.activity.unknownDeals).toBe(1);
    // 18 data rows, 2 unreadable.
    expect(m.activity.activities).toBe(activityRows.length - 1 - 2);
  });

  it("per person and team, this week and the week before, agree with the long-hand count", () => {
    const people = [...new Set([...want.week.keys(), ...want.prev.keys()])];
    expect(m.activity.byOwner.map((r) => r.owner).sort()).toEqual(people.sort());
    for (const r of m.activity.byOwner) {
      const w = want.week.get(r.owner) ?? { contacts: 0, appointments: 0 };
      const p = want.prev.get(r.owner) ?? { contacts: 0, appointments: 0 };
      expect({ owner: r.owner, contacts: r.contacts, appointments: r.appointments, appointmentRate: r.appointmentRate }).toEqual({ owner: r.owner, ...w, appointmentRate: w.contacts > 0 ? w.appointments / w.contacts : null });
      expect(r.previous).toEqual({ ...p, appointmentRate: p.contacts > 0 ? p.appointments / p.contacts : null });
    }
    const sum = (b: typeof want.week, k: "contacts" | "appointments"): number => [...b.values()].reduce((s, x) => s + x[k], 0);
    expect(m.activity.team.contacts).toBe(sum(want.week, "contacts"));
    expect(m.activity.team.appointments).toBe(sum(want.week, "appointments"));
    expect(m.activity.team.previous.contacts).toBe(sum(want.prev, "contacts"));
    // And the plain figures, counted by eye: Ana 3 contacts (1 meeting), Ben 3 (1 demo; D-9999 counts), Cleo 2, Dev 1.
    expect(m.activity.byOwner.map((r) => [r.owner, r.contacts, r.appointments])).toEqual([["Ana", 3, 1], ["Ben", 3, 1], ["Cleo", 2, 0], ["Dev", 1, 0]]);
    expect(m.activity.week).toEqual({ from: "2026-11-25", to: "2026-12-01" });
  });

  it("lead response time runs from the created date to the first contact on or after it", () => {
    const { waits } = want;
    const mean = waits.reduce((s, x) => s + x, 0) / waits.length;
    const mid = waits.length % 2 ? (waits[waits.length >> 1] as number) : ((waits[waits.length / 2 - 1] as number) + (waits[waits.length / 2] as number)) / 2;
    expect(m.activity.responseTime).toMatchObject({ meanDays: mean, medianDays: mid, deals: waits.length });
    // D-1001 1 day (11-02 → 11-03), D-1002 2, D-1005 0, D-1007 47 (10-01 → 11-17), D-1008 1 (its 11-18 call predates the deal).
    expect(waits).toEqual([0, 1, 1, 2, 47]);
  });

  it("gives each deal its last activity from the log when the sheet has no column, so quiet deals are stuck", () => {
    const s = structuredClone(DEFAULT_SETTINGS);
    const log = readActivities({ sheet: "Follow-ups", values: activityRows }, [], { dateOrder: s.dateOrder });
    expect(log.activities.every((a) => a.deal === -1)).toBe(true);
    // D-1007 (Negotiation) was last touched 11-29: quiet for 2 days. Looking from 2027-01-05, 37 days > 30.
    const later = run(input(), { command: "score", today: "2027-01-05" });
    const stuck = later.columns.find((c) => c.key === "stuck");
    expect(String(stuck?.values[6])).toContain("no activity for 37 days");
    const noLog = run(input(null), { command: "score", today: "2027-01-05" });
    expect(String(noLog.columns.find((c) => c.key === "stuck")?.values[6])).not.toContain("no activity");
  });

  it("creates an Activities tab on set-up only when the team keeps none", () => {
    const fresh = run(input(null), { command: "setup", today: TODAY });
    const tab = fresh.tabs.find((t) => t.name === TAB_ACTIVITIES);
    expect(tab?.values).toEqual([["Date", "Deal ID", "Deal", "Type", "Outcome", "Next step", "Next step date", "By"]]);
    expect(mapActivityColumns(tab?.values ?? [])).not.toBeNull();
    expect(run(input(), { command: "setup", today: TODAY }).tabs.some((t) => t.name === TAB_ACTIVITIES)).toBe(false);
    expect(fresh.metrics?.activity.present).toBe(false);
    expect(dayFromIso(TODAY)).not.toBeNull();
  });
});

describe("the review and the terminal show the week, capacity and where we win", () => {
  const plan = run(input(), { command: "review", today: TODAY });
  const review = plan.tabs.find((t) => t.name === "Pipeline Review");
  const rows = review?.values ?? [];
  const rowOf = (first: string): Cell[] | undefined => rows.find((r) => r[0] === first);

  it("lists each person's week on the review tab, the team last, the week before beside it", () => {
    const header = rows.findIndex((r) => r[0] === "Person");
    expect(rows[header]?.slice(0, 7)).toEqual(["Person", "Calls", "Emails", "Meetings", "Contacts", "Appointments", "Appointment rate"]);
    // Ana: call 12-01, meeting 11-30, e-mail 11-29 this week; call 11-24 and meeting 11-20 the week before.
    expect(rows[header + 1]?.slice(0, 10)).toEqual(["Ana", 1, 1, 1, 3, 1, 1 / 3, 2, 1, 1 / 2]);
    expect(rows[header + 5]?.[0]).toBe("Team");
    expect(rows[header + 5]?.[4]).toBe(9);
  });

  it("ranks the segments with enough closed deals and marks the rest", () => {
    // Every segment here has at most 2 closed deals (the default minimum is 5), so none is ranked.
    expect(rowOf("Referral")?.[1]).toBe("too few (under 5 closed)");
    const s = structuredClone(DEFAULT_SETTINGS);
    s.segments.minClosed = 1;
    const m = run({ ...input(), settings: settingsToGrid(s) }, { command: "review", today: TODAY }).metrics;
    const bySource = m?.segments.tables.find((t) => t.by === "source");
    // Closed: Cobalt won (Referral, 8000, 44 days), Delta lost (Web), Fjord won (Web, 15000, 91 days). Overall 2 of 3.
    expect(bySource?.rows.map((r) => [r.value, r.rank, r.won, r.lost, r.winRate, r.lift, r.avgDealSize, r.cycleDays])).toEqual([
      ["Referral", 1, 1, 0, 1, 1.5, 8000, 44],
      ["Web", 2, 1, 1, 0.5, 0.75, 15000, 91],
      ["Event", null, 0, 0, null, null, null, null],
    ]);
  });

  it("flags reps over and under capacity against their role, from the Owners table", () => {
    const s = structuredClone(DEFAULT_SETTINGS);
    s.capacity.owners = [{ owner: "Ben", role: "BDR" }];
    s.capacity.AE.openDeals = 3;
    s.capacity.BDR.activities = 3;
    const m = run({ ...input(), settings: settingsToGrid(s) }, { command: "review", today: TODAY }).metrics;
    const rows = m?.capacity.rows.map((r) => [r.owner, r.role, r.openDeals, r.activities, r.flag]);
    // 30 days, 11-02..12-01 (the 12-02 meeting is still to come, the two bad rows do not count).
    // Ana: 2 open (Acme, Granite) of 3, 7 activities of 300 -> ok; Cleo and Dev: 1 open of 3 (under 50 %) and
    // 2 and 3 activities -> under; Ben (BDR): 4 activities (D-9999's included) of 3 -> over.
    expect(rows).toEqual([
      ["Ana", "AE", 2, 7, "ok"],
      ["Cleo", "AE", 1, 2, "under"],
      ["Dev", "AE", 1, 3, "under"],
      ["Ben", "BDR", 1, 4, "over"],
    ]);
    expect([m?.capacity.over, m?.capacity.under]).toEqual([1, 2]);
  });

  it("prints the week in the terminal review, within the width", () => {
    const text = renderReviewText(plan.metrics as NonNullable<typeof plan.metrics>, plan.problems, { width: 60, maxProblems: 3 });
    expect(text).toContain("Activity 2026-11-25 to 2026-12-01");
    expect(text).toContain("  Ana: 3 contacts (2) · 1 appointments (1) · rate 33% (50%)");
    for (const line of text.split("\n")) expect([...line].length).toBeLessThanOrEqual(60);
  });
});

describe("planLogActivity decides the row and the deal's cells", () => {
  const sheet: Grid = [
    ["Deal ID", "Deal", "Stage", "Owner", "Next step", "Next step date", "Last contacted"],
    ["D-1", "Acme", "Proposal", "Ana", "Call", "", ""],
    ["D-2", "Birch", "Meeting", "Ben", "", "", ""],
  ];
  const base = { sheetName: "Deals", deals: sheet, settings: null, activities: null, type: "demo", note: "went well", nextStep: "Send proposal", nextStepDate: "2026-12-08", by: "", today: TODAY };
  const serial = (iso: string): number => (dayFromIso(iso) as number) + 25_569;

  it("finds the deal by ID or by its row, and writes the deal's follow-up columns (the team's) only when asked", () => {
    const byId = planLogActivity({ ...base, deal: { id: "d-2" } });
    const byRow = planLogActivity({ ...base, deal: { row: 2 } });
    expect(byRow).toEqual(byId);
    expect(byId.ok).toBe(true);
    expect(byId.type).toBe("meeting");
    expect(byId.dealCells).toEqual([]);
    expect(byId.teamColumns).toEqual([
      { field: "lastActivity", header: "Last contacted", cell: "G3" },
      { field: "nextStep", header: "Next step", cell: "E3" },
      { field: "nextStepDate", header: "Next step date", cell: "F3" },
    ]);
    const asked = planLogActivity({ ...base, deal: { id: "D-2" }, updateTeamColumns: true });
    expect(asked.dealCells).toEqual([
      { row: 2, col: 6, value: serial(TODAY), numberFormat: "yyyy-mm-dd", field: "lastActivity" },
      { row: 2, col: 4, value: "Send proposal", numberFormat: "@", field: "nextStep" },
      { row: 2, col: 5, value: serial("2026-12-08"), numberFormat: "yyyy-mm-dd", field: "nextStepDate" },
    ]);
    expect(asked.teamColumns).toEqual([]);
  });

  it("creates pipesheet's Activities tab when there is none, with the row below its header", () => {
    const p = planLogActivity({ ...base, deal: { id: "D-1" } });
    expect(p.createTab?.values).toEqual([["Date", "Deal ID", "Deal", "Type", "Outcome", "Next step", "Next step date", "By"]]);
    expect(p.append.map((c) => [c.row, c.col, c.value])).toEqual([[1, 0, serial(TODAY)], [1, 1, "D-1"], [1, 2, "Acme"], [1, 3, "Meeting"], [1, 4, "went well"], [1, 5, "Send proposal"], [1, 6, serial("2026-12-08")]]);
  });

  it("appends below the last row of the team's own log, in its columns", () => {
    const log = { sheet: "Calls", values: [["Logged calls"], ["When", "Opportunity", "Kind", "Result"], ["2026-11-30", "Acme", "call", "x"], [], []] as Grid };
    const p = planLogActivity({ ...base, activities: log, deal: { id: "D-1" } });
    expect(p.createTab).toBeNull();
    expect(p.activitySheet).toBe("Calls");
    expect(p.append.map((c) => [c.row, c.col, c.value])).toEqual([[3, 0, serial(TODAY)], [3, 1, "Acme"], [3, 2, "Meeting"], [3, 3, "went well"]]);
  });

  it("refuses an unknown deal, type or date with a message and no writes", () => {
    for (const [input, message] of [
      [{ ...base, deal: { id: "D-9" } }, 'No deal "D-9" in the Deal ID column of "Deals".'],
      [{ ...base, deal: { row: 0 } }, "Select a deal's row on the deals sheet first."],
      [{ ...base, deal: { id: "D-1" }, type: "fax" }, '"fax" is not an activity type: use call, email, meeting or note.'],
      [{ ...base, deal: { id: "D-1" }, nextStepDate: "next week" }, 'Next step date "next week" is not a date: give it as YYYY-MM-DD.'],
    ] as const) {
      const p = planLogActivity(input);
      expect([p.ok, p.problems.map((x) => x.message), p.append, p.dealCells, p.createTab]).toEqual([false, [message], [], [], null]);
    }
  });
});

describe("settings: activity words, capacity and the Owners table", () => {
  it("round-trips and reports a bad role by its cell", () => {
    const s = structuredClone(DEFAULT_SETTINGS);
    s.activityTypes.meeting = ["Kaffee", "Termin"];
    s.capacity.owners = [{ owner: "Ana", role: "AE" }, { owner: "Ben", role: "BDR" }];
    s.capacity.BDR.openDeals = null;
    const grid = settingsToGrid(s);
    expect(settingsFromGrid(grid)).toEqual({ settings: s, problems: [] });
    const ben = grid.findIndex((r) => r[0] === "Ben");
    (grid[ben] as Cell[])[1] = "Manager";
    const back = settingsFromGrid(grid);
    expect(back.problems.map((p) => [p.cell, p.message])).toEqual([[`B${ben + 1}`, 'Role "Manager" of Ben must be AE or BDR.']]);
    expect(back.settings.capacity.owners).toEqual([{ owner: "Ana", role: "AE" }]);
  });
});
