// A Sheets API v4 server on 127.0.0.1 for tests and benches: the endpoints pipesheet uses, request
// bodies checked against the API's shapes, Google-style errors, OAuth token and consent endpoints,
// request counting, and fault injection (429, 500, 503, a dropped connection before or after the
// request took effect, at the n-th request overall or of one method).
import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError, FakeSpreadsheet, type RenderOptions } from "./model.js";
import { checkShape } from "./schema.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export const SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";
export const GOOGLE_TOKEN_AUD = "https://oauth2.googleapis.com/token";

export type Method =
  | "spreadsheets.get"
  | "spreadsheets.batchUpdate"
  | "values.get"
  | "values.batchGet"
  | "values.update"
  | "values.batchUpdate"
  | "values.append";

export type FaultKind = "429" | "500" | "503" | "drop" | "drop-after";
export interface Fault {
  kind: FaultKind;
  /** 1-based index among all API requests, or among requests of `method` when set. */
  nth: number;
  method?: Method;
}

export interface Call {
  method: Method;
  /** Request body size in bytes. */
  bytes: number;
  status: number;
  /** The parsed body (kept only for writes). */
  body?: Json;
  query: URLSearchParams;
}

export interface FakeOptions {
  /** Reject request bodies larger than this, to hold clients to the 2 MB guidance. */
  maxBodyBytes?: number;
}

