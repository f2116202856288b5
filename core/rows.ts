// Tells deal rows from the rows around them that are not deals: blanks, repeated header rows, totals and group titles.
import type { Cell, Field, Grid } from "./types.js";

/**
 * What one row below the header is. Only "deal" rows are parsed, given a Deal ID or written to:
 * board exports (monday.com) repeat the header above each group under a group title, and report
 * exports end with a totals row, none of which is a deal.
 */
export type RowKind = "deal" | "blank" | "header" | "total" | "group";

/** The part of a column map the classifier reads; core's ColumnMap fits, so may a host's own. */
export interface RowColumns {
  headers: readonly string[];
  fields: Partial<Record<Field, number>>;
}

export type RowCounts = Record<RowKind, number>;

const squash = (s: string): string => s.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]/g, "");

const textOf = (c: Cell): string => (typeof c === "string" ? c.trim() : "");

/**
 * An empty cell, or text of white space only. Most cells start with a printable ASCII character, which is
 * never white space, so they are answered without trimming.
 */
export const isBlank = (c: Cell): boolean => {
  if (c === null || c === undefined) return true;
  if (typeof c !== "string") return false;
  if (c.length === 0) return true;
  const first = c.charCodeAt(0);
  return first > 32 && first < 160 ? false : c.trim() === "";
};

// "Total", "Grand total", "Subtotal", "Totals:", "Sum", and the words the CRMs' European exports use.
// Case-insensitive on the text itself, so no lower-cased copy is made per cell (the words are all ASCII).
const TOTAL_WORDS = /^(grand\s*total|sub\s*-?\s*total|totals?|sum|summe|gesamt(summe)?|insgesamt|totaal|totale|somma|suma|soma|som)\b/i;

