/*
 * dump_log_segment.c: dumping a .log segment the way Kafka 2.7's
 * DumpLogSegments.dumpLog does (layouts: protocol/records.h).
 *
 * WALK (Kafka's FileLogInputStream.nextBatch, which is looser than
 * sm_batch_next on purpose: this is a tool for looking at broken files):
 *   1. stop when fewer than 18 bytes are left after the entry start
 *      (the 17-byte header up to the magic must fit with room to spare);
 *   2. read Offset and Size; Size < 14 (the smallest legacy message) is a
 *      CorruptRecordException that ends the run;
 *   3. stop when the entry (12 + Size) runs past the end of the file;
 *   4. magic >= 2 is dumped as a v2 batch, anything else as a legacy
 *      message (a negative magic then fails like Kafka's LegacyRecord).
 * Whatever is left after the walk is reported as
 * "Found N invalid bytes at the end of NAME".
 *
 * OUTPUT per entry (printBatchLevel), v2:
 *   baseOffset: B lastOffset: L count: C baseSequence: S lastSequence: T
 *   producerId: P producerEpoch: E partitionLeaderEpoch: Q
 *   isTransactional: X isControl: Y position: POS <TimestampType>: MAXTS
 *   size: SZ magic: M compresscodec: CODEC crc: CRC isvalid: V
 * legacy: "offset: O" then the same tail from " position:".  With
 * --deep-iteration each record follows as
 *   | offset: O <TimestampType>: TS keysize: K valuesize: V
 * plus " sequence: S headerKeys: [k1,k2]" (v2) or " crc: C isvalid: V"
 * (legacy), then for control records " endTxnMarker: COMMIT
 * coordinatorEpoch: E" or " controlType: NAME(id)", else with
 * --print-data-log " key: K payload: V" (dump_log_decode.c).
 *
 * The first part of a v2 line is printed before the codec is known, and a
 * legacy "offset: O" before the magic is checked, so an unknown codec or
 * magic leaves that half line on stdout, as Kafka does.
 *
 * v2 records are read with sm_rec_iter_*; legacy messages are read here,
 * field by field like Kafka's LegacyRecord (it tolerates trailing bytes and
 * shows bad inner CRCs as "isvalid: false", which sm_rec_iter rejects).
 */
#include <inttypes.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_err.h"
#include "common/sm_mem.h"
#include "protocol/compress.h"
#include "protocol/records.h"
#include "tools/dump_log.h"

#define DL_HDR_UP_TO_MAGIC 17
#define DL_MIN_RECORD      14            /* LegacyRecord.RECORD_OVERHEAD_V0 */
#define DL_MAX_DECOMP      ((size_t)INT32_MAX)

#define EX_INVALID_RECORD  "org.apache.kafka.common.InvalidRecordException"
#define EX_CORRUPT_RECORD \
    "org.apache.kafka.common.errors.CorruptRecordException"
#define EX_KAFKA           "org.apache.kafka.common.KafkaException"
#define EX_ILLEGAL_ARG     "java.lang.IllegalArgumentException"
#define EX_IOOBE           "java.lang.IndexOutOfBoundsException"
#define EX_NPE             "java.lang.NullPointerException"

typedef struct dl_seg {
    dl_ctx_t        *ctx;
    const dl_file_t *f;
    dl_map_t         map;
    int64_t          last_offset;        /* nonconsecutive check; -1 */
} dl_seg_t;

static const char *
dl_codec_name(int id)
{
    static const char *names[] = { "NONE", "GZIP", "SNAPPY", "LZ4", "ZSTD" };

    return id >= 0 && id < 5 ? names[id] : NULL;
}

static int
dl_throw_codec(int id)
{
    return dl_throw(EX_ILLEGAL_ARG, "Unknown compression type id: %d", id);
}

