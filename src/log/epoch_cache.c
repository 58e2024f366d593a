/*
 * epoch_cache.c: a log's leader epoch cache and its leader-epoch-checkpoint
 * file (Kafka's LeaderEpochFileCache + LeaderEpochCheckpointFile).
 *
 * WHAT.  The list of (leader epoch, start offset) pairs: the first offset
 * each leader epoch wrote into this log.  Both strictly increase.  A
 * follower that becomes follower of a new leader asks the leader, with
 * OffsetForLeaderEpoch, where its latest epoch ended in the leader's log
 * and truncates there: the logs agree up to that point by construction.
 *
 * FILE "leader-epoch-checkpoint" in the partition directory (text, '\n'):
 *   LINE      CONTENT
 *      1      version, always "0"
 *      2      number of entries, decimal
 *   3..n+2    "<epoch> <start offset>" separated by one space
 *   Example (epoch 0 from offset 0, epoch 2 from offset 1532):
 *      0
 *      2
 *      0 0
 *      2 1532
 * Rewritten whole (sm_io_write_atomic) when an epoch is added or entries
 * are dropped by truncation.  A missing file is an empty cache; a
 * malformed one is warned about and treated as empty (it is rebuilt from
 * the next appends, as a cache should be).
 *
 * WHEN.  Appends call sm_log_epoch_note() with the log lock held: a leader
 * append with its epoch, a follower append with each v2 batch's
 * PartitionLeaderEpoch.  Truncation drops entries starting at or above
 * the new end (sm_log_epoch_truncate).  Locks: log->lock for all of it
 * (the file write is one small file).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "log/log_int.h"
#include "log/log_io.h"

#define SM_EPOCH_CKPT "leader-epoch-checkpoint"
#define SM_EPOCH_MAX_ENTRIES 100000

static char *
sm_log_epoch_path(const sm_log_t *log)
{
    return sm_asprintf("%s/%s", log->dir, SM_EPOCH_CKPT);
}

/* log->lock held. */
static void
sm_log_epoch_write(sm_log_t *log)
{
    sm_buf_t buf = SM_BUF_INIT;
    char line[64], *path = sm_log_epoch_path(log);
    int len;

    len = snprintf(line, sizeof(line), "0\n%d\n", log->nepochs);
    sm_buf_write(&buf, line, (size_t)len);
    for (int i = 0; i < log->nepochs; i++) {
        len = snprintf(line, sizeof(line), "%" PRId32 " %" PRId64 "\n",
                       log->epochs[i].epoch, log->epochs[i].start_offset);
        sm_buf_write(&buf, line, (size_t)len);
    }
    if (sm_io_write_atomic(path, buf.data, buf.len) != SM_OK)
        sm_error("log", "%s: cannot write the leader epoch checkpoint; "
                 "it is rebuilt at the next new epoch", path);
    sm_buf_fini(&buf);
    sm_free(path);
}

static sm_err_t
sm_log_epoch_parse(sm_log_t *log, const char *data)
{
    const char *p = data;
    char *end;
    long ver, n;

    ver = strtol(p, &end, 10);
    if (end == p || ver != 0 || *end != '\n')
        return SM_ERR__BAD_MSG;
    p = end + 1;
    n = strtol(p, &end, 10);
    if (end == p || n < 0 || n > SM_EPOCH_MAX_ENTRIES || *end != '\n')
        return SM_ERR__BAD_MSG;
    p = end + 1;
    log->epochs = sm_calloc((size_t)n + 1, sizeof(*log->epochs));
    for (long i = 0; i < n; i++) {
        long long e = strtoll(p, &end, 10), o;

        if (end == p || *end != ' ')
            return SM_ERR__BAD_MSG;
        p = end + 1;
        o = strtoll(p, &end, 10);
        if (end == p || *end != '\n' || e < 0 || e > INT32_MAX || o < 0)
            return SM_ERR__BAD_MSG;
        p = end + 1;
        if (i > 0 && (e <= log->epochs[i - 1].epoch ||
                      o < log->epochs[i - 1].start_offset))
            return SM_ERR__BAD_MSG;
        log->epochs[i] = (sm_epoch_entry_t){ (int32_t)e, o };
        log->nepochs = (int)i + 1;
    }
    return *p == '\0' ? SM_OK : SM_ERR__BAD_MSG;
}

