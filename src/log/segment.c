/*
 * segment.c: one log segment - Kafka's LogSegment: a .log file of
 * whole record entries plus its .index and .timeindex (index.h).
 *
 * FILES (dir/<20-digit base offset><ext><suffix>):
 *   .log        entries back to back, exactly as records.h lays them out
 *               (RecordBatch v2; a log copied from an old Kafka may also
 *               hold magic 0/1 messages, which are read but never written)
 *   .index      offset index, .timeindex  time index (formats in index.h)
 *   suffix ""   live segment; ".cleaned" / ".swap": the cleaner's
 *               intermediate states (cleaner.c), ".deleted" never (we
 *               unlink at once; the loader removes Kafka's leftovers).
 *
 * INVARIANTS (under the owning log's lock):
 *   1. [0, size) of the .log is whole entries whose offsets increase and
 *      lie in [base, base + INT32_MAX]; nothing past size is ever read.
 *   2. Every offset-index entry (o, p) has p a batch boundary in (0, size)
 *      and o the last offset of the batch set appended at p.
 *   3. max_ts / max_ts_offset describe the entries in [0, size).
 *   4. Only the active segment's index files are longer than their entries
 *      (preallocated); an inactive one is trimmed (sm_seg_make_inactive).
 *   5. broken == 0 unless an undo (ftruncate after a failed write) failed;
 *      the log then refuses all work (sm_log_set_failed).
 *
 * An append writes the caller's bytes as they are, with one pwrite(2): no
 * per-record work happens here.  Reads never copy: they translate offsets
 * to byte ranges (sm_seg_translate / sm_seg_boundary) with one index lookup
 * and a short walk over entry headers (sm_seg_cursor_*).
 *
 * Unlinking removes the .log first: a crash in the middle leaves orphan
 * index files, which the loader deletes, never a .log without indexes.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_io.h"
#include "protocol/records.h"

/* Recovery reads the .log in chunks of this size; bigger entries are
 * checked by streaming their CRC through the chunk buffer. */
#define SM_SEG_RECOVER_CHUNK (1 << 20)

/* ------------------------------------------------------ lifecycle */

static int64_t
sm_seg_jitter(const sm_log_config_t *cfg)
{
    static _Atomic uint64_t seq;
    uint64_t x;
    int64_t bound;

    if (cfg->segment_jitter_ms <= 0)
        return 0;
    bound = cfg->segment_jitter_ms < cfg->segment_ms ? cfg->segment_jitter_ms
                                                     : cfg->segment_ms;
    if (bound <= 0)
        return 0;
    /* splitmix64 of a counter and the clock: spread, not secret */
    x = (uint64_t)sm_mono_us() + atomic_fetch_add(&seq, 1) *
        0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (int64_t)(x % (uint64_t)bound);
}

static sm_segment_t *
sm_seg_alloc(const char *dir, int64_t base, const char *suffix,
             const sm_log_config_t *cfg, int64_t now_ms)
{
    sm_segment_t *seg = sm_calloc(1, sizeof(*seg));

    seg->base_offset = base;
    seg->dir = sm_strdup(dir);
    seg->suffix = sm_strdup(suffix ? suffix : "");
    seg->log_path = sm_log_file_path(dir, base, SM_LOG_SUFFIX, seg->suffix);
    seg->fd = -1;
    seg->oidx.fd = -1;
    seg->tidx.fd = -1;
    seg->next_offset = base;
    seg->max_ts = -1;
    seg->max_ts_offset = base;
    seg->rolling_ts = SM_TS_UNLOADED;
    seg->created_ms = now_ms;
    seg->jitter_ms = sm_seg_jitter(cfg);
    atomic_init((_Atomic int *)&seg->refcnt, 1);
    return seg;
}

void
sm_seg_keep(sm_segment_t *seg)
{
    atomic_fetch_add((_Atomic int *)&seg->refcnt, 1);
}