/* DefaultRecordBatch.incrementSequence, in Java's wrapping int arithmetic */
static int32_t
dl_inc_seq(int32_t seq, int32_t inc)
{
    int32_t lim = (int32_t)((uint32_t)INT32_MAX - (uint32_t)inc);

    if (seq > lim)
        return (int32_t)((uint32_t)inc - ((uint32_t)INT32_MAX - (uint32_t)seq)
                         - 1u);
    return (int32_t)((uint32_t)seq + (uint32_t)inc);
}

static const char *
dl_bool(int b)
{
    return b ? "true" : "false";
}

/* The shared part of every record line; also the nonconsecutive check. */
static void
dl_print_record_head(dl_seg_t *seg, int64_t offset, const char *ts_type,
                     int64_t ts, int32_t key_size, int32_t value_size)
{
    if (seg->last_offset != -1 && offset != seg->last_offset + 1)
        dl_report_add(&seg->ctx->nonconsecutive, seg->f->abs,
                      seg->last_offset, offset);
    seg->last_offset = offset;
    printf("| offset: %" PRId64 " %s: %" PRId64 " keysize: %d valuesize: %d",
           offset, ts_type, ts, key_size, value_size);
}

/* ------------------------------------------------------------------ v2 */

static void
dl_v2_header(const uint8_t *h, size_t size, sm_batch_t *b)
{
    memset(b, 0, sizeof(*b));
    b->ptr = h;
    b->size = size;
    b->magic = 2;                  /* Kafka reads any magic >= 2 as v2 */
    b->base_offset = (int64_t)sm_load_be64(h + SM_BATCH_OFF_BASE_OFFSET);
    b->partition_leader_epoch =
        (int32_t)sm_load_be32(h + SM_BATCH_OFF_LEADER_EPOCH);
    b->attributes = (int16_t)sm_load_be16(h + SM_BATCH_OFF_ATTRIBUTES);
    b->codec = (sm_codec_t)(b->attributes & SM_ATTR_CODEC_MASK);
    b->last_offset = (int64_t)((uint64_t)b->base_offset +
        (uint64_t)(int64_t)(int32_t)sm_load_be32(h + SM_BATCH_OFF_LAST_DELTA));
    b->base_timestamp = (int64_t)sm_load_be64(h + SM_BATCH_OFF_BASE_TS);
    b->max_timestamp = (int64_t)sm_load_be64(h + SM_BATCH_OFF_MAX_TS);
    b->producer_id = (int64_t)sm_load_be64(h + SM_BATCH_OFF_PRODUCER_ID);
    b->producer_epoch = (int16_t)sm_load_be16(h + SM_BATCH_OFF_PRODUCER_EP);
    b->base_sequence = (int32_t)sm_load_be32(h + SM_BATCH_OFF_BASE_SEQ);
    b->count = (int32_t)sm_load_be32(h + SM_BATCH_OFF_COUNT);
}

static const char *
dl_v2_ts_type(const sm_batch_t *b)
{
    return (b->attributes & SM_ATTR_LOG_APPEND_TIME) ? "LogAppendTime"
                                                     : "CreateTime";
}

/* " endTxnMarker: ..." / " controlType: ..." (ControlRecordType,
 * EndTransactionMarker).  Throws on what Kafka throws on. */
