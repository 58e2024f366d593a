/*
 * test_replica_fetcher.c: follower fetching (server/replica_fetcher.c and
 * the follower half of server/partition.c) against a scripted leader (the
 * fake broker of t/unit/client/fake_broker.c on 127.0.0.1) and a real log
 * in a temporary directory:
 *   - fetched batches land with the leader's offsets and bytes, the
 *     request carries ReplicaId = own id, the partition's leader epoch and
 *     Fetch v11, and the follower's high watermark is the leader's;
 *   - a batch with a bad CRC is not appended (nor anything after it);
 *   - after sm_rfm_remove, or once the partition leads, nothing more is
 *     appended;
 *   - OFFSET_OUT_OF_RANGE past the leader's end truncates the follower to
 *     the leader's log end offset (ListOffsets as replica);
 *   - a follower whose log has a divergent suffix from an epoch the leader
 *     never had truncates where the logs agree (OffsetForLeaderEpoch,
 *     asked again with an older epoch), then fetches the leader's records.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "../client/fake_broker.h"
#include "../log/log_test_util.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/fetch.h"
#include "protocol/listoffsets.h"
#include "protocol/offsetforleaderepoch.h"
#include "server/replica_fetcher.h"
#include "sm_test.h"

/* The scripted leader: a log of batches (bytes back to back). */
typedef struct rft {
    pthread_mutex_t lock;
    sm_buf_t leader_log;
    int64_t  leader_end;
    int64_t  hw;
    int      out_of_range;          /* answer OFFSET_OUT_OF_RANGE */
    int32_t  last_replica_id;
    int32_t  last_epoch;
    int64_t  last_offset;
    atomic_int fetches;
    atomic_int ole_asked[8];        /* OffsetForLeaderEpoch by epoch */
} rft_t;

/* Bytes of the leader's log from the batch with base offset `from`. */
static sm_bytes_t
rft_from(rft_t *t, int64_t from)
{
    size_t pos = 0;

    while (pos < t->leader_log.len) {
        const uint8_t *b = t->leader_log.data + pos;

        if (tb_base(b) >= from)
            return (sm_bytes_t){ b, (int32_t)(t->leader_log.len - pos) };
        pos += tb_size(b);
    }
    return (sm_bytes_t){ (const uint8_t *)"", 0 };
}

static int
rft_list_offsets(rft_t *t, const sm_req_hdr_t *hdr, sm_rd_t *body,
                 sm_buf_t *out)
{
    sm_ListOffsetsRequest_t req;
    sm_ListOffsetsResponsePartition_t rp;
    sm_ListOffsetsResponseTopic_t rt;
    sm_ListOffsetsResponse_t resp;

    ck_assert_int_eq(sm_ListOffsetsRequest_read(body, hdr->ApiVersion, &req),
                     SM_OK);
    ck_assert_int_eq(req.ReplicaId, 1);
    memset(&rp, 0, sizeof(rp));
    rp.PartitionIndex = 0;
    rp.Offset = t->leader_end;
    rp.Timestamp = -1;
    rp.LeaderEpoch = 7;
    rt = (sm_ListOffsetsResponseTopic_t){ sm_str_cstr("t"), 1, &rp };
    memset(&resp, 0, sizeof(resp));
    resp.TopicsCnt = 1;
    resp.Topics = &rt;
    sm_ListOffsetsResponse_write(out, hdr->ApiVersion, &resp);
    sm_ListOffsetsRequest_free(&req);
    return FB_ANSWER;
}

/* The leader's epochs in the tests: 1 from offset 0, 2 from offset 3. */
static int
rft_ole(rft_t *t, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    sm_OffsetForLeaderEpochRequest_t req;
    sm_OffsetForLeaderEpochResponse_t resp;
    sm_EpochEndOffset_t pe;
    int32_t e;

    ck_assert_int_eq(sm_OffsetForLeaderEpochRequest_read(
                         body, hdr->ApiVersion, &req), SM_OK);
    ck_assert_int_eq(req.PartitionsCnt, 1);
    e = req.Partitions[0].LeaderEpoch;
    if (e >= 0 && e < 8)
        atomic_fetch_add(&t->ole_asked[e], 1);
    memset(&pe, 0, sizeof(pe));
    pe.Topic = req.Partitions[0].Topic;
    pe.LeaderEpoch = e >= 2 ? 2 : e >= 1 ? 1 : -1;
    pthread_mutex_lock(&t->lock);
    pe.EndOffset = e >= 2 ? t->leader_end : e >= 1 ? 3 : -1;
    pthread_mutex_unlock(&t->lock);
    memset(&resp, 0, sizeof(resp));
    resp.PartitionsCnt = 1;
    resp.Partitions = &pe;
    sm_OffsetForLeaderEpochResponse_write(out, hdr->ApiVersion, &resp);
    sm_OffsetForLeaderEpochRequest_free(&req);
    return FB_ANSWER;
}

