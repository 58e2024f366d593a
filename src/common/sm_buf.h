/*
 * sm_buf.h: a growable byte buffer, the target of every encoder.
 *
 * Ownership: the sm_buf_t owns data[]; sm_buf_fini() frees it and
 * sm_buf_detach() hands it to the caller.  Every write returns the offset
 * at which it landed, so a length or count written before its contents can
 * be patched afterwards (librdkafka rd_kafka_buf_write_i32 /
 * rd_kafka_buf_update_i32).  Pointers into data[] are invalidated by any
 * later write; keep offsets, not pointers.
 *
 * Not thread-safe: a buffer belongs to one thread at a time.
 */
#ifndef SM_BUF_H
#define SM_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sm_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} sm_buf_t;

#define SM_BUF_INIT { NULL, 0, 0 }

void   sm_buf_init(sm_buf_t *buf, size_t initial_cap);
void   sm_buf_fini(sm_buf_t *buf);
/* Make room for n more bytes without changing len. */
void   sm_buf_reserve(sm_buf_t *buf, size_t n);
/* Append n bytes; returns their offset. */
size_t sm_buf_write(sm_buf_t *buf, const void *src, size_t n);
/* Append n uninitialised bytes; returns their offset. */
size_t sm_buf_skip(sm_buf_t *buf, size_t n);
/* Take data[] (caller frees with free()); the buffer is left empty. */
uint8_t *sm_buf_detach(sm_buf_t *buf, size_t *lenp);
static inline void sm_buf_reset(sm_buf_t *buf) { buf->len = 0; }

#endif
