/*
 * records.h: Kafka's record formats - RecordBatch v2 (magic 2) and the
 * legacy MessageSet (magic 0 and 1) - as they appear on the wire and, for
 * v2, on disk in .log segment files.
 *
 * A "records blob" is a concatenation of ENTRIES.  Every entry starts with
 * the same 12-byte log overhead and keeps its magic byte at offset 16, so a
 * reader peeks at the magic before choosing a parser (Kafka Records.java).
 *
 * RecordBatch v2 (one entry = one batch):
 *   OFFSET SIZE DESCRIPTION
 *        0    8 BaseOffset
 *        8    4 Length: bytes after this field (batch size - 12)
 *       12    4 PartitionLeaderEpoch (set by the broker; not in the CRC)
 *       16    1 Magic = 2
 *       17    4 CRC-32C of bytes 21..end
 *       21    2 Attributes: bits 0-2 codec, 3 timestamp type (1 =
 *               LogAppendTime), 4 transactional, 5 control
 *       23    4 LastOffsetDelta
 *       27    8 BaseTimestamp (Kafka's "FirstTimestamp")
 *       35    8 MaxTimestamp
 *       43    8 ProducerId (-1 none)
 *       51    2 ProducerEpoch (-1 none)
 *       53    4 BaseSequence (-1 none)
 *       57    4 RecordsCount
 *       61    - Records (one compressed blob when codec != 0)
 *   Record := Length varint | Attributes int8 | TimestampDelta varlong |
 *             OffsetDelta varint | KeyLength varint (-1 null) | Key |
 *             ValueLength varint (-1 null) | Value | HeaderCount varint |
 *             { HeaderKeyLength varint | Key | HeaderValueLength varint
 *               (-1 null) | Value }*         (varints are zig-zag)
 *
 * Legacy message, magic 0 / 1 (one entry = one message):
 *   OFFSET SIZE DESCRIPTION
 *        0    8 Offset (magic-1 compressed wrapper: offset of the LAST inner
 *               message; inner offsets are then relative 0..n-1.  Magic 0:
 *               inner offsets are absolute.)
 *        8    4 MessageSize: bytes after this field
 *       12    4 CRC-32 (IEEE) of bytes 16..end
 *       16    1 Magic (0 or 1)
 *       17    1 Attributes: bits 0-2 codec, bit 3 timestamp type (magic 1)
 *       18    8 Timestamp (magic 1 only)
 *   18 / 26   4 KeyLength (-1 null), Key, then 4 ValueLength (-1 null), Value
 *   A compressed message has a null key and a value holding the compressed
 *   inner MessageSet (with its own offset/size headers).
 *
 * OWNERSHIP.  Iterators and parsed records borrow from the caller's blob (or,
 * for compressed entries, from the iterator's decompression buffer, valid
 * until the next call or fini).  Builders append to a caller-owned sm_buf_t.
 *
 * BOUNDS.  Every parser is bounded by its input: a declared length that runs
 * past the end is SM_ERR__TRUNCATED (or "partial" for the last entry, see
 * sm_batch_iter_t), a CRC mismatch SM_ERR__CRC, any other inconsistency
 * SM_ERR__BAD_MSG.  Decompression is bounded by the caller's max (a bomb
 * gives SM_ERR__TOO_LARGE).
 */
#ifndef SM_PROTOCOL_RECORDS_H
#define SM_PROTOCOL_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"
#include "protocol/compress.h"

#define SM_LOG_OVERHEAD          12   /* offset int64 + size int32 */
#define SM_MAGIC_OFFSET          16
#define SM_BATCH_V2_HDR_SIZE     61
#define SM_MSG_V0_HDR_SIZE       26   /* incl. log overhead, empty key+value */
#define SM_MSG_V1_HDR_SIZE       34

