/*
 * The build configuration a real board depends on: the partition table
 * by ESP-IDF's rules, the sdkconfig options the firmware relies on, and
 * one version everywhere.
 */

import { assert } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkPartitionTable, findPartition, otaSlots, parsePartitionCsv } from "../../host/adapters/flash/partition-table";
import { PROJECT_ROOT } from "../xs/xs-engine";
import { imageVersion } from "../../scripts/sync-version";
import { filesOf, resolveManifest, scriptModules } from "../../scripts/manifest";
import { signedSdkconfig } from "../../scripts/signed-sdkconfig.mjs";

const read = (p: string) => fs.readFileSync(path.join(PROJECT_ROOT, p), "utf8");

describe("project configuration", () => {
	describe("partitions.csv", () => {
		const parts = parsePartitionCsv(read("partitions.csv"));

		it("follows ESP-IDF's rules on a 4 MB flash", () => {
			assert.deepEqual(checkPartitionTable(parts, 4 * 1024 * 1024), []);
		});
		it("has two equal OTA slots, as large as the flash allows", () => {
			const slots = otaSlots(parts);
			assert.lengthOf(slots, 2);
			assert.equal(slots[0].size, slots[1].size);
			assert.equal(slots[1].offset + slots[1].size, 4 * 1024 * 1024, "the last slot ends at the end of flash");
			assert.equal(slots[0].offset, 0x20000, "the first 64 KiB-aligned address after the small partitions");
		});
		it("has nvs, an 8 KiB otadata, phy_init and a small data partition", () => {
			assert.ok(findPartition(parts, "data", "nvs"));
			assert.equal(findPartition(parts, "data", "ota")!.size, 0x2000);
			assert.ok(findPartition(parts, "data", "phy"));
			const data = parts.find((p) => p.name === "ohxdata")!;
			assert.ok(data && data.size <= 0x10000, "settings/log partition stays small");
		});
	});

	describe("sdkconfig/sdkconfig.defaults", () => {
		const sdk = read("sdkconfig/sdkconfig.defaults");
		for (const option of [
			"CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y",
			"CONFIG_TWAI_ISR_CACHE_SAFE=y",
			"CONFIG_TWAI_IO_FUNC_IN_IRAM=y",
			"CONFIG_APP_PROJECT_VER_FROM_CONFIG=y",
			"CONFIG_PARTITION_TABLE_CUSTOM=y",
			"CONFIG_ESPTOOLPY_FLASHSIZE_4MB=y",
		]) {
			it(`sets ${option}`, () => assert.include(sdk.split("\n"), option));
		}
		it("carries package.json's version with the +ohxs identity", () => {
			assert.include(sdk.split("\n"), `CONFIG_APP_PROJECT_VER="${imageVersion()}"`);
			assert.match(imageVersion(), /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\+ohxs$/);
		});
	});

	describe("sdkconfig/sdkconfig.signed (a build for signed releases)", () => {
		const lines = read("sdkconfig/sdkconfig.signed").split("\n");
		const set = lines.filter((l) => l.startsWith("CONFIG_"));
		it("asks for signed apps without hardware secure boot, checked at every update, signed by the build", () => {
			assert.sameMembers(set, [
				"CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT=y",
				"CONFIG_SECURE_SIGNED_APPS_RSA_SCHEME=y",
				"CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT=y",
				"CONFIG_SECURE_BOOT_BUILD_SIGNED_BINARIES=y",
			]);
			assert.notInclude(lines.join("\n"), "CONFIG_SECURE_BOOT=y", "no eFuse is burned (ota-native.c refuses such a build)");
		});
		it("the build script's folder: the project's settings, then these, then the key's absolute path", () => {
			const root = fs.mkdtempSync(path.join(os.tmpdir(), "ohx-signed-cfg-"));
			try {
				fs.cpSync(path.join(PROJECT_ROOT, "sdkconfig"), path.join(root, "sdkconfig"), { recursive: true });
				const dir = signedSdkconfig(root, "keys/release.pem");
				const merged = fs.readFileSync(path.join(dir, "sdkconfig.defaults"), "utf8").split("\n");
				assert.equal(dir, path.join(root, "build/sdkconfig-signed"));
				assert.isBelow(merged.indexOf("CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y"), merged.indexOf("CONFIG_SECURE_SIGNED_APPS_NO_SECURE_BOOT=y"));
				assert.include(merged, `CONFIG_SECURE_BOOT_SIGNING_KEY=${JSON.stringify(path.resolve("keys/release.pem"))}`);
			} finally {
				fs.rmSync(root, { recursive: true, force: true });
			}
		});
		it("names only options ESP-IDF v6.0 has ($IDF_PATH)", function () {
			const idf = process.env.IDF_PATH;
			if (!idf) this.skip();
			const kconfig = fs.readFileSync(path.join(idf!, "components/bootloader/Kconfig.projbuild"), "utf8");
			for (const option of [...set, "CONFIG_SECURE_BOOT_SIGNING_KEY="])
				assert.match(kconfig, new RegExp(`^\\s*config ${option.slice(7, option.indexOf("="))}$`, "m"), option);
		});
	});

	describe("manifest.json", () => {
		const manifest = JSON.parse(read("manifest.json"));
		it("states the same version in its config", () => assert.equal(manifest.config.version, imageVersion()));
		it("names the host openhaldex and an HTTP port", () => {
			assert.equal(manifest.config.hostName, "openhaldex");
			assert.isNumber(manifest.config.httpPort);
		});
		it("builds the ESP32-C6 with our partition table and sdkconfig", () => {
			const c6 = manifest.platforms["esp32/esp32c6"];
			assert.equal(c6.build.PARTITIONS_FILE, "./partitions.csv");
			assert.equal(c6.build["SDKCONFIGPATH ?="], "./sdkconfig", "the project's folder unless the build script names the signed-release one");
		});
		it("lists esp32/esp32c6 before the esp32/* refusal (mcconfig takes the first match)", () => {
			const keys = Object.keys(manifest.platforms);
			assert.isBelow(keys.indexOf("esp32/esp32c6"), keys.indexOf("esp32/*"));
			assert.equal(keys.at(-1), "...");
			assert.match(manifest.platforms["..."].error, /esp32c6/);
		});
		it("turns on the abort hook", () => assert.ok(manifest.defines.xs.abortHook));
		it("keeps no module list of its own: each folder's manifest names its modules and preloads", () => {
			assert.notProperty(manifest, "preload");
			assert.deepEqual(manifest.modules, { "*": ["./main"] });
		});
	});

	for (const platform of ["esp32/esp32c6", "lin"]) {
		describe(`what mcconfig builds for ${platform}`, () => {
			const m = resolveManifest(PROJECT_ROOT, platform);
			const scripts = scriptModules(m);
			it("meets no error entry", () => assert.deepEqual(m.errors, []));
			it("resolves every module name and every listed file to files in the tree", () => {
				const missing = [...m.modules].filter(([, t]) => !t.startsWith("$(") && filesOf(t).length === 0).map(([n]) => n);
				missing.push(...m.files.filter((f) => !f.startsWith("$(") && filesOf(f).length === 0).map((f) => path.relative(PROJECT_ROOT, f)));
				assert.deepEqual(missing, []);
			});
			it("preloads every firmware module (mcconfig's preload wildcards skip .ts, so each is named), and nothing else", () => {
				const expected = [...scripts.keys()].filter((n) => n !== "main").sort();
				// The SDK's own modules the project maps in (ECMA-419 sockets) are preloaded too; they are not ours to list here.
				const ours = [...m.preload].filter((n) => !(m.modules.get(n) ?? "").startsWith("$("));
				assert.deepEqual(ours.sort(), expected);
			});
			it("leaves the host's modules out of the image", () => {
				for (const file of scripts.values()) assert.notMatch(path.relative(PROJECT_ROOT, file), /^(host|host-tests|scripts)\//);
				for (const name of ["ota/partition-table", "ota/verify-stored", "util/sha256"]) assert.notInclude([...scripts.keys()], name);
			});
			it("every folder manifest preloads each TypeScript file of its folder", () => {
				const unlisted: string[] = [];
				for (const rel of m.manifests.filter((f) => f.startsWith("modules/"))) {
					const dir = path.join(PROJECT_ROOT, path.dirname(rel));
					const json = JSON.parse(read(rel));
					for (const [name, target] of Object.entries<any>(json.modules ?? {})) {
						if (name === "*" || !name.endsWith("/*")) continue;
						for (const file of filesOf(path.resolve(dir, target))) {
							if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
							const module = `${name.slice(0, -1)}${path.basename(file, ".ts")}`;
							if (!(json.preload ?? []).includes(module)) unlisted.push(`${rel}: ${module}`);
						}
					}
				}
				assert.deepEqual(unlisted, []);
			});
		});
	}

	describe("one platform tree", () => {
		for (const platform of ["mac", "win", "esp32/esp32s3", "esp32", "pico", "nrf52"]) {
			it(`refuses ${platform} at build time with an error entry`, () => {
				const m = resolveManifest(PROJECT_ROOT, platform);
				assert.isNotEmpty(m.errors, `no error entry met for ${platform}`);
			});
		}
		it("maps the names both targets share to modules/platform/<target>/, and tsc sees the board's", () => {
			const board = resolveManifest(PROJECT_ROOT, "esp32/esp32c6");
			const mcsim = resolveManifest(PROJECT_ROOT, "lin");
			const tsconfig = JSON.parse(read("tsconfig.base.json"));
			for (const name of ["platform/chip", "platform/ota-native", "platform/device-ports", "platform/store", "platform/routes"]) {
				assert.equal(path.relative(PROJECT_ROOT, board.modules.get(name)!), `modules/platform/esp32c6/${name.slice(9)}`);
				assert.equal(path.relative(PROJECT_ROOT, mcsim.modules.get(name)!), `modules/platform/mcsim/${name.slice(9)}`);
				assert.deepEqual(tsconfig.compilerOptions.paths[name], [`./modules/platform/esp32c6/${name.slice(9)}`]);
			}
		});
		it("gives every other module name one tsconfig path to the same place", () => {
			const tsconfig = JSON.parse(read("tsconfig.base.json"));
			const paths: Record<string, string[]> = tsconfig.compilerOptions.paths;
			const resolveTs = (name: string): string | undefined => {
				if (paths[name]) return path.resolve(PROJECT_ROOT, paths[name][0]);
				const wild = Object.keys(paths).find((k) => k.endsWith("/*") && name.startsWith(k.slice(0, -1)));
				return wild ? path.resolve(PROJECT_ROOT, paths[wild][0].replace("*", name.slice(wild.length - 1))) : undefined;
			};
			for (const platform of ["esp32/esp32c6", "lin"]) {
				const m = resolveManifest(PROJECT_ROOT, platform);
				for (const [name, file] of scriptModules(m)) {
					if (name === "main" || ["platform/chip", "platform/ota-native", "platform/device-ports", "platform/store", "platform/routes"].includes(name))
						continue;
					const want = file.replace(/\.(ts|js)$/, "");
					assert.equal(resolveTs(name), want, `tsconfig paths for ${name}`);
				}
			}
		});
	});

	describe("one pin map: boards/<board>/manifest.json is the only place pins are written", () => {
		const board = JSON.parse(read("boards/openhaldex-c6/manifest.json"));
		const c = ["modules/platform/esp32c6/ohx_twai_port.c", "modules/platform/esp32c6/ohx_mirror_io.c", "modules/platform/esp32c6/pins.c"].map(
			(f) => [f, read(f)] as const,
		);
		it("defines every MODDEF_OHX_* the board's C reads", () => {
			const used = new Set(c.flatMap(([, src]) => [...src.matchAll(/MODDEF_OHX_([A-Z0-9_]+)/g)].map((x) => x[1].toLowerCase())));
			used.delete("inputs_active_low"); // optional: active-high inputs when absent
			const missing = [...used].filter((k) => !(k in board.defines.ohx));
			assert.deepEqual(missing, []);
		});
		it("has no second copy of the pins (no config.pins, no GPIO literals in the board's C or TypeScript)", () => {
			assert.notProperty(board.config ?? {}, "pins");
			for (const [file, src] of c) assert.notMatch(src, /GPIO_NUM_\d/, `${file} names a GPIO`);
			assert.notMatch(read("modules/platform/esp32c6/device-ports.ts"), /\?\?\s*\d/, "no literal fallback pins");
		});
	});
});
