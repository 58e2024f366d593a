/*
 * log_int.h: the private structures of src/log - segments, the log, and
 * the functions the log's files call on each other.  Not for use outside
 * src/log (the unit tests include it to look inside).
 *
 * OWNERSHIP.  A log owns its segment array; each segment in the array
 * holds one reference on itself for the log.  A read that hands a file
 * range to the caller takes another reference (sm_log_slice_t.seg), so a
 * segment removed by retention or truncation keeps its descriptor until
 * the reader releases it.  Segment fields other than refcnt are read and
 * written only under the owning log's lock.
 */
#ifndef SM_LOG_LOG_INT_H
#define SM_LOG_LOG_INT_H

#include <pthread.h>
#include <stdint.h>

#include "common/sm_err.h"
#include "log/index.h"
#include "log/log.h"

/* ---------------------------------------------------------- segment */

#define SM_TS_UNLOADED  (-2LL)   /* rolling_ts not read from the .log yet */

struct sm_segment {
    int64_t     base_offset;
    char       *dir;
    char       *suffix;          /* "" or ".swap"/".cleaned" (cleaner) */
    char       *log_path;
    int         fd;
    int64_t     size;            /* bytes of whole, valid entries */
    int64_t     next_offset;     /* last offset + 1 (base when empty);
                                    -1 = not computed (inactive, clean
                                    open: the next base bounds it) */
    sm_index_t  oidx;
    sm_index_t  tidx;
    int64_t     max_ts;          /* largest MaxTimestamp so far, -1 none */
    int64_t     max_ts_offset;   /* last offset of the batch holding it */
    int64_t     rolling_ts;      /* first batch's MaxTimestamp (roll by
                                    time), -1 none, SM_TS_UNLOADED */
    int64_t     created_ms;
    int64_t     jitter_ms;
    int64_t     bytes_since_index;
    int         dirty;           /* changed since its last flush */
    int         broken;          /* an undo failed: file != size */
    int         unlinked;
    int         refcnt;          /* atomic */
};

/* One entry header as found in a .log (any magic). */
typedef struct sm_seg_hdr {
    int64_t pos;
    int64_t size;                /* whole entry incl. 12-byte overhead */
    int64_t base_offset;         /* legacy: the Offset field */
    int64_t last_offset;
    int64_t max_ts;
    int8_t  magic;
} sm_seg_hdr_t;

/* Forward walk over entry headers, reading a page at a time. */
typedef struct sm_seg_cursor {
    sm_segment_t *seg;
    int64_t  pos;                /* next header */
    int64_t  end;                /* stop here */
    int64_t  buf_pos;
    size_t   buf_len;
    sm_err_t err;                /* SM_ERR__IO or SM_ERR__BAD_MSG */
    uint8_t  buf[4096];
} sm_seg_cursor_t;

void     sm_seg_cursor_init(sm_seg_cursor_t *cur, sm_segment_t *seg,
                            int64_t pos, int64_t end);
/* 1 with *hdr filled, 0 at end (cur->err says whether it was clean). */
int      sm_seg_cursor_next(sm_seg_cursor_t *cur, sm_seg_hdr_t *hdr);
/* Parse a header from p[0..avail); 1 ok, 0 too short, -1 malformed. */
int      sm_seg_hdr_parse(const uint8_t *p, size_t avail, sm_seg_hdr_t *h);

sm_err_t sm_seg_create(const char *dir, int64_t base, const char *suffix,
                       const sm_log_config_t *cfg, int64_t now_ms,
                       sm_segment_t **segp);
/* Open an existing segment.  *need_recover is set when an index file was
 * missing or failed its sanity check. */
sm_err_t sm_seg_open(const char *dir, int64_t base, const char *suffix,
                     const sm_log_config_t *cfg, int64_t now_ms,
                     int *need_recover, sm_segment_t **segp);
void     sm_seg_keep(sm_segment_t *seg);
void     sm_seg_release(sm_segment_t *seg);

