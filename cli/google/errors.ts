// Google API failures as one clear line with a machine-readable code; never a token, key or request header.
import { CliError, errnoCode, prop } from "../errors.js";
import { httpFailure } from "./retry.js";

/** Where credentials came from: the file to fix and the setting (--key, GOOGLE_APPLICATION_CREDENTIALS, pipesheet login) that named it. */
export interface CredentialSource {
  kind: "service-account" | "oauth";
  file: string;
  setting: string;
}

/** Exit codes of the Google Sheets and sync commands (the local-file codes 2-5 are in cli/errors.ts). */
export const SYNC_EXIT = {
  AUTH: 6,
  GOOGLE: 7,
  SYNC_REFUSED: 8,
  /** The run finished, but some cells changed on both sides and wait for a person. */
  CONFLICTS: 10,
} as const;

export const authError = (message: string): CliError => new CliError("AUTH", message, SYNC_EXIT.AUTH);
export const refused = (code: string, message: string): CliError => new CliError(code, message, SYNC_EXIT.SYNC_REFUSED);

/** The API's own message from an error body, if there is one. */
function apiMessage(e: unknown): string {
  const err = prop(e, "response", "data", "error");
  const message = prop(err, "message");
  if (typeof message === "string") return message;
  if (typeof err === "string") {
    const d = prop(e, "response", "data", "error_description");
    return typeof d === "string" ? `${err}: ${d}` : err;
  }
  return "";
}

/** What to do about credentials Google refused, naming the file and the setting that chose it. */
function credentialFix(src: CredentialSource | undefined, why: string): string {
  if (!src) return `Google refused the credentials (${why}); run \`pipesheet login\` again, or check the --key file`;
  if (src.kind === "service-account")
    return `Google refused the service account's key in ${src.file} (${src.setting}): ${why}. The key was probably deleted or revoked, or the service account disabled; create a new JSON key (IAM › Service accounts › Keys › Add key) and point ${src.setting} at it`;
  return `Google refused the sign-in saved in ${src.file} (${why}): it was revoked (at myaccount.google.com › Security, or by \`pipesheet logout\`), has expired (a consent screen still "in testing" expires sign-ins after 7 days), or its OAuth client was deleted; run \`pipesheet login --client client_secret.json\` again`;
}

const NO_NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT|fetch failed/;

/** Why a request got no answer, in words, with the settings that decide where it goes. */
function networkFix(e: unknown, what: string, env: NodeJS.ProcessEnv): string {
  const causeCode = prop(e, "cause", "code");
  const all = `${errnoCode(e) ?? ""} ${typeof causeCode === "string" ? causeCode : ""} ${e instanceof Error ? e.message : ""}`;
  const root = env.PIPESHEET_GOOGLE_API_ROOT;
  const proxy = env.HTTPS_PROXY ?? env.https_proxy;
  const where = root ? ` (PIPESHEET_GOOGLE_API_ROOT sends it to ${root}; unset it to reach Google)` : proxy ? ` (through the proxy in HTTPS_PROXY, ${proxy})` : "";
  if (NO_NETWORK.test(all))
    return `cannot reach Google to ${what}${where}: no network connection, or Google is blocked here; check the network${proxy ? " and HTTPS_PROXY" : " (behind a proxy, set HTTPS_PROXY)"} and run the same command again (it is safe to repeat)`;
  return `${what} failed: the connection to Google was lost${where}; check the network and run the same command again (it is safe to repeat)`;
}

/** The reason Google gives in an error body (error.status or error.errors[0].reason), if any. */
function apiReason(e: unknown): string {
  const err = prop(e, "response", "data", "error");
  const reasonsIn = (key: string): unknown[] => {
    const list = prop(err, key);
    return Array.isArray(list) ? list.map((x: unknown) => prop(x, "reason")) : [];
  };
  const reasons = [prop(err, "status"), ...reasonsIn("errors"), ...reasonsIn("details")];
  return reasons.filter((r): r is string => typeof r === "string").join(" ");
}

