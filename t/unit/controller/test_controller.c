/*
 * test_controller.c: the controller's lifecycle and event manager
 * (src/controller/controller.c): start/stop, external calls in order on
 * the controller thread, preemption at stop, prefix watch routing, and a
 * StopReplica completion that arrives after the controller is gone.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "controller/controller_int.h"
#include "ctlt.h"
#include "sm_test.h"
#include "zk/zkt.h"

typedef struct calls {
    pthread_mutex_t lock;
    int order[8];
    sm_err_t errs[8];
    int n;
    pthread_t thread;
    int sleep_ms;
    int started;                /* tag 0 has begun (before its sleep) */
} calls_t;

typedef struct call_arg {
    calls_t *calls;
    int tag;
} call_arg_t;

static void
record_call(sm_controller_t *ctl, void *arg, sm_err_t err)
{
    call_arg_t *a = arg;
    calls_t *c = a->calls;

    (void)ctl;
    if (a->tag == 0) {
        pthread_mutex_lock(&c->lock);
        c->started = 1;
        pthread_mutex_unlock(&c->lock);
    }
    if (err == SM_OK && c->sleep_ms > 0 && a->tag == 0)
        usleep((useconds_t)c->sleep_ms * 1000);
    pthread_mutex_lock(&c->lock);
    c->thread = pthread_self();
    c->order[c->n] = a->tag;
    c->errs[c->n] = err;
    c->n++;
    pthread_mutex_unlock(&c->lock);
}

static int
ncalls(calls_t *c)
{
    int n;

    pthread_mutex_lock(&c->lock);
    n = c->n;
    pthread_mutex_unlock(&c->lock);
    return n;
}

