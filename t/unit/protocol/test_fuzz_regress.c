/*
 * test_fuzz_regress.c: inputs the libFuzzer targets in t/fuzz/ found to
 * break src/protocol, replayed as unit tests so the fix stays fixed in
 * every build (the sanitizer build turns undefined behaviour into a
 * failure).  One case per finding, named after what broke.
 */
#include <stdint.h>
#include <string.h>

#include "common/sm_endian.h"
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

Suite *
sm_test_suite_fuzz_regress(void)
{
    Suite *s = suite_create("fuzz_regress");
    TCase *tc = tcase_create("fuzz_regress");

    tcase_add_test(tc, fuzz_regress__batch_last_offset_overflow);
    suite_add_tcase(s, tc);
    return s;
}
