/*
 * test_convert.c: up-conversion of legacy Produce input to v2 and
 * down-conversion of v2 for old Fetch clients (protocol/convert.c), and the
 * round trips between them.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_endian.h"
#include "protocol/records.h"
#include "rec_util.h"
#include "sm_test.h"

#define NREC 8

static sm_bytes_t
B(const char *s)
{
    sm_bytes_t b = { (const uint8_t *)s, (int32_t)strlen(s) };
    return b;
}

/* Entries of blob: count, and the magic/codec/attributes of each. */
typedef struct entry_info {
    int n;
    int8_t magic[16];
    int16_t attrs[16];
    int32_t count[16];
} entry_info_t;

static void
entries(const sm_buf_t *blob, entry_info_t *ei)
{
    sm_batch_iter_t bi;
    sm_batch_t b;

    memset(ei, 0, sizeof(*ei));
    sm_batch_iter_init(&bi, blob->data, blob->len);
    while (sm_batch_next(&bi, &b) && ei->n < 16) {
        ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
        ei->magic[ei->n] = b.magic;
        ei->attrs[ei->n] = b.attributes;
        ei->count[ei->n] = b.count;
        ei->n++;
    }
    ck_assert_int_eq(bi.err, SM_OK);
}

/* Expected records after conversion to magic m (timestamps, headers). */
static void
as_magic(rt_rec_t *recs, int n, int m)
{
    for (int i = 0; i < n; i++) {
        if (m == 0)
            recs[i].timestamp = SM_NO_TIMESTAMP;
        if (m < 2)
            recs[i].nhdrs = 0;
    }
}

START_TEST(convert__upconvert_legacy)
{
    rt_rec_t recs[NREC];

    for (int magic = 0; magic <= 1; magic++) {
        for (int codec = 0; codec <= 3; codec++) {
            int n = rt_std_records(recs, NREC, 500);
            sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;
            entry_info_t ei;

            as_magic(recs, n, magic);
            ck_assert_int_eq(rt_build(&in, (int8_t)magic, (sm_codec_t)codec,
                                      recs, n, -1), SM_OK);
            sm_buf_write(&out, "x", 1);
            ck_assert_int_eq(sm_records_upconvert(
                sm_slice(in.data, in.len), &out, RT_MAX_DECOMP), SM_OK);
            ck_assert_int_eq(out.data[0], 'x');
            entries(&(sm_buf_t){ out.data + 1, out.len - 1, 0 }, &ei);
            ck_assert_int_eq(ei.n, 1);                 /* one v2 batch */
            ck_assert_int_eq(ei.magic[0], 2);
            ck_assert_int_eq(ei.attrs[0], codec);      /* codec kept */
            ck_assert_int_eq(ei.count[0], n);
            for (int i = 0; i < n; i++)
                recs[i].offset = i;                    /* relative */
            rt_check_blob(out.data + 1, out.len - 1, recs, n, 1);
            sm_buf_fini(&in);
            sm_buf_fini(&out);
        }
    }
}
END_TEST

