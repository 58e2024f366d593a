/* test_zk_paths.c: znode paths and payload codecs (src/zk/zk_paths.c). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "sm_test.h"
#include "zk/zk_paths.h"
#include "zkt.h"

#define DEC(fn, path, s, out)                                               \
    fn((path), (s), (int)strlen(s), (out), errstr, sizeof(errstr))

static char errstr[512];

/* ------------------------------------------------------------ paths */

START_TEST(zk_paths__paths)
{
    char *p;
    int n;
    const char *const *top = sm_zk_persistent_paths(&n);

    ck_assert_int_eq(n, 14);
    ck_assert_str_eq(top[0], "/consumers");
    ck_assert_str_eq(top[13], "/config/ips");
#define EQ(expr, want) do { p = (expr); ck_assert_str_eq(p, want); \
        sm_free(p); } while (0)
    EQ(sm_zk_path_broker(3), "/brokers/ids/3");
    EQ(sm_zk_path_topic("t"), "/brokers/topics/t");
    EQ(sm_zk_path_topic_partitions("t"), "/brokers/topics/t/partitions");
    EQ(sm_zk_path_partition("t", 2), "/brokers/topics/t/partitions/2");
    EQ(sm_zk_path_partition_state("t", 2),
       "/brokers/topics/t/partitions/2/state");
    EQ(sm_zk_path_delete_topic("t"), "/admin/delete_topics/t");
    EQ(sm_zk_path_entity_config(SM_ZK_ENTITY_BROKERS, SM_ZK_DEFAULT_ENTITY),
       "/config/brokers/<default>");
    EQ(sm_zk_path_entity_config(SM_ZK_ENTITY_USERS, "u/clients/c"),
       "/config/users/u/clients/c");
    EQ(sm_zk_path_isr_change("isr_change_0000000001"),
       "/isr_change_notification/isr_change_0000000001");
    EQ(sm_zk_path_consumer_offset("g", "t", 1),
       "/consumers/g/offsets/t/1");
    EQ(sm_zk_path_consumer_owner("g", "t", 1), "/consumers/g/owners/t/1");
    EQ(sm_zk_path_consumer_id("g", "c"), "/consumers/g/ids/c");
#undef EQ
    ck_assert_str_eq(sm_zk_path_controller(), "/controller");
    ck_assert_str_eq(sm_zk_path_controller_epoch(), "/controller_epoch");
    ck_assert_str_eq(sm_zk_path_cluster_id(), "/cluster/id");
    ck_assert_str_eq(sm_zk_config_change_prefix(),
                     "/config/changes/config_change_");
    ck_assert_str_eq(sm_zk_config_change_seq("config_change_0000000042"),
                     "0000000042");
    ck_assert_ptr_null(sm_zk_config_change_seq("other_0000000042"));
    ck_assert_ptr_null(sm_zk_isr_change_seq("isr_change_"));
    ck_assert_str_eq(sm_zk_log_dir_event_seq("log_dir_event_0000000001"),
                     "0000000001");
    ck_assert_int_eq(sm_zk_entity_parse("users", 5), SM_ZK_ENTITY_USERS);
    ck_assert_int_eq(sm_zk_entity_parse("user", 4), -1);
    ck_assert_ptr_null(sm_zk_path_entity_config(SM_ZK_ENTITY_CNT, "x"));
}
END_TEST

/* ------------------------------------------------------------ brokers */

START_TEST(zk_paths__broker_v4_layout)
{
    sm_zk_broker_t b = { .version = 4, .jmx_port = -1,
                         .timestamp = 1700000000000LL };
    char *json;

    sm_zk_broker_add_endpoint(&b, "PLAINTEXT", "PLAINTEXT", "h1", 9092);
    json = sm_zk_broker_encode(&b);
    /* protocol.md §4.2's example, byte for byte */
    ck_assert_str_eq(json, "{\"listener_security_protocol_map\":"
                     "{\"PLAINTEXT\":\"PLAINTEXT\"},\"endpoints\":"
                     "[\"PLAINTEXT://h1:9092\"],\"jmx_port\":-1,\"host\":"
                     "\"h1\",\"timestamp\":\"1700000000000\",\"port\":9092,"
                     "\"version\":4}");
    sm_free(json);
    sm_zk_broker_fini(&b);
}
END_TEST

