/* test_config_props.c: the Java .properties reader (config_props.c). */
#include <string.h>

#include "config_util.h"
#include "server/config_props.h"

static void
parse_ok(sm_props_t *p, const char *text)
{
    char err[256] = "";

    sm_props_init(p);
    ck_assert_msg(sm_props_parse(p, text, strlen(text), "t", err,
                                 sizeof(err)) == SM_OK, "%s", err);
}

START_TEST(props__separators)
{
    sm_props_t p;

    parse_ok(&p, "a=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf\ng=\nh = = x\n"
                 "  i\t  7  \n");
    ck_assert_int_eq(p.n, 9);
    ck_assert_str_eq(sm_props_get(&p, "a"), "1");
    ck_assert_str_eq(sm_props_get(&p, "b"), "2");
    ck_assert_str_eq(sm_props_get(&p, "c"), "3");
    ck_assert_str_eq(sm_props_get(&p, "d"), "4");
    ck_assert_str_eq(sm_props_get(&p, "e"), "5");
    ck_assert_str_eq(sm_props_get(&p, "f"), "");
    ck_assert_str_eq(sm_props_get(&p, "g"), "");
    ck_assert_str_eq(sm_props_get(&p, "h"), "= x");   /* one separator */
    ck_assert_str_eq(sm_props_get(&p, "i"), "7  ");   /* tail kept */
    ck_assert_ptr_null(sm_props_get(&p, "z"));
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__comments_blanks_and_lines)
{
    sm_props_t p;

    parse_ok(&p, "# c\n! c\n   # indented\n\n \t \nk=v\n#x=y\nl=w");
    ck_assert_int_eq(p.n, 2);
    ck_assert_str_eq(p.v[0].key, "k");
    ck_assert_int_eq(p.v[0].line, 6);
    ck_assert_str_eq(p.v[1].key, "l");
    ck_assert_int_eq(p.v[1].line, 8);
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__continuation)
{
    sm_props_t p;

    parse_ok(&p, "k = a\\\n    b\\\n\t c\nnext=1\n"
                 "even=x\\\\\nodd=y\\\\\\\n  z\n# comment \\\nafter=2\n"
                 "last=q\\");
    ck_assert_str_eq(sm_props_get(&p, "k"), "abc");
    ck_assert_int_eq(sm_props_find(&p, "k")->line, 1);
    ck_assert_int_eq(sm_props_find(&p, "next")->line, 4);
    ck_assert_str_eq(sm_props_get(&p, "even"), "x\\");
    ck_assert_str_eq(sm_props_get(&p, "odd"), "y\\z");
    ck_assert_int_eq(sm_props_find(&p, "odd")->line, 6);
    ck_assert_str_eq(sm_props_get(&p, "after"), "2");  /* comment ended */
    ck_assert_int_eq(sm_props_find(&p, "after")->line, 9);
    ck_assert_str_eq(sm_props_get(&p, "last"), "q");   /* EOF continuation */
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__continuation_into_blank_line_ends_entry)
{
    sm_props_t p;

    parse_ok(&p, "a=1\\\n\nb=2\n");
    ck_assert_int_eq(p.n, 2);
    ck_assert_str_eq(sm_props_get(&p, "a"), "1");
    ck_assert_str_eq(sm_props_get(&p, "b"), "2");
    ck_assert_int_eq(sm_props_find(&p, "b")->line, 3);
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__escapes)
{
    sm_props_t p;

    parse_ok(&p, "k\\=x\\:y\\ z=\\t\\n\\r\\f\\\\\\u00e9\\u20AC"
                 "\\uD83D\\uDE00\\q\\#\n");
    ck_assert_int_eq(p.n, 1);
    ck_assert_str_eq(p.v[0].key, "k=x:y z");
    ck_assert_str_eq(p.v[0].value,
                     "\t\n\r\f\\\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80q#");
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__line_endings)
{
    sm_props_t p;

    parse_ok(&p, "a=1\r\nb=2\rc=3\nd=4\\\r\n  5");
    ck_assert_int_eq(p.n, 4);
    ck_assert_int_eq(sm_props_find(&p, "b")->line, 2);
    ck_assert_int_eq(sm_props_find(&p, "c")->line, 3);
    ck_assert_str_eq(sm_props_get(&p, "d"), "45");
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__bad_unicode_names_line)
{
    static const char *const bad[] = {
        "x=1\ny=\\u12G4\n", "x=1\ny=\\u12\n", "x=1\ny=\\u0000\n",
        "x=1\n\\u00=y\n",
    };
    char err[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sm_props_t p = SM_PROPS_INIT;
        err[0] = '\0';
        ck_assert_int_eq(sm_props_parse(&p, bad[i], strlen(bad[i]), "f.p",
                                        err, sizeof(err)), SM_ERR__CONFIG);
        ck_assert_msg(strstr(err, "f.p:2:") != NULL, "%s", err);
        ck_assert_int_eq(p.n, 1);          /* lines before stay */
        sm_props_fini(&p);
    }
}
END_TEST

