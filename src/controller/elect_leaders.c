/*
 * elect_leaders.c: the ElectLeaders request on the controller side -
 * KafkaController.electLeaders / processReplicaLeaderElection with the
 * AdminClientTriggered trigger, reached from the request handler
 * (server/elect_leaders.c) through sm_controller_elect_leaders(), an
 * enqueued call that runs on the controller thread in order with the other
 * events.
 *
 * FLOW for a list of partitions and an election type:
 *   1. not the active controller: NOT_CONTROLLER for every partition;
 *   2. sort out, with Kafka's errors: partitions the context does not know
 *      (UNKNOWN_TOPIC_OR_PARTITION "The partition does not exist."), of
 *      topics queued for deletion (INVALID_TOPIC_EXCEPTION "The topic is
 *      being deleted"), and those that already have what was asked
 *      (ELECTION_NOT_NEEDED): PREFERRED - led by the first assigned
 *      replica; UNCLEAN - led by a live broker;
 *   3. elect the rest in one partition state machine pass (Online, strategy
 *      PREFERRED or OFFLINE_UNCLEAN): the state znodes are written
 *      (conditionally, fenced by the controller epoch) and LeaderAndIsr /
 *      UpdateMetadata are handed to the channel before it returns;
 *   4. read each partition's outcome back from the context: elected if it
 *      now has the wanted leader, else PREFERRED_LEADER_NOT_AVAILABLE /
 *      ELIGIBLE_LEADERS_NOT_AVAILABLE with Kafka's "Failed to elect leader
 *      for partition <tp> under strategy <strategy>", or the error that
 *      aborted the pass (NOT_CONTROLLER, REQUEST_TIMED_OUT).
 *
 * UNCLEAN.  An explicit UNCLEAN request allows a replica outside the ISR
 * whatever unclean.leader.election.enable says (Kafka:
 * OfflinePartitionLeaderElectionStrategy(allowUnclean = true) for admin
 * requests), and still prefers a live ISR replica when there is one.
 *
 * WHEN THE ANSWER GOES.  Kafka parks the response in a purgatory
 * (DelayedElectLeader) until its own metadata cache shows the new leaders,
 * bounded by the request's TimeoutMs.  Here the answer is given right after
 * step 3: the znodes are written and the requests queued; the controller
 * broker's own metadata cache and replica manager are updated through the
 * local channel before the callback runs (broker.c's direct calls), other
 * brokers learn it within their LeaderAndIsr round trip.  TimeoutMs is
 * therefore not used: the only wait is the controller queue ahead of the
 * call and ZooKeeper calls bounded by the session's operation timeout.
 *
 * THREADS.  sm_controller_elect_leaders: any thread.  The rest: controller
 * thread.
 */
#include <stdio.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"
#include "protocol/electleaders.h"

/* The partition of (topic, p) in the context, or NULL. */
static sm_ctl_part_t *
sm_ctl_el_find(sm_controller_t *ctl, const char *topic, int32_t p)
{
    sm_ctl_topic_t *top = sm_ctl_ctx_topic(&ctl->ctx, topic);

    return top != NULL ? sm_ctl_topic_part(top, p) : NULL;
}

/* Does part already have what the election would give it? */
static int
sm_ctl_el_not_needed(sm_controller_t *ctl, const sm_ctl_part_t *part,
                     int type)
{
    if (!part->has_lis)
        return 0;
    if (type == SM_ELECTION_PREFERRED)
        return part->replicas.cnt > 0 &&
               part->lis.leader == part->replicas.v[0];
    return part->lis.leader >= 0 &&
           sm_ctl_ctx_is_live(&ctl->ctx, part->lis.leader);
}

/* After the pass: did part get the leader the election is after? */
static int
sm_ctl_el_elected(sm_controller_t *ctl, const sm_ctl_part_t *part, int type)
{
    return sm_ctl_el_not_needed(ctl, part, type);
}

