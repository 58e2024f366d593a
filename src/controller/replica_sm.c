/*
 * replica_sm.c: the replica state machine - Kafka's ReplicaStateMachine.
 *
 * A replica is (partition, broker).  States and validPreviousStates are in
 * controller_int.h.  What each transition does:
 *
 *   NonExistent -> New          LeaderAndIsr(IsNew) with the current
 *                               leadership to the replica (refused if it
 *                               is the leader)
 *   New -> Online               nothing to send (it already got one)
 *   Online/Offline/Ineligible -> Online
 *                               LeaderAndIsr with the current leadership
 *   * -> Offline                StopReplica(delete = false) to it; remove
 *                               it from the ISR in the state znode (leader
 *                               -1 if it led; the last ISR member is kept
 *                               so a clean election stays possible); then
 *                               LeaderAndIsr to the other replicas, unless
 *                               the topic is being deleted
 *   Offline -> DeletionStarted  StopReplica(delete = true), completion
 *                               reported as SM_CTL_EV_STOP_REPLICA_DONE
 *   -> DeletionSuccessful / DeletionIneligible
 *                               bookkeeping (topic_deletion.c decides)
 *   DeletionSuccessful -> NonExistent
 *                               drop the replica from the assignment
 *
 * The ISR removal re-reads the state znode and writes at its zkVersion,
 * retrying a lost race up to opts.max_election_rounds times, like the
 * partition state machine.
 *
 * THREADS.  Controller thread only.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

const char *
sm_ctl_rst_name(sm_ctl_rst_t st)
{
    static const char *const names[SM_CTL_RST_CNT] = {
        "NonExistentReplica", "NewReplica", "OnlineReplica",
        "OfflineReplica", "ReplicaDeletionStarted",
        "ReplicaDeletionSuccessful", "ReplicaDeletionIneligible",
    };
    return (unsigned)st < SM_CTL_RST_CNT ? names[st] : "?";
}

#define SM_CTL_BIT(s) (1u << (s))

static const unsigned sm_ctl_rst_prev[SM_CTL_RST_CNT] = {
    [SM_CTL_RST_NONEXISTENT] = SM_CTL_BIT(SM_CTL_RST_DELETION_SUCCESSFUL),
    [SM_CTL_RST_NEW] = SM_CTL_BIT(SM_CTL_RST_NONEXISTENT),
    [SM_CTL_RST_ONLINE] = SM_CTL_BIT(SM_CTL_RST_NEW) |
        SM_CTL_BIT(SM_CTL_RST_ONLINE) | SM_CTL_BIT(SM_CTL_RST_OFFLINE) |
        SM_CTL_BIT(SM_CTL_RST_DELETION_INELIGIBLE),
    [SM_CTL_RST_OFFLINE] = SM_CTL_BIT(SM_CTL_RST_NEW) |
        SM_CTL_BIT(SM_CTL_RST_ONLINE) | SM_CTL_BIT(SM_CTL_RST_OFFLINE) |
        SM_CTL_BIT(SM_CTL_RST_DELETION_INELIGIBLE),
    [SM_CTL_RST_DELETION_STARTED] = SM_CTL_BIT(SM_CTL_RST_OFFLINE),
    [SM_CTL_RST_DELETION_SUCCESSFUL] =
        SM_CTL_BIT(SM_CTL_RST_DELETION_STARTED),
    [SM_CTL_RST_DELETION_INELIGIBLE] = SM_CTL_BIT(SM_CTL_RST_OFFLINE) |
        SM_CTL_BIT(SM_CTL_RST_DELETION_STARTED),
};

int
sm_ctl_rsm_valid(sm_ctl_rst_t from, sm_ctl_rst_t to)
{
    return (unsigned)to < SM_CTL_RST_CNT &&
           (sm_ctl_rst_prev[to] & SM_CTL_BIT(from)) != 0;
}

static void
sm_ctl_rsm_failed(sm_controller_t *ctl, const sm_ctl_rep_t *rep,
                  sm_ctl_rst_t to, const char *why)
{
    sm_error(SM_CTL_LOG, "Controller %d epoch %d initiated state change of "
             "replica %d for partition %s-%d from %s to %s failed: %s",
             (int)ctl->broker_id, (int)ctl->ctx.epoch, (int)rep->id,
             rep->part->top->name, (int)rep->part->partition,
             sm_ctl_rst_name(sm_ctl_rep_state(rep)), sm_ctl_rst_name(to),
             why);
}

/*
 * The one place a replica state changes.  NonExistent removes the replica
 * from the assignment (Kafka's removeReplicaState + the assignment update).
 */
