/*
 * samsa-preferred-replica-election: bin/kafka-preferred-replica-election.sh,
 * Kafka's PreferredReplicaLeaderElectionCommand (2.4) in its --zookeeper
 * mode.
 *
 * It writes /admin/preferred_replica_election with the partitions of the
 * --path-to-json-file, or every partition of every topic, and leaves the
 * rest to the controller (src/controller/preferred_election.c, or Kafka's),
 * which moves leadership to each partition's first assigned replica when
 * that one is live and in the ISR, then deletes the znode.  Partitions of
 * the file that do not exist are skipped with Kafka's message.  A znode
 * already present means an election is in progress: the tool fails, as
 * Kafka's does.
 *
 * --bootstrap-server (Kafka's AdminClientCommand) sends a PREFERRED
 * ElectLeaders request to the controller instead (the file's partitions,
 * or a null list for all) and prints Kafka's report of it
 * (election_common.c): "Successfully completed preferred leader election
 * for partitions ...", "Preferred replica already elected for partitions
 * ...", "Error completing preferred leader election for partition: ...",
 * then "<n> preferred replica(s) could not be elected" (exit 1).  Kafka's
 * timeouts for it: request.timeout.ms 30000, default.api.timeout.ms 60000,
 * after the --admin.config keys.
 *
 * Output and exit status follow Kafka's: messages on stdout, an uncaught
 * exception line on stderr and status 1 on failure, usage errors with the
 * option list and status 1.
 *
 * Threads: one; ZooKeeper calls block it, bounded by the session timeout.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "tools/election.h"
#include "zk/kafka_zk.h"

#define PRE_TIMEOUT_MS 30000    /* the command's ZooKeeper timeouts */

typedef struct pre_opts {
    const char *zookeeper;
    const char *bootstrap;
    const char *json_file;
    const char *admin_config;
} pre_opts_t;

static const char pre_usage[] =
    "This tool helps to causes leadership for each partition to be "
    "transferred back to the 'preferred replica', it can be used to "
    "balance leadership among the servers.\n"
    "Option                                  Description\n"
    "------                                  -----------\n"
    "--admin.config <config file>            Admin client config properties "
    "file\n"
    "                                          to pass to the admin client "
    "when --\n"
    "                                          bootstrap-server is given.\n"
    "--bootstrap-server <host:port>          A hostname and port for the "
    "broker to\n"
    "                                          connect to, in the form "
    "host:port.\n"
    "                                          Multiple comma-separated URLs "
    "can be\n"
    "                                          given. REQUIRED unless --"
    "zookeeper is\n"
    "                                          given.\n"
    "--help                                  Print usage information.\n"
    "--path-to-json-file <list of partitions The JSON file with the list of "
    "partitions\n"
    "  for which preferred replica leader      for which preferred replica "
    "leader election\n"
    "  election needs to be triggered>         should be done, in the "
    "following format -\n"
    "                                        {\"partitions\":\n"
    "                                        \t[{\"topic\": \"foo\", "
    "\"partition\": 1},\n"
    "                                        \t {\"topic\": \"foobar\", "
    "\"partition\": 2}]\n"
    "                                        }\n"
    "                                        Defaults to all existing "
    "partitions\n"
    "--version                               Display Kafka version.\n"
    "--zookeeper <urls>                      DEPRECATED. The connection "
    "string for the\n"
    "                                          zookeeper connection in the "
    "form\n"
    "                                          host:port. Multiple URLS can "
    "be given to\n"
    "                                          allow fail-over.\n";

static int
pre_usage_die(const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "%s\n", msg);
    fputs(pre_usage, stderr);
    return 1;
}

