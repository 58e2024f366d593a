/*
 * log.h: the partition log and the log manager - samsa's kafka.log.
 *
 * A partition's log is a directory "<topic>-<partition>" under one of
 * log.dirs holding segments named by their base offset, 20 digits zero
 * padded: 00000000000000000000.log / .index / .timeindex.  The last segment
 * is the active one; only it is appended to.  Batches are stored exactly as
 * RecordBatch v2 bytes (protocol/records.h), so reads are plain file ranges
 * sent with sendfile(2).
 *
 * API (what the broker calls):
 *   sm_logmgr_open / _close        all logs of all log.dirs, recovery,
 *                                  checkpoints, background retention/flush/
 *                                  cleaning threads
 *   sm_logmgr_get / _create / _delete
 *   sm_log_append                  leader append: assigns offsets
 *   sm_log_append_follower         (replication) offsets already assigned
 *   sm_log_read                    file range starting at the batch holding
 *                                  an offset, bounded by max_bytes and an
 *                                  exclusive upper offset (the high watermark)
 *   sm_log_offset_for_time         ListOffsets by timestamp (time index)
 *   sm_log_truncate_to             follower truncation
 *   sm_log_flush                   fsync up to the end, advance recovery point
 *
 * THREADS AND LOCKS.  Any I/O-handler thread may call any sm_log_* function.
 * Each log has one mutex (log->lock) serialising appends, rolls, truncation,
 * retention and the segment list; reads take it only to pick the segment and
 * the byte range and to take a reference on the segment, then release it:
 * the caller sends the bytes with no lock held.  A segment deleted by
 * retention while a read holds a reference is unlinked at once but its file
 * descriptor stays open until the last reference is released.  The manager
 * has its own mutex for its map of logs; lock order: manager -> log.  No
 * lock is held across an fsync of more than one file or across a callback.
 *
 * DURABILITY.  Appends are write(2)s to the active segment; fsync happens per
 * the flush policy (log.flush.interval.messages / .ms) or sm_log_flush().
 * The recovery point is the offset below which everything is known to be
 * on disk.  After an unclean stop, segments at or above the recovery point
 * are scanned batch by batch (length, CRC); the first torn or corrupt batch
 * and everything after it are truncated and the indexes rebuilt.  Nothing
 * before the torn batch is lost.
 *
 * ERRORS are sm_err_t: SM_ERR__IO after logging the failing syscall and the
 * path, SM_ERR_OFFSET_OUT_OF_RANGE for reads outside [start, end],
 * SM_ERR_RECORD_LIST_TOO_LARGE / MESSAGE_TOO_LARGE for appends that cannot
 * fit a segment or exceed max.message.bytes.  A failed call leaves the log
 * as it was; when that is impossible (an fsync failed - the page cache can
 * no longer be trusted - or undoing a torn write failed) the log goes
 * offline: every later call returns SM_ERR__IO, and reopening recovers it.
 * All file I/O goes through an ops table (log_io.h) that tests replace to
 * inject failures and crashes.
 */
#ifndef SM_LOG_LOG_H
#define SM_LOG_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/sm_err.h"

/* cleanup.policy bits */
#define SM_CLEANUP_DELETE  0x1
#define SM_CLEANUP_COMPACT 0x2

/*
 * Per-log configuration: Kafka's topic-level keys (broker defaults are the
 * log.* keys).  sm_log_config_defaults() fills in Kafka's defaults.
 */
typedef struct sm_log_config {
    int64_t segment_bytes;            /* segment.bytes, 1 GiB */
    int64_t segment_ms;               /* segment.ms (log.roll.ms/hours), 7 d */
    int64_t segment_jitter_ms;        /* segment.jitter.ms, 0 */
    int64_t retention_ms;             /* retention.ms, 7 d; -1 = forever */
    int64_t retention_bytes;          /* retention.bytes, -1 = unlimited */
    int32_t index_interval_bytes;     /* index.interval.bytes, 4096 */
    int32_t segment_index_bytes;      /* segment.index.bytes, 10 MiB */
    int64_t flush_messages;           /* flush.messages, INT64_MAX = never */
    int64_t flush_ms;                 /* flush.ms, INT64_MAX = never */
    int     cleanup_policy;           /* SM_CLEANUP_* , delete */
    int64_t delete_retention_ms;      /* delete.retention.ms, 1 d */
    int64_t min_compaction_lag_ms;    /* min.compaction.lag.ms, 0 */
    int64_t max_compaction_lag_ms;    /* max.compaction.lag.ms, INT64_MAX */
    double  min_cleanable_dirty_ratio;/* min.cleanable.dirty.ratio, 0.5 */
    int64_t file_delete_delay_ms;     /* file.delete.delay.ms, 60000 */
    int32_t max_message_bytes;        /* max.message.bytes, 1048588 */
    int     preallocate;              /* preallocate, false */
    int     message_timestamp_log_append; /* message.timestamp.type */
} sm_log_config_t;