static int
dl_print_control(const sm_record_t *rec)
{
    static const char *types[] = { "ABORT", "COMMIT", "QUORUM_REASSIGNMENT",
                                   "LEADER_CHANGE" };
    int16_t version, type;

    if (rec->key.len < 0)
        return dl_throw(EX_NPE, NULL);
    if (rec->key.len < 4)
        return dl_throw(EX_INVALID_RECORD, "Invalid value size found for end "
                        "control record key. Must have at least 4 bytes, but "
                        "found only %d", rec->key.len);
    version = (int16_t)sm_load_be16(rec->key.ptr);
    if (version < 0)
        return dl_throw(EX_INVALID_RECORD, "Invalid version found for control "
                        "record: %d. May indicate data corruption", version);
    type = (int16_t)sm_load_be16(rec->key.ptr + 2);
    if (type != 0 && type != 1) {
        printf(" controlType: %s(%d)",
               type >= 2 && type <= 3 ? types[type] : "UNKNOWN", type);
        return 0;
    }
    if (rec->value.len < 0)
        return dl_throw(EX_NPE, NULL);
    if (rec->value.len < 6)
        return dl_throw(EX_INVALID_RECORD, "Invalid value size found for end "
                        "transaction marker. Must have at least 6 bytes, but "
                        "found only %d", rec->value.len);
    version = (int16_t)sm_load_be16(rec->value.ptr);
    if (version < 0)
        return dl_throw(EX_INVALID_RECORD, "Invalid version found for end "
                        "transaction marker: %d. May indicate data "
                        "corruption", version);
    printf(" endTxnMarker: %s coordinatorEpoch: %d", types[type],
           (int32_t)sm_load_be32(rec->value.ptr + 2));
    return 0;
}

static void
dl_print_header_keys(const sm_record_t *rec)
{
    sm_record_header_t small[16], *hdrs = small;
    int n, max = rec->header_count > 16 ? rec->header_count : 16;

    if (max > 16)
        hdrs = sm_malloc((size_t)max * sizeof(*hdrs));
    n = sm_record_headers(rec, hdrs, max);
    fputs(" headerKeys: [", stdout);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            putchar(',');
        dl_put_utf8(stdout, (const uint8_t *)hdrs[i].key.ptr,
                    (size_t)hdrs[i].key.len);
    }
    putchar(']');
    if (hdrs != small)
        sm_free(hdrs);
}

static int
dl_v2_print_record(dl_seg_t *seg, const sm_batch_t *b, const sm_record_t *rec)
{
    int32_t seq = -1;

    dl_print_record_head(seg, rec->offset, dl_v2_ts_type(b), rec->timestamp,
                         rec->key.len, rec->value.len);
    if (b->base_sequence >= 0)
        seq = dl_inc_seq(b->base_sequence,
                         (int32_t)(uint32_t)((uint64_t)rec->offset -
                                             (uint64_t)b->base_offset));
    printf(" sequence: %d", seq);
    dl_print_header_keys(rec);
    if (b->attributes & SM_ATTR_CONTROL) {
        if (dl_print_control(rec) != 0)
            return -1;
    } else if (seg->ctx->print_data) {
        if (dl_print_key_value(seg->ctx, rec->key, rec->value) != 0)
            return -1;
    }
    putchar('\n');
    return 0;
}

static int
dl_v2_iter_error(const dl_entry_t *e, sm_err_t err)
{
    if (err == SM_ERR__TRUNCATED)
        return dl_throw(EX_INVALID_RECORD, "Incorrect declared batch size, "
                        "premature EOF reached");
    if (err == SM_ERR__BAD_MSG)
        return dl_throw(EX_INVALID_RECORD, "Invalid record in the batch at "
                        "position %zu: %s", e->pos, sm_err_desc(err));
    return dl_throw(EX_KAFKA, "Failed to read the records of the batch at "
                    "position %zu: %s", e->pos, sm_err_desc(err));
}

/*
 * The records of a v2 batch.  Uncompressed records are printed as they are
 * read (an error stops after the good ones, as Kafka's lazy iterator does);
 * a compressed batch is read completely first (Kafka decompresses the whole
 * set into a list before returning the first record).
 */
