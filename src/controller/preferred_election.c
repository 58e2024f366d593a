/*
 * preferred_election.c: moving leadership back to the preferred replica -
 * KafkaController's processReplicaLeaderElection (ZooKeeper-triggered,
 * /admin/preferred_replica_election, as kafka-preferred-replica-election.sh
 * writes it) and checkAndTriggerAutoLeaderRebalance (the
 * auto.leader.rebalance.enable timer).
 *
 * PREFERRED REPLICA.  The first replica of a partition's assignment.  An
 * election (SM_CTL_ELECT_PREFERRED in partition_sm.c) makes it leader only
 * if it is live and in the ISR; the ISR is kept and the leader epoch bumps,
 * like every leadership change.  A partition whose leader already is the
 * preferred replica is left alone (Kafka's ELECTION_NOT_NEEDED), so is one
 * of a topic queued for deletion.
 *
 * ZOOKEEPER-TRIGGERED.  The tool creates the znode; its exists/data watch
 * gives an SM_CTL_EV_PREFERRED_ELECTION.  The controller elects what it can,
 * logs what it cannot, and deletes the znode (fenced by its epoch) so the
 * next run can be started.  A znode that does not parse is logged and
 * deleted too: leaving it would block every later election.  Failover
 * processes a znode that was left pending by the previous controller.
 *
 * AUTO REBALANCE.  Every leader.imbalance.check.interval.seconds, for each
 * broker: of the partitions it is the preferred replica of, the share led by
 * someone else; above leader.imbalance.per.broker.percentage, those whose
 * preferred replica is live get a preferred election; the first check is
 * 5 s after failover, as in Kafka.  The timer is an
 * SM_CTL_EV_AUTO_REBALANCE on ctl->delayed carrying ctl->rebalance_gen: a
 * failover bumps the generation and schedules a fresh one, so a timer left
 * from an earlier term (or a resignation) does nothing.
 *
 * THREADS.  Controller thread only.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

/* Kafka checks 5 s after failover, then every interval. */
#define SM_CTL_FIRST_REBALANCE_MS 5000

/* The partition of (topic, p) in the context, or NULL. */
static sm_ctl_part_t *
sm_ctl_find_part(sm_controller_t *ctl, const char *topic, int32_t p)
{
    sm_ctl_topic_t *top = sm_ctl_ctx_topic(&ctl->ctx, topic);

    return top != NULL ? sm_ctl_topic_part(top, p) : NULL;
}

static int
sm_ctl_led_by_preferred(const sm_ctl_part_t *part)
{
    return part->has_lis && part->replicas.cnt > 0 &&
           part->lis.leader == part->replicas.v[0];
}

/* Elect the preferred replica of parts (onReplicaElection). */
static sm_err_t
sm_ctl_elect_preferred(sm_controller_t *ctl, sm_ctl_parts_t *parts,
                       const char *why)
{
    int elected = 0;
    sm_err_t err;

    if (parts->cnt == 0)
        return SM_OK;
    sm_info(SM_CTL_LOG, "Starting replica leader election (PREFERRED) for "
            "%d partition(s) triggered by %s", parts->cnt, why);
    err = sm_ctl_psm_handle(ctl, parts, SM_CTL_PST_ONLINE,
                            SM_CTL_ELECT_PREFERRED, &elected);
    sm_info(SM_CTL_LOG, "Preferred replica election (%s): %d of %d "
            "partition(s) moved to their preferred leader", why, elected,
            parts->cnt);
    return err;
}

/* The partitions of l that can and need to be elected; the others are
 * logged (Kafka's skips). */
static void
sm_ctl_preferred_candidates(sm_controller_t *ctl, const sm_zk_tps_t *l,
                            sm_ctl_parts_t *out)
{
    for (int i = 0; i < l->cnt; i++) {
        const sm_zk_tp_t *tp = &l->v[i];
        sm_ctl_part_t *part = sm_ctl_find_part(ctl, tp->topic,
                                               tp->partition);

        if (part == NULL)
            sm_warn(SM_CTL_LOG, "Skipping preferred replica election for "
                    "partition %s-%d since it does not exist", tp->topic,
                    (int)tp->partition);
        else if (sm_ctl_tdm_is_queued(ctl, part->top))
            sm_warn(SM_CTL_LOG, "Skipping preferred replica election for "
                    "partition %s-%d since the topic is being deleted",
                    tp->topic, (int)tp->partition);
        else if (sm_ctl_led_by_preferred(part))
            sm_info(SM_CTL_LOG, "Preferred replica election not needed for "
                    "partition %s-%d: its leader %d is the preferred "
                    "replica", tp->topic, (int)tp->partition,
                    (int)part->lis.leader);
        else
            sm_ctl_parts_add(out, part);
    }
}

