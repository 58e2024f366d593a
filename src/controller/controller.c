/*
 * controller.c: the controller's lifecycle, its event queue and event
 * thread, and the dispatch of every event - Kafka's ControllerEventManager
 * and KafkaController.process().
 *
 * DESIGN.  Two sources feed the one controller thread:
 *
 *   ZooKeeper  watch and session events wait in zk's own queue; the notify
 *              hook (run on a ZooKeeper thread) only sets q->zk_pending and
 *              signals.  The thread drains them with sm_zk_event_poll(0)
 *              and turns each into a controller event by its path
 *              (sm_ctl_map_zk): a watch never decides anything itself.
 *   internal   q: the start-up event, StopReplica completions (from any
 *              thread), sm_controller_enqueue() calls (from any thread),
 *              and nothing else.
 *
 * Each wake-up handles pending ZooKeeper events first, then the internal
 * events grabbed at the same time, then due retries; each source is FIFO.
 * An event whose handler failed because ZooKeeper was unreachable is put
 * on ctl->delayed and run again after opts.retry_backoff_ms: the watch it
 * was re-arming may be missing, and the handlers are idempotent re-reads
 * of ZooKeeper compared with the context.
 *
 * QUEUE LIFETIME.  q is refcounted: the controller holds one reference,
 * every StopReplica completion not yet called holds one.  Closing the
 * queue (sm_controller_stop) makes later puts fail, so a completion that
 * arrives after the controller is gone frees its event and drops its
 * reference.  The zk notify hook is removed before the controller's
 * reference is dropped (sm_zk_set_notify waits for a running hook).
 *
 * LOCKS.  q->lock (queue), ctl->life_lock (start/stop), ctl->watch_lock
 * (prefix handlers); never nested, never held while calling out.
 */
#include <errno.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "controller/controller_int.h"

void
sm_controller_opts_init(sm_controller_opts_t *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->delete_topic_enable = 1;
    opts->unclean_leader_election_enable = 0;
    opts->retry_backoff_ms = 1000;
    opts->max_election_rounds = 10;
    opts->auto_leader_rebalance_enable = 1;
    opts->leader_imbalance_check_interval_ms = 300 * 1000;
    opts->leader_imbalance_per_broker_percentage = 10;
}

/* ------------------------------------------------------------ events */

sm_ctl_ev_t *
sm_ctl_ev_new(sm_ctl_ev_type_t type)
{
    sm_ctl_ev_t *ev = sm_calloc(1, sizeof(*ev));

    ev->type = type;
    ev->broker_id = -1;
    ev->partition = -1;
    return ev;
}

void
sm_ctl_ev_destroy(sm_ctl_ev_t *ev)
{
    if (ev == NULL)
        return;
    if (ev->q != NULL)
        sm_ctl_queue_release(ev->q);
    sm_free(ev->topic);
    sm_free(ev);
}

const char *
sm_ctl_ev_name(sm_ctl_ev_type_t type)
{
    switch (type) {
    case SM_CTL_EV_STARTUP:                 return "Startup";
    case SM_CTL_EV_CONTROLLER_CHANGE:       return "ControllerChange";
    case SM_CTL_EV_REELECT:                 return "Reelect";
    case SM_CTL_EV_EXPIRE:                  return "Expire";
    case SM_CTL_EV_SESSION_ESTABLISHED:     return "SessionEstablished";
    case SM_CTL_EV_CONNECTED:               return "Connected";
    case SM_CTL_EV_BROKER_CHANGE:           return "BrokerChange";
    case SM_CTL_EV_BROKER_MODIFICATION:     return "BrokerModifications";
    case SM_CTL_EV_TOPIC_CHANGE:            return "TopicChange";
    case SM_CTL_EV_PARTITION_MODIFICATIONS: return "PartitionModifications";
    case SM_CTL_EV_TOPIC_DELETION:          return "TopicDeletion";
    case SM_CTL_EV_STOP_REPLICA_DONE:
        return "TopicDeletionStopReplicaResponseReceived";
    case SM_CTL_EV_CALL:                    return "Call";
    case SM_CTL_EV_ISR_CHANGE:              return "IsrChangeNotification";
    case SM_CTL_EV_PREFERRED_ELECTION:
        return "ReplicaLeaderElection";
    case SM_CTL_EV_AUTO_REBALANCE:
        return "AutoPreferredReplicaLeaderElection";
    case SM_CTL_EV_REASSIGNMENT:            return "PartitionReassignment";
    case SM_CTL_EV_REASSIGN_ISR:
        return "PartitionReassignmentIsrChange";
    }
    return "?";
}

