/*
 * replica_fetcher.c: fetcher threads of a follower (contract in
 * replica_fetcher.h; Kafka's AbstractFetcherThread/ReplicaFetcherThread).
 *
 * DESIGN.  rfm->threads lists one sm_rf_thread_t per (leader, fetcher id),
 * each with its list of sm_rf_part_t entries (partition reference, epoch
 * it was added under, next fetch offset, backoff deadline).  One round of
 * a thread:
 *
 *     snapshot ready entries (lock) -> connect if needed -> Fetch (no lock)
 *       -> process the response (lock held: append, new offsets, backoff)
 *       -> out-of-range entries: ListOffsets + truncate (no lock; the
 *          partition re-checks the epoch)
 *
 * An entry is matched to the response by (partition, epoch, offset) of the
 * snapshot, so an entry re-added or moved meanwhile ignores a stale
 * answer.  Threads live until sm_rfm_destroy (an idle one sleeps on its
 * condvar).  wake_fd is a dup() of the connection's socket guarded by the
 * thread's lock, shut down by the destroyer to end a blocking read at once
 * (the channel manager's trick).
 *
 * THROTTLING.  Before a round, entries the follower quota holds back
 * (opts.throttled) are left out; if all are, the thread sleeps
 * SM_RF_THROTTLE_WAIT_MS and snapshots again.  Entries still agreeing on
 * their log end (truncating) are never held back.  Record bytes applied
 * are reported after the round (opts.fetched).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/fetch.h"
#include "protocol/listoffsets.h"
#include "protocol/offsetforleaderepoch.h"
#include "protocol/records.h"
#include "server/replica_fetcher.h"

#define SM_RF_LOG "replica"
#define SM_RF_THROTTLE_WAIT_MS 100

typedef struct sm_rf_part {
    struct sm_rf_part *next;
    sm_partition_t *p;                  /* a reference */
    int32_t  epoch;
    int64_t  offset;                    /* next offset to fetch */
    int64_t  delay_until;               /* mono ms; 0: ready */
    int      truncating;                /* epoch handshake still due */
} sm_rf_part_t;

typedef struct sm_rf_thread {
    struct sm_rf_thread *next;
    struct sm_rfm *rfm;
    int32_t  leader;
    int      fetcher_id;
    sm_client_conf_t conf;
    pthread_t thr;
    pthread_mutex_t lock;               /* guards the fields below */
    pthread_cond_t cond;
    sm_rf_part_t *parts;
    int      stop;
    int      wake_fd;                   /* dup of the socket, -1 */
    int      fails;                     /* thread only: failures in a row */
} sm_rf_thread_t;

struct sm_rfm {
    sm_rfm_opts_t opts;
    sm_rfm_resolve_fn resolve;
    void    *opaque;
    pthread_mutex_t lock;               /* guards threads */
    sm_rf_thread_t *threads;
};

/* One snapshot entry: what a Fetch asked for one partition. */
typedef struct sm_rf_ask {
    sm_partition_t *p;                  /* a reference */
    int32_t  epoch;
    int64_t  offset;
    int      out_of_range;              /* set while processing */
    int      truncating;
    size_t   fetched;                   /* record bytes applied */
} sm_rf_ask_t;

/* ------------------------------------------------------------ entries */

static sm_rf_part_t *
sm_rf_find_locked(sm_rf_thread_t *t, const sm_partition_t *p)
{
    for (sm_rf_part_t *e = t->parts; e; e = e->next)
        if (e->p == p)
            return e;
    return NULL;
}

/* Unlink and free p's entry of t, if any.  t->lock held. */
static int
sm_rf_unlink_locked(sm_rf_thread_t *t, const sm_partition_t *p)
{
    sm_rf_part_t **pp = &t->parts, *e;

    while ((e = *pp) != NULL) {
        if (e->p == p) {
            *pp = e->next;
            sm_partition_release(e->p);
            sm_free(e);
            return 1;
        }
        pp = &e->next;
    }
    return 0;
}

/* The entry of an ask that is still current, or NULL.  t->lock held. */
static sm_rf_part_t *
sm_rf_current_locked(sm_rf_thread_t *t, const sm_rf_ask_t *a)
{
    sm_rf_part_t *e = sm_rf_find_locked(t, a->p);

    if (e == NULL || e->epoch != a->epoch || e->offset != a->offset)
        return NULL;
    return e;
}