static int
rft_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    rft_t *t = fb->arg;
    sm_FetchRequest_t req;
    sm_FetchResponsePartition_t rp;
    sm_FetchResponseTopic_t rt;
    sm_FetchResponse_t resp;
    const sm_FetchRequestPartition_t *qp;

    if (hdr->ApiKey == SM_API_ListOffsets)
        return rft_list_offsets(t, hdr, body, out);
    if (hdr->ApiKey == SM_API_OffsetForLeaderEpoch)
        return rft_ole(t, hdr, body, out);
    if (hdr->ApiKey != SM_API_Fetch)
        return fb_default(fb, hdr, body, out);
    ck_assert_int_eq(sm_FetchRequest_read(body, hdr->ApiVersion, &req),
                     SM_OK);
    ck_assert_int_eq(req.TopicsCnt, 1);
    qp = &req.Topics[0].Partitions[0];
    pthread_mutex_lock(&t->lock);
    t->last_replica_id = req.ReplicaId;
    t->last_epoch = qp->CurrentLeaderEpoch;
    t->last_offset = qp->FetchOffset;
    memset(&rp, 0, sizeof(rp));
    rp.PartitionIndex = qp->Partition;
    rp.HighWatermark = t->hw;
    rp.LastStableOffset = t->hw;
    rp.LogStartOffset = 0;
    rp.AbortedTransactionsCnt = -1;
    rp.PreferredReadReplica = -1;
    if (t->out_of_range && qp->FetchOffset > t->leader_end) {
        rp.ErrorCode = SM_ERR_OFFSET_OUT_OF_RANGE;
        rp.Records = SM_BYTES_NULL;
    } else {
        rp.Records = rft_from(t, qp->FetchOffset);
    }
    rt = (sm_FetchResponseTopic_t){ req.Topics[0].Topic, 1, &rp };
    memset(&resp, 0, sizeof(resp));
    resp.ResponsesCnt = 1;
    resp.Responses = &rt;
    sm_FetchResponse_write(out, hdr->ApiVersion, &resp);
    pthread_mutex_unlock(&t->lock);
    sm_FetchRequest_free(&req);
    atomic_fetch_add(&t->fetches, 1);
    if (rp.Records.len == 0)
        usleep(20000);                      /* a short MaxWaitMs */
    return FB_ANSWER;
}

/* Test fixture: leader fake at fb, follower broker 1 with a log. */
typedef struct rfx {
    rft_t t;
    fb_t fb;
    char *tmp;
    sm_log_t *log;
    sm_partition_t *p;
    sm_rfm_t *rfm;
} rfx_t;

static int rfx_port;
static atomic_int rfx_hold;             /* throttled() answer */
static atomic_long rfx_fetched;         /* bytes reported by fetched() */

static int
rfx_throttled(void *opaque, sm_partition_t *p)
{
    (void)opaque;
    (void)p;
    return atomic_load(&rfx_hold);
}

static void
rfx_note_fetched(void *opaque, sm_partition_t *p, size_t bytes)
{
    (void)opaque;
    ck_assert_str_eq(p->key, "t-0");
    atomic_fetch_add(&rfx_fetched, (long)bytes);
}

static sm_err_t
rfx_resolve(void *opaque, int32_t broker_id, char **host, int *port)
{
    (void)opaque;
    ck_assert_int_eq(broker_id, 2);
    *host = sm_strdup("127.0.0.1");
    *port = rfx_port;
    return SM_OK;
}

