// `pipesheet login` / `logout`: sign in to Google once with your own account (desktop OAuth, loopback, PKCE).
import type { Command as Program } from "commander";
import type { Output } from "./run.js";

export function register(program: Program, io: Output): void {
  program
    .command("login")
    .summary("sign in to Google so pull, push, sync and apply can reach your spreadsheets")
    .description(
      `Sign in with your Google account through your browser. pipesheet asks only for https://www.googleapis.com/auth/spreadsheets (your spreadsheets, nothing else in Drive) and keeps the sign-in in ~/.config/pipesheet/token.json, readable only by you. For a nightly job use a service-account key (--key) instead.`,
    )
    .requiredOption("--client <file>", 'the JSON of a "Desktop app" OAuth client from Google Cloud (APIs & Services › Credentials)')
    .option("--no-browser", "print the sign-in address instead of opening a browser")
    .action(async (opts: { client: string; browser: boolean }) => {
      const { login, openBrowser } = await import("../google/auth.js");
      const path = await login({
        clientFile: opts.client,
        onUrl: (url) => {
          io.stderr.write(`Open this address to let pipesheet edit your Google spreadsheets:\n\n  ${url}\n\nWaiting for Google…\n`);
          if (opts.browser) openBrowser(url);
        },
      });
      io.stdout.write(`Signed in. The sign-in is saved in ${path} (readable only by you); \`pipesheet logout\` removes it.\n`);
    });
  program
    .command("logout")
    .summary("sign out: revoke pipesheet's Google access and delete the saved sign-in")
    .action(async () => {
      const { logout } = await import("../google/auth.js");
      const r = await logout();
      io.stdout.write(
        r.removed ? `Signed out${r.revoked ? " and revoked the access at Google" : " (Google could not be reached to revoke the access; remove it at https://myaccount.google.com/permissions)"}; deleted ${r.path}.\n` : `Not signed in (no ${r.path}).\n`,
      );
    });
}
