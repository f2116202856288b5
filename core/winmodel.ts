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
  const buckets = new Uint32Array(65_536);
  for (let i = 0; i < hashes.length; i++) {
    const b = (hashes[i] as number) >>> 16;
    buckets[b] = (buckets[b] as number) + 1;
  }
  let below = 0;
  let bucket = 0;
  while (below + (buckets[bucket] as number) < count) below += buckets[bucket++] as number;
  const inBucket: number[] = [];
  for (let i = 0; i < hashes.length; i++) if ((hashes[i] as number) >>> 16 === bucket) inBucket.push(hashes[i] as number);
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
      if (won[i] === 1) cw[c] = (cw[c] as number) + 1;
      else cl[c] = (cl[c] as number) + 1;
    }
    // slot[c]: where code c is counted; rare category values move to "other".
    const slot = new Int32Array(col.size + 1);
    let values = col.size;
    if (col.fold) {
      values = 1;
      for (let c = 0; c < col.size; c++) {
        if ((cw[c] as number) + (cl[c] as number) >= MIN_SEEN) {
          slot[c] = c;
          values++;
        } else {
          slot[c] = other;
          cw[other] = (cw[other] as number) + (cw[c] as number);
          cl[other] = (cl[other] as number) + (cl[c] as number);
        }
      }
      slot[other] = other;
    } else for (let c = 0; c <= col.size; c++) slot[c] = c;
    let seen = 0;
    for (let c = 0; c <= col.size; c++) if (slot[c] === c && (cw[c] as number) + (cl[c] as number) > 0) seen++;
    // A feature with one value among the training deals says nothing, yet smoothing would tilt it toward the
    // smaller class; leave it out.
    if (seen < 2) return;
    const k = values * ALPHA;
    const ratio = new Float64Array(col.size + 1);
    for (let c = 0; c <= col.size; c++) {
      const s = slot[c] as number;
      ratio[c] = Math.log(((cw[s] as number) + ALPHA) / (nWon + k)) - Math.log(((cl[s] as number) + ALPHA) / (nLost + k));
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

/** `reached(deal, position)`: the furthest open stage the deal reached; position is its place in `deals`, not its sheet row. */
export function trainWinModel(deals: readonly Deal[], settings: Settings, reached: (deal: Deal, position: number) => number): WinModel {
  const stageCount = settings.stages.length;
  const kinds = Uint8Array.from(settings.stages, (s) => (s.kind === "won" ? WON : s.kind === "lost" ? LOST : OPEN));
  const kindOf = (d: Deal): number => (d.stage >= 0 && d.stage < stageCount ? (kinds[d.stage] as number) : OPEN);

  const closed: Deal[] = [];
  const positions: number[] = [];
  for (let p = 0; p < deals.length; p++) {
    const d = deals[p] as Deal;
    if (kindOf(d) === OPEN) continue;
    closed.push(d);
    positions.push(p);
  }
  const needed = settings.winModel.minClosed;
  let wonCount = 0;
  for (const d of closed) if (kindOf(d) === WON) wonCount++;
  const lostCount = closed.length - wonCount;
  // With one outcome missing or nearly so, every prediction is that outcome and its holdout score means nothing.
  const perOutcome = Math.max(1, Math.min(MIN_PER_OUTCOME, Math.ceil(needed / 6)));
  const oneSided = closed.length >= needed && (wonCount < perOutcome || lostCount < perOutcome);
  if (closed.length < needed || oneSided) {
    return {
      summary: {
        ready: false,
        closed: closed.length,
        needed,
        message: oneSided
          ? `not enough history: ${wonCount.toLocaleString("en-US")} won, ${lostCount.toLocaleString("en-US")} lost (need ${perOutcome} of each)`
          : `not enough history (${plural(closed.length, "closed deal")}, need ${needed})`,
        holdoutSize: 0,
        accuracy: null,
        brier: null,
        baselineBrier: null,
        features: [],
      },
      predict: () => null,
    };
  }

  const n = closed.length;
  const won = new Uint8Array(n);
  const coders = DIMENSIONS.map((d) => answerCoder(settings, d));
  const answerCodes = DIMENSIONS.map(() => new Int32Array(n));
  const stageCodes = new Int32Array(n);
  const hashes = new Uint32Array(n);
  // Every category is encoded; one the sheet lacks reads as "" throughout and is dropped by fit() as constant.
  const categoryCodes = CATEGORY_FIELDS.map(() => new Map<string, number>());
  const categoryColumns = CATEGORY_FIELDS.map(() => new Int32Array(n));
  // One pass over the closed deals, reading fields by name: a million-row sheet does not fit in cache twice.
  for (let i = 0; i < n; i++) {
    const d = closed[i] as Deal;
    won[i] = kindOf(d) === WON ? 1 : 0;
    hashes[i] = hash(holdoutKey(d));
    for (let k = 0; k < DIMENSIONS.length; k++) {
      (answerCodes[k] as Int32Array)[i] = (coders[k] as AnswerCoder).code(answerCell(d, DIMENSIONS[k] as Dimension));
    }
    const r = reached(d, positions[i] as number);
    stageCodes[i] = r >= 0 && r < stageCount ? r : stageCount;
    for (let k = 0; k < CATEGORY_FIELDS.length; k++) {
      const byValue = categoryCodes[k] as Map<string, number>;
      const v = categoryCell(d, CATEGORY_FIELDS[k] as CategoryKey) ?? "";
      let c = byValue.get(v);
      if (c === undefined) {
        c = byValue.size;
        byValue.set(v, c);
      }
      (categoryColumns[k] as Int32Array)[i] = c;
    }
  }
  const columns: Column[] = [
    ...DIMENSIONS.map((d, k) => ({
      name: d,
      fold: false,
      size: (coders[k] as AnswerCoder).size,
      codes: answerCodes[k] as Int32Array,
    })),
    { name: "stage reached", fold: false, size: stageCount + 1, codes: stageCodes },
    ...CATEGORY_FIELDS.map((key, k) => ({
      name: key,
      fold: true,
      size: (categoryCodes[k] as Map<string, number>).size,
      codes: categoryColumns[k] as Int32Array,
    })),
  ];
  const stageColumn = DIMENSIONS.length;
  const firstCategory = stageColumn + 1;

  const holdoutSize = Math.max(1, Math.round((n * settings.winModel.holdout) / 100));
  const held = holdoutMask(hashes, holdoutSize);
  const trial = fit(columns, won, held);
  let right = 0;
  let brier = 0;
  let baseline = 0;
  for (let i = 0; i < n; i++) {
    if (held[i] === 0) continue;
    let z = trial.prior;
    for (let j = 0; j < trial.used.length; j++) {
      const codes = (columns[trial.used[j] as number] as Column).codes;
      z += (trial.ratios[j] as Float64Array)[codes[i] as number] as number;
    }
    const p = sigmoid(z);
    const y = won[i] as number;
    if ((p >= 0.5 ? 1 : 0) === y) right++;
    brier += (p - y) ** 2;
    baseline += (trial.winRate - y) ** 2;
  }
  const accuracy = right / holdoutSize;
  brier /= holdoutSize;
  baseline /= holdoutSize;

  const final = fit(columns, won, null);
  // Split the used columns by kind, so predict runs plain loops and no per-feature callbacks.
  const answerParts: { dimension: Dimension; coder: AnswerCoder; ratio: Float64Array }[] = [];
  const categoryParts: { key: CategoryKey; codes: Map<string, number>; ratio: Float64Array; other: number }[] = [];
  let stageRatios: Float64Array | null = null;
  for (let j = 0; j < final.used.length; j++) {
    const ci = final.used[j] as number;
    const ratio = final.ratios[j] as Float64Array;
    if (ci < stageColumn) {
      answerParts.push({ dimension: DIMENSIONS[ci] as Dimension, coder: coders[ci] as AnswerCoder, ratio });
    } else if (ci === stageColumn) {
      stageRatios = ratio;
    } else {
      const k = ci - firstCategory;
      const other = ratio[(columns[ci] as Column).size] as number;
      categoryParts.push({ key: CATEGORY_FIELDS[k] as CategoryKey, codes: categoryCodes[k] as Map<string, number>, ratio, other });
    }
  }

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
      features: final.used.map((ci) => (columns[ci] as Column).name),
    },
    predict(deal, reachedIndex) {
      if (kindOf(deal) !== OPEN) return null;
      let z = final.prior;
      for (let j = 0; j < answerParts.length; j++) {
        const part = answerParts[j] as (typeof answerParts)[number];
        z += part.ratio[part.coder.code(answerCell(deal, part.dimension))] as number;
      }
      if (stageRatios !== null) z += stageRatios[reachedIndex >= 0 && reachedIndex < stageCount ? reachedIndex : stageCount] as number;
      for (let j = 0; j < categoryParts.length; j++) {
        const part = categoryParts[j] as (typeof categoryParts)[number];
        const c = part.codes.get(categoryCell(deal, part.key) ?? "");
        z += c === undefined ? part.other : (part.ratio[c] as number);
      }
      return sigmoid(z);
    },
  };
}
