/** mcsim only: the XS heap's use now, in bytes (sim_heap.c). */
export default function simHeap(): { chunkUsed: number; slotUsed: number };
