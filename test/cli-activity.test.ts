// The activity log from the command line: the figures in --json, and `pipesheet log` on real CSV and .xlsx files.
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { cfOf, headerMap, readBook, ROOT, runCli, tempDir } from "./cli-harness.js";

const FIXTURE = join(ROOT, "test", "fixtures", "activity");
const TODAY = "2026-12-01";

interface ActivityJson {
  metrics: {
    activity: {
      byOwner: { owner: string; contacts: number; appointments: number; appointmentRate: number | null }[];
      team: { owner: string; contacts: number; appointments: number; appointmentRate: number | null };
      responseTime: { meanDays: number | null; medianDays: number | null; deals: number };
    };
    capacity: { rows: { owner: string; openDeals: number; activities: number }[] };
    segments: { tables: { by: string; rows: { value: string; won: number; lost: number }[] }[] };
  };
  problems: { sheet: string; cell: string; code: string }[];
}

describe("review --json reads deals.activities.csv beside deals.csv", () => {
  let json: ActivityJson;
  beforeAll(async () => {
    const dir = await tempDir();
    await copyFile(join(FIXTURE, "deals.csv"), join(dir, "deals.csv"));
    await copyFile(join(FIXTURE, "deals.activities.csv"), join(dir, "deals.activities.csv"));
    const run = await runCli(["review", join(dir, "deals.csv"), "--today", TODAY, "--json"]);
    expect(run.stderr).toBe("");
    json = JSON.parse(run.stdout) as ActivityJson;
  });

  it("has the week per person and for the team in the documented shape", () => {
    // Counted by hand in test/activity.test.ts (and there a second way, by loops over the fixture).
    const rate = (a: number, c: number): number | null => (c > 0 ? a / c : null);
    expect(json.metrics.activity.byOwner.map(({ owner, contacts, appointments, appointmentRate }) => ({ owner, contacts, appointments, appointmentRate }))).toEqual([
      { owner: "Ana", contacts: 3, appointments: 1, appointmentRate: rate(1, 3) },
      { owner: "Ben", contacts: 3, appointments: 1, appointmentRate: rate(1, 3) },
      { owner: "Cleo", contacts: 2, appointments: 0, appointmentRate: 0 },
      { owner: "Dev", contacts: 1, appointments: 0, appointmentRate: 0 },
    ]);
    expect(json.metrics.activity.team).toMatchObject({ owner: "Team", contacts: 9, appointments: 2, appointmentRate: 2 / 9 });
    expect(json.metrics.activity.responseTime).toMatchObject({ meanDays: (0 + 1 + 1 + 2 + 47) / 5, medianDays: 1, deals: 5 });
  });

  it("reports the bad rows and the unknown deal by cell of the activities file", () => {
    const mine = json.problems.filter((p) => p.sheet === "deals.activities.csv").map((p) => `${p.cell} ${p.code}`);
    expect(mine).toEqual(["B15 UNKNOWN_DEAL", "A16 BAD_ACTIVITY", "C17 BAD_ACTIVITY"]);
  });
});

describe("pipesheet log on a CSV appends one row to the log beside it", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    await copyFile(join(FIXTURE, "deals.csv"), join(dir, "deals.csv"));
    await copyFile(join(FIXTURE, "deals.activities.csv"), join(dir, "deals.activities.csv"));
  });

  it("adds exactly one line, leaves every earlier byte and the deals file alone, and writes typed text as text", async () => {
    const before = await readFile(join(dir, "deals.activities.csv"), "utf8");
    const deals = await readFile(join(dir, "deals.csv"), "utf8");
    const run = await runCli(["log", join(dir, "deals.csv"), "--deal", "D-1002", "--type", "Phone", "--note", '=HYPERLINK("http://x","y"), then', "--next", "Send proposal", "--next-date", "2026-12-08", "--by", "Ben", "--today", TODAY]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Logged a call on D-1002 (Birch pilot)");
    const after = await readFile(join(dir, "deals.activities.csv"), "utf8");
    expect(after.startsWith(before)).toBe(true);
    // The file's header is Date, Deal ID, Type, Outcome, By; the formula is quoted and neutralised.
    expect(after.slice(before.length)).toBe(`2026-12-01,D-1002,Call,"'=HYPERLINK(""http://x"",""y""), then",Ben\n`);
    expect(await readFile(join(dir, "deals.csv"), "utf8")).toBe(deals);
  });

  it("starts the log file when there is none, and counts the logged call in the next review", async () => {
    const fresh = await tempDir();
    await copyFile(join(FIXTURE, "deals.csv"), join(fresh, "deals.csv"));
    const run = await runCli(["log", join(fresh, "deals.csv"), "--deal", "d-1005", "--type", "meeting", "--today", TODAY]);
    expect(run.code).toBe(0);
    expect(await readFile(join(fresh, "deals.activities.csv"), "utf8")).toBe("Date,Deal ID,Deal,Type,Outcome,Next step,Next step date,By\n2026-12-01,D-1005,Ember trial,Meeting,,,,\n");
    const review = JSON.parse((await runCli(["review", join(fresh, "deals.csv"), "--today", TODAY, "--json"])).stdout) as ActivityJson;
    // No By: the deal's owner, Cleo.
    expect(review.metrics.activity.byOwner).toMatchObject([{ owner: "Cleo", contacts: 1, appointments: 1, appointmentRate: 1 }]);
  });

  it("refuses an unknown deal or type with one clear line and exit 2, writing nothing", async () => {
    const before = await readFile(join(dir, "deals.activities.csv"), "utf8");
    const unknown = await runCli(["log", join(dir, "deals.csv"), "--deal", "D-4242", "--type", "call", "--today", TODAY]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, 'pipesheet: No deal "D-4242" in the Deal ID column of "Deals".']);
    const type = await runCli(["log", join(dir, "deals.csv"), "--deal", "D-1001", "--type", "fax", "--today", TODAY]);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('"fax" is not an activity type');
    expect(await readFile(join(dir, "deals.activities.csv"), "utf8")).toBe(before);
  });
});

