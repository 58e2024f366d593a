/*
 * builder.c: writing one records entry (sm_batch_builder_*, records.h has
 * the layouts).
 *
 * Records are encoded into bb->recs as they are added; finish() writes the
 * header, compresses bb->recs if asked, and appends the entry to *bb->out
 * in one go, so a failed finish() leaves *out as it was.  What each magic
 * produces, following Kafka's MemoryRecordsBuilder:
 *
 *   magic 2        one RecordBatch.  BaseTimestamp = first record's
 *                  timestamp, MaxTimestamp = the largest (or the append time
 *                  for LogAppendTime), LastOffsetDelta = last - base.
 *                  Compressed batches are always written compressed, even
 *                  when that is larger (the Java producer does the same).
 *   magic 0/1,     one message per record, Offset absolute.
 *     no codec
 *   magic 0/1,     one wrapper message whose value is the compressed inner
 *     compressed   set.  Wrapper Offset = the last record's offset; inner
 *                  offsets relative to base_offset for magic 1, absolute for
 *                  magic 0; wrapper Timestamp (magic 1) = the largest inner
 *                  timestamp, or the append time.  LZ4 under magic 0 gets
 *                  the broken KAFKA-3160 header checksum (codec_flags).
 *
 * Extra v2 attributes (transactional, control) are set by the caller in
 * bb->attributes after init (set_producer sets the transactional bit);
 * finish() refuses them for magic 0/1, and zstd below magic 2.
 *
 * Ownership: the builder owns bb->recs until finish() or abort(), which both
 * free it.  Keys, values and headers passed to add() are copied.
 */
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "protocol/codec.h"
#include "protocol/records_int.h"

void
sm_batch_builder_init(sm_batch_builder_t *bb, sm_buf_t *out, int8_t magic,
                      sm_codec_t codec, int64_t base_offset)
{
    sm_assert(magic >= 0 && magic <= 2);
    memset(bb, 0, sizeof(*bb));
    bb->out = out;
    bb->out_start = out->len;
    bb->magic = magic;
    bb->codec = codec;
    bb->codec_flags = magic == 0 && codec == SM_CODEC_LZ4
                      ? SM_COMPRESS_LZ4_LEGACY : 0;
    bb->base_offset = base_offset;
    bb->base_timestamp = SM_NO_TIMESTAMP;
    bb->max_timestamp = SM_NO_TIMESTAMP;
    bb->last_offset = base_offset - 1;
    bb->producer_id = SM_NO_PRODUCER_ID;
    bb->producer_epoch = -1;
    bb->base_sequence = -1;
    bb->partition_leader_epoch = -1;
    bb->log_append_time = SM_NO_TIMESTAMP;
    sm_buf_init(&bb->recs, 0);
}

void
sm_batch_builder_set_producer(sm_batch_builder_t *bb, int64_t pid,
                              int16_t epoch, int32_t base_seq,
                              int transactional)
{
    bb->producer_id = pid;
    bb->producer_epoch = epoch;
    bb->base_sequence = base_seq;
    if (transactional)
        bb->attributes |= SM_ATTR_TRANSACTIONAL;
    else
        bb->attributes &= ~SM_ATTR_TRANSACTIONAL;
}

void
sm_batch_builder_set_log_append_time(sm_batch_builder_t *bb, int64_t now_ms)
{
    sm_assert(bb->count == 0);
    bb->attributes |= SM_ATTR_LOG_APPEND_TIME;
    bb->log_append_time = now_ms;
}

static size_t
sm_vbytes_size(int32_t len)
{
    return sm_varint_size(len < 0 ? -1 : len) + (len > 0 ? (size_t)len : 0);
}

static void
sm_wr_vbytes(sm_buf_t *buf, const void *p, int32_t len)
{
    sm_wr_varint(buf, len < 0 ? -1 : len);
    if (len > 0)
        sm_buf_write(buf, p, (size_t)len);
}

/* One v2 record: Length varint, then the body Kafka's DefaultRecord
 * writes. */
