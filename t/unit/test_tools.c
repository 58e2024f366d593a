/*
 * test_tools.c: unit tests of the pure parts of src/tools (one suite per
 * source file).  The tools end to end (against ZooKeeper and a broker)
 * are the TAP scripts in t/tools/.
 */
#include "sm_test.h"

Suite *sm_test_suite_topics_common(void);
Suite *sm_test_suite_election_common(void);
Suite *sm_test_suite_cgroups_parse(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_topics_common,
        sm_test_suite_election_common,
        sm_test_suite_cgroups_parse,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
