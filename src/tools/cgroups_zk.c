/*
 * cgroups_zk.c: --zookeeper mode of samsa-consumer-groups (Kafka 1.x's
 * ZkConsumerGroupService, for groups of 0.8 consumers and of OffsetCommit
 * v0, whose offsets live in ZooKeeper) and samsa's --copy-offsets.
 *
 * ZNODES (paths from zk_paths.h only):
 *   /consumers/<g>                       the group exists
 *   /consumers/<g>/ids/<consumerId>      live members (ephemeral)
 *   /consumers/<g>/owners/<t>/<p>        "<consumerId>-<thread>"
 *   /consumers/<g>/offsets/<t>/<p>       committed offset, decimal text
 *
 * --describe lists every partition of every topic under offsets/ (from
 * /brokers/topics/<t>), its ZooKeeper offset, the owner's consumer id,
 * and the log end offset from the partition's leader (ListOffsets through
 * a client bootstrapped from /brokers/ids); then one row per subscribed
 * topic of each live member that owns nothing.  --delete removes the
 * group's subtree only when no member is registered (with --topic: only
 * that topic's owners/ and offsets/, of the named groups or of every
 * group holding offsets for it, as Kafka 1.x).  --reset-offsets
 * writes the planned offsets to ZooKeeper (refused while members live).
 *
 * COPY.  kafka -> zookeeper reads the group's committed offsets with
 * OffsetFetch (all partitions) and writes /consumers/<g>/offsets/...;
 * refused while 0.8 members are registered, as they would overwrite it.
 * zookeeper -> kafka commits through the group coordinator with
 * OffsetCommit v2+ (GenerationId -1, empty MemberId), never by writing
 * __consumer_offsets behind the coordinator's back, so its cache stays
 * the truth; refused unless the group is Empty or Dead, and refused when
 * the coordinator's offsets.storage is zookeeper (the commit would land
 * in ZooKeeper again; kafka and dual put it in __consumer_offsets).
 *
 * Threads: one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "tools/cgroups.h"
#include "zk/kafka_zk.h"
#include "zk/zk_paths.h"

#define CG_ZK_TIMEOUT_MS 30000

int
cg_zk_open(cg_ctx_t *ctx)
{
    sm_zk_conf_t conf;
    char errstr[512];

    memset(&conf, 0, sizeof(conf));
    conf.connect = ctx->val[CG_ZOOKEEPER];
    conf.session_timeout_ms = CG_ZK_TIMEOUT_MS;
    conf.connection_timeout_ms = CG_ZK_TIMEOUT_MS;
    if (sm_zk_new(&conf, &ctx->zk, errstr, sizeof(errstr)) != SM_OK) {
        fprintf(stderr, "Exception in thread \"main\" "
                "kafka.zookeeper.ZooKeeperClientTimeoutException: %s\n",
                errstr);
        ctx->zk = NULL;
        return -1;
    }
    return 0;
}

/* A client bootstrapped from every registered broker's first endpoint. */
static int
cg_zk_client(cg_ctx_t *ctx)
{
    sm_zk_ints_t ids = { NULL, 0 };
    char *boot = sm_strdup("");

    if (ctx->client != NULL)
        goto out;
    if (sm_zk_get_broker_ids(ctx->zk, 0, &ids) == SM_OK) {
        for (int i = 0; i < ids.cnt; i++) {
            sm_zk_broker_t b;
            char *next;
            memset(&b, 0, sizeof(b));
            if (sm_zk_get_broker(ctx->zk, ids.v[i], &b, NULL) != SM_OK)
                continue;
            if (b.endpoint_cnt > 0) {
                next = sm_asprintf("%s%s%s:%d", boot, boot[0] ? "," : "",
                                   b.endpoints[0].host,
                                   (int)b.endpoints[0].port);
                sm_free(boot);
                boot = next;
            }
            sm_zk_broker_fini(&b);
        }
    }
    sm_free(ids.v);
    if (boot[0] == '\0') {
        cg_error(ctx, "No broker is registered in ZooKeeper");
        sm_free(boot);
        return -1;
    }
    ctx->client = cg_client_new(ctx, boot);
out:
    sm_free(boot);
    return ctx->client != NULL ? 0 : -1;
}

