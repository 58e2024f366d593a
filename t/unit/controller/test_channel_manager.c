/*
 * test_channel_manager.c: the controller's network channel
 * (controller/channel_manager.c) against the scripted peer of
 * t/unit/client/fake_broker.c on 127.0.0.1: requests to a remote broker go
 * over the wire in order at the negotiated versions, StopReplica
 * completions carry the response's error, a failed send is retried on a
 * new connection, requests for the local broker stay local, and removing a
 * broker (or never having it) ends its requests with BROKER_NOT_AVAILABLE.
 */
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "../client/fake_broker.h"
#include "common/sm_time.h"
#include "controller/channel_manager.h"
#include "protocol/leaderandisr.h"
#include "protocol/stopreplica.h"
#include "protocol/updatemetadata.h"
#include "sm_test.h"

typedef struct cmt {
    pthread_mutex_t lock;
    int16_t keys[16];                   /* request keys in arrival order */
    int     nkeys;
    atomic_int close_next;              /* close instead of answering */
    atomic_int local_calls;
    atomic_int done;                    /* completions called */
    atomic_int last_err;
} cmt_t;

static int
cmt_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    cmt_t *t = fb->arg;
    sm_LeaderAndIsrRequest_t lai;
    sm_StopReplicaRequest_t sr;
    sm_UpdateMetadataRequest_t um;
    int16_t key = hdr->ApiKey;

    if (key != SM_API_LeaderAndIsr && key != SM_API_StopReplica &&
        key != SM_API_UpdateMetadata)
        return fb_default(fb, hdr, body, out);
    if (atomic_exchange(&t->close_next, 0))
        return FB_CLOSE;
    pthread_mutex_lock(&t->lock);
    if (t->nkeys < 16)
        t->keys[t->nkeys++] = key;
    pthread_mutex_unlock(&t->lock);
    if (key == SM_API_LeaderAndIsr) {
        ck_assert_int_eq(sm_LeaderAndIsrRequest_read(body, hdr->ApiVersion,
                                                     &lai), SM_OK);
        ck_assert_int_eq(lai.PartitionStatesCnt, 1);
        ck_assert_int_eq(lai.LiveLeadersCnt, 1);
        ck_assert_int_eq(lai.LiveLeaders[0].Port, 9999);
        sm_wr_i16(out, 0);
        sm_wr_i32(out, 1);
        sm_wr_str(out, lai.PartitionStates[0].TopicName, 0);
        sm_wr_i32(out, lai.PartitionStates[0].PartitionIndex);
        sm_wr_i16(out, 0);
        sm_LeaderAndIsrRequest_free(&lai);
    } else if (key == SM_API_StopReplica) {
        ck_assert_int_eq(sm_StopReplicaRequest_read(body, hdr->ApiVersion,
                                                    &sr), SM_OK);
        ck_assert_int_eq(sr.PartitionsCnt, 1);
        ck_assert_int_eq(sr.DeletePartitions, 1);
        ck_assert_int_eq(sr.BrokerEpoch, 42);
        sm_wr_i16(out, 0);
        sm_wr_i32(out, 1);
        sm_wr_str(out, sr.Partitions[0].TopicName, 0);
        sm_wr_i32(out, sr.Partitions[0].PartitionIndex);
        sm_wr_i16(out, SM_ERR_KAFKA_STORAGE_ERROR);
        sm_StopReplicaRequest_free(&sr);
    } else {
        ck_assert_int_eq(sm_UpdateMetadataRequest_read(body, hdr->ApiVersion,
                                                       &um), SM_OK);
        ck_assert_int_eq(um.LiveBrokersCnt, 1);
        ck_assert_int_eq(um.LiveBrokers[0].EndpointsCnt, 1);
        sm_UpdateMetadataRequest_free(&um);
        sm_wr_i16(out, 0);
    }
    return FB_ANSWER;
}

static void
cmt_completion(void *arg, sm_err_t err)
{
    cmt_t *t = arg;

    atomic_store(&t->last_err, err);
    atomic_fetch_add(&t->done, 1);
}