/* ------------------------------------------------------------ connection */

static void
sm_rf_disconnect(sm_rf_thread_t *t, sm_client_conn_t **connp)
{
    pthread_mutex_lock(&t->lock);
    if (t->wake_fd >= 0)
        close(t->wake_fd);
    t->wake_fd = -1;
    pthread_mutex_unlock(&t->lock);
    sm_client_conn_destroy(*connp);
    *connp = NULL;
}

static sm_err_t
sm_rf_connect(sm_rf_thread_t *t, sm_client_conn_t **connp, char *errstr,
              size_t errstr_size)
{
    sm_rfm_t *rfm = t->rfm;
    char *host = NULL;
    int port = 0;
    sm_err_t err;

    err = rfm->resolve(rfm->opaque, t->leader, &host, &port);
    if (err != SM_OK) {
        snprintf(errstr, errstr_size, "no endpoint known for broker %d",
                 (int)t->leader);
        return err;
    }
    err = sm_client_conn_open(host, port, t->leader, &t->conf,
                              sm_mono_ms() + rfm->opts.socket_timeout_ms,
                              connp, errstr, errstr_size);
    if (err == SM_OK) {
        pthread_mutex_lock(&t->lock);
        t->wake_fd = dup((*connp)->fd);
        if (t->stop && t->wake_fd >= 0)
            shutdown(t->wake_fd, SHUT_RDWR);
        pthread_mutex_unlock(&t->lock);
        sm_info(SM_RF_LOG, "[ReplicaFetcher replicaId=%d, leaderId=%d, "
                "fetcherId=%d] connected to %s:%d",
                (int)rfm->opts.local_id, (int)t->leader, t->fetcher_id,
                host, port);
    }
    sm_free(host);
    return err;
}

/* ------------------------------------------------------------ requests */

static void
sm_rf_wr_fetch(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_FetchRequest_write(buf, v, arg);
}

static void
sm_rf_wr_lo(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_ListOffsetsRequest_write(buf, v, arg);
}

/* One Fetch for asks[0..n): one topic entry per partition (the leader
 * does not require grouping).  *resp owns the frame; fr borrows it. */
static sm_err_t
sm_rf_fetch(sm_rf_thread_t *t, sm_client_conn_t *conn,
            const sm_rf_ask_t *asks, int n, sm_client_resp_t *resp,
            sm_FetchResponse_t *fr, char *errstr, size_t errstr_size)
{
    const sm_rfm_opts_t *o = &t->rfm->opts;
    sm_FetchRequest_t req;
    sm_FetchRequestTopic_t *topics = sm_calloc((size_t)n + 1,
                                               sizeof(*topics));
    sm_FetchRequestPartition_t *parts = sm_calloc((size_t)n + 1,
                                                  sizeof(*parts));
    int16_t v = sm_client_conn_version(conn, SM_API_Fetch, 11);
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.ReplicaId = o->local_id;
    req.MaxWaitMs = o->max_wait_ms;
    req.MinBytes = o->min_bytes;
    req.MaxBytes = o->max_bytes;
    req.SessionEpoch = -1;
    req.TopicsCnt = n;
    req.Topics = topics;
    req.RackId = sm_str_cstr("");
    for (int i = 0; i < n; i++) {
        parts[i].Partition = asks[i].p->index;
        parts[i].CurrentLeaderEpoch = asks[i].epoch;
        parts[i].FetchOffset = asks[i].offset;
        parts[i].LogStartOffset = -1;
        parts[i].PartitionMaxBytes = o->partition_max_bytes;
        topics[i].Topic = sm_str_cstr(asks[i].p->topic);
        topics[i].PartitionsCnt = 1;
        topics[i].Partitions = &parts[i];
    }
    if (v < 4) {
        snprintf(errstr, errstr_size, "broker %d supports no Fetch version "
                 "with record batches v2", (int)t->leader);
        err = SM_ERR_UNSUPPORTED_VERSION;
    } else {
        err = sm_client_conn_call(conn, SM_API_Fetch, v, sm_rf_wr_fetch,
                                  &req, sm_mono_ms() + o->socket_timeout_ms
                                  + o->max_wait_ms, resp, errstr,
                                  errstr_size);
    }
    if (err == SM_OK && sm_FetchResponse_read(&resp->rd, resp->version, fr)
        != SM_OK) {
        sm_client_resp_fini(resp);
        snprintf(errstr, errstr_size, "malformed Fetch response from "
                 "broker %d", (int)t->leader);
        err = SM_ERR__BAD_MSG;
    }
    sm_free(parts);
    sm_free(topics);
    return err;
}

