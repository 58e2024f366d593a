/*
 * zk_json.c: the JSON reader and writer of zk_json.h, the int32 lists of
 * zk_paths.h and Kafka's random ids (sm_zk_uuid_base64).
 *
 * Pure functions, any thread.  Parsing is jansson's, which rejects invalid
 * UTF-8, NUL characters in strings, trailing garbage and integers beyond
 * 64 bits; everything here adds range and type checks on top, with the
 * first problem recorded for the caller's error message.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "zk/zk_json.h"
#include "zk/zk_paths.h"

/* ------------------------------------------------------------ int lists */

void
sm_zk_ints_fini(sm_zk_ints_t *l)
{
    sm_free(l->v);
    l->v = NULL;
    l->cnt = 0;
}

void
sm_zk_ints_set(sm_zk_ints_t *l, const int32_t *v, int cnt)
{
    sm_zk_ints_fini(l);
    if (cnt <= 0)
        return;
    l->v = sm_malloc(sizeof(int32_t) * (size_t)cnt);
    memcpy(l->v, v, sizeof(int32_t) * (size_t)cnt);
    l->cnt = cnt;
}

/* ------------------------------------------------------------ reader */

/* Record the first error: "malformed znode <path>: <what>". */
void
sm_zkr_fail(sm_zkr_t *r, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (r->failed)
        return;
    r->failed = 1;
    if (r->errstr == NULL || r->errstr_size == 0)
        return;
    n = snprintf(r->errstr, r->errstr_size, "malformed znode %s: ", r->path);
    if (n < 0 || (size_t)n >= r->errstr_size)
        return;
    va_start(ap, fmt);
    vsnprintf(r->errstr + n, r->errstr_size - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Parse data as any JSON value; NULL (and failed) on error. */
json_t *
sm_zkr_parse(sm_zkr_t *r, const char *data, int len)
{
    json_error_t e;
    json_t *j;

    if (data == NULL || len <= 0) {
        sm_zkr_fail(r, "no data");
        return NULL;
    }
    j = json_loadb(data, (size_t)len, JSON_DECODE_ANY, &e);
    if (j == NULL)
        sm_zkr_fail(r, "invalid JSON: %s (line %d, column %d)", e.text,
                    e.line, e.column);
    return j;
}

json_t *
sm_zkr_parse_object(sm_zkr_t *r, const char *data, int len)
{
    json_t *j = sm_zkr_parse(r, data, len);

    if (j != NULL && !json_is_object(j)) {
        sm_zkr_fail(r, "expected a JSON object");
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *
sm_zkr_get(sm_zkr_t *r, json_t *obj, const char *key, int required)
{
    json_t *v = r->failed || obj == NULL ? NULL : json_object_get(obj, key);

    if (v == NULL && required)
        sm_zkr_fail(r, "missing \"%s\"", key);
    return v;
}

int32_t
sm_zkr_i32_of(sm_zkr_t *r, json_t *v, const char *what)
{
    json_int_t x;

    if (r->failed || v == NULL)
        return 0;
    if (!json_is_integer(v)) {
        sm_zkr_fail(r, "%s is not an integer", what);
        return 0;
    }
    x = json_integer_value(v);
    if (x < INT32_MIN || x > INT32_MAX) {
        sm_zkr_fail(r, "%s out of the int32 range", what);
        return 0;
    }
    return (int32_t)x;
}

int32_t
sm_zkr_i32(sm_zkr_t *r, json_t *obj, const char *key, int required,
           int32_t dflt)
{
    char what[64];
    json_t *v = sm_zkr_get(r, obj, key, required);

    if (v == NULL)
        return dflt;
    snprintf(what, sizeof(what), "\"%s\"", key);
    return sm_zkr_i32_of(r, v, what);
}

const char *
sm_zkr_str(sm_zkr_t *r, json_t *obj, const char *key, int required)
{
    json_t *v = sm_zkr_get(r, obj, key, required);

    if (v == NULL)
        return NULL;
    if (!json_is_string(v)) {
        sm_zkr_fail(r, "\"%s\" is not a string", key);
        return NULL;
    }
    return json_string_value(v);
}

json_t *
sm_zkr_typed(sm_zkr_t *r, json_t *obj, const char *key, int required,
             json_type type)
{
    json_t *v = sm_zkr_get(r, obj, key, required);

    if (v != NULL && json_typeof(v) != type) {
        sm_zkr_fail(r, "\"%s\" is not an %s", key,
                    type == JSON_OBJECT ? "object" : "array");
        return NULL;
    }
    return v;
}

/* A JSON array of int32 into out (replaced). */
void
sm_zkr_ints(sm_zkr_t *r, json_t *arr, const char *what, sm_zk_ints_t *out)
{
    size_t n, i;

    sm_zk_ints_fini(out);
    if (r->failed || arr == NULL)
        return;
    if (!json_is_array(arr)) {
        sm_zkr_fail(r, "%s is not an array", what);
        return;
    }
    n = json_array_size(arr);
    if (n == 0)
        return;
    out->v = sm_calloc(n, sizeof(int32_t));
    out->cnt = (int)n;
    for (i = 0; i < n && !r->failed; i++)
        out->v[i] = sm_zkr_i32_of(r, json_array_get(arr, i), what);
}

/* Java's Long.parseLong: optional sign, decimal digits, nothing else. */
int
sm_zk_parse_i64(const char *s, size_t n, int64_t *out)
{
    uint64_t v = 0, limit = INT64_MAX;
    size_t i = 0;
    int neg = 0;

    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        limit += neg;
        i = 1;
    }
    if (i == n)
        return -1;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* A JSON string holding a decimal long (Kafka's timestamps, pid blocks). */
int64_t
sm_zkr_i64_str(sm_zkr_t *r, json_t *obj, const char *key, int required,
               int64_t dflt)
{
    const char *s = sm_zkr_str(r, obj, key, required);
    int64_t v;

    if (s == NULL)
        return dflt;
    if (sm_zk_parse_i64(s, strlen(s), &v) != 0) {
        sm_zkr_fail(r, "\"%s\" is not a decimal integer string", key);
        return dflt;
    }
    return v;
}

/* ------------------------------------------------------------ writer */

void
sm_zkw_set(sm_zkw_t *w, json_t *obj, const char *key, json_t *val)
{
    if (val == NULL || json_object_set_new(obj, key, val) != 0)
        w->bad = 1;
}

json_t *
sm_zkw_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

json_t *
sm_zkw_i64_str(int64_t v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return json_string(buf);
}

json_t *
sm_zkw_ints(const sm_zk_ints_t *l)
{
    json_t *a = json_array();

    for (int i = 0; i < l->cnt; i++)
        json_array_append_new(a, json_integer(l->v[i]));
    return a;
}

/* Serialize and free j; NULL if anything failed on the way. */
char *
sm_zkw_finish(sm_zkw_t *w, json_t *j)
{
    char *s = NULL;

    if (!w->bad && j != NULL)
        s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    return s;
}

/* ------------------------------------------------------------ ids */

static void
sm_zk_random(unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        /* getrandom(2) cannot fail for 16 bytes once the pool is up
         * (Linux >= 3.17); an id from a broken RNG would collide */
        sm_assert(r > 0);
        got += (size_t)r;
    }
}

char *
sm_zk_uuid_base64(void)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char u[16];
    char *out = sm_malloc(23);

    do {
        size_t o = 0;
        sm_zk_random(u, sizeof(u));
        u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);   /* version 4 */
        u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);   /* IETF variant */
        for (size_t i = 0; i < 16; i += 3) {
            uint32_t v = (uint32_t)u[i] << 16;
            if (i + 1 < 16)
                v |= (uint32_t)u[i + 1] << 8;
            if (i + 2 < 16)
                v |= u[i + 2];
            out[o++] = b64[(v >> 18) & 63];
            out[o++] = b64[(v >> 12) & 63];
            if (i + 1 < 16)
                out[o++] = b64[(v >> 6) & 63];
            if (i + 2 < 16)
                out[o++] = b64[v & 63];
        }
        out[o] = '\0';
    } while (out[0] == '-');    /* Kafka 3.x avoids ids that look like
                                 * command-line options */
    return out;
}

