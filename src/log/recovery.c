/*
 * recovery.c: loading a partition directory - Kafka's LogLoader.
 *
 * sm_log_load() runs once, from sm_log_open(), before the log is shared,
 * so it takes no lock.  The passes, in Kafka's order:
 *
 *   1. Remove leftovers: "*.deleted" files, "*.cleaned" files (an
 *      interrupted cleaning), and "*.swap" files at or above the lowest
 *      ".cleaned" offset (an interrupted split; kept for compatibility).
 *   2. A remaining ".log.swap" is a finished cleaning whose swap-in was
 *      interrupted: delete the segments it replaces - every non-swap file
 *      whose base offset lies in [lowest swap base, highest swap end) -
 *      then rename every ".swap" file to its final name.
 *   3. Open every "<base>.log"; delete index files that have no .log
 *      (orphans, e.g. of a segment deleted half-way); rebuild the indexes
 *      of a segment whose index is missing or fails its sanity check.
 *   4. After an unclean stop (no clean-shutdown marker), scan from the
 *      segment holding the recovery point to the end: the first torn or
 *      corrupt entry and everything after it is truncated, and later
 *      segments are deleted (sm_seg_recover).  After a clean stop only the
 *      active segment's tail is walked to find the end offset.
 *   5. A log end below the checkpointed log start offset means files were
 *      lost: start afresh at the log start offset.  An empty directory
 *      gets its first segment.
 *
 * The new recovery point is the log end after a clean stop, else
 * min(checkpointed recovery point, log end): it only ever moves forward
 * after a flush (sm_log_flush), never because of a load.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_io.h"

typedef struct sm_load {
    sm_log_t *log;
    char    **names;
    int       nnames;
    uint8_t  *recovered;        /* per segment: already scanned */
    int       recovered_cap;
} sm_load_t;

static char *
sm_load_path(sm_load_t *ld, const char *name)
{
    return sm_asprintf("%s/%s", ld->log->dir, name);
}

static sm_err_t
sm_load_unlink(sm_load_t *ld, const char *name, const char *why)
{
    char *path = sm_load_path(ld, name);
    sm_err_t err;

    sm_info("log", "%s: deleting %s", path, why);
    err = sm_io_unlink(path, 1);
    sm_free(path);
    return err;
}

static sm_err_t
sm_load_list(sm_load_t *ld)
{
    sm_io_names_free(ld->names, ld->nnames);
    ld->names = NULL;
    ld->nnames = 0;
    return sm_io_listdir(ld->log->dir, &ld->names, &ld->nnames);
}

