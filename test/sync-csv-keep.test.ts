// A CSV comes out of a sync with only the cells that changed changed: the same encoding and BOM, delimiter,
// line breaks and quoting; the team's own cells byte for byte (a "+1 call back" gains no apostrophe); negative
// money in every locale stays a number; only what pipesheet writes is guarded against formula injection.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeCsvBytes, type CsvEncoding } from "../cli/io/csv.js";
import { runInProcess } from "./fakes/sheets-api/harness.js";
import { syncSandbox } from "./helpers/sync-sandbox.js";

const box = syncSandbox("keep");
const { fresh, sync } = box;

/**
 * Syncs `team` (the file under test) with a plain UTF-8 copy, edits the copy with `edit`, syncs again, and
 * returns the team file's bytes and the second run's output.
 */
async function roundTrip(team: Buffer, copy: string, edit: (copy: string) => string): Promise<{ bytes: Buffer; stdout: string; code: number }> {
  const d = fresh();
  const a = join(d, "team.csv");
  const b = join(d, "copy.csv");
  writeFileSync(a, team);
  writeFileSync(b, copy);
  const first = await sync(a, b);
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: "" });
  expect(readFileSync(a).equals(team)).toBe(true);
  writeFileSync(b, edit(readFileSync(b, "utf8")));
  const r = await sync(a, b);
  return { bytes: readFileSync(a), stdout: r.stdout, code: r.code };
}

const TEAM = ["Deal ID,Deal,Stage,Value,Notes", "D-000001,Café Müller,Proposal,1200,+1 call back", "D-000002,Señor Öl,Meeting,800,naïve", ""].join("\r\n");

describe("encodings and byte-order marks", () => {
  const cases: { name: string; encoding: CsvEncoding; bom: boolean; note: RegExp | null }[] = [
    { name: "UTF-8", encoding: "utf-8", bom: false, note: null },
    { name: "UTF-8 with BOM", encoding: "utf-8", bom: true, note: null },
    { name: "UTF-16 LE with BOM (Excel's Unicode text)", encoding: "utf-16le", bom: true, note: /read as UTF-16 LE \(it starts with a byte-order mark\), and is written back the same way/ },
    { name: "UTF-16 LE without BOM", encoding: "utf-16le", bom: false, note: /read as UTF-16 LE, and is written back/ },
    { name: "UTF-16 BE with BOM", encoding: "utf-16be", bom: true, note: /read as UTF-16 BE \(it starts/ },
    { name: "UTF-16 BE without BOM", encoding: "utf-16be", bom: false, note: /read as UTF-16 BE, and/ },
    { name: "Windows-1252", encoding: "windows-1252", bom: false, note: /read as Windows-1252 \(Latin-1\), and is written back/ },
  ];
  const bytes = (text: string, encoding: CsvEncoding, bom: boolean): Buffer => iconv.encode(text, encoding, { addBOM: bom });
  it.each(cases)("$name: read, and written back in it with only the changed cell changed", async ({ encoding, bom, note }) => {
    const team = bytes(TEAM, encoding, bom);
    expect(decodeCsvBytes(team)).toMatchObject({ text: TEAM, encoding, bom });
    const r = await roundTrip(team, TEAM, (c) => c.replace("Señor Öl,Meeting", "Señor Öl,Negotiation"));
    expect(r.code).toBe(0);
    expect(r.bytes.equals(bytes(TEAM.replace("Señor Öl,Meeting", "Señor Öl,Negotiation"), encoding, bom))).toBe(true);
    if (note) expect(r.stdout).toMatch(note);
    else expect(r.stdout).not.toMatch(/was read as/);
  });

  it("refuses, before writing either side, a change a Windows-1252 file cannot hold", async () => {
    const d = fresh();
    const a = join(d, "team.csv");
    const b = join(d, "copy.csv");
    const team = bytes(TEAM, "windows-1252", false);
    writeFileSync(a, team);
    writeFileSync(b, TEAM);
    expect((await sync(a, b)).code).toBe(0);
    writeFileSync(b, TEAM.replace("naïve", "naïve 東京").replace("Proposal", "Won"));
    const r = await sync(a, b);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/team\.csv is a Windows-1252 file, which cannot hold "東" \(in "naïve 東京"\); save it as UTF-8 .* Nothing was written/);
    expect(readFileSync(a).equals(team)).toBe(true);
  });
});

