/*
 * bench_produce.c: producer throughput and ack latency against a broker
 * (samsa) and librdkafka's in-memory mock cluster, side by side in one run.
 * Not a test: built by `make` when librdkafka is found, run by
 * bench/run-broker-bench.sh, results in BENCHMARKS.md.
 *
 * CASES: 100 B and 1 KiB values (no key), acks=1 and acks=all, codec none
 * and lz4: eight cases.  For each case and repetition:
 *   1. max throughput: one producer sends as fast as librdkafka's queue
 *      takes messages for `-t` seconds, then flushes; rate = delivered
 *      records over the time from the first produce() to the end of the
 *      flush.  Mock first or samsa first, alternating by repetition.
 *   2. latency: a fresh producer sends at a fixed rate, half the lower of
 *      the two maxima just measured (the same offered load for both sides,
 *      below either's saturation), for `-l` seconds; the ack latency of a
 *      record is from its produce() call to its delivery report.  The
 *      first 0.5 s are warm-up and not counted.
 * Every case writes to a fresh single-partition topic on each side (the
 * mock keeps only 5 MB per partition in memory and drops the rest; samsa
 * writes a log segment to disk, page cache only - no flush - as Kafka by
 * default).  Client settings are the same for both sides: linger.ms=1,
 * everything else librdkafka 2.0's default.  A delivery error fails the
 * case (printed, and the run exits 1).
 *
 * Reported: per side the median over repetitions of records/s, MB/s
 * (value bytes, 10^6), and latency p50/p99; and the median of the
 * per-repetition ratios samsa/mock; and each broker's CPU time (user +
 * sys, see bench_rk.h) per record during the max-rate run - the figure
 * that says where a broker spends, whatever the client does meanwhile.
 *
 * SPLIT CPUS (-a).  By default the client and the broker share every CPU,
 * so the ratio follows the sum of client and broker CPU per record.  With
 * -a the client's threads run on CPU 0 and the mock cluster's threads on
 * CPU 1; run-broker-bench.sh -a starts samsa-server on CPU 1 too: each
 * broker gets a core of its own and the client the other, as when client
 * and broker are different machines.
 *
 * BASELINE.  By default the mock cluster.  With -x, another remote broker
 * or cluster instead (bench/run-cluster-bench.sh: three samsa brokers
 * with replication factor 3, -R 3, against one broker); -B and -X take
 * comma-separated pids whose CPU is summed, -n and -N name the sides.
 *
 * Usage: bench_produce -b bootstrap [-B pid,...] [-R rf] [-n name]
 *                      [-x baseline-bootstrap [-X pid,...] [-N name]]
 *                      [-r reps] [-t tput seconds]
 *                      [-l latency seconds] [-c case 1..8] [-p partitions]
 *                      [-a] [-v]
 */
#define _GNU_SOURCE 1
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_rk.h"

#define NCASES   8
#define MAXREPS  15

typedef struct pcase {
    int         size;
    const char *acks;
    const char *codec;
} pcase_t;

static const pcase_t cases[NCASES] = {
    { 100, "1", "none" },  { 100, "all", "none" },
    { 100, "1", "lz4" },   { 100, "all", "lz4" },
    { 1024, "1", "none" }, { 1024, "all", "none" },
    { 1024, "1", "lz4" },  { 1024, "all", "lz4" },
};

/* One run's outcome. */
typedef struct prun {
    double  rate;          /* records/s */
    double  p50_ms, p99_ms;
    double  cpu_ns;        /* broker CPU per record at max rate, or -1 */
    double  client_ns;     /* this process's CPU per record at max rate,
                            * less the mock's threads: the client's */
} prun_t;

/* Delivery-report state of one producer. */
typedef struct pstate {
    uint64_t delivered;
    uint64_t failed;
    int64_t  lat_from_ns;  /* count latency of records sent after this */
    double  *lat;          /* ms, or NULL */
    size_t   nlat, caplat;
    rd_kafka_resp_err_t first_err;
} pstate_t;

typedef struct bench {
    bench_side_t sides[2];  /* 0 mock, 1 samsa */
    int          reps, only, parts, verbose;
    double       tput_s, lat_s;
    int          run_id;
    prun_t       res[NCASES][2][MAXREPS];
    double       ratio[NCASES][MAXREPS];
} bench_t;

static void
bench_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    pstate_t *st = opaque;
    int64_t sent = (int64_t)(intptr_t)m->_private;

    (void)rk;
    if (m->err) {
        if (st->failed++ == 0)
            st->first_err = m->err;
        return;
    }
    st->delivered++;
    if (st->lat && sent >= st->lat_from_ns && st->nlat < st->caplat)
        st->lat[st->nlat++] = (double)(bench_now_ns() - sent) / 1e6;
}