static int
dl_v2_records(dl_seg_t *seg, const dl_entry_t *e, const sm_batch_t *b)
{
    sm_rec_iter_t it;
    sm_record_t rec, *all = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;

    if (b->size < SM_BATCH_V2_HDR_SIZE)
        return dl_throw(EX_IOOBE, NULL);     /* count read past the batch */
    if (b->count == 0)
        return 0;
    if (b->count < 0)
        return dl_throw(EX_INVALID_RECORD, "Found invalid record count %d in "
                        "magic v%d batch", b->count, e->magic);
    sm_rec_iter_init(&it, b, DL_MAX_DECOMP);
    while (sm_rec_iter_next(&it, &rec)) {
        if (b->codec == SM_CODEC_NONE) {
            if (dl_v2_print_record(seg, b, &rec) != 0)
                goto out;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            all = sm_realloc(all, cap * sizeof(*all));
        }
        all[n++] = rec;
    }
    if (it.err != SM_OK) {
        dl_v2_iter_error(e, it.err);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (dl_v2_print_record(seg, b, &all[i]) != 0)
            goto out;
    rc = 0;
out:
    sm_free(all);
    sm_rec_iter_fini(&it);
    return rc;
}

/* FileChannelRecordBatch.loadBatchHeader for v2: 61 bytes from the file,
 * even when the batch claims to be smaller. */
static int
dl_v2_load(const dl_map_t *m, const dl_entry_t *e, sm_batch_t *b)
{
    if (e->pos + SM_BATCH_V2_HDR_SIZE > m->size)
        return dl_throw(EX_KAFKA, "Failed to load record batch at position "
                        "%zu from FileRecords(size=%zu, file=%s, start=0, "
                        "end=%d)", e->pos, m->size, m->java_path, INT32_MAX);
    dl_v2_header(m->data + e->pos, e->size, b);
    return 0;
}

static int
dl_dump_v2(dl_seg_t *seg, const dl_entry_t *e)
{
    const uint8_t *h = seg->map.data + e->pos;
    const char *codec;
    sm_batch_t b;
    int valid;

    if (dl_v2_load(&seg->map, e, &b) != 0)
        return -1;
    printf("baseOffset: %" PRId64 " lastOffset: %" PRId64 " count: %d"
           " baseSequence: %d lastSequence: %d producerId: %" PRId64
           " producerEpoch: %d partitionLeaderEpoch: %d isTransactional: %s"
           " isControl: %s", e->offset, b.last_offset, b.count,
           b.base_sequence,
           b.base_sequence == -1 ? -1 : dl_inc_seq(b.base_sequence,
               (int32_t)sm_load_be32(h + SM_BATCH_OFF_LAST_DELTA)),
           b.producer_id, b.producer_epoch, b.partition_leader_epoch,
           dl_bool(b.attributes & SM_ATTR_TRANSACTIONAL),
           dl_bool(b.attributes & SM_ATTR_CONTROL));
    codec = dl_codec_name(b.codec);
    if (codec == NULL)
        return dl_throw_codec(b.codec);
    /* isValid: size >= 61 and the CRC-32C matches (nothing else) */
    valid = e->size >= SM_BATCH_V2_HDR_SIZE &&
            sm_batch_validate(&b) != SM_ERR__CRC;
    printf(" position: %zu %s: %" PRId64 " size: %zu magic: %d"
           " compresscodec: %s crc: %" PRIu32 " isvalid: %s\n", e->pos,
           dl_v2_ts_type(&b), b.max_timestamp, e->size, e->magic, codec,
           sm_load_be32(h + SM_BATCH_OFF_CRC), dl_bool(valid));
    if (!seg->ctx->deep)
        return 0;
    return dl_v2_records(seg, e, &b);
}

/* -------------------------------------------------------------- legacy */

/*
 * A legacy message as Kafka's LegacyRecord sees it: p[0..size) starts at
 * the CRC (after the 12-byte offset/size header).  Magic 0 has the key at
 * 6, anything else is read with the magic-1 layout (key at 14).
 */
typedef struct dl_lrec {
    const uint8_t *p;
    size_t   size;
    int64_t  offset;
    int      wrapper_lat;               /* timestamp from the wrapper */
    int64_t  wrapper_ts;
} dl_lrec_t;

static int8_t
dl_lrec_magic(const dl_lrec_t *r)
{
    return (int8_t)r->p[4];
}

static size_t
dl_lrec_key_off(const dl_lrec_t *r)
{
    return dl_lrec_magic(r) == 0 ? 6 : 14;
}

static int64_t
dl_lrec_timestamp(const dl_lrec_t *r)
{
    if (dl_lrec_magic(r) == 0)
        return SM_NO_TIMESTAMP;
    if (r->wrapper_lat)
        return r->wrapper_ts;
    return (int64_t)sm_load_be64(r->p + 6);
}

/* ByteBuffer.getInt(at) with Java's bounds check. */
static int
dl_lrec_int(const dl_lrec_t *r, int64_t at, int32_t *v)
{
    if (at < 0 || at + 4 > (int64_t)r->size)
        return dl_throw(EX_IOOBE, NULL);
    *v = (int32_t)sm_load_be32(r->p + at);
    return 0;
}

static int
dl_lrec_sizes(const dl_lrec_t *r, int32_t *ks, int32_t *vs, int64_t *voff)
{
    int64_t ko = (int64_t)dl_lrec_key_off(r);

    if (dl_lrec_int(r, ko, ks) != 0)
        return -1;
    *voff = ko + 4 + (*ks > 0 ? *ks : 0);
    return dl_lrec_int(r, *voff, vs);
}

/* Utils.sizeDelimited: the field whose int32 size is at `at`. */
static int
dl_lrec_field(const dl_lrec_t *r, int64_t at, sm_bytes_t *f)
{
    int32_t n = 0;

    if (dl_lrec_int(r, at, &n) != 0)
        return -1;
    if (n < 0) {
        *f = SM_BYTES_NULL;
        return 0;
    }
    if ((int64_t)n > (int64_t)r->size - at - 4)
        return dl_throw(EX_ILLEGAL_ARG, NULL);
    f->ptr = r->p + at + 4;
    f->len = n;
    return 0;
}

static int
dl_lrec_valid(const dl_lrec_t *r)
{
    return sm_crc32(0, r->p + 4, r->size - 4) == sm_load_be32(r->p);
}

static int
dl_legacy_print_record(dl_seg_t *seg, const char *ts_type, const dl_lrec_t *r)
{
    int32_t ks, vs;
    int64_t voff;
    sm_bytes_t key = SM_BYTES_NULL, value = SM_BYTES_NULL;

    if (dl_lrec_sizes(r, &ks, &vs, &voff) != 0)
        return -1;
    dl_print_record_head(seg, r->offset, ts_type, dl_lrec_timestamp(r), ks,
                         vs);
    printf(" crc: %" PRIu32 " isvalid: %s", sm_load_be32(r->p),
           dl_bool(dl_lrec_valid(r)));
    if (seg->ctx->print_data) {
        if (ks >= 0 && dl_lrec_field(r, (int64_t)dl_lrec_key_off(r), &key))
            return -1;
        if (vs >= 0 && dl_lrec_field(r, voff, &value) != 0)
            return -1;
        if (dl_print_key_value(seg->ctx, key, value) != 0)
            return -1;
    }
    putchar('\n');
    return 0;
}

/* Walk a decompressed inner message set as DataLogInputStream does: stop
 * quietly at a short header or a short message.  Returns the count, -1 if
 * thrown; fills inner[] (owned by the caller, freed with sm_free). */
static int
dl_legacy_inner(const sm_buf_t *set, dl_lrec_t **inner, size_t *n)
{
    size_t pos = 0, cap = 0;
    int32_t size;

    *inner = NULL;
    *n = 0;
    while (set->len - pos >= SM_LOG_OVERHEAD) {
        size = (int32_t)sm_load_be32(set->data + pos + 8);
        if (size < DL_MIN_RECORD) {
            sm_free(*inner);
            *inner = NULL;
            return dl_throw(EX_CORRUPT_RECORD, "Record size is less than the "
                            "minimum record overhead (%d)", DL_MIN_RECORD);
        }
        if ((size_t)size > set->len - pos - SM_LOG_OVERHEAD)
            break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *inner = sm_realloc(*inner, cap * sizeof(**inner));
        }
        (*inner)[*n].p = set->data + pos + SM_LOG_OVERHEAD;
        (*inner)[*n].size = (size_t)size;
        (*inner)[*n].offset = (int64_t)sm_load_be64(set->data + pos);
        (*inner)[*n].wrapper_lat = 0;
        (*n)++;
        pos += SM_LOG_OVERHEAD + (size_t)size;
    }
    return 0;
}

