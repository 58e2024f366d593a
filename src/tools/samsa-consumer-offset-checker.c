/*
 * samsa-consumer-offset-checker: bin/kafka-consumer-offset-checker.sh,
 * Kafka 0.8.2's ConsumerOffsetChecker (removed in Kafka 0.11): a group's
 * committed offsets (in __consumer_offsets or ZooKeeper), log sizes, lag
 * and the owners the 0.8 high-level consumer keeps in ZooKeeper.
 *
 * For each topic (--topic a,b, else the children of
 * /consumers/<group>/owners), sorted, and each of its partitions (from
 * /brokers/topics/<t>) it prints one row
 *
 *   Group Topic Pid Offset logSize Lag Owner
 *
 * in Kafka's column widths (15, 30, 3, 15, 15, 15, rest), where
 *   Offset   as Kafka 0.8.2's tool: OffsetFetch v1 at the group's
 *            coordinator (FindCoordinator v0, retried every
 *            --retry.backoff.ms for up to 30 s; samsa's broker answers
 *            per offsets.storage); when it has none,
 *            /consumers/<g>/offsets/<t>/<p>; "-1" when that znode is
 *            missing but its topic directory exists, "unknown" when the
 *            group never committed for the topic (Kafka 0.8.2 aborted
 *            the whole run with "Exiting due to: ..." there) or the
 *            coordinator answered an error for the partition (printed
 *            first, as 0.8.2 did).  Without a coordinator a warning goes
 *            to stderr and ZooKeeper alone is read;
 *   logSize  ListOffsets (latest) at the partition's leader, from the
 *            state znode and /brokers/ids/<leader>;
 *   Lag      logSize - Offset, "unknown" when the offset is -1 or unknown;
 *   Owner    /consumers/<g>/owners/<t>/<p>, "none" if absent.
 * A partition without a state znode prints "No broker for partition t - p";
 * a leader that is not registered prints Kafka's "Could not parse broker
 * info" once and its partitions are skipped.  --broker-info appends
 * "BROKER INFO" and "id -> host:port" for every leader asked.
 *
 * As Kafka's tool: usage errors print the option list on stderr and exit
 * 1; a failure after start-up prints "Exiting due to: <reason>." and
 * exits 0.
 *
 * Threads: one.  ZooKeeper calls and the broker round trips block it,
 * bounded by the ZooKeeper session timeout and --socket.timeout.ms.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/findcoordinator.h"
#include "protocol/listoffsets.h"
#include "protocol/offsetfetch.h"
#include "zk/kafka_zk.h"

#define COC_ZK_TIMEOUT_MS 30000
#define COC_MAX_BROKERS   4096      /* bounded cache of leaders asked */

typedef struct coc_opts {
    const char *zookeeper;
    const char *topics;
    const char *group;
    int         socket_timeout_ms;
    int         retry_backoff_ms;
    int         broker_info;
} coc_opts_t;

/* A leader asked for log sizes: its address and connection. */
typedef struct coc_broker {
    int32_t id;
    char   *host;               /* NULL: unknown broker (skip its rows) */
    int     port;
    sm_client_conn_t *conn;
} coc_broker_t;

/* One partition's answer from the group coordinator. */
typedef struct coc_committed {
    char    *topic;
    int32_t  partition;
    int64_t  offset;            /* -1: none there (ZooKeeper decides) */
    int      failed;            /* error printed: the offset is unknown */
} coc_committed_t;

typedef struct coc {
    coc_opts_t        o;
    sm_zk_t          *zk;
    sm_client_conf_t  cconf;
    coc_broker_t     *brokers;  /* owned; sorted by id on output */
    int               nbrokers;
    coc_committed_t  *committed; /* owned; NULL: coordinator not asked */
    int               ncommitted;
    char              err[2048]; /* set: stop with "Exiting due to" */
} coc_t;

static const char coc_usage[] =
    "Option                                  Description\n"
    "------                                  -----------\n"
    "--broker-info                           Also list the brokers asked "
    "for log sizes.\n"
    "--group                                 The consumer group to "
    "check.\n"
    "--help                                  Print this help.\n"
    "--retry.backoff.ms <Integer>            Pause between coordinator "
    "lookups\n"
    "                                          (default: 3000).\n"
    "--socket.timeout.ms <Integer>           Timeout of each broker "
    "request\n"
    "                                          (default: 6000).\n"
    "--topic                                 Comma-separated topics "
    "(default: every\n"
    "                                          topic the group owns).\n"
    "--zookeeper                             ZooKeeper connect string "
    "(default:\n"
    "                                          localhost:2181).\n";

