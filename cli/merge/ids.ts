// Deal IDs for rows that have none: the same "D-000123" sequence core uses, continuing the highest ID on
// either side or in the last synced state. On a first sync, a row without an ID that is identical on both
// sides is the same deal and gets one ID, so importing the same sheet twice does not double it.
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

/**
 * IDs for the rows of `a` and `b` that lack one. `contentA`/`contentB` give a row's text in aligned column
 * order without the ID, to recognise the same deal on both sides.
 */
export function assignIds(
  a: Table,
  b: Table,
  baseIds: Iterable<string>,
  contentA: (i: number) => string,
  contentB: (i: number) => string,
): { a: IdFill[]; b: IdFill[] } {
  const lacking = (t: Table): boolean => {
    for (let i = 0; i < t.rows.length; i++) if (rowId(t, i) === "") return true;
    return false;
  };
  if (!lacking(a) && !lacking(b)) return { a: [], b: [] };
  const existing: string[] = [...baseIds];
  for (let i = 0; i < a.rows.length; i++) existing.push(rowId(a, i));
  for (let i = 0; i < b.rows.length; i++) existing.push(rowId(b, i));
  let next = highestId(existing);
  const taken = new Set(existing);
  const fresh = (): string => {
    let id = formatId(++next);
    while (taken.has(id)) id = formatId(++next);
    taken.add(id);
    return id;
  };
  const waitingB = new Map<string, number[]>();
  for (let i = 0; i < b.rows.length; i++) {
    if (rowId(b, i) !== "") continue;
    const key = contentB(i);
    const list = waitingB.get(key);
    if (list) list.push(i);
    else waitingB.set(key, [i]);
  }
  const fills = { a: [] as IdFill[], b: [] as IdFill[] };
  for (let i = 0; i < a.rows.length; i++) {
    if (rowId(a, i) !== "") continue;
    const id = fresh();
    fills.a.push({ row: i, id });
    const twin = waitingB.get(contentA(i))?.shift();
    if (twin !== undefined) fills.b.push({ row: twin, id });
  }
  const paired = new Set(fills.b.map((f) => f.row));
  for (let i = 0; i < b.rows.length; i++) if (rowId(b, i) === "" && !paired.has(i)) fills.b.push({ row: i, id: fresh() });
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
