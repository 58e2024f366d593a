/* test_assignor.c: assignor.c and assignor_sticky.c - range and
 * roundrobin against the assignments Java's RangeAssignor and
 * RoundRobinAssignor make for the same input (worked out by hand from the
 * Java code), and sticky's balance, stickiness and determinism. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/assignor.h"
#include "common/sm_mem.h"
#include "sm_test.h"

typedef struct asg_spec {
    const char *id;
    const char *inst;       /* group.instance.id or NULL */
    const char *topics;     /* "t1,t2" */
    const char *owned;      /* "t1-0,t2-3" or NULL */
    int32_t     gen;
} asg_spec_t;

static int
asg_split(const char *s, char ***vp)
{
    char *dup, *tok, *save = NULL;
    char **v;
    int n = 0;

    *vp = NULL;
    if (s == NULL || *s == '\0')
        return 0;
    v = sm_calloc(strlen(s) + 1, sizeof(*v));
    dup = sm_strdup(s);
    for (tok = strtok_r(dup, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save))
        v[n++] = sm_strdup(tok);
    sm_free(dup);
    *vp = v;
    return n;
}

static void
asg_set_owned(sm_asg_member_t *m, const char *owned, int32_t gen)
{
    char **v;
    int n = asg_split(owned, &v);

    samsa_topic_partitions_free(m->owned, m->nowned);
    m->owned = sm_calloc((size_t)n + 1, sizeof(*m->owned));
    m->nowned = n;
    for (int i = 0; i < n; i++) {
        char *dash = strrchr(v[i], '-');
        ck_assert_ptr_nonnull(dash);
        *dash = '\0';
        m->owned[i].topic = v[i];
        m->owned[i].partition = atoi(dash + 1);
    }
    sm_free(v);
    m->generation = gen;
}

static sm_asg_member_t *
asg_members(const asg_spec_t *s, int n)
{
    sm_asg_member_t *m = sm_calloc((size_t)n, sizeof(*m));

    for (int i = 0; i < n; i++) {
        m[i].member_id = sm_strdup(s[i].id);
        m[i].group_instance_id = s[i].inst ? sm_strdup(s[i].inst) : NULL;
        m[i].ntopics = asg_split(s[i].topics, &m[i].topics);
        asg_set_owned(&m[i], s[i].owned, s[i].owned ? s[i].gen : -1);
    }
    return m;
}

static void
asg_members_free(sm_asg_member_t *m, int n)
{
    for (int i = 0; i < n; i++)
        sm_asg_member_fini(&m[i]);
    sm_free(m);
}

/* "t1-0,t1-2" */
static char *
asg_fmt(const sm_asg_out_t *o)
{
    size_t cap = 16 + (size_t)o->ntps * 64, len = 0;
    char *s = sm_calloc(cap, 1);

    for (int i = 0; i < o->ntps; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s-%d",
                                i ? "," : "", o->tps[i].topic,
                                o->tps[i].partition);
    return s;
}

/* Run assignor name over specs and compare each member's share. */
static void
asg_expect(const char *name, const asg_spec_t *s, int n,
           const sm_asg_topic_t *t, int nt, const char *const *want)
{
    const sm_assignor_t *asg = sm_assignor_find(name);
    sm_asg_member_t *m = asg_members(s, n);
    sm_asg_out_t *out = sm_calloc((size_t)n, sizeof(*out));

    ck_assert_ptr_nonnull(asg);
    asg->assign(m, n, t, nt, out);
    for (int i = 0; i < n; i++) {
        char *got = asg_fmt(&out[i]);
        ck_assert_msg(strcmp(got, want[i]) == 0, "%s: member %s got '%s', "
                      "want '%s'", name, s[i].id, got, want[i]);
        sm_free(got);
    }
    sm_asg_out_fini(out, n);
    sm_free(out);
    asg_members_free(m, n);
}

