/*
 * controller_election.c: becoming and ceasing to be the controller -
 * KafkaController's elect, maybeResign, onControllerFailover,
 * onControllerResignation, triggerControllerMove and the session handlers.
 *
 * CONTROLLER STATE (per broker):
 *
 *   not active --elect(): /controller absent, registration won-->  active
 *      ^                   (epoch + 1; onControllerFailover)          |
 *      |                                                               |
 *      +-- resign: /controller names someone else (maybeResign), a ---+
 *          fenced write failed, our session expired, failover failed
 *          (triggerControllerMove), or the controller stops
 *
 * ctl->active_id is what this broker believes /controller says (-1: none
 * or unknown); ctl->active is 1 only between a won registration and the
 * resignation.  Every event that can change either re-reads /controller
 * with a watch, so the watch is always re-armed.
 *
 * ORPHANED REGISTRATION.  If /controller names this broker while it is not
 * active, and the znode belongs to our own session (we resigned after a
 * fence failure without being able to delete it, or a failover failed and
 * its delete was lost), we delete it so that a fresh election runs.  A
 * /controller of this broker id owned by another session is a previous
 * incarnation of this broker; it goes away when that session expires.
 *
 * THREADS.  Controller thread only.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

void
sm_ctl_on_resignation(sm_controller_t *ctl)
{
    if (!ctl->active)
        return;
    sm_info(SM_CTL_LOG, "Broker %d resigning as the controller (epoch %d)",
            (int)ctl->broker_id, (int)ctl->ctx.epoch);
    ctl->active = 0;
    sm_ctl_batch_clear(&ctl->batch);
    sm_ctl_ctx_reset(&ctl->ctx);
    if (ctl->chan.reset != NULL)
        ctl->chan.reset(ctl->chan.opaque);
    sm_ctl_publish(ctl);
    sm_info(SM_CTL_LOG, "Broker %d resigned", (int)ctl->broker_id);
}

void
sm_ctl_trigger_controller_move(sm_controller_t *ctl)
{
    int32_t fence = ctl->ctx.epoch_zkv;
    sm_err_t err;

    if (!ctl->active)
        return;
    ctl->active_id = -1;
    sm_ctl_on_resignation(ctl);
    err = sm_zk_delete_controller(ctl->zk, fence);
    if (err == SM_ERR_NOT_CONTROLLER)
        sm_warn(SM_CTL_LOG, "Controller has already moved when trying to "
                "trigger controller movement");
    else if (err != SM_OK)
        sm_warn(SM_CTL_LOG, "Cannot delete /controller to trigger a "
                "controller move: %s", sm_err_desc(err));
    sm_ctl_publish(ctl);
    if (sm_ctl_transient(err))
        sm_ctl_retry_later(ctl, sm_ctl_ev_new(SM_CTL_EV_REELECT));
}

/* /controller (with a watch): *id, or -1 if absent. */
static sm_err_t
sm_ctl_read_controller(sm_controller_t *ctl, int32_t *id)
{
    sm_err_t err = sm_zk_get_controller(ctl->zk, 1, id);

    if (err == SM_ERR__NOENT || err == SM_ERR__BAD_MSG) {
        /* an undecodable /controller counts as none, as in Kafka */
        *id = -1;
        err = SM_OK;
    }
    return err;
}

/* maybeResign: learn who the controller is; resign if it is not us. */
static sm_err_t
sm_ctl_maybe_resign(sm_controller_t *ctl)
{
    int32_t id = -1;
    sm_err_t err = sm_ctl_read_controller(ctl, &id);

    if (err != SM_OK)
        return err;
    ctl->active_id = id;
    if (ctl->active && id != ctl->broker_id)
        sm_ctl_on_resignation(ctl);
    sm_ctl_publish(ctl);
    return SM_OK;
}

