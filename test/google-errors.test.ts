// Every credential and network failure as one plain line naming the file or setting to fix, through the real
// CLI and googleapis client against the local Sheets API server: a garbled or unreadable key, a revoked key or
// sign-in, no network, the quota. Never an OpenSSL or HTTP library message, never a secret.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveToken, tokenPath } from "../cli/google/token-store.js";
import { runInProcess, startHarness, type Harness } from "./fakes/sheets-api/harness.js";

let h: Harness;
let dir: string;
let csv: string;
beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(h.dir, "errors-"));
  csv = join(dir, "deals.csv");
  writeFileSync(csv, "Deal ID,Deal,Stage\r\nD-000001,Acme,Won\r\n");
  h.server.create("S1").addSheet("Deals", [["Deal ID", "Deal", "Stage"]]);
});
afterAll(async () => {
  await h.server.stop();
});

/** A key file like the harness's, with `change` applied. */
function keyFile(name: string, change: (k: Record<string, string>) => void): string {
  const k = JSON.parse(readFileSync(h.keyFile, "utf8")) as Record<string, string>;
  change(k);
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(k));
  return p;
}
const sync = (extra: string[], env: Record<string, string> = {}) => runInProcess(["sync", csv, "gsheet:S1#Deals", "--today", "2026-11-26", ...extra], { ...h.env, ...env });

describe("credentials", () => {
  it.each([
    ["a private key garbled inside", (k: Record<string, string>) => (k.private_key = (k.private_key ?? "").replace(/[A-Za-z]/g, (c, i: number) => (i % 7 === 0 ? "*" : c)))],
    ["a private key cut short", (k: Record<string, string>) => (k.private_key = (k.private_key ?? "").slice(0, 200))],
    ["a private key that is not PEM at all", (k: Record<string, string>) => (k.private_key = "not a key")],
  ])("%s: names the key file and --key, not the DECODER", async (_what, change) => {
    const p = keyFile("garbled.json", change);
    const r = await sync(["--key", p]);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      `pipesheet: the private key in the service-account key file ${p} (--key) cannot be read: the file is damaged or was edited by hand; download a new JSON key (IAM › Service accounts › Keys › Add key) and point --key at it\n`,
    );
  });

  it("names GOOGLE_APPLICATION_CREDENTIALS when that is where the key came from", async () => {
    const p = keyFile("garbled-adc.json", (k) => (k.private_key = "x"));
    const r = await sync([], { GOOGLE_APPLICATION_CREDENTIALS: p });
    expect(r.stderr).toMatch(new RegExp(`the private key in the service-account key file ${p} \\(GOOGLE_APPLICATION_CREDENTIALS\\) cannot be read.*point GOOGLE_APPLICATION_CREDENTIALS at it`));
  });

  it.each([
    ["missing", (d: string) => join(d, "nowhere.json"), /cannot read the service-account key file .*nowhere\.json \(--key\): no such file; check the path given by --key/],
    ["a folder", (d: string) => d, /cannot read the service-account key file .* \(--key\): it is a folder, not a file/],
    ["not JSON", (d: string) => (writeFileSync(join(d, "cut.json"), '{"type":"service_account","private_key":"-----BEGIN'), join(d, "cut.json")), /key file .*cut\.json \(--key\) is not valid JSON \(damaged, cut short or not a key file\)/],
  ])("an unreadable key file (%s) is named with the setting", async (_what, where, message) => {
    const d = join(dir, `k-${Math.random().toString(36).slice(2)}`);
    mkdirSync(d);
    const r = await sync(["--key", where(d)]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/BEGIN/);
  });

  it("a revoked or deleted service-account key names the file and what to do", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const p = keyFile("revoked.json", (k) => (k.private_key = other.privateKey));
    const r = await sync(["--key", p]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(new RegExp(`^pipesheet: Google refused the service account's key in ${p} \\(--key\\): invalid_grant.*deleted or revoked.*point --key at it\\n$`));
    expect(r.stderr).not.toContain(other.privateKey.split("\n")[1] as string);
  });

  it("a revoked saved sign-in names the token file and says to sign in again", async () => {
    const config = join(dir, "config-revoked");
    const env = { ...h.env, PIPESHEET_CONFIG_DIR: config };
    await saveToken(tokenPath(env), { type: "pipesheet-oauth", client_id: "gone.apps.googleusercontent.com", client_secret: "s3cret-value", refresh_token: "1//revoked-refresh-token", scope: "https://www.googleapis.com/auth/spreadsheets" });
    const r = await runInProcess(["sync", csv, "gsheet:S1#Deals", "--today", "2026-11-26"], env);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(new RegExp(`^pipesheet: Google refused the sign-in saved in ${tokenPath(env)} \\(invalid_grant.*revoked.*run \`pipesheet login --client client_secret.json\` again\\n$`));
    expect(r.stderr).not.toMatch(/revoked-refresh-token|s3cret-value/);
  });
});

describe("network and quota", () => {
  it("no network: says Google cannot be reached and which setting sends the requests where", async () => {
    const r = await sync(["--key", h.keyFile], { PIPESHEET_GOOGLE_API_ROOT: "http://127.0.0.1:9/" });
    expect(r.code).toBe(7);
    // The retries say what they are doing first; the last line is the error.
    expect(r.stderr.split("\n").filter((l) => !/trying again in/.test(l)).join("\n")).toMatch(/^pipesheet: cannot reach Google to .* \(PIPESHEET_GOOGLE_API_ROOT sends it to http:\/\/127\.0\.0\.1:9\/; unset it to reach Google\): no network connection, or Google is blocked here; check the network .*safe to repeat\)\n$/);
  });

  it("the quota: says to wait and where to ask for more", async () => {
    h.server.faults.length = 0;
    for (let k = 1; k <= 12; k++) h.server.failAt(k, "429");
    const r = await sync(["--key", h.keyFile]);
    h.server.faults.length = 0;
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/Google's request quota ran out while trying to read the spreadsheet's tabs \(about 60 requests a minute per user, and per project\); wait a minute .*APIs & Services › Google Sheets API › Quotas\n$/);
  });
});
