/*
 * isr_announce.h: the set of ISR changes a leader has written but not yet
 * announced to the controller (Kafka's ReplicaManager isrChangeSet and
 * maybePropagateIsrChanges).
 *
 * A leader that changes an ISR writes the partition state znode at once
 * (that is the truth), but tells the controller through one sequential
 * /isr_change_notification/isr_change_<seq> znode per BATCH: a broker
 * restart makes every partition it follows rejoin the ISR within a few
 * hundred milliseconds, and one znode (one controller event, one
 * UpdateMetadata round) for all of them is what keeps the controller and
 * ZooKeeper calm.  A batch goes out when no change came for blackout_ms,
 * or when the oldest unannounced change waited max_delay_ms (steady
 * churn).  Kafka uses 5 s and 60 s with a 2.5 s check; samsa uses much
 * shorter windows (see broker.c) so that clients' metadata shows an ISR
 * change within a second, which its tests and operators rely on.
 *
 * Threads: add from any thread (I/O handlers on expansion, the ISR thread
 * on shrink); take from the ISR thread.  Internally locked.
 */
#ifndef SM_SERVER_ISR_ANNOUNCE_H
#define SM_SERVER_ISR_ANNOUNCE_H

#include <pthread.h>
#include <stdint.h>

#include "zk/zk_paths.h"

typedef struct sm_isr_announce {
    pthread_mutex_t lock;
    sm_zk_tps_t pending;        /* distinct topic-partitions, add order */
    int64_t first_ms;           /* oldest pending change; -1 if none */
    int64_t last_ms;            /* newest pending change */
    int64_t blackout_ms;
    int64_t max_delay_ms;
} sm_isr_announce_t;

void sm_isr_announce_init(sm_isr_announce_t *a, int64_t blackout_ms,
                          int64_t max_delay_ms);
void sm_isr_announce_fini(sm_isr_announce_t *a);
/* Remember that topic-partition's ISR changed at now_ms (deduplicated). */
void sm_isr_announce_add(sm_isr_announce_t *a, const char *topic,
                         int32_t partition, int64_t now_ms);
/* If a batch is due at now_ms (or force and anything is pending), move
 * the pending set to *out (caller sm_zk_tps_fini's it) and return 1;
 * else leave *out empty and return 0. */
int  sm_isr_announce_take(sm_isr_announce_t *a, int64_t now_ms, int force,
                          sm_zk_tps_t *out);
/* Pending topic-partitions (tests, logs). */
int  sm_isr_announce_pending(sm_isr_announce_t *a);

#endif
