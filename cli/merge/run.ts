// One sync run between two sides: read both, check, line up columns, give rows IDs, merge against the last
// synced state, stamp stage changes, then write by the protocol in README ("Crash safety"): the journal of
// the IDs and headers it decided, the sides (remote IDs first, local files next, remote last), the state that
// commits the run, and the journal removed. A run stopped anywhere is finished exactly by running it again.
import { EXCEL_EPOCH_OFFSET, findStageColumn, isoFromDay, planStageEdit } from "../../core/index.js";
import type { Cell, Grid } from "../../core/index.js";
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
  type PairState,
  type SideState,
} from "./state.js";
import { alignColumns, type AlignedColumn } from "./table.js";
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

export async function runSync(A: Side, B: Side, opts: SyncOptions): Promise<SyncReport> {
  const note = opts.note ?? (() => undefined);
  note(`Reading ${A.label} and ${B.label}`);
  const [da, db] = await Promise.all([A.read(), B.read()]);
  if (opts.mode === "oneway" && !da.exists) throw refused("NO_SOURCE", `${A.label} does not exist: nothing to copy from. Nothing was written.`);
  if (!da.exists && !db.exists) throw refused("NO_SOURCE", `neither ${A.label} nor ${B.label} exists: nothing to sync. Nothing was written.`);
  if (da.exists && da.table.headerRow < 0 && opts.mode === "oneway") throw refused("NO_SOURCE", `${A.label} is empty: nothing to copy from. Nothing was written.`);

  // Sides are known by their places (real paths), so "a.csv", "./a.csv" and a link to it share one state.
  const [placeA, placeB] = await Promise.all([placeOf(A), placeOf(B)]);
  const localFiles = await Promise.all([A.localPath, B.localPath].filter((p): p is string => p !== null).map(writeTarget));
  const path = statePath(localFiles, [placeA, placeB], opts.configDir);
  const key = pairKey(placeA, placeB);
  const loaded = await loadState(path, key, pairKey(A.label, B.label));
  const state = loaded.state;
  const notes: string[] = [];
  if (loaded.movedFrom !== null)
    notes.push(`the sync state in ${path} was recorded for ${loaded.movedFrom.replace(" <-> ", " and ")}; these look like the same files moved, so it is used (and kept under the new paths from now on)`);
  for (const side of [A, B]) if (side.note) notes.push(side.note);
  for (const [side, data] of [
    [A, da],
    [B, db],
  ] as const) {
    const s = data.table.skipped;
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
    if (parts.length > 0) notes.push(`${side.label} has ${parts.join(", ")}: not deals, so not synced and left as they are`);
  }
  const journal = loaded.journal;
  if (journal) notes.push(`finishing a sync of these two places that was interrupted (it started ${journal.startedAt.slice(0, 16).replace("T", " ")} UTC)`);
  const sideWas = (place: string, label: string): SideState | undefined => {
    if (!state) return undefined;
    const exact = state.sides[place] ?? state.sides[label];
    if (exact) return exact;
    // Recorded under old paths (a moved folder): by file name, when only one side had that name.
    const same = Object.entries(state.sides).filter(([k]) => tail(k) === tail(place));
    return same.length === 1 ? same[0]?.[1] : undefined;
  };

  for (const [side, data, place] of [
    [A, da, placeA],
    [B, db, placeB],
  ] as const) {
    const was = sideWas(place, side.label);
    if (!was || opts.acceptHeader || !data.exists) continue;
    const now = data.table.header;
    const pending = journal?.sides[place]?.header ?? was.pending;
    if (!sameHeader(now, was.header) && !(pending && sameHeader(now, pending)))
      throw refused(
        "HEADER_CHANGED",
        `the header row of ${side.label} changed since the last sync (${describeHeaderChange(was.header, now)}), so its columns may no longer line up with ${side === A ? B.label : A.label}. Nothing was written. Undo the header change, or run again with --accept-header to line the columns up by name from now on.`,
      );
  }
  checkUniqueIds(da.table, A.label);
  checkUniqueIds(db.table, B.label);

  // Columns, with the Deal ID column in both views even where a side has none yet.
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
  const width = cols.length;
  const shared = cols.map((c, k) => k !== idIdx && c.a !== null && c.b !== null);
  const content = (data: SideData, side: SideName) => (i: number): string => {
    const row = data.table.rows[i]?.cells ?? [];
    let s = "";
    cols.forEach((c, k) => {
      if (shared[k]) s += `${row[(side === "a" ? c.a : c.b) as number] ?? ""}\u001f`;
    });
    return s;
  };
  const fills = assignIds(da.table, db.table, state ? state.rows.map((r) => r[0]) : [], content(da, "a"), content(db, "b"), {
    a: promised(journal?.sides[placeA]?.ids),
    b: promised(journal?.sides[placeB]?.ids),
  });

  const view = (data: SideData, side: SideName, idFills: IdFill[]): { view: SideView; rowOf: Map<string, number> } => {
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
  };
  const va = view(da, "a", fills.a);
  const vb = view(db, "b", fills.b);
  const base: BaseRows | null = baseRows(state, cols);
  // Date columns as core reads them: a date written as text ("04/03/2026") goes into a workbook as a date cell,
  // which reads back as an ISO day; that day is the text it came from, not an edit.
  const orders = dateOrders(cols.map((c) => c.name), [va.view.rows.values(), vb.view.rows.values()], da.settings ?? db.settings);
  for (const [k, order] of orders)
    for (const [v, other] of [[va.view, vb.view], [vb.view, va.view]] as const)
      for (const [id, cells] of v.rows) if (cells[k]) cells[k] = sameDayText(cells[k], order, [base?.get(id)?.[k], other.rows.get(id)?.[k]]);
  if (state === null && da.exists && db.exists) {
    // Deals both sides know by ID but no state: this pair was synced before under other names, or its state
    // was lost. Said plainly, because this run cannot tell an edit from a deletion.
    let shared = 0;
    const given = new Set(fills.a.map((f) => f.id));
    for (const id of va.view.rows.keys()) if (id !== "" && vb.view.rows.has(id) && !given.has(id)) shared++;
    if (shared > 0)
      notes.push(
        `no sync state for these two places was found in ${path}, though ${shared} deal${shared === 1 ? "" : "s"} with the same Deal ID ${shared === 1 ? "is" : "are"} on both sides: this run is a first sync (cells that differ are conflicts, a row missing on one side is added back). If the files were renamed or moved to another folder on their own, move their state file beside them under the new name`,
      );
  }
  const toA = opts.mode === "twoway";
  const m = merge(width, va.view, vb.view, base, { toA, toB: true, deletes: opts.deletes, prefer: opts.prefer });
  // Decided here, before anything is written: a side that keeps its rows gets no deletions. They are listed
  // with their rows for a person to delete, and stay in the state, so the next run still sees them as deleted
  // on the other side.
  for (const side of ["a", "b"] as const) {
    const why = opts.keepRows?.[side];
    const edits = side === "a" ? m.a : m.b;
    if (!why || edits.remove.length === 0) continue;
    const refusedIds = new Set(edits.remove);
    const data = side === "a" ? da : db;
    const rowOf = side === "a" ? va.rowOf : vb.rowOf;
    for (const d of m.deletions) {
      if (!refusedIds.has(d.id)) continue;
      d.propagated = false;
      d.refused = why;
      d.row = (data.table.rows[rowOf.get(d.id) as number]?.sheetRow ?? 0) + 1;
      const was = base?.get(d.id);
      if (was) m.base.set(d.id, was);
    }
    edits.remove = [];
  }

  // Column layouts after this run: columns the merge carries across, and the Deal ID column on both sides.
  const addedCols = (data: SideData, side: SideName, edits: SideEdits): number[] => {
    const list = [...edits.addColumns];
    const physical = side === "a" ? (cols[idIdx] as AlignedColumn).a : (cols[idIdx] as AlignedColumn).b;
    if (physical === null && !list.includes(idIdx) && (data.table.rows.length > 0 || edits.add.length > 0 || list.length > 0)) list.push(idIdx);
    return list.sort((x, y) => x - y);
  };
  const la = layout(da, cols, "a", addedCols(da, "a", m.a));
  const lb = layout(db, cols, "b", addedCols(db, "b", m.b));

  // Stage changes sync writes into a side stamp its Stage entered and go to its log, as an edit by hand would.
  const stamps = { a: stampStages(da, la, m.a, va.rowOf, A.canLog, opts.today), b: stampStages(db, lb, m.b, vb.rowOf, B.canLog, opts.today) };
  for (const side of ["a", "b"] as const) {
    const other: SideName = side === "a" ? "b" : "a";
    const otherLayout = other === "a" ? la : lb;
    const otherView = other === "a" ? va.view : vb.view;
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

  const changes: Change[] = [];
  const colName = (k: number): string => (k < 0 ? "(row)" : (cols[k] as AlignedColumn).name);
  const record = (to: SideName, edits: SideEdits, idFills: IdFill[], stamped: Set<string>): void => {
    for (const f of idFills) changes.push({ to, id: f.id, kind: "id", column: colName(idIdx), value: f.id });
    for (const c of edits.set) changes.push({ to, id: c.id, kind: stamped.has(`${c.id}\u0000${c.col}`) ? "stamp" : "cell", column: colName(c.col), from: c.from, value: c.to });
    for (const r of edits.add) changes.push({ to, id: r.id, kind: "add", value: summaryOf(r.cells, cols, idIdx) });
    for (const id of edits.remove) changes.push({ to, id, kind: "remove" });
  };
  const stampKeys = (side: SideName): Set<string> => new Set(stamps[side].cells.map((c) => `${c.id}\u0000${c.col}`));
  record("a", m.a, fills.a, stampKeys("a"));
  record("b", m.b, fills.b, stampKeys("b"));

  const wa = sideWrite(da, la, m.a, fills.a, va.rowOf, idIdx, stamps.a, cols);
  const wb = sideWrite(db, lb, m.b, fills.b, vb.rowOf, idIdx, stamps.b, cols);
  for (const [w, l] of [[wa, la], [wb, lb]] as const) w.dates = new Map([...orders].filter(([k]) => (l.colOf[k] ?? -1) >= 0).map(([k, o]) => [l.colOf[k] as number, o]));
  const named = (c: Conflict & { took?: SideName }): NamedConflict => ({ ...c, column: colName(c.col) });
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
  const next: PairState = {
    syncedAt: new Date().toISOString(),
    run,
    sides: {
      [placeA]: { header: la.header },
      [placeB]: { header: lb.header },
    },
    columns: cols.map((c) => c.key),
    rows: [...m.base],
  };

  const order: [Side, SideWrite][] = [
    [A, wa],
    [B, wb],
  ];
  // Refuse before the first write, so a side that cannot be rewritten safely never leaves the other half-synced.
  for (const [side, w] of order) {
    const why = isEmptyWrite(w) ? null : (side.cannotWrite?.() ?? side.refuseWrite?.(w) ?? null);
    if (why) throw refused("CANNOT_KEEP", `${why} Nothing was written.`);
  }
  const writes = !isEmptyWrite(wa) || !isEmptyWrite(wb);
  // Step 1 (README, "Crash safety"): the journal, before either side is written.
  if (writes) {
    const ids = (t: SideData, f: IdFill[]): [string, string][] => f.map((x) => [rowPrint(t.table, x.row), x.id]);
    await saveJournal(path, key, {
      run,
      startedAt: next.syncedAt,
      sides: { [placeA]: { header: la.header, ids: ids(da, fills.a) }, [placeB]: { header: lb.header, ids: ids(db, fills.b) } },
    });
  }
  // Step 2: the sides. Remote sides get their new Deal IDs before anything else, so the rows on a Google Sheet
  // carry their IDs before any other write can copy them elsewhere.
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
  // Step 3: the state, which commits the run. A run that changed nothing leaves it as it was (it can be large;
  // rewriting it is the slow part). Step 4: the journal goes (a leftover one names a committed run: ignored).
  const moved = loaded.foundUnder !== null ? [loaded.foundUnder] : [];
  if (writes || journal || moved.length > 0 || !unchanged(state, next)) await saveState(path, key, next, moved);
  if (writes || journal || loaded.staleJournal) await dropJournal(path, key);
  report.a.requests = A.requests();
  report.b.requests = B.requests();
  return report;
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