static int
coc_usage_die(const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "%s\n", msg);
    fputs(coc_usage, stderr);
    return 1;
}

static int
coc_parse(int argc, char **argv, coc_opts_t *o)
{
    static const struct option longopts[] = {
        { "zookeeper", required_argument, NULL, 'z' },
        { "topic", required_argument, NULL, 't' },
        { "group", required_argument, NULL, 'g' },
        { "socket.timeout.ms", required_argument, NULL, 's' },
        { "retry.backoff.ms", required_argument, NULL, 'r' },
        { "broker-info", no_argument, NULL, 'b' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    memset(o, 0, sizeof(*o));
    o->zookeeper = "localhost:2181";
    o->socket_timeout_ms = 6000;
    o->retry_backoff_ms = 3000;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'z': o->zookeeper = optarg; break;
        case 't': o->topics = optarg; break;
        case 'g': o->group = optarg; break;
        case 'b': o->broker_info = 1; break;
        case 'r':
            o->retry_backoff_ms = (int)strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' ||
                o->retry_backoff_ms < 0) {
                coc_usage_die("Option retry.backoff.ms: not a number");
                return -1;
            }
            break;
        case 's':
            o->socket_timeout_ms = (int)strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' ||
                o->socket_timeout_ms <= 0) {
                coc_usage_die("Option socket.timeout.ms: not a positive "
                              "integer");
                return -1;
            }
            break;
        case 'h': fputs(coc_usage, stdout); exit(0);
        default:
            fprintf(stderr, "Exception in thread \"main\" "
                    "joptsimple.UnrecognizedOptionException: %s is not a "
                    "recognized option\n", argv[optind - 1]);
            return -1;
        }
    }
    if (o->group == NULL) {
        coc_usage_die("Missing required argument \"[group]\"");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ ZooKeeper */

static int
coc_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The topics to report, sorted: --topic's list, else the group's owned
 * topics. */
static sm_err_t
coc_topics(coc_t *c, sm_zk_strings_t *out)
{
    char path[1024];
    sm_err_t err = SM_OK;

    if (c->o.topics != NULL) {
        char *dup = sm_strdup(c->o.topics), *save = NULL, *tok;
        for (tok = strtok_r(dup, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save)) {
            out->v = sm_realloc(out->v, sizeof(char *) *
                                (size_t)(out->cnt + 1));
            out->v[out->cnt++] = sm_strdup(tok);
        }
        sm_free(dup);
    } else {
        snprintf(path, sizeof(path), "/consumers/%s/owners", c->o.group);
        err = sm_zk_get_children(c->zk, path, 0, out);
        if (err == SM_ERR__NOENT)
            snprintf(c->err, sizeof(c->err), "org.apache.zookeeper."
                     "KeeperException$NoNodeException: KeeperErrorCode = "
                     "NoNode for %s", path);
        else if (err != SM_OK)
            snprintf(c->err, sizeof(c->err), "ZooKeeper: %s: %s", path,
                     sm_err_desc(err));
    }
    if (err == SM_OK && out->cnt > 1)
        qsort(out->v, (size_t)out->cnt, sizeof(char *), coc_strcmp);
    return err;
}

/* The znode's data as a string (heap) or NULL if it does not exist. */
static char *
coc_get(coc_t *c, const char *path)
{
    char *data = NULL, *s;
    int len = 0;

    if (sm_zk_get(c->zk, path, 0, &data, &len, NULL) != SM_OK)
        return NULL;
    s = sm_malloc((size_t)(len > 0 ? len : 0) + 1);
    if (len > 0)
        memcpy(s, data, (size_t)len);
    s[len > 0 ? len : 0] = '\0';
    free(data);
    return s;
}

/* The committed offset; -1: none but the topic has an offsets
 * directory; -2: unknown. */
static void
coc_offset(coc_t *c, const char *topic, int32_t p, int64_t *off)
{
    char path[1024];

    *off = -2;
    for (int i = 0; i < c->ncommitted; i++) {
        const coc_committed_t *k = &c->committed[i];
        if (k->partition != p || strcmp(k->topic, topic) != 0)
            continue;
        if (k->failed)
            return;
        if (k->offset >= 0) {
            *off = k->offset;
            return;
        }
        break;
    }
    if (sm_zk_get_consumer_offset(c->zk, c->o.group, topic, p, off) ==
        SM_OK)
        return;
    snprintf(path, sizeof(path), "/consumers/%s/offsets/%s", c->o.group,
             topic);
    *off = sm_zk_exists(c->zk, path, 0, NULL) == SM_OK ? -1 : -2;
}

/* ------------------------------------------------------------ brokers */

/* The cached leader id (looked up in /brokers/ids the first time). */
static coc_broker_t *
coc_broker(coc_t *c, int32_t id)
{
    sm_zk_broker_t reg;
    coc_broker_t *b;

    for (int i = 0; i < c->nbrokers; i++)
        if (c->brokers[i].id == id)
            return &c->brokers[i];
    if (c->nbrokers >= COC_MAX_BROKERS)
        return NULL;
    c->brokers = sm_realloc(c->brokers, sizeof(*b) *
                            (size_t)(c->nbrokers + 1));
    b = &c->brokers[c->nbrokers++];
    memset(b, 0, sizeof(*b));
    b->id = id;
    memset(&reg, 0, sizeof(reg));
    if (id >= 0 && sm_zk_get_broker(c->zk, id, &reg, NULL) == SM_OK &&
        reg.endpoint_cnt > 0) {
        b->host = sm_strdup(reg.endpoints[0].host);
        b->port = reg.endpoints[0].port;
    } else {
        printf("Could not parse broker info due to null\n");
    }
    sm_zk_broker_fini(&reg);
    return b;
}

static void
coc_lo_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ListOffsetsRequest_write(buf, version, arg);
}