START_TEST(controller__lifecycle_and_calls_in_order)
{
    const char *chroot = zkt_chroot("ctl-life");
    sm_zk_t *zk = zkt_connect(chroot);
    sm_controller_t *ctl = sm_controller_new(zk, 1, -1, NULL, NULL);
    calls_t c = { .lock = PTHREAD_MUTEX_INITIALIZER };
    call_arg_t args[3] = { { &c, 0 }, { &c, 1 }, { &c, 2 } };
    int64_t deadline;

    ck_assert_int_eq(sm_controller_enqueue(ctl, record_call, &args[0]),
                     SM_ERR__STATE);                /* not started */
    ck_assert_int_eq(sm_controller_id(ctl), -1);
    ck_assert_int_eq(sm_controller_epoch(ctl), -1);
    ck_assert_int_eq(sm_controller_start(ctl), SM_OK);
    ck_assert_int_eq(sm_controller_start(ctl), SM_ERR__STATE);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(sm_controller_enqueue(ctl, record_call, &args[i]),
                         SM_OK);
    deadline = sm_mono_ms() + zkt_ms(10000);
    while (ncalls(&c) < 3 && sm_mono_ms() < deadline)
        usleep(10000);
    ck_assert_int_eq(ncalls(&c), 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(c.order[i], i);
        ck_assert_int_eq(c.errs[i], SM_OK);
    }
    ck_assert(!pthread_equal(c.thread, pthread_self()));
    ck_assert(ctlt_wait_active(ctl, 10000));        /* alone: it wins */
    ck_assert_int_eq(sm_controller_id(ctl), 1);
    ck_assert_ptr_eq(sm_controller_zk(ctl), zk);
    sm_controller_stop(ctl);
    sm_controller_stop(ctl);                        /* idempotent */
    ck_assert(!sm_controller_is_active(ctl));
    ck_assert_int_eq(sm_controller_enqueue(ctl, record_call, &args[0]),
                     SM_ERR__STATE);
    /* a stopping controller gives up /controller at once */
    ck_assert_int_eq(sm_zk_exists(zk, "/controller", 0, NULL),
                     SM_ERR__NOENT);
    sm_controller_destroy(ctl);
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(controller__stop_preempts_queued_calls)
{
    const char *chroot = zkt_chroot("ctl-preempt");
    sm_zk_t *zk = zkt_connect(chroot);
    sm_controller_t *ctl = sm_controller_new(zk, 1, -1, NULL, NULL);
    calls_t c = { .lock = PTHREAD_MUTEX_INITIALIZER, .sleep_ms = 300 };
    call_arg_t args[3] = { { &c, 0 }, { &c, 1 }, { &c, 2 } };

    ck_assert_int_eq(sm_controller_start(ctl), SM_OK);
    ck_assert(ctlt_wait_active(ctl, 10000));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(sm_controller_enqueue(ctl, record_call, &args[i]),
                         SM_OK);
    /* until the first call is sleeping (a fixed 100 ms was not enough
     * on a loaded machine) */
    for (int64_t end = sm_mono_ms() + zkt_ms(10000);
         sm_mono_ms() < end;) {
        pthread_mutex_lock(&c.lock);
        int started = c.started;
        pthread_mutex_unlock(&c.lock);
        if (started)
            break;
        usleep(1000);
    }
    sm_controller_destroy(ctl);
    ck_assert_int_eq(c.n, 3);       /* every call ran exactly once */
    ck_assert_int_eq(c.order[0], 0);
    ck_assert_int_eq(c.errs[0], SM_OK);
    ck_assert_int_eq(c.errs[1], SM_ERR__STATE);
    ck_assert_int_eq(c.errs[2], SM_ERR__STATE);
    sm_zk_destroy(zk);
}
END_TEST

/* Bug found when make check ran the integration suite beside this test:
 * calls queued while the controller thread was busy (after it had taken
 * its list) were dropped at stop without their SM_ERR__STATE callback, so
 * a caller waiting for its answer would wait forever.  Here call 0 keeps
 * the thread busy while calls 1 and 2 are queued, then the controller
 * stops: all three must be answered. */
START_TEST(controller__stop_preempts_calls_queued_while_busy)
{
    const char *chroot = zkt_chroot("ctl-busy");
    sm_zk_t *zk = zkt_connect(chroot);
    sm_controller_t *ctl = sm_controller_new(zk, 1, -1, NULL, NULL);
    calls_t c = { .lock = PTHREAD_MUTEX_INITIALIZER, .sleep_ms = 300 };
    call_arg_t args[3] = { { &c, 0 }, { &c, 1 }, { &c, 2 } };
    int64_t deadline;
    int started = 0;

    ck_assert_int_eq(sm_controller_start(ctl), SM_OK);
    ck_assert(ctlt_wait_active(ctl, 10000));
    ck_assert_int_eq(sm_controller_enqueue(ctl, record_call, &args[0]),
                     SM_OK);
    deadline = sm_mono_ms() + zkt_ms(10000);
    while (!started && sm_mono_ms() < deadline) {
        usleep(1000);
        pthread_mutex_lock(&c.lock);
        started = c.started;
        pthread_mutex_unlock(&c.lock);
    }
    ck_assert(started);
    for (int i = 1; i < 3; i++)
        ck_assert_int_eq(sm_controller_enqueue(ctl, record_call, &args[i]),
                         SM_OK);
    sm_controller_destroy(ctl);
    ck_assert_int_eq(c.n, 3);
    ck_assert_int_eq(c.order[0], 0);
    ck_assert_int_eq(c.errs[0], SM_OK);
    ck_assert_int_eq(c.errs[1], SM_ERR__STATE);
    ck_assert_int_eq(c.errs[2], SM_ERR__STATE);
    sm_zk_destroy(zk);
}
END_TEST

typedef struct seen {
    pthread_mutex_t lock;
    char paths[16][64];
    sm_zk_ev_type_t types[16];
    int n;
} seen_t;

static void
record_watch(sm_controller_t *ctl, sm_zk_t *zk, sm_zk_ev_type_t type,
             const char *path, void *arg)
{
    seen_t *s = arg;

    (void)ctl;
    (void)zk;
    pthread_mutex_lock(&s->lock);
    if (s->n < 16) {
        snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s",
                 path ? path : "(session)");
        s->types[s->n++] = type;
    }
    pthread_mutex_unlock(&s->lock);
}

