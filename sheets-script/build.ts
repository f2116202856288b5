// Builds the Apps Script project: one IIFE (core + adapter) with top-level entry stubs, the manifest and the sidebar.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { ADDON_ENTRY_POINTS, ENTRY_POINTS } from "./src/names.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "..");
export const DEFAULT_OUT = path.join(ROOT, "dist", "sheets-script");

/**
 * Apps Script finds triggers, menu items and google.script.run targets only as top-level function
 * declarations. These stubs are those declarations; the bundle below replaces each with the real function
 * when the script loads (the pattern of gas-webpack-plugin). A stub that still runs means the bundle failed.
 */
function stubs(names: readonly string[]): string {
  return names.map((n) => `function ${n}() { throw new Error("pipesheet did not load (${n})"); }`).join("\n");
}

/**
 * zod bundles error messages in some forty languages behind \`z.locales\`; core uses the English default only.
 * Keeping just that one halves the script Apps Script parses on every execution.
 */
const englishOnly: Plugin = {
  name: "zod-english-only",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', loader: "js", resolveDir: path.join(ROOT, "node_modules", "zod", "v4", "locales") }));
  },
};

export interface BuildOptions {
  outDir?: string;
  /** Type-check the adapter and core against the Apps Script types first (tsc -p sheets-script). */
  typecheck?: boolean;
  /**
   * The private Editor add-on's variant: its menu is the add-on menu (createAddonMenu) and it has onInstall;
   * the bound script keeps its Pipeline menu. Everything else is the same bundle.
   */
  addon?: boolean;
}

export async function buildSheetsScript(options: BuildOptions = {}): Promise<string> {
  const outDir = options.outDir ?? DEFAULT_OUT;
  if (options.typecheck ?? true) {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(here, "tsconfig.json")], { stdio: "inherit" });
  }
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(here, "src", options.addon ? "addon-main.ts" : "main.ts")],
    bundle: true,
    format: "iife",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2020",
    write: false,
    plugins: [englishOnly],
    legalComments: "none",
    // Not minified: a stack trace in the Apps Script executions log then points at readable lines and names.
    minifyWhitespace: false,
    minifySyntax: false,
    charset: "utf8",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  const banner = options.addon
    ? `// pipesheet for Google Sheets as a private Editor add-on. Built file: edit sheets-script/ and run npm run build:sheets:team.\n${stubs(ADDON_ENTRY_POINTS)}\n`
    : `// pipesheet for Google Sheets. Built file: edit sheets-script/ and run npm run build:sheets.\n${stubs(ENTRY_POINTS)}\n`;
  writeFileSync(path.join(outDir, "Code.js"), banner + code);
  copyFileSync(path.join(here, "appsscript.json"), path.join(outDir, "appsscript.json"));
  writeFileSync(path.join(outDir, "Sidebar.html"), readFileSync(path.join(here, "Sidebar.html"), "utf8").replace("%PIPESHEET_VERSION%", (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version));
  // clasp reads .claspignore beside the project file it runs with: push exactly the three built files.
  copyFileSync(path.join(ROOT, ".claspignore"), path.join(outDir, ".claspignore"));
  // clasp run inside the output folder finds the project there (rootDir ".").
  // The user's own .clasp.json, else the template (whose placeholder ID push:sheets refuses).
  // The add-on is a standalone project of its own, never the bound script's: it gets no copy of that one's ID.
  const clasp = [".clasp.json", ".clasp.json.example"].map((f) => path.join(ROOT, f)).find((f) => existsSync(f));
  if (clasp && !options.addon) {
    const project = JSON.parse(readFileSync(clasp, "utf8")) as Record<string, unknown>;
    writeFileSync(path.join(outDir, ".clasp.json"), `${JSON.stringify({ ...project, rootDir: "." }, null, 2)}\n`);
  }
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildSheetsScript({ outDir: process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUT });
  process.stdout.write(`Built ${path.relative(ROOT, out) || out}: Code.js, appsscript.json, Sidebar.html\n`);
}
