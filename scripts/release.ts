// `npm run release`: every artefact of one version, each built and then checked the way its users will meet it.
//   1. the CLI package: npm pack, installed into an empty prefix with production dependencies only, then run;
//   2. the Excel add-in: the production webpack build for PIPESHEET_URL, refused without it; the manifest
//      validated against Office's schemas, pointing only at PIPESHEET_URL, no source maps, no playground;
//   3. the Apps Script bundle, and its private Editor add-on variant: built, then loaded in a bare JavaScript
//      context (no Node, no Apps Script).
// Any failed check stops the release with a line saying what to fix.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { validateXML } from "xmllint-wasm";
import { buildSheetsScript } from "../sheets-script/build.js";
import { ADDON_ENTRY_POINTS, ENTRY_POINTS } from "../sheets-script/src/names.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

export class ReleaseError extends Error {}
const check = (ok: boolean, message: string): void => {
  if (!ok) throw new ReleaseError(message);
};

export const packageVersion = (): string => (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The production address of the add-in: https, ending in "/", and never the example placeholder. */
export function productionUrl(env: NodeJS.ProcessEnv): string {
  const raw = env.PIPESHEET_URL ?? "";
  check(raw !== "", "PIPESHEET_URL is not set: say where dist/excel/ will be hosted, e.g. PIPESHEET_URL=https://addins.example.org/pipesheet/ npm run release");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ReleaseError(`PIPESHEET_URL ${raw} is not an address`);
  }
  check(url.protocol === "https:", `PIPESHEET_URL ${raw} must use https: Office loads add-ins only over https`);
  check(!/(^|\.)pipesheet\.example\.com$|^localhost$/.test(url.hostname), `PIPESHEET_URL ${raw} is a placeholder or a dev address, not where the add-in is hosted`);
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

// ------------------------------------------------------------------------------------------ the CLI

export function releaseCli(outDir: string): { tarball: string; bytes: number } {
  mkdirSync(outDir, { recursive: true });
  // prepack builds dist/cli/.
  const packed = JSON.parse(execFileSync(npm, ["pack", "--json", "--silent", "--pack-destination", outDir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })) as { filename: string; size: number; files: { path: string }[] }[];
  const info = packed[0];
  check(info !== undefined, "npm pack made no tarball");
  const tarball = path.join(outDir, info?.filename ?? "");
  const shipped = info?.files.map((f) => f.path) ?? [];
  check(shipped.includes("dist/cli/pipesheet.js"), "the package has no dist/cli/pipesheet.js");
  check(!shipped.some((f) => f.endsWith(".ts") || f.startsWith("test/")), `the package ships sources or tests: ${shipped.filter((f) => f.endsWith(".ts") || f.startsWith("test/")).join(", ")}`);

  const prefix = mkdtempSync(path.join(tmpdir(), "pipesheet-release-"));
  try {
    execFileSync(npm, ["install", "--global", "--prefix", prefix, "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], { stdio: ["ignore", "ignore", "inherit"] });
    const bin = path.join(prefix, "bin", "pipesheet");
    const version = spawnSync(bin, ["--version"], { cwd: prefix, encoding: "utf8" });
    check(version.status === 0 && version.stdout.trim() === packageVersion(), `the installed pipesheet --version printed ${JSON.stringify(version.stdout.trim())}, not ${packageVersion()}`);
    const review = spawnSync(bin, ["review", "-", "--today", "2026-11-26", "--json"], { cwd: prefix, input: readFileSync(path.join(ROOT, "samples", "pipeline.csv")), encoding: "utf8" });
    check(review.status === 0, `the installed pipesheet review failed (exit ${review.status}): ${review.stderr.trim()}`);
    const deals = (JSON.parse(review.stdout) as { summary: { deals: number } }).summary.deals;
    check(deals === 400, `the installed pipesheet reviewed ${deals} deals of the sample, not 400`);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
  return { tarball, bytes: info?.size ?? 0 };
}

// ------------------------------------------------------------------------------------------ the add-in

async function validateManifest(xml: string): Promise<string | null> {
  const dir = path.join(ROOT, "schemas", "office-addin-manifest");
  const main = "OfficeAppManifestV1_1.xsd";
  const r = await validateXML({
    xml: [{ fileName: "manifest.xml", contents: xml }],
    schema: [{ fileName: main, contents: readFileSync(path.join(dir, main), "utf8") }],
    preload: readdirSync(dir)
      .filter((f) => f.endsWith(".xsd") && f !== main)
      .map((f) => ({ fileName: f, contents: readFileSync(path.join(dir, f), "utf8") })),
  });
  return r.valid ? null : r.rawOutput;
}

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

/** The checks on a built dist/excel/, apart from the build, so they can be tried on any folder. */
export async function checkAddin(dir: string, url: string, version: string): Promise<void> {
  check(existsSync(path.join(dir, "manifest.xml")), `${dir} has no manifest.xml`);
  const files = walk(dir);
  const maps = files.filter((f) => f.endsWith(".map"));
  check(maps.length === 0, `dist/excel ships source maps (${maps.join(", ")}): the production build must not write them`);
  const playground = files.filter((f) => /(^|\/)playground[^/]*$/i.test(f));
  check(playground.length === 0, `dist/excel ships the playground (${playground.join(", ")}): it is a development page, not part of the add-in`);
  const xml = readFileSync(path.join(dir, "manifest.xml"), "utf8");
  const invalid = await validateManifest(xml);
  check(invalid === null, `dist/excel/manifest.xml does not validate against the Office schemas:\n${invalid ?? ""}`);
  check(!/localhost|pipesheet\.example\.com/.test(xml), "dist/excel/manifest.xml still points at localhost or the example host");
  const addresses = [...xml.matchAll(/DefaultValue="(https?:[^"]+)"|<SourceLocation DefaultValue="([^"]+)"/g)].map((m) => m[1] ?? m[2] ?? "");
  const origin = new URL(url).origin;
  const elsewhere = addresses.filter((a) => new URL(a).origin !== origin && !a.startsWith("https://go.microsoft.com/") && !a.startsWith("https://appsforoffice.microsoft.com/"));
  check(elsewhere.length === 0, `dist/excel/manifest.xml points outside ${origin}: ${elsewhere.join(", ")}`);
  const declared = /<Version>([^<]+)<\/Version>/.exec(xml)?.[1];
  check(declared === `${version.replace(/-.*$/, "")}.0`, `the manifest's <Version> is ${declared ?? "missing"}, not ${version}.0 (package.json's version)`);
  const pane = files.find((f) => f === "taskpane.html");
  check(pane !== undefined, "dist/excel has no taskpane.html");
  check(readFileSync(path.join(dir, "taskpane.html"), "utf8").includes(`pipesheet ${version}`), `dist/excel/taskpane.html does not show pipesheet ${version} in its footer`);
}

export async function releaseAddin(url: string): Promise<string> {
  // Only the project's own production build, with the address given; webpack.config.js decides the rest.
  const r = spawnSync(npm, ["run", "-s", "build"], { cwd: ROOT, env: { ...process.env, PIPESHEET_URL: url }, stdio: ["ignore", "ignore", "inherit"] });
  check(r.status === 0, `the add-in build failed (npm run build, exit ${r.status})`);
  const dir = path.join(ROOT, "dist", "excel");
  await checkAddin(dir, url, packageVersion());
  return dir;
}

// ------------------------------------------------------------------------------------------ the Apps Script

/** The built script loaded as Apps Script loads it: a classic script in a bare context, every entry point real. */
export function checkSheetsBundle(dir: string, version: string, entryPoints: readonly string[] = ENTRY_POINTS): void {
  const code = readFileSync(path.join(dir, "Code.js"), "utf8");
  const context = vm.createContext({});
  try {
    vm.runInContext(code, context, { filename: "Code.js" });
  } catch (e) {
    throw new ReleaseError(`Code.js does not load in a bare context (as Apps Script loads it): ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const name of entryPoints) {
    const fn = vm.runInContext(`typeof ${name} === "function" ? String(${name}) : ""`, context) as string;
    check(fn !== "" && !fn.includes("did not load"), `Code.js: the entry point ${name} is still the stub after loading`);
  }
  const manifest = JSON.parse(readFileSync(path.join(dir, "appsscript.json"), "utf8")) as { runtimeVersion?: string; oauthScopes?: string[] };
  check(manifest.runtimeVersion === "V8", "appsscript.json must ask for the V8 runtime");
  check((manifest.oauthScopes ?? []).length > 0, "appsscript.json lists no oauthScopes");
  check(readFileSync(path.join(dir, "Sidebar.html"), "utf8").includes(`pipesheet ${version}`), `Sidebar.html does not show pipesheet ${version}`);
}

export async function releaseSheets(): Promise<string> {
  const dir = await buildSheetsScript();
  checkSheetsBundle(dir, packageVersion());
  return dir;
}

/** The private Editor add-on's bundle (as npm run build:sheets:team writes it), checked the same way plus onInstall. */
export async function releaseSheetsAddon(): Promise<string> {
  const dir = await buildSheetsScript({ outDir: path.join(ROOT, "dist", "sheets-script-addon"), typecheck: false, addon: true });
  checkSheetsBundle(dir, packageVersion(), ADDON_ENTRY_POINTS);
  return dir;
}

// ------------------------------------------------------------------------------------------ all three

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const say = (s: string): boolean => process.stdout.write(`${s}\n`);
  try {
    // Refuse before building anything: a release without its address would ship a broken manifest.
    const url = productionUrl(process.env);
    const version = packageVersion();
    say(`pipesheet ${version}: releasing for ${url}`);
    const cli = releaseCli(path.join(ROOT, "dist", "release"));
    say(`  CLI package     ${path.relative(ROOT, cli.tarball)} (${(cli.bytes / 1024).toFixed(0)} KB): installs with production dependencies only, runs review`);
    const addin = await releaseAddin(url);
    say(`  Excel add-in    ${path.relative(ROOT, addin)}/: manifest valid for ${url}, version ${version}, no source maps, no playground`);
    const sheets = await releaseSheets();
    say(`  Apps Script     ${path.relative(ROOT, sheets)}/: loads bare, every entry point defined`);
    const addon = await releaseSheetsAddon();
    say(`  Editor add-on   ${path.relative(ROOT, addon)}/: loads bare, every entry point and onInstall defined`);
    say("Next: host dist/excel/ at that address and upload its manifest.xml; push dist/sheets-script/ with npm run push:sheets; publish the tarball.");
  } catch (e) {
    if (!(e instanceof ReleaseError)) throw e;
    process.stderr.write(`release: ${e.message}\n`);
    process.exitCode = 1;
  }
}
