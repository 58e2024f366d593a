/*
 * index.h: a segment's two sparse indexes, Kafka's OffsetIndex and
 * TimeIndex (storage/.../log/AbstractIndex.java and friends).
 *
 * Both are arrays of fixed-size big-endian entries in a file that is
 * memory-mapped.  A new index file is preallocated to segment.index.bytes
 * rounded down to the entry size; the entry count of an index opened from
 * disk is its file size / entry size, which is why an index is trimmed to
 * its real size when its segment stops being the active one (roll) and
 * when the log is closed.  A full index forces a roll.
 *
 * .index (offset index), 8-byte entries, one every index.interval.bytes:
 *   OFFSET SIZE DESCRIPTION
 *        0    4 RelativeOffset: offset - segment base offset (int32)
 *        4    4 Position: byte position of a batch in the .log (int32)
 *   Offsets and positions strictly increase.  Entry (o, p) means: the batch
 *   set appended at position p ends with offset o, so every offset >= o is
 *   at a position >= p.  Position 0 is never indexed.
 *
 * .timeindex (time index), 12-byte entries, appended at the same moments
 * as offset-index entries but only when the segment's max timestamp grew:
 *   OFFSET SIZE DESCRIPTION
 *        0    8 Timestamp: largest timestamp seen so far in the segment
 *        8    4 RelativeOffset: offset of the batch holding it - base
 *   Timestamps and offsets never decrease.  The last slot is reserved for
 *   the entry written when the segment is rolled or closed.
 *
 * Lookup is Kafka's: the slot of the largest entry whose key is <= the
 * target (binary search, trying the last 8 KiB of entries first so lookups
 * near the end touch only hot pages); none -> (base offset, position 0).
 *
 * PREALLOCATION is ftruncate(2), a sparse file, as Kafka's setLength: the
 * blocks are allocated when entries are written.  fallocate(2) would turn
 * a full disk into an error at roll time instead of a SIGBUS on the store
 * into the mapping (Kafka has the same exposure), but its unwritten
 * extents cost ~3 % of append throughput (BENCHMARKS.md), so the log
 * relies on disk-space monitoring like Kafka does.
 *
 * MAPPING.  The mapping may be longer than the file: after a trim the old
 * mapping is kept (pages past the end are never touched because nothing
 * reads past `entries`), so trimming cannot fail on mmap.  Growing the
 * file past the mapping remaps it.
 *
 * THREADS.  An index belongs to its segment and is used under the owning
 * log's lock; it has no lock of its own.
 */
#ifndef SM_LOG_INDEX_H
#define SM_LOG_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_err.h"

#define SM_OFFSET_INDEX_ENTRY 8
#define SM_TIME_INDEX_ENTRY   12

typedef struct sm_index {
    char    *path;
    int      fd;
    uint8_t *map;           /* NULL when map_len == 0 */
    size_t   map_len;
    size_t   file_len;      /* current size of the file */
    int32_t  entries;
    int32_t  max_entries;   /* file_len / entry_size */
    int32_t  entry_size;
    int64_t  base_offset;
    /* last entry, cached (Kafka keeps the same) */
    int64_t  last_offset;   /* base offset when empty */
    int64_t  last_ts;       /* time index only; -1 when empty */
} sm_index_t;

/*
 * Open path (creating it when create is set, or when it is missing and
 * create_missing is set; *created tells which).  A file created here is
 * preallocated to max_size rounded down to the entry size; an existing
 * one is taken as holding size/entry_size entries.
 */
sm_err_t sm_index_open(sm_index_t *idx, const char *path, int64_t base,
                       int32_t entry_size, int32_t max_size, int create,
                       int *created);
/* Unmap and close (no trim).  Safe on a zeroed or half-opened index. */
void     sm_index_close(sm_index_t *idx);
/* Resize the file to new_size rounded down to the entry size (never below
 * the entries in use). */
sm_err_t sm_index_resize(sm_index_t *idx, int64_t new_size);
/* Resize to exactly the entries in use. */
sm_err_t sm_index_trim(sm_index_t *idx);
sm_err_t sm_index_flush(sm_index_t *idx);
/* Forget all entries (the file keeps its size). */
void     sm_index_reset(sm_index_t *idx);
int      sm_index_is_empty(const sm_index_t *idx);
/* 1 if offset can be stored relative to the base (0..INT32_MAX). */
int      sm_index_can_append_offset(const sm_index_t *idx, int64_t offset);
/*
 * Largest slot whose key (fn applied to the slot) is <= target, -1 if the
 * first key is already bigger or the index is empty.
 */
typedef int64_t (*sm_index_key_fn)(const sm_index_t *idx, int32_t slot);
int32_t  sm_index_lower_slot(const sm_index_t *idx, int64_t target,
                             sm_index_key_fn key);

/* ------------------------------------------------------ offset index */

typedef struct sm_offset_pos {
    int64_t offset;
    int64_t position;
} sm_offset_pos_t;

int      sm_oidx_is_full(const sm_index_t *idx);
/* offset must be above the last entry's; sm_assert on misuse. */
void     sm_oidx_append(sm_index_t *idx, int64_t offset, int64_t position);
sm_offset_pos_t sm_oidx_entry(const sm_index_t *idx, int32_t slot);
/* Largest entry with offset <= target; (base, 0) if none. */
sm_offset_pos_t sm_oidx_lookup(const sm_index_t *idx, int64_t target);
/* Largest entry with position <= pos; (base, 0) if none. */
sm_offset_pos_t sm_oidx_lookup_pos(const sm_index_t *idx, int64_t pos);
/* Drop entries with offset >= offset. */
void     sm_oidx_truncate_to(sm_index_t *idx, int64_t offset);
/* Recompute the cached last entry from the mapping (after open). */
void     sm_oidx_refresh(sm_index_t *idx);
/* Check the entries of an index read from disk against the .log's size;
 * SM_ERR__BAD_MSG names a corrupt index (the caller rebuilds it). */
sm_err_t sm_oidx_sanity(const sm_index_t *idx, int64_t log_size);

/* -------------------------------------------------------- time index */

typedef struct sm_ts_offset {
    int64_t timestamp;
    int64_t offset;
} sm_ts_offset_t;

int      sm_tidx_is_full(const sm_index_t *idx);
/* Append (ts, offset) if ts is above the last entry's timestamp.  With
 * skip_full_check the reserved last slot may be used (roll / close). */
void     sm_tidx_maybe_append(sm_index_t *idx, int64_t ts, int64_t offset,
                              int skip_full_check);
sm_ts_offset_t sm_tidx_entry(const sm_index_t *idx, int32_t slot);
/* Largest entry with timestamp <= ts; (-1, base) if none. */
sm_ts_offset_t sm_tidx_lookup(const sm_index_t *idx, int64_t ts);
sm_ts_offset_t sm_tidx_last(const sm_index_t *idx);
void     sm_tidx_truncate_to(sm_index_t *idx, int64_t offset);
void     sm_tidx_refresh(sm_index_t *idx);
sm_err_t sm_tidx_sanity(const sm_index_t *idx);

#endif
