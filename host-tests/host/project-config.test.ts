/*
 * The build configuration a real board depends on: the partition table
 * by ESP-IDF's rules, the sdkconfig options the firmware relies on, and
 * one version everywhere.
 */

import { assert } from "chai";
import fs from "node:fs";
import path from "node:path";
import { checkPartitionTable, findPartition, otaSlots, parsePartitionCsv } from "ota/partition-table";
import { PROJECT_ROOT } from "../xs/xs-engine";
import { imageVersion } from "../../scripts/sync-version";

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
		for (const option of ["CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y", "CONFIG_TWAI_ISR_CACHE_SAFE=y", "CONFIG_APP_PROJECT_VER_FROM_CONFIG=y", "CONFIG_PARTITION_TABLE_CUSTOM=y", "CONFIG_ESPTOOLPY_FLASHSIZE_4MB=y"]) {
			it(`sets ${option}`, () => assert.include(sdk.split("\n"), option));
		}
		it("carries package.json's version with the +ohxs identity", () => {
			assert.include(sdk.split("\n"), `CONFIG_APP_PROJECT_VER="${imageVersion()}"`);
			assert.match(imageVersion(), /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\+ohxs$/);
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
			assert.equal(c6.build.SDKCONFIGPATH, "./sdkconfig");
		});
		it("lists esp32/esp32c6 before the esp32/* refusal (mcconfig takes the first match)", () => {
			const keys = Object.keys(manifest.platforms);
			assert.isBelow(keys.indexOf("esp32/esp32c6"), keys.indexOf("esp32/*"));
			assert.equal(keys.at(-1), "...");
			assert.match(manifest.platforms["..."].error, /esp32c6/);
		});
		it("turns on the abort hook", () => assert.ok(manifest.defines.xs.abortHook));
		it("preloads every firmware module by name (mcconfig's preload wildcards skip .ts), so code lives in flash", () => {
			const preload: string[] = manifest.preload;
			assert.notInclude(preload.join(" "), "*", "wildcards do not match TypeScript modules");
			const missing: string[] = [];
			for (const [name, target] of Object.entries<any>(manifest.modules)) {
				if (name === "*" || !name.endsWith("/*")) continue;
				const dir = path.join(PROJECT_ROOT, String(target).replace(/\/\*$/, ""));
				for (const file of fs.readdirSync(dir)) {
					if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
					const module = `${name.slice(0, -2)}/${file.slice(0, -3)}`;
					if (!preload.includes(module)) missing.push(module);
				}
			}
			assert.deepEqual(missing, [], "add these to manifest.json preload");
		});
		it("maps every firmware folder it names to one tsconfig path", () => {
			const tsconfig = JSON.parse(read("tsconfig.base.json"));
			for (const [name, target] of Object.entries<any>(manifest.modules)) {
				if (name === "*") continue;
				assert.deepEqual(tsconfig.compilerOptions.paths[name], [target], `tsconfig paths for ${name}`);
			}
		});
	});
});
