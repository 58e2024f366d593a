/*
 * log.c: one partition's log - Kafka's UnifiedLog/LocalLog: the ordered
 * segments, the log start / end offsets, the recovery point, appends
 * (leader and follower), reads, offset-for-time, truncation, retention and
 * flushing.  Loading and crash recovery are in recovery.c, the segment
 * files in segment.c.
 *
 * LOCKING.  log->lock guards every field of the log and of its segments
 * (except segment refcounts, which are atomic).  Appends, rolls,
 * truncation and retention run entirely under it.  Reads hold it only to
 * translate offsets into a byte range and to take a segment reference.
 * sm_log_flush collects the segments to sync under the lock, fsyncs them
 * with the lock released (so appends continue), then takes it again to
 * advance the recovery point - unless a truncation happened meanwhile
 * (trunc_gen), in which case it leaves the recovery point alone.
 *
 * INVARIANTS (what the crash and fault tests in t/unit/log check after
 * every reopen):
 *   I1. Every batch below the recovery point that an append acknowledged
 *       is on disk, byte for byte, after any crash.  sm_log_flush moves the
 *       recovery point only after fsync of every .log holding data below
 *       it, of the indexes of every segment rolled since (the active one's
 *       are rebuilt by recovery), and of the directory when a segment is
 *       new.
 *   I2. Offsets strictly increase across the whole log; for batches
 *       written by sm_log_append they are contiguous (no gaps).
 *   I3. start_offset <= end_offset, recovery_point <= end_offset, and
 *       end_offset is the last batch's last offset + 1 (or the point the
 *       log was truncated or started at when no batch is there).
 *   I4. Each segment's indexes agree with its .log: every offset reads back
 *       through sm_log_read from the batch holding it.
 *   I5. A failed call changes nothing visible: an append that returns an
 *       error leaves end_offset and the active segment's size as they
 *       were.  When an undo itself fails, or an fsync fails (after which
 *       the page cache can no longer be trusted), the log is marked failed
 *       and every later call returns SM_ERR__IO; reopening recovers it.
 *
 * ERRORS.  I/O errors are logged once (log_io.c) and returned as
 * SM_ERR__IO; a failed log also answers SM_ERR__IO.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_io.h"
#include "protocol/records.h"

/* Bound on one batch's decompressed size when its records are read. */
#define SM_LOG_MAX_DECOMPRESSED ((size_t)256 << 20)

void
sm_log_config_defaults(sm_log_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->segment_bytes = 1024LL * 1024 * 1024;
    cfg->segment_ms = 7LL * 24 * 3600 * 1000;
    cfg->segment_jitter_ms = 0;
    cfg->retention_ms = 7LL * 24 * 3600 * 1000;
    cfg->retention_bytes = -1;
    cfg->index_interval_bytes = 4096;
    cfg->segment_index_bytes = 10 * 1024 * 1024;
    cfg->flush_messages = INT64_MAX;
    cfg->flush_ms = INT64_MAX;
    cfg->cleanup_policy = SM_CLEANUP_DELETE;
    cfg->delete_retention_ms = 24LL * 3600 * 1000;
    cfg->min_compaction_lag_ms = 0;
    cfg->max_compaction_lag_ms = INT64_MAX;
    cfg->min_cleanable_dirty_ratio = 0.5;
    cfg->file_delete_delay_ms = 60000;
    cfg->max_message_bytes = 1048588;
    cfg->preallocate = 0;
    cfg->message_timestamp_log_append = 0;
}

/* The few bounds without which the log cannot work (Kafka's LogConfig
 * enforces these and more when the config is parsed). */
static int
sm_log_config_ok(const sm_log_config_t *cfg)
{
    return cfg->segment_bytes >= 14 && cfg->segment_bytes <= INT32_MAX &&
           cfg->segment_index_bytes >= SM_TIME_INDEX_ENTRY &&
           cfg->index_interval_bytes >= 0 && cfg->segment_ms >= 1 &&
           cfg->flush_messages >= 1 && cfg->flush_ms >= 0 &&
           cfg->max_message_bytes >= 0;
}

/* ---------------------------------------------------------- segments */

sm_segment_t *
sm_log_active(sm_log_t *log)
{
    sm_assert(log->nsegs > 0);
    return log->segs[log->nsegs - 1];
}