static int
seen_has(seen_t *s, sm_zk_ev_type_t type, const char *path)
{
    int found = 0;

    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n && !found; i++)
        found = s->types[i] == type && strcmp(s->paths[i], path) == 0;
    pthread_mutex_unlock(&s->lock);
    return found;
}

static int
wait_seen(seen_t *s, sm_zk_ev_type_t type, const char *path, int ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(ms);

    while (!seen_has(s, type, path)) {
        if (sm_mono_ms() > deadline)
            return 0;
        usleep(10000);
    }
    return 1;
}

START_TEST(controller__watch_prefix_routes_events)
{
    const char *chroot = zkt_chroot("ctl-watch");
    sm_zk_t *zk = ctlt_admin(chroot), *other = ctlt_admin(chroot);
    sm_controller_t *ctl = sm_controller_new(zk, 1, -1, NULL, NULL);
    seen_t s = { .lock = PTHREAD_MUTEX_INITIALIZER };
    sm_zk_strings_t kids;

    ck_assert_int_eq(sm_controller_watch_prefix(ctl, "/config/changes",
                                                record_watch, &s), SM_OK);
    ck_assert_int_eq(sm_controller_start(ctl), SM_OK);
    ck_assert(ctlt_wait_active(ctl, 10000));
    /* the module arms its watches from its own thread */
    ck_assert_int_eq(sm_zk_get_children(zk, "/config/changes", 1, &kids),
                     SM_OK);
    sm_zk_strings_fini(&kids);
    ck_assert_int_eq(sm_zk_create(zk, "/config/changesX", NULL, -1,
                                  SM_ZK_PERSISTENT, NULL, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_exists(zk, "/config/changesX", 1, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_create_config_change(other, SM_ZK_ENTITY_TOPICS,
                                                 "t"), SM_OK);
    ck_assert_int_eq(sm_zk_delete(other, "/config/changesX",
                                  SM_ZK_ANY_VERSION), SM_OK);
    ck_assert(wait_seen(&s, SM_ZK_EV_NODE_CHILDREN_CHANGED,
                        "/config/changes", 10000));
    usleep(200000);
    ck_assert(!seen_has(&s, SM_ZK_EV_NODE_DELETED, "/config/changesX"));
    /* session events reach handlers so they can re-arm */
    ck_assert_int_eq(sm_zk_expire_session_for_test(zk), SM_OK);
    ck_assert(wait_seen(&s, SM_ZK_EV_SESSION_EXPIRED, "(session)", 20000));
    ck_assert(wait_seen(&s, SM_ZK_EV_SESSION_ESTABLISHED, "(session)",
                        20000));
    /* ... and the controller, alone, is elected again */
    ck_assert(ctlt_wait_active(ctl, 20000));
    ck_assert_int_eq(sm_controller_epoch(ctl), 2);
    sm_controller_destroy(ctl);
    sm_zk_destroy(other);
    sm_zk_destroy(zk);
}
END_TEST

/*
 * An event whose handler finds ZooKeeper unreachable is retried after the
 * back-off, without a resignation: a broker dies, ZooKeeper goes down
 * before the controller thread looks, comes back within the session
 * timeout, and the controller then writes the partition offline under the
 * same epoch.  (A ZooKeeper of the test's own, so the others are not
 * disturbed.)
 */
START_TEST(controller__retries_event_after_zookeeper_outage)
{
    static const int32_t repl[] = { 1 };
    char *tmp = sm_test_tmpdir(), dir[4096], connect[128];
    sm_controller_opts_t opts;
    sm_zk_part_state_t s;
    sm_zk_t *admin, *zk;
    sm_controller_t *ctl;
    ctlt_broker_t *b1;
    ctlt_hold_t *hold;
    int port;
    int32_t epoch;

    snprintf(dir, sizeof(dir), "%s/zk", tmp);
    port = ctlt_own_zk("start", dir, 0);
    ck_assert_int_gt(port, 0);
    snprintf(connect, sizeof(connect), "127.0.0.1:%d/outage", port);
    admin = zkt_connect_conf(connect, 30000, zkt_ms(10000), zkt_ms(20000));
    ck_assert_int_eq(sm_zk_create_top_level_paths(admin), SM_OK);
    b1 = sm_calloc(1, sizeof(*b1));
    {
        sm_zk_broker_t reg = { .version = 4, .jmx_port = -1 };
        sm_zk_broker_add_endpoint(&reg, "PLAINTEXT", "PLAINTEXT", "h1", 1);
        b1->id = 1;
        b1->zk = zkt_connect_conf(connect, 30000, zkt_ms(10000),
                                  zkt_ms(20000));
        ck_assert_int_eq(sm_zk_register_broker(b1->zk, 1, &reg, &b1->epoch),
                         SM_OK);
        sm_zk_broker_fini(&reg);
    }
    sm_controller_opts_init(&opts);
    opts.retry_backoff_ms = 200;
    zk = zkt_connect_conf(connect, 30000, zkt_ms(10000), 1000);
    ctl = sm_controller_new(zk, 100, -1, NULL, &opts);
    ck_assert_int_eq(sm_controller_start(ctl), SM_OK);
    ck_assert(ctlt_wait_active(ctl, 10000));
    epoch = sm_controller_epoch(ctl);
    ctlt_create_topic(admin, "t", 1, 1, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);

    hold = ctlt_hold(ctl);
    ctlt_broker_down(b1);           /* BrokerChange is queued */
    ck_assert(ctlt_wait_gone(admin, "/brokers/ids/1", 5000));
    ctlt_own_zk("stop", dir, 0);
    ctlt_release(hold);             /* ... and fails: ZooKeeper is down */
    usleep(2500000);
    ck_assert_int_eq(ctlt_own_zk("start", dir, port), port);
    fprintf(stderr, "# restarted ZooKeeper in %s\n", dir);
    /* a client whose reconnect attempt raced the restart can wait out
     * the C client's connect timeout (2/3 of the 30 s session) */
    ck_assert(ctlt_wait_leader(admin, "t", 0, -1, 1, &s, 45000));
    ck_assert_int_eq(s.controller_epoch, epoch);
    sm_zk_part_state_fini(&s);
    ck_assert(sm_controller_is_active(ctl));
    ck_assert_int_eq(sm_controller_epoch(ctl), epoch);

    sm_controller_destroy(ctl);
    sm_zk_destroy(zk);
    sm_zk_destroy(admin);
    ctlt_own_zk("stop", dir, 0);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(controller__completion_after_destroy_is_harmless)
{
    sm_controller_t *ctl = sm_controller_new(NULL, 1, -1, NULL, NULL);
    sm_ctl_ev_t *ev = sm_ctl_ev_new(SM_CTL_EV_STOP_REPLICA_DONE);

    /* what controller_batch.c hands to the channel */
    ev->topic = sm_strdup("t");
    ev->q = ctl->q;
    sm_ctl_queue_keep(ctl->q);
    sm_controller_destroy(ctl);
    /* the queue outlives the controller until this reference is gone;
     * LeakSanitizer checks that the event and the queue are freed */
    sm_ctl_stop_replica_completion(ev, SM_OK);
}
END_TEST

Suite *
sm_test_suite_controller(void)
{
    Suite *s = suite_create("controller");
    TCase *tc = tcase_create("controller");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, controller__lifecycle_and_calls_in_order);
    tcase_add_test(tc, controller__stop_preempts_queued_calls);
    tcase_add_test(tc, controller__stop_preempts_calls_queued_while_busy);
    tcase_add_test(tc, controller__watch_prefix_routes_events);
    tcase_add_test(tc, controller__retries_event_after_zookeeper_outage);
    tcase_add_test(tc, controller__completion_after_destroy_is_harmless);
    suite_add_tcase(s, tc);
    return s;
}
