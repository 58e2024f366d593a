/*
 * zkt.c: the helpers of zkt.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sm_time.h"
#include "sm_test.h"
#include "zkt.h"

static char *zkt_dir;

int
zkt_ms(int ms)
{
    const char *m = getenv("SAMSA_TEST_TIMEOUT_MULT");
    int mult = m ? atoi(m) : 1;
    return ms * (mult > 0 ? mult : 1);
}

int
zkt_start(void)
{
    const char *ext = getenv("SAMSA_TEST_ZK_CONNECT");
    const char *srcdir = getenv("srcdir");
    char cmd[4096], port[32] = "", pid[32], hosts[64];
    FILE *f;
    int rc;

    if (ext != NULL) {
        setenv("SAMSA_TEST_ZK", ext, 1);
        return 0;
    }
    /* not sm_test_tmpdir(): that asserts, and we are outside any test */
    if (asprintf(&zkt_dir, "%s/samsa-zk-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") < 0 ||
        mkdtemp(zkt_dir) == NULL)
        return 1;
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    setenv("SAMSA_ZK_OWNER_PID", pid, 1);
    snprintf(cmd, sizeof(cmd), "exec '%s/t/lib/zk.sh' start '%s/zk'",
             srcdir ? srcdir : ".", zkt_dir);
    f = popen(cmd, "r");
    if (f == NULL)
        return 1;
    if (fgets(port, sizeof(port), f) == NULL)
        port[0] = '\0';
    rc = pclose(f);
    rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
    if (rc != 0 || atoi(port) <= 0) {
        zkt_stop();             /* a half-started server, the temp dir */
        return rc == 77 ? 77 : 1;
    }
    snprintf(hosts, sizeof(hosts), "127.0.0.1:%d", atoi(port));
    setenv("SAMSA_TEST_ZK", hosts, 1);
    setenv("SAMSA_TEST_ZK_DIR", zkt_dir, 1);
    return 0;
}

void
zkt_stop(void)
{
    const char *srcdir = getenv("srcdir");
    char cmd[4096];

    if (zkt_dir == NULL)
        return;
    snprintf(cmd, sizeof(cmd), "'%s/t/lib/zk.sh' stop '%s/zk'",
             srcdir ? srcdir : ".", zkt_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "# zk.sh stop failed\n");
    sm_test_rmtree(zkt_dir);
    free(zkt_dir);
    zkt_dir = NULL;
}

const char *
zkt_hosts(void)
{
    const char *h = getenv("SAMSA_TEST_ZK");
    ck_assert_msg(h != NULL, "no ZooKeeper for this test");
    return h;
}

const char *
zkt_chroot(const char *tag)
{
    static char buf[256];
    static int n;

    snprintf(buf, sizeof(buf), "/samsa-test/%s-%d-%d", tag, (int)getpid(),
             ++n);
    return buf;
}

sm_zk_t *
zkt_connect_conf(const char *connect, int session_ms, int conn_ms, int op_ms)
{
    sm_zk_conf_t conf = {
        .connect = connect,
        .session_timeout_ms = session_ms,
        .connection_timeout_ms = conn_ms,
        .op_timeout_ms = op_ms,
    };
    char errstr[512] = "";
    sm_zk_t *zk = NULL;
    sm_err_t err;

    err = sm_zk_new(&conf, &zk, errstr, sizeof(errstr));
    ck_assert_msg(err == SM_OK, "connect %s: %s: %s", connect,
                  sm_err_name(err), errstr);
    return zk;
}

sm_zk_t *
zkt_connect(const char *chroot)
{
    char connect[512];

    snprintf(connect, sizeof(connect), "%s%s", zkt_hosts(),
             chroot ? chroot : "");
    return zkt_connect_conf(connect, 4000, zkt_ms(10000), zkt_ms(10000));
}

sm_zk_event_t *
zkt_wait_event(sm_zk_t *zk, sm_zk_ev_type_t type, const char *path,
               int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(timeout_ms);
    sm_zk_event_t *ev;

    for (;;) {
        int64_t left = deadline - sm_mono_ms();
        if (left <= 0)
            return NULL;
        ev = sm_zk_event_poll(zk, (int)left);
        if (ev == NULL)
            return NULL;
        if (ev->type == type &&
            (path == NULL || (ev->path && strcmp(ev->path, path) == 0)))
            return ev;
        sm_zk_event_destroy(ev);
    }
}

int
zkt_json_eq(const char *actual, const char *expected)
{
    json_t *a = json_loads(actual ? actual : "", JSON_DECODE_ANY, NULL);
    json_t *e = json_loads(expected, JSON_DECODE_ANY, NULL);
    int eq = a != NULL && e != NULL && json_equal(a, e);

    if (!eq)
        fprintf(stderr, "# JSON differs:\n#   actual:   %s\n#   expected: "
                "%s\n", actual ? actual : "(null)", expected);
    json_decref(a);
    json_decref(e);
    return eq;
}
