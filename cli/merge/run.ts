// One sync run between two sides: read both, check, line up columns, give rows IDs, merge against the last
// synced state, stamp stage changes, then write by the protocol in README ("Crash safety"): the journal of
// the IDs and headers it decided, the sides (remote IDs first, local files next, remote last), the state that
// commits the run, and the journal removed. A run stopped anywhere is finished exactly by running it again.
import { EXCEL_EPOCH_OFFSET, findStageColumn, isoFromDay, planStageEdit } from "../../core/index.js";
import type { Cell, DateOrder, Grid } from "../../core/index.js";
import { refused } from "../google/errors.js";
import { writeTarget } from "../io/atomic.js";
import { assignIds, checkUniqueIds, promised, rowId, rowPrint, type IdFill } from "./ids.js";
import { merge, type BaseRows, type CellChange, type Conflict, type Deletion, type MergeResult, type SideEdits, type SideName, type SideView } from "./merge.js";
import { isEmptyWrite, type CellWrite, type Side, type SideData, type SideWrite } from "./side.js";
import {
  baseRows,
  describeHeaderChange,
  dropJournal,
  loadState,
  newRun,
  pairKey,
  placeOf,
  saveJournal,
  saveState,
  statePath,
  tail,
  type Journal,
  type Loaded,
  type PairState,
  type SideState,
} from "./state.js";
import { alignColumns, type AlignedColumn, type Table } from "./table.js";
import { dateOrders, sameDayText } from "./cells.js";

export interface SyncOptions {
  /** "oneway": changes flow from side a into side b only (pull, push); "twoway": both ways (sync). */
  mode: "oneway" | "twoway";
  dryRun: boolean;
  deletes: boolean;
  prefer: SideName | null;
  acceptHeader: boolean;
  today: string;
  configDir: string;
  /** Progress lines (stderr). */
  note?: (line: string) => void;
  /**
   * Sides whose rows sync must not delete, with the reason: a workbook, where deleting a row without shifting
   * every reference would leave the team's formulas pointing at the next deal.
   */
  keepRows?: Partial<Record<SideName, string>>;
}

export interface Change {
  /** Side the change is written to. */
  to: SideName;
  id: string;
  kind: "cell" | "add" | "remove" | "id" | "stamp";
  column?: string;
  from?: string;
  value?: string;
}

export interface SideSummary {
  label: string;
  cells: number;
  added: number;
  removed: number;
  ids: number;
  columnsAdded: string[];
  stamped: number;
  logRows: number;
  requests: number;
}

export interface NamedConflict extends Conflict {
  column: string;
  took?: SideName;
}

export interface SyncReport {
  a: SideSummary;
  b: SideSummary;
  changes: Change[];
  conflicts: NamedConflict[];
  resolved: NamedConflict[];
  deletions: Deletion[];
  statePath: string;
  dryRun: boolean;
  firstSync: boolean;
  /** Things the user should know about this run, in words (a moved state, a resumed run, a file's encoding). */
  notes: string[];
}

const sameHeader = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((h, i) => h === y[i]);

interface Layout {
  /** Aligned column -> the side's column after this run (-1 when the side does not get it). */
  colOf: number[];
  added: number[];
  width: number;
  headerRow: number;
  header: string[];
}

function layout(data: SideData, cols: AlignedColumn[], side: SideName, added: number[]): Layout {
  const t = data.table;
  const colOf = cols.map((c) => (side === "a" ? c.a : c.b) ?? -1);
  let width = t.header.length;
  const header = [...t.header];
  for (const k of added) {
    colOf[k] = width++;
    header.push((cols[k] as AlignedColumn).name);
  }
  return { colOf, added, width, headerRow: t.headerRow < 0 ? 0 : t.headerRow, header };
}

