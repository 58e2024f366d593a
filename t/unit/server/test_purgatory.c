/* test_purgatory.c: delayed operations - completion by check, by expiry,
 * exactly once under races, no lost completion, purging, shutdown. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "server/purgatory.h"
#include "sm_test.h"

/* A test op completes once its flag is set.  The counters below are
 * shared by every op of a test and checked at the end. */
static atomic_int g_destroyed, g_completed, g_expired, g_violations;

typedef struct top {
    sm_delayed_op_t op;
    atomic_int      flag;
    atomic_int      in_try;
    atomic_int      completes;
    atomic_int      expired;
    sm_purgatory_t *purg;
    const char     *then_check;  /* key to check from on_complete */
} top_t;

static int
top_try(sm_delayed_op_t *op)
{
    top_t *t = (top_t *)op;

    if (atomic_fetch_add(&t->in_try, 1) != 0)
        atomic_fetch_add(&g_violations, 1);     /* overlapping tries */
    if (atomic_load(&t->completes) != 0)
        atomic_fetch_add(&g_violations, 1);     /* tried after completion */
    int r = atomic_load(&t->flag) != 0;
    atomic_fetch_sub(&t->in_try, 1);
    return r;
}

static void
top_complete(sm_delayed_op_t *op, int expired)
{
    top_t *t = (top_t *)op;

    if (atomic_load(&t->in_try) != 0 ||
        atomic_fetch_add(&t->completes, 1) != 0)
        atomic_fetch_add(&g_violations, 1);
    if (expired) {
        atomic_fetch_add(&t->expired, 1);
        atomic_fetch_add(&g_expired, 1);
    }
    atomic_fetch_add(&g_completed, 1);
    if (t->then_check != NULL)
        sm_purgatory_check_and_complete(t->purg, t->then_check);
}

static void
top_destroy(sm_delayed_op_t *op)
{
    top_t *t = (top_t *)op;

    if (atomic_load(&t->completes) != 1)
        atomic_fetch_add(&g_violations, 1);
    atomic_fetch_add(&g_destroyed, 1);
    free(t);
}

static const sm_delayed_op_ops_t top_ops = {
    "test", top_try, top_complete, top_destroy
};

static top_t *
top_new(int64_t timeout_ms, int flag)
{
    top_t *t = sm_calloc(1, sizeof(*t));

    sm_delayed_op_init(&t->op, &top_ops, timeout_ms);
    atomic_init(&t->flag, flag);
    return t;
}

static void
reset_counters(void)
{
    atomic_store(&g_destroyed, 0);
    atomic_store(&g_completed, 0);
    atomic_store(&g_expired, 0);
    atomic_store(&g_violations, 0);
}

/* Poll until *v >= want, at most timeout_ms. */
static int
wait_for(atomic_int *v, int want, int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + timeout_ms;

    while (atomic_load(v) < want && sm_mono_ms() < deadline)
        usleep(1000);
    return atomic_load(v) >= want;
}

static const char *const key_t0[] = { "t-0" };

START_TEST(purgatory__complete_by_check)
{
    sm_purgatory_t *purg = sm_purgatory_new("fetch", 1000);
    top_t *t = top_new(10000, 0);

    reset_counters();
    sm_delayed_op_keep(&t->op);
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(purg, &t->op,
                                                          key_t0, 1), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 1);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 1);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "t-1"), 0);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "t-0"), 0);
    ck_assert(!sm_delayed_op_is_completed(&t->op));
    atomic_store(&t->flag, 1);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "t-0"), 1);
    ck_assert(sm_delayed_op_is_completed(&t->op));
    ck_assert_int_eq(atomic_load(&t->completes), 1);
    ck_assert_int_eq(atomic_load(&t->expired), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 0);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 0);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "t-0"), 0);
    ck_assert_int_eq(atomic_load(&g_destroyed), 0);   /* we hold a ref */
    sm_delayed_op_release(&t->op);
    ck_assert_int_eq(atomic_load(&g_destroyed), 1);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

START_TEST(purgatory__complete_at_once)
{
    sm_purgatory_t *purg = sm_purgatory_new("fetch", 1000);

    reset_counters();
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(
                         purg, &top_new(10000, 1)->op, key_t0, 1), 1);
    ck_assert_int_eq(atomic_load(&g_completed), 1);
    ck_assert_int_eq(atomic_load(&g_destroyed), 1);
    ck_assert_int_eq(sm_purgatory_watched(purg), 0);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 0);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_expired), 0);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

