/*
 * controller_handlers.c: what the active controller does when brokers,
 * topics, partitions or deletion markers change - KafkaController's
 * initializeControllerContext, processBrokerChange, onBrokerStartup,
 * onBrokerFailure, onReplicasBecomeOffline, processBrokerModification,
 * processTopicChange, processPartitionModifications, onNewPartitionCreation,
 * processTopicDeletion and the StopReplica response handler.
 *
 * Every process_* handler starts with "if not active, do nothing" (a
 * controller that resigned may still get watch events), re-reads the
 * watched znode with the watch re-armed, and compares what it read with
 * the context.  That makes them idempotent, so a handler that failed half
 * way because ZooKeeper was unreachable can simply run again
 * (controller.c retries it).
 *
 * WATCHES ARMED HERE: /brokers/ids (children), /brokers/ids/<id> (data,
 * through an exists watch), /brokers/topics (children),
 * /brokers/topics/<t> (data), /admin/delete_topics (children).
 *
 * THREADS.  Controller thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

/* A broker as read from /brokers/ids/<id>. */
typedef struct sm_ctl_reg {
    int32_t id;
    int64_t epoch;
    sm_zk_broker_t zb;
} sm_ctl_reg_t;

typedef struct sm_ctl_regs {
    sm_ctl_reg_t *v;
    int cnt;
} sm_ctl_regs_t;

static void
sm_ctl_regs_fini(sm_ctl_regs_t *r)
{
    for (int i = 0; i < r->cnt; i++)
        sm_zk_broker_fini(&r->v[i].zb);
    sm_free(r->v);
    memset(r, 0, sizeof(*r));
}

static const sm_ctl_reg_t *
sm_ctl_regs_find(const sm_ctl_regs_t *r, int32_t id)
{
    for (int i = 0; i < r->cnt; i++)
        if (r->v[i].id == id)
            return &r->v[i];
    return NULL;
}

