/*
 * codec.h: Kafka's primitive wire types, read and written.
 *
 * READER.  An sm_rd_t is bounded by the frame it was given and never reads
 * past its end.  The first failure (truncation, negative length for a
 * non-nullable field, over-long varint, a count that cannot fit in the bytes
 * left) is remembered in rd->err; after that every read returns a zero or
 * null value and leaves the position alone, so a handler reads all its
 * fields in a flat sequence and checks rd->err once before acting (STYLE.md
 * §5; librdkafka's read macros reach the same shape with goto err_parse).
 * Strings and bytes come back as slices borrowing from the frame.
 *
 * WRITER.  Encoders append to an sm_buf_t; every write returns the offset it
 * landed at so lengths and counts can be patched later with sm_wr_patch_*.
 * Arrays whose count is unknown up front use sm_wr_array_begin/end, which
 * also handles the variable-width compact (flexible) count.
 *
 * Field types (Kafka names -> functions):
 *     INT8..INT64, UINT32          sm_rd_i8..sm_rd_i64, sm_rd_u32
 *     VARINT / VARLONG (zig-zag)   sm_rd_varint / sm_rd_varlong
 *     UNSIGNED_VARINT              sm_rd_uvarint
 *     STRING / NULLABLE_STRING     sm_rd_str(rd, flex) / sm_rd_nstr(rd, flex)
 *     BYTES / NULLABLE_BYTES       sm_rd_bytes(rd, flex) / sm_rd_nbytes(rd, flex)
 *     ARRAY / COMPACT_ARRAY        sm_rd_array(rd, flex, min_elem_size)
 *     TAGGED_FIELDS                sm_rd_tags(rd)
 *     UUID                         sm_rd_uuid
 * "flex" selects the compact encodings of KIP-482 (uvarint length + 1).
 *
 * Thread-safety: none needed; readers and buffers are per-request.
 */
#ifndef SM_PROTOCOL_CODEC_H
#define SM_PROTOCOL_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"

typedef struct sm_rd {
    const uint8_t *start;       /* first byte of the bounded region */
    const uint8_t *pos;         /* next byte to read */
    const uint8_t *end;         /* one past the last readable byte */
    sm_err_t err;               /* first error, sticky; SM_OK while fine */
} sm_rd_t;

typedef struct sm_uuid {
    uint8_t b[16];
} sm_uuid_t;

static inline void
sm_rd_init(sm_rd_t *rd, const void *p, size_t len)
{
    rd->start = rd->pos = (const uint8_t *)p;
    rd->end = rd->start + len;
    rd->err = SM_OK;
}

static inline size_t sm_rd_remaining(const sm_rd_t *rd)
{ return (size_t)(rd->end - rd->pos); }
static inline size_t sm_rd_offset(const sm_rd_t *rd)
{ return (size_t)(rd->pos - rd->start); }
static inline int sm_rd_ok(const sm_rd_t *rd)
{ return rd->err == SM_OK; }

/* Record err unless an earlier error is already recorded. */
void sm_rd_fail(sm_rd_t *rd, sm_err_t err);

int8_t   sm_rd_i8(sm_rd_t *rd);
int16_t  sm_rd_i16(sm_rd_t *rd);
int32_t  sm_rd_i32(sm_rd_t *rd);
int64_t  sm_rd_i64(sm_rd_t *rd);
uint32_t sm_rd_u32(sm_rd_t *rd);
int      sm_rd_bool(sm_rd_t *rd);
uint32_t sm_rd_uvarint(sm_rd_t *rd);            /* at most 5 bytes */
int32_t  sm_rd_varint(sm_rd_t *rd);             /* zig-zag, at most 5 bytes */
int64_t  sm_rd_varlong(sm_rd_t *rd);            /* zig-zag, at most 10 bytes */
void     sm_rd_uuid(sm_rd_t *rd, sm_uuid_t *out);

