/*
 * controller_batch.c: requests collected during one state change and sent
 * to the brokers through the channel - Kafka's
 * ControllerBrokerRequestBatch.
 *
 * USE.  Every state machine call is bracketed:
 *
 *     sm_ctl_batch_new(ctl);        the batch must be empty
 *     ... sm_ctl_batch_add_lai / _add_stop / _add_um ...
 *     sm_ctl_batch_send(ctl);       LeaderAndIsr, then UpdateMetadata, then
 *                                   StopReplica, as Kafka sends them
 *
 * and an event that fails half-way clears it (sm_ctl_batch_clear) so the
 * next one starts empty.  Adding LeaderAndIsr for a partition also adds
 * UpdateMetadata for it to every live broker (Kafka does the same), so the
 * whole cluster learns a new leader in the same round.
 *
 * CONTENTS.  Partition states are snapshots taken when added (the
 * partition's leadership info and assignment at that moment); a later add
 * for the same (broker, partition) replaces the earlier one, with IsNew
 * and DeletePartition or-ed.  Requests to brokers that are not live when
 * the batch is sent are dropped (Kafka: liveOrShuttingDownBrokerIds).
 * UpdateMetadata for a topic queued for deletion carries leader
 * SM_LEADER_DURING_DELETE (LeaderAndIsr.duringDelete: leader epoch and
 * zkVersion 0), which makes brokers drop the partition.
 *
 * THREADS.  Controller thread only.  Channel calls are made with no lock
 * held and must not block (controller.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

void
sm_ctl_batch_init(sm_ctl_batch_t *b)
{
    memset(b, 0, sizeof(*b));
    sm_map_init(&b->lai_idx);
    sm_map_init(&b->um_idx);
    sm_map_init(&b->stop_idx);
}

void
sm_ctl_batch_clear(sm_ctl_batch_t *b)
{
    for (int i = 0; i < b->nlai; i++)
        sm_pstate_fini(&b->lai[i].ps);
    for (int i = 0; i < b->num; i++)
        sm_pstate_fini(&b->um[i]);
    for (int i = 0; i < b->nstop; i++)
        sm_free(b->stop[i].topic);
    sm_map_fini(&b->lai_idx);
    sm_map_fini(&b->um_idx);
    sm_map_fini(&b->stop_idx);
    b->nlai = b->num = b->num_brokers = b->nstop = 0;
}

void
sm_ctl_batch_fini(sm_ctl_batch_t *b)
{
    sm_ctl_batch_clear(b);
    sm_free(b->lai);
    sm_free(b->um);
    sm_free(b->um_brokers);
    sm_free(b->stop);
    memset(b, 0, sizeof(*b));
}

int
sm_ctl_batch_empty(const sm_ctl_batch_t *b)
{
    return b->nlai == 0 && b->num == 0 && b->num_brokers == 0 &&
           b->nstop == 0;
}

void
sm_ctl_batch_new(sm_controller_t *ctl)
{
    /* Kafka throws IllegalStateException here; a leftover means an
     * earlier event failed without clearing, which we log and repair. */
    if (!sm_ctl_batch_empty(&ctl->batch)) {
        sm_error(SM_CTL_LOG, "Controller %d: request batch not empty while "
                 "creating a new one; dropping %d LeaderAndIsr, %d "
                 "UpdateMetadata and %d StopReplica entries",
                 (int)ctl->broker_id, ctl->batch.nlai, ctl->batch.num,
                 ctl->batch.nstop);
        sm_ctl_batch_clear(&ctl->batch);
    }
}

/* ------------------------------------------------------------ snapshots */

static int32_t *
sm_ctl_i32_dup(const int32_t *v, int n)
{
    int32_t *d;

    if (n <= 0)
        return NULL;
    d = sm_malloc(sizeof(*d) * (size_t)n);
    memcpy(d, v, sizeof(*d) * (size_t)n);
    return d;
}

