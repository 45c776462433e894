/* The list of benchmarks `npm run bench` runs, in order. */

import { digestBench } from "./digest";

export interface Benchmark {
	name: string;
	run(): Promise<void>;
}

export const benchmarks: Benchmark[] = [digestBench];
