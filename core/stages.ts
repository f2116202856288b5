// Stage rules: loose matching of the team's stage names, adopting their own vocabulary, required fields, backwards moves, next task.
import { at } from "./checked.js";
import { fieldLabel, type Settings, type Stage } from "./settings.js";
import type { Deal, Field } from "./types.js";

/** Lower-case and strip everything but letters and digits: "Closed - Won" -> "closedwon". */
export const normalize = (s: string): string => s.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]/g, "");

export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), two rows back kept:
  // the cell to the left and the one up-left are carried in locals, so a cell reads only up and two-up-left.
  let twoBack: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    let left = i;
    let upLeft = i - 1;
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const up = at(prev, j);
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(up + 1, left + 1, upLeft + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(twoBack, j - 2) + 1);
      row.push(v);
      if (v < best) best = v;
      left = v;
      upLeft = up;
    }
    if (best > max) return max + 1;
    twoBack = prev;
    prev = row;
  }
  return at(prev, b.length);
}

export interface StageMatch {
  /** Index into settings.stages, or -1. */
  index: number;
  /** For an unknown name: the closest stage, when one is close enough to suggest. */
  suggestion: string | null;
}

/** Builds a cached matcher: one lookup per distinct raw value, so a million rows cost a Map hit each. */
export function stageMatcher(stages: readonly Stage[]): (raw: string) => StageMatch {
  // Each name and alias (normalized) with its stage's index and name; names first, then the aliases no name took.
  const exact = new Map<string, { index: number; name: string }>();
  stages.forEach((st, index) => {
    exact.set(normalize(st.name), { index, name: st.name });
  });
  stages.forEach((st, index) => {
    for (const al of st.aliases) if (!exact.has(normalize(al))) exact.set(normalize(al), { index, name: st.name });
  });
  const cache = new Map<string, StageMatch>();
  return (raw: string): StageMatch => {
    const hit = cache.get(raw);
    if (hit) return hit;
    const key = normalize(raw);
    let result: StageMatch;
    const idx = key === "" ? undefined : exact.get(key)?.index;
    if (idx !== undefined) result = { index: idx, suggestion: null };
    else {
      let best: { name: string; dist: number } | null = null;
      if (key.length >= 3) {
        for (const [k, { name }] of exact) {
          const max = k.length <= 5 ? 1 : 2;
          const dist = editDistance(key, k, max);
          if (dist <= max && (!best || dist < best.dist)) best = { name, dist };
        }
      }
      result = { index: -1, suggestion: best?.name ?? null };
    }
    cache.set(raw, result);
    return result;
  };
}

const FIELD_READERS: Partial<Record<Field, (d: Deal) => boolean>> = {
  dealId: (d) => d.id !== "",
  name: (d) => d.name !== "",
  value: (d) => d.value !== null,
  owner: (d) => d.owner !== "",
  createdDate: (d) => d.created !== null,
  closeDate: (d) => d.closeDate !== null,
  stageEntered: (d) => d.stageEntered !== null,
  lastActivity: (d) => d.lastActivity !== null,
  nextStep: (d) => d.nextStep !== "",
  nextStepDate: (d) => d.nextStepDate !== null,
  firstContact: (d) => d.firstContact !== null,
  need: (d) => d.need !== "",
  budget: (d) => d.budget !== "",
  authority: (d) => d.authority !== "",
  lossReason: (d) => d.lossReason !== "",
  source: (d) => (d.categories.source ?? "") !== "",
  product: (d) => (d.categories.product ?? "") !== "",
  industry: (d) => (d.categories.industry ?? "") !== "",
};

/** No fields: the one empty list of missing fields, shared (it is only read). */
export const NO_FIELDS: readonly Field[] = [];

/** Required fields of the deal's stage that are empty. */
export function missingRequired(deal: Deal, stage: Stage): readonly Field[] {
  const required = stage.required;
  // Most deals have every field their stage asks for: they share NO_FIELDS rather than an empty array each.
  let out: Field[] | null = null;
  for (let k = 0; k < required.length; k++) {
    const f = required[k] as Field;
    const has = FIELD_READERS[f];
    if (has && !has(deal)) (out ??= []).push(f);
  }
  return out ?? NO_FIELDS;
}

