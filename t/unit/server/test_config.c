/* test_config.c: loading, validation, derived values and the dump
 * (config.c). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config_util.h"
#include "server/config_int.h"

#define ZK "zookeeper.connect=localhost:2181\n"

/* Expect text to fail with every needle in errstr. */
static void
cfg_fails(const char *text, const char *n1, const char *n2)
{
    char err[1024] = "";
    sm_config_t *cfg;

    ck_assert_msg(cfg_from_text(text, &cfg, err, sizeof(err)) != SM_OK,
                  "accepted: %s", text);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, n1) != NULL, "'%s' not in '%s'", n1, err);
    ck_assert_msg(n2 == NULL || strstr(err, n2) != NULL, "'%s' not in '%s'",
                  n2, err);
}

START_TEST(config__table_invariants)
{
    const sm_conf_row_t *rows = sm_conf_rows();
    int first, nsec = 0, prev = -1, ntopic = 0;

    for (int k = 0; k < SM_CK__COUNT; k++) {
        const sm_conf_row_t *r = &rows[k];
        sm_conf_check_t chk = { r->type, r->min, r->max, r->validator };
        char msg[256];

        ck_assert_int_eq(sm_conf_key(r->name), k);
        ck_assert_msg(r->doc && strlen(r->doc) > 8, "%s: no doc", r->name);
        ck_assert_msg(r->def == NULL ||
                      sm_conf_value_parse(&chk, r->def, NULL, msg,
                                          sizeof(msg)) == 0,
                      "%s: default '%s' invalid: %s", r->name, r->def, msg);
        ck_assert_msg(r->min <= r->max, "%s", r->name);
        if (r->topic) {
            int t = sm_topic_conf_key(r->topic);
            ck_assert_msg(t >= 0, "%s: topic key %s unknown", r->name,
                          r->topic);
            ck_assert_int_eq(sm_topic_conf_broker_key(t), k);
            ck_assert_int_eq(sm_topic_conf_type(t), r->type);
            ntopic++;
        }
    }
    ck_assert_int_eq(ntopic, SM_TK__COUNT - 2);   /* all but throttling */
    for (int i = 0; sm_conf_section(i, &first) != NULL; i++, nsec++) {
        ck_assert_int_gt(first, prev);
        prev = first;
    }
    ck_assert_int_ge(nsec, 10);
    ck_assert_int_eq(sm_conf_key("no.such.key"), -1);
    ck_assert_int_gt(SM_CK__COUNT, 200);
}
END_TEST

