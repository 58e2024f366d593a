/*
 * fetch.c: Fetch (key 1) v0-11 - request and response codecs for both
 * sides, with the emit hook that lets the broker send record bytes from a
 * file.  Layouts and the emit contract in fetch.h, conventions in msg.h.
 *
 * INVARIANT of the response writer: every array count is written from the
 * struct before its elements (sm_msg_wr_count, never array_begin/end) and no
 * earlier offset of buf is patched afterwards.  An emit callback may take
 * buf's bytes away mid-response; patching would then write into a buffer
 * that no longer holds the field.  None of v0-11 is flexible.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/fetch.h"

#define SM_FETCH_TOPIC_MIN      (2 + 4)         /* Topic [] */
#define SM_FETCH_PART_MIN       (4 + 8 + 4)     /* v0 partition */
#define SM_FETCH_FORGOTTEN_MIN  (2 + 4)
#define SM_FETCH_RESP_PART_MIN  (4 + 2 + 8 + 4) /* v0 partition */
#define SM_FETCH_ABORTED_MIN    (8 + 8)

/* ------------------------------------------------------------- request */

static void
sm_fetch_topic_read(sm_rd_t *rd, int16_t version, sm_FetchRequestTopic_t *t)
{
    int32_t n;

    t->Topic = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_FETCH_PART_MIN, 0);
    t->Partitions = sm_msg_calloc(n, sizeof(*t->Partitions));
    t->PartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_FetchRequestPartition_t *p = &t->Partitions[i];

        p->Partition = sm_rd_i32(rd);
        p->CurrentLeaderEpoch = version >= 9 ? sm_rd_i32(rd) : -1;
        p->FetchOffset = sm_rd_i64(rd);
        p->LogStartOffset = version >= 5 ? sm_rd_i64(rd) : -1;
        p->PartitionMaxBytes = sm_rd_i32(rd);
    }
}

static void
sm_fetch_forgotten_read(sm_rd_t *rd, sm_FetchRequest_t *req)
{
    int32_t n = sm_msg_rd_count(rd, 0, SM_FETCH_FORGOTTEN_MIN, 0);

    req->ForgottenTopicsData = sm_msg_calloc(n,
                                             sizeof(*req->ForgottenTopicsData));
    req->ForgottenTopicsDataCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_FetchRequestForgottenTopic_t *f = &req->ForgottenTopicsData[i];

        f->Topic = sm_rd_str(rd, 0);
        f->Partitions = sm_msg_rd_i32s(rd, 0, 0, &f->PartitionsCnt);
    }
}

sm_err_t
sm_FetchRequest_read(sm_rd_t *rd, int16_t version, sm_FetchRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->MaxBytes = INT32_MAX;
    req->SessionEpoch = -1;
    req->RackId = SM_STR_EMPTY;
    if (!sm_msg_rd_version(rd, version, SM_FETCH_MAX_VERSION))
        return rd->err;
    req->ReplicaId = sm_rd_i32(rd);
    req->MaxWaitMs = sm_rd_i32(rd);
    req->MinBytes = sm_rd_i32(rd);
    if (version >= 3)
        req->MaxBytes = sm_rd_i32(rd);
    if (version >= 4)
        req->IsolationLevel = sm_rd_i8(rd);
    if (version >= 7) {
        req->SessionId = sm_rd_i32(rd);
        req->SessionEpoch = sm_rd_i32(rd);
    }
    n = sm_msg_rd_count(rd, 0, SM_FETCH_TOPIC_MIN, 0);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_fetch_topic_read(rd, version, &req->Topics[i]);
    if (version >= 7)
        sm_fetch_forgotten_read(rd, req);
    if (version >= 11)
        req->RackId = sm_rd_str(rd, 0);
    if (rd->err != SM_OK)
        sm_FetchRequest_free(req);
    return rd->err;
}

