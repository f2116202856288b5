// Google sign-in against the fake token and consent endpoints: service-account JWT, the desktop loopback flow
// with PKCE, the private token file (0600 in a 0700 folder), refresh, logout, and no secret in any output.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCredentials, login, logout, SHEETS_SCOPE } from "../cli/google/auth.js";
import { SheetsClient } from "../cli/google/client.js";
import { saveToken, tokenPath } from "../cli/google/token-store.js";
import { runChild, startHarness, type Harness } from "./fakes/sheets-api/harness.js";

let h: Harness;
let env: NodeJS.ProcessEnv;
const CLIENT_ID = "123-desktop.apps.googleusercontent.com";
const CLIENT_SECRET = "GOCSPX-fake-client-secret-value";
let clientFile: string;

beforeAll(async () => {
  h = await startHarness();
  env = { ...h.env };
  h.server.create("S1").addSheet("Deals", [["Deal", "Stage"], ["Acme", "Won"]]);
  h.server.addOAuthClient(CLIENT_ID, CLIENT_SECRET);
  clientFile = join(h.dir, "client_secret.json");
  writeFileSync(clientFile, JSON.stringify({ installed: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: ["http://localhost"] } }));
});
afterAll(async () => {
  await h.server.stop();
});

const mode = (p: string): number => statSync(p).mode & 0o777;

