// `pipesheet setup|score|review FILE...`: the options and the printing. The work on each file is in cli/files.ts;
// core, the file readers and the review text load only when one of these commands runs, so `--help` starts fast.
import { Option, type Command as Program } from "commander";
import type { Command, RunResult } from "../../core/index.js";
import { CliError } from "../errors.js";
import { extFormat, processFile, STDIO, WRITES, type FileResult, type RunCommandOptions } from "../files.js";
import { EXIT_HELP, examples } from "../help.js";
import { parseCount, parseWidth } from "../options.js";
import { colorEnabled, emitJson, outputWidth, styleFor, terminalProblems, type Output, type Style } from "../output.js";

export type { Output } from "../output.js";
export type { RunCommandOptions } from "../files.js";

const COMMANDS: { name: Command; summary: string; examples: [string, string][] }[] = [
  {
    name: "setup",
    summary: "set up the pipeline: add pipesheet's columns, drop-downs, highlighting and the settings tab; adopt your own stage names",
    examples: [
      ["pipesheet setup deals.csv", "writes deals-managed.xlsx beside deals.csv"],
      ["pipesheet setup export.xlsx#Deals --out team.xlsx", "the Deals sheet of a workbook, written to team.xlsx"],
      ["pipesheet setup - --out - --format xlsx < deals.csv > team.xlsx", "standard input to standard output"],
    ],
  },
  {
    name: "score",
    summary: "score leads, mark stuck deals and update pipesheet's columns",
    examples: [
      ["pipesheet score team.xlsx --in-place", "re-score the managed workbook itself"],
      ["pipesheet score north.xlsx south.xlsx --in-place", "several workbooks in one run"],
      ["pipesheet score deals.csv --out - --format csv | head", "the deals with pipesheet's columns as CSV on stdout"],
    ],
  },
  {
    name: "review",
    summary: "print the pipeline review (and, with --out, save the workbook with its Pipeline Review tab)",
    examples: [
      ["pipesheet review team.xlsx", "print the review at the terminal's width"],
      ["pipesheet review team.xlsx --out team.xlsx", "also write the Pipeline Review tab into the workbook"],
      ["cat deals.csv | pipesheet review - --json", "the summary, problems and metrics of standard input as one JSON document"],
    ],
  },
];

function jsonDoc(r: FileResult): Record<string, unknown> {
  const { summary, problems, metrics } = r.plan;
  return { summary, problems, metrics, output: r.output, notes: r.notes };
}

const SECTION = /^(Pipeline Review|Stuck deals \(\d[\d,]*\)|Problems \(\d[\d,]*\)|Win model:)/;

/** Colour for the review's own text: section titles bold, a problem's severity word red or yellow. */
function colourReview(text: string, s: Style): string {
  return text
    .split("\n")
    .map((l) => (SECTION.test(l) ? s.bold(l) : l.replace(/^( {2}- )(error|warning)\b/, (_m, lead: string, sev: string) => lead + (sev === "error" ? s.red(sev) : s.yellow(sev)))))
    .join("\n");
}

async function reviewText(r: FileResult, opts: RunCommandOptions, width: number, style: Style): Promise<string> {
  const { renderReviewText, wrap } = await import("../review-text.js");
  const metrics = r.plan.metrics;
  const text = metrics ? renderReviewText(metrics, terminalProblems(r.plan.problems), { width, maxProblems: opts.maxProblems }).replace(/\n+$/, "") : "";
  const lines = [colourReview(text, style), "", ...wrap(r.plan.summary.headline, width, "", "", false).map(style.bold)];
  for (const n of r.notes) lines.push(...wrap(`Note: ${n}`, width, "", "  ", false));
  if (r.output !== null) lines.push(`${extFormat(r.output) === "xlsx" ? "Managed workbook" : "Deals with pipesheet's columns"}: ${r.output}`);
  return `${lines.join("\n")}\n`;
}

