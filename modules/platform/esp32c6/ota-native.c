/*
 * "platform/ota-native" on the ESP32: a thin xsmc binding of ESP-IDF's
 * esp_ota_* (components/app_update/include/esp_ota_ops.h, ESP-IDF v6).
 * No decisions here: every check of what to accept and when to switch is
 * made in JS (modules/ota). Each function converts arguments, makes one
 * ESP-IDF call and, on failure, throws an Error whose message starts with
 * the esp_err name (e.g. "ESP_ERR_OTA_PARTITION_CONFLICT"), which
 * modules/platform/moddable/ota-port.ts maps to an OtaError code.
 *
 * Unlike Moddable's "embedded:update" / "ota" modules, end() does NOT set
 * the boot partition: setBoot is a separate, explicit call.
 */

#include "xsmc.h"
#include "xsHost.h"
#include "esp_err.h"
#include "esp_partition.h"
#include "esp_chip_info.h"
#include "sdkconfig.h"
#include "app_update/include/esp_ota_ops.h" /* component-relative, as the SDK's own modules include it */

#define OHX_SECTOR 4096

static void ohx_throw(xsMachine *the, esp_err_t err, const char *call)
{
    xsUnknownError("%s (0x%x) in %s", esp_err_to_name(err), (unsigned)err, call);
}

/* The partition of OTA slot `index` (ota_0 + index), or an exception. */
static const esp_partition_t *ohx_slot(xsMachine *the, xsIntegerValue index)
{
    const esp_partition_t *p = NULL;
    if ((index >= 0) && (index < 16))
        p = esp_partition_find_first(ESP_PARTITION_TYPE_APP,
                                     (esp_partition_subtype_t)(ESP_PARTITION_SUBTYPE_APP_OTA_MIN + index), NULL);
    if (!p)
        ohx_throw(the, ESP_ERR_NOT_FOUND, "ota slot lookup");
    return p;
}

static xsIntegerValue ohx_index_of(const esp_partition_t *p)
{
    if (!p || (p->type != ESP_PARTITION_TYPE_APP) || (p->subtype < ESP_PARTITION_SUBTYPE_APP_OTA_MIN) ||
        (p->subtype >= ESP_PARTITION_SUBTYPE_APP_OTA_MAX))
        return -1;
    return (xsIntegerValue)(p->subtype - ESP_PARTITION_SUBTYPE_APP_OTA_MIN);
}

/* chip() -> [chip id an image header must carry, revision as major * 100 + minor]. */
void xs_ohx_ota_chip(xsMachine *the)
{
    esp_chip_info_t info;
    esp_chip_info(&info);
    xsmcVars(1);
    xsmcSetNewArray(xsResult, 2);
    xsmcSetInteger(xsVar(0), (xsIntegerValue)CONFIG_IDF_FIRMWARE_CHIP_ID);
    xsmcSetIndex(xsResult, 0, xsVar(0));
    xsmcSetInteger(xsVar(0), (xsIntegerValue)info.revision);
    xsmcSetIndex(xsResult, 1, xsVar(0));
}

/*
 * signatureCheck() -> what esp_ota_end checks of a Secure Boot V2 signature:
 * 0 nothing, 1 the image's first block against the running image's first
 * key (CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT; v6.0 checks one block
 * when hardware secure boot is off). Hardware secure boot trusts eFuse
 * digests, which the firmware's own rule (running image's signers) does not
 * model: such a build is refused here rather than judged wrongly.
 */
#ifdef CONFIG_SECURE_BOOT
#error "hardware Secure Boot trusts eFuse key digests; modules/ota models only the signed-apps mode without it"
#endif
void xs_ohx_ota_signature_check(xsMachine *the)
{
#ifdef CONFIG_SECURE_SIGNED_ON_UPDATE_NO_SECURE_BOOT
    xsmcSetInteger(xsResult, 1);
#else
    xsmcSetInteger(xsResult, 0);
#endif
}

/* slotInfo(index) -> [label, offset, size], or undefined when there is no such slot. */
void xs_ohx_ota_slot_info(xsMachine *the)
{
    xsIntegerValue index = xsmcToInteger(xsArg(0));
    const esp_partition_t *p = NULL;
    if ((index >= 0) && (index < 16))
        p = esp_partition_find_first(ESP_PARTITION_TYPE_APP,
                                     (esp_partition_subtype_t)(ESP_PARTITION_SUBTYPE_APP_OTA_MIN + index), NULL);
    if (!p)
        return;
    xsmcVars(1);
    xsmcSetNewArray(xsResult, 3);
    xsmcSetString(xsVar(0), (char *)p->label);
    xsmcSetIndex(xsResult, 0, xsVar(0));
    xsmcSetInteger(xsVar(0), (xsIntegerValue)p->address);
    xsmcSetIndex(xsResult, 1, xsVar(0));
    xsmcSetInteger(xsVar(0), (xsIntegerValue)p->size);
    xsmcSetIndex(xsResult, 2, xsVar(0));
}

