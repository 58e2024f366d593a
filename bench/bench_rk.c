/*
 * bench_rk.c: the sides, topics, CPU accounting and statistics that
 * bench_produce and bench_consume share (see bench_rk.h).
 *
 * CPU: /proc/<pid>/stat fields 14 and 15 (utime, stime) for a remote
 * broker, the same fields of /proc/self/task/<tid>/stat summed over the
 * mock cluster's threads.  Both are clock ticks (sysconf(_SC_CLK_TCK),
 * 10 ms on Linux), so a measured interval should burn a few seconds of
 * CPU for a percent-level resolution.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_rk.h"

void
bench_conf_set(rd_kafka_conf_t *conf, const char *key, const char *val)
{
    char errstr[256];

    if (rd_kafka_conf_set(conf, key, val, errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
        fprintf(stderr, "bench: config %s=%s: %s\n", key, val, errstr);
        exit(2);
    }
}

/* ------------------------------------------------------------ time, stats */

double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t
bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

void
bench_sort(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), bench_cmp_double);
}

double
bench_quantile_sorted(const double *v, size_t n, double p)
{
    size_t i;

    if (n == 0)
        return 0;
    i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

double
bench_median(double *v, int n)
{
    if (n <= 0)
        return 0;
    bench_sort(v, (size_t)n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------ payloads */

#define BENCH_POOL (1u << 20)
static char bench_pool[BENCH_POOL + BENCH_PAYLOAD_MAX];

void
bench_payload_init(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (size_t i = 0; i < sizeof(bench_pool); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bench_pool[i] = (char)('A' + (x % 26));
    }
}

const char *
bench_payload(uint64_t i, size_t size)
{
    (void)size;
    return bench_pool + (i * 7919u) % BENCH_POOL;
}

/* ------------------------------------------------------------ CPU */

/* utime + stime of a /proc stat file, in ticks, or -1. */
static long long
bench_stat_ticks(const char *path)
{
    char buf[1024], *p;
    unsigned long long ut = 0, st = 0;
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command name may hold spaces and parentheses: skip to the last
     * ')', then field 3 (state) .. field 15 (stime) */
    p = strrchr(buf, ')');
    if (p == NULL ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
               "%llu %llu", &ut, &st) != 2)
        return -1;
    return (long long)(ut + st);
}

double
bench_side_cpu(const bench_side_t *s)
{
    char path[64];
    long long t, sum = 0;

    if (s->mcluster == NULL) {
        if (s->pid <= 0)
            return -1;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)s->pid);
        sum = bench_stat_ticks(path);
        for (int i = 0; i < s->npids && sum >= 0; i++) {
            snprintf(path, sizeof(path), "/proc/%d/stat", (int)s->pids[i]);
            t = bench_stat_ticks(path);
            sum = t < 0 ? -1 : sum + t;
        }
    } else {
        for (int i = 0; i < s->ntids; i++) {
            snprintf(path, sizeof(path), "/proc/self/task/%d/stat",
                     (int)s->tids[i]);
            t = bench_stat_ticks(path);
            if (t < 0)
                return -1;
            sum += t;
        }
    }
    return sum < 0 ? -1 : (double)sum / (double)sysconf(_SC_CLK_TCK);
}

double
bench_process_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ sides */

void
bench_side_remote(bench_side_t *s, const char *name, const char *bootstrap,
                  pid_t pid)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    snprintf(s->bootstrap, sizeof(s->bootstrap), "%s", bootstrap);
    s->pid = pid;
}

void
bench_side_pids(bench_side_t *s, const char *list)
{
    const char *p = list;
    char *end;

    s->pid = (pid_t)strtol(p, &end, 10);
    while (*end == ',' && s->npids < BENCH_MAX_TIDS) {
        p = end + 1;
        s->pids[s->npids++] = (pid_t)strtol(p, &end, 10);
    }
}

static int
bench_list_tids(pid_t *tids, int max)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *de;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL && n < max)
        if (de->d_name[0] != '.')
            tids[n++] = (pid_t)atoi(de->d_name);
    closedir(d);
    return n;
}