START_TEST(zk_paths__broker_round_trip_all_versions)
{
    for (int v = 1; v <= 5; v++) {
        sm_zk_broker_t b = { .version = v, .jmx_port = 9999,
                             .timestamp = 42 }, d;
        sm_zk_feature_t f = { .name = (char *)"f", .min_version = 1,
                              .max_version = 3 };
        char *json;

        sm_zk_broker_add_endpoint(&b, "plaintext", "PLAINTEXT", "h", 9092);
        /* before v4 there were no listener names: name = protocol */
        if (v >= 2)
            sm_zk_broker_add_endpoint(&b, v >= 4 ? "REPL" : "SASL_SSL",
                                      "SASL_SSL", "fe80::1", 9093);
        b.rack = v >= 3 ? sm_strdup("r1") : NULL;
        if (v == 5) {
            b.features = &f;
            b.feature_cnt = 1;
        }
        json = sm_zk_broker_encode(&b);
        ck_assert_ptr_nonnull(json);
        ck_assert_int_eq(DEC(sm_zk_broker_decode, "/brokers/ids/1", json,
                             &d), SM_OK);
        ck_assert_int_eq(d.version, v);
        ck_assert_int_eq(d.jmx_port, 9999);
        ck_assert_int_eq(d.timestamp, 42);
        ck_assert_int_eq(d.endpoint_cnt, v >= 2 ? 2 : 1);
        ck_assert_str_eq(d.endpoints[0].listener, "PLAINTEXT");
        ck_assert_str_eq(d.endpoints[0].host, "h");
        ck_assert_int_eq(d.endpoints[0].port, 9092);
        if (v >= 2) {
            ck_assert_str_eq(d.endpoints[1].host, "fe80::1");
            ck_assert_int_eq(d.endpoints[1].port, 9093);
            ck_assert_str_eq(d.endpoints[1].protocol, "SASL_SSL");
            ck_assert_str_eq(d.endpoints[1].listener,
                             v >= 4 ? "REPL" : "SASL_SSL");
        }
        if (v >= 3)
            ck_assert_str_eq(d.rack, "r1");
        else
            ck_assert_ptr_null(d.rack);
        ck_assert_int_eq(d.feature_cnt, v == 5 ? 1 : 0);
        if (v == 5)
            ck_assert_int_eq(d.features[0].max_version, 3);
        b.features = NULL;
        b.feature_cnt = 0;
        sm_free(json);
        sm_zk_broker_fini(&b);
        sm_zk_broker_fini(&d);
    }
}
END_TEST

START_TEST(zk_paths__broker_decode_kafka_examples)
{
    sm_zk_broker_t b;

    ck_assert_int_eq(DEC(sm_zk_broker_decode, "/brokers/ids/0",
        "{\"version\":1,\"host\":\"localhost\",\"port\":9092,"
        "\"jmx_port\":9999,\"timestamp\":\"2233345666\"}", &b), SM_OK);
    ck_assert_int_eq(b.endpoint_cnt, 1);
    ck_assert_str_eq(b.endpoints[0].protocol, "PLAINTEXT");
    ck_assert_str_eq(b.endpoints[0].host, "localhost");
    ck_assert_int_eq(b.timestamp, 2233345666LL);
    sm_zk_broker_fini(&b);

    ck_assert_int_eq(DEC(sm_zk_broker_decode, "/brokers/ids/0",
        "{\"version\":4,\"host\":\"localhost\",\"port\":9092,"
        "\"jmx_port\":9999,\"timestamp\":\"2233345666\",\"endpoints\":"
        "[\"CLIENT://host1:9092\", \"REPLICATION://[::1]:9093\"],"
        "\"listener_security_protocol_map\":{\"CLIENT\":\"SSL\","
        "\"REPLICATION\":\"PLAINTEXT\"},\"rack\":\"dc1\"}", &b), SM_OK);
    ck_assert_int_eq(b.endpoint_cnt, 2);
    ck_assert_str_eq(b.endpoints[0].listener, "CLIENT");
    ck_assert_str_eq(b.endpoints[0].protocol, "SSL");
    ck_assert_str_eq(b.endpoints[1].host, "::1");
    ck_assert_str_eq(b.endpoints[1].protocol, "PLAINTEXT");
    ck_assert_str_eq(b.rack, "dc1");
    sm_zk_broker_fini(&b);

    /* rack null (Kafka writes none, but reads null as none) */
    ck_assert_int_eq(DEC(sm_zk_broker_decode, "/brokers/ids/0",
        "{\"version\":2,\"host\":null,\"port\":-1,\"jmx_port\":-1,"
        "\"timestamp\":\"1\",\"endpoints\":[\"SSL://h:1\"],\"rack\":null,"
        "\"features\":null}", &b), SM_OK);
    ck_assert_ptr_null(b.rack);
    ck_assert_str_eq(b.endpoints[0].protocol, "SSL");
    sm_zk_broker_fini(&b);
}
END_TEST

