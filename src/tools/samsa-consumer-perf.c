/*
 * samsa-consumer-perf: read --messages records of --topic and report the
 * throughput - samsa's ConsumerPerformance (Kafka 2.8 flags and output),
 * run by bin/kafka-consumer-perf-test.sh, over libsamsa's group
 * consumer: it joins --group (default perf-consumer-<0..99999>) and
 * subscribes to the topic; where the group has no committed offset it
 * starts at the earliest offset (the latest with --from-latest), and
 * commits with the default auto commit, as Kafka's tool.
 * rebalance.time.ms is the time from a revocation (or the start) to the
 * next assignment; fetch.time.ms the elapsed time less that.
 *
 * OUTPUT (standard output), Kafka's: the header line (unless
 * --hide-header), then either one total line
 *   start.time, end.time, MB, MB/sec, messages, messages/sec,
 *   rebalance ms, fetch ms, fetch MB/sec, fetch messages/sec
 * or, with --show-detailed-stats, a line every --reporting-interval ms.
 * Sizes count keys and values.  When no record came for --timeout ms
 * before --messages were read, Kafka's WARNING line is printed and the
 * totals follow.  EXIT STATUS: 0, or 1 on a usage or consumer error.
 *
 * Threads: one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "tools/console.h"

enum {
    O_BOOTSTRAP, O_BROKER_LIST, O_TOPIC, O_GROUP, O_FETCH_SIZE,
    O_FROM_LATEST, O_SOCKBUF, O_CONFIG, O_PRINT_METRICS, O_DETAILED,
    O_TIMEOUT, O_MESSAGES, O_INTERVAL, O_DATE_FORMAT, O_HIDE_HEADER,
    O_THREADS, O_FETCH_THREADS, O_HELP, O_VERSION, O__CNT
};

static const cn_opt_t kp_opts[O__CNT] = {
    [O_BOOTSTRAP] = { "bootstrap-server", 1, "String: server to connect "
        "to", "REQUIRED unless --broker-list(deprecated) is specified.",
        NULL },
    [O_BROKER_LIST] = { "broker-list", 1, "String: broker-list",
        "DEPRECATED, use --bootstrap-server instead; ignored if "
        "--bootstrap-server is specified.", NULL },
    [O_TOPIC] = { "topic", 1, "String: topic", "REQUIRED: The topic to "
        "consume from.", NULL },
    [O_GROUP] = { "group", 1, "String: gid", "The group id to consume on "
        "", "perf-consumer-N" },
    [O_FETCH_SIZE] = { "fetch-size", 1, "Integer: size", "The amount of "
        "data to fetch in a single request.", "1048576" },
    [O_FROM_LATEST] = { "from-latest", 0, NULL, "If the consumer does not "
        "already have an established offset to consume from, start with "
        "the latest message present in the log rather than the earliest "
        "message.", NULL },
    [O_SOCKBUF] = { "socket-buffer-size", 1, "Integer: size", "The size of "
        "the tcp RECV size.", "2097152" },
    [O_CONFIG] = { "consumer.config", 1, "String: config file", "Consumer "
        "config properties file.", NULL },
    [O_PRINT_METRICS] = { "print-metrics", 0, NULL, "Print out the metrics "
        "(samsa: none).", NULL },
    [O_DETAILED] = { "show-detailed-stats", 0, NULL, "If set, stats are "
        "reported for each reporting interval as configured by "
        "reporting-interval", NULL },
    [O_TIMEOUT] = { "timeout", 1, "Long: milliseconds", "The maximum "
        "allowed time in milliseconds between returned records.",
        "10000" },
    [O_MESSAGES] = { "messages", 1, "Long: count", "REQUIRED: The number "
        "of messages to send or consume", NULL },
    [O_INTERVAL] = { "reporting-interval", 1, "Integer: interval_ms",
        "Interval in milliseconds at which to print progress info.",
        "5000" },
    [O_DATE_FORMAT] = { "date-format", 1, "String: date format", "The date "
        "format to use for formatting the time field (samsa: Kafka's "
        "default only).", "yyyy-MM-dd HH:mm:ss:SSS" },
    [O_HIDE_HEADER] = { "hide-header", 0, NULL, "If set, skips printing "
        "the header for the stats", NULL },
    [O_THREADS] = { "threads", 1, "Integer: count", "DEPRECATED and "
        "ignored: Number of processing threads.", "10" },
    [O_FETCH_THREADS] = { "num-fetch-threads", 1, "Integer: count",
        "DEPRECATED and ignored: Number of fetcher threads.", "1" },
    [O_HELP] = { "help", 0, NULL, "Print usage information.", NULL },
    [O_VERSION] = { "version", 0, NULL, "Display Kafka version.", NULL },
};

static const char kp_help[] =
    "This tool helps in performance test for the full zookeeper consumer";

typedef struct kp_stats {
    int64_t start_wall, start, last_report;
    long long msgs, bytes, last_msgs, last_bytes;
    int64_t join_start, join_ms, join_round_ms;   /* rebalance time */
} kp_stats_t;

