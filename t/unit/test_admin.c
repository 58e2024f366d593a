/*
 * test_admin.c: unit tests of topic administration - server/admin.c and
 * the admin request handlers (create_topics.c, delete_topics.c,
 * create_partitions.c, describe_configs.c) and the dynamic config
 * manager (dynamic_config.c), one suite per source file.
 *
 * The handler suites and admin's "zk" case run against a real ZooKeeper
 * that main() starts with t/lib/zk.sh (or $SAMSA_TEST_ZK_CONNECT); each
 * test connects under a chroot of its own.  Without ZooKeeper only the
 * pure rules run, with a note - unless SAMSA_TEST_REQUIRE_ZK=1, which
 * makes the missing server a failure (as test_zk does).
 */
#include <stdio.h>
#include <stdlib.h>

#include "sm_test.h"
#include "zk/zkt.h"

Suite *sm_test_suite_admin(void);
Suite *sm_test_suite_admin_rules(void);
Suite *sm_test_suite_create_topics(void);
Suite *sm_test_suite_delete_topics(void);
Suite *sm_test_suite_create_partitions(void);
Suite *sm_test_suite_describe_configs(void);
Suite *sm_test_suite_dynamic_config(void);
Suite *sm_test_suite_dynamic_config_pure(void);

int
main(void)
{
    static const sm_suite_fn with_zk[] = {
        sm_test_suite_admin,
        sm_test_suite_create_topics,
        sm_test_suite_delete_topics,
        sm_test_suite_create_partitions,
        sm_test_suite_describe_configs,
        sm_test_suite_dynamic_config,
        sm_test_suite_dynamic_config_pure,
    };
    static const sm_suite_fn without_zk[] = {
        sm_test_suite_admin_rules,
        sm_test_suite_dynamic_config_pure,
    };
    const char *req = getenv("SAMSA_TEST_REQUIRE_ZK");
    int rc = zkt_start(), ret;

    if (rc != 0) {
        if (req != NULL && atoi(req) != 0) {
            printf("Bail out! ZooKeeper could not be started (zk.sh exit "
                   "%d) and SAMSA_TEST_REQUIRE_ZK is set\n", rc);
            return 1;
        }
        fprintf(stderr, "# ZooKeeper unavailable (zk.sh exit %d): only the "
                "admin rules run\n", rc);
        return sm_test_main(without_zk, sizeof(without_zk) /
                            sizeof(without_zk[0]));
    }
    ret = sm_test_main(with_zk, sizeof(with_zk) / sizeof(with_zk[0]));
    zkt_stop();
    return ret;
}