/* Wrapper offset and timestamp rules of AbstractLegacyRecordBatch's
 * DeepRecordsIterator, applied to the inner messages in place. */
static int
dl_legacy_fix_inner(const dl_lrec_t *w, dl_lrec_t *inner, size_t n)
{
    int8_t wmagic = dl_lrec_magic(w);
    int wlat = wmagic == 1 && (w->p[5] & SM_ATTR_LOG_APPEND_TIME);
    int64_t base = 0, last;

    if (n == 0)
        return dl_throw(EX_INVALID_RECORD, "Found invalid compressed record "
                        "set with no inner records");
    last = inner[n - 1].offset;
    if (wmagic == 1 && w->offset != 0) {
        if (w->offset < last)
            return dl_throw(EX_INVALID_RECORD, "Found invalid wrapper offset "
                            "in compressed v1 message set, wrapper offset '%"
                            PRId64 "' is less than the last inner message "
                            "offset '%" PRId64 "' and it is not zero.",
                            w->offset, last);
        base = (int64_t)((uint64_t)w->offset - (uint64_t)last);
    }
    for (size_t i = 0; i < n; i++) {
        if (wmagic == 1)
            inner[i].offset = (int64_t)((uint64_t)base +
                                        (uint64_t)inner[i].offset);
        if (dl_lrec_magic(&inner[i]) == 1 && wlat) {
            inner[i].wrapper_lat = 1;
            inner[i].wrapper_ts = dl_lrec_timestamp(w);
        }
    }
    return 0;
}

