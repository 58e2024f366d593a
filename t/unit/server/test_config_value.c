/* test_config_value.c: single values - parsing, Java printing, Kafka
 * versions (config_value.c). */
#include <math.h>
#include <string.h>

#include "config_util.h"
#include "server/config_int.h"

START_TEST(value__java_double)
{
    static const struct {
        double d;
        const char *s;
    } cases[] = {
        { 0.5, "0.5" }, { 0.9, "0.9" }, { 0.05, "0.05" }, { 0.8, "0.8" },
        { 1.0, "1.0" }, { 100.0, "100.0" }, { 1e7, "1.0E7" },
        { 9999999.0, "9999999.0" }, { 1.7976931348623157E308,
                                      "1.7976931348623157E308" },
        { 1e-4, "1.0E-4" }, { 0.001, "0.001" }, { 123456.789, "123456.789" },
        { -2.5, "-2.5" }, { 0.0, "0.0" }, { 1.5e-10, "1.5E-10" },
        { 12345678.5, "1.23456785E7" },
    };
    char buf[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sm_conf_java_double(cases[i].d, buf, sizeof(buf));
        ck_assert_str_eq(buf, cases[i].s);
    }
    sm_conf_java_double(INFINITY, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Infinity");
    sm_conf_java_double(NAN, buf, sizeof(buf));
    ck_assert_str_eq(buf, "NaN");
}
END_TEST

START_TEST(value__kafka_versions)
{
    static const struct {
        const char *s;
        int v;
    } cases[] = {
        { "2.3", SM_KV_2_3_IV1 }, { "2.3-IV0", SM_KV_2_3_IV0 },
        { "2.3.1", SM_KV_2_3_IV1 }, { "2.3.", SM_KV_2_3_IV1 },
        { "0.10.2.1", SM_KV_0_10_2_IV0 }, { "0.10.0", SM_KV_0_10_0_IV1 },
        { "0.10.0-IV0", SM_KV_0_10_0_IV0 }, { "0.8.2.2", SM_KV_0_8_2 },
        { "0.9.0.1", SM_KV_0_9_0 }, { "1.0", SM_KV_1_0_IV0 },
        { "1.1.1", SM_KV_1_1_IV0 }, { "2.8", SM_KV_2_8_IV1 },
        { "0.11.0.3", SM_KV_0_11_0_IV2 }, { "3.0", -1 }, { "2", -1 },
        { "", -1 }, { "2.3-IV9", -1 }, { "0.10", -1 }, { "abc", -1 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(sm_kafka_version_parse(cases[i].s) == cases[i].v,
                      "%s", cases[i].s);
    ck_assert_str_eq(sm_kafka_version_name(SM_KV_2_3_IV1), "2.3-IV1");
    ck_assert_str_eq(sm_kafka_version_name(SM_KV_0_9_0), "0.9.0");
    ck_assert_int_eq(sm_kafka_version_record_magic(SM_KV_0_9_0), 0);
    ck_assert_int_eq(sm_kafka_version_record_magic(SM_KV_0_10_2_IV0), 1);
    ck_assert_int_eq(sm_kafka_version_record_magic(SM_KV_0_11_0_IV0), 2);
    for (int v = 0; v < SM_KV__COUNT; v++)
        ck_assert_int_eq(sm_kafka_version_parse(sm_kafka_version_name(v)),
                         v);
}
END_TEST

static int
parse(sm_conf_type_t t, const char *text, void *dst)
{
    sm_conf_check_t chk = { t, INT64_MIN, INT64_MAX, SM_CV_NONE };
    char msg[128];

    return sm_conf_value_parse(&chk, text, dst, msg, sizeof(msg));
}

START_TEST(value__integers_like_java)
{
    int32_t i;
    int16_t s;
    int64_t l;

    ck_assert_int_eq(parse(SM_CT_INT, " +12\t", &i), 0);
    ck_assert_int_eq(i, 12);
    ck_assert_int_eq(parse(SM_CT_INT, "007", &i), 0);
    ck_assert_int_eq(i, 7);
    ck_assert_int_eq(parse(SM_CT_INT, "-2147483648", &i), 0);
    ck_assert_int_eq(i, INT32_MIN);
    ck_assert_int_ne(parse(SM_CT_INT, "2147483648", &i), 0);
    ck_assert_int_ne(parse(SM_CT_INT, "1 2", &i), 0);
    ck_assert_int_ne(parse(SM_CT_INT, "1e3", &i), 0);
    ck_assert_int_ne(parse(SM_CT_INT, "-", &i), 0);
    ck_assert_int_eq(parse(SM_CT_SHORT, "-32768", &s), 0);
    ck_assert_int_eq(s, -32768);
    ck_assert_int_ne(parse(SM_CT_SHORT, "32768", &s), 0);
    ck_assert_int_eq(parse(SM_CT_LONG, "9223372036854775807", &l), 0);
    ck_assert_int_eq(l, INT64_MAX);
    ck_assert_int_eq(parse(SM_CT_LONG, "-9223372036854775808", &l), 0);
    ck_assert_int_eq(l, INT64_MIN);
    ck_assert_int_ne(parse(SM_CT_LONG, "9223372036854775808", &l), 0);
}
END_TEST

START_TEST(value__bool_double_string)
{
    int b;
    double d;
    char *s = NULL;

    ck_assert_int_eq(parse(SM_CT_BOOL, " TRUE ", &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(parse(SM_CT_BOOL, "False", &b), 0);
    ck_assert_int_eq(b, 0);
    ck_assert_int_ne(parse(SM_CT_BOOL, "1", &b), 0);
    ck_assert_int_eq(parse(SM_CT_DOUBLE, "2.5e1", &d), 0);
    ck_assert(d == 25.0);
    ck_assert_int_eq(parse(SM_CT_DOUBLE, "0.5d", &d), 0);
    ck_assert(d == 0.5);
    ck_assert_int_ne(parse(SM_CT_DOUBLE, "0.5x", &d), 0);
    ck_assert_int_eq(parse(SM_CT_STRING, "\t a b \r", &s), 0);
    ck_assert_str_eq(s, "a b");
    sm_conf_value_free(SM_CT_STRING, &s);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(value__lists)
{
    sm_config_list_t l;
    char **v;
    int n;

    ck_assert_int_eq(parse(SM_CT_LIST, " a, b ,c ", &l), 0);
    ck_assert_int_eq(l.n, 3);
    ck_assert_str_eq(l.v[1], "b");
    ck_assert_str_eq(l.v[2], "c");
    ck_assert_ptr_null(l.v[3]);
    sm_conf_value_free(SM_CT_LIST, &l);
    ck_assert_int_eq(parse(SM_CT_LIST, "  ", &l), 0);
    ck_assert_int_eq(l.n, 0);
    ck_assert_ptr_nonnull(l.v);                  /* empty, not null */
    sm_conf_value_free(SM_CT_LIST, &l);
    ck_assert_int_eq(parse(SM_CT_LIST, "a,,b,", &l), 0);
    ck_assert_int_eq(l.n, 4);                    /* Java split(.., -1) */
    ck_assert_str_eq(l.v[1], "");
    sm_conf_value_free(SM_CT_LIST, &l);
    v = sm_conf_split_csv("a,,b,", 1, &n);       /* parseCsvList */
    ck_assert_int_eq(n, 2);
    sm_conf_free_strv(v);
}
END_TEST

START_TEST(value__validators)
{
    sm_conf_check_t chk = { SM_CT_LIST, INT64_MIN, INT64_MAX,
                            SM_CV_THROTTLED_REPLICAS };
    sm_conf_check_t ratio = { SM_CT_DOUBLE, INT64_MIN, INT64_MAX,
                              SM_CV_RATIO };
    sm_conf_check_t comp = { SM_CT_STRING, INT64_MIN, INT64_MAX,
                             SM_CV_COMPRESSION };
    char msg[256];

    ck_assert_int_eq(sm_conf_value_parse(&chk, "*", NULL, msg, 256), 0);
    ck_assert_int_eq(sm_conf_value_parse(&chk, "0:1, 1:2", NULL, msg, 256),
                     0);
    ck_assert_int_eq(sm_conf_value_parse(&chk, "", NULL, msg, 256), 0);
    ck_assert_int_ne(sm_conf_value_parse(&chk, "0:x", NULL, msg, 256), 0);
    ck_assert_int_ne(sm_conf_value_parse(&chk, "*,0:1", NULL, msg, 256), 0);
    ck_assert_int_eq(sm_conf_value_parse(&ratio, "1", NULL, msg, 256), 0);
    ck_assert_int_ne(sm_conf_value_parse(&ratio, "-0.1", NULL, msg, 256), 0);
    ck_assert_str_eq(msg, "Value must be at least 0");
    ck_assert_int_eq(sm_conf_value_parse(&comp, "ZStd", NULL, msg, 256), 0);
    comp.validator = SM_CV_TOPIC_COMPRESSION;
    ck_assert_int_ne(sm_conf_value_parse(&comp, "ZStd", NULL, msg, 256), 0);
    ck_assert_str_eq(msg, "String must be one of: uncompressed, zstd, lz4, "
                          "snappy, gzip, producer");
}
END_TEST

START_TEST(value__java_and_kafka_printing)
{
    sm_config_list_t l = { NULL, 0 };
    sm_buf_t buf = SM_BUF_INIT;
    char *cls = "org.Foo", *nul = NULL;
    int64_t big = INT64_MAX;

    ck_assert_int_eq(parse(SM_CT_LIST, "a,b", &l), 0);
    sm_conf_value_java(SM_CT_LIST, &l, 0, &buf);
    sm_buf_write(&buf, "|", 1);
    ck_assert_int_eq(sm_conf_value_kafka(SM_CT_LIST, &l, 0, &buf), 1);
    ck_assert_str_eq((char *)buf.data, "[a, b]|a,b");
    sm_buf_reset(&buf);
    sm_conf_value_java(SM_CT_CLASS, &cls, 0, &buf);
    sm_buf_write(&buf, "|", 1);
    sm_conf_value_java(SM_CT_PASSWORD, &cls, 0, &buf);
    sm_buf_write(&buf, "|", 1);
    sm_conf_value_java(SM_CT_STRING, &nul, 0, &buf);
    sm_buf_write(&buf, "|", 1);
    sm_conf_value_java(SM_CT_LONG, &big, 0, &buf);
    sm_buf_write(&buf, "|", 1);
    ck_assert_int_eq(sm_conf_value_kafka(SM_CT_CLASS, &cls, 0, &buf), 1);
    ck_assert_str_eq((char *)buf.data,
                     "class org.Foo|[hidden]|null|9223372036854775807|org.Foo");
    sm_buf_reset(&buf);
    ck_assert_int_eq(sm_conf_value_kafka(SM_CT_STRING, &nul, 0, &buf), 0);
    ck_assert_int_eq(sm_conf_value_kafka(SM_CT_LONG, &big, 1, &buf), 0);
    sm_conf_value_free(SM_CT_LIST, &l);
    sm_buf_fini(&buf);
}
END_TEST

Suite *
sm_test_suite_config_value(void)
{
    Suite *s = suite_create("config_value");
    TCase *tc = tcase_create("config_value");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, value__java_double);
    tcase_add_test(tc, value__kafka_versions);
    tcase_add_test(tc, value__integers_like_java);
    tcase_add_test(tc, value__bool_double_string);
    tcase_add_test(tc, value__lists);
    tcase_add_test(tc, value__validators);
    tcase_add_test(tc, value__java_and_kafka_printing);
    suite_add_tcase(s, tc);
    return s;
}
