/*
 * mc.defines.h as mcconfig writes it from a manifest's "defines": nested keys
 * joined with "_" and upper-cased under MODDEF_ (defines.ohx.can_bitrate ->
 * MODDEF_OHX_CAN_BITRATE), numbers in parentheses. Lets host tests compile the board's C with the
 * board manifest's real values.
 */
import fs from "node:fs";
import path from "node:path";

export function moddefHeader(defines: Record<string, unknown>): string {
	const lines: string[] = ["/* generated for a host test from a board manifest */"];
	const walk = (prefix: string, value: unknown) => {
		if (value && typeof value === "object") {
			for (const [k, v] of Object.entries(value)) walk(`${prefix}_${k.toUpperCase()}`, v);
		} else if (typeof value === "number" || typeof value === "boolean") {
			lines.push(`#define ${prefix} (${value})`);
		} else {
			const text = String(value); // mcconfig: "#text" is a C string, anything else is pasted as is
			lines.push(`#define ${prefix} ${text.startsWith("#") ? JSON.stringify(text.slice(1)) : text}`);
		}
	};
	for (const [k, v] of Object.entries(defines)) walk(`MODDEF_${k.toUpperCase()}`, v);
	return `${lines.join("\n")}\n`;
}

/** Write mc.defines.h for boards/<board>/manifest.json into dir. */
export function writeBoardDefines(root: string, board: string, dir: string): string {
	const manifest = JSON.parse(fs.readFileSync(path.join(root, "boards", board, "manifest.json"), "utf8"));
	const file = path.join(dir, "mc.defines.h");
	fs.writeFileSync(file, moddefHeader(manifest.defines ?? {}));
	return file;
}
