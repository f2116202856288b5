// Three weekly states of one deals sheet, run through core in sequence, and the waterfall computed by hand from the tables alone.
import { run, type RunResult } from "../../core/engine.js";
import type { Movement } from "../../core/movement.js";
import { TAB_LOG, type Grid } from "../../core/types.js";

// Weekly states of one sheet: [id, name, stage, value, owner, close].
export type Row = [string, string, string, number | null, string, string];
const HEADER = ["Deal ID", "Deal", "Stage", "Value", "Owner", "Expected close date"];
export const OPEN = ["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation"];

export const WEEKS: { today: string; rows: Row[] }[] = [
  {
    today: "2026-11-02",
    rows: [
      ["D-1", "Big", "Proposal", 10_000, "Ann", "2026-12-01"],
      ["D-2", "Mid", "Meeting", 5_000, "Bo", "2026-12-10"],
      ["D-3", "Win", "Negotiation", 8_000, "Ann", "2026-11-20"],
      ["D-4", "Lose", "Proposal", 4_000, "Cy", "2026-11-30"],
      ["D-5", "Del", "Meeting", 2_000, "Cy", "2026-12-05"],
      ["D-6", "Back", "Negotiation", 7_000, "Bo", "2026-12-20"],
      ["D-7", "Quiet", "Prospecting", 1_000, "Ann", "2027-01-10"],
      ["D-8", "Old win", "Won", 3_000, "Bo", "2026-10-01"],
    ],
  },
  {
    today: "2026-11-09",
    rows: [
      ["D-1", "Big", "Proposal", 12_000.5, "Ann", "2026-12-15"],
      ["D-2", "Mid", "Negotiation", 4_500, "Bo", "2026-12-10"],
      ["D-3", "Win", "Won", 8_500, "Ann", "2026-11-08"],
      ["D-4", "Lose", "Lost", 4_000, "Cy", "2026-11-07"],
      ["D-6", "Back", "Meeting", 7_000, "Bo", "2026-12-20"],
      ["D-7", "Quiet", "Prospecting", 1_000, "Ann", "2027-01-10"],
      ["D-8", "Old win", "Won", 3_000, "Bo", "2026-10-01"],
      ["D-9", "Fresh", "Prospecting", 6_000, "Cy", "2027-02-01"],
    ],
  },
  {
    today: "2026-11-16",
    rows: [
      ["D-1", "Big", "Negotiation", 12_000.5, "Ann", "2027-01-15"],
      ["D-2", "Mid", "Negotiation", 4_500, "Bo", "2026-12-10"],
      ["D-3", "Win", "Won", 8_500, "Ann", "2026-11-08"],
      ["D-4", "Lose", "Lost", 4_000, "Cy", "2026-11-07"],
      ["D-6", "Back", "Meeting", 6_000, "Bo", "2026-12-20"],
      ["D-7", "Quiet", "Prospecting", 1_000, "Ann", "2027-01-10"],
      ["D-8", "Old win", "Proposal", 3_000, "Bo", "2026-12-30"],
      ["D-9", "Fresh", "Prospecting", 6_500, "Cy", "2027-02-01"],
      ["D-10", "Newer", "Meeting", 2_500, "Ann", "2027-01-20"],
      ["D-11", "Quick win", "Won", 900, "Ann", "2026-11-15"],
    ],
  },
];

export const sheetOf = (rows: Row[]): Grid => [HEADER, ...rows.map((r) => [...r])];

/** Runs core on each state in turn, each run's logAppend appended to the log the next one reads. */
export function runWeeks(weeks: { today: string; rows: Row[] }[], since?: string): RunResult[] {
  let log: Grid | null = null;
  const out: RunResult[] = [];
  weeks.forEach((w, k) => {
    const opts = { command: "review" as const, today: w.today, ...(since !== undefined && k === weeks.length - 1 ? { since } : {}) };
    const plan = run({ sheetName: "Deals", deals: sheetOf(w.rows), settings: null, log, sheetNames: log ? ["Deals", TAB_LOG] : ["Deals"] }, opts);
    log = log ? [...log, ...plan.logAppend] : (plan.tabs.find((t) => t.name === TAB_LOG)?.values ?? null);
    out.push(plan);
  });
  return out;
}

