/*
 * offsets_storage.h: where committed offsets of OffsetCommit/OffsetFetch
 * v1+ go - samsa's broker setting offsets.storage (issue 5 §3):
 *
 *   kafka      __consumer_offsets (the coordinator); a fetch that finds
 *              nothing there falls back to ZooKeeper
 *   zookeeper  /consumers/<group>/offsets/<topic>/<partition>; the
 *              coordinator still validates member and generation; a fetch
 *              that finds nothing there falls back to __consumer_offsets
 *   dual       both (0.8.2's dual.commit); a fetch takes the larger
 *
 * The fallbacks make a switch between stores safe: no consumer rewinds to
 * its auto.offset.reset because its offsets are in the other store.  v0
 * always uses ZooKeeper (group_handlers.c).  Runs on I/O handler threads;
 * ZooKeeper calls block the handler, as Kafka's do.
 */
#ifndef SM_SERVER_OFFSETS_STORAGE_H
#define SM_SERVER_OFFSETS_STORAGE_H

#include <stdint.h>

#include "coordinator/coordinator.h"
#include "server/broker.h"

typedef enum sm_ostore_mode {
    SM_OSTORE_KAFKA = 0,
    SM_OSTORE_ZOOKEEPER,
    SM_OSTORE_DUAL,
} sm_ostore_mode_t;

sm_ostore_mode_t sm_ostore_mode(const sm_broker_t *b);

/* Write c[k].offset of every c[k].err == SM_OK partition to ZooKeeper;
 * a failure turns that partition's err into UNKNOWN_SERVER_ERROR. */
void     sm_ostore_zk_commit(sm_reqctx_t *ctx, const char *gid,
                             sm_coord_commit_t *c, int n);

/* The committed offset per the mode (-1: none); *md is a heap copy of
 * the metadata or NULL (ZooKeeper keeps none). */
int64_t  sm_ostore_fetch(sm_reqctx_t *ctx, sm_ostore_mode_t mode,
                         const char *gid, sm_str_t topic, int32_t partition,
                         char **md);

#endif
