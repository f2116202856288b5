// Types for manifest.js (plain JavaScript, as webpack.config.js loads it without a TypeScript step).
export declare const DEV_URL: string;
export declare function rewriteManifest(xml: string, url: string): string;
export declare function productionUrl(explicit: string | undefined, fromEnv: string | undefined): string;
