/*
 * test_partition_sm.c: the partition state machine's transition table and
 * the offline leader election algorithm, without ZooKeeper.  Elections
 * against ZooKeeper (new topics, dead leaders, unclean election) are in
 * the controller_handlers suite.
 */
#include "controller/controller_int.h"
#include "sm_test.h"

START_TEST(partition_sm__valid_previous_states)
{
    /* rows: to; columns: from (NonExistent, New, Online, Offline) */
    static const int ok[SM_CTL_PST_CNT][SM_CTL_PST_CNT] = {
        [SM_CTL_PST_NONEXISTENT] = { 0, 0, 0, 1 },
        [SM_CTL_PST_NEW]         = { 1, 0, 0, 0 },
        [SM_CTL_PST_ONLINE]      = { 0, 1, 1, 1 },
        [SM_CTL_PST_OFFLINE]     = { 0, 1, 1, 1 },
    };

    for (int to = 0; to < SM_CTL_PST_CNT; to++)
        for (int from = 0; from < SM_CTL_PST_CNT; from++)
            ck_assert_msg(sm_ctl_psm_valid(from, to) == ok[to][from],
                          "%s -> %s", sm_ctl_pst_name(from),
                          sm_ctl_pst_name(to));
    ck_assert_str_eq(sm_ctl_pst_name(SM_CTL_PST_OFFLINE), "OfflinePartition");
}
END_TEST

START_TEST(partition_sm__offline_leader_election)
{
    static const int32_t assign[] = { 3, 1, 2 };
    static const int32_t isr12[] = { 1, 2 }, isr3[] = { 3 };
    static const int32_t live12[] = { 1, 2 }, live2[] = { 2 };
    static const int32_t live123[] = { 1, 2, 3 };
    int used = -1;

    /* preferred = first in assignment order that is live and in the ISR,
     * not first in ISR order */
    ck_assert_int_eq(sm_ctl_offline_leader(assign, 3, isr12, 2, live123, 3,
                                           0, &used), 1);
    ck_assert_int_eq(used, 0);
    ck_assert_int_eq(sm_ctl_offline_leader(assign, 3, isr12, 2, live2, 1, 0,
                                           NULL), 2);
    /* no live ISR member: nothing, unless unclean */
    ck_assert_int_eq(sm_ctl_offline_leader(assign, 3, isr3, 1, live12, 2, 0,
                                           &used), -1);
    ck_assert_int_eq(used, 0);
    ck_assert_int_eq(sm_ctl_offline_leader(assign, 3, isr3, 1, live12, 2, 1,
                                           &used), 1);
    ck_assert_int_eq(used, 1);
    /* a clean candidate always wins over unclean */
    ck_assert_int_eq(sm_ctl_offline_leader(assign, 3, isr12, 2, live2, 1, 1,
                                           &used), 2);
    ck_assert_int_eq(used, 0);
    /* nobody live */
    ck_assert_int_eq(sm_ctl_offline_leader(assign, 3, isr12, 2, NULL, 0, 1,
                                           &used), -1);
}
END_TEST

START_TEST(partition_sm__set_state_checks)
{
    static const int32_t r[] = { 1 };
    sm_zk_assignment_t a = { 0 };
    sm_controller_t *ctl = sm_controller_new(NULL, 1, -1, NULL, NULL);
    sm_ctl_part_t *part;

    sm_zk_ints_set(&a.replicas, r, 1);
    part = sm_ctl_topic_add_part(sm_ctl_ctx_add_topic(&ctl->ctx, "t"), &a);
    sm_zk_ints_fini(&a.replicas);
    ck_assert_int_eq(sm_ctl_psm_set_state(ctl, part, SM_CTL_PST_ONLINE),
                     SM_ERR__STATE);
    ck_assert_int_eq(part->pst, SM_CTL_PST_NONEXISTENT);
    ck_assert_int_eq(sm_ctl_psm_set_state(ctl, part, SM_CTL_PST_NEW), SM_OK);
    ck_assert_int_eq(sm_ctl_psm_set_state(ctl, part, SM_CTL_PST_OFFLINE),
                     SM_OK);
    ck_assert_int_eq(sm_ctl_psm_set_state(ctl, part, SM_CTL_PST_NEW),
                     SM_ERR__STATE);
    ck_assert_int_eq(sm_ctl_psm_set_state(ctl, part,
                                          SM_CTL_PST_NONEXISTENT), SM_OK);
    sm_controller_destroy(ctl);
}
END_TEST

Suite *
sm_test_suite_partition_sm(void)
{
    Suite *s = suite_create("partition_sm");
    TCase *tc = tcase_create("partition_sm");

    tcase_add_test(tc, partition_sm__valid_previous_states);
    tcase_add_test(tc, partition_sm__offline_leader_election);
    tcase_add_test(tc, partition_sm__set_state_checks);
    suite_add_tcase(s, tc);
    return s;
}