static void
sm_builder_add_v2(sm_batch_builder_t *bb, int32_t off_delta, int64_t ts_delta,
                  sm_bytes_t key, sm_bytes_t value,
                  const sm_record_header_t *hdrs, int nhdrs)
{
    size_t body = 1 + sm_varlong_size(ts_delta) + sm_varint_size(off_delta) +
                  sm_vbytes_size(key.len) + sm_vbytes_size(value.len) +
                  sm_varint_size(nhdrs);
    size_t start;

    for (int i = 0; i < nhdrs; i++) {
        sm_assert(hdrs[i].key.len >= 0);       /* header keys are not null */
        body += sm_vbytes_size(hdrs[i].key.len) +
                sm_vbytes_size(hdrs[i].value.len);
    }
    sm_assert(body <= INT32_MAX);
    sm_wr_varint(&bb->recs, (int32_t)body);
    start = bb->recs.len;
    sm_wr_i8(&bb->recs, 0);                    /* record attributes */
    sm_wr_varlong(&bb->recs, ts_delta);
    sm_wr_varint(&bb->recs, off_delta);
    sm_wr_vbytes(&bb->recs, key.ptr, key.len);
    sm_wr_vbytes(&bb->recs, value.ptr, value.len);
    sm_wr_varint(&bb->recs, nhdrs);
    for (int i = 0; i < nhdrs; i++) {
        sm_wr_vbytes(&bb->recs, hdrs[i].key.ptr, hdrs[i].key.len);
        sm_wr_vbytes(&bb->recs, hdrs[i].value.ptr, hdrs[i].value.len);
    }
    sm_assert(bb->recs.len - start == body);
}

static void
sm_builder_add_legacy(sm_batch_builder_t *bb, int64_t offset,
                      int64_t timestamp, sm_bytes_t key, sm_bytes_t value)
{
    int lat = bb->magic == 1 && (bb->attributes & SM_ATTR_LOG_APPEND_TIME);
    int8_t attrs = lat ? SM_MSG_ATTR_LAT : 0;

    if (bb->magic == 0)
        timestamp = SM_NO_TIMESTAMP;
    else if (lat)
        timestamp = bb->log_append_time;
    if (bb->magic == 1 && bb->codec != SM_CODEC_NONE)
        offset = offset - bb->base_offset;     /* relative inner offset */
    sm_legacy_write(&bb->recs, offset, bb->magic, attrs, timestamp, key,
                    value);
    if (bb->magic == 1 && timestamp > bb->max_timestamp)
        bb->max_timestamp = timestamp;
}

void
sm_batch_builder_add_at(sm_batch_builder_t *bb, int64_t offset,
                        int64_t timestamp, sm_bytes_t key, sm_bytes_t value,
                        const sm_record_header_t *hdrs, int nhdrs)
{
    sm_assert(offset > bb->last_offset && offset >= bb->base_offset);
    sm_assert(offset - bb->base_offset <= INT32_MAX && bb->count < INT32_MAX);
    sm_assert(nhdrs >= 0);
    if (bb->magic == 2) {
        if (bb->count == 0)
            bb->base_timestamp = timestamp;
        sm_builder_add_v2(bb, (int32_t)(offset - bb->base_offset),
                          (int64_t)((uint64_t)timestamp -
                                    (uint64_t)bb->base_timestamp),
                          key, value, hdrs, nhdrs);
        if (timestamp > bb->max_timestamp)
            bb->max_timestamp = timestamp;
    } else {
        sm_assert(nhdrs == 0);    /* legacy messages have no headers */
        sm_builder_add_legacy(bb, offset, timestamp, key, value);
    }
    bb->last_offset = offset;
    bb->count++;
}

void
sm_batch_builder_add(sm_batch_builder_t *bb, int64_t timestamp,
                     sm_bytes_t key, sm_bytes_t value,
                     const sm_record_header_t *hdrs, int nhdrs)
{
    sm_batch_builder_add_at(bb, bb->last_offset + 1, timestamp, key, value,
                            hdrs, nhdrs);
}

/* The 61-byte v2 header, written over out[start..) after the records. */
static void
sm_builder_v2_header(const sm_batch_builder_t *bb, uint8_t *p, size_t size)
{
    int64_t max_ts = (bb->attributes & SM_ATTR_LOG_APPEND_TIME)
                     ? bb->log_append_time : bb->max_timestamp;

    sm_store_be64(p + SM_BATCH_OFF_BASE_OFFSET, (uint64_t)bb->base_offset);
    sm_store_be32(p + SM_BATCH_OFF_LENGTH, (uint32_t)(size - SM_LOG_OVERHEAD));
    sm_store_be32(p + SM_BATCH_OFF_LEADER_EPOCH,
                  (uint32_t)bb->partition_leader_epoch);
    p[SM_BATCH_OFF_MAGIC] = 2;
    sm_store_be16(p + SM_BATCH_OFF_ATTRIBUTES,
                  (uint16_t)((bb->attributes & ~SM_ATTR_CODEC_MASK) |
                             (int)bb->codec));
    sm_store_be32(p + SM_BATCH_OFF_LAST_DELTA,
                  (uint32_t)(bb->last_offset - bb->base_offset));
    sm_store_be64(p + SM_BATCH_OFF_BASE_TS, (uint64_t)bb->base_timestamp);
    sm_store_be64(p + SM_BATCH_OFF_MAX_TS, (uint64_t)max_ts);
    sm_store_be64(p + SM_BATCH_OFF_PRODUCER_ID, (uint64_t)bb->producer_id);
    sm_store_be16(p + SM_BATCH_OFF_PRODUCER_EP, (uint16_t)bb->producer_epoch);
    sm_store_be32(p + SM_BATCH_OFF_BASE_SEQ, (uint32_t)bb->base_sequence);
    sm_store_be32(p + SM_BATCH_OFF_COUNT, (uint32_t)bb->count);
    sm_batch_v2_update_crc(p, size);
}

