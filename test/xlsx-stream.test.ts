// The deals sheet is read and written as a stream of text pieces, never as one text: with pieces of a few dozen
// bytes (tags, rows and multi-byte characters cut in two), the grid read and the bytes written are the same as with
// the usual pieces of megabytes. Long cell text is shown shortened at the terminal, kept whole in --json.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import type { WorkbookPlan } from "../core/types.js";
import { openWorkbook, pickDealsSheet, saveWorkbook, workbookFromPackage } from "../cli/io/xlsx.js";
import { NEW_STYLE, newWorkbookWithLayout } from "../cli/io/xlsx-pkg/new-book.js";
import { shorten, terminalMessage } from "../cli/output.js";
import { ROOT, runCli, workbookPlan } from "./cli-harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pipesheet-xlsx-stream-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every entry of a zip file, inflated. */
async function entries(path: string): Promise<Map<string, string>> {
  const zip = await yauzl.fromBufferPromise(await readFile(path), { lazyEntries: true });
  const out = new Map<string, string>();
  for await (const e of zip.eachEntry()) {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
    const buf = await readFile(path);
    const raw = buf.subarray(fileDataStart, fileDataStart + e.compressedSize);
    out.set(e.fileName, (e.compressionMethod === 8 ? inflateRawSync(raw) : raw).toString("utf8"));
  }
  zip.close();
  return out;
}

/** Where two texts first differ, with a little of each around it; null when they are the same. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 80), i + 80))} vs ${JSON.stringify(b.slice(Math.max(0, i - 80), i + 80))}`;
}

const ROWS = 300;

/** A team's workbook: a deals sheet with text in several scripts, a formula, a merged cell and a rule of theirs. */
async function teamBook(): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Deals");
  ws.addRow(["Deal name", "Stage", "Value", "Notes", "Score"]);
  for (let i = 1; i <= ROWS; i++) ws.addRow([`Déal ${i} — ü 🙂 日本`, i % 3 === 0 ? "Won" : "Qualified", i * 100, i % 7 === 0 ? "" : `note ${"ß".repeat(i % 13)}`, i % 5]);
  (ws.getCell("F2") as ExcelJS.Cell).value = { formula: "C2*2" };
  ws.mergeCells("G4:H5");
  ws.addConditionalFormatting({ ref: "C2:C301", rules: [{ type: "cellIs", operator: "greaterThan", formulae: ["1000"], priority: 1, style: { font: { bold: true } } }] });
  wb.addWorksheet("Other").addRow(["kept", "as it was"]);
  const path = join(dir, "team.xlsx");
  await wb.xlsx.writeFile(path);
  return path;
}

function plan(): WorkbookPlan {
  const score = Array.from({ length: ROWS }, (_, i) => (i % 4 === 0 ? "" : i % 11));
  const fill = Array.from({ length: ROWS }, (_, i) => (i % 9 === 0 ? `filled ✓ ${i}` : null));
  const day = Array.from({ length: ROWS }, (_, i) => 46000 + i);
  return workbookPlan({
    rowCount: ROWS,
    columns: [
      { key: "score", header: "Score", col: 4, created: false, mode: "all", values: score, numberFormat: "0" },
      { key: "nextStep", header: "Notes", col: 3, created: false, mode: "fill", values: fill },
      { key: "stageEntered", header: "Stage entered", col: 8, created: true, mode: "all", values: day, numberFormat: "yyyy-mm-dd", kind: "date" },
    ],
  });
}

/** The file patched by the plan, with the deals sheet read and written in pieces of `chunk` bytes (undefined: the usual). */
async function patched(path: string, name: string, chunk?: number, noCrc32 = false): Promise<{ out: string; grid: unknown[][] }> {
  const wb = await openWorkbook(path);
  if (chunk !== undefined) wb.pkg.textChunk = chunk;
  // As on Node 20.9–20.14, which have no zlib.crc32: fflate deflates and checks every changed part itself.
  if (noCrc32) wb.pkg.crc32 = undefined;
  const deals = pickDealsSheet(wb, "Deals", () => true, path);
  const out = join(dir, name);
  await saveWorkbook(wb, deals, plan(), out);
  return { out, grid: deals.grid };
}

