/*
 * reassignment.c: partition reassignment driven by /admin/reassign_partitions
 * (what kafka-reassign-partitions.sh --execute writes) - KafkaController's
 * ZooKeeper-mode onPartitionReassignment (Kafka 2.3, before KIP-455).
 *
 * For partition P moving from OAR (current replicas) to RAR (target):
 *
 *   start     AR := RAR + (OAR - RAR) in the context and in
 *             /brokers/topics/<t>; leader epoch + 1 with the leader kept
 *             (LeaderAndIsr to the live replicas of AR); RAR - OAR become
 *             NewReplica (LeaderAndIsr IsNew: they start fetching); a data
 *             watch on P's state znode.
 *   wait      every state znode change of P (the leader expanding its ISR
 *             as the new replicas catch up) gives SM_CTL_EV_REASSIGN_ISR,
 *             which re-checks "RAR within ISR".
 *   complete  RAR -> OnlineReplica; leader kept if in RAR (and live, in
 *             the ISR), else the first such replica of RAR, epoch + 1;
 *             OAR - RAR -> Offline (out of the ISR, StopReplica) ->
 *             DeletionStarted (StopReplica delete) -> NonExistent; AR :=
 *             RAR in the context and in ZooKeeper; P leaves
 *             /admin/reassign_partitions (deleted when empty); metadata to
 *             every broker.
 *
 * A request is refused (logged, and dropped from the znode) when its topic
 * is being deleted, the partition does not exist, the target equals the
 * current assignment, the target is empty, or a target replica is not
 * alive (Kafka 2.3's initiateReassignReplicasForTopicPartition).  The
 * data copy itself is ordinary replication: followers fetch from the
 * leader, the leader adds them to the ISR.
 *
 * The znode has a data/exists watch (re-armed on every event, deletion
 * included); failover resumes what the previous controller left.
 * Partitions already being moved are not restarted by a rewrite of the
 * znode.
 *
 * THREADS.  Controller thread only.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

/* Is every replica of P's target in the ISR of its state znode? */
static sm_err_t
sm_ctl_rar_in_isr(sm_controller_t *ctl, sm_ctl_part_t *part, int *yes)
{
    sm_zk_part_state_t s;
    sm_err_t err = sm_zk_get_partition_state(ctl->zk, part->top->name,
                                             part->partition, &s);

    *yes = 0;
    if (err != SM_OK)
        return err;
    *yes = 1;
    for (int i = 0; i < part->reassign_to.cnt; i++)
        *yes &= sm_ctl_ints_has(&s.isr, part->reassign_to.v[i]);
    sm_zk_part_state_fini(&s);
    return SM_OK;
}

/* Replicas of the current assignment that are (in_target) or are not in
 * the target, as (part, id) pairs. */
static void
sm_ctl_reps_by_target(sm_ctl_part_t *part, const sm_zk_ints_t *ids,
                      int in_target, sm_ctl_reps_t *out)
{
    for (int i = 0; i < ids->cnt; i++)
        if (sm_ctl_ints_has(&part->reassign_to, ids->v[i]) == in_target)
            sm_ctl_reps_add(out, part, ids->v[i]);
}

