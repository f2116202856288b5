// Help as people expect it: `pipesheet help CMD` is `pipesheet CMD --help` (exit 0), and every command's help
// ends with examples and the exit codes it can end with.
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

const COMMANDS = ["setup", "score", "review", "pull", "push", "sync", "apply", "login", "logout"];

describe("help", () => {
  it.each(COMMANDS)("help %s prints what the command's --help prints, and exits 0", async (command) => {
    const [viaHelp, viaFlag] = await Promise.all([runCli(["help", command]), runCli([command, "--help"])]);
    expect(viaHelp.code).toBe(0);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaFlag.stdout).toMatch(new RegExp(`^Usage: pipesheet ${command} `));
    expect(viaFlag.stdout).toMatch(/\nExamples:\n {2}pipesheet /);
    expect(viaFlag.stdout).toMatch(/\nExit codes:\n {3}0 {2}done/);
  });

  it("pipesheet --help and pipesheet help list every command, with examples", async () => {
    const [flag, word] = await Promise.all([runCli(["--help"]), runCli(["help"])]);
    expect(flag.code).toBe(0);
    expect(word.code).toBe(0);
    expect(word.stdout).toBe(flag.stdout);
    for (const c of COMMANDS) expect(flag.stdout).toMatch(new RegExp(`\\n {2}${c} `));
    expect(flag.stdout).toMatch(/\nExamples:\n/);
  });

  it("pipesheet alone shows the help on stderr and exits 2, as any usage mistake", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^Usage: pipesheet /);
  });

  it("help for an unknown command is a usage mistake", async () => {
    const r = await runCli(["help", "nonsense"]);
    expect(r.code).not.toBe(0);
  });
});
