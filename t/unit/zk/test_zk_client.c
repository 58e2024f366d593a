/*
 * test_zk_client.c: the ZooKeeper client (src/zk/zk_client.c) against a
 * real ZooKeeper (see zkt.h).  Each test uses its own chroot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "sm_test.h"
#include "zk/zk_client.h"
#include "zkt.h"

START_TEST(zk_client__connect_creates_chroot)
{
    char base[256], chroot[300], full[400];
    sm_zk_t *zk, *root;
    sm_zk_stat_t st;

    snprintf(base, sizeof(base), "%s", zkt_chroot("chroot"));
    snprintf(chroot, sizeof(chroot), "%s/deep/er", base);
    zk = zkt_connect(chroot);
    ck_assert(sm_zk_is_connected(zk));
    ck_assert_int_ne(sm_zk_session_id(zk), 0);
    ck_assert_int_eq(sm_zk_generation(zk), 1);
    ck_assert_int_eq(sm_zk_create(zk, "/a", "x", 1, SM_ZK_PERSISTENT, NULL,
                                  NULL), SM_OK);
    /* seen from outside the chroot */
    root = zkt_connect(NULL);
    snprintf(full, sizeof(full), "%s/a", chroot);
    ck_assert_int_eq(sm_zk_exists(root, full, 0, &st), SM_OK);
    ck_assert_int_eq(st.data_length, 1);
    ck_assert_int_eq(sm_zk_delete_recursive(root, base), SM_OK);
    ck_assert_int_eq(sm_zk_exists(root, base, 0, NULL), SM_ERR__NOENT);
    sm_zk_destroy(root);
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(zk_client__create_get_set_delete)
{
    sm_zk_t *zk = zkt_connect(zkt_chroot("crud"));
    sm_zk_stat_t st;
    char *data, *created;
    int len;

    ck_assert_int_eq(sm_zk_create(zk, "/n", "hello", 5, SM_ZK_PERSISTENT,
                                  &created, &st), SM_OK);
    ck_assert_str_eq(created, "/n");      /* chroot stripped */
    sm_free(created);
    ck_assert_int_eq(st.version, 0);
    ck_assert_int_eq(sm_zk_create(zk, "/n", "x", 1, SM_ZK_PERSISTENT, NULL,
                                  NULL), SM_ERR__EXISTS);
    ck_assert_int_eq(sm_zk_get(zk, "/n", 0, &data, &len, &st), SM_OK);
    ck_assert_int_eq(len, 5);
    ck_assert_str_eq(data, "hello");      /* NUL-terminated copy */
    ck_assert_int_eq(st.ephemeral_owner, 0);
    sm_free(data);
    ck_assert_int_eq(sm_zk_set(zk, "/n", "bye", 3, SM_ZK_ANY_VERSION, &st),
                     SM_OK);
    ck_assert_int_eq(st.version, 1);
    ck_assert_int_eq(sm_zk_get(zk, "/n", 0, &data, &len, NULL), SM_OK);
    ck_assert_str_eq(data, "bye");
    sm_free(data);
    /* a znode without data reads as NULL / -1 (Kafka's null) */
    ck_assert_int_eq(sm_zk_create(zk, "/n/empty", NULL, -1,
                                  SM_ZK_PERSISTENT, NULL, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_get(zk, "/n/empty", 0, &data, &len, NULL), SM_OK);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(len, -1);
    ck_assert_int_eq(sm_zk_delete(zk, "/n", SM_ZK_ANY_VERSION),
                     SM_ERR__STATE);              /* not empty */
    ck_assert_int_eq(sm_zk_delete(zk, "/n/empty", SM_ZK_ANY_VERSION), SM_OK);
    ck_assert_int_eq(sm_zk_delete(zk, "/n", SM_ZK_ANY_VERSION), SM_OK);
    ck_assert_int_eq(sm_zk_get(zk, "/n", 0, &data, &len, NULL),
                     SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_set(zk, "/n", "x", 1, 0, NULL), SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_delete(zk, "/n", 0), SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_exists(zk, "/n", 0, NULL), SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_create(zk, "/no/parent", NULL, -1,
                                  SM_ZK_PERSISTENT, NULL, NULL),
                     SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_get(zk, "bad-path", 0, NULL, NULL, NULL),
                     SM_ERR__INVALID_ARG);
    ck_assert_int_eq(sm_zk_create(zk, "/trailing/", NULL, -1,
                                  SM_ZK_PERSISTENT, NULL, NULL),
                     SM_ERR__INVALID_ARG);
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(zk_client__conditional_ops_stale_version)
{
    sm_zk_t *zk = zkt_connect(zkt_chroot("cond"));
    sm_zk_stat_t st;

    ck_assert_int_eq(sm_zk_create(zk, "/v", "0", 1, SM_ZK_PERSISTENT, NULL,
                                  NULL), SM_OK);
    ck_assert_int_eq(sm_zk_set(zk, "/v", "1", 1, 0, &st), SM_OK);
    ck_assert_int_eq(st.version, 1);
    /* a writer still holding version 0 loses */
    ck_assert_int_eq(sm_zk_set(zk, "/v", "x", 1, 0, NULL),
                     SM_ERR__BAD_VERSION);
    ck_assert_int_eq(sm_zk_delete(zk, "/v", 0), SM_ERR__BAD_VERSION);
    ck_assert_int_eq(sm_zk_set(zk, "/v", "2", 1, 1, &st), SM_OK);
    ck_assert_int_eq(st.version, 2);
    ck_assert_int_eq(sm_zk_delete(zk, "/v", 2), SM_OK);
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(zk_client__sequential_children_sorted)
{
    sm_zk_t *zk = zkt_connect(zkt_chroot("seq"));
    sm_zk_strings_t kids;
    char *created;

    ck_assert_int_eq(sm_zk_create(zk, "/q", NULL, -1, SM_ZK_PERSISTENT,
                                  NULL, NULL), SM_OK);
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(sm_zk_create(zk, "/q/item_", "d", 1,
                                      SM_ZK_PERSISTENT_SEQUENTIAL, &created,
                                      NULL), SM_OK);
        ck_assert_int_eq(strlen(created), strlen("/q/item_") + 10);
        ck_assert(strncmp(created, "/q/item_000000000", 17) == 0 || i >= 10);
        sm_free(created);
    }
    ck_assert_int_eq(sm_zk_get_children(zk, "/q", 0, &kids), SM_OK);
    ck_assert_int_eq(kids.cnt, 12);
    ck_assert_str_eq(kids.v[0], "item_0000000000");
    ck_assert_str_eq(kids.v[11], "item_0000000011");
    for (int i = 1; i < kids.cnt; i++)
        ck_assert(strcmp(kids.v[i - 1], kids.v[i]) < 0);
    sm_zk_strings_fini(&kids);
    ck_assert_int_eq(sm_zk_get_children(zk, "/none", 0, &kids),
                     SM_ERR__NOENT);
    ck_assert_int_eq(kids.cnt, 0);
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(zk_client__ephemeral_gone_after_close)
{
    const char *chroot = zkt_chroot("eph");
    sm_zk_t *a = zkt_connect(chroot), *b = zkt_connect(chroot);
    sm_zk_stat_t st;

    ck_assert_int_eq(sm_zk_create(a, "/e", "x", 1, SM_ZK_EPHEMERAL, NULL,
                                  NULL), SM_OK);
    ck_assert_int_eq(sm_zk_exists(b, "/e", 1, &st), SM_OK);
    ck_assert_int_eq(st.ephemeral_owner, sm_zk_session_id(a));
    ck_assert_int_eq(sm_zk_create(a, "/e/child", NULL, -1, SM_ZK_PERSISTENT,
                                  NULL, NULL), SM_ERR__INVALID_ARG);
    sm_zk_destroy(a);           /* closes the session: gone at once */
    sm_zk_event_destroy(zkt_wait_event(b, SM_ZK_EV_NODE_DELETED, "/e",
                                       10000));
    ck_assert_int_eq(sm_zk_exists(b, "/e", 0, NULL), SM_ERR__NOENT);
    sm_zk_destroy(b);
}
END_TEST

static int notify_count;

static void
count_notify(void *arg)
{
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
}

START_TEST(zk_client__watches_fire_into_queue)
{
    const char *chroot = zkt_chroot("watch");
    sm_zk_t *zk = zkt_connect(chroot), *other = zkt_connect(chroot);
    sm_zk_strings_t kids;
    sm_zk_event_t *ev;

    sm_zk_set_notify(zk, count_notify, &notify_count);
    ck_assert_ptr_null(sm_zk_event_poll(zk, 0));
    /* exists watch on a missing node sees its creation */
    ck_assert_int_eq(sm_zk_exists(zk, "/w", 1, NULL), SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_create(other, "/w", "0", 1, SM_ZK_PERSISTENT,
                                  NULL, NULL), SM_OK);
    ev = zkt_wait_event(zk, SM_ZK_EV_NODE_CREATED, "/w", 10000);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(ev->generation, 1);
    sm_zk_event_destroy(ev);
    /* data watch: fires once per arming */
    ck_assert_int_eq(sm_zk_get(zk, "/w", 1, NULL, NULL, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_set(other, "/w", "1", 1, -1, NULL), SM_OK);
    ev = zkt_wait_event(zk, SM_ZK_EV_NODE_DATA_CHANGED, "/w", 10000);
    ck_assert_ptr_nonnull(ev);
    ck_assert_str_eq(sm_zk_ev_name(ev->type), "NODE_DATA_CHANGED");
    sm_zk_event_destroy(ev);
    ck_assert_int_eq(sm_zk_set(other, "/w", "2", 1, -1, NULL), SM_OK);
    ck_assert_ptr_null(zkt_wait_event(zk, SM_ZK_EV_NODE_DATA_CHANGED, NULL,
                                      500));       /* not re-armed */
    /* child watch */
    ck_assert_int_eq(sm_zk_get_children(zk, "/w", 1, &kids), SM_OK);
    ck_assert_int_eq(sm_zk_create(other, "/w/c", NULL, -1, SM_ZK_PERSISTENT,
                                  NULL, NULL), SM_OK);
    ev = zkt_wait_event(zk, SM_ZK_EV_NODE_CHILDREN_CHANGED, "/w", 10000);
    ck_assert_ptr_nonnull(ev);
    sm_zk_event_destroy(ev);
    /* deletion through a data watch */
    ck_assert_int_eq(sm_zk_get(zk, "/w/c", 1, NULL, NULL, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_delete(other, "/w/c", -1), SM_OK);
    ev = zkt_wait_event(zk, SM_ZK_EV_NODE_DELETED, "/w/c", 10000);
    ck_assert_ptr_nonnull(ev);
    sm_zk_event_destroy(ev);
    /* the hook runs just after the event is queued: allow it a moment */
    for (int i = 0; i < 200 &&
         __atomic_load_n(&notify_count, __ATOMIC_SEQ_CST) < 4; i++)
        usleep(10000);
    ck_assert_int_ge(__atomic_load_n(&notify_count, __ATOMIC_SEQ_CST), 4);
    sm_zk_destroy(other);
    sm_zk_destroy(zk);          /* frees anything left queued */
}
END_TEST

START_TEST(zk_client__multi_is_atomic)
{
    sm_zk_t *zk = zkt_connect(zkt_chroot("multi"));
    sm_zk_op_t ops[4];

    ck_assert_int_eq(sm_zk_create(zk, "/c", "0", 1, SM_ZK_PERSISTENT, NULL,
                                  NULL), SM_OK);
    sm_zk_op_create(&ops[0], "/a", "a", 1, SM_ZK_PERSISTENT);
    sm_zk_op_create(&ops[1], "/s_", NULL, -1, SM_ZK_PERSISTENT_SEQUENTIAL);
    sm_zk_op_check(&ops[2], "/c", 5);            /* wrong version */
    sm_zk_op_set(&ops[3], "/c", "1", 1, 0);
    ck_assert_int_eq(sm_zk_multi(zk, ops, 4), SM_ERR__BAD_VERSION);
    ck_assert_int_eq(ops[2].err, SM_ERR__BAD_VERSION);
    ck_assert_int_eq(ops[0].err, SM_ERR_OPERATION_NOT_ATTEMPTED);
    ck_assert_int_eq(ops[3].err, SM_ERR_OPERATION_NOT_ATTEMPTED);
    ck_assert_ptr_null(ops[0].created);
    ck_assert_int_eq(sm_zk_exists(zk, "/a", 0, NULL), SM_ERR__NOENT);
    sm_zk_ops_fini(ops, 4);

    sm_zk_op_check(&ops[2], "/c", 0);
    ck_assert_int_eq(sm_zk_multi(zk, ops, 4), SM_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(ops[i].err, SM_OK);
    ck_assert_str_eq(ops[0].created, "/a");
    /* the sequence is the parent's cversion: creates of /c and /a */
    ck_assert_str_eq(ops[1].created, "/s_0000000002");
    ck_assert_int_eq(ops[3].stat.version, 1);
    sm_zk_ops_fini(ops, 4);
    ck_assert_ptr_null(ops[0].created);

    sm_zk_op_delete(&ops[0], "/a", SM_ZK_ANY_VERSION);
    sm_zk_op_create(&ops[1], "/c", NULL, -1, SM_ZK_PERSISTENT);
    ck_assert_int_eq(sm_zk_multi(zk, ops, 2), SM_ERR__EXISTS);
    ck_assert_int_eq(sm_zk_exists(zk, "/a", 0, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_multi(zk, ops, 0), SM_ERR__INVALID_ARG);
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(zk_client__recursive_helpers)
{
    sm_zk_t *zk = zkt_connect(zkt_chroot("rec"));
    char *data;
    int len;

    ck_assert_int_eq(sm_zk_create_parents(zk, "/a/b/c/d", "x", 1), SM_OK);
    ck_assert_int_eq(sm_zk_get(zk, "/a/b/c/d", 0, &data, &len, NULL), SM_OK);
    ck_assert_str_eq(data, "x");
    sm_free(data);
    ck_assert_int_eq(sm_zk_get(zk, "/a/b", 0, &data, &len, NULL), SM_OK);
    ck_assert_ptr_null(data);                     /* parents: no data */
    ck_assert_int_eq(sm_zk_create_parents(zk, "/a/b/c/d", "y", 1),
                     SM_ERR__EXISTS);
    ck_assert_int_eq(sm_zk_ensure_path(zk, "/a/b/c/d"), SM_OK);
    ck_assert_int_eq(sm_zk_ensure_path(zk, "/a/e/f"), SM_OK);
    for (int i = 0; i < 5; i++) {
        char p[32];
        snprintf(p, sizeof(p), "/a/b/c/k%d", i);
        ck_assert_int_eq(sm_zk_create(zk, p, NULL, -1, SM_ZK_PERSISTENT,
                                      NULL, NULL), SM_OK);
    }
    ck_assert_int_eq(sm_zk_delete_recursive(zk, "/a"), SM_OK);
    ck_assert_int_eq(sm_zk_exists(zk, "/a", 0, NULL), SM_ERR__NOENT);
    ck_assert_int_eq(sm_zk_delete_recursive(zk, "/a"), SM_ERR__NOENT);
    sm_zk_destroy(zk);
}
END_TEST

static int session_handler_runs;
static sm_err_t session_handler_err = SM_ERR__STATE;

/* What the broker does after an expiry: re-create its ephemeral znode. */
static void
reregister(sm_zk_t *zk, void *arg)
{
    session_handler_err = sm_zk_create(zk, (const char *)arg, "me", 2,
                                       SM_ZK_EPHEMERAL, NULL, NULL);
    __atomic_add_fetch(&session_handler_runs, 1, __ATOMIC_SEQ_CST);
}

START_TEST(zk_client__session_expiry_survived)
{
    sm_zk_t *zk = zkt_connect(zkt_chroot("expiry"));
    int64_t sid1, t0;
    sm_zk_event_t *ev;
    sm_zk_stat_t st;

    ck_assert_int_eq(sm_zk_on_session(zk, reregister, (void *)"/eph"), SM_OK);
    ck_assert_int_eq(sm_zk_create(zk, "/eph", "me", 2, SM_ZK_EPHEMERAL,
                                  NULL, NULL), SM_OK);
    ck_assert_int_eq(sm_zk_exists(zk, "/watched", 1, NULL), SM_ERR__NOENT);
    sid1 = sm_zk_session_id(zk);
    t0 = sm_mono_ms();
    ck_assert_int_eq(sm_zk_expire_session_for_test(zk), SM_OK);
    ev = zkt_wait_event(zk, SM_ZK_EV_SESSION_EXPIRED, NULL, 20000);
    ck_assert_msg(ev != NULL, "no SESSION_EXPIRED");
    ck_assert_int_eq(ev->generation, 1);
    sm_zk_event_destroy(ev);
    ev = zkt_wait_event(zk, SM_ZK_EV_SESSION_ESTABLISHED, NULL, 20000);
    ck_assert_msg(ev != NULL, "no SESSION_ESTABLISHED");
    ck_assert_int_eq(ev->generation, 2);
    sm_zk_event_destroy(ev);
    fprintf(stderr, "# session expiry survived in %lld ms\n",
            (long long)(sm_mono_ms() - t0));
    /* the handler ran before the event, on the new session */
    ck_assert_int_eq(__atomic_load_n(&session_handler_runs,
                                     __ATOMIC_SEQ_CST), 1);
    ck_assert_int_eq(session_handler_err, SM_OK);
    ck_assert_int_eq(sm_zk_generation(zk), 2);
    ck_assert(sm_zk_is_connected(zk));
    ck_assert_int_ne(sm_zk_session_id(zk), sid1);
    ck_assert_int_eq(sm_zk_exists(zk, "/eph", 0, &st), SM_OK);
    ck_assert_int_eq(st.ephemeral_owner, sm_zk_session_id(zk));
    /* the old session's watches are gone: no stale event arrives */
    ck_assert_int_eq(sm_zk_create(zk, "/watched", NULL, -1,
                                  SM_ZK_PERSISTENT, NULL, NULL), SM_OK);
    ck_assert_ptr_null(zkt_wait_event(zk, SM_ZK_EV_NODE_CREATED, NULL, 500));
    sm_zk_destroy(zk);
}
END_TEST

START_TEST(zk_client__down_at_start_fails_bounded)
{
    sm_zk_conf_t conf = { .session_timeout_ms = 4000,
                          .connection_timeout_ms = 1500 };
    char errstr[512], connect[64];
    sm_zk_t *zk = NULL;
    int64_t t0;
    sm_err_t err;

    /* a loopback port nobody listens on: 1 is privileged and unused */
    snprintf(connect, sizeof(connect), "127.0.0.1:1/kafka");
    conf.connect = connect;
    t0 = sm_mono_ms();
    err = sm_zk_new(&conf, &zk, errstr, sizeof(errstr));
    t0 = sm_mono_ms() - t0;
    ck_assert_int_eq(err, SM_ERR__ZK_UNAVAILABLE);
    ck_assert_ptr_null(zk);
    ck_assert_msg(strstr(errstr, "Timed out waiting for connection while in "
                         "state: CONNECTING") != NULL, "%s", errstr);
    ck_assert_msg(strstr(errstr, "127.0.0.1:1/kafka") != NULL, "%s",
                  errstr);
    ck_assert_msg(t0 >= 1400 && t0 < zkt_ms(6000), "took %lld ms",
                  (long long)t0);
    fprintf(stderr, "# down at start: failed after %lld ms: %s\n",
            (long long)t0, errstr);
    conf.connect = "";
    ck_assert_int_eq(sm_zk_new(&conf, &zk, errstr, sizeof(errstr)),
                     SM_ERR__CONFIG);
    conf.connect = "127.0.0.1:2181/bad/";
    ck_assert_int_eq(sm_zk_new(&conf, &zk, errstr, sizeof(errstr)),
                     SM_ERR__CONFIG);
    ck_assert_ptr_nonnull(strstr(errstr, "127.0.0.1:2181/bad/"));
}
END_TEST

/* Start (or restart) a ZooKeeper of this test's own in dir; its port. */
static int
own_zk(const char *verb, const char *dir, int port)
{
    const char *srcdir = getenv("srcdir");
    char cmd[4096], out[32] = "", pid[32];
    FILE *f;
    int rc;

    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    setenv("SAMSA_ZK_OWNER_PID", pid, 1);
    snprintf(cmd, sizeof(cmd), "exec '%s/t/lib/zk.sh' %s '%s' %s",
             srcdir ? srcdir : ".", verb, dir,
             port > 0 && strcmp(verb, "start") == 0
                 ? (snprintf(out, sizeof(out), "%d", port), out) : "");
    f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    if (fgets(out, sizeof(out), f) == NULL)
        out[0] = '\0';
    rc = pclose(f);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "zk.sh %s failed",
                  verb);
    return atoi(out);
}

START_TEST(zk_client__server_down_ops_bounded_then_recover)
{
    char *tmp = sm_test_tmpdir(), dir[4096], connect[64], *data;
    sm_zk_event_t *ev;
    sm_zk_t *zk;
    int port, len;
    int64_t t0;
    sm_err_t err = SM_ERR__STATE;

    snprintf(dir, sizeof(dir), "%s/zk", tmp);
    port = own_zk("start", dir, 0);
    ck_assert_int_gt(port, 0);
    snprintf(connect, sizeof(connect), "127.0.0.1:%d/down", port);
    zk = zkt_connect_conf(connect, 6000, zkt_ms(10000), 2000);
    ck_assert_int_eq(sm_zk_create(zk, "/x", "v", 1, SM_ZK_PERSISTENT, NULL,
                                  NULL), SM_OK);
    own_zk("stop", dir, 0);
    ev = zkt_wait_event(zk, SM_ZK_EV_DISCONNECTED, NULL, 10000);
    ck_assert_msg(ev != NULL, "no DISCONNECTED event");
    sm_zk_event_destroy(ev);
    ck_assert(!sm_zk_is_connected(zk));
    t0 = sm_mono_ms();
    ck_assert_int_eq(sm_zk_get(zk, "/x", 0, NULL, NULL, NULL),
                     SM_ERR__ZK_UNAVAILABLE);
    t0 = sm_mono_ms() - t0;
    ck_assert_msg(t0 >= 1900 && t0 < 4000, "op took %lld ms", (long long)t0);
    fprintf(stderr, "# server down: op failed after %lld ms\n",
            (long long)t0);
    /* back on the same port with the same data */
    ck_assert_int_eq(own_zk("start", dir, port), port);
    t0 = sm_mono_ms();
    for (int i = 0; i < 20 && err != SM_OK; i++)
        err = sm_zk_get(zk, "/x", 0, &data, &len, NULL);
    ck_assert_int_eq(err, SM_OK);
    ck_assert_str_eq(data, "v");
    sm_free(data);
    fprintf(stderr, "# server back: ops work again after %lld ms\n",
            (long long)(sm_mono_ms() - t0));
    sm_zk_destroy(zk);
    own_zk("stop", dir, 0);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

Suite *
sm_test_suite_zk_client(void)
{
    Suite *s = suite_create("zk_client");
    TCase *tc = tcase_create("zk_client");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, zk_client__connect_creates_chroot);
    tcase_add_test(tc, zk_client__create_get_set_delete);
    tcase_add_test(tc, zk_client__conditional_ops_stale_version);
    tcase_add_test(tc, zk_client__sequential_children_sorted);
    tcase_add_test(tc, zk_client__ephemeral_gone_after_close);
    tcase_add_test(tc, zk_client__watches_fire_into_queue);
    tcase_add_test(tc, zk_client__multi_is_atomic);
    tcase_add_test(tc, zk_client__recursive_helpers);
    tcase_add_test(tc, zk_client__session_expiry_survived);
    tcase_add_test(tc, zk_client__down_at_start_fails_bounded);
    tcase_add_test(tc, zk_client__server_down_ops_bounded_then_recover);
    suite_add_tcase(s, tc);
    return s;
}
