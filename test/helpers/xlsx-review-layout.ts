// The review tab's dashboard as a written .xlsx holds it, read from the package's XML with a real parser: the
// charts of its drawing, its table parts and its hyperlinks. The dashboard tests and the LibreOffice test share it.
import { readFile } from "node:fs/promises";
import JSZip from "jszip";
import { relsOf, resolvePart } from "../../cli/io/xlsx-pkg/book.js";
import { attr, kid, kids, local, parseTree, type El } from "../../cli/io/xlsx-pkg/xml.js";

export interface ChartRead {
  part: string;
  name: string;
  col: number;
  row: number;
  /** Size in EMU (12,700 a point); null for a two-cell anchor. */
  cx: number | null;
  cy: number | null;
  barDir: string;
  /** Orientation of the category axis: "maxMin" draws the first category on top. */
  catOrientation: string;
  categories: string;
  values: string;
  title: string;
}

export interface TableRead {
  part: string;
  id: number;
  name: string;
  ref: string;
  autoFilter: string;
  columns: string[];
}

export interface LinkRead {
  ref: string;
  location: string;
  display: string | undefined;
}

export interface BookRead {
  zip: JSZip;
  text(part: string): Promise<string | null>;
  /** Package path of the sheet named `name`. */
  sheetPart(name: string): Promise<string>;
  /** Every table part in the workbook (the team's too), by the content types. */
  allTables(): Promise<TableRead[]>;
  overrides(): Promise<Map<string, string>>;
  /** A part's relationships, each target resolved to a package path. */
  rels(part: string): Promise<{ id: string; type: string; target: string }[]>;
  table(part: string): Promise<TableRead>;
}

/** The first element named `name` (any prefix) in the tree, depth first. */
export function find(el: El, name: string): El | undefined {
  if (local(el.name) === name) return el;
  for (const c of el.children) {
    const hit = find(c, name);
    if (hit) return hit;
  }
  return undefined;
}

const textOf = (el: El | undefined): string => (el ? el.text + el.children.map(textOf).join("") : "");

export async function readBookParts(path: string): Promise<BookRead> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const text = async (part: string): Promise<string | null> => (await zip.file(part)?.async("string")) ?? null;
  const rels = async (part: string): Promise<{ id: string; type: string; target: string }[]> => {
    const xml = await text(relsOf(part));
    if (xml === null) return [];
    return kids(parseTree(xml), "Relationship").map((r) => ({ id: r.attrs.Id ?? "", type: r.attrs.Type ?? "", target: resolvePart(part, r.attrs.Target ?? "") }));
  };
  const overrides = async (): Promise<Map<string, string>> =>
    new Map(kids(parseTree((await text("[Content_Types].xml")) ?? ""), "Override").map((o) => [(o.attrs.PartName ?? "").replace(/^\//, ""), o.attrs.ContentType ?? ""]));
  const table = async (part: string): Promise<TableRead> => {
    const t = parseTree((await text(part)) ?? "");
    return {
      part,
      id: Number(t.attrs.id),
      name: t.attrs.name ?? "",
      ref: t.attrs.ref ?? "",
      autoFilter: kid(t, "autoFilter")?.attrs.ref ?? "",
      columns: kids(kid(t, "tableColumns") as El, "tableColumn").map((c) => c.attrs.name ?? ""),
    };
  };
  const book: BookRead = {
    zip,
    text,
    async sheetPart(name) {
      const wb = parseTree((await text("xl/workbook.xml")) ?? "");
      const el = kids(kid(wb, "sheets") as El, "sheet").find((s) => s.attrs.name === name);
      if (!el) throw new Error(`no sheet ${name}`);
      const rel = (await rels("xl/workbook.xml")).find((r) => r.id === attr(el, "r:id"));
      if (!rel) throw new Error(`no part for ${name}`);
      return rel.target;
    },
    async allTables() {
      const out: TableRead[] = [];
      for (const [part, type] of await overrides()) if (type.endsWith("spreadsheetml.table+xml")) out.push(await table(part));
      return out;
    },
    overrides,
    rels,
    table,
  };
  return book;
}

export interface ReviewLayout {
  part: string;
  charts: ChartRead[];
  tables: TableRead[];
  links: LinkRead[];
  /** Relationship types of the sheet part, each target resolved. */
  rels: { id: string; type: string; target: string }[];
  /** The worksheet's top-level elements in order. */
  order: string[];
}

/** The review tab's charts, tables and links as the package holds them. */
export async function readReviewLayout(book: BookRead, sheet: string): Promise<ReviewLayout> {
  const part = await book.sheetPart(sheet);
  const { rels, table } = book;
  const sheetRels = await rels(part);
  const ws = parseTree((await book.text(part)) ?? "");
  const byId = new Map(sheetRels.map((r) => [r.id, r]));
  const charts: ChartRead[] = [];
  const drawingEl = kid(ws, "drawing");
  if (drawingEl) {
    const drawing = byId.get(attr(drawingEl, "r:id") ?? "")?.target ?? "";
    const drawingRels = new Map((await rels(drawing)).map((r) => [r.id, r.target]));
    const wsDr = parseTree((await book.text(drawing)) ?? "");
    for (const anchor of wsDr.children.filter((c) => /Anchor$/.test(local(c.name)))) {
      const from = kid(anchor, "from") as El;
      const ext = kid(anchor, "ext");
      const frame = kid(anchor, "graphicFrame") as El;
      const chartRef = find(frame, "chart") as El;
      const chartPart = drawingRels.get(attr(chartRef, "r:id") ?? "") ?? "";
      const c = parseTree((await book.text(chartPart)) ?? "");
      const ser = find(c, "ser") as El;
      charts.push({
        part: chartPart,
        name: find(frame, "cNvPr")?.attrs.name ?? "",
        col: Number(kid(from, "col")?.text),
        row: Number(kid(from, "row")?.text),
        cx: ext ? Number(ext.attrs.cx) : null,
        cy: ext ? Number(ext.attrs.cy) : null,
        barDir: find(c, "barDir")?.attrs.val ?? "",
        catOrientation: find(find(c, "catAx") as El, "orientation")?.attrs.val ?? "",
        categories: textOf(find(find(ser, "cat") as El, "f")),
        values: textOf(find(find(ser, "val") as El, "f")),
        title: textOf(find(find(c, "title") as El, "rich")),
      });
    }
  }
  const tables: TableRead[] = [];
  for (const tp of kids(kid(ws, "tableParts") ?? ws, "tablePart")) {
    const target = byId.get(attr(tp, "r:id") ?? "");
    if (target) tables.push(await table(target.target));
  }
  const links = kids(kid(ws, "hyperlinks") ?? ws, "hyperlink").map((h) => ({ ref: h.attrs.ref ?? "", location: h.attrs.location ?? "", display: h.attrs.display }));
  return { part, charts, tables, links, rels: sheetRels, order: ws.children.map((c) => local(c.name)) };
}

/** "'Bob''s deals'!$A$2:$A$5" -> { sheet: "Bob's deals", range: "A2:A5" }. */
export function splitRef(ref: string): { sheet: string; range: string } {
  const m = /^(?:'((?:[^']|'')+)'|([^!]+))!(.+)$/.exec(ref);
  if (!m) throw new Error(`not a sheet reference: ${ref}`);
  return { sheet: (m[1] ?? m[2] ?? "").replace(/''/g, "'"), range: (m[3] ?? "").replace(/\$/g, "") };
}