/* Arm the data watch of /brokers/ids/<id> (BrokerModificationsHandler). */
static sm_err_t
sm_ctl_watch_broker(sm_controller_t *ctl, int32_t id)
{
    char *path = sm_zk_path_broker(id);
    sm_err_t err = sm_zk_exists(ctl->zk, path, 1, NULL);

    sm_free(path);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* getAllBrokerAndEpochsInCluster, re-arming the /brokers/ids watch. */
static sm_err_t
sm_ctl_read_brokers(sm_controller_t *ctl, sm_ctl_regs_t *out)
{
    sm_zk_ints_t ids = { 0 };
    sm_err_t err;

    memset(out, 0, sizeof(*out));
    err = sm_zk_get_broker_ids(ctl->zk, 1, &ids);
    if (err != SM_OK)
        return err;
    out->v = sm_calloc((size_t)ids.cnt + 1, sizeof(*out->v));
    for (int i = 0; i < ids.cnt && err == SM_OK; i++) {
        sm_ctl_reg_t *r = &out->v[out->cnt];
        err = sm_zk_get_broker(ctl->zk, ids.v[i], &r->zb, &r->epoch);
        if (err == SM_OK) {
            r->id = ids.v[i];
            out->cnt++;
        } else if (err == SM_ERR__NOENT || err == SM_ERR__BAD_MSG) {
            /* gone since the listing, or unreadable: not live */
            sm_zk_broker_fini(&r->zb);
            err = SM_OK;
        }
    }
    sm_zk_ints_fini(&ids);
    if (err != SM_OK)
        sm_ctl_regs_fini(out);
    return err;
}

static void
sm_ctl_add_broker(sm_controller_t *ctl, const sm_ctl_reg_t *r)
{
    sm_ctl_ctx_put_broker(&ctl->ctx, r->id, r->epoch, &r->zb);
    if (ctl->chan.broker_added != NULL)
        ctl->chan.broker_added(ctl->chan.opaque,
                               &sm_ctl_ctx_broker(&ctl->ctx, r->id)->md,
                               r->epoch);
}

static void
sm_ctl_remove_broker(sm_controller_t *ctl, int32_t id)
{
    sm_ctl_ctx_remove_broker(&ctl->ctx, id);
    if (ctl->chan.broker_removed != NULL)
        ctl->chan.broker_removed(ctl->chan.opaque, id);
}

/* ------------------------------------------------------------ topics */

/* Read topic's assignment (re-arming its data watch).  NOENT if gone. */
static sm_err_t
sm_ctl_read_topic(sm_controller_t *ctl, const char *topic, sm_zk_topic_t *t)
{
    sm_err_t err = sm_zk_get_topic(ctl->zk, topic, 1, t);

    if (err == SM_ERR__BAD_MSG) {
        sm_error(SM_CTL_LOG, "Ignoring topic %s: its assignment znode does "
                 "not decode", topic);
        err = SM_ERR__NOENT;
    }
    return err;
}

/* Add the partitions of t unknown to top; appended to added. */
static void
sm_ctl_add_parts(sm_ctl_topic_t *top, const sm_zk_topic_t *t,
                 sm_ctl_parts_t *added)
{
    if (top->topic_id == NULL && t->topic_id != NULL)
        top->topic_id = sm_strdup(t->topic_id);
    for (int i = 0; i < t->part_cnt; i++) {
        if (sm_ctl_topic_part(top, t->parts[i].partition) != NULL)
            continue;
        sm_ctl_part_t *part = sm_ctl_topic_add_part(top, &t->parts[i]);
        if (added != NULL)
            sm_ctl_parts_add(added, part);
    }
}

/* A new topic into the context with its partitions (appended to added). */
static sm_err_t
sm_ctl_load_topic(sm_controller_t *ctl, const char *name,
                  sm_ctl_parts_t *added)
{
    sm_zk_topic_t t = { 0 };
    sm_err_t err = sm_ctl_read_topic(ctl, name, &t);

    if (err == SM_OK)
        sm_ctl_add_parts(sm_ctl_ctx_add_topic(&ctl->ctx, name), &t, added);
    sm_zk_topic_fini(&t);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* updateLeaderAndIsrCache for parts. */
static sm_err_t
sm_ctl_load_leadership(sm_controller_t *ctl, sm_ctl_parts_t *parts)
{
    for (int i = 0; i < parts->cnt; i++) {
        sm_ctl_part_t *part = parts->v[i];
        sm_zk_part_state_t s;
        sm_err_t err = sm_zk_get_partition_state(ctl->zk, part->top->name,
                                                 part->partition, &s);
        if (err == SM_OK)
            sm_ctl_part_set_lis(part, &s);
        sm_zk_part_state_fini(&s);
        if (sm_ctl_transient(err))
            return err;
        /* NOENT: new partition; BAD_MSG: logged, treated as none */
    }
    return SM_OK;
}

/* initializeControllerContext. */
sm_err_t
sm_ctl_init_context(sm_controller_t *ctl)
{
    sm_ctl_regs_t regs;
    sm_zk_strings_t names = { 0 };
    sm_ctl_parts_t all = { 0 };
    sm_err_t err;

    err = sm_ctl_read_brokers(ctl, &regs);
    if (err != SM_OK)
        return err;
    for (int i = 0; i < regs.cnt && err == SM_OK; i++) {
        sm_ctl_add_broker(ctl, &regs.v[i]);
        err = sm_ctl_watch_broker(ctl, regs.v[i].id);
    }
    sm_ctl_regs_fini(&regs);
    if (err == SM_OK)
        err = sm_zk_get_topics(ctl->zk, 1, &names);
    for (int i = 0; i < names.cnt && err == SM_OK; i++)
        err = sm_ctl_load_topic(ctl, names.v[i], NULL);
    if (err == SM_OK) {
        sm_ctl_ctx_all_parts(&ctl->ctx, &all);
        err = sm_ctl_load_leadership(ctl, &all);
    }
    sm_info(SM_CTL_LOG, "Controller %d epoch %d: %d live brokers, %zu "
            "topics, %d partitions", (int)ctl->broker_id,
            (int)ctl->ctx.epoch, ctl->ctx.nbrokers,
            sm_map_count(&ctl->ctx.topics), all.cnt);
    sm_ctl_parts_fini(&all);
    sm_zk_strings_fini(&names);
    return err;
}

void
sm_ctl_send_update_metadata(sm_controller_t *ctl, const int32_t *ids, int n,
                            sm_ctl_parts_t *parts)
{
    sm_ctl_batch_new(ctl);
    sm_ctl_batch_add_um(ctl, ids, n, parts);
    sm_ctl_batch_send(ctl);
}

/* ------------------------------------------------------------ brokers */

/* Topics (queued for deletion) of reps, without duplicates. */
static void
sm_ctl_deleting_topics_of(sm_controller_t *ctl, sm_ctl_reps_t *reps,
                          sm_ctl_topics_t *out)
{
    for (int i = 0; i < reps->cnt; i++) {
        sm_ctl_topic_t *top = reps->v[i].part->top;
        if (sm_ctl_tdm_is_queued(ctl, top) && !sm_ctl_topics_has(out, top))
            sm_ctl_topics_add(out, top);
    }
}

/* onBrokerStartup. */
static sm_err_t
sm_ctl_on_broker_startup(sm_controller_t *ctl, const int32_t *ids, int n)
{
    int32_t *existing = sm_calloc((size_t)ctl->ctx.nbrokers + 1,
                                  sizeof(*existing));
    sm_ctl_parts_t with_leaders = { 0 };
    sm_ctl_topics_t deleting = { 0 };
    sm_ctl_reps_t reps = { 0 };
    sm_err_t err;
    int nexisting = 0;

    sm_info(SM_CTL_LOG, "New broker startup callback for %d broker(s), "
            "first %d", n, (int)ids[0]);
    for (int i = 0; i < ctl->ctx.nbrokers; i++) {
        int32_t id = ctl->ctx.brokers[i].md.id, is_new = 0;
        for (int k = 0; k < n; k++)
            is_new |= ids[k] == id;
        if (!is_new)
            existing[nexisting++] = id;
    }
    /* the others learn of the new brokers; the new ones get everything */
    sm_ctl_send_update_metadata(ctl, existing, nexisting, NULL);
    sm_ctl_ctx_with_leaders(&ctl->ctx, &with_leaders);
    sm_ctl_send_update_metadata(ctl, ids, n, &with_leaders);
    sm_ctl_ctx_replicas_on(&ctl->ctx, ids, n, &reps);
    err = sm_ctl_rsm_handle(ctl, &reps, SM_CTL_RST_ONLINE);
    if (err == SM_OK)
        err = sm_ctl_psm_trigger_online(ctl, NULL);
    if (err == SM_OK) {
        sm_ctl_deleting_topics_of(ctl, &reps, &deleting);
        if (deleting.cnt > 0)
            err = sm_ctl_tdm_resume_for(ctl, &deleting);
    }
    sm_ctl_topics_fini(&deleting);
    sm_ctl_reps_fini(&reps);
    sm_ctl_parts_fini(&with_leaders);
    sm_free(existing);
    return err;
}

/* onReplicasBecomeOffline. */
static sm_err_t
sm_ctl_on_replicas_offline(sm_controller_t *ctl, sm_ctl_reps_t *reps)
{
    sm_ctl_reps_t for_del = { 0 }, not_del = { 0 };
    sm_ctl_parts_t offline_leader = { 0 };
    sm_err_t err;
    int elected = 0;

    for (int i = 0; i < reps->cnt; i++)
        sm_ctl_reps_add(sm_ctl_tdm_is_queued(ctl, reps->v[i].part->top) ?
                        &for_del : &not_del, reps->v[i].part,
                        reps->v[i].id);
    sm_ctl_ctx_offline_leader(&ctl->ctx, &offline_leader);
    err = sm_ctl_psm_handle(ctl, &offline_leader, SM_CTL_PST_OFFLINE,
                            SM_CTL_ELECT_OFFLINE, NULL);
    if (err == SM_OK)
        err = sm_ctl_psm_trigger_online(ctl, &elected);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &not_del, SM_CTL_RST_OFFLINE);
    if (err == SM_OK && for_del.cnt > 0)
        err = sm_ctl_tdm_fail_replicas(ctl, &for_del);
    /* nothing changed leader or ISR: still tell everyone who is gone */
    if (err == SM_OK && not_del.cnt == 0 && elected == 0)
        sm_ctl_send_update_metadata(ctl, NULL, 0, NULL);
    sm_ctl_parts_fini(&offline_leader);
    sm_ctl_reps_fini(&for_del);
    sm_ctl_reps_fini(&not_del);
    return err;
}

/* onBrokerFailure. */
static sm_err_t
sm_ctl_on_broker_failure(sm_controller_t *ctl, const int32_t *ids, int n)
{
    sm_ctl_reps_t reps = { 0 };
    sm_err_t err;

    sm_info(SM_CTL_LOG, "Broker failure callback for %d broker(s), first "
            "%d", n, (int)ids[0]);
    sm_ctl_ctx_replicas_on(&ctl->ctx, ids, n, &reps);
    err = sm_ctl_on_replicas_offline(ctl, &reps);
    sm_ctl_reps_fini(&reps);
    return err;
}

/* The difference between the registrations and the live brokers. */
typedef struct sm_ctl_broker_diff {
    int32_t *fresh, *dead, *bounced;
    int nfresh, ndead, nbounced;
} sm_ctl_broker_diff_t;

static void
sm_ctl_broker_diff(sm_controller_t *ctl, const sm_ctl_regs_t *regs,
                   sm_ctl_broker_diff_t *d)
{
    memset(d, 0, sizeof(*d));
    d->fresh = sm_calloc((size_t)regs->cnt + 1, sizeof(int32_t));
    d->bounced = sm_calloc((size_t)regs->cnt + 1, sizeof(int32_t));
    d->dead = sm_calloc((size_t)ctl->ctx.nbrokers + 1, sizeof(int32_t));
    for (int i = 0; i < regs->cnt; i++) {
        sm_ctl_broker_t *b = sm_ctl_ctx_broker(&ctl->ctx, regs->v[i].id);
        if (b == NULL)
            d->fresh[d->nfresh++] = regs->v[i].id;
        else if (regs->v[i].epoch > b->epoch)   /* re-registered */
            d->bounced[d->nbounced++] = regs->v[i].id;
    }
    for (int i = 0; i < ctl->ctx.nbrokers; i++)
        if (sm_ctl_regs_find(regs, ctl->ctx.brokers[i].md.id) == NULL)
            d->dead[d->ndead++] = ctl->ctx.brokers[i].md.id;
}

/* Make ids live from their registrations and arm their watches. */
static sm_err_t
sm_ctl_add_brokers(sm_controller_t *ctl, const sm_ctl_regs_t *regs,
                   const int32_t *ids, int n)
{
    sm_err_t err = SM_OK;

    for (int i = 0; i < n && err == SM_OK; i++) {
        sm_ctl_add_broker(ctl, sm_ctl_regs_find(regs, ids[i]));
        err = sm_ctl_watch_broker(ctl, ids[i]);
    }
    return err;
}

sm_err_t
sm_ctl_process_broker_change(sm_controller_t *ctl)
{
    sm_ctl_broker_diff_t d;
    sm_ctl_regs_t regs;
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_ctl_read_brokers(ctl, &regs);
    if (err != SM_OK)
        return err;
    sm_ctl_broker_diff(ctl, &regs, &d);
    sm_info(SM_CTL_LOG, "Broker change: %d new, %d dead, %d bounced, %d "
            "live brokers", d.nfresh, d.ndead, d.nbounced, regs.cnt);
    if (d.nfresh > 0) {
        err = sm_ctl_add_brokers(ctl, &regs, d.fresh, d.nfresh);
        if (err == SM_OK)
            err = sm_ctl_on_broker_startup(ctl, d.fresh, d.nfresh);
    }
    if (err == SM_OK && d.nbounced > 0) {
        /* a restart the watch missed: a failure, then a startup */
        for (int i = 0; i < d.nbounced; i++)
            sm_ctl_remove_broker(ctl, d.bounced[i]);
        err = sm_ctl_on_broker_failure(ctl, d.bounced, d.nbounced);
        if (err == SM_OK)
            err = sm_ctl_add_brokers(ctl, &regs, d.bounced, d.nbounced);
        if (err == SM_OK)
            err = sm_ctl_on_broker_startup(ctl, d.bounced, d.nbounced);
    }
    if (err == SM_OK && d.ndead > 0) {
        for (int i = 0; i < d.ndead; i++)
            sm_ctl_remove_broker(ctl, d.dead[i]);
        err = sm_ctl_on_broker_failure(ctl, d.dead, d.ndead);
    }
    sm_free(d.fresh);
    sm_free(d.dead);
    sm_free(d.bounced);
    sm_ctl_regs_fini(&regs);
    return err;
}

/* processBrokerModification: endpoints or rack changed. */
sm_err_t
sm_ctl_process_broker_modification(sm_controller_t *ctl, int32_t id)
{
    sm_ctl_reg_t r = { .id = id };
    sm_ctl_broker_t *b;
    sm_md_broker_t md;
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_ctl_watch_broker(ctl, id);
    if (err == SM_OK)
        err = sm_zk_get_broker(ctl->zk, id, &r.zb, &r.epoch);
    if (err != SM_OK) {
        sm_zk_broker_fini(&r.zb);
        return sm_ctl_transient(err) ? err : SM_OK;
    }
    b = sm_ctl_ctx_broker(&ctl->ctx, id);
    sm_ctl_broker_from_zk(&md, id, &r.zb);
    if (b != NULL && sm_ctl_broker_differs(&b->md, &md)) {
        sm_info(SM_CTL_LOG, "Updated broker metadata of broker %d", (int)id);
        r.epoch = b->epoch;     /* a bounce is BrokerChange's business */
        sm_ctl_add_broker(ctl, &r);
        sm_ctl_send_update_metadata(ctl, NULL, 0, NULL);
    }
    sm_md_broker_fini(&md);
    sm_zk_broker_fini(&r.zb);
    return SM_OK;
}

/* ------------------------------------------------------------ topics */

/* onNewPartitionCreation. */
sm_err_t
sm_ctl_on_new_partitions(sm_controller_t *ctl, sm_ctl_parts_t *parts)
{
    sm_ctl_reps_t reps = { 0 };
    sm_err_t err;

    if (parts->cnt == 0)
        return SM_OK;
    sm_info(SM_CTL_LOG, "New partition creation callback for %d "
            "partition(s), first %s-%d", parts->cnt, parts->v[0]->top->name,
            (int)parts->v[0]->partition);
    for (int i = 0; i < parts->cnt; i++)
        sm_ctl_part_replicas(parts->v[i], &reps);
    err = sm_ctl_psm_handle(ctl, parts, SM_CTL_PST_NEW, SM_CTL_ELECT_OFFLINE,
                            NULL);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &reps, SM_CTL_RST_NEW);
    if (err == SM_OK)
        err = sm_ctl_psm_handle(ctl, parts, SM_CTL_PST_ONLINE,
                                SM_CTL_ELECT_OFFLINE, NULL);
    if (err == SM_OK)
        err = sm_ctl_rsm_handle(ctl, &reps, SM_CTL_RST_ONLINE);
    sm_ctl_reps_fini(&reps);
    return err;
}

