/*
 * codec.c: primitive reads and writes of codec.h.
 *
 * Invariants of sm_rd_t kept here:
 *   1. start <= pos <= end at all times; nothing reads outside [pos, end).
 *   2. Once err != SM_OK it never changes and pos never moves again.
 * Every reader goes through sm_rd_take(), which enforces both.
 */
#include <string.h>

#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "protocol/codec.h"

void
sm_rd_fail(sm_rd_t *rd, sm_err_t err)
{
    if (rd->err == SM_OK)
        rd->err = err;
}

/* Borrow n bytes and advance, or fail with _TRUNCATED. */
static inline const uint8_t *
sm_rd_take(sm_rd_t *rd, size_t n)
{
    const uint8_t *p;

    if (rd->err != SM_OK)
        return NULL;
    if ((size_t)(rd->end - rd->pos) < n) {
        rd->err = SM_ERR__TRUNCATED;
        return NULL;
    }
    p = rd->pos;
    rd->pos += n;
    return p;
}

const uint8_t *
sm_rd_ptr(sm_rd_t *rd, size_t n)
{
    return sm_rd_take(rd, n);
}

void
sm_rd_skip(sm_rd_t *rd, size_t n)
{
    (void)sm_rd_take(rd, n);
}

int8_t
sm_rd_i8(sm_rd_t *rd)
{
    const uint8_t *p = sm_rd_take(rd, 1);
    return p ? (int8_t)p[0] : 0;
}

int16_t
sm_rd_i16(sm_rd_t *rd)
{
    const uint8_t *p = sm_rd_take(rd, 2);
    return p ? (int16_t)sm_load_be16(p) : 0;
}

int32_t
sm_rd_i32(sm_rd_t *rd)
{
    const uint8_t *p = sm_rd_take(rd, 4);
    return p ? (int32_t)sm_load_be32(p) : 0;
}

int64_t
sm_rd_i64(sm_rd_t *rd)
{
    const uint8_t *p = sm_rd_take(rd, 8);
    return p ? (int64_t)sm_load_be64(p) : 0;
}

uint32_t
sm_rd_u32(sm_rd_t *rd)
{
    const uint8_t *p = sm_rd_take(rd, 4);
    return p ? sm_load_be32(p) : 0;
}

int
sm_rd_bool(sm_rd_t *rd)
{
    return sm_rd_i8(rd) != 0;
}

