/*
 * offsetforleaderepoch.c: OffsetForLeaderEpoch codec (layout and versions
 * in offsetforleaderepoch.h).
 *
 * Readers flatten the topic arrays into one partition array; before
 * allocating they bound each count by the bytes left (sm_msg_rd_count),
 * and on any error free what they built.  Writers group runs of equal
 * topics (sm_str_eq), so a caller may list partitions in any order.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/offsetforleaderepoch.h"

#define SM_OLE_REQ_PART_MIN  (4 + 4)        /* Partition LeaderEpoch */
#define SM_OLE_RESP_PART_MIN (2 + 4 + 8)    /* ErrorCode Partition End */
#define SM_OLE_TOPIC_MIN     (2 + 4)        /* Topic, Partitions count */

/* Grow a flat array by n elements of size; returns the first new one. */
static void *
sm_ole_grow(void **arr, int32_t *cnt, int32_t n, size_t size)
{
    *arr = sm_realloc(*arr, size * (size_t)(*cnt + n + 1));
    memset((char *)*arr + size * (size_t)*cnt, 0, size * (size_t)(n + 1));
    *cnt += n;
    return (char *)*arr + size * (size_t)(*cnt - n);
}

sm_err_t
sm_OffsetForLeaderEpochRequest_read(sm_rd_t *rd, int16_t version,
                                    sm_OffsetForLeaderEpochRequest_t *req)
{
    int32_t nt, np;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETFORLEADEREPOCH_MAX_VERSION))
        return rd->err;
    nt = sm_msg_rd_count(rd, 0, SM_OLE_TOPIC_MIN, 0);
    for (int32_t t = 0; t < nt && sm_rd_ok(rd); t++) {
        sm_str_t topic = sm_rd_str(rd, 0);
        sm_OffsetForLeaderPartition_t *p;

        np = sm_msg_rd_count(rd, 0, SM_OLE_REQ_PART_MIN, 0);
        if (!sm_rd_ok(rd))
            break;
        p = sm_ole_grow((void **)&req->Partitions, &req->PartitionsCnt, np,
                        sizeof(*p));
        for (int32_t i = 0; i < np && sm_rd_ok(rd); i++) {
            p[i].Topic = topic;
            p[i].Partition = sm_rd_i32(rd);
            p[i].CurrentLeaderEpoch = version >= 2 ? sm_rd_i32(rd) : -1;
            p[i].LeaderEpoch = sm_rd_i32(rd);
        }
    }
    if (rd->err != SM_OK)
        sm_OffsetForLeaderEpochRequest_free(req);
    return rd->err;
}

void
sm_OffsetForLeaderEpochRequest_free(sm_OffsetForLeaderEpochRequest_t *req)
{
    sm_free(req->Partitions);
    req->Partitions = NULL;
    req->PartitionsCnt = 0;
}

/* Length of the run of entries from i with the topic of entry i. */
static int32_t
sm_ole_run(const void *arr, size_t size, size_t topic_off, int32_t i,
           int32_t n)
{
    const sm_str_t *t0 = (const sm_str_t *)((const char *)arr +
                                            size * (size_t)i + topic_off);
    int32_t j = i + 1;

    while (j < n && sm_str_eq(*t0, *(const sm_str_t *)(
               (const char *)arr + size * (size_t)j + topic_off)))
        j++;
    return j - i;
}

static int32_t
sm_ole_count_runs(const void *arr, size_t size, size_t topic_off, int32_t n)
{
    int32_t runs = 0;

    for (int32_t i = 0; i < n; i += sm_ole_run(arr, size, topic_off, i, n))
        runs++;
    return runs;
}

void
sm_OffsetForLeaderEpochRequest_write(
    sm_buf_t *buf, int16_t version,
    const sm_OffsetForLeaderEpochRequest_t *req)
{
    const sm_OffsetForLeaderPartition_t *v = req->Partitions;
    size_t off = offsetof(sm_OffsetForLeaderPartition_t, Topic);
    int32_t n = req->PartitionsCnt, run;

    sm_assert(version >= 0 &&
              version <= SM_OFFSETFORLEADEREPOCH_MAX_VERSION);
    sm_msg_wr_count(buf, sm_ole_count_runs(v, sizeof(*v), off, n), 0, 0);
    for (int32_t i = 0; i < n; i += run) {
        run = sm_ole_run(v, sizeof(*v), off, i, n);
        sm_msg_wr_str(buf, v[i].Topic, 0);
        sm_msg_wr_count(buf, run, 0, 0);
        for (int32_t j = i; j < i + run; j++) {
            sm_wr_i32(buf, v[j].Partition);
            if (version >= 2)
                sm_wr_i32(buf, v[j].CurrentLeaderEpoch);
            sm_wr_i32(buf, v[j].LeaderEpoch);
        }
    }
}

sm_err_t
sm_OffsetForLeaderEpochResponse_read(sm_rd_t *rd, int16_t version,
                                     sm_OffsetForLeaderEpochResponse_t *resp)
{
    int32_t nt, np;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETFORLEADEREPOCH_MAX_VERSION))
        return rd->err;
    if (version >= 2)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    nt = sm_msg_rd_count(rd, 0, SM_OLE_TOPIC_MIN, 0);
    for (int32_t t = 0; t < nt && sm_rd_ok(rd); t++) {
        sm_str_t topic = sm_rd_str(rd, 0);
        sm_EpochEndOffset_t *p;

        np = sm_msg_rd_count(rd, 0, SM_OLE_RESP_PART_MIN, 0);
        if (!sm_rd_ok(rd))
            break;
        p = sm_ole_grow((void **)&resp->Partitions, &resp->PartitionsCnt,
                        np, sizeof(*p));
        for (int32_t i = 0; i < np && sm_rd_ok(rd); i++) {
            p[i].Topic = topic;
            p[i].ErrorCode = sm_rd_i16(rd);
            p[i].Partition = sm_rd_i32(rd);
            p[i].LeaderEpoch = version >= 1 ? sm_rd_i32(rd) : -1;
            p[i].EndOffset = sm_rd_i64(rd);
        }
    }
    if (rd->err != SM_OK)
        sm_OffsetForLeaderEpochResponse_free(resp);
    return rd->err;
}

void
sm_OffsetForLeaderEpochResponse_free(sm_OffsetForLeaderEpochResponse_t *resp)
{
    sm_free(resp->Partitions);
    resp->Partitions = NULL;
    resp->PartitionsCnt = 0;
}

void
sm_OffsetForLeaderEpochResponse_write(
    sm_buf_t *buf, int16_t version,
    const sm_OffsetForLeaderEpochResponse_t *resp)
{
    const sm_EpochEndOffset_t *v = resp->Partitions;
    size_t off = offsetof(sm_EpochEndOffset_t, Topic);
    int32_t n = resp->PartitionsCnt, run;

    sm_assert(version >= 0 &&
              version <= SM_OFFSETFORLEADEREPOCH_MAX_VERSION);
    if (version >= 2)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, sm_ole_count_runs(v, sizeof(*v), off, n), 0, 0);
    for (int32_t i = 0; i < n; i += run) {
        run = sm_ole_run(v, sizeof(*v), off, i, n);
        sm_msg_wr_str(buf, v[i].Topic, 0);
        sm_msg_wr_count(buf, run, 0, 0);
        for (int32_t j = i; j < i + run; j++) {
            sm_wr_i16(buf, v[j].ErrorCode);
            sm_wr_i32(buf, v[j].Partition);
            if (version >= 1)
                sm_wr_i32(buf, v[j].LeaderEpoch);
            sm_wr_i64(buf, v[j].EndOffset);
        }
    }
}
