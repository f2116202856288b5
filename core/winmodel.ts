// Learned win likelihood: naive Bayes over the sheet's own closed deals, measured on a deterministic holdout.
import { answerFor, DIMENSIONS } from "./scoring.js";
import type { Settings } from "./settings.js";
import { CATEGORY_FIELDS, type Deal, type Dimension, type WinModelSummary } from "./types.js";

export interface WinModel {
  summary: WinModelSummary;
  predict(deal: Deal, reached: number): number | null;
}

/** Laplace (add-one) smoothing: a value never seen with one outcome still keeps some weight. */
const ALPHA = 1;
/** Category values seen fewer times than this among the training deals share one "other" value. */
const MIN_SEEN = 2;
type CategoryKey = (typeof CATEGORY_FIELDS)[number];
const OPEN = 0;
const WON = 1;
const LOST = 2;
/** At most this many categories objects keep their codes (a sheet whose every deal has its own values shares none). */
const SHARED_LIMIT = 65_536;
/** Won and lost deals the model needs of each (fewer when the settings ask for very few closed deals). */
const MIN_PER_OUTCOME = 5;

/**
 * One feature with each closed deal's value as a small integer code. Answers and stage reached know all
 * their values up front; categories learn theirs from the closed deals, and code `size` is their "other".
 */
interface Column {
  name: string;
  fold: boolean;
  size: number;
  codes: Int32Array;
}

/** A fitted model: prior log-odds and, per used column, the log likelihood ratio won:lost of every code. */
interface Fit {
  prior: number;
  used: number[];
  ratios: Float64Array[];
  winRate: number;
}

// Fields read by name rather than deal[key]: a computed key makes every row a slow keyed lookup.
const answerCell = (d: Deal, dimension: Dimension): string =>
  dimension === "need" ? d.need : dimension === "budget" ? d.budget : d.authority;
const categoryCell = (d: Deal, key: CategoryKey): string | undefined => {
  const c = d.categories;
  return key === "owner" ? c.owner : key === "source" ? c.source : key === "product" ? c.product : c.industry;
};

interface AnswerCoder {
  size: number;
  code(raw: string): number;
}

/** Maps a cell to its answer's position among the dimension's distinct labels, or to `unknown`. */
function answerCoder(settings: Settings, dimension: Dimension): AnswerCoder {
  // Two rows with the same label are one answer to the model, as they are to the reader.
  const labels = [...new Set(settings.scoring.answers.filter((a) => a.dimension === dimension).map((a) => a.label))];
  const byRaw = new Map<string, number>();
  return {
    size: labels.length + 1,
    code(raw) {
      let c = byRaw.get(raw);
      if (c === undefined) {
        const a = answerFor(settings.scoring, dimension, raw);
        c = a ? labels.indexOf(a.label) : labels.length;
        byRaw.set(raw, c);
      }
      return c;
    },
  };
}

/** FNV-1a with a final avalanche, so ids like D-0001, D-0002 spread over the whole range. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const holdoutKey = (d: Deal): string => (d.id !== "" ? d.id : d.name !== "" ? d.name : `#${d.index}`);

/**
 * The held-out deals: the `count` lowest hashes of id (or name), ties by row. Keyed by id rather than
 * row, so sorting the sheet does not change which deals measure the model.
 */
function holdoutMask(hashes: Uint32Array, count: number): Uint8Array {
  // The count-th smallest hash, by a histogram of the top 16 bits and a sort of one bucket: no full sort.
  // Indexed loops over the typed arrays: a for-of would make an iteration result per deal in a pass run once.
  const buckets = new Uint32Array(65_536);
  for (let k = 0; k < hashes.length; k++) {
    const b = (hashes[k] as number) >>> 16;
    buckets[b] = (buckets[b] ?? 0) + 1;
  }
  let below = 0;
  let bucket = 0;
  while (below + (buckets[bucket] as number) < count) below += buckets[bucket++] as number;
  const inBucket: number[] = [];
  for (let k = 0; k < hashes.length; k++) if ((hashes[k] as number) >>> 16 === bucket) inBucket.push(hashes[k] as number);
  inBucket.sort((x, y) => x - y);
  const cut = inBucket[count - below - 1] as number;
  const mask = new Uint8Array(hashes.length);
  let taken = 0;
  for (let i = 0; i < hashes.length; i++) {
    if ((hashes[i] as number) < cut) {
      mask[i] = 1;
      taken++;
    }
  }
  for (let i = 0; i < hashes.length && taken < count; i++) {
    if (hashes[i] === cut) {
      mask[i] = 1;
      taken++;
    }
  }
  return mask;
}

