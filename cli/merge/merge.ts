// The three-way merge by Deal ID, cell by cell, against the last synced state. Pure: it decides, others write.
//
// For each cell: both sides equal -> agreed; only one side differs from the base -> that change goes to the
// other side (when the direction allows); both differ -> a conflict, both values kept, nothing overwritten
// (unless --prefer names the side to take). New rows go across; a row missing on one side that is still in
// the base was deleted there: reported, and propagated only with --delete; deleted on one side but edited
// on the other -> a conflict, the row is kept.

export type SideName = "a" | "b";

export interface SideView {
  /** Whether the side has each aligned column. */
  has: boolean[];
  /** Deal ID -> cells in aligned column order ("" where the side lacks the column). */
  rows: Map<string, string[]>;
}

/** The last synced state in aligned column order; null where the base has no value for a column. */
export type BaseRows = Map<string, (string | null)[]>;

export interface MergeOptions {
  /** Changes flow into side a / side b. */
  toA: boolean;
  toB: boolean;
  /** Propagate deletions. */
  deletes: boolean;
  /** Take this side's value in a conflict (asked for explicitly). */
  prefer: SideName | null;
}

export interface CellChange {
  id: string;
  col: number;
  from: string;
  to: string;
}

export interface SideEdits {
  /** Cells to change in rows the side already has. */
  set: CellChange[];
  /** New rows (cells in aligned column order). */
  add: { id: string; cells: string[] }[];
  /** Rows to delete (only with --delete). */
  remove: string[];
  /** Aligned columns to add to the side's header. */
  addColumns: number[];
}

export type ConflictKind = "cell" | "edited-here-deleted-there";

export interface Conflict {
  id: string;
  /** Aligned column, or -1 for a whole row (edited on one side, deleted on the other). */
  col: number;
  kind: ConflictKind;
  base: string | null;
  a: string | null;
  b: string | null;
  /** For a row conflict: the side that still has the row. */
  side?: SideName;
}

export interface Deletion {
  id: string;
  deletedIn: SideName;
  propagated: boolean;
  /** Asked for with --delete but refused on the other side, and why (a workbook: see run.ts). */
  refused?: string;
  /** For a refused deletion: the 1-based row on the side that still has it. */
  row?: number;
}

export interface MergeResult {
  a: SideEdits;
  b: SideEdits;
  conflicts: Conflict[];
  /** Conflicts settled by --prefer. */
  resolved: (Conflict & { took: SideName })[];
  deletions: Deletion[];
  base: BaseRows;
}

const emptyEdits = (): SideEdits => ({ set: [], add: [], remove: [], addColumns: [] });

