/*
 * The interrupt-placement rule, checked on a compiled object (ELF, any
 * architecture readelf knows): everything the TWAI interrupt can reach must
 * be in IRAM (code) or RAM (data), because with CONFIG_TWAI_ISR_CACHE_SAFE the
 * ISR runs while the flash cache is off (OTA writes, NVS). A call from there
 * into flash ends in "Cache disabled but cached memory region accessed": a
 * reboot while driving.
 *
 * How: sections are the unit (ESP-IDF's IRAM_ATTR gives every function its
 * own `.iram1.<n>`, DRAM_ATTR every object its own `.dram1.<n>`, and
 * -ffunction-sections does the same for the rest). Starting from the sections
 * of the ISR entry points and from every `.dram1.*` table (tables hold
 * function pointers the ISR calls through), follow every relocation:
 *   - into `.iram1.*`, `.dram1.*`, `.data*`, `.bss*`, `.sdata*`, `.sbss*`: keep walking;
 *   - into any other allocated section (`.text*`, `.rodata*`, ...): a violation;
 *   - to an undefined symbol: allowed only if the allowlist names it (ROM or
 *     functions ESP-IDF keeps in IRAM), and only with the sdkconfig options
 *     that put it there.
 *
 * Used by host-tests/host/isr-placement.test.ts (the port compiled on the
 * host against host-tests/c/idf-standins) and by scripts/check-device.ts (the
 * real objects of a board build). CLI:
 *   tsx scripts/isr-placement.ts OBJECT... [--sdkconfig FILE]
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

/** The port's interrupt callbacks (modules/platform/esp32c6/ohx_twai_port.c). */
export const TWAI_ISR_ENTRIES = ["on_rx_done", "on_tx_done", "on_state_change"];

export interface AllowedExternal {
	/** Why it is safe with the cache off: where ESP-IDF v6.0 places it. */
	where: string;
	/** sdkconfig lines that must be present for that placement (e.g. "CONFIG_TWAI_IO_FUNC_IN_IRAM=y"). */
	requires?: string[];
	/** sdkconfig lines that must be absent (a default that could be turned off). */
	forbids?: string[];
}

/** Externals the ISR path may call, each with the fact that makes it safe. */
export const ISR_ALLOWLIST: Record<string, AllowedExternal> = {
	memcpy: { where: "ROM/IRAM: esp_libc/src/esp_libc.lf and libc.lf map it noflash" },
	memset: { where: "ROM/IRAM: esp_libc/src/esp_libc.lf and libc.lf map it noflash" },
	twai_node_receive_from_isr: {
		where: "IRAM: esp_driver_twai/linker.lf with TWAI_ISR_IN_IRAM, which CONFIG_TWAI_ISR_CACHE_SAFE selects",
		requires: ["CONFIG_TWAI_ISR_CACHE_SAFE=y"],
	},
	twai_node_transmit: {
		where: "IRAM: esp_driver_twai/linker.lf only with CONFIG_TWAI_IO_FUNC_IN_IRAM (not selected by ISR_CACHE_SAFE)",
		requires: ["CONFIG_TWAI_IO_FUNC_IN_IRAM=y"],
	},
	esp_timer_get_time: {
		where: "IRAM: ESP_TIMER_IRAM_ATTR in esp_timer_impl_systimer.c (CONFIG_ESP_TIMER_IN_IRAM, default y)",
		forbids: ["# CONFIG_ESP_TIMER_IN_IRAM is not set", "CONFIG_ESP_TIMER_IN_IRAM=n"],
	},
	vPortEnterCritical: { where: "IRAM: freertos/linker.lf (RISC-V port, noflash_text)" },
	vPortExitCritical: { where: "IRAM: freertos/linker.lf (RISC-V port, noflash_text)" },
	__divdi3: { where: "ROM: esp_rom/esp32c6/ld/esp32c6.rom.libgcc.ld" },
	__udivdi3: { where: "ROM: esp_rom/esp32c6/ld/esp32c6.rom.libgcc.ld" },
	__moddi3: { where: "ROM: esp_rom/esp32c6/ld/esp32c6.rom.libgcc.ld" },
	__umoddi3: { where: "ROM: esp_rom/esp32c6/ld/esp32c6.rom.libgcc.ld" },
};

interface Section {
	index: number;
	name: string;
	alloc: boolean;
	exec: boolean;
	relocFor?: number;
}
interface ElfSymbol {
	index: number;
	value: number;
	size: number;
	type: string;
	section: number | "UND" | "ABS" | "COM";
	name: string;
}
interface Relocation {
	offset: number;
	symbol: number;
}

