/*
 * The board's and mcsim's JsonText (util/json-writer): strings copied into
 * the answer's buffer by a native from XS's own bytes, so a poll makes no
 * string and no object for them (util/core/ohx_json.c).
 */
import jsonPut from "util/json-native";
import type { JsonText } from "util/json-writer";
import { frozen } from "util/frozen";

export const nativeJsonText: JsonText = frozen({ put: jsonPut });
