/*
 * group_store.h: the coordinator's reads and writes of __consumer_offsets
 * (append of commits and group metadata, load on leadership, unload on
 * losing it).  Threads, locks and ordering: group_store.c.
 */
#ifndef SM_SERVER_GROUP_STORE_H
#define SM_SERVER_GROUP_STORE_H

#include <stdint.h>

#include "coordinator/coordinator.h"
#include "server/metadata_cache.h"

struct sm_broker;

/* The coordinator's sm_coord_append_fn; opaque is the broker. */
sm_err_t sm_gstore_append(void *opaque, int32_t part,
                          const sm_coord_rec_t *recs, int n);
/* After a LeaderAndIsr was applied: load the offsets partitions now led
 * here (errs[i] == SM_OK), unload the others named in states. */
void     sm_gstore_leadership(struct sm_broker *b, const sm_pstate_t *states,
                              int n, const sm_err_t *errs);
/* min.insync.replicas of __consumer_offsets (1 if unknown). */
int32_t  sm_gstore_min_isr(struct sm_broker *b);
/* After StopReplica: unload if topic is __consumer_offsets. */
void     sm_gstore_stopped(struct sm_broker *b, const char *topic,
                           int32_t partition);

#endif
