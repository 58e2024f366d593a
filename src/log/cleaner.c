/*
 * cleaner.c: the log cleaner - Kafka's LogCleaner and LogCleanerManager -
 * compaction of logs whose cleanup.policy includes "compact".
 *
 * WHAT IT DOES.  A pass picks the "filthiest" compacted log: the one with
 * the largest share of dirty bytes (written since the last cleaning, from
 * the cleaner checkpoint on), if above min.cleanable.dirty.ratio, or any
 * dirty bytes once max.compaction.lag.ms is exceeded.  Cleaning it:
 *   1. the dirty range is [first dirty, first uncleanable): it stops at the
 *      active segment, at the high watermark, and at the first segment with
 *      a record younger than min.compaction.lag.ms;
 *   2. an offset map (offset_map.c) records the latest offset of every key
 *      in that range, until the map is full; cleaning covers the offsets up
 *      to the last one mapped (`end`);
 *   3. every segment below `end` is rewritten, in groups that fit in one
 *      segment (segment.bytes, segment.index.bytes, 2^31 offsets): a record
 *      stays if it is beyond the map, or it is the latest of its key and
 *      either has a value or is a tombstone whose segment is not older than
 *      the delete horizon (Kafka 2.x: the mtime of the last already-clean
 *      segment minus delete.retention.ms).  Records without a key go.
 *      Offsets are kept (gaps appear); a partly kept batch is rebuilt with
 *      its base and last offset, producer fields and epoch; control batches
 *      are kept as they are; an emptied batch that ends the round stays as
 *      an empty header so the last offset is not lost;
 *   4. the cleaned group replaces its sources (below); the cleaner
 *      checkpoint becomes `end`.
 * After each pass, retention runs on the compacted logs (start-offset
 * retention always, size/time too for "compact,delete").
 *
 * CRASH SAFETY (Kafka's swap protocol).  The group is written as
 * "<base>.log.cleaned" (+ .index.cleaned, .timeindex.cleaned) and fsynced;
 * renamed to ".swap" and the directory fsynced; then, under the log lock,
 * the source segments are unlinked, the ".swap" files renamed to their
 * final names and the segment array updated; the directory is fsynced
 * again.  A crash before the ".swap" rename leaves ".cleaned" files, which
 * loading deletes; a crash after it leaves ".swap" files, which loading
 * completes (recovery.c deletes the sources in the swap's offset range and
 * renames the swap files).  The active segment is never touched.
 *
 * THREADS AND LOCKS.  log.cleaner.threads threads (when the manager runs
 * background threads; otherwise sm_cleaner_tick() cleans inline), each
 * with its own offset map.  cl->lock guards the per-log cleaner fields
 * (cleaning, cleaner_paused, uncleanable, cleaner_offset); a log being
 * cleaned is not picked by another thread, nor by retention.  Source
 * segments are inactive, hence immutable, and are read with references
 * and no lock; the swap re-checks under the log lock that they are all
 * still there and that no truncation happened, else the round is
 * abandoned.  sm_cleaner_abort() (log deletion) waits for a round to stop.
 * Lock order: manager locks -> cl->lock -> log->lock.
 *
 * NOT DONE (the log keeps no producer or transaction state yet): Kafka
 * also keeps the last batch of each active producer and drops aborted
 * transactional records and old transaction markers.  Here control batches
 * and producer batches are compacted like any other (control batches are
 * always kept whole).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/cleaner.h"
#include "log/log_int.h"
#include "log/log_io.h"
#include "log/offset_map.h"
#include "protocol/records.h"

#define SM_CLEANER_CHUNK       ((size_t)1 << 20)
#define SM_CLEANER_MAX_DECOMP  ((size_t)256 << 20)

struct sm_cleaner {
    sm_logmgr_t     *mgr;
    pthread_mutex_t  lock;
    pthread_cond_t   cond;         /* a round ended, or stop */
    pthread_mutex_t  ckpt_lock;    /* writers of cleaner-offset-checkpoint */
    pthread_t       *threads;
    int              nthreads;
    int              stop;
    int64_t          backoff_ms;
    size_t           map_bytes;    /* per thread */
    sm_omap_t       *inline_map;   /* sm_cleaner_tick() without threads */
};

/* One log's cleaning candidate (Kafka's LogToClean). */
typedef struct sm_ltc {
    sm_log_t *log;
    int       dir;
    int64_t   first_dirty;
    int64_t   first_uncleanable;   /* a segment base */
    int64_t   clean_bytes;
    int64_t   cleanable_bytes;
    int       need_now;            /* max.compaction.lag.ms passed */
    double    ratio;
} sm_ltc_t;

/* A source segment as the round saw it. */
typedef struct sm_cseg {
    sm_segment_t *seg;
    int64_t base, next_base, size, mtime, oidx_bytes, tidx_bytes;
} sm_cseg_t;

