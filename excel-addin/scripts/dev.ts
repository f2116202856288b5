/// <reference types="node" />
// npm run dev: on Windows and macOS, the https dev server plus sideloading into desktop Excel; elsewhere
// (Linux has no desktop Excel to sideload into) the dev server serves the playground instead.
import { spawn, type ChildProcess } from "node:child_process";

const children: ChildProcess[] = [];
const start = (args: string[]): ChildProcess => {
  const child = spawn("npx", args, { stdio: "inherit", shell: process.platform === "win32" });
  children.push(child);
  child.on("exit", (code) => {
    if (code !== 0 && code !== null) process.exitCode = code;
  });
  return child;
};
const stop = (): void => {
  for (const c of children) c.kill();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

if (process.platform === "win32" || process.platform === "darwin") {
  start(["webpack", "serve", "--mode", "development"]);
  // office-addin-debugging is not a dependency: its keytar dependency does not build on Linux, so it is fetched on demand here.
  start(["--yes", "office-addin-debugging", "start", "manifest.xml", "desktop", "--app", "excel", "--no-debug"]);
} else {
  process.stdout.write(
    `Sideloading into Excel is not possible on ${process.platform}: there is no desktop Excel here.\n` +
      "Serving the playground instead: the real task pane on an in-memory workbook, at http://localhost:3000/playground.html\n" +
      "(To try the add-in in Excel on the web, run `npm run build`, host dist/ over https and upload dist/manifest.xml via Insert › Add-ins › Upload My Add-in.)\n",
  );
  start(["webpack", "serve", "--mode", "development", "--env", "playground"]);
}
