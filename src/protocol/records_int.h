/*
 * records_int.h: helpers shared by the record-format files of src/protocol
 * (batch.c, msgset.c, record_v2.c, builder.c, convert.c).  Not for use
 * outside src/protocol; the public contract is records.h.
 *
 * Legacy message layout offsets (whole entry, incl. the 12-byte overhead)
 * are in records.h; the constants below name the fields records.h only
 * describes in prose.
 */
#ifndef SM_PROTOCOL_RECORDS_INT_H
#define SM_PROTOCOL_RECORDS_INT_H

#include "protocol/records.h"

#define SM_MSG_OFF_CRC         12
#define SM_MSG_OFF_ATTRIBUTES  17
#define SM_MSG_OFF_TIMESTAMP   18    /* magic 1 only */
#define SM_MSG_ATTR_LAT        0x08  /* magic 1 timestamp type bit */

/* Kafka offsets and timestamps from the wire may be anything: add with
 * two's-complement wrap-around instead of signed-overflow UB. */
static inline int64_t
sm_i64_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* One parsed legacy message (magic 0/1).  Key and value borrow. */
typedef struct sm_legacy_msg {
    int64_t    offset;
    int8_t     magic;
    int8_t     attributes;
    int64_t    timestamp;        /* SM_NO_TIMESTAMP for magic 0 */
    sm_bytes_t key;
    sm_bytes_t value;
} sm_legacy_msg_t;

/* Parse the legacy entry p[0..size) (offset, size, CRC, ...): key and value
 * lengths must exactly fill it.  The CRC is not checked.  SM_OK,
 * SM_ERR__TRUNCATED (a length runs past the end) or SM_ERR__BAD_MSG. */
sm_err_t sm_legacy_parse(const uint8_t *p, size_t size, sm_legacy_msg_t *m);

/* Append one complete legacy entry with its CRC; returns its offset in out. */
size_t sm_legacy_write(sm_buf_t *out, int64_t offset, int8_t magic,
                       int8_t attributes, int64_t timestamp,
                       sm_bytes_t key, sm_bytes_t value);

/* The legacy half of sm_rec_iter_* (msgset.c). */
sm_err_t sm_rec_iter_legacy_init(sm_rec_iter_t *it, size_t max_decompressed);
int      sm_rec_iter_legacy_next(sm_rec_iter_t *it, sm_record_t *rec);

/* Reader errors other than truncation are malformed input. */
static inline sm_err_t
sm_rec_err(sm_err_t err)
{
    return err == SM_OK || err == SM_ERR__TRUNCATED ? err : SM_ERR__BAD_MSG;
}

#endif
