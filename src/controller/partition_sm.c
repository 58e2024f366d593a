/*
 * partition_sm.c: the partition state machine and leader election - Kafka's
 * PartitionStateMachine, Election and PartitionLeaderElectionAlgorithms.
 *
 * STATES (controller_int.h has the diagram).  What each transition does:
 *
 *   NonExistent -> New       the assignment is known (nothing to write)
 *   New -> Online            leader = first live replica in assignment
 *                            order, ISR = the live replicas; create the
 *                            state znode (controller epoch, leader epoch
 *                            0); LeaderAndIsr(IsNew) to the ISR,
 *                            UpdateMetadata to all
 *   Online/Offline -> Online elect a leader (strategy): re-read the state
 *                            znode, choose, write it at its zkVersion with
 *                            leader epoch + 1; LeaderAndIsr to the live
 *                            replicas, UpdateMetadata to all
 *   New/Online/Offline -> Offline, Offline -> NonExistent
 *                            bookkeeping only
 *
 * A partition whose election finds no leader stays where it was (New, or
 * Offline).  The state znode then keeps its last leader until the replica
 * state machine removes the dead replica from the ISR, which writes leader
 * -1 (replica_sm.c), as in Kafka.
 *
 * CONCURRENT WRITERS.  Partition leaders also update the state znode (ISR
 * shrink/expand, conditional on its zkVersion).  An election therefore
 * re-reads the znode first and writes conditionally; a lost race
 * (SM_ERR__BAD_VERSION) retries the partition, up to
 * opts.max_election_rounds rounds.  A znode written by a newer controller
 * epoch aborts that partition's election.
 *
 * THREADS.  Controller thread only.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"
#include "server/config.h"

const char *
sm_ctl_pst_name(sm_ctl_pst_t st)
{
    static const char *const names[SM_CTL_PST_CNT] = {
        "NonExistentPartition", "NewPartition", "OnlinePartition",
        "OfflinePartition",
    };
    return (unsigned)st < SM_CTL_PST_CNT ? names[st] : "?";
}

#define SM_CTL_BIT(s) (1u << (s))

/* validPreviousStates, per target state. */
static const unsigned sm_ctl_pst_prev[SM_CTL_PST_CNT] = {
    [SM_CTL_PST_NONEXISTENT] = SM_CTL_BIT(SM_CTL_PST_OFFLINE),
    [SM_CTL_PST_NEW]         = SM_CTL_BIT(SM_CTL_PST_NONEXISTENT),
    [SM_CTL_PST_ONLINE]      = SM_CTL_BIT(SM_CTL_PST_NEW) |
                               SM_CTL_BIT(SM_CTL_PST_ONLINE) |
                               SM_CTL_BIT(SM_CTL_PST_OFFLINE),
    [SM_CTL_PST_OFFLINE]     = SM_CTL_BIT(SM_CTL_PST_NEW) |
                               SM_CTL_BIT(SM_CTL_PST_ONLINE) |
                               SM_CTL_BIT(SM_CTL_PST_OFFLINE),
};

int
sm_ctl_psm_valid(sm_ctl_pst_t from, sm_ctl_pst_t to)
{
    return (unsigned)to < SM_CTL_PST_CNT &&
           (sm_ctl_pst_prev[to] & SM_CTL_BIT(from)) != 0;
}

static void
sm_ctl_psm_failed(sm_controller_t *ctl, const sm_ctl_part_t *part,
                  sm_ctl_pst_t to, const char *why)
{
    sm_error(SM_CTL_LOG, "Controller %d epoch %d failed to change state for "
             "partition %s-%d from %s to %s: %s", (int)ctl->broker_id,
             (int)ctl->ctx.epoch, part->top->name, (int)part->partition,
             sm_ctl_pst_name(part->pst), sm_ctl_pst_name(to), why);
}

