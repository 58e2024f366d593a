/*
 * bench_consume.c: consumer throughput and broker CPU per GB against a
 * broker (samsa) and librdkafka's in-memory mock cluster, side by side in
 * one run, next to a "sendfile floor".  Not a test: built by `make` when
 * librdkafka is found, run by bench/run-broker-bench.sh, results in
 * BENCHMARKS.md.
 *
 * SETUP.  On each side one topic of `-p` partitions is filled with `-n`
 * records of `-s` bytes (no key, uncompressed, acks=1) per partition.  The
 * mock keeps at most 5 MB per partition in memory, so the defaults (32
 * partitions x 3600 x 1 KiB, about 3.8 MB each) stay under that and both
 * sides serve exactly the same records; samsa serves them from its log
 * segments, in the page cache since they were just written.
 *
 * MEASURE.  Per repetition and side (order alternating), one consumer
 * (no group: the per-partition consume_start API onto one queue;
 * librdkafka 2.0 defaults otherwise, so 1 MiB per partition per Fetch)
 * reads every partition from offset 0 to its end, `-P` times over
 * (stopping and restarting between passes), after one untimed warm-up
 * pass of one partition.  MB/s is
 * value bytes (10^6) over wall time; broker CPU is user+sys of the broker
 * (samsa: the whole process from /proc/<pid>/stat; mock: its threads)
 * over the same interval, per GB (10^9) of value bytes.
 *
 * SENDFILE FLOOR (-D samsa-log-dir).  The least CPU a broker can spend
 * handing these bytes to a socket: a loop that sendfile()s samsa's own
 * segment files of the topic, 1 MiB per call, to a loopback TCP socket
 * drained by another thread, 4 x `-P` times over (it is quick, and short
 * runs scatter); its thread's CPU (getrusage RUSAGE_THREAD) per GB of the
 * value bytes those files hold.  Measured
 * twice: with the OS's socket buffers (autotuned to megabytes), and with
 * SO_SNDBUF 102400 - Kafka's socket.send.buffer.bytes default, which
 * samsa keeps and which makes every sendfile() stop at ~100-200 KB.  The
 * target is samsa's CPU/GB near the floor.
 *
 * Usage: bench_consume -b samsa-bootstrap -B samsa-pid [-D samsa-log-dir]
 *                      [-p partitions] [-n records per partition]
 *                      [-s record size] [-P passes] [-r reps] [-v]
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_rk.h"

#define MAXREPS 15
#define TOPIC   "bench-consume"

typedef struct bench {
    bench_side_t sides[2];          /* 0 mock, 1 samsa */
    const char  *logdir;
    int          parts, nrec, size, passes, reps, verbose;
    double       mbps[2][MAXREPS];
    double       cpu_gb[2][MAXREPS];
    double       floor_gb[MAXREPS];    /* OS-default socket buffers */
    double       floor100_gb[MAXREPS]; /* SO_SNDBUF 102400 */
    double       file_bytes;        /* samsa's segment bytes, per pass */
} bench_t;

/* ------------------------------------------------------------ fill */

static void
bench_fill_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    if (m->err)
        (*(uint64_t *)opaque)++;
}

static int
bench_fill(bench_t *bn, bench_side_t *s)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    uint64_t failed = 0;
    char errstr[256];
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    double c0 = bench_side_cpu(s), t0 = bench_now();

    if (bench_topic_create(s, TOPIC, bn->parts) != 0)
        return -1;
    bench_conf_set(conf, "bootstrap.servers", s->bootstrap);
    bench_conf_set(conf, "acks", "1");
    bench_conf_set(conf, "linger.ms", "5");
    bench_conf_set(conf, "log_level", "3");
    rd_kafka_conf_set_dr_msg_cb(conf, bench_fill_dr);
    rd_kafka_conf_set_opaque(conf, &failed);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "bench_consume: rd_kafka_new: %s\n", errstr);
        return -1;
    }
    rkt = rd_kafka_topic_new(rk, TOPIC, NULL);
    for (uint64_t i = 0; i < (uint64_t)bn->parts * (uint64_t)bn->nrec; i++)
        while (rd_kafka_produce(rkt, (int32_t)(i % (uint64_t)bn->parts),
                                RD_KAFKA_MSG_F_COPY,
                                (void *)bench_payload(i, (size_t)bn->size),
                                (size_t)bn->size, NULL, 0, NULL) != 0)
            rd_kafka_poll(rk, 1);
    if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        failed++;
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    if (failed)
        fprintf(stderr, "bench_consume: %s: filling %s failed\n", s->name,
                TOPIC);
    else if (bn->verbose)
        fprintf(stderr, "  fill %-5s: %.2f s, broker CPU %.2f s (topic "
                "creation included)\n", s->name, bench_now() - t0,
                bench_side_cpu(s) - c0);
    return failed ? -1 : 0;
}

