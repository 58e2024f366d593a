/* test_config_man.c: server.properties(5) (config_man.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config_util.h"

static char *
man_page(void)
{
    sm_buf_t buf = SM_BUF_INIT;

    sm_config_write_man(&buf, PACKAGE_VERSION);
    sm_buf_write(&buf, "", 1);
    return (char *)sm_buf_detach(&buf, NULL);
}

START_TEST(man__committed_page_is_current)
{
    char *page = man_page();
    size_t len;
    unsigned char *committed = sm_test_slurp(
        cfg_src_path("man/server.properties.5"), &len);

    ck_assert_msg(len == strlen(page) && memcmp(committed, page, len) == 0,
                  "man/server.properties.5 is stale: run make and commit "
                  "the regenerated page");
    free(committed);
    free(page);
}
END_TEST

START_TEST(man__every_key_documented)
{
    char *page = man_page();
    char want[256];

    ck_assert_int_eq(strncmp(page, ".\\\" Generated", 13), 0);
    ck_assert_ptr_nonnull(strstr(page, ".TH SERVER.PROPERTIES 5 "));
    for (int k = 0; k < SM_CK__COUNT; k++) {
        snprintf(want, sizeof(want), "\n.B %s\n", sm_config_row(k)->name);
        ck_assert_msg(strstr(page, want) != NULL, "%s missing",
                      sm_config_row(k)->name);
    }
    ck_assert_ptr_nonnull(strstr(page, "topic key: retention.ms"));
    ck_assert_ptr_nonnull(strstr(page, "not yet used by samsa"));
    ck_assert_ptr_nonnull(strstr(page, ".BI listener.name. *"));
    ck_assert_ptr_null(strstr(page, "\n.\n"));   /* no stray requests */
    free(page);
}
END_TEST

Suite *
sm_test_suite_config_man(void)
{
    Suite *s = suite_create("config_man");
    TCase *tc = tcase_create("config_man");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, man__committed_page_is_current);
    tcase_add_test(tc, man__every_key_documented);
    suite_add_tcase(s, tc);
    return s;
}
