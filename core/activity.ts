// The activity log: finds the team's tab of calls, emails, meetings and notes by its headers, reads it, and computes the weekly activity figures.
import { a1, isoFromDay } from "./a1.js";
import { at as item } from "./checked.js";
import { HEADER_SCAN_ROWS, knownField } from "./columns.js";
import { parseDate, type DateOrder } from "./parse.js";
import { isBlank } from "./rows.js";
import { editDistance, normalize } from "./stages.js";
import { TAB_LOG, TAB_REVIEW, TAB_SETTINGS, type Cell, type Day, type Deal, type Grid, type Problem, type TabWrite } from "./types.js";

export const ACTIVITY_TYPES = ["call", "email", "meeting", "note"] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
/** The types that count as a contact with the buyer; a note is a record, not a contact. */
export const CONTACT_TYPES: readonly ActivityType[] = ["call", "email", "meeting"];

/** The tab pipesheet creates when the team keeps no activity log of its own. */
export const TAB_ACTIVITIES = "Activities";
export const ACTIVITY_HEADER = ["Date", "Deal ID", "Deal", "Type", "Outcome", "Next step", "Next step date", "By"];

const ACTIVITY_FIELDS = ["date", "dealId", "dealName", "type", "note", "nextStep", "nextStepDate", "by"] as const;
export type ActivityField = (typeof ACTIVITY_FIELDS)[number];

// Compared after normalize(), like the deals sheet's headers. Deal ID, deal name, next step and the rep are
// also recognised by the deals sheet's own aliases (knownField), so "Opportunity", "Follow-up date" or "Rep" work too.
const ALIASES: Record<ActivityField, readonly string[]> = {
  date: ["Date", "Activity date", "When", "Date of activity", "Done on", "Done date", "Activity - Due date", "Activity - Done time", "Due date", "Timestamp", "Logged on", "Contact date"],
  dealId: [],
  dealName: [],
  type: ["Type", "Activity type", "Activity - Type", "Kind", "Activity", "Channel", "Touch type", "Contact type"],
  note: ["Outcome", "Notes", "Note", "Result", "Summary", "Subject", "Activity - Subject", "Activity - Note", "Comments", "Comment", "Description", "Details"],
  nextStep: [],
  nextStepDate: [],
  by: ["By", "Logged by", "Done by", "User", "Activity - Assigned to user", "Activity - User", "Created by", "Who", "Person"],
};
const BY_ALIAS = new Map<string, ActivityField>();
for (const f of ACTIVITY_FIELDS) for (const a of ALIASES[f]) BY_ALIAS.set(normalize(a), f);

/** What a header of the activity tab holds, or undefined. */
function activityField(header: string): ActivityField | undefined {
  const own = BY_ALIAS.get(normalize(header));
  if (own) return own;
  switch (knownField(header)) {
    case "dealId":
      return "dealId";
    case "name":
    case "company":
      return "dealName";
    case "nextStep":
      return "nextStep";
    case "nextStepDate":
      return "nextStepDate";
    case "owner":
      return "by";
    case "lastActivity":
      return "date";
    default:
      return undefined;
  }
}

export interface ActivityColumns {
  headerRow: number;
  headers: string[];
  fields: Partial<Record<ActivityField, number>>;
}

const cellText = (c: Cell): string => (c === null || c === undefined ? "" : c instanceof Date ? "" : String(c).trim());

/** The header row of an activity log among the first rows: one naming a date, a deal and a type. */
export function mapActivityColumns(grid: Grid): ActivityColumns | null {
  const rows = Math.min(HEADER_SCAN_ROWS, grid.length);
  for (let r = 0; r < rows; r++) {
    const row = grid[r] ?? [];
    const fields: Partial<Record<ActivityField, number>> = {};
    const headers = row.map(cellText);
    headers.forEach((h, c) => {
      if (h === "") return;
      const f = activityField(h);
      if (f !== undefined && fields[f] === undefined) fields[f] = c;
    });
    if (fields.date !== undefined && fields.type !== undefined && (fields.dealId !== undefined || fields.dealName !== undefined)) {
      let width = headers.length;
      while (width > 0 && headers[width - 1] === "") width--;
      return { headerRow: r, headers: headers.slice(0, width), fields };
    }
  }
  return null;
}

/**
 * Which tab holds the activity log: one called "Activities" when its headers fit, else the first other tab
 * whose headers do. pipesheet's own tabs and the deals sheet are never it.
 */