sm_err_t
sm_ctl_process_topic_change(sm_controller_t *ctl)
{
    sm_zk_strings_t names = { 0 };
    sm_ctl_topics_t known = { 0 };
    sm_ctl_parts_t added = { 0 };
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_zk_get_topics(ctl->zk, 1, &names);
    if (err != SM_OK)
        return err;
    /* topics gone from ZooKeeper behind the deletion manager's back */
    sm_ctl_ctx_topics(&ctl->ctx, &known);
    for (int i = 0; i < known.cnt; i++) {
        int found = 0;
        for (int k = 0; k < names.cnt && !found; k++)
            found = strcmp(names.v[k], known.v[i]->name) == 0;
        if (!found) {
            sm_info(SM_CTL_LOG, "Topic %s disappeared", known.v[i]->name);
            sm_ctl_ctx_remove_topic(&ctl->ctx, known.v[i]->name);
        }
    }
    for (int i = 0; i < names.cnt && err == SM_OK; i++)
        if (sm_ctl_ctx_topic(&ctl->ctx, names.v[i]) == NULL)
            err = sm_ctl_load_topic(ctl, names.v[i], &added);
    if (err == SM_OK)
        err = sm_ctl_on_new_partitions(ctl, &added);
    sm_ctl_parts_fini(&added);
    sm_ctl_topics_fini(&known);
    sm_zk_strings_fini(&names);
    return err;
}

