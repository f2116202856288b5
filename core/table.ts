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
  /** The rest of each deal's row, by position as above (see Deal for what each holds): texts as trimmed on the sheet; `id` holds the IDs setup gives too (the deal rows write them here). */
  readonly index: Int32Array;
  readonly id: readonly string[];
  readonly name: readonly string[];
  readonly stageRaw: readonly string[];
  readonly owner: readonly string[];
  readonly nextStep: readonly string[];
  readonly need: readonly string[];
  readonly budget: readonly string[];
  readonly authority: readonly string[];
  readonly lossReason: readonly string[];
  /** Days; NO_DAY when the sheet gives none. */
  readonly closedOn: Int32Array;
  readonly stageEntered: Int32Array;
  readonly lastActivity: Int32Array;
  readonly nextStepDate: Int32Array;
  readonly firstContact: Int32Array;
  /**
   * Each deal's categories (lower-cased, trimmed). Parsing gives deals with the same values one shared object,
   * up to a limit of distinct combinations (core/parse.ts categoryCache); past it, and for deals built by
   * other callers, two equal objects may be distinct: identity may key a cache, never stand for equality.
   */
  readonly categories: readonly Deal["categories"][];
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

/** The typed columns TableBuilder fills as the deals are added. */
interface TypedColumns {
  sheetRow: Int32Array;
  stage: Int16Array;
  kind: Uint8Array;
  value: Float64Array;
  created: Int32Array;
  closeDate: Int32Array;
}

/** A deal's texts and the days the typed columns do not hold, by deal position. */
interface RowColumns {
  index: Int32Array;
  id: string[];
  name: string[];
  stageRaw: string[];
  owner: string[];
  nextStep: string[];
  need: string[];
  budget: string[];
  authority: string[];
  lossReason: string[];
  closedOn: Int32Array;
  stageEntered: Int32Array;
  lastActivity: Int32Array;
  nextStepDate: Int32Array;
  firstContact: Int32Array;
  categories: Deal["categories"][];
}

/** What one deal row gives the table besides its sheet row, stage, value, created and close date. */
export interface DealRowValues {
  index: number;
  id: string;
  name: string;
  stageRaw: string;
  owner: string;
  closedOn: Day | null;
  stageEntered: Day | null;
  lastActivity: Day | null;
  nextStep: string;
  nextStepDate: Day | null;
  firstContact: Day | null;
  need: string;
  budget: string;
  authority: string;
  lossReason: string;
}

const dayOrNull = (d: number): Day | null => (d === NO_DAY ? null : d);

/**
 * A deal as a window on the table's columns: its fields are read from the columns at its position, so a
 * million deals are a million objects of two fields (a 21-field object each took about 260 MB at 1M deals,
 * all of it copied by the young-generation collector), and the columns are allocated once.
 */