/** The next checklist task for an open deal: the first item of its stage's checklist, else the next stage's goal. */
export function nextTask(deal: Deal, settings: Settings, stuckAction: string | null, missing?: readonly Field[]): string {
  if (stuckAction) return stuckAction;
  const st = settings.stages[deal.stage];
  if (!st) return deal.stageRaw.trim() === "" ? "Set the stage" : "Fix the stage name";
  missing ??= missingRequired(deal, st);
  if (missing.length > 0) return `Fill in ${missing.map(fieldLabel).join(", ")}`;
  if (st.kind !== "open") return st.checklist[0] ?? "";
  if (deal.nextStep.trim() !== "") return deal.nextStep.trim();
  return st.checklist[0] ?? `Move to ${settings.stages[deal.stage + 1]?.name ?? "the next stage"}`;
}

// ---------------------------------------------------------------------------------------------
// Adopting the team's own stages on every command

/** Lower-case words of a text, for phrase matching: "Closed - Won" -> ["closed", "won"]. */
const words = (s: string): string[] =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");

const containsPhrase = (hay: readonly string[], needle: readonly string[]): boolean => {
  if (needle.length === 0 || needle.length > hay.length) return false;
  for (let i = 0; i + needle.length <= hay.length; i++) if (needle.every((w, k) => hay[i + k] === w)) return true;
  return false;
};

/** "won" / "lost" / "open" when the text holds one of the team's outcome words as a phrase ("Project lost"); lost and won checked first. */
export function outcomeWord(text: string, outcomes: Settings["outcomes"]): "won" | "lost" | "open" | null {
  const w = words(text);
  if (w.length === 0) return null;
  const has = (list: readonly string[]): boolean => list.some((x) => containsPhrase(w, words(x)));
  // "Closed lost" holds "lost" and, in some lists, "closed": the more specific outcome words decide first.
  if (has(outcomes.lost)) return "lost";
  if (has(outcomes.won)) return "won";
  if (has(outcomes.open)) return "open";
  return null;
}

const PREFIX = /^\s*([A-Za-z]|\d{1,3})\s*[.):-]\s*(?=\S)/;

/** A lettered or numbered prefix that orders the team's stages: "A. Lead generated" -> 1, "3 - Proposal" -> 3. */
export function stagePrefix(raw: string): { order: number; rest: string } | null {
  const m = PREFIX.exec(raw);
  // The pattern's one group is not optional: a match always has its tag.
  const tag = m?.[1];
  if (m === null || tag === undefined) return null;
  const rest = raw.slice(m[0].length).trim();
  if (rest === "" || /^\d/.test(rest)) return null;
  const order = /\d/.test(tag) ? Number(tag) : tag.toLowerCase().charCodeAt(0) - 96;
  return { order, rest };
}

/** One stage value as the sheet writes it, with what the deals in it say. */
export interface StageUse {
  raw: string;
  deals: number;
  /** Mean of the sheet's own probability column over these deals (0-100), or null. */
  probability: number | null;
  /** Median days since created of these deals, or null. */
  age: number | null;
  /** Of the deals the stage log shows in this stage at some time and now closed: how many were won, of how many. */
  history?: { won: number; closed: number };
}

/** Closed deals that passed through a stage before its history gives the stage's win probability. */
export const HISTORY_MIN_CLOSED = 10;

export interface StageAdoption {
  settings: Settings;
  /** Stages added from the sheet. */
  adopted: string[];
  /** Stages named in the team's words: [pipesheet's name, the team's]. */
  renamed: [string, string][];
  /** Near spellings matched to a stage: [the sheet's value, the stage]. */
  typos: [string, string][];
}

const COMMON_PREFIX_MIN = 7;
/** A near spelling on more deals than this, with no commoner right spelling beside it, is the team's own word. */
const TYPO_MAX_DEALS = 2;

/** A known stage for a value, looser than the matcher: prefix stripped, plural or verb form, "Proposal/Quote". */
function looseMatch(raw: string, match: (raw: string) => StageMatch, stages: readonly Stage[]): number {
  const tries = [raw];
  const p = stagePrefix(raw);
  if (p) tries.push(p.rest);
  for (const t of [...tries]) for (const part of t.split(/\s*(?:\/|&|\+|\band\b)\s*/)) if (part !== t && part.trim() !== "") tries.push(part);
  for (const t of tries) {
    const m = match(t);
    if (m.index >= 0) return m.index;
  }
  // "Negotiations", "Negotiate": a long common beginning with a stage's name or alias.
  for (const t of tries) {
    const key = normalize(t);
    if (key.length < COMMON_PREFIX_MIN) continue;
    for (const [i, st] of stages.entries()) {
      for (const name of [st.name, ...st.aliases]) {
        const k = normalize(name);
        let n = 0;
        while (n < k.length && n < key.length && k[n] === key[n]) n++;
        if (n >= COMMON_PREFIX_MIN && n >= 0.75 * Math.min(k.length, key.length) && Math.abs(k.length - key.length) <= 3) return i;
      }
    }
  }
  return -1;
}

