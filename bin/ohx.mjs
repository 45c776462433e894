#!/usr/bin/env node
// `npx ohx ...` from a clone: runs host/cli/ohx.ts through tsx with the project's
// tsconfig (its paths map the firmware modules the tool shares, e.g. ota/validator).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: path.join(root, "tsconfig.json") });
const { runFromShell } = await import(path.join(root, "host/cli/ohx.ts"));
runFromShell();
