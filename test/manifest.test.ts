// The add-in manifest validates against Office's XML schemas (libxml2 compiled to WebAssembly, so only Node is
// needed), and a broken one fails the same check.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { productionUrl, rewriteManifest } from "../excel-addin/build/manifest.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// A copy of ../shared/schemas/office-addin-manifest kept in the repository (see its README for the repairs).
const schemaDir = join(repoRoot, "schemas/office-addin-manifest");
const manifest = readFileSync(join(repoRoot, "manifest.xml"), "utf8");
const MAIN_XSD = "OfficeAppManifestV1_1.xsd";
const xsds = readdirSync(schemaDir).filter((f) => f.endsWith(".xsd"));

async function xmllint(xml: string): Promise<{ ok: boolean; output: string }> {
  if (!existsSync(join(schemaDir, MAIN_XSD))) throw new Error(`The Office manifest schemas are expected at ${schemaDir}.`);
  const r = await validateXML({
    xml: [{ fileName: "manifest.xml", contents: xml }],
    schema: [{ fileName: MAIN_XSD, contents: readFileSync(join(schemaDir, MAIN_XSD), "utf8") }],
    preload: xsds.filter((f) => f !== MAIN_XSD).map((f) => ({ fileName: f, contents: readFileSync(join(schemaDir, f), "utf8") })),
  });
  return { ok: r.valid, output: r.valid ? "manifest.xml validates" : r.rawOutput };
}

describe("manifest.xml", () => {
  it("validates against the add-in manifest schema", async () => {
    const r = await xmllint(manifest);
    expect(r.output).toContain("validates");
    expect(r.ok).toBe(true);
  });

  const broken: [string, (xml: string) => string, RegExp][] = [
    ["missing <Id>", (x) => x.replace(/<Id>[^<]*<\/Id>\s*/, ""), /Id/],
    ["a misspelled element", (x) => x.replace("<DisplayName ", "<DisplayNam ").replace(/<DisplayName /, "<DisplayNam "), /DisplayNam/],
    ["an unknown permission", (x) => x.replace("<Permissions>ReadWriteDocument</Permissions>", "<Permissions>Everything</Permissions>"), /Permissions/],
    ["a button without an action", (x) => x.replace(/<Action xsi:type="ShowTaskpane">[\s\S]*?<\/Action>/, ""), /Action|Control|Supertip|Icon/],
    ["a malformed document", (x) => x.replace("</OfficeApp>", ""), /OfficeApp|Premature|EndTag/i],
    ["a runtime lifetime Office does not know", (x) => x.replace('lifetime="long"', 'lifetime="forever"'), /lifetime/],
  ];
  for (const [name, breakIt, mentions] of broken) {
    it(`fails the same check with ${name}`, async () => {
      const xml = breakIt(manifest);
      expect(xml).not.toBe(manifest);
      const r = await xmllint(xml);
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

  it("rewrites the dev URLs for production and still validates", async () => {
    const prod = rewriteManifest(manifest, "https://addins.example.org/pipesheet");
    expect(prod).not.toContain("localhost");
    expect(prod).toContain('<SourceLocation DefaultValue="https://addins.example.org/pipesheet/taskpane.html"/>');
    expect(prod).toContain("<AppDomain>https://addins.example.org</AppDomain>");
    expect((await xmllint(prod)).ok).toBe(true);
    expect(() => rewriteManifest(manifest, "http://addins.example.org/")).toThrow(/https/);
  });

  it("refuses a production build without PIPESHEET_URL, saying how to set it", () => {
    expect(() => productionUrl(undefined, undefined)).toThrow(/PIPESHEET_URL=https:\/\/.*npm run build/);
    expect(() => productionUrl(undefined, " ")).toThrow(/npm run playground/);
    expect(productionUrl(undefined, "https://a.example.org/")).toBe("https://a.example.org/");
    expect(productionUrl("https://b.example.org/", "https://a.example.org/")).toBe("https://b.example.org/");
  });

  it("runs the pane and the ribbon command in one long-lived runtime", () => {
    expect(manifest).toMatch(/<Runtimes>\s*<Runtime resid="Taskpane.Url" lifetime="long"\/>\s*<\/Runtimes>/);
    expect(manifest).toContain('<FunctionFile resid="Taskpane.Url"/>');
    expect(manifest).not.toContain("commands.html");
  });
});
