// The private Editor add-on built by npm run build:sheets:team: the same bundle, but its onOpen builds the add-on
// menu (Extensions › pipesheet) with the bound script's items, onInstall builds it right after installing, and
// onOpen does nothing an AuthMode.NONE execution may not; the bound script keeps its Pipeline menu.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { ADDON_ENTRY_POINTS, ENTRY_POINTS } from "../sheets-script/src/names.js";
import { buildTeam } from "../scripts/sheets-team.js";
import { builtBundle, loadScript, type Script } from "./fakes/apps-script/bundle.js";
import { dealsBook } from "./fakes/apps-script/deals.js";
import { ADDON_MENU } from "./fakes/apps-script/env.js";
import { tempDir } from "./cli-harness.js";

const ITEMS = [
  ["Set up pipeline", "pipelineSetup"],
  ["Score leads", "pipelineScore"],
  ["Pipeline review", "pipelineReview"],
  ["---", ""],
  ["Open sidebar", "openSidebar"],
];

const everyItemDefined = (script: Script): void => {
  for (const menu of script.env.menus) for (const [, fn] of menu.items) if (fn) expect(typeof (script.context as Record<string, unknown>)[fn], fn).toBe("function");
};

describe("npm run build:sheets:team writes the add-on", () => {
  it("dist/sheets-script-addon/ holds Code.js, Sidebar.html and the bound script's manifest (same two scopes), no bound project ID", async () => {
    const out = await buildTeam({ outRoot: await tempDir(), typecheck: false });
    for (const f of ["Code.js", "appsscript.json", "Sidebar.html", ".claspignore"]) expect(existsSync(join(out.addon, f)), f).toBe(true);
    expect(existsSync(join(out.addon, ".clasp.json"))).toBe(false);
    const addon = JSON.parse(readFileSync(join(out.addon, "appsscript.json"), "utf8")) as { oauthScopes: string[]; runtimeVersion: string };
    const bound = JSON.parse(readFileSync(join(out.library, "appsscript.json"), "utf8")) as { oauthScopes: string[] };
    expect(addon.oauthScopes).toEqual(["https://www.googleapis.com/auth/spreadsheets.currentonly", "https://www.googleapis.com/auth/script.container.ui"]);
    expect(addon.oauthScopes).toEqual(bound.oauthScopes);
    expect(addon.runtimeVersion).toBe("V8");
    const code = readFileSync(join(out.addon, "Code.js"), "utf8");
    for (const name of ADDON_ENTRY_POINTS) expect(code).toMatch(new RegExp(`^function ${name}\\(`, "m"));
    expect(code).toBe((await builtBundle("addon")).code);
  });
});

describe("the add-on bundle in a bare context", () => {
  it("is a classic script with no modules or Node APIs, and every stub is replaced", async () => {
    const { code } = await builtBundle("addon");
    expect(() => new vm.Script(code)).not.toThrow();
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(code).not.toMatch(/\brequire\s*\(\s*["']/);
    const script = await loadScript({}, "addon");
    for (const name of ADDON_ENTRY_POINTS) expect(String((script.context as Record<string, unknown>)[name]), name).not.toContain("did not load");
  });

  it("onInstall builds the add-on menu with the bound script's items", async () => {
    const script = await loadScript({}, "addon");
    script.call("onInstall", "simple-trigger", { authMode: "FULL" });
    expect(script.env.menus).toEqual([{ name: ADDON_MENU, addon: true, items: ITEMS }]);
    everyItemDefined(script);
  });

  it("onOpen in AuthMode.NONE builds the same menu and touches neither the document nor its properties", async () => {
    const script = await loadScript({}, "addon");
    dealsBook(script.env, 5);
    script.env.resetCounts();
    script.callAs("onOpen", "simple-trigger", "NONE", { authMode: "NONE" });
    expect(script.env.menus).toEqual([{ name: ADDON_MENU, addon: true, items: ITEMS }]);
    expect([...script.env.byName.keys()].sort()).toEqual(["Menu.addItem", "Menu.addSeparator", "Menu.addToUi", "SpreadsheetApp.getUi", "Ui.createAddonMenu"]);
  });

  it("the fake refuses the document in AuthMode.NONE, so the test above can fail", async () => {
    const script = await loadScript({}, "addon");
    dealsBook(script.env, 5);
    expect(() => script.callAs("pipelineScore", "menu", "NONE")).toThrow(/AuthMode\.NONE/);
  });

  it("its menu commands are the bound script's: setup from the add-on menu sets the sheet up", async () => {
    const script = await loadScript({}, "addon");
    dealsBook(script.env, 20);
    script.call("pipelineSetup", "menu");
    expect(script.env.book.toasts.at(-1)?.message).toMatch(/^Set up 20 deals/);
  });
});

describe("the bound script is unchanged", () => {
  it("onOpen builds the Pipeline menu with createMenu, and there is no onInstall", async () => {
    const { code } = await builtBundle("bound");
    expect(code).not.toMatch(/^function onInstall\(/m);
    expect(code).not.toContain("createAddonMenu");
    const script = await loadScript();
    expect((script.context as Record<string, unknown>).onInstall).toBeUndefined();
    script.call("onOpen", "simple-trigger");
    expect(script.env.menus).toEqual([{ name: "Pipeline", addon: false, items: ITEMS }]);
    expect(ENTRY_POINTS).not.toContain("onInstall");
  });
});