/* Clean open of the active segment: find next_offset by walking from the
 * last index entry.  SM_ERR__BAD_MSG if the tail is not whole batches. */
sm_err_t sm_seg_load_tail(sm_segment_t *seg);
/* Validate every entry (length, CRC, offsets), rebuild both indexes and
 * truncate the first bad entry and everything after it. */
sm_err_t sm_seg_recover(sm_segment_t *seg, const sm_log_config_t *cfg,
                        int64_t *truncated);

/* now_ms < 0: read the clock only if the segment has no timestamps. */
int      sm_seg_should_roll(sm_segment_t *seg, const sm_log_config_t *cfg,
                            size_t len, int64_t max_ts_in,
                            int64_t last_offset_in, int64_t now_ms);
sm_err_t sm_seg_append(sm_segment_t *seg, const uint8_t *buf, size_t len,
                       int64_t last_offset, int64_t max_ts,
                       int64_t max_ts_offset, int32_t index_interval);

/* The first entry with last_offset >= offset at or after min_pos:
 * *found = 0 if none. */
sm_err_t sm_seg_translate(sm_segment_t *seg, int64_t offset, int64_t min_pos,
                          sm_seg_hdr_t *hdr, int *found);
/* Largest entry boundary in [from, limit]; from must be a boundary. */
sm_err_t sm_seg_boundary(sm_segment_t *seg, int64_t from, int64_t limit,
                         int64_t *endp);
/* First entry with MaxTimestamp >= ts and last offset >= min_offset. */
sm_err_t sm_seg_find_time(sm_segment_t *seg, int64_t ts, int64_t min_offset,
                          sm_seg_hdr_t *hdr, int *found);
/* Largest timestamp (max_ts, or the .log's mtime when none). */
int64_t  sm_seg_largest_ts(sm_segment_t *seg);
/* MaxTimestamp of the first batch (-1 none). */
int64_t  sm_seg_first_batch_ts(sm_segment_t *seg);

/* Drop entries at and above offset; the segment becomes active. */
sm_err_t sm_seg_truncate_to(sm_segment_t *seg, int64_t offset,
                            const sm_log_config_t *cfg, int64_t now_ms);
/* Roll / close: final time index entry, trim both indexes. */
sm_err_t sm_seg_make_inactive(sm_segment_t *seg);
/* Grow both indexes back to segment.index.bytes (segment made active). */
sm_err_t sm_seg_make_active(sm_segment_t *seg, const sm_log_config_t *cfg);
/* fsync the .log, and the indexes when with_indexes is set. */
sm_err_t sm_seg_flush(sm_segment_t *seg, int with_indexes);
/* Unlink the files, the .log first (see segment.c); unlinked is set once
 * the .log is gone, even if an index could not be removed. */
sm_err_t sm_seg_unlink(sm_segment_t *seg);
/* Rename the three files from the current suffix to new_suffix. */
sm_err_t sm_seg_rename(sm_segment_t *seg, const char *new_suffix);

/* -------------------------------------------------------------- log */

typedef struct sm_epoch_entry {
    int32_t epoch;
    int64_t start_offset;
} sm_epoch_entry_t;

struct sm_log {
    pthread_mutex_t lock;
    char          *dir;
    char          *topic;
    int32_t        partition;
    sm_log_config_t cfg;
    sm_segment_t **segs;         /* sorted by base offset, never empty */
    int            nsegs;
    int            segs_cap;
    int64_t        start_offset;
    int64_t        end_offset;
    int64_t        recovery_point;
    int64_t        high_watermark;   /* -1: not set, use end_offset */
    int64_t        last_flush_ms;    /* sm_mono_ms() of the last flush */
    uint64_t       trunc_gen;        /* bumped by truncation */
    int            failed;           /* sticky: every call -> SM_ERR__IO */
    int            refcnt;           /* atomic; manager + users */
    int            deleted;
    /* statistics, read by tests */
    int            stat_recovered_segments;
    int            stat_rolls;
    int64_t        stat_flushes;
    int            was_clean;        /* opened after a clean shutdown */
    /* cleaner bookkeeping (cleaner.c), under the cleaner's lock */
    int            cleaning;         /* a cleaner works on it */
    int            cleaner_paused;   /* being deleted: never again */
    int            uncleanable;      /* cleaning failed: skipped */
    int64_t        cleaner_offset;   /* first dirty offset, -1 unknown */
    /* leader epoch cache (epoch_cache.c), under lock */
    sm_epoch_entry_t *epochs;
    int            nepochs;
    int            stat_cleanings;
};

