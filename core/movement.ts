// "Since last review": the open pipeline as a waterfall from the log's state on the since day to the sheet today.
import { isoFromDay } from "./a1.js";
import type { Settings } from "./settings.js";
import { centsOf, fieldsChanged, outcomeByName, pushesNow, stageName, type DealHistory, type DealState, type StageLog } from "./stagelog.js";
import type { Deal } from "./types.js";

export interface MovedDeal {
  id: string;
  name: string;
  owner: string;
  /** 1-based row on the deals sheet, so hosts can link to it; null for a deal no longer on the sheet. */
  sheetRow: number | null;
  stage: string;
  /** The amount this deal adds to its line (a change for increased/decreased, signed for other). */
  value: number;
  /** Stage or close date before and now, for advanced, moved back and pushed. */
  from?: string;
  to?: string;
  /** Times its expected close moved later, over the whole log. */
  pushes?: number;
}

export interface Amount {
  count: number;
  value: number;
}
export interface Listed extends Amount {
  /** The largest first, at most MOVEMENT_LIST_MAX. */
  deals: MovedDeal[];
}
export interface Counted {
  count: number;
  deals: MovedDeal[];
}

export interface Movement {
  /** The day compared with, YYYY-MM-DD. */
  since: string;
  /** How it was chosen: a date given (CLI --since or the settings), the previous review run, or the last logged day. */
  basis: "date" | "review" | "run";
  start: Amount;
  new: Listed;
  increased: Listed;
  decreased: Listed;
  won: Listed;
  lost: Listed;
  /** Net of deals moved into the open pipeline otherwise (reopened, back on the sheet) and out (deleted, stage cleared). */
  other: Listed & { in: Amount; out: Amount };
  end: Amount;
  pushed: Counted;
  advanced: Counted;
  movedBack: Counted;
  quiet: Counted;
  definition: string;
}

export const MOVEMENT_LIST_MAX = 200;

interface Acc {
  count: number;
  cents: number;
  items: MovedDeal[];
}
const acc = (): Acc => ({ count: 0, cents: 0, items: [] });

function listed(a: Acc, byValue: boolean): Listed {
  const deals = byValue ? a.items.sort((x, y) => Math.abs(y.value) - Math.abs(x.value) || x.name.localeCompare(y.name)) : a.items;
  return { count: a.count, value: a.cents / 100, deals: deals.slice(0, MOVEMENT_LIST_MAX) };
}

export interface MovementInput {
  deals: readonly Deal[];
  settings: Settings;
  log: StageLog;
  duplicateIds: ReadonlySet<string>;
  /** Each deal's log history by position, when the caller has looked them up already; else each is looked up by ID. */
  historyByDeal?: readonly (DealHistory | undefined)[] | null;
}

/**
 * One pass over the deals and one over the log's deals no longer on the sheet. Sums are kept in whole cents,
 * so start + new + increased − decreased − won − lost + other = end holds to the cent, not only nearly.
 */
const add = (a: Acc, cents: number, item: MovedDeal | null): void => {
  a.count++;
  a.cents += cents;
  if (item) a.items.push(item);
};

const ref = (id: string, name: string, owner: string, sheetRow: number | null, stage: string, cents: number, extra: Partial<MovedDeal> = {}): MovedDeal => ({
  id,
  name: name || id,
  owner,
  sheetRow,
  stage,
  value: cents / 100,
  ...extra,
});

/** One running total per line of the movement bridge and per listed kind of move. */
interface Tally {
  start: Acc;
  end: Acc;
  added: Acc;
  up: Acc;
  down: Acc;
  won: Acc;
  lost: Acc;
  otherIn: Acc;
  otherOut: Acc;
  pushed: Acc;
  advanced: Acc;
  back: Acc;
  quiet: Acc;
}

const newTally = (): Tally => ({
  start: acc(),
  end: acc(),
  added: acc(),
  up: acc(),
  down: acc(),
  won: acc(),
  lost: acc(),
  otherIn: acc(),
  otherOut: acc(),
  pushed: acc(),
  advanced: acc(),
  back: acc(),
  quiet: acc(),
});

