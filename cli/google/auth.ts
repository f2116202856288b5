// Google sign-in for the CLI: a service-account key file (for nightly jobs), or a person's own account through
// the desktop OAuth loopback flow with PKCE, saved to the private token file. Scope: spreadsheets only.
//
// Why "spreadsheets" and not the narrower "drive.file": drive.file only reaches files this app created or the
// user picked in Google's file picker, and a CLI that is given an existing sheet's ID has neither, so every
// call would fail with 404. "spreadsheets" reaches the user's spreadsheets and nothing else in Drive.
import { createPrivateKey, randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { auth as googleAuth } from "googleapis/build/src/apis/sheets/index.js";
import { CliError, errnoCode, prop } from "../errors.js";
import { authError, type CredentialSource } from "./errors.js";

export type { CredentialSource } from "./errors.js";
import { deleteToken, loadToken, saveToken, tokenPath, type SavedToken } from "./token-store.js";

export const SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

export type AuthClient = InstanceType<typeof googleAuth.OAuth2>;

/**
 * PIPESHEET_GOOGLE_API_ROOT points every Google endpoint (Sheets API, OAuth consent and token) at one local
 * server, the way cloud emulators are wired in; the tests and the bench use it. Unset in real use.
 */
export const apiRoot = (env: NodeJS.ProcessEnv = process.env): string | null => {
  const r = env.PIPESHEET_GOOGLE_API_ROOT;
  return r && r !== "" ? (r.endsWith("/") ? r : `${r}/`) : null;
};

const oauthEndpoints = (root: string | null): { endpoints?: Record<string, string> } =>
  root ? { endpoints: { oauth2AuthBaseUrl: `${root}o/oauth2/v2/auth`, oauth2TokenUrl: `${root}token`, oauth2RevokeUrl: `${root}revoke` } } : {};


export interface Credentials {
  client: AuthClient;
  /** Who is signed in, in words, for messages (never a secret). */
  who: string;
  /** Where these credentials come from and what to do when Google refuses them, for messages. */
  fix?: CredentialSource;
}

async function readJson(path: string, what: string, setting = ""): Promise<unknown> {
  const from = setting === "" ? "" : ` (${setting})`;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = errnoCode(e);
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EISDIR" ? "it is a folder, not a file" : String(code);
    throw authError(`cannot read the ${what} ${path}${from}: ${why}; check the path${setting === "" ? "" : ` given by ${setting}`}`);
  }
  try {
    const json: unknown = JSON.parse(text);
    return json;
  } catch {
    // Never echo the file: it holds a private key.
    throw authError(`the ${what} ${path}${from} is not valid JSON (damaged, cut short or not a key file); download it again from the Google Cloud console`);
  }
}

export async function serviceAccount(keyFile: string, env: NodeJS.ProcessEnv = process.env, setting = "--key"): Promise<Credentials> {
  const json = await readJson(keyFile, "service-account key file", setting);
  const key = { type: prop(json, "type"), client_email: prop(json, "client_email"), private_key: prop(json, "private_key") };
  if (key.type !== "service_account")
    throw authError(
      `${keyFile} (${setting}) is not a service-account key (its "type" is ${JSON.stringify(key.type ?? null)}); create a JSON key under IAM › Service accounts › Keys, or sign in as yourself with \`pipesheet login\``,
    );
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string")
    throw authError(`the service-account key file ${keyFile} (${setting}) has no ${typeof key.client_email !== "string" ? "client_email" : "private_key"}; download a new JSON key (IAM › Service accounts › Keys › Add key)`);
  try {
    // Read now, so a damaged key is named here instead of failing later inside the first request as an
    // OpenSSL "DECODER routines" error.
    createPrivateKey(key.private_key);
  } catch {
    throw authError(
      `the private key in the service-account key file ${keyFile} (${setting}) cannot be read: the file is damaged or was edited by hand; download a new JSON key (IAM › Service accounts › Keys › Add key) and point ${setting} at it`,
    );
  }
  const client = new googleAuth.JWT({ email: key.client_email, key: key.private_key, scopes: [SHEETS_SCOPE] });
  const root = apiRoot(env);
  if (root) {
    // The JWT grant's token address is fixed inside google-auth-library; redirect it to the emulator.
    client.transporter.interceptors.request.add({
      resolved: async (opts) => {
        if (opts.url.toString() === GOOGLE_TOKEN_URL) opts.url = new URL(`${root}token`);
        return opts;
      },
    });
  }
  return { client, who: `service account ${key.client_email}`, fix: { kind: "service-account", file: keyFile, setting } };
}

