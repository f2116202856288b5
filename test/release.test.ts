// npm run release: refused without a real https PIPESHEET_URL before anything is built; and the checks each
// artefact must pass (here on folders laid out as the builds lay them out, and on the real Apps Script build).
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rewriteManifest } from "../excel-addin/build/manifest.js";
import { buildSheetsScript } from "../sheets-script/build.js";
import { ADDON_ENTRY_POINTS } from "../sheets-script/src/names.js";
import { checkAddin, checkSheetsBundle, packageVersion, productionUrl, ReleaseError } from "../scripts/release.js";
import { ROOT, tempDir } from "./cli-harness.js";

const URL_OK = "https://addins.contoso.org/pipesheet/";
const VERSION = packageVersion();

describe("PIPESHEET_URL", () => {
  it.each([
    ["unset", {}, /PIPESHEET_URL is not set/],
    ["plain http", { PIPESHEET_URL: "http://addins.contoso.org/" }, /must use https/],
    ["the example placeholder", { PIPESHEET_URL: "https://pipesheet.example.com/excel/" }, /placeholder/],
    ["not an address", { PIPESHEET_URL: "addins" }, /not an address/],
  ])("%s is refused", (_what, env, message) => {
    expect(() => productionUrl(env)).toThrow(message);
  });

  it("a real https address is taken, ending in /", () => {
    expect(productionUrl({ PIPESHEET_URL: "https://addins.contoso.org/pipesheet" })).toBe(URL_OK);
  });

  it("npm run release without it stops before building anything, exit 1", async () => {
    const r = await new Promise<{ code: number; stderr: string; stdout: string }>((done) => {
      const env = { ...process.env };
      delete env.PIPESHEET_URL;
      execFile("npm", ["run", "-s", "release"], { cwd: ROOT, env }, (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^release: PIPESHEET_URL is not set/m);
    expect(r.stdout).toBe("");
  });
});

describe("the add-in checks", () => {
  const lay = async (change: (dir: string) => void = () => undefined): Promise<string> => {
    const dir = join(await tempDir(), "excel");
    mkdirSync(join(dir, "assets"), { recursive: true });
    writeFileSync(join(dir, "manifest.xml"), rewriteManifest(readFileSync(join(ROOT, "manifest.xml"), "utf8"), URL_OK));
    writeFileSync(join(dir, "taskpane.html"), `<main>…<footer class="hint">pipesheet ${VERSION}</footer></main>`);
    writeFileSync(join(dir, "taskpane.0a1b2c3d.js"), "console.log(1)");
    change(dir);
    return dir;
  };

  it("pass on a production build for the address", async () => {
    await expect(checkAddin(await lay(), URL_OK, VERSION)).resolves.toBeUndefined();
  });

  it.each([
    ["a source map", (d: string) => writeFileSync(join(d, "taskpane.0a1b2c3d.js.map"), "{}"), /source maps/],
    ["the playground", (d: string) => writeFileSync(join(d, "playground.html"), "<p>"), /playground/],
    ["a manifest still on localhost", (d: string) => copyFileSync(join(ROOT, "manifest.xml"), join(d, "manifest.xml")), /localhost/],
    ["an invalid manifest", (d: string) => writeFileSync(join(d, "manifest.xml"), readFileSync(join(d, "manifest.xml"), "utf8").replace(/<Id>[^<]*<\/Id>/, "")), /does not validate/],
    ["another version in the manifest", (d: string) => writeFileSync(join(d, "manifest.xml"), readFileSync(join(d, "manifest.xml"), "utf8").replace(/<Version>[^<]*</, "<Version>9.9.9.0<")), /<Version> is 9\.9\.9\.0/],
    ["a pane without the version", (d: string) => writeFileSync(join(d, "taskpane.html"), "<main></main>"), /footer/],
  ])("refuse %s", async (_what, change, message) => {
    await expect(checkAddin(await lay(change), URL_OK, VERSION)).rejects.toThrow(message);
  });

  it("refuse a manifest for another address", async () => {
    await expect(checkAddin(await lay(), "https://elsewhere.contoso.org/", VERSION)).rejects.toThrow(ReleaseError);
  });
});

describe("the Apps Script checks", () => {
  it("the real build loads in a bare context with every entry point defined, and shows the version", async () => {
    const dir = await buildSheetsScript({ outDir: join(await tempDir(), "sheets"), typecheck: false });
    expect(() => checkSheetsBundle(dir, VERSION)).not.toThrow();
  });

  it("a bundle that fails to replace its stubs is refused", async () => {
    const dir = await buildSheetsScript({ outDir: join(await tempDir(), "sheets"), typecheck: false });
    const code = readFileSync(join(dir, "Code.js"), "utf8");
    writeFileSync(join(dir, "Code.js"), code.split("\n").filter((l) => l.startsWith("function ") || l.startsWith("//")).join("\n"));
    expect(() => checkSheetsBundle(dir, VERSION)).toThrow(/still the stub/);
  });

  it("the add-on build passes with onInstall, and the bound build does not pass as the add-on (it has no onInstall)", async () => {
    const addon = await buildSheetsScript({ outDir: join(await tempDir(), "addon"), typecheck: false, addon: true });
    expect(() => checkSheetsBundle(addon, VERSION, ADDON_ENTRY_POINTS)).not.toThrow();
    const bound = await buildSheetsScript({ outDir: join(await tempDir(), "sheets"), typecheck: false });
    expect(() => checkSheetsBundle(bound, VERSION, ADDON_ENTRY_POINTS)).toThrow(/onInstall is still the stub/);
  });

  it("a bundle that needs Node to load is refused", async () => {
    const dir = await buildSheetsScript({ outDir: join(await tempDir(), "sheets"), typecheck: false });
    writeFileSync(join(dir, "Code.js"), `require("fs");\n${readFileSync(join(dir, "Code.js"), "utf8")}`);
    expect(() => checkSheetsBundle(dir, VERSION)).toThrow(/does not load in a bare context/);
  });
});
