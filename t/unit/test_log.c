/* test_log.c: unit tests of src/log (one suite per source file, plus the
 * fault-injection suite that drives all of them through log_io.c). */
#include "sm_test.h"

Suite *sm_test_suite_index(void);
Suite *sm_test_suite_log(void);
Suite *sm_test_suite_recovery(void);
Suite *sm_test_suite_checkpoint(void);
Suite *sm_test_suite_manager(void);
Suite *sm_test_suite_faults(void);
Suite *sm_test_suite_offset_map(void);
Suite *sm_test_suite_cleaner(void);
Suite *sm_test_suite_epoch_cache(void);
Suite *sm_test_suite_validator(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_index,
        sm_test_suite_checkpoint,
        sm_test_suite_log,
        sm_test_suite_recovery,
        sm_test_suite_manager,
        sm_test_suite_faults,
        sm_test_suite_offset_map,
        sm_test_suite_cleaner,
        sm_test_suite_epoch_cache,
        sm_test_suite_validator,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
