/*
 * offset_index.c: Kafka's OffsetIndex - the .index file of a segment,
 * mapping offsets to byte positions in its .log (layout in index.h).
 *
 * An entry is added by the segment when more than index.interval.bytes
 * were appended since the previous one; it records the LAST offset of the
 * appended batch set and the position of its FIRST batch.  A lookup gives
 * the largest entry <= the target, and the caller scans the .log forward
 * from that position: at most about one interval of batch headers.
 *
 * Used under the owning log's lock (see index.h).
 */
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "log/index.h"

static int64_t
sm_oidx_key_offset(const sm_index_t *idx, int32_t slot)
{
    const uint8_t *p = idx->map + (size_t)slot * SM_OFFSET_INDEX_ENTRY;

    return idx->base_offset + (int32_t)sm_load_be32(p);
}

static int64_t
sm_oidx_key_pos(const sm_index_t *idx, int32_t slot)
{
    const uint8_t *p = idx->map + (size_t)slot * SM_OFFSET_INDEX_ENTRY;

    return (int32_t)sm_load_be32(p + 4);
}

sm_offset_pos_t
sm_oidx_entry(const sm_index_t *idx, int32_t slot)
{
    sm_offset_pos_t e;

    sm_assert(slot >= 0 && slot < idx->entries);
    e.offset = sm_oidx_key_offset(idx, slot);
    e.position = sm_oidx_key_pos(idx, slot);
    return e;
}

int
sm_oidx_is_full(const sm_index_t *idx)
{
    return idx->entries >= idx->max_entries;
}

void
sm_oidx_append(sm_index_t *idx, int64_t offset, int64_t position)
{
    uint8_t *p;

    sm_assert(!sm_oidx_is_full(idx));
    sm_assert(idx->entries == 0 || offset > idx->last_offset);
    sm_assert(sm_index_can_append_offset(idx, offset));
    sm_assert(position >= 0 && position <= INT32_MAX);
    p = idx->map + (size_t)idx->entries * SM_OFFSET_INDEX_ENTRY;
    sm_store_be32(p, (uint32_t)(offset - idx->base_offset));
    sm_store_be32(p + 4, (uint32_t)position);
    idx->entries++;
    idx->last_offset = offset;
}

sm_offset_pos_t
sm_oidx_lookup(const sm_index_t *idx, int64_t target)
{
    int32_t slot = sm_index_lower_slot(idx, target, sm_oidx_key_offset);
    sm_offset_pos_t none = { idx->base_offset, 0 };

    return slot < 0 ? none : sm_oidx_entry(idx, slot);
}

sm_offset_pos_t
sm_oidx_lookup_pos(const sm_index_t *idx, int64_t pos)
{
    int32_t slot = sm_index_lower_slot(idx, pos, sm_oidx_key_pos);
    sm_offset_pos_t none = { idx->base_offset, 0 };

    return slot < 0 ? none : sm_oidx_entry(idx, slot);
}

void
sm_oidx_truncate_to(sm_index_t *idx, int64_t offset)
{
    int32_t slot = sm_index_lower_slot(idx, offset, sm_oidx_key_offset);
    int32_t keep;

    /* Kafka's three cases: nothing below -> empty; an exact hit is dropped
     * with everything after it; otherwise keep the slot found. */
    if (slot < 0)
        keep = 0;
    else if (sm_oidx_key_offset(idx, slot) == offset)
        keep = slot;
    else
        keep = slot + 1;
    idx->entries = keep;
    idx->last_offset = keep == 0 ? idx->base_offset
                                 : sm_oidx_key_offset(idx, keep - 1);
}

void
sm_oidx_refresh(sm_index_t *idx)
{
    idx->last_offset = idx->entries == 0
        ? idx->base_offset : sm_oidx_key_offset(idx, idx->entries - 1);
}

sm_err_t
sm_oidx_sanity(const sm_index_t *idx, int64_t log_size)
{
    sm_offset_pos_t last, prev;

    if (idx->file_len % SM_OFFSET_INDEX_ENTRY != 0)
        return SM_ERR__BAD_MSG;
    if (idx->entries == 0)
        return SM_OK;
    last = sm_oidx_entry(idx, idx->entries - 1);
    /* Kafka checks only last >= base; an untrimmed (zero-filled) tail or a
     * stale index longer than its .log also fails the checks below. */
    if (last.offset < idx->base_offset || last.position >= log_size ||
        last.position <= 0)
        return SM_ERR__BAD_MSG;
    if (idx->entries >= 2) {
        prev = sm_oidx_entry(idx, idx->entries - 2);
        if (prev.offset >= last.offset || prev.position >= last.position ||
            prev.position <= 0)
            return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}