export function pickActivitiesTab(tabs: readonly { name: string; values: Grid }[], dealsSheet: string): string | null {
  const skip = new Set([TAB_REVIEW, TAB_SETTINGS, TAB_LOG, dealsSheet].map((n) => n.toLowerCase()));
  const fits = tabs.filter((t) => !skip.has(t.name.toLowerCase()) && mapActivityColumns(t.values) !== null);
  return (fits.find((t) => t.name.toLowerCase() === TAB_ACTIVITIES.toLowerCase()) ?? fits[0])?.name ?? null;
}

// ------------------------------------------------------------------ types, matched like stages

/** Words teams and CRM exports use for each type; the settings' "Also called" words are added to these. */
export const TYPE_WORDS: Record<ActivityType, readonly string[]> = {
  call: ["call", "phone", "phone call", "called", "cold call", "rang", "ring", "dial", "voicemail", "vm", "left voicemail", "callback"],
  email: ["email", "e-mail", "mail", "emailed", "sent email", "inmail", "linkedin message", "message", "sms", "text"],
  meeting: ["meeting", "meet", "met", "demo", "visit", "site visit", "video call", "zoom", "teams call", "appointment", "appt", "presentation", "lunch", "onsite"],
  note: ["note", "comment", "task", "other", "internal", "memo"],
};

export interface TypeMatch {
  type: ActivityType | null;
  suggestion: ActivityType | null;
}

/** A cached matcher from the team's word to a type: exact after normalize(), else a near spelling. */
export function typeMatcher(extra: Partial<Record<ActivityType, readonly string[]>> = {}): (raw: string) => TypeMatch {
  const exact = new Map<string, ActivityType>();
  for (const t of ACTIVITY_TYPES) for (const w of [...(extra[t] ?? []), ...TYPE_WORDS[t]]) if (!exact.has(normalize(w))) exact.set(normalize(w), t);
  const cache = new Map<string, TypeMatch>();
  return (raw) => {
    const hit = cache.get(raw);
    if (hit) return hit;
    const key = normalize(raw);
    const t = key === "" ? undefined : exact.get(key);
    let result: TypeMatch = { type: t ?? null, suggestion: null };
    if (t === undefined && key.length >= 3) {
      let best: { type: ActivityType; dist: number } | null = null;
      for (const [k, type] of exact) {
        const max = k.length <= 5 ? 1 : 2;
        const dist = editDistance(key, k, max);
        if (dist <= max && (!best || dist < best.dist)) best = { type, dist };
      }
      // A near spelling is read as that type (like a stage typo), and said so.
      if (best) result = { type: best.type, suggestion: best.type };
    }
    cache.set(raw, result);
    return result;
  };
}

// ------------------------------------------------------------------ reading the log

export interface Activity {
  /** 1-based row on the activity tab. */
  sheetRow: number;
  day: Day;
  type: ActivityType;
  /** Index into the deals, or -1 when the deal is not on the deals sheet. */
  deal: number;
  /** The deal as written on the row (ID or name). */
  dealRef: string;
  note: string;
  /** Who did it: the By column, else the deal's owner, else "". */
  by: string;
}

export interface ActivityLog {
  /** The tab read, or null when the workbook has none. */
  sheet: string | null;
  columns: ActivityColumns | null;
  activities: Activity[];
  /** Rows skipped because a cell could not be read. */
  badRows: number;
  /** Rows kept whose deal is not on the deals sheet. */
  unknownDeals: number;
  problems: Problem[];
}

export interface ActivityReadOptions {
  dateOrder: DateOrder;
  typeWords?: Partial<Record<ActivityType, readonly string[]>>;
}

