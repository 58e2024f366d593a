/*
 * test_controller.c: unit tests of src/controller (one suite per source
 * file).
 *
 * controller_context, controller_batch, partition_sm and replica_sm have
 * pure parts that need nothing.  The other suites run controllers against a
 * real ZooKeeper that main() starts with t/lib/zk.sh (as test_zk does) and
 * stops at the end; set SAMSA_TEST_ZK_CONNECT=h:p to use a running one.
 * Without ZooKeeper those suites are skipped with a note, unless
 * SAMSA_TEST_REQUIRE_ZK=1 (samsa-dev test, CI), which makes it a failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/sm_log.h"
#include "sm_test.h"
#include "zk/zkt.h"

Suite *sm_test_suite_controller_context(void);
Suite *sm_test_suite_controller_batch(void);
Suite *sm_test_suite_partition_sm(void);
Suite *sm_test_suite_replica_sm(void);
Suite *sm_test_suite_controller(void);
Suite *sm_test_suite_controller_election(void);
Suite *sm_test_suite_controller_handlers(void);
Suite *sm_test_suite_topic_deletion(void);
Suite *sm_test_suite_channel_manager(void);
Suite *sm_test_suite_preferred_election(void);
Suite *sm_test_suite_elect_leaders(void);
Suite *sm_test_suite_controlled_shutdown(void);
Suite *sm_test_suite_reassignment(void);

int
main(void)
{
    static const sm_suite_fn all[] = {
        sm_test_suite_controller_context,
        sm_test_suite_controller_batch,
        sm_test_suite_partition_sm,
        sm_test_suite_replica_sm,
        sm_test_suite_channel_manager,      /* loopback only */
        /* ZooKeeper from here on */
        sm_test_suite_controller,
        sm_test_suite_controller_election,
        sm_test_suite_controller_handlers,
        sm_test_suite_topic_deletion,
        sm_test_suite_preferred_election,
        sm_test_suite_elect_leaders,
        sm_test_suite_controlled_shutdown,
        sm_test_suite_reassignment,
    };
    const char *req = getenv("SAMSA_TEST_REQUIRE_ZK");
    const char *lvl = getenv("SAMSA_TEST_LOGLEVEL");
    int rc = zkt_start(), n = 12, ret;

    sm_log_level = lvl ? sm_log_level_parse(lvl) : SM_LOG_WARN;
    if (rc != 0) {
        if (req != NULL && atoi(req) != 0) {
            printf("Bail out! ZooKeeper could not be started (zk.sh exit "
                   "%d) and SAMSA_TEST_REQUIRE_ZK is set\n", rc);
            return 1;
        }
        fprintf(stderr, "# ZooKeeper unavailable (zk.sh exit %d): "
                "controller suites that need it skipped\n", rc);
        n = 5;
    }
    ret = sm_test_main(all, n);
    zkt_stop();
    return ret;
}