/** Fits on every closed deal, or on those not marked in `held`. */
function fit(columns: readonly Column[], won: Uint8Array, held: Uint8Array | null): Fit {
  let nWon = 0;
  let nLost = 0;
  for (let i = 0; i < won.length; i++) {
    if (held !== null && held[i] === 1) continue;
    if (won[i] === 1) nWon++;
    else nLost++;
  }
  const used: number[] = [];
  const ratios: Float64Array[] = [];
  columns.forEach((col, ci) => {
    const other = col.size;
    const cw = new Float64Array(col.size + 1);
    const cl = new Float64Array(col.size + 1);
    const codes = col.codes;
    for (let i = 0; i < codes.length; i++) {
      if (held !== null && held[i] === 1) continue;
      const c = codes[i] as number;
      if (won[i] === 1) cw[c] = (cw[c] ?? 0) + 1;
      else cl[c] = (cl[c] ?? 0) + 1;
    }
    // slot[c]: where code c is counted; rare category values move to "other".
    const slot = new Int32Array(col.size + 1);
    let values = col.size;
    if (col.fold) {
      values = 1;
      for (let c = 0; c < col.size; c++) {
        if ((cw[c] ?? 0) + (cl[c] ?? 0) >= MIN_SEEN) {
          slot[c] = c;
          values++;
        } else {
          slot[c] = other;
          cw[other] = (cw[other] ?? 0) + (cw[c] ?? 0);
          cl[other] = (cl[other] ?? 0) + (cl[c] ?? 0);
        }
      }
      slot[other] = other;
    } else for (let c = 0; c <= col.size; c++) slot[c] = c;
    let seen = 0;
    for (let c = 0; c <= col.size; c++) if (slot[c] === c && (cw[c] ?? 0) + (cl[c] ?? 0) > 0) seen++;
    // A feature with one value among the training deals says nothing, yet smoothing would tilt it toward the
    // smaller class; leave it out.
    if (seen < 2) return;
    const k = values * ALPHA;
    const ratio = new Float64Array(col.size + 1);
    for (let c = 0; c <= col.size; c++) {
      const s = slot[c] ?? c;
      ratio[c] = Math.log(((cw[s] ?? 0) + ALPHA) / (nWon + k)) - Math.log(((cl[s] ?? 0) + ALPHA) / (nLost + k));
    }
    used.push(ci);
    ratios.push(ratio);
  });
  const n = nWon + nLost;
  return { prior: Math.log(nWon + ALPHA) - Math.log(nLost + ALPHA), used, ratios, winRate: n > 0 ? nWon / n : 0 };
}

// Computed from log-odds, so dozens of small likelihoods never underflow; exp overflow just gives 0.
const sigmoid = (logOdds: number): number => 1 / (1 + Math.exp(-logOdds));

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

interface Encoded {
  /** 1 where the closed deal was won. */
  won: Uint8Array;
  hashes: Uint32Array;
  answers: { dimension: Dimension; coder: AnswerCoder; codes: Int32Array }[];
  stageCodes: Int32Array;
  categories: { key: CategoryKey; byValue: Map<string, number>; codes: Int32Array }[];
}

/** One pass over the closed deals, reading fields by name: a million-row sheet does not fit in cache twice. */
function encode(closed: readonly Deal[], positions: readonly number[], settings: Settings, reached: (deal: Deal, position: number) => number, isWon: (d: Deal) => boolean): Encoded {
  const n = closed.length;
  const stageCount = settings.stages.length;
  const e: Encoded = {
    won: new Uint8Array(n),
    hashes: new Uint32Array(n),
    answers: DIMENSIONS.map((dimension) => ({ dimension, coder: answerCoder(settings, dimension), codes: new Int32Array(n) })),
    stageCodes: new Int32Array(n),
    // Every category is encoded; one the sheet lacks reads as "" throughout and is dropped by fit() as constant.
    categories: CATEGORY_FIELDS.map((key) => ({ key, byValue: new Map<string, number>(), codes: new Int32Array(n) })),
  };
  const { answers, categories } = e;
  const codesOf = perObject((d) => categoryCodes(d, categories));
  for (let i = 0; i < closed.length; i++) {
    const d = closed[i] as Deal;
    e.won[i] = isWon(d) ? 1 : 0;
    e.hashes[i] = hash(holdoutKey(d));
    for (let k = 0; k < answers.length; k++) {
      const a = answers[k] as (typeof answers)[number];
      a.codes[i] = a.coder.code(answerCell(d, a.dimension));
    }
    const r = reached(d, positions[i] ?? -1);
    e.stageCodes[i] = r >= 0 && r < stageCount ? r : stageCount;
    const codes = codesOf(d);
    for (let k = 0; k < categories.length; k++) (categories[k] as (typeof categories)[number]).codes[i] = codes[k] as number;
  }
  return e;
}

