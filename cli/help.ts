// The parts every command's --help ends with: examples, and the exit codes it can end with.

export function examples(list: [string, string][]): string {
  const w = Math.max(...list.map(([cmd]) => cmd.length));
  return `\nExamples:\n${list.map(([cmd, what]) => (cmd.length + 4 + what.length > 110 ? `  ${cmd}\n      ${what}` : `  ${cmd.padEnd(w)}  # ${what}`)).join("\n")}\n`;
}

const codes = (rows: [number, string][]): string => `\nExit codes:\n${rows.map(([n, what]) => `  ${String(n).padStart(2)}  ${what}`).join("\n")}\n`;

const COMMON: [number, string][] = [
  [0, "done (problems in cells are reported, not fatal)"],
  [1, "internal error: a bug, please report it with the command you ran"],
  [2, "bad arguments: unknown command or option, missing FILE, a bad --today"],
];

export const EXIT_HELP = {
  files: codes([
    ...COMMON,
    [3, "the file is missing or unreadable, or a CSV has a malformed quote"],
    [4, "no sheet has a deals header row (at least Deal name and Stage)"],
    [5, "the output cannot be written"],
  ]),
  sync: codes([
    ...COMMON,
    [3, "a file is missing or unreadable, or a CSV has a malformed quote"],
    [4, "no deals sheet"],
    [5, "a file cannot be written"],
    [6, "Google sign-in missing or rejected"],
    [7, "a Google API error (running again is safe)"],
    [8, "refused before writing anything (header changed, a repeated Deal ID, parts a rewrite would drop)"],
    [10, "finished, but some cells changed on both sides and wait for a person (also with --dry-run)"],
  ]),
  apply: codes([...COMMON, [4, "no deals tab"], [6, "Google sign-in missing or rejected"], [7, "a Google API error (running again is safe)"]]),
  login: codes([[0, "done"], [1, COMMON[1]?.[1] ?? ""], [2, "bad arguments"], [6, "sign-in failed, was cancelled or timed out (nothing saved)"]]),
};