/** One sync run, step by step in the order this file's header tells; every side effect (read, note, write, state) happens in that order. */
export async function runSync(A: Side, B: Side, opts: SyncOptions): Promise<SyncReport> {
  const note = opts.note ?? (() => undefined);
  const [da, db] = await readSides(A, B, opts.mode, note);
  const found = await findState(A, B, opts.configDir);
  const { placeA, placeB, path, loaded } = found;
  const state = loaded.state;
  const notes = startNotes(A, B, da, db, loaded, path);
  if (!opts.acceptHeader) checkHeaders(A, B, [da, db], [placeA, placeB], loaded);
  checkUniqueIds(da.table, A.label);
  checkUniqueIds(db.table, B.label);

  const { cols, idIdx } = alignIdColumns(A, B, da, db);
  const fills = giveIds(da, db, cols, idIdx, loaded, [placeA, placeB]);
  const va = sideView(da, "a", fills.a, cols, idIdx);
  const vb = sideView(db, "b", fills.b, cols, idIdx);
  const base: BaseRows | null = baseRows(state, cols);
  const orders = dateOrders(cols.map((c) => c.name), [va.view.rows.values(), vb.view.rows.values()], da.settings ?? db.settings);
  sameDays(orders, va.view, vb.view, base);
  if (state === null && da.exists && db.exists) {
    const lost = lostStateNote(fills.a, va.view, vb.view, path);
    if (lost !== null) notes.push(lost);
  }
  const toA = opts.mode === "twoway";
  const m = merge(cols.length, va.view, vb.view, base, { toA, toB: true, deletes: opts.deletes, prefer: opts.prefer });
  refuseDeletions(m, opts.keepRows ?? {}, [da, db], [va.rowOf, vb.rowOf], base);

  // Column layouts after this run: columns the merge carries across, and the Deal ID column on both sides.
  const la = layout(da, cols, "a", addedCols(da, "a", m.a, cols, idIdx));
  const lb = layout(db, cols, "b", addedCols(db, "b", m.b, cols, idIdx));
  // Stage changes sync writes into a side stamp its Stage entered and go to its log, as an edit by hand would.
  const stamps = { a: stampStages(da, la, m.a, va.rowOf, A.canLog, opts.today), b: stampStages(db, lb, m.b, vb.rowOf, B.canLog, opts.today) };
  addStamps(m, stamps, { a: la, b: lb }, { a: va.view, b: vb.view }, toA);
  const changes = changesOf(m, fills, stamps, cols, idIdx);

  const wa = sideWrite(da, la, m.a, fills.a, va.rowOf, idIdx, stamps.a, cols);
  const wb = sideWrite(db, lb, m.b, fills.b, vb.rowOf, idIdx, stamps.b, cols);
  wa.dates = datesOf(la, orders);
  wb.dates = datesOf(lb, orders);
  const named = (c: Conflict & { took?: SideName }): NamedConflict => ({ ...c, column: colName(cols, c.col) });
  const report: SyncReport = {
    a: summary(A, wa, m.a, fills.a, la, cols, stamps.a),
    b: summary(B, wb, m.b, fills.b, lb, cols, stamps.b),
    changes,
    conflicts: m.conflicts.map(named),
    resolved: m.resolved.map(named),
    deletions: m.deletions,
    statePath: path,
    dryRun: opts.dryRun,
    firstSync: state === null,
    notes,
  };
  if (opts.dryRun) return report;

  const run = newRun();
  const next = nextState(run, [placeA, placeB], [la, lb], cols, m);
  await commit({ A, B, da, db, la, lb, wa, wb, fills, found, run, next }, note);
  report.a.requests = A.requests();
  report.b.requests = B.requests();
  return report;
}

/** Reads both sides at once, and refuses a run that has nothing to copy or sync from before anything else is looked at. */
async function readSides(A: Side, B: Side, mode: SyncOptions["mode"], note: (line: string) => void): Promise<[SideData, SideData]> {
  note(`Reading ${A.label} and ${B.label}`);
  const [da, db] = await Promise.all([A.read(), B.read()]);
  if (mode === "oneway" && !da.exists) throw refused("NO_SOURCE", `${A.label} does not exist: nothing to copy from. Nothing was written.`);
  if (!da.exists && !db.exists) throw refused("NO_SOURCE", `neither ${A.label} nor ${B.label} exists: nothing to sync. Nothing was written.`);
  if (da.exists && da.table.headerRow < 0 && mode === "oneway") throw refused("NO_SOURCE", `${A.label} is empty: nothing to copy from. Nothing was written.`);
  return [da, db];
}

