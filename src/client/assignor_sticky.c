/*
 * assignor_sticky.c: the "sticky" assignor, Kafka 2.x's StickyAssignor
 * (eager protocol: every member gives up everything at the rebalance, and
 * the leader decides with the previous assignment in hand).
 *
 * GOALS, in Kafka's order: (1) balanced - no member can take a partition
 * it subscribes to from a member that has two or more partitions more than
 * it (so counts differ by at most one when everyone subscribes to the same
 * topics); (2) sticky - as many partitions as possible stay with their
 * previous owner.
 *
 * PREVIOUS OWNERS come from each member's sticky user data (decoded into
 * sm_asg_member_t.owned/generation by consumer_protocol.c; v0 has no
 * generation, shown as -1).  Conflicting claims are settled by generation,
 * the highest wins.
 *
 * Two paths, as Kafka 2.8's AbstractStickyAssignor:
 *
 *  - CONSTRAINED, when every member subscribes to the same topics.  Only
 *    claims of the highest generation seen count (a member reporting an
 *    older generation missed a rebalance; its claims are stale), and a
 *    partition claimed twice in that generation belongs to nobody.  With
 *    N partitions over M members, min = N / M and max = ceil(N / M):
 *      1. each member keeps its previous partitions, up to max;
 *      2. members below min are filled (round robin in member id order)
 *         from the unowned partitions in (topic, partition) order;
 *      3. if those ran out, members still below min take the first
 *         partition of members at max, in member id order;
 *      4. partitions left go one each to members at min, in queue order.
 *  - GENERAL, otherwise.  Each partition's current owner is its claimant
 *    with the highest generation (and the runner-up is remembered as its
 *    previous owner), kept if it still subscribes to the topic.  Unowned
 *    partitions, those with the fewest possible consumers first, go to the
 *    least loaded member that can take them.  Then, while a partition's
 *    owner has two or more more partitions than some member that could
 *    take it, it moves (to its previous owner if that one qualifies, else
 *    to the least loaded candidate) - first only the partitions just
 *    handed out, unless a subscription change already forces revocations,
 *    then all of them.
 *
 * Where Java iterates a HashMap, we go in member id order, so the result is
 * deterministic.  Every move in the balancing loop lowers the sum of the
 * squared counts, so it ends; a pass cap keeps it bounded regardless.
 *
 * Not done (known deviations): Java's PartitionMovements bookkeeping, which
 * in the general path sometimes moves a different partition of the same
 * topic to undo an earlier move; here a moved partition may move again.
 * Claims of partitions beyond a topic's current count are dropped (Java
 * would keep them in the constrained path).
 *
 * Pure functions, no threads.
 */
#include <stdlib.h>
#include <string.h>

#include "client/assignor.h"
#include "client/assignor_int.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/codec.h"

#define STICKY_MAX_PASSES 10000

typedef struct sm_sticky {
    sm_asg_ctx_t ctx;
    int     *order;         /* [nm] member indices by member id */
    int     *rank;          /* [nm] position of each member in order[] */
    int     *owner;         /* [np] -1: unassigned */
    int     *prev;          /* [np] general path: previous owner or -1 */
    int     *cnt;           /* [nm] partitions owned now */
    int     *tsubs;         /* [nt] members subscribed to each topic */
} sm_sticky_t;

/* ------------------------------------------------------------ setup */

static int
sm_sticky_cstr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, duplicate-free copy of m's topic names (borrowed). */
static int
sm_sticky_topic_set(const sm_asg_member_t *m, const char ***setp)
{
    const char **s = sm_calloc((size_t)m->ntopics + 1, sizeof(*s));
    int n = 0, k = 0;

    for (int i = 0; i < m->ntopics; i++)
        if (m->topics[i] != NULL)
            s[n++] = m->topics[i];
    qsort(s, (size_t)n, sizeof(*s), sm_sticky_cstr_cmp);
    for (int i = 0; i < n; i++)
        if (k == 0 || strcmp(s[k - 1], s[i]) != 0)
            s[k++] = s[i];
    *setp = s;
    return k;
}

