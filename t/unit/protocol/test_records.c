/*
 * test_records.c: the record formats of records.h as samsa builds and
 * parses them (batch.c, msgset.c, record_v2.c, builder.c): v2 batches with
 * every codec and attribute, legacy messages plain and compressed, checksum
 * and structure errors, hostile lengths and counts, and truncation at every
 * byte of every built input.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "protocol/codec.h"
#include "protocol/records.h"
#include "rec_util.h"
#include "sm_test.h"

#define NREC 8

static sm_bytes_t
B(const char *s)
{
    sm_bytes_t b = { (const uint8_t *)s, s ? (int32_t)strlen(s) : -1 };
    return b;
}

/* First entry of a blob; asserts there is one. */
static void
first_entry_at(const uint8_t *p, size_t len, sm_batch_t *b)
{
    sm_batch_iter_t bi;

    sm_batch_iter_init(&bi, p, len);
    ck_assert(sm_batch_next(&bi, b));
}

static void
first_entry(const sm_buf_t *blob, sm_batch_t *b)
{
    first_entry_at(blob->data, blob->len, b);
}

/* Iterate one entry expecting an error; returns it and the records seen. */
static sm_err_t
iter_err(const sm_batch_t *b, int *nrec)
{
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_err_t err;

    *nrec = 0;
    (void)sm_rec_iter_init(&it, b, RT_MAX_DECOMP);
    while (sm_rec_iter_next(&it, &rec))
        (*nrec)++;
    err = it.err;
    sm_rec_iter_fini(&it);
    return err;
}

START_TEST(records__v2_every_codec_round_trip)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 1000);

    for (int codec = 0; codec < SM_CODEC__CNT; codec++) {
        sm_buf_t out = SM_BUF_INIT;
        sm_batch_t b;

        sm_buf_write(&out, "junk", 4);   /* appends after existing bytes */
        ck_assert_int_eq(rt_build(&out, 2, (sm_codec_t)codec, recs, n, -1),
                         SM_OK);
        ck_assert_int_eq(rt_check_blob(out.data + 4, out.len - 4, recs, n, 1),
                         1);
        first_entry_at(out.data + 4, out.len - 4, &b);
        ck_assert_int_eq(b.magic, 2);
        ck_assert_int_eq(b.codec, codec);
        ck_assert_int_eq(b.attributes, codec);
        ck_assert_int_eq(b.base_offset, 1000);
        ck_assert_int_eq(b.last_offset, 1004);
        ck_assert_int_eq(b.count, 5);
        ck_assert_int_eq(b.base_timestamp, recs[0].timestamp);
        ck_assert_int_eq(b.max_timestamp, recs[3].timestamp);
        ck_assert_int_eq(b.producer_id, -1);
        ck_assert_int_eq(b.producer_epoch, -1);
        ck_assert_int_eq(b.base_sequence, -1);
        ck_assert_int_eq(b.partition_leader_epoch, -1);
        ck_assert_uint_eq(b.size, out.len - 4);
        sm_buf_fini(&out);
    }
}
END_TEST