static sm_err_t
sm_builder_finish_v2(sm_batch_builder_t *bb)
{
    sm_buf_t *out = bb->out;
    size_t start = out->len;
    sm_err_t err;

    sm_buf_skip(out, SM_BATCH_V2_HDR_SIZE);
    err = sm_compress(bb->codec, -1, sm_slice(bb->recs.data, bb->recs.len),
                      out, bb->codec_flags);
    if (err != SM_OK)
        return err;
    if (out->len - start - SM_LOG_OVERHEAD > INT32_MAX)
        return SM_ERR__TOO_LARGE;
    sm_builder_v2_header(bb, out->data + start, out->len - start);
    return SM_OK;
}

/* One wrapper message around the compressed inner set. */
static sm_err_t
sm_builder_finish_wrapper(sm_batch_builder_t *bb)
{
    sm_buf_t *out = bb->out;
    int lat = bb->magic == 1 && (bb->attributes & SM_ATTR_LOG_APPEND_TIME);
    size_t start, vstart;
    uint8_t *p;
    sm_err_t err;

    /* write an empty-valued wrapper first to get the header right, then
     * drop its 4-byte null value length and append the real value */
    start = sm_legacy_write(out, bb->last_offset, bb->magic,
                            (int8_t)(bb->codec | (lat ? SM_MSG_ATTR_LAT : 0)),
                            lat ? bb->log_append_time : bb->max_timestamp,
                            SM_BYTES_NULL, SM_BYTES_NULL);
    vstart = out->len;
    err = sm_compress(bb->codec, -1, sm_slice(bb->recs.data, bb->recs.len),
                      out, bb->codec_flags);
    if (err != SM_OK)
        return err;
    if (out->len - start - SM_LOG_OVERHEAD > INT32_MAX)
        return SM_ERR__TOO_LARGE;
    p = out->data + start;
    sm_store_be32(out->data + vstart - 4, (uint32_t)(out->len - vstart));
    sm_store_be32(p + SM_BATCH_OFF_LENGTH,
                  (uint32_t)(out->len - start - SM_LOG_OVERHEAD));
    sm_store_be32(p + SM_MSG_OFF_CRC,
                  sm_crc32(0, p + SM_MAGIC_OFFSET,
                           out->len - start - SM_MAGIC_OFFSET));
    return SM_OK;
}

static sm_err_t
sm_builder_check(const sm_batch_builder_t *bb)
{
    if ((unsigned)bb->codec >= SM_CODEC__CNT)
        return SM_ERR__UNSUPPORTED_CODEC;
    if (bb->magic == 2)
        return SM_OK;
    if (bb->codec == SM_CODEC_ZSTD)
        return SM_ERR__UNSUPPORTED_CODEC;      /* zstd needs magic 2 */
    if (bb->attributes & (SM_ATTR_TRANSACTIONAL | SM_ATTR_CONTROL))
        return SM_ERR__INVALID_ARG;
    return SM_OK;
}

sm_err_t
sm_batch_builder_finish(sm_batch_builder_t *bb)
{
    sm_err_t err = SM_OK;

    if (bb->count == 0)
        goto out;
    err = sm_builder_check(bb);
    if (err != SM_OK)
        goto out;
    bb->out_start = bb->out->len;   /* the entry starts here */
    if (bb->magic == 2)
        err = sm_builder_finish_v2(bb);
    else if (bb->codec == SM_CODEC_NONE)
        sm_buf_write(bb->out, bb->recs.data, bb->recs.len);
    else
        err = sm_builder_finish_wrapper(bb);
    if (err != SM_OK)
        bb->out->len = bb->out_start;
out:
    sm_buf_fini(&bb->recs);
    bb->count = 0;
    return err;
}

void
sm_batch_builder_abort(sm_batch_builder_t *bb)
{
    sm_buf_fini(&bb->recs);
    bb->count = 0;
}