sm_err_t
sm_ctl_rsm_set_state(sm_controller_t *ctl, const sm_ctl_rep_t *rep,
                     sm_ctl_rst_t to)
{
    sm_ctl_rst_t from = sm_ctl_rep_state(rep);
    int i = sm_ctl_part_replica_idx(rep->part, rep->id);

    if (!sm_ctl_rsm_valid(from, to) || i < 0) {
        sm_ctl_rsm_failed(ctl, rep, to, i < 0 ? "not an assigned replica"
                          : "not a valid previous state");
        return SM_ERR__STATE;
    }
    sm_debug(SM_CTL_LOG, "Changed state of replica %d for partition %s-%d "
             "from %s to %s", (int)rep->id, rep->part->top->name,
             (int)rep->part->partition, sm_ctl_rst_name(from),
             sm_ctl_rst_name(to));
    if (to == SM_CTL_RST_NONEXISTENT)
        sm_ctl_part_remove_replica(rep->part, rep->id);
    else
        rep->part->rst[i] = to;
    return SM_OK;
}

static int
sm_ctl_abort(sm_err_t err)
{
    return err == SM_ERR_NOT_CONTROLLER || sm_ctl_transient(err);
}

/* ------------------------------------------------------------ ISR */

/* One attempt of doRemoveReplicasFromIsr for one replica: SM_OK (the
 * leadership info is fresh), SM_ERR__BAD_VERSION (retry), other errors. */
static sm_err_t
sm_ctl_isr_remove_once(sm_controller_t *ctl, const sm_ctl_rep_t *rep)
{
    sm_ctl_part_t *part = rep->part;
    sm_zk_part_state_t s;
    sm_err_t err;
    int n = 0;

    err = sm_zk_get_partition_state(ctl->zk, part->top->name,
                                    part->partition, &s);
    if (err != SM_OK)
        return err;
    if (s.controller_epoch > ctl->ctx.epoch) {
        err = SM_ERR_STALE_CONTROLLER_EPOCH;
        goto out;
    }
    if (sm_ctl_ints_has(&s.isr, rep->id)) {
        if (s.leader == rep->id)
            s.leader = SM_NO_LEADER;
        if (s.isr.cnt > 1) {
            for (int i = 0; i < s.isr.cnt; i++)
                if (s.isr.v[i] != rep->id)
                    s.isr.v[n++] = s.isr.v[i];
            s.isr.cnt = n;
        }
        s.leader_epoch++;
        s.controller_epoch = ctl->ctx.epoch;
        err = sm_zk_set_partition_state(ctl->zk, part->top->name,
                                        part->partition, &s,
                                        ctl->ctx.epoch_zkv);
        if (err != SM_OK)
            goto out;
        sm_info(SM_CTL_LOG, "Partition %s-%d state changed to leader %d, "
                "leader epoch %d, ISR of %d after removing replica %d from "
                "the ISR", part->top->name, (int)part->partition,
                (int)s.leader, (int)s.leader_epoch, s.isr.cnt, (int)rep->id);
    }
    sm_ctl_part_set_lis(part, &s);
out:
    sm_zk_part_state_fini(&s);
    return err;
}

static sm_err_t
sm_ctl_isr_remove(sm_controller_t *ctl, const sm_ctl_rep_t *rep)
{
    sm_err_t err = SM_ERR__BAD_VERSION;

    for (int round = 0; round < ctl->opts.max_election_rounds &&
                        err == SM_ERR__BAD_VERSION; round++)
        err = sm_ctl_isr_remove_once(ctl, rep);
    return err;
}

/* ------------------------------------------------------------ transitions */

static void
sm_ctl_to_new(sm_controller_t *ctl, const sm_ctl_rep_t *rep)
{
    sm_ctl_part_t *part = rep->part;

    if (part->has_lis && part->lis.leader == rep->id) {
        sm_ctl_rsm_failed(ctl, rep, SM_CTL_RST_NEW, "it is requested to "
                          "become leader");
        return;
    }
    if (part->has_lis)
        sm_ctl_batch_add_lai(ctl, &rep->id, 1, part, 1);
    sm_ctl_rsm_set_state(ctl, rep, SM_CTL_RST_NEW);
}

static void
sm_ctl_to_online(sm_controller_t *ctl, const sm_ctl_rep_t *rep)
{
    if (sm_ctl_rep_state(rep) != SM_CTL_RST_NEW && rep->part->has_lis)
        sm_ctl_batch_add_lai(ctl, &rep->id, 1, rep->part, 0);
    sm_ctl_rsm_set_state(ctl, rep, SM_CTL_RST_ONLINE);
}

