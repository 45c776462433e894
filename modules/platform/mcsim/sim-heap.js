/* mcsim only: the XS heap's use now (sim_heap.c). */
export default function simHeap() @ "xs_ohx_sim_heap";