START_TEST(zk_paths__broker_garbage_rejected)
{
    static const char *bad[] = {
        "", "{", "[]", "null", "\"x\"", "{\"version\":1}",
        "{\"version\":0,\"jmx_port\":1}",
        "{\"version\":1,\"jmx_port\":1,\"host\":3,\"port\":1}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":\"PLAINTEXT://h:1\"}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":[\"h:1\"]}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":[\"FOO://h:1\"]}",
        "{\"version\":4,\"jmx_port\":1,\"endpoints\":[\"A://h:1\"],"
        "\"listener_security_protocol_map\":{\"B\":\"SSL\"}}",
        "{\"version\":4,\"jmx_port\":1,\"endpoints\":[\"A://h:1\"],"
        "\"listener_security_protocol_map\":{\"A\":\"TLS\"}}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":"
        "[\"SSL://h:99999999999\"]}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":[\"SSL://h h:1\"]}",
        "{\"version\":2,\"jmx_port\":1.5,\"endpoints\":[]}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":[],\"rack\":7}",
        "{\"version\":5,\"jmx_port\":1,\"endpoints\":[],\"features\":"
        "{\"f\":{\"min_version\":1}}}",
        "{\"version\":2,\"jmx_port\":1,\"endpoints\":[]} trailing",
        "{\"version\":99999999999,\"jmx_port\":1,\"endpoints\":[]}",
    };
    sm_zk_broker_t b;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errstr[0] = '\0';
        ck_assert_msg(DEC(sm_zk_broker_decode, "/brokers/ids/9", bad[i],
                          &b) == SM_ERR__BAD_MSG, "accepted: %s", bad[i]);
        ck_assert_msg(strstr(errstr, "/brokers/ids/9") != NULL,
                      "errstr does not name the path: %s", errstr);
        ck_assert_int_eq(b.endpoint_cnt, 0);
    }
    ck_assert_int_eq(sm_zk_broker_decode("/brokers/ids/9", NULL, -1, &b,
                                         errstr, sizeof(errstr)),
                     SM_ERR__BAD_MSG);
    /* invalid UTF-8 */
    ck_assert_int_eq(DEC(sm_zk_broker_decode, "/b",
                         "{\"version\":1,\"host\":\"\xff\"}", &b),
                     SM_ERR__BAD_MSG);
}
END_TEST

START_TEST(zk_paths__broker_encode_edge_cases)
{
    sm_zk_broker_t b = { .version = 4, .jmx_port = -1, .timestamp = 1 };
    char *json;

    sm_zk_broker_add_endpoint(&b, "SSL", "SSL", "h", 9093);
    json = sm_zk_broker_encode(&b);
    /* no PLAINTEXT endpoint: host null, port -1 (old clients can't) */
    ck_assert_ptr_nonnull(strstr(json, "\"host\":null"));
    ck_assert_ptr_nonnull(strstr(json, "\"port\":-1"));
    sm_free(json);
    b.version = 6;
    ck_assert_ptr_null(sm_zk_broker_encode(&b));
    b.version = 4;
    sm_free(b.endpoints[0].host);
    b.endpoints[0].host = sm_strdup("\xff\xfe");
    ck_assert_ptr_null(sm_zk_broker_encode(&b));     /* not UTF-8 */
    sm_zk_broker_fini(&b);
}
END_TEST

/* ------------------------------------------------------------ topics */

START_TEST(zk_paths__topic_layout_and_round_trip)
{
    static const int32_t r0[] = { 1, 2 }, r1[] = { 2, 1 }, add[] = { 3 };
    sm_zk_topic_t t = { 0 }, d;
    char *json;

    sm_zk_topic_add(&t, 1, r1, 2);
    sm_zk_topic_add(&t, 0, r0, 2);       /* kept sorted */
    json = sm_zk_topic_encode(&t);
    ck_assert_str_eq(json, "{\"version\":2,\"partitions\":{\"0\":[1,2],"
                     "\"1\":[2,1]},\"adding_replicas\":{},"
                     "\"removing_replicas\":{}}");
    sm_free(json);
    sm_zk_ints_set(&t.parts[1].adding, add, 1);
    t.topic_id = sm_strdup("kxbDnFFfQYqaKHKHBXCNpg");
    json = sm_zk_topic_encode(&t);
    ck_assert_int_eq(DEC(sm_zk_topic_decode, "/brokers/topics/x", json, &d),
                     SM_OK);
    ck_assert_int_eq(d.version, 3);
    ck_assert_str_eq(d.topic_id, "kxbDnFFfQYqaKHKHBXCNpg");
    ck_assert_int_eq(d.part_cnt, 2);
    ck_assert_int_eq(d.parts[1].partition, 1);
    ck_assert_int_eq(d.parts[1].replicas.v[0], 2);
    ck_assert_int_eq(d.parts[1].adding.cnt, 1);
    ck_assert_int_eq(d.parts[1].adding.v[0], 3);
    ck_assert_int_eq(d.parts[0].adding.cnt, 0);
    ck_assert_ptr_nonnull(sm_zk_topic_find(&d, 1));
    ck_assert_ptr_null(sm_zk_topic_find(&d, 2));
    sm_free(json);
    sm_zk_topic_fini(&t);
    sm_zk_topic_fini(&d);
}
END_TEST

START_TEST(zk_paths__topic_decode_versions)
{
    sm_zk_topic_t t;

    /* v1, as 0.8.2 - 2.3 write it, partitions out of order */
    ck_assert_int_eq(DEC(sm_zk_topic_decode, "/brokers/topics/a",
        "{\"version\":1,\"partitions\":{\"10\":[3],\"2\":[2,1]}}", &t),
        SM_OK);
    ck_assert_int_eq(t.part_cnt, 2);
    ck_assert_int_eq(t.parts[0].partition, 2);
    ck_assert_int_eq(t.parts[1].partition, 10);
    ck_assert_ptr_null(t.topic_id);
    sm_zk_topic_fini(&t);
    /* v2 with a reassignment in flight */
    ck_assert_int_eq(DEC(sm_zk_topic_decode, "/brokers/topics/a",
        "{\"version\":2,\"partitions\":{\"0\":[1,2,3]},\"adding_replicas\":"
        "{\"0\":[3]},\"removing_replicas\":{\"0\":[1]}}", &t), SM_OK);
    ck_assert_int_eq(t.parts[0].removing.v[0], 1);
    sm_zk_topic_fini(&t);
    /* no partitions at all: empty, as Kafka */
    ck_assert_int_eq(DEC(sm_zk_topic_decode, "/t", "{\"version\":1}", &t),
                     SM_OK);
    ck_assert_int_eq(t.part_cnt, 0);
}
END_TEST

START_TEST(zk_paths__topic_garbage_rejected)
{
    static const char *bad[] = {
        "{\"partitions\":{\"x\":[1]}}",
        "{\"partitions\":{\"-1\":[1]}}",
        "{\"partitions\":{\"+1\":[1]}}",
        "{\"partitions\":{\"99999999999\":[1]}}",
        "{\"partitions\":{\"0\":[\"1\"]}}",
        "{\"partitions\":{\"0\":1}}",
        "{\"partitions\":[]}",
        "{\"partitions\":{\"0\":[1]},\"adding_replicas\":{\"0\":3}}",
        "{\"partitions\":{\"0\":[1]},\"topic_id\":\"short\"}",
        "{\"partitions\":{\"0\":[4294967296]}}",
        "[1,2]",
    };
    sm_zk_topic_t t;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(DEC(sm_zk_topic_decode, "/brokers/topics/q", bad[i],
                          &t) == SM_ERR__BAD_MSG, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(strstr(errstr, "/brokers/topics/q"));
        ck_assert_int_eq(t.part_cnt, 0);
    }
}
END_TEST

/* ------------------------------------------------------------ state */

START_TEST(zk_paths__partition_state)
{
    static const int32_t isr[] = { 1, 2 };
    sm_zk_part_state_t s = { .leader = 1, .leader_epoch = 7,
                             .controller_epoch = 3 }, d;
    char *json;

    sm_zk_ints_set(&s.isr, isr, 2);
    json = sm_zk_part_state_encode(&s);
    ck_assert_str_eq(json, "{\"controller_epoch\":3,\"leader\":1,"
                     "\"version\":1,\"leader_epoch\":7,\"isr\":[1,2]}");
    ck_assert_int_eq(DEC(sm_zk_part_state_decode, "/s", json, &d), SM_OK);
    ck_assert_int_eq(d.leader, 1);
    ck_assert_int_eq(d.leader_epoch, 7);
    ck_assert_int_eq(d.controller_epoch, 3);
    ck_assert_int_eq(d.isr.cnt, 2);
    ck_assert_int_eq(d.isr.v[1], 2);
    sm_free(json);
    sm_zk_part_state_fini(&d);
    sm_zk_part_state_fini(&s);
    /* Kafka 3.2+ adds leader_recovery_state: ignored */
    ck_assert_int_eq(DEC(sm_zk_part_state_decode, "/s",
        "{\"controller_epoch\":3,\"leader\":-1,\"version\":1,"
        "\"leader_epoch\":7,\"isr\":[],\"leader_recovery_state\":1}", &d),
        SM_OK);
    ck_assert_int_eq(d.leader, -1);
    ck_assert_int_eq(d.isr.cnt, 0);
    ck_assert_int_eq(DEC(sm_zk_part_state_decode, "/brokers/x/state",
        "{\"controller_epoch\":3,\"leader\":1,\"leader_epoch\":7}", &d),
        SM_ERR__BAD_MSG);
    ck_assert_ptr_nonnull(strstr(errstr, "missing \"isr\""));
    ck_assert_int_eq(DEC(sm_zk_part_state_decode, "/s",
        "{\"controller_epoch\":3,\"leader\":\"1\",\"leader_epoch\":7,"
        "\"isr\":[]}", &d), SM_ERR__BAD_MSG);
}
END_TEST

/* ------------------------------------------------------------ controller */

START_TEST(zk_paths__controller)
{
    int32_t id, epoch;
    char *s = sm_zk_controller_encode(2, 1700000000000LL);

    ck_assert_str_eq(s, "{\"version\":1,\"brokerid\":2,\"timestamp\":"
                     "\"1700000000000\"}");
    ck_assert_int_eq(DEC(sm_zk_controller_decode, "/controller", s, &id),
                     SM_OK);
    ck_assert_int_eq(id, 2);
    sm_free(s);
    ck_assert_int_eq(DEC(sm_zk_controller_decode, "/controller", "7", &id),
                     SM_OK);                     /* 0.8.0 */
    ck_assert_int_eq(id, 7);
    ck_assert_int_eq(DEC(sm_zk_controller_decode, "/controller",
        "{\"version\":2,\"brokerid\":3,\"timestamp\":\"1\","
        "\"kraftControllerEpoch\":-1}", &id), SM_OK);
    ck_assert_int_eq(id, 3);
    ck_assert_int_eq(DEC(sm_zk_controller_decode, "/controller",
                         "{\"version\":1}", &id), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_controller_decode, "/controller", "[1]",
                         &id), SM_ERR__BAD_MSG);

    s = sm_zk_controller_epoch_encode(5);
    ck_assert_str_eq(s, "5");
    ck_assert_int_eq(DEC(sm_zk_controller_epoch_decode, "/ce", s, &epoch),
                     SM_OK);
    ck_assert_int_eq(epoch, 5);
    sm_free(s);
    ck_assert_int_eq(DEC(sm_zk_controller_epoch_decode, "/ce", "5 ",
                         &epoch), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_controller_epoch_decode, "/ce", "",
                         &epoch), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_controller_epoch_decode, "/ce", "-",
                         &epoch), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_controller_epoch_decode, "/ce",
                         "2147483648", &epoch), SM_ERR__BAD_MSG);
    ck_assert_ptr_nonnull(strstr(errstr, "/ce"));
}
END_TEST

