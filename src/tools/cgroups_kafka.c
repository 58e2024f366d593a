/*
 * cgroups_kafka.c: --bootstrap-server mode of samsa-consumer-groups -
 * Kafka 2.4's ConsumerGroupService over libsamsa's group calls: --list,
 * --describe (offsets, --members [--verbose], --state), --reset-offsets,
 * --delete and --delete-offsets.
 *
 * ROWS.  The offsets view lists, per group (groups sorted, as Kafka's
 * TreeMap), the members that have partitions - most partitions first,
 * each member's partitions by partition number - and then the committed
 * partitions no member holds, with "-" for the consumer columns; the log
 * end offset comes from ListOffsets, the lag is end minus committed.
 * Column widths grow from 15 to the longest value, as Kafka's do.
 *
 * Threads: one.  Memory: everything libsamsa returns is freed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_err.h"
#include "common/sm_mem.h"
#include "tools/cgroups.h"

#define CG_MISSING "-"

typedef struct cg_row {
    const char *topic;             /* NULL: "-" */
    int32_t     partition;
    int64_t     offset;            /* -1: "-" */
    int64_t     leo;               /* -1: "-" */
    const char *consumer;
    const char *host;
    const char *client;
} cg_row_t;

/* The Java exception a group error surfaces as. */
static const char *
cg_exc_class(samsa_err_t err)
{
    switch (err) {
    case SM_ERR_NON_EMPTY_GROUP: return "GroupNotEmptyException";
    case SM_ERR_GROUP_ID_NOT_FOUND: return "GroupIdNotFoundException";
    case SM_ERR_INVALID_GROUP_ID: return "InvalidGroupIdException";
    case SM_ERR_GROUP_AUTHORIZATION_FAILED:
        return "GroupAuthorizationException";
    case SM_ERR_COORDINATOR_NOT_AVAILABLE:
        return "CoordinatorNotAvailableException";
    case SM_ERR_NOT_COORDINATOR: return "NotCoordinatorException";
    case SM_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        return "CoordinatorLoadInProgressException";
    default: return "UnknownServerException";
    }
}

/* The failure of a whole call, the way Kafka's main reports it: the
 * ExecutionException's message is its cause, "<class>: <message>".  A
 * broker nobody reaches is Kafka's node-assignment timeout, with the
 * underlying error on stderr.  Frees msg. */
static int
cg_fail(cg_ctx_t *ctx, samsa_err_t err, char *msg)
{
    const char *m = msg != NULL ? msg : samsa_err_message(err);

    if (sm_err_is_local((sm_err_t)err)) {
        fflush(stdout);
        fprintf(stderr, "samsa-consumer-groups: %s\n", m);
        cg_error(ctx, "Executing consumer group command failed due to "
                 "org.apache.kafka.common.errors.TimeoutException: Timed "
                 "out waiting for a node assignment.");
    } else {
        cg_error(ctx, "Executing consumer group command failed due to "
                 "org.apache.kafka.common.errors.%s: %s", cg_exc_class(err),
                 m);
    }
    free(msg);
    return 1;
}

/* AdminClient.listConsumerGroups keeps the groups of the consumer
 * protocol and those with offsets only (empty protocol type). */
static int
cg_is_consumer_group(const samsa_group_listing_t *g)
{
    return strcmp(g->protocol_type, "consumer") == 0 ||
           g->protocol_type[0] == '\0';
}

/* The groups to act on: --all-groups (listGroups) or every --group.
 * *idsp (heap array) borrows from argv or from *lp (the listing, *nlp
 * entries), which the caller frees after it. */
