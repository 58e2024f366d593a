/*
 * msg.c: helpers shared by the message codecs (conventions in msg.h).
 *
 * Every allocation here is sized by a count that sm_rd_array() has already
 * bounded by the bytes left in the frame, times the element's minimum wire
 * size; so the largest allocation a frame can cause is a small multiple of
 * the frame size, itself bounded by socket.request.max.bytes.
 */
#include "common/sm_mem.h"
#include "protocol/msg.h"

int
sm_msg_rd_version(sm_rd_t *rd, int16_t version, int16_t max)
{
    if (version < 0 || version > max)
        sm_rd_fail(rd, SM_ERR_UNSUPPORTED_VERSION);
    return rd->err == SM_OK;
}

int32_t
sm_msg_rd_count(sm_rd_t *rd, int flex, size_t min_elem, int nullable)
{
    int32_t n = sm_rd_array(rd, flex, min_elem);

    if (n < 0 && !nullable) {
        sm_rd_fail(rd, SM_ERR__NEGATIVE_LENGTH);
        return 0;
    }
    return n;
}

void *
sm_msg_calloc(int32_t n, size_t size)
{
    if (n <= 0)
        return NULL;
    return sm_calloc((size_t)n, size);
}

int32_t *
sm_msg_rd_i32s(sm_rd_t *rd, int flex, int nullable, int32_t *cntp)
{
    int32_t n = sm_msg_rd_count(rd, flex, 4, nullable);
    int32_t *v = sm_msg_calloc(n, sizeof(*v));

    for (int32_t i = 0; i < n; i++)
        v[i] = sm_rd_i32(rd);
    *cntp = n;
    return v;
}

int64_t *
sm_msg_rd_i64s(sm_rd_t *rd, int flex, int nullable, int32_t *cntp)
{
    int32_t n = sm_msg_rd_count(rd, flex, 8, nullable);
    int64_t *v = sm_msg_calloc(n, sizeof(*v));

    for (int32_t i = 0; i < n; i++)
        v[i] = sm_rd_i64(rd);
    *cntp = n;
    return v;
}

sm_str_t *
sm_msg_rd_strs(sm_rd_t *rd, int flex, int nullable, int32_t *cntp)
{
    int32_t n = sm_msg_rd_count(rd, flex, SM_MSG_STR_MIN(flex), nullable);
    sm_str_t *v = sm_msg_calloc(n, sizeof(*v));

    for (int32_t i = 0; i < n; i++)
        v[i] = sm_rd_str(rd, flex);
    *cntp = n;
    return v;
}

void
sm_msg_wr_count(sm_buf_t *buf, int32_t n, int flex, int nullable)
{
    if (n < 0 && !nullable)
        n = 0;
    sm_wr_array_len(buf, n, flex);
}

void
sm_msg_wr_i32s(sm_buf_t *buf, const int32_t *v, int32_t n, int flex,
               int nullable)
{
    sm_msg_wr_count(buf, n, flex, nullable);
    for (int32_t i = 0; i < n; i++)
        sm_wr_i32(buf, v[i]);
}

void
sm_msg_wr_i64s(sm_buf_t *buf, const int64_t *v, int32_t n, int flex,
               int nullable)
{
    sm_msg_wr_count(buf, n, flex, nullable);
    for (int32_t i = 0; i < n; i++)
        sm_wr_i64(buf, v[i]);
}

void
sm_msg_wr_strs(sm_buf_t *buf, const sm_str_t *v, int32_t n, int flex,
               int nullable)
{
    sm_msg_wr_count(buf, n, flex, nullable);
    for (int32_t i = 0; i < n; i++)
        sm_msg_wr_str(buf, v[i], flex);
}

void
sm_msg_wr_str(sm_buf_t *buf, sm_str_t s, int flex)
{
    sm_wr_str(buf, s.len < 0 ? SM_STR_EMPTY : s, flex);
}

void
sm_msg_wr_bytes(sm_buf_t *buf, sm_bytes_t b, int flex)
{
    static const uint8_t none[1];

    if (b.len < 0)
        b = (sm_bytes_t){ none, 0 };
    sm_wr_bytes(buf, b, flex);
}
