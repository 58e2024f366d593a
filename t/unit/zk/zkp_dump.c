/*
 * zkp_dump.c: print what every zk_paths.h encoder writes, for the schema
 * check (t/unit/zk/test_zkschema.sh -> t/lib/zkschema.py check --dump).
 *
 * One JSON line per znode: {"path": <path from samsa's path function>,
 * "data": <the encoder's output as a string, or null>}.  The inputs cover
 * every version and optional field samsa can write.  Add a line here when
 * a znode is added to zk_paths.c; the check fails if a schema in
 * zkschema/ has no line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zk/zk_paths.h"

/* Print one line; frees path (if owned) and data. */
static void
dump(const char *path, char *data)
{
    json_t *j = json_object();
    char *s;

    json_object_set_new(j, "path", json_string(path));
    json_object_set_new(j, "data", data ? json_string(data) : json_null());
    s = json_dumps(j, JSON_COMPACT);
    if (s == NULL || data == NULL) {
        fprintf(stderr, "zkp_dump: encoder for %s returned NULL\n", path);
        exit(1);
    }
    puts(s);
    free(s);
    free(data);
    json_decref(j);
}

static void
dump_owned(char *path, char *data)
{
    dump(path, data);
    free(path);
}

static void
dump_brokers(void)
{
    for (int v = 1; v <= 5; v++) {
        sm_zk_broker_t b = { .version = v, .jmx_port = -1,
                             .timestamp = 1700000000000LL };
        sm_zk_feature_t f = { .name = (char *)"feature1", .min_version = 1,
                              .max_version = 2 };

        sm_zk_broker_add_endpoint(&b, "PLAINTEXT", "PLAINTEXT", "h1", 9092);
        sm_zk_broker_add_endpoint(&b, "internal", "SASL_SSL", "::1", 9093);
        if (v == 3 || v == 5)
            b.rack = strdup("rack-a");
        if (v == 5) {
            b.features = &f;
            b.feature_cnt = 1;
        }
        dump_owned(sm_zk_path_broker(v), sm_zk_broker_encode(&b));
        b.features = NULL;
        b.feature_cnt = 0;
        sm_zk_broker_fini(&b);
    }
    {   /* no PLAINTEXT listener: host null, port -1 */
        sm_zk_broker_t b = { .version = 4, .jmx_port = -1, .timestamp = 1 };
        sm_zk_broker_add_endpoint(&b, "SSL", "SSL", "h2", 9093);
        dump_owned(sm_zk_path_broker(7), sm_zk_broker_encode(&b));
        sm_zk_broker_fini(&b);
    }
}

static void
dump_topics(void)
{
    static const int32_t r01[] = { 1, 2 }, r10[] = { 2, 1 }, three[] = { 3 };
    sm_zk_topic_t t = { 0 };
    sm_zk_assignment_t *a;

    sm_zk_topic_add(&t, 0, r01, 2);
    sm_zk_topic_add(&t, 1, r10, 2);
    dump_owned(sm_zk_path_topic("t1"), sm_zk_topic_encode(&t));
    a = sm_zk_topic_add(&t, 2, r01, 2);
    sm_zk_ints_set(&a->adding, three, 1);
    sm_zk_ints_set(&a->removing, r10, 1);
    t.topic_id = sm_zk_uuid_base64();
    dump_owned(sm_zk_path_topic("t2.with_dots-and-dashes"),
               sm_zk_topic_encode(&t));
    sm_zk_topic_fini(&t);
}

static void
dump_partitions(void)
{
    static const int32_t isr[] = { 1, 2 };
    sm_zk_part_state_t s = { .leader = 1, .leader_epoch = 7,
                             .controller_epoch = 3 };

    sm_zk_ints_set(&s.isr, isr, 2);
    dump_owned(sm_zk_path_partition_state("t1", 0),
               sm_zk_part_state_encode(&s));
    sm_zk_part_state_fini(&s);
    s.leader = -1;
    dump_owned(sm_zk_path_partition_state("t1", 1),
               sm_zk_part_state_encode(&s));
    dump_owned(sm_zk_path_topic_partitions("t1"), strdup(""));
    dump_owned(sm_zk_path_partition("t1", 0), strdup(""));
}