void
sm_seg_release(sm_segment_t *seg)
{
    if (seg == NULL || atomic_fetch_sub((_Atomic int *)&seg->refcnt, 1) != 1)
        return;
    sm_index_close(&seg->oidx);
    sm_index_close(&seg->tidx);
    if (seg->fd >= 0)
        sm_io_close(seg->fd, seg->log_path);
    sm_free(seg->log_path);
    sm_free(seg->suffix);
    sm_free(seg->dir);
    sm_free(seg);
}

/* Open both indexes; *fresh is set if either had to be created. */
static sm_err_t
sm_seg_open_indexes(sm_segment_t *seg, const sm_log_config_t *cfg,
                    int create, int *fresh)
{
    char *opath = sm_log_file_path(seg->dir, seg->base_offset,
                                   SM_INDEX_SUFFIX, seg->suffix);
    char *tpath = sm_log_file_path(seg->dir, seg->base_offset,
                                   SM_TIMEINDEX_SUFFIX, seg->suffix);
    int c1 = 0, c2 = 0;
    sm_err_t err;

    err = sm_index_open(&seg->oidx, opath, seg->base_offset,
                        SM_OFFSET_INDEX_ENTRY, cfg->segment_index_bytes,
                        create, &c1);
    if (err == SM_OK)
        err = sm_index_open(&seg->tidx, tpath, seg->base_offset,
                            SM_TIME_INDEX_ENTRY, cfg->segment_index_bytes,
                            create, &c2);
    if (err == SM_OK) {
        sm_oidx_refresh(&seg->oidx);
        sm_tidx_refresh(&seg->tidx);
    }
    *fresh = c1 || c2;
    sm_free(opath);
    sm_free(tpath);
    return err;
}

sm_err_t
sm_seg_create(const char *dir, int64_t base, const char *suffix,
              const sm_log_config_t *cfg, int64_t now_ms,
              sm_segment_t **segp)
{
    sm_segment_t *seg = sm_seg_alloc(dir, base, suffix, cfg, now_ms);
    sm_err_t err;
    int fresh;

    *segp = NULL;
    err = sm_io_open(seg->log_path, O_RDWR | O_CREAT | O_TRUNC, 0644,
                     &seg->fd);
    if (err == SM_OK && cfg->preallocate)
        err = sm_io_reserve(seg->fd, cfg->segment_bytes, seg->log_path);
    if (err == SM_OK)
        err = sm_seg_open_indexes(seg, cfg, 1, &fresh);
    if (err != SM_OK) {
        /* leave nothing behind: a half-made segment would be loaded */
        if (seg->fd >= 0)
            sm_io_unlink(seg->log_path, 1);
        if (seg->oidx.fd >= 0)
            sm_io_unlink(seg->oidx.path, 1);
        if (seg->tidx.fd >= 0)
            sm_io_unlink(seg->tidx.path, 1);
        sm_seg_release(seg);
        return err;
    }
    *segp = seg;
    return SM_OK;
}

sm_err_t
sm_seg_open(const char *dir, int64_t base, const char *suffix,
            const sm_log_config_t *cfg, int64_t now_ms, int *need_recover,
            sm_segment_t **segp)
{
    sm_segment_t *seg = sm_seg_alloc(dir, base, suffix, cfg, now_ms);
    struct stat st;
    sm_err_t err;
    int fresh = 0;

    *segp = NULL;
    *need_recover = 0;
    err = sm_io_open(seg->log_path, O_RDWR, 0, &seg->fd);
    if (err == SM_ERR__NOENT)
        err = sm_io_fail("open", seg->log_path);
    if (err == SM_OK)
        err = sm_io_fstat(seg->fd, &st, seg->log_path);
    if (err == SM_OK) {
        seg->size = st.st_size;
        seg->next_offset = -1;
        err = sm_seg_open_indexes(seg, cfg, 0, &fresh);
    }
    if (err != SM_OK) {
        sm_seg_release(seg);
        return err;
    }
    if (fresh || sm_oidx_sanity(&seg->oidx, seg->size) != SM_OK ||
        sm_tidx_sanity(&seg->tidx) != SM_OK) {
        if (!fresh)
            sm_warn("log", "corrupt index for %s, rebuilding it",
                    seg->log_path);
        *need_recover = 1;
    } else if (seg->tidx.entries > 0) {
        seg->max_ts = seg->tidx.last_ts;
        seg->max_ts_offset = seg->tidx.last_offset;
    }
    *segp = seg;
    return SM_OK;
}

