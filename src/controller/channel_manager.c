/*
 * channel_manager.c: per-broker request senders for the controller
 * (contract in channel_manager.h; Kafka's ControllerChannelManager and
 * RequestSendThread).
 *
 * DESIGN.  An item is one request, copied out of the controller's borrowed
 * arguments when queued (partition states, brokers, topic) so that the
 * controller may change its context right after the call.  The sender
 * thread turns the item into the wire struct only when it sends, because
 * the version depends on the connection's ApiVersions answer.
 *
 *     queued --send ok--> answered (completion(err from response), freed)
 *        |  \--send failed--> connection closed, backoff, same item again
 *        \--sender stopped--> dropped (completion(BROKER_NOT_AVAILABLE))
 *
 * ORDER.  One thread per broker takes items strictly from the head and
 * pops an item only after its response, so requests to one broker are
 * delivered in the order they were queued (controller.h's rule).
 *
 * LIFETIME.  A sender lives on cm->senders while its broker is live, then
 * on cm->retired until its thread has finished (s->done), when the next
 * add/remove/destroy joins and frees it.  wake_fd is a dup() of the
 * connection's socket, owned by the sender and guarded by s->lock: the
 * stopper shuts it down (which wakes the thread's poll on the shared
 * socket) without ever touching a descriptor the sender may be closing.
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
#include "controller/channel_manager.h"
#include "protocol/leaderandisr.h"
#include "protocol/stopreplica.h"
#include "protocol/updatemetadata.h"

#define SM_CM_LOG "controller"

typedef struct sm_cm_item {
    struct sm_cm_item *next;
    int16_t  key;                       /* SM_API_LeaderAndIsr ... */
    int32_t  controller_id;
    int32_t  controller_epoch;
    int64_t  broker_epoch;
    sm_pstate_t *states;                /* LeaderAndIsr, UpdateMetadata */
    int      n;
    sm_md_broker_t *brokers;            /* live leaders / live brokers */
    int      nbrokers;
    char    *topic;                     /* StopReplica */
    int32_t  partition;
    int      del;
    sm_controller_completion_fn completion;
    void    *completion_arg;
} sm_cm_item_t;

typedef struct sm_cm_sender {
    struct sm_cm_sender *next;          /* on cm->senders or cm->retired */
    struct sm_chanmgr *cm;
    int32_t  id;
    char    *host;
    int      port;
    sm_client_conf_t conf;              /* conn->conf points here */
    pthread_t thr;
    pthread_mutex_t lock;               /* guards the fields below */
    pthread_cond_t cond;
    sm_cm_item_t *head, *tail;
    int      stop;
    int      done;                      /* thread finished */
    int      wake_fd;                   /* dup of the socket, -1 */
    int64_t  sent;                      /* requests answered */
    int      fails;                     /* failed sends in a row; sender
                                         * thread only */
} sm_cm_sender_t;

struct sm_chanmgr {
    sm_chanmgr_opts_t opts;
    char    *listener;
    sm_controller_channel_t local;
    pthread_mutex_t lock;               /* guards the lists */
    sm_cm_sender_t *senders;
    sm_cm_sender_t *retired;
};

/* ------------------------------------------------------------ items */

static sm_pstate_t *
sm_cm_copy_states(const sm_pstate_t *states, int n)
{
    sm_pstate_t *c = sm_calloc((size_t)n + 1, sizeof(*c));

    for (int i = 0; i < n; i++)
        sm_pstate_copy(&c[i], &states[i]);
    return c;
}

static sm_md_broker_t *
sm_cm_copy_brokers(const sm_md_broker_t *brokers, int n)
{
    sm_md_broker_t *c = sm_calloc((size_t)n + 1, sizeof(*c));

    for (int i = 0; i < n; i++)
        sm_md_broker_copy(&c[i], &brokers[i]);
    return c;
}

static void
sm_cm_item_free(sm_cm_item_t *it)
{
    for (int i = 0; i < it->n; i++)
        sm_pstate_fini(&it->states[i]);
    for (int i = 0; i < it->nbrokers; i++)
        sm_md_broker_fini(&it->brokers[i]);
    sm_free(it->states);
    sm_free(it->brokers);
    sm_free(it->topic);
    sm_free(it);
}