/* See ORPHANED REGISTRATION above. */
static sm_err_t
sm_ctl_delete_orphan(sm_controller_t *ctl)
{
    sm_zk_stat_t st;
    sm_err_t err;

    err = sm_zk_exists(ctl->zk, sm_zk_path_controller(), 1, &st);
    if (err != SM_OK)
        return err == SM_ERR__NOENT ? SM_OK : err;
    if (st.ephemeral_owner != sm_zk_session_id(ctl->zk)) {
        sm_info(SM_CTL_LOG, "/controller names broker %d but belongs to "
                "another session; waiting for it to expire",
                (int)ctl->broker_id);
        return SM_OK;
    }
    sm_warn(SM_CTL_LOG, "/controller still names broker %d, which is no "
            "longer the controller; deleting it to force a new election",
            (int)ctl->broker_id);
    /* version-checked: only the znode just seen (ours) is deleted */
    err = sm_zk_delete(ctl->zk, sm_zk_path_controller(), st.version);
    ctl->active_id = -1;
    return err == SM_ERR__NOENT || err == SM_ERR__BAD_VERSION ? SM_OK : err;
}

/* onControllerFailover. */
static sm_err_t
sm_ctl_on_failover(sm_controller_t *ctl)
{
    sm_zk_strings_t deletions = { 0 };
    sm_err_t err;

    /* the watched paths must exist for child watches to be set */
    err = sm_zk_create_top_level_paths(ctl->zk);
    if (err == SM_OK)
        err = sm_ctl_init_context(ctl);
    if (err == SM_OK)
        err = sm_zk_get_topic_deletions(ctl->zk, 1, &deletions);
    if (err == SM_OK)
        err = sm_ctl_tdm_init(ctl, &deletions);
    if (err != SM_OK)
        goto out;
    /* brokers learn the live brokers before any LeaderAndIsr */
    sm_ctl_send_update_metadata(ctl, NULL, 0, NULL);
    err = sm_ctl_rsm_startup(ctl);
    if (err == SM_OK)
        err = sm_ctl_psm_startup(ctl);
    if (err != SM_OK)
        goto out;
    sm_info(SM_CTL_LOG, "Ready to serve as the new controller with epoch %d",
            (int)ctl->ctx.epoch);
    err = sm_ctl_tdm_try(ctl);
    if (err == SM_OK)
        err = sm_ctl_preferred_startup(ctl);
    if (err == SM_OK)
        err = sm_ctl_process_reassignment(ctl);
    /* ISR changes made while no controller watched (sets the watch) */
    if (err == SM_OK)
        err = sm_ctl_process_isr_change(ctl);
out:
    sm_zk_strings_fini(&deletions);
    return err;
}

/* elect(). */
static sm_err_t
sm_ctl_elect(sm_controller_t *ctl)
{
    int32_t id = -1, epoch = -1, zkv = -1;
    uint64_t gen;
    sm_err_t err;

    err = sm_ctl_read_controller(ctl, &id);
    if (err != SM_OK)
        return err;
    ctl->active_id = id;
    sm_ctl_publish(ctl);
    if (id == ctl->broker_id && !ctl->active)
        return sm_ctl_delete_orphan(ctl);
    if (id != -1) {
        sm_debug(SM_CTL_LOG, "Broker %d has been elected as the controller, "
                 "so stopping the election process", (int)id);
        return SM_OK;
    }
    /* read first: if the registration is retried into a newer session,
     * a stale expiry makes us resign, which is the safe mistake */
    gen = sm_zk_generation(ctl->zk);
    err = sm_zk_register_controller(ctl->zk, ctl->broker_id, &epoch, &zkv);
    if (err == SM_ERR_NOT_CONTROLLER) {
        err = sm_ctl_maybe_resign(ctl);
        if (err == SM_OK)
            sm_debug(SM_CTL_LOG, "Broker %d was elected as controller "
                     "instead of broker %d", (int)ctl->active_id,
                     (int)ctl->broker_id);
        return err;
    }
    if (err != SM_OK)
        return err;
    ctl->ctx.epoch = epoch;
    ctl->ctx.epoch_zkv = zkv;
    ctl->active_id = ctl->broker_id;
    ctl->active = 1;
    ctl->active_gen = gen;
    sm_ctl_publish(ctl);
    sm_info(SM_CTL_LOG, "%d successfully elected as the controller. Epoch "
            "incremented to %d and epoch zk version is now %d",
            (int)ctl->broker_id, (int)epoch, (int)zkv);
    err = sm_ctl_on_failover(ctl);
    if (err != SM_OK && err != SM_ERR_NOT_CONTROLLER) {
        sm_error(SM_CTL_LOG, "Error while electing or becoming controller on "
                 "broker %d: %s. Trigger controller movement immediately",
                 (int)ctl->broker_id, sm_err_desc(err));
        sm_ctl_trigger_controller_move(ctl);
        err = SM_OK;
    }
    return err;
}