/* Do all members subscribe to the same set of topic names? */
static int
sm_sticky_subs_equal(const sm_asg_member_t *members, int nm)
{
    const char **first, **s;
    int n0, n, eq = 1;

    if (nm <= 1)
        return 1;
    n0 = sm_sticky_topic_set(&members[0], &first);
    for (int m = 1; m < nm && eq; m++) {
        n = sm_sticky_topic_set(&members[m], &s);
        eq = n == n0;
        for (int i = 0; i < n && eq; i++)
            eq = strcmp(s[i], first[i]) == 0;
        sm_free(s);
    }
    sm_free(first);
    return eq;
}

static void
sm_sticky_init(sm_sticky_t *st, const sm_asg_member_t *members, int nm,
               const sm_asg_topic_t *topics, int ntopics)
{
    sm_asg_ctx_t *ctx = &st->ctx;

    sm_asg_ctx_init(ctx, members, nm, topics, ntopics);
    st->order = sm_calloc((size_t)ctx->nm + 1, sizeof(int));
    st->rank = sm_calloc((size_t)ctx->nm + 1, sizeof(int));
    st->cnt = sm_calloc((size_t)ctx->nm + 1, sizeof(int));
    st->owner = sm_calloc((size_t)ctx->np + 1, sizeof(int));
    st->prev = sm_calloc((size_t)ctx->np + 1, sizeof(int));
    st->tsubs = sm_calloc((size_t)ctx->nt + 1, sizeof(int));
    sm_asg_member_order(members, ctx->nm, 0, st->order);
    for (int i = 0; i < ctx->nm; i++)
        st->rank[st->order[i]] = i;
    for (int32_t p = 0; p < ctx->np; p++)
        st->owner[p] = st->prev[p] = -1;
    for (int t = 0; t < ctx->nt; t++)
        for (int m = 0; m < ctx->nm; m++)
            st->tsubs[t] += sm_asg_ctx_subs(ctx, m, t);
}

static void
sm_sticky_fini(sm_sticky_t *st)
{
    sm_free(st->order);
    sm_free(st->rank);
    sm_free(st->cnt);
    sm_free(st->owner);
    sm_free(st->prev);
    sm_free(st->tsubs);
    sm_asg_ctx_fini(&st->ctx);
}

static void
sm_sticky_give(sm_sticky_t *st, int32_t p, int m)
{
    if (st->owner[p] >= 0)
        st->cnt[st->owner[p]]--;
    st->owner[p] = m;
    st->cnt[m]++;
}

/* ------------------------------------------------------------ constrained */

/*
 * claim[p] = the member whose claim on p counts: only the highest
 * generation's claims, and none for a partition claimed twice in it.
 */
static void
sm_sticky_valid_claims(sm_sticky_t *st, int *claim)
{
    const sm_asg_ctx_t *ctx = &st->ctx;
    uint8_t *multi = sm_calloc((size_t)ctx->np + 1, 1);
    int32_t max_gen = -1;

    for (int32_t p = 0; p < ctx->np; p++)
        claim[p] = -1;
    for (int i = 0; i < ctx->nm; i++) {
        const sm_asg_member_t *mbr = &ctx->members[st->order[i]];
        int32_t gen = mbr->generation < 0 ? -1 : mbr->generation;

        if (gen < max_gen)
            continue;               /* stale: missed a rebalance */
        if (gen > max_gen) {
            for (int32_t p = 0; p < ctx->np; p++)
                claim[p] = -1;
            memset(multi, 0, (size_t)ctx->np + 1);
            max_gen = gen;
        }
        for (int j = 0; j < mbr->nowned; j++) {
            int32_t p = sm_asg_ctx_part(ctx, mbr->owned[j].topic,
                                        mbr->owned[j].partition);
            if (p < 0 || claim[p] == st->order[i])
                continue;
            if (claim[p] < 0 && !multi[p])
                claim[p] = st->order[i];
            else {
                claim[p] = -1;
                multi[p] = 1;
            }
        }
    }
    sm_free(multi);
}