const NUMBER_TEXT = /^[-+(]?[$€£¥]?\s*\d[\d.,' \u00a0]*\s*[$€£¥]?\)?$/;
/** "New (3)", "Won (12 records)": a group title counting its rows. */
const GROUP_COUNT = /\(\s*\d[\d,.]*(\s+\w+)?\s*\)$/;

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
/** First letters of the totals words, so most cells are ruled out without a regex. */
const TOTAL_FIRST = new Set("tsgi".split("").flatMap((ch) => [ch.charCodeAt(0), ch.toUpperCase().charCodeAt(0)]));
/** TOTAL_FIRST as a table by character code (1 = a totals word may start with it): five label cells a row ask it. */
const TOTAL_START = Uint8Array.from({ length: 160 }, (_, c) => (TOTAL_FIRST.has(c) ? 1 : 0));
const isTotalText = (s: string): boolean => s.length > 0 && s.length <= 40 && TOTAL_FIRST.has(s.charCodeAt(0)) && TOTAL_WORDS.test(s);
/** False for a cell whose trimmed text cannot be a totals word, told from its first character (no trimmed copy made). */
const mayBeTotal = (c: Cell): c is string => {
  if (typeof c !== "string" || c.length === 0) return false;
  const first = c.charCodeAt(0);
  return first > 32 && first < 160 ? TOTAL_START[first] === 1 : true;
};

/**
 * squash(cell) === key, without making the squashed copy: ASCII is compared as it is read (letters folded,
 * anything not a letter or digit skipped); a cell with other characters takes the full fold.
 */
function squashesTo(cell: string, key: string): boolean {
  let j = 0;
  for (let i = 0; i < cell.length; i++) {
    let ch = cell.charCodeAt(i);
    if (ch > 127) return squash(cell) === key;
    if (ch >= 65 && ch <= 90) ch += 32;
    else if (!((ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57))) continue;
    if (j >= key.length || key.charCodeAt(j) !== ch) return false;
    j++;
  }
  return j === key.length;
}

/** Text fields a deal row fills and a totals or header row puts its label in. */
const LABEL_FIELDS = ["stage", "name", "company", "dealId", "owner", "status"] as const satisfies readonly Field[];

/**
 * The kind of every row below `headerRow`, index-aligned with the data rows (entry k is sheet row
 * headerRow + 2 + k, 1-based). A row is "blank" when every mapped column is blank (notes in unmapped
 * columns do not make a deal); "header" when at least half of its non-blank mapped cells repeat their
 * column's header; "total" when a label cell says Total/Sum/Gesamt… and the stage cell does not name a
 * stage (it is blank or the label itself); "group" when its only non-blank cell is a text with the stage
 * blank and a repeated header row follows it.
 */
export function classifyRows(grid: Grid, headerRow: number, columns: RowColumns): RowKind[] {
  const mapped = [...new Set(Object.values(columns.fields).filter((c): c is number => typeof c === "number"))];
  const headerKeys = columns.headers.map(squash);
  const labelCols = LABEL_FIELDS.map((f) => columns.fields[f]).filter((c): c is number => c !== undefined);
  const stageCol = columns.fields.stage;
  // Folding every cell to compare it with its header would cost more than the rest of the read: a cheap
  // look at its first letter and its length rules out nearly every deal cell first.
  // Typed arrays by column, read for every mapped cell of a million rows (with TOTAL_START: classifyRows at 1M
  // synthetic deals about 505 -> 430 ms); a column past the headers reads undefined, so repeats no header.
  const firstOf = Int32Array.from(headerKeys, (k) => (k === "" ? -1 : k.charCodeAt(0)));
  const maxLen = Int32Array.from(columns.headers, (h) => h.length * 2 + 8);
  const minLen = Int32Array.from(headerKeys, (k) => k.length);
  const mayRepeat = (cell: string, c: number): boolean => {
    const want = firstOf[c] ?? -1;
    if (want < 0 || cell.length > (maxLen[c] ?? 0) || cell.length < (minLen[c] ?? 0)) return false;
    let i = 0;
    while (i < cell.length && !isAlnum(cell.charCodeAt(i))) i++;
    const ch = cell.charCodeAt(i);
    return (ch >= 65 && ch <= 90 ? ch + 32 : ch) === want || ch > 127;
  };
  const labels = labelCols.length > 0 ? labelCols : [0];
  const first = headerRow + 1;
  const kinds: (RowKind | "counted group")[] = new Array<RowKind | "counted group">(Math.max(0, grid.length - first));

  for (let r = first; r < grid.length; r++) {
    const row = grid[r] ?? [];
    let filled = 0;
    let repeats = 0;
    for (const c of mapped) {
      const cell = row[c];
      if (isBlank(cell)) continue;
      filled++;
      if (typeof cell === "string" && mayRepeat(cell, c) && squashesTo(cell, headerKeys[c] ?? "")) repeats++;
    }
    let kind: RowKind | "counted group" = "deal";
    if (filled === 0) kind = "blank";
    else if (repeats === filled || (repeats >= 2 && repeats * 2 >= filled)) kind = "header";
    else {
      for (const c of labels) {
        const cell = row[c];
        if (!mayBeTotal(cell)) continue;
        const t = cell.trim();
        if (!isTotalText(t)) continue;
        const stageText = stageCol === undefined ? "" : textOf(row[stageCol]);
        if (stageText === "" || stageText === t || isTotalText(stageText)) {
          kind = "total";
          break;
        }
      }
      if (kind === "deal" && stageCol !== undefined && isBlank(row[stageCol])) {
        // A group title: one text and, at most, the group's sums ("New (3)" over its deals' total).
        let texts = 0;
        let label = "";
        for (const c of mapped) {
          const cell = row[c];
          if (typeof cell === "string" && cell.trim() !== "" && !NUMBER_TEXT.test(cell.trim())) {
            texts++;
            label = cell.trim();
          } else if (!isBlank(cell) && typeof cell !== "number" && !(typeof cell === "string" && NUMBER_TEXT.test(cell.trim()))) texts += 2;
        }
        if (texts === 1 && (filled === 1 || GROUP_COUNT.test(label))) kind = GROUP_COUNT.test(label) ? "counted group" : "group";
      }
    }
    kinds[r - first] = kind;
  }

  // A lone text is a group title only when a header row follows it; otherwise it is a deal with little filled in.
  // One that counts its deals ("Won (3)") is a title wherever it stands.
  return kinds.map((k, i): RowKind => {
    if (k === "counted group") return "group";
    if (k !== "group") return k;
    let n = i + 1;
    while (n < kinds.length && kinds[n] === "blank") n++;
    return kinds[n] === "header" ? "group" : "deal";
  });
}

/** How many rows of each kind, for the summary. */
export function countRows(kinds: readonly RowKind[]): RowCounts {
  const counts: RowCounts = { deal: 0, blank: 0, header: 0, total: 0, group: 0 };
  for (let i = 0; i < kinds.length; i++) counts[kinds[i] as RowKind]++;
  return counts;
}
