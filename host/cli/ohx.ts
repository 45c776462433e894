/*
 * `ohx`: the board from the command line, the way espota or esphome upload
 * work for their users. Run from a clone with `npx ohx ...` (bin/ohx.mjs).
 *   ohx status --host openhaldex.local
 *   ohx push xs_esp32.bin --host openhaldex.local [--install] [--allow-downgrade]
 *   ohx keygen KEY.pem | ohx sign IMAGE --key KEY.pem | ohx verify IMAGE [--key KEY.pem]
 * The password comes from $OHX_PASSWORD or a prompt, never from an
 * argument (it would stay in the shell history). push checks the file
 * locally with the firmware's own validator, uploads it with a progress
 * bar, prints the board's verdict, and with --install follows the restart
 * (web/src/reboot-follow, the Update page's rules) to the confirmed version
 * or the reason it rolled back.
 */

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import type { ImageBody, StatusBody, UpdateBody } from "api/contract";
import { ImageValidator } from "ota/validator";
import { OtaError } from "ota/errors";
import { nodeDigests } from "../adapters/node-platform";
import { otaSlots, parsePartitionCsv } from "../adapters/flash/partition-table";
import { FOLLOW_STEPS, followStep, observed, type FollowMemory, type Observation } from "../../web/src/reboot-follow";
import { BoardClient, EXIT, OhxError } from "./board-client";
import { generateKey, keyDigest, signImage } from "./signing";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export const HELP = `ohx: OpenHaldex XS from the command line

  ohx status --host HOST [--port N]
      the running version, mode, update state and any staged image
  ohx push IMAGE --host HOST [--port N] [--install] [--allow-downgrade] [--no-progress]
      check IMAGE locally, upload it with progress, print the board's verdict;
      with --install, install it and follow the restart to the confirmed version

  ohx keygen KEYFILE
      a new RSA-3072 Secure Boot V2 signing key (PEM); prints its digest
  ohx sign IMAGE --key KEYFILE [--output FILE]
      append a Secure Boot V2 signature (another block when already signed, at
      most 3: a release signed by the old and the new key hands trust over)
  ohx verify IMAGE [--key KEYFILE]
      check the image and its signatures as the board does; with --key, require that key

The admin password is read from $OHX_PASSWORD, or asked for (never an argument).
HOST is openhaldex.local or the board's address (192.168.4.1 on its own Wi-Fi).

Exit codes:
  0  done
  1  usage: a wrong argument, an unreadable file, no password
  2  the board does not answer
  3  the password is wrong, or sign-in is locked for a while
  4  the image is refused (by the local check or by the board), with its code
  5  not now: the car is moving, the engine runs, another update is busy
  6  installed, but the new firmware did not start properly: the board went back
  7  the board did not come back within 5 minutes of the install
  8  any other failure the board reported
`;

interface Io {
	out: (line: string) => void;
	err: (line: string) => void;
	env: NodeJS.ProcessEnv;
	/** Ask for the password when no $OHX_PASSWORD (undefined without a terminal). */
	askPassword?: () => Promise<string>;
	/** Show a progress bar (a terminal) or print a line per 10 % (logs, tests). */
	bar: boolean;
	sleep?: (ms: number) => Promise<void>;
}

export async function main(argv: string[], io: Io): Promise<number> {
	try {
		return await run(argv, io);
	} catch (e) {
		if (e instanceof OhxError) {
			io.err(`ohx: ${e.message}${e.code && !e.code.startsWith("http_") ? ` (${e.code})` : ""}`);
			return e.exitCode;
		}
		io.err(`ohx: ${e instanceof Error ? e.message : String(e)}`);
		return EXIT.failed;
	}
}

async function run(argv: string[], io: Io): Promise<number> {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			host: { type: "string" },
			port: { type: "string" },
			install: { type: "boolean", default: false },
			"allow-downgrade": { type: "boolean", default: false },
			"no-progress": { type: "boolean", default: false },
			help: { type: "boolean", short: "h", default: false },
			password: { type: "string" },
			key: { type: "string" },
			output: { type: "string" },
		},
	});
	const [command, ...rest] = positionals;
	if (values.help || !command) {
		io.out(HELP);
		return values.help ? EXIT.ok : EXIT.usage;
	}
	if (values.password !== undefined)
		throw new OhxError(EXIT.usage, "", "--password is not accepted (it would stay in the shell history): set OHX_PASSWORD or answer the prompt.");
	if (command === "keygen") return keygen(rest, io);
	if (command === "sign") return sign(rest, values.key, values.output, io);
	if (command === "verify") return verify(rest, values.key, io);
	if (!values.host) throw new OhxError(EXIT.usage, "", `${command} needs --host (openhaldex.local or the board's address).`);
	const port = values.port === undefined ? 80 : Number(values.port);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new OhxError(EXIT.usage, "", "--port must be 1 to 65535.");
	const board = new BoardClient({ host: values.host, port });
	if (command === "status") return status(board, io);
	if (command === "push") {
		if (rest.length !== 1) throw new OhxError(EXIT.usage, "", "push takes one image file.");
		return push(
			rest[0],
			{ host: values.host, port },
			{ install: values.install, allowDowngrade: values["allow-downgrade"], bar: io.bar && !values["no-progress"] },
			io,
		);
	}
	throw new OhxError(EXIT.usage, "", `unknown command "${command}"; ohx --help lists them.`);
}

