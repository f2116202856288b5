// Builds the add-in once into a temporary folder and serves it on 127.0.0.1 for the browser tests.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".xml": "application/xml", ".map": "application/json" };

export function build(): string {
  const out = mkdtempSync(join(tmpdir(), "pipesheet-e2e-"));
  execFileSync("npx", ["webpack", "--mode", "development", "--env", "playground", "--env", `out=${out}`], { cwd: resolve(dirname(fileURLToPath(import.meta.url)), "../.."), stdio: "pipe" });
  return out;
}

export function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => {
    const addr = server.address();
    ok({ url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/`, server });
  }));
}
