/*
 * test_admin.c: the rules of topic administration (server/admin.c):
 * Kafka's topic name rules and messages, AdminUtils' replica assignment
 * (the vectors and distribution properties of Kafka's AdminUtilsTest /
 * AdminRackAwareTest / AddPartitionsTest), assignment and config checks,
 * partition addition, and - against ZooKeeper - auto-creation.
 */
#include <string.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "config_util.h"
#include "server/admin.h"
#include "sm_test.h"
#include "zk/zkt.h"

/* ------------------------------------------------------------ helpers */

/* Check an error and its message (*msgp, freed and reset).  Takes the
 * address: the call that fills *msgp is an argument of the same call. */
static void
check_err(sm_err_t got, char **msgp, sm_err_t want, const char *want_msg)
{
    char *msg = *msgp;

    *msgp = NULL;
    ck_assert_msg(got == want, "got %s, want %s (%s)", sm_err_name(got),
                  sm_err_name(want), msg ? msg : "no message");
    if (want_msg != NULL) {
        ck_assert_ptr_nonnull(msg);
        ck_assert_str_eq(msg, want_msg);
    }
    free(msg);
}

static void
check_name(const char *name, sm_err_t want, const char *want_msg)
{
    char *msg = NULL;

    check_err(sm_admin_validate_topic_name(name, &msg), &msg, want,
              want_msg);
}

/* Brokers ids[0..n) with racks (NULL: none). */
static sm_admin_broker_t *
brokers(const int32_t *ids, const char *const *racks, int n)
{
    sm_admin_broker_t *b = sm_calloc((size_t)n, sizeof(*b));

    for (int i = 0; i < n; i++) {
        b[i].id = ids[i];
        b[i].rack = racks ? racks[i] : NULL;
    }
    return b;
}

static void
check_parts(const sm_zk_topic_t *t, int32_t first, int32_t n, int rf,
            const int32_t *want)
{
    ck_assert_int_eq(t->part_cnt, n);
    for (int32_t p = 0; p < n; p++) {
        ck_assert_int_eq(t->parts[p].partition, first + p);
        ck_assert_int_eq(t->parts[p].replicas.cnt, rf);
        for (int j = 0; j < rf; j++)
            ck_assert_msg(t->parts[p].replicas.v[j] == want[p * rf + j],
                          "partition %d replica %d: %d, want %d", first + p,
                          j, t->parts[p].replicas.v[j], want[p * rf + j]);
    }
}

static const char *
rack_of(const sm_admin_broker_t *b, int n, int32_t id)
{
    for (int i = 0; i < n; i++)
        if (b[i].id == id)
            return b[i].rack;
    ck_abort_msg("broker %d unknown", id);
    return NULL;
}

/* Kafka's RackAwareTest.checkReplicaDistribution. */
static void
check_distribution(const sm_zk_topic_t *t, const sm_admin_broker_t *b,
                   int nb, int np, int rf, int rack_aware, int leaders,
                   int replicas)
{
    int lead[64] = { 0 }, reps[64] = { 0 };

    ck_assert_int_eq(t->part_cnt, np);
    for (int p = 0; p < np; p++) {
        const sm_zk_ints_t *r = &t->parts[p].replicas;
        int racks = 0;

        ck_assert_int_eq(r->cnt, rf);
        for (int i = 0; i < r->cnt; i++) {
            int dup_rack = 0;
            for (int j = 0; j < i; j++) {
                ck_assert_int_ne(r->v[i], r->v[j]);
                if (b[0].rack && strcmp(rack_of(b, nb, r->v[i]),
                                        rack_of(b, nb, r->v[j])) == 0)
                    dup_rack = 1;
            }
            racks += !dup_rack;
            ck_assert_int_lt(r->v[i], 64);
            reps[r->v[i]]++;
        }
        lead[r->v[0]]++;
        if (rack_aware)
            ck_assert_int_eq(racks, rf);
    }
    for (int i = 0; i < nb; i++) {
        if (leaders)
            ck_assert_int_eq(lead[b[i].id], np / nb);
        if (replicas)
            ck_assert_int_eq(reps[b[i].id], np * rf / nb);
    }
}

/* Distinct racks of partition p. */
static int
partition_racks(const sm_zk_topic_t *t, int p, const sm_admin_broker_t *b,
                int nb)
{
    const sm_zk_ints_t *r = &t->parts[p].replicas;
    int racks = 0;

    for (int i = 0; i < r->cnt; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= strcmp(rack_of(b, nb, r->v[i]),
                           rack_of(b, nb, r->v[j])) == 0;
        racks += !seen;
    }
    return racks;
}