static void
rfx_state(sm_pstate_t *ps, int32_t *ids, int32_t leader, int32_t epoch)
{
    memset(ps, 0, sizeof(*ps));
    ps->topic = "t";
    ps->partition = 0;
    ps->leader = leader;
    ps->leader_epoch = epoch;
    ps->controller_epoch = 1;
    ps->isr = ids;
    ps->nisr = 2;
    ps->replicas = ids;
    ps->nreplicas = 2;
}

static void
rfx_setup(rfx_t *x)
{
    sm_rfm_opts_t o = { 1, 1, 50, 1, 1 << 20, 1 << 20, 50, 5000,
                        rfx_throttled, rfx_note_fetched, NULL };
    sm_log_config_t cfg;
    sm_pstate_t ps;
    int32_t ids[2] = { 2, 1 };
    char err[256];

    memset(x, 0, sizeof(*x));
    atomic_store(&rfx_hold, 0);
    atomic_store(&rfx_fetched, 0);
    pthread_mutex_init(&x->t.lock, NULL);
    ck_assert_int_eq(fb_start(&x->fb, 0, rft_handler, &x->t), 0);
    rfx_port = x->fb.port;
    x->tmp = sm_test_tmpdir();
    tm_config(&cfg, 1 << 20, 4096, 4096);
    ck_assert_int_eq(sm_log_open(x->tmp, "t", 0, &cfg, -1, -1, 0, &x->log,
                                 err, sizeof(err)), SM_OK);
    x->p = sm_partition_new("t", 0, 1);
    rfx_state(&ps, ids, 2, 7);
    ck_assert_int_eq(sm_partition_make_follower(x->p, &ps, x->log), SM_OK);
    x->rfm = sm_rfm_new(&o, rfx_resolve, NULL);
}

static void
rfx_teardown(rfx_t *x)
{
    sm_rfm_destroy(x->rfm);
    fb_stop(&x->fb);
    sm_partition_release(x->p);
    sm_log_close(x->log);
    sm_test_rmtree(x->tmp);
    free(x->tmp);
    sm_buf_fini(&x->t.leader_log);
}

/* Leader-side batch of n records at base. */
static void
rfx_leader_batch(rfx_t *x, int n)
{
    pthread_mutex_lock(&x->t.lock);
    tb_batch(&x->t.leader_log, x->t.leader_end, n, 1000, 10, 'v');
    x->t.leader_end += n;
    pthread_mutex_unlock(&x->t.lock);
}

static int
rfx_wait_end(rfx_t *x, int64_t want)
{
    int64_t deadline = sm_mono_ms() + 10000;

    while (sm_log_end_offset(x->log) != want && sm_mono_ms() < deadline)
        usleep(2000);
    return sm_log_end_offset(x->log) == want;
}

static void
rfx_wait_fetches(rfx_t *x, int more)
{
    int want = atomic_load(&x->t.fetches) + more;
    int64_t deadline = sm_mono_ms() + 10000;

    while (atomic_load(&x->t.fetches) < want && sm_mono_ms() < deadline)
        usleep(2000);
    ck_assert_int_ge(atomic_load(&x->t.fetches), want);
}

START_TEST(replica_fetcher__appends_with_leader_offsets)
{
    rfx_t x;
    sm_log_slice_t s;
    uint8_t *bytes;

    rfx_setup(&x);
    rfx_leader_batch(&x, 3);
    rfx_leader_batch(&x, 2);
    x.t.hw = 3;
    sm_rfm_add(x.rfm, x.p, 2, 7, 0);
    ck_assert_int_eq(sm_rfm_thread_count(x.rfm), 1);
    ck_assert_msg(rfx_wait_end(&x, 5), "follower did not reach offset 5");
    rfx_wait_fetches(&x, 1);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 3);
    pthread_mutex_lock(&x.t.lock);
    ck_assert_int_eq(x.t.last_replica_id, 1);
    ck_assert_int_eq(x.t.last_epoch, 7);
    ck_assert_int_eq(x.t.last_offset, 5);
    pthread_mutex_unlock(&x.t.lock);
    ck_assert_int_eq(atomic_load(&x.fb.last_version[SM_API_Fetch]), 11);
    ck_assert_int_eq(sm_rfm_fetch_offset(x.rfm, x.p), 5);
    /* same bytes, same offsets as the leader */
    ck_assert_int_eq(sm_log_read(x.log, 0, 1 << 20, INT64_MAX, 1, &s),
                     SM_OK);
    ck_assert_uint_eq(s.len, x.t.leader_log.len);
    bytes = tm_slice_bytes(&s);
    ck_assert_int_eq(memcmp(bytes, x.t.leader_log.data, s.len), 0);
    free(bytes);
    sm_log_slice_release(&s);
    /* more data on the leader arrives too; the HW follows the leader */
    rfx_leader_batch(&x, 4);
    x.t.hw = 9;
    ck_assert(rfx_wait_end(&x, 9));
    rfx_wait_fetches(&x, 2);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 9);
    rfx_teardown(&x);
}
END_TEST

