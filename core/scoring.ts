// Lead scoring: need, budget and authority answers, matched loosely, become a 0-100 score, a grade and reasons.
import type { Answer, Scoring } from "./settings.js";
import { normalize } from "./stages.js";
import { DIMENSIONS, type Deal, type Dimension, type Grade, type LeadScore } from "./types.js";

export { DIMENSIONS };
const TITLE: Record<Dimension, string> = { need: "Need", budget: "Budget", authority: "Authority" };

// Words people type for "don't know yet". They read as blank (unknown), not as a wrong answer, unless the
// settings list them as an answer, which is checked first.
const PLACEHOLDERS = new Set(["unknown", "tbd", "tbc", "na", "notsure", "dontknow", "idk", "notknown"]);
// Generic words that still mean something when the team's own answers leave them out.
const TOP_WORDS = ["yes", "y", "true"];
const BOTTOM_WORDS = ["no", "n", "false"];
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
// Long free text in a cell would make the reasons cell unreadable.
const SHOWN_MAX = 40;

/** The matching key: "3.0" and "3" meet as numbers, everything else as letters and digits only. */
function keyOf(raw: string): string {
  const t = raw.trim();
  if (NUMBER.test(t)) return String(Number(t));
  return normalize(t);
}

interface Lookup {
  byKey: Record<Dimension, Map<string, Answer>>;
  byRaw: Record<Dimension, Map<string, Answer | null | undefined>>;
}

// Settings objects are parsed once and not changed afterwards, so their lookups can be kept alongside them.
const lookups = new WeakMap<Scoring, Lookup>();

function lookupFor(scoring: Scoring): Lookup {
  const hit = lookups.get(scoring);
  if (hit) return hit;
  const byKey: Lookup["byKey"] = { need: new Map(), budget: new Map(), authority: new Map() };
  const put = (d: Dimension, key: string, a: Answer): void => {
    if (key !== "" && !byKey[d].has(key)) byKey[d].set(key, a);
  };
  // Labels win over synonyms, synonyms over the generic fallbacks, earlier rows over later ones.
  for (const a of scoring.answers) put(a.dimension, keyOf(a.label), a);
  for (const a of scoring.answers) for (const s of a.synonyms) put(a.dimension, keyOf(s), a);
  for (const a of scoring.answers) put(a.dimension, String(a.points), a);
  for (const d of DIMENSIONS) {
    const ranked = ranking(scoring, d);
    const top = ranked[0];
    const bottom = ranked[ranked.length - 1];
    if (top) for (const w of TOP_WORDS) put(d, w, top);
    if (bottom && bottom.points === 0) for (const w of BOTTOM_WORDS) put(d, w, bottom);
  }
  const made: Lookup = { byKey, byRaw: { need: new Map(), budget: new Map(), authority: new Map() } };
  lookups.set(scoring, made);
  return made;
}

/** A dimension's answers, highest points first; ties keep the settings order. */
function ranking(scoring: Scoring, dimension: Dimension): Answer[] {
  return scoring.answers.filter((a) => a.dimension === dimension).sort((x, y) => y.points - x.points);
}

/** The answer a cell holds: null when blank (or a "don't know" placeholder), undefined when not recognised. */
export function answerFor(scoring: Scoring, dimension: Dimension, raw: string): Answer | null | undefined {
  const lookup = lookupFor(scoring);
  const cache = lookup.byRaw[dimension];
  if (cache.has(raw)) return cache.get(raw);
  const key = keyOf(raw);
  let found: Answer | null | undefined;
  if (key === "") found = null;
  else {
    found = lookup.byKey[dimension].get(key);
    if (found === undefined && PLACEHOLDERS.has(key)) found = null;
  }
  cache.set(raw, found);
  return found;
}

/** Labels for the drop-downs, highest points first. */
export function answerLists(scoring: Scoring): Record<Dimension, string[]> {
  const labels = (d: Dimension): string[] => [...new Set(ranking(scoring, d).map((a) => a.label))];
  return { need: labels("need"), budget: labels("budget"), authority: labels("authority") };
}

export function gradeOf(score: number, scoring: Scoring): Grade {
  const g = scoring.grades;
  return score >= g.A ? "A" : score >= g.B ? "B" : score >= g.C ? "C" : "D";
}

/** What one cell of one dimension contributes; shared by every row holding the same text. */
interface Slot {
  contribution: number;
  reason: string;
  blank: boolean;
  unrecognised: boolean;
  /** Scores by budget slot, then authority slot; only used on need slots. */
  combos: Map<Slot, Map<Slot, LeadScore>> | null;
}

/**
 * Builds the per-deal scorer. Each distinct cell text is matched once and each (need, budget, authority)
 * combination is scored once; rows then cost three Map hits and share the frozen LeadScore.
 */
export function scorer(scoring: Scoring): (deal: Pick<Deal, Dimension>) => LeadScore {
  const caches: Record<Dimension, Map<string, Slot>> = { need: new Map(), budget: new Map(), authority: new Map() };

  const slotFor = (d: Dimension, raw: string): Slot => {
    const cache = caches[d];
    const hit = cache.get(raw);
    if (hit) return hit;
    const answer = answerFor(scoring, d, raw);
    let slot: Slot;
    if (answer) {
      const contribution = (scoring.weights[d] * answer.points) / 3;
      const reason = `${TITLE[d]} ${answer.label.toLowerCase()} +${Math.round(contribution)}`;
      slot = { contribution, reason, blank: false, unrecognised: false, combos: null };
    } else if (answer === null) {
      slot = { contribution: 0, reason: `${TITLE[d]} unknown +0`, blank: true, unrecognised: false, combos: null };
    } else {
      const t = raw.trim().replace(/\s+/g, " ");
      const shown = t.length > SHOWN_MAX ? `${t.slice(0, SHOWN_MAX - 1)}…` : t;
      slot = { contribution: 0, reason: `${TITLE[d]} "${shown}" not recognised +0`, blank: false, unrecognised: true, combos: null };
    }
    cache.set(raw, slot);
    return slot;
  };

  const build = (n: Slot, b: Slot, a: Slot): LeadScore => {
    const score = Math.min(100, Math.max(0, Math.round(n.contribution + b.contribution + a.contribution)));
    const unknown: Dimension[] = [];
    const unrecognised: Dimension[] = [];
    const slots = [n, b, a];
    DIMENSIONS.forEach((d, i) => {
      const s = slots[i] as Slot;
      if (s.blank) unknown.push(d);
      if (s.unrecognised) unrecognised.push(d);
    });
    return Object.freeze({
      score,
      grade: gradeOf(score, scoring),
      qualified: score >= scoring.qualifiedAt,
      reasons: `${n.reason} · ${b.reason} · ${a.reason}`,
      unknown: Object.freeze(unknown) as Dimension[],
      unrecognised: Object.freeze(unrecognised) as Dimension[],
    });
  };

  return (deal) => {
    const n = slotFor("need", deal.need);
    const b = slotFor("budget", deal.budget);
    const a = slotFor("authority", deal.authority);
    n.combos ??= new Map();
    let byAuthority = n.combos.get(b);
    if (!byAuthority) {
      byAuthority = new Map();
      n.combos.set(b, byAuthority);
    }
    let score = byAuthority.get(a);
    if (!score) {
      score = build(n, b, a);
      byAuthority.set(a, score);
    }
    return score;
  };
}