/* The latest offset of topic/p at broker b (ListOffsets); SM_OK and
 * *size, or an error with c->err set. */
static sm_err_t
coc_log_size(coc_t *c, coc_broker_t *b, const char *topic, int32_t p,
             int64_t *size)
{
    sm_ListOffsetsRequestPartition_t rp = { 0 };
    sm_ListOffsetsRequestTopic_t rt = { 0 };
    sm_ListOffsetsRequest_t req = { 0 };
    sm_ListOffsetsResponse_t lr;
    sm_client_resp_t resp;
    int64_t deadline = sm_mono_ms() + c->o.socket_timeout_ms;
    char errstr[256];
    int16_t v;
    sm_err_t err = SM_OK;

    if (b->conn == NULL || b->conn->fd < 0) {
        if (b->conn != NULL)
            sm_client_conn_destroy(b->conn);
        b->conn = NULL;
        err = sm_client_conn_open(b->host, b->port, b->id, &c->cconf,
                                  deadline, &b->conn, errstr,
                                  sizeof(errstr));
        if (err != SM_OK)
            goto out;
    }
    v = sm_client_conn_version(b->conn, SM_API_ListOffsets,
                               SM_LISTOFFSETS_MAX_VERSION);
    req.ReplicaId = -1;
    req.TopicsCnt = 1;
    req.Topics = &rt;
    rt.Name = sm_str_cstr(topic);
    rt.PartitionsCnt = 1;
    rt.Partitions = &rp;
    rp.PartitionIndex = p;
    rp.CurrentLeaderEpoch = -1;
    rp.Timestamp = SM_LISTOFFSETS_LATEST;
    rp.MaxNumOffsets = 1;
    err = sm_client_conn_call(b->conn, SM_API_ListOffsets, v < 0 ? 0 : v,
                              coc_lo_body, &req, deadline, &resp, errstr,
                              sizeof(errstr));
    if (err != SM_OK)
        goto out;
    err = sm_ListOffsetsResponse_read(&resp.rd, resp.version, &lr);
    if (err == SM_OK) {
        const sm_ListOffsetsResponsePartition_t *rpp = NULL;
        if (lr.TopicsCnt == 1 && lr.Topics[0].PartitionsCnt == 1)
            rpp = &lr.Topics[0].Partitions[0];
        if (rpp == NULL)
            err = SM_ERR__BAD_MSG;
        else if (rpp->ErrorCode != SM_OK)
            err = rpp->ErrorCode;
        else if (resp.version == 0 && rpp->OldStyleOffsetsCnt < 1)
            err = SM_ERR__BAD_MSG;
        else
            *size = resp.version == 0 ? rpp->OldStyleOffsets[0]
                                      : rpp->Offset;
        sm_ListOffsetsResponse_free(&lr);
    }
    sm_client_resp_fini(&resp);
    snprintf(errstr, sizeof(errstr), "%s", sm_err_desc(err));
out:
    if (err != SM_OK)
        snprintf(c->err, sizeof(c->err), "log size of %s-%d at broker %d "
                 "(%s:%d): %s", topic, (int)p, (int)b->id, b->host,
                 b->port, errstr);
    return err;
}