START_TEST(convert__upconvert_rejects_bad_input)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;
    sm_batch_builder_t bb;

    /* empty input: nothing */
    ck_assert_int_eq(sm_records_upconvert(sm_slice(NULL, 0), &out, 100),
                     SM_OK);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(rt_build(&in, 1, SM_CODEC_NONE, recs, n, -1), SM_OK);
    /* a cut message is corrupt in a Produce request */
    ck_assert_int_eq(sm_records_upconvert(sm_slice(in.data, in.len - 1), &out,
                                          RT_MAX_DECOMP), SM_ERR__TRUNCATED);
    /* CRC */
    in.data[40] ^= 1;
    ck_assert_int_eq(sm_records_upconvert(sm_slice(in.data, in.len), &out,
                                          RT_MAX_DECOMP), SM_ERR__CRC);
    ck_assert_uint_eq(out.len, 0);
    /* a control batch from a client */
    sm_buf_reset(&in);
    sm_batch_builder_init(&bb, &in, 2, SM_CODEC_NONE, 0);
    bb.attributes |= SM_ATTR_CONTROL | SM_ATTR_TRANSACTIONAL;
    sm_batch_builder_add(&bb, 1, B("\0\0\0\1"), B("x"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    ck_assert_int_eq(sm_records_upconvert(sm_slice(in.data, in.len), &out,
                                          RT_MAX_DECOMP), SM_ERR__BAD_MSG);
    /* decompression bound */
    sm_buf_reset(&in);
    ck_assert_int_eq(rt_build(&in, 1, SM_CODEC_GZIP, recs, n, -1), SM_OK);
    ck_assert_int_eq(sm_records_upconvert(sm_slice(in.data, in.len), &out,
                                          1000), SM_ERR__TOO_LARGE);
    ck_assert_uint_eq(out.len, 0);
    sm_buf_fini(&in);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(convert__downconvert_v2)
{
    rt_rec_t recs[NREC];

    for (int to = 0; to <= 1; to++) {
        for (int codec = 0; codec <= 3; codec++) {
            int n = rt_std_records(recs, NREC, 7000);
            sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;
            entry_info_t ei;

            ck_assert_int_eq(rt_build(&in, 2, (sm_codec_t)codec, recs, n, -1),
                             SM_OK);
            ck_assert_int_eq(sm_records_downconvert(
                sm_slice(in.data, in.len), (int8_t)to, &out, RT_MAX_DECOMP),
                SM_OK);
            entries(&out, &ei);
            /* compressed: one wrapper with the same codec; else one
             * message per record */
            ck_assert_int_eq(ei.n, codec ? 1 : n);
            for (int i = 0; i < ei.n; i++) {
                ck_assert_int_eq(ei.magic[i], to);
                ck_assert_int_eq(ei.attrs[i], codec);
            }
            as_magic(recs, n, to);
            rt_check_blob(out.data, out.len, recs, n, 0);  /* offsets kept */
            sm_buf_fini(&in);
            sm_buf_fini(&out);
        }
    }
}
END_TEST

/* Control batches vanish, zstd cannot go down, old entries pass through,
 * a partial last batch is dropped. */
START_TEST(convert__downconvert_rules)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;
    sm_batch_builder_t bb;
    entry_info_t ei;
    size_t legacy_at, legacy_len;

    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_NONE, recs, 2, -1), SM_OK);
    sm_batch_builder_init(&bb, &in, 2, SM_CODEC_NONE, 2);
    sm_batch_builder_set_producer(&bb, 5, 0, -1, 1);
    bb.attributes |= SM_ATTR_CONTROL;
    sm_batch_builder_add(&bb, 1, B("\0\0\0\1"), B("\0\0\0\0\0\0"), NULL, 0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    legacy_at = in.len;
    ck_assert_int_eq(rt_build(&in, 0, SM_CODEC_GZIP, recs + 3, 1, -1), SM_OK);
    legacy_len = in.len - legacy_at;
    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_SNAPPY, recs + 4, 1, -1),
                     SM_OK);

    sm_buf_write(&out, "keep", 4);
    ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len - 3), 0,
                                            &out, RT_MAX_DECOMP), SM_OK);
    ck_assert_mem_eq(out.data, "keep", 4);
    entries(&(sm_buf_t){ out.data + 4, out.len - 4, 0 }, &ei);
    ck_assert_int_eq(ei.n, 3);          /* 2 messages + the legacy entry */
    ck_assert_mem_eq(out.data + out.len - legacy_len, in.data + legacy_at,
                     legacy_len);       /* copied unchanged */

    /* zstd: an error, and out is left as it was */
    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_ZSTD, recs, 1, -1), SM_OK);
    sm_buf_reset(&out);
    sm_buf_write(&out, "keep", 4);
    ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len), 1,
                                            &out, RT_MAX_DECOMP),
                     SM_ERR_UNSUPPORTED_COMPRESSION_TYPE);
    ck_assert_uint_eq(out.len, 4);
    /* to magic 2 copies everything */
    sm_buf_reset(&out);
    ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len), 2,
                                            &out, RT_MAX_DECOMP), SM_OK);
    ck_assert_uint_eq(out.len, in.len);
    ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len), 3,
                                            &out, RT_MAX_DECOMP),
                     SM_ERR__INVALID_ARG);
    (void)n;
    sm_buf_fini(&in);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(convert__downconvert_first_offset)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 10);
    sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;
    entry_info_t ei;

    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_NONE, recs, n, -1), SM_OK);
    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_GZIP, recs, n, -1), SM_OK);
    ck_assert_int_eq(sm_records_downconvert_from(sm_slice(in.data, in.len), 1,
                                                 12, &out, RT_MAX_DECOMP),
                     SM_OK);
    entries(&out, &ei);
    /* uncompressed: offsets 12..14 only; compressed: all 5 kept */
    ck_assert_int_eq(ei.n, 3 + 1);
    as_magic(recs, n, 1);
    {
        rt_rec_t want[2 * NREC];
        memcpy(want, recs + 2, 3 * sizeof(*recs));
        memcpy(want + 3, recs, (size_t)n * sizeof(*recs));
        rt_check_blob(out.data, out.len, want, 3 + n, 0);
    }
    /* everything below: the uncompressed batch converts to nothing */
    sm_buf_reset(&out);
    sm_buf_reset(&in);
    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_NONE, recs, n, -1), SM_OK);
    ck_assert_int_eq(sm_records_downconvert_from(sm_slice(in.data, in.len), 0,
                                                 100, &out, RT_MAX_DECOMP),
                     SM_OK);
    ck_assert_uint_eq(out.len, 0);
    sm_buf_fini(&in);
    sm_buf_fini(&out);
}
END_TEST

