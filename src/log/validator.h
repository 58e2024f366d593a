/*
 * validator.h: validation and normalisation of Produce records before they
 * reach a log (Kafka's LogValidator + ProduceRequest.validateRecords).
 *
 * Input: the Records bytes of one partition of a Produce request, in the
 * request's own (mutable) frame buffer.  Output: RecordBatch v2 bytes ready
 * for sm_log_append() - the input itself when nothing had to change (the
 * common case: no copy), otherwise a rebuilt copy in the caller's buffer.
 *
 * What is checked (errors are the codes a Kafka 2.3 broker returns):
 *   - framing: no partial trailing entry, every entry's CRC  (CORRUPT_MESSAGE)
 *   - Produce v3+: exactly one entry, of magic 2              (CORRUPT_MESSAGE)
 *   - each entry at most max.message.bytes                   (MESSAGE_TOO_LARGE)
 *   - every record parses (decompressing, bounded)           (CORRUPT_MESSAGE)
 *   - no control batches from producers                      (CORRUPT_MESSAGE)
 *   - keys present on compacted topics                       (CORRUPT_MESSAGE)
 *   - CreateTime within message.timestamp.difference.max.ms  (INVALID_TIMESTAMP)
 * What is changed:
 *   - magic 0/1 input is up-converted to v2 (Produce v0-2);
 *   - a topic compression.type other than "producer" re-compresses batches
 *     whose codec differs.
 * Offsets are assigned later by the log; LogAppendTime too.
 *
 * Thread-safe (no shared state).
 */
#ifndef SM_LOG_VALIDATOR_H
#define SM_LOG_VALIDATOR_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"

typedef struct sm_validate_cfg {
    int16_t  produce_version;
    int32_t  max_message_bytes;    /* max.message.bytes */
    int      compacted;            /* cleanup.policy includes compact */
    int      target_codec;         /* -1: keep the producer's codec */
    int64_t  max_timestamp_diff;   /* INT64_MAX: unchecked */
    int      log_append_time;      /* timestamps are replaced: skip check */
    int64_t  now_ms;
    size_t   max_decompressed;     /* bound per compressed entry */
} sm_validate_cfg_t;

typedef struct sm_validate_result {
    uint8_t *data;                 /* the bytes to append */
    size_t   len;
    int32_t  records;              /* records in them */
    int32_t  batches;
    int      rebuilt;              /* data points into conv, not the input */
    const char *reason;            /* why it failed (static), or NULL */
} sm_validate_result_t;

/*
 * Validate in[0..len).  conv is a caller-owned scratch buffer that receives
 * rebuilt batches; res->data points either into in or into conv->data, so
 * keep both alive until the append is done.
 */
sm_err_t sm_validate_produce(const sm_validate_cfg_t *cfg, uint8_t *in,
                             size_t len, sm_buf_t *conv,
                             sm_validate_result_t *res);

#endif