/* The JVM's last words for an uncaught AdminCommandFailedException. */
static int
pre_fail(const char *fmt, const char *arg)
{
    fflush(stdout);
    fprintf(stderr, "Exception in thread \"main\" "
            "kafka.admin.AdminCommandFailedException: Admin command "
            "failed\nCaused by: kafka.admin.AdminOperationException: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 1;
}

static int
pre_parse(int argc, char **argv, pre_opts_t *o)
{
    static const struct option longopts[] = {
        { "zookeeper", required_argument, NULL, 'z' },
        { "bootstrap-server", required_argument, NULL, 'b' },
        { "path-to-json-file", required_argument, NULL, 'j' },
        { "admin.config", required_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    memset(o, 0, sizeof(*o));
    opterr = 0;
    while ((c = getopt_long_only(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'z': o->zookeeper = optarg; break;
        case 'b': o->bootstrap = optarg; break;
        case 'j': o->json_file = optarg; break;
        case 'a': o->admin_config = optarg; break;
        case 'h': fputs(pre_usage, stdout); exit(0);
        case 'v': printf("%s (samsa)\n", PACKAGE_VERSION); exit(0);
        default:
            fprintf(stderr, "Exception in thread \"main\" "
                    "joptsimple.UnrecognizedOptionException: %s is not a "
                    "recognized option\n", argv[optind - 1]);
            return -1;
        }
    }
    if ((o->zookeeper != NULL) == (o->bootstrap != NULL)) {
        pre_usage_die("Exactly one of 'bootstrap-server' or 'zookeeper' "
                      "must be provided");
        return -1;
    }
    return 0;
}

/* "t-0,t-1" (sep ",") or "t-0, t-1" (Scala's Set toString inside Set());
 * the caller frees. */
static char *
pre_join(const sm_zk_tps_t *l, const char *sep)
{
    sm_buf_t b = SM_BUF_INIT;
    char one[320];

    for (int i = 0; i < l->cnt; i++) {
        int n = snprintf(one, sizeof(one), "%s%s-%d", i ? sep : "",
                         l->v[i].topic, (int)l->v[i].partition);
        sm_buf_write(&b, one, (size_t)n < sizeof(one) ? (size_t)n
                                                      : sizeof(one) - 1);
    }
    sm_buf_write(&b, "", 1);
    return (char *)sm_buf_detach(&b, NULL);
}

static int
pre_cmp_tp(const void *a, const void *b)
{
    const sm_zk_tp_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);

    return c ? c : (x->partition > y->partition) - (x->partition <
                                                     y->partition);
}

/* The file's partitions (Kafka's parsePreferredReplicaElectionData). */
static int
pre_read_file(const char *path, sm_zk_tps_t *l)
{
    char errstr[256], *data = NULL;
    size_t len = 0, cap = 0, n;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return pre_fail("java.nio.file.NoSuchFileException: %s", path);
    do {
        if (cap - len < 4096)
            data = sm_realloc(data, cap = cap ? cap * 2 : 8192);
        n = fread(data + len, 1, cap - len, f);
        len += n;
    } while (n > 0 && len < (1u << 26));
    fclose(f);
    if (sm_zk_preferred_election_decode(path, data, (int)len, l, errstr,
                                        sizeof(errstr)) != SM_OK ||
        l->cnt == 0) {
        sm_free(data);
        return pre_fail("%s", "Preferred replica election data is empty");
    }
    sm_free(data);
    if (l->cnt > 1)
        qsort(l->v, (size_t)l->cnt, sizeof(l->v[0]), pre_cmp_tp);
    for (int i = 1; i < l->cnt; i++)
        if (pre_cmp_tp(&l->v[i - 1], &l->v[i]) == 0) {
            char tp[300];
            snprintf(tp, sizeof(tp), "%s-%d", l->v[i].topic,
                     (int)l->v[i].partition);
            return pre_fail("Preferred replica election data contains "
                            "duplicate partitions: %s", tp);
        }
    return 0;
}

/* Every partition in ZooKeeper, or (want != NULL) those of want that
 * exist, into *valid; the rest of want into *invalid. */
static sm_err_t
pre_existing(sm_zk_t *zk, const sm_zk_tps_t *want, sm_zk_tps_t *valid,
             sm_zk_tps_t *invalid)
{
    sm_zk_strings_t topics = { 0 };
    sm_err_t err = sm_zk_get_topics(zk, 0, &topics);

    for (int i = 0; err == SM_OK && i < topics.cnt; i++) {
        sm_zk_topic_t t;
        memset(&t, 0, sizeof(t));
        err = sm_zk_get_topic(zk, topics.v[i], 0, &t);
        if (err == SM_ERR__NOENT)
            err = SM_OK;                /* deleted meanwhile */
        for (int p = 0; err == SM_OK && want == NULL && p < t.part_cnt; p++)
            sm_zk_tps_add(valid, topics.v[i], t.parts[p].partition);
        for (int k = 0; err == SM_OK && want != NULL && k < want->cnt; k++)
            if (strcmp(want->v[k].topic, topics.v[i]) == 0 &&
                sm_zk_topic_find(&t, want->v[k].partition) != NULL)
                sm_zk_tps_add(valid, topics.v[i], want->v[k].partition);
        sm_zk_topic_fini(&t);
    }
    sm_zk_strings_fini(&topics);
    for (int k = 0; err == SM_OK && want != NULL && k < want->cnt; k++) {
        int found = 0;
        for (int i = 0; i < valid->cnt && !found; i++)
            found = pre_cmp_tp(&valid->v[i], &want->v[k]) == 0;
        if (!found)
            sm_zk_tps_add(invalid, want->v[k].topic, want->v[k].partition);
    }
    if (err == SM_OK && valid->cnt > 1)
        qsort(valid->v, (size_t)valid->cnt, sizeof(valid->v[0]), pre_cmp_tp);
    return err;
}

/* writePreferredReplicaElectionData. */
static int
pre_write(sm_zk_t *zk, const sm_zk_tps_t *valid)
{
    char *json = sm_zk_preferred_election_encode(valid);
    sm_err_t err = sm_zk_create_parents(zk,
                                        sm_zk_path_preferred_replica_election(),
                                        json, (int)strlen(json));
    char *list = NULL;
    int rc = 0;

    sm_free(json);
    if (err == SM_OK) {
        list = pre_join(valid, ",");
        printf("Created preferred replica election path with %s\n", list);
    } else if (err == SM_ERR__EXISTS) {
        sm_zk_tps_t cur = { 0 };
        (void)sm_zk_get_preferred_election(zk, 0, &cur);
        list = pre_join(&cur, ",");
        sm_zk_tps_fini(&cur);
        rc = pre_fail("Preferred replica leader election currently in "
                      "progress for %s. Aborting operation", list);
    } else {
        rc = pre_fail("ZooKeeper: %s", sm_err_desc(err));
    }
    free(list);
    return rc;
}

/* want: the file's partitions, or NULL for all. */
static int
pre_run(sm_zk_t *zk, const sm_zk_tps_t *want)
{
    sm_zk_tps_t valid = { 0 }, invalid = { 0 };
    sm_err_t err;
    int rc = 0;

    err = pre_existing(zk, want, &valid, &invalid);
    if (err != SM_OK)
        rc = pre_fail("ZooKeeper: %s", sm_err_desc(err));
    if (rc == 0)
        rc = pre_write(zk, &valid);
    if (rc == 0) {
        char *list = pre_join(&valid, ", ");
        printf("Successfully started preferred replica election for "
               "partitions Set(%s)\n", list);
        free(list);
        for (int i = 0; i < invalid.cnt; i++)
            printf("Skipping preferred replica leader election for "
                   "partition %s-%d since it doesn't exist.\n",
                   invalid.v[i].topic, (int)invalid.v[i].partition);
    }
    sm_zk_tps_fini(&valid);
    sm_zk_tps_fini(&invalid);
    return rc;
}

/* --bootstrap-server: ElectLeaders (PREFERRED) through the admin client;
 * want: the file's partitions, or NULL for all. */
static int
pre_admin(const pre_opts_t *o, const sm_zk_tps_t *want)
{
    static const tle_texts_t texts = {
        "Successfully completed preferred leader election for partitions ",
        "Preferred replica already elected for partitions ",
        "Error completing preferred leader election for partition: ",
        "preferred replica(s) could not be elected",
    };
    samsa_topic_partition_t *parts = NULL;
    samsa_client_t *client = NULL;
    int rc;

    rc = tle_client(o->bootstrap, o->admin_config, 2 * PRE_TIMEOUT_MS,
                    PRE_TIMEOUT_MS, &client);
    if (rc == 0 && want != NULL) {
        parts = sm_calloc((size_t)want->cnt + 1, sizeof(*parts));
        for (int i = 0; i < want->cnt; i++)
            parts[i] = (samsa_topic_partition_t){ want->v[i].topic,
                                                  want->v[i].partition };
    }
    if (rc == 0)
        rc = tle_elect(client, SAMSA_ELECTION_PREFERRED, parts,
                       want != NULL ? want->cnt : 0, &texts);
    sm_free(parts);
    samsa_client_destroy(client);
    return rc;
}

int
main(int argc, char **argv)
{
    sm_zk_tps_t want = { 0 };
    sm_zk_conf_t conf;
    sm_zk_t *zk = NULL;
    char errstr[512];
    pre_opts_t o;
    int rc;

    sm_log_init_tool();
    printf("This tool is deprecated. Please use kafka-leader-election tool. "
           "Tracking issue: KAFKA-8405\n");
    if (argc < 2)
        return pre_usage_die(NULL);
    if (pre_parse(argc, argv, &o) != 0)
        return 1;
    if (o.json_file != NULL && pre_read_file(o.json_file, &want) != 0) {
        sm_zk_tps_fini(&want);
        return 1;
    }
    if (o.bootstrap != NULL) {
        rc = pre_admin(&o, o.json_file != NULL ? &want : NULL);
        sm_zk_tps_fini(&want);
        return rc;
    }
    printf("Warning: --zookeeper is deprecated and will be removed in a "
           "future version of Kafka.\nUse --bootstrap-server instead to "
           "specify a broker to connect to.\n");
    memset(&conf, 0, sizeof(conf));
    conf.connect = o.zookeeper;
    conf.session_timeout_ms = PRE_TIMEOUT_MS;
    conf.connection_timeout_ms = PRE_TIMEOUT_MS;
    if (sm_zk_new(&conf, &zk, errstr, sizeof(errstr)) != SM_OK) {
        sm_zk_tps_fini(&want);
        return pre_fail("%s", errstr);
    }
    rc = pre_run(zk, o.json_file != NULL ? &want : NULL);
    sm_zk_destroy(zk);
    sm_zk_tps_fini(&want);
    return rc;
}