static const char *
sm_ctl_el_msg(sm_zk_strings_t *msgs, const char *fmt, const char *topic,
              int32_t p, const char *strategy)
{
    char buf[512];

    snprintf(buf, sizeof(buf), fmt, topic, (int)p, strategy);
    msgs->v = sm_realloc(msgs->v, sizeof(*msgs->v) * (size_t)(msgs->cnt + 1));
    msgs->v[msgs->cnt] = sm_strdup(buf);
    return msgs->v[msgs->cnt++];
}

/* Step 2: res[i] for what is decided without electing; electable parts
 * are marked and collected into *elect. */
static void
sm_ctl_el_sort(sm_controller_t *ctl, int type, const sm_zk_tps_t *tps,
               sm_controller_election_t *res, sm_ctl_parts_t *elect)
{
    for (int i = 0; i < tps->cnt; i++) {
        sm_ctl_part_t *part = sm_ctl_el_find(ctl, tps->v[i].topic,
                                             tps->v[i].partition);
        sm_controller_election_t *r = &res[i];

        if (part == NULL) {
            r->err = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            r->msg = "The partition does not exist.";
        } else if (sm_ctl_tdm_is_queued(ctl, part->top)) {
            r->err = SM_ERR_INVALID_TOPIC_EXCEPTION;
            r->msg = "The topic is being deleted";
        } else if (sm_ctl_el_not_needed(ctl, part, type)) {
            r->err = SM_ERR_ELECTION_NOT_NEEDED;
        } else if (!part->elect_mark) {
            part->elect_mark = 1;
            sm_ctl_parts_add(elect, part);
        }
        if (r->err != SM_OK)
            sm_info(SM_CTL_LOG, "Skipping replica leader election (%s) for "
                    "partition %s-%d by AdminClientTriggered: %s",
                    type == SM_ELECTION_PREFERRED ? "PREFERRED" : "UNCLEAN",
                    tps->v[i].topic, (int)tps->v[i].partition,
                    sm_err_name(r->err));
    }
}

/* Step 4 for one electable entry.  perr: the pass's error. */
static void
sm_ctl_el_outcome(sm_controller_t *ctl, int type, sm_ctl_part_t *part,
                  sm_err_t perr, sm_controller_election_t *r,
                  sm_zk_strings_t *msgs)
{
    if (sm_ctl_el_elected(ctl, part, type)) {
        r->err = SM_OK;
        r->leader = part->lis.leader;
    } else if (perr == SM_ERR_NOT_CONTROLLER || perr == SM_ERR__STATE) {
        r->err = SM_ERR_NOT_CONTROLLER;
    } else if (perr != SM_OK) {
        r->err = SM_ERR_REQUEST_TIMED_OUT;      /* ZooKeeper unreachable */
    } else if (type == SM_ELECTION_PREFERRED) {
        r->err = SM_ERR_PREFERRED_LEADER_NOT_AVAILABLE;
        r->msg = sm_ctl_el_msg(msgs, "Failed to elect leader for partition "
                               "%s-%d under strategy %s", part->top->name,
                               part->partition,
                               "PreferredReplicaPartitionLeaderElection"
                               "Strategy");
    } else {
        r->err = SM_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE;
        r->msg = sm_ctl_el_msg(msgs, "Failed to elect leader for partition "
                               "%s-%d under strategy %s", part->top->name,
                               part->partition,
                               "OfflinePartitionLeaderElectionStrategy"
                               "(true)");
    }
}

