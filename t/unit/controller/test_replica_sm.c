/*
 * test_replica_sm.c: the replica state machine's transition table
 * (ReplicaState.validPreviousStates).  Its ZooKeeper side (ISR removal,
 * StopReplica) is exercised by the controller_handlers and topic_deletion
 * suites.
 */
#include "controller/controller_int.h"
#include "sm_test.h"

START_TEST(replica_sm__valid_previous_states)
{
    /* rows: to; columns: from (NonExistent, New, Online, Offline, Started,
     * Successful, Ineligible) */
    static const int ok[SM_CTL_RST_CNT][SM_CTL_RST_CNT] = {
        [SM_CTL_RST_NONEXISTENT]         = { 0, 0, 0, 0, 0, 1, 0 },
        [SM_CTL_RST_NEW]                 = { 1, 0, 0, 0, 0, 0, 0 },
        [SM_CTL_RST_ONLINE]              = { 0, 1, 1, 1, 0, 0, 1 },
        [SM_CTL_RST_OFFLINE]             = { 0, 1, 1, 1, 0, 0, 1 },
        [SM_CTL_RST_DELETION_STARTED]    = { 0, 0, 0, 1, 0, 0, 0 },
        [SM_CTL_RST_DELETION_SUCCESSFUL] = { 0, 0, 0, 0, 1, 0, 0 },
        [SM_CTL_RST_DELETION_INELIGIBLE] = { 0, 0, 0, 1, 1, 0, 0 },
    };

    for (int to = 0; to < SM_CTL_RST_CNT; to++)
        for (int from = 0; from < SM_CTL_RST_CNT; from++)
            ck_assert_msg(sm_ctl_rsm_valid(from, to) == ok[to][from],
                          "%s -> %s", sm_ctl_rst_name(from),
                          sm_ctl_rst_name(to));
    ck_assert_str_eq(sm_ctl_rst_name(SM_CTL_RST_DELETION_INELIGIBLE),
                     "ReplicaDeletionIneligible");
}
END_TEST

START_TEST(replica_sm__set_state_refuses_and_removes)
{
    static const int32_t r[] = { 1, 2 };
    sm_zk_assignment_t a = { 0 };
    sm_controller_t *ctl = sm_controller_new(NULL, 1, -1, NULL, NULL);
    sm_ctl_topic_t *top = sm_ctl_ctx_add_topic(&ctl->ctx, "t");
    sm_ctl_rep_t rep;

    sm_zk_ints_set(&a.replicas, r, 2);
    rep.part = sm_ctl_topic_add_part(top, &a);
    sm_zk_ints_fini(&a.replicas);
    rep.id = 2;
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep,
                                          SM_CTL_RST_DELETION_STARTED),
                     SM_ERR__STATE);
    ck_assert_int_eq(sm_ctl_rep_state(&rep), SM_CTL_RST_NONEXISTENT);
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep, SM_CTL_RST_NEW), SM_OK);
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep, SM_CTL_RST_OFFLINE),
                     SM_OK);
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep,
                                          SM_CTL_RST_DELETION_STARTED), SM_OK);
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep,
                                          SM_CTL_RST_DELETION_SUCCESSFUL),
                     SM_OK);
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep,
                                          SM_CTL_RST_NONEXISTENT), SM_OK);
    ck_assert_int_eq(rep.part->replicas.cnt, 1);    /* unassigned */
    ck_assert_int_eq(rep.part->replicas.v[0], 1);
    ck_assert_int_eq(sm_ctl_rsm_set_state(ctl, &rep, SM_CTL_RST_NEW),
                     SM_ERR__STATE);                /* not assigned */
    sm_controller_destroy(ctl);
}
END_TEST

Suite *
sm_test_suite_replica_sm(void)
{
    Suite *s = suite_create("replica_sm");
    TCase *tc = tcase_create("replica_sm");

    tcase_add_test(tc, replica_sm__valid_previous_states);
    tcase_add_test(tc, replica_sm__set_state_refuses_and_removes);
    suite_add_tcase(s, tc);
    return s;
}