/* The partition as LeaderAndIsr / UpdateMetadata carry it (heap copies). */
static void
sm_ctl_pstate_of(sm_controller_t *ctl, const sm_ctl_part_t *part,
                 sm_pstate_t *ps, int with_offline)
{
    const sm_zk_part_state_t *lis = &part->lis;

    memset(ps, 0, sizeof(*ps));
    ps->topic = sm_strdup(part->top->name);
    ps->partition = part->partition;
    ps->controller_epoch = lis->controller_epoch;
    ps->leader = lis->leader;
    ps->leader_epoch = lis->leader_epoch;
    ps->isr = sm_ctl_i32_dup(lis->isr.v, lis->isr.cnt);
    ps->nisr = lis->isr.cnt;
    ps->zk_version = lis->zk_version;
    ps->replicas = sm_ctl_i32_dup(part->replicas.v, part->replicas.cnt);
    ps->nreplicas = part->replicas.cnt;
    if (!with_offline)
        return;
    ps->offline = sm_calloc((size_t)part->replicas.cnt + 1, sizeof(int32_t));
    for (int i = 0; i < part->replicas.cnt; i++)
        if (!sm_ctl_is_replica_online(&ctl->ctx, part, part->replicas.v[i]))
            ps->offline[ps->noffline++] = part->replicas.v[i];
}

/* Index stored under key in idx, or -1. */
static int
sm_ctl_idx_get(sm_map_t *idx, const char *key)
{
    void *v = sm_map_get(idx, key);

    return v == NULL ? -1 : (int)((uintptr_t)v - 1);
}

static void
sm_ctl_idx_put(sm_map_t *idx, const char *key, int i)
{
    sm_map_put(idx, key, (void *)(uintptr_t)(i + 1));
}

#define SM_CTL_RESERVE(arr, n, cap)                                        \
    do {                                                                   \
        if ((n) == (cap)) {                                                \
            (cap) = (cap) ? (cap) * 2 : 16;                                \
            (arr) = sm_realloc((arr), sizeof(*(arr)) * (size_t)(cap));     \
        }                                                                  \
    } while (0)

/* ------------------------------------------------------------ adding */

void
sm_ctl_batch_add_lai(sm_controller_t *ctl, const int32_t *ids, int n,
                     sm_ctl_part_t *part, int is_new)
{
    sm_ctl_batch_t *b = &ctl->batch;

    for (int k = 0; k < n; k++) {
        char *key;
        int i;

        if (ids[k] < 0)
            continue;
        key = sm_asprintf("%d/%s/%d", (int)ids[k], part->top->name,
                          (int)part->partition);
        i = sm_ctl_idx_get(&b->lai_idx, key);
        if (i >= 0) {
            int was_new = b->lai[i].ps.is_new;
            sm_pstate_fini(&b->lai[i].ps);
            sm_ctl_pstate_of(ctl, part, &b->lai[i].ps, 0);
            b->lai[i].ps.is_new = is_new || was_new;
        } else {
            SM_CTL_RESERVE(b->lai, b->nlai, b->lai_cap);
            i = b->nlai++;
            b->lai[i].broker_id = ids[k];
            sm_ctl_pstate_of(ctl, part, &b->lai[i].ps, 0);
            b->lai[i].ps.is_new = is_new;
            sm_ctl_idx_put(&b->lai_idx, key, i);
        }
        sm_free(key);
    }
    sm_ctl_batch_add_um(ctl, NULL, 0, NULL);
    sm_ctl_batch_add_um_part(ctl, part);
}

void
sm_ctl_batch_add_stop(sm_controller_t *ctl, int32_t id, sm_ctl_part_t *part,
                      int del)
{
    sm_ctl_batch_t *b = &ctl->batch;
    char *key;
    int i;

    if (id < 0)
        return;
    key = sm_asprintf("%d/%s/%d", (int)id, part->top->name,
                      (int)part->partition);
    i = sm_ctl_idx_get(&b->stop_idx, key);
    if (i < 0) {
        SM_CTL_RESERVE(b->stop, b->nstop, b->stop_cap);
        i = b->nstop++;
        memset(&b->stop[i], 0, sizeof(b->stop[i]));
        b->stop[i].broker_id = id;
        b->stop[i].topic = sm_strdup(part->top->name);
        b->stop[i].partition = part->partition;
        sm_ctl_idx_put(&b->stop_idx, key, i);
    }
    b->stop[i].del = b->stop[i].del || del;
    /* StopReplica v3's sentinel for a topic queued for deletion */
    b->stop[i].leader_epoch = sm_ctl_tdm_is_queued(ctl, part->top) ? -2 :
                              part->has_lis ? part->lis.leader_epoch : -1;
    sm_free(key);
}

