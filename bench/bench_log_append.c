/*
 * bench_log_append.c: partition-log append throughput against plain
 * sequential write(2) of the same bytes to the same directory, measured
 * side by side in one run.  Not a test: built by `make`, never run by
 * `make check`.
 *
 * CASES: records of 100 B and 1 KiB values in RecordBatch v2 batches of
 * about 16 KiB, each (a) buffered - no flush at all - and (b) with a 1 s
 * flush interval: the log via flush.ms=1000 and the log manager's
 * scheduler thread, the baseline via a thread that fsyncs its file every
 * second.
 *
 * METHOD.  The machine is shared, so the two sides are measured as close
 * together as possible.  Buffered: in each repetition both write `size`
 * bytes interleaved in 32 MiB chunks (alternating which goes first), each
 * chunk timed on its own; a side's rate is its bytes over the sum of its
 * chunk times.  Flush: interleaving would let one side's fsync stall the
 * other's writes, so each repetition runs the two sides one after the
 * other, alternating the order.  The result is the median over the
 * repetitions of the ratio log/raw, next to the median rates.
 * Between repetitions the files are removed outside the timed region;
 * unlinking drops their dirty pages, so no repetition pays for another's
 * writeback.
 *
 * The batches are built once, before timing (the broker gets them from the
 * network); the log assigns offsets by rewriting each batch header in
 * place, as a leader append does.  Nothing is done per record.
 *
 * Usage: bench_log_append [-d dir] [-s MiB per side and repetition]
 *                         [-f the same for the flush cases] [-r reps]
 *                         [-c case 1..4] [-v]
 * The flush cases write 1.5 GiB by default so that every run spans a few
 * flush intervals.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sm_buf.h"
#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log.h"
#include "log/log_io.h"
#include "protocol/codec.h"
#include "protocol/records.h"

#define BATCH_TARGET (16 * 1024)
#define NBATCHES     64            /* distinct batches, used in turn */
#define CHUNK        (32UL << 20)

typedef struct bench {
    const char *dir;
    size_t      total;             /* bytes per side and repetition */
    size_t      total_flush;       /* the same for the flush cases */
    int         reps;
    int         only;              /* -c: one case (1..4), 0 = all */
    int         verbose;           /* -v: every repetition */
    uint8_t    *batch[NBATCHES];
    size_t      batch_len[NBATCHES];
} bench_t;

/* ------------------------------------------------------------ batches */

static void
bench_record(sm_buf_t *out, int delta, const uint8_t *v, size_t vlen)
{
    sm_buf_t r = SM_BUF_INIT;

    sm_wr_i8(&r, 0);
    sm_wr_varlong(&r, delta);
    sm_wr_varint(&r, delta);
    sm_wr_varint(&r, -1);                 /* null key */
    sm_wr_varint(&r, (int32_t)vlen);
    sm_wr_raw(&r, v, vlen);
    sm_wr_varint(&r, 0);
    sm_wr_varint(out, (int32_t)r.len);
    sm_wr_raw(out, r.data, r.len);
    sm_buf_fini(&r);
}

/* One uncompressed batch of as many records as fit in ~16 KiB. */
static uint8_t *
bench_batch(size_t vlen, int seed, size_t *lenp)
{
    sm_buf_t b = SM_BUF_INIT, recs = SM_BUF_INIT;
    uint8_t *v = sm_malloc(vlen);
    int64_t ts = sm_now_ms();
    int n = 0;

    for (size_t i = 0; i < vlen; i++)
        v[i] = (uint8_t)(seed * 31 + i);
    while (SM_BATCH_V2_HDR_SIZE + recs.len + vlen + 16 <= BATCH_TARGET)
        bench_record(&recs, n++, v, vlen);
    sm_wr_i64(&b, 0);
    sm_wr_i32(&b, (int32_t)(SM_BATCH_V2_HDR_SIZE - 12 + recs.len));
    sm_wr_i32(&b, -1);
    sm_wr_i8(&b, 2);
    sm_wr_u32(&b, 0);
    sm_wr_i16(&b, 0);
    sm_wr_i32(&b, n - 1);
    sm_wr_i64(&b, ts);
    sm_wr_i64(&b, ts + n - 1);
    sm_wr_i64(&b, -1);
    sm_wr_i16(&b, -1);
    sm_wr_i32(&b, -1);
    sm_wr_i32(&b, n);
    sm_wr_raw(&b, recs.data, recs.len);
    sm_store_be32(b.data + SM_BATCH_OFF_CRC,
                  sm_crc32c(0, b.data + SM_BATCH_OFF_ATTRIBUTES,
                            b.len - SM_BATCH_OFF_ATTRIBUTES));
    sm_buf_fini(&recs);
    sm_free(v);
    return sm_buf_detach(&b, lenp);
}

