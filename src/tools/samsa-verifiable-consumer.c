/*
 * samsa-verifiable-consumer: consume a topic as a member of a group and
 * print one JSON line per consumer event, so a test harness can check
 * rebalances, what was consumed and what was committed - Kafka's
 * org.apache.kafka.tools.VerifiableConsumer (the flags and JSON of Kafka
 * 2.x's system tests), run by bin/kafka-verifiable-consumer.sh, over
 * libsamsa's group consumer.
 *
 * OUTPUT (standard output, one JSON object per line, "timestamp" (ms since
 * the epoch) and "name" first):
 *   startup_complete
 *   partitions_revoked    partitions: [{topic, partition}]
 *   partitions_assigned   partitions: [{topic, partition}]
 *   record_data           key, value, topic, partition, offset (--verbose)
 *   records_consumed      count (the batch), partitions: [{topic,
 *                         partition, count, minOffset, maxOffset}]
 *   offsets_committed     offsets: [{topic, partition, offset}],
 *                         error (only on failure), success
 *   shutdown_complete     after the consumer is closed
 * Without --enable-autocommit each non-empty batch is committed with a
 * synchronous commit of max offset + 1 per partition, reported by
 * offsets_committed; auto commits are not reported (as Kafka's tool).
 * --max-messages N stops after N records (the last batch cut there);
 * -1 (the default) runs until SIGTERM or SIGINT, which close the consumer
 * the same way.
 *
 * COMMAND LINE (argparse4j's rules, as samsa-verifiable-producer): no
 * arguments print the usage and exit 0; a missing or bad argument prints
 * the usage and an error and exits 1.
 *
 * Threads: one; libsamsa runs the rebalance callback inside poll and
 * close, on this thread.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "tools/console.h"
#include "tools/verifiable.h"

#define VC_BATCH 500

typedef struct vc {
    const char *topic, *bootstrap, *group, *instance, *config_file;
    const char *reset, *strategy;
    long long   max, session_ms, consumed;
    int         verbose, autocommit;
} vc_t;

static volatile sig_atomic_t vc_stop;

static const char vc_usage_text[] =
"usage: verifiable-consumer [-h]\n"
"                           (--bootstrap-server "
"HOST1:PORT1[,HOST2:PORT2[...]] |\n"
"                           --broker-list HOST1:PORT1[,HOST2:PORT2[...]])\n"
"                           --topic TOPIC --group-id GROUP_ID\n"
"                           [--group-instance-id GROUP_INSTANCE_ID]\n"
"                           [--max-messages MAX-MESSAGES]\n"
"                           [--session-timeout TIMEOUT_MS] [--verbose]\n"
"                           [--enable-autocommit]\n"
"                           [--reset-policy RESETPOLICY]\n"
"                           [--assignment-strategy ASSIGNMENTSTRATEGY]\n"
"                           [--consumer.config CONFIG_FILE]\n"
"\n"
"This tool consumes messages from a specific topic and emits consumer "
"events\n(e.g. group rebalances, received messages, and offsets committed) "
"as JSON\nobjects to STDOUT.\n";

/* ------------------------------------------------------------ output */

static void
vc_tp(const char *topic, int32_t partition)
{
    fputs("{\"topic\":", stdout);
    vf_json_cstr(stdout, topic);
    printf(",\"partition\":%d", (int)partition);
}

static void
vc_on_rebalance(samsa_consumer_t *c, int kind,
                const samsa_topic_partition_t *tps, int cnt, void *opaque)
{
    (void)c;
    (void)opaque;
    vf_event_begin(kind == SAMSA_REBALANCE_ASSIGNED ? "partitions_assigned"
                                                     : "partitions_revoked");
    fputs(",\"partitions\":[", stdout);
    for (int i = 0; i < cnt; i++) {
        if (i > 0)
            putchar(',');
        vc_tp(tps[i].topic, tps[i].partition);
        putchar('}');
    }
    putchar(']');
    vf_event_end();
}

static void
vc_record(const samsa_message_t *m)
{
    vf_event_begin("record_data");
    fputs(",\"key\":", stdout);
    vf_json_str(stdout, m->key, (size_t)m->key_len);
    fputs(",\"value\":", stdout);
    vf_json_str(stdout, m->value, (size_t)m->value_len);
    fputs(",\"topic\":", stdout);
    vf_json_cstr(stdout, m->topic);
    printf(",\"partition\":%d,\"offset\":%lld", (int)m->partition,
           (long long)m->offset);
    vf_event_end();
}