/** Where the pair's state is kept, its key there, and what was loaded from it. */
interface FoundState {
  placeA: string;
  placeB: string;
  path: string;
  key: string;
  loaded: Loaded;
}

/** Finds and loads the pair's state; sides are known by their places (real paths), so "a.csv", "./a.csv" and a link to it share one state. */
async function findState(A: Side, B: Side, configDir: string): Promise<FoundState> {
  const [placeA, placeB] = await Promise.all([placeOf(A), placeOf(B)]);
  const localFiles = await Promise.all([A.localPath, B.localPath].filter((p): p is string => p !== null).map(writeTarget));
  const path = statePath(localFiles, [placeA, placeB], configDir);
  const key = pairKey(placeA, placeB);
  const loaded = await loadState(path, key, pairKey(A.label, B.label));
  return { placeA, placeB, path, key, loaded };
}

/** The notes a run starts with, in this order: a state of moved files, what each side says of how it was read, rows that are not deals, an interrupted run. */
function startNotes(A: Side, B: Side, da: SideData, db: SideData, loaded: Loaded, path: string): string[] {
  const notes: string[] = [];
  if (loaded.movedFrom !== null)
    notes.push(`the sync state in ${path} was recorded for ${loaded.movedFrom.replace(" <-> ", " and ")}; these look like the same files moved, so it is used (and kept under the new paths from now on)`);
  for (const side of [A, B]) if (side.note) notes.push(side.note);
  for (const [side, data] of [
    [A, da],
    [B, db],
  ] as const) {
    const skipped = skippedNote(side.label, data.table.skipped);
    if (skipped !== null) notes.push(skipped);
  }
  const journal = loaded.journal;
  if (journal) notes.push(`finishing a sync of these two places that was interrupted (it started ${journal.startedAt.slice(0, 16).replace("T", " ")} UTC)`);
  return notes;
}

/** The rows of a side that were read as no deal (totals, repeated headers, group titles, notes), in words; null when there are none. */
function skippedNote(label: string, s: Table["skipped"]): string | null {
  const parts: string[] = [];
  const say = (rows: number[], one: string, many: string): void => {
    if (rows.length === 0) return;
    const list = rows.length <= 8 ? rows.join(", ") : `${rows.slice(0, 8).join(", ")}, …`;
    parts.push(`${rows.length === 1 ? one : `${rows.length} ${many}`} (row${rows.length === 1 ? "" : "s"} ${list})`);
  };
  say(s.total, "a totals row", "totals rows");
  say(s.header, "a repeated header row", "repeated header rows");
  say(s.group, "a group title", "group titles");
  say(s.note, "a note row", "note rows");
  return parts.length > 0 ? `${label} has ${parts.join(", ")}: not deals, so not synced and left as they are` : null;
}

/** What the state recorded for a side: by its place, else its label, else by file name when only one side had that name. */
function sideWas(state: PairState | null, place: string, label: string): SideState | undefined {
  if (!state) return undefined;
  const exact = state.sides[place] ?? state.sides[label];
  if (exact) return exact;
  // Recorded under old paths (a moved folder): by file name, when only one side had that name.
  const same = Object.entries(state.sides).filter(([k]) => tail(k) === tail(place));
  return same.length === 1 ? same[0]?.[1] : undefined;
}

/** Refuses a side whose header changed since the last sync (other than to the header an interrupted run was writing): its columns may no longer line up. */
function checkHeaders(A: Side, B: Side, data: [SideData, SideData], places: [string, string], loaded: Loaded): void {
  for (const [side, d, place] of [
    [A, data[0], places[0]],
    [B, data[1], places[1]],
  ] as const) {
    const was = sideWas(loaded.state, place, side.label);
    if (!was || !d.exists) continue;
    const now = d.table.header;
    const pending = loaded.journal?.sides[place]?.header ?? was.pending;
    if (!sameHeader(now, was.header) && !(pending && sameHeader(now, pending)))
      throw refused(
        "HEADER_CHANGED",
        `the header row of ${side.label} changed since the last sync (${describeHeaderChange(was.header, now)}), so its columns may no longer line up with ${side === A ? B.label : A.label}. Nothing was written. Undo the header change, or run again with --accept-header to line the columns up by name from now on.`,
      );
  }
}