/* The leader's log end offset of a->p (ListOffsets latest as a replica). */
static sm_err_t
sm_rf_leader_end(sm_rf_thread_t *t, sm_client_conn_t *conn,
                 const sm_rf_ask_t *a, int64_t *end)
{
    sm_ListOffsetsRequestPartition_t lp = { a->p->index, a->epoch,
                                            SM_LISTOFFSETS_LATEST, 1 };
    sm_ListOffsetsRequestTopic_t lt = { sm_str_cstr(a->p->topic), 1, &lp };
    sm_ListOffsetsRequest_t req = { 0, t->rfm->opts.local_id, 0, 1, &lt };
    sm_ListOffsetsResponse_t lr = { 0 };
    sm_client_resp_t resp;
    char errstr[256];
    int16_t v = sm_client_conn_version(conn, SM_API_ListOffsets,
                                       SM_LISTOFFSETS_MAX_VERSION);
    sm_err_t err;

    if (v < 1)
        return SM_ERR_UNSUPPORTED_VERSION;
    err = sm_client_conn_call(conn, SM_API_ListOffsets, v, sm_rf_wr_lo, &req,
                              sm_mono_ms() + t->rfm->opts.socket_timeout_ms,
                              &resp, errstr, sizeof(errstr));
    if (err != SM_OK)
        return err;
    err = sm_ListOffsetsResponse_read(&resp.rd, resp.version, &lr);
    if (err == SM_OK && (lr.TopicsCnt != 1 ||
                         lr.Topics[0].PartitionsCnt != 1))
        err = SM_ERR__BAD_MSG;
    if (err == SM_OK) {
        err = lr.Topics[0].Partitions[0].ErrorCode;
        *end = lr.Topics[0].Partitions[0].Offset;
    }
    sm_ListOffsetsResponse_free(&lr);     /* safe after a failed read */
    sm_client_resp_fini(&resp);
    return err;
}

static void
sm_rf_wr_ole(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_OffsetForLeaderEpochRequest_write(buf, v, arg);
}

/*
 * Where this replica's log must be cut before fetching from a new leader
 * (Kafka's ReplicaFetcherThread.maybeTruncate, KIP-101/279): ask the
 * leader where our latest epoch ended in its log; the logs agree below
 * that.  When the leader answers an older epoch E (it never had ours):
 * if our log has E too, the cut is the smaller of both ends of E; if our
 * log has no E, we cut where our largest epoch below E ended and ask
 * again (*again = 1) with that epoch, as Kafka's getOffsetTruncationState
 * does.  *target = -1: nothing to cut (no epochs here, leader without the
 * API or without any epoch <= ours: the OFFSET_OUT_OF_RANGE path covers
 * what remains).
 */