/* ------------------------------------------------------------ baseline */

typedef struct bench_raw {
    char           *path;
    int             fd;
    int             flush;
    int             stop;
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    pthread_t       thread;
} bench_raw_t;

/* The baseline's flusher: fsync once a second. */
static void *
bench_raw_syncer(void *arg)
{
    bench_raw_t *s = arg;
    struct timespec ts;

    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->lock);
        if (fsync(s->fd) != 0)
            perror("fsync");
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void
bench_raw_open(bench_t *b, bench_raw_t *s, int flush)
{
    memset(s, 0, sizeof(*s));
    s->path = sm_asprintf("%s/raw.bin", b->dir);
    s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (s->fd < 0) {
        perror(s->path);
        exit(1);
    }
    s->flush = flush;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    if (flush)
        pthread_create(&s->thread, NULL, bench_raw_syncer, s);
}

static void
bench_raw_close(bench_raw_t *s)
{
    if (s->flush) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
    }
    close(s->fd);
    unlink(s->path);
    sm_free(s->path);
}

/* ------------------------------------------------------------ log */

typedef struct bench_log {
    char         *dir;
    sm_logmgr_t  *mgr;
    sm_log_t     *log;
} bench_log_t;

static void
bench_log_open(bench_t *b, bench_log_t *l, int flush)
{
    const char *dirs[1];
    sm_logmgr_config_t mc;
    sm_log_config_t lc;
    char err[512];

    l->dir = sm_asprintf("%s/logdata", b->dir);
    dirs[0] = l->dir;
    sm_logmgr_config_defaults(&mc);
    mc.dirs = dirs;
    mc.ndirs = 1;
    mc.background_threads = 1;
    mc.cleaner_enable = 0;
    mc.flush_scheduler_interval_ms = 100;
    lc = mc.defaults;
    lc.flush_ms = flush ? 1000 : INT64_MAX;
    if (sm_logmgr_open(&mc, &l->mgr, err, sizeof(err)) != SM_OK ||
        sm_logmgr_create(l->mgr, "bench", 0, &lc, &l->log) != SM_OK) {
        fprintf(stderr, "cannot open the log: %s\n", err);
        exit(1);
    }
}

static void
bench_log_close(bench_log_t *l)
{
    sm_logmgr_delete(l->mgr, "bench", 0);
    sm_logmgr_close(l->mgr);
    sm_io_rmtree(l->dir);
    sm_free(l->dir);
}

/* ------------------------------------------------------------ runs */

/* Write `len` bytes of batches to one side; returns microseconds. */
static int64_t
bench_chunk(bench_t *b, bench_raw_t *raw, bench_log_t *log, size_t len,
            int *next)
{
    int64_t t0 = sm_mono_us();
    size_t done = 0;
    int i = *next;

    while (done < len) {
        size_t n = b->batch_len[i];
        if (raw != NULL) {
            if (write(raw->fd, b->batch[i], n) != (ssize_t)n) {
                perror("write");
                exit(1);
            }
        } else if (sm_log_append(log->log, b->batch[i], n, 0, -1, NULL,
                                 NULL) != SM_OK) {
            fprintf(stderr, "append failed\n");
            exit(1);
        }
        done += n;
        i = (i + 1) % NBATCHES;
    }
    *next = i;
    return sm_mono_us() - t0;
}

/* One side alone for a whole repetition (the flush cases). */
static double
bench_alone(bench_t *b, int is_raw, size_t total)
{
    bench_raw_t raw;
    bench_log_t log;
    int64_t t;
    int i = 0;

    if (is_raw)
        bench_raw_open(b, &raw, 1);
    else
        bench_log_open(b, &log, 1);
    t = bench_chunk(b, is_raw ? &raw : NULL, is_raw ? NULL : &log, total, &i);
    if (is_raw)                             /* outside the timed region */
        bench_raw_close(&raw);
    else
        bench_log_close(&log);
    return (double)total / (double)t;
}

/*
 * One repetition; rates in MB/s.  Buffered: both sides interleaved by
 * chunks.  Flush: each side alone, in alternating order (interleaving
 * would let one side's fsync stall the other's writes).
 */
