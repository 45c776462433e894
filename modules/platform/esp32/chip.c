/*
 * "platform/chip" on the ESP32: reset and the hardware RNG. Kept to the
 * two calls the firmware needs; everything else stays in TypeScript.
 */
#include "xsmc.h"
#include "esp_system.h"
#include "esp_random.h"

void xs_ohx_restart(xsMachine *the)
{
	(void)the;
	esp_restart();
}

/* esp_fill_random is a true RNG while the radio runs (Wi-Fi is always on here). */
void xs_ohx_fill_random(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	xsmcGetBufferWritable(xsArg(0), &data, &size);
	esp_fill_random(data, size);
}
