// Lint: typescript-eslint everywhere; core/ may not reach any host (the one rule in ARCHITECTURE.md).
import js from "@eslint/js";
import officeAddins from "eslint-plugin-office-addins";
import tseslint from "typescript-eslint";

const hostModules = ["googleapis", "papaparse", "exceljs", "fs", "node:*", "fs/*", "path", "os", "child_process", "office-addin-*", "@microsoft/*", "playwright-core", "commander"];
const hostGlobals = ["Excel", "Office", "OfficeExtension", "SpreadsheetApp", "HtmlService", "LockService", "PropertiesService", "Utilities", "Session", "process", "require", "Buffer", "window", "document", "console"].map((name) => ({
  name,
  message: "core/ is pure: take what you need as an argument from the host adapter.",
}));

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "out/**", "coverage/**", "**/*.js", "**/*.mjs", "**/*.cjs", "!eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Office.js's batching rules (read after load and sync, no sync in a loop, isNullObject checks). Only the
    // plugin's own rules: its "recommended" set also brings Prettier formatting, which this project does not use.
    files: ["excel-addin/**/*.ts"],
    plugins: { "office-addins": officeAddins },
    rules: Object.fromEntries(Object.keys(officeAddins.rules).map((r) => [`office-addins/${r}`, "error"])),
  },
  {
    files: ["core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: hostModules, message: "core/ is pure: no host, file or network APIs." }] }],
      "no-restricted-globals": ["error", ...hostGlobals],
      // Functions short enough to read (issue #8): one over 80 lines needs an eslint-disable with its reason.
      "max-lines-per-function": ["error", { max: 80, IIFEs: true }],
    },
  },
);
