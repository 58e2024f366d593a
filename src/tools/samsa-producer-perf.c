/*
 * samsa-producer-perf: produce --num-records records of --record-size
 * bytes as fast as allowed and report throughput and latency - samsa's
 * org.apache.kafka.tools.ProducerPerformance (Kafka 2.8 flags and output),
 * run by bin/kafka-producer-perf-test.sh, over libsamsa's producer.
 *
 * OUTPUT (standard output), Kafka's two formats: every 5 s a window line
 *   N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max
 *   latency.
 * and at the end the total line, with the 50th/95th/99th/99.9th latency
 * percentiles of up to 500000 sampled records.  Latency is from send to
 * the delivery report.  A failed record is reported on standard error.
 *
 * THROTTLE (ThroughputThrottler): with --throughput T > 0 the sender
 * sleeps whenever more than T records per second have been sent since
 * the start; -1 means no limit.
 *
 * COMMAND LINE (argparse4j's rules): --name value; --producer-props takes
 * every following word up to the next option.  A missing required
 * argument prints the usage and "argument --x is required" on standard
 * error and exits 1; no arguments at all print the usage and exit 0.
 *
 * Threads: main sends; the producer's I/O thread runs the delivery
 * callback, which alone updates the statistics (main reads them only
 * after samsa_producer_close() has joined that thread).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "tools/console.h"

typedef struct pp_stats {
    int64_t  start, window_start;
    int64_t  count, bytes, total_lat, max_lat;
    int64_t  w_count, w_bytes, w_total_lat, w_max_lat;
    int64_t  iteration, sampling;
    int32_t *lat;
    int64_t  nlat, caplat;
    int64_t  failed;
} pp_stats_t;

typedef struct pp_args {
    const char *topic, *config_file;
    long long   num, size, throughput;
    int         have_num, have_size, have_tput;
    sm_props_t  props;
} pp_args_t;

static const char pp_usage_text[] =
"usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS\n"
"                            [--payload-delimiter PAYLOAD-DELIMITER]\n"
"                            --throughput THROUGHPUT\n"
"                            [--producer-props PROP-NAME=PROP-VALUE "
"[PROP-NAME=PROP-VALUE ...]]\n"
"                            [--producer.config CONFIG-FILE]\n"
"                            [--print-metrics {true,false}]\n"
"                            (--record-size RECORD-SIZE)\n"
"\n"
"This tool is used to verify the producer performance.\n";

/* ------------------------------------------------------------ stats */

static void
pp_window_print(pp_stats_t *s, int64_t now)
{
    double el = (double)(now - s->window_start);

    if (el <= 0)
        el = 1;
    printf("%lld records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg "
           "latency, %.1f ms max latency.\n", (long long)s->w_count,
           1000.0 * (double)s->w_count / el,
           1000.0 * (double)s->w_bytes / el / (1024.0 * 1024.0),
           (double)s->w_total_lat / (double)s->w_count,
           (double)s->w_max_lat);
    fflush(stdout);
    s->window_start = now;
    s->w_count = s->w_bytes = s->w_total_lat = s->w_max_lat = 0;
}

static void
pp_record(pp_stats_t *s, int64_t lat, int64_t bytes, int64_t now)
{
    s->count++;
    s->bytes += bytes;
    s->total_lat += lat;
    if (lat > s->max_lat)
        s->max_lat = lat;
    s->w_count++;
    s->w_bytes += bytes;
    s->w_total_lat += lat;
    if (lat > s->w_max_lat)
        s->w_max_lat = lat;
    if (s->iteration % s->sampling == 0 && s->nlat < s->caplat)
        s->lat[s->nlat++] = (int32_t)lat;
    s->iteration++;
    if (now - s->window_start >= 5000)
        pp_window_print(s, now);
}

static int
pp_cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

