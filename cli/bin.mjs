#!/usr/bin/env node
// `npx pipesheet`: load the TypeScript sources through tsx's ESM loader, then run the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