/**
 * Maps any failure of a Sheets API call to the error the CLI prints. `what` names the call in words; `src`
 * says where the credentials came from, so a refusal names the file or setting to fix.
 */
export function googleError(e: unknown, what: string, spreadsheetId: string, src?: CredentialSource, env: NodeJS.ProcessEnv = process.env): CliError {
  if (e instanceof CliError) return e;
  const f = httpFailure(e);
  const msg = apiMessage(e);
  const detail = msg === "" ? "" : ` (${msg})`;
  const plain = e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e);
  // The token request's own failures (google-auth-library) carry OAuth error words, not always a status.
  const oauth = /invalid_grant|invalid_client|unauthorized_client|deleted_client|invalid_rapt/i.exec(`${plain} ${msg}`);
  if (oauth) return authError(credentialFix(src, `${oauth[0]}${msg !== "" && !msg.includes(oauth[0]) ? `: ${msg}` : ""}`));
  if (/DECODER|PEM routines|asn1|unsupported key|private key/i.test(plain))
    return authError(
      src?.kind === "service-account"
        ? `the private key in ${src.file} (${src.setting}) cannot be used; download a new JSON key and point ${src.setting} at it`
        : `the credentials cannot be used (${src?.file ?? "the key file"} is damaged); sign in again with \`pipesheet login\` or pass a new --key`,
    );
  if (f === null) return new CliError("GOOGLE", `${what} failed: ${plain}`, SYNC_EXIT.GOOGLE);
  const reason = apiReason(e);
  switch (f.status) {
    case null:
      return new CliError("NETWORK", networkFix(e, what, env), SYNC_EXIT.GOOGLE);
    case 401:
      return authError(credentialFix(src, `HTTP 401 while trying to ${what}${detail}`));
    case 403:
      if (/RATE_LIMIT|rateLimitExceeded|userRateLimitExceeded|quotaExceeded|RESOURCE_EXHAUSTED/i.test(reason))
        return quota(what);
      if (/SERVICE_DISABLED|accessNotConfigured/i.test(reason) || /has not been used in project|is disabled/i.test(msg))
        return new CliError(
          "API_DISABLED",
          `the Google Sheets API is not enabled for the Google Cloud project of ${src?.file ?? "these credentials"}${detail}: enable it under APIs & Services › Library › Google Sheets API, wait a minute, and run again`,
          SYNC_EXIT.GOOGLE,
        );
      return new CliError(
        "PERMISSION",
        `no permission to ${what} on spreadsheet ${spreadsheetId}${detail}: share the spreadsheet with the signed-in account (for a service account, its client_email${src?.kind === "service-account" ? ` in ${src.file}` : " from the key file"}) as an editor`,
        SYNC_EXIT.GOOGLE,
      );
    case 404:
      return new CliError("NOT_FOUND", `spreadsheet ${spreadsheetId} was not found${detail}: check the ID (the long part of the address between /d/ and /edit)`, SYNC_EXIT.GOOGLE);
    case 429:
      return quota(what);
    default:
      if ((f.status ?? 0) >= 500)
        return new CliError("GOOGLE_UNAVAILABLE", `Google Sheets did not answer while trying to ${what} (HTTP ${f.status}); run the same command again later (it is safe to repeat)`, SYNC_EXIT.GOOGLE);
      return new CliError("GOOGLE", `Google Sheets refused to ${what} (HTTP ${f.status})${detail}`, SYNC_EXIT.GOOGLE);
  }
}

const quota = (what: string): CliError =>
  new CliError(
    "RATE_LIMITED",
    `Google's request quota ran out while trying to ${what} (about 60 requests a minute per user, and per project); wait a minute and run the same command again (it is safe to repeat). A job that runs often can ask for more under APIs & Services › Google Sheets API › Quotas`,
    SYNC_EXIT.GOOGLE,
  );