/* A member's assigned partitions in assignment order; steals take the
 * head. */
typedef struct sm_sticky_list {
    int32_t *v;
    int      head, n;
} sm_sticky_list_t;

static void
sm_sticky_list_add(sm_sticky_list_t *l, int32_t p, int32_t cap)
{
    if (l->v == NULL)
        l->v = sm_calloc((size_t)cap + 1, sizeof(*l->v));
    l->v[l->n++] = p;
}

typedef struct sm_sticky_q {
    int *v;
    int  head, n;
} sm_sticky_q_t;

/* Steps 1 and 2: keep owned partitions up to max, fill up to min. */
static void
sm_sticky_keep_and_fill(sm_sticky_t *st, const int *claim, int min, int max,
                        sm_sticky_list_t *lst, sm_sticky_q_t *unfilled,
                        sm_sticky_q_t *minq, sm_sticky_q_t *maxq)
{
    const sm_asg_ctx_t *ctx = &st->ctx;
    int32_t cur = 0;
    int *owned = sm_calloc((size_t)ctx->nm + 1, sizeof(int));

    for (int32_t p = 0; p < ctx->np; p++) {
        int m = claim[p];
        if (m < 0)
            continue;
        if (owned[m]++ < max) {
            sm_sticky_give(st, p, m);
            sm_sticky_list_add(&lst[m], p, ctx->np);
        }
    }
    for (int i = 0; i < ctx->nm; i++) {
        int m = st->order[i];
        if (owned[m] < min)
            unfilled->v[unfilled->n++] = m;
        else {
            if (st->cnt[m] == min)
                minq->v[minq->n++] = m;
            if (st->cnt[m] == max)
                maxq->v[maxq->n++] = m;
        }
    }
    sm_free(owned);
    /* round robin over the unfilled members, dropping each at min */
    while (unfilled->n > 0) {
        int k = 0;
        for (int i = 0; i < unfilled->n; i++) {
            int m = unfilled->v[i];
            while (cur < ctx->np && st->owner[cur] >= 0)
                cur++;
            if (cur < ctx->np) {
                sm_sticky_give(st, cur, m);
                sm_sticky_list_add(&lst[m], cur, ctx->np);
            }
            if (st->cnt[m] == min)
                minq->v[minq->n++] = m;
            else
                unfilled->v[k++] = m;
        }
        if (cur >= ctx->np && k == unfilled->n)
            break;                  /* out of partitions */
        unfilled->n = k;
    }
}

static void
sm_sticky_constrained(sm_sticky_t *st)
{
    const sm_asg_ctx_t *ctx = &st->ctx;
    int min = ctx->np / ctx->nm;
    int max = (ctx->np + ctx->nm - 1) / ctx->nm;
    int *claim = sm_calloc((size_t)ctx->np + 1, sizeof(int));
    sm_sticky_list_t *lst = sm_calloc((size_t)ctx->nm, sizeof(*lst));
    sm_sticky_q_t unfilled = { sm_calloc((size_t)ctx->nm, sizeof(int)), 0, 0 };
    sm_sticky_q_t minq = { sm_calloc((size_t)ctx->nm, sizeof(int)), 0, 0 };
    sm_sticky_q_t maxq = { sm_calloc((size_t)ctx->nm, sizeof(int)), 0, 0 };

    sm_sticky_valid_claims(st, claim);
    sm_sticky_keep_and_fill(st, claim, min, max, lst, &unfilled, &minq,
                            &maxq);
    /* step 3: take from members at max */
    for (int i = 0; i < unfilled.n; i++) {
        int m = unfilled.v[i];
        while (st->cnt[m] < min) {
            sm_sticky_list_t *from;
            sm_assert(maxq.head < maxq.n);  /* counting argument */
            from = &lst[maxq.v[maxq.head++]];
            sm_assert(from->head < from->n);
            sm_sticky_give(st, from->v[from->head++], m);
        }
        minq.v[minq.n++] = m;
    }
    /* step 4: what is left, one each to members at min */
    for (int32_t p = 0; p < ctx->np; p++) {
        if (st->owner[p] >= 0)
            continue;
        sm_assert(minq.head < minq.n);      /* counting argument */
        sm_sticky_give(st, p, minq.v[minq.head++]);
    }
    for (int m = 0; m < ctx->nm; m++)
        sm_free(lst[m].v);
    sm_free(lst);
    sm_free(unfilled.v);
    sm_free(minq.v);
    sm_free(maxq.v);
    sm_free(claim);
}

