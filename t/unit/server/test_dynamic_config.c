/*
 * test_dynamic_config.c: the dynamic config manager
 * (server/dynamic_config.c).  The pure parts (notification names, which
 * entity concerns this broker, ordering and "newer than the last one",
 * expiry, offsets.storage) run without ZooKeeper; the apply logic runs
 * against a real ZooKeeper through admin_harness.h: the tool side writes
 * entity configs and notifications with sm_zk_change_entity_config (as
 * kafka-configs.sh does), the test calls sm_dyncfg_poll where a broker's
 * controller thread would, and checks the effective broker config, the
 * topic config cache and DescribeConfigs' sources.
 */
#include <string.h>
#include <unistd.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "protocol/describeconfigs.h"
#include "server/dynamic_config.h"
#include "server/topic_config_cache.h"
#include "sm_test.h"

static const int32_t ids1[] = { 1 };
static const int32_t rep1[] = { 1 };

/* ---------------------------------------------------------- pure */

START_TEST(dynamic_config__change_number)
{
    ck_assert_int_eq(sm_dyncfg_change_number("config_change_0000000042"),
                     42);
    ck_assert_int_eq(sm_dyncfg_change_number("config_change_0000000000"),
                     0);
    ck_assert_int_eq(sm_dyncfg_change_number("config_change_"), -1);
    ck_assert_int_eq(sm_dyncfg_change_number("config_change_12x"), -1);
    ck_assert_int_eq(sm_dyncfg_change_number("config_change_-3"), -1);
    ck_assert_int_eq(sm_dyncfg_change_number("isr_change_0000000001"), -1);
    ck_assert_int_eq(sm_dyncfg_change_number(NULL), -1);
}
END_TEST

static sm_zk_config_change_t
chg(sm_zk_entity_t type, const char *name)
{
    sm_zk_config_change_t c;

    memset(&c, 0, sizeof(c));
    c.version = 2;
    c.entity_type = type;
    c.entity_name = (char *)name;
    return c;
}

START_TEST(dynamic_config__action)
{
    sm_zk_config_change_t c;

    c = chg(SM_ZK_ENTITY_TOPICS, "foo");
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_TOPIC);
    c = chg(SM_ZK_ENTITY_BROKERS, "<default>");
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_BROKER);
    c = chg(SM_ZK_ENTITY_BROKERS, "1");
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_BROKER);
    c = chg(SM_ZK_ENTITY_BROKERS, "2");
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_IGNORE);
    c = chg(SM_ZK_ENTITY_BROKERS, "1a");
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_IGNORE);
    c = chg(SM_ZK_ENTITY_BROKERS, "");
    ck_assert_int_eq(sm_dyncfg_action(&c, 0), SM_DYNCFG_IGNORE);
    c = chg(SM_ZK_ENTITY_CLIENTS, "<default>");
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_IGNORE);
    c = chg(SM_ZK_ENTITY_TOPICS, NULL);
    ck_assert_int_eq(sm_dyncfg_action(&c, 1), SM_DYNCFG_IGNORE);
}
END_TEST

/* Both notification forms a Kafka 2.x admin may write decode to the same
 * entity, and a bad payload is an error (the manager skips it). */
START_TEST(dynamic_config__decode_forms)
{
    static const char v2[] = "{\"version\":2,\"entity_path\":\"topics/foo\"}";
    static const char v1[] =
        "{\"version\":1,\"entity_type\":\"topics\",\"entity_name\":\"b\"}";
    /* Kafka's version 1 knew only topics and clients */
    static const char bad[] =
        "{\"version\":1,\"entity_type\":\"brokers\",\"entity_name\":\"3\"}";
    sm_zk_config_change_t c;
    char errstr[256];

    ck_assert_int_eq(sm_zk_config_change_decode("p", v2, (int)strlen(v2),
                                                &c, errstr, sizeof(errstr)),
                     SM_OK);
    ck_assert_int_eq(c.entity_type, SM_ZK_ENTITY_TOPICS);
    ck_assert_str_eq(c.entity_name, "foo");
    ck_assert_int_eq(sm_dyncfg_action(&c, 3), SM_DYNCFG_TOPIC);
    sm_zk_config_change_fini(&c);
    ck_assert_int_eq(sm_zk_config_change_decode("p", v1, (int)strlen(v1),
                                                &c, errstr, sizeof(errstr)),
                     SM_OK);
    ck_assert_str_eq(c.entity_name, "b");
    ck_assert_int_eq(sm_dyncfg_action(&c, 3), SM_DYNCFG_TOPIC);
    sm_zk_config_change_fini(&c);
    ck_assert_int_ne(sm_zk_config_change_decode("p", bad, (int)strlen(bad),
                                                &c, errstr, sizeof(errstr)),
                     SM_OK);
}
END_TEST

