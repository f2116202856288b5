// `pipesheet login` / `logout`: sign in to Google once with your own account (desktop OAuth, loopback, PKCE).
import { createInterface } from "node:readline";
import type { Command as Program } from "commander";
import { emitJson, type Output } from "../output.js";
import { EXIT_HELP, examples } from "../help.js";

interface LoginCliOptions {
  client: string;
  browser: boolean;
  localhost: boolean;
  json?: boolean;
}

/** One line typed or pasted on standard input (the address Google's consent page ended on). */
function readLine(): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let got = "";
    rl.once("line", (line) => {
      got = line;
      rl.close();
    });
    rl.once("close", () => resolve(got));
  });
}

export function register(program: Program, io: Output): void {
  program
    .command("login")
    .summary("sign in to Google so pull, push, sync and apply can reach your spreadsheets")
    .description(
      `Sign in with your Google account through your browser. pipesheet asks only for https://www.googleapis.com/auth/spreadsheets (your spreadsheets, nothing else in Drive) and keeps the sign-in in ~/.config/pipesheet/token.json, readable only by you. For a nightly job use a service-account key (--key) instead.`,
    )
    .requiredOption("--client <file>", 'the JSON of a "Desktop app" OAuth client from Google Cloud (APIs & Services › Credentials)')
    .option("--no-browser", "print the sign-in address instead of opening a browser")
    .option("--no-localhost", "for a machine without a browser (SSH): open the printed address anywhere, then paste the address the browser ends on")
    .option("--json", "print the result as one JSON document only")
    .addHelpText(
      "after",
      `${examples([
        ["pipesheet login --client client_secret.json", "opens your browser; pipesheet listens on 127.0.0.1 for Google's answer"],
        ["pipesheet login --client client_secret.json --no-localhost", "over SSH: open the address on any machine and paste back where it ends"],
      ])}${EXIT_HELP.login}`,
    )
    .action(async (opts: LoginCliOptions) => {
      const { login, openBrowser } = await import("../google/auth.js");
      const path = await login({
        clientFile: opts.client,
        onUrl: (url) => {
          io.stderr.write(
            opts.localhost
              ? `Open this address to let pipesheet edit your Google spreadsheets:\n\n  ${url}\n\nWaiting for Google…\n`
              : `Open this address in a browser on any machine and sign in:\n\n  ${url}\n\nThe browser then fails to load a 127.0.0.1 page; that is expected. Copy the whole address it shows and paste it here:\n`,
          );
          if (opts.browser && opts.localhost) openBrowser(url);
        },
        ...(opts.localhost ? {} : { pasted: readLine }),
      });
      if (opts.json) emitJson(io, { signedIn: true, tokenFile: path });
      else io.stdout.write(`Signed in. The sign-in is saved in ${path} (readable only by you); \`pipesheet logout\` removes it.\n`);
    });
  program
    .command("logout")
    .summary("sign out: revoke pipesheet's Google access and delete the saved sign-in")
    .option("--json", "print the result as one JSON document only")
    .addHelpText("after", `${examples([["pipesheet logout", "revoke at Google and delete ~/.config/pipesheet/token.json"]])}${EXIT_HELP.login}`)
    .action(async (opts: { json?: boolean }) => {
      const { logout } = await import("../google/auth.js");
      const r = await logout();
      if (opts.json) emitJson(io, { removed: r.removed, revoked: r.revoked, tokenFile: r.path });
      else
        io.stdout.write(
          r.removed ? `Signed out${r.revoked ? " and revoked the access at Google" : " (Google could not be reached to revoke the access; remove it at https://myaccount.google.com/permissions)"}; deleted ${r.path}.\n` : `Not signed in (no ${r.path}).\n`,
        );
    });
}