/* Borrow the next n bytes; NULL (and _TRUNCATED) if fewer remain. */
const uint8_t *sm_rd_ptr(sm_rd_t *rd, size_t n);
void     sm_rd_skip(sm_rd_t *rd, size_t n);

sm_str_t   sm_rd_str(sm_rd_t *rd, int flex);    /* null -> _NEGATIVE_LENGTH */
sm_str_t   sm_rd_nstr(sm_rd_t *rd, int flex);
sm_bytes_t sm_rd_bytes(sm_rd_t *rd, int flex);  /* null -> _NEGATIVE_LENGTH */
sm_bytes_t sm_rd_nbytes(sm_rd_t *rd, int flex);

/*
 * Array count: int32 (-1 = null) or compact uvarint (0 = null).  Returns the
 * count, -1 for a null array, or 0 after an error.  Fails with _TRUNCATED
 * when count * min_elem_size exceeds the bytes left, so a hostile count can
 * never drive a large allocation: check before allocating N elements.
 */
int32_t sm_rd_array(sm_rd_t *rd, int flex, size_t min_elem_size);

/* Skip a tagged-field section (flexible versions only). */
void sm_rd_tags(sm_rd_t *rd);

/* --------------------------------------------------------------- writer */

size_t sm_wr_i8(sm_buf_t *buf, int8_t v);
size_t sm_wr_i16(sm_buf_t *buf, int16_t v);
size_t sm_wr_i32(sm_buf_t *buf, int32_t v);
size_t sm_wr_i64(sm_buf_t *buf, int64_t v);
size_t sm_wr_u32(sm_buf_t *buf, uint32_t v);
size_t sm_wr_bool(sm_buf_t *buf, int v);
size_t sm_wr_uvarint(sm_buf_t *buf, uint32_t v);
size_t sm_wr_varint(sm_buf_t *buf, int32_t v);
size_t sm_wr_varlong(sm_buf_t *buf, int64_t v);
size_t sm_wr_uuid(sm_buf_t *buf, const sm_uuid_t *u);
size_t sm_wr_raw(sm_buf_t *buf, const void *p, size_t n);

/* Nullable and non-nullable share one encoder: a null sm_str_t/sm_bytes_t
 * writes the null marker. */
size_t sm_wr_str(sm_buf_t *buf, sm_str_t s, int flex);
size_t sm_wr_cstr(sm_buf_t *buf, const char *s, int flex);  /* NULL -> null */
size_t sm_wr_bytes(sm_buf_t *buf, sm_bytes_t b, int flex);

/* Count known up front (-1 = null array). */
size_t sm_wr_array_len(sm_buf_t *buf, int32_t n, int flex);
/* Count unknown: reserve, write the elements, then fix the count.  For the
 * compact form the tail is moved down to the varint's real width. */
size_t sm_wr_array_begin(sm_buf_t *buf, int flex);
void   sm_wr_array_end(sm_buf_t *buf, size_t pos, int32_t n, int flex);
/* An empty tagged-field section (flexible versions only). */
size_t sm_wr_tags_empty(sm_buf_t *buf);

void sm_wr_patch_i16(sm_buf_t *buf, size_t off, int16_t v);
void sm_wr_patch_i32(sm_buf_t *buf, size_t off, int32_t v);
void sm_wr_patch_i64(sm_buf_t *buf, size_t off, int64_t v);
void sm_wr_patch_u32(sm_buf_t *buf, size_t off, uint32_t v);

/* Size in bytes of v as a zig-zag varint / varlong / unsigned varint. */
size_t sm_varint_size(int32_t v);
size_t sm_varlong_size(int64_t v);
size_t sm_uvarint_size(uint32_t v);

/* Decode a zig-zag varlong from p[0..len): returns bytes used, 0 on
 * truncation or over-long input.  For hot loops that do not want a reader. */
size_t sm_varlong_decode(const uint8_t *p, size_t len, int64_t *out);

#endif
