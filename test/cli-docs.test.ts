// docs/cli.md and the CLI's --help agree: every command and every option the CLI has is documented in its
// section's table, and everything documented there exists. A new option cannot ship undocumented.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../cli/cli.js";
import { ROOT } from "./cli-harness.js";

const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
const program = buildProgram(quiet);
const doc = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");

/** docs/cli.md's "### …" sections under "## Commands": the commands each heading names, and its table's flags. */
function documented(): { commands: string[]; flags: Set<string> }[] {
  const commandsPart = doc.slice(doc.indexOf("\n## Commands"), doc.indexOf("\n## ", doc.indexOf("\n## Commands") + 5));
  return commandsPart
    .split(/\n### /)
    .slice(1)
    .map((section) => {
      const [heading = "", ...body] = section.split("\n");
      const commands = heading.startsWith("Global") ? ["(global)"] : [...heading.matchAll(/`(?:pipesheet )?([a-z]+)`/g)].map((m) => m[1] as string);
      const flags = new Set(body.filter((l) => l.startsWith("| `")).flatMap((l) => [...(l.split(" | ")[0] ?? "").matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1] as string)));
      return { commands, flags };
    });
}

const sections = documented();
const flagsOf = (name: string): Set<string> => sections.find((s) => s.commands.includes(name))?.flags ?? new Set();

describe("docs/cli.md and --help", () => {
  it("document exactly the commands the CLI has", () => {
    const actual = [...program.commands.map((c) => c.name()), "help"].sort();
    expect(sections.flatMap((s) => s.commands).filter((c) => c !== "(global)").sort()).toEqual(actual);
  });

  it.each(program.commands.map((c) => c.name()))("document exactly the options of %s", (name) => {
    const cmd = program.commands.find((c) => c.name() === name);
    const actual = new Set((cmd?.options ?? []).map((o) => o.long).filter((f): f is string => f !== undefined));
    expect([...flagsOf(name)].sort()).toEqual([...actual].sort());
  });

  it("document exactly the global options", () => {
    const actual = new Set([...program.options.map((o) => o.long).filter((f): f is string => f !== undefined), "--help"]);
    expect([...flagsOf("(global)")].sort()).toEqual([...actual].sort());
  });

  it("every option in each command's --help output is in the docs (what users read, not only the model)", () => {
    for (const cmd of program.commands) {
      const help = cmd.helpInformation();
      const shown = new Set([...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string));
      for (const flag of shown) expect(flagsOf(cmd.name()).has(flag) || flagsOf("(global)").has(flag), `${cmd.name()} ${flag}`).toBe(true);
    }
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

describe("the docs hold together", () => {
  const pages = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

  it("start with the two commands a fresh clone needs", () => {
    const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
    expect(lines[3]).toMatch(/^npm install && npm start {4}# /);
    expect(lines[4]).toMatch(/^npm test {20}# /);
  });

  it("keep the README short: detail lives in docs/", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").length).toBeLessThan(10_000);
  });

  it.each(pages)("%s: every relative link and anchor leads somewhere", (page) => {
    const text = readFileSync(join(ROOT, page), "utf8");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] as string;
      if (/^[a-z]+:/.test(target)) continue;
      // The screenshots are made on another branch (docs/images/); until it lands, only their names are held.
      if (/(^|\/)images\/(pane|review|sidebar)\.png$/.test(target) && !existsSync(join(ROOT, "docs", "images"))) continue;
      const [file = "", anchor] = target.split("#");
      const path = file === "" ? join(ROOT, page) : join(ROOT, dirname(page), file);
      expect(existsSync(path), `${page} → ${target}`).toBe(true);
      if (anchor && path.endsWith(".md")) {
        const headings = readFileSync(path, "utf8")
          .split("\n")
          .filter((l) => /^#{1,6} /.test(l))
          .map((l) => slug(l.replace(/^#+ /, "")));
        expect(headings, `${page} → ${target}`).toContain(anchor);
      }
    }
  });
});