START_TEST(dynamic_config__select)
{
    const char *ch[] = {
        "config_change_0000000007", "junk", "config_change_0000000003",
        "config_change_0000000005", "config_change_0000000001",
    };
    int idx[5];
    int64_t last = -1;
    int n;

    n = sm_dyncfg_select(ch, 5, &last, idx);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(idx[0], 4);
    ck_assert_int_eq(idx[1], 2);
    ck_assert_int_eq(idx[2], 3);
    ck_assert_int_eq(idx[3], 0);
    ck_assert_int_eq(last, 7);
    /* nothing newer: nothing selected, last unchanged */
    ck_assert_int_eq(sm_dyncfg_select(ch, 5, &last, idx), 0);
    ck_assert_int_eq(last, 7);
    /* only the ones above last */
    last = 3;
    n = sm_dyncfg_select(ch, 5, &last, idx);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(idx[0], 3);
    ck_assert_int_eq(idx[1], 0);
    ck_assert_int_eq(sm_dyncfg_select(ch, 0, &last, idx), 0);
}
END_TEST

START_TEST(dynamic_config__obsolete_and_storage)
{
    int64_t now = 10000000;

    int64_t exp = SM_DYNCFG_CHANGE_EXPIRATION_MS;

    ck_assert(!sm_dyncfg_obsolete(now, now, exp));
    ck_assert(!sm_dyncfg_obsolete(now, now - exp, exp));
    ck_assert(sm_dyncfg_obsolete(now, now - exp - 1, exp));
    ck_assert_int_eq(sm_offsets_storage_parse("kafka"),
                     SM_OFFSETS_STORAGE_KAFKA);
    ck_assert_int_eq(sm_offsets_storage_parse("zookeeper"),
                     SM_OFFSETS_STORAGE_ZOOKEEPER);
    ck_assert_int_eq(sm_offsets_storage_parse("dual"),
                     SM_OFFSETS_STORAGE_DUAL);
    ck_assert_int_eq(sm_offsets_storage_parse("Kafka"), -1);
    ck_assert_int_eq(sm_offsets_storage_parse(NULL),
                     SM_OFFSETS_STORAGE_KAFKA);
}
END_TEST

/* ---------------------------------------------------------- with ZK */

typedef struct dh {
    ah_t h;
    sm_dyncfg_t *d;
} dh_t;

static void
dh_init(dh_t *t, const char *props)
{
    ah_init(&t->h, props, ids1, NULL, 1, 1);
    t->h.b.tcfg = sm_tcfg_cache_new(t->h.cfg, t->h.b.zk);
    t->d = NULL;
}

static void
dh_start(dh_t *t)
{
    t->d = sm_dyncfg_new(&t->h.b);
    ck_assert_int_eq(sm_dyncfg_start(t->d, NULL), SM_OK);
    t->h.b.dyncfg = t->d;
}

static void
dh_fini(dh_t *t)
{
    sm_tcfg_cache_destroy(t->h.b.tcfg);
    t->h.b.tcfg = NULL;
    t->h.b.dyncfg = NULL;
    sm_dyncfg_destroy(t->d);
    ah_fini(&t->h);
}

/* kafka-configs.sh --alter: entity znode, then a notification. */
static void
alter(dh_t *t, sm_zk_entity_t type, const char *name, const char *k,
      const char *v)
{
    sm_zk_config_t zc = { 0 };

    ck_assert_int_eq(sm_zk_get_entity_config(t->h.b.zk, type, name, &zc),
                     SM_OK);
    sm_zk_config_set(&zc, k, v);
    ck_assert_int_eq(sm_zk_change_entity_config(t->h.b.zk, type, name, &zc),
                     SM_OK);
    sm_zk_config_fini(&zc);
}

