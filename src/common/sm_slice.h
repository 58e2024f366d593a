/*
 * sm_slice.h: borrowed views of bytes and strings.
 *
 * A slice never owns its memory: it points into a request payload, a mapped
 * segment or a buffer whose owner outlives the slice (STYLE.md §5, after
 * librdkafka's rd_kafkap_str_t).  Strings are NOT NUL-terminated; print them
 * with "%.*s", SM_STR_ARG(s).  Copy with sm_str_dup() whatever must outlive
 * the memory it points into.
 *
 * Kafka's nullable strings and bytes are represented with len == -1 and
 * ptr == NULL; an empty one has len == 0 and a non-NULL ptr.
 */
#ifndef SM_SLICE_H
#define SM_SLICE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sm_slice {
    const uint8_t *ptr;
    size_t len;
} sm_slice_t;

typedef struct sm_str {
    const char *ptr;
    int32_t len;            /* -1: null */
} sm_str_t;

typedef struct sm_bytes {
    const uint8_t *ptr;
    int32_t len;            /* -1: null */
} sm_bytes_t;

#define SM_STR_NULL   ((sm_str_t){ NULL, -1 })
#define SM_BYTES_NULL ((sm_bytes_t){ NULL, -1 })
#define SM_STR_ARG(s) (int)((s).len < 0 ? 0 : (s).len), ((s).ptr ? (s).ptr : "")

static inline sm_slice_t
sm_slice(const void *p, size_t len)
{
    sm_slice_t s = { (const uint8_t *)p, len };
    return s;
}

static inline sm_str_t
sm_str_cstr(const char *s)
{
    sm_str_t r;
    r.ptr = s;
    r.len = s ? (int32_t)strlen(s) : -1;
    return r;
}

static inline int
sm_str_is_null(sm_str_t s)
{
    return s.len < 0;
}

static inline int
sm_str_eq(sm_str_t a, sm_str_t b)
{
    if (a.len != b.len)
        return 0;
    return a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0;
}

static inline int
sm_str_eq_cstr(sm_str_t a, const char *s)
{
    return a.len >= 0 && (size_t)a.len == strlen(s) &&
           memcmp(a.ptr, s, (size_t)a.len) == 0;
}

/* Heap copy, NUL-terminated; NULL for a null string.  Caller frees. */
char *sm_str_dup(sm_str_t s);

#endif
