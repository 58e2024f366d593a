/*
 * validator.c: the Produce-side record checks and conversions described in
 * validator.h.
 *
 * Flow: one pass over the outer entries decides the shape (all v2, all
 * legacy, or invalid) and checks framing, size and CRC; a second pass
 * iterates every record of every entry (the only way to know the records
 * are well-formed, which Kafka also insists on).  Only then, if the input
 * is legacy or the topic forces a codec, is anything rebuilt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "log/validator.h"
#include "protocol/records.h"

/* First pass: framing, size, CRC, magic mix. */
static sm_err_t
sm_validate_framing(const sm_validate_cfg_t *cfg, const uint8_t *in,
                    size_t len, int *legacy, sm_validate_result_t *res)
{
    sm_batch_iter_t it;
    sm_batch_t b;
    int n = 0, nlegacy = 0;

    sm_batch_iter_init(&it, in, len);
    while (sm_batch_next(&it, &b)) {
        n++;
        nlegacy += b.magic < 2;
        if (cfg->max_message_bytes > 0 &&
            b.size > (size_t)cfg->max_message_bytes) {
            res->reason = "record batch larger than max.message.bytes";
            return SM_ERR_MESSAGE_TOO_LARGE;
        }
        if (sm_batch_validate(&b) != SM_OK) {
            res->reason = "record batch failed its CRC or header check";
            return SM_ERR_CORRUPT_MESSAGE;
        }
        if (b.magic == 2 && (b.attributes & SM_ATTR_CONTROL)) {
            res->reason = "clients may not write control records";
            return SM_ERR_CORRUPT_MESSAGE;
        }
    }
    if (it.err != SM_OK || it.partial) {
        res->reason = "truncated or malformed record batch";
        return SM_ERR_CORRUPT_MESSAGE;
    }
    if (cfg->produce_version >= 3 && (n != 1 || nlegacy != 0)) {
        res->reason = "Produce v3+ needs exactly one magic-2 record batch";
        return SM_ERR_CORRUPT_MESSAGE;
    }
    if (nlegacy != 0 && nlegacy != n) {
        res->reason = "mixed record formats in one partition";
        return SM_ERR_CORRUPT_MESSAGE;
    }
    res->batches = n;
    *legacy = nlegacy != 0;
    return SM_OK;
}

/* The scan checks for cfg: a null key on a compacted topic, and a
 * CreateTime further than max_timestamp_diff from now (saturating). */
static void
sm_validate_scan_cfg(const sm_validate_cfg_t *cfg, sm_rec_scan_t *sc)
{
    int64_t d = cfg->max_timestamp_diff;

    memset(sc, 0, sizeof(*sc));
    sc->null_key = cfg->compacted;
    if (cfg->log_append_time || d >= INT64_MAX)
        return;
    sc->check_ts = 1;
    if (d < 0) {                        /* nothing is close enough */
        sc->ts_lo = INT64_MAX;
        sc->ts_hi = INT64_MIN;
        return;
    }
    sc->ts_lo = cfg->now_ms < INT64_MIN + d ? INT64_MIN : cfg->now_ms - d;
    sc->ts_hi = cfg->now_ms > INT64_MAX - d ? INT64_MAX : cfg->now_ms + d;
}

/* Why rec stopped the scan. */
static sm_err_t
sm_validate_record(const sm_rec_scan_t *sc, const sm_record_t *rec,
                   sm_validate_result_t *res)
{
    if (sc->null_key && rec->key.len < 0) {
        res->reason = "compacted topic cannot accept a record without key";
        return SM_ERR_CORRUPT_MESSAGE;
    }
    res->reason = "timestamp out of the acceptable range";
    return SM_ERR_INVALID_TIMESTAMP;
}

/* Second pass: every record of every entry (walked, not copied out, by
 * sm_rec_iter_scan); counts records and tells whether any batch has a
 * codec other than the target. */
