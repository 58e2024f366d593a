/*
 * metadata_cache.h: what this broker believes about the cluster - live
 * brokers with their endpoints, the controller, and every partition's
 * leader/ISR/replicas (Kafka's MetadataCache).
 *
 * Who writes: only UpdateMetadata from the controller (a local call when
 * this broker is the controller, a request otherwise), through
 * sm_mdcache_update().  Who reads: request handlers (Metadata,
 * FindCoordinator, CreateTopics waiting for leaders, ...).
 *
 * CONCURRENCY.  The cache publishes immutable snapshots.  A reader takes a
 * reference with sm_mdcache_snapshot() and may use it for as long as it
 * likes without locks; sm_mdsnap_release() drops it.  An update builds a
 * new snapshot from the current one plus the delta and swaps the pointer
 * under a short mutex.  Updates are rare (leadership changes), reads are
 * per request, so copying on update is the right trade.
 *
 * UpdateMetadata semantics kept here (Kafka's MetadataCache.updateMetadata):
 * the broker list is replaced wholesale; partition states are upserts; a
 * state whose leader is SM_LEADER_DURING_DELETE (-2) removes the partition,
 * and a topic with no partitions left disappears.
 */
#ifndef SM_SERVER_METADATA_CACHE_H
#define SM_SERVER_METADATA_CACHE_H

#include <stdint.h>

#include "common/sm_map.h"

#define SM_NO_LEADER            (-1)
#define SM_LEADER_DURING_DELETE (-2)

/* One partition's state as the controller announces it (the PartitionState
 * of LeaderAndIsr / UpdateMetadata). */
typedef struct sm_pstate {
    char    *topic;
    int32_t  partition;
    int32_t  controller_epoch;
    int32_t  leader;
    int32_t  leader_epoch;
    int32_t *isr;
    int32_t  nisr;
    int32_t  zk_version;
    int32_t *replicas;
    int32_t  nreplicas;
    int32_t *offline;               /* offline replicas */
    int32_t  noffline;
    int      is_new;                /* LeaderAndIsr IsNew */
} sm_pstate_t;

void sm_pstate_copy(sm_pstate_t *dst, const sm_pstate_t *src);
void sm_pstate_fini(sm_pstate_t *ps);
int  sm_pstate_in_isr(const sm_pstate_t *ps, int32_t broker_id);

typedef struct sm_md_endpoint {
    char    *listener;              /* "PLAINTEXT" */
    char    *host;
    int32_t  port;
    int16_t  security_protocol;     /* 0 = PLAINTEXT */
} sm_md_endpoint_t;

typedef struct sm_md_broker {
    int32_t  id;
    char    *rack;                  /* NULL: none */
    sm_md_endpoint_t *eps;
    int32_t  neps;
} sm_md_broker_t;

void sm_md_broker_copy(sm_md_broker_t *dst, const sm_md_broker_t *src);
void sm_md_broker_fini(sm_md_broker_t *b);
/* The endpoint of b on listener, or NULL. */
const sm_md_endpoint_t *sm_md_broker_endpoint(const sm_md_broker_t *b,
                                              const char *listener);

typedef struct sm_md_topic {
    char    *name;
    int      is_internal;
    int32_t  npartitions;           /* parts[i].partition == i; holes have
                                       topic == NULL */
    sm_pstate_t *parts;
} sm_md_topic_t;

/* An immutable view of the cluster. */
typedef struct sm_mdsnap {
    int      refcnt;                /* guarded by the cache mutex */
    int32_t  controller_id;         /* -1 unknown */
    int32_t  controller_epoch;
    sm_md_broker_t *brokers;        /* sorted by id */
    int32_t  nbrokers;
    sm_map_t topics;                /* name -> sm_md_topic_t* */
} sm_mdsnap_t;

typedef struct sm_mdcache sm_mdcache_t;

sm_mdcache_t *sm_mdcache_new(void);
void          sm_mdcache_destroy(sm_mdcache_t *mc);

/* Apply an UpdateMetadata.  brokers/states are copied. */
void sm_mdcache_update(sm_mdcache_t *mc, int32_t controller_id,
                       int32_t controller_epoch,
                       const sm_md_broker_t *brokers, int nbrokers,
                       const sm_pstate_t *states, int nstates);

sm_mdsnap_t *sm_mdcache_snapshot(sm_mdcache_t *mc);
void         sm_mdsnap_release(sm_mdcache_t *mc, sm_mdsnap_t *snap);

const sm_md_topic_t  *sm_mdsnap_topic(const sm_mdsnap_t *snap,
                                      const char *name);
const sm_pstate_t    *sm_mdsnap_partition(const sm_mdsnap_t *snap,
                                          const char *topic,
                                          int32_t partition);
const sm_md_broker_t *sm_mdsnap_broker(const sm_mdsnap_t *snap, int32_t id);

/* Kafka's internal topics. */
int sm_topic_is_internal(const char *name);

#endif