sm_err_t
sm_ctl_elect_leaders(sm_controller_t *ctl, int type, const sm_zk_tps_t *tps,
                     sm_controller_election_t *res, sm_zk_strings_t *msgs)
{
    sm_ctl_parts_t elect = { 0 };
    sm_err_t err = SM_OK;

    for (int i = 0; i < tps->cnt; i++) {
        memset(&res[i], 0, sizeof(res[i]));
        res[i].topic = tps->v[i].topic;
        res[i].partition = tps->v[i].partition;
        res[i].leader = -1;
        res[i].err = ctl->active ? SM_OK : SM_ERR_NOT_CONTROLLER;
    }
    if (!ctl->active)
        return SM_ERR_NOT_CONTROLLER;
    sm_ctl_el_sort(ctl, type, tps, res, &elect);
    if (elect.cnt > 0) {
        sm_info(SM_CTL_LOG, "Starting replica leader election (%s) for %d "
                "partition(s) triggered by AdminClientTriggered",
                type == SM_ELECTION_PREFERRED ? "PREFERRED" : "UNCLEAN",
                elect.cnt);
        err = sm_ctl_psm_handle(ctl, &elect, SM_CTL_PST_ONLINE,
                                type == SM_ELECTION_PREFERRED
                                ? SM_CTL_ELECT_PREFERRED
                                : SM_CTL_ELECT_OFFLINE_UNCLEAN, NULL);
    }
    for (int i = 0; i < tps->cnt; i++) {
        sm_ctl_part_t *part;
        if (res[i].err != SM_OK)
            continue;
        part = sm_ctl_el_find(ctl, tps->v[i].topic, tps->v[i].partition);
        sm_assert(part != NULL);        /* the pass removes no topic */
        sm_ctl_el_outcome(ctl, type, part, err, &res[i], msgs);
    }
    for (int i = 0; i < elect.cnt; i++)
        elect.v[i]->elect_mark = 0;
    sm_ctl_parts_fini(&elect);
    return err;
}

/* ------------------------------------------------------- the public call */

typedef struct sm_ctl_el_call {
    int type;
    sm_zk_tps_t tps;
    sm_controller_elect_fn cb;
    void *arg;
} sm_ctl_el_call_t;

static void
sm_ctl_el_run(sm_controller_t *ctl, void *arg, sm_err_t err)
{
    sm_ctl_el_call_t *c = arg;
    sm_controller_election_t *res;
    sm_zk_strings_t msgs = { 0 };

    res = sm_calloc((size_t)c->tps.cnt + 1, sizeof(*res));
    if (err == SM_OK) {
        err = sm_ctl_elect_leaders(ctl, c->type, &c->tps, res, &msgs);
    } else {                            /* the controller is stopping */
        for (int i = 0; i < c->tps.cnt; i++)
            res[i] = (sm_controller_election_t){
                c->tps.v[i].topic, c->tps.v[i].partition,
                SM_ERR_NOT_CONTROLLER, NULL, -1 };
    }
    if (err == SM_ERR_NOT_CONTROLLER && ctl->active)
        sm_ctl_controller_moved(ctl);   /* a fenced write failed */
    c->cb(c->arg, res, c->tps.cnt);
    sm_zk_strings_fini(&msgs);
    sm_free(res);
    sm_zk_tps_fini(&c->tps);
    sm_free(c);
}

sm_err_t
sm_controller_elect_leaders(sm_controller_t *ctl, int election_type,
                            const sm_zk_tps_t *tps, sm_controller_elect_fn cb,
                            void *arg)
{
    sm_ctl_el_call_t *c;
    sm_err_t err;

    if (election_type != SM_ELECTION_PREFERRED &&
        election_type != SM_ELECTION_UNCLEAN)
        return SM_ERR__INVALID_ARG;
    c = sm_calloc(1, sizeof(*c));
    c->type = election_type;
    for (int i = 0; i < tps->cnt; i++)
        sm_zk_tps_add(&c->tps, tps->v[i].topic, tps->v[i].partition);
    c->cb = cb;
    c->arg = arg;
    err = sm_controller_enqueue(ctl, sm_ctl_el_run, c);
    if (err != SM_OK) {
        sm_zk_tps_fini(&c->tps);
        sm_free(c);
    }
    return err;
}
