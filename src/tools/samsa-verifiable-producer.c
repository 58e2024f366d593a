/*
 * samsa-verifiable-producer: produce increasing integers to a topic and
 * print one JSON line per event, so a test harness can tell exactly which
 * records were acknowledged - Kafka's org.apache.kafka.tools.
 * VerifiableProducer (the flags and JSON of Kafka 2.x's system tests), run
 * by bin/kafka-verifiable-producer.sh, over libsamsa's producer.
 *
 * OUTPUT (standard output, one JSON object per line, "timestamp" (ms since
 * the epoch) and "name" first):
 *   startup_complete
 *   producer_send_success   key, value, topic, partition, offset
 *   producer_send_error     key, value, topic, exception, message
 *   shutdown_complete       after the producer is closed (flushed)
 *   tool_data               sent, acked, target_throughput, avg_throughput
 * Values are "<i>" or "<value-prefix>.<i>" for i = 0, 1, ...; keys are
 * null, or with --repeating-keys N the strings "0" .. "N-1" in turn.
 * --max-messages -1 (the default) produces until SIGTERM or SIGINT, which
 * end the run the same way as reaching the count.  retries=0 unless
 * --producer.config says otherwise, as Kafka's tool sets it.
 *
 * COMMAND LINE (argparse4j's rules, as samsa-producer-perf): no arguments
 * print the usage and exit 0; a missing or bad argument prints the usage
 * and an error and exits 1.
 *
 * Threads: main sends; the producer's I/O thread runs the delivery
 * callback.  Both print through verifiable.h (one line at a time); the
 * counters are atomic.
 */
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "tools/console.h"
#include "tools/verifiable.h"

typedef struct vp {
    const char *topic, *bootstrap, *config_file;
    long long   max, throughput, acks, create_time, prefix, keys;
    int         have_prefix;
    atomic_llong sent, acked;
} vp_t;

static volatile sig_atomic_t vp_stop;

static const char vp_usage_text[] =
"usage: verifiable-producer [-h] --topic TOPIC\n"
"                           (--bootstrap-server "
"HOST1:PORT1[,HOST2:PORT2[...]] |\n"
"                           --broker-list HOST1:PORT1[,HOST2:PORT2[...]])\n"
"                           [--max-messages MAX-MESSAGES]\n"
"                           [--throughput THROUGHPUT] [--acks ACKS]\n"
"                           [--producer.config CONFIG_FILE]\n"
"                           [--message-create-time CREATETIME]\n"
"                           [--value-prefix VALUE-PREFIX]\n"
"                           [--repeating-keys REPEATING-KEYS]\n"
"\n"
"This tool produces increasing integers to the specified topic and prints "
"JSON\nmetadata to stdout on each \"send\" request, making externally "
"visible which\nmessages have been acked and which have not.\n";

/* ------------------------------------------------------------ output */

/* The key and value of record i. */
static void
vp_kv(const vp_t *v, long long i, char *key, size_t ksz, char *val,
      size_t vsz, const char **keyp)
{
    *keyp = NULL;
    if (v->keys > 0) {
        snprintf(key, ksz, "%lld", i % v->keys);
        *keyp = key;
    }
    if (v->have_prefix)
        snprintf(val, vsz, "%lld.%lld", v->prefix, i);
    else
        snprintf(val, vsz, "%lld", i);
}

/* Kafka's exception class for an error: NOT_LEADER_FOR_PARTITION ->
 * org.apache.kafka.common.errors.NotLeaderForPartitionException; a local
 * timeout -> TimeoutException. */
static void
vp_exception(samsa_err_t err, char *out, size_t size)
{
    const char *name = samsa_err_name(err);
    size_t n;
    int up = 1;

    n = (size_t)snprintf(out, size, "class org.apache.kafka.common.errors.");
    if (strstr(name, "TIMED_OUT") != NULL)
        name = "TIMEOUT";
    for (; *name && n + 12 < size; name++) {
        if (*name == '_') {
            up = 1;
            continue;
        }
        out[n++] = up ? *name : (char)(*name | 0x20);
        up = 0;
    }
    snprintf(out + n, size - n, "Exception");
}

