import { describe, expect, it } from "vitest";
import { dayFromIso } from "../core/a1.js";
import { run } from "../core/engine.js";
import { DEFAULT_SETTINGS } from "../core/settings.js";
import { LOG_HEADER, outcomeByName, readLog } from "../core/stagelog.js";
import { TAB_LOG, type Cell, type Day, type Grid } from "../core/types.js";

const day = (iso: string): Day => dayFromIso(iso) as Day;
const HEADER = ["Deal ID", "Deal", "Stage", "Value", "Owner", "Expected close date"];

function runOn(deals: Grid, log: Grid | null, today: string, command: "score" | "review" = "score"): { logAppend: Grid; log: Grid; plan: ReturnType<typeof run> } {
  const plan = run({ sheetName: "Deals", deals, settings: null, log, sheetNames: log ? ["Deals", TAB_LOG] : ["Deals"] }, { command, today });
  const rows = log ? plan.logAppend : (plan.tabs.find((t) => t.name === TAB_LOG)?.values ?? []);
  return { logAppend: rows, log: log ? [...log, ...plan.logAppend] : rows, plan };
}

describe("a log written by pipesheet 0.1 (five columns)", () => {
  const old: Grid = [
    ["Deal ID", "From", "To", "When", "By"],
    ["D-1", "", "Proposal", "2026-10-01", "snapshot"],
    ["D-2", "", "Meeting", "2026-10-03", "snapshot"],
    ["D-1", "Proposal", "Negotiation", "2026-11-02", "pipesheet"],
  ];

  it("is still read: stage entries, the last stage per deal, and histories without fields", () => {
    const log = readLog(old, { today: day("2026-11-26"), outcomeOf: outcomeByName(DEFAULT_SETTINGS) });
    expect(log.problems).toEqual([]);
    expect(log.entries.map((e) => [e.dealId, e.from, e.to])).toEqual([
      ["D-1", "", "Proposal"],
      ["D-2", "", "Meeting"],
      ["D-1", "Proposal", "Negotiation"],
    ]);
    expect(log.last.get("D-1")?.to).toBe("Negotiation");
    expect(log.hasTransitions).toBe(true);
    expect(log.history.get("D-1")?.cur).toMatchObject({ stage: "Negotiation", full: false, outcome: "" });
    // No review marker: since falls back to the last day anything was logged.
    expect([log.since, log.sinceBasis]).toEqual([day("2026-11-02"), "run"]);
  });

  it("the first run on it records each deal's fields once (From = To), logs no stage move, and keeps time in stage as it was", () => {
    const deals: Grid = [HEADER, ["D-1", "Big", "Negotiation", 12_000, "Ann", "2026-12-15"], ["D-2", "Small", "Meeting", 3_000, "Bo", "2027-01-10"]];
    const { logAppend, plan } = runOn(deals, old, "2026-11-26");
    expect(logAppend.map((r) => r.slice(0, 3))).toEqual([
      ["D-1", "Negotiation", "Negotiation"],
      ["D-2", "Meeting", "Meeting"],
    ]);
    expect(logAppend[0]?.slice(5)).toEqual([12_000, "2026-12-15", "Ann", "open", "2026-11-26"]);
    expect(plan.summary.transitions).toBe(0);
    // The fields rows are no stage moves: Proposal was left once, after 32 days.
    expect(plan.metrics?.timeInStage.rows.find((r) => r.stage === "Proposal")).toMatchObject({ days: 32, samples: 1 });
    // Stage entered still comes from the last real transition, not from the fields row.
    expect(plan.summary.stageBasis["stage log"]).toBe(1);
  });
});

