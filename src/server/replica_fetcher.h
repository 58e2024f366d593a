/*
 * replica_fetcher.h: follower replication - Kafka's ReplicaFetcherManager
 * and ReplicaFetcherThread.
 *
 * When a LeaderAndIsr makes this broker a follower of a partition, the
 * replica manager hands the partition to the fetcher manager
 * (sm_rfm_add), which gives it to the fetcher thread for (leader broker,
 * fetcher id), fetcher id = hash("topic-index") % num.replica.fetchers,
 * starting that thread on first use.  So each leader gets at most
 * num.replica.fetchers connections from this broker, each carrying one
 * fetch "session" (samsa's leader answers sessionless, so every request
 * lists all the thread's partitions).
 *
 * A partition newly handed to a thread first agrees with the leader on
 * where its log ends (KIP-101/279): OffsetForLeaderEpoch with the latest
 * leader epoch in its own log (leader-epoch-checkpoint), then truncation
 * to where that epoch ended on the leader - never to the high watermark,
 * which may lag and would drop committed records - repeated with an older
 * epoch when the leader never had ours.  Leaders without the API, or logs
 * without epochs, skip it.
 *
 * A fetcher thread loops: Fetch (ReplicaId = own broker id, the highest
 * version both sides know up to 11, Kafka 2.3's inter-broker version,
 * CurrentLeaderEpoch = the epoch the partition was added under) to the
 * leader's endpoint on inter.broker.listener.name (from the metadata
 * cache, looked up at each connect), then for each partition:
 *   - NONE: the complete batches of Records, each CRC-checked, are
 *     appended with the leader's offsets (sm_partition_append_follower,
 *     which also takes the leader's high watermark); a trailing partial
 *     batch is dropped and fetched again; a bad CRC stops that partition's
 *     append at the bad batch and it is fetched again after backoff.
 *   - OFFSET_OUT_OF_RANGE: the leader's log end offset is asked for
 *     (ListOffsets latest, ReplicaId = own id); if it is below the fetch
 *     offset the local log is truncated to it (this replica had records
 *     the leader never got), else the partition waits for the controller.
 *   - NOT_LEADER / FENCED / UNKNOWN_LEADER_EPOCH etc.: back off
 *     (replica.fetch.backoff.ms) and retry until the controller moves it.
 * Transport errors close the connection and retry after the backoff.
 *
 * sm_rfm_remove (the partition became leader, was stopped, or follows
 * another leader now) takes the partition out of its thread; once it
 * returns, that thread appends nothing more to it, because responses are
 * processed under the thread's lock (Kafka's partitionMapLock).  The
 * partition itself also refuses appends made under a stale epoch.
 *
 * THREADS.  sm_rfm_add/_remove run on whatever thread applies LeaderAndIsr
 * or StopReplica; they take rfm->lock then the thread's lock (lock order
 * rfm -> fetcher thread -> partition -> log), never across network I/O.
 * Fetcher threads hold no lock while waiting on the network.
 */
#ifndef SM_SERVER_REPLICA_FETCHER_H
#define SM_SERVER_REPLICA_FETCHER_H

#include <stdint.h>

#include "common/sm_err.h"
#include "server/partition.h"

typedef struct sm_rfm sm_rfm_t;

/* Endpoint of broker_id on the inter-broker listener: *host is heap
 * (caller frees).  SM_ERR__NOENT when the broker is not known (yet). */
typedef sm_err_t (*sm_rfm_resolve_fn)(void *opaque, int32_t broker_id,
                                      char **host, int *port);

typedef struct sm_rfm_opts {
    int32_t local_id;
    int     num_fetchers;           /* num.replica.fetchers (1) */
    int     max_wait_ms;            /* replica.fetch.wait.max.ms (500) */
    int     min_bytes;              /* replica.fetch.min.bytes (1) */
    int     max_bytes;              /* replica.fetch.response.max.bytes */
    int     partition_max_bytes;    /* replica.fetch.max.bytes */
    int     backoff_ms;             /* replica.fetch.backoff.ms (1000) */
    int     socket_timeout_ms;      /* replica.socket.timeout.ms (30000) */
    /* Follower replication throttling (replication_quota.h), or NULL.
     * throttled: leave p out of the next Fetch (listed for this broker,
     * not caught up, follower quota exceeded).  fetched: bytes of records
     * a Fetch brought for p.  Called with no fetcher lock held. */
    int   (*throttled)(void *opaque, sm_partition_t *p);
    void  (*fetched)(void *opaque, sm_partition_t *p, size_t bytes);
    void   *throttle_opaque;
} sm_rfm_opts_t;

sm_rfm_t *sm_rfm_new(const sm_rfm_opts_t *opts, sm_rfm_resolve_fn resolve,
                     void *opaque);
/* Stop and join every fetcher thread, release their partitions. */
void      sm_rfm_destroy(sm_rfm_t *rfm);

/* Fetch p from leader starting at offset under leader epoch `epoch`
 * (replaces any earlier entry of p). Takes its own reference on p. */
void      sm_rfm_add(sm_rfm_t *rfm, sm_partition_t *p, int32_t leader,
                     int32_t epoch, int64_t offset);
/* Stop fetching p (no-op when not fetched).  See the header comment. */
void      sm_rfm_remove(sm_rfm_t *rfm, sm_partition_t *p);

/* The fetch offset of p, -1 when not fetched (tests, logs). */
int64_t   sm_rfm_fetch_offset(sm_rfm_t *rfm, sm_partition_t *p);
/* Number of fetcher threads running (tests). */
int       sm_rfm_thread_count(sm_rfm_t *rfm);

#endif
