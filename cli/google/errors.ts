// Google API failures as one clear line with a machine-readable code; never a token, key or request header.
import { CliError } from "../errors.js";
import { httpFailure } from "./retry.js";

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
  const data = (e as { response?: { data?: unknown } }).response?.data;
  if (data && typeof data === "object") {
    const err = (data as { error?: unknown }).error;
    if (err && typeof err === "object" && typeof (err as { message?: unknown }).message === "string") return (err as { message: string }).message;
    if (typeof err === "string") {
      const d = (data as { error_description?: unknown }).error_description;
      return typeof d === "string" ? `${err}: ${d}` : err;
    }
  }
  return "";
}

/** Maps any failure of a Sheets API call to the error the CLI prints. `what` names the call in words. */
export function googleError(e: unknown, what: string, spreadsheetId: string): CliError {
  if (e instanceof CliError) return e;
  const f = httpFailure(e);
  const msg = apiMessage(e);
  const detail = msg === "" ? "" : ` (${msg})`;
  if (f === null) {
    const plain = e instanceof Error ? e.message : String(e);
    // Token refresh failures from google-auth-library carry OAuth error text, not HTTP status.
    if (/invalid_grant|invalid_client|unauthorized_client/i.test(plain))
      return authError(`Google did not accept the saved sign-in (${plain.split("\n")[0]}); run \`pipesheet login\` again`);
    return new CliError("GOOGLE", `${what} failed: ${plain.split("\n")[0]}`, SYNC_EXIT.GOOGLE);
  }
  switch (f.status) {
    case null:
      return new CliError("NETWORK", `${what} failed: the connection to Google was lost; check the network and run the same command again (it is safe to repeat)`, SYNC_EXIT.GOOGLE);
    case 401:
      return authError(`Google rejected the credentials while trying to ${what}${detail}; run \`pipesheet login\` again, or check the --key file`);
    case 403:
      return new CliError(
        "PERMISSION",
        `no permission to ${what} on spreadsheet ${spreadsheetId}${detail}: share the spreadsheet with the signed-in account (for a service account, its client_email from the key file) as an editor`,
        SYNC_EXIT.GOOGLE,
      );
    case 404:
      return new CliError("NOT_FOUND", `spreadsheet ${spreadsheetId} was not found${detail}: check the ID (the long part of the address between /d/ and /edit)`, SYNC_EXIT.GOOGLE);
    case 429:
      return new CliError("RATE_LIMITED", `Google's request quota ran out while trying to ${what}; wait a minute and run the same command again (it is safe to repeat)`, SYNC_EXIT.GOOGLE);
    default:
      if ((f.status ?? 0) >= 500)
        return new CliError("GOOGLE_UNAVAILABLE", `Google Sheets did not answer while trying to ${what} (HTTP ${f.status}); run the same command again later (it is safe to repeat)`, SYNC_EXIT.GOOGLE);
      return new CliError("GOOGLE", `Google Sheets refused to ${what} (HTTP ${f.status})${detail}`, SYNC_EXIT.GOOGLE);
  }
}
