/*
 * test_zk.c: unit tests of src/zk (one suite per source file).
 *
 * zk_paths needs nothing.  zk_client and kafka_zk run against a real
 * ZooKeeper that main() starts with t/lib/zk.sh (Debian's zookeeper
 * package and a JRE) and stops at the end; set SAMSA_TEST_ZK_CONNECT=h:p to
 * use a running one instead.  Without ZooKeeper those two suites are
 * skipped with a note - unless SAMSA_TEST_REQUIRE_ZK=1 (CI), which turns
 * the missing server into a failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sm_test.h"
#include "zk/zkt.h"

Suite *sm_test_suite_zk_paths(void);
Suite *sm_test_suite_zk_client(void);
Suite *sm_test_suite_kafka_zk(void);

int
main(void)
{
    static const sm_suite_fn all[] = {
        sm_test_suite_zk_paths,
        sm_test_suite_zk_client,
        sm_test_suite_kafka_zk,
    };
    const char *req = getenv("SAMSA_TEST_REQUIRE_ZK");
    int rc = zkt_start(), n = 3, ret;

    if (rc != 0) {
        if (req != NULL && atoi(req) != 0) {
            printf("Bail out! ZooKeeper could not be started (zk.sh exit "
                   "%d) and SAMSA_TEST_REQUIRE_ZK is set\n", rc);
            return 1;
        }
        fprintf(stderr, "# ZooKeeper unavailable (zk.sh exit %d): "
                "zk_client and kafka_zk suites skipped\n", rc);
        n = 1;
    }
    ret = sm_test_main(all, n);
    zkt_stop();
    return ret;
}