static int
cg_group_ids(cg_ctx_t *ctx, const char ***idsp, int *np,
             samsa_group_listing_t **lp, int *nlp)
{
    samsa_group_listing_t *l = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int n = 0;

    *lp = NULL;
    *nlp = 0;
    if (!ctx->has[CG_ALL_GROUPS]) {
        *idsp = sm_calloc((size_t)ctx->ngroups + 1, sizeof(**idsp));
        memcpy(*idsp, ctx->groups, (size_t)ctx->ngroups * sizeof(**idsp));
        *np = ctx->ngroups;
        return 0;
    }
    err = samsa_list_groups(ctx->client, &l, &n, &msg);
    if (err != SAMSA_OK)
        return cg_fail(ctx, err, msg);
    *idsp = sm_calloc((size_t)n + 1, sizeof(**idsp));
    *np = 0;
    for (int i = 0; i < n; i++)
        if (cg_is_consumer_group(&l[i]))
            (*idsp)[(*np)++] = l[i].group_id;
    *lp = l;
    *nlp = n;
    return 0;
}

int
cg_kafka_list(cg_ctx_t *ctx)
{
    samsa_group_listing_t *l = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int n = 0;

    err = samsa_list_groups(ctx->client, &l, &n, &msg);
    if (err != SAMSA_OK)
        return cg_fail(ctx, err, msg);
    for (int i = 0; i < n; i++)
        if (cg_is_consumer_group(&l[i]))
            printf("%s\n", l[i].group_id);
    samsa_group_listings_free(l, n);
    return 0;
}

/* shouldPrintMemberState. */
static int
cg_should_print(cg_ctx_t *ctx, const char *group, const char *state,
                int nrows)
{
    if (strcmp(state, "Dead") == 0) {
        cg_error(ctx, "Consumer group '%s' does not exist.", group);
        return 0;
    }
    fflush(stdout);
    if (strcmp(state, "Empty") == 0)
        fprintf(stderr, "\nConsumer group '%s' has no active members.\n",
                group);
    else if (strcmp(state, "PreparingRebalance") == 0 ||
             strcmp(state, "CompletingRebalance") == 0)
        fprintf(stderr, "\nWarning: Consumer group '%s' is rebalancing.\n",
                group);
    return nrows > 0;
}

static int
cg_width(int w, const char *s)
{
    int l = (int)strlen(s != NULL ? s : CG_MISSING);

    return l > w ? l : w;
}

static const char *
cg_s(const char *s)
{
    return s != NULL ? s : CG_MISSING;
}

static void
cg_num(char *buf, size_t size, int64_t v)
{
    if (v < 0)
        snprintf(buf, size, "%s", CG_MISSING);
    else
        snprintf(buf, size, "%lld", (long long)v);
}

static void
cg_print_rows(const char *group, const cg_row_t *r, int n)
{
    int wg = cg_width(15, group), wt = 15, wc = 15, wh = 15;

    for (int i = 0; i < n; i++) {
        wt = cg_width(wt, r[i].topic);
        wc = cg_width(wc, r[i].consumer);
        wh = cg_width(wh, r[i].host);
    }
    printf("\n%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s\n", wg,
           "GROUP", wt, "TOPIC", "PARTITION", "CURRENT-OFFSET",
           "LOG-END-OFFSET", "LAG", wc, "CONSUMER-ID", wh, "HOST",
           "CLIENT-ID");
    for (int i = 0; i < n; i++) {
        char p[16], o[24], e[24], l[24];
        if (r[i].topic != NULL)
            snprintf(p, sizeof(p), "%d", (int)r[i].partition);
        else
            snprintf(p, sizeof(p), "%s", CG_MISSING);
        cg_num(o, sizeof(o), r[i].offset);
        cg_num(e, sizeof(e), r[i].leo);
        cg_num(l, sizeof(l), r[i].offset >= 0 && r[i].leo >= 0
                             ? r[i].leo - r[i].offset : -1);
        printf("%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s\n", wg,
               group, wt, cg_s(r[i].topic), p, o, e, l, wc,
               cg_s(r[i].consumer), wh, cg_s(r[i].host), cg_s(r[i].client));
    }
}

