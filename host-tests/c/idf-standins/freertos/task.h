/* Stand-in for ESP-IDF's freertos/task.h (see README.md). */
#pragma once
#include <stdint.h>
#include "freertos/FreeRTOS.h"

typedef void (*TaskFunction_t)(void *);
typedef struct tskTaskControlBlock *TaskHandle_t;
void vTaskDelay(const TickType_t xTicksToDelay);
BaseType_t xTaskCreate(TaskFunction_t pxTaskCode, const char *const pcName, const uint32_t usStackDepth,
                       void *const pvParameters, unsigned uxPriority, TaskHandle_t *const pxCreatedTask);
