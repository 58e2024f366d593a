/*
 * test_validator.c: validator.c - the Produce checks (Kafka's
 * LogValidator): record counting without a copy, keys on compacted
 * topics, the CreateTime window (including timestamps far enough from now
 * to overflow a naive difference), malformed records behind a good CRC,
 * and that the first failing record decides the error.
 */
#include <stdint.h>
#include <string.h>

#include "common/sm_buf.h"
#include "log/validator.h"
#include "protocol/records.h"
#include "sm_test.h"

#define TV_NOW 1600000000000LL

/* One v2 batch of n uncompressed records; key i is null when bit i of
 * nullkeys is set, record i has timestamp ts[i] (or TV_NOW). */
static void
tv_batch(sm_buf_t *out, sm_codec_t codec, int n, unsigned nullkeys,
         const int64_t *ts)
{
    static const uint8_t val[100];
    sm_batch_builder_t bb;

    sm_batch_builder_init(&bb, out, 2, codec, 0);
    for (int i = 0; i < n; i++) {
        sm_bytes_t key = { (const uint8_t *)"k", 1 };
        sm_bytes_t v = { val, (int32_t)sizeof(val) };
        if (nullkeys & (1u << i))
            key = SM_BYTES_NULL;
        sm_batch_builder_add(&bb, ts ? ts[i] : TV_NOW, key, v, NULL, 0);
    }
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
}

static void
tv_cfg(sm_validate_cfg_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->produce_version = 7;
    cfg->max_message_bytes = 1 << 20;
    cfg->target_codec = -1;
    cfg->max_timestamp_diff = INT64_MAX;
    cfg->now_ms = TV_NOW;
    cfg->max_decompressed = 16 << 20;
}

static sm_err_t
tv_run(const sm_validate_cfg_t *cfg, sm_buf_t *in, sm_validate_result_t *res)
{
    sm_buf_t conv = SM_BUF_INIT;
    sm_err_t err = sm_validate_produce(cfg, in->data, in->len, &conv, res);

    sm_buf_fini(&conv);
    return err;
}

START_TEST(validator__counts_records_in_place)
{
    sm_validate_cfg_t cfg;
    sm_validate_result_t res;
    sm_buf_t in = SM_BUF_INIT;

    tv_cfg(&cfg);
    for (int c = 0; c < 2; c++) {
        sm_buf_reset(&in);
        tv_batch(&in, c ? SM_CODEC_LZ4 : SM_CODEC_NONE, 20, 0, NULL);
        ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_OK);
        ck_assert_int_eq(res.records, 20);
        ck_assert_int_eq(res.batches, 1);
        ck_assert_int_eq(res.rebuilt, 0);
        ck_assert_ptr_eq(res.data, in.data);
        ck_assert_uint_eq(res.len, in.len);
    }
    sm_buf_fini(&in);
}
END_TEST

START_TEST(validator__compacted_needs_keys)
{
    sm_validate_cfg_t cfg;
    sm_validate_result_t res;
    sm_buf_t in = SM_BUF_INIT;

    tv_cfg(&cfg);
    tv_batch(&in, SM_CODEC_NONE, 5, 1u << 3, NULL);
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_OK);   /* not compacted */
    cfg.compacted = 1;
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_CORRUPT_MESSAGE);
    ck_assert_ptr_nonnull(res.reason);
    ck_assert(strstr(res.reason, "without key") != NULL);
    sm_buf_reset(&in);
    tv_batch(&in, SM_CODEC_LZ4, 5, 0, NULL);
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_OK);
    sm_buf_fini(&in);
}
END_TEST

START_TEST(validator__timestamp_window)
{
    int64_t ts[4] = { TV_NOW, TV_NOW - 1000, TV_NOW + 1000, TV_NOW };
    int64_t far[2] = { INT64_MIN + 1, INT64_MAX };
    sm_validate_cfg_t cfg;
    sm_validate_result_t res;
    sm_buf_t in = SM_BUF_INIT;

    tv_cfg(&cfg);
    tv_batch(&in, SM_CODEC_NONE, 4, 0, ts);
    cfg.max_timestamp_diff = 1000;                      /* inclusive */
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_OK);
    cfg.max_timestamp_diff = 999;
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_INVALID_TIMESTAMP);
    cfg.log_append_time = 1;                 /* replaced: not checked */
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_OK);
    cfg.log_append_time = 0;
    cfg.max_timestamp_diff = -1;             /* nothing is close enough */
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_INVALID_TIMESTAMP);

    /* differences that overflow int64 */
    sm_buf_reset(&in);
    tv_batch(&in, SM_CODEC_NONE, 1, 0, far);
    cfg.max_timestamp_diff = INT64_MAX - 1;
    cfg.now_ms = INT64_MAX - 5;
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_INVALID_TIMESTAMP);
    cfg.now_ms = -10;                  /* INT64_MAX - 10 away: inside */
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_OK);
    far[0] = INT64_MAX - 1;
    sm_buf_reset(&in);
    tv_batch(&in, SM_CODEC_NONE, 2, 0, far);   /* INT64_MAX + 10 away */
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_INVALID_TIMESTAMP);
    sm_buf_fini(&in);
}
END_TEST

/* A record whose value length runs one byte past its record, behind a
 * recomputed CRC; and a timestamp error before it wins. */
START_TEST(validator__malformed_record_and_order)
{
    int64_t ts[3] = { TV_NOW, 1, TV_NOW };
    sm_validate_cfg_t cfg;
    sm_validate_result_t res;
    sm_buf_t in = SM_BUF_INIT;
    uint8_t *rec;

    tv_cfg(&cfg);
    tv_batch(&in, SM_CODEC_NONE, 3, 0, ts);
    /* last record: Length, Attributes, TimestampDelta, OffsetDelta,
     * KeyLength 1, "k", ValueLength 100 (zigzag 200: c8 01) */
    rec = in.data + in.len - 105;
    ck_assert_uint_eq(rec[0], 2 * 1);                  /* key length 1 */
    ck_assert_uint_eq(rec[2], 0xc8);
    rec[2] = 0xca;                                     /* 101 */
    sm_batch_v2_update_crc(in.data, in.len);
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_CORRUPT_MESSAGE);
    ck_assert(strstr(res.reason, "malformed") != NULL);
    cfg.max_timestamp_diff = 1000;           /* record 1 fails first */
    ck_assert_int_eq(tv_run(&cfg, &in, &res), SM_ERR_INVALID_TIMESTAMP);
    sm_buf_fini(&in);
}
END_TEST

Suite *
sm_test_suite_validator(void)
{
    Suite *s = suite_create("validator");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, validator__counts_records_in_place);
    tcase_add_test(tc, validator__compacted_needs_keys);
    tcase_add_test(tc, validator__timestamp_window);
    tcase_add_test(tc, validator__malformed_record_and_order);
    suite_add_tcase(s, tc);
    return s;
}