/* ------------------------------------------------------ header walks */

int
sm_seg_hdr_parse(const uint8_t *p, size_t avail, sm_seg_hdr_t *h)
{
    int32_t length, delta;
    size_t min;

    if (avail < SM_MAGIC_OFFSET + 1)
        return 0;
    length = (int32_t)sm_load_be32(p + SM_BATCH_OFF_LENGTH);
    h->magic = (int8_t)p[SM_MAGIC_OFFSET];
    switch (h->magic) {
    case 0: min = SM_MSG_V0_HDR_SIZE; break;
    case 1: min = SM_MSG_V1_HDR_SIZE; break;
    case 2: min = SM_BATCH_V2_HDR_SIZE; break;
    default: return -1;
    }
    if (length < 0 || (size_t)length + SM_LOG_OVERHEAD < min)
        return -1;
    if (avail < min)
        return 0;
    h->size = (int64_t)length + SM_LOG_OVERHEAD;
    h->base_offset = (int64_t)sm_load_be64(p);
    if (h->base_offset < 0)
        return -1;
    if (h->magic == 2) {
        delta = (int32_t)sm_load_be32(p + SM_BATCH_OFF_LAST_DELTA);
        if (delta < 0 || h->base_offset > INT64_MAX - delta)
            return -1;
        h->last_offset = h->base_offset + delta;
        h->max_ts = (int64_t)sm_load_be64(p + SM_BATCH_OFF_MAX_TS);
    } else {
        h->last_offset = h->base_offset;
        h->max_ts = h->magic == 1 ? (int64_t)sm_load_be64(p + 18) : -1;
    }
    return 1;
}

void
sm_seg_cursor_init(sm_seg_cursor_t *cur, sm_segment_t *seg, int64_t pos,
                   int64_t end)
{
    cur->seg = seg;
    cur->pos = pos;
    cur->end = end;
    cur->buf_pos = 0;
    cur->buf_len = 0;
    cur->err = SM_OK;
}

static int
sm_seg_cursor_bad(sm_seg_cursor_t *cur)
{
    sm_error("log", "%s: corrupt entry header at position %" PRId64,
             cur->seg->log_path, cur->pos);
    cur->err = SM_ERR__BAD_MSG;
    return 0;
}

int
sm_seg_cursor_next(sm_seg_cursor_t *cur, sm_seg_hdr_t *hdr)
{
    size_t want, got;
    int r = 0;

    if (cur->err != SM_OK || cur->pos >= cur->end)
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        if (cur->pos >= cur->buf_pos &&
            cur->pos < cur->buf_pos + (int64_t)cur->buf_len) {
            size_t off = (size_t)(cur->pos - cur->buf_pos);
            r = sm_seg_hdr_parse(cur->buf + off, cur->buf_len - off, hdr);
            if (r != 0)
                break;
        }
        if (pass == 1)
            break;
        want = sizeof(cur->buf);
        if ((int64_t)want > cur->end - cur->pos)
            want = (size_t)(cur->end - cur->pos);
        cur->err = sm_io_pread(cur->seg->fd, cur->buf, want, cur->pos, &got,
                               cur->seg->log_path);
        if (cur->err != SM_OK)
            return 0;
        cur->buf_pos = cur->pos;
        cur->buf_len = got;
    }
    if (r != 1 || cur->pos + hdr->size > cur->end)
        return sm_seg_cursor_bad(cur);
    hdr->pos = cur->pos;
    cur->pos += hdr->size;
    return 1;
}