export function merge(width: number, a: SideView, b: SideView, base: BaseRows | null, opts: MergeOptions): MergeResult {
  const out: MergeResult = { a: emptyEdits(), b: emptyEdits(), conflicts: [], resolved: [], deletions: [], base: new Map() };
  for (let k = 0; k < width; k++) {
    if (a.has[k] && !b.has[k] && opts.toB) out.b.addColumns.push(k);
    if (b.has[k] && !a.has[k] && opts.toA) out.a.addColumns.push(k);
  }
  // After the header changes, a side has a column when it had it or gets it now.
  const willHaveA = a.has.map((h, k) => h || out.a.addColumns.includes(k));
  const willHaveB = b.has.map((h, k) => h || out.b.addColumns.includes(k));
  const flows = (to: SideName): boolean => (to === "a" ? opts.toA : opts.toB);

  const ids = new Set<string>([...a.rows.keys(), ...b.rows.keys()]);
  for (const id of ids) {
    const ra = a.rows.get(id);
    const rb = b.rows.get(id);
    const rbase = base?.get(id) ?? null;
    if (ra && rb) {
      out.base.set(id, mergeRow(id, width, ra, rb, rbase, a.has, b.has, opts, out));
      continue;
    }
    const side: SideName = ra ? "a" : "b";
    const other: SideName = ra ? "b" : "a";
    const row = (ra ?? rb) as string[];
    const has = ra ? a.has : b.has;
    if (rbase === null) {
      // New on one side.
      if (flows(other)) {
        const willHave = other === "a" ? willHaveA : willHaveB;
        (other === "a" ? out.a : out.b).add.push({ id, cells: row.map((v, k) => (willHave[k] && has[k] ? v : "")) });
        out.base.set(id, row.map((v, k) => (has[k] ? v : null)));
      }
      continue;
    }
    // In the base but gone from `other`: deleted there. Edited here since? Then keep it and ask a person.
    const edited = row.some((v, k) => has[k] && rbase[k] !== null && rbase[k] !== undefined && v !== rbase[k]);
    if (edited) {
      const conflict: Conflict = { id, col: -1, kind: "edited-here-deleted-there", base: null, a: ra ? "(edited)" : null, b: rb ? "(edited)" : null, side };
      if (opts.prefer === side && flows(other)) {
        const willHave = other === "a" ? willHaveA : willHaveB;
        (other === "a" ? out.a : out.b).add.push({ id, cells: row.map((v, k) => (willHave[k] && has[k] ? v : "")) });
        out.resolved.push({ ...conflict, took: side });
        out.base.set(id, row.map((v, k) => (has[k] ? v : null)));
      } else {
        out.conflicts.push(conflict);
        out.base.set(id, rbase);
      }
      continue;
    }
    const propagate = opts.deletes && flows(side);
    out.deletions.push({ id, deletedIn: other, propagated: propagate });
    if (propagate) (side === "a" ? out.a : out.b).remove.push(id);
    else out.base.set(id, rbase);
  }
  return out;
}

function mergeRow(
  id: string,
  width: number,
  ra: string[],
  rb: string[],
  rbase: (string | null)[] | null,
  hasA: boolean[],
  hasB: boolean[],
  opts: MergeOptions,
  out: MergeResult,
): (string | null)[] {
  const next: (string | null)[] = new Array<string | null>(width).fill(null);
  for (let k = 0; k < width; k++) {
    const x = hasA[k] ? (ra[k] as string) : null;
    const y = hasB[k] ? (rb[k] as string) : null;
    if (x === null && y === null) continue;
    const b0 = rbase ? (rbase[k] ?? null) : null;
    if (y === null) {
      // Only a has the column: it goes to b when b gets the column.
      if (opts.toB && x !== "") out.b.set.push({ id, col: k, from: "", to: x as string });
      next[k] = x;
      continue;
    }
    if (x === null) {
      if (opts.toA && y !== "") out.a.set.push({ id, col: k, from: "", to: y });
      next[k] = y;
      continue;
    }
    if (x === y) {
      next[k] = x;
      continue;
    }
    let take: SideName | null = null;
    if (b0 !== null && x === b0) take = "b";
    else if (b0 !== null && y === b0) take = "a";
    // Never synced before: a blank holds nothing to lose, so the filled side wins.
    else if (b0 === null && x === "") take = "b";
    else if (b0 === null && y === "") take = "a";
    if (take !== null) {
      const to: SideName = take === "a" ? "b" : "a";
      const v = take === "a" ? x : y;
      if (to === "a" ? opts.toA : opts.toB) {
        (to === "a" ? out.a : out.b).set.push({ id, col: k, from: to === "a" ? x : y, to: v });
        next[k] = v;
      } else next[k] = b0;
      continue;
    }
    const conflict: Conflict = { id, col: k, kind: "cell", base: b0, a: x, b: y };
    if (opts.prefer) {
      const p = opts.prefer;
      const q: SideName = p === "a" ? "b" : "a";
      const pv = p === "a" ? x : y;
      const qv = p === "a" ? y : x;
      out.resolved.push({ ...conflict, took: p });
      if (q === "a" ? opts.toA : opts.toB) {
        (q === "a" ? out.a : out.b).set.push({ id, col: k, from: qv, to: pv });
        next[k] = pv;
      } else {
        // The winner is not written anywhere this run: record the loser as agreed, so the winner's value
        // reads as a pending change and the next run in the other direction carries it across.
        next[k] = qv;
      }
      continue;
    }
    out.conflicts.push(conflict);
    next[k] = b0;
  }
  return next;
}