export function readActivities(tab: { sheet: string; values: Grid } | null, deals: readonly Deal[], options: ActivityReadOptions): ActivityLog {
  const empty: ActivityLog = { sheet: tab?.sheet ?? null, columns: null, activities: [], badRows: 0, unknownDeals: 0, problems: [] };
  if (!tab) return empty;
  const sheet = tab.sheet;
  const cols = mapActivityColumns(tab.values);
  if (!cols) {
    empty.problems.push({ sheet, cell: "A1", code: "NO_HEADER", severity: "warning", message: `"${sheet}" has no header row with Date, Deal and Type; pipesheet cannot read the activities on it.` });
    return empty;
  }
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  deals.forEach((d, i) => {
    if (d.id !== "" && !byId.has(d.id.toLowerCase())) byId.set(d.id.toLowerCase(), i);
    const n = normalize(d.name);
    if (n !== "" && !byName.has(n)) byName.set(n, i);
  });
  const match = typeMatcher(options.typeWords);
  const f = cols.fields;
  const out: ActivityLog = { sheet, columns: cols, activities: [], badRows: 0, unknownDeals: 0, problems: [] };
  const report = (r: number, c: number, code: Problem["code"], severity: Problem["severity"], message: string): void => {
    out.problems.push({ sheet, cell: a1(r, c), code, severity, message });
  };
  const at = (row: Cell[], c: number | undefined): Cell => (c === undefined ? null : row[c]);
  for (let r = cols.headerRow + 1; r < tab.values.length; r++) {
    const row = tab.values[r] ?? [];
    if (row.every(isBlank)) continue;
    const dateCell = at(row, f.date);
    const date = parseDate(dateCell, options.dateOrder);
    const idText = cellText(at(row, f.dealId));
    const nameText = cellText(at(row, f.dealName));
    const typeText = cellText(at(row, f.type));
    const typed = match(typeText);
    let bad = false;
    if (date === null || date === "bad") {
      bad = true;
      report(r, f.date ?? 0, "BAD_ACTIVITY", "error", date === null ? "This activity has no date; pipesheet skips it until one is filled in." : `"${cellText(dateCell)}" is not a date; write it as 2026-12-01 or as a date cell.`);
    }
    if (idText === "" && nameText === "") {
      bad = true;
      report(r, f.dealId ?? f.dealName ?? 0, "BAD_ACTIVITY", "error", "This activity names no deal; fill in the Deal ID or the deal name.");
    }
    if (typed.type === null) {
      bad = true;
      report(r, f.type ?? 0, "BAD_ACTIVITY", "error", typeText === "" ? "This activity has no type; write call, email, meeting or note." : `Type "${typeText}" is not call, email, meeting or note; use one of them, or add your word to Pipeline Settings › Activity types.`);
    } else if (typed.suggestion !== null) {
      report(r, f.type ?? 0, "BAD_ACTIVITY", "info", `Read type "${typeText}" as ${typed.suggestion}; correct the cell if that is wrong.`);
    }
    if (bad || date === null || date === "bad" || typed.type === null) {
      out.badRows++;
      continue;
    }
    const deal = (idText !== "" ? byId.get(idText.toLowerCase()) : undefined) ?? (nameText !== "" ? (byName.get(normalize(nameText)) ?? byId.get(nameText.toLowerCase())) : undefined) ?? -1;
    const dealRef = idText !== "" ? idText : nameText;
    if (deal < 0) {
      out.unknownDeals++;
      report(r, idText !== "" ? (f.dealId ?? 0) : (f.dealName ?? 0), "UNKNOWN_DEAL", "warning", `No deal "${dealRef}" on the deals sheet; the activity still counts for its rep. Fix the ID or name if it is a typo.`);
    }
    const by = cellText(at(row, f.by));
    out.activities.push({ sheetRow: r + 1, day: date.day, type: typed.type, deal, dealRef, note: cellText(at(row, f.note)), by: by !== "" ? by : (deals[deal]?.owner ?? "") });
  }
  return out;
}

/** The latest activity on or before today per deal (index-aligned with the deals), null where none. */
export function lastActivityByDeal(log: ActivityLog, dealCount: number, today: Day): (Day | null)[] {
  const last: (Day | null)[] = new Array<Day | null>(dealCount).fill(null);
  for (const a of log.activities) {
    if (a.deal < 0 || a.day > today) continue;
    const prev = last[a.deal];
    if (prev === null || prev === undefined || a.day > prev) last[a.deal] = a.day;
  }
  return last;
}

// ------------------------------------------------------------------ the weekly figures

export interface ActivityCounts {
  contacts: number;
  appointments: number;
  /** appointments ÷ contacts, 0..1; null with no contacts. */
  appointmentRate: number | null;
}

export interface ActivityRow extends ActivityCounts {
  owner: string;
  calls: number;
  emails: number;
  meetings: number;
  notes: number;
  /** The same counts for the 7 days before. */
  previous: ActivityCounts;
}