sm_err_t
sm_seg_load_tail(sm_segment_t *seg)
{
    sm_seg_cursor_t *cur = sm_malloc(sizeof(*cur));
    int64_t start = 0, next = seg->base_offset;
    sm_seg_hdr_t h;
    sm_err_t err;

    if (seg->oidx.entries > 0)
        start = sm_oidx_entry(&seg->oidx, seg->oidx.entries - 1).position;
    sm_seg_cursor_init(cur, seg, start, seg->size);
    while (sm_seg_cursor_next(cur, &h))
        next = h.last_offset + 1;
    err = cur->err;
    sm_free(cur);
    if (err == SM_OK)
        seg->next_offset = next;
    return err;
}

sm_err_t
sm_seg_translate(sm_segment_t *seg, int64_t offset, int64_t min_pos,
                 sm_seg_hdr_t *hdr, int *found)
{
    sm_seg_cursor_t cur;
    int64_t start = sm_oidx_lookup(&seg->oidx, offset).position;

    *found = 0;
    sm_seg_cursor_init(&cur, seg, start > min_pos ? start : min_pos,
                       seg->size);
    while (sm_seg_cursor_next(&cur, hdr)) {
        if (hdr->last_offset >= offset) {
            *found = 1;
            return SM_OK;
        }
    }
    return cur.err;
}

sm_err_t
sm_seg_boundary(sm_segment_t *seg, int64_t from, int64_t limit,
                int64_t *endp)
{
    sm_seg_cursor_t cur;
    sm_seg_hdr_t h;
    int64_t p;

    if (limit >= seg->size) {
        *endp = seg->size;
        return SM_OK;
    }
    p = sm_oidx_lookup_pos(&seg->oidx, limit).position;
    if (p < from)
        p = from;
    sm_seg_cursor_init(&cur, seg, p, seg->size);
    while (sm_seg_cursor_next(&cur, &h) && h.pos + h.size <= limit)
        p = h.pos + h.size;
    *endp = p;
    return cur.err;
}

sm_err_t
sm_seg_find_time(sm_segment_t *seg, int64_t ts, int64_t min_offset,
                 sm_seg_hdr_t *hdr, int *found)
{
    sm_ts_offset_t te = sm_tidx_lookup(&seg->tidx, ts);
    int64_t from = te.offset > min_offset ? te.offset : min_offset;
    sm_seg_cursor_t cur;

    *found = 0;
    sm_seg_cursor_init(&cur, seg, sm_oidx_lookup(&seg->oidx, from).position,
                       seg->size);
    while (sm_seg_cursor_next(&cur, hdr)) {
        if (hdr->max_ts >= ts && hdr->last_offset >= min_offset) {
            *found = 1;
            return SM_OK;
        }
    }
    return cur.err;
}

int64_t
sm_seg_largest_ts(sm_segment_t *seg)
{
    if (seg->max_ts >= 0)
        return seg->max_ts;
    return sm_io_mtime_ms(seg->fd, seg->log_path);
}

int64_t
sm_seg_first_batch_ts(sm_segment_t *seg)
{
    uint8_t buf[SM_BATCH_V2_HDR_SIZE];
    sm_seg_hdr_t h;
    size_t got;

    if (seg->rolling_ts != SM_TS_UNLOADED)
        return seg->rolling_ts;
    if (seg->size == 0)
        return -1;
    if (sm_io_pread(seg->fd, buf, sizeof(buf), 0, &got, seg->log_path)
        != SM_OK)
        return -1;
    if (sm_seg_hdr_parse(buf, got, &h) != 1)
        return -1;
    seg->rolling_ts = h.max_ts;
    return seg->rolling_ts;
}

