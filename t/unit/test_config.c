/* test_config.c: unit tests of the broker configuration (src/server/
 * config*), one suite per source file. */
#include "sm_test.h"

Suite *sm_test_suite_config_props(void);
Suite *sm_test_suite_config(void);
Suite *sm_test_suite_config_value(void);
Suite *sm_test_suite_config_listener(void);
Suite *sm_test_suite_config_topic(void);
Suite *sm_test_suite_config_describe(void);
Suite *sm_test_suite_config_man(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_config_props,
        sm_test_suite_config,
        sm_test_suite_config_value,
        sm_test_suite_config_listener,
        sm_test_suite_config_topic,
        sm_test_suite_config_describe,
        sm_test_suite_config_man,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
