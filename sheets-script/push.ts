// npm run push:sheets: build, then the pinned clasp (devDependency; with your own `npx clasp login`) pushes
// dist/sheets-script to your script project.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSheetsScript, DEFAULT_OUT, ROOT } from "./build.js";

export const PLACEHOLDER = "PASTE-YOUR-SCRIPT-ID-HERE";

// .clasp.json is each user's own (untracked); .clasp.json.example is the template to copy.
const claspFile = path.join(ROOT, ".clasp.json");
if (!existsSync(claspFile)) {
  process.stderr.write("push:sheets: copy .clasp.json.example to .clasp.json and put your script's ID in it (Extensions › Apps Script › Project Settings › Script ID).\n");
  process.exit(2);
}
const project = JSON.parse(readFileSync(claspFile, "utf8")) as { scriptId?: string };
if (!project.scriptId || project.scriptId === PLACEHOLDER) {
  process.stderr.write(
    "push:sheets: put your script's ID into .clasp.json first (in the spreadsheet: Extensions › Apps Script › Project Settings › Script ID).\n",
  );
  process.exit(2);
}
await buildSheetsScript();
const clasp = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "clasp.cmd" : "clasp");
const r = spawnSync(clasp, ["push", "--force"], { cwd: DEFAULT_OUT, stdio: "inherit", shell: process.platform === "win32" });
process.exit(r.status ?? 1);