/* Watch P's state znode (data changes give SM_CTL_EV_REASSIGN_ISR). */
static sm_err_t
sm_ctl_watch_state(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    char *path = sm_zk_path_partition_state(part->top->name,
                                            part->partition);
    sm_err_t err = sm_zk_exists(ctl->zk, path, 1, NULL);

    sm_free(path);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* One-partition lists for the state machines. */
static sm_err_t
sm_ctl_elect_one_part(sm_controller_t *ctl, sm_ctl_part_t *part,
                      sm_ctl_strategy_t strategy)
{
    sm_ctl_parts_t l = { 0 };
    sm_err_t err;

    sm_ctl_parts_add(&l, part);
    err = sm_ctl_psm_handle(ctl, &l, SM_CTL_PST_ONLINE, strategy, NULL);
    sm_ctl_parts_fini(&l);
    return err;
}

/* Steps 1-3: AR := RAR + OAR, epoch bump, new replicas started. */
static sm_err_t
sm_ctl_reassign_start(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    sm_zk_ints_t ar = { 0 }, old = { 0 };
    sm_ctl_reps_t fresh = { 0 };
    sm_err_t err;

    sm_zk_ints_set(&old, part->replicas.v, part->replicas.cnt);
    sm_zk_ints_set(&ar, part->reassign_to.v, part->reassign_to.cnt);
    for (int i = 0; i < old.cnt; i++)
        if (!sm_ctl_ints_has(&ar, old.v[i])) {
            sm_zk_ints_t tmp = { 0 };
            int32_t *v = sm_calloc((size_t)ar.cnt + 1, sizeof(*v));
            memcpy(v, ar.v, sizeof(*v) * (size_t)ar.cnt);
            v[ar.cnt] = old.v[i];
            sm_zk_ints_set(&tmp, v, ar.cnt + 1);
            sm_free(v);
            sm_zk_ints_fini(&ar);
            ar = tmp;
        }
    sm_ctl_part_set_replicas(part, ar.v, ar.cnt);
    err = sm_ctl_restore_assignment(ctl, part->top);
    if (err == SM_OK)
        err = sm_ctl_elect_one_part(ctl, part, SM_CTL_ELECT_REASSIGN_START);
    if (err == SM_OK || err == SM_ERR__STATE) {
        for (int i = 0; i < part->reassign_to.cnt; i++)
            if (!sm_ctl_ints_has(&old, part->reassign_to.v[i]))
                sm_ctl_reps_add(&fresh, part, part->reassign_to.v[i]);
        err = sm_ctl_rsm_handle(ctl, &fresh, SM_CTL_RST_NEW);
    }
    sm_info(SM_CTL_LOG, "Waiting for the %d new replica(s) of partition "
            "%s-%d being reassigned to catch up with the leader",
            fresh.cnt, part->top->name, (int)part->partition);
    sm_ctl_reps_fini(&fresh);
    sm_zk_ints_fini(&ar);
    sm_zk_ints_fini(&old);
    return err;
}

/* Drop P from /admin/reassign_partitions (the whole znode when empty). */
static sm_err_t
sm_ctl_reassign_forget(sm_controller_t *ctl, const char *topic, int32_t p)
{
    sm_zk_tps_t l, keep = { 0 };
    sm_err_t err = sm_zk_get_reassignment(ctl->zk, 0, &l);

    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (err != SM_OK)
        return err;
    for (int i = 0; i < l.cnt; i++)
        if (strcmp(l.v[i].topic, topic) != 0 || l.v[i].partition != p) {
            sm_zk_tp_t *tp = sm_zk_tps_add(&keep, l.v[i].topic,
                                           l.v[i].partition);
            sm_zk_ints_set(&tp->replicas, l.v[i].replicas.v,
                           l.v[i].replicas.cnt);
        }
    err = keep.cnt == 0
        ? sm_zk_delete_reassignment(ctl->zk, ctl->ctx.epoch_zkv)
        : sm_zk_set_reassignment(ctl->zk, &keep, ctl->ctx.epoch_zkv);
    sm_zk_tps_fini(&l);
    sm_zk_tps_fini(&keep);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* OAR - RAR: Offline, then deleted (Kafka does not wait for the
 * StopReplica answers either). */
static sm_err_t
sm_ctl_reassign_stop_old(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    sm_ctl_reps_t old = { 0 };
    sm_err_t err;

    sm_ctl_reps_by_target(part, &part->replicas, 0, &old);
    err = sm_ctl_rsm_handle(ctl, &old, SM_CTL_RST_OFFLINE);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &old, SM_CTL_RST_DELETION_STARTED);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &old,
                                SM_CTL_RST_DELETION_SUCCESSFUL);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &old, SM_CTL_RST_NONEXISTENT);
    sm_ctl_reps_fini(&old);
    return err;
}

/* Steps 5-12, once RAR is within the ISR. */
static sm_err_t
sm_ctl_reassign_complete(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    sm_ctl_reps_t rar = { 0 };
    sm_ctl_parts_t one = { 0 };
    sm_err_t err;

    sm_ctl_reps_by_target(part, &part->reassign_to, 1, &rar);
    err = sm_ctl_rsm_handle(ctl, &rar, SM_CTL_RST_ONLINE);
    sm_ctl_reps_fini(&rar);
    if (err == SM_OK)
        err = sm_ctl_elect_one_part(ctl, part, SM_CTL_ELECT_REASSIGN);
    if (err == SM_OK)
        err = sm_ctl_reassign_stop_old(ctl, part);
    if (err != SM_OK)
        return err;
    sm_ctl_part_set_replicas(part, part->reassign_to.v,
                             part->reassign_to.cnt);
    sm_zk_ints_fini(&part->reassign_to);
    err = sm_ctl_restore_assignment(ctl, part->top);
    if (err == SM_OK)
        err = sm_ctl_reassign_forget(ctl, part->top->name, part->partition);
    if (err != SM_OK)
        return err;
    sm_ctl_parts_add(&one, part);
    sm_ctl_send_update_metadata(ctl, NULL, 0, &one);
    sm_ctl_parts_fini(&one);
    sm_info(SM_CTL_LOG, "Reassignment of partition %s-%d completed",
            part->top->name, (int)part->partition);
    return SM_OK;
}