static void
vp_report(const vp_t *v, long long i, const char *topic, samsa_err_t err,
          int32_t partition, int64_t offset)
{
    char key[32], val[64], exc[160];
    const char *k;

    vp_kv(v, i, key, sizeof(key), val, sizeof(val), &k);
    vf_event_begin(err == SAMSA_OK ? "producer_send_success"
                                   : "producer_send_error");
    fputs(",\"key\":", stdout);
    vf_json_cstr(stdout, k);
    fputs(",\"value\":", stdout);
    vf_json_cstr(stdout, val);
    fputs(",\"topic\":", stdout);
    vf_json_cstr(stdout, topic);
    if (err == SAMSA_OK) {
        printf(",\"partition\":%d,\"offset\":%lld", (int)partition,
               (long long)offset);
    } else {
        vp_exception(err, exc, sizeof(exc));
        fputs(",\"exception\":", stdout);
        vf_json_cstr(stdout, exc);
        fputs(",\"message\":", stdout);
        vf_json_cstr(stdout, samsa_err_message(err));
    }
    vf_event_end();
}

static void
vp_dr(const samsa_delivery_t *dr, void *opaque)
{
    vp_t *v = opaque;

    if (dr->err == SAMSA_OK)
        atomic_fetch_add(&v->acked, 1);
    vp_report(v, (long long)(intptr_t)dr->opaque, dr->topic, dr->err,
              dr->partition, dr->offset);
}

/* ------------------------------------------------------------ args */

static int
vp_fail(const char *msg)
{
    return vf_fail("verifiable-producer", vp_usage_text, msg);
}

static int
vp_num(const char *s, long long *out)
{
    return vf_num(s, LLONG_MIN, LLONG_MAX, out);
}

/* One "--name value" pair; 0, or -1 if the value is bad or the name
 * unknown. */
static int
vp_arg(vp_t *v, const char *o, const char *val)
{
    if (strcmp(o, "--topic") == 0)
        v->topic = val;
    else if (strcmp(o, "--bootstrap-server") == 0 ||
             strcmp(o, "--broker-list") == 0)
        v->bootstrap = val;
    else if (strcmp(o, "--producer.config") == 0)
        v->config_file = val;
    else if (strcmp(o, "--max-messages") == 0)
        return vp_num(val, &v->max);
    else if (strcmp(o, "--throughput") == 0)
        return vp_num(val, &v->throughput);
    else if (strcmp(o, "--acks") == 0)
        return vp_num(val, &v->acks) == 0 && v->acks >= -1 && v->acks <= 1
               ? 0 : -1;
    else if (strcmp(o, "--message-create-time") == 0)
        return vp_num(val, &v->create_time);
    else if (strcmp(o, "--value-prefix") == 0)
        return (v->have_prefix = vp_num(val, &v->prefix) == 0) ? 0 : -1;
    else if (strcmp(o, "--repeating-keys") == 0)
        return vp_num(val, &v->keys) == 0 && v->keys > 0 ? 0 : -1;
    else
        return -1;
    return 0;
}

/* 0, -1 after --help (exit 0), or the exit status. */
static int
vp_parse(int argc, char **argv, vp_t *v)
{
    char msg[256];

    for (int k = 1; k < argc; k += 2) {
        if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0) {
            fputs(vp_usage_text, stdout);
            return -1;
        }
        if (k + 1 >= argc || strncmp(argv[k], "--", 2) != 0) {
            snprintf(msg, sizeof(msg), "unrecognized arguments: '%s'",
                     argv[k]);
            return vp_fail(msg);
        }
        if (vp_arg(v, argv[k], argv[k + 1]) != 0) {
            snprintf(msg, sizeof(msg), "argument %s: invalid value: '%s'",
                     argv[k], argv[k + 1]);
            return vp_fail(msg);
        }
    }
    if (v->topic == NULL)
        return vp_fail("argument --topic is required");
    if (v->bootstrap == NULL)
        return vp_fail("one of the arguments --bootstrap-server "
                       "--broker-list is required");
    return 0;
}

/* ------------------------------------------------------------ run */