/* ------------------------------------------------------------ tp lists */

START_TEST(zk_paths__tp_lists)
{
    static const int32_t reps[] = { 3, 1 };
    sm_zk_tps_t l = { 0 }, d;
    char *s;

    sm_zk_ints_set(&sm_zk_tps_add(&l, "foo", 0)->replicas, reps, 2);
    s = sm_zk_reassignment_encode(&l);
    ck_assert_str_eq(s, "{\"version\":1,\"partitions\":[{\"topic\":\"foo\","
                     "\"partition\":0,\"replicas\":[3,1]}]}");
    ck_assert_int_eq(DEC(sm_zk_reassignment_decode, "/r", s, &d), SM_OK);
    ck_assert_int_eq(d.cnt, 1);
    ck_assert_int_eq(d.v[0].replicas.v[0], 3);
    sm_zk_tps_fini(&d);
    sm_free(s);
    s = sm_zk_isr_change_encode(&l);
    ck_assert_str_eq(s, "{\"version\":1,\"partitions\":[{\"topic\":\"foo\","
                     "\"partition\":0}]}");
    ck_assert_int_eq(DEC(sm_zk_isr_change_decode, "/i", s, &d), SM_OK);
    ck_assert_str_eq(d.v[0].topic, "foo");
    sm_zk_tps_fini(&d);
    sm_free(s);
    s = sm_zk_preferred_election_encode(&l);
    ck_assert_int_eq(DEC(sm_zk_preferred_election_decode, "/p", s, &d),
                     SM_OK);
    ck_assert_int_eq(d.v[0].replicas.cnt, 0);
    sm_zk_tps_fini(&d);
    sm_free(s);
    sm_zk_tps_fini(&l);

    ck_assert_int_eq(DEC(sm_zk_reassignment_decode, "/r",
        "{\"version\":1,\"partitions\":[{\"topic\":\"foo\","
        "\"partition\":0}]}", &d), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_isr_change_decode, "/i", "{\"version\":1}",
                         &d), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_isr_change_decode, "/i",
        "{\"partitions\":[7]}", &d), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_isr_change_decode, "/i",
        "{\"partitions\":[{\"topic\":1,\"partition\":0}]}", &d),
        SM_ERR__BAD_MSG);
    ck_assert_int_eq(d.cnt, 0);
}
END_TEST