static sm_err_t
sm_rf_epoch_target(sm_rf_thread_t *t, sm_client_conn_t *conn,
                   const sm_rf_ask_t *a, int64_t *target, int *again)
{
    int32_t latest = sm_partition_log_latest_epoch(a->p), oe;
    sm_OffsetForLeaderPartition_t rp = { sm_str_cstr(a->p->topic),
                                         a->p->index, a->epoch, latest };
    sm_OffsetForLeaderEpochRequest_t req = { 0, 1, &rp };
    sm_OffsetForLeaderEpochResponse_t lr = { 0 };
    sm_client_resp_t resp;
    char errstr[256];
    int16_t v = sm_client_conn_version(conn, SM_API_OffsetForLeaderEpoch,
                                       SM_OFFSETFORLEADEREPOCH_MAX_VERSION);
    const sm_EpochEndOffset_t *pe;
    int64_t own;
    sm_err_t err;

    *target = -1;
    *again = 0;
    if (latest < 0 || v < 0)
        return SM_OK;
    err = sm_client_conn_call(conn, SM_API_OffsetForLeaderEpoch, v,
                              sm_rf_wr_ole, &req, sm_mono_ms() +
                              t->rfm->opts.socket_timeout_ms, &resp,
                              errstr, sizeof(errstr));
    if (err != SM_OK)
        return err;
    err = sm_OffsetForLeaderEpochResponse_read(&resp.rd, resp.version, &lr);
    if (err == SM_OK && lr.PartitionsCnt != 1)
        err = SM_ERR__BAD_MSG;
    if (err == SM_OK) {
        pe = &lr.Partitions[0];
        err = pe->ErrorCode;
        if (err == SM_OK && pe->EndOffset >= 0) {
            *target = pe->EndOffset;
            if (v >= 1 && pe->LeaderEpoch != latest) {
                sm_partition_log_epoch_end(a->p, pe->LeaderEpoch, &oe, &own);
                if (own >= 0 && oe != pe->LeaderEpoch) {
                    *target = own;          /* below E: ask again */
                    *again = 1;
                } else if (own >= 0 && own < *target) {
                    *target = own;
                }
            }
            sm_info(SM_RF_LOG, "[ReplicaFetcher leaderId=%d] %s: our latest "
                    "epoch %d ends at %lld on the leader (its epoch %d)",
                    (int)t->leader, a->p->key, (int)latest,
                    (long long)pe->EndOffset, (int)pe->LeaderEpoch);
        }
    }
    sm_OffsetForLeaderEpochResponse_free(&lr);
    sm_client_resp_fini(&resp);
    return err;
}

/* The epoch handshake of a new entry, then its fetch offset is the
 * (possibly truncated) log end. */
