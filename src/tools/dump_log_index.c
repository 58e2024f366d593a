/*
 * dump_log_index.c: dumping .index, .timeindex and .txnindex files the way
 * Kafka 2.7's DumpLogSegments does.
 *
 * FORMATS (big-endian; N = file size / entry size, rounded down, as Kafka's
 * AbstractIndex counts them for an existing file):
 *   .index      entry = 8 bytes
 *                 OFFSET SIZE DESCRIPTION
 *                      0    4 offset relative to the segment base offset
 *                      4    4 byte position of the batch in the .log
 *   .timeindex  entry = 12 bytes
 *                      0    8 timestamp
 *                      8    4 offset relative to the segment base offset
 *   .txnindex   entry = 34 bytes (aborted transactions)
 *                      0    2 version (0)
 *                      2    8 producerId
 *                     10    8 firstOffset
 *                     18    8 lastOffset
 *                     26    8 lastStableOffset
 * The segment base offset is the number before the first '.' in the file
 * name.  Index files are preallocated, so a broker that crashed leaves
 * zeros after the real entries: the dump stops at the first entry (after
 * the first) whose offset equals the base offset.
 *
 * WHAT IS CHECKED.  For each .index entry the batch at its position in the
 * .log must have that offset as its last offset; differences are collected
 * and printed to stderr at the end ("Mismatches in :FILE", newest first).
 * For each .timeindex entry the offset index gives a start position, the
 * first batch whose last offset reaches the entry's offset must end exactly
 * there and its largest record timestamp must equal the entry's; timestamps
 * must grow.  --verify-index-only keeps the checks and drops the per-entry
 * lines; --index-sanity-check runs only the broker's start-up check.
 *
 * The .log of the same base name in the same directory must exist (Kafka
 * opens it even for --index-sanity-check).  A missing index file makes
 * Kafka create an empty one and fail with "Invalid max index size: -1";
 * samsa reports the same failure but does not create the file.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "tools/dump_log.h"

#define DL_OFFSET_ENTRY 8
#define DL_TIME_ENTRY   12
#define DL_TXN_ENTRY    34

#define EX_CORRUPT_INDEX "kafka.log.CorruptIndexException"
#define EX_ILLEGAL_ARG   "java.lang.IllegalArgumentException"

typedef struct dl_idx {
    dl_map_t map;
    int64_t  base;
    size_t   entry_size;
    int32_t  entries;
} dl_idx_t;

/* new OffsetIndex / TimeIndex (file, baseOffset, writable = false) */
static int
dl_idx_open(dl_idx_t *ix, const char *path, int64_t base, size_t entry_size)
{
    memset(ix, 0, sizeof(*ix));
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return dl_throw(EX_ILLEGAL_ARG, "Invalid max index size: -1");
    if (dl_map_open(&ix->map, path, path) != 0)
        return -1;
    ix->base = base;
    ix->entry_size = entry_size;
    ix->entries = (int32_t)(ix->map.size / entry_size);
    return 0;
}

static int64_t
dl_idx_offset(const dl_idx_t *ix, int32_t n)
{
    const uint8_t *p = ix->map.data + (size_t)n * ix->entry_size;
    int32_t rel = (int32_t)sm_load_be32(p + (ix->entry_size == DL_TIME_ENTRY
                                              ? 8 : 0));

    return (int64_t)((uint64_t)ix->base + (uint64_t)(int64_t)rel);
}

static int32_t
dl_idx_position(const dl_idx_t *ix, int32_t n)
{
    return (int32_t)sm_load_be32(ix->map.data + (size_t)n * DL_OFFSET_ENTRY
                                 + 4);
}

static int64_t
dl_idx_timestamp(const dl_idx_t *ix, int32_t n)
{
    return (int64_t)sm_load_be64(ix->map.data + (size_t)n * DL_TIME_ENTRY);
}

