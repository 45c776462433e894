/*
 * OpenHaldex XS - placement markers for code and constants on the frame path.
 *
 * On the board the TWAI interrupt runs the bridge while the flash cache is
 * off (CONFIG_TWAI_ISR_CACHE_SAFE: OTA writes, NVS). Everything it reaches
 * must then be in IRAM (code) or DRAM (constants). A port that runs the core
 * from an interrupt defines these before including the core's .c files
 * (platform/esp32c6/ohx_twai_port.c: OHX_HOT = IRAM_ATTR, OHX_RODATA =
 * DRAM_ATTR); everywhere else they are empty.
 *
 * Mark every function the interrupt can reach, directly or through a table.
 * host-tests/host/isr-placement.test.ts checks the compiled object: nothing
 * reachable from the port's ISR callbacks may leave the hot sections except
 * the ROM/IRAM functions its allowlist names.
 */
#ifndef OHX_HOT_H
#define OHX_HOT_H

#ifndef OHX_HOT
#define OHX_HOT
#endif
#ifndef OHX_RODATA
#define OHX_RODATA
#endif

#endif /* OHX_HOT_H */
