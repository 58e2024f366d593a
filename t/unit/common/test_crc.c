/* test_crc.c: CRC-32C hardware/software agreement and CRC-32 vectors. */
#include <stdlib.h>
#include <string.h>

#include "common/sm_crc.h"
#include "sm_test.h"

START_TEST(crc__crc32c_vectors)
{
    ck_assert_int_eq(sm_crc32c_init(), 0);
    ck_assert_uint_eq(sm_crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(sm_crc32c_sw(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(sm_crc32c(0, "", 0), 0);
}
END_TEST

START_TEST(crc__hw_equals_sw_at_every_alignment)
{
    unsigned char buf[4096 + 16];
    srand(7);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)rand();
    for (size_t off = 0; off < 16; off++)
        for (size_t len = 0; len < 300; len += 7)
            ck_assert_uint_eq(sm_crc32c(0, buf + off, len),
                              sm_crc32c_sw(0, buf + off, len));
    ck_assert_uint_eq(sm_crc32c(0, buf, 4096), sm_crc32c_sw(0, buf, 4096));
}
END_TEST

/* Lengths around the three-lane block sizes (3 x 256 and 3 x 8192 bytes),
 * in one call and split at odd points, agree with the table version. */
START_TEST(crc__hw_lanes_equal_sw)
{
    static const size_t lens[] = { 767, 768, 769, 1543, 24575, 24576,
                                   24577, 25344, 25351, 52000, 100003 };
    size_t max = 100003 + 16;
    unsigned char *buf = malloc(max);

    srand(11);
    for (size_t i = 0; i < max; i++)
        buf[i] = (unsigned char)rand();
    ck_assert_int_eq(sm_crc32c_init(), 0);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t n = lens[i];
        for (size_t off = 0; off < 9; off += 4) {
            uint32_t want = sm_crc32c_sw(0, buf + off, n);
            ck_assert_uint_eq(sm_crc32c(0, buf + off, n), want);
            ck_assert_uint_eq(sm_crc32c(sm_crc32c(0, buf + off, n / 3),
                                        buf + off + n / 3, n - n / 3), want);
        }
    }
    free(buf);
}
END_TEST

START_TEST(crc__crc32_ieee)
{
    /* the standard CRC-32 check value */
    ck_assert_uint_eq(sm_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(sm_crc32(sm_crc32(0, "1234", 4), "56789", 5),
                      0xCBF43926u);
}
END_TEST

Suite *
sm_test_suite_crc(void)
{
    Suite *s = suite_create("crc");
    TCase *tc = tcase_create("crc");

    tcase_add_test(tc, crc__crc32c_vectors);
    tcase_add_test(tc, crc__hw_equals_sw_at_every_alignment);
    tcase_add_test(tc, crc__hw_lanes_equal_sw);
    tcase_add_test(tc, crc__crc32_ieee);
    suite_add_tcase(s, tc);
    return s;
}