/** Lines up the two sides' columns, with the Deal ID column in both views even where a side has none yet; refuses ID columns that do not line up. */
function alignIdColumns(A: Side, B: Side, da: SideData, db: SideData): { cols: AlignedColumn[]; idIdx: number } {
  const cols = alignColumns(da.table, db.table);
  const idxOf = (side: SideName, col: number | null): number => (col === null ? -1 : cols.findIndex((c) => (side === "a" ? c.a : c.b) === col));
  const idA = idxOf("a", da.table.idCol);
  const idB = idxOf("b", db.table.idCol);
  if (idA >= 0 && idB >= 0 && idA !== idB)
    throw refused(
      "ID_COLUMNS_DIFFER",
      `the Deal ID columns do not line up: ${A.label} keeps IDs in "${da.table.header[da.table.idCol ?? 0]}", ${B.label} in "${db.table.header[db.table.idCol ?? 0]}"; rename one to match the other. Nothing was written.`,
    );
  let idIdx = idA >= 0 ? idA : idB;
  if (idIdx < 0) {
    cols.push({ key: "dealId", a: null, b: null, name: "Deal ID" });
    idIdx = cols.length - 1;
  }
  return { cols, idIdx };
}

/** Deal IDs for rows without one, matched across sides by the columns both share; an interrupted run's IDs are given again (its journal). */
function giveIds(da: SideData, db: SideData, cols: AlignedColumn[], idIdx: number, loaded: Loaded, [placeA, placeB]: [string, string]): { a: IdFill[]; b: IdFill[] } {
  const shared = cols.map((c, k) => k !== idIdx && c.a !== null && c.b !== null);
  const content = (data: SideData, side: SideName) => (i: number): string => {
    const row = data.table.rows[i]?.cells ?? [];
    let s = "";
    cols.forEach((c, k) => {
      if (shared[k]) s += `${row[(side === "a" ? c.a : c.b) as number] ?? ""}\u001f`;
    });
    return s;
  };
  const { state, journal } = loaded;
  return assignIds(da.table, db.table, state ? state.rows.map((r) => r[0]) : [], content(da, "a"), content(db, "b"), {
    a: promised(journal?.sides[placeA]?.ids),
    b: promised(journal?.sides[placeB]?.ids),
  });
}

/** A side's rows by Deal ID in the aligned columns, as the merge reads them, and each ID's row in the side's table. */
function sideView(data: SideData, side: SideName, idFills: IdFill[], cols: AlignedColumn[], idIdx: number): { view: SideView; rowOf: Map<string, number> } {
  const width = cols.length;
  const filled = new Map(idFills.map((f) => [f.row, f.id]));
  const colOf = cols.map((c) => (side === "a" ? c.a : c.b) ?? -1);
  const has = colOf.map((c, k) => k === idIdx || c >= 0);
  const rows = new Map<string, string[]>();
  const rowOf = new Map<string, number>();
  const trows = data.table.rows;
  for (let i = 0; i < trows.length; i++) {
    const src = (trows[i] as { cells: string[] }).cells;
    const id = filled.get(i) ?? rowId(data.table, i);
    rowOf.set(id, i);
    const cells = new Array<string>(width);
    for (let k = 0; k < width; k++) {
      const col = colOf[k] as number;
      cells[k] = k === idIdx ? id : col < 0 ? "" : (src[col] ?? "");
    }
    rows.set(id, cells);
  }
  return { view: { has, rows }, rowOf };
}

/**
 * Rewrites, in both views, a date cell that is the same day as the base's or the other side's as that text. Date
 * columns as core reads them: a date written as text ("04/03/2026") goes into a workbook as a date cell, which
 * reads back as an ISO day; that day is the text it came from, not an edit.
 */
function sameDays(orders: Map<number, DateOrder>, va: SideView, vb: SideView, base: BaseRows | null): void {
  for (const [k, order] of orders)
    for (const [v, other] of [[va, vb], [vb, va]] as const)
      for (const [id, cells] of v.rows) if (cells[k]) cells[k] = sameDayText(cells[k], order, [base?.get(id)?.[k], other.rows.get(id)?.[k]]);
}

/**
 * Deals both sides know by ID but no state: this pair was synced before under other names, or its state was
 * lost. Said plainly (null when no such deal), because this run cannot tell an edit from a deletion.
 */