/* AbstractIndex.indexSlotRangeFor(...)._1 by offset: the largest slot
 * whose offset is <= target, or -1; binary search over the "warm" last
 * 8 KiB first, exactly as Kafka does (it matters for unsorted files). */
static int32_t
dl_idx_bsearch(const dl_idx_t *ix, int32_t lo, int32_t hi, int64_t target)
{
    while (lo < hi) {
        int32_t mid = (int32_t)(((uint32_t)lo + (uint32_t)hi + 1) >> 1);
        int64_t found = dl_idx_offset(ix, mid);
        if (found > target)
            hi = mid - 1;
        else if (found < target)
            lo = mid;
        else
            return mid;
    }
    return lo;
}

static int32_t
dl_idx_slot_for(const dl_idx_t *ix, int64_t target)
{
    int32_t warm = (int32_t)(8192 / ix->entry_size);
    int32_t hot;

    if (ix->entries == 0)
        return -1;
    hot = ix->entries - 1 - warm > 0 ? ix->entries - 1 - warm : 0;
    if (dl_idx_offset(ix, hot) < target)
        return dl_idx_bsearch(ix, hot, ix->entries - 1, target);
    if (dl_idx_offset(ix, 0) > target)
        return -1;
    return dl_idx_bsearch(ix, 0, hot, target);
}

/* The FileRecords(...) text Kafka's slice() errors quote. */
#define DL_FR_FMT "FileRecords(size=%zu, file=%s, start=0, end=%d)"
#define DL_FR_ARGS(m) (m)->size, (m)->java_path, INT32_MAX

/* fileRecords.slice(pos, size): the end of the slice, or -1 if thrown. */
static int64_t
dl_slice_end(const dl_map_t *log, int32_t pos, int32_t size)
{
    if (pos < 0)
        return dl_throw(EX_ILLEGAL_ARG, "Invalid position: %d in read from "
                        DL_FR_FMT, pos, DL_FR_ARGS(log));
    if ((size_t)pos > log->size)
        return dl_throw(EX_ILLEGAL_ARG, "Slice from position %d exceeds end "
                        "position of " DL_FR_FMT, pos, DL_FR_ARGS(log));
    if (size < 0)
        return dl_throw(EX_ILLEGAL_ARG, "Invalid size: %d in read from "
                        DL_FR_FMT, size, DL_FR_ARGS(log));
    if ((int64_t)pos + size > (int64_t)log->size)
        return (int64_t)log->size;
    return (int64_t)pos + size;
}

/* --------------------------------------------------------------- .index */

static int
dl_offset_sanity(const dl_file_t *f, const dl_idx_t *ix)
{
    int64_t last = ix->entries ? dl_idx_offset(ix, ix->entries - 1)
                               : ix->base;

    if (ix->entries != 0 && last < ix->base)
        return dl_throw(EX_CORRUPT_INDEX, "Corrupt index found, index file "
                        "(%s) has non-zero size but the last offset is %"
                        PRId64 " which is less than the base offset %" PRId64
                        ".", f->abs, last, ix->base);
    if (ix->map.size % DL_OFFSET_ENTRY != 0)
        return dl_throw(EX_CORRUPT_INDEX, "Index file %s is corrupt, found "
                        "%zu bytes which is neither positive nor a multiple "
                        "of %d.", f->abs, ix->map.size, DL_OFFSET_ENTRY);
    printf("%s passed sanity check.\n", f->path);
    return 0;
}