describe("the deals sheet as a stream", () => {
  it("reads and writes the same with pieces of a few bytes as with pieces of megabytes", async () => {
    const path = await teamBook();
    const big = await patched(path, "big.xlsx");
    const small = await patched(path, "small.xlsx", 29);
    expect(small.grid).toEqual(big.grid);
    expect(big.grid.length).toBe(ROWS + 1);
    expect(big.grid[5]?.[0]).toBe("Déal 5 — ü 🙂 日本");

    const a = await entries(big.out);
    const b = await entries(small.out);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, text] of a) expect(firstDifference(text, b.get(name) ?? ""), name).toBeNull();

    // And what was written is the plan's cells, the team's kept: read back as pipesheet reads it.
    const back = pickDealsSheet(await openWorkbook(small.out), "Deals", () => true, small.out).grid;
    expect(back[0]?.[8]).toBe("Stage entered");
    expect(back[1]?.[4]).toBeNull(); // "all": an empty value clears the cell
    expect(back[2]?.[4]).toBe(1);
    expect(back[1]?.[3]).toBe("filled ✓ 0"); // "fill": written where core has a value
    expect(back[2]?.[3]).toBe("note ßß"); // … and the team's text left where it has none
    expect(back[10]?.[8]).toBeInstanceOf(Date);
    expect(back[3]?.[0]).toBe("Déal 3 — ü 🙂 日本");
    const sheet = [...b.entries()].find(([n]) => n.endsWith("sheet1.xml"))?.[1] ?? "";
    expect(sheet).toContain("<f>C2*2</f>");
    expect(sheet).toMatch(/<mergeCell ref="G4:H5"\/>/);
    expect(sheet).toMatch(/<conditionalFormatting sqref="C2:C301">/);
  });
});

describe("without Node's zlib.crc32 (Node before 20.15)", () => {
  it("writes every part as with it: the deals sheet's new strings and styles reach their parts", async () => {
    const path = await teamBook();
    const withCrc = await entries((await patched(path, "crc.xlsx")).out);
    const without = await entries((await patched(path, "no-crc.xlsx", undefined, true)).out);
    expect([...without.keys()]).toEqual([...withCrc.keys()]);
    for (const [name, text] of withCrc) expect(firstDifference(text, without.get(name) ?? ""), name).toBeNull();
    expect([...without.values()].some((t) => t.includes("filled ✓ 0"))).toBe(true);
  });
});

describe("a new workbook (setup from a CSV file)", () => {
  it("writes the same whether its rows are kept as made or made again as they are streamed", async () => {
    const grid = [["Deal name", "Stage", "Value", "Notes", "Score"], ...Array.from({ length: ROWS }, (_, i) => [`Déal ${i + 1} 🙂`, "Qualified", i * 10, i % 2 === 0 ? "ß" : "", i % 5])];
    const write = async (keep: number | undefined, name: string): Promise<Map<string, string>> => {
      const made = newWorkbookWithLayout("Deals", grid, (r, c) => (r === 0 ? NEW_STYLE.header : c === 2 ? NEW_STYLE.integer : NEW_STYLE.plain), 1, [12, 12, 8, 8, 8], keep);
      const wb = workbookFromPackage(made.pkg, name);
      const sheet = wb.book.find("Deals");
      if (!sheet) throw new Error("no Deals sheet");
      const out = join(dir, name);
      await saveWorkbook(wb, { sheet, grid, layout: made.layout }, plan(), out);
      return entries(out);
    };
    const kept = await write(undefined, "kept.xlsx");
    const remade = await write(0, "remade.xlsx");
    expect([...remade.keys()]).toEqual([...kept.keys()]);
    for (const [name, text] of kept) expect(firstDifference(text, remade.get(name) ?? ""), name).toBeNull();
    const back = pickDealsSheet(await openWorkbook(join(dir, "remade.xlsx")), "Deals", () => true, "remade.xlsx").grid;
    expect(back[7]?.[0]).toBe("Déal 7 🙂");
    expect(back[7]?.[8]).toBeInstanceOf(Date);
  });
});

describe("long cell text at the terminal", () => {
  it("shortens a quoted cell text and the whole message, never a surrogate pair in half", () => {
    expect(shorten("abcdef", 4)).toBe("abc…");
    expect(shorten("abc", 4)).toBe("abc");
    expect(shorten("ab🙂cd", 4)).toBe("ab…");
    const msg = terminalMessage(`Adopted "${"word ".repeat(4000)}" from your sheet`);
    expect(msg.length).toBeLessThan(120);
    expect(msg).toMatch(/^Adopted "word word .*…" from your sheet$/);
  });

  it("review prints a 20,000-character stage in a few lines; --json keeps it whole", async () => {
    const csv = (await readFile(join(ROOT, "samples", "pipeline.csv"), "utf8")).split(/\r?\n/);
    const header = (csv[0] ?? "").split(",");
    const stage = header.indexOf("Stage");
    const long = Array.from({ length: 4000 }, (_, i) => `w${i}`).join(" ");
    const row = (csv[1] ?? "").split(",");
    row[stage] = long;
    const path = join(dir, "long.csv");
    await writeFile(path, [csv[0], row.join(","), ...csv.slice(2)].join("\n"));
    const text = await runCli(["review", path, "--today", "2026-11-26", "--width", "80"]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    const adopted = lines.findIndex((l) => l.includes(`Adopted "w0 w1 w2`));
    expect(adopted).toBeGreaterThan(0);
    expect(lines.slice(adopted, adopted + 3).join(" ")).toContain("…");
    expect(text.stdout).not.toContain("w3999");
    expect(lines.length).toBeLessThan(200);
    const json = await runCli(["review", path, "--today", "2026-11-26", "--json"]);
    const doc = JSON.parse(json.stdout) as { problems: { message: string }[] };
    expect(doc.problems.some((p) => p.message.includes(long))).toBe(true);
  });
});
