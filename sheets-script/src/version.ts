// The one version the script reports: package.json's, inlined by esbuild (the sidebar's footer shows the same one).
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
