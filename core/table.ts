// The deals as one table of typed columns, read by deal position: one index space for every pass.
import type { Settings } from "./settings.js";
import type { Day, Deal } from "./types.js";

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
 * The table filled deal by deal as the sheet is parsed (core/parse.ts), so no second walk over a million deal
 * objects builds it: `add` appends a deal's typed values, `segment` its text of one segment column, `finish`
 * gives the table at its length. Room for `capacity` deals is taken at once (the rows below the header).
 */
export class TableBuilder {
  private n = 0;
  private readonly sheetRow: Int32Array;
  private readonly stage: Int16Array;
  private readonly kind: Uint8Array;
  private readonly value: Float64Array;
  private readonly created: Int32Array;
  private readonly closeDate: Int32Array;
  private readonly segments: Record<TableSegment, Int32Array | null>;
  private readonly stageKind: number[];
  readonly texts = new Texts();

  constructor(capacity: number, settings: Settings, present: Partial<Record<TableSegment, boolean>>) {
    this.sheetRow = new Int32Array(capacity);
    this.stage = new Int16Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.value = new Float64Array(capacity);
    this.created = new Int32Array(capacity);
    this.closeDate = new Int32Array(capacity);
    this.stageKind = settings.stages.map((s) => KIND_OF[s.kind]);
    const segments = {} as Record<TableSegment, Int32Array | null>;
    for (const f of TABLE_SEGMENTS) segments[f] = present[f] === true ? new Int32Array(capacity) : null;
    this.segments = segments;
  }

  /** Appends one deal; returns its position. */
  add(sheetRow: number, stage: number, value: number | null, created: Day | null, closeDate: Day | null): number {
    const k = this.n++;
    this.sheetRow[k] = sheetRow;
    this.stage[k] = stage;
    this.kind[k] = stage >= 0 ? (this.stageKind[stage] ?? KIND_NONE) : KIND_NONE;
    this.value[k] = value ?? NaN;
    this.created[k] = created ?? NO_DAY;
    this.closeDate[k] = closeDate ?? NO_DAY;
    return k;
  }

  /** Deal `k`'s text of a segment column the table has (see `present`), as written on the sheet; returns its code. */
  segment(field: TableSegment, k: number, text: string): number {
    const code = this.texts.code(text);
    const col = this.segments[field];
    if (col !== null) col[k] = code;
    return code;
  }

  finish(): DealTable {
    const n = this.n;
    const segments = {} as Record<TableSegment, Int32Array | null>;
    for (const f of TABLE_SEGMENTS) segments[f] = this.segments[f]?.subarray(0, n) ?? null;
    return {
      length: n,
      sheetRow: this.sheetRow.subarray(0, n),
      stage: this.stage.subarray(0, n),
      kind: this.kind.subarray(0, n),
      value: this.value.subarray(0, n),
      created: this.created.subarray(0, n),
      closeDate: this.closeDate.subarray(0, n),
      texts: this.texts,
      segments,
    };
  }
}

/**
 * The table of deals parsed already (for callers holding Deal objects, such as computeSegments).
 * `segmentText(field)` gives the reader of a segment's text as written on the sheet (the deal keeps only a
 * lower-cased copy), made once per column; `present` says which segment columns the sheet has.
 */
export function dealTable(
  deals: readonly Deal[],
  settings: Settings,
  present: Partial<Record<TableSegment, boolean>>,
  segmentText: (field: TableSegment) => (deal: Deal) => string,
): DealTable {
  const b = new TableBuilder(deals.length, settings, present);
  for (const d of deals) b.add(d.sheetRow, d.stage, d.value, d.created, d.closeDate);
  for (const f of TABLE_SEGMENTS) {
    if (present[f] !== true) continue;
    const read = segmentText(f);
    for (let i = 0; i < deals.length; i++) b.segment(f, i, read(deals[i] as Deal));
  }
  return b.finish();
}