static sm_err_t
sm_validate_records(const sm_validate_cfg_t *cfg, const uint8_t *in,
                    size_t len, int *recompress, sm_validate_result_t *res)
{
    sm_batch_iter_t it;
    sm_batch_t b;
    sm_rec_scan_t sc;
    sm_err_t err = SM_OK;

    sm_validate_scan_cfg(cfg, &sc);
    sm_batch_iter_init(&it, in, len);
    while (err == SM_OK && sm_batch_next(&it, &b)) {
        sm_rec_iter_t ri;
        sm_record_t rec;
        int32_t n = 0;

        if (cfg->target_codec >= 0 && (int)b.codec != cfg->target_codec)
            *recompress = 1;
        err = sm_rec_iter_init(&ri, &b, cfg->max_decompressed);
        if (err == SM_OK && sm_rec_iter_scan(&ri, &sc, &rec, &n))
            err = sm_validate_record(&sc, &rec, res);
        if (err == SM_OK && ri.err != SM_OK) {
            res->reason = ri.err == SM_ERR__TOO_LARGE
                ? "decompressed batch exceeds the broker's bound"
                : "malformed record in batch";
            err = SM_ERR_CORRUPT_MESSAGE;
        }
        sm_rec_iter_fini(&ri);
        res->records += n;
    }
    return err;
}

/* Rebuild every v2 batch of src into conv with the target codec. */
static sm_err_t
sm_validate_recompress(const sm_validate_cfg_t *cfg, const uint8_t *src,
                       size_t len, sm_buf_t *conv)
{
    sm_batch_iter_t it;
    sm_batch_t b;
    sm_err_t err = SM_OK;
    sm_record_header_t hdrs_small[16];

    sm_batch_iter_init(&it, src, len);
    while (err == SM_OK && sm_batch_next(&it, &b)) {
        sm_batch_builder_t bb;
        sm_rec_iter_t ri;
        sm_record_t rec;

        sm_batch_builder_init(&bb, conv, 2, (sm_codec_t)cfg->target_codec,
                              0);
        if (b.producer_id >= 0)
            sm_batch_builder_set_producer(&bb, b.producer_id,
                                          b.producer_epoch, b.base_sequence,
                                          (b.attributes &
                                           SM_ATTR_TRANSACTIONAL) != 0);
        err = sm_rec_iter_init(&ri, &b, cfg->max_decompressed);
        while (err == SM_OK && sm_rec_iter_next(&ri, &rec)) {
            sm_record_header_t *hdrs = hdrs_small;
            int nh = 0;

            if (rec.header_count > 16)
                hdrs = sm_calloc((size_t)rec.header_count, sizeof(*hdrs));
            if (rec.header_count > 0)
                nh = sm_record_headers(&rec, hdrs, rec.header_count);
            if (nh < 0)
                err = SM_ERR_CORRUPT_MESSAGE;
            else
                sm_batch_builder_add(&bb, rec.timestamp, rec.key, rec.value,
                                     hdrs, nh);
            if (hdrs != hdrs_small)
                free(hdrs);
        }
        if (err == SM_OK && ri.err != SM_OK)
            err = SM_ERR_CORRUPT_MESSAGE;
        sm_rec_iter_fini(&ri);
        if (err == SM_OK)
            err = sm_batch_builder_finish(&bb);
        else
            sm_batch_builder_abort(&bb);
    }
    return err;
}

sm_err_t
sm_validate_produce(const sm_validate_cfg_t *cfg, uint8_t *in, size_t len,
                    sm_buf_t *conv, sm_validate_result_t *res)
{
    sm_buf_t up = SM_BUF_INIT;
    int legacy = 0, recompress = 0;
    sm_err_t err;

    res->data = in;
    res->len = len;
    res->records = res->batches = 0;
    res->rebuilt = 0;
    res->reason = NULL;

    err = sm_validate_framing(cfg, in, len, &legacy, res);
    if (err == SM_OK)
        err = sm_validate_records(cfg, in, len, &recompress, res);
    if (err != SM_OK || res->batches == 0)
        return err;

    if (legacy) {
        err = sm_records_upconvert(sm_slice(in, len), &up,
                                   cfg->max_decompressed);
        if (err != SM_OK) {
            res->reason = "cannot convert the legacy message set";
            sm_buf_fini(&up);
            return SM_ERR_CORRUPT_MESSAGE;
        }
        if (cfg->target_codec >= 0)
            err = sm_validate_recompress(cfg, up.data, up.len, conv);
        else
            sm_buf_write(conv, up.data, up.len);
        sm_buf_fini(&up);
    } else if (recompress) {
        err = sm_validate_recompress(cfg, in, len, conv);
    } else {
        return SM_OK;
    }
    if (err != SM_OK) {
        res->reason = "cannot re-compress the record batch";
        return sm_err_to_wire(err);
    }
    res->data = conv->data;
    res->len = conv->len;
    res->rebuilt = 1;
    return SM_OK;
}