/* v2 header field offsets */
#define SM_BATCH_OFF_BASE_OFFSET   0
#define SM_BATCH_OFF_LENGTH        8
#define SM_BATCH_OFF_LEADER_EPOCH 12
#define SM_BATCH_OFF_MAGIC        16
#define SM_BATCH_OFF_CRC          17
#define SM_BATCH_OFF_ATTRIBUTES   21
#define SM_BATCH_OFF_LAST_DELTA   23
#define SM_BATCH_OFF_BASE_TS      27
#define SM_BATCH_OFF_MAX_TS       35
#define SM_BATCH_OFF_PRODUCER_ID  43
#define SM_BATCH_OFF_PRODUCER_EP  51
#define SM_BATCH_OFF_BASE_SEQ     53
#define SM_BATCH_OFF_COUNT        57

/* attribute bits */
#define SM_ATTR_CODEC_MASK        0x07
#define SM_ATTR_LOG_APPEND_TIME   0x08
#define SM_ATTR_TRANSACTIONAL     0x10
#define SM_ATTR_CONTROL           0x20

#define SM_NO_TIMESTAMP   (-1LL)
#define SM_NO_PRODUCER_ID (-1LL)

/*
 * One outer entry of a records blob: a v2 batch or a legacy message
 * (possibly a compressed wrapper).  Filled by sm_batch_next(); pointers
 * borrow from the blob.
 */
typedef struct sm_batch {
    const uint8_t *ptr;          /* first byte (BaseOffset / Offset) */
    size_t   size;               /* whole entry incl. 12-byte overhead */
    int8_t   magic;
    int16_t  attributes;         /* legacy: the int8 attributes */
    sm_codec_t codec;
    int64_t  base_offset;        /* v2: BaseOffset; legacy: see below */
    int64_t  last_offset;        /* v2: base + LastOffsetDelta; legacy:
                                    the entry's Offset field */
    int64_t  max_timestamp;      /* v2: MaxTimestamp; v1: Timestamp;
                                    v0: SM_NO_TIMESTAMP */
    int64_t  base_timestamp;     /* v2 only */
    int32_t  partition_leader_epoch;  /* v2 only, else -1 */
    int32_t  count;              /* v2: RecordsCount; legacy uncompressed:
                                    1; legacy compressed: -1 (unknown) */
    int64_t  producer_id;        /* v2 only */
    int16_t  producer_epoch;
    int32_t  base_sequence;
} sm_batch_t;

/*
 * For legacy entries, base_offset == last_offset == the Offset field; for a
 * compressed magic-1 wrapper that is the offset of its last inner message,
 * and the first is only known after decompression.
 */

typedef struct sm_batch_iter {
    const uint8_t *pos;
    const uint8_t *end;
    sm_err_t err;                /* first structural error, sticky */
    int      partial;            /* 1: stopped at an incomplete last entry */
    size_t   max_entry_size;     /* 0 = unbounded; else bigger -> _TOO_LARGE */
} sm_batch_iter_t;

void sm_batch_iter_init(sm_batch_iter_t *it, const void *p, size_t len);

/*
 * Next entry: returns 1 and fills *b, or 0 at the end.  An incomplete
 * trailing entry ends iteration with it->partial = 1 and it->err = SM_OK:
 * fetch responses may cut the last batch, and the log's recovery treats it
 * as a torn tail; a Produce request must treat partial as corrupt.  A
 * structurally impossible entry (size below its header, unknown magic,
 * oversized) ends iteration with it->err set.  Checksums are NOT verified
 * here; call sm_batch_validate().
 */
int sm_batch_next(sm_batch_iter_t *it, sm_batch_t *b);

/* Verify the entry's CRC (CRC-32C for v2, CRC-32 for legacy) and that its
 * header fields are self-consistent (v2: LastOffsetDelta >= 0, RecordsCount
 * >= 0 and not above LastOffsetDelta + 1, codec known).  Records themselves
 * are checked while iterating them (sm_rec_iter_*).
 * SM_OK, SM_ERR__CRC or SM_ERR__BAD_MSG. */
sm_err_t sm_batch_validate(const sm_batch_t *b);

/* ------------------------------------------------------------ records */

typedef struct sm_record_header {
    sm_str_t   key;
    sm_bytes_t value;
} sm_record_header_t;

/* One record of any magic, with absolute offset and effective timestamp
 * (LogAppendTime batches report the batch's MaxTimestamp). */
