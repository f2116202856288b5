// XML through saxes, with where each element sits in the text, so an edit can copy everything around it as it was.
import { SaxesParser } from "saxes";

export const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Characters XML 1.0 cannot hold at all (a cell cannot keep them; Excel writes them as _xHHHH_). */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
export const escText = (s: string): string => esc(s.replace(NOT_XML, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`));

export interface El {
  name: string;
  attrs: Record<string, string>;
  /** Index of "<" of the start tag. */
  start: number;
  /** Index just past the start tag's ">". */
  openEnd: number;
  /** Index of "<" of the end tag (= openEnd for an empty element written as <x/>). */
  closeStart: number;
  /** Index just past the element. */
  end: number;
  depth: number;
  parent: El | null;
  children: El[];
  /** Text directly inside, decoded. */
  text: string;
}

/** The element tree of a small part (workbook, relationships, styles), with positions into `xml`. */
export function parseTree(xml: string): El {
  const p = new SaxesParser({ position: true });
  const stack: El[] = [];
  let root: El | null = null;
  p.on("opentag", (n) => {
    const end = p.position;
    const parent = stack[stack.length - 1] ?? null;
    const el: El = {
      name: n.name,
      attrs: n.attributes as Record<string, string>,
      start: xml.lastIndexOf("<", end - 1),
      openEnd: end,
      closeStart: end,
      end,
      depth: stack.length,
      parent,
      children: [],
      text: "",
    };
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  p.on("text", (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  p.on("closetag", (n) => {
    const el = stack.pop() as El;
    el.end = p.position;
    el.closeStart = n.isSelfClosing ? el.end : xml.lastIndexOf("<", el.end - 1);
  });
  p.write(xml).close();
  if (!root) throw new Error("no root element");
  return root;
}

/**
 * The root element of a large part (the shared strings) with its positions, its children not built: a tree of a
 * table of 200,000 strings would be 400,000 elements on the heap, to find where one end tag begins.
 */
export function parseRoot(xml: string): Omit<El, "parent" | "children" | "text"> {
  const p = new SaxesParser({ position: true });
  let root: Omit<El, "parent" | "children" | "text"> | null = null;
  let depth = 0;
  p.on("opentag", (n) => {
    if (depth++ > 0) return;
    const end = p.position;
    root = { name: n.name, attrs: n.attributes as Record<string, string>, start: xml.lastIndexOf("<", end - 1), openEnd: end, closeStart: end, end, depth: 0 };
  });
  p.on("closetag", (n) => {
    if (--depth > 0 || root === null) return;
    root.end = p.position;
    root.closeStart = n.isSelfClosing ? root.end : xml.lastIndexOf("<", root.end - 1);
  });
  p.write(xml).close();
  if (root === null) throw new Error("no root element");
  return root;
}

export const local = (name: string): string => name.slice(name.indexOf(":") + 1);
export const kids = (el: El, name: string): El[] => el.children.filter((c) => local(c.name) === name);
export const kid = (el: El, name: string): El | undefined => el.children.find((c) => local(c.name) === name);

/** The attribute `name` ignoring its prefix (r:id, or id under another prefix). */
export function attr(el: El, name: string): string | undefined {
  if (el.attrs[name] !== undefined) return el.attrs[name];
  for (const [k, v] of Object.entries(el.attrs)) if (local(k) === local(name) && k.includes(":") === name.includes(":")) return v;
  return undefined;
}

/** Text edits by position, applied all at once (positions refer to the original text). */
export class Edits {
  private readonly list: { at: number; to: number; text: string | (() => Iterable<string>); order: number }[] = [];
  constructor(readonly xml: string) {}
  replace(at: number, to: number, text: string): void {
    this.list.push({ at, to, text, order: this.list.length });
  }
  /** A replacement made only when the text is streamed (the rows of a large sheet), piece by piece. */
  replaceLazy(at: number, to: number, make: () => Iterable<string>): void {
    this.list.push({ at, to, text: make, order: this.list.length });
  }
  insert(at: number, text: string): void {
    this.replace(at, at, text);
  }
  remove(el: { start: number; end: number }): void {
    this.replace(el.start, el.end, "");
  }
  get size(): number {
    return this.list.length;
  }
  apply(): string {
    return this.pieces().join("");
  }

  /** The edited text as pieces in order. */
  pieces(): string[] {
    return [...this.stream((a, b) => [this.xml.slice(a, b)], this.xml.length)];
  }

  /**
   * The edited text as a stream of pieces: the text between edits comes from `read(from, to)` (called with
   * positions that only grow, so the original may itself be a stream), up to `end`.
   */
  *stream(read: (from: number, to: number) => Iterable<string>, end: number): Generator<string> {
    // At one position, insertions go before a replacement that starts there.
    const sorted = [...this.list].sort((a, b) => a.at - b.at || Number(a.to > a.at) - Number(b.to > b.at) || a.order - b.order);
    let at = 0;
    for (const e of sorted) {
      if (e.at < at) throw new Error("overlapping XML edits");
      if (e.at > at) yield* read(at, e.at);
      if (typeof e.text === "string") yield e.text;
      else yield* e.text();
      at = e.to;
    }
    if (end > at) yield* read(at, end);
  }
}

/**
 * A text read as a stream of pieces, sliced at positions that only grow: only the pieces not yet passed are held.
 * `slice` joins (for a row); `pieces` hands out the pieces as they are (for a long stretch copied as it was).
 */
export class Forward {
  private readonly it: Iterator<string>;
  private readonly held: string[] = [];
  /** Position of held[0]. */
  private base = 0;
  private heldEnd = 0;
  constructor(chunks: Iterable<string>) {
    this.it = chunks[Symbol.iterator]();
  }
  private drop(to: number): void {
    while (this.held.length > 0 && this.base + (this.held[0] as string).length <= to) this.base += (this.held.shift() as string).length;
  }
  private fill(to: number): void {
    while (this.heldEnd < to) {
      const n = this.it.next();
      if (n.done === true) throw new Error("the sheet's text ended before its last row");
      this.held.push(n.value);
      this.heldEnd += n.value.length;
    }
  }
  *pieces(from: number, to: number): Generator<string> {
    this.drop(from);
    let at = from;
    while (at < to) {
      this.fill(at + 1);
      this.drop(at);
      const head = this.held[0] as string;
      const end = Math.min(to, this.base + head.length);
      yield at === this.base && end === this.base + head.length ? head : head.slice(at - this.base, end - this.base);
      at = end;
    }
  }
  slice(from: number, to: number): string {
    this.drop(from);
    this.fill(to);
    const head = this.held[0];
    if (head !== undefined && to <= this.base + head.length) return head.slice(from - this.base, to - this.base);
    return [...this.pieces(from, to)].join("");
  }
}

/** A start tag rebuilt with some attributes set (value) or removed (null); the others keep their order. */
export function retag(xml: string, el: El, set: Record<string, string | null>): string {
  const attrs: string[] = [];
  const done = new Set<string>();
  for (const [k, v] of Object.entries(el.attrs)) {
    if (k in set) {
      done.add(k);
      const nv = set[k];
      if (nv !== null && nv !== undefined) attrs.push(`${k}="${esc(nv)}"`);
    } else attrs.push(`${k}="${esc(v)}"`);
  }
  for (const [k, v] of Object.entries(set)) if (!done.has(k) && v !== null) attrs.push(`${k}="${esc(v)}"`);
  const selfClosing = el.closeStart === el.end && xml.slice(el.openEnd - 2, el.openEnd) === "/>";
  return `<${el.name}${attrs.length > 0 ? " " : ""}${attrs.join(" ")}${selfClosing ? "/>" : ">"}`;
}
