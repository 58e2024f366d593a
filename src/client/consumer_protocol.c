/*
 * consumer_protocol.c: the bytes a consumer group's members exchange inside
 * JoinGroup (ProtocolMetadata = Subscription) and SyncGroup (Assignment =
 * MemberAssignment), Kafka's ConsumerProtocol, plus the sticky assignor's
 * user data that rides inside a Subscription.
 *
 * Kafka's message specs ConsumerProtocolSubscription.json and
 * ConsumerProtocolAssignment.json are the truth; neither is flexible, so
 * every string is int16-length and every array int32-count.
 *
 * Subscription (written as v0; read at any Version >= 0):
 *
 *   OFFSET  SIZE      FIELD            VERSIONS  DESCRIPTION
 *   0       2         Version          0+        int16, < 0 rejected
 *   2       4+        Topics           0+        [string] as subscribed
 *   ..      4+        UserData         0+        nullable bytes (assignor's)
 *   ..      4+        OwnedPartitions  1+        [Topic string, [int32]]
 *   ..      4         GenerationId     2+        int32 (-1: none)
 *   ..      ..        (RackId 3+, later fields)  ignored
 *
 * Assignment (written as v0; read at any Version >= 0):
 *
 *   OFFSET  SIZE      FIELD               DESCRIPTION
 *   0       2         Version             int16, < 0 rejected
 *   2       4+        AssignedPartitions  [Topic string, Partitions [int32]]
 *   ..      4+        UserData            nullable bytes; we write null
 *
 * Sticky user data (StickyAssignor's own schema, no version field: v1 is
 * told from v0 by the int32 that follows the array):
 *
 *   OFFSET  SIZE      FIELD               VERSIONS  DESCRIPTION
 *   0       4+        previous_assignment 0+  [topic string, [int32]]
 *   ..      4         generation          1   int32
 *
 * Readers are lenient where Kafka's writers have varied (fields of a later
 * version that end the buffer early are taken as absent; anything after the
 * fields we know is ignored) and strict about what would mislead the
 * consumer: a truncated field, a negative Version, a negative partition or
 * a topic name with a NUL byte is _BAD_MSG.  Every count is checked against
 * the bytes left by sm_rd_array() before anything is allocated for it.
 *
 * Pure functions; no threads, no locks.  Ownership: everything decoded is
 * heap and owned by the caller (sm_asg_member_fini,
 * samsa_topic_partitions_free); nothing borrows from the input bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "client/assignor.h"
#include "client/assignor_int.h"
#include "common/sm_mem.h"
#include "protocol/codec.h"

/* Minimum sizes of array elements, for sm_rd_array's bound. */
#define CP_STR_MIN      2           /* int16 length, empty string */
#define CP_TOPIC_MIN    6           /* Topic + empty Partitions array */

/* ------------------------------------------------------------ helpers */

void
samsa_topic_partitions_free(samsa_topic_partition_t *v, int cnt)
{
    if (v == NULL)
        return;
    for (int i = 0; i < cnt; i++)
        sm_free(v[i].topic);
    sm_free(v);
}

int
sm_asg_tp_cmp(const void *a, const void *b)
{
    const samsa_topic_partition_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);

    if (c != 0)
        return c;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

/* Sort v[0..*np) and drop exact duplicates (freeing their names). */
void
sm_asg_tps_sort_unique(samsa_topic_partition_t *v, int *np)
{
    int n = *np, k = 0;

    if (n <= 1)
        return;
    qsort(v, (size_t)n, sizeof(*v), sm_asg_tp_cmp);
    for (int i = 0; i < n; i++) {
        if (k > 0 && sm_asg_tp_cmp(&v[k - 1], &v[i]) == 0) {
            sm_free(v[i].topic);
            continue;
        }
        v[k++] = v[i];
    }
    *np = k;
}

/* A topic name we can hand out as a C string: not null, no NUL inside. */
static int
sm_cp_topic_ok(sm_str_t s)
{
    return s.len >= 0 && (s.len == 0 || memchr(s.ptr, 0, (size_t)s.len) ==
                          NULL);
}

/*
 * Read [Topic string, Partitions [int32]] into a sorted, duplicate-free
 * heap array.  On failure rd->err is set and nothing is left allocated.
 * The total is bounded by the bytes left (4 per partition).
 */