sm_err_t
sm_ctl_psm_set_state(sm_controller_t *ctl, sm_ctl_part_t *part,
                     sm_ctl_pst_t to)
{
    if (!sm_ctl_psm_valid(part->pst, to)) {
        sm_ctl_psm_failed(ctl, part, to, "not a valid previous state");
        return SM_ERR__STATE;
    }
    sm_debug(SM_CTL_LOG, "Changed partition %s-%d state from %s to %s",
             part->top->name, (int)part->partition,
             sm_ctl_pst_name(part->pst), sm_ctl_pst_name(to));
    part->pst = to;
    return SM_OK;
}

/* Errors that end the whole event (see controller_int.h ERRORS). */
static int
sm_ctl_abort(sm_err_t err)
{
    return err == SM_ERR_NOT_CONTROLLER || sm_ctl_transient(err);
}

/* ------------------------------------------------------------ algorithm */

static int
sm_ctl_has(const int32_t *v, int n, int32_t x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

int32_t
sm_ctl_offline_leader(const int32_t *assignment, int nassign,
                      const int32_t *isr, int nisr, const int32_t *live,
                      int nlive, int unclean, int *unclean_used)
{
    if (unclean_used != NULL)
        *unclean_used = 0;
    for (int i = 0; i < nassign; i++)
        if (sm_ctl_has(live, nlive, assignment[i]) &&
            sm_ctl_has(isr, nisr, assignment[i]))
            return assignment[i];
    if (!unclean)
        return -1;
    for (int i = 0; i < nassign; i++)
        if (sm_ctl_has(live, nlive, assignment[i])) {
            if (unclean_used != NULL)
                *unclean_used = 1;
            return assignment[i];
        }
    return -1;
}

/* Kafka's boolean config parsing: trimmed, case-insensitive. */
static int
sm_ctl_parse_bool(const char *s, int *out)
{
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 4 && strncasecmp(s, "true", 4) == 0)
        *out = 1;
    else if (n == 5 && strncasecmp(s, "false", 5) == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

sm_err_t
sm_ctl_topic_unclean(sm_controller_t *ctl, const char *topic, int *unclean)
{
    const char *key = sm_topic_conf_name(SM_TK_unclean_leader_election_enable);
    sm_zk_config_t c = { 0 };
    const char *v;
    sm_err_t err;

    *unclean = ctl->opts.unclean_leader_election_enable;
    err = sm_zk_get_entity_config(ctl->zk, SM_ZK_ENTITY_TOPICS, topic, &c);
    if (err == SM_OK && (v = sm_zk_config_get(&c, key)) != NULL &&
        sm_ctl_parse_bool(v, unclean) != 0) {
        sm_error(SM_CTL_LOG, "Invalid value %s for configuration %s of "
                 "topic %s: Expected value to be either true or false", v,
                 key, topic);
        err = SM_ERR_INVALID_CONFIG;
    }
    sm_zk_config_fini(&c);
    return err;
}

/* ------------------------------------------------------------ New */

/* NewPartition -> OnlinePartition for one partition. */
static sm_err_t
sm_ctl_init_one(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    sm_zk_part_state_t s = { .leader = -1 };
    sm_err_t err;

    s.isr.v = sm_calloc((size_t)part->replicas.cnt + 1, sizeof(int32_t));
    for (int i = 0; i < part->replicas.cnt; i++)
        if (sm_ctl_is_replica_online(&ctl->ctx, part, part->replicas.v[i]))
            s.isr.v[s.isr.cnt++] = part->replicas.v[i];
    if (s.isr.cnt == 0) {
        sm_ctl_psm_failed(ctl, part, SM_CTL_PST_ONLINE,
                          "no assigned replica is alive");
        err = SM_ERR__STATE;
        goto out;
    }
    s.leader = s.isr.v[0];
    s.leader_epoch = 0;
    s.controller_epoch = ctl->ctx.epoch;
    err = sm_zk_create_partition_state(ctl->zk, part->top->name,
                                       part->partition, &s,
                                       ctl->ctx.epoch_zkv);
    if (err != SM_OK) {
        if (!sm_ctl_abort(err))
            sm_ctl_psm_failed(ctl, part, SM_CTL_PST_ONLINE,
                              sm_err_desc(err));
        goto out;
    }
    sm_ctl_part_set_lis(part, &s);
    sm_ctl_batch_add_lai(ctl, s.isr.v, s.isr.cnt, part, 1);
    sm_info(SM_CTL_LOG, "Changed partition %s-%d from NewPartition to "
            "OnlinePartition with leader %d, leader epoch 0",
            part->top->name, (int)part->partition, (int)s.leader);
    err = sm_ctl_psm_set_state(ctl, part, SM_CTL_PST_ONLINE);
out:
    sm_zk_part_state_fini(&s);
    return err;
}

/* ------------------------------------------------------------ election */

/* Unclean decision for part, reading the topic config at most once per
 * topic in a row (partitions come grouped by topic). */
typedef struct sm_ctl_unclean_cache {
    const sm_ctl_topic_t *top;
    int unclean;
    sm_err_t err;
} sm_ctl_unclean_cache_t;

static sm_err_t
sm_ctl_unclean_for(sm_controller_t *ctl, sm_ctl_part_t *part,
                   sm_ctl_unclean_cache_t *uc, int *unclean)
{
    if (uc->top != part->top) {
        uc->top = part->top;
        uc->err = sm_ctl_topic_unclean(ctl, part->top->name, &uc->unclean);
    }
    *unclean = uc->unclean;
    return uc->err;
}

/* Election.leaderForPreferredReplica: the first assigned replica if it is
 * live and in the ISR (which stays as it is), else leader -1. */
static void
sm_ctl_choose_preferred(sm_controller_t *ctl, const sm_ctl_part_t *part,
                        sm_zk_part_state_t *s, const sm_zk_ints_t *live)
{
    int32_t pref = part->replicas.cnt > 0 ? part->replicas.v[0] : -1;

    if (pref < 0 || !sm_ctl_ints_has(live, pref) ||
        !sm_ctl_ints_has(&s->isr, pref)) {
        s->leader = -1;
        return;
    }
    s->leader = pref;
    s->leader_epoch++;
    s->controller_epoch = ctl->ctx.epoch;
}

/* Reassignment: REASSIGN_START keeps the leader and bumps the epoch
 * (updateLeaderEpoch); REASSIGN keeps it if it is in the target, live and
 * in the ISR, else takes the first such target replica
 * (leaderForReassign).  ISR kept; leader -1 if there is none. */
static void
sm_ctl_choose_reassign(sm_controller_t *ctl, const sm_ctl_part_t *part,
                       sm_ctl_strategy_t strategy, sm_zk_part_state_t *s,
                       const sm_zk_ints_t *live)
{
    const sm_zk_ints_t *rar = &part->reassign_to;
    int32_t leader = -1;

    if (strategy == SM_CTL_ELECT_REASSIGN_START)
        leader = s->leader;
    else if (sm_ctl_ints_has(rar, s->leader) &&
             sm_ctl_ints_has(live, s->leader) &&
             sm_ctl_ints_has(&s->isr, s->leader))
        leader = s->leader;
    for (int i = 0; i < rar->cnt && leader < 0; i++)
        if (sm_ctl_ints_has(live, rar->v[i]) &&
            sm_ctl_ints_has(&s->isr, rar->v[i]))
            leader = rar->v[i];
    s->leader = leader;
    if (leader < 0)
        return;
    s->leader_epoch++;
    s->controller_epoch = ctl->ctx.epoch;
}

/* Election.leaderForControlledShutdown: the first assigned replica that is
 * live (shutting-down brokers are not), in the ISR; the ISR loses the
 * shutting-down brokers.  Leader -1 if there is none. */
static void
sm_ctl_choose_cs(sm_controller_t *ctl, const sm_ctl_part_t *part,
                 sm_zk_part_state_t *s, const sm_zk_ints_t *live)
{
    int32_t leader = -1;
    int n = 0;

    for (int i = 0; i < part->replicas.cnt && leader < 0; i++)
        if (sm_ctl_ints_has(live, part->replicas.v[i]) &&
            sm_ctl_ints_has(&s->isr, part->replicas.v[i]))
            leader = part->replicas.v[i];
    s->leader = leader;
    if (leader < 0)
        return;
    for (int i = 0; i < s->isr.cnt; i++) {
        const sm_ctl_broker_t *b = sm_ctl_ctx_broker(&ctl->ctx, s->isr.v[i]);
        if (b == NULL || !b->shutting_down)
            s->isr.v[n++] = s->isr.v[i];
    }
    s->isr.cnt = n;
    s->leader_epoch++;
    s->controller_epoch = ctl->ctx.epoch;
}

/* The new leadership for part from its current znode content s (Election
 * .leaderForOffline, or the preferred strategy); s is updated in place,
 * leader -1 if none. */
static sm_err_t
sm_ctl_choose(sm_controller_t *ctl, sm_ctl_part_t *part,
              sm_ctl_strategy_t strategy, sm_ctl_unclean_cache_t *uc,
              sm_zk_part_state_t *s, sm_zk_ints_t *live)
{
    int unclean = strategy == SM_CTL_ELECT_OFFLINE_UNCLEAN, used = 0;
    int live_in_isr = 0;
    int32_t leader;
    sm_err_t err;

    if (strategy == SM_CTL_ELECT_PREFERRED) {
        sm_ctl_choose_preferred(ctl, part, s, live);
        return SM_OK;
    }
    if (strategy == SM_CTL_ELECT_CONTROLLED_SHUTDOWN) {
        sm_ctl_choose_cs(ctl, part, s, live);
        return SM_OK;
    }
    if (strategy == SM_CTL_ELECT_REASSIGN ||
        strategy == SM_CTL_ELECT_REASSIGN_START) {
        sm_ctl_choose_reassign(ctl, part, strategy, s, live);
        return SM_OK;
    }
    for (int i = 0; i < s->isr.cnt; i++)
        live_in_isr += sm_ctl_ints_has(live, s->isr.v[i]);
    if (live_in_isr == 0 && !unclean) {
        err = sm_ctl_unclean_for(ctl, part, uc, &unclean);
        if (err != SM_OK)
            return err;
    }
    leader = sm_ctl_offline_leader(part->replicas.v, part->replicas.cnt,
                                   s->isr.v, s->isr.cnt, live->v, live->cnt,
                                   unclean, &used);
    if (leader < 0) {
        s->leader = -1;
        return SM_OK;
    }
    if (used) {
        sm_warn(SM_CTL_LOG, "Unclean leader election: partition %s-%d gets "
                "leader %d, which is not in the ISR; data may be lost",
                part->top->name, (int)part->partition, (int)leader);
        sm_zk_ints_set(&s->isr, &leader, 1);
    } else {
        int n = 0;
        for (int i = 0; i < s->isr.cnt; i++)
            if (sm_ctl_ints_has(live, s->isr.v[i]))
                s->isr.v[n++] = s->isr.v[i];
        s->isr.cnt = n;
    }
    s->leader = leader;
    s->leader_epoch++;
    s->controller_epoch = ctl->ctx.epoch;
    return SM_OK;
}

/*
 * One election (doElectLeaderForPartitions for one partition).  SM_OK:
 * elected; SM_ERR__BAD_VERSION: lost a race, retry; errors that abort the
 * event; anything else: this partition failed (logged).
 */
static sm_err_t
sm_ctl_elect_one(sm_controller_t *ctl, sm_ctl_part_t *part,
                 sm_ctl_strategy_t strategy, sm_ctl_unclean_cache_t *uc)
{
    sm_zk_part_state_t s;
    sm_zk_ints_t live = { 0 };
    sm_err_t err;

    err = sm_zk_get_partition_state(ctl->zk, part->top->name,
                                    part->partition, &s);
    if (err != SM_OK) {
        if (!sm_ctl_abort(err))
            sm_ctl_psm_failed(ctl, part, SM_CTL_PST_ONLINE, err ==
                              SM_ERR__NOENT ? "LeaderAndIsr information "
                              "doesn't exist" : sm_err_desc(err));
        return err;
    }
    if (s.controller_epoch > ctl->ctx.epoch) {
        sm_ctl_psm_failed(ctl, part, SM_CTL_PST_ONLINE, "the state znode "
                          "was written by a newer controller epoch");
        err = SM_ERR_STALE_CONTROLLER_EPOCH;
        goto out;
    }
    live.v = sm_calloc((size_t)part->replicas.cnt + 1, sizeof(int32_t));
    for (int i = 0; i < part->replicas.cnt; i++)
        if (sm_ctl_is_replica_online(&ctl->ctx, part, part->replicas.v[i]))
            live.v[live.cnt++] = part->replicas.v[i];
    err = sm_ctl_choose(ctl, part, strategy, uc, &s, &live);
    if (err == SM_OK && s.leader < 0) {
        sm_ctl_psm_failed(ctl, part, SM_CTL_PST_ONLINE,
                          strategy == SM_CTL_ELECT_PREFERRED ?
                          "the preferred replica is not alive or not in "
                          "the ISR" :
                          strategy == SM_CTL_ELECT_CONTROLLED_SHUTDOWN ?
                          "no other live replica is in the ISR" :
                          strategy == SM_CTL_ELECT_REASSIGN ||
                          strategy == SM_CTL_ELECT_REASSIGN_START ?
                          "no live replica of the new assignment is in the "
                          "ISR" :
                          live.cnt == 0 ?
                          "no assigned replica is alive" : "no live "
                          "replica in the ISR and unclean leader election "
                          "is disabled");
        err = SM_ERR__STATE;
    }
    if (err != SM_OK)
        goto out;
    err = sm_zk_set_partition_state(ctl->zk, part->top->name,
                                    part->partition, &s, ctl->ctx.epoch_zkv);
    if (err != SM_OK) {
        if (!sm_ctl_abort(err) && err != SM_ERR__BAD_VERSION)
            sm_ctl_psm_failed(ctl, part, SM_CTL_PST_ONLINE,
                              sm_err_desc(err));
        goto out;
    }
    sm_ctl_part_set_lis(part, &s);
    sm_ctl_batch_add_lai(ctl, live.v, live.cnt, part, 0);
    sm_info(SM_CTL_LOG, "Changed partition %s-%d from %s to OnlinePartition "
            "with leader %d, leader epoch %d", part->top->name,
            (int)part->partition, sm_ctl_pst_name(part->pst), (int)s.leader,
            (int)s.leader_epoch);
    err = sm_ctl_psm_set_state(ctl, part, SM_CTL_PST_ONLINE);
out:
    sm_zk_ints_fini(&live);
    sm_zk_part_state_fini(&s);
    return err;
}

/* electLeaderForPartitions: rounds until no partition lost a race. */
static sm_err_t
sm_ctl_elect(sm_controller_t *ctl, sm_ctl_parts_t *parts,
             sm_ctl_strategy_t strategy, int *elected)
{
    sm_ctl_parts_t todo = { 0 }, retry = { 0 };
    sm_ctl_unclean_cache_t uc = { 0 };
    sm_err_t err = SM_OK;

    for (int i = 0; i < parts->cnt; i++)
        sm_ctl_parts_add(&todo, parts->v[i]);
    for (int round = 0; todo.cnt > 0 && err == SM_OK; round++) {
        if (round == ctl->opts.max_election_rounds) {
            for (int i = 0; i < todo.cnt; i++)
                sm_ctl_psm_failed(ctl, todo.v[i], SM_CTL_PST_ONLINE,
                                  "the state znode kept changing");
            break;
        }
        for (int i = 0; i < todo.cnt && err == SM_OK; i++) {
            sm_err_t e = sm_ctl_elect_one(ctl, todo.v[i], strategy, &uc);
            if (e == SM_OK)
                (*elected)++;
            else if (e == SM_ERR__BAD_VERSION)
                sm_ctl_parts_add(&retry, todo.v[i]);
            else if (sm_ctl_abort(e))
                err = e;
        }
        sm_ctl_parts_fini(&todo);
        todo = retry;
        memset(&retry, 0, sizeof(retry));
    }
    sm_ctl_parts_fini(&todo);
    return err;
}

/* ------------------------------------------------------------ handle */

static sm_err_t
sm_ctl_psm_online(sm_controller_t *ctl, sm_ctl_parts_t *valid,
                  sm_ctl_strategy_t strategy, int *elected)
{
    sm_ctl_parts_t elect = { 0 };
    sm_err_t err = SM_OK;

    for (int i = 0; i < valid->cnt && err == SM_OK; i++) {
        sm_ctl_part_t *part = valid->v[i];
        if (part->pst != SM_CTL_PST_NEW) {
            sm_ctl_parts_add(&elect, part);
            continue;
        }
        err = sm_ctl_init_one(ctl, part);
        if (err == SM_OK)
            (*elected)++;
        else if (!sm_ctl_abort(err))
            err = SM_OK;
    }
    if (err == SM_OK && elect.cnt > 0)
        err = sm_ctl_elect(ctl, &elect, strategy, elected);
    sm_ctl_parts_fini(&elect);
    return err;
}

sm_err_t
sm_ctl_psm_handle(sm_controller_t *ctl, sm_ctl_parts_t *parts,
                  sm_ctl_pst_t to, sm_ctl_strategy_t strategy, int *elected)
{
    sm_ctl_parts_t valid = { 0 };
    sm_err_t err = SM_OK;
    int n = 0;

    if (parts->cnt == 0)
        goto out;
    sm_ctl_batch_new(ctl);
    for (int i = 0; i < parts->cnt; i++) {
        if (sm_ctl_psm_valid(parts->v[i]->pst, to))
            sm_ctl_parts_add(&valid, parts->v[i]);
        else
            sm_ctl_psm_failed(ctl, parts->v[i], to,
                              "not a valid previous state");
    }
    if (to == SM_CTL_PST_ONLINE) {
        err = sm_ctl_psm_online(ctl, &valid, strategy, &n);
    } else {
        for (int i = 0; i < valid.cnt; i++)
            sm_ctl_psm_set_state(ctl, valid.v[i], to);
    }
    /* what was written is announced, unless we were deposed meanwhile */
    if (err == SM_ERR_NOT_CONTROLLER)
        sm_ctl_batch_clear(&ctl->batch);
    else
        sm_ctl_batch_send(ctl);
out:
    sm_ctl_parts_fini(&valid);
    if (elected != NULL)
        *elected = n;
    return err;
}

sm_err_t
sm_ctl_psm_trigger_online(sm_controller_t *ctl, int *elected)
{
    sm_ctl_parts_t parts = { 0 };
    sm_err_t err;

    sm_ctl_ctx_new_or_offline(&ctl->ctx, &parts);
    err = sm_ctl_psm_handle(ctl, &parts, SM_CTL_PST_ONLINE,
                            SM_CTL_ELECT_OFFLINE, elected);
    sm_ctl_parts_fini(&parts);
    return err;
}

/* PartitionStateMachine.startup: initial states from the leadership info,
 * then bring New and Offline partitions online. */
sm_err_t
sm_ctl_psm_startup(sm_controller_t *ctl)
{
    sm_ctl_parts_t all = { 0 };

    sm_ctl_ctx_all_parts(&ctl->ctx, &all);
    for (int i = 0; i < all.cnt; i++) {
        sm_ctl_part_t *part = all.v[i];
        if (!part->has_lis)
            part->pst = SM_CTL_PST_NEW;
        else if (sm_ctl_is_replica_online(&ctl->ctx, part, part->lis.leader))
            part->pst = SM_CTL_PST_ONLINE;
        else
            part->pst = SM_CTL_PST_OFFLINE;
    }
    sm_ctl_parts_fini(&all);
    return sm_ctl_psm_trigger_online(ctl, NULL);
}