/* The exact bytes of a small v2 batch, field by field. */
START_TEST(records__v2_exact_encoding)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;
    sm_record_header_t h = { { "k", 1 }, { (const uint8_t *)"v", 1 } };
    static const uint8_t rec0[] = {
        0x16,                   /* Length 11 */
        0x00,                   /* Attributes */
        0x00,                   /* TimestampDelta 0 */
        0x00,                   /* OffsetDelta 0 */
        0x02, 'a',              /* Key "a" */
        0x01,                   /* Value null */
        0x02, 0x02, 'k', 0x02, 'v'   /* 1 header k=v */
    };
    static const uint8_t rec1[] = {
        0x10, 0x00,             /* Length 8, Attributes */
        0x01,                   /* TimestampDelta -1 */
        0x04,                   /* OffsetDelta 2 (gap) */
        0x01,                   /* Key null */
        0x04, 'x', 'y',         /* Value "xy" */
        0x00                    /* no headers */
    };

    sm_batch_builder_init(&bb, &out, 2, SM_CODEC_NONE, 7);
    sm_batch_builder_set_producer(&bb, 0x0102030405060708LL, 9, 77, 1);
    bb.partition_leader_epoch = 3;
    sm_batch_builder_add(&bb, 500, B("a"), SM_BYTES_NULL, &h, 1);
    sm_batch_builder_add_at(&bb, 9, 499, SM_BYTES_NULL, B("xy"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    ck_assert_uint_eq(out.len, 61 + sizeof(rec0) + sizeof(rec1));
    ck_assert_int_eq(sm_load_be64(out.data), 7);
    ck_assert_int_eq(sm_load_be32(out.data + 8), out.len - 12);
    ck_assert_int_eq(sm_load_be32(out.data + 12), 3);
    ck_assert_int_eq(out.data[16], 2);
    ck_assert_uint_eq(sm_load_be32(out.data + 17),
                      sm_crc32c(0, out.data + 21, out.len - 21));
    ck_assert_int_eq(sm_load_be16(out.data + 21), 0x10);   /* transactional */
    ck_assert_int_eq(sm_load_be32(out.data + 23), 2);      /* last delta */
    ck_assert_int_eq(sm_load_be64(out.data + 27), 500);
    ck_assert_int_eq(sm_load_be64(out.data + 35), 500);    /* max */
    ck_assert_int_eq(sm_load_be64(out.data + 43), 0x0102030405060708LL);
    ck_assert_int_eq(sm_load_be16(out.data + 51), 9);
    ck_assert_int_eq(sm_load_be32(out.data + 53), 77);
    ck_assert_int_eq(sm_load_be32(out.data + 57), 2);
    ck_assert_mem_eq(out.data + 61, rec0, sizeof(rec0));
    ck_assert_mem_eq(out.data + 61 + sizeof(rec0), rec1, sizeof(rec1));
    sm_buf_fini(&out);
}
END_TEST

/* A COMMIT marker as the transaction coordinator writes it. */
START_TEST(records__v2_control_batch)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;
    sm_batch_t b;
    sm_rec_iter_t it;
    sm_record_t rec;
    static const uint8_t key[] = { 0, 0, 0, 1 };           /* v0, COMMIT */
    static const uint8_t val[] = { 0, 0, 0, 0, 0, 5 };     /* v0, epoch 5 */

    sm_batch_builder_init(&bb, &out, 2, SM_CODEC_NONE, 50);
    sm_batch_builder_set_producer(&bb, 99, 1, -1, 1);
    bb.attributes |= SM_ATTR_CONTROL;
    sm_batch_builder_add(&bb, 1234, (sm_bytes_t){ key, 4 },
                         (sm_bytes_t){ val, 6 }, NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    ck_assert_int_eq(b.attributes, SM_ATTR_CONTROL | SM_ATTR_TRANSACTIONAL);
    ck_assert_int_eq(b.producer_id, 99);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 0), SM_OK);
    ck_assert(sm_rec_iter_next(&it, &rec));
    ck_assert_int_eq(rec.offset, 50);
    ck_assert_int_eq(rec.key.len, 4);
    ck_assert_mem_eq(rec.key.ptr, key, 4);
    ck_assert_int_eq(rec.value.len, 6);
    ck_assert(!sm_rec_iter_next(&it, &rec));
    ck_assert_int_eq(it.err, SM_OK);
    sm_rec_iter_fini(&it);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(records__v2_log_append_time)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t out = SM_BUF_INIT, out2 = SM_BUF_INIT;
    sm_batch_builder_t bb;
    sm_batch_t b;

    /* built as LogAppendTime */
    sm_batch_builder_init(&bb, &out, 2, SM_CODEC_GZIP, 0);
    sm_batch_builder_set_log_append_time(&bb, 1700000000000LL);
    for (int i = 0; i < n; i++)
        sm_batch_builder_add(&bb, recs[i].timestamp, recs[i].key,
                             recs[i].value, recs[i].hdrs, recs[i].nhdrs);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    for (int i = 0; i < n; i++)
        recs[i].timestamp = 1700000000000LL;
    rt_check_blob(out.data, out.len, recs, n, 1);
    first_entry(&out, &b);
    ck_assert_int_eq(b.attributes, SM_ATTR_LOG_APPEND_TIME | SM_CODEC_GZIP);
    ck_assert_int_eq(b.max_timestamp, 1700000000000LL);

    /* switched in place, as the broker does on append */
    n = rt_std_records(recs, NREC, 0);
    ck_assert_int_eq(rt_build(&out2, 2, SM_CODEC_NONE, recs, n, -1), SM_OK);
    sm_batch_v2_set_log_append_time(out2.data, out2.len, 1800000000000LL);
    for (int i = 0; i < n; i++)
        recs[i].timestamp = 1800000000000LL;
    rt_check_blob(out2.data, out2.len, recs, n, 1);
    sm_buf_fini(&out);
    sm_buf_fini(&out2);
}
END_TEST

START_TEST(records__v2_crc_covers_attributes_to_end)
{
    sm_buf_t out = SM_BUF_INIT;
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_batch_t b;

    ck_assert_int_eq(rt_build(&out, 2, SM_CODEC_LZ4, recs, n - 1, -1), SM_OK);
    for (size_t i = SM_BATCH_OFF_ATTRIBUTES; i < out.len; i++) {
        out.data[i] ^= 0x01;
        first_entry(&out, &b);
        ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__CRC);
        out.data[i] ^= 0x01;
    }
    /* a bad CRC field itself */
    out.data[SM_BATCH_OFF_CRC] ^= 0x80;
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__CRC);
    out.data[SM_BATCH_OFF_CRC] ^= 0x80;
    /* base offset and leader epoch are outside the CRC */
    sm_batch_v2_set_base_offset(out.data, 123456789);
    sm_batch_v2_set_leader_epoch(out.data, 42);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    ck_assert_int_eq(b.base_offset, 123456789);
    ck_assert_int_eq(b.last_offset, 123456789 + 3);
    ck_assert_int_eq(b.partition_leader_epoch, 42);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(records__empty_builder_writes_nothing)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;

    for (int magic = 0; magic <= 2; magic++) {
        sm_batch_builder_init(&bb, &out, (int8_t)magic, SM_CODEC_GZIP, 5);
        ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
        ck_assert_uint_eq(out.len, 0);
        sm_batch_builder_init(&bb, &out, (int8_t)magic, SM_CODEC_NONE, 5);
        sm_batch_builder_add(&bb, 1, B("k"), B("v"), NULL, 0);
        sm_batch_builder_abort(&bb);
        ck_assert_uint_eq(out.len, 0);
    }
    sm_buf_fini(&out);
}
END_TEST