/* SimpleDateFormat "yyyy-MM-dd HH:mm:ss:SSS" of wall-clock ms. */
static void
kp_date(char *out, size_t size, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];

    localtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, size, "%s:%03d", buf, (int)(ms % 1000));
}

static int64_t
kp_wall_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Java's "%.4f" of x: NaN and Infinity spelled as Java does. */
static const char *
kp_f4(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "NaN");
    else if (isinf(x))
        snprintf(buf, size, "%sInfinity", x < 0 ? "-" : "");
    else
        snprintf(buf, size, "%.4f", x);
    return buf;
}

static void
kp_progress(kp_stats_t *s, int64_t now)
{
    double el = (double)(now - s->last_report), mb, fetch;
    char d[64], f1[32], f2[32];

    if (el <= 0)
        el = 1;
    mb = (double)(s->bytes - s->last_bytes) / (1024.0 * 1024.0);
    kp_date(d, sizeof(d), s->start_wall + (now - s->start));
    fetch = el - (double)s->join_round_ms;
    printf("%s, %d, %.4f, %.4f, %lld, %.4f, %lld, %lld, %s, %s\n", d,
           0, (double)s->bytes / (1024.0 * 1024.0), 1000.0 * mb / el,
           s->msgs, 1000.0 * (double)(s->msgs - s->last_msgs) / el,
           (long long)s->join_round_ms, (long long)fetch,
           kp_f4(f1, sizeof(f1), 1000.0 * mb / fetch),
           kp_f4(f2, sizeof(f2), 1000.0 * (double)(s->msgs - s->last_msgs)
                 / fetch));
    s->join_round_ms = 0;
    s->last_report = now;
    s->last_msgs = s->msgs;
    s->last_bytes = s->bytes;
}

static void
kp_total(const kp_stats_t *s, int64_t end)
{
    double sec = (double)(end - s->start) / 1000.0;
    double mb = (double)s->bytes / (1024.0 * 1024.0), fetch;
    char d0[64], d1[64], f1[32], f2[32];

    if (sec <= 0)
        sec = 0.001;
    kp_date(d0, sizeof(d0), s->start_wall);
    kp_date(d1, sizeof(d1), s->start_wall + (end - s->start));
    fetch = (double)(end - s->start - s->join_ms) / 1000.0;
    printf("%s, %s, %.4f, %.4f, %lld, %.4f, %lld, %lld, %s, %s\n", d0,
           d1, mb, mb / sec, s->msgs, (double)s->msgs / sec,
           (long long)s->join_ms, (long long)(end - s->start - s->join_ms),
           kp_f4(f1, sizeof(f1), mb / fetch),
           kp_f4(f2, sizeof(f2), (double)s->msgs / fetch));
}

/* ------------------------------------------------------------ run */

/* ConsumerRebalanceListener: the join time runs from a revocation (or
 * the start) to the next assignment. */
static void
kp_on_rebalance(samsa_consumer_t *c, int kind,
                const samsa_topic_partition_t *tps, int cnt, void *opaque)
{
    kp_stats_t *s = opaque;
    int64_t now = sm_mono_ms();

    (void)c;
    (void)tps;
    (void)cnt;
    if (kind == SAMSA_REBALANCE_REVOKED) {
        s->join_start = now;
        return;
    }
    s->join_ms += now - s->join_start;
    s->join_round_ms += now - s->join_start;
}

/* new Random().nextInt(100000), seeded from the clock and the pid. */
static unsigned
kp_random(void)
{
    struct timespec ts;
    unsigned long x;

    clock_gettime(CLOCK_REALTIME, &ts);
    x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^
        (unsigned long)ts.tv_sec;
    x ^= x >> 13;
    x *= 0x5bd1e995UL;
    return (unsigned)((x ^ (x >> 15)) % 100000);
}

