// Builds the Excel add-in: one entry per surface (task pane, ribbon commands), each page from its own template;
// ts-loader type-checks (a type error fails the build); production rewrites the manifest's dev URLs to
// PIPESHEET_URL and refuses to build without it. `--env playground` is the playground's own development build
// (the task pane over the in-memory workbook), never part of what ships.
import CopyWebpackPlugin from "copy-webpack-plugin";
import HtmlWebpackPlugin from "html-webpack-plugin";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { productionUrl, rewriteManifest } from "./excel-addin/build/manifest.js";

const root = dirname(fileURLToPath(import.meta.url));
const addin = resolve(root, "excel-addin");
// Windows and macOS can sideload into desktop Excel over https with trusted dev certificates; elsewhere the
// dev server serves the playground over plain http on localhost.
const sideloads = process.platform === "win32" || process.platform === "darwin";

async function httpsOptions() {
  const devCerts = await import("office-addin-dev-certs");
  return devCerts.getHttpsServerOptions();
}

export default async (env = {}, argv = {}) => {
  const production = argv.mode === "production";
  const playground = Boolean(env.playground);
  if (production && playground) throw new Error("The playground is a development build: npm run playground.");
  let prodUrl = "";
  try {
    if (production) prodUrl = productionUrl(env.url, process.env.PIPESHEET_URL);
  } catch (e) {
    // One clear message, not webpack's stack trace.
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const outDir = env.out ? resolve(env.out) : resolve(root, "dist/excel");
  const pane = readFileSync(resolve(addin, "taskpane/pane.html"), "utf8").replace("%PIPESHEET_VERSION%", JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).version);
  const page = (name, chunks, template) =>
    new HtmlWebpackPlugin({ filename: `${name}.html`, template: resolve(addin, template), chunks, templateParameters: { pane }, scriptLoading: "module" });

  return {
    mode: production ? "production" : "development",
    // No source maps in what ships: release refuses them (they would publish the sources next to the add-in).
    devtool: production ? false : "eval-source-map",
    target: "web",
    entry: playground
      ? { playground: resolve(addin, "playground/playground.ts") }
      : // One page holds the pane and the ribbon commands: they share one runtime (manifest <Runtimes>).
        { taskpane: resolve(addin, "taskpane/taskpane.ts") },
    output: { path: outDir, filename: "[name].[contenthash:8].js", clean: true },
    resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
    module: {
      rules: [
        { test: /\.ts$/, exclude: /node_modules/, use: { loader: "ts-loader", options: { configFile: resolve(addin, playground ? "playground/tsconfig.json" : "tsconfig.json"), onlyCompileBundledFiles: true } } },
        { test: /\.csv$/, type: "asset/source" },
      ],
    },
    plugins: [
      ...(playground
        ? [page("playground", ["playground"], "playground/playground.html")]
        : [page("taskpane", ["taskpane"], "taskpane/taskpane.html")]),
      new CopyWebpackPlugin({
        patterns: [
          { from: resolve(addin, "assets"), to: "assets" },
          { from: resolve(addin, "taskpane/taskpane.css"), to: "taskpane.css" },
          ...(playground
            ? [{ from: resolve(addin, "playground/playground.css"), to: "playground.css" }]
            : [
                { from: resolve(addin, "help.html"), to: "help.html" },
                { from: resolve(root, "manifest.xml"), to: "manifest.xml", transform: (content) => (production ? rewriteManifest(content.toString(), prodUrl) : content) },
              ]),
        ],
      }),
    ],
    performance: { hints: false },
    devServer: {
      port: Number(env.port ?? 3000),
      host: "localhost",
      static: false,
      headers: { "Access-Control-Allow-Origin": "*" },
      server: env.WEBPACK_SERVE && sideloads && !env.playground ? { type: "https", options: await httpsOptions() } : "http",
      open: env.open ? ["/playground.html"] : false,
      client: { overlay: { warnings: false } },
    },
  };
};
