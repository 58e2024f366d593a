/* test_topics_common.c: src/tools/topics_common.c - the Java behaviour
 * samsa-topics reproduces: HashMap iteration order (vectors printed by
 * OpenJDK 17's java.util.HashMap), String.split rules of --config and
 * --replica-assignment, Integer option parsing, the --topic IncludeList,
 * and DescribeOptions' partition filters. */
#include <stdlib.h>
#include <string.h>

#include "server/config.h"
#include "sm_test.h"
#include "tools/topics.h"

static tp_ctx_t ctx;

static void
setup(void)
{
    memset(&ctx, 0, sizeof(ctx));
}

static void
teardown(void)
{
    for (int i = 0; i < O__CNT; i++)
        free(ctx.opt[i].args);
    free(ctx.exc_class);
    free(ctx.exc_msg);
    if (ctx.defaults != NULL)
        sm_config_destroy(ctx.defaults);
    memset(&ctx, 0, sizeof(ctx));
}

/* Give option o the arguments args[0..n) (n 0: a flag). */
static void
set_opt(int o, const char *const *args, int n)
{
    tp_optval_t *v = &ctx.opt[o];

    free(v->args);
    v->args = calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        v->args[i] = args[i];
    v->nargs = n;
    v->count = n > 0 ? n : 1;
}

static void
set1(int o, const char *arg)
{
    set_opt(o, &arg, 1);
}

/* ------------------------------------------------------------ HashMap */

/* keys in insertion order -> the order printed by Java */
static void
check_order(const char *const *keys, int n, const char *java, int topics)
{
    int order[64];
    char got[2048] = "";

    for (int i = 0; i < n; i++)
        order[i] = i;
    if (topics) {
        tp_java_order(keys, order, n, tp_java_cap(n, n));
        tp_java_order(keys, order, n, tp_java_copy_cap(n));
        tp_java_order(keys, order, n, tp_java_cap(n, n));
    } else {
        tp_java_order(keys, order, n, tp_java_cap(-1, n));
    }
    for (int i = 0; i < n; i++) {
        if (i > 0)
            strcat(got, " ");
        strcat(got, keys[order[i]]);
    }
    ck_assert_str_eq(got, java);
}

START_TEST(topics_common__java_order)
{
    static const char *const t1[] = { "a", "b", "c", "demo", "my_topic",
        "t1", "t10", "t2", "topic-x", "zz" };
    static const char *const t2[] = { "t0", "t1", "t2", "t3", "t4", "t5",
        "t6", "t7", "t8", "t9", "t10", "t11", "t12", "t13", "t14", "t15",
        "t16", "t17", "t18", "t19", "t20" };
    static const char *const t3[] = { "b1", "demo" };
    static const char *const cfg[] = { "cleanup.policy", "compression.type",
        "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
        "flush.ms", "follower.replication.throttled.replicas",
        "index.interval.bytes", "leader.replication.throttled.replicas",
        "max.compaction.lag.ms", "max.message.bytes",
        "message.downconversion.enable", "message.format.version",
        "message.timestamp.difference.max.ms", "message.timestamp.type",
        "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
        "min.insync.replicas", "preallocate", "retention.bytes",
        "retention.ms", "segment.bytes", "segment.index.bytes",
        "segment.jitter.ms", "segment.ms",
        "unclean.leader.election.enable" };

    check_order(t1, 10, "zz a b t10 topic-x c my_topic demo t1 t2", 1);
    check_order(t2, 21, "t4 t5 t6 t7 t8 t9 t10 t20 t12 t11 t14 t13 t16 t15 "
                "t18 t17 t0 t1 t19 t2 t3", 1);
    check_order(t3, 2, "demo b1", 1);
    check_order(cfg, 26, "compression.type "
        "leader.replication.throttled.replicas "
        "message.downconversion.enable min.insync.replicas "
        "segment.jitter.ms cleanup.policy flush.ms "
        "follower.replication.throttled.replicas retention.ms segment.bytes "
        "flush.messages message.format.version file.delete.delay.ms "
        "max.compaction.lag.ms max.message.bytes min.compaction.lag.ms "
        "message.timestamp.type preallocate index.interval.bytes "
        "min.cleanable.dirty.ratio unclean.leader.election.enable "
        "delete.retention.ms retention.bytes segment.ms "
        "message.timestamp.difference.max.ms segment.index.bytes", 0);
    ck_assert_uint_eq(tp_java_cap(-1, 12), 16);
    ck_assert_uint_eq(tp_java_cap(-1, 13), 32);
    ck_assert_uint_eq(tp_java_cap(1, 1), 2);
    ck_assert_uint_eq(tp_java_copy_cap(3), 8);
}
END_TEST

/* ------------------------------------------------------------ configs */