static void
vc_committed(const samsa_partition_offset_t *offs, int cnt,
             samsa_err_t err, const char *errmsg)
{
    vf_event_begin("offsets_committed");
    fputs(",\"offsets\":[", stdout);
    for (int i = 0; i < cnt; i++) {
        if (i > 0)
            putchar(',');
        vc_tp(offs[i].topic, offs[i].partition);
        printf(",\"offset\":%lld}", (long long)offs[i].offset);
    }
    putchar(']');
    if (err != SAMSA_OK) {
        const char *e = errmsg ? errmsg : samsa_err_message(err);
        fputs(",\"error\":", stdout);
        vf_json_cstr(stdout, e);
    }
    printf(",\"success\":%s", err == SAMSA_OK ? "true" : "false");
    vf_event_end();
}

/* ------------------------------------------------------------ args */

static int
vc_fail(const char *msg)
{
    return vf_fail("verifiable-consumer", vc_usage_text, msg);
}

static int
vc_num(const char *s, long long *out)
{
    return vf_num(s, INT32_MIN, INT32_MAX, out);
}

/* One "--name value" pair; 0, or -1 if the value is bad or the name
 * unknown. */
static int
vc_arg(vc_t *v, const char *o, const char *val)
{
    if (strcmp(o, "--topic") == 0)
        v->topic = val;
    else if (strcmp(o, "--bootstrap-server") == 0)
        v->bootstrap = val;
    else if (strcmp(o, "--broker-list") == 0) {
        if (v->bootstrap == NULL)       /* ignored given --bootstrap-server */
            v->bootstrap = val;
    } else if (strcmp(o, "--group-id") == 0)
        v->group = val;
    else if (strcmp(o, "--group-instance-id") == 0)
        v->instance = val;
    else if (strcmp(o, "--consumer.config") == 0)
        v->config_file = val;
    else if (strcmp(o, "--reset-policy") == 0)
        v->reset = val;
    else if (strcmp(o, "--assignment-strategy") == 0)
        v->strategy = val;
    else if (strcmp(o, "--max-messages") == 0)
        return vc_num(val, &v->max);
    else if (strcmp(o, "--session-timeout") == 0)
        return vc_num(val, &v->session_ms);
    else
        return -1;
    return 0;
}

/* 0, -1 after --help (exit 0), or the exit status. */
static int
vc_parse(int argc, char **argv, vc_t *v)
{
    char msg[256];

    for (int k = 1; k < argc; k++) {
        const char *o = argv[k];
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(vc_usage_text, stdout);
            return -1;
        }
        if (strcmp(o, "--verbose") == 0 ||
            strcmp(o, "--enable-autocommit") == 0) {
            *(o[2] == 'v' ? &v->verbose : &v->autocommit) = 1;
            continue;
        }
        if (k + 1 >= argc || strncmp(o, "--", 2) != 0) {
            snprintf(msg, sizeof(msg), "unrecognized arguments: '%s'", o);
            return vc_fail(msg);
        }
        if (vc_arg(v, o, argv[++k]) != 0) {
            snprintf(msg, sizeof(msg), "argument %s: invalid value: '%s'",
                     o, argv[k]);
            return vc_fail(msg);
        }
    }
    if (v->topic == NULL)
        return vc_fail("argument --topic is required");
    if (v->group == NULL)
        return vc_fail("argument --group-id is required");
    if (v->bootstrap == NULL)
        return vc_fail("one of the arguments --bootstrap-server "
                       "--broker-list is required");
    return 0;
}

/* ------------------------------------------------------------ run */

static samsa_consumer_t *
vc_consumer(vc_t *v)
{
    sm_props_t props = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_consumer_t *c = NULL;
    char errstr[512], session[24];

    snprintf(session, sizeof(session), "%lld", v->session_ms);
    if (v->config_file != NULL &&
        sm_props_load(&props, v->config_file, errstr,
                      sizeof(errstr)) != SM_OK) {
        fprintf(stderr, "java.nio.file.NoSuchFileException: %s\n",
                v->config_file);
        goto out;
    }
    /* the command line overrides the file, as Kafka's tool */
    sm_props_set(&props, "group.id", v->group, 0);
    if (v->instance != NULL)
        sm_props_set(&props, "group.instance.id", v->instance, 0);
    sm_props_set(&props, "bootstrap.servers", v->bootstrap, 0);
    sm_props_set(&props, "enable.auto.commit",
                 v->autocommit ? "true" : "false", 0);
    sm_props_set(&props, "auto.offset.reset", v->reset, 0);
    sm_props_set(&props, "session.timeout.ms", session, 0);
    sm_props_set(&props, "partition.assignment.strategy", v->strategy, 0);
    if (cn_conf_apply(conf, &props) != 0)
        goto out;
    samsa_conf_set_rebalance_cb(conf, vc_on_rebalance, v);
    c = samsa_consumer_new(conf, errstr, sizeof(errstr));
    if (c == NULL)
        fprintf(stderr, "org.apache.kafka.common.KafkaException: Failed to "
                "construct kafka consumer: %s\n", errstr);
out:
    sm_props_fini(&props);
    samsa_conf_destroy(conf);
    return c;
}

