/* test_config_describe.c: DescribeConfigs entries and dynamic configs
 * (config_describe.c). */
#include <string.h>

#include "config_util.h"

#define ZK "zookeeper.connect=localhost:2181\n"

static void
describe_broker(const sm_config_t *cfg, int per_broker, cfg_entries_t *es)
{
    es->v = NULL;
    es->n = 0;
    sm_config_describe_broker(cfg, per_broker, NULL, 0, cfg_collect, es);
}

static void
check_syn(const cfg_entry_t *e, int i, const char *name, const char *value,
          int source)
{
    ck_assert_int_gt(e->nsyn, i);
    ck_assert_str_eq(e->syn_name[i], name);
    if (value)
        ck_assert_str_eq(e->syn_value[i], value);
    else
        ck_assert_ptr_null(e->syn_value[i]);
    ck_assert_int_eq(e->syn_source[i], source);
}

START_TEST(describe__broker_sources_and_defaults)
{
    sm_config_t *cfg = cfg_ok(ZK "log.retention.hours=24\nfoo.bar=x\n"
                              "ssl.key.password=pw\n");
    cfg_entries_t es;
    const cfg_entry_t *e;

    describe_broker(cfg, 1, &es);
    for (int i = 1; i < es.n; i++)
        ck_assert_int_lt(strcmp(es.v[i - 1].name, es.v[i].name), 0);
    e = cfg_find(&es, "message.max.bytes");
    ck_assert_str_eq(e->value, "1048588");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_DEFAULT);
    ck_assert_int_eq(e->read_only, 0);                 /* cluster-wide */
    ck_assert_int_eq(e->type, SM_CT_INT);
    ck_assert_ptr_nonnull(e->doc);
    ck_assert_int_eq(e->nsyn, 1);
    check_syn(e, 0, "message.max.bytes", "1048588", SM_CONFIG_SOURCE_DEFAULT);
    e = cfg_find(&es, "zookeeper.connect");
    ck_assert_str_eq(e->value, "localhost:2181");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_STATIC_BROKER);
    ck_assert_int_eq(e->read_only, 1);
    e = cfg_find(&es, "log.retention.hours");
    ck_assert_str_eq(e->value, "24");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_STATIC_BROKER);
    ck_assert_int_eq(e->nsyn, 2);
    check_syn(e, 0, "log.retention.hours", "24",
              SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 1, "log.retention.hours", "168", SM_CONFIG_SOURCE_DEFAULT);
    e = cfg_find(&es, "log.retention.ms");    /* Kafka: null, DEFAULT */
    ck_assert_ptr_null(e->value);
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_DEFAULT);
    ck_assert_int_eq(e->nsyn, 0);
    e = cfg_find(&es, "ssl.key.password");
    ck_assert_int_eq(e->is_sensitive, 1);
    ck_assert_ptr_null(e->value);
    ck_assert_ptr_null(e->syn_value[0]);
    ck_assert_int_eq(e->type, SM_CT_PASSWORD);
    e = cfg_find(&es, "foo.bar");             /* unknown: sensitive */
    ck_assert_int_eq(e->is_sensitive, 1);
    ck_assert_ptr_null(e->value);
    ck_assert_int_eq(e->type, 0);
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_STATIC_BROKER);
    ck_assert_ptr_null(cfg_find(&es, "process.roles"));   /* internal */
    ck_assert_ptr_null(cfg_find(&es, "super.users"));     /* foreign */
    ck_assert_ptr_nonnull(cfg_find(&es, "offsets.storage"));
    cfg_entries_free(&es);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(describe__broker_synonym_order)
{
    sm_config_t *cfg = cfg_ok(ZK "log.retention.hours=24\n"
                              "log.retention.ms=1000\n"
                              "log.flush.scheduler.interval.ms=5\n"
                              "log.flush.interval.ms=6\n");
    cfg_entries_t es;
    const cfg_entry_t *e;
    const char *names[] = { "log.retention.ms", "log.flush.interval.ms",
                            "nope" };

    es.v = NULL;
    es.n = 0;
    sm_config_describe_broker(cfg, 1, names, 3, cfg_collect, &es);
    ck_assert_int_eq(es.n, 2);
    e = cfg_find(&es, "log.retention.ms");
    ck_assert_str_eq(e->value, "1000");
    ck_assert_int_eq(e->nsyn, 3);
    check_syn(e, 0, "log.retention.ms", "1000",
              SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 1, "log.retention.hours", "24",
              SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 2, "log.retention.hours", "168", SM_CONFIG_SOURCE_DEFAULT);
    e = cfg_find(&es, "log.flush.interval.ms");
    ck_assert_int_eq(e->nsyn, 3);
    check_syn(e, 1, "log.flush.scheduler.interval.ms", "5",
              SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 2, "log.flush.scheduler.interval.ms",
              "9223372036854775807", SM_CONFIG_SOURCE_DEFAULT);
    cfg_entries_free(&es);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(describe__topic_entries)
{
    sm_config_t *cfg = cfg_ok(ZK "log.retention.hours=24\n"
                              "log.segment.bytes=2048\n");
    sm_props_t p = SM_PROPS_INIT;
    cfg_entries_t es = { NULL, 0 };
    const cfg_entry_t *e;
    char err[256] = "";

    sm_props_set(&p, "cleanup.policy", "compact", 0);
    sm_props_set(&p, "x.custom", "1", 0);
    ck_assert_int_eq(sm_config_describe_topic(cfg, &p, NULL, 0, cfg_collect,
                                              &es, err, sizeof(err)), SM_OK);
    ck_assert_int_eq(es.n, SM_TK__COUNT + 1);
    for (int i = 1; i < es.n; i++)
        ck_assert_int_lt(strcmp(es.v[i - 1].name, es.v[i].name), 0);
    e = cfg_find(&es, "retention.ms");    /* hours set: still DEFAULT */
    ck_assert_str_eq(e->value, "86400000");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_DEFAULT);
    ck_assert_int_eq(e->nsyn, 0);
    ck_assert_int_eq(e->read_only, 0);
    e = cfg_find(&es, "segment.bytes");
    ck_assert_str_eq(e->value, "2048");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 0, "log.segment.bytes", "2048",
              SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 1, "log.segment.bytes", "1073741824",
              SM_CONFIG_SOURCE_DEFAULT);
    e = cfg_find(&es, "cleanup.policy");
    ck_assert_str_eq(e->value, "compact");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_TOPIC);
    ck_assert_int_eq(e->type, SM_CT_LIST);
    check_syn(e, 0, "cleanup.policy", "compact", SM_CONFIG_SOURCE_TOPIC);
    check_syn(e, 1, "log.cleanup.policy", "delete",
              SM_CONFIG_SOURCE_DEFAULT);
    e = cfg_find(&es, "leader.replication.throttled.replicas");
    ck_assert_str_eq(e->value, "");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_DEFAULT);
    ck_assert_ptr_nonnull(e->doc);
    e = cfg_find(&es, "x.custom");
    ck_assert_int_eq(e->source, SM_CONFIG_SOURCE_TOPIC);
    ck_assert_int_eq(e->is_sensitive, 1);
    cfg_entries_free(&es);
    sm_props_set(&p, "retention.ms", "oops", 0);
    ck_assert_int_eq(sm_config_describe_topic(cfg, &p, NULL, 0, cfg_collect,
                                              &es, err, sizeof(err)),
                     SM_ERR_INVALID_CONFIG);
    ck_assert_int_eq(es.n, 0);
    ck_assert_ptr_nonnull(strstr(err, "retention.ms"));
    sm_props_fini(&p);
    sm_config_destroy(cfg);
}
END_TEST