static samsa_producer_t *
vp_producer(vp_t *v)
{
    sm_props_t props = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_producer_t *p = NULL;
    char errstr[512], acks[8];

    snprintf(acks, sizeof(acks), "%lld", v->acks);
    sm_props_set(&props, "bootstrap.servers", v->bootstrap, 0);
    sm_props_set(&props, "acks", acks, 0);
    sm_props_set(&props, "retries", "0", 0);
    if (v->config_file != NULL &&
        sm_props_load(&props, v->config_file, errstr,
                      sizeof(errstr)) != SM_OK) {
        fprintf(stderr, "java.nio.file.NoSuchFileException: %s\n",
                v->config_file);
        goto out;
    }
    if (cn_conf_apply(conf, &props) != 0)
        goto out;
    samsa_conf_set_delivery_cb(conf, vp_dr, v);
    p = samsa_producer_new(conf, errstr, sizeof(errstr));
    if (p == NULL)
        fprintf(stderr, "org.apache.kafka.common.KafkaException: Failed to "
                "construct kafka producer: %s\n", errstr);
out:
    sm_props_fini(&props);
    samsa_conf_destroy(conf);
    return p;
}

/* ThroughputThrottler: sleep while ahead of the target rate. */
static void
vp_throttle(const vp_t *v, long long sent, int64_t start)
{
    double el;

    if (v->throughput < 0)
        return;
    el = (double)(sm_mono_ms() - start) / 1000.0;
    while (!vp_stop && el > 0 && (double)sent / el > (double)v->throughput) {
        struct timespec ts = { 0, 2000000 };
        nanosleep(&ts, NULL);
        el = (double)(sm_mono_ms() - start) / 1000.0;
    }
}

static void
vp_send(vp_t *v, samsa_producer_t *p, long long i, long long start_wall)
{
    char key[32], val[64];
    samsa_record_t rec;
    samsa_err_t err;
    const char *k;

    vp_kv(v, i, key, sizeof(key), val, sizeof(val), &k);
    memset(&rec, 0, sizeof(rec));
    rec.topic = v->topic;
    rec.partition = SAMSA_PARTITION_ANY;
    rec.key = k;
    rec.key_len = k ? (int32_t)strlen(k) : 0;
    rec.value = val;
    rec.value_len = (int32_t)strlen(val);
    rec.timestamp = -1;
    if (v->create_time >= 0) {
        rec.timestamp = v->create_time;
        v->create_time += vf_wall_ms() - start_wall;   /* as Kafka's tool */
    }
    atomic_fetch_add(&v->sent, 1);
    err = samsa_produce(p, &rec, (void *)(intptr_t)i);
    if (err != SAMSA_OK)
        vp_report(v, i, v->topic, err, -1, -1);
}

static void
vp_on_signal(int sig)
{
    (void)sig;
    vp_stop = 1;
}

static int
vp_run(vp_t *v)
{
    long long start_wall = vf_wall_ms(), max = v->max < 0 ? LLONG_MAX
                                                          : v->max;
    int64_t start = sm_mono_ms();
    samsa_producer_t *p = vp_producer(v);
    struct sigaction sa;
    double el;

    if (p == NULL)
        return 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = vp_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    vf_event_begin("startup_complete");
    vf_event_end();
    for (long long i = 0; i < max && !vp_stop; i++) {
        vp_send(v, p, i, start_wall);
        vp_throttle(v, i + 1, start);
    }
    samsa_producer_close(p, -1);
    vf_event_begin("shutdown_complete");
    vf_event_end();
    el = (double)(sm_mono_ms() - start);
    vf_event_begin("tool_data");
    printf(",\"sent\":%lld,\"acked\":%lld,\"target_throughput\":%lld,"
           "\"avg_throughput\":%.1f", (long long)atomic_load(&v->sent),
           (long long)atomic_load(&v->acked), v->throughput,
           1000.0 * (double)atomic_load(&v->acked) / (el > 0 ? el : 1));
    vf_event_end();
    return 0;
}

int
main(int argc, char **argv)
{
    vp_t v;
    int rc;

    memset(&v, 0, sizeof(v));
    v.max = v.throughput = v.acks = v.create_time = -1;
    if (argc == 1) {
        fputs(vp_usage_text, stdout);
        return 0;
    }
    rc = vp_parse(argc, argv, &v);
    if (rc == 0)
        rc = vp_run(&v);
    else if (rc < 0)
        rc = 0;
    return rc;
}