START_TEST(config__kafka_shipped_properties_no_warnings)
{
    sm_config_t *cfg;
    char err[1024] = "";
    int n;
    const char *const *dirs;

    ck_assert_msg(sm_config_load(sm_test_data("kafka-server.properties"),
                                 NULL, 0, &cfg, err, sizeof(err)) == SM_OK,
                  "%s", err);
    ck_assert_int_eq(cfg->nwarnings, 0);
    ck_assert_int_eq(cfg->extra.n, 0);
    ck_assert_int_eq(sm_config_broker_id(cfg), 0);
    ck_assert_str_eq(cfg->zookeeper_connect, "localhost:2181");
    ck_assert_int_eq(sm_config_zk_connection_timeout_ms(cfg), 18000);
    dirs = sm_config_log_dirs(cfg, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(dirs[0], "/tmp/kafka-logs");
    ck_assert_ptr_null(dirs[1]);
    ck_assert_int_eq(sm_config_log_retention_ms(cfg), 168LL * 3600000);
    ck_assert_int_eq(cfg->offsets_topic_replication_factor, 1);
    ck_assert_int_eq(cfg->transaction_state_log_min_isr, 1);
    ck_assert_int_eq(cfg->group_initial_rebalance_delay_ms, 0);
    ck_assert_int_eq(sm_config_source(cfg, SM_CK_num_io_threads),
                     SM_CONFIG_SOURCE_STATIC_BROKER);
    ck_assert_int_eq(sm_config_source(cfg, SM_CK_message_max_bytes),
                     SM_CONFIG_SOURCE_DEFAULT);
    ck_assert_int_eq(cfg->line[SM_CK_broker_id], 21);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__kafka_08_properties_load)
{
    sm_config_t *cfg;
    char err[1024] = "";
    const sm_listener_cfg_t *l;
    int n;

    ck_assert_msg(sm_config_load(sm_test_data("kafka-0.8-server.properties"),
                                 NULL, 0, &cfg, err, sizeof(err)) == SM_OK,
                  "%s", err);
    ck_assert_int_eq(cfg->nwarnings, 0);
    ck_assert_int_eq(cfg->log_cleaner_enable, 0);
    ck_assert_int_eq(sm_config_zk_connection_timeout_ms(cfg), 6000);
    l = sm_config_listeners(cfg, &n);      /* from port=9092, no host */
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(l[0].name, "PLAINTEXT");
    ck_assert_ptr_null(l[0].host);
    ck_assert_int_eq(l[0].port, 9092);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__conf_server_properties)
{
    sm_config_t *cfg;
    char err[1024] = "";
    const sm_listener_cfg_t *l;
    const char *const *dirs;
    int n;

    ck_assert_msg(sm_config_load(cfg_src_path("conf/server.properties"),
                                 NULL, 0, &cfg, err, sizeof(err)) == SM_OK,
                  "%s", err);
    ck_assert_int_eq(cfg->nwarnings, 0);
    l = sm_config_listeners(cfg, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(l[0].host, "localhost");
    ck_assert_int_eq(l[0].port, 9092);
    dirs = sm_config_log_dirs(cfg, &n);
    ck_assert_str_eq(dirs[0], "/tmp/samsa-logs");
    ck_assert_str_eq(cfg->zookeeper_connect, "localhost:2181");
    ck_assert_int_eq(cfg->offsets_topic_replication_factor, 1);
    ck_assert_int_eq(cfg->transaction_state_log_replication_factor, 1);
    ck_assert_int_eq(cfg->transaction_state_log_min_isr, 1);
    ck_assert_int_eq(cfg->group_initial_rebalance_delay_ms, 0);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__kafka_defaults)
{
    sm_config_t *cfg = cfg_ok(ZK);
    const sm_listener_cfg_t *l;
    int n;

    ck_assert_int_eq(sm_config_broker_id(cfg), -1);
    ck_assert_int_eq(cfg->reserved_broker_max_id, 1000);
    ck_assert_int_eq(cfg->broker_id_generation_enable, 1);
    ck_assert_int_eq(cfg->message_max_bytes, 1048588);
    ck_assert_int_eq(cfg->num_network_threads, 3);
    ck_assert_int_eq(cfg->num_io_threads, 8);
    ck_assert_int_eq(cfg->socket_send_buffer_bytes, 102400);
    ck_assert_int_eq(cfg->socket_receive_buffer_bytes, 102400);
    ck_assert_int_eq(cfg->socket_request_max_bytes, 104857600);
    ck_assert_int_eq(cfg->queued_max_requests, 500);
    ck_assert_int_eq(cfg->auto_create_topics_enable, 1);
    ck_assert_int_eq(cfg->delete_topic_enable, 1);
    ck_assert_int_eq(cfg->connections_max_idle_ms, 600000);
    ck_assert_int_eq(cfg->max_connections, INT32_MAX);
    ck_assert_int_eq(cfg->num_partitions, 1);
    ck_assert_int_eq(cfg->default_replication_factor, 1);
    ck_assert_int_eq(cfg->zookeeper_session_timeout_ms, 18000);
    ck_assert_int_eq(sm_config_zk_connection_timeout_ms(cfg), 18000);
    ck_assert_int_eq(cfg->log_segment_bytes, 1073741824);
    ck_assert_int_eq(sm_config_log_roll_ms(cfg), 604800000LL);
    ck_assert_int_eq(sm_config_log_roll_jitter_ms(cfg), 0);
    ck_assert_int_eq(sm_config_log_retention_ms(cfg), 604800000LL);
    ck_assert_int_eq(sm_config_log_flush_interval_ms(cfg), INT64_MAX);
    ck_assert_int_eq(cfg->offsets_topic_num_partitions, 50);
    ck_assert_int_eq(cfg->offsets_topic_replication_factor, 3);
    ck_assert_int_eq(cfg->transaction_state_log_min_isr, 2);
    ck_assert_str_eq(cfg->offsets_storage, "kafka");
    ck_assert_str_eq(cfg->inter_broker_protocol_version,
                     SM_CONF_DEFAULT_IBP);
    ck_assert_int_eq(sm_config_ibp(cfg), SM_KV_2_3_IV1);
    ck_assert_int_eq(sm_config_cleanup_policy(cfg), SM_CLEANUP_DELETE);
    ck_assert_int_eq(sm_config_compression(cfg),
                     SM_CONFIG_COMPRESSION_PRODUCER);
    ck_assert(sm_config_is_null(cfg, SM_CK_log_retention_ms));
    ck_assert(!sm_config_is_null(cfg, SM_CK_log_retention_hours));
    l = sm_config_listeners(cfg, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(l[0].name, "PLAINTEXT");
    ck_assert_ptr_null(l[0].host);
    ck_assert_int_eq(l[0].port, 9092);
    ck_assert_str_eq(sm_config_inter_broker_listener(cfg), "PLAINTEXT");
    sm_config_destroy(cfg);
}
END_TEST

/* One bad value of each type and validator: error names line, key, value. */
START_TEST(config__bad_values_name_line_key_value)
{
    static const struct {
        const char *key, *value, *why;
    } cases[] = {
        { "num.io.threads", "abc", "Not a number of type INT" },
        { "num.io.threads", "2147483648", "Not a number of type INT" },
        { "num.io.threads", "0x10", "Not a number of type INT" },
        { "num.io.threads", "0", "Value must be at least 1" },
        { "offsets.topic.replication.factor", "40000",
          "Not a number of type SHORT" },
        { "log.retention.ms", "1x", "Not a number of type LONG" },
        { "log.retention.ms", "", "Not a number of type LONG" },
        { "log.cleaner.min.cleanable.ratio", "half",
          "Not a number of type DOUBLE" },
        { "auto.create.topics.enable", "yes",
          "Expected value to be either true or false" },
        { "log.cleanup.policy", "compact,bogus",
          "String must be one of: compact, delete" },
        { "log.message.timestamp.type", "createtime",
          "String must be one of: CreateTime, LogAppendTime" },
        { "compression.type", "brotli", "String must be one of:" },
        { "inter.broker.protocol.version", "9.9",
          "Version `9.9` is not a valid version" },
        { "ssl.client.auth", "maybe", "String must be one of:" },
        { "offsets.storage", "redis",
          "String must be one of: kafka, zookeeper, dual" },
        { "offsets.topic.compression.codec", "7",
          "Value must be no more than 4" },
        { "log.segment.bytes", "13", "Value must be at least 14" },
    };
    char text[512], want[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), ZK "# a comment\n%s = %s\n",
                 cases[i].key, cases[i].value);
        snprintf(want, sizeof(want), "test.properties:3: Invalid value %s "
                 "for configuration %s: ", cases[i].value, cases[i].key);
        cfg_fails(text, want, cases[i].why);
    }
}
END_TEST

START_TEST(config__values_parse_like_kafka)
{
    sm_config_t *cfg = cfg_ok(ZK "num.io.threads = +12 \n"
                              "auto.create.topics.enable=FALSE\n"
                              "compression.type=LZ4\n"
                              "log.cleanup.policy = compact , delete\n"
                              "log.dirs=/a , /b,,/c\n"
                              "inter.broker.protocol.version=2.1.1\n"
                              "log.message.format.version=0.10.2\n"
                              "log.cleaner.min.cleanable.ratio=0.25\n");
    const char *const *dirs;
    int n;

    ck_assert_int_eq(cfg->num_io_threads, 12);
    ck_assert_int_eq(cfg->auto_create_topics_enable, 0);
    ck_assert_int_eq(sm_config_compression(cfg), 3);        /* lz4 */
    ck_assert_int_eq(cfg->log_cleanup_policy.n, 2);
    ck_assert_int_eq(sm_config_cleanup_policy(cfg),
                     SM_CLEANUP_COMPACT | SM_CLEANUP_DELETE);
    dirs = sm_config_log_dirs(cfg, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(dirs[1], "/b");
    ck_assert_str_eq(dirs[2], "/c");
    ck_assert_int_eq(sm_config_ibp(cfg), SM_KV_2_1_IV2);
    ck_assert_int_eq(sm_config_log_message_format(cfg), SM_KV_0_10_2_IV0);
    ck_assert(cfg->log_cleaner_min_cleanable_ratio == 0.25);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__cross_key_rules)
{
    cfg_fails("broker.id=0\n", "Missing required configuration "
              "`zookeeper.connect`", NULL);
    cfg_fails(ZK "broker.id=1001\n", "test.properties:2:",
              "not greater than reserved.broker.max.id");
    cfg_fails(ZK "broker.id=-2\n", "greater than or equal to -1", NULL);
    cfg_fails(ZK "broker.id.generation.enable=false\n",
              "broker.id must be greater than or equal to 0", NULL);
    cfg_fails(ZK "log.retention.ms=0\n", "test.properties:2:",
              "log.retention.ms must be unlimited (-1)");
    cfg_fails(ZK "log.roll.ms=0\n", "log.roll.ms must be greater", NULL);
    cfg_fails(ZK "log.roll.jitter.ms=-1\n", "log.roll.jitter.ms must", NULL);
    cfg_fails(ZK "log.dirs= , \n", "At least one log directory", NULL);
    cfg_fails(ZK "log.cleaner.dedupe.buffer.size=1000000\n",
              "at least 1MB per cleaner thread", NULL);
    cfg_fails(ZK "replica.fetch.wait.max.ms=40000\n",
              "replica.socket.timeout.ms should always be at least", NULL);
    cfg_fails(ZK "replica.lag.time.max.ms=100\n",
              "less than or equal to replica.lag.time.max.ms", NULL);
    cfg_fails(ZK "offsets.commit.required.acks=5\n",
              "offsets.commit.required.acks must be", NULL);
    cfg_fails(ZK "inter.broker.listener.name=FOO\n",
              "not found in listener.security.protocol.map", NULL);
    cfg_fails(ZK "inter.broker.listener.name=PLAINTEXT\n"
              "security.inter.broker.protocol=PLAINTEXT\n",
              "Only one of inter.broker.listener.name", NULL);
    cfg_fails(ZK "security.inter.broker.protocol=TLS\n",
              "Invalid security protocol `TLS`", NULL);
    cfg_fails(ZK "listeners=PLAINTEXT://:9092,INTERNAL://:9093\n"
              "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,"
              "INTERNAL:PLAINTEXT\n"
              "advertised.listeners=INTERNAL://h:9093\n",
              "inter.broker.listener.name must be a listener name", NULL);
    cfg_fails(ZK "advertised.listeners=PLAINTEXT://0.0.0.0:9092\n",
              "nonroutable meta-address 0.0.0.0", NULL);
    cfg_fails(ZK "listeners=PLAINTEXT://0.0.0.0:9092\n",   /* as Kafka */
              "test.properties:2: advertised.listeners cannot use", NULL);
    cfg_fails(ZK "advertised.listeners=PLAINTEXT://h:9092,SSL://h:9093\n",
              "equal to or a subset", NULL);
    cfg_fails(ZK "listeners=PLAINTEXT://:9092,SSL://:9093\n",
              "uses security protocol SSL", "PLAINTEXT only");
    cfg_fails(ZK "listeners=PLAINTEXT://:9092,PLAINTEXT://:9093\n",
              "test.properties:2:", "must have a different name");
    cfg_fails(ZK "inter.broker.protocol.version=0.10.2\n"
              "log.message.format.version=2.1\n",
              "log.message.format.version 2.1 can only be used when "
              "inter.broker.protocol.version is set to version 0.11.0", NULL);
    cfg_fails(ZK "inter.broker.protocol.version=2.0\n"
              "offsets.topic.compression.codec=4\n",
              "offsets.topic.compression.codec zstd", NULL);
    cfg_fails(ZK "process.roles=broker\n", "KRaft", NULL);
    cfg_fails(ZK "queued.max.request.bytes=10\n",
              "queued.max.request.bytes must be larger", NULL);
    cfg_fails(ZK "max.connections.per.ip=0\n",
              "max.connections.per.ip can be set to zero", NULL);
    cfg_fails(ZK "connection.failed.authentication.delay.ms=700000\n",
              "should always be less than connections.max.idle.ms", NULL);
    cfg_fails(ZK "log.cleaner.min.cleanable.ratio=1.5\n",
              "min.cleanable.dirty.ratio", "no more than 1");
}
END_TEST

START_TEST(config__retention_precedence)
{
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        { ZK, 168LL * 3600000 },
        { ZK "log.retention.hours=2\n", 7200000 },
        { ZK "log.retention.hours=2\nlog.retention.minutes=3\n", 180000 },
        { ZK "log.retention.hours=2\nlog.retention.minutes=3\n"
             "log.retention.ms=42\n", 42 },
        { ZK "log.retention.ms=42\nlog.retention.hours=2\n", 42 },
        { ZK "log.retention.ms=-1\nlog.retention.hours=2\n", -1 },
        { ZK "log.retention.ms=-5\n", -1 },
        { ZK "log.retention.minutes=-1\n", -1 },
        { ZK "log.retention.hours=-3\n", -1 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sm_config_t *cfg = cfg_ok(cases[i].text);
        sm_log_config_t lc;

        ck_assert_int_eq(sm_config_log_retention_ms(cfg), cases[i].ms);
        sm_config_log_config(cfg, &lc);
        ck_assert_int_eq(lc.retention_ms, cases[i].ms);
        sm_config_destroy(cfg);
    }
}
END_TEST

START_TEST(config__roll_flush_and_zk_fallbacks)
{
    sm_config_t *cfg = cfg_ok(ZK "log.roll.hours=2\nlog.roll.jitter.hours=1\n"
                              "log.flush.scheduler.interval.ms=3000\n"
                              "zookeeper.connection.timeout.ms=500\n");

    ck_assert_int_eq(sm_config_log_roll_ms(cfg), 7200000);
    ck_assert_int_eq(sm_config_log_roll_jitter_ms(cfg), 3600000);
    ck_assert_int_eq(sm_config_log_flush_interval_ms(cfg), 3000);
    ck_assert_int_eq(sm_config_zk_connection_timeout_ms(cfg), 500);
    sm_config_destroy(cfg);
    cfg = cfg_ok(ZK "log.roll.hours=2\nlog.roll.ms=5\n"
                 "log.roll.jitter.ms=2\nlog.flush.interval.ms=7\n");
    ck_assert_int_eq(sm_config_log_roll_ms(cfg), 5);
    ck_assert_int_eq(sm_config_log_roll_jitter_ms(cfg), 2);
    ck_assert_int_eq(sm_config_log_flush_interval_ms(cfg), 7);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__overrides)
{
    static const char *const ov[] = {
        "num.io.threads=16", "log.dirs=/a, /b", "broker.rack",
        "zookeeper.connect=zk:1/x=y", "no.such.key=1",
    };
    static const char *const bad[] = { "num.io.threads=zero" };
    sm_config_t *cfg;
    char err[1024] = "";
    int n;

    ck_assert_msg(sm_config_load(sm_test_data("kafka-server.properties"), ov,
                                 5, &cfg, err, sizeof(err)) == SM_OK,
                  "%s", err);
    ck_assert_int_eq(cfg->num_io_threads, 16);
    ck_assert_int_eq(cfg->line[SM_CK_num_io_threads], 0);
    sm_config_log_dirs(cfg, &n);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(cfg->broker_rack, "");
    ck_assert_str_eq(cfg->zookeeper_connect, "zk:1/x=y");
    ck_assert_int_eq(cfg->nwarnings, 1);
    ck_assert_msg(strstr(cfg->warnings[0], "--override") &&
                  strstr(cfg->warnings[0], "no.such.key"), "%s",
                  cfg->warnings[0]);
    sm_config_destroy(cfg);
    ck_assert_int_eq(sm_config_load(sm_test_data("kafka-server.properties"),
                                    bad, 1, &cfg, err, sizeof(err)),
                     SM_ERR__CONFIG);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err, "--override: Invalid value zero for "
                         "configuration num.io.threads") != NULL, "%s", err);
}
END_TEST