START_TEST(describe__dynamic_layers)
{
    sm_config_t *base = cfg_ok(ZK "num.io.threads=8\n"), *cfg;
    sm_props_t def = SM_PROPS_INIT, brk = SM_PROPS_INIT;
    cfg_entries_t es;
    const cfg_entry_t *e;
    char err[512] = "";

    sm_props_set(&def, "num.io.threads", "4", 0);
    sm_props_set(&def, "log.retention.ms", "5000", 0);
    sm_props_set(&brk, "num.io.threads", "6", 0);
    sm_props_set(&brk, "listeners", "PLAINTEXT://:9099", 0);
    ck_assert_msg(sm_config_apply_dynamic(base, &def, &brk, &cfg, err,
                                          sizeof(err)) == SM_OK, "%s", err);
    ck_assert_int_eq(base->num_io_threads, 8);          /* untouched */
    ck_assert_int_eq(cfg->num_io_threads, 6);
    ck_assert_int_eq(sm_config_log_retention_ms(cfg), 5000);
    ck_assert_int_eq(sm_config_listeners(cfg, &(int){0})[0].port, 9099);
    ck_assert_int_eq(sm_config_source(cfg, SM_CK_num_io_threads),
                     SM_CONFIG_SOURCE_DYNAMIC_BROKER);
    describe_broker(cfg, 1, &es);
    e = cfg_find(&es, "num.io.threads");
    ck_assert_str_eq(e->value, "6");
    ck_assert_int_eq(e->nsyn, 4);
    check_syn(e, 0, "num.io.threads", "6", SM_CONFIG_SOURCE_DYNAMIC_BROKER);
    check_syn(e, 1, "num.io.threads", "4",
              SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER);
    check_syn(e, 2, "num.io.threads", "8", SM_CONFIG_SOURCE_STATIC_BROKER);
    check_syn(e, 3, "num.io.threads", "8", SM_CONFIG_SOURCE_DEFAULT);
    cfg_entries_free(&es);
    describe_broker(cfg, 0, &es);                  /* cluster default */
    ck_assert_int_eq(es.n, 2);
    ck_assert_str_eq(es.v[0].name, "log.retention.ms");
    ck_assert_str_eq(es.v[0].value, "5000");
    ck_assert_int_eq(es.v[0].source,
                     SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER);
    ck_assert_str_eq(es.v[1].value, "4");
    ck_assert_int_eq(es.v[1].nsyn, 1);
    cfg_entries_free(&es);
    sm_config_destroy(cfg);
    sm_props_fini(&def);
    sm_props_fini(&brk);
    sm_config_destroy(base);
}
END_TEST

