/*
 * assignor.c: the assignor table (sm_assignor_find), the context every
 * assignor starts from (assignor_int.h), and Kafka's two stateless
 * assignors, RangeAssignor and RoundRobinAssignor, deciding exactly as the
 * Java clients of Kafka 2.4-2.8 do (librdkafka's range and roundrobin
 * assignors agree with them).  The sticky assignor is assignor_sticky.c.
 *
 * MEMBER ORDER.  Both sort the members as Java's MemberInfo does: members
 * with a group.instance.id (static, KIP-345) first, ordered by it, then
 * the rest by member id.  (Before 2.4 the order was member id alone; with
 * no static members the two are the same.)  Equal keys fall back to member
 * id, then input position, so the result never depends on qsort.
 *
 * RANGE, per topic independently: the n members subscribed to it, in the
 * order above, split its P partitions into consecutive ranges; the first
 * P % n members get P / n + 1, the rest P / n.
 *
 * ROUNDROBIN: all partitions of all subscribed topics, sorted by (topic,
 * partition), are dealt one at a time around the ordered members; a member
 * not subscribed to the partition's topic is passed over (and stays
 * passed: the circle moves on past the member that took it).
 *
 * Pure functions, no threads.  Results are heap (sm_asg_out_fini).
 */
#include <stdlib.h>
#include <string.h>

#include "client/assignor.h"
#include "client/assignor_int.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"

/* ------------------------------------------------------------ ordering */

typedef struct sm_asg_mref {
    const sm_asg_member_t *m;
    int                    idx;
    int                    by_instance;
} sm_asg_mref_t;