static int
cg_cmp_members(const void *a, const void *b)
{
    const samsa_group_member_t *const *x = a, *const *y = b;

    if ((*x)->assignment_cnt != (*y)->assignment_cnt)
        return (*x)->assignment_cnt > (*y)->assignment_cnt ? -1 : 1;
    return x < y ? -1 : x > y;     /* stable */
}

static int
cg_cmp_tp_by_part(const void *a, const void *b)
{
    const samsa_topic_partition_t *x = a, *y = b;
    int r = (x->partition > y->partition) - (x->partition < y->partition);

    return r != 0 ? r : strcmp(x->topic, y->topic);
}

/* The rows of one described group; *rowsp heap (strings borrowed from d
 * and com). */
static int
cg_collect(const samsa_group_description_t *d,
           const samsa_partition_offset_t *com, int ncom, cg_row_t **rowsp)
{
    int nm = d->member_cnt, n = 0, cap = ncom + 1;
    const samsa_group_member_t **m = sm_calloc((size_t)nm + 1, sizeof(*m));
    cg_row_t *r;

    for (int i = 0; i < nm; i++) {
        m[i] = &d->members[i];
        cap += m[i]->assignment_cnt;
        qsort(m[i]->assignment, (size_t)m[i]->assignment_cnt,
              sizeof(*m[i]->assignment), cg_cmp_tp_by_part);
    }
    qsort(m, (size_t)nm, sizeof(*m), cg_cmp_members);
    r = sm_calloc((size_t)cap, sizeof(*r));
    for (int i = 0; i < nm; i++) {
        for (int j = 0; j < m[i]->assignment_cnt; j++) {
            const samsa_topic_partition_t *tp = &m[i]->assignment[j];
            r[n].topic = tp->topic;
            r[n].partition = tp->partition;
            r[n].offset = -1;
            for (int k = 0; k < ncom; k++)
                if (com[k].partition == tp->partition &&
                    strcmp(com[k].topic, tp->topic) == 0)
                    r[n].offset = com[k].offset;
            r[n].consumer = m[i]->member_id;
            r[n].host = m[i]->host;
            r[n].client = m[i]->client_id;
            n++;
        }
    }
    for (int k = 0; k < ncom; k++) {
        int held = 0;
        for (int i = 0; i < n && !held; i++)
            held = r[i].partition == com[k].partition &&
                   strcmp(r[i].topic, com[k].topic) == 0;
        if (held)
            continue;
        r[n].topic = com[k].topic;
        r[n].partition = com[k].partition;
        r[n].offset = com[k].offset;
        n++;
    }
    sm_free(m);
    *rowsp = r;
    return n;
}

/* Fill rows' log end offsets (ListOffsets latest; "-" if unknown). */
static void
cg_fill_leo(cg_ctx_t *ctx, cg_row_t *r, int n)
{
    samsa_partition_offset_t *lo = sm_calloc((size_t)n + 1, sizeof(*lo));
    char *msg = NULL;

    for (int i = 0; i < n; i++) {
        lo[i].topic = sm_strdup(r[i].topic);
        lo[i].partition = r[i].partition;
    }
    if (n > 0 && samsa_list_offsets(ctx->client, lo, n,
                                    SAMSA_OFFSET_SPEC_LATEST, &msg)
                 == SAMSA_OK) {
        for (int i = 0; i < n; i++)
            r[i].leo = lo[i].err == SAMSA_OK ? lo[i].offset : -1;
    } else {
        for (int i = 0; i < n; i++)
            r[i].leo = -1;
    }
    free(msg);
    samsa_partition_offsets_free(lo, n);
}

static int
cg_describe_offsets(cg_ctx_t *ctx, const samsa_group_description_t *d)
{
    samsa_partition_offset_t *com = NULL;
    cg_row_t *rows = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int ncom = 0, n;

    err = samsa_list_group_offsets(ctx->client, d->group_id, &com, &ncom,
                                   &msg);
    if (err != SAMSA_OK)
        return cg_fail(ctx, err, msg);
    n = cg_collect(d, com, ncom, &rows);
    cg_fill_leo(ctx, rows, n);
    if (cg_should_print(ctx, d->group_id, d->state, n))
        cg_print_rows(d->group_id, rows, n);
    sm_free(rows);
    samsa_partition_offsets_free(com, ncom);
    return 0;
}