export interface Expected {
  start: [number, number];
  new: [number, number];
  increased: [number, number];
  decreased: [number, number];
  won: [number, number];
  lost: [number, number];
  other: [number, number];
  end: [number, number];
}

/**
 * The waterfall by hand from the weekly tables alone, in cents. What the log knows of a deal in a week: its row
 * when it has a stage (a stage the settings do not know is adopted for the run as an open stage, so it is
 * logged and open like any other); the week before's when its stage is blank;
 * "gone" when the row was deleted. A deal leaves with the value of its last open week before today; a deal
 * the log never knew up to `since` is new.
 */
export function expectedWaterfall(weeks: { rows: Row[] }[], sinceWeek: number): Expected {
  const cents = (v: number | null): number => Math.round((v ?? 0) * 100);
  const known = (stage: string): boolean => stage.trim() !== "";
  const last = weeks.length - 1;
  const logged: Map<string, Row | "gone">[] = [];
  let prev = new Map<string, Row | "gone">();
  for (let k = 0; k < last; k++) {
    const cur = new Map<string, Row | "gone">();
    const rows = new Map((weeks[k]?.rows ?? []).map((r) => [r[0], r]));
    for (const id of prev.keys()) if (!rows.has(id)) cur.set(id, "gone");
    for (const [id, r] of rows) {
      if (known(r[2])) cur.set(id, r);
      else if (prev.has(id)) cur.set(id, prev.get(id) as Row | "gone");
    }
    logged.push(cur);
    prev = cur;
  }
  const isOpen = (r: Row | "gone" | undefined): r is Row => r !== undefined && r !== "gone" && known(r[2]) && r[2] !== "Won" && r[2] !== "Lost";
  const then = logged[sinceWeek] ?? new Map<string, Row | "gone">();
  const now = new Map((weeks[last]?.rows ?? []).map((r) => [r[0], r]));
  const e: Expected = { start: [0, 0], new: [0, 0], increased: [0, 0], decreased: [0, 0], won: [0, 0], lost: [0, 0], other: [0, 0], end: [0, 0] };
  const plus = (k: keyof Expected, v: number, n = 1): void => {
    e[k] = [e[k][0] + n, e[k][1] + v];
  };
  for (const id of new Set([...then.keys(), ...now.keys()])) {
    const a = then.get(id);
    const b = now.get(id);
    if (isOpen(b)) plus("end", cents(b[3]));
    if (isOpen(a)) {
      const v0 = cents(a[3]);
      plus("start", v0);
      let leftAt = v0;
      for (let k = sinceWeek; k < last; k++) {
        const r = logged[k]?.get(id);
        if (isOpen(r)) leftAt = cents(r[3]);
      }
      const v1 = isOpen(b) ? cents(b[3]) : leftAt;
      if (v1 > v0) plus("increased", v1 - v0);
      if (v1 < v0) plus("decreased", v0 - v1);
      if (!isOpen(b)) {
        if (b?.[2] === "Won") plus("won", v1);
        else if (b?.[2] === "Lost") plus("lost", v1);
        else plus("other", -v1, -1);
      }
    } else if (isOpen(b)) plus(a === undefined ? "new" : "other", cents(b[3]));
  }
  return e;
}

export const inCents = (m: Movement): Expected => {
  const c = (a: { count: number; value: number }, sign = 1): [number, number] => [a.count, Math.round(a.value * 100) * sign];
  return { start: c(m.start), new: c(m.new), increased: c(m.increased), decreased: c(m.decreased), won: c(m.won), lost: c(m.lost), other: c(m.other), end: c(m.end) };
};