static int
cg_zk_children(cg_ctx_t *ctx, char *path, sm_zk_strings_t *out)
{
    sm_err_t err = sm_zk_get_children(ctx->zk, path, 0, out);

    sm_free(path);
    if (err != SM_OK) {
        out->v = NULL;
        out->cnt = 0;
    }
    return err == SM_OK ? 0 : -1;
}

static int
cg_zk_exists(cg_ctx_t *ctx, char *path)
{
    int r = sm_zk_exists(ctx->zk, path, 0, NULL) == SM_OK;

    sm_free(path);
    return r;
}

/* Number of registered (live) members; 0 if none or no ids znode. */
static int
cg_zk_live(cg_ctx_t *ctx, const char *group)
{
    sm_zk_strings_t ids;
    int n;

    cg_zk_children(ctx, sm_zk_path_consumer_ids(group), &ids);
    n = ids.cnt;
    sm_zk_strings_fini(&ids);
    return n;
}

int
cg_zk_list(cg_ctx_t *ctx)
{
    sm_zk_strings_t g;

    cg_zk_children(ctx, sm_strdup(sm_zk_path_consumers()), &g);
    for (int i = 0; i < g.cnt; i++)
        printf("%s\n", g.v[i]);
    sm_zk_strings_fini(&g);
    return 0;
}

int
cg_zk_offsets(cg_ctx_t *ctx, const char *group,
              samsa_partition_offset_t **vp, int *np)
{
    samsa_partition_offset_t *v = NULL;
    sm_zk_strings_t topics;
    int n = 0;

    cg_zk_children(ctx, sm_zk_path_consumer_offsets(group), &topics);
    for (int i = 0; i < topics.cnt; i++) {
        sm_zk_strings_t parts;
        cg_zk_children(ctx, sm_zk_path_consumer_topic_offsets(group,
                                                              topics.v[i]),
                       &parts);
        for (int j = 0; j < parts.cnt; j++) {
            int32_t p = (int32_t)atoi(parts.v[j]);
            int64_t off;
            if (sm_zk_get_consumer_offset(ctx->zk, group, topics.v[i], p,
                                          &off) != SM_OK)
                continue;
            v = sm_realloc(v, (size_t)(n + 1) * sizeof(*v));
            memset(&v[n], 0, sizeof(*v));
            v[n].topic = sm_strdup(topics.v[i]);
            v[n].partition = p;
            v[n].offset = off;
            n++;
        }
        sm_zk_strings_fini(&parts);
    }
    sm_zk_strings_fini(&topics);
    *vp = v;
    *np = n;
    return 0;
}

/* ------------------------------------------------------------ describe */

typedef struct cg_zrow {
    char   *topic;                 /* NULL: "-" */
    int32_t partition;
    int64_t offset;                /* -1: "-" */
    int64_t leo;
    char   *owner;                 /* NULL: "-" */
} cg_zrow_t;

/* The owner's consumer id (the text before the last '-'), or NULL. */
static char *
cg_zk_owner(cg_ctx_t *ctx, const char *group, const char *topic, int32_t p)
{
    char *path = sm_zk_path_consumer_owner(group, topic, p);
    char *data = NULL, *dash;
    int len = -1;

    if (sm_zk_get(ctx->zk, path, 0, &data, &len, NULL) != SM_OK ||
        data == NULL) {
        sm_free(path);
        sm_free(data);
        return NULL;
    }
    sm_free(path);
    dash = strrchr(data, '-');
    if (dash != NULL)
        *dash = '\0';
    return data;
}

static void
cg_zk_row(cg_zrow_t **r, int *n, const char *topic, int32_t p, int64_t off,
          char *owner)
{
    *r = sm_realloc(*r, (size_t)(*n + 1) * sizeof(**r));
    (*r)[*n].topic = topic != NULL ? sm_strdup(topic) : NULL;
    (*r)[*n].partition = p;
    (*r)[*n].offset = off;
    (*r)[*n].leo = -1;
    (*r)[*n].owner = owner;
    (*n)++;
}