START_TEST(replica_fetcher__corrupt_batch_not_appended)
{
    rfx_t x;
    size_t pos;

    rfx_setup(&x);
    rfx_leader_batch(&x, 2);
    pos = x.t.leader_log.len;
    rfx_leader_batch(&x, 2);
    rfx_leader_batch(&x, 2);
    x.t.leader_log.data[pos + 70] ^= 0x55;  /* inside batch 2's records */
    sm_rfm_add(x.rfm, x.p, 2, 7, 0);
    ck_assert(rfx_wait_end(&x, 2));
    rfx_wait_fetches(&x, 3);
    ck_assert_int_eq(sm_log_end_offset(x.log), 2);
    ck_assert_int_eq(sm_rfm_fetch_offset(x.rfm, x.p), 2);
    /* the leader's copy is repaired: fetching resumes */
    x.t.leader_log.data[pos + 70] ^= 0x55;
    ck_assert(rfx_wait_end(&x, 6));
    rfx_teardown(&x);
}
END_TEST

START_TEST(replica_fetcher__remove_and_leadership_stop_appends)
{
    rfx_t x;
    sm_pstate_t ps;
    int32_t ids[2] = { 2, 1 };

    rfx_setup(&x);
    rfx_leader_batch(&x, 2);
    sm_rfm_add(x.rfm, x.p, 2, 7, 0);
    ck_assert(rfx_wait_end(&x, 2));
    sm_rfm_remove(x.rfm, x.p);
    ck_assert_int_eq(sm_rfm_fetch_offset(x.rfm, x.p), -1);
    rfx_leader_batch(&x, 2);
    usleep(200000);
    ck_assert_int_eq(sm_log_end_offset(x.log), 2);
    /* an old fetcher entry cannot append once the partition leads (the
     * entry is added after the leadership change: added before, a fast
     * fetcher could legitimately append first) */
    rfx_state(&ps, ids, 1, 8);
    ck_assert_int_eq(sm_partition_make_leader(x.p, &ps, x.log), SM_OK);
    sm_rfm_add(x.rfm, x.p, 2, 7, 2);
    usleep(300000);                 /* handshakes and fetches, refused */
    ck_assert_int_eq(sm_log_end_offset(x.log), 2);
    rfx_teardown(&x);
}
END_TEST

START_TEST(replica_fetcher__throttled_partition_held_back)
{
    rfx_t x;
    int64_t before;

    rfx_setup(&x);
    rfx_leader_batch(&x, 2);
    sm_rfm_add(x.rfm, x.p, 2, 7, 0);
    ck_assert(rfx_wait_end(&x, 2));
    ck_assert_int_gt(atomic_load(&rfx_fetched), 0);
    /* held back: the leader's next records do not come */
    atomic_store(&rfx_hold, 1);
    usleep(200000);                 /* a round in flight finishes */
    before = sm_log_end_offset(x.log);
    rfx_leader_batch(&x, 3);
    usleep(400000);
    ck_assert_int_eq(sm_log_end_offset(x.log), before);
    /* released: they do, and are reported */
    atomic_store(&rfx_fetched, 0);
    atomic_store(&rfx_hold, 0);
    ck_assert(rfx_wait_end(&x, 5));
    ck_assert_int_gt(atomic_load(&rfx_fetched), 0);
    rfx_teardown(&x);
}
END_TEST