sm_err_t
sm_asg_read_tps(sm_rd_t *rd, samsa_topic_partition_t **tpsp, int *ntpsp)
{
    samsa_topic_partition_t *v = NULL;
    int n = 0, cap = 0;
    int32_t nt = sm_rd_array(rd, 0, CP_TOPIC_MIN);

    if (nt < 0)                     /* a null array: nothing */
        nt = 0;
    for (int32_t i = 0; i < nt && sm_rd_ok(rd); i++) {
        sm_str_t topic = sm_rd_str(rd, 0);
        int32_t np = sm_rd_array(rd, 0, 4);

        if (sm_rd_ok(rd) && (!sm_cp_topic_ok(topic) || np < 0))
            sm_rd_fail(rd, SM_ERR__BAD_MSG);
        if (sm_rd_ok(rd) && n + np > cap) {
            cap = n + np + 8;
            v = sm_realloc(v, (size_t)cap * sizeof(*v));
        }
        for (int32_t j = 0; j < np && sm_rd_ok(rd); j++) {
            int32_t p = sm_rd_i32(rd);
            if (sm_rd_ok(rd) && p < 0)
                sm_rd_fail(rd, SM_ERR__BAD_MSG);
            if (!sm_rd_ok(rd))
                break;
            v[n].topic = sm_str_dup(topic);
            v[n].partition = p;
            n++;
        }
    }
    if (!sm_rd_ok(rd)) {
        samsa_topic_partitions_free(v, n);
        *tpsp = NULL;
        *ntpsp = 0;
        return SM_ERR__BAD_MSG;
    }
    sm_asg_tps_sort_unique(v, &n);
    *tpsp = v;
    *ntpsp = n;
    return SM_OK;
}

/* Write tps (sorted or at least grouped by topic) as [Topic, [int32]]. */
void
sm_asg_write_tps(sm_buf_t *out, const samsa_topic_partition_t *tps, int ntps)
{
    size_t tpos = sm_wr_array_begin(out, 0);
    int32_t nt = 0;

    for (int i = 0; i < ntps;) {
        size_t ppos;
        int j = i;

        sm_wr_cstr(out, tps[i].topic, 0);
        ppos = sm_wr_array_begin(out, 0);
        for (; j < ntps && strcmp(tps[j].topic, tps[i].topic) == 0; j++)
            sm_wr_i32(out, tps[j].partition);
        sm_wr_array_end(out, ppos, j - i, 0);
        nt++;
        i = j;
    }
    sm_wr_array_end(out, tpos, nt, 0);
}

/* ------------------------------------------------------------ members */

void
sm_asg_member_fini(sm_asg_member_t *m)
{
    if (m == NULL)
        return;
    sm_free(m->member_id);
    sm_free(m->group_instance_id);
    for (int i = 0; i < m->ntopics; i++)
        sm_free(m->topics[i]);
    sm_free(m->topics);
    samsa_topic_partitions_free(m->owned, m->nowned);
    memset(m, 0, sizeof(*m));
    m->generation = -1;
}

void
sm_asg_out_fini(sm_asg_out_t *o, int n)
{
    if (o == NULL)
        return;
    for (int i = 0; i < n; i++) {
        samsa_topic_partitions_free(o[i].tps, o[i].ntps);
        o[i].tps = NULL;
        o[i].ntps = 0;
    }
}

/* ------------------------------------------------------------ sticky data */

/*
 * Decode StickyAssignor user data: try v1 (array then generation), and
 * fall back to v0 (the array alone) when the generation is missing, as
 * Java does.  SM_OK with owned/generation filled, or _BAD_MSG with nothing
 * allocated.
 */
sm_err_t
sm_asg_sticky_data_read(sm_bytes_t b, samsa_topic_partition_t **ownedp,
                        int *nownedp, int32_t *generationp)
{
    sm_rd_t rd;
    sm_err_t err;

    *ownedp = NULL;
    *nownedp = 0;
    *generationp = -1;
    if (b.len <= 0)
        return SM_OK;
    sm_rd_init(&rd, b.ptr, (size_t)b.len);
    err = sm_asg_read_tps(&rd, ownedp, nownedp);
    if (err != SM_OK)
        return err;
    if (sm_rd_remaining(&rd) >= 4)
        *generationp = sm_rd_i32(&rd);
    return SM_OK;
}

/* ------------------------------------------------------------ subscription */

void
sm_cproto_subscription_write(sm_buf_t *out, char *const *topics,
                             int ntopics, sm_bytes_t user_data)
{
    sm_wr_i16(out, 0);                                  /* Version */
    sm_wr_array_len(out, ntopics, 0);                   /* Topics */
    for (int i = 0; i < ntopics; i++)
        sm_wr_cstr(out, topics[i], 0);
    if (user_data.ptr == NULL || user_data.len < 0)
        user_data = SM_BYTES_NULL;
    sm_wr_bytes(out, user_data, 0);                     /* UserData */
}

/* Topics: [string] into heap C strings; _BAD_MSG with nothing kept. */
static sm_err_t
sm_cp_read_topics(sm_rd_t *rd, char ***topicsp, int *ntopicsp)
{
    int32_t nt = sm_rd_array(rd, 0, CP_STR_MIN);
    char **v = NULL;
    int n = 0;

    if (nt > 0)
        v = sm_calloc((size_t)nt, sizeof(*v));
    for (int32_t i = 0; i < nt && sm_rd_ok(rd); i++) {
        sm_str_t s = sm_rd_str(rd, 0);
        if (sm_rd_ok(rd) && !sm_cp_topic_ok(s))
            sm_rd_fail(rd, SM_ERR__BAD_MSG);
        if (sm_rd_ok(rd))
            v[n++] = sm_str_dup(s);
    }
    if (!sm_rd_ok(rd)) {
        for (int i = 0; i < n; i++)
            sm_free(v[i]);
        sm_free(v);
        return SM_ERR__BAD_MSG;
    }
    *topicsp = v;
    *ntopicsp = n;
    return SM_OK;
}