/* Rows of the partitions of the group's topics. */
static int
cg_zk_part_rows(cg_ctx_t *ctx, const char *group, cg_zrow_t **r)
{
    sm_zk_strings_t topics;
    int n = 0;

    cg_zk_children(ctx, sm_zk_path_consumer_offsets(group), &topics);
    for (int i = 0; i < topics.cnt; i++) {
        sm_zk_topic_t t;
        memset(&t, 0, sizeof(t));
        if (sm_zk_get_topic(ctx->zk, topics.v[i], 0, &t) != SM_OK)
            continue;
        for (int j = 0; j < t.part_cnt; j++) {
            int32_t p = t.parts[j].partition;
            int64_t off = -1;
            if (sm_zk_get_consumer_offset(ctx->zk, group, topics.v[i], p,
                                          &off) != SM_OK) {
                int was = ctx->failed;
                cg_error(ctx, "Could not fetch offset from zookeeper for "
                         "group '%s' partition '[%s,%d]' due to missing "
                         "offset data in zookeeper.", group, topics.v[i],
                         (int)p);
                ctx->failed = was;   /* a row without offset: no failure */
                off = -1;
            }
            cg_zk_row(r, &n, topics.v[i], p, off,
                      cg_zk_owner(ctx, group, topics.v[i], p));
        }
        sm_zk_topic_fini(&t);
    }
    sm_zk_strings_fini(&topics);
    return n;
}

/* Rows of live members that own nothing: one per subscribed topic. */
static int
cg_zk_idle_rows(cg_ctx_t *ctx, const char *group, cg_zrow_t **r, int n)
{
    sm_zk_strings_t ids;
    int nparts = n;

    cg_zk_children(ctx, sm_zk_path_consumer_ids(group), &ids);
    for (int i = 0; i < ids.cnt; i++) {
        char *path, *data = NULL, errstr[256];
        sm_zk_consumer_reg_t reg;
        int owns = 0, len = -1, subs = 1;
        for (int k = 0; k < nparts && !owns; k++)
            owns = (*r)[k].owner != NULL &&
                   strcmp((*r)[k].owner, ids.v[i]) == 0;
        if (owns)
            continue;
        path = sm_zk_path_consumer_id(group, ids.v[i]);
        memset(&reg, 0, sizeof(reg));
        if (sm_zk_get(ctx->zk, path, 0, &data, &len, NULL) == SM_OK &&
            sm_zk_consumer_reg_decode(path, data, len, &reg, errstr,
                                      sizeof(errstr)) == SM_OK)
            subs = reg.cnt > 0 ? reg.cnt : 1;
        sm_zk_consumer_reg_fini(&reg);
        sm_free(data);
        sm_free(path);
        for (int s = 0; s < subs; s++)
            cg_zk_row(r, &n, NULL, -1, -1, sm_strdup(ids.v[i]));
    }
    sm_zk_strings_fini(&ids);
    return n;
}

static void
cg_zk_fill_leo(cg_ctx_t *ctx, cg_zrow_t *r, int n)
{
    samsa_partition_offset_t *lo;
    int m = 0;
    char *msg = NULL;

    if (n == 0 || cg_zk_client(ctx) != 0)
        return;
    lo = sm_calloc((size_t)n + 1, sizeof(*lo));
    for (int i = 0; i < n; i++) {
        if (r[i].topic == NULL)
            continue;
        lo[m].topic = sm_strdup(r[i].topic);
        lo[m].partition = r[i].partition;
        m++;
    }
    if (m > 0 && samsa_list_offsets(ctx->client, lo, m,
                                    SAMSA_OFFSET_SPEC_LATEST, &msg)
                 == SAMSA_OK) {
        for (int i = 0, k = 0; i < n; i++)
            if (r[i].topic != NULL) {
                r[i].leo = lo[k].err == SAMSA_OK ? lo[k].offset : -1;
                k++;
            }
    }
    free(msg);
    samsa_partition_offsets_free(lo, m);
}

static void
cg_zk_num(char *b, size_t size, int64_t v)
{
    if (v < 0)
        snprintf(b, size, "-");
    else
        snprintf(b, size, "%lld", (long long)v);
}

