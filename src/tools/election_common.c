/*
 * election_common.c: the shared half of the two election tools
 * (election.h): client set-up, the ElectLeaders call, Kafka's report.
 *
 * REPORT (Kafka's electLeaders / electPreferredLeaders):
 *     <ok><tp>, <tp>                    partitions elected
 *     <noop><tp>, ...                   ELECTION_NOT_NEEDED
 *     <err><tp>: <exception>            one line per other failure
 * and with failures the uncaught "<n> <failed>" (exit 1).  A call that
 * fails with a timeout (or cannot reach the cluster) prints "Timeout
 * waiting for election results" and dies with it; other call errors die
 * as the ExecutionException Kafka rethrows.
 *
 * SCALA ORDER.  scala.collection.mutable.HashSet (2.13) keeps a table of
 * 16 buckets that doubles before an insertion would reach 3/4 of it;
 * an element goes to bucket (h ^ h >>> 16) & (size - 1), where h is
 * TopicPartition.hashCode (31 * (31 + partition) + topic.hashCode);
 * a bucket's list is sorted by that spread hash, equal ones in insertion
 * order; iteration walks the buckets in order.
 *
 * Threads: one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_err.h"
#include "common/sm_mem.h"
#include "server/config_props.h"
#include "tools/election.h"

int
tle_die(const char *cls, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "Exception in thread \"main\" %s: ", cls);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* ------------------------------------------------------------ client */

static void
tle_conf_int(samsa_conf_t *conf, const char *key, int v)
{
    char num[16], errstr[256];

    snprintf(num, sizeof(num), "%d", v);
    samsa_conf_set(conf, key, num, errstr, sizeof(errstr));
}

int
tle_client(const char *bootstrap, const char *admin_config,
           int api_timeout_ms, int request_timeout_ms,
           samsa_client_t **clientp)
{
    samsa_conf_t *conf = samsa_conf_new();
    sm_props_t props;
    char errstr[512];
    int rc = 0;

    *clientp = NULL;
    sm_props_init(&props);
    if (admin_config != NULL &&
        sm_props_load(&props, admin_config, errstr, sizeof(errstr)) != SM_OK)
        rc = tle_die("java.nio.file.NoSuchFileException", "%s",
                     admin_config);
    for (int i = 0; i < props.n && rc == 0; i++)
        if (samsa_conf_set(conf, props.v[i].key, props.v[i].value, errstr,
                           sizeof(errstr)) != SAMSA_OK &&
            strstr(errstr, "isn't a known") == NULL)
            rc = tle_die("org.apache.kafka.common.config.ConfigException",
                         "%s", errstr);
    sm_props_fini(&props);
    if (rc == 0) {
        samsa_conf_set(conf, "bootstrap.servers", bootstrap, errstr,
                       sizeof(errstr));
        tle_conf_int(conf, "default.api.timeout.ms", api_timeout_ms);
        tle_conf_int(conf, "request.timeout.ms", request_timeout_ms);
        *clientp = samsa_client_new(conf, errstr, sizeof(errstr));
        if (*clientp == NULL)
            rc = tle_die("org.apache.kafka.common.KafkaException",
                         "Failed to create new KafkaAdminClient\nCaused by: "
                         "org.apache.kafka.common.config.ConfigException: "
                         "%s", errstr);
    }
    samsa_conf_destroy(conf);
    return rc;
}

/* ------------------------------------------------------------ report */

const char *
tle_exc_class(samsa_err_t err)
{
    static const struct { samsa_err_t err; const char *cls; } map[] = {
        { SM_ERR_ELECTION_NOT_NEEDED, "ElectionNotNeededException" },
        { SM_ERR_PREFERRED_LEADER_NOT_AVAILABLE,
          "PreferredLeaderNotAvailableException" },
        { SM_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE,
          "EligibleLeadersNotAvailableException" },
        { SM_ERR_UNKNOWN_TOPIC_OR_PARTITION,
          "UnknownTopicOrPartitionException" },
        { SM_ERR_INVALID_TOPIC_EXCEPTION, "InvalidTopicException" },
        { SM_ERR_NOT_CONTROLLER, "NotControllerException" },
        { SM_ERR_REQUEST_TIMED_OUT, "TimeoutException" },
        { SM_ERR_INVALID_REQUEST, "InvalidRequestException" },
        { SM_ERR_UNSUPPORTED_VERSION, "UnsupportedVersionException" },
        { SM_ERR_CLUSTER_AUTHORIZATION_FAILED,
          "ClusterAuthorizationException" },
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].err == err)
            return map[i].cls;
    return "UnknownServerException";
}

