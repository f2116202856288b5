// `login --no-localhost` for a machine without a browser: it listens nowhere, prints the consent address, and
// takes the address the browser ended on (or the bare code) from standard input. Against the fake Google.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./fakes/sheets-api/harness.js";
import { BIN, ROOT } from "./cli-harness.js";

let h: Harness;
let clientFile: string;
const CLIENT_ID = "456-desktop.apps.googleusercontent.com";
const CLIENT_SECRET = "GOCSPX-another-fake-secret";

beforeAll(async () => {
  h = await startHarness();
  h.server.addOAuthClient(CLIENT_ID, CLIENT_SECRET);
  clientFile = join(h.dir, "client_secret.json");
  writeFileSync(clientFile, JSON.stringify({ installed: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } }));
});
afterAll(async () => {
  await h.server.stop();
});

interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs login --no-localhost; `answer` turns the printed consent address into the line typed back. */
function login(config: string, answer: (consentUrl: string) => Promise<string>, extra: string[] = []): Promise<Answer> {
  mkdirSync(config, { recursive: true });
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, "login", "--client", clientFile, "--no-localhost", ...extra], {
      cwd: ROOT,
      env: { ...process.env, ...h.env, PIPESHEET_CONFIG_DIR: config },
    });
    let stdout = "";
    let stderr = "";
    let answered = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)/.exec(stderr);
      if (m && !answered && stderr.includes("paste it here")) {
        answered = true;
        void answer(m[1] as string).then((line) => child.stdin.end(`${line}\n`));
      }
    });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** What a browser would show in its address bar after Google's consent page: the redirect's target. */
async function landing(consentUrl: string): Promise<string> {
  const res = await fetch(consentUrl, { redirect: "manual" });
  return res.headers.get("location") ?? "";
}

describe("login --no-localhost", () => {
  it("prints the address, takes the pasted landing address, and saves the sign-in privately", async () => {
    const config = join(h.dir, "paste-url");
    let redirect = "";
    const r = await login(config, async (url) => {
      redirect = new URL(url).searchParams.get("redirect_uri") ?? "";
      return landing(url);
    });
    expect(r.stderr).toContain("Copy the whole address it shows and paste it here");
    expect(r.code).toBe(0);
    // Port 1: nothing on this machine (or the browser's) is listening there, so the code stays in the address bar.
    expect(redirect).toBe("http://127.0.0.1:1/");
    expect(r.stdout).toMatch(/Signed in\. The sign-in is saved in .*token\.json/);
    const token = join(config, "token.json");
    expect(statSync(token).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(token, "utf8")) as { refresh_token: string };
    expect(r.stdout + r.stderr).not.toContain(saved.refresh_token);
    expect(r.stdout + r.stderr).not.toContain(CLIENT_SECRET);
  });

  it("takes the bare code too, and --json gives one document", async () => {
    const config = join(h.dir, "paste-code");
    const r = await login(config, async (url) => new URL(await landing(url)).searchParams.get("code") ?? "", ["--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ signedIn: true, tokenFile: join(config, "token.json") });
  });

  it("refuses an address from another sign-in (its state differs) and saves nothing", async () => {
    const config = join(h.dir, "paste-wrong");
    const r = await login(config, async (url) => {
      const u = new URL(await landing(url));
      u.searchParams.set("state", "not-ours");
      return u.toString();
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^pipesheet: the pasted address does not belong to the sign-in pipesheet started/m);
    expect(existsSync(join(config, "token.json"))).toBe(false);
  });

  it("an empty answer saves nothing and says what to do", async () => {
    const config = join(h.dir, "paste-empty");
    const r = await login(config, async () => "");
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no address was pasted; nothing was saved/);
    expect(existsSync(join(config, "token.json"))).toBe(false);
  });
});