START_TEST(describe__dynamic_refusals)
{
    static const struct {
        int cluster;
        const char *key, *value, *why;
    } cases[] = {
        { 1, "listeners", "PLAINTEXT://:1", "broker id must be specified" },
        { 0, "log.retention.hours", "1",
          "Cannot update these configs dynamically" },
        { 0, "no.such", "1", "Unknown configuration 'no.such'" },
        { 0, "num.io.threads", "0", "Value must be at least 1" },
        { 0, "log.retention.ms", "0", "log.retention.ms must be" },
    };
    sm_config_t *base = cfg_ok(ZK), *cfg;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sm_props_t p = SM_PROPS_INIT;
        char err[512] = "";

        sm_props_set(&p, cases[i].key, cases[i].value, 0);
        ck_assert_int_eq(sm_config_apply_dynamic(
                             base, cases[i].cluster ? &p : NULL,
                             cases[i].cluster ? NULL : &p, &cfg, err,
                             sizeof(err)), SM_ERR_INVALID_CONFIG);
        ck_assert_ptr_null(cfg);
        ck_assert_msg(strstr(err, cases[i].why) != NULL, "%s", err);
        sm_props_fini(&p);
    }
    sm_config_destroy(base);
}
END_TEST

Suite *
sm_test_suite_config_describe(void)
{
    Suite *s = suite_create("config_describe");
    TCase *tc = tcase_create("config_describe");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, describe__broker_sources_and_defaults);
    tcase_add_test(tc, describe__broker_synonym_order);
    tcase_add_test(tc, describe__topic_entries);
    tcase_add_test(tc, describe__dynamic_layers);
    tcase_add_test(tc, describe__dynamic_refusals);
    suite_add_tcase(s, tc);
    return s;
}
