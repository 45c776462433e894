/*
 * `npm start`: run the simulator on 127.0.0.1.
 *   --port N      HTTP port (default 8080, or $OHX_PORT)
 *   --data DIR    simulated flash and settings (default .sim-data, or $OHX_DATA)
 *   --fail-health the next new image fails its first-boot health check
 *   --signed      on a fresh data folder: the factory and demo images are signed with a demo
 *                 key made there (demo-signing-key.pem): the board then takes only images it signed
 *                 (reset the simulator during it to see the rollback)
 *   --gvret-port N GVRET (SavvyCAN "Network connection") TCP port on 127.0.0.1
 *                 (default 2323; the board uses 23; 0 = none)
 *   --can-log FILE replay a candump -l log (can0) on the chassis bus
 *                 instead of the drive cycle
 *   --car drive|parked  the simulated car drives its cycle (default) or stands
 *                 parked with the engine off (updates are refused while it runs;
 *                 switch at run time with POST /api/sim/car)
 *   --generation 1|2|4|5  the simulated car's Haldex (5: an MQB car with a Gen5
 *                 coupling); saved as the firmware's setting at start, and the car
 *                 follows that setting when it changes on the Setup page
 *   --press-button hold the simulated mode button for 3 s at start (a long
 *                 press: opens the 2-minute setup window)
 */

import path from "node:path";
import { parseArgs } from "node:util";
import { startSimulator } from "./simulator";
import { ROOT } from "./package-info";
import { startUpdateServerLink } from "./update-server-link";

const { values } = parseArgs({
	options: {
		port: { type: "string", default: process.env.OHX_PORT ?? "8080" },
		data: { type: "string", default: process.env.OHX_DATA ?? path.join(ROOT, ".sim-data") },
		help: { type: "boolean", default: false },
		"fail-health": { type: "boolean", default: false },
		signed: { type: "boolean", default: false },
		"can-log": { type: "string" },
		"gvret-port": { type: "string", default: "2323" },
		"press-button": { type: "boolean", default: false },
		car: { type: "string", default: "drive" },
		generation: { type: "string" },
	},
});

if (values.help) {
	console.log(
		"usage: npm start -- [--port 8080] [--data .sim-data] [--fail-health] [--signed] [--can-log FILE] [--gvret-port 2323] [--press-button] [--car drive|parked] [--generation 1|2|4|5]",
	);
	process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error(`--port must be a TCP port number, got "${values.port}"`);
	process.exit(2);
}

const gvretPort = Number(values["gvret-port"]);
if (!Number.isInteger(gvretPort) || gvretPort < 0 || gvretPort > 65535) {
	console.error(`--gvret-port must be a TCP port number, got "${values["gvret-port"]}"`);
	process.exit(2);
}

if (values.car !== "drive" && values.car !== "parked") {
	console.error(`--car must be drive or parked, got "${values.car}"`);
	process.exit(2);
}

const generation = values.generation === undefined ? undefined : Number(values.generation);
if (generation !== undefined && generation !== 1 && generation !== 2 && generation !== 4 && generation !== 5) {
	console.error(`--generation must be 1, 2, 4 or 5, got "${values.generation}"`);
	process.exit(2);
}

const updates = await startUpdateServerLink({ dataDir: path.resolve(values.data!), signed: values.signed }); // reference OTA server with a newer demo image
const sim = await startSimulator({
	port,
	dataDir: path.resolve(values.data!),
	failHealth: values["fail-health"],
	signed: values.signed,
	canLog: values["can-log"] && path.resolve(values["can-log"]),
	car: values.car,
	...(generation !== undefined ? { generation } : {}),
	...(gvretPort > 0 ? { gvretPort } : {}),
});
console.log(`OpenHaldex XS simulator: ${sim.url}/  (data in ${sim.dataDir}; Ctrl-C stops)`);
if (sim.gvretPort) console.log(`GVRET for SavvyCAN: 127.0.0.1:${sim.gvretPort} (read-only until POST /api/can/gvret {"sending": true})`);
if (values["press-button"]) {
	const ms = sim.device.pressButton("long");
	console.log(`mode button held for ${ms} ms: the setup window opens (GET /api/setup)`);
}
console.log(
	`OTA file server: ${updates.server.url} offers ${updates.demoVersion} (POST /api/update/check, then /api/update/install with the car parked: --car parked or POST /api/sim/car)`,
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.on(signal, () => {
		if (stopping) process.exit(1);
		stopping = true;
		console.log("\nstopping simulator...");
		sim.stop().then(
			() => process.exit(0),
			(e) => {
				console.error(e);
				process.exit(1);
			},
		);
	});
}