/* ------------------------------------------------------------ general */

/*
 * owner[p] = the claimant with the highest generation (the first in member
 * id order among equals), prev[p] = the claimant of the next lower
 * generation.  Returns whether a kept claim had to be dropped because its
 * owner no longer subscribes to the topic (Java's revocationRequired).
 */
static int
sm_sticky_prepopulate(sm_sticky_t *st)
{
    const sm_asg_ctx_t *ctx = &st->ctx;
    int32_t *g1 = sm_calloc((size_t)ctx->np + 1, sizeof(int32_t));
    int32_t *g2 = sm_calloc((size_t)ctx->np + 1, sizeof(int32_t));
    int revoke = 0;

    for (int i = 0; i < ctx->nm; i++) {
        int m = st->order[i];
        const sm_asg_member_t *mbr = &ctx->members[m];
        int32_t g = mbr->generation < 0 ? -1 : mbr->generation;

        for (int j = 0; j < mbr->nowned; j++) {
            int32_t p = sm_asg_ctx_part(ctx, mbr->owned[j].topic,
                                        mbr->owned[j].partition);
            if (p < 0 || (st->owner[p] >= 0 && g == g1[p]) ||
                (st->prev[p] >= 0 && g == g2[p]))
                continue;
            if (st->owner[p] < 0 || g > g1[p]) {
                st->prev[p] = st->owner[p];
                g2[p] = g1[p];
                st->owner[p] = m;
                g1[p] = g;
            } else if (st->prev[p] < 0 || g > g2[p]) {
                st->prev[p] = m;
                g2[p] = g;
            }
        }
    }
    for (int32_t p = 0; p < ctx->np; p++) {
        int m = st->owner[p];
        if (m < 0)
            continue;
        if (sm_asg_ctx_subs(ctx, m, sm_asg_ctx_topic_of(ctx, p)))
            st->cnt[m]++;
        else {
            st->owner[p] = -1;
            revoke = 1;
        }
    }
    sm_free(g1);
    sm_free(g2);
    return revoke;
}

/* The least loaded member subscribed to topic t (ties: member id). */
static int
sm_sticky_least_loaded(const sm_sticky_t *st, int t)
{
    int best = -1;

    for (int i = 0; i < st->ctx.nm; i++) {
        int m = st->order[i];
        if (sm_asg_ctx_subs(&st->ctx, m, t) &&
            (best < 0 || st->cnt[m] < st->cnt[best]))
            best = m;
    }
    return best;
}

/* One balancing attempt on p; 1 if it moved. */
static int
sm_sticky_try_move(sm_sticky_t *st, int32_t p)
{
    int t = sm_asg_ctx_topic_of(&st->ctx, p);
    int c = st->owner[p], pm = st->prev[p], b;

    if (st->tsubs[t] < 2 || c < 0)
        return 0;
    if (pm >= 0 && pm != c && sm_asg_ctx_subs(&st->ctx, pm, t) &&
        st->cnt[c] > st->cnt[pm] + 1) {
        sm_sticky_give(st, p, pm);
        return 1;
    }
    b = sm_sticky_least_loaded(st, t);
    if (b >= 0 && st->cnt[c] > st->cnt[b] + 1) {
        sm_sticky_give(st, p, b);
        return 1;
    }
    return 0;
}