describe("pipesheet log on a set-up .xlsx with the team's own log tab", () => {
  let book: string;
  let setupRules: number;
  beforeAll(async () => {
    const dir = await tempDir();
    book = join(dir, "book.xlsx");
    const wb = new ExcelJS.Workbook();
    const deals = wb.addWorksheet("Deals");
    deals.addRow(["Deal ID", "Deal", "Stage", "Value", "Owner", "Created", "Next step", "Follow-up date", "Notes"]);
    deals.addRow(["D-1042", "Acme", "Proposal", 12000, "Ana", new Date(Date.UTC(2026, 10, 2)), "Call back", new Date(Date.UTC(2026, 10, 20)), "keep"]);
    deals.addRow(["D-1043", "Birch", "Meeting", 5000, "Ben", new Date(Date.UTC(2026, 10, 20)), "", null, ""]);
    const log = wb.addWorksheet("Follow-ups");
    log.addRow(["When", "Opportunity", "Deal ID", "Activity type", "Result", "Logged by"]);
    log.addRow([new Date(Date.UTC(2026, 10, 28)), "Acme", "D-1042", "Phone", "Left a message", "Ana"]);
    log.getCell("E2").font = { italic: true };
    await wb.xlsx.writeFile(book);
    const setup = await runCli(["setup", book, "--in-place", "--today", TODAY]);
    expect(setup.code).toBe(0);
    setupRules = cfOf((await readBook(book)).getWorksheet("Deals") as ExcelJS.Worksheet).length;
  });

  it("set-up found the team's tab, so it added no Activities tab of its own", async () => {
    expect((await readBook(book)).worksheets.map((w) => w.name)).not.toContain("Activities");
  });

  it("appends exactly one row to the team's tab and leaves the deal's own Next step and Follow-up date until asked", async () => {
    const run = await runCli(["log", book, "--deal", "D-1042", "--type", "meeting", "--note", "<b>Demo</b> & pricing", "--next", "Send proposal", "--next-date", "2026-12-08", "--by", "Ana", "--today", TODAY]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('left your own "Next step" (G2), "Follow-up date" (H2) as they are; add --update-deal');
    const wb = await readBook(book);
    const log = wb.getWorksheet("Follow-ups") as ExcelJS.Worksheet;
    expect(log.actualRowCount).toBe(3);
    expect(log.getRow(3).values).toEqual([undefined, new Date(Date.UTC(2026, 11, 1)), "Acme", "D-1042", "Meeting", "<b>Demo</b> & pricing", "Ana"]);
    expect(log.getCell("E2").font?.italic).toBe(true);
    expect(log.getCell("E2").value).toBe("Left a message");
    const deals = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(deals);
    expect(deals.getRow(2).getCell(h.get("Next step") as number).value).toBe("Call back");
    expect(deals.getRow(2).getCell(h.get("Follow-up date") as number).value).toEqual(new Date(Date.UTC(2026, 10, 20)));
    expect(deals.getRow(2).getCell(h.get("Notes") as number).value).toBe("keep");
    expect(deals.getRow(3).getCell(h.get("Next step") as number).value).toBe("");
    // pipesheet's rules are replaced, not added to or dropped.
    expect(cfOf(deals).length).toBe(setupRules);
  });

  it("with --update-deal, also writes the deal's Next step and Follow-up date", async () => {
    const run = await runCli(["log", book, "--deal", "D-1042", "--type", "email", "--next", "Chase the signature", "--next-date", "2026-12-10", "--update-deal", "--today", TODAY]);
    expect(run.code).toBe(0);
    const wb = await readBook(book);
    const deals = wb.getWorksheet("Deals") as ExcelJS.Worksheet;
    const h = headerMap(deals);
    expect(deals.getRow(2).getCell(h.get("Follow-up date") as number).value).toEqual(new Date(Date.UTC(2026, 11, 10)));
    expect(deals.getRow(2).getCell(h.get("Next step") as number).value).toBe("Chase the signature");
    expect(deals.getRow(3).getCell(h.get("Next step") as number).value).toBe("");
    expect((wb.getWorksheet("Follow-ups") as ExcelJS.Worksheet).actualRowCount).toBe(4);
  });

  it("refuses a workbook that is not set up", async () => {
    const dir = await tempDir();
    const plain = join(dir, "plain.xlsx");
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Deals").addRow(["Deal ID", "Deal", "Stage"]);
    await wb.xlsx.writeFile(plain);
    const run = await runCli(["log", plain, "--deal", "D-1", "--type", "call", "--today", TODAY]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not set up yet: run pipesheet setup");
  });
});