export interface ActivityMetrics {
  /** False when the workbook has no activity log; the figures are then zero. */
  present: boolean;
  sheet: string | null;
  /** The week: 7 days ending today, today included; and the 7 before. */
  week: { from: string; to: string };
  previousWeek: { from: string; to: string };
  byOwner: ActivityRow[];
  team: ActivityRow;
  responseTime: { meanDays: number | null; medianDays: number | null; deals: number; definition: string };
  activities: number;
  badRows: number;
  unknownDeals: number;
  definition: string;
}

const NO_OWNER = "(no owner)";

const counts = (contacts: number, appointments: number): ActivityCounts => ({ contacts, appointments, appointmentRate: contacts > 0 ? appointments / contacts : null });

interface Acc {
  owner: string;
  n: Record<ActivityType, number>;
  prevContacts: number;
  prevMeetings: number;
}

const newAcc = (owner: string): Acc => ({ owner, n: { call: 0, email: 0, meeting: 0, note: 0 }, prevContacts: 0, prevMeetings: 0 });

function row(a: Acc): ActivityRow {
  const contacts = a.n.call + a.n.email + a.n.meeting;
  return { owner: a.owner, ...counts(contacts, a.n.meeting), calls: a.n.call, emails: a.n.email, meetings: a.n.meeting, notes: a.n.note, previous: counts(a.prevContacts, a.prevMeetings) };
}

const median = (xs: number[]): number | null => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const upper = s[m];
  if (upper === undefined) return null;
  return s.length % 2 ? upper : (item(s, m - 1) + upper) / 2;
};

export function activityMetrics(log: ActivityLog, deals: readonly Deal[], today: Day): ActivityMetrics {
  const weekStart = today - 6;
  const prevStart = today - 13;
  const people = new Map<string, Acc>();
  const team = newAcc("Team");
  const person = (name: string): Acc => {
    const label = name === "" ? NO_OWNER : name;
    const key = label.toLowerCase().replace(/\s+/g, " ");
    let acc = people.get(key);
    if (!acc) people.set(key, (acc = newAcc(label)));
    return acc;
  };
  const first: (Day | null)[] = new Array<Day | null>(deals.length).fill(null);
  for (const a of log.activities) {
    const contact = a.type !== "note";
    // A contact logged before the deal was created is the lead's history, not a response to it.
    const created = deals[a.deal]?.created ?? null;
    if (contact && created !== null && a.day >= created && a.day <= today) {
      const f = first[a.deal];
      if (f === null || f === undefined || a.day < f) first[a.deal] = a.day;
    }
    if (a.day > today || a.day < prevStart) continue;
    const acc = person(a.by);
    if (a.day >= weekStart) {
      acc.n[a.type]++;
      team.n[a.type]++;
    } else if (contact) {
      acc.prevContacts++;
      team.prevContacts++;
      if (a.type === "meeting") {
        acc.prevMeetings++;
        team.prevMeetings++;
      }
    }
  }
  const waits: number[] = [];
  deals.forEach((d, i) => {
    const f = first[i];
    if (d.created !== null && f !== null && f !== undefined) waits.push(f - d.created);
  });
  const rows = [...people.values()].map(row).sort((a, b) => b.contacts - a.contacts || b.previous.contacts - a.previous.contacts || a.owner.localeCompare(b.owner));
  const sum = waits.reduce((s, x) => s + x, 0);
  return {
    present: log.sheet !== null && log.columns !== null,
    sheet: log.sheet,
    week: { from: isoFromDay(weekStart), to: isoFromDay(today) },
    previousWeek: { from: isoFromDay(prevStart), to: isoFromDay(today - 7) },
    byOwner: rows,
    team: row(team),
    responseTime: {
      meanDays: waits.length > 0 ? sum / waits.length : null,
      medianDays: median(waits),
      deals: waits.length,
      definition: "Lead response time = days from a deal's created date to its first call, email or meeting logged on or after that day; mean and median over the deals that have both.",
    },
    activities: log.activities.length,
    badRows: log.badRows,
    unknownDeals: log.unknownDeals,
    definition:
      "Activity in the 7 days ending today (today included), per person (the By column, else the deal's owner): contacts = calls + emails + meetings; appointments = meetings; appointment rate = appointments ÷ contacts. Previous = the 7 days before.",
  };
}

/** The Activities tab pipesheet creates on set-up when the team keeps no log of its own. */
export function activitiesTab(): TabWrite {
  // No widths: the team sizes its own log, and each width is one more call for a host.
  return { name: TAB_ACTIVITIES, values: [[...ACTIVITY_HEADER]], hidden: false, formats: [{ range: "A1:H1", bold: true }] };
}
