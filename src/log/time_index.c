/*
 * time_index.c: Kafka's TimeIndex - the .timeindex file of a segment,
 * mapping the largest timestamp seen so far to the offset of the batch
 * that carried it (layout in index.h).
 *
 * Entries are appended at the same moments as offset-index entries, and
 * only when the segment's max timestamp grew, so timestamps strictly
 * increase.  The last slot is kept free for the entry appended when the
 * segment is rolled or closed (sm_tidx_is_full reports full one early),
 * which records the segment's final max timestamp: that is how a segment
 * reopened later knows its largest timestamp without reading the .log.
 *
 * Used under the owning log's lock (see index.h).
 */
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "log/index.h"

static int64_t
sm_tidx_key_ts(const sm_index_t *idx, int32_t slot)
{
    return (int64_t)sm_load_be64(idx->map + (size_t)slot *
                                 SM_TIME_INDEX_ENTRY);
}

static int64_t
sm_tidx_key_offset(const sm_index_t *idx, int32_t slot)
{
    const uint8_t *p = idx->map + (size_t)slot * SM_TIME_INDEX_ENTRY;

    return idx->base_offset + (int32_t)sm_load_be32(p + 8);
}

sm_ts_offset_t
sm_tidx_entry(const sm_index_t *idx, int32_t slot)
{
    sm_ts_offset_t e;

    sm_assert(slot >= 0 && slot < idx->entries);
    e.timestamp = sm_tidx_key_ts(idx, slot);
    e.offset = sm_tidx_key_offset(idx, slot);
    return e;
}

int
sm_tidx_is_full(const sm_index_t *idx)
{
    return idx->entries >= idx->max_entries - 1;
}

sm_ts_offset_t
sm_tidx_last(const sm_index_t *idx)
{
    sm_ts_offset_t e = { -1, idx->base_offset };

    if (idx->entries > 0)
        e = sm_tidx_entry(idx, idx->entries - 1);
    return e;
}

void
sm_tidx_refresh(sm_index_t *idx)
{
    sm_ts_offset_t e = sm_tidx_last(idx);

    idx->last_ts = e.timestamp;
    idx->last_offset = e.offset;
}

void
sm_tidx_maybe_append(sm_index_t *idx, int64_t ts, int64_t offset,
                     int skip_full_check)
{
    uint8_t *p;

    if (ts <= idx->last_ts)
        return;   /* also drops the repeat of the last entry at roll/close */
    if (idx->entries >= idx->max_entries ||
        (!skip_full_check && sm_tidx_is_full(idx)))
        return;   /* callers roll before this; never write past the map */
    sm_assert(idx->entries == 0 || offset >= idx->last_offset);
    sm_assert(sm_index_can_append_offset(idx, offset));
    p = idx->map + (size_t)idx->entries * SM_TIME_INDEX_ENTRY;
    sm_store_be64(p, (uint64_t)ts);
    sm_store_be32(p + 8, (uint32_t)(offset - idx->base_offset));
    idx->entries++;
    idx->last_ts = ts;
    idx->last_offset = offset;
}

sm_ts_offset_t
sm_tidx_lookup(const sm_index_t *idx, int64_t ts)
{
    int32_t slot = sm_index_lower_slot(idx, ts, sm_tidx_key_ts);
    sm_ts_offset_t none = { -1, idx->base_offset };

    return slot < 0 ? none : sm_tidx_entry(idx, slot);
}

void
sm_tidx_truncate_to(sm_index_t *idx, int64_t offset)
{
    int32_t slot = sm_index_lower_slot(idx, offset, sm_tidx_key_offset);
    int32_t keep;

    if (slot < 0)
        keep = 0;
    else if (sm_tidx_key_offset(idx, slot) == offset)
        keep = slot;
    else
        keep = slot + 1;
    /* Several entries may share an offset; drop every one >= offset. */
    while (keep > 0 && sm_tidx_key_offset(idx, keep - 1) >= offset)
        keep--;
    idx->entries = keep;
    sm_tidx_refresh(idx);
}

sm_err_t
sm_tidx_sanity(const sm_index_t *idx)
{
    sm_ts_offset_t last, prev;

    if (idx->file_len % SM_TIME_INDEX_ENTRY != 0)
        return SM_ERR__BAD_MSG;
    if (idx->entries == 0)
        return SM_OK;
    last = sm_tidx_entry(idx, idx->entries - 1);
    if (last.offset < idx->base_offset ||
        last.timestamp < sm_tidx_entry(idx, 0).timestamp)
        return SM_ERR__BAD_MSG;
    if (idx->entries >= 2) {
        prev = sm_tidx_entry(idx, idx->entries - 2);
        if (prev.timestamp >= last.timestamp || prev.offset > last.offset)
            return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}