START_TEST(replica_fetcher__out_of_range_truncates_to_leader_end)
{
    rfx_t x;
    sm_buf_t local = SM_BUF_INIT;

    rfx_setup(&x);
    rfx_leader_batch(&x, 3);
    x.t.out_of_range = 1;
    /* the follower holds 5 records the leader partly never got */
    tb_batch(&local, 0, 3, 1000, 10, 'v');
    tb_batch(&local, 3, 2, 2000, 10, 'x');
    ck_assert_int_eq(sm_log_append_follower(x.log, local.data, local.len),
                     SM_OK);
    sm_buf_fini(&local);
    sm_rfm_add(x.rfm, x.p, 2, 7, 5);
    ck_assert_msg(rfx_wait_end(&x, 3), "not truncated to the leader's end");
    rfx_leader_batch(&x, 2);
    ck_assert(rfx_wait_end(&x, 5));
    ck_assert_int_ge(atomic_load(&x.fb.nreq[SM_API_ListOffsets]), 1);
    rfx_teardown(&x);
}
END_TEST

/* Set the PartitionLeaderEpoch of the batch at b (and its CRC). */
static void
rfx_set_epoch(uint8_t *b, int32_t e)
{
    b[12] = (uint8_t)(e >> 24);
    b[13] = (uint8_t)(e >> 16);
    b[14] = (uint8_t)(e >> 8);
    b[15] = (uint8_t)e;
    tb_fix_crc(b, tb_size(b));
}

START_TEST(replica_fetcher__epoch_handshake_truncates_divergence)
{
    sm_buf_t local = SM_BUF_INIT;
    sm_log_slice_t s;
    uint8_t *bytes;
    size_t mid;
    rfx_t x;

    rfx_setup(&x);
    /* leader: epoch 1 at 0..2, epoch 2 at 3..6 */
    rfx_leader_batch(&x, 3);
    mid = x.t.leader_log.len;
    rfx_leader_batch(&x, 4);
    rfx_set_epoch(x.t.leader_log.data, 1);
    rfx_set_epoch(x.t.leader_log.data + mid, 2);
    /* follower: the same epoch 1 batch, then epoch 3 at 3..5, which the
     * leader never had */
    sm_buf_write(&local, x.t.leader_log.data, mid);
    tb_batch(&local, 3, 3, 5000, 10, 'x');
    rfx_set_epoch(local.data + mid, 3);
    ck_assert_int_eq(sm_log_append_follower(x.log, local.data, local.len),
                     SM_OK);
    ck_assert_int_eq(sm_log_latest_epoch(x.log), 3);
    sm_rfm_add(x.rfm, x.p, 2, 7, sm_log_end_offset(x.log));
    /* the leader never had epoch 3 (answers 2, which the follower lacks):
     * cut at 3 where epoch 1 ended, ask again with epoch 1, fetch 3.. */
    ck_assert_msg(rfx_wait_end(&x, 7), "follower did not converge");
    ck_assert_int_ge(atomic_load(&x.t.ole_asked[3]), 1);
    ck_assert_int_ge(atomic_load(&x.t.ole_asked[1]), 1);
    ck_assert_int_eq(sm_log_latest_epoch(x.log), 2);
    ck_assert_int_eq(sm_log_read(x.log, 0, 1 << 20, INT64_MAX, 1, &s),
                     SM_OK);
    ck_assert_uint_eq(s.len, x.t.leader_log.len);
    bytes = tm_slice_bytes(&s);
    ck_assert_int_eq(memcmp(bytes, x.t.leader_log.data, s.len), 0);
    free(bytes);
    sm_log_slice_release(&s);
    sm_buf_fini(&local);
    rfx_teardown(&x);
}
END_TEST

Suite *
sm_test_suite_replica_fetcher(void)
{
    Suite *s = suite_create("replica_fetcher");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, replica_fetcher__appends_with_leader_offsets);
    tcase_add_test(tc, replica_fetcher__corrupt_batch_not_appended);
    tcase_add_test(tc, replica_fetcher__remove_and_leadership_stop_appends);
    tcase_add_test(tc, replica_fetcher__throttled_partition_held_back);
    tcase_add_test(tc, replica_fetcher__out_of_range_truncates_to_leader_end);
    tcase_add_test(tc, replica_fetcher__epoch_handshake_truncates_divergence);
    suite_add_tcase(s, tc);
    return s;
}
