/*
 * `npm start`: run the simulator on 127.0.0.1.
 *   --port N      HTTP port (default 8080, or $OHX_PORT)
 *   --data DIR    simulated flash and settings (default .sim-data, or $OHX_DATA)
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { startSimulator } from "./simulator";
import { ROOT } from "./package-info";

const { values } = parseArgs({
	options: {
		port: { type: "string", default: process.env.OHX_PORT ?? "8080" },
		data: { type: "string", default: process.env.OHX_DATA ?? path.join(ROOT, ".sim-data") },
		help: { type: "boolean", default: false },
	},
});

if (values.help) {
	console.log("usage: npm start -- [--port 8080] [--data .sim-data]");
	process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error(`--port must be a TCP port number, got "${values.port}"`);
	process.exit(2);
}

const sim = await startSimulator({ port, dataDir: path.resolve(values.data!) });
console.log(`OpenHaldex XS simulator: ${sim.url}/  (data in ${sim.dataDir}; Ctrl-C stops)`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.on(signal, () => {
		if (stopping) process.exit(1);
		stopping = true;
		console.log("\nstopping simulator...");
		sim.stop().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
	});
}
