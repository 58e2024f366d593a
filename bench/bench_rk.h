/*
 * bench_rk.h: what bench_produce and bench_consume share - the two brokers
 * under comparison ("sides"), topic creation, broker CPU accounting,
 * payloads and small statistics.  Benchmarks only; built when configure
 * finds librdkafka (pkg-config rdkafka), never part of libsamsa.
 *
 * A side is either
 *   - a remote broker (samsa): a bootstrap address, and the broker's pid so
 *     its CPU can be read from /proc/<pid>/stat; topics are created with
 *     the Admin API (CreateTopics) and waited for in Metadata; or
 *   - librdkafka's in-memory mock cluster with one broker, started in this
 *     process; its I/O runs on threads librdkafka starts for it, found by
 *     listing /proc/self/task before and after, and their CPU is read from
 *     /proc/self/task/<tid>/stat.  Topics are created with
 *     rd_kafka_mock_topic_create() (the mock has no CreateTopics).
 * Either way the client reaches the broker over loopback TCP, and the CPU
 * figure is user+sys time in clock ticks, as getrusage() would count it.
 *
 * Threads: everything here runs on the benchmark's main thread.
 */
#ifndef SAMSA_BENCH_RK_H
#define SAMSA_BENCH_RK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define BENCH_MAX_TIDS 16

typedef struct bench_side {
    const char *name;                  /* "samsa" or "mock" */
    char        bootstrap[256];
    pid_t       pid;                   /* remote broker, or 0 */
    pid_t       pids[BENCH_MAX_TIDS];  /* more brokers of a remote
                                        * cluster (CPU is summed) */
    int         npids;
    int         rf;                    /* replication factor of the
                                        * topics it creates (0: 1) */
    rd_kafka_t *mock_rk;               /* owner of the mock cluster */
    rd_kafka_mock_cluster_t *mcluster; /* NULL for a remote broker */
    pid_t       tids[BENCH_MAX_TIDS];  /* the mock cluster's threads */
    int         ntids;
} bench_side_t;

/* Set up a remote broker side; pid may be 0 (no CPU figures). */
void bench_side_remote(bench_side_t *s, const char *name,
                       const char *bootstrap, pid_t pid);
/* Broker pids as "p1,p2,...": the first becomes s->pid, the others are
 * added; CPU figures sum them all. */
void bench_side_pids(bench_side_t *s, const char *list);
/* Start a one-broker mock cluster in this process.  0 on success. */
int bench_side_mock(bench_side_t *s);
void bench_side_fini(bench_side_t *s);

/* Create the topic (replication factor s->rf, default 1) and wait until every partition
 * has a leader, bounded by 60 s.  An existing topic is fine.  0 on
 * success; on failure a message is printed to stderr. */
int bench_topic_create(bench_side_t *s, const char *topic, int parts);

/* The broker's CPU time so far (user + sys, seconds), or -1. */
double bench_side_cpu(const bench_side_t *s);

/* This process's CPU time so far (all threads, user + sys, seconds). */
double bench_process_cpu(void);

/* Monotonic clock in seconds / nanoseconds. */
double bench_now(void);
int64_t bench_now_ns(void);

/* Median of v[0..n) (sorts v), p-quantile (0..1) of a sorted array. */
double bench_median(double *v, int n);
double bench_quantile_sorted(const double *v, size_t n, double p);
void bench_sort(double *v, size_t n);

/* Payload bytes: random upper-case letters (as Kafka's ProducerPerformance
 * generates them: compressible, never all alike).  bench_payload(i, size)
 * points at `size` bytes that differ with i; size <= BENCH_PAYLOAD_MAX. */
#define BENCH_PAYLOAD_MAX 4096
void bench_payload_init(void);
const char *bench_payload(uint64_t i, size_t size);

/* rd_kafka_conf_set or die. */
void bench_conf_set(rd_kafka_conf_t *conf, const char *key, const char *val);

#endif /* SAMSA_BENCH_RK_H */
