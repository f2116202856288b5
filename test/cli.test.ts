// The CLI as users run it: a child process on real files; the .xlsx it writes read back with exceljs.
import { createHash } from "node:crypto";
import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { HyperFormula } from "hyperformula";
import JSZip from "jszip";
import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { cfOf, dvOf, headerMap, readBook, ROOT, runCli, tempDir, type CliRun } from "./cli-harness.js";

const TODAY = "2026-11-26";
const SAMPLE = join(ROOT, "samples", "pipeline.csv");
const OWNED = ["Score", "Grade", "Score reasons", "Win likelihood", "Days in stage", "Stuck", "Next task"];

const sha = async (path: string): Promise<string> => createHash("sha256").update(await readFile(path)).digest("hex");
/** A cell as HyperFormula should see it: dates as serials, text as text, formulas as formulas. */
const hfValue = (v: ExcelJS.CellValue): string | number | boolean | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime() / 86_400_000 + 25_569;
  if (typeof v === "object") return "formula" in v && typeof v.formula === "string" ? `=${v.formula}` : null;
  return v;
};
/** A whole sheet as HyperFormula should see it. */
const hfSheet = (ws: ExcelJS.Worksheet, rows: number): (string | number | boolean | null)[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: ws.columnCount }, (_, c) => hfValue(ws.getRow(r + 1).getCell(c + 1).value)));

