/*
 * index.c: what the offset index and the time index share (Kafka's
 * AbstractIndex): opening and preallocating the file, the mapping,
 * resizing and trimming, flushing, and the largest-lower-bound search.
 * Entry layouts live in offset_index.c and time_index.c; the format and
 * the mapping rules are described in index.h.
 *
 * Invariants (checked by sm_assert where cheap):
 *   entries <= max_entries, max_entries * entry_size <= file_len,
 *   entries * entry_size <= map_len (so every entry in use is mapped).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "log/index.h"
#include "log/log_io.h"

/* Kafka's warm section: the last 8 KiB of entries. */
#define SM_INDEX_WARM_BYTES 8192

static int64_t
sm_index_round(int64_t n, int32_t es)
{
    return n < 0 ? 0 : (n / es) * es;
}

/* Map the first len bytes (replacing any mapping). */
static sm_err_t
sm_index_map(sm_index_t *idx, size_t len)
{
    void *p;

    if (len == 0)
        return SM_OK;
    p = sm_log_io->mmap(idx->fd, len);
    if (p == NULL)
        return sm_io_fail("mmap", idx->path);
    if (idx->map != NULL)
        sm_log_io->munmap(idx->map, idx->map_len);
    idx->map = p;
    idx->map_len = len;
    return SM_OK;
}

static void
sm_index_set_len(sm_index_t *idx, size_t file_len)
{
    size_t usable = file_len < idx->map_len ? file_len : idx->map_len;

    idx->file_len = file_len;
    idx->max_entries = (int32_t)(usable / (size_t)idx->entry_size);
    sm_assert(idx->entries <= idx->max_entries);
}

/* Open existing, or create; *created says whether it is new. */
static sm_err_t
sm_index_open_fd(sm_index_t *idx, int create, int *created)
{
    sm_err_t err;

    *created = 0;
    if (!create) {
        err = sm_io_open(idx->path, O_RDWR, 0, &idx->fd);
        if (err != SM_ERR__NOENT)
            return err;
    }
    *created = 1;
    return sm_io_open(idx->path, O_RDWR | O_CREAT | O_TRUNC, 0644, &idx->fd);
}

sm_err_t
sm_index_open(sm_index_t *idx, const char *path, int64_t base,
              int32_t entry_size, int32_t max_size, int create, int *created)
{
    int64_t want = sm_index_round(max_size, entry_size);
    struct stat st;
    sm_err_t err;
    int isnew;

    memset(idx, 0, sizeof(*idx));
    idx->fd = -1;
    idx->path = sm_strdup(path);
    idx->entry_size = entry_size;
    idx->base_offset = base;
    idx->last_offset = base;
    idx->last_ts = -1;
    if ((err = sm_index_open_fd(idx, create, &isnew)) != SM_OK)
        return err;
    if (created)
        *created = isnew;
    if (isnew) {
        if (want < entry_size) {
            sm_error("log", "%s: segment.index.bytes %d is below one entry",
                     path, max_size);
            return SM_ERR__CONFIG;
        }
        if ((err = sm_io_ftruncate(idx->fd, want, path)) != SM_OK)
            return err;
    }
    if ((err = sm_io_fstat(idx->fd, &st, path)) != SM_OK)
        return err;
    if ((err = sm_index_map(idx, (size_t)st.st_size)) != SM_OK)
        return err;
    sm_index_set_len(idx, (size_t)st.st_size);
    idx->entries = isnew ? 0 : idx->max_entries;
    return SM_OK;
}

void
sm_index_close(sm_index_t *idx)
{
    if (idx->map != NULL)
        sm_log_io->munmap(idx->map, idx->map_len);
    if (idx->fd >= 0)
        sm_io_close(idx->fd, idx->path);
    sm_free(idx->path);
    memset(idx, 0, sizeof(*idx));
    idx->fd = -1;
}

sm_err_t
sm_index_resize(sm_index_t *idx, int64_t new_size)
{
    int64_t len = sm_index_round(new_size, idx->entry_size);
    int64_t used = (int64_t)idx->entries * idx->entry_size;
    sm_err_t err;

    if (len < used)
        len = used;
    if ((size_t)len == idx->file_len && (size_t)len <= idx->map_len)
        return SM_OK;
    if ((err = sm_io_ftruncate(idx->fd, len, idx->path)) != SM_OK)
        return err;
    /* The file now has its new length; keep file_len honest even if the
     * remap below fails (max_entries then stays within the old map). */
    sm_index_set_len(idx, (size_t)len);
    if ((size_t)len > idx->map_len) {
        if ((err = sm_index_map(idx, (size_t)len)) != SM_OK)
            return err;
        sm_index_set_len(idx, (size_t)len);
    }
    return SM_OK;
}

sm_err_t
sm_index_trim(sm_index_t *idx)
{
    return sm_index_resize(idx, (int64_t)idx->entries * idx->entry_size);
}

sm_err_t
sm_index_flush(sm_index_t *idx)
{
    return sm_io_fsync(idx->fd, idx->path);
}

void
sm_index_reset(sm_index_t *idx)
{
    idx->entries = 0;
    idx->last_offset = idx->base_offset;
    idx->last_ts = -1;
}

int
sm_index_is_empty(const sm_index_t *idx)
{
    return idx->entries == 0;
}

int
sm_index_can_append_offset(const sm_index_t *idx, int64_t offset)
{
    int64_t rel = offset - idx->base_offset;

    return rel >= 0 && rel <= INT32_MAX;
}

static int32_t
sm_index_bsearch(const sm_index_t *idx, int64_t target, sm_index_key_fn key,
                 int32_t lo, int32_t hi)
{
    while (lo < hi) {
        int32_t mid = (int32_t)(((int64_t)lo + hi + 1) / 2);
        int64_t k = key(idx, mid);

        if (k > target)
            hi = mid - 1;
        else if (k < target)
            lo = mid;
        else
            return mid;
    }
    return lo;
}

int32_t
sm_index_lower_slot(const sm_index_t *idx, int64_t target,
                    sm_index_key_fn key)
{
    int32_t warm = SM_INDEX_WARM_BYTES / idx->entry_size;
    int32_t hot;

    if (idx->entries == 0)
        return -1;
    hot = idx->entries - 1 - warm;
    if (hot < 0)
        hot = 0;
    if (key(idx, hot) < target)
        return sm_index_bsearch(idx, target, key, hot, idx->entries - 1);
    if (key(idx, 0) > target)
        return -1;
    return sm_index_bsearch(idx, target, key, 0, hot);
}
