// Deal IDs for rows that have none: the same "D-000123" sequence core uses, continuing the highest ID on
// either side or in the last synced state. On a first sync, a row without an ID that is identical on both
// sides is the same deal and gets one ID, so importing the same sheet twice does not double it. A run that
// was killed recorded the IDs it gave in its journal (see state.ts); the next run gives the same ones.
import { createHash } from "node:crypto";
import { refused } from "../google/errors.js";
import type { Table } from "./table.js";

export interface IdFill {
  /** Index into table.rows. */
  row: number;
  id: string;
}

const SEQ = /^D-(\d+)$/;

export function highestId(ids: Iterable<string>): number {
  let max = 0;
  for (const id of ids) {
    const m = SEQ.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

export const formatId = (n: number): string => `D-${String(n).padStart(6, "0")}`;

export const rowId = (t: Table, i: number): string => (t.idCol === null ? "" : (t.rows[i]?.cells[t.idCol] ?? "").trim());

/** A row's fingerprint: its own cells without the ID, as read. A run that was killed recorded it with the ID it gave. */
export function rowPrint(t: Table, i: number): string {
  const cells = t.rows[i]?.cells ?? [];
  const h = createHash("sha256");
  cells.forEach((c, k) => {
    if (k !== t.idCol) h.update(c).update("\u001f");
  });
  return h.digest("base64url").slice(0, 16);
}

/** IDs a killed run gave, per side: fingerprint -> IDs in row order (two identical rows got two IDs). */
export type Promised = Map<string, string[]>;

export function promised(ids: readonly [string, string][] | undefined): Promised {
  const m: Promised = new Map();
  for (const [print, id] of ids ?? []) {
    const list = m.get(print);
    if (list) list.push(id);
    else m.set(print, [id]);
  }
  return m;
}

/**
 * IDs for the rows of `a` and `b` that lack one. `contentA`/`contentB` give a row's text in aligned column
 * order without the ID, to recognise the same deal on both sides. `journal` holds the IDs a run that was
 * killed gave these rows: they are given again, so a row it already copied to the other side is met there.
 */
export function assignIds(
  a: Table,
  b: Table,
  baseIds: Iterable<string>,
  contentA: (i: number) => string,
  contentB: (i: number) => string,
  journal: { a: Promised; b: Promised } = { a: new Map(), b: new Map() },
): { a: IdFill[]; b: IdFill[] } {
  const lacking = (t: Table): boolean => {
    for (let i = 0; i < t.rows.length; i++) if (rowId(t, i) === "") return true;
    return false;
  };
  if (!lacking(a) && !lacking(b)) return { a: [], b: [] };
  const existing: string[] = [...baseIds];
  for (let i = 0; i < a.rows.length; i++) existing.push(rowId(a, i));
  for (let i = 0; i < b.rows.length; i++) existing.push(rowId(b, i));
  const fills = { a: [] as IdFill[], b: [] as IdFill[] };
  const done = { a: new Set<number>(), b: new Set<number>() };
  for (const side of ["a", "b"] as const) {
    const t = side === "a" ? a : b;
    const p = journal[side];
    if (p.size === 0) continue;
    const onSide = new Set<string>();
    for (let i = 0; i < t.rows.length; i++) onSide.add(rowId(t, i));
    for (let i = 0; i < t.rows.length; i++) {
      if (rowId(t, i) !== "") continue;
      const list = p.get(rowPrint(t, i));
      const id = list?.shift();
      // An ID the side holds already went to another row since: that row keeps it.
      if (id === undefined || onSide.has(id)) continue;
      onSide.add(id);
      fills[side].push({ row: i, id });
      done[side].add(i);
    }
  }
  const promisedIds: string[] = [...fills.a, ...fills.b].map((f) => f.id);
  let next = highestId([...existing, ...promisedIds]);
  const taken = new Set([...existing, ...promisedIds]);
  const fresh = (): string => {
    let id = formatId(++next);
    while (taken.has(id)) id = formatId(++next);
    taken.add(id);
    return id;
  };
  const waitingB = new Map<string, number[]>();
  for (let i = 0; i < b.rows.length; i++) {
    if (rowId(b, i) !== "" || done.b.has(i)) continue;
    const key = contentB(i);
    const list = waitingB.get(key);
    if (list) list.push(i);
    else waitingB.set(key, [i]);
  }
  for (let i = 0; i < a.rows.length; i++) {
    if (rowId(a, i) !== "" || done.a.has(i)) continue;
    const id = fresh();
    fills.a.push({ row: i, id });
    const twin = waitingB.get(contentA(i))?.shift();
    if (twin !== undefined) {
      fills.b.push({ row: twin, id });
      done.b.add(twin);
    }
  }
  for (let i = 0; i < b.rows.length; i++) if (rowId(b, i) === "" && !done.b.has(i)) fills.b.push({ row: i, id: fresh() });
  fills.a.sort((x, y) => x.row - y.row);
  fills.b.sort((x, y) => x.row - y.row);
  return fills;
}

/** Refuses a table whose Deal IDs repeat: matching by ID would be ambiguous. */
export function checkUniqueIds(t: Table, label: string): void {
  const seen = new Map<string, number>();
  const dups: string[] = [];
  for (let i = 0; i < t.rows.length; i++) {
    const id = rowId(t, i);
    if (id === "") continue;
    const first = seen.get(id);
    if (first !== undefined) {
      if (dups.length < 5) dups.push(`"${id}" on rows ${(t.rows[first]?.sheetRow ?? 0) + 1} and ${(t.rows[i]?.sheetRow ?? 0) + 1}`);
      else if (dups.length === 5) dups.push("…");
    } else seen.set(id, i);
  }
  if (dups.length > 0)
    throw refused("DUPLICATE_ID", `${label} has the same Deal ID on more than one row (${dups.join("; ")}); give each deal its own ID and run again. Nothing was written.`);
}
