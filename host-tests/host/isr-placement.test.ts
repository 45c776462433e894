/*
 * [spec] The CAN interrupt survives flash writes: on the board the TWAI ISR
 * runs with the flash cache off (CONFIG_TWAI_ISR_CACHE_SAFE), so everything it
 * reaches must be in IRAM, RAM or ROM. The real port
 * (modules/platform/esp32c6/ohx_twai_port.c, which compiles the core into
 * itself) is compiled here against declaration-only ESP-IDF stand-ins
 * (host-tests/c/idf-standins) with the board manifest's pins, for the host and,
 * where Debian's riscv64-unknown-elf-gcc is installed, for the C6's RV32, and
 * scripts/isr-placement.ts walks the object's relocations from the ISR
 * entry points. `npm run check:device` runs the same rule on the objects of a
 * real board build.
 */
import { assert } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkIsrPlacement, formatViolations, readObject } from "../../scripts/isr-placement";
import { writeBoardDefines } from "../support/moddef";
import { PROJECT_ROOT } from "../xs/xs-engine";

const at = (...p: string[]) => path.join(PROJECT_ROOT, ...p);
const SDKCONFIG = fs.readFileSync(at("sdkconfig/sdkconfig.defaults"), "utf8");
const PORT = at("modules/platform/esp32c6/ohx_twai_port.c");
const CORE = at("modules/can/core/ohx_bridge.c");
// Moddable's esp32 C flags that change placement (tools/mcconfig/make.esp32.mk).
const MODDABLE_FLAGS = ["-ffunction-sections", "-fdata-sections", "-fno-jump-tables", "-fno-inline-functions"];
const WARN = ["-std=gnu17", "-Wall", "-Wextra", "-Werror"];

interface Compiler {
	name: string;
	cc: string;
	flags: string[];
	levels: string[];
}
const have = (cc: string) => spawnSync(cc, ["--version"]).status === 0;
// The board builds at -Os (Moddable's default); -O0 inlines nothing, so every call is visible.
// Host gcc stops there: at -O2 x86's vectoriser loads constants from .rodata.cst* pools, a
// flash access the C6's RV32 code never makes (its -O2 is checked below).
const compilers: Compiler[] = [{ name: "host gcc", cc: "gcc", flags: [], levels: ["-O0", "-Os"] }];
const RISCV = "riscv64-unknown-elf-gcc";
const riscv = have(RISCV);
if (riscv)
	compilers.push({
		name: "rv32 (the C6's ISA)",
		cc: RISCV,
		flags: ["--specs=picolibc.specs", "-march=rv32imac_zicsr_zifencei", "-mabi=ilp32"],
		levels: ["-O0", "-Os", "-O2"],
	});