/* Finish an item: its completion (if any) with err, then free it. */
static void
sm_cm_item_done(sm_cm_item_t *it, sm_err_t err)
{
    if (it->completion)
        it->completion(it->completion_arg, err);
    sm_cm_item_free(it);
}

/* ------------------------------------------------------ wire requests */

/* The endpoint b is reached at for inter-broker traffic. */
static const sm_md_endpoint_t *
sm_cm_endpoint(const sm_chanmgr_t *cm, const sm_md_broker_t *b)
{
    const sm_md_endpoint_t *ep = sm_md_broker_endpoint(b, cm->listener);

    return ep ? ep : (b->neps > 0 ? &b->eps[0] : NULL);
}

static void
sm_cm_wr_lai(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_LeaderAndIsrRequest_write(buf, v, arg);
}

static void
sm_cm_wr_um(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_UpdateMetadataRequest_write(buf, v, arg);
}

static void
sm_cm_wr_sr(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_StopReplicaRequest_write(buf, v, arg);
}

/* LeaderAndIsr from an item; arrays borrow from it (free the two arrays
 * the request struct itself holds with sm_free). */
static void
sm_cm_build_lai(const sm_chanmgr_t *cm, const sm_cm_item_t *it,
                sm_LeaderAndIsrRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ControllerId = it->controller_id;
    req->ControllerEpoch = it->controller_epoch;
    req->BrokerEpoch = it->broker_epoch;
    req->PartitionStatesCnt = it->n;
    req->PartitionStates = sm_calloc((size_t)it->n + 1,
                                     sizeof(*req->PartitionStates));
    for (int i = 0; i < it->n; i++) {
        const sm_pstate_t *ps = &it->states[i];
        sm_LeaderAndIsrPartitionState_t *w = &req->PartitionStates[i];

        w->TopicName = sm_str_cstr(ps->topic);
        w->PartitionIndex = ps->partition;
        w->ControllerEpoch = ps->controller_epoch;
        w->Leader = ps->leader;
        w->LeaderEpoch = ps->leader_epoch;
        w->IsrCnt = ps->nisr;
        w->Isr = ps->isr;
        w->ZkVersion = ps->zk_version;
        w->ReplicasCnt = ps->nreplicas;
        w->Replicas = ps->replicas;
        w->IsNew = ps->is_new;
    }
    req->LiveLeaders = sm_calloc((size_t)it->nbrokers + 1,
                                 sizeof(*req->LiveLeaders));
    for (int i = 0; i < it->nbrokers; i++) {
        const sm_md_endpoint_t *ep = sm_cm_endpoint(cm, &it->brokers[i]);

        if (ep == NULL)
            continue;
        req->LiveLeaders[req->LiveLeadersCnt++] =
            (sm_LeaderAndIsrLiveLeader_t){ it->brokers[i].id,
                                           sm_str_cstr(ep->host), ep->port };
    }
}

static void
sm_cm_build_um_broker(const sm_md_broker_t *b, sm_UpdateMetadataBroker_t *w)
{
    w->Id = b->id;
    w->Rack = b->rack ? sm_str_cstr(b->rack) : SM_STR_NULL;
    w->Endpoints = sm_calloc((size_t)b->neps + 1, sizeof(*w->Endpoints));
    w->EndpointsCnt = b->neps;
    w->V0Port = -1;
    w->V0Host = SM_STR_EMPTY;
    for (int32_t e = 0; e < b->neps; e++) {
        const sm_md_endpoint_t *ep = &b->eps[e];

        w->Endpoints[e] = (sm_UpdateMetadataEndpoint_t){
            ep->port, sm_str_cstr(ep->host), sm_str_cstr(ep->listener),
            ep->security_protocol };
        if (ep->security_protocol == 0 && w->V0Port < 0) {
            w->V0Host = sm_str_cstr(ep->host);
            w->V0Port = ep->port;
        }
    }
}