/* onPartitionReassignment: start, or complete if RAR already caught up. */
static sm_err_t
sm_ctl_on_reassignment(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    int caught_up;
    sm_err_t err = sm_ctl_rar_in_isr(ctl, part, &caught_up);

    if (err != SM_OK)
        return err;
    if (caught_up)
        return sm_ctl_reassign_complete(ctl, part);
    err = sm_ctl_watch_state(ctl, part);
    if (err != SM_OK)
        return err;
    /* resumed after a failover, AR already holds RAR + OAR: its new
     * replicas were started and are catching up, keep waiting */
    for (int i = 0; i < part->reassign_to.cnt; i++)
        if (!sm_ctl_ints_has(&part->replicas, part->reassign_to.v[i]))
            return sm_ctl_reassign_start(ctl, part);
    return SM_OK;
}

/* Why the request for part (to rar) is refused, or NULL. */
static const char *
sm_ctl_reassign_refusal(sm_controller_t *ctl, sm_ctl_part_t *part,
                        const sm_zk_ints_t *rar)
{
    int same;

    if (sm_ctl_tdm_is_queued(ctl, part->top))
        return "its topic is being deleted";
    if (rar->cnt == 0)
        return "the new replica list is empty";
    same = rar->cnt == part->replicas.cnt;
    for (int i = 0; same && i < rar->cnt; i++)
        same = rar->v[i] == part->replicas.v[i];
    if (same)
        return "it is already assigned to these replicas";
    for (int i = 0; i < rar->cnt; i++)
        if (!sm_ctl_ctx_is_live(&ctl->ctx, rar->v[i]))
            return "not all of its new replicas are alive";
    return NULL;
}

/* One entry of the znode: refuse, skip (already moving) or begin. */
static sm_err_t
sm_ctl_reassign_begin(sm_controller_t *ctl, const sm_zk_tp_t *tp)
{
    sm_ctl_topic_t *top = sm_ctl_ctx_topic(&ctl->ctx, tp->topic);
    sm_ctl_part_t *part = top ? sm_ctl_topic_part(top, tp->partition) : NULL;
    const char *why;

    if (part != NULL && part->reassign_to.cnt > 0)
        return SM_OK;                   /* in progress */
    why = part == NULL ? "it does not exist"
                       : sm_ctl_reassign_refusal(ctl, part, &tp->replicas);
    if (why != NULL) {
        sm_error(SM_CTL_LOG, "Skipping reassignment of partition %s-%d "
                 "since %s", tp->topic, (int)tp->partition, why);
        return sm_ctl_reassign_forget(ctl, tp->topic, tp->partition);
    }
    sm_info(SM_CTL_LOG, "Handling reassignment of partition %s-%d to new "
            "replicas (%d of them)", tp->topic, (int)tp->partition,
            tp->replicas.cnt);
    sm_zk_ints_set(&part->reassign_to, tp->replicas.v, tp->replicas.cnt);
    return sm_ctl_on_reassignment(ctl, part);
}

sm_err_t
sm_ctl_process_reassignment(sm_controller_t *ctl)
{
    sm_zk_tps_t l;
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_zk_get_reassignment(ctl->zk, 1, &l);
    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (err != SM_OK && !sm_ctl_transient(err) &&
        err != SM_ERR_NOT_CONTROLLER) {
        sm_error(SM_CTL_LOG, "Ignoring /admin/reassign_partitions: %s; "
                 "deleting it", sm_err_desc(err));
        err = sm_zk_delete_reassignment(ctl->zk, ctl->ctx.epoch_zkv);
        return err == SM_ERR__NOENT ? SM_OK : err;
    }
    for (int i = 0; err == SM_OK && i < l.cnt; i++)
        err = sm_ctl_reassign_begin(ctl, &l.v[i]);
    sm_zk_tps_fini(&l);
    return err;
}

sm_err_t
sm_ctl_process_reassign_isr(sm_controller_t *ctl, const char *topic,
                            int32_t partition)
{
    sm_ctl_topic_t *top;
    sm_ctl_part_t *part;
    int caught_up;
    sm_err_t err;

    if (!ctl->active || (top = sm_ctl_ctx_topic(&ctl->ctx, topic)) == NULL ||
        (part = sm_ctl_topic_part(top, partition)) == NULL ||
        part->reassign_to.cnt == 0)
        return SM_OK;                   /* not being moved (any more) */
    err = sm_ctl_watch_state(ctl, part);
    if (err == SM_OK)
        err = sm_ctl_rar_in_isr(ctl, part, &caught_up);
    if (err == SM_OK && caught_up)
        err = sm_ctl_reassign_complete(ctl, part);
    return err;
}