describe("the log's snapshots", () => {
  const week1: Grid = [HEADER, ["D-1", "Big", "Proposal", 10_000, "Ann", "2026-12-01"], ["D-2", "Small", "Meeting", 3_000, "Bo", "2027-01-10"], ["D-3", "Gone", "Meeting", 500, "Bo", "2026-12-20"]];
  const first = runOn(week1, null, "2026-11-02", "review");

  it("a new log has the full header, one snapshot per deal with its fields, and a review marker", () => {
    expect(first.log[0]).toEqual(LOG_HEADER);
    expect(first.log[1]).toEqual(["D-1", "", "Proposal", "2026-11-02", "snapshot", 10_000, "2026-12-01", "Ann", "open", "2026-11-02"]);
    expect(first.log.at(-1)).toEqual(["", "", "", "2026-11-02", "review", "", "", "", "", ""]);
  });

  const week2: Grid = [HEADER, ["D-1", "Big", "Proposal", 11_000, "Ann", "2026-12-15"], ["D-2", "Small", "Meeting", 3_000, "Bo", "2027-01-10"]];
  const second = runOn(week2, first.log, "2026-11-09");

  it("logs only what changed: a value and a later close for D-1, D-2 nothing, D-3 deleted once", () => {
    expect(second.logAppend).toEqual([
      ["D-1", "Proposal", "Proposal", "2026-11-09", "pipesheet", 11_000, "2026-12-15", "Ann", "open", "2026-11-09"],
      ["D-3", "Meeting", "Meeting", "2026-11-09", "pipesheet", 5_00, "2026-12-20", "Bo", "deleted", "2026-11-09"],
    ]);
    const again = runOn(week2, second.log, "2026-11-10");
    expect(again.logAppend).toEqual([]);
  });

  it("answers what a deal was on an earlier day, and counts pushes of its close date", () => {
    const week3: Grid = [HEADER, ["D-1", "Big", "Negotiation", 11_000, "Cy", "2027-01-15"], ["D-2", "Small", "Meeting", 3_000, "Bo", "2027-01-05"]];
    const third = runOn(week3, second.log, "2026-11-16");
    const log = readLog(third.log, { today: day("2026-11-20"), since: day("2026-11-10"), outcomeOf: outcomeByName(DEFAULT_SETTINGS) });
    const d1 = log.history.get("D-1");
    expect(d1?.atSince).toMatchObject({ stage: "Proposal", cents: 1_100_000, close: day("2026-12-15"), owner: "Ann" });
    expect(d1?.cur).toMatchObject({ stage: "Negotiation", cents: 1_100_000, close: day("2027-01-15"), owner: "Cy" });
    expect([d1?.pushes, d1?.pushesSince]).toEqual([2, 1]);
    // D-2's close moved earlier: no push.
    expect(log.history.get("D-2")?.pushes).toBe(0);
    expect(log.history.get("D-3")?.cur.outcome).toBe("deleted");
    // The review marker of 2026-11-02 is the previous review when no day is given.
    const plain = readLog(third.log, { today: day("2026-11-20") });
    expect([plain.since, plain.sinceBasis]).toEqual([day("2026-11-02"), "review"]);
  });

  it("reads values and dates as hosts hand them back (numbers, serials, Dates, text)", () => {
    const grid: Grid = [LOG_HEADER, ["D-9", "", "Meeting", 46_000, "snapshot", "1234.5", 46_010, "Ann", "open", new Date(2026, 0, 5)] as Cell[]];
    const h = readLog(grid, { today: day("2026-11-20") }).history.get("D-9");
    expect(h?.cur).toMatchObject({ cents: 123_450, close: 46_010 - 25_569, day: day("2026-01-05"), full: true });
  });
});

describe("the Push count feeds the stuck rules", () => {
  it("a deal whose close date moved later three times is stuck, with the reason; two times is not", () => {
    const sheet = (close: string): Grid => [HEADER, ["D-1", "Big", "Proposal", 10_000, "Ann", close], ["D-2", "Calm", "Proposal", 5_000, "Bo", "2027-03-01"]];
    let log: Grid | null = null;
    let plan: ReturnType<typeof run> | null = null;
    const closes = ["2026-12-01", "2026-12-15", "2027-01-15", "2027-01-10", "2027-02-01"];
    closes.forEach((close, k) => {
      const r = runOn(sheet(close), log, `2026-11-${String(2 + k).padStart(2, "0")}`);
      log = r.log;
      plan = r.plan;
      const stuckText = r.plan.columns.find((c) => c.key === "stuck")?.values[0];
      // Pushes so far: 0, 1, 2, 2 (moved earlier), 3.
      if (k < 4) expect(stuckText).toBe("");
    });
    const stuck = (plan as ReturnType<typeof run> | null)?.columns.find((c) => c.key === "stuck")?.values ?? [];
    expect(stuck[0]).toBe("Stuck: close date pushed 3 times");
    expect(stuck[1]).toBe("");
    expect((plan as ReturnType<typeof run> | null)?.summary.stuck).toBe(1);
  });
});

describe("the log's dates (dayFromIso)", () => {
  // The rule written with Date: a real calendar date comes back from Date.UTC as the same year, month and day.
  const byDate = (s: string): Day | null => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return null;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const back = new Date(Date.UTC(y, mo - 1, d));
    return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? Date.UTC(y, mo - 1, d) / 86_400_000 : null;
  };
  const pad = (k: number, w: number): string => String(k).padStart(w, "0");

  it("reads every yyyy-mm-dd as Date does: years 0-99 (Date.UTC's 1900s), month 0 or 13, day 0 or 32, 29 February", () => {
    for (const y of [0, 1, 99, 100, 1600, 1899, 1900, 1970, 2000, 2024, 2026, 2100, 2400, 9999])
      for (let mo = 0; mo <= 13; mo++)
        for (let d = 0; d <= 32; d++) {
          const s = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
          expect(dayFromIso(s), s).toBe(byDate(s));
        }
  });

  it("refuses what is not exactly yyyy-mm-dd", () => {
    for (const s of ["", "2026-1-01", "2026-01-1", "2026/01/01", " 2026-01-01", "2026-01-01 ", "2026-01-01T00:00", "20260101", "2026-0a-01", "+026-01-01", "-026-01-01", "2026-01-0\u0661", "２０２６-01-01"])
      expect(dayFromIso(s), JSON.stringify(s)).toBeNull();
  });

  it("answers null, not a TypeError, for what is not a text (a host's untyped JSON without the date)", () => {
    const read: (x: unknown) => Day | null = dayFromIso as (x: unknown) => Day | null;
    for (const x of [undefined, null, 20260101, new Date(2026, 0, 1), ["2026-01-01"]]) expect(read(x), String(x)).toBeNull();
  });
});