/* ------------------------------------------------------------ queue */

static sm_ctl_queue_t *
sm_ctl_queue_new(void)
{
    sm_ctl_queue_t *q = sm_calloc(1, sizeof(*q));

    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->refcnt = 1;
    q->tail = &q->head;
    return q;
}

void
sm_ctl_queue_keep(sm_ctl_queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->refcnt++;
    pthread_mutex_unlock(&q->lock);
}

void
sm_ctl_queue_release(sm_ctl_queue_t *q)
{
    int last;
    sm_ctl_ev_t *ev;

    pthread_mutex_lock(&q->lock);
    last = --q->refcnt == 0;
    pthread_mutex_unlock(&q->lock);
    if (!last)
        return;
    while ((ev = q->head) != NULL) {
        q->head = ev->next;
        sm_ctl_ev_destroy(ev);
    }
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->lock);
    sm_free(q);
}

int
sm_ctl_queue_put(sm_ctl_queue_t *q, sm_ctl_ev_t *ev)
{
    int ok;

    pthread_mutex_lock(&q->lock);
    ok = !q->closed;
    if (ok) {
        ev->next = NULL;
        *q->tail = ev;
        q->tail = &ev->next;
        pthread_cond_signal(&q->cv);
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

/* The zk notify hook: runs on a ZooKeeper thread, only flags and wakes. */
static void
sm_ctl_zk_notify(void *arg)
{
    sm_ctl_queue_t *q = arg;

    pthread_mutex_lock(&q->lock);
    q->zk_pending = 1;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->lock);
}

void
sm_ctl_stop_replica_completion(void *arg, sm_err_t err)
{
    sm_ctl_ev_t *ev = arg;
    sm_ctl_queue_t *q = ev->q;

    ev->q = NULL;
    ev->err = err;
    if (!sm_ctl_queue_put(q, ev))
        sm_ctl_ev_destroy(ev);
    sm_ctl_queue_release(q);
}

/* ------------------------------------------------------------ public */

sm_controller_t *
sm_controller_new(sm_zk_t *zk, int32_t broker_id, int64_t broker_epoch,
                  const sm_controller_channel_t *channel,
                  const sm_controller_opts_t *opts)
{
    sm_controller_t *ctl = sm_calloc(1, sizeof(*ctl));

    ctl->zk = zk;
    ctl->broker_id = broker_id;
    ctl->broker_epoch = broker_epoch;
    if (channel != NULL)
        ctl->chan = *channel;
    if (opts != NULL)
        ctl->opts = *opts;
    else
        sm_controller_opts_init(&ctl->opts);
    if (ctl->opts.retry_backoff_ms <= 0)
        ctl->opts.retry_backoff_ms = 1000;
    if (ctl->opts.max_election_rounds <= 0)
        ctl->opts.max_election_rounds = 10;
    if (ctl->opts.leader_imbalance_check_interval_ms <= 0)
        ctl->opts.leader_imbalance_check_interval_ms = 300 * 1000;
    ctl->q = sm_ctl_queue_new();
    pthread_mutex_init(&ctl->life_lock, NULL);
    pthread_mutex_init(&ctl->watch_lock, NULL);
    atomic_init(&ctl->pub_id, -1);
    atomic_init(&ctl->pub_epoch, -1);
    atomic_init(&ctl->active_flag, 0);
    ctl->active_id = -1;
    sm_ctl_ctx_init(&ctl->ctx);
    sm_ctl_batch_init(&ctl->batch);
    return ctl;
}

int
sm_controller_is_active(sm_controller_t *ctl)
{
    return atomic_load(&ctl->active_flag);
}

int32_t
sm_controller_id(sm_controller_t *ctl)
{
    return atomic_load(&ctl->pub_id);
}

int32_t
sm_controller_epoch(sm_controller_t *ctl)
{
    return atomic_load(&ctl->pub_epoch);
}

sm_zk_t *
sm_controller_zk(sm_controller_t *ctl)
{
    return ctl->zk;
}

/* Make what the controller thread knows visible to other threads. */
void
sm_ctl_publish(sm_controller_t *ctl)
{
    atomic_store(&ctl->pub_id, ctl->active_id);
    atomic_store(&ctl->pub_epoch, ctl->active ? ctl->ctx.epoch : -1);
    atomic_store(&ctl->active_flag, ctl->active);
}

sm_err_t
sm_controller_enqueue(sm_controller_t *ctl, sm_controller_call_fn fn,
                      void *arg)
{
    sm_ctl_ev_t *ev;
    int started;

    pthread_mutex_lock(&ctl->life_lock);
    started = ctl->started && !ctl->stopped;
    pthread_mutex_unlock(&ctl->life_lock);
    if (!started)
        return SM_ERR__STATE;
    ev = sm_ctl_ev_new(SM_CTL_EV_CALL);
    ev->fn = fn;
    ev->arg = arg;
    if (!sm_ctl_queue_put(ctl->q, ev)) {
        sm_ctl_ev_destroy(ev);
        return SM_ERR__STATE;
    }
    return SM_OK;
}

sm_err_t
sm_controller_watch_prefix(sm_controller_t *ctl, const char *prefix,
                           sm_controller_watch_fn fn, void *arg)
{
    sm_err_t err = SM_OK;
    sm_ctl_watch_t *w;

    pthread_mutex_lock(&ctl->watch_lock);
    if (ctl->nwatches == SM_CTL_MAX_WATCHES) {
        err = SM_ERR__NOSPC;
    } else {
        w = &ctl->watches[ctl->nwatches++];
        w->prefix = sm_strdup(prefix);
        w->len = strlen(prefix);
        w->fn = fn;
        w->arg = arg;
    }
    pthread_mutex_unlock(&ctl->watch_lock);
    return err;
}

/* ------------------------------------------------------------ dispatch */

int
sm_ctl_transient(sm_err_t err)
{
    return err == SM_ERR__ZK_UNAVAILABLE || err == SM_ERR__ZK_SESSION_EXPIRED;
}

/* Keep ev (taken over) and run it again after the back-off. */
void
sm_ctl_run_later(sm_controller_t *ctl, sm_ctl_ev_t *ev, int64_t delay_ms)
{
    sm_ctl_ev_t **pp = &ctl->delayed;

    ev->due_ms = sm_mono_ms() + delay_ms;
    while (*pp != NULL && (*pp)->due_ms <= ev->due_ms)
        pp = &(*pp)->next;
    ev->next = *pp;
    *pp = ev;
}

void
sm_ctl_retry_later(sm_controller_t *ctl, sm_ctl_ev_t *ev)
{
    ev->retries++;
    sm_ctl_run_later(ctl, ev, ctl->opts.retry_backoff_ms);
}

static sm_err_t
sm_ctl_process_call(sm_controller_t *ctl, sm_ctl_ev_t *ev)
{
    ev->fn(ctl, ev->arg, SM_OK);
    return SM_OK;
}

static sm_err_t
sm_ctl_run(sm_controller_t *ctl, sm_ctl_ev_t *ev)
{
    switch (ev->type) {
    case SM_CTL_EV_STARTUP:
        return sm_ctl_process_startup(ctl);
    case SM_CTL_EV_CONTROLLER_CHANGE:
        return sm_ctl_process_controller_change(ctl);
    case SM_CTL_EV_REELECT:
        return sm_ctl_process_reelect(ctl);
    case SM_CTL_EV_EXPIRE:
        return sm_ctl_process_expire(ctl, ev->gen);
    case SM_CTL_EV_SESSION_ESTABLISHED:
        return sm_ctl_process_session_established(ctl, ev->gen);
    case SM_CTL_EV_CONNECTED:
        return sm_ctl_process_connected(ctl);
    case SM_CTL_EV_BROKER_CHANGE:
        return sm_ctl_process_broker_change(ctl);
    case SM_CTL_EV_BROKER_MODIFICATION:
        return sm_ctl_process_broker_modification(ctl, ev->broker_id);
    case SM_CTL_EV_TOPIC_CHANGE:
        return sm_ctl_process_topic_change(ctl);
    case SM_CTL_EV_PARTITION_MODIFICATIONS:
        return sm_ctl_process_partition_modifications(ctl, ev->topic);
    case SM_CTL_EV_TOPIC_DELETION:
        return sm_ctl_process_topic_deletion(ctl);
    case SM_CTL_EV_STOP_REPLICA_DONE:
        return sm_ctl_process_stop_replica_done(ctl, ev);
    case SM_CTL_EV_CALL:
        return sm_ctl_process_call(ctl, ev);
    case SM_CTL_EV_ISR_CHANGE:
        return sm_ctl_process_isr_change(ctl);
    case SM_CTL_EV_PREFERRED_ELECTION:
        return sm_ctl_process_preferred_election(ctl);
    case SM_CTL_EV_AUTO_REBALANCE:
        return sm_ctl_process_auto_rebalance(ctl, ev);
    case SM_CTL_EV_REASSIGNMENT:
        return sm_ctl_process_reassignment(ctl);
    case SM_CTL_EV_REASSIGN_ISR:
        return sm_ctl_process_reassign_isr(ctl, ev->topic, ev->partition);
    }
    return SM_OK;
}

/* Process one event and dispose of it (freed, or kept for a retry). */
static void
sm_ctl_process(sm_controller_t *ctl, sm_ctl_ev_t *ev)
{
    sm_err_t err;

    sm_debug(SM_CTL_LOG, "Processing event %s", sm_ctl_ev_name(ev->type));
    err = sm_ctl_run(ctl, ev);
    if (!sm_ctl_batch_empty(&ctl->batch))
        sm_ctl_batch_clear(&ctl->batch);
    if (err == SM_ERR_NOT_CONTROLLER) {
        sm_info(SM_CTL_LOG, "Controller moved to another broker when "
                "processing %s", sm_ctl_ev_name(ev->type));
        sm_ctl_controller_moved(ctl);
    } else if (sm_ctl_transient(err) && ev->type != SM_CTL_EV_CALL &&
               ev->type != SM_CTL_EV_EXPIRE) {
        sm_warn(SM_CTL_LOG, "Event %s failed (%s); retrying in %d ms",
                sm_ctl_ev_name(ev->type), sm_err_desc(err),
                ctl->opts.retry_backoff_ms);
        sm_ctl_retry_later(ctl, ev);
        return;
    } else if (err != SM_OK) {
        sm_error(SM_CTL_LOG, "Error processing event %s: %s",
                 sm_ctl_ev_name(ev->type), sm_err_desc(err));
    }
    sm_ctl_publish(ctl);
    sm_ctl_ev_destroy(ev);
}

/* "/a/b/c" under "/a/b": the child name "c" if path is exactly one level
 * below parent, else NULL. */
static const char *
sm_ctl_child_of(const char *path, const char *parent)
{
    size_t n = strlen(parent);

    if (strncmp(path, parent, n) != 0 || path[n] != '/' ||
        path[n + 1] == '\0' || strchr(path + n + 1, '/') != NULL)
        return NULL;
    return path + n + 1;
}

static sm_ctl_ev_t *
sm_ctl_map_session(const sm_zk_event_t *zev)
{
    sm_ctl_ev_t *ev;

    switch (zev->type) {
    case SM_ZK_EV_SESSION_EXPIRED:
    case SM_ZK_EV_AUTH_FAILED:
        ev = sm_ctl_ev_new(SM_CTL_EV_EXPIRE);
        break;
    case SM_ZK_EV_SESSION_ESTABLISHED:
        ev = sm_ctl_ev_new(SM_CTL_EV_SESSION_ESTABLISHED);
        break;
    case SM_ZK_EV_CONNECTED:
        ev = sm_ctl_ev_new(SM_CTL_EV_CONNECTED);
        break;
    default:
        return NULL;
    }
    ev->gen = zev->generation;
    return ev;
}

/* "/brokers/topics/<t>/partitions/<p>/state": an event for (t, p). */
static sm_ctl_ev_t *
sm_ctl_map_state(const char *path)
{
    const char *t = path + strlen(sm_zk_path_topics()) + 1, *mid;
    char *end;
    long p;
    sm_ctl_ev_t *ev;

    if (strncmp(path, sm_zk_path_topics(), strlen(sm_zk_path_topics())) ||
        path[strlen(sm_zk_path_topics())] != '/' ||
        (mid = strstr(t, "/partitions/")) == NULL || mid == t)
        return NULL;
    p = strtol(mid + 12, &end, 10);
    if (end == mid + 12 || strcmp(end, "/state") != 0 || p < 0 ||
        p > INT32_MAX)
        return NULL;
    ev = sm_ctl_ev_new(SM_CTL_EV_REASSIGN_ISR);
    ev->topic = sm_strndup(t, (size_t)(mid - t));
    ev->partition = (int32_t)p;
    return ev;
}

/* The controller event for a node event on one of its own paths. */
static sm_ctl_ev_t *
sm_ctl_map_node(const sm_zk_event_t *zev)
{
    const char *path = zev->path, *child;
    sm_ctl_ev_t *ev = NULL;
    char *end;
    long id;

    if (strcmp(path, sm_zk_path_controller()) == 0)
        return sm_ctl_ev_new(zev->type == SM_ZK_EV_NODE_DELETED ?
                             SM_CTL_EV_REELECT : SM_CTL_EV_CONTROLLER_CHANGE);
    if (zev->type == SM_ZK_EV_NODE_CHILDREN_CHANGED) {
        if (strcmp(path, sm_zk_path_broker_ids()) == 0)
            return sm_ctl_ev_new(SM_CTL_EV_BROKER_CHANGE);
        if (strcmp(path, sm_zk_path_topics()) == 0)
            return sm_ctl_ev_new(SM_CTL_EV_TOPIC_CHANGE);
        if (strcmp(path, sm_zk_path_delete_topics()) == 0)
            return sm_ctl_ev_new(SM_CTL_EV_TOPIC_DELETION);
        if (strcmp(path, sm_zk_path_isr_changes()) == 0)
            return sm_ctl_ev_new(SM_CTL_EV_ISR_CHANGE);
        return NULL;
    }
    if (strcmp(path, sm_zk_path_reassign_partitions()) == 0)
        return sm_ctl_ev_new(SM_CTL_EV_REASSIGNMENT); /* as below */
    if (strcmp(path, sm_zk_path_preferred_replica_election()) == 0)
        return sm_ctl_ev_new(SM_CTL_EV_PREFERRED_ELECTION); /* deleted: it
                                       * re-reads, arming an exists watch */
    if (zev->type != SM_ZK_EV_NODE_DATA_CHANGED)
        return NULL;
    if ((ev = sm_ctl_map_state(path)) != NULL)
        return ev;
    if ((child = sm_ctl_child_of(path, sm_zk_path_broker_ids())) != NULL) {
        id = strtol(child, &end, 10);
        if (*end != '\0' || id < 0 || id > INT32_MAX)
            return NULL;
        ev = sm_ctl_ev_new(SM_CTL_EV_BROKER_MODIFICATION);
        ev->broker_id = (int32_t)id;
    } else if ((child = sm_ctl_child_of(path, sm_zk_path_topics())) != NULL) {
        ev = sm_ctl_ev_new(SM_CTL_EV_PARTITION_MODIFICATIONS);
        ev->topic = sm_strdup(child);
    }
    return ev;
}

/* Give a ZooKeeper event to the prefix handlers that want it. */
static void
sm_ctl_dispatch_watches(sm_controller_t *ctl, const sm_zk_event_t *zev)
{
    sm_ctl_watch_t ws[SM_CTL_MAX_WATCHES];
    int n;

    pthread_mutex_lock(&ctl->watch_lock);
    n = ctl->nwatches;
    memcpy(ws, ctl->watches, sizeof(ws[0]) * (size_t)n);
    pthread_mutex_unlock(&ctl->watch_lock);
    for (int i = 0; i < n; i++) {
        const char *p = zev->path;
        if (p != NULL && (strncmp(p, ws[i].prefix, ws[i].len) != 0 ||
                          (p[ws[i].len] != '\0' && p[ws[i].len] != '/' &&
                           ws[i].prefix[ws[i].len - 1] != '/')))
            continue;
        ws[i].fn(ctl, ctl->zk, zev->type, p, ws[i].arg);
    }
}

static void
sm_ctl_handle_zk(sm_controller_t *ctl, sm_zk_event_t *zev)
{
    sm_ctl_ev_t *ev;

    sm_debug(SM_CTL_LOG, "ZooKeeper event %s %s", sm_zk_ev_name(zev->type),
             zev->path ? zev->path : "");
    if (zev->path != NULL && zev->generation != sm_zk_generation(ctl->zk)) {
        /* a watch of a replaced session: SESSION_ESTABLISHED re-reads */
        sm_zk_event_destroy(zev);
        return;
    }
    sm_ctl_dispatch_watches(ctl, zev);
    ev = zev->path == NULL ? sm_ctl_map_session(zev) : sm_ctl_map_node(zev);
    sm_zk_event_destroy(zev);
    if (ev != NULL)
        sm_ctl_process(ctl, ev);
}

/* ------------------------------------------------------------ thread */

/* Wait for work; returns the internal events grabbed (in order) and sets
 * *zk_pending / *closing. */
static sm_ctl_ev_t *
sm_ctl_wait(sm_controller_t *ctl, int *zk_pending, int *closing)
{
    sm_ctl_queue_t *q = ctl->q;
    sm_ctl_ev_t *list;

    pthread_mutex_lock(&q->lock);
    while (q->head == NULL && !q->zk_pending && !q->closed) {
        if (ctl->delayed == NULL) {
            pthread_cond_wait(&q->cv, &q->lock);
            continue;
        }
        int64_t left = ctl->delayed->due_ms - sm_mono_ms();
        if (left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&q->cv, &q->lock, &ts) == ETIMEDOUT)
            break;
    }
    *zk_pending = q->zk_pending;
    *closing = q->closed;
    q->zk_pending = 0;
    list = q->head;
    q->head = NULL;
    q->tail = &q->head;
    pthread_mutex_unlock(&q->lock);
    return list;
}