/* One cleaning round of one log. */
typedef struct sm_round {
    sm_cleaner_t   *cl;
    sm_log_t       *log;
    sm_log_config_t cfg;
    sm_omap_t      *map;
    int64_t         now;
    sm_cseg_t      *segs;
    int             nsegs;
    uint64_t        trunc_gen;
    int64_t         horizon;       /* tombstones of older segments go */
    int64_t         upper;         /* first uncleanable offset */
    sm_buf_t        in;            /* read chunk */
    sm_buf_t        out;           /* rebuilt batch */
    uint8_t        *keep;
    size_t          keep_cap;
    int             ticks;         /* abort-check counter */
} sm_round_t;

/* ---------------------------------------------------------- reading */

typedef struct sm_creader {
    sm_round_t   *r;
    sm_segment_t *seg;
    int64_t       pos, end;
    int64_t       buf_pos;
    size_t        buf_len;
} sm_creader_t;

static sm_err_t
sm_creader_fill(sm_creader_t *rd, size_t want)
{
    sm_buf_t *b = &rd->r->in;
    sm_err_t err;

    if (want < SM_CLEANER_CHUNK)
        want = SM_CLEANER_CHUNK;
    if ((int64_t)want > rd->end - rd->pos)
        want = (size_t)(rd->end - rd->pos);
    sm_buf_reset(b);
    sm_buf_reserve(b, want);
    err = sm_io_pread(rd->seg->fd, b->data, want, rd->pos, &rd->buf_len,
                      rd->seg->log_path);
    rd->buf_pos = rd->pos;
    return err;
}

/* Next whole entry of the segment: 1 (b points into the read buffer until
 * the next call), 0 at the end; *err says whether the end is an error. */
static int
sm_creader_next(sm_creader_t *rd, sm_batch_t *b, sm_err_t *err)
{
    const uint8_t *p = NULL;
    sm_batch_iter_t it;
    sm_seg_hdr_t h;
    size_t avail = 0;
    int r = 0;

    *err = SM_OK;
    if (rd->pos >= rd->end)
        return 0;
    for (int pass = 0;; pass++) {
        r = 0;
        if (rd->pos >= rd->buf_pos &&
            rd->pos < rd->buf_pos + (int64_t)rd->buf_len) {
            p = rd->r->in.data + (rd->pos - rd->buf_pos);
            avail = rd->buf_len - (size_t)(rd->pos - rd->buf_pos);
            r = sm_seg_hdr_parse(p, avail, &h);
            if (r == 1 && (size_t)h.size <= avail)
                break;
        }
        if (r < 0 || pass == 2) {
            *err = SM_ERR__BAD_MSG;
            return 0;
        }
        /* refill from here, big enough for the entry once it is known */
        *err = sm_creader_fill(rd, r == 1 ? (size_t)h.size : 0);
        if (*err != SM_OK)
            return 0;
    }
    if (rd->pos + h.size > rd->end) {
        *err = SM_ERR__BAD_MSG;
        return 0;
    }
    sm_batch_iter_init(&it, p, (size_t)h.size);
    if (!sm_batch_next(&it, b)) {
        *err = SM_ERR__BAD_MSG;
        return 0;
    }
    rd->pos += h.size;
    return 1;
}

static int
sm_round_aborted(sm_round_t *r)
{
    int stop;

    if (++r->ticks % 64 != 0)
        return 0;
    pthread_mutex_lock(&r->cl->lock);
    stop = r->cl->stop || r->log->cleaner_paused;
    pthread_mutex_unlock(&r->cl->lock);
    return stop;
}

/* ---------------------------------------------------------- offset map */

static sm_err_t
sm_round_map_batch(sm_round_t *r, const sm_batch_t *b, int64_t start,
                   int *full)
{
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_err_t err = SM_OK;

    if (!(b->magic == 2 && (b->attributes & SM_ATTR_CONTROL))) {
        err = sm_rec_iter_init(&it, b, SM_CLEANER_MAX_DECOMP);
        while (err == SM_OK && sm_rec_iter_next(&it, &rec)) {
            if (rec.key.len < 0 || rec.offset < start)
                continue;
            if (sm_omap_full(r->map)) {
                *full = 1;
                break;
            }
            sm_omap_put(r->map, rec.key.ptr, (size_t)rec.key.len,
                        rec.offset);
        }
        if (err == SM_OK)
            err = it.err;
        sm_rec_iter_fini(&it);
    }
    if (err == SM_OK && !*full && b->last_offset >= start)
        sm_omap_update_latest(r->map, b->last_offset);
    return err;
}