static void
cmt_local_lai(void *opaque, int32_t broker_id, int64_t broker_epoch,
              int32_t controller_id, int32_t controller_epoch,
              const sm_pstate_t *states, int n,
              const sm_md_broker_t *leaders, int nleaders)
{
    cmt_t *t = opaque;

    (void)broker_id; (void)broker_epoch; (void)controller_id;
    (void)controller_epoch; (void)states; (void)n; (void)leaders;
    (void)nleaders;
    atomic_fetch_add(&t->local_calls, 1);
}

static sm_chanmgr_t *
cmt_new(cmt_t *t, sm_controller_channel_t *ch)
{
    sm_chanmgr_opts_t o = { 1, "PLAINTEXT", 5000, 20 };
    sm_controller_channel_t local;

    memset(&local, 0, sizeof(local));
    local.opaque = t;
    local.leader_and_isr = cmt_local_lai;
    sm_chanmgr_t *cm = sm_chanmgr_new(&o, &local);
    sm_chanmgr_channel(cm, ch);
    return cm;
}

/* Broker id at 127.0.0.1:port on listener PLAINTEXT. */
static void
cmt_broker(sm_md_broker_t *b, sm_md_endpoint_t *ep, int32_t id, int port)
{
    *ep = (sm_md_endpoint_t){ "PLAINTEXT", "127.0.0.1", port, 0 };
    *b = (sm_md_broker_t){ id, NULL, ep, 1 };
}

static void
cmt_wait(atomic_int *v, int want, const char *what)
{
    int64_t deadline = sm_mono_ms() + 10000;

    while (atomic_load(v) < want && sm_mono_ms() < deadline)
        usleep(2000);
    ck_assert_msg(atomic_load(v) >= want, "timed out waiting for %s", what);
}

static void
cmt_pstate(sm_pstate_t *ps, int32_t *ids)
{
    memset(ps, 0, sizeof(*ps));
    ps->topic = "t";
    ps->partition = 3;
    ps->leader = 2;
    ps->isr = ids;
    ps->nisr = 1;
    ps->replicas = ids;
    ps->nreplicas = 1;
}

START_TEST(channel_manager__remote_in_order_at_negotiated_versions)
{
    cmt_t t;
    fb_t fb;
    sm_controller_channel_t ch;
    sm_chanmgr_t *cm;
    sm_md_broker_t b, leader;
    sm_md_endpoint_t ep, lep;
    sm_pstate_t ps;
    int32_t ids[1] = { 2 };
    int64_t deadline;

    memset(&t, 0, sizeof(t));
    pthread_mutex_init(&t.lock, NULL);
    ck_assert_int_eq(fb_start(&fb, 0, cmt_handler, &t), 0);
    cm = cmt_new(&t, &ch);
    cmt_broker(&b, &ep, 2, fb.port);
    cmt_broker(&leader, &lep, 2, 9999);
    cmt_pstate(&ps, ids);
    ch.broker_added(ch.opaque, &b, 42);
    ch.leader_and_isr(ch.opaque, 2, 42, 1, 5, &ps, 1, &leader, 1);
    ch.update_metadata(ch.opaque, 2, 42, 1, 5, &ps, 1, &b, 1);
    ch.stop_replica(ch.opaque, 2, 42, 1, 5, "t", 3, 7, 1, cmt_completion,
                    &t);
    cmt_wait(&t.done, 1, "the StopReplica completion");
    ck_assert_int_eq(atomic_load(&t.last_err), SM_ERR_KAFKA_STORAGE_ERROR);
    deadline = sm_mono_ms() + 5000;
    while (sm_chanmgr_sent(cm, 2) < 3 && sm_mono_ms() < deadline)
        usleep(2000);
    ck_assert_int_eq(sm_chanmgr_sent(cm, 2), 3);
    ck_assert_int_eq(t.nkeys, 3);
    ck_assert_int_eq(t.keys[0], SM_API_LeaderAndIsr);
    ck_assert_int_eq(t.keys[1], SM_API_UpdateMetadata);
    ck_assert_int_eq(t.keys[2], SM_API_StopReplica);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_LeaderAndIsr]), 2);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_UpdateMetadata]),
                     5);
    ck_assert_int_eq(atomic_load(&fb.last_version[SM_API_StopReplica]), 1);
    ck_assert_int_eq(atomic_load(&t.local_calls), 0);
    /* the local broker's requests never touch the network */
    ch.leader_and_isr(ch.opaque, 1, 42, 1, 5, &ps, 1, &leader, 1);
    ck_assert_int_eq(atomic_load(&t.local_calls), 1);
    sm_chanmgr_destroy(cm);
    fb_stop(&fb);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_LeaderAndIsr]), 1);
}
END_TEST