/* ------------------------------------------------------ append / roll */

int
sm_seg_should_roll(sm_segment_t *seg, const sm_log_config_t *cfg, size_t len,
                   int64_t max_ts_in, int64_t last_offset_in, int64_t now_ms)
{
    int64_t first = sm_seg_first_batch_ts(seg), waited;
    int reached;

    if (first < 0 && now_ms < 0)
        now_ms = sm_now_ms();        /* only read the clock when needed */
    waited = first >= 0 ? max_ts_in - first : now_ms - seg->created_ms;
    reached = waited > cfg->segment_ms - seg->jitter_ms;

    return seg->size > cfg->segment_bytes - (int64_t)len ||
           (seg->size > 0 && reached) ||
           sm_oidx_is_full(&seg->oidx) || sm_tidx_is_full(&seg->tidx) ||
           !sm_index_can_append_offset(&seg->oidx, last_offset_in);
}

sm_err_t
sm_seg_append(sm_segment_t *seg, const uint8_t *buf, size_t len,
              int64_t last_offset, int64_t max_ts, int64_t max_ts_offset,
              int32_t index_interval)
{
    int64_t pos = seg->size;
    sm_err_t err;

    sm_assert(!seg->broken);
    sm_assert(sm_index_can_append_offset(&seg->oidx, last_offset));
    err = sm_io_pwrite(seg->fd, buf, len, pos, seg->log_path);
    if (err != SM_OK) {
        /* a short write may have left part of the batch: cut it off */
        if (sm_io_ftruncate(seg->fd, pos, seg->log_path) != SM_OK)
            seg->broken = 1;
        return err;
    }
    if (pos == 0)
        seg->rolling_ts = max_ts;
    seg->dirty = 1;
    seg->size += (int64_t)len;
    seg->next_offset = last_offset + 1;
    if (max_ts > seg->max_ts) {
        seg->max_ts = max_ts;
        seg->max_ts_offset = max_ts_offset;
    }
    if (seg->bytes_since_index > index_interval &&
        !sm_oidx_is_full(&seg->oidx)) {
        sm_oidx_append(&seg->oidx, last_offset, pos);
        sm_tidx_maybe_append(&seg->tidx, seg->max_ts, seg->max_ts_offset, 0);
        seg->bytes_since_index = 0;
    }
    seg->bytes_since_index += (int64_t)len;
    return SM_OK;
}

sm_err_t
sm_seg_make_inactive(sm_segment_t *seg)
{
    sm_err_t err;

    /* the trim must reach the disk before a clean shutdown is declared:
     * the next flush syncs every dirty segment */
    seg->dirty = 1;
    sm_tidx_maybe_append(&seg->tidx, seg->max_ts, seg->max_ts_offset, 1);
    if ((err = sm_index_trim(&seg->oidx)) != SM_OK)
        return err;
    return sm_index_trim(&seg->tidx);
}

sm_err_t
sm_seg_make_active(sm_segment_t *seg, const sm_log_config_t *cfg)
{
    sm_err_t err;

    seg->dirty = 1;
    err = sm_index_resize(&seg->oidx, cfg->segment_index_bytes);
    if (err == SM_OK)
        err = sm_index_resize(&seg->tidx, cfg->segment_index_bytes);
    return err;
}

sm_err_t
sm_seg_flush(sm_segment_t *seg, int with_indexes)
{
    sm_err_t err;

    if ((err = sm_io_fsync(seg->fd, seg->log_path)) != SM_OK)
        return err;
    if (!with_indexes)
        return SM_OK;
    if ((err = sm_index_flush(&seg->oidx)) != SM_OK)
        return err;
    return sm_index_flush(&seg->tidx);
}

/* ------------------------------------------------------ truncation */

/* Kafka's readLargestTimestamp: the last time-index entry, then the
 * entries after it. */