/* Kafka's buildOffsetMap over [start, end). */
static sm_err_t
sm_round_build_map(sm_round_t *r, int64_t start, int64_t end)
{
    sm_err_t err = SM_OK;
    int full = 0;

    sm_omap_clear(r->map);
    for (int i = 0; i < r->nsegs && !full && err == SM_OK; i++) {
        sm_cseg_t *cs = &r->segs[i];
        sm_creader_t rd = { r, cs->seg, 0, cs->size, 0, 0 };
        sm_batch_t b;

        if (cs->next_base <= start || cs->base >= end)
            continue;
        pthread_mutex_lock(&r->log->lock);
        rd.pos = sm_oidx_lookup(&cs->seg->oidx, start).position;
        pthread_mutex_unlock(&r->log->lock);
        while (!full && err == SM_OK && sm_creader_next(&rd, &b, &err)) {
            if (sm_round_aborted(r))
                return SM_ERR__STATE;
            err = sm_round_map_batch(r, &b, start, &full);
        }
        if (!full && err == SM_OK)
            sm_omap_update_latest(r->map,
                                  (cs->next_base < end ? cs->next_base : end)
                                  - 1);
    }
    return err;
}

/* ---------------------------------------------------------- filtering */

static int
sm_round_retain(sm_round_t *r, const sm_record_t *rec, int retain_deletes)
{
    int64_t found;

    if (rec->offset > sm_omap_latest(r->map))
        return 1;
    if (rec->key.len < 0)
        return 0;              /* no key: nothing to compact it by */
    found = sm_omap_get(r->map, rec->key.ptr, (size_t)rec->key.len);
    if (rec->offset < found)
        return 0;              /* a later record of the key exists */
    return rec->value.len >= 0 || retain_deletes;
}

/* Pass 1: which records stay.  *n records, *kept of them. */
static sm_err_t
sm_round_decide(sm_round_t *r, const sm_batch_t *b, int retain_deletes,
                int *n, int *kept)
{
    sm_rec_iter_t it;
    sm_record_t rec;
    sm_err_t err;

    *n = *kept = 0;
    err = sm_rec_iter_init(&it, b, SM_CLEANER_MAX_DECOMP);
    while (err == SM_OK && sm_rec_iter_next(&it, &rec)) {
        int k = sm_round_retain(r, &rec, retain_deletes);
        if ((size_t)*n >= r->keep_cap) {
            r->keep_cap = r->keep_cap ? r->keep_cap * 2 : 1024;
            r->keep = sm_realloc(r->keep, r->keep_cap);
        }
        r->keep[(*n)++] = (uint8_t)k;
        *kept += k;
    }
    if (err == SM_OK)
        err = it.err;
    sm_rec_iter_fini(&it);
    return err;
}

/* Decode a record's headers into a heap array (caller frees). */
static sm_err_t
sm_round_headers(const sm_record_t *rec, sm_record_header_t **hp, int *np)
{
    *hp = NULL;
    *np = 0;
    if (rec->header_count <= 0)
        return SM_OK;
    if ((size_t)rec->header_count > rec->headers.len)
        return SM_ERR__BAD_MSG;
    *hp = sm_malloc((size_t)rec->header_count * sizeof(**hp));
    *np = sm_record_headers(rec, *hp, rec->header_count);
    return *np == rec->header_count ? SM_OK : SM_ERR__BAD_MSG;
}

/* Pass 2: the kept records in a new entry at r->out. */
static sm_err_t
sm_round_rebuild(sm_round_t *r, const sm_batch_t *b)
{
    sm_batch_builder_t bb;
    sm_rec_iter_t it;
    sm_record_t rec;
    int i = 0, started = 0;
    sm_err_t err;

    sm_buf_reset(&r->out);
    err = sm_rec_iter_init(&it, b, SM_CLEANER_MAX_DECOMP);
    while (err == SM_OK && sm_rec_iter_next(&it, &rec)) {
        sm_record_header_t *h;
        int nh;

        if (!r->keep[i++])
            continue;
        if (!started) {
            /* v2 keeps its base offset; a legacy wrapper starts at its
             * first kept record (Kafka's buildRetainedRecordsInto) */
            sm_batch_builder_init(&bb, &r->out, b->magic, b->codec,
                                  b->magic == 2 ? b->base_offset
                                                : rec.offset);
            if (b->magic == 2) {
                sm_batch_builder_set_producer(&bb, b->producer_id,
                    b->producer_epoch, b->base_sequence,
                    (b->attributes & SM_ATTR_TRANSACTIONAL) != 0);
                bb.partition_leader_epoch = b->partition_leader_epoch;
            }
            if (b->magic > 0 && (b->attributes & SM_ATTR_LOG_APPEND_TIME))
                sm_batch_builder_set_log_append_time(&bb, b->max_timestamp);
            started = 1;
        }
        if ((err = sm_round_headers(&rec, &h, &nh)) == SM_OK)
            sm_batch_builder_add_at(&bb, rec.offset, rec.timestamp, rec.key,
                                    rec.value, h, nh);
        sm_free(h);
    }
    if (err == SM_OK)
        err = it.err;
    sm_rec_iter_fini(&it);
    if (!started)
        return err == SM_OK ? SM_ERR__BAD_MSG : err;
    if (err != SM_OK) {
        sm_batch_builder_abort(&bb);
        return err;
    }
    if (b->magic == 2)
        bb.last_offset = b->last_offset;   /* keep the producer's range */
    return sm_batch_builder_finish(&bb);
}

