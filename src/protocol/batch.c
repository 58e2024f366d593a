/*
 * batch.c: walking the outer entries of a records blob and verifying each
 * entry's checksum (layouts in records.h).
 *
 * This is the one piece of record parsing that the log (recovery, reads,
 * index rebuild), the Produce path and the fuzzers all share, so it is kept
 * small and strict: it only reads the fixed-size headers, never allocates,
 * and never looks past an entry's declared size.
 */
#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "protocol/records_int.h"

void
sm_batch_iter_init(sm_batch_iter_t *it, const void *p, size_t len)
{
    it->pos = p;
    it->end = len ? it->pos + len : it->pos;    /* (NULL, 0): no NULL + 0 */
    it->err = SM_OK;
    it->partial = 0;
    it->max_entry_size = 0;
}

static void
sm_batch_parse_v2(const uint8_t *p, sm_batch_t *b)
{
    b->partition_leader_epoch =
        (int32_t)sm_load_be32(p + SM_BATCH_OFF_LEADER_EPOCH);
    b->attributes = (int16_t)sm_load_be16(p + SM_BATCH_OFF_ATTRIBUTES);
    b->codec = (sm_codec_t)(b->attributes & SM_ATTR_CODEC_MASK);
    b->base_offset = (int64_t)sm_load_be64(p + SM_BATCH_OFF_BASE_OFFSET);
    /* wrap-around add: a hostile BaseOffset must not be signed-overflow UB */
    b->last_offset = sm_i64_add(b->base_offset,
        (int32_t)sm_load_be32(p + SM_BATCH_OFF_LAST_DELTA));
    b->base_timestamp = (int64_t)sm_load_be64(p + SM_BATCH_OFF_BASE_TS);
    b->max_timestamp = (int64_t)sm_load_be64(p + SM_BATCH_OFF_MAX_TS);
    b->producer_id = (int64_t)sm_load_be64(p + SM_BATCH_OFF_PRODUCER_ID);
    b->producer_epoch = (int16_t)sm_load_be16(p + SM_BATCH_OFF_PRODUCER_EP);
    b->base_sequence = (int32_t)sm_load_be32(p + SM_BATCH_OFF_BASE_SEQ);
    b->count = (int32_t)sm_load_be32(p + SM_BATCH_OFF_COUNT);
}

static void
sm_batch_parse_legacy(const uint8_t *p, sm_batch_t *b)
{
    b->attributes = p[17];
    b->codec = (sm_codec_t)(b->attributes & SM_ATTR_CODEC_MASK);
    b->base_offset = b->last_offset = (int64_t)sm_load_be64(p);
    b->max_timestamp = b->magic == 1 ? (int64_t)sm_load_be64(p + 18)
                                     : SM_NO_TIMESTAMP;
    b->base_timestamp = b->max_timestamp;
    b->partition_leader_epoch = -1;
    b->count = b->codec == SM_CODEC_NONE ? 1 : -1;
    b->producer_id = SM_NO_PRODUCER_ID;
    b->producer_epoch = -1;
    b->base_sequence = -1;
}

int
sm_batch_next(sm_batch_iter_t *it, sm_batch_t *b)
{
    size_t left = (size_t)(it->end - it->pos);
    int32_t length;
    size_t size, min;
    int8_t magic;

    if (it->err != SM_OK || it->partial || left == 0)
        return 0;
    if (left < SM_MAGIC_OFFSET + 1) {
        it->partial = 1;
        return 0;
    }
    length = (int32_t)sm_load_be32(it->pos + SM_BATCH_OFF_LENGTH);
    magic = (int8_t)it->pos[SM_MAGIC_OFFSET];
    switch (magic) {
    case 0: min = SM_MSG_V0_HDR_SIZE; break;
    case 1: min = SM_MSG_V1_HDR_SIZE; break;
    case 2: min = SM_BATCH_V2_HDR_SIZE; break;
    default:
        it->err = SM_ERR__BAD_MSG;
        return 0;
    }
    if (length < 0 || (size_t)length + SM_LOG_OVERHEAD < min) {
        it->err = SM_ERR__BAD_MSG;
        return 0;
    }
    size = (size_t)length + SM_LOG_OVERHEAD;
    if (it->max_entry_size && size > it->max_entry_size) {
        it->err = SM_ERR__TOO_LARGE;
        return 0;
    }
    if (size > left) {
        it->partial = 1;
        return 0;
    }
    b->ptr = it->pos;
    b->size = size;
    b->magic = magic;
    if (magic == 2)
        sm_batch_parse_v2(it->pos, b);
    else
        sm_batch_parse_legacy(it->pos, b);
    it->pos += size;
    return 1;
}

/* Legacy key and value lengths must exactly fill the message. */
static sm_err_t
sm_batch_validate_legacy(const sm_batch_t *b)
{
    size_t pos = b->magic == 1 ? 26 : 18;
    int32_t klen, vlen;

    if (sm_crc32(0, b->ptr + 16, b->size - 16) != sm_load_be32(b->ptr + 12))
        return SM_ERR__CRC;
    klen = (int32_t)sm_load_be32(b->ptr + pos);
    if (klen < -1 || (klen > 0 && (size_t)klen > b->size - pos - 8))
        return SM_ERR__BAD_MSG;
    pos += 4 + (klen > 0 ? (size_t)klen : 0);
    vlen = (int32_t)sm_load_be32(b->ptr + pos);
    if (vlen < -1 || pos + 4 + (vlen > 0 ? (size_t)vlen : 0) != b->size)
        return SM_ERR__BAD_MSG;
    if (b->codec > SM_CODEC_LZ4)
        return SM_ERR__BAD_MSG;    /* zstd needs magic 2 */
    return SM_OK;
}

sm_err_t
sm_batch_validate(const sm_batch_t *b)
{
    uint32_t crc;
    int32_t delta;

    if (b->magic != 2)
        return sm_batch_validate_legacy(b);
    crc = sm_crc32c(0, b->ptr + SM_BATCH_OFF_ATTRIBUTES,
                    b->size - SM_BATCH_OFF_ATTRIBUTES);
    if (crc != sm_load_be32(b->ptr + SM_BATCH_OFF_CRC))
        return SM_ERR__CRC;
    delta = (int32_t)sm_load_be32(b->ptr + SM_BATCH_OFF_LAST_DELTA);
    if (delta < 0 || b->count < 0 || (int64_t)b->count > (int64_t)delta + 1)
        return SM_ERR__BAD_MSG;
    if (b->codec >= SM_CODEC__CNT)
        return SM_ERR__BAD_MSG;
    return SM_OK;
}
