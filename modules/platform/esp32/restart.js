// esp_restart() for the board (restart.c). A .js file: the `@` native syntax is not TypeScript.
export function restartChip() @ "xs_ohx_restart";