/* Kafka's empty-batch header: no records, same offsets and producer. */
static void
sm_round_empty_header(sm_round_t *r, const sm_batch_t *b)
{
    uint8_t *p;
    uint16_t attr = (uint16_t)(b->attributes & (SM_ATTR_LOG_APPEND_TIME |
                                               SM_ATTR_TRANSACTIONAL |
                                               SM_ATTR_CONTROL));

    sm_buf_reset(&r->out);
    sm_buf_skip(&r->out, SM_BATCH_V2_HDR_SIZE);
    p = r->out.data;
    memcpy(p, b->ptr, SM_BATCH_V2_HDR_SIZE);
    sm_store_be32(p + SM_BATCH_OFF_LENGTH,
                  SM_BATCH_V2_HDR_SIZE - SM_LOG_OVERHEAD);
    sm_store_be16(p + SM_BATCH_OFF_ATTRIBUTES, attr);
    sm_store_be64(p + SM_BATCH_OFF_BASE_TS, (uint64_t)SM_NO_TIMESTAMP);
    sm_store_be32(p + SM_BATCH_OFF_COUNT, 0);
    sm_store_be32(p + SM_BATCH_OFF_CRC,
                  sm_crc32c(0, p + SM_BATCH_OFF_ATTRIBUTES,
                            SM_BATCH_V2_HDR_SIZE - SM_BATCH_OFF_ATTRIBUTES));
}

static sm_err_t
sm_round_write(sm_round_t *r, sm_segment_t *dst, const uint8_t *p,
               size_t len)
{
    sm_seg_hdr_t h;

    if (len == 0)
        return SM_OK;
    if (sm_seg_hdr_parse(p, len, &h) != 1)
        return SM_ERR__BAD_MSG;
    return sm_seg_append(dst, p, len, h.last_offset, h.max_ts, h.last_offset,
                         r->cfg.index_interval_bytes);
}

/* One source entry into dst. */
static sm_err_t
sm_round_filter(sm_round_t *r, const sm_batch_t *b, int retain_deletes,
                sm_segment_t *dst)
{
    int n, kept;
    sm_err_t err;

    if (b->magic == 2 && (b->attributes & SM_ATTR_CONTROL))
        return sm_round_write(r, dst, b->ptr, b->size);
    if ((err = sm_round_decide(r, b, retain_deletes, &n, &kept)) != SM_OK)
        return err;
    if (kept == n)
        return sm_round_write(r, dst, b->ptr, b->size);
    if (kept == 0) {
        if (b->magic != 2 || b->last_offset + 1 != r->upper)
            return SM_OK;
        sm_round_empty_header(r, b);   /* keep the round's last offset */
    } else if ((err = sm_round_rebuild(r, b)) != SM_OK) {
        return err;
    }
    return sm_round_write(r, dst, r->out.data, r->out.len);
}

/* ---------------------------------------------------------- groups */

/* Kafka's groupSegmentsBySize: segs[from..*to) fit in one segment. */
static void
sm_round_group(sm_round_t *r, int from, int64_t end, int *to)
{
    sm_cseg_t *g = &r->segs[from];
    int64_t size = g->size, oi = g->oidx_bytes, ti = g->tidx_bytes;
    int j = from + 1;

    for (; j < r->nsegs && r->segs[j].base < end; j++) {
        sm_cseg_t *c = &r->segs[j];
        int64_t next = j + 1 < r->nsegs && r->segs[j + 1].base < end
                       ? r->segs[j + 1].base : r->upper;

        if (size + c->size > r->cfg.segment_bytes ||
            oi + c->oidx_bytes > r->cfg.segment_index_bytes ||
            ti + c->tidx_bytes > r->cfg.segment_index_bytes ||
            (c->size > 0 && next - 1 - g->base > INT32_MAX))
            break;
        size += c->size;
        oi += c->oidx_bytes;
        ti += c->tidx_bytes;
    }
    *to = j;
}

static sm_err_t
sm_round_copy(sm_round_t *r, sm_cseg_t *cs, sm_segment_t *dst)
{
    sm_creader_t rd = { r, cs->seg, 0, cs->size, 0, 0 };
    int retain_deletes = cs->mtime > r->horizon;
    sm_err_t err = SM_OK;
    sm_batch_t b;

    while (err == SM_OK && sm_creader_next(&rd, &b, &err)) {
        if (sm_round_aborted(r))
            return SM_ERR__STATE;
        err = sm_round_filter(r, &b, retain_deletes, dst);
    }
    return err;
}

