import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CliError } from "../cli/errors.js";
import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";
import { decodeCsv, decodeCsvBytes, detectDelimiter, encodeCsvText, neutraliseFormula, parseCsv, toCsv, type CsvEncoding } from "../cli/io/csv.js";

describe("parseCsv", () => {
  const cases: { name: string; text: string; grid: string[][]; delimiter?: string }[] = [
    { name: "plain", text: "a,b\n1,2\n", grid: [["a", "b"], ["1", "2"]] },
    { name: "no final newline", text: "a,b\n1,2", grid: [["a", "b"], ["1", "2"]] },
    { name: "CRLF", text: "a,b\r\n1,2\r\n", grid: [["a", "b"], ["1", "2"]] },
    { name: "quoted comma and quote", text: 'a,b\n"$12,500","say ""hi"""\n', grid: [["a", "b"], ["$12,500", 'say "hi"']] },
    { name: "line break inside quotes", text: 'a,b\n"two\nlines",x\n', grid: [["a", "b"], ["two\nlines", "x"]] },
    { name: "leading zeros stay text", text: "id,phone\n007,0123456\n", grid: [["id", "phone"], ["007", "0123456"]] },
    { name: "blank line in the middle kept as a row", text: "a,b\n1,2\n\n3,4\n", grid: [["a", "b"], ["1", "2"], [""], ["3", "4"]] },
    { name: "semicolons (European export)", text: "a;b\n1;12,5\n2;3\n", grid: [["a", "b"], ["1", "12,5"], ["2", "3"]], delimiter: ";" },
    { name: "tabs", text: "a\tb\n1\t2\n3\t4\n", grid: [["a", "b"], ["1", "2"], ["3", "4"]], delimiter: "\t" },
    { name: "a quote inside an unquoted field is kept literally", text: 'a,b\n5" pipe,2\n', grid: [["a", "b"], ['5" pipe', "2"]] },
  ];
  it.each(cases)("$name", ({ text, grid, delimiter }) => {
    const r = parseCsv(text, "t.csv");
    expect(r.grid).toEqual(grid);
    if (delimiter) expect(r.delimiter).toBe(delimiter);
  });

  const bad: { name: string; text: string; line: number }[] = [
    { name: "unclosed quote", text: 'a,b\n1,"never closed\n2,3\n', line: 2 },
    { name: "text after closing quote", text: 'a,b\n1,2\n3,"x"y\n4,5\n', line: 3 },
    { name: "after a field with line breaks", text: 'a,b\n"one\ntwo\nthree",1\n2,3\n4,"bad"q\n', line: 6 },
    { name: "CRLF file", text: 'a,b\r\n1,2\r\n3,4\r\n5,"oops"!\r\n', line: 4 },
  ];
  it.each(bad)("refuses malformed quotes: $name, naming line $line", ({ text, line }) => {
    let err: unknown;
    try {
      parseCsv(text, "deals.csv");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).cause.code).toBe("BAD_CSV");
    expect((err as CliError).cause.exitCode).toBe(3);
    expect((err as CliError).message).toContain(`deals.csv line ${line}:`);
  });

  it("finds the line of a malformed quote past the first chunk of a big file", () => {
    const rows = ["id,name"];
    for (let i = 0; i < 250_000; i++) rows.push(`${i},"name ${i}"`);
    rows.push('x,"broken"here');
    const text = `${rows.join("\n")}\n`;
    expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(() => parseCsv(text, "big.csv")).toThrow(`big.csv line ${rows.length}:`);
  });

  it("reports progress up to the whole text", () => {
    const text = `a,b\n${"1,2\n".repeat(2_000_000)}`;
    const seen: number[] = [];
    parseCsv(text, "p.csv", (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (seen[i - 1] as number)))).toBe(true);
    expect(seen[seen.length - 1]).toBe(1);
  });
});

describe("detectDelimiter", () => {
  it.each([
    ["Deal,Stage,Value\nA,Won,5\n", ","],
    ["Deal;Stage;Value\nA;Won;12,5\nB;Lost;1,25\n", ";"],
    ["Deal\tStage\tValue\nA\tWon\t5\n", "\t"],
    ["Deal|Stage\nA|Won\n", "|"],
    ['"Deal, name";Stage;Value\n"A, B";Won;5\n', ";"],
    ["\n\nDeal;Stage\n", ";"],
    ["Deal\nA\n", ","],
    ["a,b;c\n1,2;3\n", ","],
  ])("%j -> %j", (text, d) => {
    expect(detectDelimiter(text)).toBe(d);
  });
});