static sm_err_t
sm_seg_reload_max_ts(sm_segment_t *seg)
{
    sm_ts_offset_t last = sm_tidx_last(&seg->tidx);
    sm_seg_cursor_t cur;
    sm_seg_hdr_t h;

    seg->max_ts = last.timestamp;
    seg->max_ts_offset = last.offset;
    sm_seg_cursor_init(&cur, seg,
                       sm_oidx_lookup(&seg->oidx, last.offset).position,
                       seg->size);
    while (sm_seg_cursor_next(&cur, &h)) {
        if (h.max_ts > seg->max_ts) {
            seg->max_ts = h.max_ts;
            seg->max_ts_offset = h.last_offset;
        }
    }
    return cur.err;
}

sm_err_t
sm_seg_truncate_to(sm_segment_t *seg, int64_t offset,
                   const sm_log_config_t *cfg, int64_t now_ms)
{
    sm_seg_hdr_t h;
    sm_err_t err;
    int found;

    if ((err = sm_seg_translate(seg, offset, 0, &h, &found)) != SM_OK)
        return err;
    if ((err = sm_seg_make_active(seg, cfg)) != SM_OK)
        return err;
    sm_oidx_truncate_to(&seg->oidx, offset);
    sm_tidx_truncate_to(&seg->tidx, offset);
    if (found) {
        if ((err = sm_io_ftruncate(seg->fd, h.pos, seg->log_path)) != SM_OK) {
            seg->broken = 1;
            return err;
        }
        seg->size = h.pos;
    }
    if (seg->size == 0) {
        seg->created_ms = now_ms;
        seg->rolling_ts = SM_TS_UNLOADED;
    }
    seg->bytes_since_index = 0;
    seg->next_offset = offset;
    return sm_seg_reload_max_ts(seg);
}

/* ------------------------------------------------------ files */

sm_err_t
sm_seg_unlink(sm_segment_t *seg)
{
    char *txn = sm_log_file_path(seg->dir, seg->base_offset,
                                 SM_TXNINDEX_SUFFIX, seg->suffix);
    sm_err_t err;

    err = sm_io_unlink(seg->log_path, 1);
    if (err == SM_OK) {
        seg->unlinked = 1;
        err = sm_io_unlink(seg->oidx.path, 1);
    }
    if (err == SM_OK)
        err = sm_io_unlink(seg->tidx.path, 1);
    if (err == SM_OK)
        err = sm_io_unlink(txn, 1);
    sm_free(txn);
    return err;
}

static sm_err_t
sm_seg_rename_one(char **pathp, const char *dir, int64_t base,
                  const char *ext, const char *suffix)
{
    char *to = sm_log_file_path(dir, base, ext, suffix);
    sm_err_t err = sm_io_rename(*pathp, to);

    if (err == SM_OK) {
        sm_free(*pathp);
        *pathp = to;
    } else {
        sm_free(to);
    }
    return err;
}

sm_err_t
sm_seg_rename(sm_segment_t *seg, const char *new_suffix)
{
    sm_err_t err;

    /* indexes first, the .log last: the .log's name is what the loader
     * goes by, so it is the commit point of the rename */
    err = sm_seg_rename_one(&seg->oidx.path, seg->dir, seg->base_offset,
                            SM_INDEX_SUFFIX, new_suffix);
    if (err == SM_OK)
        err = sm_seg_rename_one(&seg->tidx.path, seg->dir, seg->base_offset,
                                SM_TIMEINDEX_SUFFIX, new_suffix);
    if (err == SM_OK)
        err = sm_seg_rename_one(&seg->log_path, seg->dir, seg->base_offset,
                                SM_LOG_SUFFIX, new_suffix);
    if (err == SM_OK) {
        sm_free(seg->suffix);
        seg->suffix = sm_strdup(new_suffix);
    }
    return err;
}

/* ------------------------------------------------------ recovery */