typedef struct sm_record {
    int64_t    offset;
    int64_t    timestamp;        /* SM_NO_TIMESTAMP for magic 0 */
    int8_t     magic;            /* of the entry it came from */
    int8_t     attributes;       /* record attributes (v2) or legacy attrs */
    sm_bytes_t key;
    sm_bytes_t value;
    int32_t    header_count;
    sm_slice_t headers;          /* raw v2 header region; see sm_record_headers */
} sm_record_t;

/* Decode the headers of a v2 record into hdrs[0..max); returns the count
 * decoded or -1 on malformed input. */
int sm_record_headers(const sm_record_t *rec, sm_record_header_t *hdrs,
                      int max);

/*
 * Iterate the records of one entry, decompressing if needed (bounded by
 * max_decompressed).  For a legacy compressed wrapper the inner messages are
 * yielded with absolute offsets.  Control batches yield their control
 * records like any other (callers check the batch attributes).
 * max_decompressed bounds the decompressed payload of a compressed entry
 * (literal, as sm_decompress's max_out).  init reports the first error
 * (also left in it->err); next() returns 0 at the end or on an error, with
 * it->err saying which.  Call sm_rec_iter_fini() whatever init returned.
 */
typedef struct sm_rec_iter {
    const sm_batch_t *batch;
    const uint8_t *pos, *end;    /* remaining record bytes */
    sm_buf_t decomp;             /* owned: decompressed payload */
    int32_t  remaining;          /* v2: records left per RecordsCount */
    int64_t  legacy_offset_adj;  /* magic-1 wrapper: relative -> absolute */
    sm_err_t err;
    int      legacy_inner;       /* iterating a legacy wrapper's inner set */
} sm_rec_iter_t;

sm_err_t sm_rec_iter_init(sm_rec_iter_t *it, const sm_batch_t *b,
                          size_t max_decompressed);
int      sm_rec_iter_next(sm_rec_iter_t *it, sm_record_t *rec);
void     sm_rec_iter_fini(sm_rec_iter_t *it);

/*
 * The per-record checks a scan stops at (Produce validation): a record
 * with a null key when null_key is set, and, when check_ts is set, one
 * whose timestamp is not SM_NO_TIMESTAMP and lies outside [ts_lo, ts_hi].
 */
typedef struct sm_rec_scan {
    int      null_key;
    int      check_ts;
    int64_t  ts_lo, ts_hi;
} sm_rec_scan_t;

/*
 * Walk the remaining records of it with sm_rec_iter_next's rules (same
 * framing checks, same errors in it->err) but without handing each one
 * out: the validator's hot path.  Returns 1 with *rec set and it just past
 * that record when a record fails a check of sc; 0 at the end or on an
 * error (it->err).  *n is incremented once per record passed, including a
 * returned one.
 */
int      sm_rec_iter_scan(sm_rec_iter_t *it, const sm_rec_scan_t *sc,
                          sm_record_t *rec, int32_t *n);

/* ------------------------------------------------------------ builder */

/*
 * Build one entry: a v2 batch, or for magic 0/1 either plain messages (codec
 * none) or one compressed wrapper.  Records are added in offset order; for
 * v2 with explicit offsets (compaction keeps gaps) use
 * sm_batch_builder_add_at().  The finished entry is appended to *out.
 */
typedef struct sm_batch_builder {
    sm_buf_t  *out;
    size_t     out_start;        /* where this entry starts in *out */
    int8_t     magic;
    sm_codec_t codec;
    int        codec_flags;      /* SM_COMPRESS_* for the wrapper */
    int64_t    base_offset;
    int64_t    base_timestamp;
    int64_t    max_timestamp;
    int64_t    last_offset;
    int32_t    count;
    int16_t    attributes;       /* extra v2 attributes (txn, control, LAT) */
    int64_t    producer_id;
    int16_t    producer_epoch;
    int32_t    base_sequence;
    int32_t    partition_leader_epoch;
    int64_t    log_append_time;  /* with SM_ATTR_LOG_APPEND_TIME */
    sm_buf_t   recs;             /* owned: uncompressed record region */
} sm_batch_builder_t;