static void
dump_admin(void)
{
    static const int32_t reps[] = { 3, 1 };
    sm_zk_tps_t l = { 0 };

    sm_zk_ints_set(&sm_zk_tps_add(&l, "t1", 0)->replicas, reps, 2);
    sm_zk_tps_add(&l, "t2", 5);
    dump(sm_zk_path_reassign_partitions(), sm_zk_reassignment_encode(&l));
    dump(sm_zk_path_preferred_replica_election(),
         sm_zk_preferred_election_encode(&l));
    dump_owned(sm_zk_path_isr_change("isr_change_0000000000"),
               sm_zk_isr_change_encode(&l));
    sm_zk_tps_fini(&l);
    dump_owned(sm_zk_path_log_dir_event("log_dir_event_0000000007"),
               sm_zk_log_dir_event_encode(2));
    dump_owned(sm_zk_path_delete_topic("t1"), strdup(""));
}

static void
dump_configs(void)
{
    sm_zk_config_t c = { 0 };

    dump_owned(sm_zk_path_entity_config(SM_ZK_ENTITY_TOPICS, "t1"),
               sm_zk_config_encode(&c));
    sm_zk_config_set(&c, "retention.ms", "86400000");
    sm_zk_config_set(&c, "cleanup.policy", "compact");
    for (int e = 0; e < SM_ZK_ENTITY_CNT; e++)
        dump_owned(sm_zk_path_entity_config(e, SM_ZK_DEFAULT_ENTITY),
                   sm_zk_config_encode(&c));
    dump_owned(sm_zk_path_entity_config(SM_ZK_ENTITY_USERS,
                                        "alice/clients/app-1"),
               sm_zk_config_encode(&c));
    sm_zk_config_fini(&c);
    dump_owned(sm_zk_path_config_change("config_change_0000000042"),
               sm_zk_config_change_encode(SM_ZK_ENTITY_TOPICS, "t1"));
    dump_owned(sm_zk_path_config_change("config_change_0000000043"),
               sm_zk_config_change_encode(SM_ZK_ENTITY_USERS,
                                          "alice/clients/app-1"));
}

static void
dump_misc(void)
{
    sm_zk_pid_block_t pb = { .broker = 1, .block_start = 1000,
                             .block_end = 1999 };
    sm_zk_consumer_reg_t reg = { 0 };
    char *topics[] = { (char *)"topicA", (char *)"topicB" };
    int32_t streams[] = { 2, 1 };
    char *id = sm_zk_uuid_base64();

    dump(sm_zk_path_controller(), sm_zk_controller_encode(1, 1700000000000));
    dump(sm_zk_path_controller_epoch(), sm_zk_controller_epoch_encode(5));
    dump(sm_zk_path_cluster_id(), sm_zk_cluster_id_encode(id));
    free(id);
    dump(sm_zk_path_producer_id_block(), sm_zk_pid_block_encode(&pb));
    dump(sm_zk_path_broker_seqid(), strdup(""));
    reg.pattern = (char *)"static";
    reg.topics = topics;
    reg.streams = streams;
    reg.cnt = 2;
    reg.timestamp = 1700000000000LL;
    dump_owned(sm_zk_path_consumer_id("g1", "g1_h-1700000000000-1a2b3c4d"),
               sm_zk_consumer_reg_encode(&reg));
    dump_owned(sm_zk_path_consumer_owner("g1", "topicA", 0),
               sm_zk_consumer_owner_encode("g1_h-1700000000000-1a2b3c4d", 0));
    dump_owned(sm_zk_path_consumer_offset("g1", "topicA", 0),
               sm_zk_consumer_offset_encode(42));
}

int
main(void)
{
    int n;
    const char *const *paths = sm_zk_persistent_paths(&n);

    for (int i = 0; i < n; i++)
        dump(paths[i], strdup(""));
    dump_brokers();
    dump_topics();
    dump_partitions();
    dump_admin();
    dump_configs();
    dump_misc();
    return 0;
}
