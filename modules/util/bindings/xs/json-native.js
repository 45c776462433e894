/* The board and mcsim: util/core/ohx_json.c through json-native.c. */
export default function jsonPut(out, at, text, quoted) @ "xs_ohx_json_put";