static int
sm_asg_str_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int
sm_asg_mref_cmp(const void *a, const void *b)
{
    const sm_asg_mref_t *x = a, *y = b;
    const char *xi = x->m->group_instance_id, *yi = y->m->group_instance_id;
    int c;

    if (x->by_instance && (xi != NULL) != (yi != NULL))
        return xi != NULL ? -1 : 1;
    if (x->by_instance && xi != NULL && (c = strcmp(xi, yi)) != 0)
        return c;
    if ((c = sm_asg_str_cmp(x->m->member_id, y->m->member_id)) != 0)
        return c;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

void
sm_asg_member_order(const sm_asg_member_t *members, int nm, int by_instance,
                    int *order)
{
    sm_asg_mref_t *v;

    if (nm <= 0)
        return;
    v = sm_calloc((size_t)nm, sizeof(*v));
    for (int i = 0; i < nm; i++) {
        v[i].m = &members[i];
        v[i].idx = i;
        v[i].by_instance = by_instance;
    }
    qsort(v, (size_t)nm, sizeof(*v), sm_asg_mref_cmp);
    for (int i = 0; i < nm; i++)
        order[i] = v[i].idx;
    sm_free(v);
}

/* ------------------------------------------------------------ context */

typedef struct sm_asg_tref {
    const sm_asg_topic_t *t;
    int                   idx;
} sm_asg_tref_t;

static int
sm_asg_tref_cmp(const void *a, const void *b)
{
    const sm_asg_tref_t *x = a, *y = b;
    int c = strcmp(x->t->name, y->t->name);

    return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int
sm_asg_cstr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fill ctx->sub from each member's subscription (sorted copy, bsearch). */
static void
sm_asg_ctx_fill_subs(sm_asg_ctx_t *ctx)
{
    for (int m = 0; m < ctx->nm; m++) {
        const sm_asg_member_t *mbr = &ctx->members[m];
        const char **s;
        int n = 0;

        if (mbr->ntopics <= 0)
            continue;
        s = sm_calloc((size_t)mbr->ntopics, sizeof(*s));
        for (int i = 0; i < mbr->ntopics; i++)
            if (mbr->topics[i] != NULL)
                s[n++] = mbr->topics[i];
        qsort(s, (size_t)n, sizeof(*s), sm_asg_cstr_cmp);
        for (int t = 0; t < ctx->nt; t++)
            if (bsearch(&ctx->tname[t], s, (size_t)n, sizeof(*s),
                        sm_asg_cstr_cmp) != NULL)
                ctx->sub[(size_t)m * (size_t)ctx->nt + (size_t)t] = 1;
        sm_free(s);
    }
}

/* Drop topics nobody subscribed to; number the partitions. */
static void
sm_asg_ctx_compact(sm_asg_ctx_t *ctx)
{
    int k = 0;

    for (int t = 0; t < ctx->nt; t++) {
        int used = 0;
        for (int m = 0; m < ctx->nm && !used; m++)
            used = sm_asg_ctx_subs(ctx, m, t);
        if (!used)
            continue;
        ctx->tname[k] = ctx->tname[t];
        ctx->tcnt[k] = ctx->tcnt[t];
        for (int m = 0; m < ctx->nm; m++)
            ctx->sub[(size_t)m * (size_t)ctx->nt + (size_t)k] =
                sm_asg_ctx_subs(ctx, m, t);
        k++;
    }
    /* re-pack the matrix rows to the new width k */
    for (int m = 0; m < ctx->nm; m++)
        memmove(&ctx->sub[(size_t)m * (size_t)k],
                &ctx->sub[(size_t)m * (size_t)ctx->nt], (size_t)k);
    ctx->nt = k;
    ctx->np = 0;
    for (int t = 0; t < k; t++) {
        ctx->tbase[t] = ctx->np;
        ctx->np += ctx->tcnt[t];
    }
}

void
sm_asg_ctx_init(sm_asg_ctx_t *ctx, const sm_asg_member_t *members, int nm,
                const sm_asg_topic_t *topics, int ntopics)
{
    sm_asg_tref_t *v = NULL;
    int n = 0;

    memset(ctx, 0, sizeof(*ctx));
    ctx->members = members;
    ctx->nm = nm > 0 ? nm : 0;
    if (ntopics > 0)
        v = sm_calloc((size_t)ntopics, sizeof(*v));
    for (int i = 0; i < ntopics; i++) {
        if (topics[i].name == NULL || topics[i].partitions <= 0)
            continue;
        v[n].t = &topics[i];
        v[n].idx = i;
        n++;
    }
    if (n > 0)
        qsort(v, (size_t)n, sizeof(*v), sm_asg_tref_cmp);
    ctx->tname = sm_calloc((size_t)n + 1, sizeof(*ctx->tname));
    ctx->tcnt = sm_calloc((size_t)n + 1, sizeof(*ctx->tcnt));
    ctx->tbase = sm_calloc((size_t)n + 1, sizeof(*ctx->tbase));
    for (int i = 0; i < n; i++) {
        if (ctx->nt > 0 && strcmp(ctx->tname[ctx->nt - 1], v[i].t->name) == 0)
            continue;               /* a repeated name: the first wins */
        ctx->tname[ctx->nt] = v[i].t->name;
        ctx->tcnt[ctx->nt] = v[i].t->partitions;
        ctx->nt++;
    }
    sm_free(v);
    ctx->sub = sm_calloc((size_t)ctx->nm * (size_t)ctx->nt + 1, 1);
    sm_asg_ctx_fill_subs(ctx);
    sm_asg_ctx_compact(ctx);
}

void
sm_asg_ctx_fini(sm_asg_ctx_t *ctx)
{
    sm_free(ctx->tname);
    sm_free(ctx->tcnt);
    sm_free(ctx->tbase);
    sm_free(ctx->sub);
    memset(ctx, 0, sizeof(*ctx));
}

int
sm_asg_ctx_topic(const sm_asg_ctx_t *ctx, const char *name)
{
    const char **hit;

    if (name == NULL || ctx->nt == 0)
        return -1;
    hit = bsearch(&name, ctx->tname, (size_t)ctx->nt, sizeof(*ctx->tname),
                  sm_asg_cstr_cmp);
    return hit != NULL ? (int)(hit - ctx->tname) : -1;
}

int32_t
sm_asg_ctx_part(const sm_asg_ctx_t *ctx, const char *topic,
                int32_t partition)
{
    int t = sm_asg_ctx_topic(ctx, topic);

    if (t < 0 || partition < 0 || partition >= ctx->tcnt[t])
        return -1;
    return ctx->tbase[t] + partition;
}

int
sm_asg_ctx_topic_of(const sm_asg_ctx_t *ctx, int32_t p)
{
    int lo = 0, hi = ctx->nt - 1;

    /* the last topic whose base is <= p */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (ctx->tbase[mid] <= p)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

void
sm_asg_ctx_emit(const sm_asg_ctx_t *ctx, const int *owner, sm_asg_out_t *out)
{
    int *fill = sm_calloc((size_t)ctx->nm + 1, sizeof(*fill));

    for (int m = 0; m < ctx->nm; m++) {
        out[m].tps = NULL;
        out[m].ntps = 0;
    }
    for (int32_t p = 0; p < ctx->np; p++)
        if (owner[p] >= 0)
            out[owner[p]].ntps++;
    for (int m = 0; m < ctx->nm; m++)
        if (out[m].ntps > 0)
            out[m].tps = sm_calloc((size_t)out[m].ntps,
                                   sizeof(*out[m].tps));
    for (int t = 0; t < ctx->nt; t++) {
        for (int32_t i = 0; i < ctx->tcnt[t]; i++) {
            int m = owner[ctx->tbase[t] + i];
            if (m < 0)
                continue;
            out[m].tps[fill[m]].topic = sm_strdup(ctx->tname[t]);
            out[m].tps[fill[m]].partition = i;
            fill[m]++;
        }
    }
    sm_free(fill);
}

/* ------------------------------------------------------------ range */

static void
sm_asg_range(const sm_asg_member_t *members, int nmembers,
             const sm_asg_topic_t *topics, int ntopics, sm_asg_out_t *out)
{
    sm_asg_ctx_t ctx;
    int *order, *subs, *owner;

    sm_asg_ctx_init(&ctx, members, nmembers, topics, ntopics);
    order = sm_calloc((size_t)ctx.nm + 1, sizeof(*order));
    subs = sm_calloc((size_t)ctx.nm + 1, sizeof(*subs));
    owner = sm_calloc((size_t)ctx.np + 1, sizeof(*owner));
    sm_asg_member_order(members, ctx.nm, 1, order);
    for (int t = 0; t < ctx.nt; t++) {
        int n = 0, per, extra;

        for (int i = 0; i < ctx.nm; i++)
            if (sm_asg_ctx_subs(&ctx, order[i], t))
                subs[n++] = order[i];
        sm_assert(n > 0);           /* ctx keeps subscribed topics only */
        per = ctx.tcnt[t] / n;
        extra = ctx.tcnt[t] % n;
        for (int i = 0; i < n; i++) {
            int start = per * i + (i < extra ? i : extra);
            int len = per + (i < extra ? 1 : 0);
            for (int j = start; j < start + len; j++)
                owner[ctx.tbase[t] + j] = subs[i];
        }
    }
    sm_asg_ctx_emit(&ctx, owner, out);
    sm_free(owner);
    sm_free(subs);
    sm_free(order);
    sm_asg_ctx_fini(&ctx);
}

/* ------------------------------------------------------------ roundrobin */

static void
sm_asg_roundrobin(const sm_asg_member_t *members, int nmembers,
                  const sm_asg_topic_t *topics, int ntopics,
                  sm_asg_out_t *out)
{
    sm_asg_ctx_t ctx;
    int *order, *owner;
    int pos = 0;

    sm_asg_ctx_init(&ctx, members, nmembers, topics, ntopics);
    order = sm_calloc((size_t)ctx.nm + 1, sizeof(*order));
    owner = sm_calloc((size_t)ctx.np + 1, sizeof(*owner));
    sm_asg_member_order(members, ctx.nm, 1, order);
    for (int t = 0; t < ctx.nt; t++) {
        for (int32_t i = 0; i < ctx.tcnt[t]; i++) {
            /* at most nm steps: someone subscribes to t */
            for (int k = 0; k < ctx.nm &&
                 !sm_asg_ctx_subs(&ctx, order[pos], t); k++)
                pos = (pos + 1) % ctx.nm;
            owner[ctx.tbase[t] + i] = order[pos];
            pos = (pos + 1) % ctx.nm;
        }
    }
    sm_asg_ctx_emit(&ctx, owner, out);
    sm_free(owner);
    sm_free(order);
    sm_asg_ctx_fini(&ctx);
}

/* ------------------------------------------------------------ table */

static const sm_assignor_t sm_assignor_range = {
    "range", sm_asg_range, NULL,
};

static const sm_assignor_t sm_assignor_roundrobin = {
    "roundrobin", sm_asg_roundrobin, NULL,
};

static const struct {
    const char          *java;
    const sm_assignor_t *asg;
} sm_assignors[] = {
    { "org.apache.kafka.clients.consumer.RangeAssignor", &sm_assignor_range },
    { "org.apache.kafka.clients.consumer.RoundRobinAssignor",
      &sm_assignor_roundrobin },
    { "org.apache.kafka.clients.consumer.StickyAssignor",
      &sm_assignor_sticky },
};

const sm_assignor_t *
sm_assignor_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(sm_assignors) / sizeof(sm_assignors[0]);
         i++) {
        if (strcmp(name, sm_assignors[i].asg->name) == 0 ||
            strcmp(name, sm_assignors[i].java) == 0)
            return sm_assignors[i].asg;
    }
    return NULL;
}