/**
 * `make(deal)` kept for the next deal sharing its categories object (parsing gives deals with the same categories
 * one object), while fewer than SHARED_LIMIT are kept: what depends only on the categories is worked out once.
 */
function perObject<T>(make: (d: Deal) => T): (d: Deal) => T {
  const kept = new Map<Deal["categories"], T>();
  return (d) => {
    let v = kept.get(d.categories);
    if (v === undefined) {
      v = make(d);
      if (kept.size < SHARED_LIMIT) kept.set(d.categories, v);
    }
    return v;
  };
}

/** A deal's code in each category column, a value first seen here getting the next code of its column. */
function categoryCodes(d: Deal, categories: Encoded["categories"]): Int32Array {
  const out = new Int32Array(categories.length);
  for (let k = 0; k < categories.length; k++) {
    const cat = categories[k] as (typeof categories)[number];
    const v = categoryCell(d, cat.key) ?? "";
    let c = cat.byValue.get(v);
    if (c === undefined) {
      c = cat.byValue.size;
      cat.byValue.set(v, c);
    }
    out[k] = c;
  }
  return out;
}

const columnsOf = (e: Encoded, stageCount: number): Column[] => [
  ...e.answers.map((a) => ({ name: a.dimension, fold: false, size: a.coder.size, codes: a.codes })),
  { name: "stage reached", fold: false, size: stageCount + 1, codes: e.stageCodes },
  ...e.categories.map((cat) => ({ name: cat.key, fold: true, size: cat.byValue.size, codes: cat.codes })),
];

/** Accuracy at 50 % and Brier scores of `trial` on the held-out deals. */
function holdoutScores(trial: Fit, columns: readonly Column[], won: Uint8Array, held: Uint8Array, holdoutSize: number): { accuracy: number; brier: number; baseline: number } {
  const parts = trial.used.map((ci, j) => ({ codes: columns[ci]?.codes ?? new Int32Array(0), ratio: trial.ratios[j] ?? new Float64Array(0) }));
  let right = 0;
  let brier = 0;
  let baseline = 0;
  for (let i = 0; i < won.length; i++) {
    if (held[i] === 0) continue;
    let z = trial.prior;
    for (const part of parts) z += part.ratio[part.codes[i] as number] as number;
    const p = sigmoid(z);
    const y = won[i] === 1 ? 1 : 0;
    if ((p >= 0.5 ? 1 : 0) === y) right++;
    brier += (p - y) ** 2;
    baseline += (trial.winRate - y) ** 2;
  }
  return { accuracy: right / holdoutSize, brier: brier / holdoutSize, baseline: baseline / holdoutSize };
}

