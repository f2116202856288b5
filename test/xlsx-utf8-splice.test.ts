// Splicing by text position with multi-byte UTF-8 before the places spliced: a deals sheet whose team cells (inline
// strings, left of pipesheet's columns), a comment in its head and a header/footer after its rows hold text of two,
// three and four bytes a character (a surrogate pair in UTF-16). Through setup and score in place, read and written
// in the usual pieces and in pieces of a few bytes that cut those characters in two, every byte of the sheet that
// pipesheet does not own stays as it was, and every other part is copied byte for byte.
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { WorkbookPlan } from "../core/types.js";
import { openWorkbook, pickDealsSheet, saveWorkbook } from "../cli/io/xlsx.js";
import { kids, local, parseTree, type El } from "../cli/io/xlsx-pkg/xml.js";
import { runCli, tempDir, workbookPlan } from "./cli-harness.js";
import { fileEntries, type ZipEntry } from "./zip-entries.js";

const dir = await tempDir();

const WIDE = "Zürich – 東京 😀";
const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const ROWS = 40;

const inline = (ref: string, text: string): string => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

/** The deals sheet's XML: multi-byte text in the head, in every row before pipesheet's columns, and after the rows. */
function dealsXml(): string {
  const rows = [`<row r="1" spans="1:4">${inline("A1", "Deal name")}${inline("B1", "Stage")}${inline("C1", `Team ${WIDE}`)}${inline("D1", "Value")}</row>`];
  for (let r = 2; r <= ROWS + 1; r++) {
    const stage = ["Prospecting", "Meeting", "Proposal", "Won", "Lost"][r % 5] as string;
    rows.push(`<row r="${r}" spans="1:4">${inline(`A${r}`, `Déal ${r} 😀`)}${inline(`B${r}`, stage)}${inline(`C${r}`, `${WIDE} ${"ß".repeat(r % 7)}`)}<c r="D${r}"><v>${r * 1000}</v></c></row>`);
  }
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}><!-- ${WIDE}: the team's note --><dimension ref="A1:D${ROWS + 1}"/>` +
    `<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData>${rows.join("")}</sheetData>` +
    `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><headerFooter><oddHeader>&amp;C${WIDE}</oddHeader></headerFooter></worksheet>`
  );
}

/** A workbook as another program would write it: the deals sheet and a sheet of the team's, both with wide text. */
async function teamBook(name: string): Promise<string> {
  const files: Record<string, string> = {
    "[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
    "_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    "xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${NS}><sheets><sheet name="Deals" sheetId="1" r:id="rId1"/><sheet name="Notes ${WIDE}" sheetId="2" r:id="rId2"/></sheets></workbook>`,
    "xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    "xl/styles.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>`,
    "xl/worksheets/sheet1.xml": dealsXml(),
    "xl/worksheets/sheet2.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}><sheetData><row r="1">${inline("A1", WIDE)}</row></sheetData></worksheet>`,
  };
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])), { level: 6 });
  const path = join(dir, name);
  await writeFile(path, zip);
  return path;
}

const SHARED = ["[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml"];
const DEALS = "xl/worksheets/sheet1.xml";
const slice = (xml: string, el: El): string => xml.slice(el.start, el.end);

/** The team's cells of the deals sheet (columns A to D) by reference, as text. */
function teamCells(xml: string): Map<string, string> {
  const root = parseTree(xml);
  const data = root.children.find((c) => local(c.name) === "sheetData") as El;
  const m = new Map<string, string>();
  for (const row of kids(data, "row")) for (const c of kids(row, "c")) if (/^[A-D]\d+$/.test(c.attrs.r ?? "")) m.set(c.attrs.r ?? "", slice(xml, c));
  return m;
}

/** The sheet's text with each row cut at its first cell right of column D: what is left is the team's. */
function withoutOwnCells(xml: string): string {
  const root = parseTree(xml);
  const data = root.children.find((c) => local(c.name) === "sheetData") as El;
  const cuts: [number, number][] = [];
  for (const row of kids(data, "row")) for (const c of kids(row, "c")) if (!/^[A-D]\d+$/.test(c.attrs.r ?? "")) cuts.push([c.start, c.end]);
  let out = "";
  let at = 0;
  for (const [a, b] of cuts) {
    out += xml.slice(at, a);
    at = b;
  }
  return out + xml.slice(at);
}