static int
dl_offset_entries(dl_ctx_t *ctx, const dl_file_t *f, const dl_map_t *log,
                  const dl_idx_t *ix)
{
    for (int32_t i = 0; i < ix->entries; i++) {
        int64_t off = dl_idx_offset(ix, i), last, end;
        int32_t pos = dl_idx_position(ix, i);
        size_t p = (size_t)pos;
        dl_entry_t e;
        int rc;

        if (off == ix->base && i > 0)
            break;
        if ((end = dl_slice_end(log, pos, ctx->max_msg)) < 0)
            return -1;
        rc = dl_next_entry(log, &p, (size_t)end, &e);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return dl_throw("java.util.NoSuchElementException", NULL);
        if (dl_entry_last_offset(log, &e, &last) != 0)
            return -1;
        if (last != off)
            dl_report_add(&ctx->index_mismatch, f->abs, off, last);
        if (!ctx->verify_only)
            printf("offset: %" PRId64 " position: %d\n", off, pos);
    }
    return 0;
}

int
dl_dump_index(dl_ctx_t *ctx, const dl_file_t *f)
{
    dl_map_t log = { NULL, 0, NULL };
    dl_idx_t ix;
    int64_t base;
    char *log_path;
    int rc = -1;

    memset(&ix, 0, sizeof(ix));
    if (dl_file_base_offset(f, &base) != 0)
        return -1;
    log_path = dl_file_sibling(f, ".log");
    if (dl_map_open(&log, log_path, log_path) != 0 ||
        dl_idx_open(&ix, f->path, base, DL_OFFSET_ENTRY) != 0)
        goto out;
    if (ctx->sanity_only)
        rc = dl_offset_sanity(f, &ix);
    else
        rc = dl_offset_entries(ctx, f, &log, &ix);
out:
    dl_map_close(&ix.map);
    dl_map_close(&log);
    sm_free(log_path);
    return rc;
}

/* ----------------------------------------------------------- .timeindex */

static int
dl_time_sanity(const dl_file_t *f, const dl_idx_t *tx)
{
    int64_t last_ts = -1, last_off = tx->base, first_ts;

    if (tx->entries != 0) {
        last_ts = dl_idx_timestamp(tx, tx->entries - 1);
        last_off = dl_idx_offset(tx, tx->entries - 1);
        first_ts = dl_idx_timestamp(tx, 0);
        if (last_ts < first_ts)
            return dl_throw(EX_CORRUPT_INDEX, "Corrupt time index found, time "
                            "index file (%s) has non-zero size but the last "
                            "timestamp is %" PRId64 " which is less than the "
                            "first timestamp %" PRId64, f->abs, last_ts,
                            first_ts);
        if (last_off < tx->base)
            return dl_throw(EX_CORRUPT_INDEX, "Corrupt time index found, time "
                            "index file (%s) has non-zero size but the last "
                            "offset is %" PRId64 " which is less than the "
                            "first offset %" PRId64, f->abs, last_off,
                            tx->base);
    }
    if (tx->map.size % DL_TIME_ENTRY != 0)
        return dl_throw(EX_CORRUPT_INDEX, "Time index file %s is corrupt, "
                        "found %zu bytes which is neither positive nor a "
                        "multiple of %d.", f->abs, tx->map.size,
                        DL_TIME_ENTRY);
    printf("%s passed sanity check.\n", f->path);
    return 0;
}

/* Check one time index entry against the log; see the file comment. */
static int
dl_time_check(dl_ctx_t *ctx, const dl_file_t *f, const dl_map_t *log,
              const dl_idx_t *ix, int64_t ts, int64_t off, int64_t prev_ts)
{
    int32_t slot = dl_idx_slot_for(ix, off);
    int32_t pos = slot < 0 ? 0 : dl_idx_position(ix, slot);
    int64_t end, last = -1, max_ts;
    size_t p = (size_t)pos;
    dl_entry_t e;
    int rc;

    if ((end = dl_slice_end(log, pos, INT32_MAX)) < 0)
        return -1;
    while ((rc = dl_next_entry(log, &p, (size_t)end, &e)) == 1) {
        if (dl_entry_last_offset(log, &e, &last) != 0)
            return -1;
        if (last >= off)
            break;
    }
    if (rc < 0)
        return -1;
    if (rc == 0 || last != off) {
        dl_report_add(&ctx->time_notfound, f->abs, off, rc == 0 ? -1 : last);
        return 0;
    }
    if (dl_entry_max_timestamp(log, &e, &max_ts) != 0)
        return -1;
    if (max_ts != ts)
        dl_report_add(&ctx->time_mismatch, f->abs, ts, max_ts);
    if (prev_ts >= ts)
        dl_report_add(&ctx->time_order, f->abs, ts, prev_ts);
    return 0;
}

