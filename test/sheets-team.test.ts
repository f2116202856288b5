// The team deployment as an Apps Script library: the caller each spreadsheet holds declares every entry point
// as a plain top-level function (the only kind Apps Script finds) and forwards it, arguments and result, to the
// library; its manifest carries the library's scopes and names the library.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { ENTRY_POINTS } from "../sheets-script/src/names.js";
import { buildTeam, LIBRARY_ID_PLACEHOLDER, LIBRARY_SYMBOL } from "../scripts/sheets-team.js";
import { tempDir } from "./cli-harness.js";

describe("npm run build:sheets:team", () => {
  it("builds the library as the bound build, and a caller that forwards every entry point to it", async () => {
    const out = await buildTeam({ outRoot: await tempDir(), libraryId: "1LibraryScriptId", libraryVersion: "7", typecheck: false });
    const code = readFileSync(join(out.caller, "Code.js"), "utf8");
    for (const name of ENTRY_POINTS) expect(code).toMatch(new RegExp(`^function ${name}\\(\\) \\{$`, "m"));

    const calls: [string, unknown[]][] = [];
    const library = Object.fromEntries(ENTRY_POINTS.map((name) => [name, (...args: unknown[]) => (calls.push([name, args]), `${name} done`)]));
    const context = vm.createContext({ [LIBRARY_SYMBOL]: library });
    vm.runInContext(code, context, { filename: "Code.js" });
    const g = context as Record<string, (...a: unknown[]) => unknown>;
    expect(g.onEdit?.({ range: "D5" })).toBe("onEdit done");
    expect(g.sidebarRun?.("score")).toBe("sidebarRun done");
    expect(g.sidebarSelect?.("Deals", "E13")).toBe("sidebarSelect done");
    expect(calls).toEqual([
      ["onEdit", [{ range: "D5" }]],
      ["sidebarRun", ["score"]],
      ["sidebarSelect", ["Deals", "E13"]],
    ]);

    const lib = JSON.parse(readFileSync(join(out.library, "appsscript.json"), "utf8")) as { oauthScopes: string[] };
    const caller = JSON.parse(readFileSync(join(out.caller, "appsscript.json"), "utf8")) as { oauthScopes: string[]; runtimeVersion: string; dependencies: unknown };
    expect(caller.oauthScopes).toEqual(lib.oauthScopes);
    expect(caller.runtimeVersion).toBe("V8");
    expect(caller.dependencies).toEqual({ libraries: [{ userSymbol: LIBRARY_SYMBOL, libraryId: "1LibraryScriptId", version: "7" }] });
    expect(readFileSync(join(out.library, "Code.js"), "utf8")).toContain("function onOpen()");
  });

  it("without a library ID the caller says where to put it", async () => {
    const out = await buildTeam({ outRoot: await tempDir(), typecheck: false });
    expect(readFileSync(join(out.caller, "appsscript.json"), "utf8")).toContain(LIBRARY_ID_PLACEHOLDER);
  });
});