static const int32_t ids6[] = { 0, 1, 2, 3, 4, 5 };
/* AdminRackAwareTest's usual mapping. */
static const char *const racks6[] = { "rack1", "rack2", "rack2", "rack3",
                                      "rack3", "rack1" };

/* ------------------------------------------------------------ names */

START_TEST(admin__topic_name_rules)
{
    char long_name[252];
    char *msg;

    check_name("", SM_ERR_INVALID_TOPIC_EXCEPTION,
               "Topic name is illegal, it can't be empty");
    check_name(".", SM_ERR_INVALID_TOPIC_EXCEPTION,
               "Topic name cannot be \".\" or \"..\"");
    check_name("..", SM_ERR_INVALID_TOPIC_EXCEPTION,
               "Topic name cannot be \".\" or \"..\"");
    memset(long_name, 'a', 249);
    long_name[249] = '\0';
    check_name(long_name, SM_OK, NULL);
    long_name[249] = 'b';
    long_name[250] = '\0';
    msg = sm_asprintf("Topic name is illegal, it can't be longer than 249 "
                      "characters, topic name: %s", long_name);
    check_name(long_name, SM_ERR_INVALID_TOPIC_EXCEPTION, msg);
    free(msg);
    check_name("a b", SM_ERR_INVALID_TOPIC_EXCEPTION,
               "Topic name \"a b\" is illegal, it contains a character "
               "other than ASCII alphanumerics, '.', '_' and '-'");
    check_name("a/b", SM_ERR_INVALID_TOPIC_EXCEPTION, NULL);
    check_name("caf\xc3\xa9", SM_ERR_INVALID_TOPIC_EXCEPTION, NULL);
    check_name("Valid-._09", SM_OK, NULL);
    check_name("...", SM_OK, NULL);
    ck_assert_int_eq(sm_admin_validate_topic_name("x y", NULL),
                     SM_ERR_INVALID_TOPIC_EXCEPTION);
}
END_TEST

START_TEST(admin__topic_from_wire)
{
    char *topic = NULL, *msg = NULL;

    check_err(sm_admin_topic_from_wire((sm_str_t){ "a\0b", 3 }, &topic,
                                       &msg), &msg,
              SM_ERR_INVALID_TOPIC_EXCEPTION, NULL);
    ck_assert_str_eq(topic, "a");
    free(topic);
    msg = NULL;
    check_err(sm_admin_topic_from_wire(SM_STR_NULL, &topic, &msg), &msg,
              SM_ERR_INVALID_TOPIC_EXCEPTION,
              "Topic name is illegal, it can't be empty");
    free(topic);
    msg = NULL;
    check_err(sm_admin_topic_from_wire((sm_str_t){ "ok.t", 4 }, &topic,
                                       &msg), &msg, SM_OK, NULL);
    ck_assert_str_eq(topic, "ok.t");
    free(topic);
    ck_assert(sm_admin_topics_collide("a.b_c", "a_b.c"));
    ck_assert(!sm_admin_topics_collide("a.b", "a.bc"));
    ck_assert(!sm_admin_topics_collide("a-b", "a_b"));
}
END_TEST

/* ------------------------------------------------------------ assignment */

/* AdminRackAwareTest.testReplicaAssignment (rack-unaware, start 0). */
START_TEST(admin__assign_unaware_vector)
{
    static const int32_t want[] = {
        0, 1, 2,  1, 2, 3,  2, 3, 4,  3, 4, 0,  4, 0, 1,
        0, 2, 3,  1, 3, 4,  2, 4, 0,  3, 0, 1,  4, 1, 2,
    };
    sm_admin_broker_t *b = brokers(ids6, NULL, 5);
    sm_zk_topic_t t = { 0 };
    char *msg = NULL;

    check_err(sm_admin_assign_replicas(b, 5, 10, 3, 0, -1, &t, &msg), &msg,
              SM_OK, NULL);
    check_parts(&t, 0, 10, 3, want);
    sm_zk_topic_fini(&t);
    free(b);
}
END_TEST

