/*
 * offset_map.c: the cleaner's key -> offset table (see offset_map.h).
 *
 * Layout: `slots` entries of { uint64 h0, uint64 h1, int64 offset }, linear
 * probing from h0 % slots; offset -1 marks an empty slot (offsets are
 * never negative).  The load factor bound keeps probes short and
 * guarantees an empty slot, so lookups always terminate.
 */
#include <endian.h>
#include <string.h>
#include <sys/random.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/offset_map.h"

#define SM_OMAP_LOAD 0.9

typedef struct sm_omap_slot {
    uint64_t h0, h1;
    int64_t  offset;
} sm_omap_slot_t;

struct sm_omap {
    sm_omap_slot_t *slot;
    size_t   slots;
    size_t   size;
    int64_t  latest;
    uint64_t k[4];            /* two SipHash keys */
};

/* ------------------------------------------------------ SipHash-2-4 */

#define SM_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SM_SIPROUND                                                        \
    do {                                                                   \
        v0 += v1; v1 = SM_ROTL(v1, 13); v1 ^= v0; v0 = SM_ROTL(v0, 32);    \
        v2 += v3; v3 = SM_ROTL(v3, 16); v3 ^= v2;                          \
        v0 += v3; v3 = SM_ROTL(v3, 21); v3 ^= v0;                          \
        v2 += v1; v1 = SM_ROTL(v1, 17); v1 ^= v2; v2 = SM_ROTL(v2, 32);    \
    } while (0)

static uint64_t
sm_siphash(uint64_t k0, uint64_t k1, const uint8_t *p, size_t len)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = (uint64_t)len << 56, m;
    size_t i, end = len - len % 8;

    for (i = 0; i < end; i += 8) {
        memcpy(&m, p + i, 8);
        m = le64toh(m);
        v3 ^= m;
        SM_SIPROUND;
        SM_SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; j < len % 8; j++)
        b |= (uint64_t)p[end + j] << (8 * j);
    v3 ^= b;
    SM_SIPROUND;
    SM_SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SM_SIPROUND;
    SM_SIPROUND;
    SM_SIPROUND;
    SM_SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ------------------------------------------------------ map */

static void
sm_omap_rekey(sm_omap_t *m)
{
    if (getrandom(m->k, sizeof(m->k), 0) != (ssize_t)sizeof(m->k)) {
        /* no entropy source: still a fine hash, just not secret */
        uint64_t t = (uint64_t)sm_mono_us();
        for (int i = 0; i < 4; i++)
            m->k[i] = (t += 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
    }
}

sm_omap_t *
sm_omap_new(size_t memory)
{
    sm_omap_t *m = sm_calloc(1, sizeof(*m));

    m->slots = memory / sizeof(sm_omap_slot_t);
    if (m->slots < 64)
        m->slots = 64;
    m->slot = sm_malloc(m->slots * sizeof(*m->slot));
    sm_omap_clear(m);
    return m;
}

void
sm_omap_free(sm_omap_t *m)
{
    if (m == NULL)
        return;
    sm_free(m->slot);
    sm_free(m);
}

void
sm_omap_clear(sm_omap_t *m)
{
    for (size_t i = 0; i < m->slots; i++)
        m->slot[i].offset = -1;
    m->size = 0;
    m->latest = -1;
    sm_omap_rekey(m);
}

static sm_omap_slot_t *
sm_omap_find(sm_omap_t *m, const void *key, size_t len, uint64_t *h0,
             uint64_t *h1)
{
    size_t i;

    *h0 = sm_siphash(m->k[0], m->k[1], key, len);
    *h1 = sm_siphash(m->k[2], m->k[3], key, len);
    for (i = *h0 % m->slots;; i = (i + 1) % m->slots) {
        sm_omap_slot_t *s = &m->slot[i];
        if (s->offset < 0 || (s->h0 == *h0 && s->h1 == *h1))
            return s;
    }
}

void
sm_omap_put(sm_omap_t *m, const void *key, size_t len, int64_t offset)
{
    uint64_t h0, h1;
    sm_omap_slot_t *s = sm_omap_find(m, key, len, &h0, &h1);

    if (s->offset < 0) {
        /* callers check sm_omap_full() first; never fill the last slot */
        if (m->size + 1 >= m->slots)
            return;
        s->h0 = h0;
        s->h1 = h1;
        m->size++;
    }
    s->offset = offset;
    if (offset > m->latest)
        m->latest = offset;
}

int64_t
sm_omap_get(sm_omap_t *m, const void *key, size_t len)
{
    uint64_t h0, h1;

    return sm_omap_find(m, key, len, &h0, &h1)->offset;
}

size_t
sm_omap_size(const sm_omap_t *m)
{
    return m->size;
}

size_t
sm_omap_slots(const sm_omap_t *m)
{
    return m->slots;
}

int
sm_omap_full(const sm_omap_t *m)
{
    return (double)m->size >= (double)m->slots * SM_OMAP_LOAD;
}

int64_t
sm_omap_latest(const sm_omap_t *m)
{
    return m->latest;
}

void
sm_omap_update_latest(sm_omap_t *m, int64_t offset)
{
    if (offset > m->latest)
        m->latest = offset;
}
