/*
 * group_member.c: a libsamsa group consumer for the integration tests
 * (test_group_consumer.py).  It joins a group, consumes, commits as told
 * and prints one line per event on stdout, flushed at once:
 *
 *   assigned <t>-<p> ...        the rebalance callback (sorted)
 *   revoked <t>-<p> ...
 *   msg <t> <p> <offset> <value>
 *   commit_cb <err> <n>         an async/auto commit's callback
 *   on_commit <n>               the on_commit interceptor
 *   check <what> <result>       --checks: position/committed/pause/seek
 *   error <err> <message>
 *   done consumed=<n> on_consume=<n>
 *
 * Usage: group_member -b BOOTSTRAP -g GROUP (-t TOPIC ... | -p REGEX)
 *          [-X key=value ...] [--commit sync|async|auto|none]
 *          [--max N] [--idle MS] [--run MS] [--stall MS] [--checks]
 * Stops after --max messages, --idle ms without one (once assigned),
 * --run ms, or SIGTERM; then closes the consumer (commit, LeaveGroup).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/samsa.h"

static volatile sig_atomic_t stop;
static long on_consume_cnt;

static void
on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
print_tps(const char *what, const samsa_topic_partition_t *tps, int n)
{
    printf("%s", what);
    for (int i = 0; i < n; i++)
        printf(" %s-%d", tps[i].topic, (int)tps[i].partition);
    printf("\n");
    fflush(stdout);
}

static void
rebalance_cb(samsa_consumer_t *c, int kind, const samsa_topic_partition_t *tps,
             int n, void *opaque)
{
    (void)c;
    (void)opaque;
    print_tps(kind == SAMSA_REBALANCE_ASSIGNED ? "assigned" : "revoked",
              tps, n);
}

static void
commit_cb(samsa_err_t err, const samsa_partition_offset_t *o, int n,
          void *opaque)
{
    (void)o;
    (void)opaque;
    printf("commit_cb %d %d\n", err, n);
    fflush(stdout);
}

static void
icpt_consume(samsa_message_t *m, void *opaque)
{
    (void)m;
    (void)opaque;
    on_consume_cnt++;
}

static void
icpt_commit(const samsa_partition_offset_t *o, int n, void *opaque)
{
    (void)o;
    (void)opaque;
    printf("on_commit %d\n", n);
    fflush(stdout);
}

typedef struct opts {
    const char *boot, *group, *pattern, *commit;
    const char *topics[16];
    int ntopics, checks;
    long max, idle, run, stall;
} opts_t;

static void
usage(void)
{
    fprintf(stderr, "usage: group_member -b BOOT -g GROUP (-t TOPIC | -p "
            "REGEX) [-X k=v] [--commit sync|async|auto|none] [--max N] "
            "[--idle MS] [--run MS] [--stall MS] [--checks]\n");
    exit(2);
}

static samsa_conf_t *
parse(int argc, char **argv, opts_t *o)
{
    samsa_conf_t *conf = samsa_conf_new();
    char errstr[512];

    memset(o, 0, sizeof(*o));
    o->commit = "sync";
    o->idle = 5000;
    o->run = 60000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL && strcmp(a, "--checks") != 0)
            usage();
        if (strcmp(a, "-b") == 0) o->boot = v;
        else if (strcmp(a, "-g") == 0) o->group = v;
        else if (strcmp(a, "-t") == 0 && o->ntopics < 16)
            o->topics[o->ntopics++] = v;
        else if (strcmp(a, "-p") == 0) o->pattern = v;
        else if (strcmp(a, "--commit") == 0) o->commit = v;
        else if (strcmp(a, "--max") == 0) o->max = atol(v);
        else if (strcmp(a, "--idle") == 0) o->idle = atol(v);
        else if (strcmp(a, "--run") == 0) o->run = atol(v);
        else if (strcmp(a, "--stall") == 0) o->stall = atol(v);
        else if (strcmp(a, "--checks") == 0) { o->checks = 1; continue; }
        else if (strcmp(a, "-X") == 0) {
            char *kv = strdup(v), *eq = strchr(kv, '=');
            if (eq == NULL)
                usage();
            *eq = '\0';
            if (samsa_conf_set(conf, kv, eq + 1, errstr, sizeof(errstr))
                != SAMSA_OK) {
                fprintf(stderr, "%s\n", errstr);
                exit(2);
            }
            free(kv);
        } else
            usage();
        i++;
    }
    if (o->boot == NULL || o->group == NULL ||
        (o->ntopics == 0 && o->pattern == NULL))
        usage();
    samsa_conf_set(conf, "bootstrap.servers", o->boot, errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "group.id", o->group, errstr, sizeof(errstr));
    samsa_conf_set(conf, "auto.offset.reset", "earliest", errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "enable.auto.commit",
                   strcmp(o->commit, "auto") == 0 ? "true" : "false",
                   errstr, sizeof(errstr));
    samsa_conf_set_rebalance_cb(conf, rebalance_cb, NULL);
    samsa_conf_set_offset_commit_cb(conf, commit_cb, NULL);
    samsa_conf_add_consumer_interceptor(conf, icpt_consume, icpt_commit,
                                        NULL);
    return conf;
}

/* --checks, on the partition of a batch's first message, after the
 * batch was printed: position, committed, pause, seek to the position,
 * resume, seek elsewhere. */
