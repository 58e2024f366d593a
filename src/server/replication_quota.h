/*
 * replication_quota.h: replication throttling (Kafka's
 * ReplicationQuotaManager, KIP-73), used by kafka-reassign-partitions.sh
 * --throttle.
 *
 * WHAT IS THROTTLED.  A topic lists the replicas whose replication traffic
 * is limited: leader.replication.throttled.replicas on the leader side and
 * follower.replication.throttled.replicas on the follower side, each "*"
 * or "partition:brokerId,...".  A broker throttles a partition when the
 * list names it with its own id.  The limits are the dynamic broker
 * configs leader.replication.throttled.rate and
 * follower.replication.throttled.rate (bytes/s, default unlimited).
 *
 * HOW.  Every byte of throttled partitions sent (leader) or fetched
 * (follower) is recorded; when the measured rate is above the limit, a
 * leader answers a follower that is not in the ISR with no records for
 * its throttled partitions, and a follower that is not caught up leaves
 * its throttled partitions out of its next Fetch.  In-sync replicas are
 * never throttled, so acks=all and the ISR do not suffer.
 *
 * RATE.  As Kafka's Rate metric: samples of window_ms each, the last
 * nwin kept; rate = bytes in the kept samples / elapsed time, where the
 * elapsed time counts at least nwin - 1 whole windows.  So a fresh quota
 * lets about (nwin - 1) * window * limit bytes pass before it bites, and
 * the long-run rate converges to the limit.
 *
 * Threads: any; each quota has its own lock.
 */
#ifndef SM_SERVER_REPLICATION_QUOTA_H
#define SM_SERVER_REPLICATION_QUOTA_H

#include <pthread.h>
#include <stdint.h>

#include "server/config.h"

#define SM_REPL_QUOTA_UNLIMITED INT64_MAX

typedef struct sm_repl_quota {
    pthread_mutex_t lock;
    int      nwin;
    int64_t  win_ms;
    int64_t *start;             /* [nwin] sample start times, -1 unused */
    int64_t *bytes;             /* [nwin] bytes in each sample */
    int      cur;               /* newest sample */
} sm_repl_quota_t;

void   sm_repl_quota_init(sm_repl_quota_t *q, int nwin, int64_t win_ms);
void   sm_repl_quota_fini(sm_repl_quota_t *q);
void   sm_repl_quota_record(sm_repl_quota_t *q, int64_t bytes,
                            int64_t now_ms);
/* Measured bytes per second at now_ms. */
double sm_repl_quota_rate(sm_repl_quota_t *q, int64_t now_ms);
/* 1 if limit (bytes/s) is not unlimited and the rate is above it. */
int    sm_repl_quota_exceeded(sm_repl_quota_t *q, int64_t limit,
                              int64_t now_ms);

/* 1 if a *.replication.throttled.replicas list names partition on
 * broker_id ("*" names every replica). */
int    sm_repl_throttled(const sm_config_list_t *l, int32_t partition,
                         int32_t broker_id);

#endif
