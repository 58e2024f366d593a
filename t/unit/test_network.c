/* test_network.c: unit tests of src/network (one suite per source file). */
#include "sm_test.h"

Suite *sm_test_suite_server(void);
Suite *sm_test_suite_acceptor(void);
Suite *sm_test_suite_processor(void);
Suite *sm_test_suite_request_channel(void);
Suite *sm_test_suite_response(void);

int
main(void)
{
    static const sm_suite_fn suites[] = {
        sm_test_suite_server,
        sm_test_suite_acceptor,
        sm_test_suite_processor,
        sm_test_suite_request_channel,
        sm_test_suite_response,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
