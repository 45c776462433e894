/*
 * The reference OTA file server on its own:
 *   npx tsx host/ota-server/main.ts --dir FOLDER [--port 8070] [--token T]
 *       [--no-range] [--stall-after N] [--cut-at N,N] [--malformed-list]
 * FOLDER holds <name>.json metadata beside <name>.bin (host/ota-server/catalog.ts).
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { startOtaServer } from "./server";
import { loadOtaFolder } from "./catalog";

const { values } = parseArgs({
	options: {
		dir: { type: "string" },
		port: { type: "string", default: "8070" },
		host: { type: "string", default: "127.0.0.1" },
		token: { type: "string" },
		"no-range": { type: "boolean", default: false },
		"stall-after": { type: "string" },
		"cut-at": { type: "string" },
		"malformed-list": { type: "boolean", default: false },
		help: { type: "boolean", default: false },
	},
});

if (values.help || !values.dir) {
	console.log(
		"usage: tsx host/ota-server/main.ts --dir FOLDER [--port 8070] [--host 127.0.0.1] [--token T] [--no-range] [--stall-after N] [--cut-at N,N] [--malformed-list]",
	);
	process.exit(values.help ? 0 : 2);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error(`--port must be a TCP port number, got "${values.port}"`);
	process.exit(2);
}

const files = loadOtaFolder(path.resolve(values.dir));
const server = await startOtaServer({
	files,
	port,
	host: values.host,
	token: values.token,
	behaviour: {
		noRange: values["no-range"],
		stallAfter: values["stall-after"] !== undefined ? Number(values["stall-after"]) : undefined,
		cutAt: values["cut-at"] ? values["cut-at"].split(",").map(Number) : undefined,
		malformedList: values["malformed-list"],
	},
	log: (line) => console.log(`[ota] ${line}`),
});
console.log(`OTA file server: ${server.url}/api/v2/ota-files (${files.length} file(s) from ${values.dir}${values.token ? ", token required" : ""})`);
for (const f of files) console.log(`  ${f.id}  ${f.module}  ${f.version}  ${f.isActive ? "active" : "inactive"}  ${f.size} bytes`);
for (const signal of ["SIGINT", "SIGTERM"] as const)
	process.on(signal, () => {
		void server.close().then(() => process.exit(0));
	});