describe("service account", () => {
  it("signs a JWT for the spreadsheets scope only, and the API accepts the token it gets", async () => {
    const creds = await getCredentials(h.keyFile, env);
    const client = new SheetsClient("S1", creds, { rootUrl: h.url });
    const meta = await client.meta();
    expect(meta.sheets.map((s) => s.title)).toEqual(["Deals"]);
    expect(h.server.tokenRequests.at(-1)).toEqual({ grant: "urn:ietf:params:oauth:grant-type:jwt-bearer", ok: true });
    expect(creds.who).toContain("pipesheet-nightly@");
  });

  it("uses GOOGLE_APPLICATION_CREDENTIALS when no --key is given", async () => {
    const creds = await getCredentials(null, { ...env, GOOGLE_APPLICATION_CREDENTIALS: h.keyFile });
    expect(creds.who).toMatch(/^service account /);
  });

  it("explains a file that is not a service-account key, without echoing it", async () => {
    const bad = join(h.dir, "not-a-key.json");
    writeFileSync(bad, JSON.stringify({ type: "authorized_user", refresh_token: "1//secret-refresh" }));
    await expect(getCredentials(bad, env)).rejects.toThrow(/is not a service-account key.*"authorized_user"/);
    await expect(getCredentials(bad, env)).rejects.not.toThrow(/secret-refresh/);
    const garbage = join(h.dir, "garbage.json");
    writeFileSync(garbage, `{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE`);
    await expect(getCredentials(garbage, env)).rejects.toThrow(/not valid JSON/);
    await expect(getCredentials(garbage, env)).rejects.not.toThrow(/PRIVATE KEY/);
  });

  it("says how to sign in when there are no credentials at all", async () => {
    await expect(getCredentials(null, { ...env, PIPESHEET_CONFIG_DIR: join(h.dir, "nobody") })).rejects.toThrow(/not signed in to Google: run `pipesheet login --client/);
  });
});

describe("desktop sign-in (loopback, PKCE)", () => {
  const cfg = (): NodeJS.ProcessEnv => ({ ...env, PIPESHEET_CONFIG_DIR: join(h.dir, "login-config") });

  it("asks for the spreadsheets scope with PKCE and a loopback address, and saves the token readable only by its owner", async () => {
    let asked: URL | null = null;
    const path = await login({
      clientFile,
      env: cfg(),
      onUrl: (url) => {
        asked = new URL(url);
        // The browser: Google's consent page answers with a redirect to pipesheet's loopback server.
        void fetch(url);
      },
    });
    const u = asked as unknown as URL;
    expect(u.searchParams.get("scope")).toBe(SHEETS_SCOPE);
    expect(u.searchParams.get("code_challenge_method")).toBe("S256");
    expect(u.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get("access_type")).toBe("offline");
    expect(u.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(u.searchParams.get("state")).toMatch(/^[0-9a-f]{32}$/);
    expect(path).toBe(tokenPath(cfg()));
    expect(mode(path)).toBe(0o600);
    expect(mode(join(h.dir, "login-config"))).toBe(0o700);
    const saved = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    expect(saved.refresh_token).toMatch(/^1\/\/fake-refresh-/);
    expect(saved.scope).toBe(SHEETS_SCOPE);
    expect(h.server.tokenRequests.some((t) => t.grant === "authorization_code" && t.ok)).toBe(true);
  });

  it("uses the saved sign-in, refreshes an expired access token and keeps the file private", async () => {
    const path = tokenPath(cfg());
    const saved = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...saved, access_token: "expired", expiry_date: Date.now() - 1000 }), { mode: 0o600 });
    const creds = await getCredentials(null, cfg());
    const client = new SheetsClient("S1", creds, { rootUrl: h.url });
    await client.meta();
    expect(h.server.tokenRequests.at(-1)).toEqual({ grant: "refresh_token", ok: true });
    // The fresh token is saved in the background (flushed to disk, then renamed): wait for it, up to 5 s.
    const token = (): string => (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>).access_token ?? "";
    for (let waited = 0; token() === "expired" && waited < 5000; waited += 25) await new Promise((r) => setTimeout(r, 25));
    expect(token()).not.toBe("expired");
    expect(mode(path)).toBe(0o600);
  });

  it("tightens a token file others can read, and says so", async () => {
    const path = tokenPath(cfg());
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    await getCredentials(null, cfg(), (w) => warnings.push(w));
    expect(mode(path)).toBe(0o600);
    expect(warnings.join("\n")).toMatch(/was readable by other users; it is now readable only by you/);
  });

  it("ignores an answer with the wrong state and saves nothing when consent is refused", async () => {
    const other = { ...env, PIPESHEET_CONFIG_DIR: join(h.dir, "denied") };
    h.server.consent = "deny";
    try {
      await expect(
        login({
          clientFile,
          env: other,
          onUrl: (url) => {
            const redirect = new URL(new URL(url).searchParams.get("redirect_uri") as string);
            redirect.searchParams.set("state", "forged");
            redirect.searchParams.set("code", "4/forged");
            void fetch(redirect).then(async (r) => {
              expect(r.status).toBe(400);
              await fetch(url);
            });
          },
        }),
      ).rejects.toThrow(/sign-in was not completed \(access_denied\); nothing was saved/);
    } finally {
      h.server.consent = "allow";
    }
    expect(existsSync(tokenPath(other))).toBe(false);
  });

  it("refuses a Web application client file with what to create instead", async () => {
    const web = join(h.dir, "web.json");
    writeFileSync(web, JSON.stringify({ web: { client_id: "x", client_secret: "y" } }));
    await expect(login({ clientFile: web, env: cfg(), onUrl: () => undefined })).rejects.toThrow(/"Web application" OAuth client; create one of type "Desktop app"/);
  });

  it("logout revokes the refresh token at Google and deletes the file", async () => {
    const path = tokenPath(cfg());
    const refresh = (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>).refresh_token as string;
    expect(h.server.issuedSecrets()).toContain(refresh);
    const r = await logout(cfg());
    expect(r).toEqual({ path, removed: true, revoked: true });
    expect(existsSync(path)).toBe(false);
    expect(h.server.issuedSecrets()).not.toContain(refresh);
  });
});

describe("the CLI never prints a secret", () => {
  it("login, a sync and a failing call print no token, key or client secret", async () => {
    const config = join(h.dir, "cli-config");
    mkdirSync(config, { recursive: true });
    const childEnv = { ...h.env, PIPESHEET_CONFIG_DIR: config };
    const root = resolve(import.meta.dirname, "..");
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(root, "cli/cli.ts"), "login", "--client", clientFile, "--no-browser"], {
        cwd: root,
        env: { ...process.env, ...childEnv },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?\S+)/.exec(stderr);
        if (m && !stderr.includes("[opened]")) {
          stderr += "[opened]";
          void fetch(m[1] as string);
        }
      });
      child.on("close", (code) => done({ code, stdout, stderr }));
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Signed in\. The sign-in is saved in .*token\.json \(readable only by you\)/);
    const path = join(config, "token.json");
    expect(mode(path)).toBe(0o600);

    const csv = join(h.dir, "secret-check.csv");
    writeFileSync(csv, "Deal,Stage\nAcme,Won\n");
    const sync = await runChild(["push", csv, "gsheet:S1#Copy"], childEnv);
    expect(sync.code).toBe(0);
    const denied = await runChild(["apply", "gsheet:NOPE", "--key", h.keyFile], childEnv);
    expect(denied.code).toBe(7);
    expect(denied.stderr).toMatch(/spreadsheet NOPE was not found/);

    const saved = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    const secrets = [...h.server.issuedSecrets(), saved.refresh_token as string, saved.access_token as string, CLIENT_SECRET, h.privateKey.split("\n")[1] as string];
    for (const text of [out.stdout, out.stderr, sync.stdout, sync.stderr, denied.stdout, denied.stderr])
      for (const s of secrets) expect(text.includes(s)).toBe(false);
  });

  it("saveToken never leaves the token readable by others, even for a moment", async () => {
    const path = join(h.dir, "private", "token.json");
    await saveToken(path, { type: "pipesheet-oauth", client_id: "c", client_secret: "s", refresh_token: "r", scope: SHEETS_SCOPE });
    expect(mode(path)).toBe(0o600);
    expect(mode(join(h.dir, "private"))).toBe(0o700);
  });
});