export class FakeSheetsServer {
  readonly spreadsheets = new Map<string, FakeSpreadsheet>();
  readonly calls: Call[] = [];
  readonly tokenRequests: { grant: string; ok: boolean }[] = [];
  readonly faults: Fault[] = [];
  private tokens = new Map<string, { scope: string }>();
  private refreshTokens = new Map<string, { clientId: string; scope: string }>();
  private serviceAccounts = new Map<string, KeyObject>();
  private oauthClients = new Map<string, string>();
  private codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; scope: string }>();
  consent: "allow" | "deny" = "allow";
  /** Called before each API request is handled: lets a test play a person editing the sheet mid-run. */
  beforeEach: ((call: Call, spreadsheet: FakeSpreadsheet | undefined) => void) | null = null;
  private server: Server | null = null;
  url = "";
  readonly maxBodyBytes: number;

  constructor(opts: FakeOptions = {}) {
    this.maxBodyBytes = opts.maxBodyBytes ?? 2_000_000;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, { error: { code: 500, message: String(e), status: "INTERNAL" } });
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.server = null;
  }

  create(id: string, title = "Pipeline"): FakeSpreadsheet {
    const ss = new FakeSpreadsheet(id, title);
    this.spreadsheets.set(id, ss);
    return ss;
  }

  addToken(token: string, scope = SHEETS_SCOPE): void {
    this.tokens.set(token, { scope });
  }
  addServiceAccount(email: string, publicKeyPem: string): void {
    this.serviceAccounts.set(email, createPublicKey(publicKeyPem));
  }
  addOAuthClient(clientId: string, clientSecret: string): void {
    this.oauthClients.set(clientId, clientSecret);
  }
  /** Access and refresh tokens the server issued and still honours (to check none leak into output). */
  issuedSecrets(): string[] {
    return [...this.tokens.keys(), ...this.refreshTokens.keys()];
  }

  failAt(nth: number, kind: FaultKind, method?: Method): void {
    this.faults.push(method ? { nth, kind, method } : { nth, kind });
  }

  count(method?: Method): number {
    return method ? this.calls.filter((c) => c.method === method).length : this.calls.length;
  }
  resetCounts(): void {
    this.calls.length = 0;
  }

  // ------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    if (url.pathname === "/token" && req.method === "POST") return this.token(raw, res);
    if (url.pathname === "/revoke" && req.method === "POST") {
      const t = new URLSearchParams(raw).get("token") ?? url.searchParams.get("token") ?? "";
      this.tokens.delete(t);
      this.refreshTokens.delete(t);
      return send(res, 200, {});
    }
    if (url.pathname === "/o/oauth2/v2/auth" && req.method === "GET") return this.consentPage(url, res);

    const route = routeOf(req.method ?? "GET", url.pathname);
    if (!route) return send(res, 404, { error: { code: 404, message: `fake: no route ${req.method} ${url.pathname}`, status: "NOT_FOUND" } });
    const call: Call = { method: route.method, bytes: Buffer.byteLength(raw), status: 0, query: url.searchParams };
    this.calls.push(call);
    this.beforeEach?.(call, this.spreadsheets.get(route.id));
    const fault = this.takeFault(route.method);
    if (fault === "drop") {
      call.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault === "429" || fault === "500" || fault === "503") {
      call.status = Number(fault);
      const status = fault === "429" ? "RESOURCE_EXHAUSTED" : fault === "500" ? "INTERNAL" : "UNAVAILABLE";
      const message = fault === "429" ? "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'" : "Internal error encountered.";
      return send(res, Number(fault), { error: { code: Number(fault), message, status } });
    }
    const auth = this.authorize(req);
    if (auth) {
      call.status = auth.code;
      return send(res, auth.code, { error: { code: auth.code, message: auth.message, status: auth.status } });
    }
    if (call.bytes > this.maxBodyBytes) {
      call.status = 413;
      return send(res, 413, { error: { code: 413, message: `fake: request body of ${call.bytes} bytes is over the ${this.maxBodyBytes}-byte guidance`, status: "INVALID_ARGUMENT" } });
    }
    let body: Json = undefined;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        call.status = 400;
        return send(res, 400, { error: { code: 400, message: "Invalid JSON payload received.", status: "INVALID_ARGUMENT" } });
      }
    }
    if (route.method !== "spreadsheets.get" && route.method !== "values.get" && route.method !== "values.batchGet") call.body = body;
    const ss = this.spreadsheets.get(route.id);
    if (!ss) {
      call.status = 404;
      return send(res, 404, { error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } });
    }
    try {
      const out = this.dispatch(route, ss, url.searchParams, body);
      if (fault === "drop-after") {
        call.status = -1;
        req.socket.destroy();
        return;
      }
      call.status = 200;
      send(res, 200, out);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      call.status = e.status;
      send(res, e.status, { error: { code: e.status, message: e.message, status: e.reason } });
    }
  }

  private takeFault(method: Method): FaultKind | null {
    const overall = this.calls.length;
    const ofMethod = this.calls.filter((c) => c.method === method).length;
    const i = this.faults.findIndex((f) => (f.method ? f.method === method && f.nth === ofMethod : f.nth === overall));
    if (i < 0) return null;
    const [f] = this.faults.splice(i, 1);
    return f?.kind ?? null;
  }

  private authorize(req: IncomingMessage): { code: number; message: string; status: string } | null {
    const h = req.headers.authorization ?? "";
    const m = /^Bearer (.+)$/.exec(h);
    const t = m ? this.tokens.get(m[1] as string) : undefined;
    if (!t)
      return { code: 401, message: "Request is missing required authentication credential. Expected OAuth 2 access token.", status: "UNAUTHENTICATED" };
    const scopes = t.scope.split(" ");
    if (!scopes.includes(SHEETS_SCOPE) && !scopes.includes("https://www.googleapis.com/auth/drive"))
      return { code: 403, message: "Request had insufficient authentication scopes.", status: "PERMISSION_DENIED" };
    return null;
  }

  private dispatch(route: Route, ss: FakeSpreadsheet, q: URLSearchParams, body: Json): Json {
    const render = (): RenderOptions => {
      const v = q.get("valueRenderOption") ?? "FORMATTED_VALUE";
      const d = q.get("dateTimeRenderOption") ?? "SERIAL_NUMBER";
      if (!["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"].includes(v)) throw new ApiError(400, `Invalid valueRenderOption: ${v}`);
      if (!["SERIAL_NUMBER", "FORMATTED_STRING"].includes(d)) throw new ApiError(400, `Invalid dateTimeRenderOption: ${d}`);
      if (q.get("majorDimension") && q.get("majorDimension") !== "ROWS") throw new ApiError(501, "fake: majorDimension COLUMNS not modelled");
      return { valueRenderOption: v as RenderOptions["valueRenderOption"], dateTimeRenderOption: d as RenderOptions["dateTimeRenderOption"] };
    };
    const shape = (schema: string): void => {
      const e = checkShape(body ?? {}, schema, "");
      if (e) throw new ApiError(400, e);
    };
    switch (route.method) {
      case "spreadsheets.get": {
        if (q.get("includeGridData") === "true" || q.getAll("ranges").length > 0) throw new ApiError(501, "fake: grid data in spreadsheets.get not modelled");
        const fields = q.get("fields");
        const meta = ss.metadata();
        return fields ? project(meta, parseFields(fields)) : meta;
      }
      case "values.get":
        return ss.getValues(route.range as string, render());
      case "values.batchGet": {
        const ranges = q.getAll("ranges");
        const opts = render();
        return { spreadsheetId: ss.spreadsheetId, valueRanges: ranges.map((r) => ss.getValues(r, opts)) };
      }
      case "values.update": {
        shape("ValueRange");
        return ss.updateValues(route.range as string, body ?? {}, requiredParam(q, "valueInputOption"));
      }
      case "values.batchUpdate": {
        shape("BatchUpdateValuesRequest");
        if (!body?.valueInputOption) throw new ApiError(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED");
        return ss.batchUpdateValues(body);
      }
      case "values.append": {
        shape("ValueRange");
        return ss.appendValues(route.range as string, body ?? {}, requiredParam(q, "valueInputOption"), q.get("insertDataOption") ?? "OVERWRITE");
      }
      case "spreadsheets.batchUpdate": {
        shape("BatchUpdateSpreadsheetRequest");
        const requests: Json[] = body?.requests ?? [];
        if (requests.length === 0) throw new ApiError(400, "Invalid requests: Must specify at least one request.");
        return { spreadsheetId: ss.spreadsheetId, replies: ss.batchUpdate(requests) };
      }
    }
  }

  // ---------------------------------------------------------------- OAuth

  private issue(scope: string): string {
    const t = `ya29.fake-${randomBytes(12).toString("hex")}`;
    this.tokens.set(t, { scope });
    return t;
  }

  private token(raw: string, res: ServerResponse): void {
    const p = new URLSearchParams(raw);
    const grant = p.get("grant_type") ?? "";
    const fail = (error: string, description: string): void => {
      this.tokenRequests.push({ grant, ok: false });
      send(res, 400, { error, error_description: description });
    };
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      const parts = (p.get("assertion") ?? "").split(".");
      if (parts.length !== 3) return fail("invalid_grant", "Invalid JWT.");
      const header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString());
      const claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString());
      const key = this.serviceAccounts.get(claims.iss);
      if (header.alg !== "RS256" || !key) return fail("invalid_grant", "Invalid JWT Signature.");
      const ok = verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2] as string, "base64url"));
      if (!ok) return fail("invalid_grant", "Invalid JWT Signature.");
      if (claims.aud !== GOOGLE_TOKEN_AUD) return fail("invalid_grant", "Invalid JWT audience.");
      if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return fail("invalid_grant", "Invalid JWT: Token must be a short-lived token.");
      this.tokenRequests.push({ grant, ok: true });
      return send(res, 200, { access_token: this.issue(claims.scope ?? ""), expires_in: 3599, token_type: "Bearer" });
    }
    if (grant === "authorization_code") {
      const code = this.codes.get(p.get("code") ?? "");
      const clientId = p.get("client_id") ?? "";
      if (!code || code.clientId !== clientId || this.oauthClients.get(clientId) !== p.get("client_secret")) return fail("invalid_grant", "Bad Request");
      if (code.redirectUri !== p.get("redirect_uri")) return fail("redirect_uri_mismatch", "Bad Request");
      const verifier = p.get("code_verifier") ?? "";
      if (createHash("sha256").update(verifier).digest("base64url") !== code.challenge) return fail("invalid_grant", "Invalid code verifier.");
      this.codes.delete(p.get("code") ?? "");
      const refresh = `1//fake-refresh-${randomBytes(12).toString("hex")}`;
      this.refreshTokens.set(refresh, { clientId, scope: code.scope });
      this.tokenRequests.push({ grant, ok: true });
      return send(res, 200, { access_token: this.issue(code.scope), refresh_token: refresh, expires_in: 3599, scope: code.scope, token_type: "Bearer" });
    }
    if (grant === "refresh_token") {
      const r = this.refreshTokens.get(p.get("refresh_token") ?? "");
      if (!r || r.clientId !== p.get("client_id")) return fail("invalid_grant", "Token has been expired or revoked.");
      this.tokenRequests.push({ grant, ok: true });
      return send(res, 200, { access_token: this.issue(r.scope), expires_in: 3599, scope: r.scope, token_type: "Bearer" });
    }
    return fail("unsupported_grant_type", `Invalid grant_type: ${grant}`);
  }

  private consentPage(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const clientId = q.get("client_id") ?? "";
    const redirect = q.get("redirect_uri") ?? "";
    const problems: string[] = [];
    if (!this.oauthClients.has(clientId)) problems.push("invalid_client");
    if (q.get("response_type") !== "code") problems.push("response_type must be code");
    if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+(\/.*)?$/.test(redirect)) problems.push("redirect_uri must be a loopback address");
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) problems.push("PKCE with S256 is required");
    if (problems.length > 0) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(`Error 400: ${problems.join("; ")}`);
      return;
    }
    const target = new URL(redirect);
    const state = q.get("state");
    if (state !== null) target.searchParams.set("state", state);
    if (this.consent === "deny") target.searchParams.set("error", "access_denied");
    else {
      const code = `4/fake-code-${randomBytes(8).toString("hex")}`;
      this.codes.set(code, { clientId, redirectUri: redirect, challenge: q.get("code_challenge") ?? "", scope: q.get("scope") ?? "" });
      target.searchParams.set("code", code);
      target.searchParams.set("scope", q.get("scope") ?? "");
    }
    res.writeHead(302, { location: target.toString() });
    res.end();
  }
}