void sm_log_config_defaults(sm_log_config_t *cfg);

typedef struct sm_log sm_log_t;
typedef struct sm_segment sm_segment_t;
typedef struct sm_logmgr sm_logmgr_t;

/* A byte range of one segment file, ready for sendfile(2).  Holds a
 * reference on the segment until sm_log_slice_release(). */
typedef struct sm_log_slice {
    sm_segment_t *seg;                /* NULL when the range is empty */
    int      fd;
    off_t    pos;
    size_t   len;
    int64_t  first_offset;            /* base offset of the first batch */
} sm_log_slice_t;

/* ---------------------------------------------------------- one log */

/*
 * Open (or create) the log in dir.  recovery_point and log_start_offset come
 * from the manager's checkpoints (-1 when unknown); clean says whether the
 * last shutdown was clean (skip the scan).  errstr names the failing file.
 */
sm_err_t sm_log_open(const char *dir, const char *topic, int32_t partition,
                     const sm_log_config_t *cfg, int64_t recovery_point,
                     int64_t log_start_offset, int clean, sm_log_t **logp,
                     char *errstr, size_t errstr_size);
/* Flush, trim the active segment's indexes and close.  Does not delete. */
void     sm_log_close(sm_log_t *log);

/*
 * Leader append.  batches[0..len) holds one or more validated RecordBatch v2
 * entries (the caller validated CRCs and converted legacy input).  Offsets
 * are assigned from the log end offset by rewriting each BaseOffset in place
 * (batches is the caller's mutable buffer); leader_epoch is written into
 * PartitionLeaderEpoch; if append_time_ms >= 0 the batches are switched to
 * LogAppendTime with that timestamp.  Rolls the segment first when needed.
 * On success *first_offset / *last_offset are the offsets assigned.
 */
sm_err_t sm_log_append(sm_log_t *log, uint8_t *batches, size_t len,
                       int32_t leader_epoch, int64_t append_time_ms,
                       int64_t *first_offset, int64_t *last_offset);

/* Follower/recovery append: offsets are kept as they are, must increase,
 * and must start at or above the log end offset (else
 * SM_ERR_OFFSET_OUT_OF_RANGE); a gap is allowed because a compacted
 * leader's log has them (Kafka's UnexpectedAppendOffset check).  Legacy
 * magic 0/1 entries are accepted here, as Kafka's follower does. */
sm_err_t sm_log_append_follower(sm_log_t *log, const uint8_t *batches,
                                size_t len);

/*
 * Read from the batch containing `offset`, at most max_bytes, never
 * including a batch whose last offset is >= max_offset (exclusive bound,
 * e.g. the high watermark; INT64_MAX for none).  Never splits a batch, except
 * that when min_one is set and the first batch alone exceeds max_bytes, that
 * whole batch is returned (Kafka's KIP-74 behaviour).  offset == end offset
 * gives an empty slice; outside [start, end] SM_ERR_OFFSET_OUT_OF_RANGE.
 */
sm_err_t sm_log_read(sm_log_t *log, int64_t offset, size_t max_bytes,
                     int64_t max_offset, int min_one, sm_log_slice_t *out);
void     sm_log_slice_release(sm_log_slice_t *slice);
/* Copy a slice into memory (tests, down-conversion, the cleaner). */
sm_err_t sm_log_slice_read(const sm_log_slice_t *slice, void *dst);

int64_t  sm_log_start_offset(sm_log_t *log);
int64_t  sm_log_end_offset(sm_log_t *log);      /* next offset to assign */
int64_t  sm_log_recovery_point(sm_log_t *log);
/* The high watermark the replica layer last set (the end offset until it
 * sets one).  Retention never deletes a segment holding offsets at or
 * above it, and sm_log_set_start_offset() cannot pass it (Kafka's
 * UnifiedLog keeps the same bound).  Truncation lowers it. */
int64_t  sm_log_high_watermark(sm_log_t *log);
void     sm_log_set_high_watermark(sm_log_t *log, int64_t hw);
/* The high watermark last set (by the replica layer or from
 * replication-offset-checkpoint at open), -1 if none ever was. */
int64_t  sm_log_replica_hw(sm_log_t *log);
/*
 * Leader epochs (epoch_cache.c: leader-epoch-checkpoint in the partition
 * directory).  Appends record the first offset of each new epoch; a
 * truncation forgets epochs starting at or after the new end.
 * latest_epoch: -1 when none.  end_offset_for_epoch (Kafka's
 * LeaderEpochFileCache.endOffsetFor): for the largest known epoch <= epoch,
 * that epoch and the offset where it ended (the start of the next one, or
 * the log end for the latest); -1/-1 if epoch precedes every known one.
 */