/* Drop a cleaned/swap segment that will not be used. */
static void
sm_round_discard(sm_segment_t *seg)
{
    sm_seg_unlink(seg);
    sm_io_fsync_dir_if_exists(seg->dir);
    sm_seg_release(seg);
}

/* Under the log lock: are the sources still the log's segments? */
static int
sm_round_still_valid(sm_round_t *r, int from, int to, int *first)
{
    sm_log_t *log = r->log;
    int i;

    if (log->failed || log->deleted || log->trunc_gen != r->trunc_gen)
        return 0;
    for (i = 0; i < log->nsegs && log->segs[i] != r->segs[from].seg; i++)
        ;
    if (i + (to - from) >= log->nsegs)      /* never the active segment */
        return 0;
    for (int k = from; k < to; k++)
        if (log->segs[i + k - from] != r->segs[k].seg)
            return 0;
    *first = i;
    return 1;
}

/* The swap protocol (see the header comment). */
static sm_err_t
sm_round_swap(sm_round_t *r, sm_segment_t *dst, int from, int to)
{
    sm_log_t *log = r->log;
    sm_err_t err;
    int first;

    if ((err = sm_seg_rename(dst, SM_SWAP_SUFFIX)) == SM_OK)
        err = sm_io_fsync_dir(log->dir);
    if (err != SM_OK) {
        sm_round_discard(dst);
        return err;
    }
    pthread_mutex_lock(&log->lock);
    if (!sm_round_still_valid(r, from, to, &first)) {
        pthread_mutex_unlock(&log->lock);
        sm_round_discard(dst);
        return SM_ERR__STATE;
    }
    for (int k = from; k < to && err == SM_OK; k++)
        err = sm_seg_unlink(r->segs[k].seg);
    if (err == SM_OK)
        err = sm_seg_rename(dst, "");
    if (err != SM_OK) {
        /* half swapped: the next load completes it from the .swap files */
        sm_log_set_failed(log, "swapping in a cleaned segment");
        pthread_mutex_unlock(&log->lock);
        sm_seg_release(dst);
        return err;
    }
    for (int k = from; k < to; k++)
        sm_seg_release(sm_log_seg_remove(log, first));
    dst->next_offset = -1;
    sm_log_seg_insert(log, dst);
    pthread_mutex_unlock(&log->lock);
    return sm_io_fsync_dir_if_exists(log->dir);
}

static sm_err_t
sm_round_clean_group(sm_round_t *r, int from, int to)
{
    sm_segment_t *dst;
    sm_err_t err;

    err = sm_seg_create(r->log->dir, r->segs[from].base, SM_CLEANED_SUFFIX,
                        &r->cfg, r->now, &dst);
    if (err != SM_OK)
        return err;
    for (int k = from; k < to && err == SM_OK; k++)
        err = sm_round_copy(r, &r->segs[k], dst);
    if (err == SM_OK)
        err = sm_seg_make_inactive(dst);
    if (err == SM_OK)
        err = sm_seg_flush(dst, 1);
    if (err == SM_OK)
        err = sm_io_set_mtime_ms(dst->fd, r->segs[to - 1].mtime,
                                 dst->log_path);
    if (err != SM_OK) {
        sm_round_discard(dst);
        return err;
    }
    dst->dirty = 0;
    return sm_round_swap(r, dst, from, to);
}

/* ---------------------------------------------------------- one round */

/* The inactive segments below the first uncleanable offset, referenced. */
static sm_err_t
sm_round_snapshot(sm_round_t *r, const sm_ltc_t *t)
{
    sm_log_t *log = r->log;

    pthread_mutex_lock(&log->lock);
    r->cfg = log->cfg;
    r->trunc_gen = log->trunc_gen;
    r->segs = sm_calloc((size_t)log->nsegs + 1, sizeof(*r->segs));
    for (int i = 0; i + 1 < log->nsegs &&
                    log->segs[i]->base_offset < t->first_uncleanable; i++) {
        sm_cseg_t *cs = &r->segs[r->nsegs++];
        sm_seg_keep(log->segs[i]);
        cs->seg = log->segs[i];
        cs->base = cs->seg->base_offset;
        cs->next_base = log->segs[i + 1]->base_offset;
        cs->size = cs->seg->size;
        cs->oidx_bytes = (int64_t)cs->seg->oidx.entries * SM_OFFSET_INDEX_ENTRY;
        cs->tidx_bytes = (int64_t)cs->seg->tidx.entries * SM_TIME_INDEX_ENTRY;
    }
    pthread_mutex_unlock(&log->lock);
    for (int i = 0; i < r->nsegs; i++) {
        r->segs[i].mtime = sm_io_mtime_ms(r->segs[i].seg->fd,
                                          r->segs[i].seg->log_path);
        if (r->segs[i].mtime < 0)
            return SM_ERR__IO;
    }
    return SM_OK;
}