/* epoch_cache.c; log->lock held (load: before the log is shared). */
void     sm_log_epoch_load(sm_log_t *log);
void     sm_log_epoch_note(sm_log_t *log, int32_t epoch, int64_t start);
void     sm_log_epoch_note_batches(sm_log_t *log, const uint8_t *buf,
                                   size_t len);
void     sm_log_epoch_truncate(sm_log_t *log, int64_t end);

sm_segment_t *sm_log_active(sm_log_t *log);
/* Index of the segment with the largest base <= offset (0 if none). */
int      sm_log_floor_seg(sm_log_t *log, int64_t offset);
/* Insert seg keeping the order (the log takes the caller's reference). */
void     sm_log_seg_insert(sm_log_t *log, sm_segment_t *seg);
/* Remove segs[i] from the array (returns the log's reference). */
sm_segment_t *sm_log_seg_remove(sm_log_t *log, int i);
/* Mark the log failed after an I/O error that left it inconsistent. */
void     sm_log_set_failed(sm_log_t *log, const char *why);
/* Flush, trim and sync the active segment's indexes, and mark the log
 * closed; returns the values the manager checkpoints. */
sm_err_t sm_log_shutdown(sm_log_t *log, int64_t *rp, int64_t *lso,
                         int64_t *first_base);
/* Roll now (tests; takes the lock). */
sm_err_t sm_log_force_roll(sm_log_t *log);
void     sm_log_keep(sm_log_t *log);
void     sm_log_release(sm_log_t *log);

/* recovery.c: load the segments of log->dir (stray files, swap files,
 * index sanity, recovery of an unclean stop).  Fills segs, start_offset,
 * end_offset, recovery_point. */
sm_err_t sm_log_load(sm_log_t *log, int64_t recovery_point,
                     int64_t log_start_offset, int clean, char *errstr,
                     size_t errstr_size);

/* checkpoint.c: Kafka's offset checkpoint files. */
typedef struct sm_ckpt_entry {
    char    *topic;
    int32_t  partition;
    int64_t  offset;
} sm_ckpt_entry_t;

sm_err_t sm_ckpt_write(const char *path, const sm_ckpt_entry_t *ents, int n);
/* Missing file: SM_OK with *n = 0.  Malformed: SM_ERR__BAD_MSG.  The
 * entries come back sorted by topic, partition (for sm_ckpt_find). */
sm_err_t sm_ckpt_read(const char *path, sm_ckpt_entry_t **entsp, int *np);
void     sm_ckpt_free(sm_ckpt_entry_t *ents, int n);
/* Offset of topic-partition in ents, or -1. */
int64_t  sm_ckpt_find(const sm_ckpt_entry_t *ents, int n, const char *topic,
                      int32_t partition);

#define SM_RECOVERY_POINT_CKPT "recovery-point-offset-checkpoint"
#define SM_LOG_START_CKPT      "log-start-offset-checkpoint"
#define SM_REPLICATION_CKPT    "replication-offset-checkpoint"
#define SM_CLEANER_CKPT        "cleaner-offset-checkpoint"
#define SM_CLEAN_SHUTDOWN_FILE ".kafka_cleanshutdown"
#define SM_LOCK_FILE           ".lock"

#endif