/* Rewrite the topic znode with the partitions we know (no new ones). */
sm_err_t
sm_ctl_restore_assignment(sm_controller_t *ctl, sm_ctl_topic_t *top)
{
    sm_zk_topic_t t = { 0 };
    sm_err_t err;

    if (top->topic_id != NULL)
        t.topic_id = sm_strdup(top->topic_id);
    for (int i = 0; i < top->nparts; i++) {
        sm_ctl_part_t *part = top->parts[i];
        sm_zk_assignment_t *a = sm_zk_topic_add(&t, part->partition,
                                                part->replicas.v,
                                                part->replicas.cnt);
        sm_zk_ints_set(&a->adding, part->adding.v, part->adding.cnt);
        sm_zk_ints_set(&a->removing, part->removing.v, part->removing.cnt);
    }
    err = sm_zk_set_topic(ctl->zk, top->name, &t, ctl->ctx.epoch_zkv);
    sm_zk_topic_fini(&t);
    return err;
}

sm_err_t
sm_ctl_process_partition_modifications(sm_controller_t *ctl,
                                       const char *topic)
{
    sm_zk_topic_t t = { 0 };
    sm_ctl_parts_t added = { 0 };
    sm_ctl_topic_t *top;
    sm_err_t err;
    int nnew = 0;

    if (!ctl->active || (top = sm_ctl_ctx_topic(&ctl->ctx, topic)) == NULL)
        return SM_OK;   /* an unknown topic is TopicChange's business */
    err = sm_ctl_read_topic(ctl, topic, &t);
    if (err != SM_OK)
        goto out;
    for (int i = 0; i < t.part_cnt; i++)
        nnew += sm_ctl_topic_part(top, t.parts[i].partition) == NULL;
    if (nnew > 0 && sm_ctl_tdm_is_queued(ctl, top)) {
        sm_warn(SM_CTL_LOG, "Skipping adding %d partition(s) for topic %s "
                "since it is currently being deleted", nnew, topic);
        err = sm_ctl_restore_assignment(ctl, top);
    } else if (nnew > 0) {
        sm_ctl_add_parts(top, &t, &added);
        sm_info(SM_CTL_LOG, "New partitions to be added to topic %s: %d",
                topic, added.cnt);
        err = sm_ctl_on_new_partitions(ctl, &added);
    }
out:
    sm_ctl_parts_fini(&added);
    sm_zk_topic_fini(&t);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* ------------------------------------------------------------ deletion */

sm_err_t
sm_ctl_process_topic_deletion(sm_controller_t *ctl)
{
    sm_zk_strings_t names = { 0 };
    sm_ctl_topics_t topics = { 0 };
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_zk_get_topic_deletions(ctl->zk, 1, &names);
    for (int i = 0; i < names.cnt && err == SM_OK; i++) {
        sm_ctl_topic_t *top = sm_ctl_ctx_topic(&ctl->ctx, names.v[i]);
        if (top == NULL) {
            sm_warn(SM_CTL_LOG, "Ignoring request to delete non-existing "
                    "topic %s", names.v[i]);
            err = sm_zk_delete_topic_deletion(ctl->zk, names.v[i],
                                              ctl->ctx.epoch_zkv);
        } else if (!ctl->opts.delete_topic_enable) {
            sm_info(SM_CTL_LOG, "Removing %s since delete topic is "
                    "disabled", names.v[i]);
            err = sm_zk_delete_topic_deletion(ctl->zk, names.v[i],
                                              ctl->ctx.epoch_zkv);
        } else {
            sm_ctl_topics_add(&topics, top);
        }
    }
    if (err == SM_OK && topics.cnt > 0) {
        sm_info(SM_CTL_LOG, "Starting topic deletion for %d topic(s), first "
                "%s", topics.cnt, topics.v[0]->name);
        err = sm_ctl_tdm_enqueue(ctl, &topics);
    }
    sm_ctl_topics_fini(&topics);
    sm_zk_strings_fini(&names);
    return err;
}

/* ------------------------------------------------------------ ISR */

/* Re-read the state znode of each notified partition the controller knows
 * (the leader changed its ISR there) into the context. */
static void
sm_ctl_reread_states(sm_controller_t *ctl, const sm_zk_tps_t *tps,
                     sm_ctl_parts_t *out)
{
    for (int i = 0; i < tps->cnt; i++) {
        sm_ctl_topic_t *top = sm_ctl_ctx_topic(&ctl->ctx, tps->v[i].topic);
        sm_ctl_part_t *part = top && !top->del_queued
            ? sm_ctl_topic_part(top, tps->v[i].partition) : NULL;
        sm_zk_part_state_t s;

        if (part == NULL)
            continue;
        memset(&s, 0, sizeof(s));
        if (sm_zk_get_partition_state(ctl->zk, top->name, part->partition,
                                      &s) != SM_OK) {
            sm_zk_part_state_fini(&s);
            continue;
        }
        sm_zk_part_state_fini(&part->lis);
        part->lis = s;
        part->has_lis = 1;
        sm_ctl_parts_add(out, part);
    }
}

/* IsrChangeNotification: re-read the partitions' state znodes, tell
 * every live broker with UpdateMetadata, delete the notifications. */
sm_err_t
sm_ctl_process_isr_change(sm_controller_t *ctl)
{
    sm_zk_strings_t children = { 0 };
    sm_zk_tps_t tps = { 0 };
    sm_ctl_parts_t parts = { 0 };
    sm_err_t err;

    if (!ctl->active)
        return SM_OK;
    err = sm_zk_get_isr_changes(ctl->zk, 1, &children);
    for (int i = 0; i < children.cnt && err == SM_OK; i++) {
        err = sm_zk_get_isr_change(ctl->zk, children.v[i], &tps);
        if (err == SM_ERR__NOENT || err == SM_ERR__BAD_MSG)
            err = SM_OK;                /* gone, or garbage: drop it */
    }
    if (err == SM_OK && children.cnt > 0) {
        sm_ctl_reread_states(ctl, &tps, &parts);
        sm_info(SM_CTL_LOG, "Processing %d ISR change notification(s) for "
                "%d partition(s)", children.cnt, parts.cnt);
        if (parts.cnt > 0)
            sm_ctl_send_update_metadata(ctl, NULL, 0, &parts);
        err = sm_zk_delete_isr_changes(ctl->zk, &children,
                                       ctl->ctx.epoch_zkv);
    }
    sm_ctl_parts_fini(&parts);
    sm_zk_tps_fini(&tps);
    sm_zk_strings_fini(&children);
    return err;
}

/* TopicDeletionStopReplicaResponseReceived. */
sm_err_t
sm_ctl_process_stop_replica_done(sm_controller_t *ctl, const sm_ctl_ev_t *ev)
{
    sm_ctl_reps_t reps = { 0 };
    sm_ctl_topic_t *top;
    sm_ctl_part_t *part;
    sm_err_t err = SM_OK;

    if (!ctl->active || ev->epoch != ctl->ctx.epoch ||
        (top = sm_ctl_ctx_topic(&ctl->ctx, ev->topic)) == NULL ||
        !top->del_started || !sm_ctl_tdm_is_queued(ctl, top) ||
        (part = sm_ctl_topic_part(top, ev->partition)) == NULL)
        return SM_OK;   /* stale: another epoch, or a finished deletion */
    sm_ctl_reps_add(&reps, part, ev->broker_id);
    if (sm_ctl_rep_state(&reps.v[0]) != SM_CTL_RST_DELETION_STARTED)
        goto out;
    sm_debug(SM_CTL_LOG, "Delete topic callback invoked on StopReplica "
             "response received from broker %d: partition %s-%d error %s",
             (int)ev->broker_id, ev->topic, (int)ev->partition,
             sm_err_name(ev->err));
    if (ev->err != SM_OK)
        err = sm_ctl_tdm_fail_replicas(ctl, &reps);
    else
        err = sm_ctl_tdm_complete_replicas(ctl, &reps);
out:
    sm_ctl_reps_fini(&reps);
    return err;
}

/* ------------------------------------------------------------ configs */

/* The event behind sm_controller_config_changed (arg: heap int, the new
 * broker default or -1), as Kafka's UncleanLeaderElectionEnable and
 * TopicUncleanLeaderElectionEnable events. */
static void
sm_ctl_config_changed_call(sm_controller_t *ctl, void *arg, sm_err_t err)
{
    int unclean = *(int *)arg;

    sm_free(arg);
    if (unclean >= 0)
        ctl->opts.unclean_leader_election_enable = unclean;
    if (err != SM_OK || !ctl->active)
        return;
    err = sm_ctl_psm_trigger_online(ctl, NULL);
    if (err != SM_OK)
        sm_warn(SM_CTL_LOG, "electing offline partitions after a config "
                "change failed: %s", sm_err_desc(err));
}

sm_err_t
sm_controller_config_changed(sm_controller_t *ctl, int unclean_default)
{
    int *arg = sm_malloc(sizeof(*arg));
    sm_err_t err;

    *arg = unclean_default;
    err = sm_controller_enqueue(ctl, sm_ctl_config_changed_call, arg);
    if (err != SM_OK)
        sm_free(arg);
    return err;
}

void
sm_controller_set_unclean_default(sm_controller_t *ctl, int enable)
{
    ctl->opts.unclean_leader_election_enable = enable;
}