function lostStateNote(fillsA: IdFill[], va: SideView, vb: SideView, path: string): string | null {
  let shared = 0;
  const given = new Set(fillsA.map((f) => f.id));
  for (const id of va.rows.keys()) if (id !== "" && vb.rows.has(id) && !given.has(id)) shared++;
  if (shared === 0) return null;
  return `no sync state for these two places was found in ${path}, though ${shared} deal${shared === 1 ? "" : "s"} with the same Deal ID ${shared === 1 ? "is" : "are"} on both sides: this run is a first sync (cells that differ are conflicts, a row missing on one side is added back). If the files were renamed or moved to another folder on their own, move their state file beside them under the new name`;
}

/**
 * Takes the deletions away from a side that keeps its rows (in `m`), before anything is written. They are listed
 * with their rows for a person to delete, and stay in the state, so the next run still sees them as deleted on
 * the other side.
 */
function refuseDeletions(m: MergeResult, keep: Partial<Record<SideName, string>>, data: [SideData, SideData], rowOfs: [Map<string, number>, Map<string, number>], base: BaseRows | null): void {
  for (const side of ["a", "b"] as const) {
    const why = keep[side];
    const edits = side === "a" ? m.a : m.b;
    if (!why || edits.remove.length === 0) continue;
    const refusedIds = new Set(edits.remove);
    const sideData = side === "a" ? data[0] : data[1];
    const rowOf = side === "a" ? rowOfs[0] : rowOfs[1];
    for (const d of m.deletions) {
      if (!refusedIds.has(d.id)) continue;
      d.propagated = false;
      d.refused = why;
      d.row = (sideData.table.rows[rowOf.get(d.id) as number]?.sheetRow ?? 0) + 1;
      const was = base?.get(d.id);
      if (was) m.base.set(d.id, was);
    }
    edits.remove = [];
  }
}

/** The aligned columns a side gets this run: those the merge carries across, and the Deal ID column once the side has rows. */
function addedCols(data: SideData, side: SideName, edits: SideEdits, cols: AlignedColumn[], idIdx: number): number[] {
  const list = [...edits.addColumns];
  const physical = side === "a" ? (cols[idIdx] as AlignedColumn).a : (cols[idIdx] as AlignedColumn).b;
  if (physical === null && !list.includes(idIdx) && (data.table.rows.length > 0 || edits.add.length > 0 || list.length > 0)) list.push(idIdx);
  return list.sort((x, y) => x - y);
}

/**
 * Adds each side's stamps to its edits in `m`, and to the other side's and the base when changes may flow there,
 * so both sides stay in agreement (side a's stamps first, then b's).
 */
function addStamps(m: MergeResult, stamps: Record<SideName, Stamps>, layouts: Record<SideName, Layout>, views: Record<SideName, SideView>, toA: boolean): void {
  for (const side of ["a", "b"] as const) {
    const other: SideName = side === "a" ? "b" : "a";
    const otherLayout = layouts[other];
    const otherView = views[other];
    const otherEdits = other === "a" ? m.a : m.b;
    for (const s of stamps[side].cells) {
      (side === "a" ? m.a : m.b).set.push(s);
      // Both sides get the stamp when changes may flow to the other one, so they stay in agreement.
      const flowsOther = other === "a" ? toA : true;
      const otherRow = otherView.rows.get(s.id);
      const baseRow = m.base.get(s.id);
      if (flowsOther && otherLayout.colOf[s.col] !== undefined && (otherLayout.colOf[s.col] as number) >= 0 && otherRow) {
        if (otherRow[s.col] !== s.to) otherEdits.set.push({ id: s.id, col: s.col, from: otherRow[s.col] ?? "", to: s.to });
        if (baseRow) baseRow[s.col] = s.to;
      }
    }
  }
}

/** An aligned column's name for the report ("(row)" for a change to a whole row). */
const colName = (cols: AlignedColumn[], k: number): string => (k < 0 ? "(row)" : (cols[k] as AlignedColumn).name);