/* ------------------------------------------------------------ consume */

static rd_kafka_t *
bench_consumer(const bench_side_t *s)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    rd_kafka_t *rk;

    bench_conf_set(conf, "bootstrap.servers", s->bootstrap);
    bench_conf_set(conf, "log_level", "3");
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "bench_consume: rd_kafka_new: %s\n", errstr);
        exit(2);
    }
    return rk;
}

/* Read partitions [0, nparts) from offset 0 to the end once (the legacy
 * per-partition consumer API onto one queue: no group, no coordinator);
 * adds the value bytes to *bytes.  0 on success. */
static int
bench_pass(bench_t *bn, rd_kafka_t *rk, int nparts, uint64_t *bytes)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, TOPIC, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    char *seen = calloc((size_t)nparts, 1);
    int done = 0, rc = 0;
    double until = bench_now() + 60;

    for (int p = 0; p < nparts; p++)
        if (rd_kafka_consume_start_queue(rkt, p, 0, q) != 0) {
            fprintf(stderr, "bench_consume: consume_start: %s\n",
                    rd_kafka_err2str(rd_kafka_last_error()));
            rc = -1;
        }
    while (done < nparts && rc == 0) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(q, 100);
        if (m == NULL) {
            if (bench_now() > until) {
                fprintf(stderr, "bench_consume: pass timed out\n");
                rc = -1;
            }
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            /* end of a partition: not an error */
        } else if (m->err) {
            fprintf(stderr, "bench_consume: %s\n", rd_kafka_message_errstr(m));
            rc = -1;
        } else {
            *bytes += m->len;
            if (m->offset == bn->nrec - 1 && m->partition < nparts &&
                !seen[m->partition]) {
                seen[m->partition] = 1;
                done++;
            }
        }
        rd_kafka_message_destroy(m);
    }
    for (int p = 0; p < nparts; p++)
        rd_kafka_consume_stop(rkt, p);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_destroy(rkt);
    free(seen);
    return rc;
}

static int
bench_consume_side(bench_t *bn, int side, int rep)
{
    bench_side_t *s = &bn->sides[side];
    rd_kafka_t *rk = bench_consumer(s);
    uint64_t bytes = 0;
    double t0, t1, c0, c1;
    int rc;

    rc = bench_pass(bn, rk, 1, &bytes);
    bytes = 0;
    c0 = bench_side_cpu(s);
    t0 = bench_now();
    for (int i = 0; i < bn->passes && rc == 0; i++)
        rc = bench_pass(bn, rk, bn->parts, &bytes);
    t1 = bench_now();
    c1 = bench_side_cpu(s);
    rd_kafka_destroy(rk);
    if (rc != 0)
        return rc;
    bn->mbps[side][rep] = (double)bytes / (t1 - t0) / 1e6;
    bn->cpu_gb[side][rep] = c0 < 0 || c1 < 0 ? -1
                            : (c1 - c0) / ((double)bytes / 1e9);
    if (bn->verbose)
        fprintf(stderr, "  rep %d %-5s %.0f MB in %.2f s: %.1f MB/s, "
                "broker CPU %.2f s = %.3f s/GB\n", rep + 1, s->name,
                (double)bytes / 1e6, t1 - t0, bn->mbps[side][rep], c1 - c0,
                bn->cpu_gb[side][rep]);
    return 0;
}

/* ------------------------------------------------------------ floor */

typedef struct drain {
    int      fd;
    uint64_t got;
} drain_t;

static void *
bench_drain(void *arg)
{
    drain_t *d = arg;
    static char buf[1 << 20];
    ssize_t n;

    while ((n = read(d->fd, buf, sizeof(buf))) > 0)
        d->got += (uint64_t)n;
    return NULL;
}

/* A connected loopback TCP pair: *tx to write, *rx to read. */
static int
bench_tcp_pair(int *tx, int *rx)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int ls = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    *tx = socket(AF_INET, SOCK_STREAM, 0);
    if (*tx < 0 || connect(*tx, (struct sockaddr *)&a, sizeof(a)) != 0)
        return -1;
    *rx = accept(ls, NULL, NULL);
    close(ls);
    return *rx < 0 ? -1 : 0;
}