START_TEST(props__duplicates_and_set)
{
    sm_props_t p;

    parse_ok(&p, "a=1\nb=2\na=3\n");
    ck_assert_int_eq(p.n, 3);
    ck_assert_str_eq(sm_props_get(&p, "a"), "3");
    ck_assert_int_eq(sm_props_find(&p, "a")->line, 3);
    sm_props_set(&p, "b", "9", 0);
    sm_props_set(&p, "c", "4", 7);
    ck_assert_int_eq(p.n, 4);
    ck_assert_str_eq(sm_props_get(&p, "b"), "9");
    ck_assert_int_eq(sm_props_find(&p, "c")->line, 7);
    sm_props_fini(&p);
    ck_assert_int_eq(p.n, 0);
}
END_TEST

START_TEST(props__load_errors)
{
    sm_props_t p = SM_PROPS_INIT;
    char err[256] = "";

    ck_assert_int_eq(sm_props_load(&p, "/nonexistent/x.properties", err,
                                   sizeof(err)), SM_ERR__IO);
    ck_assert_msg(strstr(err, "/nonexistent/x.properties") != NULL, "%s",
                  err);
    ck_assert_int_eq(p.n, 0);
}
END_TEST

START_TEST(props__kafka_zookeeper_properties)
{
    sm_props_t p = SM_PROPS_INIT;
    char err[256] = "";

    ck_assert_int_eq(sm_props_load(&p, sm_test_data(
                                       "kafka-zookeeper.properties"),
                                   err, sizeof(err)), SM_OK);
    ck_assert_int_eq(p.n, 4);
    ck_assert_str_eq(sm_props_get(&p, "dataDir"), "/tmp/zookeeper");
    ck_assert_str_eq(sm_props_get(&p, "clientPort"), "2181");
    ck_assert_str_eq(sm_props_get(&p, "maxClientCnxns"), "0");
    ck_assert_str_eq(sm_props_get(&p, "admin.enableServer"), "false");
    sm_props_fini(&p);
}
END_TEST

START_TEST(props__conf_zookeeper_properties)
{
    sm_props_t p = SM_PROPS_INIT;
    char err[256] = "";

    ck_assert_int_eq(sm_props_load(&p, cfg_src_path(
                                       "conf/zookeeper.properties"),
                                   err, sizeof(err)), SM_OK);
    ck_assert_str_eq(sm_props_get(&p, "clientPort"), "2181");
    ck_assert_ptr_nonnull(sm_props_get(&p, "dataDir"));
    ck_assert_str_eq(sm_props_get(&p, "admin.enableServer"), "false");
    sm_props_fini(&p);
}
END_TEST

Suite *
sm_test_suite_config_props(void)
{
    Suite *s = suite_create("config_props");
    TCase *tc = tcase_create("config_props");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, props__separators);
    tcase_add_test(tc, props__comments_blanks_and_lines);
    tcase_add_test(tc, props__continuation);
    tcase_add_test(tc, props__continuation_into_blank_line_ends_entry);
    tcase_add_test(tc, props__escapes);
    tcase_add_test(tc, props__line_endings);
    tcase_add_test(tc, props__bad_unicode_names_line);
    tcase_add_test(tc, props__duplicates_and_set);
    tcase_add_test(tc, props__load_errors);
    tcase_add_test(tc, props__kafka_zookeeper_properties);
    tcase_add_test(tc, props__conf_zookeeper_properties);
    suite_add_tcase(s, tc);
    return s;
}