/* running() -> slot index, -1 when not running from an OTA slot. */
void xs_ohx_ota_running(xsMachine *the)
{
    xsmcSetInteger(xsResult, ohx_index_of(esp_ota_get_running_partition()));
}

/* bootSlot() -> slot index esp_ota_get_boot_partition reports, -1 when none is an OTA slot. */
void xs_ohx_ota_boot_slot(xsMachine *the)
{
    xsmcSetInteger(xsResult, ohx_index_of(esp_ota_get_boot_partition()));
}

/* state(index) -> esp_ota_img_states_t value, or -1 when otadata has no entry for the slot. */
void xs_ohx_ota_state(xsMachine *the)
{
    const esp_partition_t *p = ohx_slot(the, xsmcToInteger(xsArg(0)));
    esp_ota_img_states_t state;
    esp_err_t err = esp_ota_get_state_partition(p, &state);
    if (err == ESP_ERR_NOT_FOUND) {
        xsmcSetInteger(xsResult, -1);
        return;
    }
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_ota_get_state_partition");
    xsmcSetInteger(xsResult, (xsIntegerValue)state);
}

/* read(index, offset, length) -> ArrayBuffer */
void xs_ohx_ota_read(xsMachine *the)
{
    const esp_partition_t *p = ohx_slot(the, xsmcToInteger(xsArg(0)));
    xsIntegerValue offset = xsmcToInteger(xsArg(1));
    xsIntegerValue length = xsmcToInteger(xsArg(2));
    if ((offset < 0) || (length < 0) || ((uint32_t)offset + (uint32_t)length > p->size))
        xsRangeError("read outside the slot");
    xsmcSetArrayBuffer(xsResult, NULL, length);
    esp_err_t err = esp_partition_read(p, offset, xsmcToArrayBuffer(xsResult), length);
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_partition_read");
}

/* begin(index) -> handle. Sequential writes: sectors are erased as the data arrives. */
void xs_ohx_ota_begin(xsMachine *the)
{
    const esp_partition_t *p = ohx_slot(the, xsmcToInteger(xsArg(0)));
    esp_ota_handle_t handle = 0;
    esp_err_t err = esp_ota_begin(p, OTA_WITH_SEQUENTIAL_WRITES, &handle);
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_ota_begin");
    xsmcSetInteger(xsResult, (xsIntegerValue)handle);
}

/* write(handle, bytes) where bytes is an ArrayBuffer or a typed array view. */
void xs_ohx_ota_write(xsMachine *the)
{
    esp_ota_handle_t handle = (esp_ota_handle_t)xsmcToInteger(xsArg(0));
    void *data;
    xsUnsignedValue size;
    xsmcGetBufferReadable(xsArg(1), &data, &size);
    esp_err_t err = esp_ota_write(handle, data, size);
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_ota_write");
}

/* end(handle): esp_ota_end verifies the written image; it does not change the boot slot. */
void xs_ohx_ota_end(xsMachine *the)
{
    esp_err_t err = esp_ota_end((esp_ota_handle_t)xsmcToInteger(xsArg(0)));
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_ota_end");
}

void xs_ohx_ota_abort(xsMachine *the)
{
    esp_err_t err = esp_ota_abort((esp_ota_handle_t)xsmcToInteger(xsArg(0)));
    if ((err != ESP_OK) && (err != ESP_ERR_NOT_FOUND))
        ohx_throw(the, err, "esp_ota_abort");
}

/* setBoot(index): otadata -> slot, state NEW (rollback enabled); verifies the image first. */
void xs_ohx_ota_set_boot(xsMachine *the)
{
    const esp_partition_t *p = ohx_slot(the, xsmcToInteger(xsArg(0)));
    esp_err_t err = esp_ota_set_boot_partition(p);
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_ota_set_boot_partition");
}

void xs_ohx_ota_mark_valid(xsMachine *the)
{
    esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_ota_mark_app_valid_cancel_rollback");
}

/* Marks the running image INVALID and restarts; returns only on failure. */
void xs_ohx_ota_mark_invalid_and_restart(xsMachine *the)
{
    esp_err_t err = esp_ota_mark_app_invalid_rollback_and_reboot();
    ohx_throw(the, err, "esp_ota_mark_app_invalid_rollback_and_reboot");
}

/* invalidate(index): erase the slot's first sector so the image there can never boot. */
void xs_ohx_ota_invalidate(xsMachine *the)
{
    const esp_partition_t *p = ohx_slot(the, xsmcToInteger(xsArg(0)));
    if (p == esp_ota_get_running_partition())
        ohx_throw(the, ESP_ERR_OTA_PARTITION_CONFLICT, "invalidate");
    esp_err_t err = esp_partition_erase_range(p, 0, OHX_SECTOR);
    if (err != ESP_OK)
        ohx_throw(the, err, "esp_partition_erase_range");
}
