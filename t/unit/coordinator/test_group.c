/*
 * test_group.c: the group state machine (coordinator/group.c) driven with a
 * fake clock: leader election and member lists, protocol selection,
 * MEMBER_ID_REQUIRED, generation fencing, session and rebalance expiry,
 * the initial rebalance delay, leave, commit validation.
 */
#include <stdlib.h>
#include <string.h>

#include "coordinator/group.h"
#include "sm_test.h"

#define S(x) ((sm_str_t){ (x), (int32_t)sizeof(x) - 1 })

/* One client's view: the last JoinGroup / SyncGroup answer it got. */
typedef struct cli {
    int      joined;            /* join answers received */
    sm_err_t join_err;
    int32_t  gen;
    char     id[128];
    char     leader[128];
    char     protocol[32];
    int      nmembers;
    int      synced;
    sm_err_t sync_err;
    char     assign[32];
} cli_t;

static void
on_join(void *arg, const sm_grp_join_result_t *res)
{
    cli_t *c = arg;

    c->joined++;
    c->join_err = res->err;
    c->gen = res->generation;
    snprintf(c->id, sizeof(c->id), "%s", res->member_id);
    snprintf(c->leader, sizeof(c->leader), "%s", res->leader);
    snprintf(c->protocol, sizeof(c->protocol), "%s", res->protocol);
    c->nmembers = res->nmembers;
}

static void
on_sync(void *arg, sm_err_t err, sm_bytes_t a)
{
    cli_t *c = arg;

    c->synced++;
    c->sync_err = err;
    snprintf(c->assign, sizeof(c->assign), "%.*s", (int)a.len,
             (const char *)a.ptr);
}

static const sm_grp_conf_t conf0 = { 0, 6000, 1800000, 1000 };

static sm_str_t
cid(const cli_t *c)
{
    return (sm_str_t){ c->id, (int32_t)strlen(c->id) };
}

static void
join_p(sm_grp_t *g, cli_t *c, int64_t now, int require, const char *p1,
       const char *p2)
{
    sm_grp_proto_t protos[2] = {
        { { p1, (int32_t)strlen(p1) }, { (const uint8_t *)"md", 2 } },
        { { p2 ? p2 : "", p2 ? (int32_t)strlen(p2) : 0 },
          { (const uint8_t *)"", 0 } },
    };
    sm_grp_join_req_t req = {
        cid(c), S("cli"), S("/127.0.0.1"), 10000, 30000, S("consumer"),
        p2 ? 2 : 1, protos, require, on_join, c, { NULL, -1 } };

    sm_grp_join(g, &req, now);
}

static void
join(sm_grp_t *g, cli_t *c, int64_t now)
{
    join_p(g, c, now, 0, "range", NULL);
}

static void
sync_as(sm_grp_t *g, cli_t *c, int64_t now, int n,
        const sm_grp_assignment_t *a)
{
    sm_grp_sync(g, cid(c), c->gen, n, a, on_sync, c, now);
}