START_TEST(admin__assign_errors)
{
    static const char *const mixed[] = { "r1", NULL, "r2" };
    sm_admin_broker_t *b = brokers(ids6, NULL, 5);
    sm_admin_broker_t *m = brokers(ids6, mixed, 3);
    sm_zk_topic_t t = { 0 };
    char *msg = NULL;

    check_err(sm_admin_assign_replicas(b, 5, 10, 0, -1, -1, &t, &msg), &msg,
              SM_ERR_INVALID_REPLICATION_FACTOR,
              "Replication factor must be larger than 0.");
    check_err(sm_admin_assign_replicas(b, 5, 10, 6, -1, -1, &t, &msg), &msg,
              SM_ERR_INVALID_REPLICATION_FACTOR,
              "Replication factor: 6 larger than available brokers: 5.");
    check_err(sm_admin_assign_replicas(b, 0, 1, 1, -1, -1, &t, &msg), &msg,
              SM_ERR_INVALID_REPLICATION_FACTOR,
              "Replication factor: 1 larger than available brokers: 0.");
    check_err(sm_admin_assign_replicas(b, 5, 0, 1, -1, -1, &t, &msg), &msg,
              SM_ERR_INVALID_PARTITIONS,
              "Number of partitions must be larger than 0.");
    check_err(sm_admin_assign_replicas(b, 5, -3, 1, -1, -1, &t, &msg), &msg,
              SM_ERR_INVALID_PARTITIONS, NULL);
    check_err(sm_admin_assign_replicas(b, 5, SM_ADMIN_MAX_PARTITIONS + 1, 1,
                                       -1, -1, &t, &msg), &msg,
              SM_ERR_INVALID_PARTITIONS, NULL);
    check_err(sm_admin_assign_replicas(m, 3, 3, 1, -1, -1, &t, &msg), &msg,
              SM_ERR_UNKNOWN_SERVER_ERROR,
              "Not all brokers have rack information for replica rack "
              "aware assignment.");
    ck_assert_int_eq(t.part_cnt, 0);
    free(m);
    free(b);
}
END_TEST

/* AdminRackAwareTest.testGetRackAlternatedBrokerListAndAssign... */
START_TEST(admin__rack_alternated_vector)
{
    static const char *const racks[] = { "rack1", "rack3", "rack3", "rack2",
                                         "rack2", "rack1" };
    static const int32_t want_list[] = { 0, 3, 1, 5, 4, 2 };
    static const int32_t want_list5[] = { 0, 3, 1, 4, 2 };
    static const int32_t want[] = {
        0, 3, 1,  3, 1, 5,  1, 5, 4,  5, 4, 2,  4, 2, 0,  2, 0, 3,  0, 4, 2,
    };
    sm_admin_broker_t *b = brokers(ids6, racks, 6);
    sm_zk_topic_t t = { 0 };
    int32_t list[6];
    char *msg = NULL;

    sm_admin_rack_alternated(b, 6, list);
    ck_assert_mem_eq(list, want_list, sizeof(want_list));
    sm_admin_rack_alternated(b, 5, list);
    ck_assert_mem_eq(list, want_list5, sizeof(want_list5));
    check_err(sm_admin_assign_replicas(b, 6, 7, 3, 0, 0, &t, &msg), &msg,
              SM_OK, NULL);
    check_parts(&t, 0, 7, 3, want);
    sm_zk_topic_fini(&t);
    free(b);
}
END_TEST

/* One rack-aware distribution case of AdminRackAwareTest, run with a
 * fixed start (fixed >= 0) or many random ones. */
static void
rack_case(const char *const *racks, int nb, int np, int rf, int fixed,
          int start_part, int leaders, int replicas)
{
    sm_admin_broker_t *b = brokers(ids6, racks, nb);
    int runs = fixed >= 0 ? 1 : 50;

    for (int i = 0; i < runs; i++) {
        sm_zk_topic_t t = { 0 }, shifted = { 0 };
        char *msg = NULL;

        check_err(sm_admin_assign_replicas(b, nb, np, rf, fixed, start_part,
                                           &t, &msg), &msg, SM_OK, NULL);
        /* the distribution checks index partitions from 0 */
        for (int p = 0; p < t.part_cnt; p++) {
            ck_assert_int_eq(t.parts[p].partition,
                             (start_part > 0 ? start_part : 0) + p);
            sm_zk_topic_add(&shifted, p, t.parts[p].replicas.v,
                            t.parts[p].replicas.cnt);
        }
        check_distribution(&shifted, b, nb, np, rf, 1, leaders, replicas);
        sm_zk_topic_fini(&shifted);
        sm_zk_topic_fini(&t);
    }
    free(b);
}

