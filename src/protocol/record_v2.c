/*
 * record_v2.c: the records inside an entry - the sm_rec_iter_* dispatcher,
 * v2 record parsing (records.h has the Record layout), v2 record headers,
 * and the in-place rewrites of a v2 batch header the broker does on append.
 * Legacy entries are handed to msgset.c.
 *
 * V2 ITERATION RULES (Kafka's DefaultRecordBatch / DefaultRecord.readFrom):
 *   - RecordsCount 0: no records; the payload is not even decompressed
 *     (Kafka returns an empty iterator for such batches, which compaction
 *     may leave behind to keep producer state).
 *   - every varint and length is checked against the bytes left: a record
 *     Length past the end of the records region, or a key/value/header
 *     length past the end of its record, is SM_ERR__TRUNCATED;
 *   - the fields must use exactly Length bytes, lengths below -1 (or a
 *     negative header count / header key length) and over-long varints are
 *     SM_ERR__BAD_MSG;
 *   - RecordsCount must match the records present: too few records, or
 *     bytes left after the last one, is SM_ERR__BAD_MSG.
 *   - offset = BaseOffset + OffsetDelta; timestamp = BaseTimestamp +
 *     TimestampDelta, or MaxTimestamp for LogAppendTime batches.  Both are
 *     computed with wrap-around: hostile deltas give odd numbers, not UB.
 * The record that fails is not returned; it->err says why.
 *
 * Threads: none; an iterator belongs to its caller.
 */
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "protocol/codec.h"
#include "protocol/records_int.h"

sm_err_t
sm_rec_iter_init(sm_rec_iter_t *it, const sm_batch_t *b,
                 size_t max_decompressed)
{
    const uint8_t *payload = b->ptr + SM_BATCH_V2_HDR_SIZE;
    sm_err_t err = SM_OK;

    memset(it, 0, sizeof(*it));
    it->batch = b;
    if (b->magic != 2) {
        err = sm_rec_iter_legacy_init(it, max_decompressed);
        goto out;
    }
    if (b->count < 0) {
        err = SM_ERR__BAD_MSG;
        goto out;
    }
    it->remaining = b->count;
    if (b->count == 0)
        goto out;
    if (b->codec >= SM_CODEC__CNT) {
        err = SM_ERR__UNSUPPORTED_CODEC;
        goto out;
    }
    if (b->codec == SM_CODEC_NONE) {
        it->pos = payload;
        it->end = b->ptr + b->size;
        goto out;
    }
    err = sm_decompress(b->codec,
                        sm_slice(payload, b->size - SM_BATCH_V2_HDR_SIZE),
                        max_decompressed, &it->decomp, 0);
    /* decomp.data stays NULL when decompression failed before writing:
     * NULL + 0 is undefined, so only offset an allocated buffer */
    it->pos = it->end = it->decomp.data;
    if (it->decomp.data != NULL)
        it->end += it->decomp.len;
out:
    if (err != SM_OK)
        it->remaining = 0;
    it->err = err;
    return err;
}

void
sm_rec_iter_fini(sm_rec_iter_t *it)
{
    sm_buf_fini(&it->decomp);
    it->pos = it->end = NULL;
    it->remaining = 0;
}

/* A nullable varint-length field inside a record. */
static sm_bytes_t
sm_rd_vbytes(sm_rd_t *rd)
{
    sm_bytes_t f = SM_BYTES_NULL;
    int32_t len = sm_rd_varint(rd);

    if (len < -1)
        sm_rd_fail(rd, SM_ERR__BAD_MSG);
    if (rd->err != SM_OK || len < 0)
        return f;
    f.ptr = sm_rd_ptr(rd, (size_t)len);
    f.len = f.ptr ? len : -1;
    return f;
}

/*
 * THE RECORD CURSOR.  Every record of every produced batch is parsed here
 * (validation insists on it), so this is the broker's per-record hot path.
 * It reads through a cursor whose readers are static inline, with a
 * one-byte fast path for varints, instead of sm_rd_t's out-of-line readers
 * (one call per field).  The rules are sm_rd_t's exactly: a read past the
 * end is SM_ERR__TRUNCATED, a varint longer than its type allows is
 * SM_ERR__VARINT, the first error sticks.
 */
typedef struct sm_rcur {
    const uint8_t *pos, *end;
    sm_err_t err;
} sm_rcur_t;

