/*
 * fetch.h: Fetch (ApiKey 1), versions 0-11, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (FetchRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ReplicaId              int32     0+
 *   MaxWaitMs              int32     0+
 *   MinBytes               int32     0+
 *   MaxBytes               int32     3+        0x7fffffff
 *   IsolationLevel         int8      4+        0
 *   SessionId              int32     7+        0
 *   SessionEpoch           int32     7+        -1
 *   Topics                 []        0+
 *     Topic                string    0+
 *     Partitions           []        0+
 *       Partition          int32     0+
 *       CurrentLeaderEpoch int32     9+        -1
 *       FetchOffset        int64     0+
 *       LogStartOffset     int64     5+        -1
 *       PartitionMaxBytes  int32     0+
 *   ForgottenTopicsData    []        7+        empty
 *     Topic                string    7+
 *     Partitions           []int32   7+
 *   RackId                 string    11+       ""
 *
 * Response (FetchResponse.json; names as in Kafka's current spec):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   ErrorCode              int16     7+        0
 *   SessionId              int32     7+        0
 *   Responses              []        0+
 *     Topic                string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       ErrorCode          int16     0+
 *       HighWatermark      int64     0+
 *       LastStableOffset   int64     4+        -1
 *       LogStartOffset     int64     5+        -1
 *       AbortedTransactions []       4+, null 4+  null
 *         ProducerId       int64     4+
 *         FirstOffset      int64     4+
 *       PreferredReadReplica int32   11+       -1
 *       Records            records   0+  (nullable bytes, int32 length)
 *
 * RECORD BYTES IN FILES.  The broker sends a partition's record bytes
 * straight from the segment file with sendfile(2), so the writer accepts
 * either in-memory Records or an opaque reference (records_ref, with its
 * length records_ref_len) and calls the caller's emit callback exactly where
 * those bytes belong (see sm_FetchRecordsEmit_fn).  The client-side reader
 * simply borrows Records from the frame (records_ref stays NULL).
 *
 * Example, v0 request, replica -1, wait 100, min 1, topic "t" partition 0
 * offset 5, max 1 MiB:  ff ff ff ff | 00 00 00 64 | 00 00 00 01 |
 *   00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 |
 *   00 00 00 00 00 00 00 05 | 00 10 00 00.
 */
#ifndef SM_PROTOCOL_FETCH_H
#define SM_PROTOCOL_FETCH_H

#include "protocol/msg.h"

#define SM_FETCH_MAX_VERSION 11

/* Kafka: FetchPartition */
typedef struct sm_FetchRequestPartition {
    int32_t Partition;
    int32_t CurrentLeaderEpoch;           /* v9+ */
    int64_t FetchOffset;
    int64_t LogStartOffset;               /* v5+ */
    int32_t PartitionMaxBytes;
} sm_FetchRequestPartition_t;

/* Kafka: FetchTopic */
typedef struct sm_FetchRequestTopic {
    sm_str_t Topic;
    int32_t  PartitionsCnt;
    sm_FetchRequestPartition_t *Partitions;
} sm_FetchRequestTopic_t;

/* Kafka: ForgottenTopic */
typedef struct sm_FetchRequestForgottenTopic {
    sm_str_t Topic;
    int32_t  PartitionsCnt;
    int32_t *Partitions;
} sm_FetchRequestForgottenTopic_t;

typedef struct sm_FetchRequest {
    int16_t  ApiVersion;
    int32_t  ReplicaId;
    int32_t  MaxWaitMs;
    int32_t  MinBytes;
    int32_t  MaxBytes;                    /* v3+ */
    int8_t   IsolationLevel;              /* v4+ */
    int32_t  SessionId;                   /* v7+ */
    int32_t  SessionEpoch;                /* v7+ */
    int32_t  TopicsCnt;
    sm_FetchRequestTopic_t *Topics;
    int32_t  ForgottenTopicsDataCnt;      /* v7+ */
    sm_FetchRequestForgottenTopic_t *ForgottenTopicsData;
    sm_str_t RackId;                      /* v11+ */
} sm_FetchRequest_t;