/* Patch RecordsCount (and the CRC) of a good batch. */
static void
patch_count(sm_buf_t *out, int32_t count)
{
    sm_store_be32(out->data + SM_BATCH_OFF_COUNT, (uint32_t)count);
    sm_batch_v2_update_crc(out->data, out->len);
}

START_TEST(records__v2_count_must_match)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0), seen;

    for (int codec = 0; codec < SM_CODEC__CNT; codec++) {
        sm_buf_t out = SM_BUF_INIT;
        sm_batch_t b;

        ck_assert_int_eq(rt_build(&out, 2, (sm_codec_t)codec, recs, 3, -1),
                         SM_OK);
        patch_count(&out, 4);           /* more declared than present */
        first_entry(&out, &b);
        ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__BAD_MSG);
        ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
        ck_assert_int_eq(seen, 3);
        patch_count(&out, 2);           /* fewer declared than present */
        first_entry(&out, &b);
        ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
        ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
        ck_assert_int_eq(seen, 1);
        patch_count(&out, -1);
        first_entry(&out, &b);
        ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__BAD_MSG);
        ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
        patch_count(&out, 0);           /* empty: payload is not read */
        first_entry(&out, &b);
        ck_assert_int_eq(iter_err(&b, &seen), SM_OK);
        ck_assert_int_eq(seen, 0);
        sm_buf_fini(&out);
    }
    (void)n;
}
END_TEST

/* A v2 batch with a hand-written records region. */
static void
raw_v2(sm_buf_t *out, const uint8_t *recs, size_t len, int32_t count)
{
    sm_buf_reset(out);
    sm_buf_skip(out, SM_BATCH_V2_HDR_SIZE);
    memset(out->data, 0, SM_BATCH_V2_HDR_SIZE);
    sm_buf_write(out, recs, len);
    sm_store_be32(out->data + 8, (uint32_t)(out->len - 12));
    out->data[16] = 2;
    sm_store_be32(out->data + SM_BATCH_OFF_LAST_DELTA, 100);
    sm_store_be32(out->data + SM_BATCH_OFF_COUNT, (uint32_t)count);
    sm_batch_v2_update_crc(out->data, out->len);
}

START_TEST(records__v2_hostile_records)
{
    static const struct {
        const char *what;
        uint8_t rec[16];
        size_t len;
        sm_err_t err;
    } cases[] = {
        { "length past end", { 0x40, 0, 0, 0, 1, 1, 0 }, 7,
          SM_ERR__TRUNCATED },
        { "length short of contents", { 0x0a, 0, 0, 0, 1, 1, 0 }, 7,
          SM_ERR__TRUNCATED },
        { "length beyond contents", { 0x0e, 0, 0, 0, 1, 1, 0, 0 }, 8,
          SM_ERR__BAD_MSG },
        { "negative length", { 0x01, 0, 0, 0, 1, 1, 0 }, 7, SM_ERR__BAD_MSG },
        { "key length -2", { 0x0c, 0, 0, 0, 3, 1, 0 }, 7, SM_ERR__BAD_MSG },
        { "key past record", { 0x0c, 0, 0, 0, 0x7e, 1, 0 }, 7,
          SM_ERR__TRUNCATED },
        { "value length -3", { 0x0c, 0, 0, 0, 1, 5, 0 }, 7, SM_ERR__BAD_MSG },
        { "negative header count", { 0x0c, 0, 0, 0, 1, 1, 1 }, 7,
          SM_ERR__BAD_MSG },
        { "header count above bytes", { 0x0c, 0, 0, 0, 1, 1, 0x7e }, 7,
          SM_ERR__BAD_MSG },
        { "null header key", { 0x10, 0, 0, 0, 1, 1, 2, 1, 1 }, 9,
          SM_ERR__BAD_MSG },
        { "header value past record", { 0x10, 0, 0, 0, 1, 1, 2, 0, 0x20 }, 9,
          SM_ERR__TRUNCATED },
        { "over-long varint", { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 6,
          SM_ERR__BAD_MSG },
        { "truncated varint", { 0x80 }, 1, SM_ERR__TRUNCATED },
    };
    sm_buf_t out = SM_BUF_INIT;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sm_batch_t b;
        int seen;

        raw_v2(&out, cases[i].rec, cases[i].len, 1);
        first_entry(&out, &b);
        ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
        ck_assert_msg(iter_err(&b, &seen) == cases[i].err, "%s: %s",
                      cases[i].what, sm_err_name(iter_err(&b, &seen)));
        ck_assert_int_eq(seen, 0);
    }
    /* a huge RecordsCount over a few bytes allocates nothing, just fails */
    raw_v2(&out, (const uint8_t *)"\x0c\0\0\0\x01\x01\0", 7, INT32_MAX);
    {
        sm_batch_t b;
        int seen;
        first_entry(&out, &b);
        ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
        ck_assert_int_eq(seen, 1);
    }
    sm_buf_fini(&out);
}
END_TEST