typedef struct sm_rec_buf {
    sm_segment_t *seg;
    uint8_t *data;
    int64_t  pos;             /* file position of data[0] */
    size_t   len;
    int64_t  file_size;
} sm_rec_buf_t;

/* Make [pos, pos+need) available (need clipped at the end of the file);
 * *pp points at pos, *availp bytes follow. */
static sm_err_t
sm_rec_fill(sm_rec_buf_t *rb, int64_t pos, size_t need, const uint8_t **pp,
            size_t *availp)
{
    size_t want;
    sm_err_t err;

    if (pos < rb->pos || pos + (int64_t)need > rb->pos + (int64_t)rb->len) {
        want = SM_SEG_RECOVER_CHUNK;
        if ((int64_t)want > rb->file_size - pos)
            want = (size_t)(rb->file_size - pos);
        err = sm_io_pread(rb->seg->fd, rb->data, want, pos, &rb->len,
                          rb->seg->log_path);
        if (err != SM_OK)
            return err;
        rb->pos = pos;
    }
    *pp = rb->data + (pos - rb->pos);
    *availp = rb->len - (size_t)(pos - rb->pos);
    return SM_OK;
}

/* CRC of an entry too big for the chunk buffer, streamed through it.
 * SM_ERR__CRC / SM_ERR__BAD_MSG / SM_ERR__IO. */
static sm_err_t
sm_rec_stream_check(sm_rec_buf_t *rb, const sm_seg_hdr_t *h,
                    const uint8_t *hdr)
{
    int v2 = h->magic == 2;
    int64_t pos = h->pos + (v2 ? SM_BATCH_OFF_ATTRIBUTES : SM_MAGIC_OFFSET);
    uint32_t want = sm_load_be32(hdr + (v2 ? SM_BATCH_OFF_CRC : 12));
    int32_t delta, count;
    uint32_t crc = 0;
    const uint8_t *p;
    size_t avail, n;
    sm_err_t err;

    if (v2) {
        delta = (int32_t)sm_load_be32(hdr + SM_BATCH_OFF_LAST_DELTA);
        count = (int32_t)sm_load_be32(hdr + SM_BATCH_OFF_COUNT);
        if (count < 0 || (int64_t)count > (int64_t)delta + 1 ||
            (sm_load_be16(hdr + SM_BATCH_OFF_ATTRIBUTES) &
             SM_ATTR_CODEC_MASK) >= SM_CODEC__CNT)
            return SM_ERR__BAD_MSG;
    }
    while (pos < h->pos + h->size) {
        if ((err = sm_rec_fill(rb, pos, 1, &p, &avail)) != SM_OK)
            return err;
        n = avail;
        if ((int64_t)n > h->pos + h->size - pos)
            n = (size_t)(h->pos + h->size - pos);
        crc = v2 ? sm_crc32c(crc, p, n) : sm_crc32(crc, p, n);
        pos += (int64_t)n;
    }
    return crc == want ? SM_OK : SM_ERR__CRC;
}

/* Check the entry whose header is h: SM_OK, SM_ERR__IO, or any other
 * code meaning "corrupt". */
static sm_err_t
sm_rec_check(sm_rec_buf_t *rb, const sm_seg_hdr_t *h, int64_t prev_last)
{
    sm_batch_iter_t it;
    const uint8_t *p;
    sm_batch_t b;
    size_t avail;
    sm_err_t err;

    if (h->base_offset < rb->seg->base_offset ||
        h->base_offset <= prev_last || h->last_offset <= prev_last ||
        !sm_index_can_append_offset(&rb->seg->oidx, h->last_offset))
        return SM_ERR__BAD_MSG;
    if (h->size > SM_SEG_RECOVER_CHUNK) {
        if ((err = sm_rec_fill(rb, h->pos, SM_BATCH_V2_HDR_SIZE, &p,
                               &avail)) != SM_OK)
            return err;
        return sm_rec_stream_check(rb, h, p);
    }
    if ((err = sm_rec_fill(rb, h->pos, (size_t)h->size, &p, &avail))
        != SM_OK)
        return err;
    sm_batch_iter_init(&it, p, (size_t)h->size);
    if (!sm_batch_next(&it, &b) || (int64_t)b.size != h->size)
        return SM_ERR__BAD_MSG;
    return sm_batch_validate(&b);
}

