// Types of scripts/build-web.mjs for the TypeScript callers (tests, screenshots).
export interface WebAssetEntry { path: string; file: string; type: string; size: number; gzipSize: number; etag: string; immutable: boolean }
export interface WebAssetIndex { files: WebAssetEntry[]; totalGzip: number }
export declare const BUDGET_BYTES: number;
export declare function buildWeb(options?: { outDir?: string; quiet?: boolean }): Promise<WebAssetIndex>;
