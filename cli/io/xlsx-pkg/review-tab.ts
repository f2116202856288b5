// What sits beside one of pipesheet's tabs in the package: one drawing with every chart of the tab, a table part per
// sortable block, and the tab's internal hyperlinks. The patcher calls dropTabParts before it rewrites a tab of its
// own, then tabParts for the parts and the worksheet elements that point at them.
import { a1, parseA1, quoteSheet, type Cell, type ChartSpec, type TabWrite } from "../../../core/index.js";
import { chartXml, drawingXml, type ChartData } from "../xlsx-chart.js";
import { NS_REL, rangeBox, readRels, relsOf, relsXml, relTarget, resolvePart, type Box } from "./book.js";
import { esc, escText, kids, parseTree } from "./xml.js";
import type { Package } from "./zip.js";

const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml";
const CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml";
const CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml";
const REL_DRAWING = `${NS_REL}/drawing`;
const REL_CHART = `${NS_REL}/chart`;
const REL_TABLE = `${NS_REL}/table`;
/** The style the Excel add-in gives its tables: light, so the tab's own header fill still shows. */
const TABLE_STYLE = "TableStyleLight1";

/** The patcher's part list: free names, parts added with their content type, parts dropped with theirs. */
export interface PartList {
  free(prefix: string, ext: string): string;
  add(name: string, content: string, type: string): void;
  drop(name: string): void;
}

/** The worksheet elements that point at a tab's parts, each "" when the tab has none, and the tab to write. */
export interface TabParts {
  /** The tab with every table's header cells as the text its table column is named (Excel repairs anything else). */
  tab: TabWrite;
  /** <hyperlinks>, which goes right after sheetData (and any conditional formats and drop-downs). */
  hyperlinks: string;
  /** <drawing>, after the page setup. */
  drawing: string;
  /** <tableParts>, after the drawing. */
  tableParts: string;
}

export interface TabPartsInput {
  pkg: Package;
  parts: PartList;
  /** The tab's worksheet part and the name it has in this workbook. */
  sheetPart: string;
  sheetName: string;
  tab: TabWrite;
  /** pipesheet's tab names as core knows them -> the names they have in this workbook (a link to the review follows a rename). */
  tabNames: Record<string, string>;
  /** workbook.xml, for the defined names a table name may not take. */
  workbookXml: string;
  notes: string[];
}


/**
 * Removes what hangs off one of pipesheet's own tabs before it is written fresh: its drawings with the charts in
 * them, its table parts, and its relationships. The tab is pipesheet's whole, so every table on it is too; tables
 * on the team's sheets are other parts and never touched.
 */
export function dropTabParts(pkg: Package, parts: PartList, sheetPart: string): void {
  for (const rel of readRels(pkg, sheetPart)) {
    if (rel.external) continue;
    if (rel.type.endsWith("/table")) {
      parts.drop(resolvePart(sheetPart, rel.target));
      continue;
    }
    if (!rel.type.endsWith("/drawing")) continue;
    const drawing = resolvePart(sheetPart, rel.target);
    for (const inner of readRels(pkg, drawing)) {
      if (inner.external) continue;
      const chart = resolvePart(drawing, inner.target);
      for (const deeper of readRels(pkg, chart)) if (!deeper.external) parts.drop(resolvePart(chart, deeper.target));
      parts.drop(relsOf(chart));
      parts.drop(chart);
    }
    parts.drop(relsOf(drawing));
    parts.drop(drawing);
  }
  parts.drop(relsOf(sheetPart));
}


const cellsOf = (values: Cell[][], range: string): Cell[] => {
  const b = rangeBox(range);
  if (!b) return [];
  const out: Cell[] = [];
  for (let r = b.top; r <= b.bottom; r++) for (let c = b.left; c <= b.right; c++) out.push(values[r]?.[c] ?? null);
  return out;
};

/** What a chart part caches: the header above its values as the series name, and the cells it plots. */
function chartData(tab: TabWrite, spec: ChartSpec): ChartData {
  const b = rangeBox(spec.values);
  const above = b && b.top > 0 ? tab.values[b.top - 1]?.[b.left] : undefined;
  return {
    ...(typeof above === "string" && above.trim() !== "" ? { series: above } : {}),
    categories: cellsOf(tab.values, spec.categories),
    values: cellsOf(tab.values, spec.values),
  };
}