START_TEST(group__first_joiner_leads_and_gets_members)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, b = { 0 };
    sm_grp_assignment_t as[2];

    join(g, &a, 0);
    ck_assert_int_eq(a.joined, 1);              /* alone: done at once */
    ck_assert_int_eq(a.join_err, SM_OK);
    ck_assert_int_eq(a.gen, 1);
    ck_assert_str_eq(a.leader, a.id);
    ck_assert_int_eq(a.nmembers, 1);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_COMPLETING_REBALANCE);
    ck_assert_msg(strncmp(a.id, "cli-", 4) == 0 && strlen(a.id) == 40,
                  "member id %s", a.id);
    as[0] = (sm_grp_assignment_t){ cid(&a), { (const uint8_t *)"A", 1 } };
    sync_as(g, &a, 1, 1, as);
    ck_assert_int_eq(a.synced, 1);
    ck_assert_str_eq(a.assign, "A");
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_STABLE);

    /* b joins: a must rejoin (heartbeat says so) before anyone is done. */
    join(g, &b, 100);
    ck_assert_int_eq(b.joined, 0);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_PREPARING_REBALANCE);
    ck_assert_int_eq(sm_grp_heartbeat(g, cid(&a), 1, 200),
                     SM_ERR_REBALANCE_IN_PROGRESS);
    join(g, &a, 300);
    ck_assert_int_eq(a.joined, 2);
    ck_assert_int_eq(b.joined, 1);
    ck_assert_int_eq(a.gen, 2);
    ck_assert_int_eq(b.gen, 2);
    ck_assert_str_eq(b.leader, a.id);
    ck_assert_int_eq(a.nmembers, 2);
    ck_assert_int_eq(b.nmembers, 0);

    /* follower's sync waits for the leader's */
    sync_as(g, &b, 400, 0, NULL);
    ck_assert_int_eq(b.synced, 0);
    as[1] = (sm_grp_assignment_t){ cid(&b), { (const uint8_t *)"B", 1 } };
    sync_as(g, &a, 500, 2, as);
    ck_assert_int_eq(b.synced, 1);
    ck_assert_str_eq(b.assign, "B");
    ck_assert_str_eq(a.assign, "A");
    ck_assert_int_eq(sm_grp_heartbeat(g, cid(&b), 2, 600), SM_OK);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__generation_fencing)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, ghost = { 0 };

    join(g, &a, 0);
    strcpy(ghost.id, "nobody");
    ck_assert_int_eq(sm_grp_heartbeat(g, cid(&a), 0, 1),
                     SM_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(sm_grp_heartbeat(g, cid(&ghost), 1, 1),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    a.gen = 7;
    sync_as(g, &a, 1, 0, NULL);
    ck_assert_int_eq(a.sync_err, SM_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(sm_grp_validate_commit(g, cid(&a), 1, 2),
                     SM_ERR_REBALANCE_IN_PROGRESS);
    a.gen = 1;
    sync_as(g, &a, 2, 0, NULL);
    ck_assert_int_eq(sm_grp_validate_commit(g, cid(&a), 1, 3), SM_OK);
    ck_assert_int_eq(sm_grp_validate_commit(g, cid(&a), 0, 3),
                     SM_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(sm_grp_validate_commit(g, S(""), -1, 3),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    /* an unknown member id cannot join */
    join(g, &ghost, 4);
    ck_assert_int_eq(ghost.join_err, SM_ERR_UNKNOWN_MEMBER_ID);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__member_id_required_v4)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 };

    join_p(g, &a, 0, 1, "range", NULL);
    ck_assert_int_eq(a.join_err, SM_ERR_MEMBER_ID_REQUIRED);
    ck_assert_int_eq(a.gen, -1);
    ck_assert_int_ne(strlen(a.id), 0);
    ck_assert_int_eq(sm_grp_size(g), 0);
    join_p(g, &a, 10, 1, "range", NULL);
    ck_assert_int_eq(a.join_err, SM_OK);
    ck_assert_int_eq(a.gen, 1);
    ck_assert_int_eq(sm_grp_size(g), 1);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__protocol_selection_and_inconsistency)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, b = { 0 }, c = { 0 };

    join_p(g, &a, 0, 0, "roundrobin", "range");
    sync_as(g, &a, 0, 0, NULL);
    join_p(g, &b, 1, 0, "range", "roundrobin");
    join_p(g, &c, 2, 0, "sticky", NULL);
    ck_assert_int_eq(c.join_err, SM_ERR_INCONSISTENT_GROUP_PROTOCOL);
    join_p(g, &c, 2, 0, "range", NULL);
    join_p(g, &a, 3, 0, "roundrobin", "range");
    /* only range is shared by all three */
    ck_assert_str_eq(a.protocol, "range");
    ck_assert_str_eq(c.protocol, "range");
    ck_assert_int_eq(a.gen, 2);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__session_expiry_rebalances)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, b = { 0 };
    int64_t t;

    join(g, &a, 0);
    join(g, &b, 0);                     /* a is parked in its first join? */
    join(g, &a, 0);
    sync_as(g, &a, 0, 0, NULL);
    sync_as(g, &b, 0, 0, NULL);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_STABLE);
    ck_assert_int_eq(sm_grp_size(g), 2);
    /* only a heartbeats; b's session (10 s) runs out */
    for (t = 1000; t <= 12000; t += 1000) {
        ck_assert_int_eq(sm_grp_heartbeat(g, cid(&a), a.gen, t) ==
                         SM_ERR_REBALANCE_IN_PROGRESS ? 0 : 1,
                         sm_grp_size(g) == 2 ? 1 : 0);
        sm_grp_tick(g, t);
        if (sm_grp_size(g) == 1)
            break;
    }
    ck_assert_int_eq(sm_grp_size(g), 1);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_PREPARING_REBALANCE);
    ck_assert_int_eq(sm_grp_heartbeat(g, cid(&b), b.gen, t),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    join(g, &a, t + 1);
    ck_assert_int_eq(a.gen, 3);
    ck_assert_int_eq(a.nmembers, 1);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__loaded_members_carry_on_or_expire)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    sm_grec_member_t mv[2] = {
        { S("m-1"), S("c1"), S("/h1"), 30000, 10000,
          { (const uint8_t *)"sub1", 4 }, { (const uint8_t *)"as1", 3 },
          { NULL, -1 } },
        { S("m-2"), S("c2"), S("/h2"), 30000, 10000,
          { (const uint8_t *)"sub2", 4 }, { (const uint8_t *)"as2", 3 },
          S("inst-2") },
    };
    sm_grp_member_view_t v;
    cli_t a = { 0 };

    /* an older record, then the newer one replaces it */
    sm_grp_load(g, 4, "consumer", "range", S("m-1"), mv, 1, 0);
    ck_assert_int_eq(sm_grp_size(g), 1);
    sm_grp_load(g, 5, "consumer", "range", S("m-2"), mv, 2, 0);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_STABLE);
    ck_assert_int_eq(sm_grp_generation(g), 5);
    ck_assert_int_eq(sm_grp_size(g), 2);
    ck_assert_str_eq(sm_grp_leader(g), "m-2");
    ck_assert_str_eq(sm_grp_protocol(g), "range");
    sm_grp_member(g, 1, &v);
    ck_assert_str_eq(v.client_id, "c2");
    ck_assert_str_eq(v.instance_id, "inst-2");      /* static, restored */
    sm_grp_member(g, 0, &v);
    ck_assert_ptr_null(v.instance_id);
    sm_grp_member(g, 1, &v);
    ck_assert_int_eq(v.assignment.len, 3);
    ck_assert_int_eq(memcmp(v.assignment.ptr, "as2", 3), 0);
    ck_assert_int_eq(v.metadata.len, 4);
    /* m-1 heartbeats to the new coordinator and stays; m-2 does not */
    for (int64_t t = 1000; t <= 9000; t += 1000) {
        ck_assert_int_eq(sm_grp_heartbeat(g, S("m-1"), 5, t), SM_OK);
        sm_grp_tick(g, t);
    }
    ck_assert_int_eq(sm_grp_size(g), 2);
    sm_grp_tick(g, 10000);              /* m-2's 10 s session is over */
    ck_assert_int_eq(sm_grp_size(g), 1);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_PREPARING_REBALANCE);
    ck_assert_int_eq(sm_grp_heartbeat(g, S("m-1"), 5, 10500),
                     SM_ERR_REBALANCE_IN_PROGRESS);
    ck_assert_int_eq(sm_grp_heartbeat(g, S("m-2"), 5, 11000),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    /* a rebalancing group is live: loading is a no-op */
    snprintf(a.id, sizeof(a.id), "m-1");
    join(g, &a, 11001);
    ck_assert_int_eq(a.gen, 6);
    sm_grp_load(g, 0, NULL, NULL, SM_STR_NULL, NULL, 0, 11002);
    ck_assert_int_eq(sm_grp_generation(g), 6);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__empty_load_and_tombstone)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);

    sm_grp_load(g, 3, "consumer", NULL, SM_STR_NULL, NULL, 0, 0);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_EMPTY);
    ck_assert_int_eq(sm_grp_generation(g), 3);
    ck_assert_str_eq(sm_grp_protocol(g), "");
    sm_grp_load(g, 0, NULL, NULL, SM_STR_NULL, NULL, 0, 0);
    ck_assert_int_eq(sm_grp_generation(g), 0);
    ck_assert_str_eq(sm_grp_protocol_type(g), "");
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__rebalance_timeout_drops_laggards)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, b = { 0 }, c = { 0 };

    join(g, &a, 0);
    join(g, &b, 0);
    join(g, &a, 0);
    sync_as(g, &a, 0, 0, NULL);
    sync_as(g, &b, 0, 0, NULL);
    join(g, &c, 100);                   /* rebalance; b never rejoins */
    join(g, &a, 200);
    ck_assert_int_eq(c.joined, 0);
    ck_assert_int_le(sm_grp_next_deadline(g), 100 + 30000);
    sm_grp_tick(g, 100 + 30000);        /* rebalance timeout 30 s */
    ck_assert_int_eq(c.joined, 1);
    ck_assert_int_eq(a.nmembers, 2);
    ck_assert_int_eq(sm_grp_size(g), 2);
    ck_assert_int_eq(sm_grp_heartbeat(g, cid(&b), b.gen, 30200),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__leave_and_empty)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, b = { 0 };

    join(g, &a, 0);
    join(g, &b, 0);
    join(g, &a, 0);
    sync_as(g, &a, 0, 0, NULL);
    sync_as(g, &b, 0, 0, NULL);
    /* the leader leaves: b leads the next generation */
    ck_assert_int_eq(sm_grp_leave(g, cid(&a), 10), SM_OK);
    ck_assert_int_eq(sm_grp_leave(g, cid(&a), 10),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    join(g, &b, 20);
    ck_assert_str_eq(b.leader, b.id);
    ck_assert_int_eq(b.gen, 3);
    ck_assert_int_eq(sm_grp_leave(g, cid(&b), 30), SM_OK);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_EMPTY);
    ck_assert_int_eq(sm_grp_generation(g), 4);
    ck_assert_int_eq(sm_grp_validate_commit(g, S(""), -1, 40), SM_OK);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__initial_delay_gathers_joiners)
{
    sm_grp_conf_t conf = conf0;
    sm_grp_t *g;
    cli_t a = { 0 }, b = { 0 };

    conf.initial_rebalance_delay_ms = 3000;
    g = sm_grp_new("g", &conf);
    join(g, &a, 0);
    sm_grp_tick(g, 2000);
    join(g, &b, 2500);
    sm_grp_tick(g, 3000);               /* extended: b came meanwhile */
    ck_assert_int_eq(a.joined, 0);
    sm_grp_tick(g, 6000);
    ck_assert_int_eq(a.joined, 1);
    ck_assert_int_eq(b.joined, 1);
    ck_assert_int_eq(a.nmembers, 2);
    ck_assert_int_eq(a.gen, 1);
    sm_grp_destroy(g);
}
END_TEST

