// The real task pane in a real browser, against the in-memory workbook: commands change the grid, sheet text
// stays text, a problem's address selects its cell, the pane works from the keyboard, stage edits get stamped.
import type { Server } from "node:http";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { build, serve } from "./serve.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const XSS = "<img src=x onerror=alert(1)>";

let browser: Browser;
let server: Server;
let url: string;
let page: Page;
let dialogs: string[];
let errors: string[];

beforeAll(async () => {
  const dir = build();
  ({ url, server } = await serve(dir));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  dialogs = [];
  errors = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${url}playground.html`);
  await page.waitForSelector('#mapping:not([hidden])');
});

async function run(button: string, verb: string): Promise<string> {
  await page.click(`#${button}`);
  await page.waitForFunction((v) => document.querySelector("#headline")?.textContent?.startsWith(v) && document.querySelector("#pane")?.getAttribute("aria-busy") === "false", verb);
  return (await page.textContent("#headline")) ?? "";
}

/** Texts of one column of the shown grid, found by its header in row 1. */
async function column(header: string): Promise<string[]> {
  return page.evaluate((h) => {
    const rows = [...document.querySelectorAll("#grid tbody tr")];
    const head = [...(rows[0]?.querySelectorAll("td") ?? [])].map((td) => td.textContent);
    const i = head.indexOf(h);
    return rows.slice(1).map((tr) => tr.querySelectorAll("td")[i]?.textContent ?? "").filter((t) => t !== "");
  }, header);
}

describe("playground", () => {
  it("Set up pipeline, Score leads and Pipeline review change the grid as the headline says", async () => {
    const setup = await run("cmd-setup", "Set up");
    const counts = /(\d+) A · (\d+) B · (\d+) C · (\d+) D; (\d+) stuck/.exec(setup);
    expect(counts).not.toBeNull();
    const grades = await column("Grade");
    const tally = ["A", "B", "C", "D"].map((g) => grades.filter((x) => x === g).length);
    expect(tally).toEqual(counts?.slice(1, 5).map(Number));
    const scores = (await column("Score")).map(Number);
    expect(scores.every((s) => Number.isInteger(s) && s >= 0 && s <= 100)).toBe(true);
    expect((await column("Deal ID")).length).toBe(400);
    // Stuck deals are highlighted by the live rule, one highlighted row per stuck deal.
    const stuck = (await column("Stuck")).length;
    const highlighted = await page.$$eval("#grid tbody tr", (trs) => trs.filter((tr) => tr.querySelector('td[data-highlight="true"]')).length);
    expect(highlighted).toBe(Number(counts?.[5]));
    expect(stuck).toBe(Number(counts?.[5]));
    expect(await page.$$eval("#tabs button", (bs) => bs.map((b) => b.textContent))).toEqual(["Deals", "Pipeline Settings", "Pipeline Log (hidden)", "Activities"]);

    expect(await run("cmd-score", "Scored")).toMatch(/^Scored 400 deals/);

    await run("cmd-review", "Reviewed");
    expect(await page.getAttribute("#grid table", "data-sheet")).toBe("Pipeline Review");
    expect(await page.textContent('#grid td[data-cell="A1"]')).toBe("Pipeline Review");
    expect(await page.getAttribute("#grid figure.chart", "data-chart-type")).toBe("Funnel");
    expect(await page.$$eval("#grid figure.chart .row", (rows) => rows.length)).toBeGreaterThan(2);
    expect(errors).toEqual([]);
  });

  it("shows a deal named like HTML as text and runs nothing", async () => {
    await page.evaluate((x) => {
      const pg = (globalThis as unknown as { playground: { model: { userEdit(s: string, r: number, c: number, v: string): void } } }).playground;
      pg.model.userEdit("Deals", 1, 1, x);
      pg.model.userEdit("Deals", 2, 3, x);
      pg.model.userEdit("Deals", 0, 30, x);
    }, XSS);
    await run("cmd-score", "Scored");
    if (!(await page.getAttribute("#mapping-details", "open") !== null)) await page.click("#mapping summary");
    await page.click('#mapping button[aria-expanded]');
    expect(await page.textContent('#grid td[data-cell="B2"]')).toBe(XSS);
    const problems = await page.$$eval("#problem-list .message", (ms) => ms.map((m) => m.textContent ?? ""));
    expect(problems.some((m) => m.includes(XSS))).toBe(true);
    expect(await page.$$eval("#mapping option", (os) => os.map((o) => o.textContent))).toContain(XSS);
    expect(await page.$$eval("img", (imgs) => imgs.length)).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("selects a problem's cell when its address is clicked", async () => {
    await run("cmd-score", "Scored");
    const button = page.locator("#problem-list button.cell").first();
    const address = (await button.textContent()) ?? "";
    expect(address).toMatch(/^[A-Z]+\d+$/);
    await button.click();
    await page.waitForSelector(`#grid td[data-cell="${address}"].selected`);
    const selection = await page.evaluate(() => {
      const m = (globalThis as unknown as { playground: { model: { selection: unknown; activeSheetId: string; sheets: { id: string; name: string }[] } } }).playground.model;
      return { selection: m.selection, sheet: m.sheets.find((s) => s.id === m.activeSheetId)?.name };
    });
    expect(selection.sheet).toBe("Deals");
    const col = (address.match(/^[A-Z]+/)?.[0] ?? "").split("").reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    const row = Number(address.replace(/^[A-Z]+/, "")) - 1;
    expect(selection.selection).toMatchObject({ rect: { r0: row, c0: col, r1: row, c1: col } });
  });

  it("can be driven from the keyboard, with labelled controls", async () => {
    const labels = await page.$$eval("#pane button, #pane select", (els) => els.every((e) => (e.textContent ?? "").trim() !== "" || e.getAttribute("aria-label") || (e.id && document.querySelector(`label[for="${e.id}"]`))));
    expect(labels).toBe(true);
    await page.focus("#deals-sheet");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("cmd-setup");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#headline")?.textContent?.startsWith("Set up"));
  });

  it("shows the result as tiles with one problem count, the next step as the primary button, and Go to review", async () => {
    await run("cmd-setup", "Set up");
    const tiles = await page.$$eval("#tiles .tile", (ts) => ts.map((t) => [(t as HTMLElement).dataset.tile, t.querySelector(".value")?.textContent]));
    expect(tiles.map((t) => t[0])).toEqual(["open", "stuck", "a", "problems"]);
    const problems = Number(tiles[3]?.[1]);
    expect(await page.textContent("#problem-count")).toBe(`(${problems})`);
    const listed = await page.$$eval("#problem-list li:not(.more)", (li) => li.length);
    expect(listed).toBe(Math.min(problems, 200));
    expect(await page.textContent("#headline")).not.toMatch(/cells need fixing/);
    const primary = async (): Promise<string[]> => page.$$eval("button.primary[data-command]", (bs) => bs.map((b) => b.id));
    expect(await primary()).toEqual(["cmd-score"]);
    await run("cmd-score", "Scored");
    expect(await primary()).toEqual(["cmd-review"]);
    await run("cmd-review", "Reviewed");
    expect(await primary()).toEqual(["cmd-score"]);
    await page.click('#tabs button:has-text("Deals")');
    await page.click("#go-review");
    await page.waitForFunction(() => document.querySelector("#grid table")?.getAttribute("data-sheet") === "Pipeline Review");
    // The column table is folded exactly when nothing was guessed or is missing.
    const state = (await page.textContent("#mapping-state")) ?? "";
    expect(await page.getAttribute("#mapping-details", "open") !== null).toBe(state !== "all found");
    expect(await page.textContent("#progress-text")).toMatch(/round trips/);
  });

  it("uses a corrected column at once and keeps it in force through set-up", async () => {
    if ((await page.getAttribute("#mapping-details", "open")) === null) await page.click("#mapping summary");
    await page.selectOption('select[aria-label="Column for Owner"]', "Source");
    await page.waitForSelector("#mapping-pending:not([hidden])");
    await run("cmd-setup", "Set up");
    expect(await page.inputValue('select[aria-label="Column for Owner"]')).toBe("Source");
    // Saved to Pipeline Settings › Columns (then the pane stops holding it), or still held by the pane.
    const saved = await page.evaluate(() => {
      const m = (globalThis as unknown as { playground: { model: { sheet(n: string): { values: unknown[][] } | undefined } } }).playground.model;
      const rows = m.sheet("Pipeline Settings")?.values ?? [];
      const at = rows.findIndex((row) => row[0] === "Columns");
      return rows.slice(at).find((row) => row[0] === "Owner")?.[1] ?? "";
    });
    expect(await page.isHidden("#mapping-pending")).toBe(saved === "Source");
  });

  it("stamps Stage entered when a stage is edited while the pane is open", async () => {
    await run("cmd-setup", "Set up");
    const cell = page.locator('#grid td[data-cell="D3"]');
    await cell.dblclick();
    const current = await page.inputValue("#grid td input");
    await page.fill("#grid td input", current === "Negotiation" ? "Proposal" : "Negotiation");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#stamping")?.textContent?.startsWith("Stamped"));
    const header = await page.$$eval("#grid tbody tr:first-child td", (tds) => tds.map((t) => t.textContent));
    const entered = header.indexOf("Stage entered");
    expect(entered).toBeGreaterThan(0);
    // The grid redraws on the next animation frame after the write.
    await page.waitForFunction((i) => document.querySelectorAll("#grid tbody tr:nth-child(3) td")[i]?.textContent === "2026-11-26", entered, { timeout: 5000 }).catch(() => undefined);
    const value = await page.$$eval("#grid tbody tr:nth-child(3) td", (tds, i) => tds[i]?.textContent, entered);
    expect(value).toBe("2026-11-26");
  });
});

describe("playground: Log activity", () => {
  /** The sheet's rows as the model holds them, by sheet name. */
  const values = (sheet: string): Promise<unknown[][]> =>
    page.evaluate((name) => {
      const m = (globalThis as unknown as { playground: { model: { sheet(n: string): { values: unknown[][] } | undefined } } }).playground.model;
      return (m.sheet(name)?.values ?? []).map((r) => [...r]);
    }, sheet);

  it("appends exactly one row for the selected deal, updates its follow-up cells when ticked, and keeps typed HTML and formulas as text", async () => {
    // Select row 3 (D-1002) on the Deals sheet, as a click in Excel would.
    await page.evaluate(() => {
      const m = (globalThis as unknown as { playground: { model: { sheets: { id: string; name: string }[]; selection: unknown; activeSheetId: string } } }).playground.model;
      const deals = m.sheets.find((s) => s.name === "Deals");
      if (!deals) throw new Error("no Deals sheet");
      m.activeSheetId = deals.id;
      m.selection = { sheetId: deals.id, rect: { r0: 2, c0: 1, r1: 2, c1: 1 } };
    });
    const before = await values("Deals");
    const typed = `=HYPERLINK("http://x","y") ${XSS}`;
    await page.selectOption("#log-type", "meeting");
    await page.fill("#log-note", typed);
    await page.fill("#log-next", XSS);
    await page.fill("#log-next-date", "2026-12-08");
    // The sample's Next step and Last activity columns are the team's: updated because the box is ticked.
    await page.check("#log-update");
    await page.click("#log-submit");
    await page.waitForFunction(() => document.querySelector("#log-result")?.textContent?.startsWith("Logged"));
    expect(await page.textContent("#log-result")).toBe(`Logged a meeting on ${String(before[2]?.[0])} in Activities.`);
    const log = (await values("Activities")).filter((r) => r.some((v) => v !== "" && v !== null));
    // The header pipesheet created, then the one row: 2026-11-26 is serial 46352.
    expect(log).toHaveLength(2);
    expect(log[1]?.slice(0, 7)).toEqual([46352, before[2]?.[0], before[2]?.[1], "Meeting", typed, XSS, 46364]);
    // By left blank: the deal's owner counts.
    expect(log[1]?.[7] ?? "").toBe("");
    const after = await values("Deals");
    const nextStep = (before[0] ?? []).indexOf("Next step");
    const lastActivity = (before[0] ?? []).indexOf("Last activity");
    expect(after[2]?.[nextStep]).toBe(XSS);
    expect(after[2]?.[lastActivity]).toBe(46352);
    // Only those two cells of the deals sheet changed.
    const changed: string[] = [];
    after.forEach((row, r) => row.forEach((v, c) => {
      if ((v ?? "") !== (before[r]?.[c] ?? "")) changed.push(`${r},${c}`);
    }));
    expect(changed).toEqual([`2,${lastActivity}`, `2,${nextStep}`]);
    expect(await page.$$eval("img", (imgs) => imgs.length)).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("says what to do when no deal row is selected, and writes nothing", async () => {
    await page.evaluate(() => {
      const m = (globalThis as unknown as { playground: { model: { sheets: { id: string; name: string }[]; selection: unknown; activeSheetId: string } } }).playground.model;
      const deals = m.sheets.find((s) => s.name === "Deals");
      if (!deals) throw new Error("no Deals sheet");
      m.selection = { sheetId: deals.id, rect: { r0: 0, c0: 0, r1: 0, c1: 0 } };
    });
    await page.click("#log-submit");
    await page.waitForFunction(() => (document.querySelector("#log-result")?.textContent ?? "") !== "");
    expect(await page.textContent("#log-result")).toBe("Select a deal's row on the deals sheet first.");
    expect(await values("Activities")).toEqual([]);
  });
});
