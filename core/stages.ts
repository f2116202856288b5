// Stage rules: loose matching of the team's stage names, adopting their own vocabulary, required fields, backwards moves, next task.
import { fieldLabel, type Settings, type Stage } from "./settings.js";
import type { Deal, Field } from "./types.js";

/** Lower-case and strip everything but letters and digits: "Closed - Won" -> "closedwon". */
export const normalize = (s: string): string => s.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]/g, "");

export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions).
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
  }
  return (d[a.length] as number[])[b.length] as number;
}

export interface StageMatch {
  /** Index into settings.stages, or -1. */
  index: number;
  /** For an unknown name: the closest stage, when one is close enough to suggest. */
  suggestion: string | null;
}

/** Builds a cached matcher: one lookup per distinct raw value, so a million rows cost a Map hit each. */
export function stageMatcher(stages: readonly Stage[]): (raw: string) => StageMatch {
  const exact = new Map<string, number>();
  stages.forEach((st, i) => {
    exact.set(normalize(st.name), i);
  });
  stages.forEach((st, i) => {
    for (const al of st.aliases) if (!exact.has(normalize(al))) exact.set(normalize(al), i);
  });
  const cache = new Map<string, StageMatch>();
  return (raw: string): StageMatch => {
    const hit = cache.get(raw);
    if (hit) return hit;
    const key = normalize(raw);
    let result: StageMatch;
    const idx = key === "" ? undefined : exact.get(key);
    if (idx !== undefined) result = { index: idx, suggestion: null };
    else {
      let best: { name: string; dist: number } | null = null;
      if (key.length >= 3) {
        for (const [k, i] of exact) {
          const max = k.length <= 5 ? 1 : 2;
          const dist = editDistance(key, k, max);
          if (dist <= max && (!best || dist < best.dist)) best = { name: (stages[i] as Stage).name, dist };
        }
      }
      result = { index: -1, suggestion: best?.name ?? null };
    }
    cache.set(raw, result);
    return result;
  };
}

/**
 * On set-up: stage values that match no stage (and are not a typo of one) become custom open stages,
 * placed before the first closed stage, so the team's own vocabulary is adopted rather than rejected.
 */
export function adoptCustomStages(settings: Settings, rawStages: Iterable<string>): { settings: Settings; adopted: string[] } {
  const match = stageMatcher(settings.stages);
  const adopted: string[] = [];
  const seen = new Set<string>();
  for (const raw of rawStages) {
    const name = raw.trim();
    const key = normalize(name);
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    const m = match(name);
    if (m.index === -1 && m.suggestion === null) adopted.push(name);
  }
  if (adopted.length === 0) return { settings, adopted };
  const stages = [...settings.stages];
  let at = stages.findIndex((s) => s.kind !== "open");
  if (at < 0) at = stages.length;
  const before = stages[at - 1];
  const custom: Stage[] = adopted.map((name) => ({
    name,
    kind: "open",
    probability: before ? before.probability : 10,
    stuckDays: before?.stuckDays ?? 21,
    required: [],
    checklist: [],
    aliases: [],
  }));
  stages.splice(at, 0, ...custom);
  return { settings: { ...settings, stages }, adopted };
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

const NONE: Field[] = [];

/** Required fields of the deal's stage that are empty. */
export function missingRequired(deal: Deal, stage: Stage): Field[] {
  if (stage.required.length === 0) return NONE;
  return stage.required.filter((f) => {
    const has = FIELD_READERS[f];
    return has ? !has(deal) : false;
  });
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