static sm_err_t
sm_ctl_to_offline(sm_controller_t *ctl, const sm_ctl_rep_t *rep)
{
    sm_ctl_part_t *part = rep->part;
    int32_t *others;
    sm_err_t err;
    int n = 0;

    sm_ctl_batch_add_stop(ctl, rep->id, part, 0);
    if (!part->has_lis) {
        sm_ctl_batch_add_um(ctl, NULL, 0, NULL);
        sm_ctl_batch_add_um_part(ctl, part);
        return sm_ctl_rsm_set_state(ctl, rep, SM_CTL_RST_OFFLINE);
    }
    err = sm_ctl_isr_remove(ctl, rep);
    if (err == SM_ERR__NOENT && sm_ctl_tdm_is_queued(ctl, part->top))
        return sm_ctl_rsm_set_state(ctl, rep, SM_CTL_RST_OFFLINE);
    if (err != SM_OK) {
        if (!sm_ctl_abort(err))
            sm_ctl_rsm_failed(ctl, rep, SM_CTL_RST_OFFLINE, err ==
                              SM_ERR__NOENT ? "the leader and isr path in "
                              "zookeeper is empty" : sm_err_desc(err));
        return err;
    }
    if (!sm_ctl_tdm_is_queued(ctl, part->top)) {
        others = sm_calloc((size_t)part->replicas.cnt + 1, sizeof(*others));
        for (int i = 0; i < part->replicas.cnt; i++)
            if (part->replicas.v[i] != rep->id)
                others[n++] = part->replicas.v[i];
        sm_ctl_batch_add_lai(ctl, others, n, part, 0);
        sm_free(others);
    }
    return sm_ctl_rsm_set_state(ctl, rep, SM_CTL_RST_OFFLINE);
}

static sm_err_t
sm_ctl_rsm_one(sm_controller_t *ctl, const sm_ctl_rep_t *rep,
               sm_ctl_rst_t to)
{
    switch (to) {
    case SM_CTL_RST_NEW:
        sm_ctl_to_new(ctl, rep);
        return SM_OK;
    case SM_CTL_RST_ONLINE:
        sm_ctl_to_online(ctl, rep);
        return SM_OK;
    case SM_CTL_RST_OFFLINE:
        return sm_ctl_to_offline(ctl, rep);
    case SM_CTL_RST_DELETION_STARTED:
        sm_ctl_rsm_set_state(ctl, rep, to);
        sm_ctl_batch_add_stop(ctl, rep->id, rep->part, 1);
        return SM_OK;
    default:
        sm_ctl_rsm_set_state(ctl, rep, to);
        return SM_OK;
    }
}

sm_err_t
sm_ctl_rsm_handle(sm_controller_t *ctl, sm_ctl_reps_t *reps, sm_ctl_rst_t to)
{
    sm_err_t err = SM_OK;

    if (reps->cnt == 0)
        return SM_OK;
    sm_ctl_batch_new(ctl);
    for (int i = 0; i < reps->cnt && !sm_ctl_abort(err); i++) {
        const sm_ctl_rep_t *rep = &reps->v[i];
        if (!sm_ctl_rsm_valid(sm_ctl_rep_state(rep), to)) {
            sm_ctl_rsm_failed(ctl, rep, to, "not a valid previous state");
            continue;
        }
        err = sm_ctl_rsm_one(ctl, rep, to);
    }
    if (err == SM_ERR_NOT_CONTROLLER)
        sm_ctl_batch_clear(&ctl->batch);
    else
        sm_ctl_batch_send(ctl);
    return sm_ctl_abort(err) ? err : SM_OK;
}

/* ReplicaStateMachine.startup: live replicas Online (LeaderAndIsr with the
 * current leadership), dead ones Offline (ISR shrink). */
sm_err_t
sm_ctl_rsm_startup(sm_controller_t *ctl)
{
    sm_ctl_reps_t online = { 0 }, offline = { 0 };
    sm_ctl_parts_t all = { 0 };
    sm_err_t err;

    sm_ctl_ctx_all_parts(&ctl->ctx, &all);
    for (int i = 0; i < all.cnt; i++) {
        sm_ctl_part_t *part = all.v[i];
        for (int r = 0; r < part->replicas.cnt; r++) {
            int32_t id = part->replicas.v[r];
            if (sm_ctl_is_replica_online(&ctl->ctx, part, id)) {
                part->rst[r] = SM_CTL_RST_ONLINE;
                sm_ctl_reps_add(&online, part, id);
            } else {
                /* a dead replica of a topic being deleted must not stay
                 * "started" (Kafka's reasoning) */
                part->rst[r] = SM_CTL_RST_DELETION_INELIGIBLE;
                sm_ctl_reps_add(&offline, part, id);
            }
        }
    }
    err = sm_ctl_rsm_handle(ctl, &online, SM_CTL_RST_ONLINE);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &offline, SM_CTL_RST_OFFLINE);
    sm_ctl_reps_fini(&online);
    sm_ctl_reps_fini(&offline);
    sm_ctl_parts_fini(&all);
    return err;
}