START_TEST(admin__assign_rack_distribution)
{
    static const char *const uneven[] = { "rack1", "rack1", "rack2",
                                          "rack3", "rack3", "rack1" };
    static const char *const three[] = { "rack1", "rack2", "rack3" };

    rack_case(racks6, 6, 6, 3, 2, 0, 1, 1);     /* WithRackAware */
    rack_case(racks6, 6, 6, 3, -1, -1, 1, 1);   /* ...RandomStartIndex */
    rack_case(racks6, 6, 13, 3, 0, 0, 0, 0);    /* ...UnevenReplicas */
    rack_case(uneven, 6, 12, 3, -1, -1, 1, 0);  /* ...UnevenRacks */
    rack_case(racks6, 6, 12, 2, -1, -1, 1, 1);  /* 2ReplicasRackAware */
    rack_case(racks6, 6, 12, 2, -1, 12, 1, 1);  /* RackAwareExpansion */
    rack_case(racks6, 6, 6, 2, -1, -1, 1, 1);   /* ...With6Partitions */
    rack_case(three, 3, 3, 2, -1, -1, 1, 1);    /* ...And3Brokers */
}
END_TEST

/* testLargeNumberPartitionsAssignment: 12 brokers, 96 partitions. */
START_TEST(admin__assign_rack_large)
{
    static const int32_t ids[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
    static const char *const racks[] = {
        "rack1", "rack2", "rack2", "rack3", "rack3", "rack1",
        "rack1", "rack2", "rack2", "rack3", "rack1", "rack3" };
    sm_admin_broker_t *b = brokers(ids, racks, 12);

    for (int i = 0; i < 20; i++) {
        sm_zk_topic_t t = { 0 };
        char *msg = NULL;

        check_err(sm_admin_assign_replicas(b, 12, 96, 3, -1, -1, &t, &msg),
                  &msg, SM_OK, NULL);
        check_distribution(&t, b, 12, 96, 3, 1, 1, 1);
        sm_zk_topic_fini(&t);
    }
    free(b);
}
END_TEST

/* testMoreReplicasThanRacks / LessReplicasThanRacks / SingleRack. */
START_TEST(admin__assign_rack_counts)
{
    static const char *const r3[] = { "rack1", "rack2", "rack2", "rack3",
                                      "rack3", "rack2" };
    static const char *const one[] = { "rack1", "rack1", "rack1", "rack1",
                                       "rack1", "rack1" };
    sm_admin_broker_t *b = brokers(ids6, r3, 6), *s = brokers(ids6, one, 6);

    for (int i = 0; i < 20; i++) {
        sm_zk_topic_t t5 = { 0 }, t2 = { 0 }, t1 = { 0 };
        char *msg = NULL;

        check_err(sm_admin_assign_replicas(b, 6, 6, 5, -1, -1, &t5, &msg),
                  &msg, SM_OK, NULL);
        check_err(sm_admin_assign_replicas(b, 6, 6, 2, -1, -1, &t2, &msg),
                  &msg, SM_OK, NULL);
        check_err(sm_admin_assign_replicas(s, 6, 6, 3, -1, -1, &t1, &msg),
                  &msg, SM_OK, NULL);
        check_distribution(&t5, b, 6, 6, 5, 0, 0, 0);
        check_distribution(&t1, s, 6, 6, 3, 0, 1, 0);
        for (int p = 0; p < 6; p++) {
            ck_assert_int_eq(partition_racks(&t5, p, b, 6), 3);
            ck_assert_int_eq(partition_racks(&t2, p, b, 6), 2);
            ck_assert_int_eq(partition_racks(&t1, p, s, 6), 1);
        }
        sm_zk_topic_fini(&t5);
        sm_zk_topic_fini(&t2);
        sm_zk_topic_fini(&t1);
    }
    free(s);
    free(b);
}
END_TEST

/* testSkipBrokerWithReplicaAlreadyAssigned: rf 4 over 3 racks. */
START_TEST(admin__assign_rack_skip_assigned)
{
    static const char *const racks[] = { "a", "b", "c", "a", "a" };
    sm_admin_broker_t *b = brokers(ids6, racks, 5);
    sm_zk_topic_t t = { 0 };
    char *msg = NULL;

    check_err(sm_admin_assign_replicas(b, 5, 6, 4, 2, -1, &t, &msg), &msg,
              SM_OK, NULL);
    check_distribution(&t, b, 5, 6, 4, 0, 0, 0);
    sm_zk_topic_fini(&t);
    free(b);
}
END_TEST

/* Random start: leaders of partition 0 vary, and every draw is valid. */
START_TEST(admin__assign_random_start)
{
    sm_admin_broker_t *b = brokers(ids6, NULL, 6);
    int seen[6] = { 0 }, distinct = 0;

    for (int i = 0; i < 200; i++) {
        sm_zk_topic_t t = { 0 };
        char *msg = NULL;

        check_err(sm_admin_assign_replicas(b, 6, 12, 3, -1, -1, &t, &msg),
                  &msg, SM_OK, NULL);
        check_distribution(&t, b, 6, 12, 3, 0, 1, 1);
        seen[t.parts[0].replicas.v[0]] = 1;
        sm_zk_topic_fini(&t);
    }
    for (int i = 0; i < 6; i++)
        distinct += seen[i];
    ck_assert_int_gt(distinct, 1);
    free(b);
}
END_TEST

/* ------------------------------------------------------------ checks */

static void
add(sm_zk_topic_t *t, int32_t p, int32_t a, int32_t b)
{
    int32_t r[2] = { a, b };

    sm_zk_topic_add(t, p, r, b < 0 ? 1 : 2);
}

START_TEST(admin__check_assignment)
{
    sm_admin_broker_t *live = brokers(ids6, NULL, 3);
    sm_zk_topic_t t = { 0 }, u = { 0 }, d = { 0 }, g = { 0 }, z = { 0 };
    sm_zk_topic_t none = { 0 };
    char *msg = NULL;

    add(&t, 0, 0, 1);
    add(&t, 1, 1, 2);
    check_err(sm_admin_check_assignment(&t, live, 3, &msg), &msg, SM_OK,
              NULL);
    add(&u, 0, 0, 1);
    add(&u, 1, 2, -1);
    check_err(sm_admin_check_assignment(&u, NULL, 0, &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT,
              "All partitions should have the same number of replicas");
    check_err(sm_admin_check_assignment(&none, NULL, 0, &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT, NULL);
    add(&d, 0, 1, 1);
    add(&d, 1, 1, 2);
    check_err(sm_admin_check_assignment(&d, NULL, 0, &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT,
              "Duplicate replica assignment found: Map(0 -> ArrayBuffer(1, "
              "1), 1 -> ArrayBuffer(1, 2))");
    add(&g, 0, 0, 1);
    add(&g, 2, 1, 2);
    check_err(sm_admin_check_assignment(&g, NULL, 0, &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT,
              "partitions should be a consecutive 0-based integer "
              "sequence");
    sm_zk_topic_add(&z, 0, NULL, 0);
    check_err(sm_admin_check_assignment(&z, NULL, 0, &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT,
              "Cannot have replication factor of 0 for partition id 0.");
    add(&t, 2, 7, 9);
    add(&t, 3, 9, 0);
    check_err(sm_admin_check_assignment(&t, NULL, 0, &msg), &msg, SM_OK,
              NULL);                    /* CreateTopics does not check */
    check_err(sm_admin_check_assignment(&t, live, 3, &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT,
              "Unknown broker(s) in replica assignment: 7, 9.");
    sm_zk_topic_fini(&t);
    sm_zk_topic_fini(&u);
    sm_zk_topic_fini(&d);
    sm_zk_topic_fini(&g);
    sm_zk_topic_fini(&z);
    free(live);
}
END_TEST

START_TEST(admin__check_configs)
{
    sm_config_t *cfg = cfg_ok("zookeeper.connect=localhost:2181\n");
    sm_admin_cfg_t ok[] = { { "retention.ms", "1000" },
                            { "cleanup.policy", "compact" } };
    sm_admin_cfg_t nul[] = { { "retention.ms", NULL },
                             { "segment.bytes", "1" },
                             { "flush.ms", NULL } };
    sm_admin_cfg_t unk[] = { { "retention.ms", "abc" },
                             { "no.such.key", "1" } };
    sm_admin_cfg_t bad[] = { { "retention.ms", "abc" } };
    sm_admin_cfg_t lag[] = { { "min.compaction.lag.ms", "10" },
                             { "max.compaction.lag.ms", "5" } };
    sm_admin_cfg_t comp[] = { { "compression.type", "GZIP" } };
    char *msg = NULL;

    check_err(sm_admin_check_configs(cfg, ok, 2, &msg), &msg, SM_OK, NULL);
    check_err(sm_admin_check_configs(cfg, NULL, 0, &msg), &msg, SM_OK, NULL);
    check_err(sm_admin_check_configs(cfg, nul, 3, &msg), &msg,
              SM_ERR_INVALID_REQUEST,
              "Null value not supported for topic configs : "
              "retention.ms,flush.ms");
    /* names are checked before values, as LogConfig.validate does */
    check_err(sm_admin_check_configs(cfg, unk, 2, &msg), &msg,
              SM_ERR_INVALID_CONFIG, "Unknown topic config name: "
              "no.such.key");
    check_err(sm_admin_check_configs(cfg, bad, 1, &msg), &msg,
              SM_ERR_INVALID_CONFIG, "Invalid value abc for configuration "
              "retention.ms: Not a number of type LONG");
    check_err(sm_admin_check_configs(cfg, lag, 2, &msg), &msg,
              SM_ERR_INVALID_CONFIG, "conflict topic config setting "
              "min.compaction.lag.ms (10) > max.compaction.lag.ms (5)");
    check_err(sm_admin_check_configs(cfg, comp, 1, &msg), &msg,
              SM_ERR_INVALID_CONFIG, NULL);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(admin__brokers_modes)
{
    static const char *const mixed[] = { "r1", NULL, "r2" };
    static const char *const all[] = { "r1", "r1", "r2" };
    sm_mdcache_t *mc = sm_mdcache_new();
    sm_md_broker_t mb[3] = { { 3, NULL, NULL, 0 }, { 1, NULL, NULL, 0 },
                             { 2, NULL, NULL, 0 } };
    sm_admin_broker_t *out;
    sm_mdsnap_t *snap;
    char *msg = NULL;
    int n;

    for (int i = 0; i < 3; i++)
        mb[i].rack = (char *)mixed[i];
    sm_mdcache_update(mc, 1, 1, mb, 3, NULL, 0);
    snap = sm_mdcache_snapshot(mc);
    check_err(sm_admin_brokers(snap, SM_ADMIN_RACK_ENFORCED, &out, &n,
                               &msg), &msg, SM_ERR_UNKNOWN_SERVER_ERROR,
              "Not all brokers have rack information. Add "
              "--disable-rack-aware in command line to make replica "
              "assignment without rack information.");
    check_err(sm_admin_brokers(snap, SM_ADMIN_RACK_SAFE, &out, &n, &msg),
              &msg, SM_OK, NULL);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(out[i].id, i + 1);          /* sorted */
        ck_assert_ptr_null(out[i].rack);
    }
    free(out);
    check_err(sm_admin_brokers(snap, SM_ADMIN_RACK_AS_IS, &out, &n, &msg),
              &msg, SM_OK, NULL);
    ck_assert_ptr_null(out[0].rack);               /* broker 1 */
    ck_assert_str_eq(out[1].rack, "r2");           /* broker 2 */
    ck_assert_str_eq(out[2].rack, "r1");           /* broker 3 */
    free(out);
    sm_mdsnap_release(mc, snap);
    for (int i = 0; i < 3; i++)
        mb[i].rack = (char *)all[i];
    sm_mdcache_update(mc, 1, 1, mb, 3, NULL, 0);
    snap = sm_mdcache_snapshot(mc);
    check_err(sm_admin_brokers(snap, SM_ADMIN_RACK_SAFE, &out, &n, &msg),
              &msg, SM_OK, NULL);
    ck_assert_str_eq(out[2].rack, "r1");           /* broker 3 */
    free(out);
    check_err(sm_admin_brokers(snap, SM_ADMIN_RACK_DISABLED, &out, &n,
                               &msg), &msg, SM_OK, NULL);
    ck_assert_ptr_null(out[2].rack);
    free(out);
    sm_mdsnap_release(mc, snap);
    sm_mdcache_destroy(mc);
}
END_TEST

/* ------------------------------------------------------------ add */

/* AddPartitionsTest.testReplicaPlacementPartialServers / AllServers. */
START_TEST(admin__extend_vectors)
{
    static const int32_t want2[] = { 1, 2,  2, 0,  3, 1 };
    static const int32_t p3[] = { 2, 3, 0, 1 };
    static const int32_t leaders3[] = { 2, 3, 0, 1, 2, 3, 0 };
    sm_admin_broker_t *b = brokers(ids6, NULL, 4);
    sm_zk_topic_t e2 = { 0 }, e3 = { 0 }, out = { 0 };
    char *msg = NULL;

    add(&e2, 0, 1, 2);
    check_err(sm_admin_extend_assignment("new-topic2", &e2, b, 4, 3, NULL,
                                         -1, &out, &msg), &msg, SM_OK, NULL);
    check_parts(&out, 0, 3, 2, want2);
    sm_zk_topic_fini(&out);
    sm_zk_topic_add(&e3, 0, p3, 4);
    check_err(sm_admin_extend_assignment("new-topic3", &e3, b, 4, 7, NULL,
                                         -1, &out, &msg), &msg, SM_OK, NULL);
    ck_assert_int_eq(out.part_cnt, 7);
    check_distribution(&out, b, 4, 7, 4, 0, 0, 0);
    for (int p = 0; p < 7; p++)
        ck_assert_int_eq(out.parts[p].replicas.v[0], leaders3[p]);
    sm_zk_topic_fini(&out);
    sm_zk_topic_fini(&e2);
    sm_zk_topic_fini(&e3);
    free(b);
}
END_TEST

START_TEST(admin__extend_errors)
{
    sm_admin_broker_t *b = brokers(ids6, NULL, 4);
    sm_zk_topic_t e = { 0 }, e5 = { 0 }, out = { 0 };
    sm_zk_ints_t a[2];
    int32_t r1[] = { 0, 1 }, r2[] = { 0, 1, 2 }, r3[] = { 1, 1 },
            r4[] = { 5, 6 };
    char *msg = NULL;

    add(&e, 0, 0, 1);
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 1, NULL, -1, &out,
                                         &msg), &msg,
              SM_ERR_INVALID_PARTITIONS, "The number of partitions for a "
              "topic can only be increased. Topic t currently has 1 "
              "partitions, 1 would not be an increase.");
    sm_zk_topic_fini(&out);
    a[0] = (sm_zk_ints_t){ r1, 2 };
    a[1] = (sm_zk_ints_t){ r2, 3 };
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 3, a, 2, &out,
                                         &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT, "Inconsistent replication "
              "factor between partitions, partition 0 has 2 while "
              "partitions [2] have replication factors [3], respectively.");
    sm_zk_topic_fini(&out);
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 4, a, 2, &out,
                                         &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT, "Increasing the number of "
              "partitions by 3 but 2 assignments provided.");
    sm_zk_topic_fini(&out);
    a[1] = (sm_zk_ints_t){ r3, 2 };
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 3, a, 2, &out,
                                         &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT, "Duplicate brokers not "
              "allowed in replica assignment: 1, 1 for partition id 2.");
    sm_zk_topic_fini(&out);
    a[1] = (sm_zk_ints_t){ r4, 2 };
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 3, a, 2, &out,
                                         &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT, "Unknown broker(s) in "
              "replica assignment: 5, 6.");
    sm_zk_topic_fini(&out);
    a[1] = (sm_zk_ints_t){ NULL, 0 };
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 3, a, 2, &out,
                                         &msg), &msg,
              SM_ERR_INVALID_REPLICA_ASSIGNMENT, "Cannot have replication "
              "factor of 0 for partition id 2.");
    sm_zk_topic_fini(&out);
    add(&e5, 1, 0, 1);                  /* testMissingPartition0 */
    check_err(sm_admin_extend_assignment("new-topic5", &e5, b, 4, 3, NULL,
                                         -1, &out, &msg), &msg,
              SM_ERR_UNKNOWN_SERVER_ERROR, "Unexpected existing replica "
              "assignment for topic 'new-topic5', partition id 0 is "
              "missing. Assignment: Map(1 -> List(0, 1))");
    sm_zk_topic_fini(&out);
    a[0] = (sm_zk_ints_t){ r1, 2 };     /* a good manual one at last */
    a[1] = (sm_zk_ints_t){ r1, 2 };
    check_err(sm_admin_extend_assignment("t", &e, b, 4, 3, a, 2, &out,
                                         &msg), &msg, SM_OK, NULL);
    ck_assert_int_eq(out.part_cnt, 3);
    ck_assert_int_eq(out.parts[2].partition, 2);
    sm_zk_topic_fini(&out);
    sm_zk_topic_fini(&e5);
    sm_zk_topic_fini(&e);
    free(b);
}
END_TEST