async function savedSignIn(env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<Credentials | null> {
  const path = tokenPath(env);
  let loaded: Awaited<ReturnType<typeof loadToken>>;
  try {
    loaded = await loadToken(path);
  } catch (e) {
    throw authError(e instanceof SyntaxError ? `${path} is damaged; run \`pipesheet login\` again` : e instanceof Error ? e.message : String(e));
  }
  if (!loaded) return null;
  if (loaded.tightened) warn(`pipesheet: ${path} was readable by other users; it is now readable only by you`);
  const saved = loaded.token;
  const client = new googleAuth.OAuth2({ clientId: saved.client_id, clientSecret: saved.client_secret, ...oauthEndpoints(apiRoot(env)) });
  client.setCredentials({
    refresh_token: saved.refresh_token,
    ...(saved.access_token ? { access_token: saved.access_token } : {}),
    ...(saved.expiry_date ? { expiry_date: saved.expiry_date } : {}),
  });
  // Keep the fresh access token, so the next run does not have to refresh it again.
  client.on("tokens", (t) => {
    const next: SavedToken = { ...saved, ...(t.access_token ? { access_token: t.access_token } : {}), ...(t.expiry_date ? { expiry_date: t.expiry_date } : {}) };
    if (t.refresh_token) next.refresh_token = t.refresh_token;
    saveToken(path, next).catch(() => undefined);
  });
  return { client, who: "your Google account (pipesheet login)", fix: { kind: "oauth", file: path, setting: "pipesheet login" } };
}

/**
 * The credentials to use: --key, else GOOGLE_APPLICATION_CREDENTIALS when it names a service-account key,
 * else the saved sign-in from `pipesheet login`.
 */
export async function getCredentials(keyFile: string | null, env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = () => undefined): Promise<Credentials> {
  if (keyFile) return serviceAccount(keyFile, env);
  const adc = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (adc && adc !== "") return serviceAccount(adc, env, "GOOGLE_APPLICATION_CREDENTIALS");
  const saved = await savedSignIn(env, warn);
  if (saved) return saved;
  throw authError(
    "not signed in to Google: run `pipesheet login --client client_secret.json` once (your own account), or pass --key service-account.json (a nightly job); README › Google Sheets explains both",
  );
}

// ------------------------------------------------------------------------------ the loopback flow

interface InstalledClient {
  client_id: string;
  client_secret: string;
}

async function readClientFile(path: string): Promise<InstalledClient> {
  const json = await readJson(path, "OAuth client file");
  const c = { client_id: prop(json, "installed", "client_id"), client_secret: prop(json, "installed", "client_secret") };
  if (typeof c.client_id !== "string" || typeof c.client_secret !== "string") {
    throw authError(
      prop(json, "web")
        ? `${path} is a "Web application" OAuth client; create one of type "Desktop app" (APIs & Services › Credentials) and download its JSON`
        : `${path} is not an OAuth client file; download the JSON of a "Desktop app" OAuth client from APIs & Services › Credentials`,
    );
  }
  return { client_id: c.client_id, client_secret: c.client_secret };
}

export interface LoginOptions {
  clientFile: string;
  env?: NodeJS.ProcessEnv;
  /** Called with the consent address; the CLI prints it and opens the browser. */
  onUrl: (url: string) => void;
  timeoutMs?: number;
  /**
   * No listener on this machine (`login --no-localhost`, over SSH): the browser, wherever it runs, ends on an
   * unreachable 127.0.0.1 address that carries the code, and the person pastes that address (or the code).
   */
  pasted?: () => Promise<string>;
}

/** Nothing listens on port 1, so the browser stops on this address with the code in plain sight. */
const PASTE_REDIRECT = "http://127.0.0.1:1/";

function codeFromPasted(text: string, state: string): string {
  const t = text.trim();
  if (t === "") throw authError("no address was pasted; nothing was saved. Run `pipesheet login --no-localhost` again and paste the address the browser ended on");
  if (!/^https?:\/\//i.test(t)) return t;
  const u = new URL(t);
  const error = u.searchParams.get("error");
  const code = u.searchParams.get("code");
  if (error || !code) throw authError(`Google sign-in was not completed (${error ?? "no code in the pasted address"}); nothing was saved`);
  if (u.searchParams.get("state") !== state) throw authError("the pasted address does not belong to the sign-in pipesheet started; run `pipesheet login` again");
  return code;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui,sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

/** Runs the desktop OAuth flow and saves the token; returns where it was saved. */
/** The port a server listening on 127.0.0.1 got. */
function listeningPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the sign-in listener has no port");
  return address.port;
}

export async function login(opts: LoginOptions): Promise<string> {
  const env = opts.env ?? process.env;
  const installed = await readClientFile(opts.clientFile);
  const server: Server = createServer();
  if (!opts.pasted)
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
  try {
    const redirectUri = opts.pasted ? PASTE_REDIRECT : `http://127.0.0.1:${listeningPort(server)}/`;
    const client = new googleAuth.OAuth2({ clientId: installed.client_id, clientSecret: installed.client_secret, redirectUri, ...oauthEndpoints(apiRoot(env)) });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = randomBytes(16).toString("hex");
    const url = client.generateAuthUrl({
      access_type: "offline",
      prompt: "consent",
      scope: [SHEETS_SCOPE],
      state,
      // The CodeChallengeMethod enum is not re-exported by googleapis; its S256 member is this string.
      code_challenge_method: "S256" as never,
      code_challenge: codeChallenge as string,
    });
    const pasted = opts.pasted;
    const code = pasted ? await (opts.onUrl(url), pasted()).then((t) => codeFromPasted(t, state)) : await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(authError("sign-in timed out: nobody finished the Google consent page within 5 minutes; run `pipesheet login` again")), opts.timeoutMs ?? 300_000);
      server.on("request", (req, res) => {
        const u = new URL(req.url ?? "/", redirectUri);
        if (u.pathname !== "/") {
          res.writeHead(404).end();
          return;
        }
        const error = u.searchParams.get("error");
        const got = u.searchParams.get("code");
        if (u.searchParams.get("state") !== state) {
          res.writeHead(400, { "content-type": "text/html; charset=utf-8" }).end(PAGE("pipesheet: sign-in failed", "This answer does not belong to the sign-in pipesheet started. Close this tab and run pipesheet login again."));
          return;
        }
        clearTimeout(timer);
        if (error || !got) {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE("pipesheet: sign-in cancelled", "Nothing was saved. You can close this tab."));
          reject(authError(`Google sign-in was not completed (${error ?? "no code"}); nothing was saved`));
          return;
        }
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE("pipesheet is signed in", "You can close this tab and return to the terminal."));
        resolve(got);
      });
      opts.onUrl(url);
    });
    const { tokens } = await client.getToken({ code, codeVerifier, redirect_uri: redirectUri });
    if (!tokens.refresh_token)
      throw authError("Google did not return a refresh token; remove pipesheet's access at https://myaccount.google.com/permissions and run `pipesheet login` again");
    const granted = tokens.scope ?? SHEETS_SCOPE;
    if (!granted.split(" ").includes(SHEETS_SCOPE))
      throw authError("the spreadsheets permission was not granted on the consent page; run `pipesheet login` again and tick it");
    const path = tokenPath(env);
    await saveToken(path, {
      type: "pipesheet-oauth",
      client_id: installed.client_id,
      client_secret: installed.client_secret,
      refresh_token: tokens.refresh_token,
      ...(tokens.access_token ? { access_token: tokens.access_token } : {}),
      ...(tokens.expiry_date ? { expiry_date: tokens.expiry_date } : {}),
      scope: granted,
    });
    return path;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw authError(`sign-in failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Revokes the saved sign-in at Google (best effort) and deletes the token file. */
export async function logout(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; removed: boolean; revoked: boolean }> {
  const path = tokenPath(env);
  const loaded = await loadToken(path).catch(() => null);
  let revoked = false;
  if (loaded) {
    const client = new googleAuth.OAuth2({ clientId: loaded.token.client_id, clientSecret: loaded.token.client_secret, ...oauthEndpoints(apiRoot(env)) });
    revoked = await client.revokeToken(loaded.token.refresh_token).then(
      () => true,
      () => false,
    );
  }
  return { path, removed: await deleteToken(path), revoked };
}

/** Opens the consent page in the default browser; failures are fine, the address is printed anyway. */
export function openBrowser(url: string): void {
  const [cmd, args]: [string, string[]] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No browser here (a server, a container): the printed address is enough.
  }
}