static void
cg_zk_print(const cg_zrow_t *r, int n)
{
    int wt = 15, wc = 15;

    for (int i = 0; i < n; i++) {
        int lt = r[i].topic ? (int)strlen(r[i].topic) : 1;
        int lc = r[i].owner ? (int)strlen(r[i].owner) : 1;
        wt = lt > wt ? lt : wt;
        wc = lc > wc ? lc : wc;
    }
    printf("\n%-*s %-10s %-15s %-15s %-15s %-*s \n", wt, "TOPIC",
           "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", wc,
           "CONSUMER-ID");
    for (int i = 0; i < n; i++) {
        char p[16], o[24], e[24], l[24];
        if (r[i].topic != NULL)
            snprintf(p, sizeof(p), "%d", (int)r[i].partition);
        else
            snprintf(p, sizeof(p), "-");
        cg_zk_num(o, sizeof(o), r[i].offset);
        cg_zk_num(e, sizeof(e), r[i].leo);
        cg_zk_num(l, sizeof(l), r[i].offset >= 0 && r[i].leo >= 0
                                ? r[i].leo - r[i].offset : -1);
        printf("%-*s %-10s %-15s %-15s %-15s %-*s \n", wt,
               r[i].topic ? r[i].topic : "-", p, o, e, l, wc,
               r[i].owner ? r[i].owner : "-");
    }
}

static void
cg_zk_describe_one(cg_ctx_t *ctx, const char *group)
{
    cg_zrow_t *r = NULL;
    int n;

    if (!cg_zk_exists(ctx, sm_zk_path_consumer_group(group))) {
        cg_error(ctx, "The consumer group '%s' does not exist.", group);
        return;
    }
    n = cg_zk_part_rows(ctx, group, &r);
    n = cg_zk_idle_rows(ctx, group, &r, n);
    cg_zk_fill_leo(ctx, r, n);
    cg_zk_print(r, n);
    for (int i = 0; i < n; i++) {
        sm_free(r[i].topic);
        sm_free(r[i].owner);
    }
    sm_free(r);
}

/* The groups: every --group, or /consumers' children (--all-groups). */
static void
cg_zk_groups(cg_ctx_t *ctx, sm_zk_strings_t *out)
{
    if (ctx->has[CG_ALL_GROUPS]) {
        cg_zk_children(ctx, sm_strdup(sm_zk_path_consumers()), out);
        return;
    }
    out->cnt = ctx->ngroups;
    out->v = sm_calloc((size_t)ctx->ngroups + 1, sizeof(*out->v));
    for (int i = 0; i < ctx->ngroups; i++)
        out->v[i] = sm_strdup(ctx->groups[i]);
}

int
cg_zk_describe(cg_ctx_t *ctx)
{
    sm_zk_strings_t g;

    cg_zk_groups(ctx, &g);
    for (int i = 0; i < g.cnt; i++)
        cg_zk_describe_one(ctx, g.v[i]);
    sm_zk_strings_fini(&g);
    return 0;
}

/* ------------------------------------------------------------ delete */

/* deleteConsumerGroupInfoForTopicInZK: the topic's owners and offsets
 * of an inactive group.  0 deleted, 1 members live, -1 no group. */
static int
cg_zk_delete_topic_of(cg_ctx_t *ctx, const char *group, const char *topic)
{
    char *owners, *offsets;

    if (!cg_zk_exists(ctx, sm_zk_path_consumer_group(group)))
        return -1;
    if (cg_zk_live(ctx, group) > 0)
        return 1;
    owners = sm_zk_path_consumer_topic_owners(group, topic);
    offsets = sm_zk_path_consumer_topic_offsets(group, topic);
    (void)sm_zk_delete_recursive(ctx->zk, owners);
    (void)sm_zk_delete_recursive(ctx->zk, offsets);
    sm_free(owners);
    sm_free(offsets);
    return 0;
}