/** A name Excel takes for a table: letters, digits, "_" and ".", starting with a letter or "_", not a cell address. */
function validTableName(name: string): string {
  let n = name.replace(/[^\p{L}\p{N}_.\\]/gu, "_");
  if (!/^[\p{L}_\\]/u.test(n)) n = `_${n}`;
  if (/^[A-Za-z]{1,3}\d+$/.test(n) || /^[RrCc]$/.test(n) || /^[Rr]\d*[Cc]\d*$/.test(n)) n = `_${n}`;
  return n.slice(0, 255);
}

/** Table names and ids the workbook already uses (the team's tables, and defined names, which share the namespace). */
function takenNames(pkg: Package, workbookXml: string): { names: Set<string>; maxId: number } {
  const names = new Set<string>();
  let maxId = 0;
  const types = parseTree(pkg.text("[Content_Types].xml") ?? "<Types/>");
  for (const o of kids(types, "Override")) {
    if (o.attrs.ContentType !== CT_TABLE) continue;
    const part = (o.attrs.PartName ?? "").replace(/^\//, "");
    const xml = pkg.has(part) ? pkg.text(part) : null;
    if (xml === null) continue;
    const t = parseTree(xml);
    for (const k of ["name", "displayName"]) if (t.attrs[k] !== undefined) names.add((t.attrs[k] as string).toLowerCase());
    maxId = Math.max(maxId, Number(t.attrs.id) || 0);
  }
  const wb = parseTree(workbookXml);
  for (const list of kids(wb, "definedNames")) for (const d of kids(list, "definedName")) if (d.attrs.name) names.add(d.attrs.name.toLowerCase());
  return { names, maxId };
}

/** Header texts for a table's columns: a cell's own text, else "Column n"; unique (case aside), one line each. */
function columnNames(header: Cell[]): string[] {
  const used = new Set<string>();
  return header.map((v, i) => {
    const text = v === null || v === undefined ? "" : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    const base = text.replace(/\s*[\r\n]+\s*/g, " ").trim() === "" ? `Column${i + 1}` : text.replace(/\s*[\r\n]+\s*/g, " ");
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}${n}`;
    used.add(name.toLowerCase());
    return name;
  });
}

function tableXml(id: number, name: string, ref: string, columns: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<table xmlns="${NS_MAIN}" id="${id}" name="${esc(name)}" displayName="${esc(name)}" ref="${ref}" headerRowCount="1" totalsRowShown="0"><autoFilter ref="${ref}"/><tableColumns count="${columns.length}">${columns
    .map((c, i) => `<tableColumn id="${i + 1}" name="${escText(c)}"/>`)
    .join("")}</tableColumns><tableStyleInfo name="${TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>`;
}

/** A relationship of a part, as relsXml writes it. */
type Rel = { id: string; type: string; target: string };

/**
 * Writes the tab's drawing (the first chart and every further one, one chart part each) and its table parts, and
 * returns the worksheet elements that point at them and at its links. Call after dropTabParts, so the tab's old
 * tables no longer hold their names.
 */
export function tabParts(input: TabPartsInput): TabParts {
  const tables = writeTables(input);
  const tab: TabWrite = tables.values === input.tab.values ? input.tab : { ...input.tab, values: tables.values };
  const charts = writeCharts(input, tab, `rId${tables.rels.length + 1}`);
  const rels = charts ? [...tables.rels, charts.rel] : tables.rels;
  // Relationships go first in the list (drawing after tables): ids only need to be unique within the part.
  if (rels.length > 0) input.pkg.set(relsOf(input.sheetPart), relsXml(rels));
  return {
    tab,
    hyperlinks: hyperlinksXml(tab, input.tabNames),
    drawing: charts?.tag ?? "",
    tableParts: tables.tags.length > 0 ? `<tableParts count="${tables.tags.length}">${tables.tags.join("")}</tableParts>` : "",
  };
}

/**
 * Tables: a header row of unique texts, a name no other table or defined name in the workbook has. Adds a part per
 * table, and returns the tab's values (a copy, when a header cell had to be renamed), the sheet's relationships to
 * the parts (rId1 on) and their <tablePart> tags.
 */
function writeTables(input: TabPartsInput): { values: TabWrite["values"]; rels: Rel[]; tags: string[] } {
  const { pkg, parts, sheetPart, sheetName, notes } = input;
  let values = input.tab.values;
  const rels: Rel[] = [];
  const tags: string[] = [];
  const specs = input.tab.tables ?? [];
  if (specs.length === 0) return { values, rels, tags };
  const taken = takenNames(pkg, input.workbookXml);
  let id = taken.maxId;
  const placed: Box[] = [];
  for (const spec of specs) {
    const b = rangeBox(spec.range);
    // A table needs its header and a row; two tables may not share a cell.
    if (!b || b.bottom === b.top || placed.some((p) => p.left <= b.right && b.left <= p.right && p.top <= b.bottom && b.top <= p.bottom)) {
      notes.push(`the ${spec.name} table (${spec.range}) was left out: its range is not a header and rows of its own`);
      continue;
    }
    placed.push(b);
    const header = Array.from({ length: b.right - b.left + 1 }, (_, k) => values[b.top]?.[b.left + k] ?? null);
    const columns = columnNames(header);
    if (columns.some((c, k) => c !== header[k])) {
      if (values === input.tab.values) values = values.map((r) => [...r]);
      const row = (values[b.top] ??= []);
      columns.forEach((c, k) => (row[b.left + k] = c));
    }
    const name = freeTableName(spec.name, taken.names, `${sheetName}!${spec.range}`, notes);
    const ref = `${a1(b.top, b.left)}:${a1(b.bottom, b.right)}`;
    const part = parts.free("xl/tables/table", ".xml");
    parts.add(part, tableXml(++id, name, ref, columns), CT_TABLE);
    const r = `rId${rels.length + 1}`;
    rels.push({ id: r, type: REL_TABLE, target: relTarget(sheetPart, part) });
    tags.push(`<tablePart r:id="${r}"/>`);
  }
  return { values, rels, tags };
}

/** A valid table name no table or name in `taken` has (it is taken from then on); says so in `notes` when it is not the one asked for. */
function freeTableName(wanted: string, taken: Set<string>, at: string, notes: string[]): string {
  const base = validTableName(wanted);
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  if (name !== base) notes.push(`a table or name in the workbook is already called ${base}, so pipesheet's table at ${at} is named ${name}`);
  taken.add(name.toLowerCase());
  return name;
}

/** Charts: one drawing, one chart part per chart; the sheet's relationship to the drawing (id `rid`) and its <drawing> tag, or null without charts. */
function writeCharts(input: TabPartsInput, tab: TabWrite, rid: string): { rel: Rel; tag: string } | null {
  const { pkg, parts, sheetPart, sheetName } = input;
  const charts = [...(tab.chart ? [tab.chart] : []), ...(tab.charts ?? [])];
  if (charts.length === 0) return null;
  const drawing = parts.free("xl/drawings/drawing", ".xml");
  const drawingRels: Rel[] = [];
  const frames = charts.map((spec, i) => {
    const chart = parts.free("xl/charts/chart", ".xml");
    parts.add(chart, chartXml(sheetName, spec, chartData(tab, spec)), CT_CHART);
    const rel = `rId${i + 1}`;
    drawingRels.push({ id: rel, type: REL_CHART, target: relTarget(drawing, chart) });
    return { spec, rel };
  });
  parts.add(drawing, drawingXml(frames), CT_DRAWING);
  pkg.set(relsOf(drawing), relsXml(drawingRels));
  return { rel: { id: rid, type: REL_DRAWING, target: relTarget(sheetPart, drawing) }, tag: `<drawing r:id="${rid}"/>` };
}

/** Links: internal hyperlinks, no relationship needed; one per cell (the first), the <hyperlinks> element or "" without links. */
function hyperlinksXml(tab: TabWrite, tabNames: Record<string, string>): string {
  const seen = new Set<string>();
  const links: string[] = [];
  for (const l of tab.links ?? []) {
    const at = parseA1(l.cell);
    const target = rangeBox(l.target);
    if (!at || !target) continue;
    const ref = a1(at.row, at.col);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const text = tab.values[at.row]?.[at.col];
    const display = text === null || text === undefined ? "" : String(text);
    const location = `${quoteSheet(tabNames[l.sheet] ?? l.sheet)}!${l.target.replace(/\$/g, "")}`;
    links.push(`<hyperlink ref="${ref}" location="${escText(location)}"${display === "" ? "" : ` display="${escText(display)}"`}/>`);
  }
  return links.length > 0 ? `<hyperlinks>${links.join("")}</hyperlinks>` : "";
}