describe("delimiters, line breaks and quoting", () => {
  const variants: { name: string; text: string; edit: [string, string] }[] = [
    { name: "LF line breaks", text: TEAM.replace(/\r\n/g, "\n"), edit: ["Proposal", "Won"] },
    { name: "CRLF, no line break at the end", text: TEAM.slice(0, -2), edit: ["Proposal", "Won"] },
    { name: "semicolons", text: TEAM.replace(/,/g, ";"), edit: ["Proposal", "Won"] },
    { name: "tabs", text: TEAM.replace(/,/g, "\t"), edit: ["Proposal", "Won"] },
    { name: "every field quoted", text: TEAM.split("\r\n").map((l) => (l === "" ? l : l.split(",").map((f) => `"${f}"`).join(","))).join("\r\n"), edit: ['"Proposal"', '"Won"'] },
    { name: "quoted fields with delimiters, quotes and line breaks", text: 'Deal ID,Deal,Stage,Notes\r\nD-000001,"Acme, Inc.",Proposal,"said ""maybe""\nthen yes"\r\nD-000002,  spaced  ,Meeting,"plain"\r\n', edit: ["Proposal", "Won"] },
  ];
  it.each(variants)("$name: kept, with only the changed field changed", async ({ text, edit }) => {
    const d = fresh();
    const a = join(d, "team.csv");
    const b = join(d, "copy.csv");
    writeFileSync(a, text);
    writeFileSync(b, text);
    expect((await sync(a, b)).code).toBe(0);
    writeFileSync(b, text.replace(edit[0], edit[1]));
    const r = await sync(a, b);
    expect(r.code).toBe(0);
    expect(readFileSync(a, "utf8")).toBe(text.replace(edit[0], edit[1]));
  });

  it("a new row and a new column follow the file's delimiter, line breaks and quoting style", async () => {
    const d = fresh();
    const a = join(d, "team.csv");
    const b = join(d, "copy.csv");
    writeFileSync(a, '"Deal";"Stage";"Value"\n"Acme";"Proposal";"1200"\n');
    writeFileSync(b, "Deal;Stage;Value\nAcme;Proposal;1200\nBeta;Meeting;800\n");
    const r = await sync(a, b);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(a, "utf8")).toBe('"Deal";"Stage";"Value";"Deal ID"\n"Acme";"Proposal";"1200";"D-000001"\n"Beta";"Meeting";"800";"D-000002"\n');
  });
});

describe("the team's own cells", () => {
  it("cells nobody changed keep their text, even where a new value would be guarded", async () => {
    const team = ["Deal ID,Deal,Stage,Notes,Formula", "D-000001,Acme,Proposal,+1 call back,=SUM(D2:D9)", "D-000002,Beta,Meeting,'+1 call back,@home", "D-000003,Gamma,Won,-not a number,-1200", ""].join("\r\n");
    const r = await roundTrip(Buffer.from(team), team, (c) => c.replace("Acme,Proposal", "Acme,Won").replace("Gamma,Won", "Gamma,Lost"));
    expect(r.code).toBe(0);
    expect(r.bytes.toString("utf8")).toBe(team.replace("Acme,Proposal", "Acme,Won").replace("Gamma,Won", "Gamma,Lost"));
  });

  it("a value pipesheet writes that a spreadsheet would run is guarded; reading it back is no change", async () => {
    const team = ["Deal ID,Deal,Notes", "D-000001,Acme,ok", ""].join("\r\n");
    const r = await roundTrip(Buffer.from(team), team, (c) => c.replace(",ok", ',"=HYPERLINK(""http://x"",""y"")"'));
    expect(r.code).toBe(0);
    expect(r.bytes.toString("utf8")).toBe(`Deal ID,Deal,Notes\r\nD-000001,Acme,"'=HYPERLINK(""http://x"",""y"")"\r\n`);
  });
});

describe("negative money stays a number, in every locale", () => {
  const cases: { name: string; delimiter: string; value: string }[] = [
    { name: "-1,200 (comma thousands)", delimiter: ";", value: "-1,200" },
    { name: "-$1,200 (currency first)", delimiter: ",", value: '"-$1,200"' },
    { name: "-1200,50 (decimal comma, ; file)", delimiter: ";", value: "-1200,50" },
    { name: "-1.200,50 € (German)", delimiter: ";", value: "-1.200,50 €" },
    { name: "-1 200,50 (French, narrow no-break space)", delimiter: ";", value: "-1\u202f200,50" },
    { name: "-CHF 1'200.50 (Swiss)", delimiter: ";", value: "-CHF 1'200.50" },
    { name: "-12% (percent)", delimiter: ",", value: "-12%" },
  ];
  it.each(cases)("$name: kept when untouched, and written without an apostrophe when it comes across", async ({ delimiter, value }) => {
    const d = delimiter;
    const team = [`Deal ID${d}Deal${d}Value`, `D-000001${d}Acme${d}${value}`, `D-000002${d}Beta${d}5`, ""].join("\n");
    const untouched = await roundTrip(Buffer.from(team), team, (c) => c.replace(`Beta${d}5`, `Beta${d}6`));
    expect(untouched.bytes.toString("utf8")).toBe(team.replace(`Beta${d}5`, `Beta${d}6`));
    // The same value arriving from the other side is written as it is.
    const plain = team.replace(value, "1");
    const across = await roundTrip(Buffer.from(plain), plain, (c) => c.replace(`Acme${d}1`, `Acme${d}${value}`));
    expect(across.bytes.toString("utf8")).toBe(team);
  });
});

describe("every command that reads a CSV says which encoding it used when it was not UTF-8", () => {
  it.each([["review"], ["score"]])("%s", async (command) => {
    const d = fresh();
    const p = join(d, "deals.csv");
    writeFileSync(p, iconv.encode(TEAM, "utf-16le", { addBOM: true }));
    const r = await runInProcess([command, p, "--json", "--today", "2026-11-26", "--out", join(d, "out.csv")], box.harness().env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const notes = (JSON.parse(r.stdout) as { notes: string[] }).notes;
    expect(notes[0]).toBe(`${p} was read as UTF-16 LE (it starts with a byte-order mark)`);
    expect(readFileSync(join(d, "out.csv"), "utf8")).toContain("Café Müller");
  });
});