int
sm_log_floor_seg(sm_log_t *log, int64_t offset)
{
    int lo = 0, hi = log->nsegs - 1;

    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (log->segs[mid]->base_offset <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

void
sm_log_seg_insert(sm_log_t *log, sm_segment_t *seg)
{
    int i;

    if (log->nsegs == log->segs_cap) {
        log->segs_cap = log->segs_cap ? log->segs_cap * 2 : 8;
        log->segs = sm_realloc(log->segs,
                               (size_t)log->segs_cap * sizeof(*log->segs));
    }
    for (i = log->nsegs; i > 0; i--) {
        sm_assert(log->segs[i - 1]->base_offset != seg->base_offset);
        if (log->segs[i - 1]->base_offset < seg->base_offset)
            break;
        log->segs[i] = log->segs[i - 1];
    }
    log->segs[i] = seg;
    log->nsegs++;
}

sm_segment_t *
sm_log_seg_remove(sm_log_t *log, int i)
{
    sm_segment_t *seg = log->segs[i];

    memmove(log->segs + i, log->segs + i + 1,
            (size_t)(log->nsegs - i - 1) * sizeof(*log->segs));
    log->nsegs--;
    return seg;
}

void
sm_log_set_failed(sm_log_t *log, const char *why)
{
    if (!log->failed)
        sm_error("log", "%s: log is offline after an I/O error (%s); it "
                 "will be recovered when reopened", log->dir, why);
    log->failed = 1;
}

void
sm_log_keep(sm_log_t *log)
{
    atomic_fetch_add((_Atomic int *)&log->refcnt, 1);
}

void
sm_log_release(sm_log_t *log)
{
    if (atomic_fetch_sub((_Atomic int *)&log->refcnt, 1) != 1)
        return;
    for (int i = 0; i < log->nsegs; i++)
        sm_seg_release(log->segs[i]);
    sm_free(log->segs);
    sm_free(log->epochs);
    sm_free(log->dir);
    sm_free(log->topic);
    pthread_mutex_destroy(&log->lock);
    sm_free(log);
}

/* ---------------------------------------------------------- open/close */

sm_err_t
sm_log_open(const char *dir, const char *topic, int32_t partition,
            const sm_log_config_t *cfg, int64_t recovery_point,
            int64_t log_start_offset, int clean, sm_log_t **logp,
            char *errstr, size_t errstr_size)
{
    sm_log_t *log;
    sm_err_t err;

    *logp = NULL;
    if (!sm_log_config_ok(cfg)) {
        snprintf(errstr, errstr_size, "%s: invalid log configuration", dir);
        return SM_ERR__CONFIG;
    }
    log = sm_calloc(1, sizeof(*log));
    pthread_mutex_init(&log->lock, NULL);
    log->dir = sm_strdup(dir);
    log->topic = sm_strdup(topic);
    log->partition = partition;
    log->cfg = *cfg;
    log->high_watermark = -1;
    log->cleaner_offset = -1;
    log->refcnt = 1;
    log->last_flush_ms = sm_now_ms();
    log->was_clean = clean;
    err = sm_log_load(log, recovery_point, log_start_offset, clean, errstr,
                      errstr_size);
    if (err != SM_OK) {
        sm_log_release(log);
        return err;
    }
    sm_log_epoch_load(log);
    sm_info("log", "%s: loaded %d segments, start offset %" PRId64
            ", end offset %" PRId64 ", recovery point %" PRId64,
            dir, log->nsegs, log->start_offset, log->end_offset,
            log->recovery_point);
    *logp = log;
    return SM_OK;
}

static sm_err_t sm_log_flush_to_end(sm_log_t *log, int force);

/*
 * Flush everything, trim the active segment's indexes and sync them, so
 * the next open needs no recovery.  Returns what the checkpoint needs.
 */
sm_err_t
sm_log_shutdown(sm_log_t *log, int64_t *rp, int64_t *lso, int64_t *first)
{
    sm_err_t err = sm_log_flush_to_end(log, 1);
    sm_segment_t *seg;

    pthread_mutex_lock(&log->lock);
    if (err == SM_OK && log->failed)
        err = SM_ERR__IO;
    if (err == SM_OK && !log->deleted) {
        seg = sm_log_active(log);
        err = sm_seg_make_inactive(seg);
        if (err == SM_OK)
            err = sm_index_flush(&seg->oidx);
        if (err == SM_OK)
            err = sm_index_flush(&seg->tidx);
        if (err != SM_OK)
            sm_log_set_failed(log, "closing the active segment");
    }
    *rp = log->recovery_point;
    *lso = log->start_offset;
    *first = log->nsegs > 0 ? log->segs[0]->base_offset : 0;
    log->deleted = 1;       /* closed: no more calls */
    pthread_mutex_unlock(&log->lock);
    return err;
}

void
sm_log_close(sm_log_t *log)
{
    int64_t rp, lso, first;

    if (log == NULL)
        return;
    sm_log_shutdown(log, &rp, &lso, &first);
    sm_log_release(log);
}

/* ---------------------------------------------------------- append */

/* What an append is about to write (Kafka's LogAppendInfo). */
typedef struct sm_append_info {
    int64_t first_offset;       /* legacy first entry: its last offset */
    int64_t roll_base;          /* base for a new segment, if rolled */
    int64_t last_offset;
    int64_t max_ts;
    int64_t max_ts_offset;
} sm_append_info_t;

/* The in-place v2 updates of a leader append.  records.h declares
 * library versions (sm_batch_v2_*) which the protocol library will
 * provide; these private copies keep the log free of that dependency. */
static void
sm_log_v2_assign(uint8_t *b, size_t size, int64_t base, int32_t epoch,
                 int64_t append_time)
{
    uint16_t attr;

    sm_store_be64(b + SM_BATCH_OFF_BASE_OFFSET, (uint64_t)base);
    sm_store_be32(b + SM_BATCH_OFF_LEADER_EPOCH, (uint32_t)epoch);
    if (append_time < 0)
        return;
    attr = sm_load_be16(b + SM_BATCH_OFF_ATTRIBUTES);
    if ((attr & SM_ATTR_LOG_APPEND_TIME) &&
        (int64_t)sm_load_be64(b + SM_BATCH_OFF_MAX_TS) == append_time)
        return;
    sm_store_be16(b + SM_BATCH_OFF_ATTRIBUTES,
                  (uint16_t)(attr | SM_ATTR_LOG_APPEND_TIME));
    sm_store_be64(b + SM_BATCH_OFF_MAX_TS, (uint64_t)append_time);
    sm_store_be32(b + SM_BATCH_OFF_CRC,
                  sm_crc32c(0, b + SM_BATCH_OFF_ATTRIBUTES,
                            size - SM_BATCH_OFF_ATTRIBUTES));
}

/*
 * Walk the entries of an append, check sizes and (follower) offsets, and
 * for the leader assign offsets from next.  Only headers are touched.
 */
static sm_err_t
sm_log_prepare(sm_log_t *log, uint8_t *buf, const uint8_t *cbuf, size_t len,
               int leader, int32_t epoch, int64_t append_time,
               sm_append_info_t *ai)
{
    int64_t next = log->end_offset, prev_last = -1;
    sm_seg_hdr_t h;
    size_t pos = 0;
    int r;

    ai->first_offset = -1;
    ai->max_ts = -1;
    ai->max_ts_offset = -1;
    if (len == 0)
        return SM_ERR__INVALID_ARG;
    if ((int64_t)len > log->cfg.segment_bytes)
        return SM_ERR_RECORD_LIST_TOO_LARGE;
    while (pos < len) {
        r = sm_seg_hdr_parse(cbuf + pos, len - pos, &h);
        if (r != 1 || h.size > (int64_t)(len - pos))
            return SM_ERR__BAD_MSG;
        if (h.size > log->cfg.max_message_bytes)
            return SM_ERR_MESSAGE_TOO_LARGE;
        if (leader) {
            if (h.magic != 2)
                return SM_ERR__INVALID_ARG;
            h.last_offset = next + (h.last_offset - h.base_offset);
            h.base_offset = next;
            sm_log_v2_assign(buf + pos, (size_t)h.size, next, epoch,
                             append_time);
            if (append_time >= 0)
                h.max_ts = append_time;
            next = h.last_offset + 1;
        } else if (h.last_offset <= prev_last ||
                   h.base_offset > h.last_offset) {
            return SM_ERR__BAD_MSG;         /* not monotonic */
        }
        if (ai->first_offset < 0) {
            ai->first_offset = h.magic == 2 ? h.base_offset : h.last_offset;
            /* a legacy wrapper's inner offsets start below its own */
            ai->roll_base = h.magic == 2 ? h.base_offset : log->end_offset;
        }
        if (h.max_ts > ai->max_ts) {
            ai->max_ts = h.max_ts;
            ai->max_ts_offset = h.last_offset;
        }
        prev_last = h.last_offset;
        pos += (size_t)h.size;
    }
    ai->last_offset = prev_last;
    if (ai->max_ts_offset < 0)
        ai->max_ts_offset = ai->last_offset;
    if (!leader && ai->first_offset < log->end_offset)
        return SM_ERR_OFFSET_OUT_OF_RANGE;
    return SM_OK;
}

/* Roll to a new active segment at max(expected, end offset). */
static sm_err_t
sm_log_roll(sm_log_t *log, int64_t expected, int64_t now_ms)
{
    sm_segment_t *old = sm_log_active(log), *seg;
    int64_t base = expected > log->end_offset ? expected : log->end_offset;
    sm_err_t err;

    if (old->base_offset == base) {
        /* An empty active segment asked to roll onto itself (an index too
         * small to hold an entry): keep appending to it. */
        sm_assert(old->size == 0);
        return SM_OK;
    }
    err = sm_seg_create(log->dir, base, "", &log->cfg, now_ms, &seg);
    if (err != SM_OK)
        return err;
    if ((err = sm_seg_make_inactive(old)) != SM_OK) {
        sm_seg_unlink(seg);
        sm_seg_release(seg);
        return err;
    }
    sm_log_seg_insert(log, seg);
    log->stat_rolls++;
    sm_debug("log", "%s: rolled new segment at offset %" PRId64, log->dir,
             base);
    return SM_OK;
}

sm_err_t
sm_log_force_roll(sm_log_t *log)
{
    sm_err_t err;

    pthread_mutex_lock(&log->lock);
    err = log->failed ? SM_ERR__IO
                      : sm_log_roll(log, log->end_offset, sm_now_ms());
    pthread_mutex_unlock(&log->lock);
    return err;
}

static sm_err_t
sm_log_append_locked(sm_log_t *log, const uint8_t *buf, size_t len,
                     const sm_append_info_t *ai, int *need_flush)
{
    sm_segment_t *seg = sm_log_active(log);
    sm_err_t err;

    if (sm_seg_should_roll(seg, &log->cfg, len, ai->max_ts, ai->last_offset,
                           -1)) {
        if ((err = sm_log_roll(log, ai->roll_base, sm_now_ms())) != SM_OK)
            return err;
        seg = sm_log_active(log);
    }
    if (!sm_index_can_append_offset(&seg->oidx, ai->last_offset))
        return SM_ERR__INVALID_ARG;   /* offsets span more than 2^31 */
    err = sm_seg_append(seg, buf, len, ai->last_offset, ai->max_ts,
                        ai->max_ts_offset, log->cfg.index_interval_bytes);
    if (err != SM_OK) {
        if (seg->broken)
            sm_log_set_failed(log, "undoing a failed append");
        return err;
    }
    log->end_offset = ai->last_offset + 1;
    *need_flush = log->end_offset - log->recovery_point >=
                  log->cfg.flush_messages;
    return SM_OK;
}

static sm_err_t
sm_log_append_any(sm_log_t *log, uint8_t *mbuf, const uint8_t *buf,
                  size_t len, int32_t epoch, int64_t append_time,
                  int64_t *first, int64_t *last)
{
    sm_append_info_t ai;
    int need_flush = 0;
    sm_err_t err;

    pthread_mutex_lock(&log->lock);
    if (log->failed || log->deleted)
        err = SM_ERR__IO;
    else
        err = sm_log_prepare(log, mbuf, buf, len, mbuf != NULL, epoch,
                             append_time, &ai);
    if (err == SM_OK)
        err = sm_log_append_locked(log, buf, len, &ai, &need_flush);
    if (err == SM_OK && mbuf != NULL)
        sm_log_epoch_note(log, epoch, ai.first_offset);
    else if (err == SM_OK)
        sm_log_epoch_note_batches(log, buf, len);
    pthread_mutex_unlock(&log->lock);
    if (err != SM_OK)
        return err;
    if (first)
        *first = ai.first_offset;
    if (last)
        *last = ai.last_offset;
    /* flush.messages: the appending thread syncs, as Kafka's does */
    return need_flush ? sm_log_flush(log) : SM_OK;
}

sm_err_t
sm_log_append(sm_log_t *log, uint8_t *batches, size_t len,
              int32_t leader_epoch, int64_t append_time_ms,
              int64_t *first_offset, int64_t *last_offset)
{
    return sm_log_append_any(log, batches, batches, len, leader_epoch,
                             append_time_ms, first_offset, last_offset);
}

sm_err_t
sm_log_append_follower(sm_log_t *log, const uint8_t *batches, size_t len)
{
    return sm_log_append_any(log, NULL, batches, len, -1, -1, NULL, NULL);
}

/* ---------------------------------------------------------- read */

static void
sm_log_slice_empty(sm_log_slice_t *out, int64_t offset)
{
    memset(out, 0, sizeof(*out));
    out->fd = -1;
    out->first_offset = offset;
}

/* Byte range of segs[i] for the read; *done = 0 when the segment holds
 * no offset >= offset (continue with the next one). */
static sm_err_t
sm_log_read_seg(sm_log_t *log, int i, int64_t offset, size_t max_bytes,
                int64_t max_offset, int min_one, sm_log_slice_t *out,
                int *done)
{
    sm_segment_t *seg = log->segs[i];
    int64_t upper = i + 1 < log->nsegs ? log->segs[i + 1]->base_offset
                                       : log->end_offset;
    int64_t limit = seg->size, want, end;
    sm_seg_hdr_t h, mh;
    sm_err_t err;
    int found;

    *done = 0;
    if ((err = sm_seg_translate(seg, offset, 0, &h, &found)) != SM_OK ||
        !found)
        return err;
    *done = 1;
    if (max_offset < upper) {
        err = sm_seg_translate(seg, max_offset, h.pos, &mh, &found);
        if (err != SM_OK)
            return err;
        if (found)
            limit = mh.pos;
    }
    if (limit <= h.pos)
        return SM_OK;                    /* first batch reaches max_offset */
    want = max_bytes >= (size_t)(limit - h.pos) ? limit
                                                : h.pos + (int64_t)max_bytes;
    if ((err = sm_seg_boundary(seg, h.pos, want, &end)) != SM_OK)
        return err;
    if (end == h.pos) {
        if (!min_one)
            return SM_OK;
        end = h.pos + h.size;            /* KIP-74: one whole batch */
    }
    sm_seg_keep(seg);
    out->seg = seg;
    out->fd = seg->fd;
    out->pos = h.pos;
    out->len = (size_t)(end - h.pos);
    out->first_offset = h.base_offset;
    return SM_OK;
}

sm_err_t
sm_log_read(sm_log_t *log, int64_t offset, size_t max_bytes,
            int64_t max_offset, int min_one, sm_log_slice_t *out)
{
    sm_err_t err = SM_OK;
    int done = 0;

    sm_log_slice_empty(out, offset);
    pthread_mutex_lock(&log->lock);
    if (log->failed || log->deleted)
        err = SM_ERR__IO;
    else if (offset < log->start_offset || offset > log->end_offset)
        err = SM_ERR_OFFSET_OUT_OF_RANGE;
    else if (offset < log->end_offset && offset < max_offset) {
        for (int i = sm_log_floor_seg(log, offset);
             i < log->nsegs && !done && err == SM_OK; i++)
            err = sm_log_read_seg(log, i, offset, max_bytes, max_offset,
                                  min_one, out, &done);
    }
    pthread_mutex_unlock(&log->lock);
    return err;
}

void
sm_log_slice_release(sm_log_slice_t *slice)
{
    if (slice->seg != NULL)
        sm_seg_release(slice->seg);
    sm_log_slice_empty(slice, slice->first_offset);
}

sm_err_t
sm_log_slice_read(const sm_log_slice_t *slice, void *dst)
{
    char what[64];
    size_t got;
    sm_err_t err;

    if (slice->len == 0)
        return SM_OK;
    /* not seg->log_path: the cleaner may rename it under us */
    snprintf(what, sizeof(what), "segment %020" PRId64,
             slice->seg->base_offset);
    err = sm_io_pread(slice->fd, dst, slice->len, slice->pos, &got, what);
    if (err == SM_OK && got != slice->len)
        err = SM_ERR__TRUNCATED;        /* truncated under the reader */
    return err;
}

/* ---------------------------------------------------------- accessors */

#define SM_LOG_GET(type, name, expr)                                        \
    type name(sm_log_t *log)                                                \
    {                                                                       \
        type v;                                                             \
        pthread_mutex_lock(&log->lock);                                     \
        v = (expr);                                                         \
        pthread_mutex_unlock(&log->lock);                                   \
        return v;                                                           \
    }

SM_LOG_GET(int64_t, sm_log_start_offset, log->start_offset)
SM_LOG_GET(int64_t, sm_log_end_offset, log->end_offset)
SM_LOG_GET(int64_t, sm_log_recovery_point, log->recovery_point)
SM_LOG_GET(int, sm_log_segment_count, log->nsegs)
SM_LOG_GET(int64_t, sm_log_high_watermark,
           log->high_watermark < 0 ? log->end_offset : log->high_watermark)
SM_LOG_GET(int64_t, sm_log_replica_hw, log->high_watermark)

int64_t
sm_log_size_bytes(sm_log_t *log)
{
    int64_t n = 0;

    pthread_mutex_lock(&log->lock);
    for (int i = 0; i < log->nsegs; i++)
        n += log->segs[i]->size;
    pthread_mutex_unlock(&log->lock);
    return n;
}

const char *
sm_log_dir(sm_log_t *log)
{
    return log->dir;
}

void
sm_log_set_high_watermark(sm_log_t *log, int64_t hw)
{
    pthread_mutex_lock(&log->lock);
    log->high_watermark = hw > log->end_offset ? log->end_offset : hw;
    pthread_mutex_unlock(&log->lock);
}

void
sm_log_set_config(sm_log_t *log, const sm_log_config_t *cfg)
{
    if (!sm_log_config_ok(cfg)) {
        sm_error("log", "%s: invalid configuration ignored", log->dir);
        return;
    }
    pthread_mutex_lock(&log->lock);
    log->cfg = *cfg;
    pthread_mutex_unlock(&log->lock);
}

void
sm_log_get_config(sm_log_t *log, sm_log_config_t *cfg)
{
    pthread_mutex_lock(&log->lock);
    *cfg = log->cfg;
    pthread_mutex_unlock(&log->lock);
}

/* ---------------------------------------------------------- time lookup */

/* The first record of the batch at h with timestamp >= ts and offset >=
 * min_offset (Kafka's FileRecords.searchForTimestamp). */
static sm_err_t
sm_log_time_in_batch(sm_segment_t *seg, const sm_seg_hdr_t *h, int64_t ts,
                     int64_t min_offset, int64_t *offset, int64_t *timestamp)
{
    uint8_t *buf = sm_malloc((size_t)h->size);
    sm_batch_iter_t bit;
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_batch_t b;
    char what[64];
    size_t got;
    sm_err_t err;

    snprintf(what, sizeof(what), "segment %020" PRId64, seg->base_offset);
    err = sm_io_pread(seg->fd, buf, (size_t)h->size, h->pos, &got, what);
    if (err == SM_OK) {
        sm_batch_iter_init(&bit, buf, got);
        if (!sm_batch_next(&bit, &b))
            err = SM_ERR__BAD_MSG;
    }
    if (err != SM_OK) {
        sm_free(buf);
        return err;
    }
    err = sm_rec_iter_init(&it, &b, SM_LOG_MAX_DECOMPRESSED);
    while (err == SM_OK && sm_rec_iter_next(&it, &rec)) {
        if (rec.timestamp >= ts && rec.offset >= min_offset) {
            *offset = rec.offset;
            *timestamp = rec.timestamp;
            break;
        }
    }
    if (err == SM_OK && it.err != SM_OK)
        err = it.err;
    else if (err == SM_OK && *offset < 0)
        err = SM_ERR__NOENT;
    sm_rec_iter_fini(&it);
    sm_free(buf);
    return err;
}

sm_err_t
sm_log_offset_for_time(sm_log_t *log, int64_t ts, int64_t *offset,
                       int64_t *timestamp)
{
    sm_segment_t *seg = NULL;
    sm_err_t err = SM_ERR__NOENT;
    int64_t start = 0;
    sm_seg_hdr_t h;
    int i, found = 0;

    pthread_mutex_lock(&log->lock);
    if (log->failed || log->deleted) {
        err = SM_ERR__IO;
        goto out;
    }
    /* Kafka: the first segment whose largest timestamp reaches ts */
    for (i = 0; i < log->nsegs; i++)
        if (sm_seg_largest_ts(log->segs[i]) >= ts)
            break;
    if (i == log->nsegs)
        goto out;
    start = log->start_offset;
    err = sm_seg_find_time(log->segs[i], ts, start, &h, &found);
    if (err == SM_OK && !found)
        err = SM_ERR__NOENT;
    if (err == SM_OK) {
        seg = log->segs[i];
        sm_seg_keep(seg);
    }
out:
    pthread_mutex_unlock(&log->lock);
    if (seg == NULL)
        return err;
    /* the records are read without the lock, under a reference */
    *offset = -1;
    err = sm_log_time_in_batch(seg, &h, ts, start, offset, timestamp);
    sm_seg_release(seg);
    return err;
}

/* ---------------------------------------------------------- truncation */

/* Unlink segs[i] and drop it from the array once its .log is gone. */
static sm_err_t
sm_log_delete_seg(sm_log_t *log, int i)
{
    sm_segment_t *seg = log->segs[i];
    sm_err_t err = sm_seg_unlink(seg);

    if (seg->unlinked || err == SM_OK)
        sm_seg_release(sm_log_seg_remove(log, i));
    return err;
}

/* Kafka's truncateFullyAndStartAt: a new empty segment at offset (below
 * every existing one), then the old segments go, newest first. */
static sm_err_t
sm_log_truncate_fully(sm_log_t *log, int64_t offset, int64_t now)
{
    sm_segment_t *seg;
    sm_err_t err;

    err = sm_seg_create(log->dir, offset, "", &log->cfg, now, &seg);
    if (err != SM_OK)
        return err;
    sm_log_seg_insert(log, seg);
    while (log->nsegs > 1)
        if ((err = sm_log_delete_seg(log, log->nsegs - 1)) != SM_OK)
            return err;
    log->start_offset = offset;
    return SM_OK;
}

static sm_err_t
sm_log_truncate_locked(sm_log_t *log, int64_t offset)
{
    int64_t now = sm_now_ms();
    sm_err_t err;

    log->trunc_gen++;
    if (log->segs[0]->base_offset > offset) {
        err = sm_log_truncate_fully(log, offset, now);
    } else {
        err = SM_OK;
        while (err == SM_OK && sm_log_active(log)->base_offset > offset)
            err = sm_log_delete_seg(log, log->nsegs - 1);
        if (err == SM_OK)
            err = sm_seg_truncate_to(sm_log_active(log), offset, &log->cfg,
                                     now);
        if (err == SM_OK && log->start_offset > offset)
            log->start_offset = offset;
    }
    if (err != SM_OK) {
        sm_log_set_failed(log, "truncation");
        return err;
    }
    log->end_offset = offset;
    sm_log_epoch_truncate(log, offset);
    if (log->recovery_point > offset)
        log->recovery_point = offset;
    if (log->high_watermark > offset)
        log->high_watermark = offset;
    return SM_OK;
}

sm_err_t
sm_log_truncate_to(sm_log_t *log, int64_t offset)
{
    sm_err_t err = SM_OK;

    if (offset < 0)
        return SM_ERR__INVALID_ARG;
    pthread_mutex_lock(&log->lock);
    if (log->failed || log->deleted)
        err = SM_ERR__IO;
    else if (offset < log->end_offset) {
        sm_info("log", "%s: truncating to offset %" PRId64, log->dir, offset);
        err = sm_log_truncate_locked(log, offset);
    }
    pthread_mutex_unlock(&log->lock);
    return err;
}

sm_err_t
sm_log_set_start_offset(sm_log_t *log, int64_t offset)
{
    sm_err_t err = SM_OK;
    int64_t hw;

    pthread_mutex_lock(&log->lock);
    hw = log->high_watermark < 0 ? log->end_offset : log->high_watermark;
    if (log->failed || log->deleted)
        err = SM_ERR__IO;
    else if (offset > hw || offset < 0)
        err = SM_ERR_OFFSET_OUT_OF_RANGE;
    else if (offset > log->start_offset)
        log->start_offset = offset;
    pthread_mutex_unlock(&log->lock);
    return err;
}

/* ---------------------------------------------------------- flush */

/* Under the lock: reference the segments a flush must sync - those
 * holding unflushed offsets, and older ones changed since (a roll trims
 * the previous segment's indexes). */
static int
sm_log_flush_collect(sm_log_t *log, int64_t rp, sm_segment_t **segs,
                     int *new_seg)
{
    int from = sm_log_floor_seg(log, rp), n = 0;

    for (int i = 0; i < log->nsegs; i++) {
        sm_segment_t *seg = log->segs[i];
        if (i < from && !seg->dirty)
            continue;
        seg->dirty = 0;
        sm_seg_keep(seg);
        segs[n++] = seg;
        *new_seg |= seg->base_offset >= rp;
    }
    return n;
}

static sm_err_t
sm_log_flush_to_end(sm_log_t *log, int force)
{
    sm_segment_t **segs = NULL, *active = NULL;
    char *dir = NULL;
    int64_t end, rp;
    uint64_t gen;
    int n = 0, new_seg = 0;
    sm_err_t err = SM_OK;

    pthread_mutex_lock(&log->lock);
    if (log->failed || log->deleted) {
        pthread_mutex_unlock(&log->lock);
        return SM_ERR__IO;
    }
    end = log->end_offset;
    rp = log->recovery_point;
    gen = log->trunc_gen;
    for (int i = 0; i + 1 < log->nsegs && !force && end <= rp; i++)
        force = log->segs[i]->dirty;    /* a rolled segment to sync */
    if (end > rp || force) {
        segs = sm_malloc((size_t)log->nsegs * sizeof(*segs));
        n = sm_log_flush_collect(log, rp, segs, &new_seg);
        dir = sm_strdup(log->dir);
        active = sm_log_active(log);
    }
    pthread_mutex_unlock(&log->lock);

    /* The active segment's indexes need no fsync: a crash makes recovery
     * rebuild them (it scans from the recovery point's segment, at the
     * latest the active one), a clean shutdown syncs them after the trim,
     * and a roll marks the segment dirty so the next flush syncs them. */
    for (int i = 0; i < n && err == SM_OK; i++)
        err = sm_seg_flush(segs[i], segs[i] != active);
    if (err == SM_OK && (new_seg || force) && dir != NULL)
        err = sm_io_fsync_dir_if_exists(dir);     /* deleted meanwhile */
    for (int i = 0; i < n; i++)
        sm_seg_release(segs[i]);
    sm_free(segs);
    sm_free(dir);

    pthread_mutex_lock(&log->lock);
    if (log->deleted) {
        err = SM_OK;                 /* deleted while we synced: moot */
    } else if (err != SM_OK) {
        /* after a failed fsync the kernel may have dropped the dirty
         * pages: nothing written since the last good flush is certain */
        sm_log_set_failed(log, "fsync");
    } else if (gen == log->trunc_gen && end > log->recovery_point) {
        log->recovery_point = end;
    }
    log->last_flush_ms = sm_now_ms();
    log->stat_flushes++;
    pthread_mutex_unlock(&log->lock);
    return err;
}

sm_err_t
sm_log_flush(sm_log_t *log)
{
    return sm_log_flush_to_end(log, 0);
}

/* ---------------------------------------------------------- retention */

typedef struct sm_ret_ctx {
    int64_t now_ms;
    int64_t diff;            /* size retention: bytes still to drop */
} sm_ret_ctx_t;

typedef int (*sm_ret_pred)(sm_log_t *log, sm_segment_t *seg,
                           sm_segment_t *next, sm_ret_ctx_t *ctx);

static int
sm_ret_start_offset(sm_log_t *log, sm_segment_t *seg, sm_segment_t *next,
                    sm_ret_ctx_t *ctx)
{
    return next != NULL && next->base_offset <= log->start_offset;
}

static int
sm_ret_size(sm_log_t *log, sm_segment_t *seg, sm_segment_t *next,
            sm_ret_ctx_t *ctx)
{
    if (ctx->diff - seg->size < 0)
        return 0;
    ctx->diff -= seg->size;
    return 1;
}

static int
sm_ret_time(sm_log_t *log, sm_segment_t *seg, sm_segment_t *next,
            sm_ret_ctx_t *ctx)
{
    return ctx->now_ms - sm_seg_largest_ts(seg) > log->cfg.retention_ms;
}

/*
 * Kafka's deleteOldSegments(predicate): the oldest segments while the
 * predicate holds, never one reaching past the high watermark, never an
 * empty active segment.  When every segment goes, a new active segment is
 * rolled first so the log is never without one.
 */
static sm_err_t
sm_log_delete_old(sm_log_t *log, sm_ret_pred pred, sm_ret_ctx_t *ctx,
                  int *deleted)
{
    int64_t hw = log->high_watermark < 0 ? log->end_offset
                                         : log->high_watermark;
    sm_err_t err;
    int n = 0;

    for (; n < log->nsegs; n++) {
        sm_segment_t *seg = log->segs[n];
        sm_segment_t *next = n + 1 < log->nsegs ? log->segs[n + 1] : NULL;
        int64_t upper = next ? next->base_offset : log->end_offset;

        if (next == NULL && seg->size == 0)
            break;
        if (hw < upper || !pred(log, seg, next, ctx))
            break;
    }
    if (n == 0)
        return SM_OK;
    if (n == log->nsegs &&
        (err = sm_log_roll(log, log->end_offset, ctx->now_ms)) != SM_OK)
        return err;
    if (log->segs[n]->base_offset > log->start_offset)
        log->start_offset = log->segs[n]->base_offset;
    for (int i = 0; i < n; i++) {
        sm_info("log", "%s: deleting segment %" PRId64 " (retention)",
                log->dir, log->segs[0]->base_offset);
        if ((err = sm_log_delete_seg(log, 0)) != SM_OK)
            return err;
        (*deleted)++;
    }
    return SM_OK;
}

static int64_t
sm_log_size_locked(sm_log_t *log)
{
    int64_t n = 0;

    for (int i = 0; i < log->nsegs; i++)
        n += log->segs[i]->size;
    return n;
}

sm_err_t
sm_log_apply_retention(sm_log_t *log, int64_t now_ms, int *deleted)
{
    sm_ret_ctx_t ctx = { now_ms, 0 };
    sm_err_t err = SM_OK;
    int n = 0;

    pthread_mutex_lock(&log->lock);
    if (log->failed || log->deleted) {
        err = SM_ERR__IO;
        goto out;
    }
    err = sm_log_delete_old(log, sm_ret_start_offset, &ctx, &n);
    if (err != SM_OK || !(log->cfg.cleanup_policy & SM_CLEANUP_DELETE))
        goto out;
    if (log->cfg.retention_bytes >= 0 &&
        sm_log_size_locked(log) >= log->cfg.retention_bytes) {
        ctx.diff = sm_log_size_locked(log) - log->cfg.retention_bytes;
        err = sm_log_delete_old(log, sm_ret_size, &ctx, &n);
    }
    if (err == SM_OK && log->cfg.retention_ms >= 0)
        err = sm_log_delete_old(log, sm_ret_time, &ctx, &n);
out:
    pthread_mutex_unlock(&log->lock);
    if (deleted)
        *deleted = n;
    return err;
}