void
sm_log_epoch_load(sm_log_t *log)
{
    char *path = sm_log_epoch_path(log), *data = NULL;
    size_t len;
    sm_err_t err = sm_io_read_small(path, 16u << 20, &data, &len);

    if (err == SM_OK)
        err = sm_log_epoch_parse(log, data);
    if (err != SM_OK && err != SM_ERR__NOENT) {
        sm_warn("log", "%s: unreadable (%s); starting an empty leader "
                "epoch cache", path, sm_err_name(err));
        sm_free(log->epochs);
        log->epochs = NULL;
        log->nepochs = 0;
    }
    /* entries past the (recovered) end cannot be trusted */
    sm_log_epoch_truncate(log, log->end_offset);
    sm_free(data);
    sm_free(path);
}

void
sm_log_epoch_note(sm_log_t *log, int32_t epoch, int64_t start_offset)
{
    sm_epoch_entry_t *last = log->nepochs > 0
                             ? &log->epochs[log->nepochs - 1] : NULL;

    if (epoch < 0 || (last != NULL && epoch <= last->epoch))
        return;
    log->epochs = sm_realloc(log->epochs, sizeof(*log->epochs) *
                             (size_t)(log->nepochs + 1));
    log->epochs[log->nepochs++] = (sm_epoch_entry_t){ epoch, start_offset };
    sm_log_epoch_write(log);
}

/* Follower appends: each v2 batch's PartitionLeaderEpoch (bytes 12..15;
 * magic at 16, BaseOffset at 0).  buf was validated by the append. */
void
sm_log_epoch_note_batches(sm_log_t *log, const uint8_t *buf, size_t len)
{
    size_t pos = 0, size;

    while (pos + 17 <= len) {
        size = 12 + (size_t)sm_load_be32(buf + pos + 8);
        if (buf[pos + 16] == 2)
            sm_log_epoch_note(log, (int32_t)sm_load_be32(buf + pos + 12),
                              (int64_t)sm_load_be64(buf + pos));
        if (size < 17 || size > len - pos)
            break;
        pos += size;
    }
}

void
sm_log_epoch_truncate(sm_log_t *log, int64_t end)
{
    int n = log->nepochs;

    while (n > 0 && log->epochs[n - 1].start_offset >= end)
        n--;
    if (n == log->nepochs)
        return;
    log->nepochs = n;
    sm_log_epoch_write(log);
}

int32_t
sm_log_latest_epoch(sm_log_t *log)
{
    int32_t e;

    pthread_mutex_lock(&log->lock);
    e = log->nepochs > 0 ? log->epochs[log->nepochs - 1].epoch : -1;
    pthread_mutex_unlock(&log->lock);
    return e;
}

void
sm_log_end_offset_for_epoch(sm_log_t *log, int32_t epoch, int32_t *out_epoch,
                            int64_t *end_offset)
{
    int i;

    *out_epoch = -1;
    *end_offset = -1;
    pthread_mutex_lock(&log->lock);
    if (log->nepochs == 0 || epoch < log->epochs[0].epoch)
        goto out;                       /* UNDEFINED */
    if (epoch >= log->epochs[log->nepochs - 1].epoch) {
        /* the latest epoch (or a later one) ends at the log end */
        *out_epoch = log->epochs[log->nepochs - 1].epoch;
        *end_offset = log->end_offset;
        goto out;
    }
    /* the largest epoch <= requested ends where the next one starts */
    for (i = log->nepochs - 1; i > 0 && log->epochs[i].epoch > epoch; i--)
        ;
    *out_epoch = log->epochs[i].epoch;
    *end_offset = log->epochs[i + 1].start_offset;
out:
    pthread_mutex_unlock(&log->lock);
}
