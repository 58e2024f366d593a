/*
 * bench_validate.c: the broker's per-batch Produce validation
 * (sm_validate_produce: CRC, framing, every record parsed and checked)
 * against memcpy of the same bytes, side by side in one run.  The mock
 * broker of bench_produce copies a produced batch and nothing else, so
 * this isolates what samsa's validation adds, without the network, the
 * disk or another process sharing the CPU.  Not a test: built by `make`,
 * never run by `make check`.
 *
 * CASES: uncompressed and lz4 batches of 100 B and 1 KiB values (null key,
 * no headers, random upper-case letters as bench_produce sends), about
 * 1 MB before compression - what librdkafka sends at full speed.  The
 * batches are built once; each repetition copies, then validates, them
 * for about 50 ms of this thread's CPU time (not wall time: the machine
 * is shared) and reports ns per record.  The result is the median over
 * the repetitions of each side and of the per-repetition ratio.
 *
 * Usage: bench_validate [-r reps] [-v]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_buf.h"
#include "common/sm_crc.h"
#include "common/sm_mem.h"
#include "log/validator.h"
#include "protocol/records.h"

#define MAXREPS 101

/* This thread's CPU time: co-runners on a shared machine steal wall time,
 * not this. */
static double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* One batch of n records of size bytes, codec c, into out. */
static int
bench_build(sm_buf_t *out, int size, sm_codec_t c)
{
    static char pool[65536 + 1024];
    uint32_t x = 2463534242u;
    sm_batch_builder_t bb;
    int n = 1000000 / (size + 10);

    for (size_t i = 0; i < sizeof(pool); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pool[i] = (char)('A' + x % 26);
    }
    sm_batch_builder_init(&bb, out, 2, c, 0);
    for (int i = 0; i < n; i++)
        sm_batch_builder_add(&bb, 1700000000000 + i / 50, SM_BYTES_NULL,
                             (sm_bytes_t){ (const uint8_t *)pool +
                                           (i * 7919) % 65536, size },
                             NULL, 0);
    if (sm_batch_builder_finish(&bb) != SM_OK) {
        fprintf(stderr, "bench_validate: cannot build a batch\n");
        exit(2);
    }
    return n;
}

/* ns per record of validating (or, copy = 1, memcpy'ing) the batch for
 * about secs seconds. */
static double
bench_time(const sm_buf_t *batch, int nrec, int copy, double secs)
{
    uint8_t *dst = sm_malloc(batch->len), *src = sm_malloc(batch->len);
    sm_validate_cfg_t vc;
    long iters = 0;
    double t0 = bench_now(), t = t0;

    memset(&vc, 0, sizeof(vc));
    vc.produce_version = 7;
    vc.max_message_bytes = 1048588;
    vc.target_codec = -1;
    vc.max_timestamp_diff = INT64_MAX;
    vc.now_ms = 1700000000000;
    vc.max_decompressed = 64u << 20;
    memcpy(src, batch->data, batch->len);
    while (t - t0 < secs) {
        for (int k = 0; k < 16; k++) {
            if (copy) {
                memcpy(dst, src, batch->len);
            } else {
                sm_buf_t conv = SM_BUF_INIT;
                sm_validate_result_t vr;
                if (sm_validate_produce(&vc, src, batch->len, &conv, &vr) !=
                    SM_OK || vr.records != nrec) {
                    fprintf(stderr, "bench_validate: validation failed\n");
                    exit(2);
                }
                sm_buf_fini(&conv);
            }
        }
        iters += 16;
        t = bench_now();
    }
    free(dst);
    free(src);
    return (t - t0) * 1e9 / ((double)iters * nrec);
}

int
main(int argc, char **argv)
{
    static const struct { int size; sm_codec_t codec; const char *name; }
    cases[] = {
        { 100, SM_CODEC_NONE, "100 B none" },
        { 1024, SM_CODEC_NONE, "1 KiB none" },
        { 100, SM_CODEC_LZ4, "100 B lz4" },
        { 1024, SM_CODEC_LZ4, "1 KiB lz4" },
    };
    int reps = 21, verbose = 0, opt;

    while ((opt = getopt(argc, argv, "r:v")) != -1) {
        if (opt == 'r')
            reps = atoi(optarg);
        else if (opt == 'v')
            verbose = 1;
        else
            reps = 0;
    }
    if (reps < 1 || reps > MAXREPS) {
        fprintf(stderr, "usage: bench_validate [-r reps 1..%d] [-v]\n",
                MAXREPS);
        return 2;
    }
    if (sm_crc32c_init() != 0)
        return 2;
    printf("Produce validation vs memcpy of the same batch (~1 MB of "
           "values), ns per record, median of %d repetitions\n", reps);
    printf("%-12s %10s %10s %8s %10s\n", "case", "memcpy", "validate",
           "ratio", "batch B");
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        sm_buf_t batch = SM_BUF_INIT;
        int n = bench_build(&batch, cases[c].size, cases[c].codec);
        double cp[MAXREPS], va[MAXREPS], ra[MAXREPS];

        for (int r = 0; r < reps; r++) {
            cp[r] = bench_time(&batch, n, 1, 0.05);
            va[r] = bench_time(&batch, n, 0, 0.05);
            ra[r] = va[r] / cp[r];
            if (verbose)
                fprintf(stderr, "  %s rep %d: memcpy %.1f validate %.1f\n",
                        cases[c].name, r + 1, cp[r], va[r]);
        }
        printf("%-12s %10.1f %10.1f %7.2fx %10zu\n", cases[c].name,
               bench_median(cp, reps), bench_median(va, reps),
               bench_median(ra, reps), batch.len);
        sm_buf_fini(&batch);
    }
    return 0;
}