let work: string;
before(() => {
	work = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-isr-"));
	writeBoardDefines(PROJECT_ROOT, "openhaldex-c6", work);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * Compile `source` as the board build does, against the IDF stand-ins and the
 * board's defines; `first` are include folders searched before them, `more` after.
 */
function compileAgainstStandins(c: Compiler, source: string, out: string, opt = "-Os", first: string[] = [], more: string[] = []): string {
	const includes = [...first, work, at("host-tests/c/idf-standins"), at("modules/can/core"), ...more].map((dir) => `-I${dir}`);
	execFileSync(c.cc, [...c.flags, ...WARN, ...MODDABLE_FLAGS, opt, ...includes, "-c", source, "-o", out], { stdio: "pipe" });
	return out;
}

/** Compile the port; `overrides` holds replacement sources found before the real ones. */
function compile(c: Compiler, opt: string, overrides?: string): string {
	const out = path.join(work, `port-${c.cc}-${opt}-${overrides ? path.basename(overrides) : "real"}.o`);
	return compileAgainstStandins(c, PORT, out, opt, overrides ? [overrides] : []);
}

/** A copy of the core with one edit, as a mutant the rule must catch. */
function mutantCore(name: string, from: string, to: string): string {
	const dir = path.join(work, name);
	fs.mkdirSync(dir, { recursive: true });
	const source = fs.readFileSync(CORE, "utf8");
	assert.include(source, from, "the mutation still applies to the core");
	fs.writeFileSync(path.join(dir, "ohx_bridge.c"), source.replace(from, to));
	return dir;
}

describe("the CAN interrupt path stays out of flash (IRAM placement)", () => {
	for (const c of compilers) {
		for (const opt of c.levels) {
			it(`${c.name} ${opt}: nothing reachable from on_rx_done/on_tx_done/on_state_change leaves IRAM/RAM/ROM`, () => {
				const result = checkIsrPlacement(readObject(compile(c, opt)), { sdkconfig: SDKCONFIG });
				assert.deepEqual(result.missingEntries, [], "the ISR callbacks are in the object");
				assert.deepEqual(result.violations, [], `\n${formatViolations(result.violations)}`);
				assert.includeMembers(result.reached, ["on_rx_done", "on_tx_done", "on_state_change"]);
				assert.includeMembers(result.externals, ["twai_node_receive_from_isr", "twai_node_transmit"]);
			});
		}
		it(`${c.name} -O0 (no inlining): the walk reaches the whole frame path through the generation table, the capture ring included`, () => {
			const result = checkIsrPlacement(readObject(compile(c, "-O0")), { sdkconfig: SDKCONFIG });
			assert.includeMembers(result.reached, [
				"ohx_bridge_on_frame",
				"ohx_bridge_note_event",
				"ohx_engagement_pct",
				"ohx_lock_scale",
				"rewrite_gen1",
				"rewrite_gen2",
				"rewrite_gen4",
				"rewrite_gen5",
				"gen5_rule",
				"ohx_e2e_crc",
				"decode_pq",
				"decode_mqb",
				"feedback_gen1",
				"feedback_gen2",
				"feedback_gen4",
				"feedback_gen5",
				// the capture ring's copy and the TX slot helper are on the interrupt path too
				"ohx_capture_put",
				"slot_send",
			]);
		});
	}
	if (!riscv) it.skip(`rv32 build: ${RISCV} not installed (apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf; .ci/run does)`);

	describe("the rule fails on the mistakes it exists for", () => {
		const c = compilers.at(-1)!;
		it("a hot function that calls a cold one (feedback_gen* -> ohx_engagement_pct without OHX_HOT)", () => {
			const dir = mutantCore("cold-engagement", "OHX_HOT uint8_t ohx_engagement_pct(", "uint8_t ohx_engagement_pct(");
			const result = checkIsrPlacement(readObject(compile(c, "-Os", dir)), { sdkconfig: SDKCONFIG });
			const hits = result.violations.filter((v) => v.to.startsWith("ohx_engagement_pct"));
			assert.isAtLeast(hits.length, 1, formatViolations(result.violations));
			assert.match(hits[0].from, /^feedback_gen[124]$/);
			assert.equal(hits[0].why, "code in flash");
		});
		it("an event counter the ISR calls left in flash (ohx_bridge_note_event without OHX_HOT)", () => {
			const dir = mutantCore("cold-event", "OHX_HOT int ohx_bridge_note_event(", "int ohx_bridge_note_event(");
			const result = checkIsrPlacement(readObject(compile(c, "-O0", dir)), { sdkconfig: SDKCONFIG });
			const from = result.violations
				.filter((v) => v.to.startsWith("ohx_bridge_note_event"))
				.map((v) => v.from)
				.sort();
			assert.includeMembers(from, ["on_rx_done", "on_state_change", "on_tx_done"], formatViolations(result.violations));
		});
		it("a constant table the ISR reads left in flash (k_mlw1_rows without OHX_RODATA)", () => {
			const dir = mutantCore("flash-table", "static const uint8_t OHX_RODATA k_mlw1_rows", "static const uint8_t k_mlw1_rows");
			const result = checkIsrPlacement(readObject(compile(c, "-Os", dir)), { sdkconfig: SDKCONFIG });
			const hit = result.violations.find((v) => v.from === "rewrite_gen4" && v.why === "data in flash");
			assert.ok(hit, formatViolations(result.violations));
		});
		it("twai_node_transmit without CONFIG_TWAI_IO_FUNC_IN_IRAM=y (ESP-IDF v6.0 keeps it in flash then)", () => {
			const without = SDKCONFIG.split("\n")
				.filter((l) => !l.startsWith("CONFIG_TWAI_IO_FUNC_IN_IRAM"))
				.join("\n");
			const result = checkIsrPlacement(readObject(compile(c, "-Os")), { sdkconfig: without });
			assert.deepEqual(
				result.violations.map((v) => `${v.from} -> ${v.to}`),
				["slot_send -> twai_node_transmit"],
			);
			assert.match(result.violations[0].why, /CONFIG_TWAI_IO_FUNC_IN_IRAM=y/);
		});
		it("a call to an external the allowlist does not know (a planted printf in the receive ISR)", () => {
			const dir = path.join(work, "planted");
			fs.mkdirSync(dir, { recursive: true });
			const source = fs.readFileSync(PORT, "utf8");
			const anchor = /if \(twai_node_receive_from_isr\(handle, &rx\) != ESP_OK\)\s*return false;/;
			assert.match(source, anchor, "the receive ISR's failure branch, where the plant goes, must still be in the port");
			const port = source.replace(anchor, 'if (twai_node_receive_from_isr(handle, &rx) != ESP_OK) { ohx_planted_log("rx failed"); return false; }');
			const file = path.join(dir, "ohx_twai_port.c");
			fs.writeFileSync(file, `void ohx_planted_log(const char *);\n${port}`);
			const out = compileAgainstStandins(c, file, path.join(dir, "planted.o"));
			const result = checkIsrPlacement(readObject(out), { sdkconfig: SDKCONFIG });
			const to = result.violations.map((v) => `${v.from} -> ${v.to}`);
			assert.include(to, "on_rx_done -> ohx_planted_log");
			assert.ok(
				to.some((t) => /^on_rx_done -> \.(rodata|srodata)/.test(t) || /\(\.(s?rodata)[^)]*\)$/.test(t)),
				`the string literal is flash data too: ${to.join(", ")}`,
			);
		});
	});
});

describe("the board's other C compiles against the stand-ins with -Wall -Wextra -Werror", () => {
	for (const c of compilers) {
		it(`${c.name}: platform/esp32c6/ohx_mirror_io.c with the board manifest's brake pins`, () => {
			const out = compileAgainstStandins(
				c,
				at("modules/platform/esp32c6/ohx_mirror_io.c"),
				path.join(work, `mirror-${c.cc}.o`),
				"-Os",
				[],
				[at("modules/brake-mirror/core")],
			);
			assert.ok(fs.statSync(out).size > 0);
		});
	}
	it("the port refuses to build without the board's pins (no silent default pins)", () => {
		const empty = path.join(work, "no-pins");
		fs.mkdirSync(empty, { recursive: true });
		fs.writeFileSync(path.join(empty, "mc.defines.h"), "/* no board */\n");
		const r = spawnSync(
			"gcc",
			[...WARN, `-I${empty}`, `-I${at("host-tests/c/idf-standins")}`, `-I${at("modules/can/core")}`, "-c", PORT, "-o", path.join(empty, "x.o")],
			{ encoding: "utf8" },
		);
		assert.notEqual(r.status, 0);
		assert.include(r.stderr, "CAN pins and bit rate come from the board manifest");
	});
});