/* ------------------------------------------------------------ coordinator */

static void
coc_fc_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_FindCoordinatorRequest_write(buf, version, arg);
}

static void
coc_of_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_OffsetFetchRequest_write(buf, version, arg);
}

/* FindCoordinator v0 (0.8.2's ConsumerMetadataRequest) asked of broker
 * id; SM_OK with *b's address (heap host) or an error in errstr. */
static sm_err_t
coc_ask_coordinator(coc_t *c, int32_t id, coc_broker_t *b, char *errstr,
                    size_t errstr_size)
{
    int64_t deadline = sm_mono_ms() + c->o.socket_timeout_ms;
    sm_FindCoordinatorRequest_t req = { 0 };
    sm_FindCoordinatorResponse_t fr;
    sm_client_conn_t *conn = NULL;
    sm_client_resp_t resp;
    sm_zk_broker_t reg;
    sm_err_t err;

    memset(&reg, 0, sizeof(reg));
    err = sm_zk_get_broker(c->zk, id, &reg, NULL);
    if (err == SM_OK && reg.endpoint_cnt < 1)
        err = SM_ERR__BAD_MSG;
    if (err == SM_OK)
        err = sm_client_conn_open(reg.endpoints[0].host,
                                  reg.endpoints[0].port, id, &c->cconf,
                                  deadline, &conn, errstr, errstr_size);
    sm_zk_broker_fini(&reg);
    if (err != SM_OK)
        return err;
    req.Key = sm_str_cstr(c->o.group);
    err = sm_client_conn_call(conn, SM_API_FindCoordinator, 0, coc_fc_body,
                              &req, deadline, &resp, errstr, errstr_size);
    if (err == SM_OK) {
        err = sm_FindCoordinatorResponse_read(&resp.rd, 0, &fr);
        if (err == SM_OK) {
            err = fr.ErrorCode;
            b->id = fr.NodeId;
            b->host = sm_str_dup(fr.Host);
            b->port = fr.Port;
            sm_FindCoordinatorResponse_free(&fr);
        }
        sm_client_resp_fini(&resp);
        snprintf(errstr, errstr_size, "%s", sm_err_desc(err));
    }
    sm_client_conn_destroy(conn);
    return err;
}

/* The group's coordinator (0.8.2's channelToOffsetManager): asks the
 * registered brokers in turn, pausing --retry.backoff.ms between rounds,
 * for up to the ZooKeeper timeout. */