void
sm_FetchRequest_free(sm_FetchRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_free(req->Topics[i].Partitions);
    for (int32_t i = 0; i < req->ForgottenTopicsDataCnt; i++)
        sm_free(req->ForgottenTopicsData[i].Partitions);
    sm_free(req->Topics);
    sm_free(req->ForgottenTopicsData);
    req->Topics = NULL;
    req->TopicsCnt = 0;
    req->ForgottenTopicsData = NULL;
    req->ForgottenTopicsDataCnt = 0;
}

static void
sm_fetch_topic_write(sm_buf_t *buf, int16_t version,
                     const sm_FetchRequestTopic_t *t)
{
    sm_msg_wr_str(buf, t->Topic, 0);
    sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
    for (int32_t i = 0; i < t->PartitionsCnt; i++) {
        const sm_FetchRequestPartition_t *p = &t->Partitions[i];

        sm_wr_i32(buf, p->Partition);
        if (version >= 9)
            sm_wr_i32(buf, p->CurrentLeaderEpoch);
        sm_wr_i64(buf, p->FetchOffset);
        if (version >= 5)
            sm_wr_i64(buf, p->LogStartOffset);
        sm_wr_i32(buf, p->PartitionMaxBytes);
    }
}

void
sm_FetchRequest_write(sm_buf_t *buf, int16_t version,
                      const sm_FetchRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_FETCH_MAX_VERSION);
    sm_wr_i32(buf, req->ReplicaId);
    sm_wr_i32(buf, req->MaxWaitMs);
    sm_wr_i32(buf, req->MinBytes);
    if (version >= 3)
        sm_wr_i32(buf, req->MaxBytes);
    if (version >= 4)
        sm_wr_i8(buf, req->IsolationLevel);
    if (version >= 7) {
        sm_wr_i32(buf, req->SessionId);
        sm_wr_i32(buf, req->SessionEpoch);
    }
    sm_msg_wr_count(buf, req->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_fetch_topic_write(buf, version, &req->Topics[i]);
    if (version >= 7) {
        sm_msg_wr_count(buf, req->ForgottenTopicsDataCnt, 0, 0);
        for (int32_t i = 0; i < req->ForgottenTopicsDataCnt; i++) {
            const sm_FetchRequestForgottenTopic_t *f =
                &req->ForgottenTopicsData[i];

            sm_msg_wr_str(buf, f->Topic, 0);
            sm_msg_wr_i32s(buf, f->Partitions, f->PartitionsCnt, 0, 0);
        }
    }
    if (version >= 11)
        sm_msg_wr_str(buf, req->RackId, 0);
}

/* ------------------------------------------------------------ response */

static void
sm_fetch_part_read(sm_rd_t *rd, int16_t version,
                   sm_FetchResponsePartition_t *p)
{
    p->PartitionIndex = sm_rd_i32(rd);
    p->ErrorCode = sm_rd_i16(rd);
    p->HighWatermark = sm_rd_i64(rd);
    p->LastStableOffset = version >= 4 ? sm_rd_i64(rd) : -1;
    p->LogStartOffset = version >= 5 ? sm_rd_i64(rd) : -1;
    if (version >= 4) {
        int32_t n = sm_msg_rd_count(rd, 0, SM_FETCH_ABORTED_MIN, 1);

        p->AbortedTransactions = sm_msg_calloc(n,
                                               sizeof(*p->AbortedTransactions));
        p->AbortedTransactionsCnt = n;
        for (int32_t i = 0; i < n; i++) {
            p->AbortedTransactions[i].ProducerId = sm_rd_i64(rd);
            p->AbortedTransactions[i].FirstOffset = sm_rd_i64(rd);
        }
    }
    p->PreferredReadReplica = version >= 11 ? sm_rd_i32(rd) : -1;
    p->Records = sm_rd_nbytes(rd, 0);
}