async function status(board: BoardClient, io: Io): Promise<number> {
	const s = await board.get<StatusBody>("/api/status");
	const u = await board.get<UpdateBody>("/api/update");
	const images = await board.get<{ items: ImageBody[] }>("/api/update/images");
	io.out(`${board.where}: OpenHaldex XS ${s.version} on ${s.board}, up ${Math.round(s.uptimeMs / 1000)} s`);
	io.out(`mode ${s.mode}${s.effectiveMode !== s.mode ? ` (working as ${s.effectiveMode} for now)` : ""}`);
	io.out(`update: ${u.state}: ${u.state_description}`);
	for (const i of images.items) io.out(`staged image ${i.id}: ${i.version ?? "?"} ${i.state}${i.checksum ? ` sha256 ${i.checksum}` : ""}`);
	return EXIT.ok;
}

function keygen(args: string[], io: Io): number {
	if (args.length !== 1) throw new OhxError(EXIT.usage, "", "keygen takes the file to write the key to.");
	if (fs.existsSync(args[0])) throw new OhxError(EXIT.usage, "", `${args[0]} exists; keygen never overwrites a key.`);
	const pem = generateKey();
	fs.writeFileSync(args[0], pem, { mode: 0o600 });
	io.out(
		`wrote ${args[0]} (RSA-3072); its digest: ${keyDigest(pem)}. Keep it secret, and keep a copy: images for boards that trust it can only be signed with it.`,
	);
	return EXIT.ok;
}

function readFile(file: string): Uint8Array {
	try {
		return new Uint8Array(fs.readFileSync(file));
	} catch (e) {
		throw new OhxError(EXIT.usage, "file_unreadable", `${file}: ${e instanceof Error ? e.message : String(e)}`);
	}
}

function sign(args: string[], key: string | undefined, output: string | undefined, io: Io): number {
	if (args.length !== 1 || !key) throw new OhxError(EXIT.usage, "", "sign takes an image and --key KEYFILE.");
	const pem = new TextDecoder().decode(readFile(key));
	let signed: Uint8Array;
	try {
		signed = signImage(readFile(args[0]), pem);
	} catch (e) {
		if (e instanceof OtaError) throw new OhxError(EXIT.refused, e.code, `${args[0]} is not an image that can be signed: ${e.message}`);
		throw new OhxError(EXIT.usage, "", `signing failed: ${e instanceof Error ? e.message : String(e)}`);
	}
	const to = output ?? args[0];
	fs.writeFileSync(to, signed);
	io.out(`signed ${args[0]} with ${keyDigest(pem)} -> ${to} (${signed.length} bytes)`);
	return EXIT.ok;
}

function verify(args: string[], key: string | undefined, io: Io): number {
	if (args.length !== 1) throw new OhxError(EXIT.usage, "", "verify takes one image.");
	const bytes = readFile(args[0]);
	const trustedKeys = key ? [keyDigest(new TextDecoder().decode(readFile(key)))] : [];
	const v = new ImageValidator({
		digests: nodeDigests,
		slotSize: slotSize(),
		declaredSize: bytes.length,
		running: "0.0.0",
		runningSecureVersion: 0,
		trustedKeys,
	});
	try {
		v.write(bytes);
		const r = v.end();
		io.out(`${args[0]}: OpenHaldex XS ${r.version}, ${r.signedBy ? `signed by ${r.signedBy.join(", ")} (verified)` : "not signed"}`);
		return EXIT.ok;
	} catch (e) {
		if (e instanceof OtaError) throw new OhxError(EXIT.refused, e.code, `${args[0]}: ${e.message}`);
		throw e;
	}
}

function slotSize(): number {
	return Math.max(...otaSlots(parsePartitionCsv(fs.readFileSync(path.join(ROOT, "partitions.csv"), "utf8"))).map((s) => s.size));
}

async function password(io: Io): Promise<string> {
	if (io.env.OHX_PASSWORD) return io.env.OHX_PASSWORD;
	if (!io.askPassword) throw new OhxError(EXIT.usage, "", "no password: set OHX_PASSWORD (there is no terminal to ask on).");
	return io.askPassword();
}