// The deal's value changed while open, then it left (won, lost, deleted) with the value it had then.
function change(t: Tally, id: string, name: string, owner: string, row: number | null, stage: string, delta: number): void {
  if (delta > 0) add(t.up, delta, ref(id, name, owner, row, stage, delta));
  else if (delta < 0) add(t.down, -delta, ref(id, name, owner, row, stage, -delta));
}

const leave = (h: DealHistory, v0: number): number => {
  const last = h.lastOpen;
  return last && last.full ? (last.cents ?? 0) : v0;
};

/** What the whole computation shares: the since day, and how a logged state reads as open and valued. */
interface Reading {
  since: number;
  stageAt: Map<string, number>;
  isOpen: (st: DealState) => boolean;
  value0: (h: DealHistory, st: DealState, now: number) => number;
}

/** A deal open at the start and still open: value change, stage move, close date pushes, and whether it went quiet. */
function stillOpen(t: Tally, rd: Reading, d: Deal, h: DealHistory, s0: DealState, name: string, now: number, v0: number): void {
  change(t, d.id, d.name, d.owner, d.sheetRow, name, now - v0);
  const from = rd.stageAt.get(s0.stage.toLowerCase());
  if (from !== undefined && from !== d.stage) add(d.stage > from ? t.advanced : t.back, 0, ref(d.id, d.name, d.owner, d.sheetRow, name, now, { from: s0.stage, to: name }));
  const pushes = pushesNow(h, d.closeDate);
  if (pushes - h.pushes + h.pushesSince > 0)
    add(t.pushed, 0, ref(d.id, d.name, d.owner, d.sheetRow, name, now, { from: s0.close === null ? "" : isoFromDay(s0.close), to: d.closeDate === null ? "" : isoFromDay(d.closeDate), pushes }));
  const untouched = !h.changedSince && h.cur.stage.toLowerCase() === name.toLowerCase() && !fieldsChanged(h.cur, centsOf(d.value), d.closeDate, d.owner, "open");
  const idle = d.lastActivity === null || d.lastActivity < rd.since;
  if (untouched && idle) add(t.quiet, 0, ref(d.id, d.name, d.owner, d.sheetRow, name, now));
}

/** The deals on the sheet, each against its logged state at the start. */
function tallySheet(t: Tally, rd: Reading, input: MovementInput): void {
  const { deals, settings, log, duplicateIds } = input;
  const handled = new Set<string>();
  for (let n = 0; n < deals.length; n++) {
    const d = deals[n] as Deal;
    const st = settings.stages[d.stage];
    const openNow = st?.kind === "open";
    const now = centsOf(d.value) ?? 0;
    const name = stageName(d, settings);
    if (openNow) add(t.end, now, null);
    // A repeated id cannot be matched to its history: the first row stands for it, the others came in otherwise.
    const first = !handled.has(d.id);
    if (duplicateIds.has(d.id)) {
      if (!first) {
        if (openNow) add(t.otherIn, now, ref(d.id, d.name, d.owner, d.sheetRow, name, now));
        continue;
      }
      handled.add(d.id);
    }
    // By position when the engine's log pass has it: a million lookups by ID cost about 0.4 s at 1M deals.
    const h = input.historyByDeal ? input.historyByDeal[n] : log.history.get(d.id);
    const s0 = h?.atSince ?? null;
    const openStart = h !== undefined && s0 !== null && rd.isOpen(s0);
    if (!openStart) {
      if (openNow) add(s0 === null ? t.added : t.otherIn, now, ref(d.id, d.name, d.owner, d.sheetRow, name, now));
      continue;
    }
    const v0 = rd.value0(h, s0, now);
    add(t.start, v0, null);
    if (openNow) stillOpen(t, rd, d, h, s0, name, now, v0);
    else {
      const left = leave(h, v0);
      change(t, d.id, d.name, d.owner, d.sheetRow, name, left - v0);
      const kind = st?.kind;
      add(kind === "won" ? t.won : kind === "lost" ? t.lost : t.otherOut, left, ref(d.id, d.name, d.owner, d.sheetRow, name, kind === "won" || kind === "lost" ? left : 0 - left));
    }
  }
}