/* ------------------------------------------------------------ ZooKeeper */

START_TEST(admin__auto_create)
{
    static const int32_t ids[] = { 1, 2 };
    ah_t h;
    char *data;

    ah_init(&h, "num.partitions=3\ndefault.replication.factor=2\n", ids,
            NULL, 2, 1);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "auto"), SM_OK);
    data = ah_zk_get(&h, "/brokers/topics/auto");
    ck_assert_ptr_nonnull(data);
    ck_assert_ptr_nonnull(strstr(data, "\"2\":["));
    ck_assert_ptr_null(strstr(data, "\"3\":["));
    free(data);
    data = ah_zk_get(&h, "/config/topics/auto");
    ck_assert(zkt_json_eq(data, "{\"version\":1,\"config\":{}}"));
    free(data);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "auto"),
                     SM_ERR_TOPIC_ALREADY_EXISTS);
    /* '.' and '_' collide */
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "a_b"), SM_OK);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "a.b"),
                     SM_ERR_INVALID_TOPIC_EXCEPTION);
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/a.b"));
    ah_fini(&h);
}
END_TEST

/* Bug found by t/integration/test_clients.py: a producer started as soon
 * as the broker registered got INVALID_REPLICATION_FACTOR (final for
 * librdkafka) because the metadata cache had no live broker before the
 * controller's first UpdateMetadata.  Now LEADER_NOT_AVAILABLE (retry),
 * nothing written. */