const round = (x: number): number => Math.round(x);
const WON_PROBABILITY = 100;

type Matcher = (raw: string) => StageMatch;

/** The sheet's stage values by the known stage they match (its index), the ones matching none, and the typos. */
interface UseGroups {
  groups: Map<number, StageUse[]>;
  unknown: StageUse[];
  /** [the sheet's value, the stage it misspells]. */
  typos: [string, string][];
}

/** A near spelling is a typo when rare beside the right spelling: on a few rows, or on fewer than the stage's own name is. */
function isRareSpelling(u: StageUse, uses: readonly StageUse[], match: Matcher, known: readonly Stage[]): boolean {
  if (u.deals <= TYPO_MAX_DEALS) return true;
  const right = match(u.raw).suggestion;
  return uses.some((o) => o !== u && right !== null && match(o.raw).index >= 0 && known[match(o.raw).index]?.name === right && o.deals > u.deals);
}

/** Each distinct value (the first of each normalized spelling) matched to a known stage: exactly, loosely, or by a near spelling. */
function groupUses(settings: Settings, uses: readonly StageUse[], match: Matcher): UseGroups {
  const known = settings.stages;
  const groups = new Map<number, StageUse[]>();
  const unknown: StageUse[] = [];
  const typos: [string, string][] = [];
  const seen = new Set<string>();
  for (const u of uses) {
    const key = normalize(u.raw);
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    const m = match(u.raw);
    let i = m.index >= 0 ? m.index : looseMatch(u.raw, match, known);
    if (i < 0 && outcomeWord(u.raw, settings.outcomes) === null && m.suggestion !== null) {
      i = known.findIndex((s) => s.name === m.suggestion);
      // A near spelling on a few rows is a typo; one the whole team uses ("Propose" on 94 deals) is their word for the stage.
      if (i >= 0 && isRareSpelling(u, uses, match, known)) typos.push([u.raw, m.suggestion]);
    }
    if (i >= 0) {
      const g = groups.get(i);
      if (g) g.push(u);
      else groups.set(i, [u]);
    } else unknown.push(u);
  }
  return { groups, unknown, typos };
}

/** A stage being placed in the new list. */
interface Slot {
  stage: Stage;
  /** Where it sorts among the open stages. */
  order: number;
  use: StageUse | null;
  fromDefault: boolean;
}

/** A default stage the team splits into several names: one stage per name, in the order of the aliases they match, the first keeping the old names. */
function splitSlots(st: Stage, i: number, used: readonly StageUse[], renamed: [string, string][]): Slot[] {
  const rank = (u: StageUse): number => {
    const k = normalize(u.raw);
    const pos = st.aliases.findIndex((a) => normalize(a) === k);
    return pos < 0 ? st.aliases.length : pos;
  };
  const parts = [...used].sort((a, b) => rank(a) - rank(b));
  return parts.map((u, k) => {
    const s: Stage = { ...structuredClone(st), name: u.raw.trim(), aliases: k === 0 ? [st.name, ...st.aliases.filter((a) => !parts.some((p) => normalize(p.raw) === normalize(a)))] : [] };
    renamed.push([st.name, s.name]);
    return { stage: s, order: i + (k + 1) / (parts.length + 1) - 0.5, use: u, fromDefault: true };
  });
}

/** Known stage `i` with the values matched to it: kept (loose matches as aliases), renamed to the team's one name, or split into its names. */
function knownSlots(st: Stage, i: number, used: readonly StageUse[], teamWords: boolean, match: Matcher, renamed: [string, string][]): Slot[] {
  const base: Stage = structuredClone(st);
  const named = used.some((u) => normalize(u.raw) === normalize(st.name));
  // Closed stages keep pipesheet's names: no pipeline row shows them, and "Won"/"Lost" read the same to everyone.
  if (!teamWords || used.length === 0 || named || st.kind !== "open") {
    // Values matched only loosely ("G. Won", "Negotiate") become aliases, so every later lookup finds them.
    for (const u of used) if (match(u.raw).index < 0 && !base.aliases.includes(u.raw.trim())) base.aliases.push(u.raw.trim());
    return [{ stage: base, order: i, use: used[0] ?? null, fromDefault: true }];
  }
  const only = used.length === 1 ? used[0] : undefined;
  if (only === undefined) return splitSlots(st, i, used, renamed);
  const name = only.raw.trim();
  base.aliases = [...new Set([st.name, ...st.aliases])].filter((a) => normalize(a) !== normalize(name));
  base.name = name;
  renamed.push([st.name, name]);
  return [{ stage: base, order: i, use: only, fromDefault: true }];
}