START_TEST(convert__downconvert_log_append_time)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;
    entry_info_t ei;

    for (int codec = 0; codec <= 1; codec++) {
        sm_buf_reset(&in);
        sm_buf_reset(&out);
        ck_assert_int_eq(rt_build(&in, 2, (sm_codec_t)codec, recs, n, -1),
                         SM_OK);
        sm_batch_v2_set_log_append_time(in.data, in.len, 99);
        ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len), 1,
                                                &out, RT_MAX_DECOMP), SM_OK);
        entries(&out, &ei);
        ck_assert_int_eq(ei.attrs[0], codec | 0x08);
        {
            rt_rec_t want[NREC];
            memcpy(want, recs, sizeof(recs));
            for (int i = 0; i < n; i++)
                want[i].timestamp = 99;
            as_magic(want, n, 1);
            rt_check_blob(out.data, out.len, want, n, 0);
        }
    }
    sm_buf_fini(&in);
    sm_buf_fini(&out);
}
END_TEST

/* legacy -> up -> (broker assigns offsets) -> down: the same records. */
START_TEST(convert__round_trip_legacy_up_down)
{
    rt_rec_t recs[NREC];

    for (int magic = 0; magic <= 1; magic++) {
        for (int codec = 0; codec <= 3; codec++) {
            int n = rt_std_records(recs, NREC, 300);
            sm_buf_t in = SM_BUF_INIT, v2 = SM_BUF_INIT, back = SM_BUF_INIT;

            as_magic(recs, n, magic);
            ck_assert_int_eq(rt_build(&in, (int8_t)magic, (sm_codec_t)codec,
                                      recs, n, -1), SM_OK);
            ck_assert_int_eq(sm_records_upconvert(sm_slice(in.data, in.len),
                                                  &v2, RT_MAX_DECOMP), SM_OK);
            sm_batch_v2_set_base_offset(v2.data, 300);
            ck_assert_int_eq(sm_records_downconvert(
                sm_slice(v2.data, v2.len), (int8_t)magic, &back,
                RT_MAX_DECOMP), SM_OK);
            rt_check_blob(back.data, back.len, recs, n, 0);
            if (codec == SM_CODEC_NONE) {       /* byte for byte, even */
                ck_assert_uint_eq(back.len, in.len);
                ck_assert(memcmp(back.data, in.data, in.len) == 0);
            }
            sm_buf_fini(&in);
            sm_buf_fini(&v2);
            sm_buf_fini(&back);
        }
    }
}
END_TEST

