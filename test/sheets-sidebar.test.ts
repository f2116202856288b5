// The sidebar's server side through the bundle, and the page's own rule: sheet text only ever goes in as text.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadScript } from "./fakes/apps-script/bundle.js";
import { dealsBook } from "./fakes/apps-script/deals.js";

describe("sidebar server functions", () => {
  test("Open sidebar shows Sidebar.html, titled Pipeline", async () => {
    const script = await loadScript();
    dealsBook(script.env, 5);
    script.call("openSidebar", "menu");
    expect(script.env.sidebars).toHaveLength(1);
    expect(script.env.sidebars[0]?.title).toBe("Pipeline");
    // The build fills in the version in the footer; the rest is the file as written.
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
    expect(script.env.sidebars[0]?.content).toBe(readFileSync("sheets-script/Sidebar.html", "utf8").replace("%PIPESHEET_VERSION%", version));
  });

  test("sidebarState lists the recognised columns from the header alone, then the last run", async () => {
    const script = await loadScript();
    dealsBook(script.env, 200);
    script.env.resetCounts();
    const state = script.call("sidebarState", "sidebar") as { sheet: string; columns: { label: string; header: string }[]; missing: string[]; last: unknown };
    expect(state.sheet).toBe("Deals");
    expect(state.columns).toContainEqual({ field: "stage", label: "Stage", header: "Stage", guessed: false });
    expect(state.columns).toContainEqual({ field: "closeDate", label: "Expected close date", header: "Expected close date", guessed: false });
    expect(state.last).toBeNull();
    // Only the rows a header can be in are read.
    expect(script.env.byName.get("Range.getValues")).toBe(1);
    script.call("sidebarRun", "sidebar", "setup");
    const again = script.call("sidebarState", "sidebar") as { last: { command: string; headline: string; problemCount: number } };
    expect(again.last.command).toBe("setup");
    expect(again.last.headline).toMatch(/^Set up 200 deals/);
  });

  test("sidebarRun answers with the summary and all problems; an unknown command is refused", async () => {
    const script = await loadScript();
    const deals = dealsBook(script.env, 30);
    deals.store(3, 2, "Negotation");
    const r = script.call("sidebarRun", "sidebar", "score") as { done: boolean; headline: string; problems: { cell: string; code: string }[]; problemCount: number };
    expect(r.done).toBe(true);
    expect(r.headline).toMatch(/^Scored 30 deals/);
    expect(r.problems.length).toBe(r.problemCount);
    expect(r.problems).toContainEqual(expect.objectContaining({ cell: "C4", code: "UNKNOWN_STAGE" }));
    expect(() => script.call("sidebarRun", "sidebar", "drop tables")).toThrow(/Unknown command/);
  });

  test("sidebarSelect goes to a problem's cell and refuses anything that is not an address", async () => {
    const script = await loadScript();
    dealsBook(script.env, 5);
    expect(script.call("sidebarSelect", "sidebar", "Deals", "C4")).toBe(true);
    expect(script.env.book.selection).toBe("Deals!C4");
    expect(script.call("sidebarSelect", "sidebar", "Deals", "C4:ZZ9;alert(1)")).toBe(false);
    expect(script.call("sidebarSelect", "sidebar", "No such tab", "A1")).toBe(false);
  });

  test("a menu command with problems says how many in a toast and opens the sidebar, with no modal alert", async () => {
    const script = await loadScript();
    const deals = dealsBook(script.env, 40);
    for (let r = 1; r <= 20; r++) deals.store(r, 2, `Stage ${r}x`);
    script.call("pipelineScore", "menu");
    const state = script.call("sidebarState", "sidebar") as { last: { problemCount: number } | null };
    const n = state.last?.problemCount ?? 0;
    expect(n).toBeGreaterThanOrEqual(20);
    expect(script.env.book.toasts.at(-1)?.message).toMatch(new RegExp(`· ${n} problems: see the sidebar$`));
    expect(script.env.book.toasts.at(-1)?.message).not.toMatch(/cells need fixing/);
    expect(script.env.sidebars).toHaveLength(1);
    expect(script.env.alerts).toEqual([]);
  });
});

describe("Sidebar.html", () => {
  const html = readFileSync("sheets-script/Sidebar.html", "utf8");
  const script = html.slice(html.indexOf("<script>"), html.indexOf("</script>"));

  test("never parses text as HTML", () => {
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\.html\(/);
    expect(script).toMatch(/textContent/);
  });

  test("calls only server functions the bundle defines", async () => {
    const { ENTRY_POINTS } = await import("../sheets-script/src/names.js");
    const called = new Set([...script.matchAll(/\.(sidebar[A-Z]\w*)\(/g)].map((m) => m[1]));
    expect([...called].sort()).toEqual(["sidebarLogActivity", "sidebarRun", "sidebarSelect", "sidebarState"]);
    for (const n of called) expect(ENTRY_POINTS).toContain(n);
  });
});