/** Deals in the log but no longer on the sheet. */
function tallyGone(t: Tally, rd: Reading, log: StageLog): void {
  for (const [id, h] of log.history) {
    if (h.seen) continue;
    const s0 = h.atSince;
    if (s0 === null || !rd.isOpen(s0)) continue;
    const v0 = rd.value0(h, s0, 0);
    add(t.start, v0, null);
    const left = leave(h, v0);
    change(t, id, "", h.cur.owner, null, h.cur.stage, left - v0);
    add(t.otherOut, left, ref(id, "", h.cur.owner, null, h.cur.stage, 0 - left));
  }
}

function movementOf(t: Tally, since: number, basis: Movement["basis"]): Movement {
  const other = acc();
  other.count = t.otherIn.count - t.otherOut.count;
  other.cents = t.otherIn.cents - t.otherOut.cents;
  other.items = [...t.otherIn.items, ...t.otherOut.items];
  const money = (c: number): number => c / 100;
  return {
    since: isoFromDay(since),
    basis,
    start: { count: t.start.count, value: money(t.start.cents) },
    new: listed(t.added, true),
    increased: listed(t.up, true),
    decreased: listed(t.down, true),
    won: listed(t.won, true),
    lost: listed(t.lost, true),
    other: { ...listed(other, true), in: { count: t.otherIn.count, value: money(t.otherIn.cents) }, out: { count: t.otherOut.count, value: money(t.otherOut.cents) } },
    end: { count: t.end.count, value: money(t.end.cents) },
    pushed: { count: t.pushed.count, deals: t.pushed.items.sort((x, y) => (y.pushes ?? 0) - (x.pushes ?? 0) || x.name.localeCompare(y.name)).slice(0, MOVEMENT_LIST_MAX) },
    advanced: { count: t.advanced.count, deals: t.advanced.items.slice(0, MOVEMENT_LIST_MAX) },
    movedBack: { count: t.back.count, deals: t.back.items.slice(0, MOVEMENT_LIST_MAX) },
    quiet: { count: t.quiet.count, deals: t.quiet.items.slice(0, MOVEMENT_LIST_MAX) },
    definition:
      `What changed in the open pipeline since ${isoFromDay(since)} (${basis === "review" ? "the previous review" : basis === "date" ? "the date asked for" : "the last day anything was logged"}), from the Pipeline Log: ` +
      "start = open deals and their value then; new = deals first logged since; increased / decreased = value changes of deals open then (up to the value they had when they closed); " +
      "won / lost = the value they had when they left; other = deals back in the pipeline (reopened, back on the sheet, a stage fixed) less those gone otherwise (deleted, stage cleared); " +
      "start + new + increased − decreased − won − lost + other = end, to the cent. Advanced / moved back = open deals at a later / earlier stage; " +
      "pushed = open deals whose expected close moved later since (Push count = times over the whole log); quiet = open deals with nothing logged since and no Last activity since.",
  };
}

export function computeMovement(input: MovementInput): Movement | null {
  const { settings, log } = input;
  if (log.since === null || log.sinceBasis === "none") return null;
  const outcome = outcomeByName(settings);
  const rd: Reading = {
    since: log.since,
    stageAt: new Map(settings.stages.map((s, i) => [s.name.toLowerCase(), i])),
    isOpen: (st) => (st.outcome === "" ? outcome(st.stage) === "open" : st.outcome === "open"),
    value0: (h, st, now) => (st.full ? (st.cents ?? 0) : h.baseline ? (h.baseline.cents ?? 0) : now),
  };
  const t = newTally();
  tallySheet(t, rd, input);
  tallyGone(t, rd, log);
  return movementOf(t, log.since, log.sinceBasis);
}
