/*
 * map.c: the open-addressing string map of sm_map.h.
 *
 * Invariants: cap is 0 or a power of two; cnt <= cap * 3/4 after any put;
 * every key sits in the probe sequence starting at hash & (cap - 1) with no
 * empty slot between its home and itself (kept by backward-shift delete).
 */
#include <string.h>

#include "common/sm_map.h"
#include "common/sm_mem.h"

uint32_t
sm_hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

void
sm_map_init(sm_map_t *m)
{
    m->slots = NULL;
    m->cap = m->cnt = 0;
}

void
sm_map_fini(sm_map_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    sm_map_init(m);
}

static sm_map_slot_t *
sm_map_find(const sm_map_t *m, const char *key, size_t klen, uint32_t h)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        sm_map_slot_t *s = &m->slots[i];
        if (s->key == NULL)
            return NULL;
        if (s->hash == h && strncmp(s->key, key, klen) == 0 &&
            s->key[klen] == '\0')
            return s;
    }
}

void *
sm_map_getn(const sm_map_t *m, const char *key, size_t klen)
{
    sm_map_slot_t *s = sm_map_find(m, key, klen, sm_hash_bytes(key, klen));
    return s ? s->val : NULL;
}

void *
sm_map_get(const sm_map_t *m, const char *key)
{
    return sm_map_getn(m, key, strlen(key));
}

static void
sm_map_insert_slot(sm_map_t *m, char *key, uint32_t h, void *val)
{
    size_t i = h & (m->cap - 1);

    while (m->slots[i].key != NULL)
        i = (i + 1) & (m->cap - 1);
    m->slots[i].key = key;
    m->slots[i].hash = h;
    m->slots[i].val = val;
}

static void
sm_map_grow(sm_map_t *m)
{
    sm_map_slot_t *old = m->slots;
    size_t oldcap = m->cap;

    m->cap = oldcap ? oldcap * 2 : 16;
    m->slots = sm_calloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key)
            sm_map_insert_slot(m, old[i].key, old[i].hash, old[i].val);
    free(old);
}

void *
sm_map_put(sm_map_t *m, const char *key, void *val)
{
    size_t klen = strlen(key);
    uint32_t h = sm_hash_bytes(key, klen);
    sm_map_slot_t *s = sm_map_find(m, key, klen, h);
    void *prev;

    if (s) {
        prev = s->val;
        s->val = val;
        return prev;
    }
    if ((m->cnt + 1) * 4 > m->cap * 3)
        sm_map_grow(m);
    sm_map_insert_slot(m, sm_strndup(key, klen), h, val);
    m->cnt++;
    return NULL;
}

void *
sm_map_del(sm_map_t *m, const char *key)
{
    size_t klen = strlen(key);
    sm_map_slot_t *s = sm_map_find(m, key, klen, sm_hash_bytes(key, klen));
    size_t i, j;
    void *val;

    if (s == NULL)
        return NULL;
    val = s->val;
    free(s->key);
    i = (size_t)(s - m->slots);
    /* backward-shift: pull later members of the cluster into the hole */
    for (j = (i + 1) & (m->cap - 1); m->slots[j].key != NULL;
         j = (j + 1) & (m->cap - 1)) {
        size_t home = m->slots[j].hash & (m->cap - 1);
        /* move j to i if its home is not cyclically within (i, j] */
        if ((j > i && (home <= i || home > j)) ||
            (j < i && (home <= i && home > j))) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = NULL;
    m->slots[i].val = NULL;
    m->cnt--;
    return val;
}

int
sm_map_next(const sm_map_t *m, size_t *iter, const char **key, void **val)
{
    while (*iter < m->cap) {
        sm_map_slot_t *s = &m->slots[(*iter)++];
        if (s->key) {
            if (key)
                *key = s->key;
            if (val)
                *val = s->val;
            return 1;
        }
    }
    return 0;
}
