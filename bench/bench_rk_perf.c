/*
 * bench_rk_perf.c: librdkafka's side of the client benchmark
 * (bench/run-client-bench.sh): the same work kafka-producer-perf-test.sh
 * and kafka-consumer-perf-test.sh do over libsamsa, done with librdkafka,
 * so the two clients can be compared against one samsa broker.
 *
 *   bench_rk_perf produce -b BOOTSTRAP -t TOPIC -n RECORDS -s SIZE
 *                         [-X key=value ...]
 *   bench_rk_perf consume -b BOOTSTRAP -t TOPIC -n RECORDS
 *                         [-X key=value ...]
 *
 * produce: RECORDS unkeyed records of SIZE random upper-case letters (as
 * ProducerPerformance builds its payload), sent as fast as the queue
 * takes them; timed from the first send to the last delivery report.
 * consume: every partition of TOPIC assigned from offset 0 (as
 * samsa-consumer-perf does), until RECORDS records arrived.
 * -X sets any librdkafka property (acks, linger.ms, batch.size,
 * compression.type, ...).  Prints one line:
 *
 *   <n> records <sent|consumed>, <r> records/sec (<m> MB/sec)
 *
 * Exit 1 on a failed delivery, a consume error or a timeout (60 s without
 * progress).  Benchmarks only; built when configure finds librdkafka.
 * Threads: main only (librdkafka's own threads call the delivery report
 * from rd_kafka_poll on main).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

typedef struct perf {
    const char *mode, *bootstrap, *topic;
    long long   n, size;
    rd_kafka_conf_t *conf;
    long long   delivered, failed;
} perf_t;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *msg)
{
    fprintf(stderr, "bench_rk_perf: %s\n", msg);
    exit(1);
}

static void
set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[256];

    if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK)
        die(err);
}

static void
dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    perf_t *p = opaque;

    (void)rk;
    if (m->err) {
        if (p->failed++ == 0)
            fprintf(stderr, "bench_rk_perf: delivery failed: %s\n",
                    rd_kafka_err2str(m->err));
    } else {
        p->delivered++;
    }
}

static void
report(const perf_t *p, long long n, long long bytes, double secs,
       const char *what)
{
    printf("%lld records %s, %.1f records/sec (%.2f MB/sec)\n", n, what,
           (double)n / secs, (double)bytes / secs / (1024.0 * 1024.0));
    (void)p;
}

static int
produce(perf_t *p)
{
    char err[256];
    rd_kafka_t *rk;
    char *payload = malloc((size_t)p->size + 1);
    double t0, last = now_s();
    long long sent = 0;

    for (long long i = 0; i < p->size; i++)
        payload[i] = (char)('A' + rand() % 26);
    rd_kafka_conf_set_dr_msg_cb(p->conf, dr_cb);
    rd_kafka_conf_set_opaque(p->conf, p);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, p->conf, err, sizeof(err));
    if (rk == NULL)
        die(err);
    t0 = now_s();
    while (sent < p->n) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(p->topic),
            RD_KAFKA_V_VALUE(payload, (size_t)p->size),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);

        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 1);
            if (now_s() - last > 60)
                die("no progress for 60 s");
            continue;
        }
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
            die(rd_kafka_err2str(e));
        sent++;
        last = now_s();
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 60000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        die("flush timed out");
    report(p, p->delivered, p->delivered * p->size, now_s() - t0, "sent");
    rd_kafka_destroy(rk);
    free(payload);
    return p->failed ? 1 : 0;
}

/* Every partition of the topic from offset 0. */
static void
assign_all(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_partition_list_t *l;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);

    if (rd_kafka_metadata(rk, 0, t, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR
        || md->topic_cnt != 1 || md->topics[0].partition_cnt < 1)
        die("no metadata for the topic");
    l = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++)
        rd_kafka_topic_partition_list_add(
            l, topic, md->topics[0].partitions[i].id)->offset = 0;
    if (rd_kafka_assign(rk, l) != RD_KAFKA_RESP_ERR_NO_ERROR)
        die("assign failed");
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
}

static int
consume(perf_t *p)
{
    char err[256];
    rd_kafka_t *rk;
    long long got = 0, bytes = 0;
    double t0 = 0, last;

    set(p->conf, "group.id", "bench-rk-perf");
    set(p->conf, "enable.auto.commit", "false");
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, p->conf, err, sizeof(err));
    if (rk == NULL)
        die(err);
    rd_kafka_poll_set_consumer(rk);
    assign_all(rk, p->topic);
    last = now_s();
    while (got < p->n) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);

        if (m == NULL) {
            if (now_s() - last > 60)
                die("no progress for 60 s");
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (got++ == 0)
                t0 = now_s();
            bytes += (long long)m->len;
            last = now_s();
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            die(rd_kafka_err2str(m->err));
        }
        rd_kafka_message_destroy(m);
    }
    report(p, got, bytes, now_s() - t0, "consumed");
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

int
main(int argc, char **argv)
{
    perf_t p = { 0 };
    int o;

    if (argc < 2)
        die("usage: bench_rk_perf produce|consume -b B -t T -n N [-s S] "
            "[-X k=v ...]");
    p.mode = argv[1];
    p.conf = rd_kafka_conf_new();
    optind = 2;
    while ((o = getopt(argc, argv, "b:t:n:s:X:")) != -1) {
        char *eq;

        switch (o) {
        case 'b': p.bootstrap = optarg; break;
        case 't': p.topic = optarg; break;
        case 'n': p.n = atoll(optarg); break;
        case 's': p.size = atoll(optarg); break;
        case 'X':
            if ((eq = strchr(optarg, '=')) == NULL)
                die("-X wants key=value");
            *eq = '\0';
            set(p.conf, optarg, eq + 1);
            break;
        default: die("bad option");
        }
    }
    if (p.bootstrap == NULL || p.topic == NULL || p.n <= 0)
        die("-b, -t and -n are required");
    set(p.conf, "bootstrap.servers", p.bootstrap);
    if (strcmp(p.mode, "produce") == 0) {
        if (p.size <= 0)
            die("-s is required to produce");
        return produce(&p);
    }
    if (strcmp(p.mode, "consume") == 0)
        return consume(&p);
    die("mode is produce or consume");
    return 1;
}