static rd_kafka_t *
bench_producer(const bench_side_t *s, const pcase_t *c, pstate_t *st)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    rd_kafka_t *rk;

    bench_conf_set(conf, "bootstrap.servers", s->bootstrap);
    bench_conf_set(conf, "acks", c->acks);
    bench_conf_set(conf, "compression.codec", c->codec);
    bench_conf_set(conf, "linger.ms", "1");
    bench_conf_set(conf, "log_level", "3");
    rd_kafka_conf_set_dr_msg_cb(conf, bench_dr_cb);
    rd_kafka_conf_set_opaque(conf, st);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "bench_produce: rd_kafka_new: %s\n", errstr);
        exit(2);
    }
    return rk;
}

/* produce() one record, waiting while librdkafka's queue is full. */
static void
bench_send(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t part,
           uint64_t i, int size)
{
    void *ts = (void *)(intptr_t)bench_now_ns();

    while (rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY,
                            (void *)bench_payload(i, (size_t)size),
                            (size_t)size, NULL, 0, ts) != 0) {
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "bench_produce: produce: %s\n",
                    rd_kafka_err2str(rd_kafka_last_error()));
            exit(2);
        }
        rd_kafka_poll(rk, 1);
    }
}

/* Send one record and wait for it: connections and metadata are set up
 * before the clock starts. */
