// The built Apps Script project: what clasp pushes, and that the bundle runs in a bare V8 context with only Apps Script's globals.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { describe, expect, test } from "vitest";
import { ENTRY_POINTS } from "../sheets-script/src/names.js";
import { builtBundle, loadScript } from "./fakes/apps-script/bundle.js";
import { dealsBook } from "./fakes/apps-script/deals.js";

describe("the built project", () => {
  test("holds exactly Code.js, appsscript.json and Sidebar.html (plus clasp's project file)", async () => {
    const b = await builtBundle();
    for (const f of ["Code.js", "appsscript.json", "Sidebar.html", ".clasp.json", ".claspignore"]) expect(existsSync(path.join(b.dir, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(path.join(b.dir, ".clasp.json"), "utf8")).rootDir).toBe(".");
  });

  test("the manifest asks for V8 and the two narrow scopes only", async () => {
    const m = JSON.parse((await builtBundle()).manifest) as { runtimeVersion: string; oauthScopes: string[] };
    expect(m.runtimeVersion).toBe("V8");
    expect(m.oauthScopes).toEqual(["https://www.googleapis.com/auth/spreadsheets.currentonly", "https://www.googleapis.com/auth/script.container.ui"]);
  });

  test("every entry point is a top-level function declaration, as Apps Script finds them", async () => {
    const { code } = await builtBundle();
    for (const name of ENTRY_POINTS) expect(code).toMatch(new RegExp(`^function ${name}\\(`, "m"));
  });

  test("the bundle is a classic script: no modules, no Node APIs", async () => {
    const { code } = await builtBundle();
    expect(() => new vm.Script(code)).not.toThrow();
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(code).not.toMatch(/\brequire\s*\(\s*["']/);
    expect(code).not.toMatch(/\bprocess\.(env|argv|exit|cwd)\b/);
  });

  test("it loads and runs in a context without require, module, process or structuredClone", async () => {
    const script = await loadScript();
    const probe = vm.runInContext("[typeof require, typeof module, typeof process, typeof Buffer, typeof window]", script.context) as string[];
    expect(probe).toEqual(["undefined", "undefined", "undefined", "undefined", "undefined"]);
    // The polyfill stands in for structuredClone, which core needs and plain V8 lacks.
    expect(vm.runInContext("typeof structuredClone", script.context)).toBe("function");
    const bare = vm.createContext({});
    expect(vm.runInContext("typeof structuredClone", bare)).toBe("undefined");
    dealsBook(script.env, 20);
    script.call("pipelineSetup", "menu");
    expect(script.env.book.toasts.at(-1)?.message).toMatch(/^Set up 20 deals/);
  });

  test("the stubs are replaced: no entry point still throws 'did not load'", async () => {
    const script = await loadScript();
    for (const name of ENTRY_POINTS) expect(String((script.context as Record<string, unknown>)[name])).not.toContain("did not load");
  });

  test(".claspignore lets clasp push the three built files and nothing else", async () => {
    const b = await builtBundle();
    const lines = readFileSync(path.join(b.dir, ".claspignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines[0]).toBe("**/**");
    expect(lines.slice(1).sort()).toEqual(["!Code.js", "!Sidebar.html", "!appsscript.json"]);
  });

  test("the bundle is readable, so a stack trace in the executions log points at real lines and names", async () => {
    const { code } = await builtBundle();
    const lines = code.split("\n");
    expect(lines.length).toBeGreaterThan(2000);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(2000);
    expect(code).toMatch(/function stuckFormula\(/);
  });

  test("clasp is pinned as a devDependency, not fetched by npx at push time", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies["@google/clasp"]).toMatch(/^3\.\d+\.\d+$/);
    expect(readFileSync("sheets-script/push.ts", "utf8")).not.toMatch(/"--yes"|@google\/clasp@/);
  });
});