/* The same with k removed from the entity. */
static void
unset(dh_t *t, sm_zk_entity_t type, const char *name, const char *k)
{
    sm_zk_config_t zc = { 0 }, out = { 0 };

    ck_assert_int_eq(sm_zk_get_entity_config(t->h.b.zk, type, name, &zc),
                     SM_OK);
    for (int i = 0; i < zc.cnt; i++)
        if (strcmp(zc.keys[i], k) != 0)
            sm_zk_config_set(&out, zc.keys[i], zc.values[i]);
    ck_assert_int_eq(sm_zk_change_entity_config(t->h.b.zk, type, name,
                                                &out), SM_OK);
    sm_zk_config_fini(&zc);
    sm_zk_config_fini(&out);
}

static int64_t
retention_of(dh_t *t, const char *topic)
{
    sm_tcfg_t *tc;
    int64_t v;

    ck_assert_int_eq(sm_tcfg_get(t->h.b.tcfg, topic, &tc), SM_OK);
    v = tc->lcfg.retention_ms;
    sm_tcfg_release(t->h.b.tcfg, tc);
    return v;
}

/* Start-up reads both broker entities and skips (does not replay) the
 * notifications already present. */
START_TEST(dynamic_config__start_loads_and_skips)
{
    dh_t t;
    const sm_config_t *cfg;

    dh_init(&t, "log.retention.ms=1000\n");
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "offsets.storage", "dual");
    alter(&t, SM_ZK_ENTITY_BROKERS, "1", "log.retention.ms", "5000");
    alter(&t, SM_ZK_ENTITY_BROKERS, "2", "log.retention.ms", "7000");
    dh_start(&t);
    cfg = sm_broker_config(&t.h.b);
    ck_assert_ptr_ne(cfg, t.h.cfg);
    ck_assert_int_eq(sm_config_log_retention_ms(cfg), 5000);
    ck_assert_int_eq(sm_config_source(cfg, SM_CK_log_retention_ms),
                     SM_CONFIG_SOURCE_DYNAMIC_BROKER);
    ck_assert_int_eq(sm_config_source(cfg, SM_CK_offsets_storage),
                     SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER);
    ck_assert_int_eq(sm_broker_offsets_storage(&t.h.b),
                     SM_OFFSETS_STORAGE_DUAL);
    ck_assert_int_eq(sm_dyncfg_offsets_storage(t.d),
                     SM_OFFSETS_STORAGE_DUAL);
    ck_assert_int_ge(sm_dyncfg_last_change(t.d), 2);
    /* the static config is untouched */
    ck_assert_str_eq(t.h.cfg->offsets_storage, "kafka");
    dh_fini(&t);
}
END_TEST

/* Without dynamic configs the static config itself is served. */
START_TEST(dynamic_config__start_static_only)
{
    dh_t t;

    dh_init(&t, NULL);
    dh_start(&t);
    ck_assert_ptr_eq(sm_broker_config(&t.h.b), t.h.cfg);
    ck_assert_int_eq(sm_broker_offsets_storage(&t.h.b),
                     SM_OFFSETS_STORAGE_KAFKA);
    ck_assert_int_eq(sm_dyncfg_last_change(t.d), -1);
    dh_fini(&t);
}
END_TEST

/* A topic override change reaches the topic config cache on the next
 * poll; deleting it reverts to the broker default. */
START_TEST(dynamic_config__topic_override_live)
{
    dh_t t;

    dh_init(&t, "log.retention.ms=1000\n");
    ah_make_topic(&t.h, "t", 1, rep1, 1);
    dh_start(&t);
    ck_assert_int_eq(retention_of(&t, "t"), 1000);
    alter(&t, SM_ZK_ENTITY_TOPICS, "t", "retention.ms", "42000");
    ck_assert_int_eq(retention_of(&t, "t"), 1000);   /* cached */
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(retention_of(&t, "t"), 42000);
    unset(&t, SM_ZK_ENTITY_TOPICS, "t", "retention.ms");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(retention_of(&t, "t"), 1000);
    dh_fini(&t);
}
END_TEST

/* Broker default changes reach topics without overrides; precedence is
 * topic > per-broker > cluster default > static. */
