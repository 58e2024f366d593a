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
    tcase_add_test(tc, crc__crc32_ieee);
    suite_add_tcase(s, tc);
    return s;
}
