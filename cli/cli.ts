// The pipesheet command line. The commands live in cli/commands/ (setup, score and review in run.ts; pull, push
// and sync in sync.ts), each file registered here in one line.
import { fileURLToPath } from "node:url";
import { realpathSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { register as registerRun } from "./commands/run.js";
import { register as registerSync } from "./commands/sync.js";
import { register as registerApply } from "./commands/apply.js";
import { register as registerLogin } from "./commands/login.js";
import { register as registerLog } from "./commands/log.js";
import { examples } from "./help.js";
import { describeError, EXIT_CODES } from "./errors.js";
import { colorEnabled, styleFor, type Output } from "./output.js";
import { VERSION } from "./version.js";

export function buildProgram(io: Output, onError: (message: string) => void = () => undefined): Command {
  const program = new Command("pipesheet")
    .description("Turn the deals sheet your team already keeps into a managed pipeline: scores, stuck deals and a pipeline review.")
    .version(VERSION, "-V, --version", "print pipesheet's version")
    .helpCommand("help [command]", "show help for a command (the same as COMMAND --help)")
    .option("--no-color", "no colour, even on a terminal (NO_COLOR=1 does the same)")
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's own errors (unknown option, missing file) get the same one-line shape as ours.
      outputError: (s, write) => {
        const message = `${s.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " ")} (see pipesheet --help)`;
        onError(message);
        write(`${styleFor(colorEnabled(io.stderr, undefined)).red("pipesheet:")} ${message}\n`);
      },
    })
    .addHelpText(
      "after",
      `${examples([
        ["pipesheet review deals.csv", "print the pipeline review of a CSV export"],
        ["pipesheet setup deals.csv", "write deals-managed.xlsx with pipesheet's columns, rules and tabs"],
        ["pipesheet help review", "everything review can do"],
      ])}\nEach command's --help lists its exit codes. Docs: docs/cli.md, in the repository and in the installed package\n`,
    );
  registerRun(program, io);
  for (const register of [registerSync, registerApply, registerLogin, registerLog]) register(program, io);
  return program;
}

/** Runs the CLI and returns the exit code: the one place that turns any error into one line and a code. */
export async function main(argv: string[], io: Output = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const json = argv.includes("--json");
  // With --json a command hands over its document instead of printing it, so an error after it (sync's
  // conflicts) lands in the same document and stdout holds exactly one.
  let doc: { value: object; pretty: boolean } | null = null;
  const jsonIo: Output = json ? { ...io, json: (value, pretty = false) => void (doc = { value, pretty }) } : io;
  let commanderMessage = "";
  const program = buildProgram(jsonIo, (m) => (commanderMessage = m));
  const printDoc = (error: { code: string; message: string; exitCode: number } | null): void => {
    if (!json) return;
    const base = doc?.value ?? {};
    if (doc === null && error === null) return;
    io.stdout.write(`${JSON.stringify(error ? { ...base, error } : base, null, doc?.pretty ? 2 : undefined)}\n`);
  };
  try {
    await program.parseAsync(argv, { from: "user" });
    printDoc(null);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end "with an error" in commander; they are successes for the user.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || (e.code === "commander.help" && e.exitCode === 0)) return 0;
      if (e.code === "commander.executeSubCommandAsync") return e.exitCode;
      // `pipesheet` alone: the help went to stderr, as for any other usage mistake.
      printDoc({ code: "BAD_ARGUMENTS", message: commanderMessage || "no command given (see pipesheet --help)", exitCode: EXIT_CODES.BAD_ARGUMENTS });
      return EXIT_CODES.BAD_ARGUMENTS;
    }
    const d = describeError(e);
    const noColor = argv.includes("--no-color") ? false : undefined;
    io.stderr.write(`${styleFor(colorEnabled(io.stderr, noColor)).red("pipesheet:")}${d.line.slice("pipesheet:".length)}\n`);
    printDoc({ code: d.code, message: d.line.replace(/^pipesheet: /, ""), exitCode: d.exitCode });
    return d.exitCode;
  }
}

const isEntry = (): boolean => {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
};

if (isEntry()) {
  // `pipesheet review big.csv | head` closes the pipe early; that is the reader's choice, not a failure.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const code = await main(process.argv.slice(2));
  // Let stdout drain (pipes are asynchronous) before the process ends with the code.
  process.exitCode = code;
}