/* Kafka's preempt(): external callers learn their request will not run. */
static void
sm_ctl_preempt(sm_controller_t *ctl, sm_ctl_ev_t *list)
{
    sm_ctl_ev_t *ev;

    while ((ev = list) != NULL) {
        list = ev->next;
        if (ev->type == SM_CTL_EV_CALL)
            ev->fn(ctl, ev->arg, SM_ERR__STATE);
        sm_ctl_ev_destroy(ev);
    }
}

static void
sm_ctl_run_due(sm_controller_t *ctl)
{
    int64_t now = sm_mono_ms();
    sm_ctl_ev_t *ev;

    while ((ev = ctl->delayed) != NULL && ev->due_ms <= now) {
        ctl->delayed = ev->next;
        ev->next = NULL;
        sm_ctl_process(ctl, ev);
    }
}

static int
sm_ctl_closing(sm_controller_t *ctl)
{
    int closed;

    pthread_mutex_lock(&ctl->q->lock);
    closed = ctl->q->closed;
    pthread_mutex_unlock(&ctl->q->lock);
    return closed;
}

static void *
sm_ctl_main(void *arg)
{
    sm_controller_t *ctl = arg;
    sm_zk_event_t *zev;
    sm_ctl_ev_t *list, *ev;
    int zk_pending, closing;

    for (;;) {
        list = sm_ctl_wait(ctl, &zk_pending, &closing);
        while (!closing && zk_pending &&
               (zev = sm_zk_event_poll(ctl->zk, 0)) != NULL)
            sm_ctl_handle_zk(ctl, zev);
        while (!closing && (ev = list) != NULL) {
            list = ev->next;
            ev->next = NULL;
            sm_ctl_process(ctl, ev);
            closing = sm_ctl_closing(ctl);
        }
        if (closing) {
            sm_ctl_preempt(ctl, list);
            /* calls queued while the last batch ran are preempted too,
             * so every caller hears back exactly once */
            pthread_mutex_lock(&ctl->q->lock);
            list = ctl->q->head;
            ctl->q->head = NULL;
            ctl->q->tail = &ctl->q->head;
            pthread_mutex_unlock(&ctl->q->lock);
            sm_ctl_preempt(ctl, list);
            break;
        }
        sm_ctl_run_due(ctl);
    }
    /* KafkaController.shutdown: resign; unlike Kafka, also give up
     * /controller now rather than when the session closes */
    if (ctl->active)
        sm_ctl_trigger_controller_move(ctl);
    while ((ev = ctl->delayed) != NULL) {
        ctl->delayed = ev->next;
        sm_ctl_ev_destroy(ev);
    }
    ctl->active_id = -1;
    sm_ctl_publish(ctl);
    return NULL;
}

