/* test_cgroups_parse.c: cgroups_parse.c - --to-datetime as Kafka's
 * convertTimestamp reads it (zones, UTC by default), --by-duration as
 * java.time.Duration.parse, and the CSV lines of --export/--from-file. */
#include <string.h>

#include "sm_test.h"
#include "tools/cgroups.h"

START_TEST(cgroups_parse__datetime)
{
    int64_t ms = 0;

    ck_assert_int_eq(cg_parse_datetime("1970-01-01T00:00:00.000", &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(cg_parse_datetime("2020-02-29T12:34:56.789", &ms), 0);
    ck_assert_int_eq(ms, 1582979696789LL);
    ck_assert_int_eq(cg_parse_datetime("2020-02-29T12:34:56.789Z", &ms), 0);
    ck_assert_int_eq(ms, 1582979696789LL);
    /* a zone east of UTC is earlier in UTC */
    ck_assert_int_eq(cg_parse_datetime("1970-01-01T01:00:00.000+01:00",
                                       &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(cg_parse_datetime("1970-01-01T00:00:00.000-0130",
                                       &ms), 0);
    ck_assert_int_eq(ms, 5400000);
    ck_assert_int_eq(cg_parse_datetime("1970-01-01T02:00:00.000+02", &ms),
                     0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(cg_parse_datetime("2020-02-29T12:34:56", &ms), -1);
    ck_assert_int_eq(cg_parse_datetime("2020-02-29 12:34:56.000", &ms), -1);
    ck_assert_int_eq(cg_parse_datetime("2020-02-29T12:34:56.000+1", &ms),
                     -1);
}
END_TEST

START_TEST(cgroups_parse__duration)
{
    int64_t ms = 0;

    ck_assert_int_eq(cg_parse_duration("PT0S", &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(cg_parse_duration("P1DT2H3M4.5S", &ms), 0);
    ck_assert_int_eq(ms, 86400000LL + 7200000 + 180000 + 4500);
    ck_assert_int_eq(cg_parse_duration("-PT1H", &ms), 0);
    ck_assert_int_eq(ms, -3600000);
    ck_assert_int_eq(cg_parse_duration("P2D", &ms), 0);
    ck_assert_int_eq(ms, 172800000LL);
    ck_assert_int_eq(cg_parse_duration("P", &ms), -1);
    ck_assert_int_eq(cg_parse_duration("PT", &ms), -1);
    ck_assert_int_eq(cg_parse_duration("1H", &ms), -1);
    ck_assert_int_eq(cg_parse_duration("P1H", &ms), -1);  /* H needs T */
    ck_assert_int_eq(cg_parse_duration("PT1D", &ms), -1);
    ck_assert_int_eq(cg_parse_duration("PT1X", &ms), -1);
}
END_TEST

START_TEST(cgroups_parse__csv)
{
    char l3[] = "t,2,40\n", l4[] = "g,t,1,7", bad[] = "t,x,1",
         short_[] = "t,1", *g, *t;
    int64_t off = 0;
    int32_t p = 0;

    ck_assert_int_eq(cg_csv_line(l3, 3, &g, &t, &p, &off), 0);
    ck_assert_ptr_null(g);
    ck_assert_str_eq(t, "t");
    ck_assert_int_eq(p, 2);
    ck_assert_int_eq(off, 40);
    ck_assert_int_eq(cg_csv_line(l4, 4, &g, &t, &p, &off), 0);
    ck_assert_str_eq(g, "g");
    ck_assert_str_eq(t, "t");
    ck_assert_int_eq(p, 1);
    ck_assert_int_eq(off, 7);
    ck_assert_int_eq(cg_csv_line(bad, 3, &g, &t, &p, &off), -1);
    ck_assert_int_eq(cg_csv_line(short_, 3, &g, &t, &p, &off), -1);
}
END_TEST

START_TEST(cgroups_parse__csv_field_count)
{
    char l4[] = "g,t,1,7", l3[] = "t,1,7";
    char *g, *t;
    int64_t off;
    int32_t p;

    /* the 3-field probe of --from-file must reject a 4-field line */
    ck_assert_int_eq(cg_csv_line(l4, 3, &g, &t, &p, &off), -1);
    ck_assert_int_eq(cg_csv_line(l3, 4, &g, &t, &p, &off), -1);
}
END_TEST

Suite *
sm_test_suite_cgroups_parse(void)
{
    Suite *s = suite_create("cgroups_parse");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, cgroups_parse__datetime);
    tcase_add_test(tc, cgroups_parse__duration);
    tcase_add_test(tc, cgroups_parse__csv);
    tcase_add_test(tc, cgroups_parse__csv_field_count);
    suite_add_tcase(s, tc);
    return s;
}