START_TEST(assignor__find)
{
    ck_assert_str_eq(sm_assignor_find("range")->name, "range");
    ck_assert_str_eq(sm_assignor_find("roundrobin")->name, "roundrobin");
    ck_assert_str_eq(sm_assignor_find("sticky")->name, "sticky");
    ck_assert_str_eq(sm_assignor_find(
        "org.apache.kafka.clients.consumer.RangeAssignor")->name, "range");
    ck_assert_str_eq(sm_assignor_find(
        "org.apache.kafka.clients.consumer.RoundRobinAssignor")->name,
        "roundrobin");
    ck_assert_str_eq(sm_assignor_find(
        "org.apache.kafka.clients.consumer.StickyAssignor")->name, "sticky");
    ck_assert_ptr_null(sm_assignor_find("cooperative-sticky"));
    ck_assert_ptr_null(sm_assignor_find(NULL));
    ck_assert_ptr_null(sm_assignor_find("range")->user_data);
    ck_assert_ptr_null(sm_assignor_find("roundrobin")->user_data);
}
END_TEST

START_TEST(assignor__range_cases)
{
    /* one member, one topic */
    {
        asg_spec_t s[] = { { "c1", NULL, "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 3 } };
        const char *w[] = { "t-0,t-1,t-2" };
        asg_expect("range", s, 1, t, 1, w);
    }
    /* uneven: 8 partitions over 3, two topics; input in reverse order */
    {
        asg_spec_t s[] = { { "c3", NULL, "t1,t2", NULL, -1 },
                           { "c2", NULL, "t2,t1", NULL, -1 },
                           { "c1", NULL, "t1,t2", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t2", 2 }, { "t1", 8 } };
        const char *w[] = { "t1-6,t1-7", "t1-3,t1-4,t1-5,t2-1",
                            "t1-0,t1-1,t1-2,t2-0" };
        asg_expect("range", s, 3, t, 2, w);
    }
    /* different subscriptions (RangeAssignorTest
     * testMultipleConsumersMixedTopics) */
    {
        asg_spec_t s[] = { { "consumer1", NULL, "t1", NULL, -1 },
                           { "consumer2", NULL, "t1,t2", NULL, -1 },
                           { "consumer3", NULL, "t1", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t1", 3 }, { "t2", 2 } };
        const char *w[] = { "t1-0", "t1-1,t2-0,t2-1", "t1-2" };
        asg_expect("range", s, 3, t, 2, w);
    }
    /* more members than partitions; an unknown topic, a topic with no
     * partitions and a topic nobody wants are skipped */
    {
        asg_spec_t s[] = { { "a", NULL, "t,gone,empty", NULL, -1 },
                           { "b", NULL, "t", NULL, -1 },
                           { "c", NULL, "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 2 }, { "empty", 0 },
                               { "other", 4 } };
        const char *w[] = { "t-0", "t-1", "" };
        asg_expect("range", s, 3, t, 3, w);
    }
}
END_TEST

/* KIP-345: static members sort by group.instance.id, ahead of dynamic
 * ones; the member ids then do not matter. */
START_TEST(assignor__range_static_members)
{
    {
        asg_spec_t s[] = { { "a-member", "instance-2", "t", NULL, -1 },
                           { "b-member", "instance-1", "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 3 } };
        const char *w[] = { "t-2", "t-0,t-1" };
        asg_expect("range", s, 2, t, 1, w);
    }
    {
        asg_spec_t s[] = { { "a", NULL, "t", NULL, -1 },
                           { "z", "static", "t", NULL, -1 },
                           { "b", NULL, "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 5 } };
        const char *w[] = { "t-2,t-3", "t-0,t-1", "t-4" };
        asg_expect("range", s, 3, t, 1, w);
    }
}
END_TEST

START_TEST(assignor__roundrobin_cases)
{
    /* two members, two topics of 3 */
    {
        asg_spec_t s[] = { { "c2", NULL, "t1,t2", NULL, -1 },
                           { "c1", NULL, "t1,t2", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t1", 3 }, { "t2", 3 } };
        const char *w[] = { "t1-1,t2-0,t2-2", "t1-0,t1-2,t2-1" };
        asg_expect("roundrobin", s, 2, t, 2, w);
    }
    /* RoundRobinAssignorTest testMultipleConsumersMixedTopics */
    {
        asg_spec_t s[] = { { "consumer1", NULL, "t1", NULL, -1 },
                           { "consumer2", NULL, "t1,t2", NULL, -1 },
                           { "consumer3", NULL, "t1", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t1", 3 }, { "t2", 2 } };
        const char *w[] = { "t1-0", "t1-1,t2-0,t2-1", "t1-2" };
        asg_expect("roundrobin", s, 3, t, 2, w);
    }
    /* the circle keeps its place across topics and skips */
    {
        asg_spec_t s[] = { { "a", NULL, "x,y", NULL, -1 },
                           { "b", NULL, "y", NULL, -1 },
                           { "c", NULL, "x,y", NULL, -1 } };
        sm_asg_topic_t t[] = { { "y", 4 }, { "x", 3 } };
        /* x-0 a, x-1 c, x-2 a, y-0 b, y-1 c, y-2 a, y-3 b */
        const char *w[] = { "x-0,x-2,y-2", "y-0,y-3", "x-1,y-1" };
        asg_expect("roundrobin", s, 3, t, 2, w);
    }
    /* one member; more members than partitions */
    {
        asg_spec_t s[] = { { "only", NULL, "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 2 } };
        const char *w[] = { "t-0,t-1" };
        asg_expect("roundrobin", s, 1, t, 1, w);
    }
    {
        asg_spec_t s[] = { { "m3", NULL, "t", NULL, -1 },
                           { "m1", NULL, "t", NULL, -1 },
                           { "m2", NULL, "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 2 } };
        const char *w[] = { "", "t-0", "t-1" };
        asg_expect("roundrobin", s, 3, t, 1, w);
    }
    /* static members first, by instance id */
    {
        asg_spec_t s[] = { { "a", NULL, "t", NULL, -1 },
                           { "b", "i2", "t", NULL, -1 },
                           { "c", "i1", "t", NULL, -1 } };
        sm_asg_topic_t t[] = { { "t", 4 } };
        const char *w[] = { "t-2", "t-1", "t-0,t-3" };
        asg_expect("roundrobin", s, 3, t, 1, w);
    }
}
END_TEST

/* ------------------------------------------------------------ sticky */

/* Valid (each partition once, only to subscribers) and balanced in Java's
 * sense (no member could take a partition from one with 2+ more). */
static void
asg_check_sticky(const sm_asg_member_t *m, int n, const sm_asg_topic_t *t,
                 int nt, const sm_asg_out_t *out)
{
    for (int k = 0; k < nt; k++) {
        int subscribed = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m[i].ntopics; j++)
                subscribed |= strcmp(m[i].topics[j], t[k].name) == 0;
        for (int32_t p = 0; p < t[k].partitions; p++) {
            int owner = -1;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < out[i].ntps; j++)
                    if (strcmp(out[i].tps[j].topic, t[k].name) == 0 &&
                        out[i].tps[j].partition == p) {
                        ck_assert_int_eq(owner, -1);
                        owner = i;
                    }
            ck_assert_int_eq(owner >= 0, subscribed);
            for (int i = 0; i < n && owner >= 0; i++) {
                int subs = 0;
                for (int j = 0; j < m[i].ntopics; j++)
                    subs |= strcmp(m[i].topics[j], t[k].name) == 0;
                if (i == owner)
                    ck_assert(subs);
                else if (subs)
                    ck_assert_msg(out[owner].ntps <= out[i].ntps + 1,
                                  "%s-%d: %d vs %d", t[k].name, p,
                                  out[owner].ntps, out[i].ntps);
            }
        }
    }
}

static sm_asg_out_t *
asg_sticky_run(const sm_asg_member_t *m, int n, const sm_asg_topic_t *t,
               int nt)
{
    sm_asg_out_t *out = sm_calloc((size_t)n + 1, sizeof(*out));

    sm_assignor_find("sticky")->assign(m, n, t, nt, out);
    asg_check_sticky(m, n, t, nt, out);
    return out;
}

/* member i now owns out[j] (as its user data would say) */
static void
asg_own(sm_asg_member_t *mbr, const sm_asg_out_t *o, int32_t gen)
{
    char *s = asg_fmt(o);
    asg_set_owned(mbr, s, gen);
    sm_free(s);
}

static int
asg_has(const sm_asg_out_t *o, const char *topic, int32_t p)
{
    for (int i = 0; i < o->ntps; i++)
        if (strcmp(o->tps[i].topic, topic) == 0 && o->tps[i].partition == p)
            return 1;
    return 0;
}

/* every partition b has now, it had before */
static void
asg_check_subset(const sm_asg_out_t *now, const sm_asg_member_t *before)
{
    for (int i = 0; i < now->ntps; i++) {
        int had = 0;
        for (int j = 0; j < before->nowned; j++)
            had |= strcmp(before->owned[j].topic, now->tps[i].topic) == 0 &&
                   before->owned[j].partition == now->tps[i].partition;
        ck_assert_msg(had, "%s moved %s-%d", before->member_id,
                      now->tps[i].topic, now->tps[i].partition);
    }
}

START_TEST(assignor__sticky_balance_fresh)
{
    /* 7 over 3 (min 2, max 3): fill round robin in member id order from
     * t1-0, the one left over to the first member at min */
    asg_spec_t s[] = { { "c2", NULL, "t1,t2", NULL, -1 },
                       { "c3", NULL, "t2,t1", NULL, -1 },
                       { "c1", NULL, "t1,t2", NULL, -1 } };
    sm_asg_topic_t t[] = { { "t2", 4 }, { "t1", 3 } };
    const char *w[] = { "t1-1,t2-1", "t1-2,t2-2", "t1-0,t2-0,t2-3" };
    sm_asg_member_t *m = asg_members(s, 3);
    sm_asg_out_t *out = asg_sticky_run(m, 3, t, 2);

    sm_asg_out_fini(out, 3);
    sm_free(out);
    asg_members_free(m, 3);
    asg_expect("sticky", s, 3, t, 2, w);
}
END_TEST

/* A member leaves: the two that stay keep everything they had. */
START_TEST(assignor__sticky_member_leaves)
{
    asg_spec_t s[] = { { "c1", NULL, "t1,t2", NULL, -1 },
                       { "c2", NULL, "t1,t2", NULL, -1 },
                       { "c3", NULL, "t1,t2", NULL, -1 } };
    sm_asg_topic_t t[] = { { "t1", 5 }, { "t2", 4 } };
    sm_asg_member_t *m = asg_members(s, 3);
    sm_asg_out_t *out = asg_sticky_run(m, 3, t, 2), *out2;

    for (int i = 0; i < 3; i++)
        asg_own(&m[i], &out[i], 1);
    /* c2 leaves: members c1, c3 */
    sm_asg_member_fini(&m[1]);
    m[1] = m[2];
    memset(&m[2], 0, sizeof(m[2]));
    out2 = asg_sticky_run(m, 2, t, 2);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < m[i].nowned; j++)
            ck_assert(asg_has(&out2[i], m[i].owned[j].topic,
                              m[i].owned[j].partition));
    ck_assert_int_eq(out2[0].ntps + out2[1].ntps, 9);
    sm_asg_out_fini(out, 3);
    sm_asg_out_fini(out2, 2);
    sm_free(out);
    sm_free(out2);
    asg_members_free(m, 3);
}
END_TEST

/* A member joins: nothing moves between c1 and c2; each only gives up
 * what the newcomer needs. */
START_TEST(assignor__sticky_member_joins)
{
    asg_spec_t s[] = { { "c1", NULL, "t1,t2", NULL, -1 },
                       { "c2", NULL, "t1,t2", NULL, -1 },
                       { "c0", NULL, "t1,t2", NULL, -1 } };
    sm_asg_topic_t t[] = { { "t1", 4 }, { "t2", 3 } };
    sm_asg_member_t *m = asg_members(s, 3);
    sm_asg_out_t *out = asg_sticky_run(m, 2, t, 2), *out2;

    asg_own(&m[0], &out[0], 4);
    asg_own(&m[1], &out[1], 4);
    out2 = asg_sticky_run(m, 3, t, 2);
    asg_check_subset(&out2[0], &m[0]);
    asg_check_subset(&out2[1], &m[1]);
    ck_assert_int_eq(out2[2].ntps, 2);
    ck_assert_int_eq(out2[0].ntps + out2[1].ntps, 5);
    sm_asg_out_fini(out, 2);
    sm_asg_out_fini(out2, 3);
    sm_free(out);
    sm_free(out2);
    asg_members_free(m, 3);
}
END_TEST

/* Different subscriptions (the general path), then a member leaves and
 * one changes topics. */
START_TEST(assignor__sticky_general_path)
{
    asg_spec_t s[] = { { "c1", NULL, "t1", NULL, -1 },
                       { "c2", NULL, "t1,t2,t3", NULL, -1 },
                       { "c3", NULL, "t2,t3", NULL, -1 } };
    sm_asg_topic_t t[] = { { "t1", 4 }, { "t2", 3 }, { "t3", 2 } };
    sm_asg_member_t *m = asg_members(s, 3);
    sm_asg_out_t *out = asg_sticky_run(m, 3, t, 3), *out2;

    ck_assert_int_eq(out[0].ntps + out[1].ntps + out[2].ntps, 9);
    for (int i = 0; i < 3; i++)
        asg_own(&m[i], &out[i], 2);
    /* c3 leaves: c2 keeps what it had, c1 too */
    out2 = asg_sticky_run(m, 2, t, 3);
    /* c2 inherits c3's t2/t3 (nobody else can take them), and gives one
     * t1 partition to c1 for balance: nothing else moves */
    ck_assert_int_eq(out2[0].ntps, 4);
    ck_assert_int_eq(out2[1].ntps, 5);
    for (int j = 0; j < m[0].nowned; j++)
        ck_assert(asg_has(&out2[0], m[0].owned[j].topic,
                          m[0].owned[j].partition));
    {
        int moved = 0;
        for (int j = 0; j < m[1].nowned; j++)
            moved += !asg_has(&out2[1], m[1].owned[j].topic,
                              m[1].owned[j].partition);
        ck_assert_int_le(moved, 1);
    }
    sm_asg_out_fini(out2, 2);
    sm_free(out2);
    sm_asg_out_fini(out, 3);
    sm_free(out);
    asg_members_free(m, 3);
}
END_TEST

/* Claims conflict: the highest generation wins (and in the constrained
 * path an older generation's claims do not count at all). */
START_TEST(assignor__sticky_generations)
{
    sm_asg_topic_t t[] = { { "t", 2 } };
    {
        asg_spec_t s[] = { { "a", NULL, "t", "t-0", 3 },
                           { "b", NULL, "t", "t-0,t-1", 2 } };
        const char *w[] = { "t-0", "t-1" };
        asg_expect("sticky", s, 2, t, 1, w);
    }
    {
        asg_spec_t s[] = { { "a", NULL, "t", "t-1", 2 },
                           { "b", NULL, "t", "t-1,t-0", 3 } };
        const char *w[] = { "t-1", "t-0" };
        asg_expect("sticky", s, 2, t, 1, w);
    }
    /* v0 user data (no generation) against v1: v1 counts */
    {
        asg_spec_t s[] = { { "a", NULL, "t", "t-0", -1 },
                           { "b", NULL, "t", "t-0", 1 } };
        const char *w[] = { "t-1", "t-0" };
        asg_expect("sticky", s, 2, t, 1, w);
    }
    /* two claims in one generation: nobody's */
    {
        asg_spec_t s[] = { { "a", NULL, "t", "t-1", 5 },
                           { "b", NULL, "t", "t-1", 5 } };
        const char *w[] = { "t-0", "t-1" };
        asg_expect("sticky", s, 2, t, 1, w);
    }
}
END_TEST

/* Same members in any input order: the same partitions per member. */
START_TEST(assignor__sticky_deterministic)
{
    asg_spec_t s[] = { { "m1", NULL, "a,b", "a-1,b-0", 1 },
                       { "m2", NULL, "a", "a-0,a-2", 1 },
                       { "m3", NULL, "a,b", NULL, -1 },
                       { "m4", NULL, "b", "b-1,b-2,b-3", 1 } };
    int perm[][4] = { { 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 2, 0, 3, 1 } };
    sm_asg_topic_t t[] = { { "a", 5 }, { "b", 4 } };
    char *ref[4] = { NULL };

    for (int k = 0; k < 3; k++) {
        asg_spec_t p[4];
        sm_asg_member_t *m;
        sm_asg_out_t *out;

        for (int i = 0; i < 4; i++)
            p[i] = s[perm[k][i]];
        m = asg_members(p, 4);
        out = asg_sticky_run(m, 4, t, 2);
        for (int i = 0; i < 4; i++) {
            char *got = asg_fmt(&out[i]);
            int who = perm[k][i];
            if (ref[who] == NULL)
                ref[who] = got;
            else {
                ck_assert_str_eq(got, ref[who]);
                sm_free(got);
            }
        }
        sm_asg_out_fini(out, 4);
        sm_free(out);
        asg_members_free(m, 4);
    }
    for (int i = 0; i < 4; i++)
        sm_free(ref[i]);
}
END_TEST

/* Seeded random groups: always valid and balanced, over several
 * generations of members coming and going. */
START_TEST(assignor__sticky_random_properties)
{
    static const char *names[] = { "ta", "tb", "tc", "td" };
    uint32_t seed = 12345;
#define RND(n) ((seed = seed * 1103515245u + 12345u), \
                (int)((seed >> 16) % (uint32_t)(n)))

    for (int round = 0; round < 150; round++) {
        int n = 1 + RND(6), nt = 1 + RND(4);
        sm_asg_topic_t t[4];
        sm_asg_member_t *m = sm_calloc((size_t)n, sizeof(*m));
        sm_asg_out_t *out;
        int same = RND(2);

        for (int k = 0; k < nt; k++) {
            t[k].name = names[k];
            t[k].partitions = RND(9);
        }
        for (int i = 0; i < n; i++) {
            char id[16], subs[32] = "";
            snprintf(id, sizeof(id), "m%02d-%d", RND(100), i);
            m[i].member_id = sm_strdup(id);
            for (int k = 0; k < nt; k++)
                if (same || RND(2) || k == 0)
                    strcat(strcat(subs, names[k]), ",");
            m[i].ntopics = asg_split(subs, &m[i].topics);
            m[i].generation = -1;
        }
        for (int gen = 1; gen <= 3; gen++) {
            out = asg_sticky_run(m, n, t, nt);
            for (int i = 0; i < n; i++)
                if (RND(4) != 0)
                    asg_own(&m[i], &out[i], gen);
            sm_asg_out_fini(out, n);
            sm_free(out);
        }
        asg_members_free(m, n);
    }
#undef RND
}
END_TEST

Suite *
sm_test_suite_assignor(void)
{
    Suite *s = suite_create("assignor");
    TCase *tc = tcase_create("assignor");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, assignor__find);
    tcase_add_test(tc, assignor__range_cases);
    tcase_add_test(tc, assignor__range_static_members);
    tcase_add_test(tc, assignor__roundrobin_cases);
    tcase_add_test(tc, assignor__sticky_balance_fresh);
    tcase_add_test(tc, assignor__sticky_member_leaves);
    tcase_add_test(tc, assignor__sticky_member_joins);
    tcase_add_test(tc, assignor__sticky_general_path);
    tcase_add_test(tc, assignor__sticky_generations);
    tcase_add_test(tc, assignor__sticky_deterministic);
    tcase_add_test(tc, assignor__sticky_random_properties);
    suite_add_tcase(s, tc);
    return s;
}