class DealRow implements Deal {
  // Private by the language, not only by TypeScript: a spread or structuredClone of a deal never copies the table.
  readonly #t: RowColumns & { cols: TypedColumns };
  readonly #k: number;
  constructor(t: RowColumns & { cols: TypedColumns }, k: number) {
    this.#t = t;
    this.#k = k;
  }
  get index(): number {
    return this.#t.index[this.#k] as number;
  }
  get sheetRow(): number {
    return this.#t.cols.sheetRow[this.#k] as number;
  }
  get id(): string {
    return this.#t.id[this.#k] as string;
  }
  /** Set once, by assignIds, for a deal that gets a new ID. */
  set id(id: string) {
    this.#t.id[this.#k] = id;
  }
  get name(): string {
    return this.#t.name[this.#k] as string;
  }
  get stageRaw(): string {
    return this.#t.stageRaw[this.#k] as string;
  }
  get stage(): number {
    return this.#t.cols.stage[this.#k] as number;
  }
  get value(): number | null {
    const v = this.#t.cols.value[this.#k] as number;
    return v !== v ? null : v;
  }
  get owner(): string {
    return this.#t.owner[this.#k] as string;
  }
  get created(): Day | null {
    return dayOrNull(this.#t.cols.created[this.#k] as number);
  }
  get closeDate(): Day | null {
    return dayOrNull(this.#t.cols.closeDate[this.#k] as number);
  }
  get closedOn(): Day | null {
    return dayOrNull(this.#t.closedOn[this.#k] as number);
  }
  get stageEntered(): Day | null {
    return dayOrNull(this.#t.stageEntered[this.#k] as number);
  }
  get lastActivity(): Day | null {
    return dayOrNull(this.#t.lastActivity[this.#k] as number);
  }
  /** Set after parsing when the sheet has no Last activity column and the activity log knows the day. */
  set lastActivity(day: Day | null) {
    this.#t.lastActivity[this.#k] = day ?? NO_DAY;
  }
  get nextStep(): string {
    return this.#t.nextStep[this.#k] as string;
  }
  get nextStepDate(): Day | null {
    return dayOrNull(this.#t.nextStepDate[this.#k] as number);
  }
  get firstContact(): Day | null {
    return dayOrNull(this.#t.firstContact[this.#k] as number);
  }
  get need(): string {
    return this.#t.need[this.#k] as string;
  }
  get budget(): string {
    return this.#t.budget[this.#k] as string;
  }
  get authority(): string {
    return this.#t.authority[this.#k] as string;
  }
  get lossReason(): string {
    return this.#t.lossReason[this.#k] as string;
  }
  get categories(): Deal["categories"] {
    return this.#t.categories[this.#k] as Deal["categories"];
  }
  /** JSON.stringify gives the deal's fields, never the columns it reads. */
  toJSON(): Deal {
    return plainDeal(this);
  }
}

/** A deal's fields as a plain object (for a test's toEqual, or a message that keeps a deal past the run). */
export function plainDeal(d: Deal): Deal {
  return {
    index: d.index, sheetRow: d.sheetRow, id: d.id, name: d.name, stageRaw: d.stageRaw, stage: d.stage, value: d.value, owner: d.owner, created: d.created,
    closeDate: d.closeDate, closedOn: d.closedOn, stageEntered: d.stageEntered, lastActivity: d.lastActivity, nextStep: d.nextStep, nextStepDate: d.nextStepDate,
    firstContact: d.firstContact, need: d.need, budget: d.budget, authority: d.authority, lossReason: d.lossReason, categories: d.categories,
  };
}

/**
 * The table filled deal by deal as the sheet is parsed (core/parse.ts), so no second walk over a million deal
 * objects builds it: `add` appends a deal's typed values, `segment` its text of one segment column, `deal`
 * the rest of its row and gives the deal as a window on the columns (DealRow), `finish` gives the table at its
 * length. Room for `capacity` deals is taken at once (the rows below the header).
 */
export class TableBuilder {
  private n = 0;
  /** Set by finish: the builder is used once, since the table it gave shares its arrays. */
  private finished = false;
  /** The typed columns, at full capacity (the table and the deal rows share them). */
  private readonly cols: TypedColumns;
  private readonly rowCols: RowColumns & { cols: TypedColumns };
  private readonly segments: Record<TableSegment, Int32Array | null>;
  private readonly stageKind: number[];
  readonly texts = new Texts();

  constructor(capacity: number, settings: Settings, present: Partial<Record<TableSegment, boolean>>) {
    this.cols = {
      sheetRow: new Int32Array(capacity),
      stage: new Int16Array(capacity),
      kind: new Uint8Array(capacity),
      value: new Float64Array(capacity),
      created: new Int32Array(capacity),
      closeDate: new Int32Array(capacity),
    };
    const texts = (): string[] => new Array<string>(capacity).fill("");
    const days = (): Int32Array => new Int32Array(capacity).fill(NO_DAY);
    this.rowCols = {
      cols: this.cols,
      index: new Int32Array(capacity),
      id: texts(), name: texts(), stageRaw: texts(), owner: texts(), nextStep: texts(), need: texts(), budget: texts(), authority: texts(), lossReason: texts(),
      closedOn: days(), stageEntered: days(), lastActivity: days(), nextStepDate: days(), firstContact: days(),
      categories: new Array<Deal["categories"]>(capacity).fill({}),
    };
    this.stageKind = settings.stages.map((s) => KIND_OF[s.kind]);
    const segments = {} as Record<TableSegment, Int32Array | null>;
    for (const f of TABLE_SEGMENTS) segments[f] = present[f] === true ? new Int32Array(capacity) : null;
    this.segments = segments;
  }

  /** Appends one deal; returns its position. */
  add(sheetRow: number, stage: number, value: number | null, created: Day | null, closeDate: Day | null): number {
    this.open();
    if (this.n >= this.cols.sheetRow.length) throw new Error(`TableBuilder: room for ${this.cols.sheetRow.length} deals, no more`);
    const k = this.n++;
    const c = this.cols;
    c.sheetRow[k] = sheetRow;
    c.stage[k] = stage;
    c.kind[k] = stage >= 0 ? (this.stageKind[stage] ?? KIND_NONE) : KIND_NONE;
    c.value[k] = value ?? NaN;
    c.created[k] = created ?? NO_DAY;
    c.closeDate[k] = closeDate ?? NO_DAY;
    return k;
  }

  /** Deal `k`'s text of a segment column the table has (see `present`), as written on the sheet; returns its code. */
  segment(field: TableSegment, k: number, text: string): number {
    this.open();
    const code = this.texts.code(text);
    const col = this.segments[field];
    if (col !== null) col[k] = code;
    return code;
  }

  /** The rest of deal `k`'s row; returns the deal, a window on the columns at `k`. */
  deal(k: number, v: DealRowValues, categories: Deal["categories"]): Deal {
    this.fill(k, v, categories);
    return new DealRow(this.rowCols, k);
  }

  /** The rest of deal `k`'s row, for a caller that holds its deal already (dealTable). */
  fill(k: number, v: DealRowValues, categories: Deal["categories"]): void {
    this.open();
    if (k < 0 || k >= this.n) throw new Error(`TableBuilder: deal ${k} was never added`);
    const t = this.rowCols;
    t.index[k] = v.index;
    t.id[k] = v.id;
    t.name[k] = v.name;
    t.stageRaw[k] = v.stageRaw;
    t.owner[k] = v.owner;
    t.nextStep[k] = v.nextStep;
    t.need[k] = v.need;
    t.budget[k] = v.budget;
    t.authority[k] = v.authority;
    t.lossReason[k] = v.lossReason;
    t.closedOn[k] = v.closedOn ?? NO_DAY;
    t.stageEntered[k] = v.stageEntered ?? NO_DAY;
    t.lastActivity[k] = v.lastActivity ?? NO_DAY;
    t.nextStepDate[k] = v.nextStepDate ?? NO_DAY;
    t.firstContact[k] = v.firstContact ?? NO_DAY;
    t.categories[k] = categories;
  }

  private open(): void {
    if (this.finished) throw new Error("TableBuilder: finish() was called; a builder makes one table");
  }

  /** The table at its length; the deals made by `deal` read the same columns. */
  finish(): DealTable {
    this.open();
    this.finished = true;
    const n = this.n;
    const c = this.cols;
    const t = this.rowCols;
    const segments = {} as Record<TableSegment, Int32Array | null>;
    for (const f of TABLE_SEGMENTS) segments[f] = this.segments[f]?.subarray(0, n) ?? null;
    // The deal rows hold these arrays too: cut to the length in place, not copied.
    const cut = <T>(a: T[]): T[] => {
      a.length = n;
      return a;
    };
    return {
      length: n,
      sheetRow: c.sheetRow.subarray(0, n),
      stage: c.stage.subarray(0, n),
      kind: c.kind.subarray(0, n),
      value: c.value.subarray(0, n),
      created: c.created.subarray(0, n),
      closeDate: c.closeDate.subarray(0, n),
      index: t.index.subarray(0, n),
      id: cut(t.id),
      name: cut(t.name),
      stageRaw: cut(t.stageRaw),
      owner: cut(t.owner),
      nextStep: cut(t.nextStep),
      need: cut(t.need),
      budget: cut(t.budget),
      authority: cut(t.authority),
      lossReason: cut(t.lossReason),
      closedOn: t.closedOn.subarray(0, n),
      stageEntered: t.stageEntered.subarray(0, n),
      lastActivity: t.lastActivity.subarray(0, n),
      nextStepDate: t.nextStepDate.subarray(0, n),
      firstContact: t.firstContact.subarray(0, n),
      categories: cut(t.categories),
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
  for (const d of deals) b.fill(b.add(d.sheetRow, d.stage, d.value, d.created, d.closeDate), d, d.categories);
  for (const f of TABLE_SEGMENTS) {
    if (present[f] !== true) continue;
    const read = segmentText(f);
    for (let i = 0; i < deals.length; i++) b.segment(f, i, read(deals[i] as Deal));
  }
  return b.finish();
}
