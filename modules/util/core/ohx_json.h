/*
 * OpenHaldex XS - JSON text into a caller's buffer, for answers written
 * without building a string (util/json-writer). Pure C99: no XS, no
 * ESP-IDF; the binding hands in a string's bytes as XS keeps them.
 */
#ifndef OHX_JSON_H
#define OHX_JSON_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes the n bytes of `text` at out[at]. Quoted, as a JSON string the way
 * JSON.stringify writes one: in double quotes, with \" \\ \b \f \n \r \t,
 * \u00XX for the other controls, and \uXXXX for a lone surrogate; every
 * other character as its UTF-8. Unquoted, the bytes as they are. `text` is
 * XS's UTF-8: NUL may come as C0 80 and a lone surrogate as its 3-byte form.
 * Returns the index after what was written, or -1 when it does not fit in
 * `cap` (nothing past cap is touched; out[at, cap) may hold a partial copy).
 */
long ohx_json_put(uint8_t *out, size_t cap, size_t at, const char *text, size_t n, int quoted);

#endif