START_TEST(group__parked_answers_on_destroy)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, b = { 0 };

    join(g, &a, 0);
    join(g, &b, 1);
    ck_assert_int_eq(b.joined, 0);
    sm_grp_destroy(g);
    ck_assert_int_eq(b.joined, 1);
    ck_assert_int_eq(b.join_err, SM_ERR_COORDINATOR_NOT_AVAILABLE);
}
END_TEST

START_TEST(group__session_timeout_bounds)
{
    sm_grp_conf_t conf = conf0;
    sm_grp_t *g;
    cli_t a = { 0 };

    conf.min_session_timeout_ms = 20000;
    g = sm_grp_new("g", &conf);
    join(g, &a, 0);
    ck_assert_int_eq(a.join_err, SM_ERR_INVALID_SESSION_TIMEOUT);
    ck_assert_int_eq(sm_grp_size(g), 0);
    sm_grp_destroy(g);
}
END_TEST

static void
join_static(sm_grp_t *g, cli_t *c, const char *instance, int64_t now)
{
    sm_grp_proto_t proto = { S("range"), { (const uint8_t *)"md", 2 } };
    sm_grp_join_req_t req = {
        cid(c), S("cli"), S("/127.0.0.1"), 10000, 30000, S("consumer"),
        1, &proto, 1, on_join, c,
        { instance, (int32_t)strlen(instance) } };

    sm_grp_join(g, &req, now);
}