/* Varints of every width (1..10 bytes) in offset and timestamp deltas and
 * key/value/header lengths, long enough that the parser's eight-byte path
 * decodes them, come back as built; an over-long varint in the middle of
 * a record (eight-byte path too) is refused like a short one. */
START_TEST(records__v2_varint_widths)
{
    static const int64_t offs[] = { 0, 1, 63, 64, 8191, 8192, 1 << 20,
                                    (1 << 21) + 1, 1 << 27, (1 << 28) + 3,
                                    1 << 30, (1 << 30) + 1, 0x7ffffff0,
                                    0x7ffffffe };
    static const int64_t tsd[] = { 0, 1, -1, 63, 64, -8192, 1 << 20,
                                   1ll << 27, 1ll << 34, -(1ll << 41),
                                   1ll << 48, 1ll << 55, 1ll << 61,
                                   INT64_MIN / 2 };
    static const int32_t lens[] = { -1, 0, 1, 63, 64, 127, 8191, 8192,
                                    70000, 2, 300, -1, 16384, 5 };
    static const uint8_t bad[] = { 0x16, 0, 0, 0x80, 0x80, 0x80, 0x80,
                                   0x80, 0x01, 1, 1, 0 };
    static const uint8_t long_ts[] = { 0x1e, 0, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
                                       0, 1, 1, 0 };
    uint8_t *blob = calloc(1, 70000);
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_batch_t b;
    int n = 0, seen;

    for (int i = 0; i < 70000; i++)
        blob[i] = (uint8_t)(i * 31);
    sm_batch_builder_init(&bb, &out, 2, SM_CODEC_NONE, 0);
    for (int i = 0; i < 14; i++) {
        sm_bytes_t k = { blob, lens[i] }, v = { blob, lens[13 - i] };
        sm_record_header_t h = { { (const char *)blob, lens[i] < 0 ? 3
                                   : lens[i] }, { blob, lens[(i + 5) % 14] } };
        sm_batch_builder_add_at(&bb, offs[i], 1000 + tsd[i], k, v, &h, 1);
    }
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 0), SM_OK);
    while (sm_rec_iter_next(&it, &rec)) {
        sm_record_header_t h;
        ck_assert_int_eq(rec.offset, offs[n]);
        ck_assert_int_eq(rec.timestamp, 1000 + tsd[n]);
        ck_assert_int_eq(rec.key.len, lens[n]);
        ck_assert_int_eq(rec.value.len, lens[13 - n]);
        ck_assert_int_eq(sm_record_headers(&rec, &h, 1), 1);
        ck_assert_int_eq(h.value.len, lens[(n + 5) % 14]);
        n++;
    }
    ck_assert_int_eq(it.err, SM_OK);
    ck_assert_int_eq(n, 14);
    sm_rec_iter_fini(&it);

    raw_v2(&out, bad, sizeof(bad), 1);          /* 6-byte offset delta */
    first_entry(&out, &b);
    ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
    ck_assert_int_eq(seen, 0);
    raw_v2(&out, long_ts, sizeof(long_ts), 1);  /* 10-byte ts delta 0 */
    first_entry(&out, &b);
    ck_assert_int_eq(iter_err(&b, &seen), SM_OK);
    ck_assert_int_eq(seen, 1);
    sm_buf_fini(&out);
    free(blob);
}
END_TEST

