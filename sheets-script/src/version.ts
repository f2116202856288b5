// The one version the script reports: package.json's, inlined by esbuild (the sidebar's footer shows the same one).
// A named import, so esbuild inlines that one field and not the whole package.json.
import { version } from "../../package.json";

export const VERSION: string = version;
