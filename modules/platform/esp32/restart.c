/*
 * Chip reset for "platform/restart" on the ESP32. The caller has finished
 * its HTTP response; the bridge's state is irrelevant across a reset.
 */
#include "xsmc.h"
#include "esp_system.h"

void xs_ohx_restart(xsMachine *the)
{
	(void)the;
	esp_restart();
}
