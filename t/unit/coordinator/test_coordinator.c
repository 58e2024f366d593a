/*
 * test_coordinator.c: coordinator/coordinator.c - Kafka's partitionFor
 * (Java String.hashCode over UTF-16, Kafka's abs), offsets kept per group,
 * OffsetCommit's rule for unknown groups, and shutdown answering every
 * later call with COORDINATOR_NOT_AVAILABLE; with a fake store (tcase
 * "store"): partition ownership and loading, append-before-apply, replay
 * of what was stored, DeleteGroups and OffsetDelete tombstones.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_time.h"
#include "coordinator/coordinator.h"
#include "coordinator/group_record.h"
#include "sm_test.h"

#define S(x) ((sm_str_t){ (x), (int32_t)sizeof(x) - 1 })

static const sm_grp_conf_t conf0 = { 0, 6000, 1800000, 1000 };

static sm_str_t
cs(const char *s)
{
    return (sm_str_t){ s, (int32_t)strlen(s) };
}

static void
count_any(void *arg, const sm_coord_offset_t *o)
{
    (void)o;
    (*(int *)arg)++;
}

static int
count_all(sm_coord_t *co, const char *group)
{
    int n = 0;

    sm_coord_fetch_all(co, group, count_any, &n);
    return n;
}

static void
on_sync(void *arg, sm_err_t err, sm_bytes_t a)
{
    (void)a;
    *(sm_err_t *)arg = err;
}

/* Expected values computed with Java's String.hashCode semantics. */
START_TEST(coordinator__partition_for_matches_java)
{
    ck_assert_int_eq(sm_coord_partition_for(S(""), 50), 0);
    ck_assert_int_eq(sm_coord_partition_for(S("a"), 50), 47);
    ck_assert_int_eq(sm_coord_partition_for(S("console-consumer-12345"), 50),
                     6);
    /* negative hash: -1906497762 */
    ck_assert_int_eq(sm_coord_partition_for(S("my-group"), 50), 12);
    ck_assert_int_eq(sm_coord_partition_for(S("my-group"), 8), 2);
    /* hashCode == Integer.MIN_VALUE: Kafka's abs gives 0 */
    ck_assert_int_eq(sm_coord_partition_for(S("polygenelubricants"), 50),
                     0);
    /* U+00FC is one UTF-16 unit, U+1F600 a surrogate pair */
    ck_assert_int_eq(sm_coord_partition_for(S("gr\xc3\xbcppe"), 50), 12);
    ck_assert_int_eq(sm_coord_partition_for(S("\xf0\x9f\x98\x80x"), 50),
                     39);
    ck_assert_int_eq(sm_coord_partition_for(S("a"), 0), 0);
}
END_TEST

/* Commit one offset as a simple consumer (generation -1). */
static sm_err_t
commit1(sm_coord_t *co, const char *group, sm_str_t member, int32_t gen,
        int32_t part, int64_t off, sm_str_t md)
{
    sm_coord_commit_t c = { S("t"), part, off, -1, md, -1, -1, SM_OK };

    return sm_coord_commit_offsets(co, group, member, gen, &c, 1);
}

START_TEST(coordinator__commit_and_fetch)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    char *md = (char *)"x";

    ck_assert_ptr_nonnull(co);
    /* simple consumer: unknown group, generation -1 */
    ck_assert_int_eq(commit1(co, "g", S(""), -1, 3, 42, S("meta")), SM_OK);
    ck_assert_int_eq(sm_coord_fetch(co, "g", S("t"), 3, &md), 42);
    ck_assert_str_eq(md, "meta");
    free(md);
    ck_assert_int_eq(commit1(co, "g", S(""), -1, 3, 43, S("")), SM_OK);
    ck_assert_int_eq(sm_coord_fetch(co, "g", S("t"), 3, &md), 43);
    ck_assert_str_eq(md, "");
    free(md);
    ck_assert_int_eq(sm_coord_fetch(co, "g", S("t"), 4, &md), -1);
    ck_assert_ptr_null(md);
    ck_assert_int_eq(sm_coord_fetch(co, "other", S("t"), 3, &md), -1);
    sm_coord_destroy(co);
}
END_TEST