START_TEST(records__v2_hostile_header_fields)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_t b;
    sm_rec_iter_t it;
    sm_record_t rec;
    static const uint8_t rec1[] = { 0x0c, 0, 0, 0, 1, 1, 0 };

    raw_v2(&out, rec1, sizeof(rec1), 1);
    /* offsets and timestamps at the edges must not overflow (UBSan) */
    sm_store_be64(out.data, (uint64_t)INT64_MAX);
    sm_store_be64(out.data + SM_BATCH_OFF_BASE_TS, (uint64_t)INT64_MAX);
    sm_store_be32(out.data + SM_BATCH_OFF_LAST_DELTA, 0x7fffffff);
    out.data[61 + 2] = 0x01;                    /* timestamp delta -1 */
    out.data[61 + 3] = 0x02;                    /* offset delta 1 */
    sm_batch_v2_update_crc(out.data, out.len);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 0), SM_OK);
    ck_assert(sm_rec_iter_next(&it, &rec));
    ck_assert_int_eq(rec.offset, INT64_MIN);    /* wrapped, not UB */
    ck_assert_int_eq(rec.timestamp, INT64_MAX - 1);
    sm_rec_iter_fini(&it);
    /* unknown codec 5 */
    sm_store_be16(out.data + SM_BATCH_OFF_ATTRIBUTES, 5);
    sm_batch_v2_update_crc(out.data, out.len);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__BAD_MSG);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 100),
                     SM_ERR__UNSUPPORTED_CODEC);
    ck_assert(!sm_rec_iter_next(&it, &rec));
    sm_rec_iter_fini(&it);
    /* negative LastOffsetDelta */
    sm_store_be16(out.data + SM_BATCH_OFF_ATTRIBUTES, 0);
    sm_store_be32(out.data + SM_BATCH_OFF_LAST_DELTA, (uint32_t)-1);
    sm_batch_v2_update_crc(out.data, out.len);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__BAD_MSG);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(records__headers_decoding)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_t b;
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_record_header_t h[2];

    ck_assert_int_eq(rt_build(&out, 2, SM_CODEC_NONE, recs, n, -1), SM_OK);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 0), SM_OK);
    ck_assert(sm_rec_iter_next(&it, &rec));
    ck_assert(sm_rec_iter_next(&it, &rec));
    ck_assert(sm_rec_iter_next(&it, &rec));      /* the one with 2 headers */
    ck_assert_int_eq(rec.header_count, 2);
    ck_assert_int_eq(sm_record_headers(&rec, h, 1), 1);   /* capped at max */
    ck_assert(sm_str_eq_cstr(h[0].key, "a"));
    ck_assert_int_eq(h[0].value.len, -1);
    ck_assert_int_eq(sm_record_headers(&rec, h, 2), 2);
    ck_assert_int_eq(h[1].value.len, 0);
    ck_assert_ptr_nonnull(h[1].value.ptr);
    /* malformed region */
    rec.headers = sm_slice("\x02", 1);
    ck_assert_int_eq(sm_record_headers(&rec, h, 2), -1);
    rec.magic = 1;
    ck_assert_int_eq(sm_record_headers(&rec, h, 2), 0);
    sm_rec_iter_fini(&it);
    sm_buf_fini(&out);
}
END_TEST

/* ---------------------------------------------------------------- legacy */

START_TEST(records__legacy_plain)
{
    rt_rec_t recs[NREC];

    for (int magic = 0; magic <= 1; magic++) {
        int n = rt_std_records(recs, NREC, 100);
        sm_buf_t out = SM_BUF_INIT;
        sm_batch_iter_t bi;
        sm_batch_t b;
        int i = 0;

        ck_assert_int_eq(rt_build(&out, (int8_t)magic, SM_CODEC_NONE, recs, n,
                                  -1), SM_OK);
        if (magic == 0)
            for (int j = 0; j < n; j++)
                recs[j].timestamp = SM_NO_TIMESTAMP;
        ck_assert_int_eq(rt_check_blob(out.data, out.len, recs, n, 0), n);
        sm_batch_iter_init(&bi, out.data, out.len);
        while (sm_batch_next(&bi, &b)) {
            ck_assert_int_eq(b.magic, magic);
            ck_assert_int_eq(b.count, 1);
            ck_assert_int_eq(b.base_offset, 100 + i);
            ck_assert_int_eq(b.last_offset, 100 + i);
            ck_assert_int_eq(b.max_timestamp, recs[i].timestamp);
            ck_assert_uint_eq(sm_load_be32(b.ptr + 12),
                              sm_crc32(0, b.ptr + 16, b.size - 16));
            i++;
        }
        sm_buf_fini(&out);
    }
}
END_TEST

START_TEST(records__legacy_compressed)
{
    rt_rec_t recs[NREC];

    for (int magic = 0; magic <= 1; magic++) {
        for (int codec = 1; codec <= 3; codec++) {
            int n = rt_std_records(recs, NREC, 100);
            sm_buf_t out = SM_BUF_INIT, inner = SM_BUF_INIT;
            sm_batch_t b, in;
            sm_batch_iter_t bi;
            int64_t want_inner = magic == 1 ? 0 : 100;

            ck_assert_int_eq(rt_build(&out, (int8_t)magic, (sm_codec_t)codec,
                                      recs, n, -1), SM_OK);
            first_entry(&out, &b);
            ck_assert_int_eq(b.count, -1);
            ck_assert_int_eq(b.base_offset, 104);        /* last offset */
            ck_assert_int_eq(b.last_offset, 104);
            ck_assert_uint_eq(b.size, out.len);          /* one wrapper */
            ck_assert_int_eq(b.max_timestamp,
                             magic ? recs[3].timestamp : SM_NO_TIMESTAMP);
            ck_assert_int_eq((int32_t)sm_load_be32(b.ptr + (magic ? 26 : 18)),
                             -1);
            /* inner offsets: relative for magic 1, absolute for magic 0 */
            ck_assert_int_eq(sm_decompress(
                (sm_codec_t)codec,
                sm_slice(b.ptr + (magic ? 34 : 26), b.size - (magic ? 34 : 26)),
                1 << 20, &inner, magic == 0 ? SM_COMPRESS_LZ4_LEGACY : 0),
                SM_OK);
            sm_batch_iter_init(&bi, inner.data, inner.len);
            while (sm_batch_next(&bi, &in))
                ck_assert_int_eq(in.base_offset, want_inner++);
            ck_assert_int_eq(want_inner, (magic ? 0 : 100) + n);
            if (magic == 0)
                for (int j = 0; j < n; j++)
                    recs[j].timestamp = SM_NO_TIMESTAMP;
            ck_assert_int_eq(rt_check_blob(out.data, out.len, recs, n, 0), 1);
            sm_buf_fini(&out);
            sm_buf_fini(&inner);
        }
    }
}
END_TEST