static int
sm_load_has(sm_load_t *ld, const char *name)
{
    int lo = 0, hi = ld->nnames - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(ld->names[mid], name);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

/* Pass 1. */
static sm_err_t
sm_load_remove_temp(sm_load_t *ld)
{
    int64_t min_cleaned = INT64_MAX, base;
    sm_err_t err = SM_OK;

    for (int i = 0; i < ld->nnames; i++) {
        const char *n = ld->names[i];
        if (sm_log_name_has_suffix(n, SM_CLEANED_SUFFIX) &&
            (base = sm_log_file_base(n)) >= 0 && base < min_cleaned)
            min_cleaned = base;
    }
    for (int i = 0; i < ld->nnames && err == SM_OK; i++) {
        const char *n = ld->names[i];
        if (sm_log_name_has_suffix(n, SM_DELETED_SUFFIX) &&
            !sm_log_name_has_suffix(n, ".checkpoint" SM_DELETED_SUFFIX))
            err = sm_load_unlink(ld, n, "stray file");
        else if (sm_log_name_has_suffix(n, SM_CLEANED_SUFFIX))
            err = sm_load_unlink(ld, n, "unfinished cleaning output");
        else if (sm_log_name_has_suffix(n, SM_SWAP_SUFFIX) &&
                 sm_log_file_base(n) >= min_cleaned)
            err = sm_load_unlink(ld, n, "swap file of an unfinished split");
    }
    if (err == SM_OK)
        err = sm_load_list(ld);
    return err;
}

/* The end offset of the swap segment named name (a ".log.swap"). */
static sm_err_t
sm_load_swap_end(sm_load_t *ld, int64_t base, int64_t *endp)
{
    sm_segment_t *seg;
    int64_t trunc;
    sm_err_t err;
    int need;

    err = sm_seg_open(ld->log->dir, base, SM_SWAP_SUFFIX, &ld->log->cfg,
                      sm_now_ms(), &need, &seg);
    if (err != SM_OK)
        return err;
    err = need ? SM_ERR__BAD_MSG : sm_seg_load_tail(seg);
    if (err == SM_ERR__BAD_MSG)
        err = sm_seg_recover(seg, &ld->log->cfg, &trunc);
    if (err == SM_OK)
        *endp = seg->next_offset;
    sm_seg_release(seg);
    return err;
}

/* Pass 2. */
static sm_err_t
sm_load_swaps(sm_load_t *ld)
{
    int64_t min_swap = INT64_MAX, max_swap = INT64_MIN, base, end;
    sm_err_t err = SM_OK;
    int nswap = 0;

    for (int i = 0; i < ld->nnames && err == SM_OK; i++) {
        const char *n = ld->names[i];
        if (!sm_log_name_has_suffix(n, SM_LOG_SUFFIX SM_SWAP_SUFFIX) ||
            (base = sm_log_file_base(n)) < 0)
            continue;
        sm_info("log", "%s/%s: completing an interrupted swap",
                ld->log->dir, n);
        if ((err = sm_load_swap_end(ld, base, &end)) != SM_OK)
            break;
        min_swap = base < min_swap ? base : min_swap;
        max_swap = end > max_swap ? end : max_swap;
        nswap++;
    }
    for (int i = 0; i < ld->nnames && err == SM_OK && nswap > 0; i++) {
        const char *n = ld->names[i];
        base = sm_log_file_base(n);
        if (base >= min_swap && base < max_swap &&
            !sm_log_name_has_suffix(n, SM_SWAP_SUFFIX))
            err = sm_load_unlink(ld, n, "segment replaced by a swap file");
    }
    for (int i = 0; i < ld->nnames && err == SM_OK; i++) {
        const char *n = ld->names[i];
        size_t len = strlen(n) - strlen(SM_SWAP_SUFFIX);
        char *from, *to;

        if (!sm_log_name_has_suffix(n, SM_SWAP_SUFFIX))
            continue;
        from = sm_load_path(ld, n);
        to = sm_asprintf("%s/%.*s", ld->log->dir, (int)len, n);
        err = sm_io_rename(from, to);
        sm_free(from);
        sm_free(to);
    }
    if (err == SM_OK)
        err = sm_load_list(ld);
    return err;
}

static int
sm_load_is_index(const char *n)
{
    return sm_log_name_has_suffix(n, SM_INDEX_SUFFIX) ||
           sm_log_name_has_suffix(n, SM_TIMEINDEX_SUFFIX) ||
           sm_log_name_has_suffix(n, SM_TXNINDEX_SUFFIX);
}

static sm_err_t
sm_load_recover_seg(sm_load_t *ld, int i, int64_t *truncated)
{
    sm_log_t *log = ld->log;

    if (ld->recovered[i]) {
        *truncated = 0;
        return SM_OK;
    }
    ld->recovered[i] = 1;
    log->stat_recovered_segments++;
    return sm_seg_recover(log->segs[i], &log->cfg, truncated);
}

/* Pass 3. */
static sm_err_t
sm_load_segments(sm_load_t *ld)
{
    sm_log_t *log = ld->log;
    sm_segment_t *seg;
    int64_t base, trunc;
    char logname[64];
    sm_err_t err = SM_OK;
    int need;

    ld->recovered = sm_calloc((size_t)ld->nnames + 1, 1);
    for (int i = 0; i < ld->nnames && err == SM_OK; i++) {
        const char *n = ld->names[i];
        if ((base = sm_log_file_base(n)) < 0)
            continue;
        if (sm_load_is_index(n)) {
            snprintf(logname, sizeof(logname), "%020" PRId64 "%s", base,
                     SM_LOG_SUFFIX);
            if (!sm_load_has(ld, logname))
                err = sm_load_unlink(ld, n, "orphaned index file");
            continue;
        }
        if (strcmp(n + 20, SM_LOG_SUFFIX) != 0)
            continue;
        err = sm_seg_open(log->dir, base, "", &log->cfg, sm_now_ms(), &need,
                          &seg);
        if (err != SM_OK)
            break;
        sm_log_seg_insert(log, seg);
        if (need)
            err = sm_load_recover_seg(ld, log->nsegs - 1, &trunc);
    }
    return err;
}

/* Pass 4, unclean: scan from the recovery point's segment. */
static sm_err_t
sm_load_recover(sm_load_t *ld, int64_t rp)
{
    sm_log_t *log = ld->log;
    int64_t trunc;
    sm_err_t err;

    for (int i = sm_log_floor_seg(log, rp); i < log->nsegs; i++) {
        if ((err = sm_load_recover_seg(ld, i, &trunc)) != SM_OK)
            return err;
        if (trunc == 0)
            continue;
        sm_warn("log", "%s: corruption in segment %" PRId64 ", deleting "
                "the %d segments after it", log->dir,
                log->segs[i]->base_offset, log->nsegs - 1 - i);
        while (log->nsegs > i + 1) {
            sm_segment_t *seg = log->segs[log->nsegs - 1];
            if ((err = sm_seg_unlink(seg)) != SM_OK)
                return err;
            sm_seg_release(sm_log_seg_remove(log, log->nsegs - 1));
        }
        break;
    }
    return SM_OK;
}

/* The end offset from the active segment; recovers a bad tail. */
static sm_err_t
sm_load_end(sm_load_t *ld, int64_t *endp)
{
    sm_log_t *log = ld->log;
    sm_segment_t *seg = sm_log_active(log);
    int64_t trunc;
    sm_err_t err = SM_OK;

    if (seg->next_offset < 0) {
        err = sm_seg_load_tail(seg);
        if (err == SM_ERR__BAD_MSG) {
            sm_warn("log", "%s: active segment has a bad tail although the "
                    "shutdown was clean; recovering it", log->dir);
            err = sm_load_recover_seg(ld, log->nsegs - 1, &trunc);
        }
    }
    *endp = seg->next_offset;
    return err;
}

/* Pass 5. */
static sm_err_t
sm_load_finish(sm_load_t *ld, int64_t rp, int64_t lso, int clean)
{
    sm_log_t *log = ld->log;
    int64_t end = -1;
    sm_segment_t *seg;
    sm_err_t err;

    if (log->nsegs > 0 && (err = sm_load_end(ld, &end)) != SM_OK)
        return err;
    if (log->nsegs > 0 && end < lso) {
        sm_warn("log", "%s: log end %" PRId64 " is below the log start "
                "offset %" PRId64 "; deleting all segments", log->dir, end,
                lso);
        while (log->nsegs > 0) {
            if ((err = sm_seg_unlink(sm_log_active(log))) != SM_OK)
                return err;
            sm_seg_release(sm_log_seg_remove(log, log->nsegs - 1));
        }
        end = -1;
    }
    if (log->nsegs == 0) {
        int64_t base = lso > 0 ? lso : 0;
        err = sm_seg_create(log->dir, base, "", &log->cfg, sm_now_ms(), &seg);
        if (err != SM_OK)
            return err;
        sm_log_seg_insert(log, seg);
        end = base;
    }
    if ((err = sm_seg_make_active(sm_log_active(log), &log->cfg)) != SM_OK)
        return err;
    log->end_offset = end;
    log->start_offset = lso > log->segs[0]->base_offset
                        ? lso : log->segs[0]->base_offset;
    if (clean)
        log->recovery_point = end;
    else
        log->recovery_point = rp < end ? rp : end;
    return SM_OK;
}

sm_err_t
sm_log_load(sm_log_t *log, int64_t recovery_point, int64_t log_start_offset,
            int clean, char *errstr, size_t errstr_size)
{
    sm_load_t ld;
    sm_err_t err;

    memset(&ld, 0, sizeof(ld));
    ld.log = log;
    if (recovery_point < 0)
        recovery_point = 0;
    err = sm_io_mkdir_durable(log->dir);
    if (err == SM_OK)
        err = sm_load_list(&ld);
    if (err == SM_OK)
        err = sm_load_remove_temp(&ld);
    if (err == SM_OK)
        err = sm_load_swaps(&ld);
    if (err == SM_OK)
        err = sm_load_segments(&ld);
    if (err == SM_OK && !clean && log->nsegs > 0)
        err = sm_load_recover(&ld, recovery_point);
    if (err == SM_OK)
        err = sm_load_finish(&ld, recovery_point, log_start_offset, clean);
    if (err != SM_OK)
        snprintf(errstr, errstr_size, "%s: cannot load the log: %s",
                 log->dir, sm_err_desc(err));
    sm_io_names_free(ld.names, ld.nnames);
    sm_free(ld.recovered);
    return err;
}
