// The add-in manifest validates against Office's XML schemas with xmllint, and a broken one fails the same check.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rewriteManifest } from "../excel-addin/build/manifest.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// CI clones main into another folder with shared/ beside it, as on a developer's machine.
const schemaDir = resolve(repoRoot, "../shared/schemas/office-addin-manifest");
const manifest = readFileSync(join(repoRoot, "manifest.xml"), "utf8");

function xmllint(xml: string): { ok: boolean; output: string } {
  const xsd = join(schemaDir, "OfficeAppManifestV1_1.xsd");
  if (!existsSync(xsd)) throw new Error(`The Office manifest schemas are expected at ${schemaDir} (the shared/ folder beside this checkout, as CI lays it out); clone the repo next to shared/ to run this test.`);
  const file = join(mkdtempSync(join(tmpdir(), "manifest-")), "manifest.xml");
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", "--schema", xsd, file], { encoding: "utf8" });
  if (r.error) throw new Error(`xmllint is needed for this test (Debian: apt-get install libxml2-utils): ${r.error.message}`);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

describe("manifest.xml", () => {
  it("validates against the add-in manifest schema", () => {
    const r = xmllint(manifest);
    expect(r.output).toContain("validates");
    expect(r.ok).toBe(true);
  });

  const broken: [string, (xml: string) => string, RegExp][] = [
    ["missing <Id>", (x) => x.replace(/<Id>[^<]*<\/Id>\s*/, ""), /Id/],
    ["a misspelled element", (x) => x.replace("<DisplayName ", "<DisplayNam ").replace(/<DisplayName /, "<DisplayNam "), /DisplayNam/],
    ["an unknown permission", (x) => x.replace("<Permissions>ReadWriteDocument</Permissions>", "<Permissions>Everything</Permissions>"), /Permissions/],
    ["a button without an action", (x) => x.replace(/<Action xsi:type="ShowTaskpane">[\s\S]*?<\/Action>/, ""), /Action|Control|Supertip|Icon/],
    ["a malformed document", (x) => x.replace("</OfficeApp>", ""), /OfficeApp|Premature|EndTag/i],
  ];
  for (const [name, breakIt, mentions] of broken) {
    it(`fails the same check with ${name}`, () => {
      const xml = breakIt(manifest);
      expect(xml).not.toBe(manifest);
      const r = xmllint(xml);
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(mentions);
    });
  }

  it("declares what the add-in needs: Excel, ExcelApi 1.9, read/write, a Pipeline group on Home that opens the pane", () => {
    expect(manifest).toContain('<Host Name="Workbook"/>');
    expect(manifest).toMatch(/<Set Name="ExcelApi" MinVersion="1\.9"\/>/);
    expect(manifest).toContain("<Permissions>ReadWriteDocument</Permissions>");
    expect(manifest).toContain('<OfficeTab id="TabHome">');
    expect(manifest).toContain('<bt:String id="Group.Label" DefaultValue="Pipeline"/>');
    expect(manifest).toMatch(/<Action xsi:type="ShowTaskpane">/);
  });

  it("points only at files the build produces", () => {
    const urls = [...manifest.matchAll(/"https:\/\/localhost:3000\/([^"]+)"/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThan(5);
    const sources: Record<string, string> = {
      "taskpane.html": "excel-addin/taskpane/taskpane.html",
      "commands.html": "excel-addin/commands/commands.html",
      "help.html": "excel-addin/help.html",
    };
    for (const u of urls) {
      const src = sources[u] ?? (u.startsWith("assets/") ? `excel-addin/${u}` : null);
      expect(src, u).not.toBeNull();
      expect(existsSync(join(repoRoot, src as string)), u).toBe(true);
    }
  });

  it("rewrites the dev URLs for production and still validates", () => {
    const prod = rewriteManifest(manifest, "https://addins.example.org/pipesheet");
    expect(prod).not.toContain("localhost");
    expect(prod).toContain('<SourceLocation DefaultValue="https://addins.example.org/pipesheet/taskpane.html"/>');
    expect(prod).toContain("<AppDomain>https://addins.example.org</AppDomain>");
    expect(xmllint(prod).ok).toBe(true);
    expect(() => rewriteManifest(manifest, "http://addins.example.org/")).toThrow(/https/);
  });
});