/** One file: the command's whole effect, with its output printed. Returns core's result. */
export async function runCommand(command: Command, file: string, opts: RunCommandOptions, io: Output): Promise<RunResult> {
  const [result] = await runFiles(command, [file], opts, io);
  if (!result) throw new CliError("INTERNAL", `${command} ${file} gave no result`);
  return result.plan;
}

/**
 * Several files in one run, in order; the first failure stops the run (its exit code is the run's). With
 * --json the document is the single file's, or `{ files: [...] }` for several.
 */
export async function runFiles(command: Command, files: string[], opts: RunCommandOptions, io: Output): Promise<FileResult[]> {
  if (files.filter((f) => f === STDIO).length > 1) throw new CliError("BAD_ARGUMENTS", "standard input (-) can be read once per run");
  if (files.length > 1 && opts.out !== undefined) throw new CliError("BAD_ARGUMENTS", "--out names one file; with several files use the default FILE-managed.xlsx or --in-place");
  const { wrap } = await import("../review-text.js");
  const results: FileResult[] = [];
  const width = outputWidth(io.stdout, opts.width);
  const style = styleFor(colorEnabled(io.stdout, opts.color));
  const errStyle = styleFor(colorEnabled(io.stderr, opts.color));
  for (const file of files) {
    const r = await processFile(command, file, opts, io);
    results.push(r);
    if (opts.json) {
      emitJson(io, files.length === 1 ? jsonDoc(r) : { files: results.map((x, i) => ({ file: files[i], ...jsonDoc(x) })) }, true);
    } else if (r.output === STDIO) {
      // Standard output carries the data; the people watching get the headline on stderr.
      io.stderr.write(`${wrap(r.plan.summary.headline, outputWidth(io.stderr, opts.width), "", "", false).map(errStyle.bold).join("\n")}\n`);
      for (const n of r.notes) io.stderr.write(`${wrap(`Note: ${n}`, outputWidth(io.stderr, opts.width), "", "  ", false).join("\n")}\n`);
    } else {
      if (files.length > 1) io.stdout.write(`${results.length > 1 ? "\n" : ""}${style.bold(`==> ${file} <==`)}\n`);
      io.stdout.write(await reviewText(r, opts, width, style));
    }
  }
  return results;
}

/** Registers setup, score and review. */
export function register(program: Program, io: Output): void {
  for (const c of COMMANDS) {
    program
      .command(c.name)
      .summary(c.summary)
      .description(`${c.summary[0]?.toUpperCase()}${c.summary.slice(1)}. FILE - reads standard input (CSV, or an .xlsx by its content).`)
      .argument("<file...>", "deals files: deals.csv, book.xlsx, book.xlsx#Sheet, or - for standard input")
      .option("--sheet <name>", "the deals sheet of an .xlsx (default: the first sheet with a deals header row)")
      .option(
        "--out <file>",
        WRITES[c.name]
          ? "write here (.xlsx; .csv or .json for the deals only; - for standard output); default FILE-managed.xlsx"
          : "also save the result here (.xlsx; .csv or .json for the deals only; - for standard output)",
      )
      .addOption(new Option("--format <format>", "what --out - writes: csv (default), xlsx or json").choices(["csv", "xlsx", "json"]))
      .option("--in-place", "write back into FILE itself")
      .option("--json", "print the summary, problems and metrics as one JSON document only")
      .option("--today <YYYY-MM-DD>", "the date to work as of (default: today), for reproducible runs")
      .option("--since <YYYY-MM-DD>", "compare with the pipeline on this day instead of the previous review run (Since last review)")
      .option("--max-problems <n>", "problems to list before '… and N more'", parseCount, 10)
      .option("--width <n>", "wrap the review at N columns (default: the terminal's width, else 80)", parseWidth)
      .addHelpText("after", `${examples(c.examples)}${EXIT_HELP.files}`)
      .action(async (files: string[], _opts: RunCommandOptions, cmd: Program) => {
        await runFiles(c.name, files, cmd.optsWithGlobals<RunCommandOptions>(), io);
      });
  }
}
