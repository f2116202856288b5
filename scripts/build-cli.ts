// Builds the installable CLI: cli/ and core/ compiled ahead of time into plain ES modules in dist/cli/, with
// the npm dependencies left as imports (they install with the package). Code splitting keeps the commands'
// dynamic imports lazy, so `pipesheet --help` loads neither exceljs nor googleapis.
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CLI_OUT = path.join(ROOT, "dist", "cli");
export const CLI_ENTRY = path.join(CLI_OUT, "pipesheet.js");

export async function buildCli(outDir: string = CLI_OUT): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    // The worker that reads a large tab beside the main thread (cli/io/xlsx-pkg/aside.ts) is found next to the
    // chunks, where the code that starts it lands.
    entryPoints: { pipesheet: path.join(ROOT, "cli", "cli.ts"), "chunks/grid-worker": path.join(ROOT, "cli", "io", "xlsx-pkg", "grid-worker.ts") },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "none",
    // Whitespace stays: a stack trace from a user's bug report should point at readable lines.
    minifySyntax: true,
    charset: "utf8",
    logLevel: "warning",
  });
  const entry = path.join(outDir, "pipesheet.js");
  chmodSync(entry, 0o755);
  return entry;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = await buildCli(process.argv[2] ? path.resolve(process.argv[2]) : CLI_OUT);
  // stderr: `npm pack --json` runs this as prepack, and its stdout must stay one JSON document.
  process.stderr.write(`Built ${path.relative(ROOT, entry)}\n`);
}
