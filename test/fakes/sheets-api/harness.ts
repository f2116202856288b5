// Test and bench wiring for the fake Sheets API: a server with a service account whose key file is on disk,
// the environment that points pipesheet at it, and the CLI run in-process or as a real child process.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FakeSheetsServer } from "./server.js";

export interface Harness {
  server: FakeSheetsServer;
  /** Root address of the fake API. */
  url: string;
  dir: string;
  keyFile: string;
  privateKey: string;
  env: Record<string, string>;
}

let keyPair: { publicKey: string; privateKey: string } | null = null;
const keys = (): { publicKey: string; privateKey: string } =>
  (keyPair ??= generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }));

export async function startHarness(opts: { maxBodyBytes?: number } = {}): Promise<Harness> {
  const server = new FakeSheetsServer(opts);
  const url = await server.start();
  const dir = mkdtempSync(join(tmpdir(), "pipesheet-sync-"));
  const { publicKey, privateKey } = keys();
  const email = "pipesheet-nightly@example-project.iam.gserviceaccount.com";
  server.addServiceAccount(email, publicKey);
  const keyFile = join(dir, "service-account.json");
  writeFileSync(
    keyFile,
    JSON.stringify({ type: "service_account", project_id: "example-project", private_key_id: "k1", private_key: privateKey, client_email: email, client_id: "1", token_uri: "https://oauth2.googleapis.com/token" }),
  );
  const env = { PIPESHEET_GOOGLE_API_ROOT: url, PIPESHEET_CONFIG_DIR: join(dir, "config"), PIPESHEET_RETRY_BASE_MS: "1" };
  return { server, url, dir, keyFile, privateKey, env };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process (fast), with the harness environment set for the duration of the call. */
export async function runInProcess(args: string[], env: Record<string, string>): Promise<CliRun> {
  const { main } = await import("../../../cli/cli.js");
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stdout = "";
  let stderr = "";
  try {
    const code = await main(args, {
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
    });
    return { code, stdout, stderr };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const ROOT = resolve(import.meta.dirname, "../../..");

/** The CLI as a real child process, the way a nightly job runs it. */
export function runChild(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(ROOT, "cli/cli.ts"), ...args],
      { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
