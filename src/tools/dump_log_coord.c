/*
 * dump_log_coord.c: --offsets-decoder and --transaction-log-decoder, the
 * record formatters for the __consumer_offsets and __transaction_state
 * topics (Kafka 2.7's GroupMetadataManager.formatRecordKeyAndValue and
 * TransactionLog.formatRecordKeyAndValue).
 *
 * __consumer_offsets RECORDS (big-endian, strings = int16 length + UTF-8):
 *   key:   int16 version; 0 or 1: group, topic, int32 partition (an offset
 *          commit); 2: group (group metadata)
 *   value of an offset commit, by its int16 version:
 *          0: int64 offset, metadata, int64 timestamp
 *          1: int64 offset, metadata, int64 commit_ts, int64 expire_ts
 *          2: int64 offset, metadata, int64 commit_ts
 *          3: int64 offset, int32 leader_epoch, metadata, int64 commit_ts
 *   a null value is a tombstone
 * Printed as " key: offset_commit::group=G,partition=T-P payload:
 * offset=O[,metadata=M]" (metadata only when not empty) or "payload:
 * <DELETE>".
 *
 * NOT YET: the group metadata value (member list, assignments, JSON) and
 * the __transaction_state formatter.  A group metadata record prints its
 * key as Kafka does and, unless it is a tombstone, the payload
 * "<group metadata not decoded by samsa>"; --transaction-log-decoder stops
 * the run with UnsupportedOperationException.  Both are listed in the man
 * page.
 */
#include <inttypes.h>
#include <stdio.h>

#include "common/sm_endian.h"
#include "tools/dump_log.h"

#define EX_KAFKA  "org.apache.kafka.common.KafkaException"
#define EX_SCHEMA "org.apache.kafka.common.protocol.types.SchemaException"

/* A bounded reader over one field; the first failure names the field. */
typedef struct dl_rd {
    const uint8_t *p;
    int32_t        left;
    const char    *bad;               /* field that failed, or NULL */
} dl_rd_t;

static const uint8_t *
dl_rd_take(dl_rd_t *rd, int32_t n, const char *field)
{
    const uint8_t *p = rd->p;

    if (rd->bad != NULL)
        return NULL;
    if (n < 0 || n > rd->left) {
        rd->bad = field;
        return NULL;
    }
    rd->p += n;
    rd->left -= n;
    return p;
}

static int64_t
dl_rd_i64(dl_rd_t *rd, const char *field)
{
    const uint8_t *p = dl_rd_take(rd, 8, field);
    return p ? (int64_t)sm_load_be64(p) : 0;
}

static int32_t
dl_rd_i32(dl_rd_t *rd, const char *field)
{
    const uint8_t *p = dl_rd_take(rd, 4, field);
    return p ? (int32_t)sm_load_be32(p) : 0;
}

static int16_t
dl_rd_i16(dl_rd_t *rd, const char *field)
{
    const uint8_t *p = dl_rd_take(rd, 2, field);
    return p ? (int16_t)sm_load_be16(p) : 0;
}

static sm_bytes_t
dl_rd_str(dl_rd_t *rd, const char *field)
{
    sm_bytes_t s = SM_BYTES_NULL;
    int16_t len = dl_rd_i16(rd, field);

    if (rd->bad == NULL && len < 0)
        rd->bad = field;
    s.ptr = dl_rd_take(rd, len, field);
    s.len = s.ptr ? len : -1;
    return s;
}

static int
dl_rd_fail(const dl_rd_t *rd)
{
    return dl_throw(EX_SCHEMA, "Error reading field '%s'", rd->bad);
}

static void
dl_put_bytes(sm_bytes_t b)
{
    if (b.len > 0)
        dl_put_utf8(stdout, b.ptr, (size_t)b.len);
}

/* The payload of an offset commit: "offset=O[,metadata=M]". */
static int
dl_offset_value(sm_bytes_t value, int64_t *offset, sm_bytes_t *meta)
{
    dl_rd_t rd = { value.ptr, value.len, NULL };
    int16_t version = dl_rd_i16(&rd, "version");

    if (rd.bad == NULL && (version < 0 || version > 3))
        return dl_throw(EX_KAFKA, "Unknown offset schema version %d",
                        version);
    *offset = dl_rd_i64(&rd, "offset");
    if (version == 3)
        (void)dl_rd_i32(&rd, "leader_epoch");
    *meta = dl_rd_str(&rd, "metadata");
    (void)dl_rd_i64(&rd, version == 0 ? "timestamp" : "commit_timestamp");
    if (version == 1)
        (void)dl_rd_i64(&rd, "expire_timestamp");
    return rd.bad ? dl_rd_fail(&rd) : 0;
}

int
dl_print_offsets_record(sm_bytes_t key, sm_bytes_t value)
{
    dl_rd_t rd = { key.ptr, key.len, NULL };
    sm_bytes_t group, topic, meta = SM_BYTES_NULL;
    int16_t version;
    int32_t partition = 0;
    int64_t offset = 0;

    if (key.len < 0)
        return dl_throw(EX_KAFKA, "Failed to decode message using offset "
                        "topic decoder (message had a missing key)");
    version = dl_rd_i16(&rd, "version");
    if (rd.bad == NULL && (version < 0 || version > 2))
        return dl_throw(EX_KAFKA, "Unknown message key schema version %d",
                        version);
    group = dl_rd_str(&rd, "group");
    if (version <= 1) {
        topic = dl_rd_str(&rd, "topic");
        partition = dl_rd_i32(&rd, "partition");
    }
    if (rd.bad != NULL)
        return dl_rd_fail(&rd);
    if (version == 2) {
        fputs(" key: group_metadata::group=", stdout);
        dl_put_bytes(group);
        fputs(value.len < 0 ? " payload: <DELETE>"
              : " payload: <group metadata not decoded by samsa>", stdout);
        return 0;
    }
    if (value.len >= 0 && dl_offset_value(value, &offset, &meta) != 0)
        return -1;
    fputs(" key: offset_commit::group=", stdout);
    dl_put_bytes(group);
    fputs(",partition=", stdout);
    dl_put_bytes(topic);
    printf("-%d payload: ", partition);
    if (value.len < 0) {
        fputs("<DELETE>", stdout);
        return 0;
    }
    printf("offset=%" PRId64, offset);
    if (meta.len > 0) {
        fputs(",metadata=", stdout);
        dl_put_bytes(meta);
    }
    return 0;
}

int
dl_print_txn_record(sm_bytes_t key, sm_bytes_t value)
{
    (void)key;
    (void)value;
    return dl_throw("java.lang.UnsupportedOperationException",
                    "--transaction-log-decoder is not supported by samsa yet");
}