static sm_err_t
coc_coordinator(coc_t *c, coc_broker_t *b, char *errstr,
                size_t errstr_size)
{
    int64_t until = sm_mono_ms() + COC_ZK_TIMEOUT_MS;
    sm_err_t err = SM_ERR__NOENT;

    snprintf(errstr, errstr_size, "no broker registered");
    for (;;) {
        sm_zk_ints_t ids = { 0 };
        if (sm_zk_get_broker_ids(c->zk, 0, &ids) == SM_OK)
            for (int i = 0; i < ids.cnt && err != SM_OK; i++) {
                sm_free(b->host);
                memset(b, 0, sizeof(*b));
                err = coc_ask_coordinator(c, ids.v[i], b, errstr,
                                          errstr_size);
            }
        sm_zk_ints_fini(&ids);
        if (err == SM_OK || sm_mono_ms() + c->o.retry_backoff_ms > until)
            return err;
        struct timespec ts = { c->o.retry_backoff_ms / 1000,
                               (c->o.retry_backoff_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
}

/* The request's topics and partitions (from /brokers/topics); the caller
 * frees each Topics[i].PartitionIndexes and Topics. */
static void
coc_fetch_request(coc_t *c, const sm_zk_strings_t *topics,
                  sm_OffsetFetchRequest_t *req)
{
    req->GroupId = sm_str_cstr(c->o.group);
    req->Topics = sm_calloc((size_t)topics->cnt + 1, sizeof(*req->Topics));
    for (int i = 0; i < topics->cnt; i++) {
        sm_OffsetFetchRequestTopic_t *rt = &req->Topics[req->TopicsCnt];
        sm_zk_topic_t t;
        memset(&t, 0, sizeof(t));
        if (sm_zk_get_topic(c->zk, topics->v[i], 0, &t) == SM_OK &&
            t.part_cnt > 0) {
            rt->Name = sm_str_cstr(topics->v[i]);
            rt->PartitionIndexes = sm_calloc((size_t)t.part_cnt,
                                             sizeof(int32_t));
            for (int k = 0; k < t.part_cnt; k++)
                rt->PartitionIndexes[k] = t.parts[k].partition;
            rt->PartitionIndexesCnt = t.part_cnt;
            req->TopicsCnt++;
        }
        sm_zk_topic_fini(&t);
    }
}

/* Keep the answers; print 0.8.2's line for a partition's error. */
static void
coc_fetch_keep(coc_t *c, const sm_OffsetFetchResponse_t *r)
{
    for (int i = 0; i < r->TopicsCnt; i++) {
        const sm_OffsetFetchResponseTopic_t *t = &r->Topics[i];
        for (int k = 0; k < t->PartitionsCnt; k++) {
            const sm_OffsetFetchResponsePartition_t *p = &t->Partitions[k];
            coc_committed_t *e;
            c->committed = sm_realloc(c->committed, sizeof(*e) *
                                      (size_t)(c->ncommitted + 1));
            e = &c->committed[c->ncommitted++];
            e->topic = sm_str_dup(t->Name);
            e->partition = p->PartitionIndex;
            e->offset = p->ErrorCode == SM_OK ? p->CommittedOffset : -1;
            e->failed = p->ErrorCode != SM_OK;
            if (e->failed)
                printf("Could not fetch offset for [%s,%d] due to %s.\n",
                       e->topic, (int)e->partition,
                       sm_err_desc(p->ErrorCode));
        }
    }
}

/* OffsetFetch v1 at the coordinator, as 0.8.2's tool: offsets the group
 * committed to Kafka (samsa's broker answers per offsets.storage, falling
 * back to ZooKeeper).  Without a coordinator: a warning on stderr, and
 * the offsets come from ZooKeeper only. */
static void
coc_fetch(coc_t *c, const sm_zk_strings_t *topics)
{
    sm_OffsetFetchRequest_t req = { 0 };
    sm_OffsetFetchResponse_t r;
    coc_broker_t co = { 0 };
    sm_client_conn_t *conn = NULL;
    sm_client_resp_t resp;
    char errstr[512];
    int64_t deadline;
    sm_err_t err;

    err = coc_coordinator(c, &co, errstr, sizeof(errstr));
    coc_fetch_request(c, topics, &req);
    deadline = sm_mono_ms() + c->o.socket_timeout_ms;
    if (err == SM_OK)
        err = sm_client_conn_open(co.host, co.port, co.id, &c->cconf,
                                  deadline, &conn, errstr, sizeof(errstr));
    if (err == SM_OK)
        err = sm_client_conn_call(conn, SM_API_OffsetFetch, 1, coc_of_body,
                                  &req, deadline, &resp, errstr,
                                  sizeof(errstr));
    if (err == SM_OK) {
        err = sm_OffsetFetchResponse_read(&resp.rd, 1, &r);
        if (err == SM_OK) {
            coc_fetch_keep(c, &r);
            sm_OffsetFetchResponse_free(&r);
        }
        sm_client_resp_fini(&resp);
        snprintf(errstr, sizeof(errstr), "%s", sm_err_desc(err));
    }
    if (err != SM_OK)
        fprintf(stderr, "No offsets from the group coordinator (%s): "
                "reading ZooKeeper only\n", errstr);
    if (conn != NULL)
        sm_client_conn_destroy(conn);
    for (int i = 0; i < req.TopicsCnt; i++)
        sm_free(req.Topics[i].PartitionIndexes);
    sm_free(req.Topics);
    sm_free(co.host);
}

/* ------------------------------------------------------------ rows */

/* One partition's row (or Kafka's "No broker" line); SM_OK unless the
 * run must stop (c->err). */
static sm_err_t
coc_partition(coc_t *c, const char *topic, int32_t p)
{
    char path[1024], offs[24], lag[24], *owner;
    sm_zk_part_state_t st;
    coc_broker_t *b;
    int64_t off, size = 0;
    sm_err_t err;

    coc_offset(c, topic, p, &off);
    memset(&st, 0, sizeof(st));
    err = sm_zk_get_partition_state(c->zk, topic, p, &st);
    sm_zk_part_state_fini(&st);
    if (err != SM_OK) {
        printf("No broker for partition %s - %d\n", topic, (int)p);
        return SM_OK;
    }
    b = coc_broker(c, st.leader);
    if (b == NULL || b->host == NULL)
        return SM_OK;                   /* reported once by coc_broker */
    if (coc_log_size(c, b, topic, p, &size) != SM_OK)
        return SM_ERR__IO;
    snprintf(path, sizeof(path), "/consumers/%s/owners/%s/%d", c->o.group,
             topic, (int)p);
    owner = coc_get(c, path);
    if (off == -2) {
        snprintf(offs, sizeof(offs), "unknown");
        snprintf(lag, sizeof(lag), "unknown");
    } else {
        snprintf(offs, sizeof(offs), "%lld", (long long)off);
        if (off == -1)
            snprintf(lag, sizeof(lag), "unknown");
        else
            snprintf(lag, sizeof(lag), "%lld", (long long)(size - off));
    }
    printf("%-15s %-30s %-3d %-15s %-15lld %-15s %s\n", c->o.group, topic,
           (int)p, offs, (long long)size, lag,
           owner != NULL ? owner : "none");
    sm_free(owner);
    return SM_OK;
}

static sm_err_t
coc_topic(coc_t *c, const char *topic)
{
    sm_zk_topic_t t;
    sm_err_t err = SM_OK;

    memset(&t, 0, sizeof(t));
    if (sm_zk_get_topic(c->zk, topic, 0, &t) == SM_OK)
        for (int i = 0; err == SM_OK && i < t.part_cnt; i++)
            err = coc_partition(c, topic, t.parts[i].partition);
    sm_zk_topic_fini(&t);
    return err;
}

static int
coc_cmp_broker(const void *a, const void *b)
{
    const coc_broker_t *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

static void
coc_run(coc_t *c)
{
    sm_zk_strings_t topics = { 0 };
    sm_err_t err = coc_topics(c, &topics);

    if (err == SM_OK)
        coc_fetch(c, &topics);
    if (err == SM_OK)
        printf("%-15s %-30s %-3s %-15s %-15s %-15s %s\n", "Group", "Topic",
               "Pid", "Offset", "logSize", "Lag", "Owner");
    for (int i = 0; err == SM_OK && i < topics.cnt; i++)
        err = coc_topic(c, topics.v[i]);
    sm_zk_strings_fini(&topics);
    if (err == SM_OK && c->o.broker_info) {
        if (c->nbrokers > 1)
            qsort(c->brokers, (size_t)c->nbrokers, sizeof(c->brokers[0]),
                  coc_cmp_broker);
        printf("BROKER INFO\n");
        for (int i = 0; i < c->nbrokers; i++)
            if (c->brokers[i].host != NULL)
                printf("%d -> %s:%d\n", (int)c->brokers[i].id,
                       c->brokers[i].host, c->brokers[i].port);
    }
    if (c->err[0] != '\0')
        printf("Exiting due to: %s.\n", c->err);
}

int
main(int argc, char **argv)
{
    sm_zk_conf_t conf;
    coc_t c;

    sm_log_init_tool();
    if (argc < 2)
        return coc_usage_die("Check the offset of your consumers.");
    memset(&c, 0, sizeof(c));
    if (coc_parse(argc, argv, &c.o) != 0)
        return 1;
    sm_client_conf_init(&c.cconf);
    sm_free(c.cconf.client_id);
    c.cconf.client_id = sm_strdup("ConsumerOffsetChecker");
    c.cconf.connect_timeout_ms = c.o.socket_timeout_ms;
    c.cconf.request_timeout_ms = c.o.socket_timeout_ms;
    memset(&conf, 0, sizeof(conf));
    conf.connect = c.o.zookeeper;
    conf.session_timeout_ms = COC_ZK_TIMEOUT_MS;
    conf.connection_timeout_ms = COC_ZK_TIMEOUT_MS;
    if (sm_zk_new(&conf, &c.zk, c.err, sizeof(c.err)) != SM_OK)
        printf("Exiting due to: %s.\n", c.err);
    else
        coc_run(&c);
    for (int i = 0; i < c.nbrokers; i++) {
        if (c.brokers[i].conn != NULL)
            sm_client_conn_destroy(c.brokers[i].conn);
        sm_free(c.brokers[i].host);
    }
    sm_free(c.brokers);
    for (int i = 0; i < c.ncommitted; i++)
        sm_free(c.committed[i].topic);
    sm_free(c.committed);
    if (c.zk != NULL)
        sm_zk_destroy(c.zk);
    sm_client_conf_fini(&c.cconf);
    return 0;
}
