// esp_ota_* for the board (ota-native.c). A .js file: the `@` native syntax is not TypeScript.
// Types: modules/platform/ota-native.d.ts. The OtaPort over these: modules/platform/moddable/ota-port.ts.
export function chip() @ "xs_ohx_ota_chip";
export function signatureCheck() @ "xs_ohx_ota_signature_check";
export function slotInfo(index) @ "xs_ohx_ota_slot_info";
export function running() @ "xs_ohx_ota_running";
export function bootSlot() @ "xs_ohx_ota_boot_slot";
export function state(index) @ "xs_ohx_ota_state";
export function read(index, offset, length) @ "xs_ohx_ota_read";
export function begin(index) @ "xs_ohx_ota_begin";
export function write(handle, bytes) @ "xs_ohx_ota_write";
export function end(handle) @ "xs_ohx_ota_end";
export function abort(handle) @ "xs_ohx_ota_abort";
export function setBoot(index) @ "xs_ohx_ota_set_boot";
export function markValid() @ "xs_ohx_ota_mark_valid";
export function markInvalidAndRestart() @ "xs_ohx_ota_mark_invalid_and_restart";
export function invalidate(index) @ "xs_ohx_ota_invalidate";
export const available = true;