sm_err_t
sm_ctl_process_startup(sm_controller_t *ctl)
{
    return sm_ctl_elect(ctl);
}

sm_err_t
sm_ctl_process_controller_change(sm_controller_t *ctl)
{
    return sm_ctl_maybe_resign(ctl);
}

sm_err_t
sm_ctl_process_reelect(sm_controller_t *ctl)
{
    sm_err_t err = sm_ctl_maybe_resign(ctl);

    return err == SM_OK ? sm_ctl_elect(ctl) : err;
}

/*
 * Expire.  The expiry event can be read late: an event handled before it
 * may already have run on the replacement session (operations are retried
 * across sessions) and even won an election there.  An expiry of a session
 * older than the one we were elected in is therefore stale: our
 * registration lives in the newer session.
 */
sm_err_t
sm_ctl_process_expire(sm_controller_t *ctl, uint64_t gen)
{
    if (ctl->active && gen < ctl->active_gen) {
        sm_debug(SM_CTL_LOG, "Ignoring the expiry of session generation "
                 "%llu: elected in generation %llu",
                 (unsigned long long)gen, (unsigned long long)ctl->active_gen);
        return SM_OK;
    }
    ctl->active_id = -1;
    sm_ctl_on_resignation(ctl);
    sm_ctl_publish(ctl);
    return SM_OK;
}

/* RegisterBrokerAndReelect: the broker's own on_session handler has
 * re-registered it; learn the new broker epoch, then re-elect. */
sm_err_t
sm_ctl_process_session_established(sm_controller_t *ctl, uint64_t gen)
{
    sm_zk_broker_t b;
    int64_t epoch;

    (void)gen;

    if (sm_zk_get_broker(ctl->zk, ctl->broker_id, &b, &epoch) == SM_OK)
        ctl->broker_epoch = epoch;
    sm_zk_broker_fini(&b);
    return sm_ctl_process_reelect(ctl);
}

/* The session survived a disconnect: if an election was left undecided
 * (ZooKeeper unreachable), run it now instead of waiting for the retry. */
sm_err_t
sm_ctl_process_connected(sm_controller_t *ctl)
{
    if (ctl->active || ctl->active_id != -1)
        return SM_OK;
    return sm_ctl_process_reelect(ctl);
}

void
sm_ctl_controller_moved(sm_controller_t *ctl)
{
    sm_err_t err = sm_ctl_maybe_resign(ctl);

    if (err == SM_OK && ctl->active) {
        /* the fence failed although /controller still names us: someone
         * rewrote /controller_epoch; our writes can never succeed again */
        sm_warn(SM_CTL_LOG, "Controller epoch zkVersion %d is stale but "
                "/controller still names broker %d; resigning",
                (int)ctl->ctx.epoch_zkv, (int)ctl->broker_id);
        sm_ctl_on_resignation(ctl);
        err = sm_ctl_delete_orphan(ctl);
    }
    if (err != SM_OK)
        sm_ctl_retry_later(ctl, sm_ctl_ev_new(SM_CTL_EV_REELECT));
    sm_ctl_publish(ctl);
}