START_TEST(dynamic_config__broker_layers)
{
    dh_t t;
    const sm_config_t *before;

    dh_init(&t, "log.retention.ms=1000\n");
    ah_make_topic(&t.h, "t", 1, rep1, 1);
    ah_make_topic(&t.h, "o", 1, rep1, 1);
    dh_start(&t);
    alter(&t, SM_ZK_ENTITY_TOPICS, "o", "retention.ms", "9");
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "log.retention.ms", "2000");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(retention_of(&t, "t"), 2000);
    ck_assert_int_eq(retention_of(&t, "o"), 9);
    alter(&t, SM_ZK_ENTITY_BROKERS, "1", "log.retention.ms", "3000");
    alter(&t, SM_ZK_ENTITY_BROKERS, "2", "log.retention.ms", "4000");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(retention_of(&t, "t"), 3000);
    ck_assert_int_eq(sm_config_source(sm_broker_config(&t.h.b),
                                      SM_CK_log_retention_ms),
                     SM_CONFIG_SOURCE_DYNAMIC_BROKER);
    /* offsets.storage switched live */
    before = sm_broker_config(&t.h.b);
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "offsets.storage",
          "zookeeper");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(sm_broker_offsets_storage(&t.h.b),
                     SM_OFFSETS_STORAGE_ZOOKEEPER);
    ck_assert_ptr_ne(before, sm_broker_config(&t.h.b));
    ck_assert_int_eq(before->log_retention_ms, 3000);  /* still valid */
    /* removing the per-broker value falls back to the default layer */
    unset(&t, SM_ZK_ENTITY_BROKERS, "1", "log.retention.ms");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(retention_of(&t, "t"), 2000);
    dh_fini(&t);
}
END_TEST

/* An invalid stored broker config (written behind the tool's back) is
 * refused and the current config kept, as Kafka does. */
START_TEST(dynamic_config__invalid_kept)
{
    dh_t t;

    dh_init(&t, NULL);
    dh_start(&t);
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "offsets.storage", "dual");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(sm_broker_offsets_storage(&t.h.b),
                     SM_OFFSETS_STORAGE_DUAL);
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "offsets.storage", "disk");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(sm_broker_offsets_storage(&t.h.b),
                     SM_OFFSETS_STORAGE_DUAL);
    /* a read-only key is refused too */
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "offsets.storage",
          "kafka");
    alter(&t, SM_ZK_ENTITY_BROKERS, "1", "broker.id", "7");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(sm_broker_offsets_storage(&t.h.b),
                     SM_OFFSETS_STORAGE_DUAL);
    dh_fini(&t);
}
END_TEST

/* A notification that does not decode is skipped; the next is handled. */
START_TEST(dynamic_config__bad_notification_skipped)
{
    dh_t t;
    char *path = sm_strdup("/config/changes/config_change_");

    dh_init(&t, NULL);
    ah_make_topic(&t.h, "t", 1, rep1, 1);
    dh_start(&t);
    ck_assert_int_eq(sm_zk_create(t.h.b.zk, path, "{bad", 4,
                                  SM_ZK_PERSISTENT_SEQUENTIAL, NULL, NULL),
                     SM_OK);
    alter(&t, SM_ZK_ENTITY_TOPICS, "t", "retention.ms", "77");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(retention_of(&t, "t"), 77);
    ck_assert_int_ge(sm_dyncfg_last_change(t.d), 1);
    free(path);
    dh_fini(&t);
}
END_TEST

/* Notifications older than the expiration are deleted after a pass,
 * newer ones kept (Kafka's purgeObsoleteNotifications). */
START_TEST(dynamic_config__purge)
{
    dh_t t;
    sm_zk_strings_t ch = { 0 };

    dh_init(&t, NULL);
    ah_make_topic(&t.h, "t", 1, rep1, 1);
    dh_start(&t);
    alter(&t, SM_ZK_ENTITY_TOPICS, "t", "retention.ms", "5");
    sm_dyncfg_poll(t.d);                /* default age: kept */
    ck_assert_int_eq(sm_zk_get_config_changes(t.h.b.zk, 0, &ch), SM_OK);
    ck_assert_int_eq(ch.cnt, 1);
    sm_zk_strings_fini(&ch);
    usleep(1500 * 1000);
    sm_dyncfg_set_expiration(t.d, 1000);
    alter(&t, SM_ZK_ENTITY_TOPICS, "t", "retention.ms", "6");
    sm_dyncfg_poll(t.d);                /* the first is old now */
    ck_assert_int_eq(retention_of(&t, "t"), 6);
    ck_assert_int_eq(sm_zk_get_config_changes(t.h.b.zk, 0, &ch), SM_OK);
    ck_assert_int_eq(ch.cnt, 1);
    ck_assert_int_eq(sm_dyncfg_change_number(ch.v[0]),
                     sm_dyncfg_last_change(t.d));
    sm_zk_strings_fini(&ch);
    dh_fini(&t);
}
END_TEST