/* Kafka's doClean; *endp = the new first dirty offset. */
static sm_err_t
sm_round_run(sm_round_t *r, const sm_ltc_t *t, int64_t *endp)
{
    int64_t end;
    sm_err_t err;
    int i, to;

    if ((err = sm_round_snapshot(r, t)) != SM_OK)
        return err;
    r->upper = t->first_uncleanable;
    r->horizon = 0;
    for (i = 0; i < r->nsegs && r->segs[i].base < t->first_dirty; i++)
        r->horizon = r->segs[i].mtime - r->cfg.delete_retention_ms;
    err = sm_round_build_map(r, t->first_dirty, t->first_uncleanable);
    if (err != SM_OK)
        return err;
    end = sm_omap_latest(r->map) + 1;
    sm_info("log", "%s: cleaning offsets below %" PRId64 " (dirty from %"
            PRId64 ", %zu keys)", r->log->dir, end, t->first_dirty,
            sm_omap_size(r->map));
    for (i = 0; i < r->nsegs && r->segs[i].base < end && err == SM_OK;
         i = to) {
        sm_round_group(r, i, end, &to);
        err = sm_round_clean_group(r, i, to);
    }
    *endp = end;
    return err;
}

static sm_err_t
sm_cleaner_clean(sm_cleaner_t *cl, sm_omap_t *map, const sm_ltc_t *t,
                 int64_t now, int64_t *endp)
{
    sm_round_t r;
    sm_err_t err;

    memset(&r, 0, sizeof(r));
    r.cl = cl;
    r.log = t->log;
    r.map = map;
    r.now = now;
    err = sm_round_run(&r, t, endp);
    for (int i = 0; i < r.nsegs; i++)
        sm_seg_release(r.segs[i].seg);
    sm_free(r.segs);
    sm_buf_fini(&r.in);
    sm_buf_fini(&r.out);
    sm_free(r.keep);
    return err;
}

/* ---------------------------------------------------------- choosing */

/* Kafka's cleanableOffsets + calculateCleanableBytes + maxCompactionDelay,
 * under the log lock. */
static void
sm_cleaner_measure(sm_log_t *log, int64_t ckpt, int64_t now, sm_ltc_t *t)
{
    const sm_log_config_t *cfg = &log->cfg;
    int64_t hw = log->high_watermark < 0 ? log->end_offset
                                         : log->high_watermark;
    int64_t fd = ckpt, unclean, earliest = INT64_MAX;
    int last = log->nsegs - 1, i, fu;

    if (fd < log->start_offset || fd > log->end_offset)
        fd = log->start_offset;
    unclean = hw < log->segs[last]->base_offset ? hw
                                                : log->segs[last]->base_offset;
    for (i = sm_log_floor_seg(log, fd); i < last; i++) {
        sm_segment_t *s = log->segs[i];
        int64_t first = sm_seg_first_batch_ts(s);
        if (cfg->min_compaction_lag_ms > 0 &&
            sm_seg_largest_ts(s) > now - cfg->min_compaction_lag_ms &&
            s->base_offset < unclean)
            unclean = s->base_offset;
        if (first > 0 && first < earliest)
            earliest = first;
    }
    if (unclean < fd)
        unclean = fd;
    fu = sm_log_floor_seg(log, unclean);
    t->first_dirty = fd;
    t->first_uncleanable = log->segs[fu]->base_offset;
    t->clean_bytes = t->cleanable_bytes = 0;
    for (i = 0; i < log->nsegs; i++) {
        if (log->segs[i]->base_offset < fd)
            t->clean_bytes += log->segs[i]->size;
        if (i >= sm_log_floor_seg(log, fd) && i < fu)
            t->cleanable_bytes += log->segs[i]->size;
    }
    t->need_now = earliest < now - (cfg->max_compaction_lag_ms > 0
                                    ? cfg->max_compaction_lag_ms : 0);
    t->ratio = t->clean_bytes + t->cleanable_bytes > 0
               ? (double)t->cleanable_bytes /
                 (double)(t->clean_bytes + t->cleanable_bytes) : 0;
}

/* Pick the filthiest compacted log and mark it being cleaned. */
static int
sm_cleaner_pick(sm_cleaner_t *cl, sm_log_t **logs, const int *dirs, int n,
                int64_t now, sm_ltc_t *best)
{
    int found = 0;

    pthread_mutex_lock(&cl->lock);
    for (int i = 0; i < n; i++) {
        sm_log_t *log = logs[i];
        sm_ltc_t t = { 0 };

        if (log->cleaning || log->cleaner_paused || log->uncleanable)
            continue;
        pthread_mutex_lock(&log->lock);
        if (!(log->cfg.cleanup_policy & SM_CLEANUP_COMPACT) || log->failed ||
            log->deleted) {
            pthread_mutex_unlock(&log->lock);
            continue;
        }
        sm_cleaner_measure(log, log->cleaner_offset, now, &t);
        t.log = log;
        t.dir = dirs[i];
        if (t.clean_bytes + t.cleanable_bytes > 0 &&
            ((t.need_now && t.cleanable_bytes > 0) ||
             t.ratio > log->cfg.min_cleanable_dirty_ratio) &&
            (!found || t.ratio > best->ratio)) {
            *best = t;
            found = 1;
        }
        pthread_mutex_unlock(&log->lock);
    }
    if (found)
        best->log->cleaning = 1;
    pthread_mutex_unlock(&cl->lock);
    return found;
}