/*
 * The fields after UserData (v1 OwnedPartitions, v2 GenerationId), each
 * taken as absent when the bytes end before it.
 */
static sm_err_t
sm_cp_read_sub_tail(sm_rd_t *rd, int16_t version,
                    samsa_topic_partition_t **ownedp, int *nownedp,
                    int32_t *generationp)
{
    sm_err_t err;

    *ownedp = NULL;
    *nownedp = 0;
    *generationp = -1;
    if (version < 1 || sm_rd_remaining(rd) == 0)
        return SM_OK;
    err = sm_asg_read_tps(rd, ownedp, nownedp);
    if (err != SM_OK)
        return err;
    if (version >= 2 && sm_rd_remaining(rd) >= 4)
        *generationp = sm_rd_i32(rd);
    return SM_OK;
}

sm_err_t
sm_cproto_subscription_read(sm_bytes_t b, sm_asg_member_t *m)
{
    samsa_topic_partition_t *owned = NULL;
    int nowned = 0;
    int32_t gen = -1;
    sm_bytes_t ud;
    sm_err_t err;
    int16_t version;
    sm_rd_t rd;

    m->topics = NULL;
    m->ntopics = 0;
    m->owned = NULL;
    m->nowned = 0;
    m->generation = -1;
    if (b.len < 2 || b.ptr == NULL)
        return SM_ERR__BAD_MSG;
    sm_rd_init(&rd, b.ptr, (size_t)b.len);
    version = sm_rd_i16(&rd);
    if (version < 0)
        return SM_ERR__BAD_MSG;
    err = sm_cp_read_topics(&rd, &m->topics, &m->ntopics);
    if (err != SM_OK)
        return err;
    ud = sm_rd_nbytes(&rd, 0);
    err = sm_rd_ok(&rd) ? SM_OK : SM_ERR__BAD_MSG;
    if (err == SM_OK)
        err = sm_cp_read_sub_tail(&rd, version, &owned, &nowned, &gen);
    if (err != SM_OK)
        goto out;
    /* Sticky's own record wins when it says something (partitions or a
     * generation); a user data that is not sticky's (or does not parse
     * as it, e.g. cooperative-sticky's bare generation) is ignored, as
     * Java ignores it, and OwnedPartitions/GenerationId stand. */
    if (ud.len > 0 &&
        sm_asg_sticky_data_read(ud, &m->owned, &m->nowned,
                                &m->generation) == SM_OK &&
        (m->nowned > 0 || m->generation >= 0)) {
        samsa_topic_partitions_free(owned, nowned);
    } else {
        samsa_topic_partitions_free(m->owned, m->nowned);
        m->owned = owned;
        m->nowned = nowned;
        m->generation = gen;
    }
out:
    if (err != SM_OK) {
        for (int i = 0; i < m->ntopics; i++)
            sm_free(m->topics[i]);
        sm_free(m->topics);
        m->topics = NULL;
        m->ntopics = 0;
    }
    return err;
}

/* ------------------------------------------------------------ assignment */

void
sm_cproto_assignment_write(sm_buf_t *out, const samsa_topic_partition_t *tps,
                           int ntps)
{
    sm_wr_i16(out, 0);                                  /* Version */
    sm_asg_write_tps(out, tps, ntps);                   /* AssignedPartitions */
    sm_wr_bytes(out, SM_BYTES_NULL, 0);                 /* UserData */
}

sm_err_t
sm_cproto_assignment_read(sm_bytes_t b, samsa_topic_partition_t **tpsp,
                          int *ntpsp)
{
    sm_rd_t rd;
    sm_err_t err;

    *tpsp = NULL;
    *ntpsp = 0;
    if (b.len <= 0)
        return SM_OK;
    sm_rd_init(&rd, b.ptr, (size_t)b.len);
    if (sm_rd_i16(&rd) < 0 || !sm_rd_ok(&rd))
        return SM_ERR__BAD_MSG;
    err = sm_asg_read_tps(&rd, tpsp, ntpsp);
    if (err != SM_OK)
        return err;
    /* UserData: absent (older writers) or well-formed */
    if (sm_rd_remaining(&rd) > 0) {
        (void)sm_rd_nbytes(&rd, 0);
        if (!sm_rd_ok(&rd)) {
            samsa_topic_partitions_free(*tpsp, *ntpsp);
            *tpsp = NULL;
            *ntpsp = 0;
            return SM_ERR__BAD_MSG;
        }
    }
    return SM_OK;
}
