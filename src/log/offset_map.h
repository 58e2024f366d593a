/*
 * offset_map.h: the cleaner's key -> latest offset map, Kafka's
 * SkimpyOffsetMap: a fixed-size open-addressing table of 24-byte slots
 * (128-bit key hash, int64 offset) in memory given up front
 * (log.cleaner.dedupe.buffer.size split over the cleaner threads).
 *
 * Keys are stored only as a 128-bit hash.  Kafka uses MD5, whose
 * collisions can be manufactured; here the hash is two SipHash-2-4 runs
 * under a random 256-bit secret drawn per map, so a producer cannot
 * choose keys that collide and make the cleaner drop another key's record.
 *
 * The caller stops filling when sm_omap_full() says the table reached its
 * load factor (0.9, Kafka's log.cleaner.io.buffer.load.factor default) and
 * cleans only up to the last offset it mapped (sm_omap_latest()).
 *
 * Not thread-safe: one map per cleaner thread.
 */
#ifndef SM_LOG_OFFSET_MAP_H
#define SM_LOG_OFFSET_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sm_omap sm_omap_t;

/* A map using about `memory` bytes (at least 64 slots). */
sm_omap_t *sm_omap_new(size_t memory);
void     sm_omap_free(sm_omap_t *m);
/* Empty it (and draw a new secret). */
void     sm_omap_clear(sm_omap_t *m);
/* Map key to offset (replacing an older offset of the same key). */
void     sm_omap_put(sm_omap_t *m, const void *key, size_t len,
                     int64_t offset);
/* The offset of key, -1 if absent. */
int64_t  sm_omap_get(sm_omap_t *m, const void *key, size_t len);
size_t   sm_omap_size(const sm_omap_t *m);
size_t   sm_omap_slots(const sm_omap_t *m);
/* 1 once size reached slots * 0.9: the caller must stop adding. */
int      sm_omap_full(const sm_omap_t *m);
/* The largest offset the map covers (-1 when nothing was added). */
int64_t  sm_omap_latest(const sm_omap_t *m);
void     sm_omap_update_latest(sm_omap_t *m, int64_t offset);

#endif