START_TEST(records__legacy_log_append_time)
{
    rt_rec_t recs[NREC];

    for (int codec = 0; codec <= 1; codec++) {
        int n = rt_std_records(recs, NREC, 10);
        sm_buf_t out = SM_BUF_INIT;
        sm_batch_builder_t bb;
        sm_batch_t b;

        sm_batch_builder_init(&bb, &out, 1, (sm_codec_t)codec, 10);
        sm_batch_builder_set_log_append_time(&bb, 42);
        for (int i = 0; i < n; i++)
            sm_batch_builder_add(&bb, recs[i].timestamp, recs[i].key,
                                 recs[i].value, NULL, 0);
        ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
        first_entry(&out, &b);
        ck_assert_int_eq(b.attributes, codec | 0x08);
        ck_assert_int_eq(b.max_timestamp, 42);
        for (int i = 0; i < n; i++)
            recs[i].timestamp = 42;
        rt_check_blob(out.data, out.len, recs, n, 0);
        sm_buf_fini(&out);
    }
}
END_TEST

/* A wrapper around an inner set written by hand. */
static void
wrap(sm_buf_t *out, int8_t magic, int64_t offset, const sm_buf_t *inner)
{
    sm_buf_t c = SM_BUF_INIT;

    ck_assert_int_eq(sm_compress(SM_CODEC_GZIP, -1,
                                 sm_slice(inner->data, inner->len), &c, 0),
                     SM_OK);
    sm_buf_reset(out);
    sm_buf_skip(out, magic ? 26 : 18);
    memset(out->data, 0, out->len);
    sm_store_be64(out->data, (uint64_t)offset);
    out->data[16] = (uint8_t)magic;
    out->data[17] = SM_CODEC_GZIP;
    sm_wr_i32(out, -1);
    sm_wr_i32(out, (int32_t)c.len);
    sm_buf_write(out, c.data, c.len);
    sm_store_be32(out->data + 8, (uint32_t)(out->len - 12));
    sm_store_be32(out->data + 12, sm_crc32(0, out->data + 16, out->len - 16));
    sm_buf_fini(&c);
}