int32_t  sm_log_latest_epoch(sm_log_t *log);
void     sm_log_end_offset_for_epoch(sm_log_t *log, int32_t epoch,
                                     int32_t *out_epoch, int64_t *end_offset);
int64_t  sm_log_size_bytes(sm_log_t *log);
int      sm_log_segment_count(sm_log_t *log);
const char *sm_log_dir(sm_log_t *log);

/*
 * Kafka's fetchOffsetByTimestamp: the first segment whose largest timestamp
 * reaches ts, the time index to the batch, then the first record at or
 * above the log start offset with timestamp >= ts: its offset and
 * timestamp (LogAppendTime batches: the batch's).  SM_ERR__NOENT when none.
 */
sm_err_t sm_log_offset_for_time(sm_log_t *log, int64_t ts,
                                int64_t *offset, int64_t *timestamp);

/* Remove everything at and above offset (follower truncation). */
sm_err_t sm_log_truncate_to(sm_log_t *log, int64_t offset);
/* Advance the log start offset (DeleteRecords, retention). */
sm_err_t sm_log_set_start_offset(sm_log_t *log, int64_t offset);
/* fsync everything up to the current end; advances the recovery point. */
sm_err_t sm_log_flush(sm_log_t *log);
/* Apply time/size retention now; *deleted = segments removed. */
sm_err_t sm_log_apply_retention(sm_log_t *log, int64_t now_ms, int *deleted);
/* Replace the configuration (topic config change). */
void     sm_log_set_config(sm_log_t *log, const sm_log_config_t *cfg);
void     sm_log_get_config(sm_log_t *log, sm_log_config_t *cfg);

/* ---------------------------------------------------------- manager */

typedef struct sm_logmgr_config {
    const char *const *dirs;          /* log.dirs */
    int      ndirs;
    sm_log_config_t defaults;         /* from the broker's log.* keys */
    int64_t  retention_check_interval_ms;   /* log.retention.check.interval.ms */
    int64_t  flush_scheduler_interval_ms;   /* log.flush.scheduler.interval.ms */
    int64_t  flush_offset_checkpoint_interval_ms;
    int64_t  hw_checkpoint_interval_ms;     /* replica.high.watermark.
                                             * checkpoint.interval.ms */
    int      cleaner_enable;          /* log.cleaner.enable */
    int      cleaner_threads;         /* log.cleaner.threads */
    int64_t  cleaner_backoff_ms;      /* log.cleaner.backoff.ms */
    int64_t  cleaner_dedupe_buffer_size;
    int      recovery_threads_per_dir;
    int      background_threads;      /* 0: no threads (tests drive it) */
} sm_logmgr_config_t;

void sm_logmgr_config_defaults(sm_logmgr_config_t *cfg);

/*
 * Lock every log dir (a ".lock" file, flock), read recovery-point-offset-
 * checkpoint and log-start-offset-checkpoint, note and remove the
 * ".kafka_cleanshutdown" marker, open every partition directory (recovering
 * those of an unclean stop), and start the background threads.
 */
sm_err_t sm_logmgr_open(const sm_logmgr_config_t *cfg, sm_logmgr_t **mgrp,
                        char *errstr, size_t errstr_size);
/* Stop threads, flush every log, write the checkpoints and the clean
 * shutdown marker, close every log. */
void     sm_logmgr_close(sm_logmgr_t *mgr);

/* The open log of topic-partition, or NULL. */
sm_log_t *sm_logmgr_get(sm_logmgr_t *mgr, const char *topic,
                        int32_t partition);
/* Create (or return the existing) log, in the dir with fewest logs. */
sm_err_t sm_logmgr_create(sm_logmgr_t *mgr, const char *topic,
                          int32_t partition, const sm_log_config_t *cfg,
                          sm_log_t **logp);
/* Close the log and remove its directory. */
sm_err_t sm_logmgr_delete(sm_logmgr_t *mgr, const char *topic,
                          int32_t partition);
/* Write both checkpoint files now. */
sm_err_t sm_logmgr_checkpoint(sm_logmgr_t *mgr);
/* Write only replication-offset-checkpoint of every dir. */
sm_err_t sm_logmgr_checkpoint_hw(sm_logmgr_t *mgr);
/* Run one pass of retention / flush / cleaning now (tests, background). */
void     sm_logmgr_tick(sm_logmgr_t *mgr, int64_t now_ms);

#endif