START_TEST(purgatory__expiry)
{
    sm_purgatory_t *purg = sm_purgatory_new("fetch", 1000);
    top_t *t = top_new(30, 0);

    reset_counters();
    int64_t t0 = sm_mono_ms();
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(purg, &t->op,
                                                          key_t0, 1), 0);
    ck_assert(wait_for(&g_expired, 1, 5000));
    ck_assert_int_ge(sm_mono_ms() - t0, 30);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 1);  /* until purged */
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "t-0"), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 0);
    ck_assert_int_eq(atomic_load(&g_destroyed), 1);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_completed), 1);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

START_TEST(purgatory__multiple_keys_and_reentry)
{
    static const char *const keys[] = { "a-0", "b-0", "c-0" };
    static const char *const key_z[] = { "z-0" };
    sm_purgatory_t *purg = sm_purgatory_new("produce", 1000);
    top_t *t = top_new(10000, 0), *z = top_new(10000, 0);

    reset_counters();
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(purg, &t->op,
                                                          keys, 3), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 3);
    /* z becomes ready but nobody checks "z-0" ... */
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(purg, &z->op,
                                                          key_z, 1), 0);
    atomic_store(&z->flag, 1);
    /* ... except t's on_complete, which calls back into the purgatory */
    t->purg = purg;
    t->then_check = "z-0";
    atomic_store(&t->flag, 1);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "b-0"), 1);
    ck_assert_int_eq(atomic_load(&g_completed), 2);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "a-0"), 0);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "c-0"), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 0);
    ck_assert_int_eq(atomic_load(&g_destroyed), 2);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_expired), 0);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

START_TEST(purgatory__force_complete)
{
    sm_purgatory_t *purg = sm_purgatory_new("fetch", 1000);
    top_t *t = top_new(10000, 0);

    reset_counters();
    sm_delayed_op_keep(&t->op);
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(purg, &t->op,
                                                          key_t0, 1), 0);
    ck_assert_int_eq(sm_delayed_op_force_complete(&t->op), 1);
    ck_assert_int_eq(sm_delayed_op_force_complete(&t->op), 0);
    ck_assert_int_eq(atomic_load(&t->completes), 1);
    ck_assert_int_eq(atomic_load(&t->expired), 0);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 0);
    sm_delayed_op_release(&t->op);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_destroyed), 1);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

/* ----------------------------------------------------------- races */

typedef struct racer {
    pthread_t       tid;
    sm_purgatory_t *purg;
    int             id;
    int             iters;
} racer_t;

static const char *const race_keys[] = {
    "r-0", "r-1", "r-2", "r-3", "r-4", "r-5", "r-6", "r-7"
};

/* Add ops with 0-2 ms timeouts, make each ready, and check its key and a
 * neighbour's: check, expiry and other threads' checks all race. */
static void *
racer_main(void *arg)
{
    racer_t *r = arg;

    for (int i = 0; i < r->iters; i++) {
        int k = (r->id + i) % 8;
        top_t *t = top_new(i % 3, 0);
        sm_delayed_op_keep(&t->op);     /* to set its flag afterwards */
        sm_purgatory_try_complete_else_watch(r->purg, &t->op,
                                             &race_keys[k], 2 - (k == 7));
        if (i % 4 != 3)
            atomic_store(&t->flag, 1);
        sm_delayed_op_release(&t->op);
        if (i % 4 != 3)
            sm_purgatory_check_and_complete(r->purg, race_keys[k]);
        sm_purgatory_check_and_complete(r->purg, race_keys[(k + 1) % 8]);
    }
    return NULL;
}