/* --delete --topic t [--group g...]: Kafka 1.x's per-topic deletes. */
static int
cg_zk_delete_topic(cg_ctx_t *ctx)
{
    const char *topic = ctx->val[CG_TOPIC];
    sm_zk_strings_t g;

    if (!ctx->has[CG_GROUP]) {
        /* every group with offsets for the topic; active ones stay */
        cg_zk_children(ctx, sm_strdup(sm_zk_path_consumers()), &g);
        for (int i = 0; i < g.cnt; i++)
            if (cg_zk_exists(ctx, sm_zk_path_consumer_topic_offsets(
                                      g.v[i], topic)))
                (void)cg_zk_delete_topic_of(ctx, g.v[i], topic);
        sm_zk_strings_fini(&g);
        printf("Deleted consumer group information for all inactive "
               "consumer groups for topic '%s' in zookeeper.\n", topic);
        return 0;
    }
    for (int i = 0; i < ctx->ngroups; i++) {
        const char *grp = ctx->groups[i];
        int r = cg_zk_delete_topic_of(ctx, grp, topic);
        if (r == 0)
            printf("Deleted consumer group information for group '%s' "
                   "topic '%s' in zookeeper.\n", grp, topic);
        else if (r > 0)
            cg_error(ctx, "Delete for group '%s' topic '%s' failed because "
                     "its consumers are still active.", grp, topic);
        else
            cg_error(ctx, "Delete for group '%s' topic '%s' failed because "
                     "group does not exist.", grp, topic);
    }
    return 0;
}

int
cg_zk_delete(cg_ctx_t *ctx)
{
    sm_zk_strings_t g;

    if (ctx->has[CG_TOPIC])
        return cg_zk_delete_topic(ctx);

    cg_zk_groups(ctx, &g);
    for (int i = 0; i < g.cnt; i++) {
        char *path = sm_zk_path_consumer_group(g.v[i]);
        if (!cg_zk_exists(ctx, sm_strdup(path))) {
            cg_error(ctx, "Delete for group '%s' failed because group does "
                     "not exist.", g.v[i]);
        } else if (cg_zk_live(ctx, g.v[i]) > 0) {
            cg_error(ctx, "Delete for group '%s' failed because its "
                     "consumers are still active.", g.v[i]);
        } else if (sm_zk_delete_recursive(ctx->zk, path) != SM_OK) {
            cg_error(ctx, "Delete for group '%s' failed: ZooKeeper error",
                     g.v[i]);
        } else {
            printf("Deleted all consumer group information for group '%s' "
                   "in zookeeper.\n", g.v[i]);
        }
        sm_free(path);
    }
    sm_zk_strings_fini(&g);
    return 0;
}

/* ------------------------------------------------------------ reset */

static int
cg_zk_write(cg_ctx_t *ctx, const char *group,
            const samsa_partition_offset_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (sm_zk_set_consumer_offset(ctx->zk, group, v[i].topic,
                                      v[i].partition, v[i].offset)
            != SM_OK) {
            cg_error(ctx, "Executing consumer group command failed due to "
                     "writing /consumers/%s/offsets/%s/%d failed", group,
                     v[i].topic, (int)v[i].partition);
            return -1;
        }
    }
    return 0;
}

int
cg_zk_reset(cg_ctx_t *ctx)
{
    samsa_partition_offset_t *com, *plan;
    int ncom, nplan, rc = 0, printed = 0;
    sm_zk_strings_t g;

    if (cg_zk_client(ctx) != 0)
        return 1;
    cg_zk_groups(ctx, &g);
    for (int i = 0; i < g.cnt && rc == 0; i++) {
        if (cg_zk_live(ctx, g.v[i]) > 0) {
            cg_error(ctx, "Assignments can only be reset if the group '%s' "
                     "is inactive, but the current state is Stable.",
                     g.v[i]);
            continue;
        }
        cg_zk_offsets(ctx, g.v[i], &com, &ncom);
        rc = cg_reset_plan(ctx, g.v[i], com, ncom, &plan, &nplan)
             != 0;
        if (rc == 0 && !cg_dry_run(ctx))
            rc = cg_zk_write(ctx, g.v[i], plan, nplan) != 0;
        if (rc == 0) {
            if (!printed++)
                cg_print_plan_header(ctx);
            cg_print_plan(ctx, g.v[i], plan, nplan);
        }
        samsa_partition_offsets_free(com, ncom);
        samsa_partition_offsets_free(plan, nplan);
    }
    sm_zk_strings_fini(&g);
    return rc;
}

/* ------------------------------------------------------------ copy */

