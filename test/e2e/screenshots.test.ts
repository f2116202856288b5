// Pictures for the README, taken from the real pane and sidebar in Chromium: the pane after Score leads, the
// review tab after Pipeline review (both in the playground) and the Sheets sidebar. `npm run screenshots`
// writes them to docs/images/; a plain test run writes them to a temporary folder and checks they are real.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScript } from "../fakes/apps-script/bundle.js";
import { dealsBook } from "../fakes/apps-script/deals.js";
import { RUNNER } from "./gas.js";
import { build, serve } from "./serve.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUT = process.env.SCREENSHOTS === "1" ? "docs/images" : mkdtempSync(join(tmpdir(), "pipesheet-shots-"));

let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  ({ url, server } = await serve(build()));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function run(page: Page, button: string, verb: string): Promise<void> {
  await page.click(`#${button}`);
  await page.waitForFunction((v) => document.querySelector("#headline")?.textContent?.startsWith(v) && document.querySelector("#pane")?.getAttribute("aria-busy") === "false", verb);
}

/** A PNG of some size: the signature, and more than a blank image would take. */
function expectPicture(file: string): void {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect(statSync(file).size).toBeGreaterThan(20_000);
}

describe("screenshots", () => {
  it("the task pane and the review tab, from the playground", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${url}playground.html`);
    await page.waitForSelector("#mapping:not([hidden])");
    await run(page, "cmd-setup", "Set up");
    await run(page, "cmd-score", "Scored");
    const pane = join(OUT, "excel-pane.png");
    // What fits on a laptop screen: the top of the pane, where the result and the next step are.
    const box = await page.locator("aside.taskpane").boundingBox();
    if (!box) throw new Error("no pane");
    await page.screenshot({ path: pane, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 900) } });
    expectPicture(pane);
    await run(page, "cmd-review", "Reviewed");
    await page.waitForFunction(() => document.querySelector("#grid table")?.getAttribute("data-sheet") === "Pipeline Review");
    const review = join(OUT, "review-tab.png");
    // The first screen of the review, as a manager opening the tab sees it.
    await page.screenshot({ path: review, clip: { x: 0, y: 0, width: 1440, height: 900 } });
    expectPicture(review);
    await page.close();
  });

  it("the Sheets sidebar after a command", async () => {
    const script = await loadScript();
    dealsBook(script.env, 120);
    const page = await browser.newPage({ viewport: { width: 360, height: 900 }, deviceScaleFactor: 1 });
    await page.exposeFunction("__gas", (name: string, args: string) => {
      try {
        return JSON.stringify({ value: script.call(name, "sidebar", ...(JSON.parse(args) as unknown[])) ?? null });
      } catch (e) {
        return JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
      }
    });
    await page.addInitScript(RUNNER);
    await page.route("http://sidebar.test/", (route) => route.fulfill({ contentType: "text/html", body: readFileSync("sheets-script/Sidebar.html", "utf8") }));
    await page.goto("http://sidebar.test/");
    await page.waitForFunction(() => (document.querySelector("#columns")?.children.length ?? 0) > 0);
    await page.click('button[data-command="setup"]');
    await page.waitForFunction(() => /^Set up/.test(document.querySelector("#status")?.textContent ?? ""));
    const sidebar = join(OUT, "sheets-sidebar.png");
    await page.screenshot({ path: sidebar, clip: { x: 0, y: 0, width: 360, height: 900 } });
    expectPicture(sidebar);
    await page.close();
  });
});
