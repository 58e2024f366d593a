/* test_common.c: unit tests of src/common (one suite per source file). */
#include "sm_test.h"

Suite *sm_test_suite_crc(void);
Suite *sm_test_suite_buf(void);
Suite *sm_test_suite_map(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_crc,
        sm_test_suite_buf,
        sm_test_suite_map,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