/* Decompress a wrapper and list its inner messages (DeepRecordsIterator's
 * constructor).  On success the caller frees *inner and *set. */
static int
dl_legacy_open_inner(const dl_lrec_t *w, int codec, sm_buf_t *set,
                     dl_lrec_t **inner, size_t *n)
{
    int8_t wmagic = dl_lrec_magic(w);
    int32_t ks, vs;
    int64_t voff;
    sm_bytes_t value;
    sm_err_t err;

    *inner = NULL;
    *n = 0;
    if (codec == SM_CODEC_ZSTD)
        return dl_throw(EX_INVALID_RECORD, "Invalid wrapper compressionType "
                        "found in legacy deep record iterator %d", wmagic);
    if (dl_lrec_sizes(w, &ks, &vs, &voff) != 0 ||
        dl_lrec_field(w, voff, &value) != 0)
        return -1;
    if (value.len < 0)
        return dl_throw(EX_INVALID_RECORD, "Found invalid compressed record "
                        "set with null value (magic = %d)", wmagic);
    err = sm_decompress((sm_codec_t)codec,
                        sm_slice(value.ptr, (size_t)value.len), DL_MAX_DECOMP,
                        set, wmagic == 0 ? SM_COMPRESS_LZ4_LEGACY : 0);
    if (err != SM_OK)
        return dl_throw(EX_KAFKA, "java.io.IOException: %s",
                        sm_err_desc(err));
    if (dl_legacy_inner(set, inner, n) != 0)
        return -1;
    return dl_legacy_fix_inner(w, *inner, *n);
}

/* makeNext's check of one inner message: it must not be compressed. */
static int
dl_legacy_check_inner(const dl_lrec_t *r)
{
    int c = r->p[5] & SM_ATTR_CODEC_MASK;

    if (c == SM_CODEC_NONE)
        return 0;
    if (dl_codec_name(c) == NULL)
        return dl_throw_codec(c);
    return dl_throw(EX_INVALID_RECORD, "Inner messages must not be compressed");
}