sm_err_t
sm_controller_start(sm_controller_t *ctl)
{
    sm_err_t err = SM_OK;
    int rc;

    pthread_mutex_lock(&ctl->life_lock);
    if (ctl->started || ctl->stopped) {
        err = SM_ERR__STATE;
        goto out;
    }
    ctl->q->zk_pending = 1;     /* events queued before the hook */
    sm_zk_set_notify(ctl->zk, sm_ctl_zk_notify, ctl->q);
    sm_ctl_queue_put(ctl->q, sm_ctl_ev_new(SM_CTL_EV_STARTUP));
    rc = pthread_create(&ctl->thr, NULL, sm_ctl_main, ctl);
    if (rc != 0) {
        sm_error(SM_CTL_LOG, "pthread_create(controller) failed: %s",
                 strerror(rc));
        sm_zk_set_notify(ctl->zk, NULL, NULL);
        err = SM_ERR__IO;
        goto out;
    }
    ctl->started = 1;
out:
    pthread_mutex_unlock(&ctl->life_lock);
    return err;
}

void
sm_controller_stop(sm_controller_t *ctl)
{
    int join;

    pthread_mutex_lock(&ctl->life_lock);
    join = ctl->started && !ctl->stopped;
    ctl->stopped = 1;
    pthread_mutex_unlock(&ctl->life_lock);
    pthread_mutex_lock(&ctl->q->lock);
    ctl->q->closed = 1;
    pthread_cond_signal(&ctl->q->cv);
    pthread_mutex_unlock(&ctl->q->lock);
    if (!join)
        return;
    pthread_join(ctl->thr, NULL);
    sm_zk_set_notify(ctl->zk, NULL, NULL);
    sm_info(SM_CTL_LOG, "Controller of broker %d stopped",
            (int)ctl->broker_id);
}

void
sm_controller_destroy(sm_controller_t *ctl)
{
    if (ctl == NULL)
        return;
    sm_controller_stop(ctl);
    sm_ctl_ctx_reset(&ctl->ctx);
    sm_ctl_batch_fini(&ctl->batch);
    for (int i = 0; i < ctl->nwatches; i++)
        sm_free(ctl->watches[i].prefix);
    pthread_mutex_destroy(&ctl->life_lock);
    pthread_mutex_destroy(&ctl->watch_lock);
    sm_ctl_queue_release(ctl->q);
    sm_free(ctl);
}