static void
checks(samsa_consumer_t *c, const char *topic, int32_t partition)
{
    samsa_topic_partition_t tp = { (char *)topic, partition };
    samsa_partition_offset_t po;
    int64_t pos = -1;
    char *errmsg = NULL;
    int err;

    err = samsa_consumer_position(c, topic, partition, &pos);
    printf("check position %d %lld\n", err, (long long)pos);
    memset(&po, 0, sizeof(po));
    po.topic = (char *)topic;
    po.partition = partition;
    err = samsa_consumer_committed(c, &po, 1, &errmsg);
    printf("check committed %d %lld\n", err, (long long)po.offset);
    free(po.metadata);
    free(errmsg);
    err = samsa_consumer_pause(c, &tp, 1);
    printf("check pause %d\n", err);
    err = samsa_consumer_seek(c, topic, partition, pos);
    printf("check seek %d\n", err);
    err = samsa_consumer_resume(c, &tp, 1);
    printf("check resume %d\n", err);
    err = samsa_consumer_seek(c, "no-such-topic", 0, 0);
    printf("check seek_unassigned %d\n", err);
    fflush(stdout);
}

static void
commit(samsa_consumer_t *c, const opts_t *o)
{
    char *errmsg = NULL;
    int err;

    if (strcmp(o->commit, "sync") == 0) {
        err = samsa_consumer_commit_sync(c, NULL, 0, &errmsg);
        if (err != SAMSA_OK)
            printf("error %d commit_sync: %s\n", err, errmsg);
        free(errmsg);
    } else if (strcmp(o->commit, "async") == 0) {
        samsa_consumer_commit_async(c, NULL, 0, NULL, NULL);
    }
}

static long
consume(samsa_consumer_t *c, opts_t *o)
{
    long long start = now_ms(), last = now_ms();
    samsa_message_t *msgs[64];
    long consumed = 0;
    int checked = 0;

    while (!stop && now_ms() - start < o->run &&
           (o->max == 0 || consumed < o->max) &&
           (consumed == 0 || now_ms() - last < o->idle)) {
        char *errmsg = NULL;
        int n = 0;
        int err = samsa_consumer_poll_batch(c, 200, msgs, 64, &n, &errmsg);
        if (err != SAMSA_OK) {
            printf("error %d %s\n", err, errmsg ? errmsg : "");
            fflush(stdout);
            free(errmsg);
            continue;
        }
        for (int i = 0; i < n; i++) {
            printf("msg %s %d %lld %.*s\n", msgs[i]->topic,
                   (int)msgs[i]->partition, (long long)msgs[i]->offset,
                   msgs[i]->value_len > 0 ? (int)msgs[i]->value_len : 0,
                   msgs[i]->value ? (const char *)msgs[i]->value : "");
            consumed++;
            last = now_ms();
        }
        fflush(stdout);
        if (n > 0 && o->checks && !checked++)
            checks(c, msgs[0]->topic, msgs[0]->partition);
        for (int i = 0; i < n; i++)
            samsa_message_destroy(msgs[i]);
        if (n > 0)
            commit(c, o);
        if (n > 0 && o->stall > 0) {
            usleep((useconds_t)o->stall * 1000);
            o->stall = 0;           /* once */
        }
    }
    return consumed;
}

int
main(int argc, char **argv)
{
    opts_t o;
    samsa_conf_t *conf = parse(argc, argv, &o);
    samsa_consumer_t *c;
    char errstr[512];
    long consumed;
    int err;

    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    setvbuf(stdout, NULL, _IOLBF, 0);
    c = samsa_consumer_new(conf, errstr, sizeof(errstr));
    samsa_conf_destroy(conf);
    if (c == NULL) {
        printf("error new %s\n", errstr);
        return 1;
    }
    err = o.pattern != NULL ? samsa_consumer_subscribe_pattern(c, o.pattern)
                            : samsa_consumer_subscribe(c, o.topics,
                                                       o.ntopics);
    if (err != SAMSA_OK) {
        printf("error %d subscribe\n", err);
        return 1;
    }
    consumed = consume(c, &o);
    err = samsa_consumer_close(c);
    printf("done consumed=%ld on_consume=%ld close=%d\n", consumed,
           on_consume_cnt, err);
    samsa_consumer_destroy(c);
    return 0;
}