static void
sm_ctl_batch_add_um_broker(sm_ctl_batch_t *b, int32_t id)
{
    for (int i = 0; i < b->num_brokers; i++)
        if (b->um_brokers[i] == id)
            return;
    SM_CTL_RESERVE(b->um_brokers, b->num_brokers, b->um_brokers_cap);
    b->um_brokers[b->num_brokers++] = id;
}

void
sm_ctl_batch_add_um_part(sm_controller_t *ctl, sm_ctl_part_t *part)
{
    sm_ctl_batch_t *b = &ctl->batch;
    char *key;
    int i;

    if (!part->has_lis) {
        sm_debug(SM_CTL_LOG, "Leader not yet assigned for partition %s-%d; "
                 "skipping it in UpdateMetadata", part->top->name,
                 (int)part->partition);
        return;
    }
    key = sm_asprintf("%s/%d", part->top->name, (int)part->partition);
    i = sm_ctl_idx_get(&b->um_idx, key);
    if (i >= 0) {
        sm_pstate_fini(&b->um[i]);
    } else {
        SM_CTL_RESERVE(b->um, b->num, b->um_cap);
        i = b->num++;
        sm_ctl_idx_put(&b->um_idx, key, i);
    }
    sm_ctl_pstate_of(ctl, part, &b->um[i], 1);
    if (sm_ctl_tdm_is_queued(ctl, part->top)) {
        b->um[i].leader = SM_LEADER_DURING_DELETE;
        b->um[i].leader_epoch = 0;
        b->um[i].zk_version = 0;
    }
    sm_free(key);
}

void
sm_ctl_batch_add_um(sm_controller_t *ctl, const int32_t *ids, int n,
                    sm_ctl_parts_t *parts)
{
    if (ids == NULL) {
        for (int i = 0; i < ctl->ctx.nbrokers; i++)
            sm_ctl_batch_add_um_broker(&ctl->batch,
                                       ctl->ctx.brokers[i].md.id);
    } else {
        for (int i = 0; i < n; i++)
            if (ids[i] >= 0)
                sm_ctl_batch_add_um_broker(&ctl->batch, ids[i]);
    }
    for (int i = 0; parts != NULL && i < parts->cnt; i++)
        sm_ctl_batch_add_um_part(ctl, parts->v[i]);
}

/* ------------------------------------------------------------ sending */

static void
sm_ctl_send_lai_to(sm_controller_t *ctl, int32_t id)
{
    sm_ctl_batch_t *b = &ctl->batch;
    sm_ctl_broker_t *dst = sm_ctl_ctx_broker(&ctl->ctx, id);
    sm_pstate_t *states = sm_calloc((size_t)b->nlai, sizeof(*states));
    sm_md_broker_t *leaders = sm_calloc((size_t)ctl->ctx.nbrokers + 1,
                                        sizeof(*leaders));
    int n = 0, nleaders = 0, nbecome = 0;

    for (int i = 0; i < b->nlai; i++) {
        if (b->lai[i].broker_id != id)
            continue;
        states[n++] = b->lai[i].ps;         /* shallow: borrowed */
        nbecome += b->lai[i].ps.leader == id;
    }
    for (int k = 0; k < ctl->ctx.nbrokers; k++)
        for (int i = 0; i < n; i++)
            if (states[i].leader == ctl->ctx.brokers[k].md.id) {
                leaders[nleaders++] = ctl->ctx.brokers[k].md;
                break;
            }
    sm_info(SM_CTL_LOG, "Sending LeaderAndIsr request to broker %d with %d "
            "become-leader and %d become-follower partitions", (int)id,
            nbecome, n - nbecome);
    if (dst != NULL && ctl->chan.leader_and_isr != NULL)
        ctl->chan.leader_and_isr(ctl->chan.opaque, id, dst->epoch,
                                 ctl->broker_id, ctl->ctx.epoch, states, n,
                                 leaders, nleaders);
    sm_free(states);
    sm_free(leaders);
}

