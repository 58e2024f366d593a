/*
 * test_client.c: unit tests of src/client (one suite per source file),
 * against scripted peers on the loopback interface (client/fake_broker.h);
 * no ZooKeeper and no broker needed.  The tool-level tests against a real
 * broker are t/tools/test_topics.sh.
 */
#include <signal.h>

#include "sm_test.h"

Suite *sm_test_suite_client_conn(void);
Suite *sm_test_suite_client(void);
Suite *sm_test_suite_client_admin(void);
Suite *sm_test_suite_client_elect(void);
Suite *sm_test_suite_client_groups(void);
Suite *sm_test_suite_partitioner(void);
Suite *sm_test_suite_producer(void);
Suite *sm_test_suite_consumer(void);
Suite *sm_test_suite_assignor(void);
Suite *sm_test_suite_consumer_protocol(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_client_conn,
        sm_test_suite_client,
        sm_test_suite_client_admin,
        sm_test_suite_client_elect,
        sm_test_suite_client_groups,
        sm_test_suite_partitioner,
        sm_test_suite_producer,
        sm_test_suite_consumer,
        sm_test_suite_assignor,
        sm_test_suite_consumer_protocol,
    };

    signal(SIGPIPE, SIG_IGN);
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