/* DescribeConfigs reports the dynamic sources. */
static void
dc_write(sm_buf_t *buf, int16_t v, const void *m)
{
    sm_DescribeConfigsRequest_write(buf, v, m);
}

static int8_t
describe_source(dh_t *t, const char *resource, const char *key,
                char **value)
{
    sm_DescribeConfigsRequest_t req = { 0 };
    sm_DescribeConfigsRequestResource_t r;
    sm_DescribeConfigsResponse_t m;
    sm_str_t names[1];
    ah_resp_t *resp;
    sm_rd_t rd;
    int8_t src = -1;

    memset(&r, 0, sizeof(r));
    r.ResourceType = 4;                     /* BROKER */
    r.ResourceName = sm_str_cstr(resource);
    names[0] = sm_str_cstr(key);
    r.ConfigurationKeys = names;
    r.ConfigurationKeysCnt = 1;
    req.ResourcesCnt = 1;
    req.Resources = &r;
    ah_send(&t->h, SM_API_DescribeConfigs, 1, dc_write, &req);
    resp = ah_wait(0);
    ck_assert_ptr_nonnull(resp);
    rd = ah_body(resp, SM_API_DescribeConfigs, 1);
    ck_assert_int_eq(sm_DescribeConfigsResponse_read(&rd, 1, &m), SM_OK);
    ck_assert_int_eq(m.ResultsCnt, 1);
    ck_assert_int_eq(m.Results[0].ErrorCode, 0);
    if (m.Results[0].ConfigsCnt == 1) {
        src = m.Results[0].Configs[0].ConfigSource;
        *value = sm_strndup(m.Results[0].Configs[0].Value.ptr,
                            (size_t)m.Results[0].Configs[0].Value.len);
    }
    sm_DescribeConfigsResponse_free(&m);
    ah_resp_free(resp);
    return src;
}

START_TEST(dynamic_config__describe_sources)
{
    dh_t t;
    char *v = NULL;

    dh_init(&t, "log.retention.ms=1000\n");
    dh_start(&t);
    ck_assert_int_eq(describe_source(&t, "1", "offsets.storage", &v),
                     SM_CONFIG_SOURCE_DEFAULT);
    ck_assert_str_eq(v, "kafka");
    free(v);
    ck_assert_int_eq(describe_source(&t, "1", "log.retention.ms", &v),
                     SM_CONFIG_SOURCE_STATIC_BROKER);
    free(v);
    alter(&t, SM_ZK_ENTITY_BROKERS, "<default>", "offsets.storage",
          "zookeeper");
    alter(&t, SM_ZK_ENTITY_BROKERS, "1", "log.retention.ms", "5000");
    sm_dyncfg_poll(t.d);
    ck_assert_int_eq(describe_source(&t, "1", "offsets.storage", &v),
                     SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER);
    ck_assert_str_eq(v, "zookeeper");
    free(v);
    ck_assert_int_eq(describe_source(&t, "", "offsets.storage", &v),
                     SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER);
    free(v);
    ck_assert_int_eq(describe_source(&t, "1", "log.retention.ms", &v),
                     SM_CONFIG_SOURCE_DYNAMIC_BROKER);
    ck_assert_str_eq(v, "5000");
    free(v);
    dh_fini(&t);
}
END_TEST

Suite *
sm_test_suite_dynamic_config_pure(void)
{
    Suite *s = suite_create("dynamic_config_pure");
    TCase *tc = tcase_create("pure");

    tcase_add_test(tc, dynamic_config__change_number);
    tcase_add_test(tc, dynamic_config__action);
    tcase_add_test(tc, dynamic_config__decode_forms);
    tcase_add_test(tc, dynamic_config__select);
    tcase_add_test(tc, dynamic_config__obsolete_and_storage);
    suite_add_tcase(s, tc);
    return s;
}

Suite *
sm_test_suite_dynamic_config(void)
{
    Suite *s = suite_create("dynamic_config");
    TCase *tc = tcase_create("zk");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dynamic_config__start_loads_and_skips);
    tcase_add_test(tc, dynamic_config__start_static_only);
    tcase_add_test(tc, dynamic_config__topic_override_live);
    tcase_add_test(tc, dynamic_config__broker_layers);
    tcase_add_test(tc, dynamic_config__invalid_kept);
    tcase_add_test(tc, dynamic_config__bad_notification_skipped);
    tcase_add_test(tc, dynamic_config__purge);
    tcase_add_test(tc, dynamic_config__describe_sources);
    suite_add_tcase(s, tc);
    return s;
}