/* Unsigned LEB128 of at most maxbytes bytes (sm_rd_leb128's rules). */
static inline uint64_t
sm_rcur_leb128(sm_rcur_t *c, int maxbytes)
{
    uint64_t v = 0;

    if (c->err != SM_OK)
        return 0;
    /* one- and two-byte values (lengths and deltas of small records)
     * without the loop; maxbytes is at least 5 */
    if (c->end - c->pos >= 2) {
        uint8_t b0 = c->pos[0], b1 = c->pos[1];
        if (!(b0 & 0x80)) {
            c->pos++;
            return b0;
        }
        if (!(b1 & 0x80)) {
            c->pos += 2;
            return (uint64_t)(b0 & 0x7f) | (uint64_t)b1 << 7;
        }
    }
    for (int i = 0; i < maxbytes; i++) {
        if (c->pos >= c->end) {
            c->err = SM_ERR__TRUNCATED;
            return 0;
        }
        uint8_t b = *c->pos++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    c->err = SM_ERR__VARINT;
    return 0;
}

static inline int32_t
sm_rcur_varint(sm_rcur_t *c)
{
    uint32_t u = (uint32_t)sm_rcur_leb128(c, 5);

    return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

static inline int64_t
sm_rcur_varlong(sm_rcur_t *c)
{
    uint64_t u = sm_rcur_leb128(c, 10);

    return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}

/* A nullable varint-length field (sm_rd_vbytes' rules). */
static inline sm_bytes_t
sm_rcur_vbytes(sm_rcur_t *c)
{
    sm_bytes_t f = SM_BYTES_NULL;
    int32_t len = sm_rcur_varint(c);

    if (c->err != SM_OK)
        return f;
    if (len < -1) {
        c->err = SM_ERR__BAD_MSG;
        return f;
    }
    if (len < 0)
        return f;
    if ((size_t)(c->end - c->pos) < (size_t)len) {
        c->err = SM_ERR__TRUNCATED;
        return f;
    }
    f.ptr = c->pos;
    f.len = len;
    c->pos += len;
    return f;
}

/* Walk (and so check) n headers; c ends after the last. */
static void
sm_rcur_skip_headers(sm_rcur_t *c, int32_t n)
{
    for (int32_t i = 0; i < n && c->err == SM_OK; i++) {
        sm_bytes_t k = sm_rcur_vbytes(c);
        if (c->err == SM_OK && k.len < 0)
            c->err = SM_ERR__BAD_MSG;          /* header keys are not null */
        (void)sm_rcur_vbytes(c);
    }
}

/* Parse the record body c (exactly Length bytes) into rec. */
static inline sm_err_t
sm_record_v2_parse(sm_rcur_t *c, const sm_batch_t *b, sm_record_t *rec)
{
    int64_t ts_delta;
    int32_t off_delta;
    const uint8_t *hdrs;

    if (c->pos == c->end)
        return SM_ERR__TRUNCATED;              /* no Attributes byte */
    rec->attributes = (int8_t)*c->pos++;
    ts_delta = sm_rcur_varlong(c);
    off_delta = sm_rcur_varint(c);
    rec->key = sm_rcur_vbytes(c);
    rec->value = sm_rcur_vbytes(c);
    rec->header_count = sm_rcur_varint(c);
    if (c->err == SM_OK && (rec->header_count < 0 ||
                            (size_t)rec->header_count >
                            (size_t)(c->end - c->pos)))
        c->err = SM_ERR__BAD_MSG;
    hdrs = c->pos;
    if (rec->header_count > 0)
        sm_rcur_skip_headers(c, rec->header_count);
    if (c->err != SM_OK)
        return sm_rec_err(c->err);
    if (c->pos != c->end)
        return SM_ERR__BAD_MSG;        /* Length disagrees with contents */
    rec->headers = sm_slice(hdrs, (size_t)(c->pos - hdrs));
    rec->magic = 2;
    rec->offset = sm_i64_add(b->base_offset, off_delta);
    rec->timestamp = (b->attributes & SM_ATTR_LOG_APPEND_TIME)
                     ? b->max_timestamp
                     : sm_i64_add(b->base_timestamp, ts_delta);
    return SM_OK;
}

static inline sm_err_t
sm_rec_iter_v2_next(sm_rec_iter_t *it, sm_record_t *rec)
{
    sm_rcur_t c = { it->pos, it->end, SM_OK }, body;
    int32_t len;
    sm_err_t err;

    if (it->pos == it->end)
        return SM_ERR__BAD_MSG;        /* fewer records than RecordsCount */
    len = sm_rcur_varint(&c);
    if (c.err != SM_OK)
        return sm_rec_err(c.err);
    if (len < 0)
        return SM_ERR__BAD_MSG;
    if ((size_t)len > (size_t)(c.end - c.pos))
        return SM_ERR__TRUNCATED;
    body.pos = c.pos;
    body.end = c.pos + len;
    body.err = SM_OK;
    err = sm_record_v2_parse(&body, it->batch, rec);
    if (err != SM_OK)
        return err;
    it->pos = body.end;
    if (it->remaining == 1 && it->pos != it->end)
        return SM_ERR__BAD_MSG;        /* more bytes than RecordsCount */
    return SM_OK;
}

int
sm_rec_iter_next(sm_rec_iter_t *it, sm_record_t *rec)
{
    sm_err_t err;

    if (it->err != SM_OK || it->remaining <= 0)
        return 0;
    if (it->batch->magic != 2)
        return sm_rec_iter_legacy_next(it, rec);
    err = sm_rec_iter_v2_next(it, rec);
    if (err != SM_OK) {
        it->err = err;
        it->remaining = 0;
        return 0;
    }
    it->remaining--;
    return 1;
}

/* Does rec fail one of sc's checks? */
static inline int
sm_rec_scan_hit(const sm_rec_scan_t *sc, const sm_record_t *rec)
{
    if (sc->null_key && rec->key.len < 0)
        return 1;
    return sc->check_ts && rec->timestamp != SM_NO_TIMESTAMP &&
           (rec->timestamp < sc->ts_lo || rec->timestamp > sc->ts_hi);
}

/*
 * The v2 walk: sm_rec_iter_v2_next inlined into one loop, so the record
 * stays in registers and the fields nobody reads (offset, headers slice)
 * are never stored.  Legacy entries take the ordinary iterator.
 */
int
sm_rec_iter_scan(sm_rec_iter_t *it, const sm_rec_scan_t *sc,
                 sm_record_t *rec, int32_t *n)
{
    sm_err_t err;

    if (it->err != SM_OK)
        return 0;
    if (it->batch->magic != 2) {
        while (sm_rec_iter_next(it, rec)) {
            (*n)++;
            if (sm_rec_scan_hit(sc, rec))
                return 1;
        }
        return 0;
    }
    while (it->remaining > 0) {
        err = sm_rec_iter_v2_next(it, rec);
        if (err != SM_OK) {
            it->err = err;
            it->remaining = 0;
            return 0;
        }
        it->remaining--;
        (*n)++;
        if (sm_rec_scan_hit(sc, rec))
            return 1;
    }
    return 0;
}

int
sm_record_headers(const sm_record_t *rec, sm_record_header_t *hdrs, int max)
{
    sm_rd_t rd;
    int n = 0;

    if (rec->magic != 2 || rec->header_count <= 0)
        return 0;
    sm_rd_init(&rd, rec->headers.ptr, rec->headers.len);
    for (int32_t i = 0; i < rec->header_count && n < max; i++) {
        sm_bytes_t k = sm_rd_vbytes(&rd);
        sm_bytes_t v = sm_rd_vbytes(&rd);
        if (rd.err != SM_OK || k.len < 0)
            return -1;
        hdrs[n].key.ptr = (const char *)k.ptr;
        hdrs[n].key.len = k.len;
        hdrs[n].value = v;
        n++;
    }
    return n;
}

/* ----------------------------------------------------- in-place updates */

void
sm_batch_v2_set_base_offset(uint8_t *batch, int64_t base_offset)
{
    sm_store_be64(batch + SM_BATCH_OFF_BASE_OFFSET, (uint64_t)base_offset);
}

void
sm_batch_v2_set_leader_epoch(uint8_t *batch, int32_t epoch)
{
    sm_store_be32(batch + SM_BATCH_OFF_LEADER_EPOCH, (uint32_t)epoch);
}

void
sm_batch_v2_update_crc(uint8_t *batch, size_t size)
{
    sm_assert(size >= SM_BATCH_V2_HDR_SIZE);
    sm_store_be32(batch + SM_BATCH_OFF_CRC,
                  sm_crc32c(0, batch + SM_BATCH_OFF_ATTRIBUTES,
                            size - SM_BATCH_OFF_ATTRIBUTES));
}

void
sm_batch_v2_set_log_append_time(uint8_t *batch, size_t size, int64_t now_ms)
{
    uint16_t attrs = sm_load_be16(batch + SM_BATCH_OFF_ATTRIBUTES);

    sm_store_be16(batch + SM_BATCH_OFF_ATTRIBUTES,
                  (uint16_t)(attrs | SM_ATTR_LOG_APPEND_TIME));
    sm_store_be64(batch + SM_BATCH_OFF_MAX_TS, (uint64_t)now_ms);
    sm_batch_v2_update_crc(batch, size);
}