START_TEST(config__from_args)
{
    char path[4096], ov1[] = "--override", ov2[] = "num.io.threads=4";
    char ov3[] = "--override=num.network.threads=5", stray[] = "extra";
    char prog[] = "samsa";
    char *argv[] = { prog, path, ov1, ov2, ov3, NULL };
    char *bad[] = { prog, path, stray, NULL };
    char *none[] = { prog, NULL };
    sm_config_t *cfg;
    char err[1024] = "";

    snprintf(path, sizeof(path), "%s", sm_test_data("kafka-server.properties"));
    ck_assert_msg(sm_config_from_args(5, argv, &cfg, err, sizeof(err)) ==
                  SM_OK, "%s", err);
    ck_assert_int_eq(cfg->num_io_threads, 4);
    ck_assert_int_eq(cfg->num_network_threads, 5);
    sm_config_destroy(cfg);
    ck_assert_int_ne(sm_config_from_args(3, bad, &cfg, err, sizeof(err)),
                     SM_OK);
    ck_assert_ptr_nonnull(strstr(err, "extra"));
    ck_assert_int_ne(sm_config_from_args(1, none, &cfg, err, sizeof(err)),
                     SM_OK);
    ck_assert_ptr_nonnull(strstr(err, "USAGE"));
}
END_TEST

