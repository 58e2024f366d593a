/*
 * convert.c: converting records between magic versions for clients that
 * speak an older protocol (protocol.md §1.9, §3).
 *
 * UP (Produce v0-2 -> the v2 log), after Kafka's LogValidator:
 *   every entry is CRC-checked and its records (a compressed wrapper's inner
 *   messages included) become ONE v2 batch with relative offsets 0..n-1.
 *   The batch keeps the input's codec (the last compressed entry's, as
 *   LogValidator's sourceCompression), CreateTime, no producer id.  Magic-0
 *   records keep timestamp -1, magic-1 ones theirs.  A partial trailing
 *   entry is corrupt here: a Produce request is complete or wrong.
 *
 * DOWN (the v2 log -> Fetch v0-3), after Kafka's RecordsUtil.downConvert:
 *   - control batches are dropped; a zstd batch is an error
 *     (UNSUPPORTED_COMPRESSION_TYPE), as the client could not read it;
 *   - entries already at or below the target magic are copied unchanged;
 *   - a compressed batch becomes one compressed wrapper with the same codec
 *     (all its records, whatever first_offset says);
 *   - an uncompressed batch becomes one message per record, skipping those
 *     below first_offset;
 *   - offsets are kept, headers dropped, LogAppendTime kept (magic 1);
 *   - a batch left with no records produces nothing;
 *   - a partial trailing batch is dropped (Fetch may cut the last one).
 * Transactional data batches are kept: aborted-transaction filtering is the
 * consumer's job, and v0-3 clients only read uncommitted anyway.
 *
 * On error the output buffer is restored to its original length.
 * Ownership: out is the caller's; nothing else outlives a call.
 */
#include <string.h>

#include "common/sm_mem.h"
#include "protocol/records_int.h"

/* Growable scratch array for one record's headers. */
typedef struct sm_hdr_vec {
    sm_record_header_t *v;
    int32_t cap;
} sm_hdr_vec_t;

static int
sm_hdr_vec_decode(sm_hdr_vec_t *hv, const sm_record_t *rec)
{
    if (rec->header_count > hv->cap) {
        hv->v = sm_realloc(hv->v, sizeof(*hv->v) * (size_t)rec->header_count);
        hv->cap = rec->header_count;
    }
    return sm_record_headers(rec, hv->v, hv->cap);
}

/* Check every entry; pick the output codec. */
static sm_err_t
sm_upconvert_scan(sm_slice_t in, sm_codec_t *codec)
{
    sm_batch_iter_t bi;
    sm_batch_t b;
    sm_err_t err;

    *codec = SM_CODEC_NONE;
    sm_batch_iter_init(&bi, in.ptr, in.len);
    while (sm_batch_next(&bi, &b)) {
        err = sm_batch_validate(&b);
        if (err != SM_OK)
            return err;
        if (b.magic == 2 && (b.attributes & SM_ATTR_CONTROL))
            return SM_ERR__BAD_MSG;    /* clients never write control */
        if (b.codec != SM_CODEC_NONE)
            *codec = b.codec;
    }
    if (bi.err != SM_OK)
        return bi.err;
    return bi.partial ? SM_ERR__TRUNCATED : SM_OK;
}

static sm_err_t
sm_upconvert_entry(sm_batch_builder_t *bb, const sm_batch_t *b,
                   size_t max_decompressed, sm_hdr_vec_t *hv)
{
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_err_t err;

    err = sm_rec_iter_init(&it, b, max_decompressed);
    while (err == SM_OK && sm_rec_iter_next(&it, &rec)) {
        int n = sm_hdr_vec_decode(hv, &rec);
        if (n < 0)
            err = SM_ERR__BAD_MSG;
        else if (bb->count == INT32_MAX)
            err = SM_ERR__TOO_LARGE;
        else
            sm_batch_builder_add(bb, rec.timestamp, rec.key, rec.value,
                                 hv->v, n);
    }
    if (err == SM_OK)
        err = it.err;
    sm_rec_iter_fini(&it);
    return err;
}