static void
bench_rep(bench_t *b, int flush, int rep, double *raw_rate, double *log_rate)
{
    size_t total = flush ? b->total_flush : b->total, done = 0;
    int64_t t_raw = 0, t_log = 0;
    int ir = 0, il = 0, k = rep;
    bench_raw_t raw;
    bench_log_t log;

    if (flush) {
        if (rep % 2 == 0)
            *raw_rate = bench_alone(b, 1, total);
        *log_rate = bench_alone(b, 0, total);
        if (rep % 2 == 1)
            *raw_rate = bench_alone(b, 1, total);
        return;
    }
    bench_raw_open(b, &raw, 0);
    bench_log_open(b, &log, 0);
    for (; done < total; done += CHUNK, k++) {
        size_t len = total - done < CHUNK ? total - done : CHUNK;
        if (k % 2 == 0) {
            t_raw += bench_chunk(b, &raw, NULL, len, &ir);
            t_log += bench_chunk(b, NULL, &log, len, &il);
        } else {
            t_log += bench_chunk(b, NULL, &log, len, &il);
            t_raw += bench_chunk(b, &raw, NULL, len, &ir);
        }
    }
    bench_raw_close(&raw);                  /* outside the timed region */
    bench_log_close(&log);
    *raw_rate = (double)total / (double)t_raw;
    *log_rate = (double)total / (double)t_log;
}

/* ------------------------------------------------------------ main */

static int
bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), bench_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
bench_case(bench_t *b, size_t vlen, int flush)
{
    double raw[16], lg[16], ratio[16], mr, ml, mq;

    for (int i = 0; i < NBATCHES; i++) {
        sm_free(b->batch[i]);
        b->batch[i] = bench_batch(vlen, i, &b->batch_len[i]);
    }
    for (int r = 0; r < b->reps; r++) {
        bench_rep(b, flush, r, &raw[r], &lg[r]);
        ratio[r] = lg[r] / raw[r];
        if (b->verbose)
            printf("    rep %d: raw %.1f log %.1f (%.1f %%)\n", r, raw[r],
                   lg[r], 100.0 * ratio[r]);
    }
    mr = bench_median(raw, b->reps);
    ml = bench_median(lg, b->reps);
    mq = bench_median(ratio, b->reps);
    printf("%5zu B records, %s  %9.1f  %9.1f  %6.1f %%\n", vlen,
           flush ? "flush 1 s " : "buffered  ", mr, ml, 100.0 * mq);
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    bench_t b;
    int opt;

    memset(&b, 0, sizeof(b));
    b.dir = ".";
    b.total = 1024UL << 20;
    b.total_flush = 1536UL << 20;
    b.reps = 5;
    while ((opt = getopt(argc, argv, "d:s:f:r:c:v")) != -1) {
        switch (opt) {
        case 'd': b.dir = optarg; break;
        case 's': b.total = strtoul(optarg, NULL, 10) << 20; break;
        case 'f': b.total_flush = strtoul(optarg, NULL, 10) << 20; break;
        case 'r': b.reps = atoi(optarg); break;
        case 'c': b.only = atoi(optarg); break;
        case 'v': b.verbose = 1; break;
        default:
            fprintf(stderr, "usage: %s [-d dir] [-s MiB] [-f MiB] "
                    "[-r reps] [-c case] [-v]\n", argv[0]);
            return 2;
        }
    }
    if (b.reps < 1 || b.reps > 16 || b.total == 0 || b.total_flush == 0)
        return 2;
    sm_crc32c_init();
    sm_log_level = SM_LOG_WARN;
    printf("log append vs write(2), %zu MiB (flush cases: %zu MiB) per "
           "side and repetition, %d repetitions, in %s\n", b.total >> 20,
           b.total_flush >> 20, b.reps, b.dir);
    printf("%-29s %9s  %9s  %8s\n", "case", "raw MB/s", "log MB/s",
           "log/raw");
    for (int c = 1; c <= 4; c++)
        if (b.only == 0 || b.only == c)
            bench_case(&b, c % 2 ? 100 : 1024, c > 2);
    printf("(MB/s = 10^6 bytes/s; rates are medians, log/raw is the median "
           "of the per-repetition ratios)\n");
    for (int i = 0; i < NBATCHES; i++)
        sm_free(b.batch[i]);
    return 0;
}