interface Route {
  method: Method;
  id: string;
  range?: string;
}

function routeOf(verb: string, path: string): Route | null {
  const m = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(path);
  if (!m) return null;
  const id = decodeURIComponent(m[1] as string);
  const rest = m[2] as string;
  if (rest === "" && verb === "GET") return { method: "spreadsheets.get", id };
  if (rest === ":batchUpdate" && verb === "POST") return { method: "spreadsheets.batchUpdate", id };
  if (rest === "/values:batchGet" && verb === "GET") return { method: "values.batchGet", id };
  if (rest === "/values:batchUpdate" && verb === "POST") return { method: "values.batchUpdate", id };
  const v = /^\/values\/([^:]+)(:append)?$/.exec(rest);
  if (v) {
    const range = decodeURIComponent(v[1] as string);
    if (v[2] && verb === "POST") return { method: "values.append", id, range };
    if (!v[2] && verb === "GET") return { method: "values.get", id, range };
    if (!v[2] && verb === "PUT") return { method: "values.update", id, range };
  }
  return null;
}

function requiredParam(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (!v) throw new ApiError(400, `Invalid ${name}: ${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_UNSPECIFIED`);
  return v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(text);
}

// ------------------------------------------------------------------ field masks in responses

type FieldTree = Map<string, FieldTree | null>;

export function parseFields(text: string): FieldTree {
  let i = 0;
  const parse = (): FieldTree => {
    const tree: FieldTree = new Map();
    while (i < text.length) {
      let name = "";
      while (i < text.length && !",()".includes(text[i] as string)) name += text[i++];
      name = name.trim();
      let sub: FieldTree | null = null;
      if (text[i] === "(") {
        i++;
        sub = parse();
        i++; // ")"
      }
      if (name !== "") {
        // "a/b" is shorthand for "a(b)".
        const parts = name.split("/");
        let node = tree;
        parts.forEach((p, k) => {
          if (k === parts.length - 1) node.set(p, sub);
          else {
            const next = (node.get(p) as FieldTree | undefined) ?? new Map();
            node.set(p, next);
            node = next;
          }
        });
      }
      if (text[i] === ",") i++;
      else if (text[i] === ")") return tree;
    }
    return tree;
  };
  return parse();
}

function project(value: Json, tree: FieldTree): Json {
  if (Array.isArray(value)) return value.map((v) => project(v, tree));
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [k, sub] of tree) {
    if (k === "*") return value;
    if (value[k] === undefined) continue;
    out[k] = sub ? project(value[k], sub) : value[k];
  }
  return out;
}
