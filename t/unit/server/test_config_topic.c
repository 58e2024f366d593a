/* test_config_topic.c: topic configs over broker defaults
 * (config_topic.c). */
#include <string.h>

#include "config_util.h"

#define ZK "zookeeper.connect=localhost:2181\n"

static void
props_of(sm_props_t *p, const char *text)
{
    char err[256];

    sm_props_init(p);
    ck_assert_int_eq(sm_props_parse(p, text, strlen(text), "t", err,
                                    sizeof(err)), SM_OK);
}

START_TEST(topic__defaults_follow_broker)
{
    sm_config_t *cfg = cfg_ok(ZK "log.retention.hours=24\n"
                              "log.segment.bytes=1000\n"
                              "log.cleanup.policy=compact\n"
                              "log.roll.hours=1\n"
                              "compression.type=GZIP\n"
                              "min.insync.replicas=2\n");
    sm_topic_config_t tc;
    char err[256] = "";

    ck_assert_int_eq(sm_config_topic(cfg, NULL, 0, &tc, err, sizeof(err)),
                     SM_OK);
    ck_assert_int_eq(tc.retention_ms, 86400000);
    ck_assert_int_eq(tc.segment_ms, 3600000);
    ck_assert_int_eq(tc.segment_bytes, 1000);
    ck_assert_int_eq(tc.cleanup_policy.n, 1);
    ck_assert_str_eq(tc.cleanup_policy.v[0], "compact");
    ck_assert_str_eq(tc.compression_type, "gzip");  /* lower-cased */
    ck_assert_int_eq(tc.min_insync_replicas, 2);
    ck_assert_str_eq(tc.message_format_version, SM_CONF_DEFAULT_IBP);
    ck_assert_int_eq(tc.flush_messages, INT64_MAX);
    ck_assert_int_eq(tc.leader_replication_throttled_replicas.n, 0);
    for (int t = 0; t < SM_TK__COUNT; t++)
        ck_assert_int_eq(tc.overridden[t], 0);
    sm_topic_config_fini(&tc);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(topic__overlay)
{
    sm_config_t *cfg = cfg_ok(ZK);
    sm_props_t p;
    sm_log_config_t lc;
    sm_topic_config_t tc;
    char err[256] = "";

    props_of(&p, "retention.ms=1000\ncleanup.policy=compact,delete\n"
                 "max.message.bytes=2000\nmin.cleanable.dirty.ratio=0.1\n"
                 "compression.type=lz4\n"
                 "message.timestamp.type=LogAppendTime\n"
                 "segment.index.bytes=0\nflush.messages=0\n"
                 "unclean.leader.election.enable=true\n"
                 "follower.replication.throttled.replicas=0:1,1:2\n"
                 "some.future.key=1\n");
    ck_assert_int_eq(sm_config_topic(cfg, &p, 0, &tc, err, sizeof(err)),
                     SM_OK);
    ck_assert_int_eq(tc.overridden[SM_TK_retention_ms], 1);
    ck_assert_int_eq(tc.overridden[SM_TK_segment_bytes], 0);
    ck_assert_int_eq(tc.unclean_leader_election_enable, 1);
    ck_assert_int_eq(tc.follower_replication_throttled_replicas.n, 2);
    sm_topic_config_fini(&tc);
    ck_assert_int_eq(sm_config_topic_log_config(cfg, &p, &lc, err,
                                                sizeof(err)), SM_OK);
    ck_assert_int_eq(lc.retention_ms, 1000);
    ck_assert_int_eq(lc.cleanup_policy, SM_CLEANUP_COMPACT |
                                        SM_CLEANUP_DELETE);
    ck_assert_int_eq(lc.max_message_bytes, 2000);
    ck_assert(lc.min_cleanable_dirty_ratio == 0.1);
    ck_assert_int_eq(lc.message_timestamp_log_append, 1);
    ck_assert_int_eq(lc.segment_index_bytes, 0);
    ck_assert_int_eq(lc.flush_messages, 0);
    ck_assert_int_eq(lc.segment_bytes, 1073741824);   /* broker default */
    ck_assert_int_eq(lc.segment_ms, 604800000);
    sm_props_fini(&p);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(topic__bad_values_invalid_config)
{
    static const struct {
        const char *text, *why;
    } cases[] = {
        { "retention.ms=-2", "Value must be at least -1" },
        { "segment.bytes=10", "Value must be at least 14" },
        { "min.cleanable.dirty.ratio=1.5", "Value must be no more than 1" },
        { "compression.type=LZ4", "String must be one of" },
        { "cleanup.policy=bogus", "String must be one of: compact, delete" },
        { "leader.replication.throttled.replicas=0:x", "partitionId" },
        { "message.format.version=1.5", "is not a valid version" },
        { "preallocate=maybe", "either true or false" },
        { "segment.ms=0", "Value must be at least 1" },
        { "max.compaction.lag.ms=0", "Value must be at least 1" },
        { "min.compaction.lag.ms=10\nmax.compaction.lag.ms=5",
          "conflict topic config setting min.compaction.lag.ms (10)" },
    };
    sm_config_t *cfg = cfg_ok(ZK);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sm_topic_config_t tc;
        sm_props_t p;
        char err[512] = "", key[64];

        props_of(&p, cases[i].text);
        ck_assert_int_eq(sm_config_topic(cfg, &p, 0, &tc, err, sizeof(err)),
                         SM_ERR_INVALID_CONFIG);
        snprintf(key, sizeof(key), "%.*s",
                 (int)strcspn(cases[i].text, "="), cases[i].text);
        ck_assert_msg(strstr(err, key) && strstr(err, cases[i].why),
                      "%s -> %s", cases[i].text, err);
        sm_topic_config_fini(&tc);
        sm_props_fini(&p);
    }
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(topic__unknown_names)
{
    sm_config_t *cfg = cfg_ok(ZK);
    sm_topic_config_t tc;
    sm_props_t p;
    char err[256] = "";

    props_of(&p, "retention.ms=5\nlocal.retention.ms=1\n");
    ck_assert_int_eq(sm_config_topic(cfg, &p, SM_TOPIC_STRICT, &tc, err,
                                     sizeof(err)), SM_ERR_INVALID_CONFIG);
    ck_assert_str_eq(err, "Unknown topic config name: local.retention.ms");
    sm_topic_config_fini(&tc);
    ck_assert_int_eq(sm_config_topic(cfg, &p, 0, &tc, err, sizeof(err)),
                     SM_OK);
    ck_assert_int_eq(tc.retention_ms, 5);
    sm_topic_config_fini(&tc);
    sm_props_fini(&p);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(topic__key_map)
{
    ck_assert_int_eq(sm_topic_conf_broker_key(SM_TK_retention_ms),
                     SM_CK_log_retention_ms);
    ck_assert_int_eq(sm_topic_conf_broker_key(SM_TK_max_message_bytes),
                     SM_CK_message_max_bytes);
    ck_assert_int_eq(sm_topic_conf_broker_key(SM_TK_file_delete_delay_ms),
                     SM_CK_log_segment_delete_delay_ms);
    ck_assert_int_eq(sm_topic_conf_broker_key(
                         SM_TK_leader_replication_throttled_replicas), -1);
    ck_assert_int_eq(sm_topic_conf_key("cleanup.policy"),
                     SM_TK_cleanup_policy);
    ck_assert_int_eq(sm_topic_conf_key("log.cleanup.policy"), -1);
    ck_assert_str_eq(sm_topic_conf_name(SM_TK_segment_ms), "segment.ms");
    ck_assert_int_eq(SM_TK__COUNT, 26);
}
END_TEST

Suite *
sm_test_suite_config_topic(void)
{
    Suite *s = suite_create("config_topic");
    TCase *tc = tcase_create("config_topic");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, topic__defaults_follow_broker);
    tcase_add_test(tc, topic__overlay);
    tcase_add_test(tc, topic__bad_values_invalid_config);
    tcase_add_test(tc, topic__unknown_names);
    tcase_add_test(tc, topic__key_map);
    suite_add_tcase(s, tc);
    return s;
}