START_TEST(coordinator__unknown_group_with_generation)
{
    sm_coord_t *co = sm_coord_new(&conf0);

    ck_assert_int_eq(commit1(co, "nope", S("m"), 3, 0, 1, S("")),
                     SM_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(count_all(co, "nope"), 0);
    /* the check alone (offsets.storage=zookeeper) follows the same rule */
    ck_assert_int_eq(sm_coord_commit_check(co, "nope", S("m"), 3),
                     SM_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(sm_coord_commit_check(co, "fresh", S(""), -1), SM_OK);
    ck_assert_int_eq(count_all(co, "fresh"), 0);
    ck_assert_int_eq(sm_coord_heartbeat(co, "nope", S("m"), 1),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(sm_coord_leave(co, "nope", S("m")),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    sm_coord_destroy(co);
}
END_TEST

typedef struct jr {
    int      n;
    sm_err_t err;
    char     id[128];
} jr_t;

static void
on_join(void *arg, const sm_grp_join_result_t *res)
{
    jr_t *j = arg;

    j->n++;
    j->err = res->err;
    snprintf(j->id, sizeof(j->id), "%s", res->member_id);
}

static void
count_group(void *arg, const sm_grp_t *grp)
{
    (*(int *)arg) += grp != NULL;
}

static void
count_offset(void *arg, const sm_coord_offset_t *o)
{
    (*(int *)arg) += o->offset == 7;
}

START_TEST(coordinator__join_list_and_shutdown)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    sm_grp_proto_t p = { S("range"), { (const uint8_t *)"m", 1 } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    jr_t j = { 0 };
    int n = 0;

    req.arg = &j;
    sm_coord_join(co, "g", &req);
    /* the initial delay is 0 but completion waits for a tick */
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.n, 1);
    ck_assert_int_eq(j.err, SM_OK);
    sm_coord_list(co, count_group, &n);
    ck_assert_int_eq(n, 1);
    /* CompletingRebalance: commits wait for the assignment */
    ck_assert_int_eq(commit1(co, "g", cs(j.id), 1, 0, 7, S("")),
                     SM_ERR_REBALANCE_IN_PROGRESS);
    {
        sm_grp_assignment_t as = { cs(j.id), { (const uint8_t *)"a", 1 } };
        sm_err_t serr = SM_ERR__STATE;

        sm_coord_sync(co, "g", cs(j.id), 1, 1, &as, on_sync, &serr);
        ck_assert_int_eq(serr, SM_OK);
    }
    ck_assert_int_eq(commit1(co, "g", cs(j.id), 1, 0, 7, S("")), SM_OK);
    ck_assert_int_eq(commit1(co, "g", cs(j.id), 2, 0, 8, S("")),
                     SM_ERR_ILLEGAL_GENERATION);
    n = 0;
    sm_coord_fetch_all(co, "g", count_offset, &n);
    ck_assert_int_eq(n, 1);
    sm_coord_shutdown(co);
    memset(&j, 0, sizeof(j));
    sm_coord_join(co, "g2", &req);
    ck_assert_int_eq(j.n, 1);
    ck_assert_int_eq(j.err, SM_ERR_COORDINATOR_NOT_AVAILABLE);
    ck_assert_int_eq(sm_coord_heartbeat(co, "g", S("x"), 1),
                     SM_ERR_COORDINATOR_NOT_AVAILABLE);
    sm_coord_destroy(co);
}
END_TEST

/* ---------------------------------------------- persistence, fake store */

typedef struct fstore {
    int      calls;
    sm_err_t fail;              /* returned when not SM_OK */
    int      n;
    int32_t  part[64];
    sm_buf_t key[64];
    sm_buf_t val[64];
    int      null[64];
} fstore_t;

static sm_err_t
fstore_append(void *opaque, int32_t part, const sm_coord_rec_t *recs, int n)
{
    fstore_t *fs = opaque;

    fs->calls++;
    if (fs->fail != SM_OK)
        return fs->fail;
    for (int i = 0; i < n && fs->n < 64; i++, fs->n++) {
        fs->part[fs->n] = part;
        sm_buf_write(&fs->key[fs->n], recs[i].key.ptr,
                     (size_t)recs[i].key.len);
        fs->null[fs->n] = recs[i].value.ptr == NULL;
        if (recs[i].value.ptr)
            sm_buf_write(&fs->val[fs->n], recs[i].value.ptr,
                         (size_t)recs[i].value.len);
    }
    return SM_OK;
}

static void
fstore_fini(fstore_t *fs)
{
    for (int i = 0; i < 64; i++) {
        sm_buf_fini(&fs->key[i]);
        sm_buf_fini(&fs->val[i]);
    }
}

static sm_bytes_t
fbytes(const sm_buf_t *b)
{
    return (sm_bytes_t){ b->data, (int32_t)b->len };
}

/* "my-group" lives in partition 2 of 8. */
START_TEST(coordinator__ownership_and_load_state)
{
    static const sm_grp_conf_t delayed = { 60000, 6000, 1800000, 1000 };
    sm_coord_t *co = sm_coord_new(&delayed);
    fstore_t fs = { 0 };
    sm_grp_proto_t p = { S("range"), { (const uint8_t *)"m", 1 } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    jr_t j = { 0 };
    int groups = 0;

    sm_coord_set_store(co, fstore_append, &fs);
    ck_assert_int_eq(sm_coord_owns(co, 2), SM_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(commit1(co, "my-group", S(""), -1, 0, 1, S("")),
                     SM_ERR_NOT_COORDINATOR);
    sm_coord_load_begin(co, 2, 8);
    ck_assert_int_eq(sm_coord_owns(co, 2),
                     SM_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    ck_assert_int_eq(sm_coord_list(co, count_group, &groups),
                     SM_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    ck_assert_int_eq(commit1(co, "my-group", S(""), -1, 0, 1, S("")),
                     SM_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    ck_assert_int_eq(sm_coord_heartbeat(co, "my-group", S("m"), 1),
                     SM_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    sm_coord_load_done(co, 2);
    ck_assert_int_eq(sm_coord_owns(co, 2), SM_OK);
    ck_assert_int_eq(sm_coord_owns(co, 3), SM_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(sm_coord_list(co, count_group, &groups), SM_OK);
    /* a JoinGroup parked by the initial delay is answered
     * NOT_COORDINATOR when the partition is unloaded */
    req.arg = &j;
    sm_coord_join(co, "my-group", &req);
    ck_assert_int_eq(j.n, 0);
    sm_coord_unload(co, 2);
    ck_assert_int_eq(j.n, 1);
    ck_assert_int_eq(j.err, SM_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(fs.calls, 0);
    sm_coord_destroy(co);
    fstore_fini(&fs);
}
END_TEST

/* A commit is appended first and applied only if the append worked. */
START_TEST(coordinator__commit_appends_before_applying)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    fstore_t fs = { 0 };
    sm_coord_commit_t c[2] = {
        { S("t"), 0, 10, -1, S("a"), -1, -1, SM_OK },
        { S("t"), 1, 11, -1, S(""), -1, -1,
          SM_ERR_UNKNOWN_TOPIC_OR_PARTITION },
    };
    sm_grec_key_t k;
    sm_grec_offset_t o;
    char *md;

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    ck_assert_int_eq(sm_coord_commit_offsets(co, "my-group", S(""), -1, c, 2),
                     SM_OK);
    ck_assert_int_eq(c[0].err, SM_OK);
    ck_assert_int_eq(c[1].err, SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(fs.n, 1);                  /* only the valid one */
    ck_assert_int_eq(fs.part[0], 2);
    ck_assert_int_eq(sm_grec_key_read(fbytes(&fs.key[0]), &k), SM_OK);
    ck_assert_int_eq(k.partition, 0);
    ck_assert_int_eq(sm_grec_offset_value_read(fbytes(&fs.val[0]), &o),
                     SM_OK);
    ck_assert_int_eq(o.offset, 10);
    ck_assert_int_eq(fs.val[0].data[1], 3);     /* value v3 */
    fs.fail = SM_ERR_NOT_COORDINATOR;
    c[0].offset = 20;
    ck_assert_int_eq(sm_coord_commit_offsets(co, "my-group", S(""), -1, c, 1),
                     SM_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(c[0].err, SM_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(sm_coord_fetch(co, "my-group", S("t"), 0, &md), 10);
    free(md);
    sm_coord_destroy(co);
    fstore_fini(&fs);
}
END_TEST

/* What one coordinator stored, another loads: offsets, tombstones, the
 * group's generation; unloading drops the groups. */
START_TEST(coordinator__replay_restores_and_unload_drops)
{
    sm_coord_t *co = sm_coord_new(&conf0), *co2;
    fstore_t fs = { 0 }, fs2 = { 0 };
    sm_grp_proto_t p = { S("range"), { (const uint8_t *)"m", 1 } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    jr_t j = { 0 };
    sm_err_t serr = SM_ERR__STATE;
    char *md = NULL;
    int groups = 0;

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    req.arg = &j;
    sm_coord_join(co, "my-group", &req);
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.err, SM_OK);
    {
        sm_grp_assignment_t as = { cs(j.id), { (const uint8_t *)"a", 1 } };

        sm_coord_sync(co, "my-group", cs(j.id), 1, 1, &as, on_sync, &serr);
    }
    ck_assert_int_eq(serr, SM_OK);
    ck_assert_int_eq(fs.n, 1);                  /* group metadata, Stable */
    ck_assert_int_eq(fs.key[0].data[1], SM_GREC_KEY_GROUP);
    ck_assert_int_eq(fs.val[0].data[1], 1);     /* value v1 */
    ck_assert_int_eq(commit1(co, "my-group", cs(j.id), 1, 0, 5, S("x")),
                     SM_OK);
    ck_assert_int_eq(commit1(co, "my-group", cs(j.id), 1, 1, 6, S("")),
                     SM_OK);
    ck_assert_int_eq(fs.n, 3);
    ck_assert_int_eq(sm_coord_leave(co, "my-group", cs(j.id)), SM_OK);
    ck_assert_int_eq(fs.n, 4);                  /* Empty, generation 2 */

    co2 = sm_coord_new(&conf0);
    sm_coord_set_store(co2, fstore_append, &fs2);
    sm_coord_load_begin(co2, 2, 8);
    for (int i = 0; i < fs.n; i++)
        sm_coord_load_record(co2, 2, fbytes(&fs.key[i]),
                             fs.null[i] ? SM_BYTES_NULL
                                        : fbytes(&fs.val[i]));
    /* a tombstone for partition 1 */
    sm_coord_load_record(co2, 2, fbytes(&fs.key[2]), SM_BYTES_NULL);
    sm_coord_load_done(co2, 2);
    ck_assert_int_eq(sm_coord_fetch(co2, "my-group", S("t"), 0, &md), 5);
    ck_assert_str_eq(md, "x");
    free(md);
    ck_assert_int_eq(sm_coord_fetch(co2, "my-group", S("t"), 1, &md), -1);
    sm_coord_list(co2, count_group, &groups);
    ck_assert_int_eq(groups, 1);
    sm_coord_unload(co2, 2);
    groups = 0;
    sm_coord_list(co2, count_group, &groups);
    ck_assert_int_eq(groups, 0);
    ck_assert_int_eq(sm_coord_owns(co2, 2), SM_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(fs2.calls, 0);             /* loading wrote nothing */
    sm_coord_destroy(co2);
    sm_coord_destroy(co);
    fstore_fini(&fs);
    fstore_fini(&fs2);
}
END_TEST

/* DeleteGroups: only Empty groups go, with a tombstone per offset and one
 * for the metadata; a replay of the tombstones forgets the group. */
START_TEST(coordinator__delete_group_writes_tombstones)
{
    sm_coord_t *co = sm_coord_new(&conf0), *co2;
    fstore_t fs = { 0 }, fs2 = { 0 };
    sm_grp_proto_t p = { S("range"), { (const uint8_t *)"m", 1 } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    jr_t j = { 0 };
    int groups = 0, first;

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    ck_assert_int_eq(sm_coord_delete_group(co, "my-group"),
                     SM_ERR_GROUP_ID_NOT_FOUND);
    req.arg = &j;
    sm_coord_join(co, "my-group", &req);
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.err, SM_OK);
    ck_assert_int_eq(sm_coord_delete_group(co, "my-group"),
                     SM_ERR_NON_EMPTY_GROUP);
    ck_assert_int_eq(sm_coord_leave(co, "my-group", cs(j.id)), SM_OK);
    ck_assert_int_eq(commit1(co, "my-group", S(""), -1, 0, 5, S("")), SM_OK);
    ck_assert_int_eq(commit1(co, "my-group", S(""), -1, 1, 6, S("")), SM_OK);
    first = fs.n;
    ck_assert_int_eq(sm_coord_delete_group(co, "my-group"), SM_OK);
    ck_assert_int_eq(fs.n, first + 3);          /* two offsets, metadata */
    for (int i = first; i < fs.n; i++)
        ck_assert_int_eq(fs.null[i], 1);
    ck_assert_int_eq(fs.key[fs.n - 1].data[1], SM_GREC_KEY_GROUP);
    sm_coord_list(co, count_group, &groups);
    ck_assert_int_eq(groups, 0);
    ck_assert_int_eq(sm_coord_delete_group(co, "my-group"),
                     SM_ERR_GROUP_ID_NOT_FOUND);

    co2 = sm_coord_new(&conf0);
    sm_coord_set_store(co2, fstore_append, &fs2);
    sm_coord_load_begin(co2, 2, 8);
    for (int i = 0; i < fs.n; i++)
        sm_coord_load_record(co2, 2, fbytes(&fs.key[i]),
                             fs.null[i] ? SM_BYTES_NULL
                                        : fbytes(&fs.val[i]));
    ck_assert_int_eq(sm_coord_load_done(co2, 2), 0);
    sm_coord_destroy(co2);
    sm_coord_destroy(co);
    fstore_fini(&fs);
    fstore_fini(&fs2);
}
END_TEST

/* OffsetDelete: a live consumer group keeps the offsets of topics its
 * members subscribe to; an Empty group loses any; tombstones only for
 * offsets that existed. */
START_TEST(coordinator__delete_offsets)
{
    static const uint8_t sub[] = { 0, 0,  0, 0, 0, 1,  0, 1, 't',
                                   0xff, 0xff, 0xff, 0xff };
    sm_coord_t *co = sm_coord_new(&conf0);
    fstore_t fs = { 0 };
    sm_grp_proto_t p = { S("range"), { sub, sizeof(sub) } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    sm_coord_odel_t d[3] = { { S("t"), 0, SM_OK }, { S("u"), 0, SM_OK },
                             { S("u"), 9, SM_OK } };
    sm_coord_commit_t cu = { S("u"), 0, 3, -1, S(""), -1, -1, SM_OK };
    jr_t j = { 0 };
    char *md = NULL;
    int first;

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    ck_assert_int_eq(sm_coord_delete_offsets(co, "my-group", d, 3),
                     SM_ERR_GROUP_ID_NOT_FOUND);
    ck_assert_int_eq(commit1(co, "my-group", S(""), -1, 0, 5, S("")), SM_OK);
    ck_assert_int_eq(sm_coord_commit_offsets(co, "my-group", S(""), -1,
                                             &cu, 1), SM_OK);
    req.arg = &j;
    sm_coord_join(co, "my-group", &req);
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.err, SM_OK);
    first = fs.n;
    ck_assert_int_eq(sm_coord_delete_offsets(co, "my-group", d, 3), SM_OK);
    ck_assert_int_eq(d[0].err, SM_ERR_GROUP_SUBSCRIBED_TO_TOPIC);
    ck_assert_int_eq(d[1].err, SM_OK);
    ck_assert_int_eq(d[2].err, SM_OK);          /* nothing there: fine */
    ck_assert_int_eq(fs.n, first + 1);          /* one tombstone: u-0 */
    ck_assert_int_eq(fs.null[first], 1);
    ck_assert_int_eq(sm_coord_fetch(co, "my-group", S("u"), 0, &md), -1);
    ck_assert_int_eq(sm_coord_fetch(co, "my-group", S("t"), 0, &md), 5);
    free(md);
    ck_assert_int_eq(sm_coord_leave(co, "my-group", cs(j.id)), SM_OK);
    d[0].err = SM_OK;
    ck_assert_int_eq(sm_coord_delete_offsets(co, "my-group", d, 1), SM_OK);
    ck_assert_int_eq(d[0].err, SM_OK);
    ck_assert_int_eq(sm_coord_fetch(co, "my-group", S("t"), 0, &md), -1);
    sm_coord_destroy(co);
    fstore_fini(&fs);
}
END_TEST

/* offsets.retention: simple-consumer offsets expire retention after their
 * commit (explicit expiry timestamps win), get tombstones, and the group
 * left Empty without offsets goes; nothing expires before its time. */
START_TEST(coordinator__retention_expires_offsets)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    fstore_t fs = { 0 };
    sm_coord_commit_t c[2] = {
        { S("t"), 0, 10, -1, S(""), 1000, -1, SM_OK },
        { S("t"), 1, 11, -1, S(""), 1000, 500000, SM_OK },
    };
    int groups = 0, first;
    char *md = NULL;

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_set_retention(co, 60000, 0);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    ck_assert_int_eq(sm_coord_commit_offsets(co, "my-group", S(""), -1, c, 2),
                     SM_OK);
    first = fs.n;
    ck_assert_int_eq(sm_coord_expire_offsets(co, 1000 + 59999), 0);
    ck_assert_int_eq(sm_coord_expire_offsets(co, 1000 + 60000), 1);
    ck_assert_int_eq(fs.n, first + 1);
    ck_assert_int_eq(fs.null[first], 1);
    ck_assert_int_eq(sm_coord_fetch(co, "my-group", S("t"), 0, &md), -1);
    ck_assert_int_eq(sm_coord_fetch(co, "my-group", S("t"), 1, &md), 11);
    free(md);
    ck_assert_int_eq(sm_coord_expire_offsets(co, 500000), 1);
    sm_coord_list(co, count_group, &groups);
    ck_assert_int_eq(groups, 0);                /* Empty, no offsets: gone */
    ck_assert_int_eq(fs.n, first + 2);          /* generation 0: no group
                                                   tombstone */
    sm_coord_destroy(co);
    fstore_fini(&fs);
}
END_TEST

/* A live consumer group keeps offsets of subscribed topics however old;
 * once Empty, the period counts from when it became Empty. */
START_TEST(coordinator__retention_live_and_empty_groups)
{
    static const uint8_t sub[] = { 0, 0,  0, 0, 0, 1,  0, 1, 't',
                                   0xff, 0xff, 0xff, 0xff };
    sm_coord_t *co = sm_coord_new(&conf0);
    fstore_t fs = { 0 };
    sm_grp_proto_t p = { S("range"), { sub, sizeof(sub) } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    sm_coord_commit_t c[2] = {
        { S("t"), 0, 10, -1, S(""), 1000, -1, SM_OK },
        { S("u"), 0, 11, -1, S(""), 1000, -1, SM_OK },
    };
    sm_err_t serr = SM_ERR__STATE;
    jr_t j = { 0 };
    int64_t left;

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_set_retention(co, 60000, 0);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    req.arg = &j;
    sm_coord_join(co, "my-group", &req);
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.err, SM_OK);
    {
        sm_grp_assignment_t as = { cs(j.id), { (const uint8_t *)"a", 1 } };

        sm_coord_sync(co, "my-group", cs(j.id), 1, 1, &as, on_sync, &serr);
    }
    ck_assert_int_eq(serr, SM_OK);
    ck_assert_int_eq(sm_coord_commit_offsets(co, "my-group", cs(j.id), 1, c,
                                             2), SM_OK);
    /* commits are from t=1000: only the unsubscribed topic u expires */
    ck_assert_int_eq(sm_coord_expire_offsets(co, 1000000), 1);
    ck_assert_int_eq(count_all(co, "my-group"), 1);
    left = sm_now_ms();
    ck_assert_int_eq(sm_coord_leave(co, "my-group", cs(j.id)), SM_OK);
    ck_assert_int_eq(sm_coord_expire_offsets(co, left + 30000), 0);
    ck_assert_int_eq(sm_coord_expire_offsets(co, left + 120000), 1);
    ck_assert_int_eq(count_all(co, "my-group"), 0);
    sm_coord_destroy(co);
    fstore_fini(&fs);
}
END_TEST

static void
group_state(void *arg, const sm_grp_t *grp)
{
    *(sm_grp_state_t *)arg = grp ? sm_grp_state(grp) : SM_GRP_DEAD;
}

/* The leader's SyncGroup is answered after its generation is stored; a
 * failed append fails the SyncGroup and the group rebalances again. */
START_TEST(coordinator__sync_waits_for_group_store)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    fstore_t fs = { 0 };
    sm_grp_proto_t p = { S("range"), { (const uint8_t *)"m", 1 } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL, { NULL, -1 } };
    sm_err_t serr = SM_ERR__STATE;
    sm_grp_state_t st = SM_GRP_EMPTY;
    jr_t j = { 0 };

    sm_coord_set_store(co, fstore_append, &fs);
    sm_coord_load_begin(co, 2, 8);
    sm_coord_load_done(co, 2);
    req.arg = &j;
    sm_coord_join(co, "my-group", &req);
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.err, SM_OK);
    fs.fail = SM_ERR_COORDINATOR_NOT_AVAILABLE;
    {
        sm_grp_assignment_t as = { cs(j.id), { (const uint8_t *)"a", 1 } };

        sm_coord_sync(co, "my-group", cs(j.id), 1, 1, &as, on_sync, &serr);
    }
    ck_assert_int_eq(serr, SM_ERR_COORDINATOR_NOT_AVAILABLE);
    ck_assert_int_eq(fs.calls, 1);
    sm_coord_describe(co, "my-group", group_state, &st);
    ck_assert_int_eq(st, SM_GRP_PREPARING_REBALANCE);
    sm_coord_destroy(co);
    fstore_fini(&fs);
}
END_TEST

static TCase *
coordinator_store_tcase(void)
{
    TCase *tc = tcase_create("store");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, coordinator__ownership_and_load_state);
    tcase_add_test(tc, coordinator__commit_appends_before_applying);
    tcase_add_test(tc, coordinator__replay_restores_and_unload_drops);
    tcase_add_test(tc, coordinator__delete_group_writes_tombstones);
    tcase_add_test(tc, coordinator__delete_offsets);
    tcase_add_test(tc, coordinator__retention_expires_offsets);
    tcase_add_test(tc, coordinator__retention_live_and_empty_groups);
    tcase_add_test(tc, coordinator__sync_waits_for_group_store);
    return tc;
}

Suite *
sm_test_suite_coordinator(void)
{
    Suite *s = suite_create("coordinator");
    TCase *tc = tcase_create("coordinator");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, coordinator__partition_for_matches_java);
    tcase_add_test(tc, coordinator__commit_and_fetch);
    tcase_add_test(tc, coordinator__unknown_group_with_generation);
    tcase_add_test(tc, coordinator__join_list_and_shutdown);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, coordinator_store_tcase());
    return s;
}