export interface ObjectModel {
	sections: Map<number, Section>;
	symbols: ElfSymbol[];
	/** Relocations by the section they apply to. */
	relocations: Map<number, Relocation[]>;
}

const HOT_CODE = /^\.iram1(\.|$)/;
const RAM_DATA = /^(\.dram1|\.data|\.bss|\.sdata|\.sbss|\.tbss|\.tdata)(\.|$)/;

function readelf(tool: string, flag: string, file: string): string {
	return execFileSync(tool, [flag, "-W", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** Read sections, symbols and relocations of one object with readelf (GNU binutils). */
export function readObject(file: string, tool = "readelf"): ObjectModel {
	const sections = new Map<number, Section>();
	for (const line of readelf(tool, "-S", file).split("\n")) {
		const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+([A-Z_0-9]+)\s+(.*)$/.exec(line);
		if (!m || m[1] === "0") continue;
		// Columns after the type: Addr Off Size ES [Flg] Lk Inf Al. Flags may be empty.
		const rest = m[4].trim().split(/\s+/);
		const inf = rest.at(-2);
		const flags = rest.length >= 8 ? rest[4] : "";
		const index = Number(m[1]);
		const type = m[3];
		sections.set(index, {
			index,
			name: m[2],
			alloc: flags.includes("A"),
			exec: flags.includes("X"),
			relocFor: type === "RELA" || type === "REL" ? Number(inf) : undefined,
		});
	}
	const byName = new Map<string, Section>();
	for (const s of sections.values()) byName.set(s.name, s);

	const symbols: ElfSymbol[] = [];
	for (const line of readelf(tool, "-s", file).split("\n")) {
		const m = /^\s*(\d+):\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
		if (!m) continue;
		const ndx = m[7];
		symbols[Number(m[1])] = {
			index: Number(m[1]),
			value: parseInt(m[2], 16),
			size: Number(m[3]),
			type: m[4],
			section: ndx === "UND" || ndx === "ABS" || ndx === "COM" ? ndx : Number(ndx),
			name: m[8].trim(),
		};
	}

	const relocations = new Map<number, Relocation[]>();
	let target: number | undefined;
	for (const line of readelf(tool, "-r", file).split("\n")) {
		const head = /^Relocation section '([^']+)'/.exec(line);
		if (head) {
			target = byName.get(head[1])?.relocFor;
			if (target !== undefined && !relocations.has(target)) relocations.set(target, []);
			continue;
		}
		const m = /^([0-9a-f]+)\s+([0-9a-f]+)\s+(R_\S+)/.exec(line);
		if (!m || target === undefined) continue;
		// r_info: the symbol index is the high 32 bits (ELF64) or the high 24 bits (ELF32).
		const info = BigInt(`0x${m[2]}`);
		const symbol = Number(m[2].length > 8 ? info >> 32n : info >> 8n);
		if (symbol === 0) continue; // R_RISCV_RELAX and friends
		relocations.get(target)!.push({ offset: parseInt(m[1], 16), symbol });
	}
	return { sections, symbols, relocations };
}

export interface Violation {
	/** The function (or object) the reference starts from. */
	from: string;
	/** What it reaches: a flash section or an external symbol. */
	to: string;
	why: string;
}

export interface CheckOptions {
	/** Function names the interrupt calls first. */
	entries?: string[];
	allowlist?: Record<string, AllowedExternal>;
	/** The sdkconfig (text) the allowlist's conditions are checked against. */
	sdkconfig?: string;
	/** Also start from every .dram1.* object (tables of function pointers). Default true. */
	dramRoots?: boolean;
}

export interface CheckResult {
	violations: Violation[];
	/** Names of the functions the walk reached (for reports and for tests that the walk ran). */
	reached: string[];
	/** Externals reached, each allowed. */
	externals: string[];
	/** Entry points that were not found in the object. */
	missingEntries: string[];
}

function symbolAt(model: ObjectModel, section: number, offset: number): string {
	let best: ElfSymbol | undefined;
	for (const s of model.symbols) {
		if (!s || s.section !== section || (s.type !== "FUNC" && s.type !== "OBJECT")) continue;
		if (offset >= s.value && offset < s.value + Math.max(1, s.size)) return s.name;
		if (s.value <= offset && (!best || s.value > best.value)) best = s;
	}
	return best?.name ?? model.sections.get(section)?.name ?? `section ${section}`;
}

/** A section named by its symbol at offset 0 (or any symbol in it), for reports. */
function sectionLabel(model: ObjectModel, section: number): string {
	const name = model.sections.get(section)?.name ?? `section ${section}`;
	const sym =
		model.symbols.find((s) => s && s.section === section && (s.type === "FUNC" || s.type === "OBJECT") && s.value === 0) ??
		model.symbols.find((s) => s && s.section === section && (s.type === "FUNC" || s.type === "OBJECT"));
	return sym ? `${sym.name} (${name})` : name;
}

function configHas(sdkconfig: string, line: string): boolean {
	return sdkconfig.split(/\r?\n/).some((l) => l.trim() === line);
}

/** Walk from the ISR entries; every reference that leaves IRAM/RAM is a violation. */
export function checkIsrPlacement(model: ObjectModel, options: CheckOptions = {}): CheckResult {
	const entries = options.entries ?? TWAI_ISR_ENTRIES;
	const allowlist = options.allowlist ?? ISR_ALLOWLIST;
	const violations: Violation[] = [];
	const reached = new Set<string>();
	const externals = new Set<string>();
	const seen = new Set<number>();
	const queue: number[] = [];
	const missingEntries: string[] = [];

	const visit = (section: number) => {
		if (!seen.has(section)) {
			seen.add(section);
			queue.push(section);
		}
	};
	for (const name of entries) {
		const sym = model.symbols.find((s) => s && s.name === name && s.type === "FUNC" && typeof s.section === "number");
		if (!sym) {
			missingEntries.push(name);
			continue;
		}
		const section = model.sections.get(sym.section as number)!;
		if (!HOT_CODE.test(section.name)) violations.push({ from: name, to: section.name, why: "an ISR entry point outside IRAM" });
		visit(section.index);
	}
	if (options.dramRoots ?? true) {
		for (const s of model.sections.values()) if (s.alloc && /^\.dram1(\.|$)/.test(s.name)) visit(s.index);
	}

	while (queue.length) {
		const current = queue.shift()!;
		const section = model.sections.get(current)!;
		if (section.exec) for (const s of model.symbols) if (s && s.section === current && s.type === "FUNC") reached.add(s.name);
		for (const r of model.relocations.get(current) ?? []) {
			const sym = model.symbols[r.symbol];
			if (!sym) continue;
			const from = symbolAt(model, current, r.offset);
			if (sym.section === "UND") {
				const allowed = allowlist[sym.name];
				if (!allowed) {
					violations.push({ from, to: sym.name, why: "an external function or object not known to be in IRAM/ROM" });
					continue;
				}
				const sdk = options.sdkconfig;
				if (sdk !== undefined) {
					for (const need of allowed.requires ?? []) {
						if (!configHas(sdk, need)) violations.push({ from, to: sym.name, why: `in flash unless ${need} (${allowed.where})` });
					}
					for (const bad of allowed.forbids ?? []) {
						if (configHas(sdk, bad)) violations.push({ from, to: sym.name, why: `moved to flash by "${bad}" (${allowed.where})` });
					}
				}
				externals.add(sym.name);
				continue;
			}
			if (sym.section === "ABS" || sym.section === "COM") continue; // constants; common = .bss
			const target = model.sections.get(sym.section);
			if (!target?.alloc) continue;
			if (HOT_CODE.test(target.name) || RAM_DATA.test(target.name)) {
				visit(target.index);
				continue;
			}
			violations.push({
				from,
				to: sym.type === "SECTION" ? sectionLabel(model, target.index) : `${sym.name} (${target.name})`,
				why: target.exec ? "code in flash" : "data in flash",
			});
		}
	}
	const unique = new Map(violations.map((v) => [`${v.from}->${v.to}:${v.why}`, v]));
	return { violations: [...unique.values()], reached: [...reached].sort(), externals: [...externals].sort(), missingEntries };
}

export function formatViolations(violations: Violation[]): string {
	return violations.map((v) => `  ${v.from} -> ${v.to}: ${v.why}`).join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
	const args = process.argv.slice(2);
	const at = args.indexOf("--sdkconfig");
	const sdkconfig = at >= 0 ? fs.readFileSync(args.splice(at, 2)[1], "utf8") : undefined;
	let failed = false;
	for (const file of args) {
		const result = checkIsrPlacement(readObject(file), { sdkconfig });
		const ok = result.violations.length === 0 && result.missingEntries.length === 0;
		failed ||= !ok;
		console.log(`${ok ? "ok  " : "FAIL"} ${file}: ${result.reached.length} functions reached, externals ${result.externals.join(", ") || "none"}`);
		if (result.missingEntries.length) console.log(`  entry points not found: ${result.missingEntries.join(", ")}`);
		if (result.violations.length) console.log(formatViolations(result.violations));
	}
	process.exit(failed ? 1 : 0);
}