static void
sm_cm_build_um(const sm_cm_item_t *it, sm_UpdateMetadataRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ControllerId = it->controller_id;
    req->ControllerEpoch = it->controller_epoch;
    req->BrokerEpoch = it->broker_epoch;
    req->PartitionStatesCnt = it->n;
    req->PartitionStates = sm_calloc((size_t)it->n + 1,
                                     sizeof(*req->PartitionStates));
    for (int i = 0; i < it->n; i++) {
        const sm_pstate_t *ps = &it->states[i];
        sm_UpdateMetadataPartitionState_t *w = &req->PartitionStates[i];

        w->TopicName = sm_str_cstr(ps->topic);
        w->PartitionIndex = ps->partition;
        w->ControllerEpoch = ps->controller_epoch;
        w->Leader = ps->leader;
        w->LeaderEpoch = ps->leader_epoch;
        w->IsrCnt = ps->nisr;
        w->Isr = ps->isr;
        w->ZkVersion = ps->zk_version;
        w->ReplicasCnt = ps->nreplicas;
        w->Replicas = ps->replicas;
        w->OfflineReplicasCnt = ps->noffline;
        w->OfflineReplicas = ps->offline;
    }
    req->LiveBrokers = sm_calloc((size_t)it->nbrokers + 1,
                                 sizeof(*req->LiveBrokers));
    req->LiveBrokersCnt = it->nbrokers;
    for (int i = 0; i < it->nbrokers; i++)
        sm_cm_build_um_broker(&it->brokers[i], &req->LiveBrokers[i]);
}

static void
sm_cm_free_um(sm_UpdateMetadataRequest_t *req)
{
    for (int32_t i = 0; i < req->LiveBrokersCnt; i++)
        sm_free(req->LiveBrokers[i].Endpoints);
    sm_free(req->LiveBrokers);
    sm_free(req->PartitionStates);
}

/* ------------------------------------------------------------ responses */

/* The error a response carries for the item: top-level, else the first
 * partition error. */
static sm_err_t
sm_cm_response_err(const sm_cm_item_t *it, sm_client_resp_t *resp)
{
    sm_LeaderAndIsrResponse_t lai;
    sm_StopReplicaResponse_t sr;
    sm_UpdateMetadataResponse_t um;
    sm_err_t err = SM_OK;

    if (it->key == SM_API_LeaderAndIsr) {
        if (sm_LeaderAndIsrResponse_read(&resp->rd, resp->version, &lai)
            != SM_OK)
            return SM_ERR__BAD_MSG;
        err = lai.ErrorCode;
        for (int32_t i = 0; err == SM_OK && i < lai.PartitionErrorsCnt; i++)
            err = lai.PartitionErrors[i].ErrorCode;
        sm_LeaderAndIsrResponse_free(&lai);
    } else if (it->key == SM_API_StopReplica) {
        if (sm_StopReplicaResponse_read(&resp->rd, resp->version, &sr)
            != SM_OK)
            return SM_ERR__BAD_MSG;
        err = sr.ErrorCode;
        for (int32_t i = 0; err == SM_OK && i < sr.PartitionErrorsCnt; i++)
            err = sr.PartitionErrors[i].ErrorCode;
        sm_StopReplicaResponse_free(&sr);
    } else {
        if (sm_UpdateMetadataResponse_read(&resp->rd, resp->version, &um)
            != SM_OK)
            return SM_ERR__BAD_MSG;
        err = um.ErrorCode;
    }
    return err;
}

/* ------------------------------------------------------------ sender */

static int16_t
sm_cm_max_version(int16_t key)
{
    if (key == SM_API_LeaderAndIsr)
        return SM_LEADERANDISR_MAX_VERSION;
    if (key == SM_API_StopReplica)
        return SM_STOPREPLICA_MAX_VERSION;
    return SM_UPDATEMETADATA_MAX_VERSION;
}

/* Close the connection; wake_fd goes with it (under the lock). */
static void
sm_cm_disconnect(sm_cm_sender_t *s, sm_client_conn_t **connp)
{
    pthread_mutex_lock(&s->lock);
    if (s->wake_fd >= 0)
        close(s->wake_fd);
    s->wake_fd = -1;
    pthread_mutex_unlock(&s->lock);
    sm_client_conn_destroy(*connp);
    *connp = NULL;
}

