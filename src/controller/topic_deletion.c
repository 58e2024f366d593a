/*
 * topic_deletion.c: topic deletion - Kafka's TopicDeletionManager.
 *
 * FLOW.  A tool creates /admin/delete_topics/<t>; the controller's child
 * watch queues the topic (sm_ctl_tdm_enqueue) and:
 *
 *   1. its partitions go Offline -> NonExistent, and UpdateMetadata with
 *      leader SM_LEADER_DURING_DELETE goes to every live broker, which then
 *      stop serving the topic;
 *   2. replicas on dead brokers go DeletionIneligible and the topic is
 *      marked ineligible (it waits for them);
 *   3. live replicas go Offline (StopReplica, delete = false; ISR shrink)
 *      and then DeletionStarted (StopReplica, delete = true);
 *   4. each StopReplica answer (SM_CTL_EV_STOP_REPLICA_DONE) moves its
 *      replica to DeletionSuccessful, or DeletionIneligible on error;
 *   5. once every replica is DeletionSuccessful the topic is torn down:
 *      replicas NonExistent, /brokers/topics/<t> (recursively),
 *      /config/topics/<t> and the marker deleted, the topic dropped from
 *      the context.
 *
 * A topic is retried (ineligible replicas back to Offline, then step 3)
 * when a broker hosting one of its replicas starts again
 * (sm_ctl_tdm_resume_for).  With delete.topic.enable=false markers are
 * deleted and nothing else happens (Kafka logs it).
 *
 * STATE.  Per topic: del_queued (topicsToBeDeleted), del_started
 * (topicsWithDeletionStarted), del_ineligible (topicsIneligibleForDeletion),
 * plus the replica states.  A queued topic is never brought online by the
 * partition state machine and its UpdateMetadata carries leader -2.
 *
 * THREADS.  Controller thread only.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

int
sm_ctl_tdm_is_queued(sm_controller_t *ctl, const sm_ctl_topic_t *top)
{
    return ctl->opts.delete_topic_enable && top->del_queued;
}

static int
sm_ctl_tdm_has_dead_replica(sm_controller_t *ctl, const sm_ctl_topic_t *top)
{
    for (int i = 0; i < top->nparts; i++)
        for (int r = 0; r < top->parts[i]->replicas.cnt; r++)
            if (!sm_ctl_is_replica_online(&ctl->ctx, top->parts[i],
                                          top->parts[i]->replicas.v[r]))
                return 1;
    return 0;
}

/* init: the markers found at failover. */
sm_err_t
sm_ctl_tdm_init(sm_controller_t *ctl, const sm_zk_strings_t *to_delete)
{
    sm_err_t err = SM_OK;

    for (int i = 0; i < to_delete->cnt && err == SM_OK; i++) {
        sm_ctl_topic_t *top = sm_ctl_ctx_topic(&ctl->ctx, to_delete->v[i]);
        if (!ctl->opts.delete_topic_enable || top == NULL) {
            sm_info(SM_CTL_LOG, "Removing deletion marker of %s (%s)",
                    to_delete->v[i], top == NULL ? "no such topic" :
                    "delete topic is disabled");
            err = sm_zk_delete_topic_deletion(ctl->zk, to_delete->v[i],
                                              ctl->ctx.epoch_zkv);
            continue;
        }
        top->del_queued = 1;
        top->del_ineligible = sm_ctl_tdm_has_dead_replica(ctl, top);
    }
    return err;
}

void
sm_ctl_tdm_mark_ineligible(sm_controller_t *ctl, sm_ctl_topics_t *topics,
                           const char *why)
{
    for (int i = 0; i < topics->cnt; i++) {
        sm_ctl_topic_t *top = topics->v[i];
        if (!sm_ctl_tdm_is_queued(ctl, top) || top->del_ineligible)
            continue;
        top->del_ineligible = 1;
        sm_info(SM_CTL_LOG, "Halted deletion of topic %s due to %s",
                top->name, why);
    }
}

/* completeDeleteTopic: frees top. */
static sm_err_t
sm_ctl_tdm_complete_topic(sm_controller_t *ctl, sm_ctl_topic_t *top)
{
    sm_ctl_reps_t reps = { 0 };
    sm_err_t err;
    char *name = sm_strdup(top->name);

    sm_ctl_topic_replicas(top, &reps);
    err = sm_ctl_rsm_handle(ctl, &reps, SM_CTL_RST_NONEXISTENT);
    sm_ctl_reps_fini(&reps);
    if (err == SM_OK)
        err = sm_zk_delete_topic_znodes(ctl->zk, name, ctl->ctx.epoch_zkv);
    if (err == SM_OK)
        err = sm_zk_delete_topic_deletion(ctl->zk, name, ctl->ctx.epoch_zkv);
    if (err == SM_OK) {
        sm_ctl_ctx_remove_topic(&ctl->ctx, name);
        sm_info(SM_CTL_LOG, "Deletion of topic %s successfully completed",
                name);
    }
    sm_free(name);
    return err;
}