static int
dl_time_entries(dl_ctx_t *ctx, const dl_file_t *f, const dl_map_t *log,
                const dl_idx_t *ix, const dl_idx_t *tx)
{
    int64_t prev_ts = -1;

    for (int32_t i = 0; i < tx->entries; i++) {
        int64_t ts = dl_idx_timestamp(tx, i), off = dl_idx_offset(tx, i);

        if (off == tx->base && i > 0)
            break;
        if (dl_time_check(ctx, f, log, ix, ts, off, prev_ts) != 0)
            return -1;
        if (!ctx->verify_only)
            printf("timestamp: %" PRId64 " offset: %" PRId64 "\n", ts, off);
        prev_ts = ts;
    }
    return 0;
}

int
dl_dump_time_index(dl_ctx_t *ctx, const dl_file_t *f)
{
    dl_map_t log = { NULL, 0, NULL };
    dl_idx_t ix, tx;
    int64_t base;
    char *log_path, *index_path;
    int rc = -1;

    memset(&ix, 0, sizeof(ix));
    memset(&tx, 0, sizeof(tx));
    if (dl_file_base_offset(f, &base) != 0)
        return -1;
    log_path = dl_file_sibling(f, ".log");
    index_path = dl_file_sibling(f, ".index");
    if (dl_map_open(&log, log_path, log_path) != 0 ||
        dl_idx_open(&ix, index_path, base, DL_OFFSET_ENTRY) != 0 ||
        dl_idx_open(&tx, f->path, base, DL_TIME_ENTRY) != 0)
        goto out;
    if (ctx->sanity_only)
        rc = dl_time_sanity(f, &tx);
    else
        rc = dl_time_entries(ctx, f, &log, &ix, &tx);
out:
    dl_map_close(&tx.map);
    dl_map_close(&ix.map);
    dl_map_close(&log);
    sm_free(index_path);
    sm_free(log_path);
    return rc;
}

/* ------------------------------------------------------------ .txnindex */

int
dl_dump_txn_index(dl_ctx_t *ctx, const dl_file_t *f)
{
    dl_map_t m;
    int64_t base;
    size_t n;

    (void)ctx;
    if (dl_file_base_offset(f, &base) != 0)
        return -1;
    if (access(f->path, F_OK) != 0 && errno == ENOENT)
        return 0;                /* Kafka: no channel, no entries */
    if (dl_map_open(&m, f->path, f->path) != 0)
        return -1;
    n = m.size / DL_TXN_ENTRY;
    /* the whole list is read (and checked) before anything is printed */
    for (size_t i = 0; i < n; i++) {
        int16_t version = (int16_t)sm_load_be16(m.data + i * DL_TXN_ENTRY);
        if (version > 0) {
            dl_map_close(&m);
            return dl_throw("org.apache.kafka.common.KafkaException",
                            "Unexpected aborted transaction version %d in "
                            "transaction index %s, current version is 0",
                            version, f->abs);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = m.data + i * DL_TXN_ENTRY;
        printf("version: %d producerId: %" PRId64 " firstOffset: %" PRId64
               " lastOffset: %" PRId64 " lastStableOffset: %" PRId64 "\n",
               (int16_t)sm_load_be16(p), (int64_t)sm_load_be64(p + 2),
               (int64_t)sm_load_be64(p + 10), (int64_t)sm_load_be64(p + 18),
               (int64_t)sm_load_be64(p + 26));
    }
    dl_map_close(&m);
    return 0;
}