/** A stage for a value no known stage matches: won or lost (a copy of the first such stage) when its words say so, else open. */
function adoptedStage(name: string, settings: Settings): Stage {
  const kind = outcomeWord(name, settings.outcomes);
  const closed = kind === "won" || kind === "lost" ? kind : null;
  const model = closed ? settings.stages.find((s) => s.kind === closed) : undefined;
  return model ? { ...structuredClone(model), name, aliases: [] } : { name, kind: "open", probability: 0, stuckDays: 21, required: [], checklist: [], aliases: [] };
}

/**
 * A slot's win probability from the sheet: its own probability column first; else, for a stage in the team's words,
 * the share of the deals that went through it (by the stage log) and were won, once enough of them have closed.
 * On a first run (`teamWords`, no settings tab yet) every stage the team uses is in its own words and may learn its share.
 */
function slotProbability(teamWords: boolean): (s: Slot) => number | null {
  const fromHistory = (u: StageUse | null | undefined): number | null =>
    u?.history !== undefined && u.history.closed >= HISTORY_MIN_CLOSED ? (100 * u.history.won) / u.history.closed : null;
  return (s) => s.use?.probability ?? (teamWords || !s.fromDefault ? fromHistory(s.use) : null);
}

/** The team's own stage list keeps its order; an adopted stage goes after the last known one it outranks by probability. */
function placeByProbability(open: readonly Slot[], prob: (s: Slot) => number | null): void {
  const knownOpen = open.filter((s) => s.fromDefault);
  for (const s of open) {
    if (s.fromDefault) continue;
    const p = prob(s) ?? 0;
    let after: Slot | undefined;
    for (const k of knownOpen) if (k.stage.probability <= p) after = k;
    s.order = after ? after.order + 0.5 : -1;
  }
}

/** An adopted stage goes after the last known stage whose deals are no older than its own (after them all when its age is unknown). */
function placeByAge(open: readonly Slot[]): void {
  const knownOpen = open.filter((s) => s.fromDefault);
  for (const s of open) {
    if (s.fromDefault) continue;
    const age = s.use?.age ?? null;
    let after = knownOpen.at(-1);
    if (age !== null) {
      after = undefined;
      for (const k of knownOpen) {
        const ka = k.use?.age ?? null;
        if (ka !== null && ka <= age) after = k;
      }
    }
    s.order = after ? after.order + 0.5 : -1;
  }
}

/** Sorts the open stages: by prefix, else by the sheet's probabilities, else by the deals' ages. */
function orderOpen(open: Slot[], teamWords: boolean, hasPrefixes: boolean, anyProb: boolean, prob: (s: Slot) => number | null): void {
  if (hasPrefixes && teamWords) {
    for (const s of open) {
      const p = s.use ? stagePrefix(s.use.raw) : null;
      s.order = p ? p.order : 1000 + s.order;
    }
  } else if (anyProb && teamWords) {
    for (const s of open) s.order = prob(s) ?? s.stage.probability;
  } else if (anyProb && open.some((s) => !s.fromDefault && prob(s) !== null)) placeByProbability(open, prob);
  else placeByAge(open);
  open.sort((a, b) => a.order - b.order);
}

interface Run<T, K> {
  before: T | undefined;
  run: T[];
  after: T | undefined;
  key: K;
}

/** The runs of neighbouring items with the same non-null key, each with the item just before and just after it. */
function runsOf<T, K>(xs: readonly T[], keyOf: (x: T) => K | null): Run<T, K>[] {
  const runs: Run<T, K>[] = [];
  let cur: Run<T, K> | null = null;
  let prev: T | undefined;
  for (const x of xs) {
    const key = keyOf(x);
    if (cur !== null && key !== null && key === cur.key) cur.run.push(x);
    else {
      if (cur !== null) {
        cur.after = x;
        runs.push(cur);
      }
      cur = key === null ? null : { before: prev, run: [x], after: undefined, key };
    }
    prev = x;
  }
  if (cur !== null) runs.push(cur);
  return runs;
}