sm_err_t
sm_FetchResponse_read(sm_rd_t *rd, int16_t version, sm_FetchResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_FETCH_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    if (version >= 7) {
        resp->ErrorCode = sm_rd_i16(rd);
        resp->SessionId = sm_rd_i32(rd);
    }
    n = sm_msg_rd_count(rd, 0, SM_FETCH_TOPIC_MIN, 0);
    resp->Responses = sm_msg_calloc(n, sizeof(*resp->Responses));
    resp->ResponsesCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_FetchResponseTopic_t *t = &resp->Responses[i];
        int32_t m;

        t->Topic = sm_rd_str(rd, 0);
        m = sm_msg_rd_count(rd, 0, SM_FETCH_RESP_PART_MIN, 0);
        t->Partitions = sm_msg_calloc(m, sizeof(*t->Partitions));
        t->PartitionsCnt = m;
        for (int32_t j = 0; j < m && sm_rd_ok(rd); j++)
            sm_fetch_part_read(rd, version, &t->Partitions[j]);
    }
    if (rd->err != SM_OK)
        sm_FetchResponse_free(resp);
    return rd->err;
}

void
sm_FetchResponse_free(sm_FetchResponse_t *resp)
{
    for (int32_t i = 0; i < resp->ResponsesCnt; i++) {
        sm_FetchResponseTopic_t *t = &resp->Responses[i];

        for (int32_t j = 0; j < t->PartitionsCnt; j++)
            sm_free(t->Partitions[j].AbortedTransactions);
        sm_free(t->Partitions);
    }
    sm_free(resp->Responses);
    resp->Responses = NULL;
    resp->ResponsesCnt = 0;
}

static void
sm_fetch_part_write(sm_buf_t *buf, int16_t version,
                    const sm_FetchResponsePartition_t *p,
                    sm_FetchRecordsEmit_fn emit, void *opaque)
{
    sm_wr_i32(buf, p->PartitionIndex);
    sm_wr_i16(buf, p->ErrorCode);
    sm_wr_i64(buf, p->HighWatermark);
    if (version >= 4)
        sm_wr_i64(buf, p->LastStableOffset);
    if (version >= 5)
        sm_wr_i64(buf, p->LogStartOffset);
    if (version >= 4) {
        sm_msg_wr_count(buf, p->AbortedTransactionsCnt, 0, 1);
        for (int32_t i = 0; i < p->AbortedTransactionsCnt; i++) {
            sm_wr_i64(buf, p->AbortedTransactions[i].ProducerId);
            sm_wr_i64(buf, p->AbortedTransactions[i].FirstOffset);
        }
    }
    if (version >= 11)
        sm_wr_i32(buf, p->PreferredReadReplica);
    if (p->records_ref == NULL) {
        sm_wr_bytes(buf, p->Records, 0);
        return;
    }
    sm_assert(emit != NULL && p->records_ref_len >= 0);
    sm_wr_i32(buf, p->records_ref_len);
    emit(buf, p, opaque);
}

void
sm_FetchResponse_write_emit(sm_buf_t *buf, int16_t version,
                            const sm_FetchResponse_t *resp,
                            sm_FetchRecordsEmit_fn emit, void *opaque)
{
    sm_assert(version >= 0 && version <= SM_FETCH_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    if (version >= 7) {
        sm_wr_i16(buf, resp->ErrorCode);
        sm_wr_i32(buf, resp->SessionId);
    }
    sm_msg_wr_count(buf, resp->ResponsesCnt, 0, 0);
    for (int32_t i = 0; i < resp->ResponsesCnt; i++) {
        const sm_FetchResponseTopic_t *t = &resp->Responses[i];

        sm_msg_wr_str(buf, t->Topic, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++)
            sm_fetch_part_write(buf, version, &t->Partitions[j], emit, opaque);
    }
}

void
sm_FetchResponse_write(sm_buf_t *buf, int16_t version,
                       const sm_FetchResponse_t *resp)
{
    sm_FetchResponse_write_emit(buf, version, resp, NULL, NULL);
}