/* Unsigned LEB128 of at most maxbytes bytes. */
static uint64_t
sm_rd_leb128(sm_rd_t *rd, int maxbytes)
{
    uint64_t v = 0;

    if (rd->err != SM_OK)
        return 0;
    for (int i = 0; i < maxbytes; i++) {
        if (rd->pos >= rd->end) {
            rd->err = SM_ERR__TRUNCATED;
            return 0;
        }
        uint8_t b = *rd->pos++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    rd->err = SM_ERR__VARINT;
    return 0;
}

uint32_t
sm_rd_uvarint(sm_rd_t *rd)
{
    return (uint32_t)sm_rd_leb128(rd, 5);
}

int32_t
sm_rd_varint(sm_rd_t *rd)
{
    uint32_t u = (uint32_t)sm_rd_leb128(rd, 5);
    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

int64_t
sm_rd_varlong(sm_rd_t *rd)
{
    uint64_t u = sm_rd_leb128(rd, 10);
    return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}

size_t
sm_varlong_decode(const uint8_t *p, size_t len, int64_t *out)
{
    uint64_t u = 0;

    for (size_t i = 0; i < len && i < 10; i++) {
        u |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *out = (int64_t)((u >> 1) ^ (~(u & 1) + 1));
            return i + 1;
        }
    }
    return 0;
}

void
sm_rd_uuid(sm_rd_t *rd, sm_uuid_t *out)
{
    const uint8_t *p = sm_rd_take(rd, 16);

    if (p)
        memcpy(out->b, p, 16);
    else
        memset(out->b, 0, 16);
}

/*
 * Length prefix of a string/bytes field: -1 means null.  Classic encodings
 * use int16 (strings) or int32 (bytes); compact ones use uvarint(len + 1).
 */
static int32_t
sm_rd_len(sm_rd_t *rd, int flex, int wide)
{
    if (flex) {
        uint32_t u = sm_rd_uvarint(rd);
        if (rd->err != SM_OK)
            return -1;
        if (u > (uint32_t)INT32_MAX) {
            sm_rd_fail(rd, SM_ERR__TOO_LARGE);
            return -1;
        }
        return (int32_t)u - 1;
    }
    return wide ? sm_rd_i32(rd) : sm_rd_i16(rd);
}

static sm_str_t
sm_rd_str_common(sm_rd_t *rd, int flex, int nullable)
{
    sm_str_t s = SM_STR_NULL;
    int32_t len = sm_rd_len(rd, flex, 0);
    const uint8_t *p;

    if (rd->err != SM_OK)
        return s;
    if (len < 0) {
        if (!nullable || len < -1)
            sm_rd_fail(rd, SM_ERR__NEGATIVE_LENGTH);
        return s;
    }
    p = sm_rd_take(rd, (size_t)len);
    if (p == NULL)
        return s;
    s.ptr = (const char *)p;
    s.len = len;
    return s;
}

sm_str_t
sm_rd_str(sm_rd_t *rd, int flex)
{
    return sm_rd_str_common(rd, flex, 0);
}

sm_str_t
sm_rd_nstr(sm_rd_t *rd, int flex)
{
    return sm_rd_str_common(rd, flex, 1);
}

static sm_bytes_t
sm_rd_bytes_common(sm_rd_t *rd, int flex, int nullable)
{
    sm_bytes_t b = SM_BYTES_NULL;
    int32_t len = sm_rd_len(rd, flex, 1);
    const uint8_t *p;

    if (rd->err != SM_OK)
        return b;
    if (len < 0) {
        if (!nullable || len < -1)
            sm_rd_fail(rd, SM_ERR__NEGATIVE_LENGTH);
        return b;
    }
    p = sm_rd_take(rd, (size_t)len);
    if (p == NULL)
        return b;
    b.ptr = p;
    b.len = len;
    return b;
}

sm_bytes_t
sm_rd_bytes(sm_rd_t *rd, int flex)
{
    return sm_rd_bytes_common(rd, flex, 0);
}

sm_bytes_t
sm_rd_nbytes(sm_rd_t *rd, int flex)
{
    return sm_rd_bytes_common(rd, flex, 1);
}

int32_t
sm_rd_array(sm_rd_t *rd, int flex, size_t min_elem_size)
{
    int32_t n = sm_rd_len(rd, flex, 1);

    if (rd->err != SM_OK)
        return 0;
    if (n < -1) {
        sm_rd_fail(rd, SM_ERR__NEGATIVE_LENGTH);
        return 0;
    }
    if (n > 0 && min_elem_size > 0 &&
        (uint64_t)n * min_elem_size > sm_rd_remaining(rd)) {
        sm_rd_fail(rd, SM_ERR__TRUNCATED);
        return 0;
    }
    return n;
}

void
sm_rd_tags(sm_rd_t *rd)
{
    uint32_t n = sm_rd_uvarint(rd);

    /* each field needs at least a tag byte and a size byte */
    if (rd->err == SM_OK && (uint64_t)n * 2 > sm_rd_remaining(rd)) {
        sm_rd_fail(rd, SM_ERR__TRUNCATED);
        return;
    }
    for (uint32_t i = 0; i < n && rd->err == SM_OK; i++) {
        (void)sm_rd_uvarint(rd);                /* tag */
        uint32_t size = sm_rd_uvarint(rd);
        sm_rd_skip(rd, size);
    }
}

/* --------------------------------------------------------------- writer */

size_t
sm_wr_raw(sm_buf_t *buf, const void *p, size_t n)
{
    return sm_buf_write(buf, p, n);
}

size_t
sm_wr_i8(sm_buf_t *buf, int8_t v)
{
    return sm_buf_write(buf, &v, 1);
}

size_t
sm_wr_i16(sm_buf_t *buf, int16_t v)
{
    size_t off = sm_buf_skip(buf, 2);
    sm_store_be16(buf->data + off, (uint16_t)v);
    return off;
}

size_t
sm_wr_i32(sm_buf_t *buf, int32_t v)
{
    size_t off = sm_buf_skip(buf, 4);
    sm_store_be32(buf->data + off, (uint32_t)v);
    return off;
}

size_t
sm_wr_u32(sm_buf_t *buf, uint32_t v)
{
    return sm_wr_i32(buf, (int32_t)v);
}

size_t
sm_wr_i64(sm_buf_t *buf, int64_t v)
{
    size_t off = sm_buf_skip(buf, 8);
    sm_store_be64(buf->data + off, (uint64_t)v);
    return off;
}

size_t
sm_wr_bool(sm_buf_t *buf, int v)
{
    return sm_wr_i8(buf, v ? 1 : 0);
}

/* Encode u as LEB128 into out (>= 10 bytes); returns the width. */
static size_t
sm_leb128_encode(uint64_t u, uint8_t *out)
{
    size_t n = 0;

    while (u >= 0x80) {
        out[n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    out[n++] = (uint8_t)u;
    return n;
}

size_t
sm_wr_uvarint(sm_buf_t *buf, uint32_t v)
{
    uint8_t tmp[10];
    return sm_buf_write(buf, tmp, sm_leb128_encode(v, tmp));
}

size_t
sm_wr_varint(sm_buf_t *buf, int32_t v)
{
    uint8_t tmp[10];
    uint32_t z = ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
    return sm_buf_write(buf, tmp, sm_leb128_encode(z, tmp));
}

size_t
sm_wr_varlong(sm_buf_t *buf, int64_t v)
{
    uint8_t tmp[10];
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    return sm_buf_write(buf, tmp, sm_leb128_encode(z, tmp));
}

size_t
sm_uvarint_size(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t
sm_varint_size(int32_t v)
{
    return sm_uvarint_size(((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

size_t
sm_varlong_size(int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        n++;
    }
    return n;
}

size_t
sm_wr_uuid(sm_buf_t *buf, const sm_uuid_t *u)
{
    return sm_buf_write(buf, u->b, 16);
}

static size_t
sm_wr_len(sm_buf_t *buf, int32_t len, int flex, int wide)
{
    if (flex)
        return sm_wr_uvarint(buf, (uint32_t)(len + 1));
    return wide ? sm_wr_i32(buf, len) : sm_wr_i16(buf, (int16_t)len);
}

size_t
sm_wr_str(sm_buf_t *buf, sm_str_t s, int flex)
{
    size_t off;

    if (s.len < 0)
        return sm_wr_len(buf, -1, flex, 0);
    sm_assert(s.len <= INT16_MAX || flex);
    off = sm_wr_len(buf, s.len, flex, 0);
    sm_buf_write(buf, s.ptr, (size_t)s.len);
    return off;
}

size_t
sm_wr_cstr(sm_buf_t *buf, const char *s, int flex)
{
    return sm_wr_str(buf, sm_str_cstr(s), flex);
}

size_t
sm_wr_bytes(sm_buf_t *buf, sm_bytes_t b, int flex)
{
    size_t off;

    if (b.len < 0)
        return sm_wr_len(buf, -1, flex, 1);
    off = sm_wr_len(buf, b.len, flex, 1);
    sm_buf_write(buf, b.ptr, (size_t)b.len);
    return off;
}

size_t
sm_wr_array_len(sm_buf_t *buf, int32_t n, int flex)
{
    return sm_wr_len(buf, n < 0 ? -1 : n, flex, 1);
}

size_t
sm_wr_array_begin(sm_buf_t *buf, int flex)
{
    /* 4 bytes for the int32, or the widest uvarint of a count (5 bytes) */
    return sm_buf_skip(buf, flex ? 5 : 4);
}

void
sm_wr_array_end(sm_buf_t *buf, size_t pos, int32_t n, int flex)
{
    uint8_t tmp[10];
    size_t w;

    if (!flex) {
        sm_wr_patch_i32(buf, pos, n);
        return;
    }
    w = sm_leb128_encode((uint32_t)(n + 1), tmp);
    memcpy(buf->data + pos, tmp, w);
    if (w < 5) {
        memmove(buf->data + pos + w, buf->data + pos + 5,
                buf->len - pos - 5);
        buf->len -= 5 - w;
    }
}

size_t
sm_wr_tags_empty(sm_buf_t *buf)
{
    return sm_wr_uvarint(buf, 0);
}

void
sm_wr_patch_i16(sm_buf_t *buf, size_t off, int16_t v)
{
    sm_assert(off + 2 <= buf->len);
    sm_store_be16(buf->data + off, (uint16_t)v);
}

void
sm_wr_patch_i32(sm_buf_t *buf, size_t off, int32_t v)
{
    sm_assert(off + 4 <= buf->len);
    sm_store_be32(buf->data + off, (uint32_t)v);
}

void
sm_wr_patch_u32(sm_buf_t *buf, size_t off, uint32_t v)
{
    sm_wr_patch_i32(buf, off, (int32_t)v);
}

void
sm_wr_patch_i64(sm_buf_t *buf, size_t off, int64_t v)
{
    sm_assert(off + 8 <= buf->len);
    sm_store_be64(buf->data + off, (uint64_t)v);
}