START_TEST(admin__auto_create_before_first_update_metadata)
{
    static const int32_t ids[] = { 1 };
    ah_t h;

    ah_init(&h, NULL, ids, NULL, 1, 1);
    ah_set_brokers(&h, ids, NULL, 0, -1);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "early"),
                     SM_ERR_LEADER_NOT_AVAILABLE);
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/early"));
    ah_set_brokers(&h, ids, NULL, 1, 1);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "early"), SM_OK);
    ck_assert(ah_zk_exists(&h, "/brokers/topics/early"));
    ah_fini(&h);
}
END_TEST

START_TEST(admin__auto_create_internal)
{
    static const int32_t ids[] = { 1 };
    ah_t h;
    char *data;

    ah_init(&h, "offsets.topic.num.partitions=4\n"
            "offsets.topic.segment.bytes=1048576\n", ids, NULL, 1, 1);
    /* offsets.topic.replication.factor is 3: one live broker is too few */
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "__consumer_offsets"),
                     SM_ERR_INVALID_REPLICATION_FACTOR);
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/__consumer_offsets"));
    ck_assert(!ah_zk_exists(&h, "/config/topics/__consumer_offsets"));
    ah_fini(&h);

    ah_init(&h, "offsets.topic.num.partitions=4\n"
            "offsets.topic.replication.factor=1\n"
            "offsets.topic.segment.bytes=1048576\n"
            "transaction.state.log.replication.factor=1\n"
            "transaction.state.log.min.isr=1\n"
            "transaction.state.log.num.partitions=2\n", ids, NULL, 1, 1);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "__consumer_offsets"),
                     SM_OK);
    data = ah_zk_get(&h, "/config/topics/__consumer_offsets");
    ck_assert(zkt_json_eq(data, "{\"version\":1,\"config\":{"
                          "\"cleanup.policy\":\"compact\","
                          "\"segment.bytes\":\"1048576\","
                          "\"compression.type\":\"producer\"}}"));
    free(data);
    data = ah_zk_get(&h, "/brokers/topics/__consumer_offsets");
    ck_assert(zkt_json_eq(data, "{\"version\":2,\"partitions\":{"
                          "\"0\":[1],\"1\":[1],\"2\":[1],\"3\":[1]},"
                          "\"adding_replicas\":{},"
                          "\"removing_replicas\":{}}"));
    free(data);
    ck_assert_int_eq(sm_admin_auto_create_topic(&h.b, "__transaction_state"),
                     SM_OK);
    data = ah_zk_get(&h, "/config/topics/__transaction_state");
    ck_assert(zkt_json_eq(data, "{\"version\":1,\"config\":{"
                          "\"unclean.leader.election.enable\":\"false\","
                          "\"compression.type\":\"uncompressed\","
                          "\"cleanup.policy\":\"compact\","
                          "\"min.insync.replicas\":\"1\","
                          "\"segment.bytes\":\"104857600\"}}"));
    free(data);
    ah_fini(&h);
}
END_TEST

