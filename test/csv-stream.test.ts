// readCsvFile parses a UTF-8 file as it reads it, 1 MiB at a time. Each case is checked against the file read
// whole (decodeCsvBytes, then parseCsv), on real files written to disk, where chunk edges fall inside
// characters, quoted fields and records.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterAll, describe, expect, it } from "vitest";
import { decodeCsvBytes, parseCsv, readCsvFile } from "../cli/io/csv.js";
import { CliError } from "../cli/errors.js";

const dir = mkdtempSync(join(tmpdir(), "pipesheet-csv-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1024 * 1024;

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The reference: the whole file decoded, then parsed as one text. */
function whole(path: string, bytes: Buffer): { grid: string[][]; encoding: string; bom: boolean } {
  const d = decodeCsvBytes(bytes);
  return { grid: parseCsv(d.text, path).grid, encoding: d.encoding, bom: d.bom };
}

/** About `mb` MiB of deals whose names hold multi-byte characters and quoted line breaks, so chunk edges split them. */
function bigCsv(mb: number, sep = ","): string {
  const lines = [["Deal ID", "Deal name", "Stage", "Value", "Notes"].join(sep)];
  let size = 0;
  for (let i = 0; size < mb * MiB; i++) {
    const line = [`D-${i}`, `Ünïcødé € 深圳 ${i}`, i % 3 ? "Proposal" : "Won", String(1000 + i), i % 7 ? "plain" : `"a ""quoted"" note${sep} with\nline break"`].join(sep);
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return `${lines.join("\n")}\n`;
}

describe("readCsvFile streams UTF-8 files", () => {
  it("a 3 MiB file with multi-byte characters and quoted line breaks across chunk edges reads as the whole text does", async () => {
    const bytes = Buffer.from(bigCsv(3), "utf8");
    const path = write("big.csv", bytes);
    const ref = whole(path, bytes);
    const got = await readCsvFile(path);
    expect(ref.grid.length).toBeGreaterThan(30_000);
    expect(got.grid).toEqual(ref.grid);
    expect([got.encoding, got.bom, got.delimiter, got.newline, got.bytes]).toEqual(["utf-8", false, ",", "\n", bytes.length]);
  });

  it("a byte-order mark is dropped and reported; a ';' file keeps its delimiter", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bigCsv(2, ";"), "utf8")]);
    const path = write("bom.csv", bytes);
    const got = await readCsvFile(path);
    expect(got.grid).toEqual(whole(path, bytes).grid);
    expect(got.grid[0]?.[0]).toBe("Deal ID");
    expect([got.encoding, got.bom, got.delimiter]).toEqual(["utf-8", true, ";"]);
  });

  it("a Windows-1252 byte found 2 MiB in: the file is read again as Windows-1252, nothing lost", async () => {
    const text = `${bigCsv(2).replace(/[^ -~\n]/g, "e")}D-last,Caf\u00e9 cr\u00e8me,Proposal,5,\u20ac note\n`;
    const bytes = iconv.encode(text, "windows-1252");
    const path = write("latin.csv", bytes);
    const got = await readCsvFile(path);
    expect(got.encoding).toBe("windows-1252");
    expect(got.grid.at(-1)).toEqual(["D-last", "Café crème", "Proposal", "5", "€ note"]);
    expect(got.grid).toEqual(whole(path, bytes).grid);
    expect(got.note).toContain("Windows-1252");
  });

  it("a quote never closed past the first MiB names its line, counting the quoted line breaks before it", async () => {
    const good = bigCsv(1.5);
    const line = good.split("\n").length; // the broken record's line: every line of the good part, plus one
    const path = write("broken.csv", Buffer.from(`${good}D-x,"never closed,Proposal,1,x\nD-y,ok,Proposal,2,y\n`, "utf8"));
    const err = await readCsvFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toContain(`line ${line}:`);
    expect((err as CliError).message).toContain("never closed");
  });

  it("an empty file and a header alone read as the whole text does", async () => {
    for (const [name, text] of [
      ["empty.csv", ""],
      ["header.csv", "Deal,Stage\n"],
      ["no-newline.csv", "Deal,Stage\nA,Won"],
    ] as const) {
      const bytes = Buffer.from(text, "utf8");
      const path = write(name, bytes);
      expect((await readCsvFile(path)).grid).toEqual(whole(path, bytes).grid);
    }
  });

  it("reports progress that rises to the whole file", async () => {
    const path = write("progress.csv", Buffer.from(bigCsv(3), "utf8"));
    const seen: number[] = [];
    await readCsvFile(path, (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
  });
});
