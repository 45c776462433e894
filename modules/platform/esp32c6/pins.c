/*
 * OpenHaldex XS - the board's pin map for TypeScript (pins.d.ts), from the
 * same MODDEF_OHX_* macros the C ports use.
 */
#include "xsmc.h"
#include "mc.defines.h"

#if !defined(MODDEF_OHX_LED_WS2812) || !defined(MODDEF_OHX_MODE_BUTTON) || !defined(MODDEF_OHX_EXTERNAL_MODE)
#error "pins come from the board manifest (boards/<board>/manifest.json, defines.ohx)"
#endif

static void set_int(xsMachine *the, xsSlot *object, xsIndex id, int value)
{
    xsmcSetInteger(xsVar(0), value);
    xsmcSet(*object, id, xsVar(0));
}

static void set_pair(xsMachine *the, xsSlot *object, xsIndex id, const char *a, int va, const char *b, int vb)
{
    xsmcSetNewObject(xsVar(1));
    set_int(the, &xsVar(1), xsID(a), va);
    set_int(the, &xsVar(1), xsID(b), vb);
    xsmcSet(*object, id, xsVar(1));
}

static void set_bus(xsMachine *the, xsIndex id, int tx, int rx, int standby)
{
    xsmcSetNewObject(xsVar(1));
    set_int(the, &xsVar(1), xsID("tx"), tx);
    set_int(the, &xsVar(1), xsID("rx"), rx);
    set_int(the, &xsVar(1), xsID("standby"), standby);
    xsmcSet(xsVar(2), id, xsVar(1));
}

void xs_ohx_board_pins(xsMachine *the)
{
    xsmcVars(3);
    xsmcSetNewObject(xsResult);
    xsmcSetNewObject(xsVar(2)); /* can */
    set_bus(the, xsID("chassis"), MODDEF_OHX_CAN_CHASSIS_TX, MODDEF_OHX_CAN_CHASSIS_RX, MODDEF_OHX_CAN_CHASSIS_STANDBY);
    set_bus(the, xsID("haldex"), MODDEF_OHX_CAN_HALDEX_TX, MODDEF_OHX_CAN_HALDEX_RX, MODDEF_OHX_CAN_HALDEX_STANDBY);
    set_int(the, &xsVar(2), xsID("bitrate"), MODDEF_OHX_CAN_BITRATE);
    xsmcSet(xsResult, xsID("can"), xsVar(2));
    set_int(the, &xsResult, xsID("led"), MODDEF_OHX_LED_WS2812);
    set_int(the, &xsResult, xsID("modeButton"), MODDEF_OHX_MODE_BUTTON);
    set_int(the, &xsResult, xsID("externalMode"), MODDEF_OHX_EXTERNAL_MODE);
    set_pair(the, &xsResult, xsID("brake"), "in", MODDEF_OHX_BRAKE_IN, "out", MODDEF_OHX_BRAKE_OUT);
    set_pair(the, &xsResult, xsID("handbrake"), "in", MODDEF_OHX_HANDBRAKE_IN, "out", MODDEF_OHX_HANDBRAKE_OUT);
}