/** The firmware's own checks on the file, with the board's running version for the version rule. */
function checkLocally(file: string, running: StatusBody, allowDowngrade: boolean): ReturnType<ImageValidator["end"]> {
	const size = fs.statSync(file).size;
	const { keys, espIdfVerifies } = running.update.signing; // the board's own rule, judged here first
	const v = new ImageValidator({
		digests: nodeDigests,
		slotSize: slotSize(),
		declaredSize: size,
		running: running.version,
		runningSecureVersion: 0,
		allowDowngrade,
		trustedKeys: keys,
		firstBlockOnly: espIdfVerifies === true,
	});
	const fd = fs.openSync(file, "r");
	try {
		const buf = Buffer.alloc(64 * 1024);
		for (;;) {
			const n = fs.readSync(fd, buf, 0, buf.length, null);
			if (!n) break;
			v.write(new Uint8Array(buf.buffer, buf.byteOffset, n));
		}
		return v.end();
	} catch (e) {
		if (e instanceof OtaError) throw new OhxError(EXIT.refused, e.code, `${path.basename(file)} is refused here, before sending: ${e.message}`);
		throw e;
	} finally {
		fs.closeSync(fd);
	}
}

async function push(file: string, at: { host: string; port: number }, o: { install: boolean; allowDowngrade: boolean; bar: boolean }, io: Io): Promise<number> {
	if (!fs.existsSync(file)) throw new OhxError(EXIT.usage, "file_missing", `${file} does not exist.`);
	const open = new BoardClient(at);
	const running = await open.get<StatusBody>("/api/status");
	const local = checkLocally(file, running, o.allowDowngrade);
	io.out(
		`${path.basename(file)}: OpenHaldex XS ${local.version}, ${local.size} bytes, sha256 ${local.sha256} (checked here); the board runs ${running.version}`,
	);
	const board = new BoardClient({ ...at, password: await password(io) });
	await board.post("/api/auth/check"); // a wrong password is said before the upload, not after it
	const bar = o.bar ? new SingleBar({ format: "uploading [{bar}] {percentage}% {value}/{total} bytes", hideCursor: true }) : undefined;
	let lastTenth = -1;
	bar?.start(local.size, 0);
	let image: ImageBody;
	try {
		image = await board.upload<ImageBody>(
			`/api/update/images/upload?sha256=${local.sha256}${o.allowDowngrade ? "&allowDowngrade=1" : ""}`,
			file,
			(sent, total) => {
				bar?.update(sent);
				const tenth = Math.floor((sent * 10) / total);
				if (!bar && tenth > lastTenth && tenth > 0) {
					lastTenth = tenth;
					io.out(`uploaded ${tenth * 10} % (${sent} of ${total} bytes)`);
				}
			},
		);
	} finally {
		bar?.stop();
	}
	io.out(`the board accepted it: image ${image.id}, ${image.version}, ${image.state}`);
	if (!o.install) {
		io.out(`not installed: run again with --install, or install it from the Update page.`);
		return EXIT.ok;
	}
	const before = await board.get<UpdateBody>("/api/update");
	await board.post("/api/update/install");
	io.out(`installing ${image.version}: keep the power on`);
	return follow(board, { target: image.version ?? "the new firmware", from: before.current, startedAt: Date.now() }, io);
}

async function follow(board: BoardClient, target: { target: string; from: string; startedAt: number }, io: Io): Promise<number> {
	const sleep = io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
	const memory: FollowMemory = { sawDown: false };
	let shown = -1;
	while (Date.now() - target.startedAt < 5 * 60_000) {
		await sleep(500);
		const view = followStep(target, memory, await observe(board), Date.now());
		if (!view) continue;
		if (view.step !== shown) {
			shown = view.step;
			io.out(view.step < FOLLOW_STEPS.length ? `${FOLLOW_STEPS[view.step]}…` : view.note);
		}
		if (view.finished) return view.tone === "ok" ? EXIT.ok : EXIT.rolledBack;
	}
	io.err("ohx: the board did not come back within 5 minutes. Keep the power on; if it never answers, switch the ignition off and on.");
	return EXIT.timeout;
}

async function observe(board: BoardClient): Promise<Observation> {
	try {
		const status = await board.get<StatusBody>("/api/status");
		return observed(status, await board.get<UpdateBody>("/api/update"));
	} catch (e) {
		if (e instanceof OhxError && e.exitCode === EXIT.unreachable) return { kind: "unreachable" };
		return { kind: "error", message: e instanceof Error ? e.message : String(e) };
	}
}

/** A password prompt that does not echo. */
function askPassword(): Promise<string> {
	return new Promise((resolve) => {
		const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
		const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
		process.stderr.write("admin password: ");
		(rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
		rl.question("", (answer) => {
			(rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = write;
			rl.close();
			process.stderr.write("\n");
			resolve(answer);
		});
	});
}

export function runFromShell(): void {
	const tty = process.stdout.isTTY === true;
	void main(process.argv.slice(2), {
		out: (l) => console.log(l),
		err: (l) => console.error(l),
		env: process.env,
		askPassword: process.stdin.isTTY ? askPassword : undefined,
		bar: tty,
	}).then((code) => process.exit(code));
}