/* A restarted static member (unknown member id, known group.instance.id)
 * takes over its membership at once under a new id; the old id is
 * fenced; a known id with someone else's instance id is fenced too. */
START_TEST(group__static_member_rejoins_without_session_wait)
{
    sm_grp_t *g = sm_grp_new("g", &conf0);
    cli_t a = { 0 }, a2 = { 0 }, b = { 0 };
    sm_grp_assignment_t as[1];
    char old[128];

    join_static(g, &a, "inst-a", 0);
    ck_assert_int_eq(a.join_err, SM_OK);        /* no MEMBER_ID_REQUIRED */
    as[0] = (sm_grp_assignment_t){ cid(&a), { (const uint8_t *)"A", 1 } };
    sync_as(g, &a, 1, 1, as);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_STABLE);
    snprintf(old, sizeof(old), "%s", a.id);
    join_static(g, &a2, "inst-a", 100);         /* the restarted client */
    ck_assert_int_eq(a2.joined, 1);
    ck_assert_int_eq(a2.join_err, SM_OK);
    ck_assert_str_ne(a2.id, old);
    /* no rebalance: the same generation, the leader as it was (so the
     * restarted leader syncs as a follower and gets its assignment) */
    ck_assert_str_eq(a2.leader, old);
    ck_assert_int_eq(a2.gen, 1);
    ck_assert_int_eq(sm_grp_state(g), SM_GRP_STABLE);
    sync_as(g, &a2, 150, 0, NULL);
    ck_assert_int_eq(a2.sync_err, SM_OK);
    ck_assert_str_eq(a2.assign, "A");
    ck_assert_int_eq(sm_grp_size(g), 1);
    ck_assert_int_eq(sm_grp_heartbeat(g, (sm_str_t){ old,
                                                     (int32_t)strlen(old) },
                                      1, 200), SM_ERR_UNKNOWN_MEMBER_ID);
    join_static(g, &b, "inst-b", 300);
    snprintf(b.id, sizeof(b.id), "%s", a2.id);  /* b claims a2's id */
    join_static(g, &b, "inst-b", 400);
    ck_assert_int_eq(b.join_err, SM_ERR_FENCED_INSTANCE_ID);
    sm_grp_destroy(g);
}
END_TEST

Suite *
sm_test_suite_group(void)
{
    Suite *s = suite_create("group");
    TCase *tc = tcase_create("group");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, group__first_joiner_leads_and_gets_members);
    tcase_add_test(tc, group__generation_fencing);
    tcase_add_test(tc, group__member_id_required_v4);
    tcase_add_test(tc, group__protocol_selection_and_inconsistency);
    tcase_add_test(tc, group__session_expiry_rebalances);
    tcase_add_test(tc, group__rebalance_timeout_drops_laggards);
    tcase_add_test(tc, group__leave_and_empty);
    tcase_add_test(tc, group__initial_delay_gathers_joiners);
    tcase_add_test(tc, group__parked_answers_on_destroy);
    tcase_add_test(tc, group__session_timeout_bounds);
    tcase_add_test(tc, group__static_member_rejoins_without_session_wait);
    tcase_add_test(tc, group__loaded_members_carry_on_or_expire);
    tcase_add_test(tc, group__empty_load_and_tombstone);
    suite_add_tcase(s, tc);
    return s;
}