/** predict() for an open deal from the final fit, with the used columns split by kind so it runs plain loops and no per-feature callbacks. */
function predictor(final: Fit, e: Encoded, stageCount: number, isOpen: (d: Deal) => boolean): WinModel["predict"] {
  const stageColumn = e.answers.length;
  const firstCategory = stageColumn + 1;
  const answerParts: { dimension: Dimension; coder: AnswerCoder; ratio: Float64Array }[] = [];
  const categoryParts: { key: CategoryKey; codes: Map<string, number>; ratio: Float64Array; other: number }[] = [];
  let stageRatios: Float64Array | null = null;
  final.used.forEach((ci, j) => {
    const ratio = final.ratios[j];
    if (ratio === undefined) return;
    const answer = e.answers[ci];
    const category = e.categories[ci - firstCategory];
    if (answer) answerParts.push({ dimension: answer.dimension, coder: answer.coder, ratio });
    else if (ci === stageColumn) stageRatios = ratio;
    else if (category) categoryParts.push({ key: category.key, codes: category.byValue, ratio, other: ratio[category.byValue.size] ?? 0 });
  });
  // Each categories object's terms, in the order they are added (so the sum is the same to the last bit).
  const termsOf = perObject((deal): Float64Array => {
    const terms = new Float64Array(categoryParts.length);
    categoryParts.forEach((part, j) => {
      const c = part.codes.get(categoryCell(deal, part.key) ?? "");
      terms[j] = c === undefined ? part.other : (part.ratio[c] as number);
    });
    return terms;
  });
  return (deal, reachedIndex) => {
    if (!isOpen(deal)) return null;
    let z = final.prior;
    for (const part of answerParts) z += part.ratio[part.coder.code(answerCell(deal, part.dimension))] as number;
    if (stageRatios !== null) z += stageRatios[reachedIndex >= 0 && reachedIndex < stageCount ? reachedIndex : stageCount] as number;
    if (categoryParts.length > 0) {
      const terms = termsOf(deal);
      for (let j = 0; j < terms.length; j++) z += terms[j] as number;
    }
    return sigmoid(z);
  };
}

const notReady = (closed: number, needed: number, message: string): WinModel => ({
  summary: { ready: false, closed, needed, message, holdoutSize: 0, accuracy: null, brier: null, baselineBrier: null, features: [] },
  predict: () => null,
});

/** `reached(deal, position)`: the furthest open stage the deal reached; position is its place in `deals`, not its sheet row. */
export function trainWinModel(deals: readonly Deal[], settings: Settings, reached: (deal: Deal, position: number) => number): WinModel {
  const stageCount = settings.stages.length;
  const kinds = Uint8Array.from(settings.stages, (s) => (s.kind === "won" ? WON : s.kind === "lost" ? LOST : OPEN));
  const kindOf = (d: Deal): number => (d.stage >= 0 && d.stage < stageCount ? (kinds[d.stage] ?? OPEN) : OPEN);

  const closed: Deal[] = [];
  const positions: number[] = [];
  let wonCount = 0;
  let p = 0;
  for (let n = 0; n < deals.length; n++) {
    const d = deals[n] as Deal;
    const k = kindOf(d);
    if (k !== OPEN) {
      closed.push(d);
      positions.push(p);
      if (k === WON) wonCount++;
    }
    p++;
  }
  const needed = settings.winModel.minClosed;
  const lostCount = closed.length - wonCount;
  // With one outcome missing or nearly so, every prediction is that outcome and its holdout score means nothing.
  const perOutcome = Math.max(1, Math.min(MIN_PER_OUTCOME, Math.ceil(needed / 6)));
  if (closed.length < needed) return notReady(closed.length, needed, `not enough history (${plural(closed.length, "closed deal")}, need ${needed})`);
  if (wonCount < perOutcome || lostCount < perOutcome) {
    return notReady(closed.length, needed, `not enough history: ${wonCount.toLocaleString("en-US")} won, ${lostCount.toLocaleString("en-US")} lost (need ${perOutcome} of each)`);
  }

  const n = closed.length;
  const encoded = encode(closed, positions, settings, reached, (d) => kindOf(d) === WON);
  const columns = columnsOf(encoded, stageCount);
  const holdoutSize = Math.max(1, Math.round((n * settings.winModel.holdout) / 100));
  const held = holdoutMask(encoded.hashes, holdoutSize);
  const { accuracy, brier, baseline } = holdoutScores(fit(columns, encoded.won, held), columns, encoded.won, held, holdoutSize);
  const final = fit(columns, encoded.won, null);
  const message =
    `learned from ${plural(n, "closed deal")}; on ${holdoutSize} held out: ` +
    `${Math.round(accuracy * 100)}% right, Brier ${brier.toFixed(2)} vs ${baseline.toFixed(2)} for the base rate`;
  return {
    summary: {
      ready: true,
      closed: n,
      needed,
      message,
      holdoutSize,
      accuracy,
      brier,
      baselineBrier: baseline,
      features: final.used.map((ci) => columns[ci]?.name ?? ""),
    },
    predict: predictor(final, encoded, stageCount, (d) => kindOf(d) === OPEN),
  };
}