/* Rebuild state from the entries that pass; *validp = bytes kept. */
static sm_err_t
sm_rec_scan(sm_rec_buf_t *rb, const sm_log_config_t *cfg, int64_t *validp)
{
    sm_segment_t *seg = rb->seg;
    int64_t valid = 0, last_index = 0, prev_last = seg->base_offset - 1;
    const uint8_t *p;
    sm_seg_hdr_t h;
    size_t avail;
    sm_err_t err = SM_OK;

    while (valid < rb->file_size) {
        if ((err = sm_rec_fill(rb, valid, SM_BATCH_V2_HDR_SIZE, &p, &avail))
            != SM_OK)
            break;
        if (sm_seg_hdr_parse(p, avail, &h) != 1 ||
            valid + h.size > rb->file_size)
            break;                             /* torn or garbage */
        h.pos = valid;
        err = sm_rec_check(rb, &h, prev_last);
        if (err == SM_ERR__IO)
            break;
        if (err != SM_OK) {
            sm_warn("log", "%s: invalid entry at position %" PRId64 " (%s)",
                    seg->log_path, valid, sm_err_name(err));
            err = SM_OK;
            break;
        }
        if (h.max_ts > seg->max_ts) {
            seg->max_ts = h.max_ts;
            seg->max_ts_offset = h.last_offset;
        }
        if (valid - last_index > cfg->index_interval_bytes &&
            !sm_oidx_is_full(&seg->oidx)) {
            sm_oidx_append(&seg->oidx, h.last_offset, valid);
            sm_tidx_maybe_append(&seg->tidx, seg->max_ts, seg->max_ts_offset,
                                 0);
            last_index = valid;
        }
        if (valid == 0)
            seg->rolling_ts = h.max_ts;
        valid += h.size;
        prev_last = h.last_offset;
    }
    *validp = valid;
    seg->next_offset = prev_last + 1;
    return err;
}

sm_err_t
sm_seg_recover(sm_segment_t *seg, const sm_log_config_t *cfg,
               int64_t *truncated)
{
    sm_rec_buf_t rb;
    struct stat st;
    int64_t valid = 0;
    sm_err_t err;

    *truncated = 0;
    if ((err = sm_io_fstat(seg->fd, &st, seg->log_path)) != SM_OK)
        return err;
    sm_index_reset(&seg->oidx);
    sm_index_reset(&seg->tidx);
    if ((err = sm_seg_make_active(seg, cfg)) != SM_OK)
        return err;
    seg->max_ts = -1;
    seg->max_ts_offset = seg->base_offset;
    seg->rolling_ts = SM_TS_UNLOADED;
    memset(&rb, 0, sizeof(rb));
    rb.seg = seg;
    rb.file_size = st.st_size;
    rb.data = sm_malloc(SM_SEG_RECOVER_CHUNK);
    err = sm_rec_scan(&rb, cfg, &valid);
    sm_free(rb.data);
    if (err != SM_OK)
        return err;
    if (valid < st.st_size) {
        *truncated = st.st_size - valid;
        sm_warn("log", "%s: truncating %" PRId64 " invalid bytes at "
                "position %" PRId64, seg->log_path, *truncated, valid);
        if ((err = sm_io_ftruncate(seg->fd, valid, seg->log_path)) != SM_OK)
            return err;
    }
    seg->size = valid;
    seg->bytes_since_index = 0;
    return sm_seg_make_inactive(seg);
}
