/*
 * `npm run check:device`: build the firmware for the board (esp32/esp32c6)
 * with the Moddable SDK and ESP-IDF v6.0 installed outside the repo, and check
 * what can be checked of the result:
 *   1. mcconfig's stages: manifest, tsc, xsl (its preload warnings are listed),
 *      the Moddable archive xs_esp32c6.a, then ESP-IDF's build and link;
 *   2. every project C file compiled again with the exact command line
 *      Moddable's make used, plus -Wall -Wextra -Werror;
 *   3. the interrupt-placement rule (scripts/isr-placement.ts) on the real
 *      object of the TWAI port, against the project's sdkconfig;
 *   4. no project symbol left undefined: every ohx_* / xs_ohx_* symbol a
 *      project object needs, and every native the .js bindings name, is
 *      defined in the archive;
 *   5. where ESP-IDF produced xs_esp32.bin: its size against the OTA slot.
 * Without $MODDABLE or $IDF_PATH it prints "skipped" and exits 0 (CI has
 * neither). Options:
 *   --archive-only   stop after the Moddable archive (mcconfig -t buildArchive),
 *                    for machines without Espressif's toolchain
 *   --incremental    keep the previous build's folders (by default they are
 *                    removed first, so every stage runs and xsl prints all it has)
 *   --signed         a build for signed releases (sdkconfig/sdkconfig.signed),
 *                    with a throwaway key made for the run; also checks that
 *                    ESP-IDF's configuration resolved to signed apps checked at
 *                    update, and, where an image was linked, that it is signed
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkIsrPlacement, formatViolations, readObject } from "./isr-placement";
import { otaSlots, parsePartitionCsv } from "../host/adapters/flash/partition-table";
import { generateKey, imageLength, keyDigest } from "../host/cli/signing";
import { nodeDigests } from "../host/adapters/node-platform";
import { SIG_SECTOR_SIZE, parseSignatureSector, signatureOffset } from "ota/signature";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PLATFORM = "esp32/esp32c6";
const archiveOnly = process.argv.includes("--archive-only");
const signed = process.argv.includes("--signed");
const { MODDABLE, IDF_PATH } = process.env;

if (!MODDABLE || !IDF_PATH) {
	console.log(`check:device skipped: no Moddable SDK / ESP-IDF (${!MODDABLE ? "$MODDABLE" : "$IDF_PATH"} is not set; see README.md, "Build for a board")`);
	process.exit(0);
}

const results: { step: string; ok: boolean; detail: string }[] = [];
const record = (step: string, ok: boolean, detail = "") => {
	results.push({ step, ok, detail });
	console.log(`${ok ? "ok  " : "FAIL"} ${step}${detail ? `: ${detail}` : ""}`);
};

// mcconfig names its folders after the checkout's folder.
const app = path.basename(ROOT);
const tmp = path.join(MODDABLE, "build/tmp/esp32/esp32c6/debug", app);
const bin = path.join(MODDABLE, "build/bin/esp32/esp32c6/debug", app);
const env = { ...process.env, PATH: `${path.join(ROOT, "node_modules/.bin")}${path.delimiter}${process.env.PATH}` };

if (!process.argv.includes("--incremental")) for (const dir of [tmp, bin]) fs.rmSync(dir, { recursive: true, force: true });

// A throwaway key for --signed: what is checked is the configuration and the signing, not a key.
const signingKey = signed ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ohx-check-key-")), "release.pem") : undefined;
if (signingKey) fs.writeFileSync(signingKey, generateKey(), { mode: 0o600 });

// 1. the build itself (version sync and web app first, as npm run build:device does)
const target = archiveOnly ? "buildArchive" : "build";
console.log(`mcconfig -d -m -p ${PLATFORM} -t ${target}${signingKey ? ` --signing-key ${signingKey}` : ""}  (in ${ROOT})`);
const build = spawnSync(
	process.execPath,
	[path.join(ROOT, "scripts/mcconfig.mjs"), PLATFORM, "-t", target, ...(signingKey ? ["--signing-key", signingKey] : [])],
	{
		cwd: ROOT,
		env,
		encoding: "utf8",
		maxBuffer: 256 * 1024 * 1024,
	},
);
const log = `${build.stdout ?? ""}${build.stderr ?? ""}`;
const logFile = path.join(os.tmpdir(), "ohx-check-device.log");
fs.writeFileSync(logFile, log);
const lines = log.split("\n");
const stageErr = (re: RegExp) => lines.find((l) => re.test(l));

const manifestError = stageErr(/^### Error|invalid manifest|directory not found/);
record("manifest", !manifestError, manifestError ?? "");
const tscFailed = /typescript compile failure/.test(log);
const tscErrors = lines.filter((l) => /error TS\d+/.test(l));
record("tsc", !tscFailed && tscErrors.length === 0, tscErrors.slice(0, 5).join(" | "));
const xslWarnings = lines.filter((l) => l.startsWith("### warning"));
const xslRan = lines.some((l) => l.startsWith("# xsl "));
record("xsl", xslRan, `${xslWarnings.length} preload warnings (listed in ${logFile}; docs/preload-hazards.md explains them)`);
const archive = path.join(bin, "xs_esp32c6.a");
const archiveBuilt = lines.some((l) => l.includes("# ar xs_esp32c6.a")) && fs.existsSync(archive);
const projectCErrors = lines.filter((l) => l.startsWith(ROOT) && / (error|warning): /.test(l));
record(
	"Moddable archive xs_esp32c6.a",
	archiveBuilt && projectCErrors.length === 0,
	archiveBuilt ? `${projectCErrors.length} project C diagnostics` : "not built",
);
if (!archiveOnly) {
	const image = path.join(bin, "xs_esp32.bin");
	const linked = build.status === 0 && fs.existsSync(image);
	record("ESP-IDF build and link (xs_esp32.bin)", linked, linked ? image : `did not complete: see ${logFile}`);
}

// 2. project C again, strict: Moddable's own command line plus -Wall -Wextra -Werror
if (archiveBuilt) {
	const makefile = path.join(tmp, "makefile");
	const printer = path.join(os.tmpdir(), "ohx-print-cc.mk");
	fs.writeFileSync(printer, `include ${makefile}\nprint-cc:\n\t@echo $(CC) $(C_DEFINES) $(C_INCLUDES) $(C_FLAGS)\n`);
	// Include folders outside the project become system folders: ESP-IDF's and the SDK's headers
	// have warnings of their own under -Wextra (unused parameters in spinlock.h); ours may have none.
	const cc = execFileSync("make", ["-s", "-f", printer, "print-cc"], { env, encoding: "utf8" })
		.trim()
		.split(/\s+/)
		.map((a) => (a.startsWith("-I") && !a.slice(2).startsWith(ROOT) ? `-isystem${a.slice(2)}` : a));
	const sources = [...fs.readFileSync(makefile, "utf8").matchAll(/^\$\(TMP_DIR\)\/\S+\.c\.o: (\S+\.c) /gm)]
		.map((m) => m[1])
		.filter((f) => f.startsWith(`${ROOT}/`));
	const failed: string[] = [];
	for (const source of sources) {
		const r = spawnSync(cc[0], [...cc.slice(1), "-Wall", "-Wextra", "-Werror", source, "-o", path.join(os.tmpdir(), "ohx-strict.o")], {
			env,
			encoding: "utf8",
		});
		if (r.status !== 0 || r.stderr.trim()) {
			failed.push(path.relative(ROOT, source));
			process.stdout.write(r.stderr);
		}
	}
	record(
		"project C with -Wall -Wextra -Werror against ESP-IDF's headers",
		sources.length > 0 && failed.length === 0,
		`${sources.length} files${failed.length ? `, failed: ${failed.join(", ")}` : ""}: ${sources.map((s) => path.relative(ROOT, s)).join(", ")}`,
	);

	// 3. the ISR rule on the real object
	const port = path.join(tmp, "ohx_twai_port.c.o");
	const isr = checkIsrPlacement(readObject(port), { sdkconfig: fs.readFileSync(path.join(ROOT, "sdkconfig/sdkconfig.defaults"), "utf8") });
	record(
		"TWAI ISR reaches only IRAM/RAM/ROM",
		isr.violations.length === 0 && isr.missingEntries.length === 0,
		isr.violations.length ? `\n${formatViolations(isr.violations)}` : `${isr.reached.length} functions reached; externals ${isr.externals.join(", ")}`,
	);

	// 4. undefined project symbols
	const nm = (args: string[]) => execFileSync(cc[0].replace(/gcc$/, "nm"), args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
	const defined = new Set<string>();
	for (const line of nm(["-g", "--defined-only", archive]).split("\n")) {
		const m = /^[0-9a-f]+ [A-Za-z] (\S+)$/.exec(line.trim());
		if (m) defined.add(m[1]);
	}
	const projectObjects = sources.map((s) => path.join(tmp, `${path.basename(s)}.o`));
	const missing = new Set<string>();
	for (const obj of projectObjects) {
		for (const line of nm(["-u", obj]).split("\n")) {
			const name = line.trim().replace(/^U\s+/, "");
			if (/^(ohx_|xs_ohx_)/.test(name) && !defined.has(name)) missing.add(`${name} (${path.basename(obj)})`);
		}
	}
	const natives = new Set<string>();
	// Every binding but mcsim's own (its manifest is the lin build's only; sim-heap's native is not on the board).
	const mcsimOnly = path.join(ROOT, "modules/platform/mcsim");
	const walk = (dir: string) => {
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) {
				if (p !== mcsimOnly) walk(p);
			} else if (e.name.endsWith(".js")) for (const m of fs.readFileSync(p, "utf8").matchAll(/@\s*"(xs_[A-Za-z0-9_]+)"/g)) natives.add(m[1]);
		}
	};
	walk(path.join(ROOT, "modules"));
	for (const n of natives) if (!defined.has(n)) missing.add(`${n} (named by a .js binding)`);
	record(
		"no project symbol undefined",
		missing.size === 0,
		missing.size ? [...missing].join(", ") : `${natives.size} natives and every ohx_* reference resolved in the archive`,
	);
}

// 6. a build for signed releases: what ESP-IDF's kconfgen made of sdkconfig.signed, and the signed image
if (signingKey) {
	const header = path.join(tmp, "xsProj-esp32c6/build/config/sdkconfig.h");
	const h = fs.existsSync(header) ? fs.readFileSync(header, "utf8") : "";
	const want = [
		"SECURE_SIGNED_APPS_NO_SECURE_BOOT",
		"SECURE_SIGNED_APPS_RSA_SCHEME",
		"SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT",
		"SECURE_BOOT_BUILD_SIGNED_BINARIES",
	];
	const absent = want.filter((o) => !new RegExp(`^#define CONFIG_${o} 1$`, "m").test(h));
	const keyLine = h.includes(`#define CONFIG_SECURE_BOOT_SIGNING_KEY ${JSON.stringify(signingKey)}`);
	const hardware = /^#define CONFIG_SECURE_BOOT 1$/m.test(h);
	record(
		"ESP-IDF configured for signed apps, checked at update, signed by the build",
		h !== "" && absent.length === 0 && keyLine && !hardware,
		h === ""
			? `no ${header}`
			: absent.length || !keyLine || hardware
				? `missing: ${[...absent, ...(keyLine ? [] : ["SIGNING_KEY"])].join(", ")}${hardware ? "; hardware secure boot on" : ""}`
				: `${want.join(", ")}; key ${signingKey}`,
	);
	const linked = path.join(bin, "xs_esp32.bin");
	if (!archiveOnly && fs.existsSync(linked)) {
		const signers = signersOf(new Uint8Array(fs.readFileSync(linked)));
		record(
			"the linked image is signed by the build's key",
			signers.includes(keyDigest(fs.readFileSync(signingKey, "utf8"))),
			signers.join(", ") || "no signature",
		);
	}
}

/** The key digests of an image's signature sector (empty when unsigned or unreadable). */
function signersOf(file: Uint8Array): string[] {
	const offset = signatureOffset(imageLength(file));
	if (file.length < offset + SIG_SECTOR_SIZE) return [];
	try {
		return parseSignatureSector(file.subarray(offset, offset + SIG_SECTOR_SIZE), nodeDigests).map((b) => b.keyDigest);
	} catch {
		return [];
	}
}

// 5. image size against the OTA slot
const image = path.join(bin, "xs_esp32.bin");
if (!archiveOnly && fs.existsSync(image)) {
	const slot = otaSlots(parsePartitionCsv(fs.readFileSync(path.join(ROOT, "partitions.csv"), "utf8")))[0].size;
	const size = fs.statSync(image).size;
	record("image fits the OTA slot", size <= slot, `${size} of ${slot} bytes (${((100 * size) / slot).toFixed(1)} %)`);
}

const failed = results.filter((r) => !r.ok);
console.log(`\ncheck:device: ${results.length - failed.length} passed, ${failed.length} failed (full log: ${logFile})`);
process.exit(failed.length ? 1 : 0);