static sm_err_t
sm_cm_connect(sm_cm_sender_t *s, sm_client_conn_t **connp, char *errstr,
              size_t errstr_size)
{
    int64_t deadline = sm_mono_ms() + s->cm->opts.socket_timeout_ms;
    sm_err_t err = sm_client_conn_open(s->host, s->port, s->id, &s->conf,
                                       deadline, connp, errstr,
                                       errstr_size);

    if (err != SM_OK)
        return err;
    pthread_mutex_lock(&s->lock);
    s->wake_fd = dup((*connp)->fd);
    if (s->stop && s->wake_fd >= 0)
        shutdown(s->wake_fd, SHUT_RDWR);
    pthread_mutex_unlock(&s->lock);
    sm_info(SM_CM_LOG, "[RequestSendThread controllerId=%d] Controller %d "
            "connected to broker %d at %s:%d", (int)s->cm->opts.local_id,
            (int)s->cm->opts.local_id, (int)s->id, s->host, s->port);
    return SM_OK;
}

/* One attempt at sending it.  SM_OK: answered, *rerr is the answer's
 * error.  Otherwise a transport failure (connection closed). */
static sm_err_t
sm_cm_send(sm_cm_sender_t *s, sm_client_conn_t **connp,
           const sm_cm_item_t *it, sm_err_t *rerr)
{
    char errstr[256] = "";
    sm_client_resp_t resp;
    sm_LeaderAndIsrRequest_t lai;
    sm_UpdateMetadataRequest_t um;
    sm_StopReplicaPartition_t srp;
    sm_StopReplicaRequest_t sr;
    const void *arg;
    sm_client_body_fn fn;
    int16_t v;
    sm_err_t err = SM_OK;

    if (*connp == NULL)
        err = sm_cm_connect(s, connp, errstr, sizeof(errstr));
    if (err != SM_OK)
        goto out;
    v = sm_client_conn_version(*connp, it->key, sm_cm_max_version(it->key));
    if (v < 0) {
        *rerr = SM_ERR_UNSUPPORTED_VERSION;    /* nothing to retry */
        return SM_OK;
    }
    memset(&lai, 0, sizeof(lai));
    memset(&um, 0, sizeof(um));
    if (it->key == SM_API_LeaderAndIsr) {
        sm_cm_build_lai(s->cm, it, &lai);
        fn = sm_cm_wr_lai;
        arg = &lai;
    } else if (it->key == SM_API_UpdateMetadata) {
        sm_cm_build_um(it, &um);
        fn = sm_cm_wr_um;
        arg = &um;
    } else {
        srp = (sm_StopReplicaPartition_t){ sm_str_cstr(it->topic),
                                           it->partition };
        sr = (sm_StopReplicaRequest_t){ 0, it->controller_id,
                                        it->controller_epoch,
                                        it->broker_epoch, it->del, 1, &srp };
        fn = sm_cm_wr_sr;
        arg = &sr;
    }
    err = sm_client_conn_call(*connp, it->key, v, fn, arg,
                              sm_mono_ms() + s->cm->opts.socket_timeout_ms,
                              &resp, errstr, sizeof(errstr));
    sm_free(lai.PartitionStates);
    sm_free(lai.LiveLeaders);
    sm_cm_free_um(&um);
    if (err == SM_OK) {
        *rerr = sm_cm_response_err(it, &resp);
        sm_client_resp_fini(&resp);
    }
out:
    if (err == SM_OK)
        s->fails = 0;
    /* a dead broker is retried every backoff_ms until the controller
     * hears of it from ZooKeeper: say so once, then every 50th time */
    if (err != SM_OK && s->fails++ % 50 == 0)
        sm_warn(SM_CM_LOG, "[RequestSendThread controllerId=%d] %s to "
                "broker %d (%s:%d) failed, retrying after %d ms: %s",
                (int)s->cm->opts.local_id, sm_api_name(it->key), (int)s->id,
                s->host, s->port, s->cm->opts.backoff_ms,
                errstr[0] ? errstr : sm_err_desc(err));
    if (err != SM_OK)
        sm_cm_disconnect(s, connp);
    return err;
}

/* Wait up to ms unless stopped; returns s->stop.  s->lock held. */
static int
sm_cm_backoff_locked(sm_cm_sender_t *s, int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    while (!s->stop &&
           pthread_cond_timedwait(&s->cond, &s->lock, &ts) != ETIMEDOUT)
        ;
    return s->stop;
}

