// A deals table as sync sees it: the header row, text cells, rows keyed by Deal ID; and how two tables' columns line up.
import { mapColumns, type ColumnMap } from "../../core/index.js";
import { normalize } from "../../core/index.js";
import { classifyRows } from "../../core/index.js";
import type { Field } from "../../core/index.js";

export interface TableRow {
  /** 0-based row on the sheet (or line among the CSV records). */
  sheetRow: number;
  /** Text of each cell, aligned with the header ("" when empty). */
  cells: string[];
}

export interface Table {
  /** Header texts as written (trimmed). Empty when the side has no table yet. */
  header: string[];
  /** 0-based sheet row of the header; -1 when the side is empty. */
  headerRow: number;
  rows: TableRow[];
  /** Column holding the Deal ID, or null when there is none yet. */
  idCol: number | null;
  /** Input fields core recognised by a known header (not a guess), by column. */
  fields: Map<number, Field>;
  /** Rows below the header that are not deals (core's classifyRows), left alone: 1-based sheet rows by kind. */
  skipped: { header: number[]; total: number[]; group: number[]; note: number[] };
}

export const emptyTable = (): Table => ({ header: [], headerRow: -1, rows: [], idCol: null, fields: new Map(), skipped: { header: [], total: [], group: [], note: [] } });

const isBlank = (row: readonly string[] | undefined): boolean => !row || row.every((c) => c.trim() === "");

/**
 * Reads a text grid into a table. The header row is the one core's column mapping finds (it may sit below a
 * title); a sheet core does not recognise as deals falls back to its first non-empty row. Only deals are rows
 * of the table: a totals row, a repeated header, a group title are never synced nor given a Deal ID.
 */
export function tableFromGrid(grid: string[][], sheet: string, overrides: Partial<Record<Field, string>> = {}): Table {
  let map: ColumnMap | null = null;
  try {
    map = mapColumns(grid.slice(0, 40), sheet, overrides);
  } catch {
    map = null;
  }
  const headerRow = map?.headerRow ?? grid.findIndex((r) => !isBlank(r));
  if (headerRow < 0) return emptyTable();
  const rawHeader = grid[headerRow] ?? [];
  let width = rawHeader.length;
  while (width > 0 && (rawHeader[width - 1] ?? "").trim() === "") width--;
  const header = rawHeader.slice(0, width).map((h) => h.trim());
  const fields = new Map<number, Field>();
  if (map) {
    const guessed = new Set(map.guessed);
    for (const [f, col] of Object.entries(map.fields) as [Field, number][]) if (!guessed.has(f) && col < width) fields.set(col, f);
  }
  let idCol: number | null = null;
  for (const [col, f] of fields) if (f === "dealId") idCol = col;
  if (idCol === null) {
    const i = header.findIndex((h) => normalize(h) === "dealid");
    if (i >= 0) idCol = i;
  }
  const rows: TableRow[] = [];
  const kinds = map ? classifyRows(grid, headerRow, map) : null;
  const skipped: Table["skipped"] = { header: [], total: [], group: [], note: [] };
  for (let r = headerRow + 1; r < grid.length; r++) {
    const src = grid[r] as string[];
    if (isBlank(src)) continue;
    const kind = kinds?.[r - headerRow - 1] ?? "deal";
    if (kind === "header" || kind === "total" || kind === "group") {
      skipped[kind].push(r + 1);
      continue;
    }
    // Text only in columns that are no field of a deal: a note between the deals.
    if (kind === "blank") {
      skipped.note.push(r + 1);
      continue;
    }
    const cells = new Array<string>(width);
    for (let c = 0; c < width; c++) cells[c] = src[c] ?? "";
    rows.push({ sheetRow: r, cells });
  }
  return { header, headerRow, rows, idCol, fields, skipped };
}

/** One column as both sides see it: its position on each side (null when a side lacks it). */
export interface AlignedColumn {
  key: string;
  a: number | null;
  b: number | null;
  /** Header to use when the column is added to the side that lacks it. */
  name: string;
}

/**
 * Lines up two tables' columns: first by identical header (after normalising case, spaces and punctuation),
 * then by the field core's column mapping recognised (so a HubSpot "Deal Name" meets a "Name"), the rest by
 * themselves. Columns with a blank header are not synced.
 */
export function alignColumns(a: Table, b: Table): AlignedColumn[] {
  const out: AlignedColumn[] = [];
  const usedB = new Set<number>();
  // Repeated headers pair up in order: the second "Notes" on one side with the second "Notes" on the other.
  const bByName = new Map<string, number[]>();
  b.header.forEach((h, i) => {
    const k = normalize(h);
    if (k === "") return;
    const list = bByName.get(k);
    if (list) list.push(i);
    else bByName.set(k, [i]);
  });
  const bByField = new Map<Field, number>();
  for (const [col, f] of b.fields) bByField.set(f, col);
  const seenKeys = new Set<string>();
  const keyFor = (base: string): string => {
    let k = base;
    for (let n = 2; seenKeys.has(k); n++) k = `${base}#${n}`;
    seenKeys.add(k);
    return k;
  };
  const pendingA: number[] = [];
  a.header.forEach((h, i) => {
    const k = normalize(h);
    if (k === "") return;
    const j = bByName.get(k)?.shift();
    if (j !== undefined) {
      usedB.add(j);
      out.push({ key: keyFor(a.fields.get(i) ?? k), a: i, b: j, name: h });
    } else pendingA.push(i);
  });
  for (const i of pendingA) {
    const f = a.fields.get(i);
    const j = f === undefined ? undefined : bByField.get(f);
    if (j !== undefined && !usedB.has(j)) {
      usedB.add(j);
      out.push({ key: keyFor(f as string), a: i, b: j, name: a.header[i] as string });
    } else out.push({ key: keyFor(a.fields.get(i) ?? normalize(a.header[i] as string)), a: i, b: null, name: a.header[i] as string });
  }
  b.header.forEach((h, j) => {
    if (usedB.has(j) || normalize(h) === "") return;
    out.push({ key: keyFor(b.fields.get(j) ?? normalize(h)), a: null, b: j, name: h });
  });
  return out;
}
