// The deals as one table of typed columns, read by deal position: one index space for every pass.
import type { Settings } from "./settings.js";
import type { Deal } from "./types.js";

/**
 * Position k of every column is the k-th deal (the k-th row below the header that is a deal). The sheet row of
 * each deal is one more column, read only by the code that writes cells or names them ("E12"), so a sheet row
 * and a position can never be mixed up: blank rows between deals move `sheetRow` and nothing else.
 */
export interface DealTable {
  readonly length: number;
  /** 1-based sheet row of each deal. */
  readonly sheetRow: Int32Array;
  /** Index into Settings.stages, or -1 when blank or unknown. */
  readonly stage: Int16Array;
  /** KIND_OPEN, KIND_WON, KIND_LOST, or KIND_NONE for a deal without a known stage. */
  readonly kind: Uint8Array;
  /** The deal's value; NaN when it has none. */
  readonly value: Float64Array;
  /** Days (see core/a1.ts); NO_DAY when the sheet gives none. */
  readonly created: Int32Array;
  readonly closeDate: Int32Array;
  /** The texts the code columns point into. */
  readonly texts: Texts;
  /** The segment columns as written on the sheet, codes into `texts`; null when the sheet has no such column. */
  readonly segments: Readonly<Record<TableSegment, Int32Array | null>>;
}

export const TABLE_SEGMENTS = ["source", "product", "industry", "owner"] as const;
export type TableSegment = (typeof TABLE_SEGMENTS)[number];

export const KIND_NONE = 0;
export const KIND_OPEN = 1;
export const KIND_WON = 2;
export const KIND_LOST = 3;
/** No date: below any day a sheet can hold. */
export const NO_DAY = -2_147_483_648;

/**
 * One explicit dictionary of texts: each distinct text once, its code its place in `list`. Code 0 is the
 * empty text, so a blank cell and a missing one read the same.
 */
export class Texts {
  readonly list: string[] = [""];
  private readonly codes = new Map<string, number>([["", 0]]);

  code(text: string): number {
    let c = this.codes.get(text);
    if (c === undefined) {
      c = this.list.length;
      this.list.push(text);
      this.codes.set(text, c);
    }
    return c;
  }

  text(code: number): string {
    return this.list[code] ?? "";
  }

  get size(): number {
    return this.list.length;
  }
}

const KIND_OF = { open: KIND_OPEN, won: KIND_WON, lost: KIND_LOST } as const;

/**
 * The table of the parsed deals. `segmentText(field)` gives the reader of a segment's text as written on the
 * sheet (the deal keeps only a lower-cased copy), made once per column; `present` says which segment columns
 * the sheet has.
 */
export function dealTable(
  deals: readonly Deal[],
  settings: Settings,
  present: Partial<Record<TableSegment, boolean>>,
  segmentText: (field: TableSegment) => (deal: Deal) => string,
): DealTable {
  const n = deals.length;
  const sheetRow = new Int32Array(n);
  const stage = new Int16Array(n);
  const kind = new Uint8Array(n);
  const value = new Float64Array(n);
  const created = new Int32Array(n);
  const closeDate = new Int32Array(n);
  const texts = new Texts();
  const stageKind = settings.stages.map((s) => KIND_OF[s.kind]);
  for (let i = 0; i < n; i++) {
    const d = deals[i] as Deal;
    sheetRow[i] = d.sheetRow;
    stage[i] = d.stage;
    kind[i] = d.stage >= 0 ? (stageKind[d.stage] ?? KIND_NONE) : KIND_NONE;
    value[i] = d.value ?? NaN;
    created[i] = d.created ?? NO_DAY;
    closeDate[i] = d.closeDate ?? NO_DAY;
  }
  const segments = {} as Record<TableSegment, Int32Array | null>;
  for (const f of TABLE_SEGMENTS) {
    if (present[f] !== true) {
      segments[f] = null;
      continue;
    }
    const col = new Int32Array(n);
    const read = segmentText(f);
    for (let i = 0; i < n; i++) col[i] = texts.code(read(deals[i] as Deal));
    segments[f] = col;
  }
  return { length: n, sheetRow, stage, kind, value, created, closeDate, texts, segments };
}