sm_err_t
sm_ctl_process_preferred_election(sm_controller_t *ctl)
{
    sm_zk_tps_t l;
    sm_ctl_parts_t parts = { 0 };
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_zk_get_preferred_election(ctl->zk, 1, &l);
    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (sm_ctl_transient(err) || err == SM_ERR_NOT_CONTROLLER)
        return err;
    if (err != SM_OK) {
        sm_error(SM_CTL_LOG, "Ignoring /admin/preferred_replica_election: "
                 "%s; deleting it", sm_err_desc(err));
    } else {
        sm_ctl_preferred_candidates(ctl, &l, &parts);
        err = sm_ctl_elect_preferred(ctl, &parts, "ZooKeeper");
        sm_ctl_parts_fini(&parts);
        sm_zk_tps_fini(&l);
        if (sm_ctl_transient(err) || err == SM_ERR_NOT_CONTROLLER)
            return err;
    }
    err = sm_zk_delete_preferred_election(ctl->zk, ctl->ctx.epoch_zkv);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* ------------------------------------------------------- auto rebalance */

/* Partitions (not being deleted, with leadership info) whose preferred
 * replica is broker id: total count, and those led by someone else. */
static void
sm_ctl_preferred_of(const sm_ctl_parts_t *all, int32_t id, int *total,
                    sm_ctl_parts_t *not_led)
{
    *total = 0;
    for (int i = 0; i < all->cnt; i++) {
        sm_ctl_part_t *part = all->v[i];
        if (part->replicas.cnt == 0 || part->replicas.v[0] != id)
            continue;
        (*total)++;
        if (!sm_ctl_led_by_preferred(part))
            sm_ctl_parts_add(not_led, part);
    }
}

void
sm_ctl_imbalanced(sm_controller_t *ctl, sm_ctl_parts_t *out)
{
    sm_ctl_parts_t all = { 0 };
    int pct = ctl->opts.leader_imbalance_per_broker_percentage;

    sm_ctl_ctx_with_leaders(&ctl->ctx, &all);
    for (int b = 0; b < ctl->ctx.nbrokers; b++) {
        int32_t id = ctl->ctx.brokers[b].md.id;
        sm_ctl_parts_t not_led = { 0 };
        int total;

        sm_ctl_preferred_of(&all, id, &total, &not_led);
        if (total > 0 && (int64_t)not_led.cnt * 100 > (int64_t)pct * total) {
            sm_debug(SM_CTL_LOG, "Leader imbalance ratio for broker %d is "
                     "%d/%d", (int)id, not_led.cnt, total);
            for (int i = 0; i < not_led.cnt; i++)
                if (sm_ctl_is_replica_online(&ctl->ctx, not_led.v[i], id))
                    sm_ctl_parts_add(out, not_led.v[i]);
        }
        sm_ctl_parts_fini(&not_led);
    }
    sm_ctl_parts_fini(&all);
}

/* The next check in delay_ms. */
static void
sm_ctl_schedule_rebalance(sm_controller_t *ctl, int64_t delay_ms)
{
    sm_ctl_ev_t *ev = sm_ctl_ev_new(SM_CTL_EV_AUTO_REBALANCE);

    ev->gen = ctl->rebalance_gen;
    sm_ctl_run_later(ctl, ev, delay_ms);
}

sm_err_t
sm_ctl_process_auto_rebalance(sm_controller_t *ctl, const sm_ctl_ev_t *ev)
{
    sm_ctl_parts_t parts = { 0 };
    sm_err_t err;

    if (!ctl->active || ev->gen != ctl->rebalance_gen)
        return SM_OK;                   /* a timer of an earlier term */
    if (ev->retries == 0)
        sm_ctl_schedule_rebalance(ctl,
                                  ctl->opts.leader_imbalance_check_interval_ms);
    sm_ctl_imbalanced(ctl, &parts);
    err = sm_ctl_elect_preferred(ctl, &parts, "auto rebalance");
    sm_ctl_parts_fini(&parts);
    return err;
}

sm_err_t
sm_ctl_preferred_startup(sm_controller_t *ctl)
{
    int64_t first = ctl->opts.leader_imbalance_check_interval_ms;

    ctl->rebalance_gen++;
    if (first > SM_CTL_FIRST_REBALANCE_MS)
        first = SM_CTL_FIRST_REBALANCE_MS;
    if (ctl->opts.auto_leader_rebalance_enable)
        sm_ctl_schedule_rebalance(ctl, first);
    return sm_ctl_process_preferred_election(ctl);
}
