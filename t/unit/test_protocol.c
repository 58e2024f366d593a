/* test_protocol.c: unit tests of src/protocol (one suite per source file). */
#include "sm_test.h"

Suite *sm_test_suite_codec(void);
Suite *sm_test_suite_apis(void);
Suite *sm_test_suite_compress(void);
Suite *sm_test_suite_records(void);
Suite *sm_test_suite_convert(void);
Suite *sm_test_suite_golden_records(void);
Suite *sm_test_suite_golden(void);
Suite *sm_test_suite_fuzz_regress(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_codec,
        sm_test_suite_apis,
        sm_test_suite_compress,
        sm_test_suite_records,
        sm_test_suite_convert,
        sm_test_suite_golden_records,
        sm_test_suite_golden,
        sm_test_suite_fuzz_regress,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