START_TEST(topics_common__configs)
{
    static const char *const ok[] = { "retention.ms = 5",
        " cleanup.policy=compact", "retention.ms=7" };
    tp_cmd_t cmd;
    char *s;

    set1(O_TOPIC, "t");
    set_opt(O_CONFIG, ok, 3);
    ck_assert_int_eq(tp_cmd_parse(&ctx, &cmd), 0);
    ck_assert_int_eq(cmd.ncfg, 2);
    ck_assert_str_eq(cmd.cfg_keys[0], "retention.ms");
    ck_assert_str_eq(cmd.cfg_vals[0], "7");
    ck_assert_str_eq(cmd.cfg_keys[1], "cleanup.policy");
    s = tp_configs_string(cmd.cfg_keys, cmd.cfg_vals, cmd.ncfg);
    ck_assert_str_eq(s, "cleanup.policy=compact,retention.ms=7");
    free(s);
    tp_cmd_fini(&cmd);
}
END_TEST

/* tp_cmd_parse must fail with this message. */
static void
parse_fails(const char *msg)
{
    tp_cmd_t cmd;

    ck_assert_int_eq(tp_cmd_parse(&ctx, &cmd), -1);
    ck_assert_str_eq(ctx.exc_msg, msg);
    tp_cmd_fini(&cmd);
}

START_TEST(topics_common__config_errors)
{
    static const char *const bad_format =
        "requirement failed: Invalid topic config: all configs to be added "
        "must be in the format \"key=val\".";

    set1(O_TOPIC, "t");
    set1(O_CONFIG, "retention.ms=");
    parse_fails(bad_format);
    set1(O_CONFIG, "a=b=c");
    parse_fails(bad_format);
    set1(O_CONFIG, "retention.ms");
    parse_fails(bad_format);
    set1(O_CONFIG, "foo=1");
    parse_fails("Unknown topic config name: foo");
    set1(O_CONFIG, "=1");
    parse_fails("Unknown topic config name: ");
    set1(O_CONFIG, "retention.ms=abc");
    parse_fails("Invalid value abc for configuration retention.ms: Not a "
                "number of type LONG");
    set_opt(O_CONFIG, NULL, 0);
    ctx.opt[O_CONFIG].count = 0;
    set1(O_DELETE_CONFIG, " nope ");
    parse_fails("Unknown topic config name: nope");
}
END_TEST

/* ------------------------------------------------------------ numbers */

START_TEST(topics_common__assignment)
{
    tp_cmd_t cmd;

    set1(O_TOPIC, "t");
    set1(O_REPLICA_ASSIGNMENT, "0:1, 1 :2");
    ck_assert_int_eq(tp_cmd_parse(&ctx, &cmd), 0);
    ck_assert_int_eq(cmd.has_assignment, 1);
    ck_assert_int_eq(cmd.nassign, 2);
    ck_assert_int_eq(cmd.assign[1].cnt, 2);
    ck_assert_int_eq(cmd.assign[1].v[0], 1);
    ck_assert_int_eq(cmd.assign[1].v[1], 2);
    tp_cmd_fini(&cmd);
    set1(O_REPLICA_ASSIGNMENT, "");         /* empty: no assignment */
    ck_assert_int_eq(tp_cmd_parse(&ctx, &cmd), 0);
    ck_assert_int_eq(cmd.has_assignment, 0);
    tp_cmd_fini(&cmd);
    set1(O_REPLICA_ASSIGNMENT, "0:0");
    parse_fails("Partition replica lists may not contain duplicate "
                "entries: 0");
    set1(O_REPLICA_ASSIGNMENT, "0,0:1");
    parse_fails("Partition 1 has different replication factor: [0, 1]");
    set1(O_REPLICA_ASSIGNMENT, "0,,1");
    parse_fails("For input string: \"\"");
    set1(O_REPLICA_ASSIGNMENT, "0:x");
    parse_fails("For input string: \"x\"");
}
END_TEST

START_TEST(topics_common__int_options)
{
    static const char *const two[] = { "a", "b" };
    tp_cmd_t cmd;

    set1(O_TOPIC, "t");
    set1(O_PARTITIONS, "+5");
    set1(O_REPLICATION_FACTOR, "-1");
    ck_assert_int_eq(tp_cmd_parse(&ctx, &cmd), 0);
    ck_assert_int_eq(cmd.has_partitions, 1);
    ck_assert_int_eq(cmd.partitions, 5);
    ck_assert_int_eq(cmd.rf, -1);
    tp_cmd_fini(&cmd);
    set1(O_PARTITIONS, "5x");
    parse_fails("Cannot parse argument '5x' of option partitions");
    set1(O_PARTITIONS, "2147483648");
    parse_fails("Cannot parse argument '2147483648' of option partitions");
    set1(O_PARTITIONS, "1");
    set_opt(O_TOPIC, two, 2);
    parse_fails("Found multiple arguments for option topic, but you asked "
                "for only one");
}
END_TEST

/* ------------------------------------------------------------ filter */

static const char *const all_topics[] = { "__consumer_offsets", "a.b",
    "a_b", "demo", "t1", "t10" };