void sm_batch_builder_init(sm_batch_builder_t *bb, sm_buf_t *out,
                           int8_t magic, sm_codec_t codec,
                           int64_t base_offset);
void sm_batch_builder_set_producer(sm_batch_builder_t *bb, int64_t pid,
                                   int16_t epoch, int32_t base_seq,
                                   int transactional);
/* LogAppendTime: v2 writes the attribute bit and MaxTimestamp = now_ms
 * (records keep their own timestamps); magic 1 sets the timestamp-type bit
 * and now_ms as the timestamp of every message and of the wrapper; magic 0
 * has no timestamps and ignores it.  Call before the first add. */
void sm_batch_builder_set_log_append_time(sm_batch_builder_t *bb,
                                          int64_t now_ms);
/* Append a record at the next offset (last offset + 1, i.e. base + count
 * when there are no gaps).  Magic 0/1 cannot carry headers: nhdrs must be
 * 0 there (callers drop them, as Kafka's down-conversion does). */
void sm_batch_builder_add(sm_batch_builder_t *bb, int64_t timestamp,
                          sm_bytes_t key, sm_bytes_t value,
                          const sm_record_header_t *hdrs, int nhdrs);
/* Append a record at an explicit offset (>= previous + 1). */
void sm_batch_builder_add_at(sm_batch_builder_t *bb, int64_t offset,
                             int64_t timestamp, sm_bytes_t key,
                             sm_bytes_t value,
                             const sm_record_header_t *hdrs, int nhdrs);
/* Write the entry to out (header, compression, CRC).  Frees internal state
 * whether or not it succeeds.  An empty builder writes nothing. */
sm_err_t sm_batch_builder_finish(sm_batch_builder_t *bb);
/* Discard without writing. */
void sm_batch_builder_abort(sm_batch_builder_t *bb);

/* ------------------------------------------------- in-place v2 updates */

/* Rewrite BaseOffset (not covered by the CRC). */
void sm_batch_v2_set_base_offset(uint8_t *batch, int64_t base_offset);
/* Rewrite PartitionLeaderEpoch (not covered by the CRC). */
void sm_batch_v2_set_leader_epoch(uint8_t *batch, int32_t epoch);
/* Switch to LogAppendTime: set the attribute bit and MaxTimestamp, then
 * recompute the CRC (size = whole batch). */
void sm_batch_v2_set_log_append_time(uint8_t *batch, size_t size,
                                     int64_t now_ms);
/* Recompute and store the CRC of a v2 batch. */
void sm_batch_v2_update_crc(uint8_t *batch, size_t size);

/* ---------------------------------------------------------- conversion */

/*
 * Up-convert a legacy MessageSet (magic 0/1 entries, compressed or not) to
 * RecordBatch v2, appended to out.  Offsets in the output are relative
 * (base 0, the caller assigns real ones); a compressed input keeps its
 * codec; magic-0 records keep SM_NO_TIMESTAMP (-1), as Kafka's validator
 * does.  Produce requests v0-2 take this path.
 */
sm_err_t sm_records_upconvert(sm_slice_t in, sm_buf_t *out,
                              size_t max_decompressed);

/*
 * Down-convert a blob of v2 batches to magic to_magic (0 or 1) for Fetch
 * v0-3 clients: offsets preserved, control batches and aborted/transactional
 * markers dropped, compressed batches re-compressed with the same codec
 * (zstd -> SM_ERR_UNSUPPORTED_COMPRESSION_TYPE).  Entries already at or below
 * to_magic are copied as they are.  A partial trailing batch is dropped.
 */
sm_err_t sm_records_downconvert(sm_slice_t in, int8_t to_magic,
                                sm_buf_t *out, size_t max_decompressed);
/* The same, dropping records below first_offset (the Fetch offset) from
 * uncompressed batches converted to magic 0/1, which are one message per
 * record (Kafka's RecordsUtil.downConvert firstOffset; older librdkafka
 * relies on it).  sm_records_downconvert() is this with INT64_MIN. */
sm_err_t sm_records_downconvert_from(sm_slice_t in, int8_t to_magic,
                                     int64_t first_offset, sm_buf_t *out,
                                     size_t max_decompressed);

#endif