/* "t(0,1), u(2)" or "-" (heap). */
static char *
cg_assignment_str(const samsa_group_member_t *m)
{
    size_t cap = 64, len = 0;
    char *s = sm_malloc(cap);

    s[0] = '\0';
    if (m->assignment_cnt == 0) {
        snprintf(s, cap, "%s", CG_MISSING);
        return s;
    }
    /* assignment is sorted by topic, then partition */
    for (int i = 0; i < m->assignment_cnt; i++) {
        const samsa_topic_partition_t *tp = &m->assignment[i];
        int first = i == 0 || strcmp(m->assignment[i - 1].topic,
                                     tp->topic) != 0;
        int last = i + 1 == m->assignment_cnt ||
                   strcmp(m->assignment[i + 1].topic, tp->topic) != 0;
        size_t need = strlen(tp->topic) + 32;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            s = sm_realloc(s, cap);
        }
        len += (size_t)snprintf(s + len, cap - len, "%s%s%s%d%s",
                                first && i > 0 ? ", " : "",
                                first ? tp->topic : "", first ? "(" : ",",
                                (int)tp->partition, last ? ")" : "");
    }
    return s;
}

static void
cg_describe_members(cg_ctx_t *ctx, const samsa_group_description_t *d)
{
    int verbose = ctx->has[CG_VERBOSE];
    int wg = cg_width(15, d->group_id), wc = 15, wh = 15, wi = 15;

    if (!cg_should_print(ctx, d->group_id, d->state, d->member_cnt))
        return;
    for (int i = 0; i < d->member_cnt; i++) {
        wc = cg_width(wc, d->members[i].member_id);
        wh = cg_width(wh, d->members[i].host);
        wi = cg_width(wi, d->members[i].client_id);
    }
    printf("\n%-*s %-*s %-*s %-*s %-15s %s\n", wg, "GROUP", wc,
           "CONSUMER-ID", wh, "HOST", wi, "CLIENT-ID", "#PARTITIONS",
           verbose ? "ASSIGNMENT" : "");
    for (int i = 0; i < d->member_cnt; i++) {
        const samsa_group_member_t *m = &d->members[i];
        char *a = verbose ? cg_assignment_str(m) : NULL;
        printf("%-*s %-*s %-*s %-*s %-15d %s\n", wg, d->group_id, wc,
               m->member_id, wh, m->host, wi, m->client_id,
               m->assignment_cnt, a != NULL ? a : "");
        sm_free(a);
    }
}