describe("decodeCsv", () => {
  it.each([
    ["UTF-8", Buffer.from("Stage,Value\nWon,5\n", "utf8")],
    ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Stage,Value\nWon,5\n", "utf8")])],
    ["UTF-16 LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Stage,Value\nWon,5\n", "utf16le")])],
    ["UTF-16 BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("Stage,Value\nWon,5\n", "utf16le").swap16()])],
  ])("%s", (_name, buf) => {
    expect(decodeCsv(buf)).toBe("Stage,Value\nWon,5\n");
  });

  it("tells the encodings apart, and encodes the text back to the very same bytes", () => {
    const encodings: [CsvEncoding, boolean][] = [
      ["utf-8", false],
      ["utf-8", true],
      ["utf-16le", false],
      ["utf-16le", true],
      ["utf-16be", false],
      ["utf-16be", true],
      ["windows-1252", false],
    ];
    const text = fc.string({ unit: fc.constantFrom("a", "Z", "1", ",", ";", '"', "\n", " ", "é", "Ö", "ß", "€", "ñ", "-") });
    fc.assert(
      fc.property(fc.constantFrom(...encodings), text, ([encoding, bom], body) => {
        // A realistic file: a header of plain words, then the cells.
        const t = `Deal,Stage,Value\n${body}`;
        const buf = iconv.encode(t, encoding, { addBOM: bom });
        const d = decodeCsvBytes(buf);
        // Windows-1252 bytes that are also valid UTF-8 (plain ASCII, or by chance "ß€" = DF 80) are UTF-8: the
        // one reading that cannot be told apart, and UTF-8 is by far the likelier. It still writes back the same bytes.
        const alsoUtf8 = encoding === "windows-1252" && isUtf8(buf);
        if (!alsoUtf8) expect(d.text).toBe(t);
        expect(encodeCsvText(d.text, d).equals(buf)).toBe(true);
        expect({ encoding: d.encoding, bom: d.bom }).toEqual(alsoUtf8 ? { encoding: "utf-8", bom: false } : { encoding, bom });
      }),
      { numRuns: 300 },
    );
  });
});

describe("neutraliseFormula", () => {
  it.each([
    ["=SUM(A1:A9)", "'=SUM(A1:A9)"],
    ["+1 555 0100", "'+1 555 0100"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ["@SUM(1)", "'@SUM(1)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", "'\r=1+1"],
    ["-", "'-"],
    ["-1200", "-1200"],
    ["+42", "+42"],
    ["-12.5", "-12.5"],
    ["-1e3", "-1e3"],
    ["-1,200", "-1,200"],
    ["-$1,200.00", "-$1,200.00"],
    ["-1200,50", "-1200,50"],
    ["-1.200,50 €", "-1.200,50 €"],
    ["-€ 1.200,50", "-€ 1.200,50"],
    ["-1\u202f200,50", "-1\u202f200,50"],
    ["-CHF 1'200.50", "-CHF 1'200.50"],
    ["-12%", "-12%"],
    ["-1,2+cmd", "'-1,2+cmd"],
    ["-$1,200)", "'-$1,200)"],
    ["-SUM 1", "'-SUM 1"],
    ["Acme = good", "Acme = good"],
    ["'=already safe", "'=already safe"],
    ["", ""],
  ])("%j -> %j", (input, out) => {
    expect(neutraliseFormula(input)).toBe(out);
  });

  it.each([
    [-1200, -1200],
    [0, 0],
    [true, true],
    [null, null],
  ])("leaves non-text %j alone", (input, out) => {
    expect(neutraliseFormula(input)).toBe(out);
  });
});

describe("toCsv", () => {
  it("writes numbers as numbers, dates as ISO days and neutralises text formulas", () => {
    const csv = toCsv([["Deal", "Value", "Closed", "Note"], ["=HYPERLINK(\"x\")", -1200, new Date(Date.UTC(2026, 10, 26)), "a,b"]], ",", "\n");
    expect(csv).toBe('Deal,Value,Closed,Note\n"\'=HYPERLINK(""x"")",-1200,2026-11-26,"a,b"\n');
  });

  it("round-trips any grid of text through parseCsv, with only formula triggers changed", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "B", "1", ",", ";", '"', "\n", "\r", " ", "=", "-", "+", "@", "\t", "é", "'") });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const width = Math.max(...rows.map((r) => r.length));
        // A row of one empty field is written as a blank line, which reads back as [""]: make every row full width.
        const grid = rows.map((r) => [...r, ...Array<string>(width - r.length).fill("x")]);
        const back = parseCsv(toCsv(grid, ",", "\n"), "p.csv", undefined, ",").grid;
        const expected = grid.map((r) => r.map((c) => neutraliseFormula(c) as string));
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
