/*
 * replica_throttle.c: the broker's side of replication throttling
 * (replication_quota.h): which partitions a leader or follower throttles
 * now, and recording their bytes.
 *
 * A partition is listed when its topic's leader. (or follower.)
 * replication.throttled.replicas names it with this broker's id.  The
 * limits come from the effective dynamic broker config on every call, so
 * kafka-configs.sh / kafka-reassign-partitions.sh changes apply at once.
 * While a limit is unlimited (the default) nothing is looked up or
 * recorded: the quota starts measuring when a throttle is set.
 */
#include "common/sm_time.h"
#include "server/broker.h"
#include "server/dynamic_config.h"
#include "server/replication_quota.h"
#include "server/topic_config_cache.h"

/* 1 if topic's leader (leader_side) or follower list names partition on
 * this broker. */
static int
sm_throttle_listed(sm_broker_t *b, const char *topic, int32_t partition,
                   int leader_side)
{
    sm_tcfg_t *t;
    int listed;

    if (b->tcfg == NULL || sm_tcfg_get(b->tcfg, topic, &t) != SM_OK)
        return 0;
    listed = sm_repl_throttled(leader_side
                               ? &t->tc.leader_replication_throttled_replicas
                               : &t->tc.follower_replication_throttled_replicas,
                               partition, b->id);
    sm_tcfg_release(b->tcfg, t);
    return listed;
}

int
sm_broker_leader_throttle(sm_broker_t *b, sm_partition_t *p,
                          int32_t replica_id, int *listed)
{
    int64_t limit = sm_broker_config(b)->leader_replication_throttled_rate;

    *listed = 0;
    if (b->leader_quota == NULL || limit == SM_REPL_QUOTA_UNLIMITED)
        return 0;
    *listed = sm_throttle_listed(b, p->topic, p->index, 1);
    return *listed && !sm_partition_in_sync(p, replica_id) &&
           sm_repl_quota_exceeded(b->leader_quota, limit, sm_mono_ms());
}

void
sm_broker_leader_sent(sm_broker_t *b, int64_t bytes)
{
    if (b->leader_quota != NULL && bytes > 0)
        sm_repl_quota_record(b->leader_quota, bytes, sm_mono_ms());
}

int
sm_broker_follower_throttled(void *opaque, sm_partition_t *p)
{
    sm_broker_t *b = opaque;
    int64_t limit = sm_broker_config(b)->follower_replication_throttled_rate;
    int32_t leader, epoch;
    int64_t leo;

    if (b->follower_quota == NULL || limit == SM_REPL_QUOTA_UNLIMITED)
        return 0;
    if (!sm_throttle_listed(b, p->topic, p->index, 0))
        return 0;
    if (sm_partition_follower_state(p, &leader, &epoch, &leo) &&
        leo >= sm_partition_high_watermark(p))
        return 0;                       /* caught up: never throttled */
    return sm_repl_quota_exceeded(b->follower_quota, limit, sm_mono_ms());
}

void
sm_broker_follower_fetched(void *opaque, sm_partition_t *p, size_t bytes)
{
    sm_broker_t *b = opaque;
    int64_t limit = sm_broker_config(b)->follower_replication_throttled_rate;

    if (b->follower_quota == NULL || limit == SM_REPL_QUOTA_UNLIMITED)
        return;
    if (sm_throttle_listed(b, p->topic, p->index, 0))
        sm_repl_quota_record(b->follower_quota, (int64_t)bytes,
                             sm_mono_ms());
}