static void
sm_sticky_rebalance(sm_sticky_t *st, const int32_t *list, int32_t n)
{
    int modified = 1;

    for (int pass = 0; modified && pass < STICKY_MAX_PASSES; pass++) {
        modified = 0;
        for (int32_t i = 0; i < n; i++)
            modified |= sm_sticky_try_move(st, list[i]);
    }
}

static int
sm_sticky_i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* All partitions, those with the fewest possible consumers first, then
 * by (topic, partition): sort (candidates << 32 | p). */
static void
sm_sticky_sort_parts(const sm_sticky_t *st, int32_t *sorted)
{
    int32_t np = st->ctx.np;
    int64_t *key = sm_calloc((size_t)np + 1, sizeof(*key));

    for (int32_t p = 0; p < np; p++)
        key[p] = ((int64_t)st->tsubs[sm_asg_ctx_topic_of(&st->ctx, p)]
                  << 32) | p;
    qsort(key, (size_t)np, sizeof(*key), sm_sticky_i64_cmp);
    for (int32_t i = 0; i < np; i++)
        sorted[i] = (int32_t)(key[i] & 0x7fffffff);
    sm_free(key);
}

static void
sm_sticky_general(sm_sticky_t *st)
{
    const sm_asg_ctx_t *ctx = &st->ctx;
    int32_t *sorted = sm_calloc((size_t)ctx->np + 1, sizeof(int32_t));
    int32_t *fresh = sm_calloc((size_t)ctx->np + 1, sizeof(int32_t));
    int32_t nfresh = 0;
    int revoke = sm_sticky_prepopulate(st);

    sm_sticky_sort_parts(st, sorted);
    for (int32_t i = 0; i < ctx->np; i++) {
        int32_t p = sorted[i];
        if (st->owner[p] >= 0)
            continue;
        sm_sticky_give(st, p, sm_sticky_least_loaded(
                           st, sm_asg_ctx_topic_of(ctx, p)));
        fresh[nfresh++] = p;
    }
    if (!revoke)
        sm_sticky_rebalance(st, fresh, nfresh);
    sm_sticky_rebalance(st, sorted, ctx->np);
    sm_free(sorted);
    sm_free(fresh);
}

/* ------------------------------------------------------------ assignor */

static void
sm_sticky_assign(const sm_asg_member_t *members, int nmembers,
                 const sm_asg_topic_t *topics, int ntopics,
                 sm_asg_out_t *out)
{
    sm_sticky_t st;

    memset(&st, 0, sizeof(st));
    sm_sticky_init(&st, members, nmembers, topics, ntopics);
    if (st.ctx.nm > 0 && sm_sticky_subs_equal(members, st.ctx.nm))
        sm_sticky_constrained(&st);
    else if (st.ctx.nm > 0)
        sm_sticky_general(&st);
    sm_asg_ctx_emit(&st.ctx, st.owner, out);
    sm_sticky_fini(&st);
}

/*
 * StickyAssignor user data v1: what this member owns and its generation.
 * Writes nothing when the member has never been assigned (nothing owned,
 * generation < 0): the caller then sends a null UserData, as Java does
 * before its first assignment.
 */
static void
sm_sticky_user_data(const samsa_topic_partition_t *owned, int nowned,
                    int32_t generation, sm_buf_t *out)
{
    samsa_topic_partition_t *v;

    if (nowned <= 0 && generation < 0)
        return;
    v = sm_calloc((size_t)nowned + 1, sizeof(*v));
    if (nowned > 0) {
        memcpy(v, owned, (size_t)nowned * sizeof(*v));   /* shallow */
        qsort(v, (size_t)nowned, sizeof(*v), sm_asg_tp_cmp);
    }
    sm_asg_write_tps(out, v, nowned > 0 ? nowned : 0);
    sm_wr_i32(out, generation);
    sm_free(v);
}

const sm_assignor_t sm_assignor_sticky = {
    "sticky", sm_sticky_assign, sm_sticky_user_data,
};