static void
sm_rf_truncate(sm_rf_thread_t *t, sm_client_conn_t *conn, sm_rf_ask_t *a)
{
    int64_t target = -1, leo = -1;
    int32_t leader, epoch;
    int again = 0;
    sm_err_t err = sm_rf_epoch_target(t, conn, a, &target, &again);
    sm_rf_part_t *e;

    if (err == SM_OK && target >= 0)
        err = sm_partition_truncate_follower(a->p, a->epoch, target, &leo);
    if (err == SM_OK && leo < 0 &&
        !sm_partition_follower_state(a->p, &leader, &epoch, &leo))
        err = SM_ERR_NOT_LEADER_FOR_PARTITION;
    pthread_mutex_lock(&t->lock);
    if ((e = sm_rf_current_locked(t, a)) != NULL) {
        if (err == SM_OK) {
            e->truncating = again;
            e->offset = leo;
        } else {
            sm_warn(SM_RF_LOG, "[ReplicaFetcher leaderId=%d] %s: leader "
                    "epoch handshake failed: %s; retrying after %d ms",
                    (int)t->leader, a->p->key, sm_err_name(err),
                    t->rfm->opts.backoff_ms);
            e->delay_until = sm_mono_ms() + t->rfm->opts.backoff_ms;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

/* ------------------------------------------------------------ responses */

/* Length of the leading complete, CRC-valid batches of recs (a partial
 * trailing batch is left for the next fetch). */
static size_t
sm_rf_valid_prefix(const sm_rf_thread_t *t, const sm_rf_ask_t *a,
                   sm_bytes_t recs)
{
    sm_batch_iter_t it;
    sm_batch_t b;
    size_t ok = 0;

    if (recs.len <= 0)
        return 0;
    sm_batch_iter_init(&it, recs.ptr, (size_t)recs.len);
    while (sm_batch_next(&it, &b)) {
        if (sm_batch_validate(&b) != SM_OK) {
            sm_error(SM_RF_LOG, "[ReplicaFetcher leaderId=%d] %s: corrupt "
                     "batch at offset %lld from the leader (CRC); "
                     "appending what precedes it", (int)t->leader, a->p->key,
                     (long long)b.base_offset);
            break;
        }
        ok += b.size;
    }
    return ok;
}

/* Apply one partition's answer.  t->lock held; e is a's current entry. */
static void
sm_rf_apply(sm_rf_thread_t *t, sm_rf_ask_t *a, sm_rf_part_t *e,
            const sm_FetchResponsePartition_t *rp)
{
    sm_err_t err = rp->ErrorCode;
    size_t ok;
    int64_t leo;

    if (err == SM_ERR_OFFSET_OUT_OF_RANGE) {
        a->out_of_range = 1;
        return;
    }
    if (err == SM_OK) {
        ok = sm_rf_valid_prefix(t, a, rp->Records);
        err = sm_partition_append_follower(a->p, a->epoch, a->offset,
                                           rp->Records.ptr, ok,
                                           rp->HighWatermark, &leo);
        a->fetched = (size_t)rp->Records.len;
        if (leo >= 0)
            e->offset = leo;
        /* records came but none usable (corrupt or cut): do not spin */
        if (err == SM_OK && rp->Records.len > 0 && ok == 0)
            err = SM_ERR_CORRUPT_MESSAGE;
    }
    if (err != SM_OK) {
        sm_warn(SM_RF_LOG, "[ReplicaFetcher leaderId=%d] %s at offset %lld: "
                "%s; retrying after %d ms", (int)t->leader, a->p->key,
                (long long)a->offset, sm_err_name(err),
                t->rfm->opts.backoff_ms);
        e->delay_until = sm_mono_ms() + t->rfm->opts.backoff_ms;
    }
}

static void
sm_rf_process(sm_rf_thread_t *t, sm_rf_ask_t *asks, int n,
              const sm_FetchResponse_t *fr)
{
    pthread_mutex_lock(&t->lock);
    for (int32_t i = 0; i < fr->ResponsesCnt; i++) {
        const sm_FetchResponseTopic_t *rt = &fr->Responses[i];

        for (int32_t j = 0; j < rt->PartitionsCnt; j++) {
            const sm_FetchResponsePartition_t *rp = &rt->Partitions[j];

            for (int k = 0; k < n; k++) {
                sm_rf_part_t *e;

                if (asks[k].p->index != rp->PartitionIndex ||
                    !sm_str_eq_cstr(rt->Topic, asks[k].p->topic))
                    continue;
                if ((e = sm_rf_current_locked(t, &asks[k])) != NULL)
                    sm_rf_apply(t, &asks[k], e, rp);
                break;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
}

/* OFFSET_OUT_OF_RANGE: this replica is ahead of the leader (it had
 * records the new leader never got), or behind its log start.  Truncate
 * in the first case; wait and retry in the second. */
static void
sm_rf_out_of_range(sm_rf_thread_t *t, sm_client_conn_t *conn,
                   sm_rf_ask_t *a)
{
    int64_t end = -1, leo = -1;
    sm_err_t err = sm_rf_leader_end(t, conn, a, &end);
    sm_rf_part_t *e;

    if (err == SM_OK && end >= 0 && end < a->offset) {
        sm_warn(SM_RF_LOG, "[ReplicaFetcher leaderId=%d] %s: fetch offset "
                "%lld is past the leader's log end %lld: truncating",
                (int)t->leader, a->p->key, (long long)a->offset,
                (long long)end);
        err = sm_partition_truncate_follower(a->p, a->epoch, end, &leo);
    } else if (err == SM_OK) {
        err = SM_ERR_OFFSET_OUT_OF_RANGE;
    }
    pthread_mutex_lock(&t->lock);
    if ((e = sm_rf_current_locked(t, a)) != NULL) {
        if (leo >= 0)
            e->offset = leo;
        if (err != SM_OK) {
            sm_warn(SM_RF_LOG, "[ReplicaFetcher leaderId=%d] %s: offset "
                    "%lld out of range at the leader (its end %lld): %s",
                    (int)t->leader, a->p->key, (long long)a->offset,
                    (long long)end, sm_err_name(err));
            e->delay_until = sm_mono_ms() + t->rfm->opts.backoff_ms;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

/* ------------------------------------------------------------ thread */

/* Wait until ms (monotonic deadline converted to a timed wait) or a
 * signal.  t->lock held. */
static void
sm_rf_wait_locked(sm_rf_thread_t *t, int64_t ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(&t->cond, &t->lock, &ts);
}

/* Entries ready to fetch, with references; *n of them.  Waits while
 * there are none.  t->lock held; NULL when stopping. */
static sm_rf_ask_t *
sm_rf_snapshot_locked(sm_rf_thread_t *t, int *n)
{
    sm_rf_ask_t *asks;
    int64_t now, next;
    int cnt;

    for (;;) {
        if (t->stop)
            return NULL;
        now = sm_mono_ms();
        next = INT64_MAX;
        cnt = 0;
        for (sm_rf_part_t *e = t->parts; e; e = e->next) {
            if (e->delay_until <= now)
                cnt++;
            else if (e->delay_until < next)
                next = e->delay_until;
        }
        if (cnt > 0)
            break;
        if (next == INT64_MAX)
            pthread_cond_wait(&t->cond, &t->lock);
        else
            sm_rf_wait_locked(t, next - now);
    }
    asks = sm_calloc((size_t)cnt, sizeof(*asks));
    *n = 0;
    for (sm_rf_part_t *e = t->parts; e; e = e->next) {
        if (e->delay_until > now)
            continue;
        sm_partition_keep(e->p);
        asks[(*n)++] = (sm_rf_ask_t){ e->p, e->epoch, e->offset, 0,
                                      e->truncating, 0 };
    }
    return asks;
}

static void
sm_rf_asks_free(sm_rf_ask_t *asks, int n)
{
    for (int i = 0; i < n; i++)
        sm_partition_release(asks[i].p);
    sm_free(asks);
}

/* A failed round: say so (once, then every 50th time), close the
 * connection, back off.  t->lock not held. */
static void
sm_rf_failed(sm_rf_thread_t *t, sm_client_conn_t **connp, sm_err_t err,
             const char *errstr)
{
    if (t->fails++ % 50 == 0)
        sm_warn(SM_RF_LOG, "[ReplicaFetcher replicaId=%d, leaderId=%d, "
                "fetcherId=%d] fetch failed, retrying after %d ms: %s",
                (int)t->rfm->opts.local_id, (int)t->leader, t->fetcher_id,
                t->rfm->opts.backoff_ms,
                errstr[0] ? errstr : sm_err_desc(err));
    if (*connp)
        sm_rf_disconnect(t, connp);
    pthread_mutex_lock(&t->lock);
    if (!t->stop)
        sm_rf_wait_locked(t, t->rfm->opts.backoff_ms);
    pthread_mutex_unlock(&t->lock);
}

/* One round with asks[0..n): fetch, apply, fix out-of-range entries. */
static void
sm_rf_round(sm_rf_thread_t *t, sm_client_conn_t **connp, sm_rf_ask_t *asks,
            int n)
{
    char errstr[256] = "";
    sm_client_resp_t resp;
    sm_FetchResponse_t fr;
    sm_err_t err = SM_OK;

    int truncated = 0;

    if (*connp == NULL)
        err = sm_rf_connect(t, connp, errstr, sizeof(errstr));
    /* new entries first agree with the leader on where their log ends;
     * the next round fetches them */
    for (int i = 0; err == SM_OK && i < n; i++) {
        if (!asks[i].truncating)
            continue;
        sm_rf_truncate(t, *connp, &asks[i]);
        truncated = 1;
        if ((*connp)->fd < 0)
            err = SM_ERR__TRANSPORT;
    }
    if (err == SM_OK && truncated)
        return;
    if (err == SM_OK)
        err = sm_rf_fetch(t, *connp, asks, n, &resp, &fr, errstr,
                          sizeof(errstr));
    if (err != SM_OK) {
        sm_rf_failed(t, connp, err, errstr);
        return;
    }
    t->fails = 0;
    sm_rf_process(t, asks, n, &fr);
    sm_FetchResponse_free(&fr);
    sm_client_resp_fini(&resp);
    for (int i = 0; i < n && t->rfm->opts.fetched; i++)
        if (asks[i].fetched > 0)
            t->rfm->opts.fetched(t->rfm->opts.throttle_opaque, asks[i].p,
                                 asks[i].fetched);
    for (int i = 0; i < n && *connp; i++)
        if (asks[i].out_of_range)
            sm_rf_out_of_range(t, *connp, &asks[i]);
}

/* Drop the asks the follower quota holds back (releasing them); the
 * rest stay in order.  Returns how many stay.  No lock held. */
static int
sm_rf_unthrottled(sm_rf_thread_t *t, sm_rf_ask_t *asks, int n)
{
    const sm_rfm_opts_t *o = &t->rfm->opts;
    int kept = 0;

    if (o->throttled == NULL)
        return n;
    for (int i = 0; i < n; i++) {
        if (!asks[i].truncating && o->throttled(o->throttle_opaque,
                                                asks[i].p)) {
            sm_partition_release(asks[i].p);
            continue;
        }
        asks[kept++] = asks[i];
    }
    return kept;
}

static void *
sm_rf_main(void *arg)
{
    sm_rf_thread_t *t = arg;
    sm_client_conn_t *conn = NULL;
    sm_rf_ask_t *asks;
    int n = 0;

    pthread_mutex_lock(&t->lock);
    while ((asks = sm_rf_snapshot_locked(t, &n)) != NULL) {
        pthread_mutex_unlock(&t->lock);
        n = sm_rf_unthrottled(t, asks, n);
        if (n > 0) {
            sm_rf_round(t, &conn, asks, n);
        } else {                    /* all held back: let the rate fall */
            pthread_mutex_lock(&t->lock);
            sm_rf_wait_locked(t, SM_RF_THROTTLE_WAIT_MS);
            pthread_mutex_unlock(&t->lock);
        }
        sm_rf_asks_free(asks, n);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    if (conn)
        sm_rf_disconnect(t, &conn);
    return NULL;
}

/* ------------------------------------------------------------ manager */

static sm_rf_thread_t *
sm_rf_thread_start(sm_rfm_t *rfm, int32_t leader, int fetcher_id)
{
    sm_rf_thread_t *t = sm_calloc(1, sizeof(*t));
    char cid[64];
    int rc;

    t->rfm = rfm;
    t->leader = leader;
    t->fetcher_id = fetcher_id;
    t->wake_fd = -1;
    sm_client_conf_init(&t->conf);
    snprintf(cid, sizeof(cid), "broker-%d-fetcher-%d",
             (int)rfm->opts.local_id, fetcher_id);
    sm_free(t->conf.client_id);
    t->conf.client_id = sm_strdup(cid);
    t->conf.request_timeout_ms = rfm->opts.socket_timeout_ms;
    t->conf.connect_timeout_ms = rfm->opts.socket_timeout_ms;
    t->conf.max_response_bytes = rfm->opts.max_bytes +
                                 rfm->opts.partition_max_bytes + (1 << 20);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    rc = pthread_create(&t->thr, NULL, sm_rf_main, t);
    if (rc != 0) {
        sm_error(SM_RF_LOG, "pthread_create(replica fetcher for broker %d) "
                 "failed: %s", (int)leader, strerror(rc));
        sm_client_conf_fini(&t->conf);
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->cond);
        sm_free(t);
        return NULL;
    }
    sm_info(SM_RF_LOG, "[ReplicaFetcher replicaId=%d, leaderId=%d, "
            "fetcherId=%d] starting", (int)rfm->opts.local_id, (int)leader,
            fetcher_id);
    return t;
}

static void
sm_rf_thread_stop_join(sm_rf_thread_t *t)
{
    pthread_mutex_lock(&t->lock);
    t->stop = 1;
    if (t->wake_fd >= 0)
        shutdown(t->wake_fd, SHUT_RDWR);
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thr, NULL);
    while (t->parts)
        (void)sm_rf_unlink_locked(t, t->parts->p);
    sm_client_conf_fini(&t->conf);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    sm_free(t);
}

static int
sm_rf_fetcher_id(const sm_rfm_t *rfm, const sm_partition_t *p)
{
    uint32_t h = 2166136261u;

    for (const char *c = p->key; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    return (int)(h % (uint32_t)rfm->opts.num_fetchers);
}

sm_rfm_t *
sm_rfm_new(const sm_rfm_opts_t *opts, sm_rfm_resolve_fn resolve,
           void *opaque)
{
    sm_rfm_t *rfm = sm_calloc(1, sizeof(*rfm));

    rfm->opts = *opts;
    if (rfm->opts.num_fetchers < 1)
        rfm->opts.num_fetchers = 1;
    if (rfm->opts.max_wait_ms < 0)
        rfm->opts.max_wait_ms = 0;
    if (rfm->opts.max_bytes <= 0)
        rfm->opts.max_bytes = 10 << 20;
    if (rfm->opts.partition_max_bytes <= 0)
        rfm->opts.partition_max_bytes = 1 << 20;
    if (rfm->opts.backoff_ms <= 0)
        rfm->opts.backoff_ms = 1000;
    if (rfm->opts.socket_timeout_ms <= 0)
        rfm->opts.socket_timeout_ms = 30000;
    rfm->resolve = resolve;
    rfm->opaque = opaque;
    pthread_mutex_init(&rfm->lock, NULL);
    return rfm;
}

void
sm_rfm_destroy(sm_rfm_t *rfm)
{
    sm_rf_thread_t *t;

    if (rfm == NULL)
        return;
    pthread_mutex_lock(&rfm->lock);
    while ((t = rfm->threads) != NULL) {
        rfm->threads = t->next;
        sm_rf_thread_stop_join(t);
    }
    pthread_mutex_unlock(&rfm->lock);
    pthread_mutex_destroy(&rfm->lock);
    sm_free(rfm);
}

/* Remove p from every thread.  rfm->lock held. */
static void
sm_rfm_remove_locked(sm_rfm_t *rfm, sm_partition_t *p)
{
    for (sm_rf_thread_t *t = rfm->threads; t; t = t->next) {
        pthread_mutex_lock(&t->lock);
        (void)sm_rf_unlink_locked(t, p);
        pthread_mutex_unlock(&t->lock);
    }
}

void
sm_rfm_add(sm_rfm_t *rfm, sm_partition_t *p, int32_t leader, int32_t epoch,
           int64_t offset)
{
    int fid = sm_rf_fetcher_id(rfm, p);
    sm_rf_thread_t *t;
    sm_rf_part_t *e;

    pthread_mutex_lock(&rfm->lock);
    sm_rfm_remove_locked(rfm, p);
    for (t = rfm->threads; t; t = t->next)
        if (t->leader == leader && t->fetcher_id == fid)
            break;
    if (t == NULL && (t = sm_rf_thread_start(rfm, leader, fid)) != NULL) {
        t->next = rfm->threads;
        rfm->threads = t;
    }
    if (t != NULL) {
        e = sm_calloc(1, sizeof(*e));
        sm_partition_keep(p);
        *e = (sm_rf_part_t){ t->parts, p, epoch, offset, 0, 1 };
        pthread_mutex_lock(&t->lock);
        t->parts = e;
        pthread_cond_signal(&t->cond);
        pthread_mutex_unlock(&t->lock);
        sm_info(SM_RF_LOG, "%s: fetching from broker %d at offset %lld "
                "(leader epoch %d)", p->key, (int)leader, (long long)offset,
                (int)epoch);
    }
    pthread_mutex_unlock(&rfm->lock);
}

void
sm_rfm_remove(sm_rfm_t *rfm, sm_partition_t *p)
{
    pthread_mutex_lock(&rfm->lock);
    sm_rfm_remove_locked(rfm, p);
    pthread_mutex_unlock(&rfm->lock);
}

int64_t
sm_rfm_fetch_offset(sm_rfm_t *rfm, sm_partition_t *p)
{
    int64_t off = -1;
    sm_rf_part_t *e;

    pthread_mutex_lock(&rfm->lock);
    for (sm_rf_thread_t *t = rfm->threads; t && off < 0; t = t->next) {
        pthread_mutex_lock(&t->lock);
        if ((e = sm_rf_find_locked(t, p)) != NULL)
            off = e->offset;
        pthread_mutex_unlock(&t->lock);
    }
    pthread_mutex_unlock(&rfm->lock);
    return off;
}

int
sm_rfm_thread_count(sm_rfm_t *rfm)
{
    int n = 0;

    pthread_mutex_lock(&rfm->lock);
    for (sm_rf_thread_t *t = rfm->threads; t; t = t->next)
        n++;
    pthread_mutex_unlock(&rfm->lock);
    return n;
}
