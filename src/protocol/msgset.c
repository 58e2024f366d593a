/*
 * msgset.c: legacy messages (magic 0 and 1, records.h has the layout):
 * parsing one message, writing one, and iterating the records of a legacy
 * entry, including the inner messages of a compressed wrapper.
 *
 * COMPRESSED WRAPPERS.  The wrapper's value is a compressed MessageSet.  It
 * is decompressed whole into it->decomp (bounded by the caller's max) and
 * checked completely before the first record is returned, because magic 1
 * needs the last inner offset to make the others absolute (Kafka's
 * AbstractLegacyRecordBatch.DeepRecordsIterator does the same):
 *
 *   magic 1: absolute = wrapper Offset - last inner offset + inner offset;
 *            a wrapper Offset of 0 means the inner offsets are used as they
 *            are (some librdkafka versions produce that), and a wrapper
 *            Offset below the last inner offset is corrupt.
 *   magic 0: inner offsets are absolute.
 *
 * Every inner message must be magic 0/1, uncompressed (no nested
 * compression), carry a valid CRC and lengths that fill it; an empty inner
 * set is corrupt.  An inner magic-1 message of a LogAppendTime wrapper
 * reports the wrapper's timestamp.
 *
 * Ownership: sm_legacy_msg_t and records borrow from the entry or from
 * it->decomp, which sm_rec_iter_fini() frees.
 */
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "protocol/records_int.h"

/* Read one int32 length-prefixed nullable field at p[*pos..size). */
static sm_err_t
sm_legacy_field(const uint8_t *p, size_t size, size_t *pos, sm_bytes_t *f)
{
    int32_t len;

    if (size - *pos < 4)
        return SM_ERR__TRUNCATED;
    len = (int32_t)sm_load_be32(p + *pos);
    *pos += 4;
    if (len < -1)
        return SM_ERR__BAD_MSG;
    if (len == -1) {
        *f = SM_BYTES_NULL;
        return SM_OK;
    }
    if ((size_t)len > size - *pos)
        return SM_ERR__TRUNCATED;
    f->ptr = p + *pos;
    f->len = len;
    *pos += (size_t)len;
    return SM_OK;
}

sm_err_t
sm_legacy_parse(const uint8_t *p, size_t size, sm_legacy_msg_t *m)
{
    size_t pos;
    sm_err_t err;

    if (size < SM_MSG_V0_HDR_SIZE)
        return SM_ERR__TRUNCATED;
    m->offset = (int64_t)sm_load_be64(p);
    m->magic = (int8_t)p[SM_MAGIC_OFFSET];
    m->attributes = (int8_t)p[SM_MSG_OFF_ATTRIBUTES];
    if (m->magic != 0 && m->magic != 1)
        return SM_ERR__BAD_MSG;
    if ((size_t)sm_load_be32(p + SM_BATCH_OFF_LENGTH) + SM_LOG_OVERHEAD !=
        size)
        return SM_ERR__BAD_MSG;
    if (m->magic == 1) {
        if (size < SM_MSG_V1_HDR_SIZE)
            return SM_ERR__TRUNCATED;
        m->timestamp = (int64_t)sm_load_be64(p + SM_MSG_OFF_TIMESTAMP);
        pos = SM_MSG_OFF_TIMESTAMP + 8;
    } else {
        m->timestamp = SM_NO_TIMESTAMP;
        pos = SM_MSG_OFF_TIMESTAMP;
    }
    err = sm_legacy_field(p, size, &pos, &m->key);
    if (err == SM_OK)
        err = sm_legacy_field(p, size, &pos, &m->value);
    if (err == SM_OK && pos != size)
        err = SM_ERR__BAD_MSG;       /* bytes after the value */
    return err;
}

static void
sm_legacy_write_field(sm_buf_t *out, sm_bytes_t f)
{
    size_t off = sm_buf_skip(out, 4);

    sm_store_be32(out->data + off, (uint32_t)(f.len < 0 ? -1 : f.len));
    if (f.len > 0)
        sm_buf_write(out, f.ptr, (size_t)f.len);
}

size_t
sm_legacy_write(sm_buf_t *out, int64_t offset, int8_t magic,
                int8_t attributes, int64_t timestamp, sm_bytes_t key,
                sm_bytes_t value)
{
    size_t start = sm_buf_skip(out, magic == 1 ? 26 : 18);
    uint8_t *p;
    size_t size;

    sm_legacy_write_field(out, key);
    sm_legacy_write_field(out, value);
    p = out->data + start;
    size = out->len - start;
    sm_store_be64(p, (uint64_t)offset);
    sm_store_be32(p + SM_BATCH_OFF_LENGTH,
                  (uint32_t)(size - SM_LOG_OVERHEAD));
    p[SM_MAGIC_OFFSET] = (uint8_t)magic;
    p[SM_MSG_OFF_ATTRIBUTES] = (uint8_t)attributes;
    if (magic == 1)
        sm_store_be64(p + SM_MSG_OFF_TIMESTAMP, (uint64_t)timestamp);
    sm_store_be32(p + SM_MSG_OFF_CRC,
                  sm_crc32(0, p + SM_MAGIC_OFFSET, size - SM_MAGIC_OFFSET));
    return start;
}