static void
cg_describe_state(cg_ctx_t *ctx, const samsa_group_description_t *d)
{
    char coord[300];
    int w;

    if (!cg_should_print(ctx, d->group_id, d->state, 1))
        return;
    snprintf(coord, sizeof(coord), "%s:%d (%d)", cg_s(d->coordinator.host),
             (int)d->coordinator.port, (int)d->coordinator.id);
    w = cg_width(25, coord);
    printf("\n%-*s %-25s %-20s %-15s %s", w, "GROUP", "COORDINATOR (ID)",
           "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
    printf("\n%-*s %-25s %-20s %-15s %d\n", w, d->group_id, coord,
           d->protocol, d->state, d->member_cnt);
}

static int
cg_cmp_desc(const void *a, const void *b)
{
    const samsa_group_description_t *x = a, *y = b;

    return strcmp(x->group_id, y->group_id);
}

int
cg_kafka_describe(cg_ctx_t *ctx)
{
    samsa_group_description_t *d = NULL;
    samsa_group_listing_t *l = NULL;
    const char **ids = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int n = 0, nl = 0, rc = 0;

    if (cg_group_ids(ctx, &ids, &n, &l, &nl) != 0)
        return 1;
    err = samsa_describe_groups(ctx->client, ids, n, &d, &msg);
    if (err != SAMSA_OK) {
        rc = cg_fail(ctx, err, msg);
        goto out;
    }
    qsort(d, (size_t)n, sizeof(*d), cg_cmp_desc);
    for (int i = 0; i < n && rc == 0; i++) {
        if (d[i].err != SAMSA_OK) {
            rc = cg_fail(ctx, d[i].err, NULL);
        } else if (ctx->has[CG_MEMBERS]) {
            cg_describe_members(ctx, &d[i]);
        } else if (ctx->has[CG_STATE]) {
            cg_describe_state(ctx, &d[i]);
        } else {
            rc = cg_describe_offsets(ctx, &d[i]);
        }
    }
    samsa_group_descriptions_free(d, n);
out:
    sm_free(ids);
    samsa_group_listings_free(l, nl);
    return rc;
}

/* ------------------------------------------------------------ reset */

/* Commit plan; a failed partition fails the command like commitSync. */
static int
cg_commit(cg_ctx_t *ctx, const char *group, samsa_partition_offset_t *plan,
          int n)
{
    char *msg = NULL;
    samsa_err_t err;

    if (n == 0)
        return 0;
    err = samsa_alter_group_offsets(ctx->client, group, plan, n, &msg);
    if (err != SAMSA_OK)
        return cg_fail(ctx, err, msg);
    for (int i = 0; i < n; i++)
        if (plan[i].err != SAMSA_OK)
            return cg_fail(ctx, plan[i].err, NULL);
    return 0;
}

/* One group: its plan (empty if refused), committed when --execute. */
static int
cg_reset_group(cg_ctx_t *ctx, const samsa_group_description_t *d,
               samsa_partition_offset_t **planp, int *np)
{
    samsa_partition_offset_t *com = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int ncom = 0, rc;

    *planp = NULL;
    *np = 0;
    if (strcmp(d->state, "Empty") != 0 && strcmp(d->state, "Dead") != 0) {
        cg_error(ctx, "Assignments can only be reset if the group '%s' is "
                 "inactive, but the current state is %s.", d->group_id,
                 d->state);
        return 0;
    }
    err = samsa_list_group_offsets(ctx->client, d->group_id, &com, &ncom,
                                   &msg);
    if (err != SAMSA_OK)
        return cg_fail(ctx, err, msg);
    rc = cg_reset_plan(ctx, d->group_id, com, ncom, planp, np) != 0;
    if (rc == 0 && !cg_dry_run(ctx))
        rc = cg_commit(ctx, d->group_id, *planp, *np);
    samsa_partition_offsets_free(com, ncom);
    return rc;
}

int
cg_kafka_reset(cg_ctx_t *ctx)
{
    samsa_group_description_t *d = NULL;
    samsa_group_listing_t *l = NULL;
    samsa_partition_offset_t **plans;
    int *nplans, n = 0, nl = 0, rc = 0, done = 0;
    const char **ids = NULL;
    char *msg = NULL;
    samsa_err_t err;

    if (cg_group_ids(ctx, &ids, &n, &l, &nl) != 0)
        return 1;
    err = samsa_describe_groups(ctx->client, ids, n, &d, &msg);
    if (err != SAMSA_OK) {
        rc = cg_fail(ctx, err, msg);
        goto out;
    }
    plans = sm_calloc((size_t)n + 1, sizeof(*plans));
    nplans = sm_calloc((size_t)n + 1, sizeof(*nplans));
    for (done = 0; done < n && rc == 0; done++)
        rc = cg_reset_group(ctx, &d[done], &plans[done], &nplans[done]);
    if (rc == 0 && n > 0) {
        cg_print_plan_header(ctx);
        for (int i = 0; i < n; i++)
            cg_print_plan(ctx, d[i].group_id, plans[i], nplans[i]);
        cg_print_plan_end(ctx);
    }
    for (int i = 0; i < done; i++)
        samsa_partition_offsets_free(plans[i], nplans[i]);
    sm_free(plans);
    sm_free(nplans);
    samsa_group_descriptions_free(d, n);
out:
    sm_free(ids);
    samsa_group_listings_free(l, nl);
    return rc;
}

/* ------------------------------------------------------------ delete */

static void
cg_print_names(const samsa_result_t *r, int n, int ok)
{
    int first = 1;

    for (int i = 0; i < n; i++) {
        if ((r[i].err == SAMSA_OK) != ok)
            continue;
        printf("%s'%s'", first ? "" : ", ", r[i].name);
        first = 0;
    }
}

int
cg_kafka_delete(cg_ctx_t *ctx)
{
    samsa_group_listing_t *l = NULL;
    samsa_result_t *r = NULL;
    const char **ids = NULL;
    int n = 0, nl = 0, nok = 0;
    char *msg = NULL;
    samsa_err_t err;

    if (cg_group_ids(ctx, &ids, &n, &l, &nl) != 0)
        return 1;
    err = samsa_delete_groups(ctx->client, ids, n, &r, &msg);
    if (err != SAMSA_OK) {
        sm_free(ids);
        samsa_group_listings_free(l, nl);
        return cg_fail(ctx, err, msg);
    }
    for (int i = 0; i < n; i++)
        nok += r[i].err == SAMSA_OK;
    if (nok == n) {
        printf("Deletion of requested consumer groups (");
        cg_print_names(r, n, 1);
        printf(") was successful.\n");
    } else {
        cg_error(ctx, "Deletion of some consumer groups failed:");
        for (int i = 0; i < n; i++)
            if (r[i].err != SAMSA_OK)
                printf("* Group '%s' could not be deleted due to: "
                       "java.util.concurrent.ExecutionException: "
                       "org.apache.kafka.common.errors.%s: %s\n", r[i].name,
                       cg_exc_class(r[i].err), r[i].errmsg);
        if (nok > 0) {
            printf("\nThese consumer groups were deleted successfully: ");
            cg_print_names(r, n, 1);
            printf("\n");
        }
    }
    samsa_results_free(r, n);
    sm_free(ids);
    samsa_group_listings_free(l, nl);
    return 0;
}

/* ------------------------------------------------------- delete offsets */

/* The partitions of --topic t:p,p (as given) and t (all of t's; a topic
 * that cannot be described becomes partition -1 with its error). */
static void
cg_od_partitions(cg_ctx_t *ctx, samsa_partition_offset_t **vp, int *np)
{
    samsa_partition_offset_t *v = NULL;
    int n = 0;

    for (int i = 0; i < ctx->ntopics; i++) {
        char *t = sm_strdup(ctx->topics[i]), *colon = strchr(t, ':');
        samsa_metadata_t *md = NULL;
        const char *one = t;
        char *msg = NULL;
        if (colon != NULL) {
            *colon = '\0';
            for (char *p = strtok(colon + 1, ","); p != NULL;
                 p = strtok(NULL, ",")) {
                v = sm_realloc(v, (size_t)(n + 1) * sizeof(*v));
                memset(&v[n], 0, sizeof(*v));
                v[n].topic = sm_strdup(t);
                v[n++].partition = (int32_t)atoi(p);
            }
        } else if (samsa_describe_topics(ctx->client, &one, 1, &md, &msg)
                   == SAMSA_OK) {
            const samsa_topic_md_t *tm = &md->topics[0];
            int cnt = tm->err == SAMSA_OK ? tm->partition_cnt : 1;
            v = sm_realloc(v, (size_t)(n + cnt) * sizeof(*v));
            for (int k = 0; k < cnt; k++, n++) {
                memset(&v[n], 0, sizeof(*v));
                v[n].topic = sm_strdup(t);
                v[n].partition = tm->err == SAMSA_OK
                                 ? tm->partitions[k].partition : -1;
                v[n].err = tm->err;
            }
            samsa_metadata_destroy(md);
        }
        free(msg);
        sm_free(t);
    }
    *vp = v;
    *np = n;
}

static int
cg_cmp_od(const void *a, const void *b)
{
    const samsa_partition_offset_t *x = a, *y = b;
    char kx[512], ky[512];

    /* Kafka sorts by topic + partition as one string */
    snprintf(kx, sizeof(kx), "%s%d", x->topic, (int)x->partition);
    snprintf(ky, sizeof(ky), "%s%d", y->topic, (int)y->partition);
    return strcmp(kx, ky);
}

static void
cg_od_report(cg_ctx_t *ctx, const char *group, samsa_err_t top)
{
    switch (top) {
    case SAMSA_OK:
        printf("Request succeed for deleting offsets with topic ");
        for (int i = 0; i < ctx->ntopics; i++)
            printf("%s%s", i > 0 ? ", " : "", ctx->topics[i]);
        printf(" group %s\n", group);
        break;
    case SM_ERR_INVALID_GROUP_ID:
        cg_error(ctx, "'%s' is not valid.", group);
        break;
    case SM_ERR_GROUP_ID_NOT_FOUND:
        cg_error(ctx, "'%s' does not exist.", group);
        break;
    case SM_ERR_GROUP_AUTHORIZATION_FAILED:
        cg_error(ctx, "Access to '%s' is not authorized.", group);
        break;
    case SM_ERR_NON_EMPTY_GROUP:
        cg_error(ctx, "Deleting offsets of a consumer group '%s' is "
                 "forbidden if the group is not empty.", group);
        break;
    case SM_ERR_GROUP_SUBSCRIBED_TO_TOPIC:
    case SM_ERR_TOPIC_AUTHORIZATION_FAILED:
    case SM_ERR_UNKNOWN_TOPIC_OR_PARTITION:
        cg_error(ctx, "Encounter some partition level error, see the "
                 "follow-up details:");
        break;
    default:
        cg_error(ctx, "Encounter some unknown error: %s",
                 samsa_err_name(top));
    }
}

int
cg_kafka_delete_offsets(cg_ctx_t *ctx)
{
    const char *group = ctx->groups[ctx->ngroups - 1];
    samsa_partition_offset_t *v = NULL, *ask;
    samsa_err_t err, top = SAMSA_OK;
    int n = 0, nask = 0;
    char *msg = NULL;

    cg_od_partitions(ctx, &v, &n);
    ask = sm_calloc((size_t)n + 1, sizeof(*ask));
    for (int i = 0; i < n; i++)
        if (v[i].partition >= 0)
            ask[nask++] = v[i];      /* shallow: v keeps the strings */
    err = nask > 0 ? samsa_delete_group_offsets(ctx->client, group, ask,
                                                 nask, &top, &msg)
                   : SAMSA_OK;
    if (err != SAMSA_OK) {
        sm_free(ask);
        samsa_partition_offsets_free(v, n);
        return cg_fail(ctx, err, msg);
    }
    for (int i = 0, k = 0; i < n; i++)
        if (v[i].partition >= 0)
            v[i].err = ask[k++].err;
    for (int i = 0; i < n && top == SAMSA_OK; i++)
        top = v[i].err;
    cg_od_report(ctx, group, top);
    printf("\n%-30s %-15s %-15s\n", "TOPIC", "PARTITION", "STATUS");
    qsort(v, (size_t)n, sizeof(*v), cg_cmp_od);
    for (int i = 0; i < n; i++) {
        char p[16];
        if (v[i].partition >= 0)
            snprintf(p, sizeof(p), "%d", (int)v[i].partition);
        else
            snprintf(p, sizeof(p), "Not Provided");
        if (v[i].err == SAMSA_OK)
            printf("%-30s %-15s %-15s\n", v[i].topic, p, "Successful");
        else
            printf("%-30s %-15s Error: %-8s\n", v[i].topic, p,
                   samsa_err_message(v[i].err));
    }
    sm_free(ask);
    samsa_partition_offsets_free(v, n);
    return 0;
}