/** The open stages' probabilities: the sheet's own where it has them; the others between their neighbours. */
function setProbabilities(open: readonly Slot[], teamWords: boolean, anyProb: boolean, prob: (s: Slot) => number | null): void {
  for (const s of open) {
    const p = prob(s);
    if (p !== null && (teamWords || !s.fromDefault)) s.stage.probability = round(p);
  }
  // A run of adopted stages shares the gap between its neighbours evenly: 70 and 100 around two give 80 and 90.
  for (const { before, run, after } of runsOf(open, (s) => (s.fromDefault || prob(s) !== null ? null : 0))) {
    const lo = before ? before.stage.probability : 0;
    const hi = after ? after.stage.probability : WON_PROBABILITY;
    run.forEach((s, j) => {
      s.stage.probability = round(lo + ((hi - lo) * (j + 1)) / (run.length + 1));
      s.stage.stuckDays = (before ?? after)?.stage.stuckDays ?? 21;
    });
  }
  // Split stages share the default's probability; spread them between the neighbours so none is a copy. The runs are
  // found before any is spread (a run only changes its own stages), and each reads its left neighbour as spread by now.
  if (teamWords && !anyProb) {
    for (const { before, run, key: hi } of runsOf(open, (s) => (s.fromDefault ? s.stage.probability : null))) {
      if (run.length < 2) continue;
      const lo = before ? before.stage.probability : 0;
      run.forEach((s, t) => {
        s.stage.probability = round(lo + ((hi - lo) * (t + 1)) / run.length);
      });
    }
  }
}

/** The stages without a repeated name (case ignored): a team name equal to another stage's alias is fine, a duplicate name is not. */
function uniqueByName(stages: readonly Stage[]): Stage[] {
  const names = new Set<string>();
  return stages.filter((s) => {
    const k = s.name.toLowerCase();
    if (names.has(k)) return false;
    names.add(k);
    return true;
  });
}

/**
 * Fits the stages to the values on the sheet, for this run (setup also writes the result to the settings
 * tab). Values that match no stage are adopted: won or lost words make won or lost stages, others open
 * stages, ordered by their prefix, else by the sheet's probability column, else by the deals' ages, with a
 * win probability between their neighbours'. With `teamWords` (no settings tab yet, so the stages are
 * pipesheet's defaults), stages are also named as the team writes them: a default stage the team calls
 * by one other name takes that name; one the team splits into several names ("Value Proposition",
 * "Proposal/Price Quote") becomes one stage per name.
 */
export function adoptStages(settings: Settings, uses: readonly StageUse[], teamWords: boolean): StageAdoption {
  const match = stageMatcher(settings.stages);
  const known = settings.stages;
  const { groups, unknown, typos } = groupUses(settings, uses, match);
  const renamed: [string, string][] = [];
  const adopted: string[] = [];
  const slots: Slot[] = [];
  known.forEach((st, i) => {
    const used = (groups.get(i) ?? []).filter((u) => !typos.some(([t]) => t === u.raw));
    slots.push(...knownSlots(st, i, used, teamWords, match, renamed));
  });
  for (const u of unknown) {
    const name = u.raw.trim();
    slots.push({ stage: adoptedStage(name, settings), order: Number.NaN, use: u, fromDefault: false });
    adopted.push(name);
  }

  // The open stages are ordered and given probabilities; closed stages keep theirs, after them.
  const open = slots.filter((s) => s.stage.kind === "open");
  const closedSlots = slots.filter((s) => s.stage.kind !== "open");
  const prob = slotProbability(teamWords);
  const anyProb = open.some((s) => prob(s) !== null);
  const hasPrefixes = uses.length > 0 && uses.filter((u) => u.raw.trim() !== "").every((u) => stagePrefix(u.raw) !== null);
  orderOpen(open, teamWords, hasPrefixes, anyProb, prob);
  setProbabilities(open, teamWords, anyProb, prob);

  const unique = uniqueByName([...open.map((s) => s.stage), ...closedSlots.map((s) => s.stage)]);
  const changed =
    adopted.length > 0 || renamed.length > 0 || unique.some((s, i) => s.name !== known[i]?.name || s.probability !== known[i]?.probability || s.aliases.length !== known[i]?.aliases.length);
  return { settings: changed ? { ...settings, stages: unique } : settings, adopted, renamed, typos };
}