/* v2 -> down to 1 -> up: offsets (after re-basing), keys, values and
 * timestamps survive; headers cannot. */
START_TEST(convert__round_trip_v2_down_up)
{
    rt_rec_t recs[NREC];

    for (int codec = 0; codec <= 3; codec++) {
        int n = rt_std_records(recs, NREC, 40);
        sm_buf_t in = SM_BUF_INIT, v1 = SM_BUF_INIT, up = SM_BUF_INIT;

        ck_assert_int_eq(rt_build(&in, 2, (sm_codec_t)codec, recs, n, -1),
                         SM_OK);
        ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len), 1,
                                                &v1, RT_MAX_DECOMP), SM_OK);
        ck_assert_int_eq(sm_records_upconvert(sm_slice(v1.data, v1.len), &up,
                                              RT_MAX_DECOMP), SM_OK);
        sm_batch_v2_set_base_offset(up.data, 40);
        as_magic(recs, n, 1);
        rt_check_blob(up.data, up.len, recs, n, 1);
        sm_buf_fini(&in);
        sm_buf_fini(&v1);
        sm_buf_fini(&up);
    }
}
END_TEST

/* An empty v2 batch (compaction keeps them) converts to nothing. */
START_TEST(convert__downconvert_empty_batch)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;

    ck_assert_int_eq(rt_build(&in, 2, SM_CODEC_NONE, recs, 1, -1), SM_OK);
    in.len = SM_BATCH_V2_HDR_SIZE;
    sm_store_be32(in.data + 8, SM_BATCH_V2_HDR_SIZE - 12);
    sm_store_be32(in.data + SM_BATCH_OFF_COUNT, 0);
    sm_batch_v2_update_crc(in.data, in.len);
    ck_assert_int_eq(sm_records_downconvert(sm_slice(in.data, in.len), 1,
                                            &out, RT_MAX_DECOMP), SM_OK);
    ck_assert_uint_eq(out.len, 0);
    (void)n;
    sm_buf_fini(&in);
    sm_buf_fini(&out);
}
END_TEST

/* Converting corrupt or cut input fails cleanly (ASan/leaks). */
START_TEST(convert__truncated_input)
{
    rt_rec_t recs[NREC];
    int n = rt_std_records(recs, NREC, 0);
    sm_buf_t in = SM_BUF_INIT, out = SM_BUF_INIT;

    recs[4].value.len = 2000;
    ck_assert_int_eq(rt_build(&in, 1, SM_CODEC_NONE, recs, n, -1), SM_OK);
    ck_assert_int_eq(rt_build(&in, 1, SM_CODEC_LZ4, recs, n, -1), SM_OK);
    for (size_t cut = 0; cut < in.len; cut++) {
        uint8_t *p = malloc(cut + 1);
        memcpy(p, in.data, cut);
        sm_buf_reset(&out);
        (void)sm_records_upconvert(sm_slice(p, cut), &out, RT_MAX_DECOMP);
        sm_buf_reset(&out);
        ck_assert_int_eq(sm_records_downconvert(sm_slice(p, cut), 0, &out,
                                                RT_MAX_DECOMP), SM_OK);
        free(p);
    }
    sm_buf_fini(&in);
    sm_buf_fini(&out);
}
END_TEST

Suite *
sm_test_suite_convert(void)
{
    Suite *s = suite_create("convert");
    TCase *tc = tcase_create("convert");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT * 3);
    tcase_add_test(tc, convert__upconvert_legacy);
    tcase_add_test(tc, convert__upconvert_rejects_bad_input);
    tcase_add_test(tc, convert__downconvert_v2);
    tcase_add_test(tc, convert__downconvert_rules);
    tcase_add_test(tc, convert__downconvert_first_offset);
    tcase_add_test(tc, convert__downconvert_log_append_time);
    tcase_add_test(tc, convert__round_trip_legacy_up_down);
    tcase_add_test(tc, convert__round_trip_v2_down_up);
    tcase_add_test(tc, convert__downconvert_empty_batch);
    tcase_add_test(tc, convert__truncated_input);
    suite_add_tcase(s, tc);
    return s;
}