START_TEST(config__unknown_duplicate_and_family_keys)
{
    sm_config_t *cfg = cfg_ok(ZK "num.io.threads=3\nfoo.bar=1\n"
                              "num.io.threads=4\n"
                              "listener.name.plaintext.ssl.keystore.type=P\n"
                              "confluent.support.metrics.enable=true\n"
                              "kafka.csv.metrics.dir=/tmp/m\n"
                              "super.users=User:admin\n");

    ck_assert_int_eq(cfg->nwarnings, 2);
    ck_assert_msg(strstr(cfg->warnings[0], "test.properties:3:") &&
                  strstr(cfg->warnings[0], "'foo.bar'"), "%s",
                  cfg->warnings[0]);
    ck_assert_msg(strstr(cfg->warnings[1], "test.properties:4:") &&
                  strstr(cfg->warnings[1], "line 2"), "%s",
                  cfg->warnings[1]);
    ck_assert_int_eq(cfg->num_io_threads, 4);
    ck_assert_int_eq(cfg->extra.n, 4);
    ck_assert_str_eq(sm_props_get(&cfg->extra, "foo.bar"), "1");
    ck_assert_str_eq(cfg->super_users, "User:admin");
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__node_id_and_legacy_listeners)
{
    sm_config_t *cfg = cfg_ok(ZK "node.id=5\nbroker.id=3\nhost.name=h1\n"
                              "port=9093\nadvertised.host.name=pub\n");
    const sm_listener_cfg_t *l;
    int n;

    ck_assert_int_eq(sm_config_broker_id(cfg), 5);
    l = sm_config_listeners(cfg, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(l[0].host, "h1");
    ck_assert_int_eq(l[0].port, 9093);
    l = sm_config_advertised_listeners(cfg, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(l[0].host, "pub");
    ck_assert_int_eq(l[0].port, 9093);
    sm_config_destroy(cfg);
    cfg = cfg_ok(ZK "advertised.port=19092\n");
    l = sm_config_advertised_listeners(cfg, &n);
    ck_assert_ptr_null(l[0].host);
    ck_assert_int_eq(l[0].port, 19092);
    sm_config_destroy(cfg);
}
END_TEST

static char *
dump_of(const sm_config_t *cfg)
{
    sm_buf_t buf = SM_BUF_INIT;

    sm_config_dump(cfg, &buf);
    sm_buf_write(&buf, "", 1);
    return (char *)sm_buf_detach(&buf, NULL);
}

START_TEST(config__dump_format)
{
    sm_config_t *cfg = cfg_ok(ZK "ssl.key.password=hunter2\n"
                              "create.topic.policy.class.name=com.x.Y\n"
                              "super.users=User:a\n");
    char *d = dump_of(cfg), *line, *save, *prev = NULL;
    int lines = 0, expect = 0;

    ck_assert_int_eq(strncmp(d, "KafkaConfig values: \n\t", 22), 0);
    ck_assert_ptr_nonnull(strstr(d, "\n\tlog.cleanup.policy = [delete]\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tssl.key.password = [hidden]\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tssl.keystore.password = null\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tssl.enabled.protocols = "
                                    "[TLSv1.2, TLSv1.3]\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tlog.cleaner.io.max.bytes.per."
                                    "second = 1.7976931348623157E308\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tlog.cleaner.io.buffer.load.factor"
                                    " = 0.9\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tcreate.topic.policy.class.name = "
                                    "class com.x.Y\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tlog.retention.ms = null\n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tauthorizer.class.name = \n"));
    ck_assert_ptr_nonnull(strstr(d, "\n\tprocess.roles = []\n"));
    ck_assert_ptr_null(strstr(d, "hunter2"));
    ck_assert_ptr_null(strstr(d, "super.users"));       /* not KafkaConfig */
    for (line = strtok_r(d, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (lines++ == 0)
            continue;
        ck_assert_int_eq(line[0], '\t');
        ck_assert_ptr_nonnull(strstr(line, " = "));
        if (prev)
            ck_assert_msg(strcmp(prev, line) < 0, "%s >= %s", prev, line);
        prev = line;
    }
    for (int k = 0; k < SM_CK__COUNT; k++)
        expect += !(sm_conf_rows()[k].flags & SM_CF_FOREIGN);
    ck_assert_int_eq(lines - 1, expect);
    free(d);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__log_values_one_record)
{
    sm_config_t *cfg = cfg_ok(ZK);
    char buf[65536];
    ssize_t n, got = 0;
    int fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    sm_config_log_values(cfg, fds[1]);
    close(fds[1]);
    while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
        got += n;
    close(fds[0]);
    buf[got] = '\0';
    ck_assert_int_eq(buf[0], '[');
    ck_assert_ptr_nonnull(strstr(buf, "] INFO KafkaConfig values: \n\t"));
    ck_assert_str_eq(buf + got - 17, "\n (samsa.config)\n");
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__layer_structs)
{
    sm_config_t *cfg = cfg_ok(ZK "log.dirs=/d1,/d2\nlog.segment.bytes=2048\n"
                              "log.retention.minutes=5\nlog.roll.ms=99\n"
                              "log.cleanup.policy=compact\n"
                              "log.preallocate=true\nmessage.max.bytes=77\n"
                              "log.message.timestamp.type=LogAppendTime\n"
                              "log.cleaner.threads=2\nbackground.threads=4\n"
                              "num.recovery.threads.per.data.dir=3\n"
                              "listeners=PLAINTEXT://127.0.0.1:0\n"
                              "max.connections=10\n");
    sm_logmgr_config_t mc;
    sm_net_config_t nc;

    sm_config_logmgr_config(cfg, &mc);
    ck_assert_int_eq(mc.ndirs, 2);
    ck_assert_str_eq(mc.dirs[1], "/d2");
    ck_assert_int_eq(mc.defaults.segment_bytes, 2048);
    ck_assert_int_eq(mc.defaults.retention_ms, 300000);
    ck_assert_int_eq(mc.defaults.segment_ms, 99);
    ck_assert_int_eq(mc.defaults.cleanup_policy, SM_CLEANUP_COMPACT);
    ck_assert_int_eq(mc.defaults.preallocate, 1);
    ck_assert_int_eq(mc.defaults.max_message_bytes, 77);
    ck_assert_int_eq(mc.defaults.message_timestamp_log_append, 1);
    ck_assert_int_eq(mc.defaults.index_interval_bytes, 4096);
    ck_assert_int_eq(mc.defaults.segment_index_bytes, 10485760);
    ck_assert_int_eq(mc.defaults.flush_messages, INT64_MAX);
    ck_assert_int_eq(mc.defaults.file_delete_delay_ms, 60000);
    ck_assert(mc.defaults.min_cleanable_dirty_ratio == 0.5);
    ck_assert_int_eq(mc.cleaner_threads, 2);
    ck_assert_int_eq(mc.cleaner_enable, 1);
    ck_assert_int_eq(mc.background_threads, 4);
    ck_assert_int_eq(mc.recovery_threads_per_dir, 3);
    ck_assert_int_eq(mc.retention_check_interval_ms, 300000);
    ck_assert_int_eq(mc.flush_offset_checkpoint_interval_ms, 60000);
    sm_config_net_config(cfg, &nc);
    ck_assert_int_eq(nc.nlisteners, 1);
    ck_assert_str_eq(nc.listeners[0].host, "127.0.0.1");
    ck_assert_int_eq(nc.listeners[0].port, 0);
    ck_assert_str_eq(nc.listeners[0].security_protocol, "PLAINTEXT");
    ck_assert_int_eq(nc.num_io_threads, 8);
    ck_assert_int_eq(nc.queued_max_requests, 500);
    ck_assert_int_eq(nc.socket_request_max_bytes, 104857600);
    ck_assert_int_eq(nc.max_connections, 10);
    ck_assert_int_eq(nc.connections_max_idle_ms, 600000);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(config__value_dup)
{
    sm_config_t *cfg = cfg_ok(ZK "log.cleanup.policy=compact, delete\n");
    char *v;

    v = sm_config_value_dup(cfg, SM_CK_log_cleanup_policy);
    ck_assert_str_eq(v, "compact,delete");
    free(v);
    v = sm_config_value_dup(cfg, SM_CK_log_cleaner_min_cleanable_ratio);
    ck_assert_str_eq(v, "0.5");
    free(v);
    ck_assert_ptr_null(sm_config_value_dup(cfg, SM_CK_log_retention_ms));
    sm_config_destroy(cfg);
}
END_TEST

Suite *
sm_test_suite_config(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, config__table_invariants);
    tcase_add_test(tc, config__kafka_shipped_properties_no_warnings);
    tcase_add_test(tc, config__kafka_08_properties_load);
    tcase_add_test(tc, config__conf_server_properties);
    tcase_add_test(tc, config__kafka_defaults);
    tcase_add_test(tc, config__bad_values_name_line_key_value);
    tcase_add_test(tc, config__values_parse_like_kafka);
    tcase_add_test(tc, config__cross_key_rules);
    tcase_add_test(tc, config__retention_precedence);
    tcase_add_test(tc, config__roll_flush_and_zk_fallbacks);
    tcase_add_test(tc, config__overrides);
    tcase_add_test(tc, config__from_args);
    tcase_add_test(tc, config__unknown_duplicate_and_family_keys);
    tcase_add_test(tc, config__node_id_and_legacy_listeners);
    tcase_add_test(tc, config__dump_format);
    tcase_add_test(tc, config__log_values_one_record);
    tcase_add_test(tc, config__layer_structs);
    tcase_add_test(tc, config__value_dup);
    suite_add_tcase(s, tc);
    return s;
}
