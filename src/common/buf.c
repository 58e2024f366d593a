/*
 * buf.c: sm_buf_t growth and appends (see sm_buf.h for the contract).
 *
 * Growth doubles the capacity (at least 64 bytes) so appends are amortised
 * O(1).  Sizes here are internal; anything derived from the network must be
 * bounded by the caller before it is appended.
 */
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"

void
sm_buf_init(sm_buf_t *buf, size_t initial_cap)
{
    buf->data = initial_cap ? sm_malloc(initial_cap) : NULL;
    buf->len = 0;
    buf->cap = initial_cap;
}

void
sm_buf_fini(sm_buf_t *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void
sm_buf_reserve(sm_buf_t *buf, size_t n)
{
    size_t need = buf->len + n;
    size_t cap;

    sm_assert(need >= buf->len);   /* no size_t overflow */
    if (need <= buf->cap)
        return;
    cap = buf->cap < 64 ? 64 : buf->cap;
    while (cap < need)
        cap *= 2;
    buf->data = sm_realloc(buf->data, cap);
    buf->cap = cap;
}

size_t
sm_buf_write(sm_buf_t *buf, const void *src, size_t n)
{
    size_t off = buf->len;

    sm_buf_reserve(buf, n);
    if (n)
        memcpy(buf->data + off, src, n);
    buf->len += n;
    return off;
}

size_t
sm_buf_skip(sm_buf_t *buf, size_t n)
{
    size_t off = buf->len;

    sm_buf_reserve(buf, n);
    buf->len += n;
    return off;
}

uint8_t *
sm_buf_detach(sm_buf_t *buf, size_t *lenp)
{
    uint8_t *p = buf->data;

    if (lenp)
        *lenp = buf->len;
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return p;
}
