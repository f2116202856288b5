// The real Sidebar.html in Chromium, its google.script.run wired to the built bundle running on the Apps Script fake:
// sheet text stays text, buttons and problems work from mouse and keyboard, a big sheet carries on by itself.
import { readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScript, type Script } from "../fakes/apps-script/bundle.js";
import { dealsBook } from "../fakes/apps-script/deals.js";
import { RUNNER } from "./gas.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HTML = readFileSync("sheets-script/Sidebar.html", "utf8");
const EVIL = '<img src=x onerror="window.__pwned=1">';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
});
afterAll(async () => {
  await browser?.close();
});

async function open(script: Script): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.exposeFunction("__gas", (name: string, args: string) => {
    try {
      return JSON.stringify({ value: script.call(name, "sidebar", ...(JSON.parse(args) as unknown[])) ?? null });
    } catch (e) {
      return JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
    }
  });
  await page.addInitScript(RUNNER);
  await page.route("http://sidebar.test/", (route) => route.fulfill({ contentType: "text/html", body: HTML }));
  await page.goto("http://sidebar.test/");
  await page.waitForFunction(() => (document.querySelector("#columns")?.children.length ?? 0) > 0);
  return { page, errors };
}

describe("Sidebar.html", () => {
  it("shows the columns, runs a command, lists problems as text and goes to a problem's cell", async () => {
    const script = await loadScript();
    const deals = dealsBook(script.env, 40);
    deals.name = `Deals ${EVIL}`;
    deals.store(4, 2, EVIL);
    const { page, errors } = await open(script);
    expect(await page.textContent("#sheet")).toBe(`Deals ${EVIL}`);
    expect(await page.locator("#columns tr").count()).toBeGreaterThan(8);

    await page.click('button[data-command="score"]');
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Scored"));
    expect(await page.textContent("#status")).toBe(script.env.book.toasts.at(-1)?.message ?? (await page.textContent("#status")));
    const problems = page.locator("#problems li");
    expect(await problems.count()).toBeGreaterThan(0);
    // The stage cell C5 holds the markup; its problem quotes it, as text.
    const evil = page.locator("#problems li", { hasText: "!C5" }).first();
    expect(await evil.textContent()).toContain(`${EVIL}!C5`);
    expect((await evil.textContent())?.split("!C5")[1]).toContain(EVIL);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await evil.locator("button").click();
    await expect.poll(() => script.env.book.selection).toBe(`Deals ${EVIL}!C5`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works from the keyboard: Tab to a command, Enter runs it", async () => {
    const script = await loadScript();
    dealsBook(script.env, 20);
    const { page } = await open(script);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-command"))).toBe("score");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Scored"));
    expect(await page.getAttribute("#status", "role")).toBe("status");
    await page.close();
  });

  it("a sheet too big for one execution is carried on by the sidebar until done", async () => {
    const script = await loadScript({ cost: { writeCell: 0.3 } });
    dealsBook(script.env, 100_000);
    const { page, errors } = await open(script);
    // Each part runs the fake's simulated six minutes of work for real, which takes many seconds of wall time
    // on a busy machine (100,000 rows, a formula per row for the stuck limit): the click waits as long as the parts.
    await page.click('button[data-command="setup"]', { timeout: 110_000 });
    await page.waitForFunction(() => /in \d+ parts\)$/.test(document.querySelector("#status")?.textContent ?? ""), undefined, { timeout: 110_000 });
    expect(script.env.properties.has("pipesheet.resume")).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("Sidebar.html: Log activity", () => {
  it("appends exactly one row for the selected deal, leaves the deal's own cells unticked, and shows typed markup as text", async () => {
    const script = await loadScript({ zone: "Etc/UTC", now: "2026-12-01T12:00:00Z" });
    const deals = script.env.book.addSheet("Deals", 3, 6);
    deals.load([["Deal ID", "Deal", "Stage", "Owner", "Next step", "Follow-up date"], ["D-1", "Acme", "Proposal", "Ana", "Call", ""], ["D-2", "Birch", "Meeting", "Ben", "", ""]]);
    const log = script.env.book.addSheet("Follow-ups", 10, 5);
    log.load([["Date", "Deal ID", "Type", "Notes", "By"], [new Date(Date.UTC(2026, 10, 30)), "D-1", "call", "first", "Ana"]]);
    const { page, errors } = await open(script);
    script.env.book.active = deals;
    script.env.book.selection = "Deals!C3";
    await page.selectOption("#log-type", "meeting");
    await page.fill("#log-note", `=IMPORTXML("http://x","//a") ${EVIL}`);
    await page.fill("#log-next", EVIL);
    await page.fill("#log-next-date", "2026-12-08");
    await page.click("#log-submit");
    await page.waitForFunction(() => document.querySelector("#log-result")?.textContent?.startsWith("Logged"));
    expect(await page.textContent("#log-result")).toBe("Logged a meeting on D-2 in Follow-ups. Your own Next step, Follow-up date left as they are.");
    const row = (r: number): unknown[] => Array.from({ length: 5 }, (_, c) => log.raw(r, c));
    // 2026-12-01 is serial 46357; By blank: the deal's owner counts.
    expect(row(2)).toEqual([46357, "D-2", "Meeting", `=IMPORTXML("http://x","//a") ${EVIL}`, ""]);
    expect(row(3)).toEqual(["", "", "", "", ""]);
    expect([deals.raw(2, 4), deals.raw(2, 5), deals.raw(1, 4)]).toEqual(["", "", "Call"]);
    expect(await page.inputValue("#log-note")).toBe("");
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });
});