static void
pp_total_print(pp_stats_t *s, int64_t now)
{
    double el = (double)(now - s->start);
    double pc[4] = { 0.5, 0.95, 0.99, 0.999 };
    int32_t v[4] = { 0, 0, 0, 0 };

    if (el <= 0)
        el = 1;
    qsort(s->lat, (size_t)s->nlat, sizeof(*s->lat), pp_cmp_i32);
    for (int i = 0; i < 4 && s->nlat > 0; i++)
        v[i] = s->lat[(int64_t)(pc[i] * (double)s->nlat)];
    printf("%lld records sent, %f records/sec (%.2f MB/sec), %.2f ms avg "
           "latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms "
           "99th, %d ms 99.9th.\n", (long long)s->count,
           1000.0 * (double)s->count / el,
           1000.0 * (double)s->bytes / el / (1024.0 * 1024.0),
           s->count > 0 ? (double)s->total_lat / (double)s->count : 0.0,
           (double)s->max_lat, v[0], v[1], v[2], v[3]);
}

/* The send time (ms since the start) travels in the record's opaque. */
static void
pp_dr(const samsa_delivery_t *dr, void *opaque)
{
    pp_stats_t *s = opaque;
    int64_t now = sm_mono_ms();

    if (dr->err != SAMSA_OK) {
        s->failed++;
        fprintf(stderr, "org.apache.kafka.common.errors.%s: %s\n",
                samsa_err_name(dr->err), samsa_err_message(dr->err));
        return;
    }
    pp_record(s, now - s->start - (int64_t)(intptr_t)dr->opaque,
              dr->value_len, now);
}

/* ------------------------------------------------------------ args */

static int
pp_fail(const char *msg)
{
    fputs(pp_usage_text, stderr);
    fprintf(stderr, "producer-performance: error: %s\n", msg);
    return 1;
}

static int
pp_num(const char *s, long long *out)
{
    char *end;

    *out = strtoll(s, &end, 10);
    return end != s && *end == '\0' ? 0 : -1;
}

/* Parse argv into a; 0, or the exit status. */
static int
pp_parse(int argc, char **argv, pp_args_t *a)
{
    for (int k = 1; k < argc; k++) {
        const char *o = argv[k];
        const char *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(pp_usage_text, stdout);
            return -1;
        }
        if (strcmp(o, "--producer-props") == 0) {
            for (; k + 1 < argc && strncmp(argv[k + 1], "--", 2) != 0; k++) {
                const char *eq = strchr(argv[k + 1], '=');
                char *key;
                if (eq == NULL)
                    return pp_fail("Invalid property: each producer-props "
                                   "value must be PROP-NAME=PROP-VALUE");
                key = sm_strndup(argv[k + 1], (size_t)(eq - argv[k + 1]));
                sm_props_set(&a->props, key, eq + 1, 0);
                sm_free(key);
            }
            continue;
        }
        if (strcmp(o, "--print-metrics") == 0) {
            continue;              /* a flag in 2.8; no metrics here */
        }
        if (v == NULL || strncmp(o, "--", 2) != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "unrecognized arguments: '%s'", o);
            return pp_fail(msg);
        }
        k++;
        if (strcmp(o, "--topic") == 0)
            a->topic = v;
        else if (strcmp(o, "--producer.config") == 0)
            a->config_file = v;
        else if (strcmp(o, "--payload-delimiter") == 0)
            ;
        else if (strcmp(o, "--num-records") == 0 && pp_num(v, &a->num) == 0)
            a->have_num = 1;
        else if (strcmp(o, "--record-size") == 0 &&
                 pp_num(v, &a->size) == 0)
            a->have_size = 1;
        else if (strcmp(o, "--throughput") == 0 &&
                 pp_num(v, &a->throughput) == 0)
            a->have_tput = 1;
        else {
            char msg[256];
            snprintf(msg, sizeof(msg), "argument %s: invalid value: '%s'",
                     o, v);
            return pp_fail(msg);
        }
    }
    if (a->topic == NULL)
        return pp_fail("argument --topic is required");
    if (!a->have_num)
        return pp_fail("argument --num-records is required");
    if (!a->have_tput)
        return pp_fail("argument --throughput is required");
    if (!a->have_size)
        return pp_fail("one of the arguments --record-size --payload-file "
                       "is required");
    if (a->size < 0 || a->size > 100 * 1024 * 1024 || a->num < 0)
        return pp_fail("argument --record-size: out of range");
    return 0;
}