describe("review of the bundled sample, CSV in, managed .xlsx out", () => {
  let dir: string;
  let run: CliRun;
  let out: string;
  let wb: ExcelJS.Workbook;
  let sampleRows: string[][];
  beforeAll(async () => {
    dir = await tempDir();
    out = join(dir, "managed.xlsx");
    run = await runCli(["review", SAMPLE, "--today", TODAY, "--out", out]);
    wb = await readBook(out);
    sampleRows = (Papa.parse<string[]>(await readFile(SAMPLE, "utf8"), { skipEmptyLines: true }).data as string[][]).slice(1);
  });

  it("exits 0 and prints the review, the headline and the workbook path at 80 columns", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Pipeline Review");
    expect(run.stdout).toContain(`Reviewed ${sampleRows.length} deals`);
    expect(lines[lines.length - 1]).toBe(`Managed workbook: ${out}`);
    for (const line of lines.slice(0, -1)) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it("writes the deals sheet first, with the team's columns unchanged and pipesheet's columns after them", () => {
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([
      ["Deals", "visible"],
      ["Pipeline Review", "visible"],
      ["Pipeline Settings", "visible"],
      ["Pipeline Log", "hidden"],
    ]);
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const header = headerMap(ws);
    const csvHeader = Papa.parse<string[]>(SAMPLE_HEADER_LINE).data[0] as string[];
    csvHeader.forEach((h, i) => expect(header.get(h)).toBe(i + 1));
    for (const h of OWNED) expect(header.get(h), h).toBeGreaterThan(csvHeader.length);
    // Every text cell of the team's columns is as in the CSV (dates and amounts become typed cells, checked below).
    const name = header.get("Deal name") as number;
    const stage = header.get("Stage") as number;
    sampleRows.forEach((r, i) => {
      expect(ws.getRow(i + 2).getCell(name).value ?? "").toBe(r[1]);
      expect(ws.getRow(i + 2).getCell(stage).value ?? "").toBe(r[3]);
    });
  });

  it("turns ISO dates and plain amounts into typed cells, and leaves cells it cannot read as the team's text", () => {
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(ws);
    const created = ws.getRow(2).getCell(h.get("Created") as number);
    const iso = sampleRows[0]?.[9] as string;
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
      expect(created.value).toEqual(new Date(`${iso}T00:00:00Z`));
      expect(created.numFmt).toBe("yyyy-mm-dd");
    }
    expect(ws.getRow(13).getCell(h.get("Value") as number).value).toBe("tbd");
    expect(ws.getRow(28).getCell(h.get("Created") as number).value).toBe("2026-02-30");
  });

  it("scores every open deal with a whole 0-100 score and a grade that follows the default cut-offs", () => {
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(ws);
    for (let r = 2; r <= sampleRows.length + 1; r++) {
      const score = ws.getRow(r).getCell(h.get("Score") as number).value as number;
      const grade = ws.getRow(r).getCell(h.get("Grade") as number).value;
      // Won and lost deals are left blank.
      if (/won|lost/i.test(sampleRows[r - 2]?.[3] ?? "")) {
        expect([null, ""], `row ${r}`).toContain(score);
        continue;
      }
      expect(Number.isInteger(score) && score >= 0 && score <= 100, `row ${r}`).toBe(true);
      expect(grade).toBe(score >= 75 ? "A" : score >= 50 ? "B" : score >= 25 ? "C" : "D");
    }
  });

  it("has the live stuck rule, once, marked as pipesheet's, over the data and room for new rows", () => {
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const cfs = cfOf(ws);
    const ours = cfs.flatMap((cf) => cf.rules.map((r) => ({ ref: cf.ref, r })));
    expect(ours).toHaveLength(1);
    const { ref, r } = ours[0] as (typeof ours)[number];
    expect(r.type).toBe("expression");
    const formula = (r as ExcelJS.ExpressionRuleType).formulae?.[0] as string;
    expect(formula).toContain('N("pipesheet:stuck")');
    expect(formula).toContain("TODAY()");
    expect(ref.startsWith("A2:")).toBe(true);
    expect(Number(/(\d+)$/.exec(ref)?.[1])).toBeGreaterThan(sampleRows.length + 1);
    expect(r.style?.fill).toMatchObject({ type: "pattern", pattern: "solid" });
  });

  it("the stuck rule, evaluated by a formula engine on the written cells, agrees with the Stuck column", () => {
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(ws);
    const cf = cfOf(ws)[0] as ExcelJS.ConditionalFormattingOptions;
    const formula = ((cf.rules[0] as ExcelJS.ExpressionRuleType).formulae?.[0] as string).replace(/TODAY\(\)/g, "DATE(2026,11,26)");
    const width = ws.columnCount;
    // The rule compares each row with its helper cell, which looks the stage's limit up on the settings tab.
    const settingsWs = wb.getWorksheet("Pipeline Settings") as ExcelJS.Worksheet;
    const hf = HyperFormula.buildFromSheets({ Deals: hfSheet(ws, sampleRows.length + 1), "Pipeline Settings": hfSheet(settingsWs, settingsWs.rowCount) }, { licenseKey: "gpl-v3" });
    const stuckCol = h.get("Stuck") as number;
    let stuck = 0;
    for (let r = 2; r <= sampleRows.length + 1; r++) {
      const shifted = formula.replace(/(\$[A-Z]{1,3})2(?!\d)/g, `$1${r}`);
      hf.setCellContents({ sheet: 0, row: r - 1, col: width }, [[`=${shifted}`]]);
      const live = hf.getCellValue({ sheet: 0, row: r - 1, col: width });
      const core = ws.getRow(r).getCell(stuckCol).value;
      expect(live, `row ${r}: core says ${String(core)}`).toBe(typeof core === "string" && core !== "");
      if (live === true) stuck++;
    }
    // The sample is built to have stuck deals; an always-false rule must not pass this test.
    expect(stuck).toBeGreaterThan(10);
    hf.destroy();
  });

  it("adds drop-downs for stage, need, budget and authority that warn but allow other values", () => {
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(ws);
    const model = dvOf(ws);
    const at = (col: string, row: number): ExcelJS.DataValidation | undefined => model[`${col}${row}`];
    const colLetter = (n: number): string => ws.getColumn(n).letter;
    const stage = at(colLetter(h.get("Stage") as number), 2);
    expect(stage?.type).toBe("list");
    expect(stage?.errorStyle).toBe("warning");
    expect(stage?.formulae?.[0]).toBe('"Prospecting,Lead qualification,Meeting,Proposal,Negotiation,Won,Lost"');
    expect(at(colLetter(h.get("Stage") as number), sampleRows.length + 100)?.type).toBe("list");
    for (const dim of ["Need", "Budget", "Authority"]) expect(at(colLetter(h.get(dim) as number), 2)?.type, dim).toBe("list");
    expect(at(colLetter(h.get("Need") as number), 2)?.formulae?.[0]).toBe('"High,Medium,Low,None"');
    // No drop-down lands on a column pipesheet does not own or read as an answer.
    expect(at(colLetter(h.get("Owner") as number), 2)).toBeUndefined();
  });

  it("writes the review tab with the stage table, and the settings and hidden log tabs", () => {
    const review = wb.getWorksheet("Pipeline Review") as ExcelJS.Worksheet;
    expect(review.getCell("A1").value).toBe("Pipeline Review");
    const texts: string[] = [];
    review.eachRow((row) => row.eachCell((c) => typeof c.value === "string" && texts.push(c.value)));
    for (const stage of ["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation"]) expect(texts).toContain(stage);
    const settings = wb.getWorksheet("Pipeline Settings") as ExcelJS.Worksheet;
    expect(settings.getCell("A1").value).toBe("Pipeline Settings");
    const log = wb.getWorksheet("Pipeline Log") as ExcelJS.Worksheet;
    expect(log.getRow(1).values).toEqual([undefined, "Deal ID", "From", "To", "When", "By", "Value", "Close", "Owner", "Outcome", "Logged"]);
    expect(log.rowCount).toBeGreaterThan(300);
  });

  it("draws the funnel as a native chart whose ranges hold the open stages and the deals that reached each", async () => {
    const zip = await JSZip.loadAsync(await readFile(out));
    const charts = Object.keys(zip.files).filter((f) => /^xl\/charts\/chart\d+\.xml$/.test(f));
    // The funnel and the weighted forecast by month; the funnel is the one of horizontal bars.
    expect(charts).toHaveLength(2);
    const xmls = await Promise.all(charts.map((c) => (zip.file(c) as JSZip.JSZipObject).async("string")));
    const xml = xmls.find((x) => x.includes('<c:barDir val="bar"/>')) ?? "";
    const ref = (tag: string): string => (new RegExp(`<c:${tag}>[^]*?<c:f>'Pipeline Review'!([^<]*)</c:f>`).exec(xml)?.[1] ?? "").replace(/\$/g, "");
    const review = wb.getWorksheet("Pipeline Review") as ExcelJS.Worksheet;
    const cells = (range: string): unknown[] => {
      const [a, b] = range.split(":") as [string, string];
      const out: unknown[] = [];
      for (let r = Number(a.slice(1)); r <= Number(b.slice(1)); r++) out.push(review.getCell(`${a[0]}${r}`).value);
      return out;
    };
    expect(cells(ref("cat"))).toEqual(["Prospecting", "Lead qualification", "Meeting", "Proposal", "Negotiation"]);
    // Deals that reached a stage: never more further down, and never fewer than are open in it now (a plain
    // count of the CSV; its one "Negotation" is a near typo, counted in Negotiation).
    const open = ["prospecting|prospect", "lead qualification|qualification|qualified", "meeting|demo", "proposal|proposal sent", "negotiation|contract sent|negotation"];
    const reached = cells(ref("val")) as number[];
    const now = open.map((names) => sampleRows.filter((row) => names.split("|").includes((row[3] ?? "").trim().toLowerCase())).length);
    reached.forEach((n, i) => {
      expect(n).toBeGreaterThanOrEqual(now[i] as number);
      if (i > 0) expect(n).toBeLessThanOrEqual(reached[i - 1] as number);
    });
  });

  it("counts in --json agree with a plain count of the CSV", async () => {
    const r = await runCli(["review", SAMPLE, "--today", TODAY, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const j = JSON.parse(r.stdout) as { summary: { deals: number; won: number; lost: number; open: number }; problems: { code: string; cell: string }[]; metrics: unknown; output: null };
    const nonBlank = sampleRows.filter((row) => row.some((c) => c.trim() !== ""));
    expect(j.summary.deals).toBe(nonBlank.length);
    const stage = (row: string[]): string => (row[3] ?? "").toLowerCase();
    expect(j.summary.won).toBe(nonBlank.filter((row) => ["won", "closed won"].includes(stage(row))).length);
    expect(j.summary.lost).toBe(nonBlank.filter((row) => ["lost", "closed lost"].includes(stage(row))).length);
    expect(j.metrics).toBeTypeOf("object");
    expect(j.output).toBeNull();
    expect(j.problems).toContainEqual(expect.objectContaining({ code: "UNKNOWN_STAGE", cell: "D42" }));
    expect(j.problems).toContainEqual(expect.objectContaining({ code: "BAD_NUMBER", cell: "E13" }));
  });

  it("lists the first N problems and counts the rest with --max-problems", async () => {
    const r = await runCli(["review", SAMPLE, "--today", TODAY, "--max-problems", "2"]);
    const j = JSON.parse((await runCli(["review", SAMPLE, "--today", TODAY, "--json"])).stdout) as { problems: unknown[] };
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`… and ${j.problems.length - 2} more`);
  });
});

const SAMPLE_HEADER_LINE = "Deal ID,Deal name,Company,Stage,Value,Owner,Source,Product,Industry,Created,Expected close,Stage entered,Last activity,First contact,Next step,Need,Budget,Authority,Loss reason";

describe("writing rules", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });

  it("setup writes FILE-managed.xlsx beside the input and leaves the input untouched", async () => {
    const input = join(dir, "deals.csv");
    await copyFile(SAMPLE, input);
    const before = await sha(input);
    const r = await runCli(["setup", input, "--today", TODAY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Managed workbook: ${join(dir, "deals-managed.xlsx")}`);
    expect((await stat(join(dir, "deals-managed.xlsx"))).size).toBeGreaterThan(10_000);
    expect(await sha(input)).toBe(before);
  });

  it("review only prints unless --out is given", async () => {
    const input = join(dir, "only-print.csv");
    await copyFile(SAMPLE, input);
    const r = await runCli(["review", input, "--today", TODAY]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("Managed workbook");
    await expect(stat(join(dir, "only-print-managed.xlsx"))).rejects.toThrow();
  });

  it("--out .csv writes the deals with pipesheet's columns and neutralises formulas", async () => {
    const input = join(dir, "inject.csv");
    await writeFile(
      input,
      [
        "Deal name,Stage,Value,Owner,Created,Need,Budget,Authority,Notes",
        '"=HYPERLINK(""http://evil"",""x"")",Proposal,-1200,@ana,2026-11-01,High,Approved,DM,+1 555 0100',
        "Plain,Meeting,5000,Ben,2026-11-20,low,,,-",
      ].join("\n"),
    );
    const out = join(dir, "inject-out.csv");
    const r = await runCli(["score", input, "--today", TODAY, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const text = await readFile(out, "utf8");
    const rows = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
    const header = rows[0] as string[];
    expect(header.slice(0, 9)).toEqual(["Deal name", "Stage", "Value", "Owner", "Created", "Need", "Budget", "Authority", "Notes"]);
    expect(header).toEqual(expect.arrayContaining(["Deal ID", "Score", "Grade", "Stuck", "Next task"]));
    const first = rows[1] as string[];
    expect(first[0]).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(first[2]).toBe("-1200");
    expect(first[3]).toBe("'@ana");
    expect(first[8]).toBe("'+1 555 0100");
    expect((rows[2] as string[])[8]).toBe("'-");
    expect(first[header.indexOf("Score")]).toBe("100");
    expect(first[header.indexOf("Deal ID")]).toMatch(/^D-\d+$/);
    // Nothing anywhere in the file starts a cell with a formula trigger, except plain numbers.
    for (const row of rows) for (const cell of row) expect(/^[=+@\t\r]/.test(cell) || (/^-/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell)), cell).toBe(false);
  });

  it("a second run on the managed workbook replaces its own rules instead of adding more, and logs stage moves", async () => {
    const input = join(dir, "team.csv");
    // The sample repeats one Deal ID on purpose; give it its own here so exactly one move is logged.
    await writeFile(input, (await readFile(SAMPLE, "utf8")).replace(/\nD-1057,(?=[^\n]*\nD-1059,)/, "\nD-9999,"));
    const managed = join(dir, "team-managed.xlsx");
    expect((await runCli(["setup", input, "--today", TODAY])).code).toBe(0);

    // The team works in the workbook: a deal moves on, and they add a rule and a drop-down of their own.
    const wb = await readBook(managed);
    const ws = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(ws);
    const stageCol = h.get("Stage") as number;
    const idCol = h.get("Deal ID") as number;
    let moved = 0;
    for (let r = 2; moved === 0; r++) {
      if (ws.getRow(r).getCell(stageCol).value === "Proposal") {
        ws.getRow(r).getCell(stageCol).value = "Negotiation";
        moved = r;
      }
    }
    const movedId = ws.getRow(moved).getCell(idCol).value;
    ws.addConditionalFormatting({ ref: "F2:F50", rules: [{ type: "expression", priority: 1, formulae: ['$F2="Avery Chen"'], style: { font: { bold: true } } }] });
    dvOf(ws)["G2:G50"] = { type: "list", allowBlank: true, formulae: ['"Inbound,Referral"'] };
    await wb.xlsx.writeFile(managed);

    const r = await runCli(["score", managed, "--today", "2026-11-27", "--in-place"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 stage changes logged");
    const after = await readBook(managed);
    const ws2 = after.getWorksheet("Deals") as ExcelJS.Worksheet;
    const rules = cfOf(ws2).flatMap((cf) => cf.rules.map((x) => ({ ref: cf.ref, f: (x as ExcelJS.ExpressionRuleType).formulae?.[0] as string })));
    expect(rules.filter((x) => x.f.includes("pipesheet"))).toHaveLength(1);
    expect(rules).toContainEqual({ ref: "F2:F50", f: '$F2="Avery Chen"' });
    expect(dvOf(ws2).G2?.formulae).toEqual(['"Inbound,Referral"']);
    expect(dvOf(ws2).D2?.errorTitle).toBe("pipesheet:stage");
    // The move is stamped and appended to the hidden log.
    const entered = ws2.getRow(moved).getCell(headerMap(ws2).get("Stage entered") as number);
    expect(entered.value).toEqual(new Date("2026-11-27T00:00:00Z"));
    const log = after.getWorksheet("Pipeline Log") as ExcelJS.Worksheet;
    const last = log.getRow(log.rowCount).values as unknown[];
    expect(last.slice(1, 5)).toEqual([movedId, "Proposal", "Negotiation", "2026-11-27"]);
    expect(log.state).toBe("hidden");
  });
});

describe("errors: one line on stderr and an exit code", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });

  const cases: { name: string; setup?: (dir: string) => Promise<string[]>; args?: string[]; code: number; message: RegExp }[] = [
    { name: "no command", args: [], code: 2, message: /./ },
    { name: "no file", args: ["review"], code: 2, message: /^pipesheet: missing required argument 'file'/ },
    { name: "unknown option", args: ["review", "x.csv", "--colour"], code: 2, message: /^pipesheet: unknown option '--colour'/ },
    { name: "unknown command", args: ["reveiw", "x.csv"], code: 2, message: /^pipesheet: unknown command 'reveiw'.*review/ },
    { name: "impossible --today", args: ["review", SAMPLE, "--today", "2026-02-30"], code: 2, message: /^pipesheet: --today 2026-02-30: give a real date/ },
    { name: "bad --max-problems", args: ["review", SAMPLE, "--max-problems", "many"], code: 2, message: /whole number/ },
    { name: "--out of an unknown kind", args: ["setup", SAMPLE, "--out", "x.pdf"], code: 2, message: /^pipesheet: --out x\.pdf: write to a \.xlsx/ },
    { name: "--sheet on a CSV", args: ["review", SAMPLE, "--sheet", "Deals"], code: 2, message: /a CSV file has one sheet/ },
    { name: "unsupported file type", args: ["review", "deals.numbers"], code: 2, message: /not supported/ },
    { name: "missing file", args: ["review", "/nonexistent/deals.csv"], code: 3, message: /^pipesheet: cannot read \/nonexistent\/deals\.csv: no such file\n$/ },
    {
      name: "not really an .xlsx",
      setup: async (d) => {
        await writeFile(join(d, "fake.xlsx"), "this is text");
        return ["review", join(d, "fake.xlsx")];
      },
      code: 3,
      message: /is not an \.xlsx workbook/,
    },
    {
      name: "malformed CSV names the line",
      setup: async (d) => {
        await writeFile(join(d, "bad.csv"), 'Deal name,Stage,Value\nA,Won,5\n"B, Inc,Lost,7\nC,Meeting,1\n');
        return ["review", join(d, "bad.csv")];
      },
      code: 3,
      message: /bad\.csv line 3: a quoted field is never closed/,
    },
    {
      name: "CSV without a deals header",
      setup: async (d) => {
        await writeFile(join(d, "nohead.csv"), "foo,bar\n1,2\n");
        return ["review", join(d, "nohead.csv")];
      },
      code: 4,
      message: /^pipesheet: no deals found in .*nohead\.csv: .*Deal name and Stage/,
    },
    {
      name: "workbook without a deals sheet",
      setup: async (d) => {
        const wb = new ExcelJS.Workbook();
        wb.addWorksheet("Notes").addRow(["just", "notes"]);
        await wb.xlsx.writeFile(join(d, "nodeals.xlsx"));
        return ["review", join(d, "nodeals.xlsx")];
      },
      code: 4,
      message: /^pipesheet: no deals sheet found in .*nodeals\.xlsx.*\(sheets: Notes\)/,
    },
    {
      name: "--sheet naming a sheet that is not there",
      setup: async (d) => {
        const wb = new ExcelJS.Workbook();
        wb.addWorksheet("Deals").addRow(["Deal name", "Stage"]);
        await wb.xlsx.writeFile(join(d, "named.xlsx"));
        return ["review", `${join(d, "named.xlsx")}#Pipeline`];
      },
      code: 4,
      message: /no sheet "Pipeline" in .*named\.xlsx \(sheets: Deals\)/,
    },
    {
      name: "output path through a file",
      setup: async (d) => {
        await writeFile(join(d, "plain.txt"), "x");
        return ["setup", SAMPLE, "--today", TODAY, "--out", join(d, "plain.txt", "out.xlsx")];
      },
      code: 5,
      message: /^pipesheet: cannot write .*plain\.txt\/out\.xlsx: part of the path is a file, not a folder/,
    },
  ];

  it.each(cases)("$name -> exit $code", async ({ setup, args, code, message }) => {
    const a = setup ? await setup(dir) : (args as string[]);
    const r = await runCli(a);
    expect(r.code).toBe(code);
    const lines = r.stderr.trimEnd().split("\n");
    if (a.length > 0) expect(lines, r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it("with --json, errors also come as JSON on stdout", async () => {
    const r = await runCli(["review", "/nonexistent/deals.csv", "--json"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: "UNREADABLE_FILE", message: "cannot read /nonexistent/deals.csv: no such file", exitCode: 3 } });
  });
});

describe("npm start", () => {
  it("runs the review on the bundled sample and prints the managed workbook's path", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const args = (pkg.scripts.start as string).split(" ");
    expect(args.slice(0, 2)).toEqual(["tsx", "cli/cli.ts"]);
    expect(args).toContain("--today");
    const dir = await tempDir();
    const outAt = args.indexOf("--out");
    // Same command, but writing into a temp folder so the test leaves the checkout alone.
    const rest = args.slice(2);
    rest[outAt - 2 + 1] = join(dir, "pipeline-managed.xlsx");
    const r = await runCli(rest);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Pipeline Review");
    expect(r.stdout).toContain(`Managed workbook: ${join(dir, "pipeline-managed.xlsx")}`);
  });
});
