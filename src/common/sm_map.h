/*
 * sm_map.h: a string-keyed hash map (open addressing, linear probing).
 *
 * Keys are copied into the map (the map owns its key strings); values are
 * opaque pointers the caller owns.  Deleting uses backward-shift, so there
 * are no tombstones and lookups stay short.  Not thread-safe: the owner
 * guards it with its own lock (replica manager, metadata cache, ...).
 *
 * Iteration: for (i = 0; sm_map_next(m, &i, &key, &val); ) - order is
 * unspecified and the map must not change during the walk.
 */
#ifndef SM_MAP_H
#define SM_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sm_map_slot {
    char    *key;               /* NULL: empty slot */
    uint32_t hash;
    void    *val;
} sm_map_slot_t;

typedef struct sm_map {
    sm_map_slot_t *slots;
    size_t cap;                 /* power of two, or 0 */
    size_t cnt;
} sm_map_t;

#define SM_MAP_INIT { NULL, 0, 0 }

void   sm_map_init(sm_map_t *m);
/* Free the map's slots and keys; values are the caller's (free them first
 * with an sm_map_next walk if the map owns them logically). */
void   sm_map_fini(sm_map_t *m);
void  *sm_map_get(const sm_map_t *m, const char *key);
void  *sm_map_getn(const sm_map_t *m, const char *key, size_t klen);
/* Insert or replace; returns the previous value (or NULL). */
void  *sm_map_put(sm_map_t *m, const char *key, void *val);
/* Remove; returns the removed value (or NULL). */
void  *sm_map_del(sm_map_t *m, const char *key);
static inline size_t sm_map_count(const sm_map_t *m) { return m->cnt; }
/* Walk: *iter starts at 0; returns 0 when done. */
int    sm_map_next(const sm_map_t *m, size_t *iter, const char **key,
                   void **val);

/* FNV-1a, exposed for callers that hash composite keys. */
uint32_t sm_hash_bytes(const void *p, size_t n);

#endif