/* Open samsa's segment files of TOPIC; returns how many (<= max). */
static int
bench_open_segments(bench_t *bn, int *fds, int max, double *bytes)
{
    int n = 0;

    *bytes = 0;
    for (int p = 0; p < bn->parts; p++) {
        char dir[4096], path[8192];
        DIR *d;
        struct dirent *de;

        snprintf(dir, sizeof(dir), "%s/%s-%d", bn->logdir, TOPIC, p);
        if ((d = opendir(dir)) == NULL)
            continue;
        while ((de = readdir(d)) != NULL && n < max) {
            size_t l = strlen(de->d_name);
            struct stat st;
            if (l < 5 || strcmp(de->d_name + l - 4, ".log") != 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            fds[n] = open(path, O_RDONLY);
            if (fds[n] >= 0 && fstat(fds[n], &st) == 0 && st.st_size > 0) {
                *bytes += (double)st.st_size;
                n++;
            } else if (fds[n] >= 0) {
                close(fds[n]);
            }
        }
        closedir(d);
    }
    return n;
}

static double
bench_thread_cpu(void)
{
    struct rusage ru;

    getrusage(RUSAGE_THREAD, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* One floor measurement: CPU seconds of the sending thread per GB of
 * value bytes; -1 on failure.  sndbuf > 0: that SO_SNDBUF on the sending
 * socket, as a broker sets socket.send.buffer.bytes. */
static double
bench_floor(bench_t *bn, int *fds, int nfds, int sndbuf)
{
    drain_t d = { -1, 0 };
    pthread_t th;
    int tx = -1;
    double c0, c1, sent = 0;

    if (bench_tcp_pair(&tx, &d.fd) != 0 ||
        (sndbuf > 0 && setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &sndbuf,
                                  sizeof(sndbuf)) != 0)) {
        perror("bench_consume: loopback socket");
        return -1;
    }
    pthread_create(&th, NULL, bench_drain, &d);
    c0 = bench_thread_cpu();
    for (int pass = 0; pass < 4 * bn->passes; pass++) {
        for (int i = 0; i < nfds; i++) {
            off_t off = 0;
            ssize_t n;
            while ((n = sendfile(tx, fds[i], &off, 1 << 20)) > 0)
                sent += (double)n;
            if (n < 0) {
                perror("bench_consume: sendfile");
                break;
            }
        }
    }
    c1 = bench_thread_cpu();
    close(tx);
    pthread_join(th, NULL);
    close(d.fd);
    if ((double)d.got != sent)
        return -1;
    return (c1 - c0) / (4.0 * bn->passes * bn->parts * bn->nrec *
                        bn->size / 1e9);
}

/* ------------------------------------------------------------ report */

static void
bench_report(bench_t *bn)
{
    double m[2], c[2], fl = -1, fl100 = -1, r[MAXREPS];

    for (int s = 0; s < 2; s++) {
        m[s] = bench_median(bn->mbps[s], bn->reps);
        c[s] = bench_median(bn->cpu_gb[s], bn->reps);
    }
    if (bn->logdir) {
        for (int i = 0; i < bn->reps; i++)
            r[i] = bn->floor_gb[i];
        fl = bench_median(r, bn->reps);
        for (int i = 0; i < bn->reps; i++)
            r[i] = bn->floor100_gb[i];
        fl100 = bench_median(r, bn->reps);
    }
    printf("consumer: %d partitions x %d records x %d B, %d passes per "
           "repetition (%.0f MB of values), median of %d repetitions\n",
           bn->parts, bn->nrec, bn->size, bn->passes,
           (double)bn->passes * bn->parts * bn->nrec * bn->size / 1e6,
           bn->reps);
    printf("%-26s %10s %10s %8s\n", "", "mock", "samsa", "ratio");
    for (int i = 0; i < bn->reps; i++)
        r[i] = bn->mbps[1][i] / bn->mbps[0][i];
    printf("%-26s %10.1f %10.1f %7.1f%%\n", "consumer MB/s", m[0], m[1],
           100 * bench_median(r, bn->reps));
    for (int i = 0; i < bn->reps; i++)
        r[i] = bn->cpu_gb[1][i] / bn->cpu_gb[0][i];
    printf("%-26s %10.3f %10.3f %7.1f%%\n", "broker CPU s per GB", c[0],
           c[1], 100 * bench_median(r, bn->reps));
    if (fl > 0) {
        for (int i = 0; i < bn->reps; i++)
            r[i] = bn->cpu_gb[1][i] / bn->floor_gb[i];
        printf("%-26s %10s %10.3f\n", "sendfile floor s per GB", "", fl);
        printf("%-26s %10s %10.2fx\n", "samsa CPU / floor", "",
               bench_median(r, bn->reps));
        for (int i = 0; i < bn->reps; i++)
            r[i] = bn->cpu_gb[1][i] / bn->floor100_gb[i];
        printf("%-26s %10s %10.3f\n", "floor, SO_SNDBUF 102400", "",
               fl100);
        printf("%-26s %10s %10.2fx\n", "samsa CPU / that floor", "",
               bench_median(r, bn->reps));
        printf("(segment bytes / value bytes %.3f; the broker's "
               "socket.send.buffer.bytes is Kafka's 102400 unless "
               "SAMSA_BENCH_PROPS says otherwise)\n", bn->file_bytes /
               ((double)bn->parts * bn->nrec * bn->size));
    }
}

static void
bench_usage(void)
{
    fprintf(stderr, "usage: bench_consume -b bootstrap -B broker-pid "
            "[-D log-dir] [-p partitions] [-n records] [-s size] "
            "[-P passes] [-r reps] [-v]\n");
    exit(2);
}

static int
bench_run(bench_t *bn)
{
    int fds[4096], nfds = 0;

    for (int s = 0; s < 2; s++)
        if (bench_fill(bn, &bn->sides[s]) != 0)
            return -1;
    if (bn->logdir) {
        nfds = bench_open_segments(bn, fds, 4096, &bn->file_bytes);
        if (nfds < bn->parts) {
            fprintf(stderr, "bench_consume: found %d segment files of %s "
                    "under %s\n", nfds, TOPIC, bn->logdir);
            return -1;
        }
    }
    for (int rep = 0; rep < bn->reps; rep++) {
        for (int k = 0; k < 2; k++)
            if (bench_consume_side(bn, (k + rep) % 2, rep) != 0)
                return -1;
        if (bn->logdir &&
            ((bn->floor_gb[rep] = bench_floor(bn, fds, nfds, 0)) < 0 ||
             (bn->floor100_gb[rep] = bench_floor(bn, fds, nfds, 102400))
             < 0)) {
            fprintf(stderr, "bench_consume: sendfile floor failed\n");
            return -1;
        }
        if (bn->verbose && bn->logdir)
            fprintf(stderr, "  rep %d floor %.3f s/GB, with SO_SNDBUF "
                    "102400 %.3f s/GB\n", rep + 1, bn->floor_gb[rep],
                    bn->floor100_gb[rep]);
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    return 0;
}

int
main(int argc, char **argv)
{
    static bench_t bn;
    const char *bootstrap = NULL;
    pid_t pid = 0;
    int opt, rc;

    bn.parts = 32;
    bn.nrec = 3600;
    bn.size = 1024;
    bn.passes = 8;
    bn.reps = 3;
    while ((opt = getopt(argc, argv, "b:B:D:p:n:s:P:r:v")) != -1) {
        switch (opt) {
        case 'b': bootstrap = optarg; break;
        case 'B': pid = (pid_t)atoi(optarg); break;
        case 'D': bn.logdir = optarg; break;
        case 'p': bn.parts = atoi(optarg); break;
        case 'n': bn.nrec = atoi(optarg); break;
        case 's': bn.size = atoi(optarg); break;
        case 'P': bn.passes = atoi(optarg); break;
        case 'r': bn.reps = atoi(optarg); break;
        case 'v': bn.verbose = 1; break;
        default: bench_usage();
        }
    }
    if (bootstrap == NULL || pid <= 0 || bn.parts < 1 || bn.parts > 1024 ||
        bn.nrec < 1 || bn.size < 1 || bn.size > BENCH_PAYLOAD_MAX ||
        bn.passes < 1 || bn.reps < 1 || bn.reps > MAXREPS)
        bench_usage();
    bench_payload_init();
    if (bench_side_mock(&bn.sides[0]) != 0)
        return 2;
    bench_side_remote(&bn.sides[1], "samsa", bootstrap, pid);
    rc = bench_run(&bn);
    if (rc == 0)
        bench_report(&bn);
    bench_side_fini(&bn.sides[0]);
    return rc == 0 ? 0 : 1;
}
