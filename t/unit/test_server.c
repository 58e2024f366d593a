/* test_server.c: unit tests of src/server (one suite per source file). */
#include "sm_test.h"

Suite *sm_test_suite_purgatory(void);
Suite *sm_test_suite_replica_fetcher(void);
Suite *sm_test_suite_partition(void);
Suite *sm_test_suite_isr_announce(void);
Suite *sm_test_suite_replication_quota(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_purgatory,
        sm_test_suite_replica_fetcher,
        sm_test_suite_partition,
        sm_test_suite_isr_announce,
        sm_test_suite_replication_quota,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