/** The report's list of changes: to side a, then to side b; per side the IDs given, cells set (stamps told apart), rows added, rows removed. */
function changesOf(m: MergeResult, fills: Record<SideName, IdFill[]>, stamps: Record<SideName, Stamps>, cols: AlignedColumn[], idIdx: number): Change[] {
  const changes: Change[] = [];
  for (const to of ["a", "b"] as const) {
    const edits = to === "a" ? m.a : m.b;
    const stamped = new Set(stamps[to].cells.map((c) => `${c.id}\u0000${c.col}`));
    for (const f of fills[to]) changes.push({ to, id: f.id, kind: "id", column: colName(cols, idIdx), value: f.id });
    for (const c of edits.set) changes.push({ to, id: c.id, kind: stamped.has(`${c.id}\u0000${c.col}`) ? "stamp" : "cell", column: colName(cols, c.col), from: c.from, value: c.to });
    for (const r of edits.add) changes.push({ to, id: r.id, kind: "add", value: summaryOf(r.cells, cols, idIdx) });
    for (const id of edits.remove) changes.push({ to, id, kind: "remove" });
  }
  return changes;
}

/** The date columns of a side after this run (its own column numbers), with the order their text is written in. */
function datesOf(l: Layout, orders: Map<number, DateOrder>): Map<number, DateOrder> {
  return new Map([...orders].filter(([k]) => (l.colOf[k] ?? -1) >= 0).map(([k, o]) => [l.colOf[k] as number, o]));
}

/** The state run `run` commits: both sides' headers after it, the columns and the merged rows. */
function nextState(run: string, [placeA, placeB]: [string, string], [la, lb]: [Layout, Layout], cols: AlignedColumn[], m: MergeResult): PairState {
  return {
    syncedAt: new Date().toISOString(),
    run,
    sides: {
      [placeA]: { header: la.header },
      [placeB]: { header: lb.header },
    },
    columns: cols.map((c) => c.key),
    rows: [...m.base],
  };
}

/** What the writing steps need: both sides with what they read, their layouts and writes, the IDs given, the state found and the run to commit. */
interface Commit {
  A: Side;
  B: Side;
  da: SideData;
  db: SideData;
  la: Layout;
  lb: Layout;
  wa: SideWrite;
  wb: SideWrite;
  fills: { a: IdFill[]; b: IdFill[] };
  found: FoundState;
  run: string;
  next: PairState;
}

/** Writes the run by the protocol in README ("Crash safety"): refuse before any write, journal, sides, state, journal removed. */
async function commit(c: Commit, note: (line: string) => void): Promise<void> {
  const { path, key, loaded } = c.found;
  const order: [Side, SideWrite][] = [
    [c.A, c.wa],
    [c.B, c.wb],
  ];
  refuseUnwritable(order);
  const writes = !isEmptyWrite(c.wa) || !isEmptyWrite(c.wb);
  // Step 1 (README, "Crash safety"): the journal, before either side is written.
  if (writes) await saveJournal(path, key, journalOf(c));
  // Step 2: the sides.
  await writeSides(order, note);
  // Step 3: the state, which commits the run. A run that changed nothing leaves it as it was (it can be large;
  // rewriting it is the slow part). Step 4: the journal goes (a leftover one names a committed run: ignored).
  const moved = loaded.foundUnder !== null ? [loaded.foundUnder] : [];
  if (writes || loaded.journal || moved.length > 0 || !unchanged(loaded.state, c.next)) await saveState(path, key, c.next, moved);
  if (writes || loaded.journal || loaded.staleJournal) await dropJournal(path, key);
}

/** Refuses before the first write, so a side that cannot be rewritten safely never leaves the other half-synced. */
function refuseUnwritable(order: [Side, SideWrite][]): void {
  for (const [side, w] of order) {
    const why = isEmptyWrite(w) ? null : (side.cannotWrite?.() ?? side.refuseWrite?.(w) ?? null);
    if (why) throw refused("CANNOT_KEEP", `${why} Nothing was written.`);
  }
}

/** The journal of this run: the header each side gets and the Deal IDs given, each by a fingerprint of its row as read. */
function journalOf(c: Commit): Journal {
  const { placeA, placeB } = c.found;
  const ids = (t: SideData, f: IdFill[]): [string, string][] => f.map((x) => [rowPrint(t.table, x.row), x.id]);
  return {
    run: c.run,
    startedAt: c.next.syncedAt,
    sides: { [placeA]: { header: c.la.header, ids: ids(c.da, c.fills.a) }, [placeB]: { header: c.lb.header, ids: ids(c.db, c.fills.b) } },
  };
}