static void
sm_ctl_send_lai(sm_controller_t *ctl)
{
    sm_ctl_batch_t *b = &ctl->batch;
    int32_t *seen = sm_calloc((size_t)b->nlai + 1, sizeof(*seen));
    int nseen = 0;

    /* one request per broker, brokers in the order they were added */
    for (int i = 0; i < b->nlai; i++) {
        int32_t id = b->lai[i].broker_id;
        int dup = 0;
        for (int k = 0; k < nseen && !dup; k++)
            dup = seen[k] == id;
        if (dup)
            continue;
        seen[nseen++] = id;
        if (sm_ctl_ctx_is_live(&ctl->ctx, id))
            sm_ctl_send_lai_to(ctl, id);
    }
    sm_free(seen);
}

static void
sm_ctl_send_um(sm_controller_t *ctl)
{
    sm_ctl_batch_t *b = &ctl->batch;
    sm_md_broker_t *all = sm_calloc((size_t)ctl->ctx.nbrokers + 1,
                                    sizeof(*all));

    if (b->num_brokers > 0)
        sm_info(SM_CTL_LOG, "Sending UpdateMetadata request to %d brokers "
                "for %d partitions", b->num_brokers, b->num);
    for (int k = 0; k < ctl->ctx.nbrokers; k++)
        all[k] = ctl->ctx.brokers[k].md;    /* shallow: borrowed */
    for (int i = 0; i < b->num_brokers; i++) {
        sm_ctl_broker_t *dst = sm_ctl_ctx_broker(&ctl->ctx, b->um_brokers[i]);
        if (dst == NULL || ctl->chan.update_metadata == NULL)
            continue;
        ctl->chan.update_metadata(ctl->chan.opaque, dst->md.id, dst->epoch,
                                  ctl->broker_id, ctl->ctx.epoch, b->um,
                                  b->num, all, ctl->ctx.nbrokers);
    }
    sm_free(all);
}

static void
sm_ctl_send_stop(sm_controller_t *ctl)
{
    sm_ctl_batch_t *b = &ctl->batch;

    for (int i = 0; i < b->nstop; i++) {
        sm_ctl_stop_ent_t *s = &b->stop[i];
        sm_ctl_broker_t *dst = sm_ctl_ctx_broker(&ctl->ctx, s->broker_id);
        sm_ctl_ev_t *done = NULL;

        if (dst == NULL || ctl->chan.stop_replica == NULL)
            continue;
        sm_info(SM_CTL_LOG, "Sending StopReplica request (delete = %s) for "
                "%s-%d to broker %d", s->del ? "true" : "false", s->topic,
                (int)s->partition, (int)s->broker_id);
        if (s->del) {
            done = sm_ctl_ev_new(SM_CTL_EV_STOP_REPLICA_DONE);
            done->broker_id = s->broker_id;
            done->topic = sm_strdup(s->topic);
            done->partition = s->partition;
            done->epoch = ctl->ctx.epoch;
            done->q = ctl->q;
            sm_ctl_queue_keep(ctl->q);
        }
        ctl->chan.stop_replica(ctl->chan.opaque, s->broker_id, dst->epoch,
                               ctl->broker_id, ctl->ctx.epoch, s->topic,
                               s->partition, s->leader_epoch, s->del,
                               done ? sm_ctl_stop_replica_completion : NULL,
                               done);
    }
}

void
sm_ctl_batch_send(sm_controller_t *ctl)
{
    sm_ctl_send_lai(ctl);
    sm_ctl_send_um(ctl);
    sm_ctl_send_stop(ctl);
    sm_ctl_batch_clear(&ctl->batch);
}