/* ------------------------------------------------------------ configs */

START_TEST(zk_paths__entity_config)
{
    sm_zk_config_t c = { 0 }, d;
    char *s;

    s = sm_zk_config_encode(&c);
    ck_assert_str_eq(s, "{\"version\":1,\"config\":{}}");
    sm_free(s);
    sm_zk_config_set(&c, "retention.ms", "1000");
    sm_zk_config_set(&c, "cleanup.policy", "compact");
    sm_zk_config_set(&c, "retention.ms", "2000");
    ck_assert_int_eq(c.cnt, 2);
    s = sm_zk_config_encode(&c);
    ck_assert_str_eq(s, "{\"version\":1,\"config\":{\"retention.ms\":"
                     "\"2000\",\"cleanup.policy\":\"compact\"}}");
    ck_assert_int_eq(DEC(sm_zk_config_decode, "/config/topics/t", s, &d),
                     SM_OK);
    ck_assert_str_eq(sm_zk_config_get(&d, "retention.ms"), "2000");
    ck_assert_ptr_null(sm_zk_config_get(&d, "nope"));
    sm_zk_config_fini(&d);
    sm_free(s);
    sm_zk_config_fini(&c);
    /* no data: no overrides (Kafka) */
    ck_assert_int_eq(sm_zk_config_decode("/c", NULL, -1, &d, errstr,
                                         sizeof(errstr)), SM_OK);
    ck_assert_int_eq(d.cnt, 0);
    ck_assert_int_eq(DEC(sm_zk_config_decode, "/c", "{\"version\":1}", &d),
                     SM_OK);
    ck_assert_int_eq(DEC(sm_zk_config_decode, "/config/topics/t",
        "{\"version\":1,\"config\":{\"retention.ms\":1000}}", &d),
        SM_ERR__BAD_MSG);
    ck_assert_ptr_nonnull(strstr(errstr, "retention.ms"));
    ck_assert_int_eq(DEC(sm_zk_config_decode, "/c", "{\"config\":[]}", &d),
                     SM_ERR__BAD_MSG);
}
END_TEST

START_TEST(zk_paths__config_change_notifications)
{
    sm_zk_config_change_t c;
    char *s;

    s = sm_zk_config_change_encode(SM_ZK_ENTITY_TOPICS, "mytopic");
    ck_assert_str_eq(s, "{\"version\":2,\"entity_path\":\"topics/mytopic\"}");
    sm_free(s);
    ck_assert_ptr_null(sm_zk_config_change_encode(SM_ZK_ENTITY_CNT, "x"));
    /* 0.8.2 */
    ck_assert_int_eq(DEC(sm_zk_config_change_decode, "/n", "\"mytopic\"",
                         &c), SM_OK);
    ck_assert_int_eq(c.version, 0);
    ck_assert_int_eq(c.entity_type, SM_ZK_ENTITY_TOPICS);
    ck_assert_str_eq(c.entity_name, "mytopic");
    sm_zk_config_change_fini(&c);
    /* 0.9 - 0.10.0 */
    ck_assert_int_eq(DEC(sm_zk_config_change_decode, "/n",
        "{\"version\":1,\"entity_type\":\"clients\",\"entity_name\":\"c1\"}",
        &c), SM_OK);
    ck_assert_int_eq(c.entity_type, SM_ZK_ENTITY_CLIENTS);
    ck_assert_str_eq(c.entity_name, "c1");
    sm_zk_config_change_fini(&c);
    /* 0.10.1+ */
    ck_assert_int_eq(DEC(sm_zk_config_change_decode, "/n",
        "{\"version\":2,\"entity_path\":\"users/alice/clients/app\"}", &c),
        SM_OK);
    ck_assert_int_eq(c.version, 2);
    ck_assert_int_eq(c.entity_type, SM_ZK_ENTITY_USERS);
    ck_assert_str_eq(c.entity_name, "alice/clients/app");
    sm_zk_config_change_fini(&c);
    static const char *bad[] = {
        "{\"version\":1,\"entity_type\":\"users\",\"entity_name\":\"u\"}",
        "{\"version\":1,\"entity_type\":\"topics\"}",
        "{\"version\":2,\"entity_path\":\"groups/g\"}",
        "{\"version\":2,\"entity_path\":\"topics\"}",
        "{\"version\":2,\"entity_path\":\"topics/\"}",
        "{\"version\":3,\"entity_path\":\"topics/t\"}",
        "{\"entity_path\":\"topics/t\"}", "17", "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(DEC(sm_zk_config_change_decode,
                          "/config/changes/config_change_0000000001",
                          bad[i], &c) == SM_ERR__BAD_MSG, "accepted %s",
                      bad[i]);
        ck_assert_ptr_null(c.entity_name);
        ck_assert_ptr_nonnull(strstr(errstr, "config_change_0000000001"));
    }
}
END_TEST