static int
bench_warmup(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int size)
{
    bench_send(rk, rkt, 0, 0, size);
    return rd_kafka_flush(rk, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

/* One producer run: rate 0 = as fast as possible.  Returns 0 if every
 * record was delivered. */
static int
bench_run(bench_t *bn, const bench_side_t *s, const pcase_t *c,
          const char *topic, double rate, double secs, prun_t *out)
{
    pstate_t st = { 0 };
    rd_kafka_t *rk = bench_producer(s, c, &st);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    uint64_t sent = 0;
    double t0, t1, now, c0, c1, p0, p1;
    int rc = 0;

    if (rate > 0) {
        st.caplat = (size_t)(rate * secs * 1.2) + 1024;
        st.lat = malloc(st.caplat * sizeof(*st.lat));
        st.lat_from_ns = INT64_MAX;
    }
    if (bench_warmup(rk, rkt, c->size) != 0) {
        fprintf(stderr, "bench_produce: %s: warm-up record not delivered\n",
                s->name);
        rc = -1;
        goto out;
    }
    st.delivered = 0;
    c0 = bench_side_cpu(s);
    p0 = bench_process_cpu();
    t0 = now = bench_now();
    if (rate > 0)
        st.lat_from_ns = bench_now_ns() + 500000000;
    while (now - t0 < secs) {
        uint64_t due = rate > 0 ? (uint64_t)((now - t0) * rate) : sent + 1000;
        for (; sent < due; sent++)
            bench_send(rk, rkt, (int32_t)(sent % (uint64_t)bn->parts),
                       sent + 1, c->size);
        rd_kafka_poll(rk, 0);
        if (rate > 0) {
            struct timespec ts = { 0, 100000 };
            nanosleep(&ts, NULL);
        }
        now = bench_now();
    }
    if (rd_kafka_flush(rk, 60000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        rc = -1;
    t1 = bench_now();
    c1 = bench_side_cpu(s);
    p1 = bench_process_cpu();
    out->rate = (double)st.delivered / (t1 - t0);
    out->cpu_ns = c0 < 0 || c1 < 0 || st.delivered == 0 ? -1
                  : (c1 - c0) / (double)st.delivered * 1e9;
    out->client_ns = out->cpu_ns < 0 ? -1
                     : ((p1 - p0) - (s->mcluster ? c1 - c0 : 0)) /
                       (double)st.delivered * 1e9;
    if (st.failed || st.delivered != sent) {
        fprintf(stderr, "bench_produce: %s %s: %llu of %llu records failed"
                " (%s)\n", s->name, topic, (unsigned long long)st.failed,
                (unsigned long long)sent, rd_kafka_err2str(st.first_err));
        rc = -1;
    }
    if (st.lat) {
        bench_sort(st.lat, st.nlat);
        out->p50_ms = bench_quantile_sorted(st.lat, st.nlat, 0.50);
        out->p99_ms = bench_quantile_sorted(st.lat, st.nlat, 0.99);
    }
out:
    free(st.lat);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return rc;
}

/* A fresh topic for one run. */
static int
bench_fresh_topic(bench_t *bn, bench_side_t *s, char *topic, size_t n)
{
    snprintf(topic, n, "bp-%d-%d", (int)getpid(), ++bn->run_id);
    return bench_topic_create(s, topic, bn->parts);
}

/* One repetition of one case: both sides, throughput then latency. */
static int
bench_case(bench_t *bn, int ci, int rep)
{
    const pcase_t *c = &cases[ci];
    prun_t *r[2] = { &bn->res[ci][0][rep], &bn->res[ci][1][rep] };
    char topic[64];
    double rate;

    for (int k = 0; k < 2; k++) {
        int side = (k + rep) % 2;
        if (bench_fresh_topic(bn, &bn->sides[side], topic, sizeof(topic)) ||
            bench_run(bn, &bn->sides[side], c, topic, 0, bn->tput_s,
                      r[side]) != 0)
            return -1;
    }
    rate = (r[0]->rate < r[1]->rate ? r[0]->rate : r[1]->rate) / 2;
    for (int k = 0; k < 2; k++) {
        int side = (k + rep) % 2;
        prun_t lr;
        if (bench_fresh_topic(bn, &bn->sides[side], topic, sizeof(topic)) ||
            bench_run(bn, &bn->sides[side], c, topic, rate, bn->lat_s,
                      &lr) != 0)
            return -1;
        r[side]->p50_ms = lr.p50_ms;
        r[side]->p99_ms = lr.p99_ms;
    }
    bn->ratio[ci][rep] = r[1]->rate / r[0]->rate;
    if (bn->verbose)
        fprintf(stderr, "  rep %d %5d B acks=%-3s %-4s: mock %9.0f/s "
                "samsa %9.0f/s (%.1f %%) at %.0f/s p50/p99 ms: mock "
                "%.2f/%.2f samsa %.2f/%.2f; CPU ns/rec mock %.0f samsa "
                "%.0f, client %.0f/%.0f\n", rep + 1, c->size, c->acks,
                c->codec, r[0]->rate, r[1]->rate, 100 * bn->ratio[ci][rep],
                rate, r[0]->p50_ms, r[0]->p99_ms, r[1]->p50_ms, r[1]->p99_ms,
                r[0]->cpu_ns, r[1]->cpu_ns, r[0]->client_ns, r[1]->client_ns);
    return 0;
}

static double
bench_med_field(bench_t *bn, int ci, int side, int field)
{
    double v[MAXREPS];

    for (int i = 0; i < bn->reps; i++) {
        const prun_t *r = &bn->res[ci][side][i];
        v[i] = field == 0 ? r->rate : field == 1 ? r->p50_ms
             : field == 2 ? r->p99_ms : field == 3 ? r->cpu_ns
             : r->client_ns;
    }
    return bench_median(v, bn->reps);
}

static void
bench_report(bench_t *bn)
{
    const char *b = bn->sides[0].name, *m = bn->sides[1].name;
    char h1[32], h2[32], h3[32];

    snprintf(h1, sizeof(h1), "%s rec/s", b);
    snprintf(h2, sizeof(h2), "%s p50/p99", b);
    snprintf(h3, sizeof(h3), "%s p50/p99", m);
    printf("producer: %s vs %s, median of %d "
           "repetitions (%.0f s max-rate + %.0f s at half the lower max, "
           "per side)\n", m, bn->sides[0].mcluster ?
           "librdkafka mock cluster" : b, bn->reps, bn->tput_s, bn->lat_s);
    printf("%-22s %10s %10s %7s %6s %6s | %17s %17s | %11s | %11s\n",
           "case", h1, m, "ratio", b, m, h2, h3, "broker CPU", "client CPU");
    printf("%-22s %10s %10s %7s %6s %6s | %17s %17s | %11s | %11s\n", "",
           "", "", "", "MB/s", "MB/s", "ms", "ms", "ns/rec m/s",
           "ns/rec m/s");
    for (int ci = 0; ci < NCASES; ci++) {
        const pcase_t *c = &cases[ci];
        double mr, sr, mp50, mp99, sp50, sp99;
        char name[32];

        if (bn->only && bn->only != ci + 1)
            continue;
        mr = bench_med_field(bn, ci, 0, 0);
        sr = bench_med_field(bn, ci, 1, 0);
        mp50 = bench_med_field(bn, ci, 0, 1);
        mp99 = bench_med_field(bn, ci, 0, 2);
        sp50 = bench_med_field(bn, ci, 1, 1);
        sp99 = bench_med_field(bn, ci, 1, 2);
        snprintf(name, sizeof(name), "%4d B acks=%s %s", c->size, c->acks,
                 c->codec);
        printf("%-22s %10.0f %10.0f %6.1f%% %6.1f %6.1f | "
               "%8.2f/%-8.2f %8.2f/%-8.2f | %5.0f/%-5.0f | %5.0f/%-5.0f\n",
               name, mr, sr,
               100 * bench_median(bn->ratio[ci], bn->reps),
               mr * c->size / 1e6, sr * c->size / 1e6,
               mp50, mp99, sp50, sp99, bench_med_field(bn, ci, 0, 3),
               bench_med_field(bn, ci, 1, 3), bench_med_field(bn, ci, 0, 4),
               bench_med_field(bn, ci, 1, 4));
    }
    printf("ratio = %s/%s records per second (median of per-"
           "repetition ratios); MB/s = value bytes; latency = produce() "
           "to delivery report at the same fixed rate on both sides; "
           "broker CPU = user+sys of the broker(s) (mock: its threads) per "
           "record during the max-rate run, in ns; client CPU = the "
           "benchmark process's (the librdkafka producer's) CPU per "
           "record in the same run, the mock's threads not counted\n",
           m, b);
}

/* Pin thread tid (0: the calling one) to CPU cpu. */
static void
bench_pin(pid_t tid, int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
        perror("bench_produce: sched_setaffinity");
        exit(2);
    }
}

static void
bench_usage(void)
{
    fprintf(stderr, "usage: bench_produce -b bootstrap [-B pid[,pid...]] "
            "[-R replication-factor] [-n name]\n"
            "       [-x baseline-bootstrap [-X pid[,pid...]] [-N name]] "
            "[-r reps] "
            "[-t tput-seconds] [-l latency-seconds] [-c case 1..%d] "
            "[-p partitions] [-a] [-v]\n"
            "  without -x the baseline is librdkafka's mock cluster\n"
            "  -a: client threads on CPU 0, the mock's threads on CPU 1\n",
            NCASES);
    exit(2);
}

int
main(int argc, char **argv)
{
    static bench_t bn;
    const char *bootstrap = NULL, *pids = NULL, *name = "samsa";
    const char *base = NULL, *base_pids = NULL, *base_name = "baseline";
    int opt, rc = 0, rf = 1, split = 0;

    bn.reps = 3;
    bn.parts = 1;
    bn.tput_s = 3;
    bn.lat_s = 3;
    while ((opt = getopt(argc, argv, "b:B:R:n:x:X:N:r:t:l:c:p:av")) != -1) {
        switch (opt) {
        case 'b': bootstrap = optarg; break;
        case 'B': pids = optarg; break;
        case 'R': rf = atoi(optarg); break;
        case 'n': name = optarg; break;
        case 'x': base = optarg; break;
        case 'X': base_pids = optarg; break;
        case 'N': base_name = optarg; break;
        case 'r': bn.reps = atoi(optarg); break;
        case 't': bn.tput_s = atof(optarg); break;
        case 'l': bn.lat_s = atof(optarg); break;
        case 'c': bn.only = atoi(optarg); break;
        case 'p': bn.parts = atoi(optarg); break;
        case 'a': split = 1; break;
        case 'v': bn.verbose = 1; break;
        default: bench_usage();
        }
    }
    if (bootstrap == NULL || bn.reps < 1 || bn.reps > MAXREPS ||
        bn.only < 0 || bn.only > NCASES || bn.parts < 1 ||
        bn.tput_s <= 0 || bn.lat_s <= 1 || rf < 1)
        bench_usage();
    bench_payload_init();
    if (split)
        bench_pin(0, 0);          /* every thread started later inherits */
    if (base != NULL) {
        bench_side_remote(&bn.sides[0], base_name, base, 0);
        if (base_pids != NULL)
            bench_side_pids(&bn.sides[0], base_pids);
    } else if (bench_side_mock(&bn.sides[0]) != 0) {
        return 2;
    }
    for (int i = 0; split && i < bn.sides[0].ntids; i++)
        bench_pin(bn.sides[0].tids[i], 1);
    bench_side_remote(&bn.sides[1], name, bootstrap, 0);
    if (pids != NULL)
        bench_side_pids(&bn.sides[1], pids);
    bn.sides[1].rf = rf;

    for (int rep = 0; rep < bn.reps && rc == 0; rep++)
        for (int ci = 0; ci < NCASES && rc == 0; ci++)
            if (!bn.only || bn.only == ci + 1)
                rc = bench_case(&bn, ci, rep);
    if (rc == 0)
        bench_report(&bn);
    bench_side_fini(&bn.sides[0]);
    return rc == 0 ? 0 : 1;
}