START_TEST(purgatory__exactly_once_under_races)
{
    enum { NTHREADS = 4, ITERS = 3000 };
    sm_purgatory_t *purg = sm_purgatory_new("fetch", 100);
    racer_t r[NTHREADS];

    reset_counters();
    for (int i = 0; i < NTHREADS; i++) {
        r[i] = (racer_t){ .purg = purg, .id = i, .iters = ITERS };
        ck_assert_int_eq(pthread_create(&r[i].tid, NULL, racer_main, &r[i]),
                         0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(r[i].tid, NULL);
    ck_assert(wait_for(&g_completed, NTHREADS * ITERS, 10000));
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_completed), NTHREADS * ITERS);
    ck_assert_int_eq(atomic_load(&g_destroyed), NTHREADS * ITERS);
    ck_assert_int_ge(atomic_load(&g_expired), NTHREADS * ITERS / 4);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

typedef struct lost {
    pthread_barrier_t bar;
    sm_purgatory_t   *purg;
    top_t *_Atomic    op;
    int               iters;
} lost_t;

static void *
lost_checker(void *arg)
{
    lost_t *l = arg;

    for (int i = 0; i < l->iters; i++) {
        pthread_barrier_wait(&l->bar);
        atomic_store(&atomic_load(&l->op)->flag, 1);
        sm_purgatory_check_and_complete(l->purg, "t-0");
        pthread_barrier_wait(&l->bar);
    }
    return NULL;
}

/* The readiness flips while the op is being added: whichever way the race
 * goes, the op must complete (not expire) by the time both sides are done. */
START_TEST(purgatory__completion_racing_with_watch_is_not_lost)
{
    lost_t l = { .iters = 2000 };
    pthread_t tid;

    reset_counters();
    l.purg = sm_purgatory_new("fetch", 100);
    pthread_barrier_init(&l.bar, NULL, 2);
    ck_assert_int_eq(pthread_create(&tid, NULL, lost_checker, &l), 0);
    for (int i = 0; i < l.iters; i++) {
        top_t *t = top_new(60000, 0);
        sm_delayed_op_keep(&t->op);
        atomic_store(&l.op, t);
        pthread_barrier_wait(&l.bar);
        sm_purgatory_try_complete_else_watch(l.purg, &t->op, key_t0, 1);
        pthread_barrier_wait(&l.bar);
        if (atomic_load(&t->completes) != 1 || atomic_load(&t->expired))
            ck_abort_msg("iteration %d: completion lost", i);
        sm_delayed_op_release(&t->op);
    }
    pthread_join(tid, NULL);
    pthread_barrier_destroy(&l.bar);
    ck_assert_int_eq(sm_purgatory_delayed(l.purg), 0);
    sm_purgatory_destroy(l.purg);
    ck_assert_int_eq(atomic_load(&g_destroyed), l.iters);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

START_TEST(purgatory__purge_drops_completed_watchers)
{
    sm_purgatory_t *purg = sm_purgatory_new("fetch", 10);

    reset_counters();
    for (int i = 0; i < 100; i++)
        sm_purgatory_try_complete_else_watch(purg, &top_new(1, 0)->op,
                                             key_t0, 1);
    ck_assert(wait_for(&g_expired, 100, 5000));
    /* nobody checks "t-0", so only purges free them; a purge runs once
     * more than purge_interval (10) ops completed since the last one, so
     * at most 10 completed ops stay watched */
    int64_t deadline = sm_mono_ms() + 5000;
    int watched = sm_purgatory_watched(purg);
    while ((watched > 10 || atomic_load(&g_destroyed) + watched != 100) &&
           sm_mono_ms() < deadline) {
        usleep(1000);       /* a purge drops references after unlocking */
        watched = sm_purgatory_watched(purg);
    }
    ck_assert_int_le(watched, 10);
    ck_assert_int_eq(atomic_load(&g_destroyed) + watched, 100);
    ck_assert_int_eq(sm_purgatory_check_and_complete(purg, "t-0"), 0);
    ck_assert_int_eq(sm_purgatory_watched(purg), 0);
    ck_assert_int_eq(atomic_load(&g_destroyed), 100);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

START_TEST(purgatory__shutdown_expires_pending)
{
    static const char *const keys[] = { "x-0", "x-1" };
    sm_purgatory_t *purg = sm_purgatory_new("produce", 1000);

    reset_counters();
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(sm_purgatory_try_complete_else_watch(
                             purg, &top_new(60000, 0)->op, keys, 2), 0);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 20);
    ck_assert_int_eq(sm_purgatory_watched(purg), 40);
    sm_purgatory_shutdown(purg);
    ck_assert_int_eq(atomic_load(&g_expired), 20);
    ck_assert_int_eq(sm_purgatory_delayed(purg), 0);
    /* after shutdown an op that cannot complete expires at once */
    top_t *late = top_new(60000, 0);
    sm_delayed_op_keep(&late->op);
    ck_assert_int_eq(sm_purgatory_try_complete_else_watch(purg, &late->op,
                                                          keys, 1), 1);
    ck_assert_int_eq(atomic_load(&late->expired), 1);
    sm_delayed_op_release(&late->op);
    sm_purgatory_destroy(purg);
    ck_assert_int_eq(atomic_load(&g_completed), 21);
    ck_assert_int_eq(atomic_load(&g_destroyed), 21);
    ck_assert_int_eq(atomic_load(&g_violations), 0);
}
END_TEST

Suite *
sm_test_suite_purgatory(void)
{
    Suite *s = suite_create("purgatory");
    TCase *tc = tcase_create("purgatory");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, purgatory__complete_by_check);
    tcase_add_test(tc, purgatory__complete_at_once);
    tcase_add_test(tc, purgatory__expiry);
    tcase_add_test(tc, purgatory__multiple_keys_and_reentry);
    tcase_add_test(tc, purgatory__force_complete);
    tcase_add_test(tc, purgatory__exactly_once_under_races);
    tcase_add_test(tc, purgatory__completion_racing_with_watch_is_not_lost);
    tcase_add_test(tc, purgatory__purge_drops_completed_watchers);
    tcase_add_test(tc, purgatory__shutdown_expires_pending);
    suite_add_tcase(s, tc);
    return s;
}
