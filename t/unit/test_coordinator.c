/* test_coordinator.c: unit tests of src/coordinator (one suite per file). */
#include "sm_test.h"

Suite *sm_test_suite_group(void);
Suite *sm_test_suite_coordinator(void);
Suite *sm_test_suite_group_record(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_group,
        sm_test_suite_coordinator,
        sm_test_suite_group_record,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
