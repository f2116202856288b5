// npm run build:sheets:team: pipesheet for Google Sheets deployed once for a team, two ways.
// As an Apps Script library: dist/sheets-script-library/ is the library (the bound build, unchanged);
// dist/sheets-script-caller/ is what each spreadsheet holds: one top-level function per entry point, forwarding
// to the library. Apps Script runs simple triggers and finds menu and google.script.run targets only among the
// spreadsheet's own script's functions, never a library's, which is why the caller must declare every one.
// As a private Editor add-on: dist/sheets-script-addon/ is the bundle whose onOpen builds the add-on menu
// (createAddonMenu) and which has onInstall; its appsscript.json is the bound script's (the same two scopes).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSheetsScript, ROOT } from "../sheets-script/build.js";
import { ENTRY_POINTS } from "../sheets-script/src/names.js";

export const LIBRARY_SYMBOL = "Pipesheet";
export const LIBRARY_ID_PLACEHOLDER = "PASTE-THE-LIBRARY-SCRIPT-ID-HERE";

export interface TeamBuild {
  library: string;
  caller: string;
  addon: string;
}

export function callerCode(version: string): string {
  const lines = [
    `// pipesheet ${version} for Google Sheets, the part each spreadsheet holds: every entry point forwards to the`,
    `// ${LIBRARY_SYMBOL} library (Extensions › Apps Script › Libraries). Built by npm run build:sheets:team; do not edit.`,
    ...ENTRY_POINTS.map((name) => `function ${name}() {\n  return ${LIBRARY_SYMBOL}.${name}.apply(null, arguments);\n}`),
  ];
  return `${lines.join("\n")}\n`;
}

export async function buildTeam(opts: { outRoot?: string; libraryId?: string; libraryVersion?: string; typecheck?: boolean } = {}): Promise<TeamBuild> {
  const outRoot = opts.outRoot ?? path.join(ROOT, "dist");
  const library = await buildSheetsScript({ outDir: path.join(outRoot, "sheets-script-library"), typecheck: opts.typecheck ?? true });
  const caller = path.join(outRoot, "sheets-script-caller");
  mkdirSync(caller, { recursive: true });
  const version = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  writeFileSync(path.join(caller, "Code.js"), callerCode(version));
  const manifest = JSON.parse(readFileSync(path.join(library, "appsscript.json"), "utf8")) as Record<string, unknown>;
  // The caller's manifest is what each user authorises, so it carries the library's scopes; the version pins
  // which library version this spreadsheet runs.
  const dependencies = { libraries: [{ userSymbol: LIBRARY_SYMBOL, libraryId: opts.libraryId ?? LIBRARY_ID_PLACEHOLDER, version: opts.libraryVersion ?? "1" }] };
  writeFileSync(path.join(caller, "appsscript.json"), `${JSON.stringify({ ...manifest, dependencies }, null, 2)}\n`);
  const addon = await buildSheetsScript({ outDir: path.join(outRoot, "sheets-script-addon"), typecheck: false, addon: true });
  return { library, caller, addon };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const libraryId = arg("--library-id");
  const libraryVersion = arg("--library-version");
  const built = await buildTeam({ ...(libraryId ? { libraryId } : {}), ...(libraryVersion ? { libraryVersion } : {}) });
  process.stdout.write(
    `Built ${path.relative(ROOT, built.library)}/ (the library), ${path.relative(ROOT, built.caller)}/ (each spreadsheet's caller) and ${path.relative(ROOT, built.addon)}/ (the private Editor add-on)\n`,
  );
  if (!libraryId) process.stdout.write(`The caller names no library yet: run again with --library-id THE_LIBRARY_SCRIPT_ID --library-version N (docs/sheets.md).\n`);
}
