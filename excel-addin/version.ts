// The one version the add-in reports: package.json's, inlined by webpack (the pane's footer shows the same one).
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
