/*
 * zkq.c: ZooKeeper queries for the shell tests (t/tools/test_topics.sh),
 * through samsa's own client (src/zk), so the tests need neither
 * zkCli.sh's JVM start-up per call nor a Python ZooKeeper library.
 *
 *   zkq CONNECT get PATH            the znode's data (exit 1 if missing)
 *   zkq CONNECT children PATH       child names, one a line, sorted
 *   zkq CONNECT exists PATH         exit 0 if it exists, 1 if not
 *   zkq CONNECT set PATH DATA       write DATA to PATH, creating it and
 *                                   its parents if missing
 *   zkq CONNECT wait PATH MS        wait until PATH exists (exit 1: timeout)
 *   zkq CONNECT gone PATH MS        wait until PATH is gone
 *   zkq CONNECT port ID MS          wait for /brokers/ids/ID, print the
 *                                   port of its first endpoint
 *   zkq CONNECT states TOPIC MS     wait until every partition of TOPIC has
 *                                   a state znode, print "p leader isr"
 *                                   lines (isr comma-separated; "-1" for
 *                                   no leader)
 * CONNECT may carry a chroot.  Waits poll every 50 ms; exit 2 on usage or
 * connection errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_time.h"
#include "zk/kafka_zk.h"

static void
zkq_sleep(void)
{
    struct timespec ts = { 0, 50 * 1000000L };

    nanosleep(&ts, NULL);
}

static int
zkq_set(sm_zk_t *zk, const char *path, const char *data)
{
    int len = (int)strlen(data);
    sm_err_t err = sm_zk_set(zk, path, data, len, SM_ZK_ANY_VERSION, NULL);

    if (err == SM_ERR__NOENT)
        err = sm_zk_create_parents(zk, path, data, len);
    if (err != SM_OK)
        fprintf(stderr, "zkq: set %s: %s\n", path, sm_err_desc(err));
    return err == SM_OK ? 0 : 1;
}

static int
zkq_get(sm_zk_t *zk, const char *path)
{
    char *data = NULL;
    int len = 0;

    if (sm_zk_get(zk, path, 0, &data, &len, NULL) != SM_OK)
        return 1;
    if (data != NULL)
        fwrite(data, 1, (size_t)len, stdout);
    putchar('\n');
    free(data);
    return 0;
}

static int
zkq_children(sm_zk_t *zk, const char *path)
{
    sm_zk_strings_t kids;

    if (sm_zk_get_children(zk, path, 0, &kids) != SM_OK)
        return 1;
    for (int i = 0; i < kids.cnt; i++)
        printf("%s\n", kids.v[i]);
    sm_zk_strings_fini(&kids);
    return 0;
}

/* Poll until exists == want or the deadline. */
static int
zkq_wait(sm_zk_t *zk, const char *path, int ms, int want)
{
    int64_t deadline = sm_mono_ms() + ms;

    do {
        if ((sm_zk_exists(zk, path, 0, NULL) == SM_OK) == want)
            return 0;
        zkq_sleep();
    } while (sm_mono_ms() < deadline);
    return 1;
}

static int
zkq_port(sm_zk_t *zk, int32_t id, int ms)
{
    int64_t deadline = sm_mono_ms() + ms;
    sm_zk_broker_t b;

    do {
        if (sm_zk_get_broker(zk, id, &b, NULL) == SM_OK) {
            int ok = b.endpoint_cnt > 0;
            if (ok)
                printf("%d\n", (int)b.endpoints[0].port);
            sm_zk_broker_fini(&b);
            if (ok)
                return 0;
        }
        zkq_sleep();
    } while (sm_mono_ms() < deadline);
    return 1;
}

/* Every partition's state, or 1 if some are missing. */
static int
zkq_states_once(sm_zk_t *zk, const char *topic, int print)
{
    sm_zk_topic_t t;
    int rc = 0;

    if (sm_zk_get_topic(zk, topic, 0, &t) != SM_OK)
        return 1;
    for (int i = 0; i < t.part_cnt && rc == 0; i++) {
        sm_zk_part_state_t s;
        if (sm_zk_get_partition_state(zk, topic, t.parts[i].partition,
                                      &s) != SM_OK) {
            rc = 1;
            break;
        }
        if (print) {
            printf("%d %d ", (int)t.parts[i].partition, (int)s.leader);
            for (int j = 0; j < s.isr.cnt; j++)
                printf("%s%d", j ? "," : "", (int)s.isr.v[j]);
            printf("\n");
        }
        sm_zk_part_state_fini(&s);
    }
    sm_zk_topic_fini(&t);
    return rc;
}

static int
zkq_states(sm_zk_t *zk, const char *topic, int ms)
{
    int64_t deadline = sm_mono_ms() + ms;

    do {
        if (zkq_states_once(zk, topic, 0) == 0)
            return zkq_states_once(zk, topic, 1);
        zkq_sleep();
    } while (sm_mono_ms() < deadline);
    return 1;
}

int
main(int argc, char **argv)
{
    sm_zk_conf_t conf;
    sm_zk_t *zk = NULL;
    char errstr[512];
    const char *cmd;
    int rc = 2;

    if (argc < 4) {
        fprintf(stderr, "usage: zkq CONNECT get|children|exists PATH | "
                "set PATH DATA | wait|gone PATH MS | port ID MS | "
                "states TOPIC MS\n");
        return 2;
    }
    sm_log_level = SM_LOG_ERROR;
    memset(&conf, 0, sizeof(conf));
    conf.connect = argv[1];
    conf.session_timeout_ms = 10000;
    if (sm_zk_new(&conf, &zk, errstr, sizeof(errstr)) != SM_OK) {
        fprintf(stderr, "zkq: %s\n", errstr);
        return 2;
    }
    cmd = argv[2];
    if (strcmp(cmd, "get") == 0)
        rc = zkq_get(zk, argv[3]);
    else if (strcmp(cmd, "children") == 0)
        rc = zkq_children(zk, argv[3]);
    else if (strcmp(cmd, "exists") == 0)
        rc = sm_zk_exists(zk, argv[3], 0, NULL) == SM_OK ? 0 : 1;
    else if (argc >= 5 && strcmp(cmd, "set") == 0)
        rc = zkq_set(zk, argv[3], argv[4]);
    else if (argc >= 5 && strcmp(cmd, "wait") == 0)
        rc = zkq_wait(zk, argv[3], atoi(argv[4]), 1);
    else if (argc >= 5 && strcmp(cmd, "gone") == 0)
        rc = zkq_wait(zk, argv[3], atoi(argv[4]), 0);
    else if (argc >= 5 && strcmp(cmd, "port") == 0)
        rc = zkq_port(zk, atoi(argv[3]), atoi(argv[4]));
    else if (argc >= 5 && strcmp(cmd, "states") == 0)
        rc = zkq_states(zk, argv[3], atoi(argv[4]));
    else
        fprintf(stderr, "zkq: unknown command %s\n", cmd);
    sm_zk_destroy(zk);
    return rc;
}
