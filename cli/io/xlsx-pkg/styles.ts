// styles.xml, appended to: the cell formats pipesheet needs are added after the team's, never renumbering theirs,
// and reused when a format alike is already there (so running again does not grow the file).
import { esc, kid, kids, parseTree, type El } from "./xml.js";

const BUILTIN_FORMATS: Record<string, number> = { General: 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10 };

export const argb = (hex: string): string => {
  const h = hex.replace(/^#/, "").toUpperCase();
  return h.length === 6 ? `FF${h}` : h.length === 8 ? h : "FF000000";
};

export interface Look {
  numFmt?: string;
  bold?: boolean;
  italic?: boolean;
  size?: number;
  /** #RRGGBB. */
  fill?: string;
  /** A hyperlink's look: underlined, in the hyperlink blue. */
  link?: boolean;
}

/** Excel's Hyperlink cell style colour. */
const LINK_COLOR = "FF0563C1";

const EMPTY_STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

/** Where each list starts in a styleSheet, in schema order. */
const ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles", "colors", "extLst"];

export class Styles {
  readonly xml: string;
  private readonly root: El;
  private readonly formats = new Map<string, number>();
  private nextFormatId = 164;
  private readonly added: Record<string, string[]> = { numFmts: [], fonts: [], fills: [], cellXfs: [], dxfs: [] };
  private readonly counts: Record<string, number> = {};
  private readonly xfCache = new Map<string, number>();
  private readonly formatCache = new Map<number, Map<string, number>>();
  private readonly dxfCache = new Map<string, number>();
  private readonly existingDxfs: string[];
  private readonly xfs: El[];
  private readonly fonts: El[];
  readonly created: boolean;

  constructor(xml: string | null) {
    this.created = xml === null;
    this.xml = xml ?? EMPTY_STYLES;
    this.root = parseTree(this.xml);
    for (const f of kids(kid(this.root, "numFmts") ?? this.root, "numFmt")) {
      const id = Number(f.attrs.numFmtId);
      if (!this.formats.has(f.attrs.formatCode ?? "")) this.formats.set(f.attrs.formatCode ?? "", id);
      this.nextFormatId = Math.max(this.nextFormatId, id + 1);
    }
    this.xfs = kids(kid(this.root, "cellXfs") ?? this.root, "xf");
    this.fonts = kids(kid(this.root, "fonts") ?? this.root, "font");
    this.existingDxfs = kids(kid(this.root, "dxfs") ?? this.root, "dxf").map((d) => this.xml.slice(d.start, d.end));
    for (const list of Object.keys(this.added)) this.counts[list] = kids(kid(this.root, list) ?? this.root, list === "cellXfs" ? "xf" : list.slice(0, -1)).length;
  }

  private add(list: string, xml: string): number {
    const items = this.added[list] as string[];
    items.push(xml);
    return (this.counts[list] as number) + items.length - 1;
  }

  numFmtId(code: string): number {
    const builtin = BUILTIN_FORMATS[code];
    if (builtin !== undefined) return builtin;
    let id = this.formats.get(code);
    if (id === undefined) {
      id = this.nextFormatId++;
      this.formats.set(code, id);
      this.add("numFmts", `<numFmt numFmtId="${id}" formatCode="${esc(code)}"/>`);
    }
    return id;
  }

  private font(base: number, look: Look): number {
    const el = this.fonts[base];
    const inner = el ? this.xml.slice(el.openEnd, el.closeStart === el.end ? el.openEnd : el.closeStart) : "";
    // The base font's name, colour and family stay; bold, italic and size are pipesheet's.
    const rest = inner.replace(look.link ? /<(b|i|u|sz|color)\b[^>]*\/>|<(b|i|u|sz|color)\b[^>]*>[^<]*<\/\2>/g : /<(b|i|sz)\b[^>]*\/>|<(b|i|sz)\b[^>]*>[^<]*<\/\2>/g, "");
    const size = look.size !== undefined ? `<sz val="${look.size}"/>` : (/<sz\b[^>]*\/>/.exec(inner)?.[0] ?? "");
    const link = look.link ? ["<u/>", `<color rgb="${LINK_COLOR}"/>`] : ["", ""];
    return this.add("fonts", `<font>${look.bold ? "<b/>" : ""}${look.italic ? "<i/>" : ""}${link[0]}${size}${link[1]}${rest}</font>`);
  }

  /** The cell format index for `base` (a cell's current style) with `look` applied. */
  cell(base: number, look: Look): number {
    // Most calls are a column's number format over a run of cells of one style: answer those without building a key.
    if (look.numFmt !== undefined && look.bold === undefined && look.italic === undefined && look.size === undefined && look.fill === undefined && look.link === undefined) {
      let byFormat = this.formatCache.get(base);
      if (!byFormat) this.formatCache.set(base, (byFormat = new Map()));
      let id = byFormat.get(look.numFmt);
      if (id === undefined) byFormat.set(look.numFmt, (id = this.cellSlow(base, look)));
      return id;
    }
    return this.cellSlow(base, look);
  }

  private cellSlow(base: number, look: Look): number {
    const key = `${base}|${look.numFmt ?? ""}|${look.bold ?? ""}|${look.italic ?? ""}|${look.size ?? ""}|${look.fill ?? ""}|${look.link ?? ""}`;
    const hit = this.xfCache.get(key);
    if (hit !== undefined) return hit;
    const el = this.xfs[base];
    const set: Record<string, string> = {};
    if (look.numFmt !== undefined) {
      const id = this.numFmtId(look.numFmt);
      const onlyFormat = look.bold === undefined && look.italic === undefined && look.size === undefined && look.fill === undefined && look.link === undefined;
      if (onlyFormat && el && Number(el.attrs.numFmtId ?? 0) === id) {
        this.xfCache.set(key, base);
        return base;
      }
      set.numFmtId = String(id);
      set.applyNumberFormat = "1";
    }
    if (look.bold !== undefined || look.italic !== undefined || look.size !== undefined || look.link !== undefined) {
      set.fontId = String(this.font(Number(el?.attrs.fontId ?? 0), look));
      set.applyFont = "1";
    }
    if (look.fill !== undefined) {
      set.fillId = String(this.add("fills", `<fill><patternFill patternType="solid"><fgColor rgb="${argb(look.fill)}"/><bgColor indexed="64"/></patternFill></fill>`));
      set.applyFill = "1";
    }
    const attrs: Record<string, string> = el ? { ...el.attrs } : { numFmtId: "0", fontId: "0", fillId: "0", borderId: "0", xfId: "0" };
    Object.assign(attrs, set);
    const inner = el && el.closeStart !== el.end ? this.xml.slice(el.openEnd, el.closeStart) : "";
    const open = Object.entries(attrs)
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(" ");
    const id = this.add("cellXfs", inner === "" ? `<xf ${open}/>` : `<xf ${open}>${inner}</xf>`);
    this.xfCache.set(key, id);
    return id;
  }

  /** A differential format for a conditional-format rule; an identical one already in the file is reused. */
  dxf(fill: string, fontColor: string): number {
    const xml = `<dxf><font><color rgb="${argb(fontColor)}"/></font><fill><patternFill patternType="solid"><bgColor rgb="${argb(fill)}"/></patternFill></fill></dxf>`;
    const existing = this.existingDxfs.indexOf(xml);
    if (existing >= 0) return existing;
    let id = this.dxfCache.get(xml);
    if (id === undefined) this.dxfCache.set(xml, (id = this.add("dxfs", xml)));
    return id;
  }

  get changed(): boolean {
    return this.created || Object.values(this.added).some((a) => a.length > 0);
  }

  /** The styleSheet with pipesheet's additions appended to each list (count attributes updated). */
  toXml(): string {
    const out: { at: number; to: number; text: string }[] = [];
    for (const [list, items] of Object.entries(this.added)) {
      if (items.length === 0) continue;
      const el = kid(this.root, list);
      const count = (this.counts[list] as number) + items.length;
      if (el) {
        const open = this.xml.slice(el.start, el.openEnd);
        const withCount = /\bcount="[^"]*"/.test(open) ? open.replace(/\bcount="[^"]*"/, `count="${count}"`) : open.replace(/\/?>$/, (m) => ` count="${count}"${m}`);
        if (el.closeStart === el.end) out.push({ at: el.start, to: el.end, text: `${withCount.replace(/\/>$/, ">")}${items.join("")}</${el.name}>` });
        else {
          out.push({ at: el.start, to: el.openEnd, text: withCount });
          out.push({ at: el.closeStart, to: el.closeStart, text: items.join("") });
        }
      } else {
        // A list the file does not have yet goes before the first list that follows it in schema order.
        const after = ORDER.slice(ORDER.indexOf(list) + 1);
        const next = this.root.children.find((c) => after.includes(c.name.slice(c.name.indexOf(":") + 1)));
        const at = next ? next.start : this.root.closeStart;
        out.push({ at, to: at, text: `<${list} count="${count}">${items.join("")}</${list}>` });
      }
    }
    out.sort((a, b) => a.at - b.at);
    const parts: string[] = [];
    let at = 0;
    for (const e of out) {
      parts.push(this.xml.slice(at, e.at), e.text);
      at = e.to;
    }
    parts.push(this.xml.slice(at));
    return parts.join("");
  }
}