/* ------------------------------------------------------------ run */

/* ThroughputThrottler: sleep while ahead of the target rate. */
static void
pp_throttle(const pp_args_t *a, int64_t sent, int64_t start)
{
    int64_t now = sm_mono_ms();
    double el;

    if (a->throughput < 0)
        return;
    el = (double)(now - start) / 1000.0;
    while (el > 0 && (double)sent / el > (double)a->throughput) {
        struct timespec ts = { 0, 2000000 };    /* MIN_SLEEP_NS */
        nanosleep(&ts, NULL);
        el = (double)(sm_mono_ms() - start) / 1000.0;
    }
}

static samsa_producer_t *
pp_producer(pp_args_t *a, pp_stats_t *s)
{
    sm_props_t props = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_producer_t *p = NULL;
    char errstr[512];

    if (a->config_file != NULL &&
        sm_props_load(&props, a->config_file, errstr,
                      sizeof(errstr)) != SM_OK) {
        fprintf(stderr, "java.nio.file.NoSuchFileException: %s\n",
                a->config_file);
        goto out;
    }
    for (int i = 0; i < a->props.n; i++)
        sm_props_set(&props, a->props.v[i].key, a->props.v[i].value, 0);
    if (cn_conf_apply(conf, &props) != 0)
        goto out;
    samsa_conf_set_delivery_cb(conf, pp_dr, s);
    p = samsa_producer_new(conf, errstr, sizeof(errstr));
    if (p == NULL)
        fprintf(stderr, "org.apache.kafka.common.KafkaException: Failed to "
                "construct kafka producer: %s\n", errstr);
out:
    sm_props_fini(&props);
    samsa_conf_destroy(conf);
    return p;
}

static int
pp_run(pp_args_t *a)
{
    pp_stats_t s;
    samsa_producer_t *p;
    char *payload = sm_malloc((size_t)a->size + 1);
    uint32_t rng = 0x2545f491u;

    memset(&s, 0, sizeof(s));
    s.sampling = a->num / (a->num < 500000 ? (a->num > 0 ? a->num : 1)
                                           : 500000);
    if (s.sampling < 1)
        s.sampling = 1;
    s.caplat = a->num / s.sampling + 1;
    s.lat = sm_calloc((size_t)s.caplat, sizeof(*s.lat));
    for (long long i = 0; i < a->size; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        payload[i] = (char)('A' + rng % 26);
    }
    p = pp_producer(a, &s);
    if (p != NULL) {
        s.start = s.window_start = sm_mono_ms();
        for (long long i = 0; i < a->num; i++) {
            samsa_record_t rec;
            samsa_err_t err;
            memset(&rec, 0, sizeof(rec));
            rec.topic = a->topic;
            rec.partition = SAMSA_PARTITION_ANY;
            rec.value = payload;
            rec.value_len = (int32_t)a->size;
            rec.timestamp = -1;
            err = samsa_produce(p, &rec,
                                (void *)(intptr_t)(sm_mono_ms() - s.start));
            if (err != SAMSA_OK)
                fprintf(stderr, "org.apache.kafka.common.errors.%s: %s\n",
                        samsa_err_name(err), samsa_err_message(err));
            pp_throttle(a, i + 1, s.start);
        }
        samsa_producer_close(p, -1);
        pp_total_print(&s, sm_mono_ms());
    }
    sm_free(s.lat);
    sm_free(payload);
    return p != NULL ? 0 : 1;
}

int
main(int argc, char **argv)
{
    pp_args_t a;
    int rc;

    memset(&a, 0, sizeof(a));
    if (argc == 1) {
        fputs(pp_usage_text, stdout);
        return 0;
    }
    rc = pp_parse(argc, argv, &a);
    if (rc == 0)
        rc = pp_run(&a);
    else if (rc < 0)
        rc = 0;
    sm_props_fini(&a.props);
    return rc;
}