/* ------------------------------------------------------------ misc */

START_TEST(zk_paths__cluster_id)
{
    char *id = sm_zk_uuid_base64(), *id2 = sm_zk_uuid_base64(), *s, *d;
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned bits = 0;

    ck_assert_int_eq(strlen(id), 22);
    ck_assert_str_ne(id, id2);
    ck_assert_int_ne(id[0], '-');
    for (int i = 0; i < 22; i++)
        ck_assert_ptr_nonnull(strchr(b64, id[i]));
    /* byte 6 high nibble is the version (4): chars 8-9 carry bits 48-59 */
    bits = (unsigned)((strchr(b64, id[8]) - b64) << 6 |
                      (strchr(b64, id[9]) - b64));
    ck_assert_int_eq((bits >> 8) & 0xf, 4);
    s = sm_zk_cluster_id_encode(id);
    ck_assert_ptr_nonnull(strstr(s, "\"version\":\"1\""));
    ck_assert_int_eq(DEC(sm_zk_cluster_id_decode, "/cluster/id", s, &d),
                     SM_OK);
    ck_assert_str_eq(d, id);
    sm_free(d);
    sm_free(s);
    ck_assert_int_eq(DEC(sm_zk_cluster_id_decode, "/cluster/id",
                         "{\"version\":\"1\"}", &d), SM_ERR__BAD_MSG);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(DEC(sm_zk_cluster_id_decode, "/cluster/id",
                         "{\"version\":\"1\",\"id\":5}", &d),
                     SM_ERR__BAD_MSG);
    sm_free(id);
    sm_free(id2);
}
END_TEST

START_TEST(zk_paths__pid_block_log_dir_consumers)
{
    sm_zk_pid_block_t b = { .broker = 1, .block_start = 1000,
                            .block_end = 1999 }, d;
    sm_zk_consumer_reg_t r;
    int32_t broker;
    int64_t off;
    char *s = sm_zk_pid_block_encode(&b);

    ck_assert_str_eq(s, "{\"version\":1,\"broker\":1,\"block_start\":"
                     "\"1000\",\"block_end\":\"1999\"}");
    ck_assert_int_eq(DEC(sm_zk_pid_block_decode, "/p", s, &d), SM_OK);
    ck_assert_int_eq(d.block_end, 1999);
    sm_free(s);
    ck_assert_int_eq(sm_zk_pid_block_decode("/p", NULL, -1, &d, errstr,
                                            sizeof(errstr)), SM_ERR__NOENT);
    ck_assert_int_eq(DEC(sm_zk_pid_block_decode, "/p",
        "{\"version\":1,\"broker\":1,\"block_start\":1,\"block_end\":\"2\"}",
        &d), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_pid_block_decode, "/p",
        "{\"version\":1,\"broker\":1,\"block_start\":\"5\","
        "\"block_end\":\"2\"}", &d), SM_ERR__BAD_MSG);

    s = sm_zk_log_dir_event_encode(4);
    ck_assert_str_eq(s, "{\"version\":1,\"broker\":4,\"event\":1}");
    ck_assert_int_eq(DEC(sm_zk_log_dir_event_decode, "/l", s, &broker),
                     SM_OK);
    ck_assert_int_eq(broker, 4);
    sm_free(s);

    ck_assert_int_eq(DEC(sm_zk_consumer_reg_decode, "/consumers/g/ids/c",
        "{\"version\":1,\"subscription\":{\"topicA\":2},\"pattern\":"
        "\"static\",\"timestamp\":\"1700000000000\"}", &r), SM_OK);
    ck_assert_int_eq(r.cnt, 1);
    ck_assert_str_eq(r.topics[0], "topicA");
    ck_assert_int_eq(r.streams[0], 2);
    ck_assert_str_eq(r.pattern, "static");
    ck_assert_int_eq(r.timestamp, 1700000000000LL);
    s = sm_zk_consumer_reg_encode(&r);
    ck_assert_str_eq(s, "{\"version\":1,\"subscription\":{\"topicA\":2},"
                     "\"pattern\":\"static\",\"timestamp\":"
                     "\"1700000000000\"}");
    sm_free(s);
    sm_zk_consumer_reg_fini(&r);
    ck_assert_int_eq(DEC(sm_zk_consumer_reg_decode, "/c",
        "{\"version\":1,\"subscription\":{\"t\":\"2\"},\"pattern\":\"s\"}",
        &r), SM_ERR__BAD_MSG);

    s = sm_zk_consumer_owner_encode("g_h-1-abc", 3);
    ck_assert_str_eq(s, "g_h-1-abc-3");
    sm_free(s);
    s = sm_zk_consumer_offset_encode(42);
    ck_assert_int_eq(DEC(sm_zk_consumer_offset_decode, "/o", s, &off),
                     SM_OK);
    ck_assert_int_eq(off, 42);
    sm_free(s);
    ck_assert_int_eq(DEC(sm_zk_consumer_offset_decode, "/o",
                         "-9223372036854775808", &off), SM_OK);
    ck_assert_int_eq(off, INT64_MIN);
    ck_assert_int_eq(DEC(sm_zk_consumer_offset_decode, "/o",
                         "9223372036854775808", &off), SM_ERR__BAD_MSG);
    ck_assert_int_eq(DEC(sm_zk_consumer_offset_decode, "/o", "4x", &off),
                     SM_ERR__BAD_MSG);
}
END_TEST