/* onPartitionDeletion. */
static sm_err_t
sm_ctl_tdm_partition_deletion(sm_controller_t *ctl, sm_ctl_topics_t *topics)
{
    sm_ctl_reps_t dead = { 0 }, retry = { 0 };
    sm_ctl_topics_t ineligible = { 0 };
    sm_err_t err;

    for (int t = 0; t < topics->cnt; t++) {
        sm_ctl_reps_t all = { 0 };
        sm_ctl_topic_replicas(topics->v[t], &all);
        for (int i = 0; i < all.cnt; i++) {
            sm_ctl_rep_t *rep = &all.v[i];
            if (!sm_ctl_is_replica_online(&ctl->ctx, rep->part, rep->id)) {
                sm_ctl_reps_add(&dead, rep->part, rep->id);
                if (!sm_ctl_topics_has(&ineligible, topics->v[t]))
                    sm_ctl_topics_add(&ineligible, topics->v[t]);
            } else if (sm_ctl_rep_state(rep) !=
                       SM_CTL_RST_DELETION_SUCCESSFUL) {
                sm_ctl_reps_add(&retry, rep->part, rep->id);
            }
        }
        sm_ctl_reps_fini(&all);
    }
    err = sm_ctl_rsm_handle(ctl, &dead, SM_CTL_RST_DELETION_INELIGIBLE);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &retry, SM_CTL_RST_OFFLINE);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &retry, SM_CTL_RST_DELETION_STARTED);
    sm_ctl_tdm_mark_ineligible(ctl, &ineligible, "offline replicas");
    sm_ctl_topics_fini(&ineligible);
    sm_ctl_reps_fini(&dead);
    sm_ctl_reps_fini(&retry);
    return err;
}

/* onTopicDeletion. */
static sm_err_t
sm_ctl_tdm_topic_deletion(sm_controller_t *ctl, sm_ctl_topics_t *topics)
{
    sm_ctl_parts_t unseen = { 0 }, all = { 0 };
    sm_err_t err = SM_OK;

    for (int t = 0; t < topics->cnt; t++) {
        sm_ctl_topic_t *top = topics->v[t];
        for (int i = 0; i < top->nparts; i++) {
            sm_ctl_parts_add(&all, top->parts[i]);
            if (!top->del_started)
                sm_ctl_parts_add(&unseen, top->parts[i]);
        }
    }
    if (unseen.cnt > 0) {
        err = sm_ctl_psm_handle(ctl, &unseen, SM_CTL_PST_OFFLINE,
                                SM_CTL_ELECT_OFFLINE, NULL);
        if (err == SM_OK)
            err = sm_ctl_psm_handle(ctl, &unseen, SM_CTL_PST_NONEXISTENT,
                                    SM_CTL_ELECT_OFFLINE, NULL);
    }
    for (int t = 0; t < topics->cnt && err == SM_OK; t++)
        topics->v[t]->del_started = 1;
    /* brokers stop serving the topics (leader -2) */
    if (err == SM_OK)
        sm_ctl_send_update_metadata(ctl, NULL, 0, &all);
    if (err == SM_OK)
        err = sm_ctl_tdm_partition_deletion(ctl, topics);
    sm_ctl_parts_fini(&unseen);
    sm_ctl_parts_fini(&all);
    return err;
}