/* Kafka: AbortedTransaction */
typedef struct sm_FetchResponseAbortedTxn {
    int64_t ProducerId;
    int64_t FirstOffset;
} sm_FetchResponseAbortedTxn_t;

/* Kafka: PartitionData */
typedef struct sm_FetchResponsePartition {
    int32_t    PartitionIndex;
    int16_t    ErrorCode;
    int64_t    HighWatermark;
    int64_t    LastStableOffset;          /* v4+ */
    int64_t    LogStartOffset;            /* v5+ */
    int32_t    AbortedTransactionsCnt;    /* v4+; -1 = null */
    sm_FetchResponseAbortedTxn_t *AbortedTransactions;
    int32_t    PreferredReadReplica;      /* v11+ */
    sm_bytes_t Records;                   /* in memory, borrowed; -1 null */
    /* Broker side only: when records_ref != NULL the record bytes are not
     * in memory; the writer emits records_ref_len as their length and
     * hands records_ref to the emit callback.  Records is then ignored. */
    void      *records_ref;
    int32_t    records_ref_len;
} sm_FetchResponsePartition_t;

/* Kafka: FetchableTopicResponse */
typedef struct sm_FetchResponseTopic {
    sm_str_t Topic;
    int32_t  PartitionsCnt;
    sm_FetchResponsePartition_t *Partitions;
} sm_FetchResponseTopic_t;

typedef struct sm_FetchResponse {
    int16_t  ApiVersion;
    int32_t  ThrottleTimeMs;              /* v1+ */
    int16_t  ErrorCode;                   /* v7+ */
    int32_t  SessionId;                   /* v7+ */
    int32_t  ResponsesCnt;
    sm_FetchResponseTopic_t *Responses;
} sm_FetchResponse_t;

/*
 * The emit callback of sm_FetchResponse_write_emit().
 *
 * CONTRACT.  For every partition whose records_ref is non-NULL, in wire
 * order, the writer first appends the int32 length records_ref_len to buf,
 * then calls emit(buf, part, opaque) once.  At that moment buf holds every
 * byte of the body that precedes the record bytes (since the previous emit,
 * if the callback took them).  The callback must make exactly
 * records_ref_len bytes follow in the response stream, either
 *   - by cutting: take buf's contents as a memory segment (e.g.
 *     sm_response_add_buf(), which leaves buf empty but usable), then add
 *     a file segment of records_ref_len bytes; or
 *   - by copying the bytes into buf.
 * After it returns the writer keeps appending to buf, so the caller must
 * take buf's remaining contents as the last segment.  The writer keeps no
 * offset into buf across an emit (all counts are written up front), which
 * is what makes cutting safe.  emit must not fail: whatever could fail
 * (opening the segment, taking its reference) happens before the write.
 */
typedef void (*sm_FetchRecordsEmit_fn)(sm_buf_t *buf,
                                       const sm_FetchResponsePartition_t *part,
                                       void *opaque);

sm_err_t sm_FetchRequest_read(sm_rd_t *rd, int16_t version,
                              sm_FetchRequest_t *req);
void     sm_FetchRequest_free(sm_FetchRequest_t *req);
void     sm_FetchRequest_write(sm_buf_t *buf, int16_t version,
                               const sm_FetchRequest_t *req);

sm_err_t sm_FetchResponse_read(sm_rd_t *rd, int16_t version,
                               sm_FetchResponse_t *resp);
void     sm_FetchResponse_free(sm_FetchResponse_t *resp);
/* In-memory Records only (a records_ref here is a caller bug). */
void     sm_FetchResponse_write(sm_buf_t *buf, int16_t version,
                                const sm_FetchResponse_t *resp);
/* Records in memory or by reference; emit may be NULL only if no partition
 * has a records_ref. */
void     sm_FetchResponse_write_emit(sm_buf_t *buf, int16_t version,
                                     const sm_FetchResponse_t *resp,
                                     sm_FetchRecordsEmit_fn emit,
                                     void *opaque);

#endif