static int
cg_copy_to_zk(cg_ctx_t *ctx, const char *group)
{
    samsa_partition_offset_t *v = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int n = 0, rc = 0;

    err = samsa_list_group_offsets(ctx->client, group, &v, &n, &msg);
    if (err != SAMSA_OK) {
        cg_error(ctx, "Executing consumer group command failed due to %s",
                 msg != NULL ? msg : samsa_err_message(err));
        free(msg);
        return 1;
    }
    if (cg_zk_live(ctx, group) > 0) {
        cg_error(ctx, "Offsets can only be copied to ZooKeeper if the group "
                 "'%s' has no live ZooKeeper consumers.", group);
        rc = 1;
    } else if (!cg_dry_run(ctx) && cg_zk_write(ctx, group, v, n) != 0) {
        rc = 1;
    }
    if (rc == 0) {
        cg_print_plan_header(ctx);
        cg_print_plan(ctx, group, v, n);
    }
    samsa_partition_offsets_free(v, n);
    return rc;
}

/* The coordinator's offsets.storage is zookeeper (DescribeConfigs of
 * that broker): a commit through it would land in ZooKeeper again.
 * Unknown (an old or foreign broker) counts as not. */
static int
cg_storage_is_zk(cg_ctx_t *ctx, int32_t broker)
{
    samsa_resource_config_t *rc = NULL;
    char id[16], *msg = NULL;
    const char *name = id;
    int zk = 0;

    snprintf(id, sizeof(id), "%d", (int)broker);
    if (samsa_describe_configs(ctx->client, SAMSA_RESOURCE_BROKER, &name, 1,
                               &rc, &msg) != SAMSA_OK) {
        free(msg);
        return 0;
    }
    for (int i = 0; i < rc[0].entry_cnt; i++)
        if (strcmp(rc[0].entries[i].name, "offsets.storage") == 0 &&
            rc[0].entries[i].value != NULL)
            zk = strcmp(rc[0].entries[i].value, "zookeeper") == 0;
    samsa_resource_configs_free(rc, 1);
    return zk;
}

static int
cg_copy_to_kafka(cg_ctx_t *ctx, const char *group)
{
    samsa_group_description_t *d = NULL;
    samsa_partition_offset_t *v = NULL;
    char *msg = NULL;
    samsa_err_t err;
    int n = 0, rc = 0;

    err = samsa_describe_groups(ctx->client, &group, 1, &d, &msg);
    if (err == SAMSA_OK && strcmp(d[0].state, "Empty") != 0 &&
        strcmp(d[0].state, "Dead") != 0) {
        cg_error(ctx, "Assignments can only be reset if the group '%s' is "
                 "inactive, but the current state is %s.", group,
                 d[0].state);
        samsa_group_descriptions_free(d, 1);
        return 1;
    }
    if (err == SAMSA_OK && cg_storage_is_zk(ctx, d[0].coordinator.id)) {
        cg_error(ctx, "The coordinator of group '%s' (broker %d) has "
                 "offsets.storage=zookeeper: the offsets are in ZooKeeper "
                 "already", group, (int)d[0].coordinator.id);
        samsa_group_descriptions_free(d, 1);
        return 1;
    }
    samsa_group_descriptions_free(d, 1);
    cg_zk_offsets(ctx, group, &v, &n);
    if (err == SAMSA_OK && !cg_dry_run(ctx) && n > 0) {
        err = samsa_alter_group_offsets(ctx->client, group, v, n, &msg);
        for (int i = 0; i < n && err == SAMSA_OK; i++)
            err = v[i].err;
    }
    if (err != SAMSA_OK) {
        cg_error(ctx, "Executing consumer group command failed due to %s",
                 msg != NULL ? msg : samsa_err_message(err));
        rc = 1;
    } else {
        cg_print_plan_header(ctx);
        cg_print_plan(ctx, group, v, n);
    }
    free(msg);
    samsa_partition_offsets_free(v, n);
    return rc;
}

int
cg_copy_offsets(cg_ctx_t *ctx)
{
    const char *group = ctx->groups[0];

    if (cg_zk_open(ctx) != 0)
        return 2;
    ctx->client = cg_client_new(ctx, ctx->val[CG_BOOTSTRAP]);
    if (ctx->client == NULL)
        return 2;
    if (strcmp(ctx->val[CG_TO], "zookeeper") == 0)
        return cg_copy_to_zk(ctx, group);
    return cg_copy_to_kafka(ctx, group);
}
