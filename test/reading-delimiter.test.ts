// A CSV's delimiter is a hint for the decimal mark: ";" is how European exports split fields, so a money
// column whose values prove nothing (lone "9.900"s) reads them as thousands; a "," file stays as it was.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../core/engine.js";
import type { Grid, Summary } from "../core/types.js";
import { readBook, runCli, tempDir } from "./cli-harness.js";

type Amounts = NonNullable<Summary["amounts"]>;

/** `setup` through the real CLI: the summary's amounts and the value cells of the .xlsx it wrote. */
async function setup(name: string, text: string): Promise<{ amounts: Amounts; cells: unknown[] }> {
  const dir = await tempDir();
  const file = join(dir, name);
  await writeFile(file, text);
  const out = join(dir, "managed.xlsx");
  const r = await runCli(["setup", file, "--out", out, "--today", "2026-06-01", "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const amounts = (JSON.parse(r.stdout) as { summary: Summary }).summary.amounts as Amounts;
  const ws = (await readBook(out)).getWorksheet("Deals");
  const rows = text.trim().split("\n").length;
  return { amounts, cells: Array.from({ length: rows - 1 }, (_, i) => ws?.getCell(`C${i + 2}`).value) };
}

describe("the delimiter as a hint for the decimal mark", () => {
  it('a ";" file with 9.900 and 12.500,00 € reads 9900 and 12500', async () => {
    const { amounts, cells } = await setup("eu.csv", "Deal;Stage;Amount\nStühle;Proposal;9.900\nTische;Proposal;12.500,00 €\n");
    expect(cells).toEqual([9900, 12500]);
    expect(amounts.decimal).toBe("comma");
  });

  it('a ";" file of lone 9.900s: the delimiter decides, and the summary says so', async () => {
    const { amounts, cells } = await setup("eu.csv", "Deal;Stage;Amount\nStühle;Proposal;9.900\nTische;Won;4.500\nLampen;Lost;12.500\n");
    expect(cells).toEqual([9900, 4500, 12500]);
    expect(amounts).toMatchObject({ decimal: "comma", basis: "delimiter", commaProof: 0, pointProof: 0, ambiguous: 3 });
    expect(amounts.evidence).toBe('decimal comma: no value proves the mark; the file is split by ";", as European exports are; 3 values such as 9.900 read either way, here as thousands (9900)');
  });

  it('the same values in a "," file with no other proof read as they did', async () => {
    const { amounts, cells } = await setup("us.csv", "Deal,Stage,Amount\nStühle,Proposal,9.900\nTische,Won,4.500\nLampen,Lost,12.500\n");
    expect(cells).toEqual([9.9, 4.5, 12.5]);
    expect(amounts).toMatchObject({ decimal: "point", basis: "settings", ambiguous: 3 });
  });

  it("proof in the values beats the delimiter, and the euro after an amount beats it too", () => {
    const amountsOf = (deals: Grid, delimiter?: string): Amounts =>
      run({ sheetName: "Deals", deals, settings: null, log: null, sheetNames: ["Deals"], ...(delimiter ? { delimiter } : {}) }, { command: "review", today: "2026-06-01" }).summary.amounts as Amounts;
    const sheet = (...values: string[]): Grid => [["Deal", "Stage", "Amount"], ...values.map((v, i) => [`D${i}`, "Proposal", v])];
    expect(amountsOf(sheet("9.900", "12.5"), ";")).toMatchObject({ decimal: "point", basis: "values" });
    expect(amountsOf(sheet("9.900", "4.500 €"), ";")).toMatchObject({ decimal: "comma", basis: "currency" });
    expect(amountsOf(sheet("9.900", "4.500"), ",")).toMatchObject({ decimal: "point", basis: "settings" });
    expect(amountsOf(sheet("9.900", "4.500"))).toMatchObject({ decimal: "point", basis: "settings" });
    expect(amountsOf(sheet("1.234,56", "3,5"), ";").evidence).toBe("decimal comma: 2 values prove it, 0 values a decimal point");
  });
});