/* ------------------------------------------------------- record iterator */

/*
 * Check every inner message of a decompressed wrapper payload; returns
 * the number found and the Offset field of the last one.
 */
static sm_err_t
sm_legacy_inner_scan(const sm_buf_t *set, int32_t *count, int64_t *last)
{
    sm_batch_iter_t bi;
    sm_batch_t in;
    sm_err_t err;

    *count = 0;
    sm_batch_iter_init(&bi, set->data, set->len);
    while (sm_batch_next(&bi, &in)) {
        if (in.magic > 1)
            return SM_ERR__BAD_MSG;
        err = sm_batch_validate(&in);
        if (err != SM_OK)
            return err;
        if (in.codec != SM_CODEC_NONE)
            return SM_ERR__BAD_MSG;       /* nested compression */
        if (*count == INT32_MAX)
            return SM_ERR__TOO_LARGE;
        (*count)++;
        *last = in.base_offset;
    }
    if (bi.err != SM_OK)
        return sm_rec_err(bi.err);
    if (bi.partial)
        return SM_ERR__TRUNCATED;
    return *count == 0 ? SM_ERR__BAD_MSG : SM_OK;
}

/* Decompress and check a wrapper's inner set (it->decomp). */
static sm_err_t
sm_legacy_wrapper_open(sm_rec_iter_t *it, const sm_legacy_msg_t *w,
                       size_t max_decompressed)
{
    const sm_batch_t *b = it->batch;
    int flags = b->magic == 0 ? SM_COMPRESS_LZ4_LEGACY : 0;
    int64_t last = 0;
    sm_err_t err;

    if (b->codec > SM_CODEC_LZ4)
        return SM_ERR__UNSUPPORTED_CODEC;  /* zstd needs magic 2 */
    if (w->value.len < 0)
        return SM_ERR__BAD_MSG;
    err = sm_decompress(b->codec, sm_slice(w->value.ptr, (size_t)w->value.len),
                        max_decompressed, &it->decomp, flags);
    if (err != SM_OK)
        return err;
    err = sm_legacy_inner_scan(&it->decomp, &it->remaining, &last);
    if (err != SM_OK)
        return err;
    it->legacy_offset_adj = 0;
    if (b->magic == 1 && w->offset != 0) {
        if (w->offset < last)
            return SM_ERR__BAD_MSG;
        it->legacy_offset_adj =
            (int64_t)((uint64_t)w->offset - (uint64_t)last);
    }
    it->legacy_inner = 1;
    it->pos = it->decomp.data;
    it->end = it->decomp.data + it->decomp.len;
    return SM_OK;
}

sm_err_t
sm_rec_iter_legacy_init(sm_rec_iter_t *it, size_t max_decompressed)
{
    const sm_batch_t *b = it->batch;
    sm_legacy_msg_t w;
    sm_err_t err;

    err = sm_legacy_parse(b->ptr, b->size, &w);
    if (err != SM_OK)
        return err;
    if (b->codec != SM_CODEC_NONE)
        return sm_legacy_wrapper_open(it, &w, max_decompressed);
    /* a plain message is its own single record */
    it->remaining = 1;
    it->pos = b->ptr;
    it->end = b->ptr + b->size;
    return SM_OK;
}

static void
sm_legacy_to_record(const sm_legacy_msg_t *m, int8_t magic, sm_record_t *rec)
{
    rec->offset = m->offset;
    rec->timestamp = m->timestamp;
    rec->magic = magic;
    rec->attributes = m->attributes;
    rec->key = m->key;
    rec->value = m->value;
    rec->header_count = 0;
    rec->headers = sm_slice(NULL, 0);
}

int
sm_rec_iter_legacy_next(sm_rec_iter_t *it, sm_record_t *rec)
{
    const sm_batch_t *b = it->batch;
    size_t size = (size_t)(it->end - it->pos);
    sm_legacy_msg_t m;
    sm_err_t err;

    if (it->legacy_inner)   /* scanned already: sizes are known good */
        size = SM_LOG_OVERHEAD + sm_load_be32(it->pos + SM_BATCH_OFF_LENGTH);
    err = sm_legacy_parse(it->pos, size, &m);
    if (err != SM_OK) {
        it->err = err;
        return 0;
    }
    sm_legacy_to_record(&m, b->magic, rec);
    if (it->legacy_inner) {
        if (b->magic == 1)
            rec->offset = sm_i64_add(m.offset, it->legacy_offset_adj);
        if (m.magic == 1 && b->magic == 1 &&
            (b->attributes & SM_MSG_ATTR_LAT))
            rec->timestamp = b->max_timestamp;
    }
    it->pos += size;
    it->remaining--;
    return 1;
}
