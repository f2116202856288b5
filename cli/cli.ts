// The pipesheet command line. Each command lives in cli/commands/ and is registered here in one line.
import { fileURLToPath } from "node:url";
import { realpathSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { register as registerRun, type Output } from "./commands/run.js";
import { register as registerPull } from "./commands/pull.js";
import { register as registerPush } from "./commands/push.js";
import { register as registerSync } from "./commands/sync.js";
import { register as registerApply } from "./commands/apply.js";
import { register as registerLogin } from "./commands/login.js";
import { register as registerLog } from "./commands/log.js";
import { describeError, EXIT_CODES } from "./errors.js";

export function buildProgram(io: Output): Command {
  const program = new Command("pipesheet")
    .description("Turn the deals sheet your team already keeps into a managed pipeline: scores, stuck deals and a pipeline review.")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's own errors (unknown option, missing file) get the same one-line shape as ours.
      outputError: (s, write) => write(`pipesheet: ${s.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " ")} (see pipesheet --help)\n`),
    });
  registerRun(program, io);
  for (const register of [registerPull, registerPush, registerSync, registerApply, registerLogin, registerLog]) register(program, io);
  return program;
}

/** Runs the CLI and returns the exit code: the one place that turns any error into one line and a code. */
export async function main(argv: string[], io: Output = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = buildProgram(io);
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end "with an error" in commander; they are successes for the user.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.executeSubCommandAsync") return e.exitCode;
      return EXIT_CODES.BAD_ARGUMENTS;
    }
    const d = describeError(e);
    io.stderr.write(`${d.line}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ error: { code: d.code, message: d.line.replace(/^pipesheet: /, ""), exitCode: d.exitCode } })}\n`);
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
  const code = await main(process.argv.slice(2));
  // Let stdout drain (pipes are asynchronous) before the process ends with the code.
  process.exitCode = code;
}
