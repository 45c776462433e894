/* Stand-in for ESP-IDF's freertos/FreeRTOS.h on a single-core RISC-V target
 * (the C6): critical sections are vPortEnterCritical/vPortExitCritical,
 * which ESP-IDF keeps in IRAM (freertos/linker.lf). See README.md. */
#pragma once
#include <stdint.h>

typedef int BaseType_t;
typedef uint32_t TickType_t;
typedef struct {
    uint32_t owner;
    uint32_t count;
} portMUX_TYPE;
#define portMUX_INITIALIZER_UNLOCKED                                                                                   \
    {                                                                                                                  \
        0xB33FFFFFu, 0                                                                                                 \
    }
#define pdPASS            1
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))

void vPortEnterCritical(void);
void vPortExitCritical(void);
#define portENTER_CRITICAL(mux)                                                                                        \
    do {                                                                                                               \
        (void)(mux);                                                                                                   \
        vPortEnterCritical();                                                                                          \
    } while (0)
#define portEXIT_CRITICAL(mux)                                                                                         \
    do {                                                                                                               \
        (void)(mux);                                                                                                   \
        vPortExitCritical();                                                                                           \
    } while (0)
#define portENTER_CRITICAL_ISR(mux) portENTER_CRITICAL(mux)
#define portEXIT_CRITICAL_ISR(mux)  portEXIT_CRITICAL(mux)