/* ------------------------------------------------------------ schemas */

/* Decode s with the decoder for schema `name`; SM_OK or the error. */
static sm_err_t
decode_as(const char *name, const char *s)
{
    int len = (int)strlen(s);
    sm_err_t err = SM_ERR__INVALID_ARG;

#define TRY(schema, type, fn, fini)                                         \
    if (strcmp(name, schema) == 0) {                                        \
        type v;                                                             \
        err = fn("/x", s, len, &v, errstr, sizeof(errstr));                 \
        if (err == SM_OK) { fini; }                                         \
    }
    TRY("broker_registration", sm_zk_broker_t, sm_zk_broker_decode,
        sm_zk_broker_fini(&v))
    TRY("topic_assignment", sm_zk_topic_t, sm_zk_topic_decode,
        sm_zk_topic_fini(&v))
    TRY("partition_state", sm_zk_part_state_t, sm_zk_part_state_decode,
        sm_zk_part_state_fini(&v))
    TRY("controller", int32_t, sm_zk_controller_decode, (void)v)
    TRY("controller_epoch", int32_t, sm_zk_controller_epoch_decode, (void)v)
    TRY("reassign_partitions", sm_zk_tps_t, sm_zk_reassignment_decode,
        sm_zk_tps_fini(&v))
    TRY("preferred_replica_election", sm_zk_tps_t,
        sm_zk_preferred_election_decode, sm_zk_tps_fini(&v))
    TRY("isr_change_notification", sm_zk_tps_t, sm_zk_isr_change_decode,
        sm_zk_tps_fini(&v))
    TRY("log_dir_event_notification", int32_t, sm_zk_log_dir_event_decode,
        (void)v)
    TRY("entity_config", sm_zk_config_t, sm_zk_config_decode,
        sm_zk_config_fini(&v))
    TRY("config_change_notification", sm_zk_config_change_t,
        sm_zk_config_change_decode, sm_zk_config_change_fini(&v))
    TRY("cluster_id", char *, sm_zk_cluster_id_decode, sm_free(v))
    TRY("producer_id_block", sm_zk_pid_block_t, sm_zk_pid_block_decode,
        (void)v)
    TRY("consumer_registration", sm_zk_consumer_reg_t,
        sm_zk_consumer_reg_decode, sm_zk_consumer_reg_fini(&v))
    TRY("consumer_offset", int64_t, sm_zk_consumer_offset_decode, (void)v)
#undef TRY
    if (strcmp(name, "consumer_owner") == 0)
        err = SM_OK;            /* plain text, no decoder */
    return err;
}

/* Every example in zkschema/ is something Kafka writes: samsa's decoder
 * must accept it.  Text payloads are decoded as their raw text. */
START_TEST(zk_paths__zkschema_examples_decode)
{
    const char *srcdir = getenv("srcdir");
    char path[4096];
    json_t *index, *znodes, *z;
    size_t i;
    int checked = 0;

    snprintf(path, sizeof(path), "%s/zkschema/index.json",
             srcdir ? srcdir : ".");
    index = json_load_file(path, 0, NULL);
    ck_assert_msg(index != NULL, "cannot read %s", path);
    znodes = json_object_get(index, "znodes");
    json_array_foreach(znodes, i, z) {
        const char *schema = json_string_value(json_object_get(z, "schema"));
        char name[128];
        json_t *sj, *ex;
        size_t k;

        if (schema == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/zkschema/%s", srcdir ? srcdir : ".",
                 schema);
        snprintf(name, sizeof(name), "%.*s", (int)strlen(schema) - 5, schema);
        sj = json_load_file(path, 0, NULL);
        ck_assert_msg(sj != NULL, "cannot read %s", path);
        json_array_foreach(json_object_get(sj, "examples"), k, ex) {
            int text = strcmp(name, "consumer_owner") == 0;
            char *s = text ? strdup(json_string_value(ex))
                           : json_dumps(ex, JSON_COMPACT | JSON_ENCODE_ANY);
            sm_err_t err = decode_as(name, s);
            ck_assert_msg(err == SM_OK, "%s example %zu rejected: %s (%s)",
                          name, k, errstr, s);
            free(s);
            checked++;
        }
        json_decref(sj);
    }
    json_decref(index);
    ck_assert_int_ge(checked, 25);
}
END_TEST