/* The spread TopicPartition.hashCode (Java's String.hashCode over the
 * name's UTF-16 units; topic names are ASCII). */
static int32_t
tle_hash(const samsa_election_result_t *r)
{
    uint32_t h = 0, tp;

    for (const char *s = r->topic; *s; s++)
        h = 31 * h + (uint32_t)(unsigned char)*s;
    tp = 31u * (31u + (uint32_t)r->partition) + h;
    return (int32_t)(tp ^ (tp >> 16));
}

void
tle_order(const samsa_election_result_t *r, int *idx, int n)
{
    uint32_t cap = 16;

    while ((uint32_t)n >= cap * 3 / 4)
        cap *= 2;
    for (int i = 1; i < n; i++) {
        int k = idx[i], j = i;
        int32_t hk = tle_hash(&r[k]);
        uint32_t bk = (uint32_t)hk & (cap - 1);
        while (j > 0) {
            int32_t hj = tle_hash(&r[idx[j - 1]]);
            uint32_t bj = (uint32_t)hj & (cap - 1);
            if (bj < bk || (bj == bk && hj <= hk))
                break;
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = k;
    }
}

static void
tle_print_list(const char *prefix, const samsa_election_result_t *r,
               int *idx, int n)
{
    tle_order(r, idx, n);
    fputs(prefix, stdout);
    for (int i = 0; i < n; i++)
        printf("%s%s-%d", i ? ", " : "", r[idx[i]].topic,
               (int)r[idx[i]].partition);
    putchar('\n');
}

static int
tle_report(const tle_texts_t *tx, const samsa_election_result_t *r, int n)
{
    int *ok = sm_calloc((size_t)n + 1, sizeof(int));
    int *noop = sm_calloc((size_t)n + 1, sizeof(int));
    int *bad = sm_calloc((size_t)n + 1, sizeof(int));
    int nok = 0, nnoop = 0, nbad = 0;

    for (int i = 0; i < n; i++) {
        if (r[i].err == SAMSA_OK)
            ok[nok++] = i;
        else if (r[i].err == SM_ERR_ELECTION_NOT_NEEDED)
            noop[nnoop++] = i;
        else
            bad[nbad++] = i;
    }
    if (nok > 0)
        tle_print_list(tx->ok, r, ok, nok);
    if (nnoop > 0)
        tle_print_list(tx->noop, r, noop, nnoop);
    tle_order(r, bad, nbad);
    for (int i = 0; i < nbad; i++) {
        const samsa_election_result_t *e = &r[bad[i]];
        printf("%s%s-%d: org.apache.kafka.common.errors.%s: %s\n", tx->err,
               e->topic, (int)e->partition, tle_exc_class(e->err),
               e->errmsg ? e->errmsg : samsa_err_message(e->err));
    }
    sm_free(ok);
    sm_free(noop);
    sm_free(bad);
    if (nbad > 0)
        return tle_die(TLE_ACFE, "%d %s", nbad, tx->failed);
    return 0;
}

int
tle_elect(samsa_client_t *client, int type,
          const samsa_topic_partition_t *parts, int cnt,
          const tle_texts_t *texts)
{
    samsa_election_result_t *res = NULL;
    char *errmsg = NULL;
    samsa_err_t err;
    int n = 0, rc;

    err = samsa_elect_leaders(client, type, parts, cnt, &res, &n, &errmsg);
    if (err == SM_ERR_REQUEST_TIMED_OUT || sm_err_is_local(err)) {
        printf("Timeout waiting for election results\n");
        rc = tle_die(TLE_ACFE, "Timeout waiting for election results\n"
                     "Caused by: org.apache.kafka.common.errors."
                     "TimeoutException: %s", errmsg ? errmsg : "");
    } else if (err != SAMSA_OK) {
        rc = tle_die("java.util.concurrent.ExecutionException",
                     "org.apache.kafka.common.errors.%s: %s",
                     tle_exc_class(err), errmsg ? errmsg
                                                : samsa_err_message(err));
    } else {
        rc = tle_report(texts, res, n);
    }
    samsa_election_results_free(res, n);
    free(errmsg);
    return rc;
}
