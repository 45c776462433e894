// `npm run build:web`: bundle and minify the web app (web/) with esbuild,
// gzip every file (level 9) and write them with an index into web/dist/:
//   index.html.gz, app.<hash>.js.gz, app.<hash>.css.gz, asset-index.txt
// (the index is JSON; not named .json because mcconfig would take it for a
// module). The firmware serves these from its resources (manifest.json),
// the simulator from this folder. web/dist/ is committed, so a plain
// mcconfig on a fresh clone finds it; the output is deterministic (content-
// hashed names, gzip without a timestamp) and host-tests/host/web.test.ts
// fails when it falls behind web/. Prints the compressed total and fails
// above the budget (150 KB for the whole app).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BUDGET_BYTES = 150 * 1024;

const hash = (data) => crypto.createHash("sha256").update(data).digest("hex");

export async function buildWeb({ outDir = path.join(ROOT, "web/dist"), quiet = false } = {}) {
	const started = Date.now();
	const common = { bundle: true, minify: true, write: false, legalComments: "none", logLevel: "silent", target: ["es2020"] };
	const js = await esbuild.build({
		...common,
		entryPoints: [path.join(ROOT, "web/src/main.ts")],
		format: "iife",
		tsconfig: path.join(ROOT, "web/tsconfig.json"),
	});
	const css = await esbuild.build({ ...common, entryPoints: [path.join(ROOT, "web/style.css")], loader: { ".css": "css" } });
	const jsText = js.outputFiles[0].contents;
	const cssText = css.outputFiles[0].contents;
	const jsName = `app.${hash(jsText).slice(0, 10)}.js`;
	const cssName = `app.${hash(cssText).slice(0, 10)}.css`;
	const html = fs.readFileSync(path.join(ROOT, "web/index.html"), "utf8").replace("%JS%", jsName).replace("%CSS%", cssName).replace(/\n\s*/g, "\n").trim();
	const files = [
		{ path: "/index.html", type: "text/html; charset=utf-8", data: Buffer.from(html), immutable: false },
		{ path: `/${jsName}`, type: "text/javascript; charset=utf-8", data: Buffer.from(jsText), immutable: true },
		{ path: `/${cssName}`, type: "text/css; charset=utf-8", data: Buffer.from(cssText), immutable: true },
	];
	fs.rmSync(outDir, { recursive: true, force: true });
	fs.mkdirSync(outDir, { recursive: true });
	const index = { files: [], totalGzip: 0 };
	for (const f of files) {
		const gz = zlib.gzipSync(f.data, { level: 9 });
		const file = `${f.path.slice(1)}.gz`;
		fs.writeFileSync(path.join(outDir, file), gz);
		index.files.push({ path: f.path, file, type: f.type, size: f.data.length, gzipSize: gz.length, etag: hash(f.data).slice(0, 16), immutable: f.immutable });
		index.totalGzip += gz.length;
	}
	fs.writeFileSync(path.join(outDir, "asset-index.txt"), JSON.stringify(index));
	if (!quiet) {
		const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
		for (const f of index.files) console.log(`  ${f.path.padEnd(24)} ${kb(f.size).padStart(9)} -> ${kb(f.gzipSize).padStart(8)} gzip`);
		console.log(
			`web app: ${kb(index.totalGzip)} compressed (budget ${kb(BUDGET_BYTES)}), built in ${Date.now() - started} ms -> ${path.relative(ROOT, outDir) || outDir}`,
		);
	}
	if (index.totalGzip > BUDGET_BYTES) throw new Error(`the web app is ${index.totalGzip} bytes compressed, over the ${BUDGET_BYTES}-byte budget`);
	return index;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	buildWeb().catch((e) => {
		console.error(`build-web: ${e.message ?? e}`);
		if (e.errors) for (const m of e.errors) console.error(`  ${m.location?.file}:${m.location?.line}: ${m.text}`);
		process.exit(1);
	});
}