START_TEST(channel_manager__retries_on_a_new_connection)
{
    cmt_t t;
    fb_t fb;
    sm_controller_channel_t ch;
    sm_chanmgr_t *cm;
    sm_md_broker_t b;
    sm_md_endpoint_t ep;

    memset(&t, 0, sizeof(t));
    pthread_mutex_init(&t.lock, NULL);
    atomic_store(&t.close_next, 1);
    ck_assert_int_eq(fb_start(&fb, 0, cmt_handler, &t), 0);
    cm = cmt_new(&t, &ch);
    cmt_broker(&b, &ep, 2, fb.port);
    ch.broker_added(ch.opaque, &b, 42);
    ch.stop_replica(ch.opaque, 2, 42, 1, 5, "t", 0, 7, 1, cmt_completion,
                    &t);
    cmt_wait(&t.done, 1, "the StopReplica completion");
    ck_assert_int_eq(atomic_load(&t.last_err), SM_ERR_KAFKA_STORAGE_ERROR);
    sm_chanmgr_destroy(cm);
    fb_stop(&fb);
    /* closed once, answered on the second connection */
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_StopReplica]), 2);
    ck_assert_int_ge(atomic_load(&fb.nreq[SM_API_ApiVersions]), 2);
}
END_TEST

START_TEST(channel_manager__unreachable_or_removed_broker_fails_requests)
{
    cmt_t t;
    sm_controller_channel_t ch;
    sm_chanmgr_t *cm;
    sm_md_broker_t b;
    sm_md_endpoint_t ep;

    memset(&t, 0, sizeof(t));
    pthread_mutex_init(&t.lock, NULL);
    cm = cmt_new(&t, &ch);
    /* no sender for broker 3: at once */
    ch.stop_replica(ch.opaque, 3, 1, 1, 5, "t", 0, 7, 1, cmt_completion, &t);
    ck_assert_int_eq(atomic_load(&t.done), 1);
    ck_assert_int_eq(atomic_load(&t.last_err), SM_ERR_BROKER_NOT_AVAILABLE);
    /* a broker nothing listens for: retried until it is removed */
    cmt_broker(&b, &ep, 2, fb_closed_port());
    ch.broker_added(ch.opaque, &b, 42);
    ch.stop_replica(ch.opaque, 2, 42, 1, 5, "t", 0, 7, 1, cmt_completion,
                    &t);
    usleep(100000);
    ck_assert_int_eq(atomic_load(&t.done), 1);
    ck_assert_int_eq(sm_chanmgr_sent(cm, 2), 0);
    ch.broker_removed(ch.opaque, 2);
    cmt_wait(&t.done, 2, "the dropped request's completion");
    ck_assert_int_eq(atomic_load(&t.last_err), SM_ERR_BROKER_NOT_AVAILABLE);
    ck_assert_int_eq(sm_chanmgr_sent(cm, 2), -1);
    /* reset after a resignation drops everything the same way */
    ch.broker_added(ch.opaque, &b, 42);
    ch.stop_replica(ch.opaque, 2, 42, 1, 5, "t", 1, 7, 1, cmt_completion,
                    &t);
    ch.reset(ch.opaque);
    cmt_wait(&t.done, 3, "the completion after reset");
    sm_chanmgr_destroy(cm);
}
END_TEST

Suite *
sm_test_suite_channel_manager(void)
{
    Suite *s = suite_create("channel_manager");
    TCase *tc = tcase_create("channel_manager");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, channel_manager__remote_in_order_at_negotiated_versions);
    tcase_add_test(tc, channel_manager__retries_on_a_new_connection);
    tcase_add_test(tc,
                   channel_manager__unreachable_or_removed_broker_fails_requests);
    suite_add_tcase(s, tc);
    return s;
}
