/* The list of benchmarks `npm run bench` runs, in order. */

import { digestBench } from "./digest";
import { haldexXsBench } from "./haldex-xs";
import { otaBench } from "./ota";
import { canCoreBench } from "./can-core";
import { xsAllocBench } from "./xs-alloc";
import { canviewXsBench } from "./canview-xs";
import { canviewSimBench } from "./canview-sim";

export interface Benchmark {
	name: string;
	run(): Promise<void>;
}

export const benchmarks: Benchmark[] = [canCoreBench, haldexXsBench, canviewXsBench, canviewSimBench, otaBench, digestBench, xsAllocBench];