int
bench_side_mock(bench_side_t *s)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    pid_t before[256], after[256];
    int nb, na;
    char errstr[256];

    memset(s, 0, sizeof(*s));
    s->name = "mock";
    bench_conf_set(conf, "log_level", "3");
    s->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
                              sizeof(errstr));
    if (s->mock_rk == NULL) {
        fprintf(stderr, "bench: rd_kafka_new: %s\n", errstr);
        return -1;
    }
    nb = bench_list_tids(before, 256);
    s->mcluster = rd_kafka_mock_cluster_new(s->mock_rk, 1);
    if (s->mcluster == NULL) {
        fprintf(stderr, "bench: rd_kafka_mock_cluster_new failed\n");
        return -1;
    }
    na = bench_list_tids(after, 256);
    for (int i = 0; i < na && s->ntids < BENCH_MAX_TIDS; i++) {
        int old = 0;
        for (int j = 0; j < nb; j++)
            old |= after[i] == before[j];
        if (!old)
            s->tids[s->ntids++] = after[i];
    }
    snprintf(s->bootstrap, sizeof(s->bootstrap), "%s",
             rd_kafka_mock_cluster_bootstraps(s->mcluster));
    return s->ntids > 0 ? 0 : -1;
}

void
bench_side_fini(bench_side_t *s)
{
    if (s->mcluster)
        rd_kafka_mock_cluster_destroy(s->mcluster);
    if (s->mock_rk)
        rd_kafka_destroy(s->mock_rk);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ topics */

/* 1 when Metadata shows every partition of topic with a leader. */
static int
bench_topic_ready(rd_kafka_t *rk, const char *topic, int parts)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int ok = 0;

    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR
        && md->topic_cnt == 1 && md->topics[0].err == 0 &&
        md->topics[0].partition_cnt == parts) {
        ok = 1;
        for (int i = 0; i < parts; i++)
            if (md->topics[0].partitions[i].err != 0 ||
                md->topics[0].partitions[i].leader < 0)
                ok = 0;
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return ok;
}

/* CreateTopics through the Admin API; 0 if created or already there. */
static int
bench_admin_create(rd_kafka_t *rk, const char *topic, int parts, int rf)
{
    char errstr[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, parts, rf, errstr,
                                                    sizeof(errstr));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_event_t *ev;
    int rc = -1;

    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    ev = rd_kafka_queue_poll(q, 30000);
    if (ev != NULL) {
        const rd_kafka_CreateTopics_result_t *res =
            rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
            res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;

        if (rd_kafka_event_error(ev))
            fprintf(stderr, "bench: CreateTopics %s: %s\n", topic,
                    rd_kafka_event_error_string(ev));
        else if (n == 1 &&
                 (rd_kafka_topic_result_error(tr[0]) == 0 ||
                  rd_kafka_topic_result_error(tr[0]) ==
                  RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS))
            rc = 0;
        else if (n == 1)
            fprintf(stderr, "bench: CreateTopics %s: %s\n", topic,
                    rd_kafka_err2str(rd_kafka_topic_result_error(tr[0])));
        rd_kafka_event_destroy(ev);
    } else {
        fprintf(stderr, "bench: CreateTopics %s: timed out\n", topic);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

int
bench_topic_create(bench_side_t *s, const char *topic, int parts)
{
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk;
    char errstr[256];
    int rc = -1;

    if (s->mcluster)
        return rd_kafka_mock_topic_create(s->mcluster, topic, parts, 1) ==
               RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
    conf = rd_kafka_conf_new();
    bench_conf_set(conf, "bootstrap.servers", s->bootstrap);
    bench_conf_set(conf, "log_level", "3");
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "bench: rd_kafka_new: %s\n", errstr);
        return -1;
    }
    if (bench_admin_create(rk, topic, parts, s->rf > 0 ? s->rf : 1) == 0) {
        double until = bench_now() + 60;
        while (rc != 0 && bench_now() < until) {
            if (bench_topic_ready(rk, topic, parts))
                rc = 0;
            else
                usleep(100000);
        }
        if (rc != 0)
            fprintf(stderr, "bench: %s: no leader after 60 s\n", topic);
    }
    rd_kafka_destroy(rk);
    return rc;
}
