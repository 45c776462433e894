/*
 * OpenHaldex XS - mcsim only: the XS heap's use, read from the machine
 * (the same fields mcsim's instruments print as "Chunk used" and "Slot
 * used"), for POST /api/sim/collect to answer right after a collection.
 * The board's build has no such native.
 */
#include "xsAll.h"
#include "xsmc.h"

void xs_ohx_sim_heap(xsMachine *the)
{
    xsmcVars(1);
    xsmcSetNewObject(xsResult);
    xsmcSetInteger(xsVar(0), (xsIntegerValue)the->currentChunksSize);
    xsmcSet(xsResult, xsID("chunkUsed"), xsVar(0));
    xsmcSetInteger(xsVar(0), (xsIntegerValue)(the->currentHeapCount * sizeof(txSlot)));
    xsmcSet(xsResult, xsID("slotUsed"), xsVar(0));
}