/* resumeDeletions. */
static sm_err_t
sm_ctl_tdm_resume(sm_controller_t *ctl)
{
    sm_ctl_topics_t all = { 0 }, retry = { 0 }, eligible = { 0 };
    sm_ctl_reps_t failed = { 0 };
    sm_err_t err = SM_OK;

    sm_ctl_ctx_topics(&ctl->ctx, &all);
    for (int t = 0; t < all.cnt && err == SM_OK; t++) {
        sm_ctl_topic_t *top = all.v[t];
        int started;
        if (!sm_ctl_tdm_is_queued(ctl, top))
            continue;
        if (sm_ctl_topic_all_replicas_in(top,
                                         SM_CTL_RST_DELETION_SUCCESSFUL)) {
            err = sm_ctl_tdm_complete_topic(ctl, top);   /* frees top */
            continue;
        }
        started = sm_ctl_topic_any_replica_in(top,
                                              SM_CTL_RST_DELETION_STARTED);
        if (!started && sm_ctl_topic_any_replica_in(
                            top, SM_CTL_RST_DELETION_INELIGIBLE))
            sm_ctl_topics_add(&retry, top);
        if (!started && !top->del_ineligible) {
            sm_info(SM_CTL_LOG, "Deletion of topic %s (re)started",
                    top->name);
            sm_ctl_topics_add(&eligible, top);
        }
    }
    /* retryDeletionForIneligibleReplicas */
    for (int t = 0; t < retry.cnt; t++)
        for (int i = 0; i < retry.v[t]->nparts; i++) {
            sm_ctl_part_t *part = retry.v[t]->parts[i];
            for (int r = 0; r < part->replicas.cnt; r++)
                if (part->rst[r] == SM_CTL_RST_DELETION_INELIGIBLE)
                    sm_ctl_reps_add(&failed, part, part->replicas.v[r]);
        }
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &failed, SM_CTL_RST_OFFLINE);
    if (err == SM_OK && eligible.cnt > 0)
        err = sm_ctl_tdm_topic_deletion(ctl, &eligible);
    sm_ctl_reps_fini(&failed);
    sm_ctl_topics_fini(&all);
    sm_ctl_topics_fini(&retry);
    sm_ctl_topics_fini(&eligible);
    return err;
}

sm_err_t
sm_ctl_tdm_try(sm_controller_t *ctl)
{
    return ctl->opts.delete_topic_enable ? sm_ctl_tdm_resume(ctl) : SM_OK;
}

sm_err_t
sm_ctl_tdm_enqueue(sm_controller_t *ctl, sm_ctl_topics_t *topics)
{
    if (!ctl->opts.delete_topic_enable)
        return SM_OK;
    for (int i = 0; i < topics->cnt; i++)
        topics->v[i]->del_queued = 1;
    return sm_ctl_tdm_resume(ctl);
}

sm_err_t
sm_ctl_tdm_resume_for(sm_controller_t *ctl, sm_ctl_topics_t *topics)
{
    int n = 0;

    for (int i = 0; i < topics->cnt; i++)
        if (sm_ctl_tdm_is_queued(ctl, topics->v[i])) {
            topics->v[i]->del_ineligible = 0;
            n++;
        }
    return n > 0 ? sm_ctl_tdm_resume(ctl) : SM_OK;
}

/* Replicas of queued topics only, and their topics. */
static void
sm_ctl_tdm_filter(sm_controller_t *ctl, sm_ctl_reps_t *reps,
                  sm_ctl_reps_t *out, sm_ctl_topics_t *topics)
{
    for (int i = 0; i < reps->cnt; i++) {
        sm_ctl_topic_t *top = reps->v[i].part->top;
        if (!sm_ctl_tdm_is_queued(ctl, top))
            continue;
        sm_ctl_reps_add(out, reps->v[i].part, reps->v[i].id);
        if (topics != NULL && !sm_ctl_topics_has(topics, top))
            sm_ctl_topics_add(topics, top);
    }
}

/* failReplicaDeletion: a broker died, or StopReplica failed. */
sm_err_t
sm_ctl_tdm_fail_replicas(sm_controller_t *ctl, sm_ctl_reps_t *reps)
{
    sm_ctl_reps_t failed = { 0 };
    sm_ctl_topics_t topics = { 0 };
    sm_err_t err = SM_OK;

    sm_ctl_tdm_filter(ctl, reps, &failed, &topics);
    if (failed.cnt > 0) {
        err = sm_ctl_rsm_handle(ctl, &failed,
                                SM_CTL_RST_DELETION_INELIGIBLE);
        sm_ctl_tdm_mark_ineligible(ctl, &topics, "replica deletion failure");
        if (err == SM_OK)
            err = sm_ctl_tdm_resume(ctl);
    }
    sm_ctl_reps_fini(&failed);
    sm_ctl_topics_fini(&topics);
    return err;
}

/* completeReplicaDeletion. */
sm_err_t
sm_ctl_tdm_complete_replicas(sm_controller_t *ctl, sm_ctl_reps_t *reps)
{
    sm_ctl_reps_t done = { 0 };
    sm_err_t err;

    sm_ctl_tdm_filter(ctl, reps, &done, NULL);
    err = sm_ctl_rsm_handle(ctl, &done, SM_CTL_RST_DELETION_SUCCESSFUL);
    if (err == SM_OK)
        err = sm_ctl_tdm_resume(ctl);
    sm_ctl_reps_fini(&done);
    return err;
}