static TCase *
admin_rules_tcase(void)
{
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, admin__topic_name_rules);
    tcase_add_test(tc, admin__topic_from_wire);
    tcase_add_test(tc, admin__assign_unaware_vector);
    tcase_add_test(tc, admin__assign_errors);
    tcase_add_test(tc, admin__rack_alternated_vector);
    tcase_add_test(tc, admin__assign_rack_distribution);
    tcase_add_test(tc, admin__assign_rack_large);
    tcase_add_test(tc, admin__assign_rack_counts);
    tcase_add_test(tc, admin__assign_rack_skip_assigned);
    tcase_add_test(tc, admin__assign_random_start);
    tcase_add_test(tc, admin__check_assignment);
    tcase_add_test(tc, admin__check_configs);
    tcase_add_test(tc, admin__brokers_modes);
    tcase_add_test(tc, admin__extend_vectors);
    tcase_add_test(tc, admin__extend_errors);
    return tc;
}

/* The rules only, for a run without ZooKeeper. */
Suite *
sm_test_suite_admin_rules(void)
{
    Suite *s = suite_create("admin");

    suite_add_tcase(s, admin_rules_tcase());
    return s;
}

Suite *
sm_test_suite_admin(void)
{
    Suite *s = suite_create("admin");
    TCase *zk = tcase_create("zk");

    suite_add_tcase(s, admin_rules_tcase());
    tcase_set_timeout(zk, 90);
    tcase_add_test(zk, admin__auto_create);
    tcase_add_test(zk, admin__auto_create_before_first_update_metadata);
    tcase_add_test(zk, admin__auto_create_internal);
    suite_add_tcase(s, zk);
    return s;
}