sm_err_t
sm_records_upconvert(sm_slice_t in, sm_buf_t *out, size_t max_decompressed)
{
    sm_batch_builder_t bb;
    sm_batch_iter_t bi;
    sm_hdr_vec_t hv = { NULL, 0 };
    sm_batch_t b;
    sm_codec_t codec;
    sm_err_t err;

    err = sm_upconvert_scan(in, &codec);
    if (err != SM_OK)
        return err;
    sm_batch_builder_init(&bb, out, 2, codec, 0);
    sm_batch_iter_init(&bi, in.ptr, in.len);
    while (err == SM_OK && sm_batch_next(&bi, &b))
        err = sm_upconvert_entry(&bb, &b, max_decompressed, &hv);
    if (err == SM_OK)
        err = sm_batch_builder_finish(&bb);
    else
        sm_batch_builder_abort(&bb);
    sm_free(hv.v);
    return err;
}

/* ------------------------------------------------------------------ down */

/* Add one record to the lazily started builder of a converted entry. */
static sm_err_t
sm_downconvert_add(sm_batch_builder_t *bb, int *started, const sm_batch_t *b,
                   int8_t to_magic, const sm_record_t *rec)
{
    if (!*started) {
        sm_batch_builder_init(bb, bb->out, to_magic, b->codec, rec->offset);
        if (b->attributes & SM_ATTR_LOG_APPEND_TIME)
            sm_batch_builder_set_log_append_time(bb, b->max_timestamp);
        *started = 1;
    } else if (rec->offset <= bb->last_offset ||
               (uint64_t)rec->offset - (uint64_t)bb->base_offset >
               INT32_MAX) {
        return SM_ERR__BAD_MSG;        /* offsets must increase */
    }
    sm_batch_builder_add_at(bb, rec->offset, rec->timestamp, rec->key,
                            rec->value, NULL, 0);
    return SM_OK;
}

static sm_err_t
sm_downconvert_entry(const sm_batch_t *b, int8_t to_magic,
                     int64_t first_offset, sm_buf_t *out,
                     size_t max_decompressed)
{
    sm_batch_builder_t bb;
    sm_rec_iter_t it;
    sm_record_t rec;
    int started = 0;
    sm_err_t err;

    bb.out = out;
    err = sm_rec_iter_init(&it, b, max_decompressed);
    while (err == SM_OK && sm_rec_iter_next(&it, &rec)) {
        if (b->codec == SM_CODEC_NONE && rec.offset < first_offset)
            continue;
        err = sm_downconvert_add(&bb, &started, b, to_magic, &rec);
    }
    if (err == SM_OK)
        err = it.err;
    sm_rec_iter_fini(&it);
    if (started && err == SM_OK)
        err = sm_batch_builder_finish(&bb);
    else if (started)
        sm_batch_builder_abort(&bb);
    return err;
}

sm_err_t
sm_records_downconvert_from(sm_slice_t in, int8_t to_magic,
                            int64_t first_offset, sm_buf_t *out,
                            size_t max_decompressed)
{
    size_t start = out->len;
    sm_batch_iter_t bi;
    sm_batch_t b;
    sm_err_t err = SM_OK;

    if (to_magic < 0 || to_magic > 2)
        return SM_ERR__INVALID_ARG;
    sm_batch_iter_init(&bi, in.ptr, in.len);
    while (err == SM_OK && sm_batch_next(&bi, &b)) {
        if (to_magic < 2 && (b.magic == 2 && (b.attributes & SM_ATTR_CONTROL)))
            continue;
        if (to_magic < 2 && b.codec == SM_CODEC_ZSTD)
            err = SM_ERR_UNSUPPORTED_COMPRESSION_TYPE;
        else if (b.magic <= to_magic)
            sm_buf_write(out, b.ptr, b.size);
        else
            err = sm_downconvert_entry(&b, to_magic, first_offset, out,
                                       max_decompressed);
    }
    if (err == SM_OK)
        err = bi.err;
    if (err != SM_OK)
        out->len = start;
    return err;
}

sm_err_t
sm_records_downconvert(sm_slice_t in, int8_t to_magic, sm_buf_t *out,
                       size_t max_decompressed)
{
    return sm_records_downconvert_from(in, to_magic, INT64_MIN, out,
                                       max_decompressed);
}