/* Index of (topic, partition) in offs[0..n), or n. */
static int
vc_find(const samsa_partition_offset_t *offs, int n, const char *topic,
        int32_t partition)
{
    int i;

    for (i = 0; i < n; i++)
        if (offs[i].partition == partition &&
            strcmp(offs[i].topic, topic) == 0)
            break;
    return i;
}

/* Summarise msgs[0..cnt) per partition (first-seen order) into offs
 * (offset = max + 1) with counts and minimum offsets; how many. */
static int
vc_summarise(samsa_message_t **msgs, int cnt, samsa_partition_offset_t *offs,
             long long *counts, long long *mins)
{
    int n = 0;

    for (int i = 0; i < cnt; i++) {
        samsa_message_t *m = msgs[i];
        int j = vc_find(offs, n, m->topic, m->partition);
        if (j == n) {
            offs[n].topic = m->topic;           /* borrowed from msgs */
            offs[n].partition = m->partition;
            offs[n].metadata = NULL;
            offs[n].err = SAMSA_OK;
            counts[n] = 0;
            mins[n] = m->offset;
            n++;
        }
        counts[j]++;
        offs[j].offset = m->offset + 1;
    }
    return n;
}

/* Report one batch (cut at --max-messages) and commit it unless
 * autocommit. */
static void
vc_batch(vc_t *v, samsa_consumer_t *c, samsa_message_t **msgs, int cnt)
{
    samsa_partition_offset_t offs[VC_BATCH];
    long long counts[VC_BATCH], mins[VC_BATCH];
    int total = cnt, n;
    char *errmsg = NULL;
    samsa_err_t err;

    if (v->max >= 0 && v->consumed + cnt > v->max)
        cnt = (int)(v->max - v->consumed);
    n = vc_summarise(msgs, cnt, offs, counts, mins);
    for (int i = 0; v->verbose && i < cnt; i++)
        vc_record(msgs[i]);
    v->consumed += cnt;
    vf_event_begin("records_consumed");
    printf(",\"count\":%d,\"partitions\":[", total);
    for (int i = 0; i < n; i++) {
        vc_tp(offs[i].topic, offs[i].partition);
        printf(",\"count\":%lld,\"minOffset\":%lld,\"maxOffset\":%lld}%s",
               counts[i], mins[i], (long long)offs[i].offset - 1,
               i + 1 < n ? "," : "");
    }
    putchar(']');
    vf_event_end();
    if (v->autocommit || n == 0)
        return;
    err = samsa_consumer_commit_sync(c, offs, n, &errmsg);
    vc_committed(offs, n, err, errmsg);
    free(errmsg);
}

static void
vc_on_signal(int sig)
{
    (void)sig;
    vc_stop = 1;
}

/* Poll until --max-messages, a signal or a fatal error; 0 or 1. */
static int
vc_loop(vc_t *v, samsa_consumer_t *c)
{
    samsa_message_t *msgs[VC_BATCH];
    char *errmsg = NULL;
    samsa_err_t err;
    int cnt, rc = 0;

    while (!vc_stop && (v->max < 0 || v->consumed < v->max)) {
        err = samsa_consumer_poll_batch(c, 200, msgs, VC_BATCH, &cnt,
                                        &errmsg);
        if (err != SAMSA_OK) {
            /* logged, not on stdout, as Kafka's tool */
            fprintf(stderr, "ERROR Error during processing, terminating "
                    "consumer process: %s\n",
                    errmsg ? errmsg : samsa_err_message(err));
            free(errmsg);
            rc = 1;
            break;
        }
        if (cnt > 0)
            vc_batch(v, c, msgs, cnt);
        for (int i = 0; i < cnt; i++)
            samsa_message_destroy(msgs[i]);
    }
    return rc;
}

static int
vc_run(vc_t *v)
{
    samsa_consumer_t *c = vc_consumer(v);
    const char *topics[1] = { v->topic };
    struct sigaction sa;
    int rc;

    if (c == NULL)
        return 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = vc_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    vf_event_begin("startup_complete");
    vf_event_end();
    rc = samsa_consumer_subscribe(c, topics, 1) == SAMSA_OK ? 0 : 1;
    if (rc == 0)
        rc = vc_loop(v, c);
    samsa_consumer_close(c);
    samsa_consumer_destroy(c);
    vf_event_begin("shutdown_complete");
    vf_event_end();
    return rc;
}

int
main(int argc, char **argv)
{
    vc_t v;
    int rc;

    memset(&v, 0, sizeof(v));
    v.max = -1;
    v.session_ms = 30000;
    v.reset = "earliest";
    v.strategy = "org.apache.kafka.clients.consumer.RangeAssignor";
    if (argc == 1) {
        fputs(vc_usage_text, stdout);
        return 0;
    }
    rc = vc_parse(argc, argv, &v);
    if (rc == 0)
        (void)vc_run(&v);   /* Kafka's tool exits 0 after a run error */
    else if (rc < 0)
        rc = 0;
    return rc;
}
