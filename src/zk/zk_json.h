/*
 * zk_json.h: private to src/zk/zk_paths.c - the JSON reader and writer the
 * znode codecs are written with.  Spells no path and no key: the keys
 * come from zk_paths.c.
 *
 * A sm_zkr_t reader remembers the first error ("malformed znode <path>:
 * <what>") and every accessor is a no-op once it failed, so a decoder reads
 * its fields in one straight line and checks r.failed once (STYLE.md §5).
 * A sm_zkw_t writer remembers whether any value could not be built (a
 * string that is not UTF-8), and sm_zkw_finish() then returns NULL.
 */
#ifndef SM_ZK_ZK_JSON_H
#define SM_ZK_ZK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "zk/zk_paths.h"

typedef struct sm_zkr {
    const char *path;
    char *errstr;
    size_t errstr_size;
    int failed;
} sm_zkr_t;

#define SM_ZKR_INIT(p, e, n) { (p) ? (p) : "(znode)", (e), (n), 0 }

typedef struct sm_zkw {
    int bad;
} sm_zkw_t;

/* Record the first error (printf-style) in r's errstr. */
void sm_zkr_fail(sm_zkr_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parse any JSON value; NULL (and failed) on error or no data. */
json_t *sm_zkr_parse(sm_zkr_t *r, const char *data, int len);
/* Parse, and require an object. */
json_t *sm_zkr_parse_object(sm_zkr_t *r, const char *data, int len);
/* obj[key], failing if required and missing; NULL after a failure. */
json_t *sm_zkr_get(sm_zkr_t *r, json_t *obj, const char *key, int required);
/* v as int32 (what names it in the message). */
int32_t sm_zkr_i32_of(sm_zkr_t *r, json_t *v, const char *what);
int32_t sm_zkr_i32(sm_zkr_t *r, json_t *obj, const char *key, int required,
                   int32_t dflt);
/* obj[key] as a string (borrowed from the JSON value), or NULL. */
const char *sm_zkr_str(sm_zkr_t *r, json_t *obj, const char *key,
                       int required);
/* obj[key] if it has the given type (object or array). */
json_t *sm_zkr_typed(sm_zkr_t *r, json_t *obj, const char *key,
                     int required, json_type type);
/* A JSON array of int32 into out (replacing its contents). */
void sm_zkr_ints(sm_zkr_t *r, json_t *arr, const char *what,
                 sm_zk_ints_t *out);
/* A JSON string holding a decimal int64 (Kafka's timestamps). */
int64_t sm_zkr_i64_str(sm_zkr_t *r, json_t *obj, const char *key,
                       int required, int64_t dflt);
/* Java's Long.parseLong on s[0..n): 0, or -1 if not a decimal int64. */
int sm_zk_parse_i64(const char *s, size_t n, int64_t *out);

/* obj[key] = val (val NULL or refused: the writer goes bad). */
void sm_zkw_set(sm_zkw_t *w, json_t *obj, const char *key, json_t *val);
/* A string, or JSON null for NULL. */
json_t *sm_zkw_str(const char *s);
/* v as a JSON string of decimal digits. */
json_t *sm_zkw_i64_str(int64_t v);
json_t *sm_zkw_ints(const sm_zk_ints_t *l);
/* Compact JSON text of j (heap), freeing j; NULL if the writer went bad. */
char *sm_zkw_finish(sm_zkw_t *w, json_t *j);

#endif
