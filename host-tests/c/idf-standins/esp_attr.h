/* Stand-in for ESP-IDF's esp_attr.h (see README.md): same section names. */
#pragma once
#define OHX_STANDIN_STR2(x)                #x
#define OHX_STANDIN_STR(x)                 OHX_STANDIN_STR2(x)
#define OHX_STANDIN_SECTION(name, counter) __attribute__((section(name "." OHX_STANDIN_STR(counter))))
#define IRAM_ATTR                          OHX_STANDIN_SECTION(".iram1", __COUNTER__)
#define DRAM_ATTR                          OHX_STANDIN_SECTION(".dram1", __COUNTER__)
