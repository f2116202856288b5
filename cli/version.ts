// The one version pipesheet reports: package.json's, inlined into the built CLI by the bundler.
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