/* ------------------------------------------------------------ robustness */

/* Every prefix and many single-byte mutations of valid payloads must
 * decode or fail cleanly (ASan/UBSan builds catch the rest). */
START_TEST(zk_paths__decoders_survive_truncation_and_mutation)
{
    static const char *inputs[] = {
        "{\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},"
        "\"endpoints\":[\"PLAINTEXT://[::1]:9092\"],\"jmx_port\":-1,\"host\":"
        "\"h1\",\"timestamp\":\"1700000000000\",\"port\":9092,\"version\":4,"
        "\"features\":{\"f\":{\"min_version\":1,\"max_version\":2}}}",
        "{\"version\":2,\"partitions\":{\"0\":[1,2,3]},\"adding_replicas\":"
        "{\"0\":[3]},\"removing_replicas\":{\"0\":[1]},\"topic_id\":"
        "\"kxbDnFFfQYqaKHKHBXCNpg\"}",
        "{\"controller_epoch\":3,\"leader\":1,\"version\":1,"
        "\"leader_epoch\":7,\"isr\":[1,2]}",
        "{\"version\":1,\"partitions\":[{\"topic\":\"foo\",\"partition\":0,"
        "\"replicas\":[3,1]}]}",
        "{\"version\":1,\"config\":{\"a\":\"b\"}}",
        "{\"version\":2,\"entity_path\":\"users/alice/clients/app\"}",
        "{\"version\":1,\"broker\":1,\"block_start\":\"0\",\"block_end\":"
        "\"999\"}",
        "{\"version\":1,\"subscription\":{\"topicA\":2},\"pattern\":"
        "\"static\",\"timestamp\":\"1700000000000\"}",
    };
    union {
        sm_zk_broker_t b; sm_zk_topic_t t; sm_zk_part_state_t s;
        sm_zk_tps_t l; sm_zk_config_t c; sm_zk_config_change_t n;
        sm_zk_pid_block_t p; sm_zk_consumer_reg_t r; char *id; int32_t i;
    } u;
    int mutated = 0;

    srand(11);
    for (size_t in = 0; in < sizeof(inputs) / sizeof(inputs[0]); in++) {
        size_t n = strlen(inputs[in]);
        char *buf = malloc(n + 1);
        for (size_t cut = 0; cut <= n + 40; cut++) {
            int len = (int)(cut <= n ? cut : n);
            memcpy(buf, inputs[in], n + 1);
            if (cut > n) {          /* mutate one byte at random */
                buf[rand() % n] = (char)(rand() % 256);
                mutated++;
            }
#define RUN(fn, fini)                                                       \
            if (fn("/m", buf, len, (void *)&u, errstr, sizeof(errstr)) ==   \
                SM_OK) { fini; }
            RUN(sm_zk_broker_decode, sm_zk_broker_fini(&u.b))
            RUN(sm_zk_topic_decode, sm_zk_topic_fini(&u.t))
            RUN(sm_zk_part_state_decode, sm_zk_part_state_fini(&u.s))
            RUN(sm_zk_reassignment_decode, sm_zk_tps_fini(&u.l))
            RUN(sm_zk_isr_change_decode, sm_zk_tps_fini(&u.l))
            RUN(sm_zk_config_decode, sm_zk_config_fini(&u.c))
            RUN(sm_zk_config_change_decode, sm_zk_config_change_fini(&u.n))
            RUN(sm_zk_pid_block_decode, (void)0)
            RUN(sm_zk_consumer_reg_decode, sm_zk_consumer_reg_fini(&u.r))
            RUN(sm_zk_cluster_id_decode, sm_free(u.id))
            RUN(sm_zk_controller_decode, (void)0)
            RUN(sm_zk_log_dir_event_decode, (void)0)
#undef RUN
        }
        free(buf);
    }
    ck_assert_int_eq(mutated, 40 * 8);
}
END_TEST

Suite *
sm_test_suite_zk_paths(void)
{
    Suite *s = suite_create("zk_paths");
    TCase *tc = tcase_create("zk_paths");

    tcase_add_test(tc, zk_paths__paths);
    tcase_add_test(tc, zk_paths__broker_v4_layout);
    tcase_add_test(tc, zk_paths__broker_round_trip_all_versions);
    tcase_add_test(tc, zk_paths__broker_decode_kafka_examples);
    tcase_add_test(tc, zk_paths__broker_garbage_rejected);
    tcase_add_test(tc, zk_paths__broker_encode_edge_cases);
    tcase_add_test(tc, zk_paths__topic_layout_and_round_trip);
    tcase_add_test(tc, zk_paths__topic_decode_versions);
    tcase_add_test(tc, zk_paths__topic_garbage_rejected);
    tcase_add_test(tc, zk_paths__partition_state);
    tcase_add_test(tc, zk_paths__controller);
    tcase_add_test(tc, zk_paths__tp_lists);
    tcase_add_test(tc, zk_paths__entity_config);
    tcase_add_test(tc, zk_paths__config_change_notifications);
    tcase_add_test(tc, zk_paths__cluster_id);
    tcase_add_test(tc, zk_paths__pid_block_log_dir_consumers);
    tcase_add_test(tc, zk_paths__zkschema_examples_decode);
    tcase_add_test(tc, zk_paths__decoders_survive_truncation_and_mutation);
    suite_add_tcase(s, tc);
    return s;
}