/* Pop the head and finish it with err (no lock held for the call). */
static void
sm_cm_pop(sm_cm_sender_t *s, sm_err_t err)
{
    sm_cm_item_t *it;

    pthread_mutex_lock(&s->lock);
    it = s->head;
    s->head = it->next;
    if (s->head == NULL)
        s->tail = NULL;
    s->sent++;
    pthread_mutex_unlock(&s->lock);
    if (err != SM_OK)
        sm_warn(SM_CM_LOG, "%s to broker %d answered %s",
                sm_api_name(it->key), (int)s->id, sm_err_name(err));
    sm_cm_item_done(it, err);
}

static void *
sm_cm_sender_main(void *arg)
{
    sm_cm_sender_t *s = arg;
    sm_client_conn_t *conn = NULL;
    sm_cm_item_t *it, *drop;
    sm_err_t rerr;

    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->stop && s->head == NULL)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->stop)
            break;
        it = s->head;                   /* stays queued until answered */
        pthread_mutex_unlock(&s->lock);
        rerr = SM_OK;
        if (sm_cm_send(s, &conn, it, &rerr) == SM_OK) {
            sm_cm_pop(s, rerr);
            pthread_mutex_lock(&s->lock);
            continue;
        }
        pthread_mutex_lock(&s->lock);
        if (sm_cm_backoff_locked(s, s->cm->opts.backoff_ms))
            break;
    }
    drop = s->head;
    s->head = s->tail = NULL;
    pthread_mutex_unlock(&s->lock);
    if (conn)
        sm_cm_disconnect(s, &conn);
    while ((it = drop) != NULL) {
        drop = it->next;
        sm_cm_item_done(it, SM_ERR_BROKER_NOT_AVAILABLE);
    }
    pthread_mutex_lock(&s->lock);
    s->done = 1;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void
sm_cm_sender_free(sm_cm_sender_t *s)
{
    sm_client_conf_fini(&s->conf);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    sm_free(s->host);
    sm_free(s);
}

static sm_cm_sender_t *
sm_cm_sender_start(sm_chanmgr_t *cm, int32_t id, const char *host, int port)
{
    sm_cm_sender_t *s = sm_calloc(1, sizeof(*s));
    char cid[64];
    int rc;

    s->cm = cm;
    s->id = id;
    s->host = sm_strdup(host);
    s->port = port;
    s->wake_fd = -1;
    sm_client_conf_init(&s->conf);
    snprintf(cid, sizeof(cid), "%d", (int)cm->opts.local_id);
    sm_free(s->conf.client_id);
    s->conf.client_id = sm_strdup(cid);    /* Kafka: the controller's id */
    s->conf.request_timeout_ms = cm->opts.socket_timeout_ms;
    s->conf.connect_timeout_ms = cm->opts.socket_timeout_ms;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    rc = pthread_create(&s->thr, NULL, sm_cm_sender_main, s);
    if (rc != 0) {
        sm_error(SM_CM_LOG, "pthread_create(sender for broker %d) failed: "
                 "%s", (int)id, strerror(rc));
        sm_cm_sender_free(s);
        return NULL;
    }
    return s;
}

