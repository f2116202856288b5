// The shared-string table, appended to as Excel does: a text pipesheet writes points at an entry that already holds
// exactly that plain text, or at one added after the team's (never renumbering theirs), so a run again adds nothing.
import type { Book } from "./book.js";
import { escText, parseRoot } from "./xml.js";

const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

export class SharedStrings {
  private readonly index = new Map<string, number>();
  private readonly added: string[] = [];
  private readonly existing: number;
  private refs = 0;

  constructor(private readonly book: Book) {
    const all = book.sharedStrings();
    this.existing = all.length;
    all.forEach((t, i) => {
      if (book.plainStrings[i] === true && !this.index.has(t)) this.index.set(t, i);
    });
  }

  /** The entry for `text`, added when there is none. */
  id(text: string): number {
    this.refs++;
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.existing + this.added.length;
      this.index.set(text, i);
      const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : "";
      this.added.push(`<si><t${space}>${escText(text)}</t></si>`);
    }
    return i;
  }

  get changed(): boolean {
    return this.added.length > 0;
  }

  /** The table with pipesheet's entries appended (null when there was no table: see `fresh`). */
  toXml(xml: string | null): string {
    const unique = this.existing + this.added.length;
    if (xml === null)
      return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${NS_MAIN}" count="${this.refs}" uniqueCount="${unique}">${this.added.join("")}</sst>`;
    const root = parseRoot(xml);
    const open = xml.slice(root.start, root.openEnd);
    const count = Math.max(Number(root.attrs.count ?? 0), unique) + this.refs;
    const set = (tag: string, name: string, value: number): string =>
      new RegExp(`\\b${name}="[^"]*"`).test(tag) ? tag.replace(new RegExp(`\\b${name}="[^"]*"`), `${name}="${value}"`) : tag.replace(/\s*(\/?)>$/, ` ${name}="${value}"$1>`);
    const tag = set(set(open, "count", count), "uniqueCount", unique);
    if (root.closeStart === root.end) return `${xml.slice(0, root.start)}${tag.replace(/\s*\/>$/, ">")}${this.added.join("")}</${root.name}>${xml.slice(root.end)}`;
    return `${xml.slice(0, root.start)}${tag}${xml.slice(root.openEnd, root.closeStart)}${this.added.join("")}${xml.slice(root.closeStart)}`;
  }
}