/* The --topic value's matches, space-separated; NULL: it threw. */
static char *
filter(const char *topic)
{
    const char **out = NULL;
    char buf[256] = "";
    int n = 0;

    if (topic != NULL)
        set1(O_TOPIC, topic);
    if (tp_filter_topics(&ctx, (char *const *)all_topics, 6, &out,
                         &n) != 0) {
        free(out);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (i > 0)
            strcat(buf, " ");
        strcat(buf, out[i]);
    }
    free(out);
    return strdup(buf);
}

static void
check_filter(const char *topic, const char *want)
{
    char *got = filter(topic);

    ck_assert_msg(got != NULL, "%s threw: %s", topic, ctx.exc_msg);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(topics_common__filter)
{
    check_filter(NULL, "__consumer_offsets a.b a_b demo t1 t10");
    check_filter("t1", "t1");
    check_filter("t\\d+", "t1 t10");
    check_filter("demo, t1", "demo t1");
    check_filter("'demo'", "demo");
    check_filter("a\\.b", "a.b");
    check_filter("a.b", "a.b a_b");
    check_filter("[\\w]_b", "a_b");
    check_filter("__.*", "__consumer_offsets");
    set_opt(O_EXCLUDE_INTERNAL, NULL, 0);
    check_filter(".*", "a.b a_b demo t1 t10");
    ck_assert_ptr_null(filter("t("));
    ck_assert_str_eq(ctx.exc_msg, "t( is an invalid regex.");
    ck_assert_ptr_null(filter("(?i)DEMO"));
}
END_TEST

START_TEST(topics_common__ensure_exists)
{
    ck_assert_int_eq(tp_ensure_exists(&ctx, 0), 0);     /* no --topic */
    set1(O_TOPIC, "x.*");
    ck_assert_int_eq(tp_ensure_exists(&ctx, 1), 0);
    ck_assert_int_eq(tp_ensure_exists(&ctx, 0), -1);
    ck_assert_str_eq(ctx.exc_msg, "Topic 'x.*' does not exist as expected");
    set_opt(O_IF_EXISTS, NULL, 0);
    ck_assert_int_eq(tp_ensure_exists(&ctx, 0), 0);
}
END_TEST

/* ------------------------------------------------------------ describe */

START_TEST(topics_common__should_print)
{
    static const int32_t r3[] = { 0, 1, 2 }, i1[] = { 0 };
    static const int32_t live[] = { 0, 1 };
    tp_part_row_t full = { 0, 0, r3, 3, r3, 3 };
    tp_part_row_t under = { 1, 0, r3, 3, i1, 1 };
    tp_part_row_t noleader = { 2, -1, r3, 3, i1, 1 };
    tp_part_row_t deadleader = { 3, 2, r3, 3, r3, 3 };

    ck_assert_int_eq(tp_should_print(&ctx, &full, -1, live, 2), 1);
    set_opt(O_UNDER_REPLICATED, NULL, 0);
    ck_assert_int_eq(tp_describe_configs(&ctx), 0);
    ck_assert_int_eq(tp_should_print(&ctx, &full, -1, live, 2), 0);
    ck_assert_int_eq(tp_should_print(&ctx, &under, -1, live, 2), 1);
    ctx.opt[O_UNDER_REPLICATED].count = 0;
    set_opt(O_UNAVAILABLE, NULL, 0);
    ck_assert_int_eq(tp_should_print(&ctx, &under, -1, live, 2), 0);
    ck_assert_int_eq(tp_should_print(&ctx, &noleader, -1, live, 2), 1);
    ck_assert_int_eq(tp_should_print(&ctx, &deadleader, -1, live, 2), 1);
    ctx.opt[O_UNAVAILABLE].count = 0;
    set_opt(O_UNDER_MIN_ISR, NULL, 0);
    ck_assert_int_eq(tp_should_print(&ctx, &under, 2, live, 2), 1);
    ck_assert_int_eq(tp_should_print(&ctx, &full, 2, live, 2), 0);
    ck_assert_int_eq(tp_should_print(&ctx, &noleader, -1, live, 2), 1);
    ctx.opt[O_UNDER_MIN_ISR].count = 0;
    set_opt(O_AT_MIN_ISR, NULL, 0);
    ck_assert_int_eq(tp_should_print(&ctx, &under, 1, live, 2), 1);
    ck_assert_int_eq(tp_should_print(&ctx, &under, -1, live, 2), 0);
    set_opt(O_TOPICS_WITH_OVERRIDES, NULL, 0);
    ck_assert_int_eq(tp_describe_partitions(&ctx), 0);
}
END_TEST

Suite *
sm_test_suite_topics_common(void)
{
    Suite *s = suite_create("topics_common");
    TCase *tc = tcase_create("topics_common");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, topics_common__java_order);
    tcase_add_test(tc, topics_common__configs);
    tcase_add_test(tc, topics_common__config_errors);
    tcase_add_test(tc, topics_common__assignment);
    tcase_add_test(tc, topics_common__int_options);
    tcase_add_test(tc, topics_common__filter);
    tcase_add_test(tc, topics_common__ensure_exists);
    tcase_add_test(tc, topics_common__should_print);
    suite_add_tcase(s, tc);
    return s;
}
