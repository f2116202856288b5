// The import boundaries of ARCHITECTURE.md, checked by `npm run lint` (dependency-cruiser).

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "core/ imports only core/ and zod: no host, file or network API (the one rule).",
      severity: "error",
      from: { path: "^core/" },
      to: { pathNot: ["^core/", "^node_modules/zod/"] },
    },
    {
      name: "hosts-through-core-index",
      comment: "Hosts use core only through core/index.ts, so core's files can change without breaking a host.",
      severity: "error",
      from: { path: "^(cli|excel-addin|sheets-script|bench|samples)/" },
      to: { path: "^core/", pathNot: "^core/index\\.ts$" },
    },
    {
      name: "nothing-imports-commands",
      comment: "Command files are leaves: options and printing only; what commands share lives beside them in cli/ (help, options, output, files), the work in google/, merge/ and io/.",
      severity: "error",
      from: { pathNot: ["^cli/cli\\.ts$", "^test/"] },
      to: { path: "^cli/commands/" },
    },
    {
      name: "production-code-not-from-test-or-playground",
      comment: "No production file imports tests, fakes or the playground.",
      severity: "error",
      from: { path: "^(core|cli|excel-addin|sheets-script)/", pathNot: "^excel-addin/playground/" },
      to: { path: ["^test/", "^excel-addin/playground/"] },
    },
    {
      name: "no-circular",
      comment: "No import circle anywhere, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^node_modules", "^dist/", "^out/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