/* Inner message at offset off, optionally compressed (attrs). */
static void
inner_msg(sm_buf_t *set, int8_t magic, int64_t off, int8_t attrs)
{
    size_t start = set->len;
    sm_batch_builder_t bb;

    sm_batch_builder_init(&bb, set, magic, SM_CODEC_NONE, off);
    sm_batch_builder_add(&bb, 77, B("k"), B("v"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    set->data[start + 17] = (uint8_t)attrs;
    sm_store_be32(set->data + start + 12,
                  sm_crc32(0, set->data + start + 16, set->len - start - 16));
}

static sm_err_t
wrapped_err(int8_t magic, int64_t wrapper_off, const sm_buf_t *inner,
            int *seen, int64_t *first_offset)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_t b;
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_err_t err;

    wrap(&out, magic, wrapper_off, inner);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    *seen = 0;
    (void)sm_rec_iter_init(&it, &b, 1 << 20);
    while (sm_rec_iter_next(&it, &rec)) {
        if ((*seen)++ == 0)
            *first_offset = rec.offset;
    }
    err = it.err;
    sm_rec_iter_fini(&it);
    sm_buf_fini(&out);
    return err;
}

START_TEST(records__legacy_wrapper_rules)
{
    sm_buf_t set = SM_BUF_INIT;
    int seen;
    int64_t first = -99;

    /* magic 1, relative 0..2, wrapper 52 -> 50..52 */
    for (int i = 0; i < 3; i++)
        inner_msg(&set, 1, i, 0);
    ck_assert_int_eq(wrapped_err(1, 52, &set, &seen, &first), SM_OK);
    ck_assert_int_eq(seen, 3);
    ck_assert_int_eq(first, 50);
    /* wrapper offset 0 (some librdkafka producers): offsets as they are */
    ck_assert_int_eq(wrapped_err(1, 0, &set, &seen, &first), SM_OK);
    ck_assert_int_eq(first, 0);
    /* wrapper below the last inner offset */
    ck_assert_int_eq(wrapped_err(1, 1, &set, &seen, &first), SM_ERR__BAD_MSG);
    ck_assert_int_eq(seen, 0);
    /* nested compression */
    sm_buf_reset(&set);
    inner_msg(&set, 1, 0, 0);
    inner_msg(&set, 1, 1, SM_CODEC_GZIP);
    ck_assert_int_eq(wrapped_err(1, 9, &set, &seen, &first), SM_ERR__BAD_MSG);
    /* inner CRC */
    sm_buf_reset(&set);
    inner_msg(&set, 0, 5, 0);
    set.data[set.len - 1] ^= 1;
    ck_assert_int_eq(wrapped_err(0, 5, &set, &seen, &first), SM_ERR__CRC);
    /* a v2 batch inside a legacy wrapper */
    sm_buf_reset(&set);
    {
        sm_batch_builder_t bb;
        sm_batch_builder_init(&bb, &set, 2, SM_CODEC_NONE, 0);
        sm_batch_builder_add(&bb, 1, B("k"), B("v"), NULL, 0);
        ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    }
    ck_assert_int_eq(wrapped_err(1, 0, &set, &seen, &first), SM_ERR__BAD_MSG);
    /* empty inner set, and an inner set cut short */
    sm_buf_reset(&set);
    ck_assert_int_eq(wrapped_err(1, 0, &set, &seen, &first), SM_ERR__BAD_MSG);
    inner_msg(&set, 0, 5, 0);
    set.len -= 2;
    ck_assert_int_eq(wrapped_err(0, 5, &set, &seen, &first),
                     SM_ERR__TRUNCATED);
    sm_buf_fini(&set);
}
END_TEST

START_TEST(records__legacy_wrapper_bad_values)
{
    sm_buf_t set = SM_BUF_INIT, out = SM_BUF_INIT;
    sm_batch_t b;
    int seen;

    inner_msg(&set, 1, 0, 0);
    wrap(&out, 1, 0, &set);
    /* zstd is not a legacy codec */
    out.data[17] = SM_CODEC_ZSTD;
    sm_store_be32(out.data + 12, sm_crc32(0, out.data + 16, out.len - 16));
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__BAD_MSG);
    ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__UNSUPPORTED_CODEC);
    /* a null value */
    sm_buf_reset(&out);
    {
        sm_batch_builder_t bb;
        sm_batch_builder_init(&bb, &out, 1, SM_CODEC_NONE, 0);
        sm_batch_builder_add(&bb, 1, SM_BYTES_NULL, SM_BYTES_NULL, NULL, 0);
        ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    }
    out.data[17] = SM_CODEC_GZIP;
    first_entry(&out, &b);
    ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
    /* garbage as the compressed value */
    sm_buf_reset(&out);
    {
        sm_batch_builder_t bb;
        sm_batch_builder_init(&bb, &out, 1, SM_CODEC_NONE, 0);
        sm_batch_builder_add(&bb, 1, SM_BYTES_NULL, B("not gzip"), NULL, 0);
        ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    }
    out.data[17] = SM_CODEC_GZIP;
    first_entry(&out, &b);
    ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__COMPRESSION);
    /* legacy key/value lengths that do not fill the message */
    sm_store_be32(out.data + 30, 3);
    first_entry(&out, &b);
    ck_assert_int_eq(sm_batch_validate(&b), SM_ERR__CRC);
    ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__BAD_MSG);
    sm_store_be32(out.data + 26, 0x10000);
    first_entry(&out, &b);
    ck_assert_int_eq(iter_err(&b, &seen), SM_ERR__TRUNCATED);
    sm_buf_fini(&set);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(records__builder_refuses_what_legacy_cannot_carry)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_builder_t bb;

    sm_buf_write(&out, "keep", 4);
    sm_batch_builder_init(&bb, &out, 1, SM_CODEC_ZSTD, 0);
    sm_batch_builder_add(&bb, 1, B("k"), B("v"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_ERR__UNSUPPORTED_CODEC);
    sm_batch_builder_init(&bb, &out, 0, SM_CODEC_NONE, 0);
    sm_batch_builder_set_producer(&bb, 1, 1, 1, 1);
    sm_batch_builder_add(&bb, 1, B("k"), B("v"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_ERR__INVALID_ARG);
    sm_batch_builder_init(&bb, &out, 2, (sm_codec_t)6, 0);
    sm_batch_builder_add(&bb, 1, B("k"), B("v"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_ERR__UNSUPPORTED_CODEC);
    ck_assert_uint_eq(out.len, 4);
    ck_assert_mem_eq(out.data, "keep", 4);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(records__decompression_bound)
{
    size_t n = 2 << 20;
    uint8_t *big = calloc(1, n);
    sm_bytes_t v = { big, (int32_t)n };

    for (int magic = 0; magic <= 2; magic++) {
        sm_buf_t out = SM_BUF_INIT;
        sm_batch_builder_t bb;
        sm_batch_t b;
        int seen;

        sm_batch_builder_init(&bb, &out, (int8_t)magic, SM_CODEC_GZIP, 0);
        sm_batch_builder_add(&bb, 1, SM_BYTES_NULL, v, NULL, 0);
        ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
        ck_assert_uint_lt(out.len, 16384);
        first_entry(&out, &b);
        {
            sm_rec_iter_t it;
            ck_assert_int_eq(sm_rec_iter_init(&it, &b, 1 << 20),
                             SM_ERR__TOO_LARGE);
            ck_assert_uint_le(it.decomp.cap, (1 << 20) + 1);
            sm_rec_iter_fini(&it);
        }
        ck_assert_int_eq(iter_err(&b, &seen), SM_OK);   /* 64 MiB is fine */
        ck_assert_int_eq(seen, 1);
        sm_buf_fini(&out);
    }
    free(big);
}
END_TEST

START_TEST(records__batch_iter_structure)
{
    sm_buf_t out = SM_BUF_INIT;
    sm_batch_iter_t bi;
    sm_batch_t b;
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);

    ck_assert_int_eq(rt_build(&out, 2, SM_CODEC_NONE, recs, n, -1), SM_OK);
    /* bounded entry size */
    sm_batch_iter_init(&bi, out.data, out.len);
    bi.max_entry_size = out.len - 1;
    ck_assert(!sm_batch_next(&bi, &b));
    ck_assert_int_eq(bi.err, SM_ERR__TOO_LARGE);
    /* unknown magic */
    out.data[16] = 3;
    sm_batch_iter_init(&bi, out.data, out.len);
    ck_assert(!sm_batch_next(&bi, &b));
    ck_assert_int_eq(bi.err, SM_ERR__BAD_MSG);
    out.data[16] = 2;
    /* a Length below the header */
    sm_store_be32(out.data + 8, 20);
    sm_batch_iter_init(&bi, out.data, out.len);
    ck_assert(!sm_batch_next(&bi, &b));
    ck_assert_int_eq(bi.err, SM_ERR__BAD_MSG);
    /* negative Length */
    sm_store_be32(out.data + 8, 0x80000000u);
    sm_batch_iter_init(&bi, out.data, out.len);
    ck_assert(!sm_batch_next(&bi, &b));
    ck_assert_int_eq(bi.err, SM_ERR__BAD_MSG);
    /* a partial trailing entry stops iteration without an error */
    sm_store_be32(out.data + 8, (uint32_t)(out.len - 12));
    sm_batch_iter_init(&bi, out.data, out.len - 1);
    ck_assert(!sm_batch_next(&bi, &b));
    ck_assert_int_eq(bi.err, SM_OK);
    ck_assert_int_eq(bi.partial, 1);
    sm_buf_fini(&out);
}
END_TEST

/* Every built input, cut at every byte position (ASan/leak checks). */
START_TEST(records__truncation_of_built_inputs)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 100);

    /* smaller records keep the every-position loop quick */
    recs[4].value.len = 3000;
    for (int magic = 0; magic <= 2; magic++) {
        for (int codec = 0; codec < SM_CODEC__CNT; codec++) {
            sm_buf_t out = SM_BUF_INIT;

            if (magic < 2 && codec == SM_CODEC_ZSTD)
                continue;
            ck_assert_int_eq(rt_build(&out, (int8_t)magic, (sm_codec_t)codec,
                                      recs, n, -1), SM_OK);
            ck_assert_int_eq(rt_build(&out, (int8_t)magic, (sm_codec_t)codec,
                                      recs, 2, -1), SM_OK);
            rt_truncate_all(out.data, out.len);
            sm_buf_fini(&out);
        }
    }
}
END_TEST

