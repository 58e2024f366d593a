/*
 * controlled_shutdown.c: a broker's controlled shutdown on the controller
 * side - KafkaController.doControlledShutdown, reached from the
 * ControlledShutdown request handler through
 * sm_controller_controlled_shutdown() (an enqueued call, so it runs on the
 * controller thread in order with the other events).
 *
 * FLOW (for broker B with epoch E):
 *   1. refuse: not the controller (NOT_CONTROLLER), B not registered
 *      (BROKER_NOT_AVAILABLE), E older than B's registration
 *      (STALE_BROKER_EPOCH; -1, from old request versions, is never stale);
 *   2. mark B shutting down: from now on it is no election candidate
 *      (sm_ctl_is_replica_online), though it stays in UpdateMetadata's live
 *      brokers until its registration goes;
 *   3. partitions with more than one replica that B leads: elect with the
 *      controlled-shutdown strategy (first assigned replica live, in the
 *      ISR, not shutting down; B leaves the ISR);
 *   4. those B follows: B's replica goes Offline (StopReplica without
 *      delete to B, B out of the ISR, LeaderAndIsr to the others);
 *   5. answer the partitions B still leads (those with nobody to take
 *      over); the broker retries and eventually shuts down anyway.
 * The mark is cleared when B's registration disappears or is replaced by
 * a new one (controller_context.c).
 *
 * THREADS.  sm_controller_controlled_shutdown: any thread.  The rest:
 * controller thread.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

/* The partitions (of topics not being deleted, with a known leader and
 * more than one replica) hosted by id: led by it, and followed. */
static void
sm_ctl_cs_split(sm_controller_t *ctl, int32_t id, sm_ctl_parts_t *led,
                sm_ctl_reps_t *followed)
{
    sm_ctl_parts_t all = { 0 };

    sm_ctl_ctx_with_leaders(&ctl->ctx, &all);
    for (int i = 0; i < all.cnt; i++) {
        sm_ctl_part_t *part = all.v[i];
        if (part->replicas.cnt <= 1 ||
            sm_ctl_part_replica_idx(part, id) < 0)
            continue;
        if (part->lis.leader == id)
            sm_ctl_parts_add(led, part);
        else
            sm_ctl_reps_add(followed, part, id);
    }
    sm_ctl_parts_fini(&all);
}

static void
sm_ctl_cs_remaining(sm_controller_t *ctl, int32_t id, sm_zk_tps_t *out)
{
    sm_ctl_parts_t led = { 0 };
    sm_ctl_reps_t followed = { 0 };

    sm_ctl_cs_split(ctl, id, &led, &followed);
    for (int i = 0; i < led.cnt; i++)
        sm_zk_tps_add(out, led.v[i]->top->name, led.v[i]->partition);
    sm_ctl_parts_fini(&led);
    sm_ctl_reps_fini(&followed);
}

sm_err_t
sm_ctl_controlled_shutdown(sm_controller_t *ctl, int32_t id,
                           int64_t broker_epoch, sm_zk_tps_t *remaining)
{
    sm_ctl_broker_t *b;
    sm_ctl_parts_t led = { 0 };
    sm_ctl_reps_t followed = { 0 };
    sm_err_t err;

    if (!ctl->active)
        return SM_ERR_NOT_CONTROLLER;
    b = sm_ctl_ctx_broker(&ctl->ctx, id);
    if (b == NULL)
        return SM_ERR_BROKER_NOT_AVAILABLE;
    if (broker_epoch != -1 && broker_epoch < b->epoch) {
        sm_info(SM_CTL_LOG, "Ignoring controlled shutdown of broker %d: "
                "epoch %lld is older than its registration's %lld",
                (int)id, (long long)broker_epoch, (long long)b->epoch);
        return SM_ERR_STALE_BROKER_EPOCH;
    }
    sm_info(SM_CTL_LOG, "Shutting down broker %d", (int)id);
    b->shutting_down = 1;
    sm_ctl_cs_split(ctl, id, &led, &followed);
    err = sm_ctl_psm_handle(ctl, &led, SM_CTL_PST_ONLINE,
                            SM_CTL_ELECT_CONTROLLED_SHUTDOWN, NULL);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &followed, SM_CTL_RST_OFFLINE);
    sm_ctl_parts_fini(&led);
    sm_ctl_reps_fini(&followed);
    if (err != SM_OK)
        return err;
    sm_ctl_cs_remaining(ctl, id, remaining);
    sm_info(SM_CTL_LOG, "Controlled shutdown of broker %d: %d partition(s) "
            "still led by it", (int)id, remaining->cnt);
    return SM_OK;
}

/* ------------------------------------------------------- the public call */

typedef struct sm_ctl_cs_call {
    int32_t id;
    int64_t epoch;
    sm_controller_shutdown_fn cb;
    void *arg;
} sm_ctl_cs_call_t;

static void
sm_ctl_cs_run(sm_controller_t *ctl, void *arg, sm_err_t err)
{
    sm_ctl_cs_call_t *c = arg;
    sm_zk_tps_t remaining = { 0 };

    if (err == SM_OK)
        err = sm_ctl_controlled_shutdown(ctl, c->id, c->epoch, &remaining);
    if (err == SM_ERR_NOT_CONTROLLER && ctl->active)
        sm_ctl_controller_moved(ctl);   /* a fenced write failed */
    else if (err != SM_OK && sm_ctl_transient(err))
        err = SM_ERR_REQUEST_TIMED_OUT; /* the broker retries */
    else if (err == SM_ERR__STATE)
        err = SM_ERR_NOT_CONTROLLER;    /* the controller is stopping */
    c->cb(c->arg, err, &remaining);
    sm_zk_tps_fini(&remaining);
    sm_free(c);
}

sm_err_t
sm_controller_controlled_shutdown(sm_controller_t *ctl, int32_t broker_id,
                                  int64_t broker_epoch,
                                  sm_controller_shutdown_fn cb, void *arg)
{
    sm_ctl_cs_call_t *c = sm_calloc(1, sizeof(*c));
    sm_err_t err;

    c->id = broker_id;
    c->epoch = broker_epoch;
    c->cb = cb;
    c->arg = arg;
    err = sm_controller_enqueue(ctl, sm_ctl_cs_run, c);
    if (err != SM_OK)
        sm_free(c);
    return err;
}
