/*
 * partitioner.c: murmur2 exactly as Kafka's Java client computes it
 * (Utils.murmur2, protocol.md §7.1) and the producer's partitioners:
 *
 *   default      keyed: toPositive(murmur2(key)) % all partitions
 *                (DefaultPartitioner); null key: sticky, as sticky below
 *   sticky       every record, keyed or not, to the sticky partition
 *                (UniformStickyPartitioner)
 *   round_robin  a per-topic counter over the available partitions, all
 *                partitions if none is available; keys ignored
 *                (RoundRobinPartitioner)
 *   random       uniformly random available partition (samsa's; as
 *                librdkafka's "random")
 *
 * STICKY.  The sticky partition (StickyPartitionCache) is a random
 * available partition chosen when the topic is first used and again each
 * time a new batch is started on it (sm_partitioner_new_batch), so unkeyed
 * records fill one batch at a time.  "Available" means the partition has
 * a leader in the producer's metadata.
 *
 * Threads: callers serialize per state (the producer holds its lock).
 */
#include <stdlib.h>

#include "client/producer.h"

uint32_t
samsa_murmur2(const void *key, size_t len)
{
    const uint8_t *b = key;
    const uint32_t m = 0x5bd1e995u;
    const int r = 24;
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t n4 = len / 4, tail = len & ~(size_t)3;

    for (size_t i = 0; i < n4; i++) {
        const uint8_t *p = b + i * 4;
        uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (len % 4) {       /* fall through, as Java's switch does */
    case 3:
        h ^= (uint32_t)b[tail + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)b[tail + 1] << 8;
        /* fall through */
    case 1:
        h ^= (uint32_t)b[tail];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return h;
}

int32_t
samsa_partition_for_key(const void *key, size_t len, int32_t cnt)
{
    if (cnt <= 0)
        return -1;
    return (int32_t)((samsa_murmur2(key, len) & 0x7fffffffu) %
                     (uint32_t)cnt);
}

/* xorshift32: the producer's own generator, so tests can seed it. */
static uint32_t
sm_part_rand(sm_part_state_t *st)
{
    uint32_t x = st->rng ? st->rng : 0x2545f491u;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    st->rng = x;
    return x;
}

static int32_t
sm_part_navail(const uint8_t *avail, int32_t cnt)
{
    int32_t n = 0;

    for (int32_t i = 0; i < cnt; i++)
        n += avail == NULL || avail[i];
    return n;
}

/* The idx-th available partition. */
static int32_t
sm_part_nth_avail(const uint8_t *avail, int32_t cnt, int32_t idx)
{
    for (int32_t i = 0; i < cnt; i++)
        if ((avail == NULL || avail[i]) && idx-- == 0)
            return i;
    return 0;
}

static int32_t
sm_part_random(sm_part_state_t *st, int32_t cnt, const uint8_t *avail)
{
    int32_t n = sm_part_navail(avail, cnt);

    if (n == 0)
        return (int32_t)(sm_part_rand(st) % (uint32_t)cnt);
    return sm_part_nth_avail(avail, cnt,
                             (int32_t)(sm_part_rand(st) % (uint32_t)n));
}

void
sm_partitioner_new_batch(sm_part_state_t *st, int32_t prev, int32_t cnt,
                         const uint8_t *avail)
{
    int32_t n = sm_part_navail(avail, cnt), next;

    if (cnt <= 0)
        return;
    if (n <= 1 || prev < 0 || st->sticky != prev) {
        if (st->sticky < 0 || st->sticky >= cnt || n <= 1)
            st->sticky = sm_part_random(st, cnt, avail);
        return;
    }
    do {                       /* bounded: at least two are available */
        next = sm_part_random(st, cnt, avail);
    } while (next == prev);
    st->sticky = next;
}

int32_t
sm_partitioner_pick(int kind, sm_part_state_t *st, const void *key,
                    int32_t key_len, int32_t cnt, const uint8_t *avail)
{
    uint32_t v;
    int32_t n;

    if (cnt <= 0)
        return -1;
    switch (kind) {
    case SM_PARTITIONER_ROUND_ROBIN:
        v = st->counter++ & 0x7fffffffu;
        n = sm_part_navail(avail, cnt);
        if (n == 0)
            return (int32_t)(v % (uint32_t)cnt);
        return sm_part_nth_avail(avail, cnt, (int32_t)(v % (uint32_t)n));
    case SM_PARTITIONER_RANDOM:
        return sm_part_random(st, cnt, avail);
    case SM_PARTITIONER_DEFAULT:
        if (key != NULL)
            return samsa_partition_for_key(key, (size_t)key_len, cnt);
        break;                  /* sticky for null keys */
    default:
        break;
    }
    if (st->sticky < 0 || st->sticky >= cnt)
        sm_partitioner_new_batch(st, -1, cnt, avail);
    return st->sticky;
}
