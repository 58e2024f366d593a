/*
 * test_fuzz_regress.c: inputs the libFuzzer targets in t/fuzz/ found to
 * break src/protocol, replayed as unit tests so the fix stays fixed in
 * every build (the sanitizer build turns undefined behaviour into a
 * failure).  One case per finding, named after what broke.
 */
#include <stdint.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "protocol/codec.h"
#include "protocol/compress.h"
#include "protocol/records.h"
#include "sm_test.h"

/*
 * fuzz_record_batch: a v2 batch whose BaseOffset is INT64_MAX made
 * sm_batch_next() compute BaseOffset + LastOffsetDelta with signed
 * overflow.  The sum now wraps (as Java's long does); validation does not
 * look at BaseOffset, which the broker overwrites anyway.
 */
START_TEST(fuzz_regress__batch_last_offset_overflow)
{
    uint8_t batch[SM_BATCH_V2_HDR_SIZE];
    sm_batch_iter_t it;
    sm_batch_t b;

    memset(batch, 0, sizeof(batch));
    sm_store_be64(batch + SM_BATCH_OFF_BASE_OFFSET, (uint64_t)INT64_MAX);
    sm_store_be32(batch + SM_BATCH_OFF_LENGTH,
                  SM_BATCH_V2_HDR_SIZE - SM_LOG_OVERHEAD);
    batch[SM_BATCH_OFF_MAGIC] = 2;
    sm_store_be32(batch + SM_BATCH_OFF_LAST_DELTA, 5);

    sm_batch_iter_init(&it, batch, sizeof(batch));
    ck_assert_int_eq(sm_batch_next(&it, &b), 1);
    ck_assert_int_eq(b.base_offset, INT64_MAX);
    ck_assert_int_eq(b.last_offset, INT64_MIN + 4);
    ck_assert_int_eq(sm_batch_next(&it, &b), 0);
    ck_assert_int_eq(it.err, SM_OK);
    ck_assert_int_eq(it.partial, 0);
}
END_TEST

/*
 * fuzz_record_batch: a compressed v2 batch whose payload fails to
 * decompress before any output is written left the iterator's buffer
 * unallocated, and
 * sm_rec_iter_init() computed NULL + 0 for the end of the records (UBSan:
 * applying zero offset to null pointer, src/protocol/record_v2.c).
 */
START_TEST(fuzz_regress__rec_iter_undecompressable_batch)
{
    uint8_t batch[SM_BATCH_V2_HDR_SIZE + 4];
    sm_batch_iter_t bi;
    sm_batch_t b;
    sm_rec_iter_t it;
    sm_record_t rec;

    memset(batch, 0, sizeof(batch));
    sm_store_be32(batch + SM_BATCH_OFF_LENGTH,
                  sizeof(batch) - SM_LOG_OVERHEAD);
    batch[SM_BATCH_OFF_MAGIC] = 2;
    sm_store_be16(batch + SM_BATCH_OFF_ATTRIBUTES, SM_CODEC_SNAPPY);
    sm_store_be32(batch + SM_BATCH_OFF_COUNT, 1);
    /* a raw snappy block whose length varint never ends: rejected before
     * any output is allocated */
    memset(batch + SM_BATCH_V2_HDR_SIZE, 0xff, 4);
    sm_batch_v2_update_crc(batch, sizeof(batch));

    sm_batch_iter_init(&bi, batch, sizeof(batch));
    ck_assert_int_eq(sm_batch_next(&bi, &b), 1);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 1 << 20),
                     SM_ERR__COMPRESSION);
    ck_assert_int_eq(sm_rec_iter_next(&it, &rec), 0);
    ck_assert_int_eq(it.err, SM_ERR__COMPRESSION);
    sm_rec_iter_fini(&it);
}
END_TEST

/*
 * fuzz_msgset: a snappy block declaring 0 uncompressed bytes, decoded
 * into an empty buffer, made sm_dout_take() return NULL + 0 (UBSan:
 * applying zero offset to null pointer, src/protocol/compress.c).  An empty
 * raw block is valid snappy: it decodes to nothing.
 */
START_TEST(fuzz_regress__snappy_empty_block)
{
    static const uint8_t empty_block[] = { 0x00 };
    sm_buf_t out = SM_BUF_INIT;

    ck_assert_int_eq(sm_decompress(SM_CODEC_SNAPPY,
                                   sm_slice(empty_block, 1), 1 << 20,
                                   &out, 0), SM_OK);
    ck_assert_uint_eq(out.len, 0);
    sm_buf_fini(&out);
}
END_TEST

/*
 * test_golden (rec_util's torture, clang UBSan): a legacy compressed
 * wrapper whose value decompresses to nothing handed (NULL, 0) to
 * sm_batch_iter_init(), which computed NULL + 0 (src/protocol/batch.c).
 * The empty inner set is then rejected as a bad message.
 */
START_TEST(fuzz_regress__batch_iter_null_empty)
{
    static const uint8_t nothing[1];
    sm_buf_t z = SM_BUF_INIT, msg = SM_BUF_INIT;
    sm_batch_iter_t bi;
    sm_batch_t b;
    sm_rec_iter_t it;

    sm_batch_iter_init(&bi, NULL, 0);
    ck_assert_int_eq(sm_batch_next(&bi, &b), 0);
    ck_assert_int_eq(bi.err, SM_OK);
    ck_assert_int_eq(bi.partial, 0);

    /* magic-1 gzip wrapper around an empty message set */
    ck_assert_int_eq(sm_compress(SM_CODEC_GZIP, -1, sm_slice(nothing, 0),
                                 &z, 0), SM_OK);
    sm_wr_i64(&msg, 0);                         /* Offset */
    sm_wr_i32(&msg, (int32_t)(SM_MSG_V1_HDR_SIZE - SM_LOG_OVERHEAD + z.len));
    sm_wr_u32(&msg, 0);                         /* CRC, below */
    sm_wr_i8(&msg, 1);                          /* Magic */
    sm_wr_i8(&msg, SM_CODEC_GZIP);              /* Attributes */
    sm_wr_i64(&msg, 1600000000000LL);           /* Timestamp */
    sm_wr_i32(&msg, -1);                        /* Key: null */
    sm_wr_i32(&msg, (int32_t)z.len);            /* Value */
    sm_wr_raw(&msg, z.data, z.len);
    sm_store_be32(msg.data + 12, sm_crc32(0, msg.data + 16, msg.len - 16));

    sm_batch_iter_init(&bi, msg.data, msg.len);
    ck_assert_int_eq(sm_batch_next(&bi, &b), 1);
    ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
    ck_assert_int_eq(sm_rec_iter_init(&it, &b, 1 << 20), SM_ERR__BAD_MSG);
    sm_rec_iter_fini(&it);
    sm_buf_fini(&z);
    sm_buf_fini(&msg);
}
END_TEST

Suite *
sm_test_suite_fuzz_regress(void)
{
    Suite *s = suite_create("fuzz_regress");
    TCase *tc = tcase_create("fuzz_regress");

    tcase_add_test(tc, fuzz_regress__batch_last_offset_overflow);
    tcase_add_test(tc, fuzz_regress__rec_iter_undecompressable_batch);
    tcase_add_test(tc, fuzz_regress__snappy_empty_block);
    tcase_add_test(tc, fuzz_regress__batch_iter_null_empty);
    suite_add_tcase(s, tc);
    return s;
}
