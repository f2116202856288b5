// Capacity: each rep's open deals and activities in the last 30 days against what one rep of their role can carry.
import { isoFromDay } from "./a1.js";
import type { ActivityLog } from "./activity.js";
import type { Role, Settings } from "./settings.js";
import type { Day, Deal } from "./types.js";

export const CAPACITY_DAYS = 30;

export interface CapacityRow {
  owner: string;
  role: Role;
  /** True when the role comes from the Owners table, false when it is the AE default. */
  roleSet: boolean;
  openDeals: number;
  openCapacity: number | null;
  /** openDeals ÷ openCapacity; null when no capacity is set. */
  openLoad: number | null;
  activities: number;
  activityCapacity: number | null;
  /** activities ÷ activityCapacity; null when no capacity is set or nothing has been logged yet. */
  activityLoad: number | null;
  /** over: a load above 100 %; under: every set load below the Under setting; null when nothing is set. */
  flag: "over" | "under" | "ok" | null;
}

export interface CapacityMetrics {
  period: { from: string; to: string };
  underPercent: number;
  rows: CapacityRow[];
  over: number;
  under: number;
  definition: string;
}

const keyOf = (name: string): string => name.trim().toLowerCase().replace(/\s+/g, " ");
/** Bounds the names' key cache, so a sheet of a million distinct owners cannot grow it without end. */
const KEY_CACHE_LIMIT = 100_000;

export function computeCapacity(deals: readonly Deal[], settings: Settings, log: ActivityLog, today: Day): CapacityMetrics {
  const from = today - (CAPACITY_DAYS - 1);
  const roles = new Map(settings.capacity.owners.map((o) => [keyOf(o.owner), o.role]));
  const reps = new Map<string, { owner: string; open: number; activities: number }>();
  // A million deals name a few reps: each name's key is worked out once (a blank name's key is "").
  const keys = new Map<string, string>();
  const rep = (name: string): { owner: string; open: number; activities: number } | null => {
    let k = keys.get(name);
    if (k === undefined) {
      k = keyOf(name);
      if (keys.size < KEY_CACHE_LIMIT) keys.set(name, k);
    }
    if (k === "") return null;
    let r = reps.get(k);
    if (!r) reps.set(k, (r = { owner: name.trim(), open: 0, activities: 0 }));
    return r;
  };
  for (const o of settings.capacity.owners) rep(o.owner);
  for (let n = 0; n < deals.length; n++) {
    const d = deals[n] as Deal;
    if (settings.stages[d.stage]?.kind !== "open") continue;
    const r = rep(d.owner);
    if (r) r.open++;
  }
  for (const a of log.activities) {
    if (a.day < from || a.day > today) continue;
    const r = rep(a.by);
    if (r) r.activities++;
  }
  const under = settings.capacity.underPercent / 100;
  const rows: CapacityRow[] = [...reps.entries()].map(([k, r]) => {
    const set = roles.get(k);
    const role: Role = set ?? "AE";
    const cap = settings.capacity[role];
    const openLoad = cap.openDeals !== null ? r.open / cap.openDeals : null;
    // Until the team logs anything, zero activities means "not logged", not "idle": not compared.
    const activityLoad = cap.activities !== null && log.activities.length > 0 ? r.activities / cap.activities : null;
    const loads = [openLoad, activityLoad].filter((x): x is number => x !== null);
    const flag = loads.length === 0 ? null : loads.some((x) => x > 1) ? "over" : loads.every((x) => x < under) ? "under" : "ok";
    return { owner: r.owner, role, roleSet: set !== undefined, openDeals: r.open, openCapacity: cap.openDeals, openLoad, activities: r.activities, activityCapacity: cap.activities, activityLoad, flag };
  });
  rows.sort((a, b) => a.role.localeCompare(b.role) || a.owner.localeCompare(b.owner));
  return {
    period: { from: isoFromDay(from), to: isoFromDay(today) },
    underPercent: settings.capacity.underPercent,
    rows,
    over: rows.filter((r) => r.flag === "over").length,
    under: rows.filter((r) => r.flag === "under").length,
    definition:
      `Capacity per rep: open deals now, and activities logged in the ${CAPACITY_DAYS} days ending today, against the capacity of their role (Pipeline Settings: AE and BDR capacity; roles in the Owners table, AE when not listed). ` +
      `Over = above 100 % of either; under = below ${settings.capacity.underPercent} % of every capacity set.`,
  };
}