function expectTeamBytesKept(before: Map<string, ZipEntry>, after: Map<string, ZipEntry>): void {
  for (const [name, e] of before) {
    if (SHARED.includes(name) || name === DEALS) continue;
    expect(after.get(name)?.raw.equals(e.raw), name).toBe(true);
  }
  const a = before.get(DEALS)?.text ?? "";
  const b = after.get(DEALS)?.text ?? "";
  // Every team cell the same text, and the same in the same places.
  const ca = teamCells(a);
  const cb = teamCells(b);
  expect(ca.size).toBe((ROWS + 1) * 4);
  for (const [ref, text] of ca) expect(cb.get(ref), ref).toBe(text);
  expect(cb.get("C2")).toContain(WIDE);
  // Around sheetData: the head's comment and the header/footer after the rows, as they were.
  const ra = parseTree(a);
  const rb = parseTree(b);
  const kept = (root: El, xml: string): string[] => root.children.filter((c) => ["sheetViews", "sheetFormatPr", "pageMargins", "headerFooter"].includes(local(c.name))).map((c) => slice(xml, c));
  expect(kept(rb, b)).toEqual(kept(ra, a));
  expect(b).toContain(`<!-- ${WIDE}: the team's note -->`);
  expect(b).toContain(`<oddHeader>&amp;C${WIDE}</oddHeader>`);
  // The rows with pipesheet's cells taken out: each row's text is the team's as it was (spans widened only).
  const rows = (xml: string): string[] => (withoutOwnCells(xml).match(/<row [^>]*>.*?<\/row>/g) ?? []).map((r) => r.replace(/ spans="[^"]*"/, ""));
  expect(rows(b)).toEqual(rows(a));
}

function plan(): WorkbookPlan {
  const score = Array.from({ length: ROWS }, (_, i) => i % 11);
  const note = Array.from({ length: ROWS }, (_, i) => `nächster Schritt ${WIDE} ${i}`);
  return workbookPlan({
    rowCount: ROWS,
    columns: [
      { key: "score", header: "Score", col: 4, created: true, mode: "all", values: score, numberFormat: "0" },
      { key: "nextStep", header: `Next ${WIDE}`, col: 5, created: true, mode: "all", values: note },
    ],
  });
}

describe("splicing after multi-byte text", () => {
  it.each([
    ["the usual pieces", undefined],
    ["pieces of 5 bytes, cutting characters in two", 5],
    ["pieces of 7 bytes", 7],
  ])("a plan written with %s keeps every byte of the team's", async (_label, chunk) => {
    const path = await teamBook(`plan-${chunk ?? "usual"}.xlsx`);
    const before = await fileEntries(path);
    const wb = await openWorkbook(path);
    if (chunk !== undefined) wb.pkg.textChunk = chunk;
    const deals = pickDealsSheet(wb, "Deals", () => true, path);
    expect(deals.grid[1]?.[2]).toBe(`${WIDE} ${"ß".repeat(2)}`);
    const out = join(dir, `out-${chunk ?? "usual"}.xlsx`);
    await saveWorkbook(wb, deals, plan(), out);
    const after = await fileEntries(out);
    expectTeamBytesKept(before, after);
    const back = pickDealsSheet(await openWorkbook(out), "Deals", () => true, out).grid;
    expect(back[0]?.slice(4, 6)).toEqual(["Score", `Next ${WIDE}`]);
    expect(back[3]?.slice(0, 6)).toEqual([`Déal 4 😀`, "Lost", `${WIDE} ${"ß".repeat(4)}`, 4000, 2, `nächster Schritt ${WIDE} 2`]);
  });

  it("setup and score in place keep every byte of the team's", async () => {
    const path = await teamBook("cli.xlsx");
    const kept = join(dir, "cli-before.xlsx");
    await copyFile(path, kept);
    for (const [command, today] of [
      ["setup", "2026-11-20"],
      ["score", "2026-11-26"],
    ] as const) {
      const r = await runCli([command, path, "--today", today, "--in-place"]);
      expect(r.stderr, command).toBe("");
      expect(r.code, command).toBe(0);
    }
    expectTeamBytesKept(await fileEntries(kept), await fileEntries(path));
  });
});