/* Ask s's thread to finish: no new items, queued ones dropped. */
static void
sm_cm_sender_stop(sm_cm_sender_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    if (s->wake_fd >= 0)
        shutdown(s->wake_fd, SHUT_RDWR);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* Join and free retired senders whose thread finished (all if wait).
 * cm->lock held. */
static void
sm_cm_reap_locked(sm_chanmgr_t *cm, int wait)
{
    sm_cm_sender_t **pp = &cm->retired, *s;
    int done;

    while ((s = *pp) != NULL) {
        pthread_mutex_lock(&s->lock);
        done = s->done;
        pthread_mutex_unlock(&s->lock);
        if (!done && !wait) {
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        pthread_join(s->thr, NULL);
        sm_cm_sender_free(s);
    }
}

/* Move the sender of id (if any) to the retired list.  cm->lock held. */
static void
sm_cm_retire_locked(sm_chanmgr_t *cm, int32_t id)
{
    sm_cm_sender_t **pp = &cm->senders, *s;

    while ((s = *pp) != NULL) {
        if (s->id != id) {
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        sm_cm_sender_stop(s);
        s->next = cm->retired;
        cm->retired = s;
    }
}

static sm_cm_sender_t *
sm_cm_find_locked(sm_chanmgr_t *cm, int32_t id)
{
    for (sm_cm_sender_t *s = cm->senders; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

/* Queue it for broker_id, or finish it at once with BROKER_NOT_AVAILABLE
 * when no sender runs for that broker. */
static void
sm_cm_enqueue(sm_chanmgr_t *cm, int32_t broker_id, sm_cm_item_t *it)
{
    sm_cm_sender_t *s;

    pthread_mutex_lock(&cm->lock);
    s = sm_cm_find_locked(cm, broker_id);
    if (s) {
        pthread_mutex_lock(&s->lock);
        if (s->tail)
            s->tail->next = it;
        else
            s->head = it;
        s->tail = it;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&cm->lock);
    if (s == NULL) {
        sm_warn(SM_CM_LOG, "dropping %s to broker %d: no connection to it "
                "(not live)", sm_api_name(it->key), (int)broker_id);
        sm_cm_item_done(it, SM_ERR_BROKER_NOT_AVAILABLE);
    }
}

/* ------------------------------------------------------------ channel */

static void
sm_cm_ch_lai(void *opaque, int32_t broker_id, int64_t broker_epoch,
             int32_t controller_id, int32_t controller_epoch,
             const sm_pstate_t *states, int n,
             const sm_md_broker_t *leaders, int nleaders)
{
    sm_chanmgr_t *cm = opaque;
    sm_cm_item_t *it;

    if (broker_id == cm->opts.local_id) {
        cm->local.leader_and_isr(cm->local.opaque, broker_id, broker_epoch,
                                 controller_id, controller_epoch, states, n,
                                 leaders, nleaders);
        return;
    }
    it = sm_calloc(1, sizeof(*it));
    it->key = SM_API_LeaderAndIsr;
    it->controller_id = controller_id;
    it->controller_epoch = controller_epoch;
    it->broker_epoch = broker_epoch;
    it->states = sm_cm_copy_states(states, n);
    it->n = n;
    it->brokers = sm_cm_copy_brokers(leaders, nleaders);
    it->nbrokers = nleaders;
    sm_cm_enqueue(cm, broker_id, it);
}

static void
sm_cm_ch_um(void *opaque, int32_t broker_id, int64_t broker_epoch,
            int32_t controller_id, int32_t controller_epoch,
            const sm_pstate_t *states, int n, const sm_md_broker_t *brokers,
            int nbrokers)
{
    sm_chanmgr_t *cm = opaque;
    sm_cm_item_t *it;

    if (broker_id == cm->opts.local_id) {
        cm->local.update_metadata(cm->local.opaque, broker_id, broker_epoch,
                                  controller_id, controller_epoch, states,
                                  n, brokers, nbrokers);
        return;
    }
    it = sm_calloc(1, sizeof(*it));
    it->key = SM_API_UpdateMetadata;
    it->controller_id = controller_id;
    it->controller_epoch = controller_epoch;
    it->broker_epoch = broker_epoch;
    it->states = sm_cm_copy_states(states, n);
    it->n = n;
    it->brokers = sm_cm_copy_brokers(brokers, nbrokers);
    it->nbrokers = nbrokers;
    sm_cm_enqueue(cm, broker_id, it);
}

static void
sm_cm_ch_stop(void *opaque, int32_t broker_id, int64_t broker_epoch,
              int32_t controller_id, int32_t controller_epoch,
              const char *topic, int32_t partition, int32_t leader_epoch,
              int del, sm_controller_completion_fn completion,
              void *completion_arg)
{
    sm_chanmgr_t *cm = opaque;
    sm_cm_item_t *it;

    if (broker_id == cm->opts.local_id) {
        cm->local.stop_replica(cm->local.opaque, broker_id, broker_epoch,
                               controller_id, controller_epoch, topic,
                               partition, leader_epoch, del, completion,
                               completion_arg);
        return;
    }
    it = sm_calloc(1, sizeof(*it));
    it->key = SM_API_StopReplica;
    it->controller_id = controller_id;
    it->controller_epoch = controller_epoch;
    it->broker_epoch = broker_epoch;
    it->topic = sm_strdup(topic);
    it->partition = partition;
    it->del = del;
    it->completion = completion;
    it->completion_arg = completion_arg;
    sm_cm_enqueue(cm, broker_id, it);
}

static void
sm_cm_ch_added(void *opaque, const sm_md_broker_t *broker,
               int64_t broker_epoch)
{
    sm_chanmgr_t *cm = opaque;
    const sm_md_endpoint_t *ep;
    sm_cm_sender_t *s = NULL;

    (void)broker_epoch;
    if (broker->id == cm->opts.local_id)
        return;
    ep = sm_cm_endpoint(cm, broker);
    pthread_mutex_lock(&cm->lock);
    sm_cm_retire_locked(cm, broker->id);
    sm_cm_reap_locked(cm, 0);
    if (ep == NULL)
        sm_error(SM_CM_LOG, "broker %d registered no endpoint: the "
                 "controller cannot reach it", (int)broker->id);
    else
        s = sm_cm_sender_start(cm, broker->id, ep->host, ep->port);
    if (s) {
        s->next = cm->senders;
        cm->senders = s;
    }
    pthread_mutex_unlock(&cm->lock);
}

static void
sm_cm_ch_removed(void *opaque, int32_t broker_id)
{
    sm_chanmgr_t *cm = opaque;

    pthread_mutex_lock(&cm->lock);
    sm_cm_retire_locked(cm, broker_id);
    sm_cm_reap_locked(cm, 0);
    pthread_mutex_unlock(&cm->lock);
}

static void
sm_cm_ch_reset(void *opaque)
{
    sm_chanmgr_t *cm = opaque;

    pthread_mutex_lock(&cm->lock);
    while (cm->senders)
        sm_cm_retire_locked(cm, cm->senders->id);
    sm_cm_reap_locked(cm, 0);
    pthread_mutex_unlock(&cm->lock);
}

/* ------------------------------------------------------------ public */

sm_chanmgr_t *
sm_chanmgr_new(const sm_chanmgr_opts_t *opts,
               const sm_controller_channel_t *local)
{
    sm_chanmgr_t *cm = sm_calloc(1, sizeof(*cm));

    cm->opts = *opts;
    cm->listener = sm_strdup(opts->listener ? opts->listener : "PLAINTEXT");
    cm->opts.listener = cm->listener;
    if (cm->opts.socket_timeout_ms <= 0)
        cm->opts.socket_timeout_ms = 30000;
    if (cm->opts.backoff_ms <= 0)
        cm->opts.backoff_ms = 100;
    cm->local = *local;
    pthread_mutex_init(&cm->lock, NULL);
    return cm;
}

void
sm_chanmgr_destroy(sm_chanmgr_t *cm)
{
    if (cm == NULL)
        return;
    pthread_mutex_lock(&cm->lock);
    while (cm->senders)
        sm_cm_retire_locked(cm, cm->senders->id);
    sm_cm_reap_locked(cm, 1);
    pthread_mutex_unlock(&cm->lock);
    pthread_mutex_destroy(&cm->lock);
    sm_free(cm->listener);
    sm_free(cm);
}

void
sm_chanmgr_channel(sm_chanmgr_t *cm, sm_controller_channel_t *ch)
{
    memset(ch, 0, sizeof(*ch));
    ch->opaque = cm;
    ch->leader_and_isr = sm_cm_ch_lai;
    ch->update_metadata = sm_cm_ch_um;
    ch->stop_replica = sm_cm_ch_stop;
    ch->broker_added = sm_cm_ch_added;
    ch->broker_removed = sm_cm_ch_removed;
    ch->reset = sm_cm_ch_reset;
}

int64_t
sm_chanmgr_sent(sm_chanmgr_t *cm, int32_t broker_id)
{
    sm_cm_sender_t *s;
    int64_t n = -1;

    pthread_mutex_lock(&cm->lock);
    s = sm_cm_find_locked(cm, broker_id);
    if (s) {
        pthread_mutex_lock(&s->lock);
        n = s->sent;
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&cm->lock);
    return n;
}