Suite *
sm_test_suite_records(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("records");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT * 3);
    tcase_add_test(tc, records__v2_every_codec_round_trip);
    tcase_add_test(tc, records__v2_exact_encoding);
    tcase_add_test(tc, records__v2_varint_widths);
    tcase_add_test(tc, records__v2_control_batch);
    tcase_add_test(tc, records__v2_log_append_time);
    tcase_add_test(tc, records__v2_crc_covers_attributes_to_end);
    tcase_add_test(tc, records__empty_builder_writes_nothing);
    tcase_add_test(tc, records__v2_count_must_match);
    tcase_add_test(tc, records__v2_hostile_records);
    tcase_add_test(tc, records__v2_hostile_header_fields);
    tcase_add_test(tc, records__headers_decoding);
    tcase_add_test(tc, records__legacy_plain);
    tcase_add_test(tc, records__legacy_compressed);
    tcase_add_test(tc, records__legacy_log_append_time);
    tcase_add_test(tc, records__legacy_wrapper_rules);
    tcase_add_test(tc, records__legacy_wrapper_bad_values);
    tcase_add_test(tc, records__builder_refuses_what_legacy_cannot_carry);
    tcase_add_test(tc, records__decompression_bound);
    tcase_add_test(tc, records__batch_iter_structure);
    tcase_add_test(tc, records__truncation_of_built_inputs);
    suite_add_tcase(s, tc);
    return s;
}