static int
dl_legacy_deep(dl_seg_t *seg, const char *ts_type, const dl_lrec_t *w,
               int codec)
{
    sm_buf_t set = SM_BUF_INIT;
    dl_lrec_t *inner = NULL;
    size_t n = 0;
    int rc = -1;

    if (dl_legacy_open_inner(w, codec, &set, &inner, &n) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (dl_legacy_check_inner(&inner[i]) != 0 ||
            dl_legacy_print_record(seg, ts_type, &inner[i]) != 0)
            goto out;
    rc = 0;
out:
    sm_free(inner);
    sm_buf_fini(&set);
    return rc;
}

/* loadBatchHeader for a legacy entry: the magic must be 0 or 1. */
static int
dl_legacy_load(const dl_map_t *m, const dl_entry_t *e, dl_lrec_t *r)
{
    if (e->magic != 0 && e->magic != 1)
        return dl_throw(EX_ILLEGAL_ARG, "Invalid magic used in LegacyRecord: "
                        "%d", e->magic);
    memset(r, 0, sizeof(*r));
    r->p = m->data + e->pos + SM_LOG_OVERHEAD;
    r->size = e->size - SM_LOG_OVERHEAD;
    r->offset = e->offset;
    return 0;
}

static int
dl_dump_legacy(dl_seg_t *seg, const dl_entry_t *e)
{
    dl_lrec_t r = { 0 };
    const char *ts_type, *codec;
    int id;

    printf("offset: %" PRId64, e->offset);
    if (dl_legacy_load(&seg->map, e, &r) != 0)
        return -1;
    ts_type = e->magic == 0 ? "NoTimestampType"
              : (r.p[5] & SM_ATTR_LOG_APPEND_TIME) ? "LogAppendTime"
              : "CreateTime";
    id = r.p[5] & SM_ATTR_CODEC_MASK;
    codec = dl_codec_name(id);
    if (codec == NULL)
        return dl_throw_codec(id);
    printf(" position: %zu %s: %" PRId64 " size: %zu magic: %d"
           " compresscodec: %s crc: %" PRIu32 " isvalid: %s\n", e->pos,
           ts_type, dl_lrec_timestamp(&r), e->size, e->magic, codec,
           sm_load_be32(r.p), dl_bool(dl_lrec_valid(&r)));
    if (!seg->ctx->deep)
        return 0;
    if (id == SM_CODEC_NONE)
        return dl_legacy_print_record(seg, ts_type, &r);
    return dl_legacy_deep(seg, ts_type, &r, id);
}

/* ---------------------------------------------------------------- walk */

int
dl_next_entry(const dl_map_t *m, size_t *pos, size_t end, dl_entry_t *e)
{
    const uint8_t *d = m->data + *pos;
    int32_t size;

    if ((int64_t)*pos >= (int64_t)end - DL_HDR_UP_TO_MAGIC)
        return 0;
    size = (int32_t)sm_load_be32(d + 8);
    if (size < DL_MIN_RECORD)
        return dl_throw(EX_CORRUPT_RECORD, "Found record size %d smaller "
                        "than minimum record overhead (%d) in file %s.",
                        size, DL_MIN_RECORD, m->java_path);
    if ((int64_t)*pos > (int64_t)end - SM_LOG_OVERHEAD - size)
        return 0;
    e->pos = *pos;
    e->size = SM_LOG_OVERHEAD + (size_t)size;
    e->offset = (int64_t)sm_load_be64(d);
    e->magic = (int8_t)d[SM_MAGIC_OFFSET];
    *pos += e->size;
    return 1;
}

int
dl_entry_last_offset(const dl_map_t *m, const dl_entry_t *e, int64_t *last)
{
    sm_batch_t b;

    if (e->magic < 2) {
        *last = e->offset;
        return 0;
    }
    if (dl_v2_load(m, e, &b) != 0)
        return -1;
    *last = b.last_offset;
    return 0;
}

static int
dl_v2_max_timestamp(const dl_map_t *m, const dl_entry_t *e, int64_t *max)
{
    sm_batch_t b;
    sm_rec_iter_t it;
    sm_record_t rec;
    int rc = 0;

    if (dl_v2_load(m, e, &b) != 0)
        return -1;
    if (e->size < SM_BATCH_V2_HDR_SIZE)
        return dl_throw(EX_IOOBE, NULL);
    if (b.count < 0)
        return dl_throw(EX_INVALID_RECORD, "Found invalid record count %d in "
                        "magic v%d batch", b.count, e->magic);
    if (b.count == 0)
        return 0;
    if (dl_codec_name(b.codec) == NULL)
        return dl_throw_codec(b.codec);
    sm_rec_iter_init(&it, &b, DL_MAX_DECOMP);
    while (sm_rec_iter_next(&it, &rec))
        if (rec.timestamp > *max)
            *max = rec.timestamp;
    if (it.err != SM_OK)
        rc = dl_v2_iter_error(e, it.err);
    sm_rec_iter_fini(&it);
    return rc;
}

static int
dl_legacy_max_timestamp(const dl_map_t *m, const dl_entry_t *e, int64_t *max)
{
    sm_buf_t set = SM_BUF_INIT;
    dl_lrec_t r = { 0 }, *inner = NULL;
    size_t n = 0;
    int codec, rc = -1;

    if (dl_legacy_load(m, e, &r) != 0)
        return -1;
    codec = r.p[5] & SM_ATTR_CODEC_MASK;
    if (dl_codec_name(codec) == NULL)
        return dl_throw_codec(codec);
    if (codec == SM_CODEC_NONE) {
        if (dl_lrec_timestamp(&r) > *max)
            *max = dl_lrec_timestamp(&r);
        return 0;
    }
    if (dl_legacy_open_inner(&r, codec, &set, &inner, &n) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (dl_legacy_check_inner(&inner[i]) != 0)
            goto out;
        if (dl_lrec_timestamp(&inner[i]) > *max)
            *max = dl_lrec_timestamp(&inner[i]);
    }
    rc = 0;
out:
    sm_free(inner);
    sm_buf_fini(&set);
    return rc;
}

int
dl_entry_max_timestamp(const dl_map_t *m, const dl_entry_t *e, int64_t *max)
{
    *max = SM_NO_TIMESTAMP;
    if (e->magic >= 2)
        return dl_v2_max_timestamp(m, e, max);
    return dl_legacy_max_timestamp(m, e, max);
}

static int
dl_walk(dl_seg_t *seg)
{
    size_t pos = 0;
    dl_entry_t e;
    int rc;

    while ((rc = dl_next_entry(&seg->map, &pos, seg->map.size, &e)) == 1) {
        rc = e.magic >= 2 ? dl_dump_v2(seg, &e) : dl_dump_legacy(seg, &e);
        if (rc != 0)
            return -1;
    }
    if (rc < 0)
        return -1;
    if (seg->map.size > pos)
        printf("Found %zu invalid bytes at the end of %s\n",
               seg->map.size - pos, seg->f->name);
    return 0;
}

int
dl_dump_log(dl_ctx_t *ctx, const dl_file_t *f)
{
    dl_seg_t seg;
    int64_t start;
    int rc;

    if (dl_file_base_offset(f, &start) != 0)
        return -1;
    printf("Starting offset: %" PRId64 "\n", start);
    memset(&seg, 0, sizeof(seg));
    seg.ctx = ctx;
    seg.f = f;
    seg.last_offset = -1;
    if (dl_map_open(&seg.map, f->path, f->path) != 0)
        return -1;
    rc = dl_walk(&seg);
    dl_map_close(&seg.map);
    return rc;
}