/* Retention of the compacted logs, after a pass (Kafka's deletableLogs). */
static void
sm_cleaner_retention(sm_cleaner_t *cl, sm_log_t **logs, int n, int64_t now)
{
    for (int i = 0; i < n; i++) {
        sm_log_t *log = logs[i];
        sm_log_config_t cfg;
        int skip;

        sm_log_get_config(log, &cfg);
        if (!(cfg.cleanup_policy & SM_CLEANUP_COMPACT))
            continue;
        pthread_mutex_lock(&cl->lock);
        skip = log->cleaning || log->cleaner_paused;
        if (!skip)
            log->cleaning = 1;
        pthread_mutex_unlock(&cl->lock);
        if (skip)
            continue;
        sm_log_apply_retention(log, now, NULL);
        pthread_mutex_lock(&cl->lock);
        log->cleaning = 0;
        pthread_cond_broadcast(&cl->cond);
        pthread_mutex_unlock(&cl->lock);
    }
}

static void
sm_cleaner_done(sm_cleaner_t *cl, const sm_ltc_t *t, sm_err_t err,
                int64_t end)
{
    pthread_mutex_lock(&cl->lock);
    t->log->cleaning = 0;
    if (err == SM_OK) {
        t->log->cleaner_offset = end;
        t->log->stat_cleanings++;
    } else if (err != SM_ERR__STATE) {
        sm_error("log", "%s: cleaning failed (%s); the partition is not "
                 "cleaned again until it is reopened", t->log->dir,
                 sm_err_name(err));
        t->log->uncleanable = 1;
    }
    pthread_cond_broadcast(&cl->cond);
    pthread_mutex_unlock(&cl->lock);
}

/* One pass: clean the filthiest log, then retention.  1 if it cleaned. */
static int
sm_cleaner_pass(sm_cleaner_t *cl, sm_omap_t *map, int64_t now)
{
    int *dirs, n, cleaned = 0;
    sm_log_t **logs = sm_logmgr_logs(cl->mgr, &dirs, &n);
    int64_t end = 0;
    sm_ltc_t t;
    sm_err_t err;

    memset(&t, 0, sizeof(t));
    if (sm_cleaner_pick(cl, logs, dirs, n, now, &t)) {
        err = sm_cleaner_clean(cl, map, &t, now, &end);
        sm_cleaner_done(cl, &t, err, end);
        if (err == SM_OK) {
            sm_cleaner_checkpoint_dir(cl, t.dir);
            cleaned = 1;
        }
    }
    sm_cleaner_retention(cl, logs, n, now);
    for (int i = 0; i < n; i++)
        sm_log_release(logs[i]);
    sm_free(logs);
    sm_free(dirs);
    return cleaned;
}

/* ---------------------------------------------------------- threads */

static void *
sm_cleaner_main(void *arg)
{
    sm_cleaner_t *cl = arg;
    sm_omap_t *map = sm_omap_new(cl->map_bytes);
    struct timespec ts;

    pthread_mutex_lock(&cl->lock);
    while (!cl->stop) {
        pthread_mutex_unlock(&cl->lock);
        int cleaned = sm_cleaner_pass(cl, map, sm_now_ms());
        pthread_mutex_lock(&cl->lock);
        if (cleaned || cl->stop)
            continue;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += cl->backoff_ms / 1000;
        ts.tv_nsec += (cl->backoff_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&cl->cond, &cl->lock, &ts);
    }
    pthread_mutex_unlock(&cl->lock);
    sm_omap_free(map);
    return NULL;
}

/* Seed each log's first dirty offset from the dirs' checkpoint files. */
static void
sm_cleaner_load_checkpoints(sm_cleaner_t *cl)
{
    int *dirs, n;
    sm_log_t **logs = sm_logmgr_logs(cl->mgr, &dirs, &n);

    for (int d = 0; d < sm_logmgr_ndirs(cl->mgr); d++) {
        char *path = sm_asprintf("%s/%s", sm_logmgr_dir_path(cl->mgr, d),
                                 SM_CLEANER_CKPT);
        sm_ckpt_entry_t *ents;
        int ne;

        if (sm_ckpt_read(path, &ents, &ne) != SM_OK) {
            sm_warn("log", "%s unreadable: cleaning from the log starts",
                    path);
            ents = NULL;
            ne = 0;
        }
        pthread_mutex_lock(&cl->lock);
        for (int i = 0; i < n; i++)
            if (dirs[i] == d)
                logs[i]->cleaner_offset = sm_ckpt_find(ents, ne,
                    logs[i]->topic, logs[i]->partition);
        pthread_mutex_unlock(&cl->lock);
        sm_ckpt_free(ents, ne);
        sm_free(path);
    }
    for (int i = 0; i < n; i++)
        sm_log_release(logs[i]);
    sm_free(logs);
    sm_free(dirs);
}

