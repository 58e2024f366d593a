/* test_protocol.c: unit tests of src/protocol (one suite per source file). */
#include "sm_test.h"

Suite *sm_test_suite_codec(void);
Suite *sm_test_suite_apis(void);
Suite *sm_test_suite_compress(void);
Suite *sm_test_suite_records(void);
Suite *sm_test_suite_convert(void);
Suite *sm_test_suite_golden_records(void);
Suite *sm_test_suite_apiversions(void);
Suite *sm_test_suite_metadata(void);
Suite *sm_test_suite_produce(void);
Suite *sm_test_suite_fetch(void);
Suite *sm_test_suite_listoffsets(void);
Suite *sm_test_suite_createtopics(void);
Suite *sm_test_suite_deletetopics(void);
Suite *sm_test_suite_createpartitions(void);
Suite *sm_test_suite_describeconfigs(void);
Suite *sm_test_suite_leaderandisr(void);
Suite *sm_test_suite_stopreplica(void);
Suite *sm_test_suite_updatemetadata(void);
Suite *sm_test_suite_controlledshutdown(void);
Suite *sm_test_suite_electleaders(void);
Suite *sm_test_suite_offsetforleaderepoch(void);
Suite *sm_test_suite_findcoordinator(void);
Suite *sm_test_suite_joingroup(void);
Suite *sm_test_suite_syncgroup(void);
Suite *sm_test_suite_heartbeat(void);
Suite *sm_test_suite_leavegroup(void);
Suite *sm_test_suite_offsetcommit(void);
Suite *sm_test_suite_offsetfetch(void);
Suite *sm_test_suite_listgroups(void);
Suite *sm_test_suite_deletegroups(void);
Suite *sm_test_suite_offsetdelete(void);
Suite *sm_test_suite_describegroups(void);
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
        sm_test_suite_apiversions,
        sm_test_suite_metadata,
        sm_test_suite_produce,
        sm_test_suite_fetch,
        sm_test_suite_listoffsets,
        sm_test_suite_createtopics,
        sm_test_suite_deletetopics,
        sm_test_suite_createpartitions,
        sm_test_suite_describeconfigs,
        sm_test_suite_leaderandisr,
        sm_test_suite_stopreplica,
        sm_test_suite_updatemetadata,
        sm_test_suite_controlledshutdown,
        sm_test_suite_electleaders,
        sm_test_suite_offsetforleaderepoch,
        sm_test_suite_findcoordinator,
        sm_test_suite_joingroup,
        sm_test_suite_syncgroup,
        sm_test_suite_heartbeat,
        sm_test_suite_leavegroup,
        sm_test_suite_offsetcommit,
        sm_test_suite_offsetfetch,
        sm_test_suite_listgroups,
        sm_test_suite_deletegroups,
        sm_test_suite_offsetdelete,
        sm_test_suite_describegroups,
        sm_test_suite_golden,
        sm_test_suite_fuzz_regress,
    };
    return sm_test_main(suites, sizeof(suites) / sizeof(suites[0]));
}