/**
 * Writes the sides: remote sides get their new Deal IDs before anything else, so the rows on a Google Sheet carry
 * their IDs before any other write can copy them elsewhere; then local sides, remote sides last.
 */
async function writeSides(order: [Side, SideWrite][], note: (line: string) => void): Promise<void> {
  for (const [side, w] of order) {
    if (!side.remote) continue;
    const ids = idOnly(w);
    if (ids) {
      note(`Writing Deal IDs to ${side.label}`);
      await side.write(ids);
      w.header = w.header.filter((h) => h.col !== w.idCol);
      w.cells = w.cells.filter((c) => !(c.col === w.idCol && ids.cells.includes(c)));
    }
  }
  for (const remoteLast of [false, true])
    for (const [side, w] of order) {
      if (side.remote !== remoteLast || isEmptyWrite(w)) continue;
      note(`Writing ${side.label}`);
      await side.write(w);
    }
}

/** Whether the new state holds exactly what the old one did (same headers, columns and rows). */
function unchanged(old: PairState | null, next: PairState): boolean {
  if (!old) return false;
  const same = (x: readonly (string | null)[] | undefined, y: readonly (string | null)[] | undefined): boolean => {
    if (!x || !y || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if ((x[i] ?? null) !== (y[i] ?? null)) return false;
    return true;
  };
  if (!same(old.columns, next.columns)) return false;
  for (const label of Object.keys(next.sides)) {
    const o = old.sides[label];
    if (!o || o.pending || !same(o.header, next.sides[label]?.header)) return false;
  }
  if (old.rows.length !== next.rows.length) return false;
  const before = new Map(old.rows);
  for (const [id, cells] of next.rows) if (!same(before.get(id), cells)) return false;
  return true;
}

/** The Deal ID part of a write (header cell of a new ID column and ID fills), or null when there is none. */
function idOnly(w: SideWrite): SideWrite | null {
  const header = w.header.filter((h) => h.col === w.idCol);
  const cells = w.cells.filter((c) => c.col === w.idCol && c.row > w.headerRow);
  if (header.length === 0 && cells.length === 0) return null;
  // A side that was empty gets its whole header at once, in the main write.
  if (w.header.length > 0 && w.header.length === w.width && header.length > 0) return null;
  return { header, cells, append: [], remove: [], log: [], logged: [], width: Math.max(w.idCol + 1, 0), headerRow: w.headerRow, idCol: w.idCol };
}

function summaryOf(cells: string[], cols: AlignedColumn[], idIdx: number): string {
  const parts: string[] = [];
  cells.forEach((v, k) => {
    if (k !== idIdx && v !== "" && parts.length < 3) parts.push(`${(cols[k] as AlignedColumn).name}: ${v.length > 30 ? `${v.slice(0, 29)}…` : v}`);
  });
  return parts.join(", ");
}

interface Stamps {
  cells: CellChange[];
  log: Grid;
  /** Deals whose stage change went to the log, and the aligned columns of Stage and Stage entered. */
  logged: Set<string>;
  cols: Set<number>;
}

function stampStages(data: SideData, l: Layout, edits: SideEdits, rowOf: Map<string, number>, canLog: boolean, today: string): Stamps {
  const out: Stamps = { cells: [], log: [], logged: new Set(), cols: new Set() };
  if (edits.set.length === 0) return out;
  const stageCol = findStageColumn(l.header as Cell[], data.settings);
  if (stageCol === null) return out;
  const stageK = l.colOf.indexOf(stageCol);
  const byId = new Map<string, CellChange[]>();
  for (const c of edits.set) {
    const list = byId.get(c.id);
    if (list) list.push(c);
    else byId.set(c.id, [c]);
  }
  const rows: { row: number; values: Cell[]; oldStage: Cell }[] = [];
  const idAt = new Map<number, string>();
  for (const [id, list] of byId) {
    const stage = list.find((c) => c.col === stageK);
    const i = rowOf.get(id);
    if (!stage || i === undefined) continue;
    const src = data.table.rows[i] as { sheetRow: number; cells: string[] };
    const values: Cell[] = new Array<Cell>(l.width).fill("");
    src.cells.forEach((v, c) => (values[c] = v));
    for (const c of list) {
      const col = l.colOf[c.col];
      if (col !== undefined && col >= 0) values[col] = c.to;
    }
    rows.push({ row: src.sheetRow, values, oldStage: stage.from });
    idAt.set(src.sheetRow, id);
  }
  if (rows.length === 0) return out;
  const plan = planStageEdit({ sheetName: data.sheetName, header: l.header, headerRow: l.headerRow, rows, settings: data.settings, today, by: "sync" });
  for (const cell of plan.cells) {
    const id = idAt.get(cell.row);
    const k = l.colOf.indexOf(cell.col);
    if (id === undefined || k < 0) continue;
    // The other side already moved this deal's Stage entered along with its stage: keep that date.
    if ((byId.get(id) ?? []).some((c) => c.col === k)) continue;
    const text = typeof cell.value === "number" ? isoFromDay(cell.value - EXCEL_EPOCH_OFFSET) : String(cell.value ?? "");
    const i = rowOf.get(id) as number;
    const was = data.table.rows[i]?.cells[cell.col] ?? "";
    if (was !== text) out.cells.push({ id, col: k, from: was, to: text });
  }
  if (canLog) {
    out.log = plan.logAppend;
    for (const row of plan.logAppend) out.logged.add(String(row[0] ?? ""));
    out.cols.add(stageK);
    for (const cell of plan.cells) out.cols.add(l.colOf.indexOf(cell.col));
  }
  return out;
}

function sideWrite(
  data: SideData,
  l: Layout,
  edits: SideEdits,
  idFills: IdFill[],
  rowOf: Map<string, number>,
  idIdx: number,
  stamps: Stamps,
  cols: AlignedColumn[],
): SideWrite {
  const t = data.table;
  const idCol = l.colOf[idIdx] as number;
  const header: CellWrite[] =
    t.headerRow < 0
      ? l.header.map((text, col) => ({ row: 0, col, text }))
      : l.added.map((k) => ({ row: l.headerRow, col: l.colOf[k] as number, text: (cols[k] as AlignedColumn).name }));
  const cells: CellWrite[] = idFills.map((f) => ({ row: (t.rows[f.row] as { sheetRow: number }).sheetRow, col: idCol, text: f.id }));
  const logged: CellWrite[] = [];
  for (const c of edits.set) {
    const i = rowOf.get(c.id);
    const col = l.colOf[c.col];
    if (i === undefined || col === undefined || col < 0) continue;
    const w: CellWrite = { row: (t.rows[i] as { sheetRow: number }).sheetRow, col, text: c.to };
    if (stamps.logged.has(c.id) && stamps.cols.has(c.col)) logged.push({ ...w, id: c.id });
    else cells.push(w);
  }
  const append = edits.add.map((r) => {
    const row = new Array<string>(l.width).fill("");
    r.cells.forEach((v, k) => {
      const col = l.colOf[k];
      if (col !== undefined && col >= 0) row[col] = v;
    });
    return row;
  });
  const remove = edits.remove.map((id) => ({ row: (t.rows[rowOf.get(id) as number] as { sheetRow: number }).sheetRow, id }));
  const lastDealRow = t.rows.length > 0 ? (t.rows[t.rows.length - 1] as { sheetRow: number }).sheetRow : l.headerRow;
  return { header, cells, append, remove, log: stamps.log, logged, width: l.width, headerRow: l.headerRow, idCol, lastDealRow };
}

function summary(side: Side, w: SideWrite, edits: SideEdits, idFills: IdFill[], l: Layout, cols: AlignedColumn[], stamps: Stamps): SideSummary {
  return {
    label: side.label,
    cells: edits.set.length - stamps.cells.length,
    added: edits.add.length,
    removed: edits.remove.length,
    ids: idFills.length,
    columnsAdded: l.added.map((k) => (cols[k] as AlignedColumn).name),
    stamped: stamps.cells.length,
    logRows: w.log.length,
    requests: side.requests(),
  };
}

export type { MergeResult };