static samsa_consumer_t *
kp_open(const cn_args_t *a, kp_stats_t *s)
{
    sm_props_t props = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_consumer_t *c = NULL;
    const char *servers = cn_value(a, O_BOOTSTRAP, NULL);
    char errstr[512], group[32];

    snprintf(group, sizeof(group), "perf-consumer-%u", kp_random());
    if (servers == NULL)
        servers = cn_value(a, O_BROKER_LIST, "");
    if (cn_props(a, cn_value(a, O_CONFIG, NULL), -1, &props) != 0)
        goto out;
    sm_props_set(&props, "bootstrap.servers", servers, 0);
    sm_props_set(&props, "group.id", cn_value(a, O_GROUP, group), 0);
    sm_props_set(&props, "auto.offset.reset", a->given[O_FROM_LATEST] > 0
                 ? "latest" : "earliest", 0);
    sm_props_set(&props, "max.partition.fetch.bytes",
                 cn_value(a, O_FETCH_SIZE, "1048576"), 0);
    if (sm_props_get(&props, "client.id") == NULL)
        sm_props_set(&props, "client.id", "perf-consumer-client", 0);
    if (cn_conf_apply(conf, &props) != 0)
        goto out;
    samsa_conf_set_rebalance_cb(conf, kp_on_rebalance, s);
    c = samsa_consumer_new(conf, errstr, sizeof(errstr));
    if (c == NULL)
        fprintf(stderr, "%s\n", errstr);
out:
    sm_props_fini(&props);
    samsa_conf_destroy(conf);
    return c;
}

static int
kp_consume(const cn_args_t *a, samsa_consumer_t *c, kp_stats_t *s)
{
    long long want = atoll(cn_value(a, O_MESSAGES, "0"));
    long long timeout = atoll(cn_value(a, O_TIMEOUT, "10000"));
    long long interval = atoll(cn_value(a, O_INTERVAL, "5000"));
    int detailed = a->given[O_DETAILED] > 0;
    int64_t last_rec = sm_mono_ms();

    while (s->msgs < want && sm_mono_ms() - last_rec <= timeout) {
        samsa_message_t *m = NULL;
        char *errmsg = NULL;
        samsa_err_t err = samsa_consumer_poll(c, 100, &m, &errmsg);
        if (err != SAMSA_OK) {
            fprintf(stderr, "%s\n", errmsg ? errmsg : samsa_err_message(err));
            free(errmsg);
            return 1;
        }
        if (m == NULL)
            continue;
        last_rec = sm_mono_ms();
        s->msgs++;
        s->bytes += (m->key_len > 0 ? m->key_len : 0) +
                    (m->value_len > 0 ? m->value_len : 0);
        samsa_message_destroy(m);
        if (detailed && last_rec - s->last_report >= interval)
            kp_progress(s, last_rec);
    }
    if (s->msgs < want)
        printf("WARNING: Exiting before consuming the expected number of "
               "messages: timeout (%lld ms) exceeded. You can use the "
               "--timeout option to increase the timeout.\n", timeout);
    return 0;
}

static int
kp_run(const cn_args_t *a)
{
    const char *topic = cn_value(a, O_TOPIC, "");
    samsa_consumer_t *c;
    kp_stats_t s;
    samsa_err_t err;
    int64_t end;
    int rc = 1;

    memset(&s, 0, sizeof(s));
    if ((c = kp_open(a, &s)) == NULL)
        return 1;
    if ((err = samsa_consumer_subscribe(c, &topic, 1)) != SAMSA_OK) {
        fprintf(stderr, "%s\n", samsa_err_message(err));
        goto out;
    }
    if (a->given[O_HIDE_HEADER] == 0)
        printf("%s, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, "
               "nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, "
               "fetch.nMsg.sec\n", a->given[O_DETAILED] > 0 ?
               "time, threadId" : "start.time, end.time");
    s.start_wall = kp_wall_ms();
    s.start = s.last_report = s.join_start = sm_mono_ms();
    rc = kp_consume(a, c, &s);
    end = sm_mono_ms();
    samsa_consumer_close(c);
    if (rc == 0 && a->given[O_DETAILED] == 0)
        kp_total(&s, end);
out:
    samsa_consumer_destroy(c);
    return rc;
}

int
main(int argc, char **argv)
{
    cn_args_t a;
    int rc;

    sm_log_init_tool();
    if (cn_parse(&a, kp_opts, O__CNT, argc, argv) != 0) {
        cn_args_fini(&a);
        return 1;
    }
    if (argc == 1 || a.given[O_HELP] > 0) {
        cn_usage(&a, stdout, kp_help);
        rc = argc == 1 ? 1 : 0;
    } else if (a.given[O_TOPIC] == 0) {
        rc = cn_usage_fail(&a, kp_help, "Missing required argument "
                           "\"[topic]\"");
    } else if (a.given[O_MESSAGES] == 0) {
        rc = cn_usage_fail(&a, kp_help, "Missing required argument "
                           "\"[messages]\"");
    } else if (a.given[O_BOOTSTRAP] == 0 && a.given[O_BROKER_LIST] == 0) {
        rc = cn_usage_fail(&a, kp_help, "Missing required argument "
                           "\"[bootstrap-server]\"");
    } else {
        rc = kp_run(&a);
    }
    cn_args_fini(&a);
    return rc;
}