sm_cleaner_t *
sm_cleaner_new(sm_logmgr_t *mgr, const sm_logmgr_config_t *cfg,
               int64_t now_ms)
{
    sm_cleaner_t *cl = sm_calloc(1, sizeof(*cl));
    int nthreads = cfg->background_threads > 0 ? cfg->cleaner_threads : 0;
    pthread_condattr_t ca;

    (void)now_ms;
    cl->mgr = mgr;
    pthread_mutex_init(&cl->lock, NULL);
    pthread_mutex_init(&cl->ckpt_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cl->cond, &ca);
    pthread_condattr_destroy(&ca);
    cl->backoff_ms = cfg->cleaner_backoff_ms > 0 ? cfg->cleaner_backoff_ms
                                                 : 1;
    cl->map_bytes = (size_t)cfg->cleaner_dedupe_buffer_size /
                    (size_t)(cfg->cleaner_threads > 0 ? cfg->cleaner_threads
                                                      : 1);
    sm_cleaner_load_checkpoints(cl);
    cl->threads = sm_calloc((size_t)nthreads + 1, sizeof(*cl->threads));
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&cl->threads[i], NULL, sm_cleaner_main, cl) != 0) {
            sm_error("log", "cannot start cleaner thread %d: %s", i,
                     strerror(errno));
            break;
        }
        cl->nthreads++;
    }
    return cl;
}

void
sm_cleaner_tick(sm_cleaner_t *cl, int64_t now_ms)
{
    if (cl->nthreads > 0)
        return;                     /* the threads run on their own */
    if (cl->inline_map == NULL)
        cl->inline_map = sm_omap_new(cl->map_bytes);
    sm_cleaner_pass(cl, cl->inline_map, now_ms);
}

void
sm_cleaner_abort(sm_cleaner_t *cl, sm_log_t *log)
{
    pthread_mutex_lock(&cl->lock);
    log->cleaner_paused = 1;
    while (log->cleaning)
        pthread_cond_wait(&cl->cond, &cl->lock);
    pthread_mutex_unlock(&cl->lock);
}

void
sm_cleaner_stop(sm_cleaner_t *cl)
{
    pthread_mutex_lock(&cl->lock);
    cl->stop = 1;
    pthread_cond_broadcast(&cl->cond);
    pthread_mutex_unlock(&cl->lock);
    for (int i = 0; i < cl->nthreads; i++)
        pthread_join(cl->threads[i], NULL);
    cl->nthreads = 0;
}

void
sm_cleaner_destroy(sm_cleaner_t *cl)
{
    if (cl == NULL)
        return;
    sm_cleaner_stop(cl);
    sm_omap_free(cl->inline_map);
    sm_free(cl->threads);
    pthread_cond_destroy(&cl->cond);
    pthread_mutex_destroy(&cl->ckpt_lock);
    pthread_mutex_destroy(&cl->lock);
    sm_free(cl);
}

sm_err_t
sm_cleaner_checkpoint_dir(sm_cleaner_t *cl, int d)
{
    int *dirs, n, ne = 0;
    sm_log_t **logs = sm_logmgr_logs(cl->mgr, &dirs, &n);
    sm_ckpt_entry_t *ents = sm_calloc((size_t)n + 1, sizeof(*ents));
    char *path = sm_asprintf("%s/%s", sm_logmgr_dir_path(cl->mgr, d),
                             SM_CLEANER_CKPT);
    sm_err_t err;

    pthread_mutex_lock(&cl->ckpt_lock);
    pthread_mutex_lock(&cl->lock);
    for (int i = 0; i < n; i++)
        if (dirs[i] == d && logs[i]->cleaner_offset >= 0 &&
            !logs[i]->cleaner_paused)
            ents[ne++] = (sm_ckpt_entry_t){ logs[i]->topic,
                                            logs[i]->partition,
                                            logs[i]->cleaner_offset };
    pthread_mutex_unlock(&cl->lock);
    err = sm_ckpt_write(path, ents, ne);
    pthread_mutex_unlock(&cl->ckpt_lock);
    for (int i = 0; i < n; i++)
        sm_log_release(logs[i]);
    sm_free(logs);
    sm_free(dirs);
    sm_free(ents);
    sm_free(path);
    return err;
}
