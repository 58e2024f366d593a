/*
 * topics.h: the pieces of samsa-topics (bin/kafka-topics.sh), samsa's
 * version of Kafka's kafka.admin.TopicCommand as it behaves in Kafka
 * 2.4-2.8 (the text below follows 2.8.1; where 2.4 differs, 2.8 wins).
 *
 * FILES
 *   samsa-topics.c   main: the command line (jopt-simple's rules), the
 *                    option checks of TopicCommandOptions.checkArgs in
 *                    Kafka's order, --help, and the dispatch to a service
 *   topics_common.c  what both services share: the "exception" model,
 *                    CommandTopicPartition (--config, --delete-config,
 *                    --replica-assignment, integer options), the --topic
 *                    filter (Kafka's IncludeList), the describe printers
 *                    and java.util.HashMap iteration order
 *   topics_zk.c      --zookeeper: ZookeeperTopicService, straight on
 *                    ZooKeeper through src/zk and server/admin.h
 *   topics_admin.c   --bootstrap-server: AdminClientTopicService over the
 *                    client core (src/client/samsa.h)
 *
 * OUTPUT CONTRACT.  stdout matches Kafka's line for line for the same
 * cluster state.  Kafka's tool reports a failure inside the command as
 *     Error while executing topic command : <message>
 * on stdout, logs the stack trace at ERROR on stderr and exits 1; samsa
 * does the same (the stderr line carries the exception class and message,
 * no stack).  Failures Kafka does not catch (bad option syntax, both or
 * neither of --zookeeper/--bootstrap-server, an unreachable ZooKeeper,
 * an unreadable --command-config) end as the JVM ends them:
 *     Exception in thread "main" <class>: <message>
 * on stderr, exit 1.  Usage errors print the message and the option table
 * on stderr, exit 1.
 *
 * EXCEPTIONS.  A function that can fail the way a Kafka method throws
 * returns -1 after tp_throw() recorded the exception class and message in
 * the context; callers unwind with -1 and main prints it as above.
 *
 * Threads: one.  Memory: the context owns everything it points to.
 */
#ifndef SM_TOOLS_TOPICS_H
#define SM_TOOLS_TOPICS_H

#include <stdint.h>

#include "client/samsa.h"
#include "zk/zk_client.h"
#include "zk/zk_paths.h"

/* Options, in TopicCommandOptions' order. */
enum {
    O_HELP, O_VERSION, O_BOOTSTRAP, O_COMMAND_CONFIG, O_ZOOKEEPER, O_LIST,
    O_CREATE, O_DELETE, O_ALTER, O_DESCRIBE, O_TOPIC, O_CONFIG,
    O_DELETE_CONFIG, O_PARTITIONS, O_REPLICATION_FACTOR,
    O_REPLICA_ASSIGNMENT, O_UNDER_REPLICATED, O_UNAVAILABLE, O_UNDER_MIN_ISR,
    O_AT_MIN_ISR, O_TOPICS_WITH_OVERRIDES, O_IF_EXISTS, O_IF_NOT_EXISTS,
    O_DISABLE_RACK_AWARE, O_FORCE, O_EXCLUDE_INTERNAL, O__CNT
};

/* An option as jopt-simple keeps it: every occurrence's argument. */
typedef struct tp_optval {
    int          count;
    int          nargs;
    const char **args;            /* owned array; strings borrow argv */
} tp_optval_t;

/* Kafka's CommandTopicPartition, parsed lazily in Kafka's field order. */
typedef struct tp_cmd {
    const char *name;
    int         has_partitions;
    int32_t     partitions;
    int         has_rf;
    int32_t     rf;
    int         has_assignment;
    sm_zk_ints_t *assign;         /* per partition 0..nassign-1 */
    int         nassign;
    char      **cfg_keys;         /* configsToAdd, in first-set order */
    char      **cfg_vals;
    int         ncfg;
    char      **del_keys;         /* configsToDelete */
    int         ndel;
    int         rack_disabled;    /* --disable-rack-aware */
} tp_cmd_t;

typedef struct tp_ctx {
    tp_optval_t opt[O__CNT];
    char       *exc_class;        /* the pending "exception" */
    char       *exc_msg;
    sm_zk_t    *zk;               /* --zookeeper */
    samsa_client_t *client;       /* --bootstrap-server */
    struct sm_config *defaults;   /* broker defaults, for LogConfig rules */
} tp_ctx_t;

/* ------------------------------------------------------- topics_common.c */

/* Record an exception (class, message); returns -1. */
int  tp_throw(tp_ctx_t *ctx, const char *cls, const char *fmt, ...)
     __attribute__((format(printf, 3, 4)));

static inline int
tp_has(const tp_ctx_t *ctx, int o)
{
    return ctx->opt[o].count > 0;
}

/* OptionSet.valueOf: the single argument or NULL; -1 (thrown) if the
 * option was given more than once with arguments. */
int  tp_value(tp_ctx_t *ctx, int o, const char **out);
/* An Integer option: *has 0 if absent; -1 (thrown) if unparsable. */
int  tp_int_value(tp_ctx_t *ctx, int o, int *has, int32_t *out);

/* new CommandTopicPartition(opts); tp_cmd_fini() also after failure. */
int  tp_cmd_parse(tp_ctx_t *ctx, tp_cmd_t *cmd);
void tp_cmd_fini(tp_cmd_t *cmd);

/* LogConfig.validate over cfgs (names, values, cross-key rules). */
int  tp_validate_configs(tp_ctx_t *ctx, char *const *keys,
                         char *const *vals, int n);

/* "1, 2, 3" (sep ", ") as Scala's mkString; heap. */
char *tp_join_ints(const int32_t *v, int n, const char *sep);

/* Topic.isInternal / hasCollisionChars. */
int  tp_is_internal(const char *topic);
int  tp_has_collision_chars(const char *topic);

/* doGetTopics: all (sorted) filtered by --topic's IncludeList and
 * --exclude-internal.  *out (count *nout): a heap array of borrowed
 * names. */
int  tp_filter_topics(tp_ctx_t *ctx, char *const *all, int nall,
                      const char ***out, int *nout);
/* ensureTopicExists. */
int  tp_ensure_exists(tp_ctx_t *ctx, int nfound);

/* The order in which java.util.HashMap iterates keys[order[i]] (order[]
 * holds the insertion order on entry): a stable sort by bucket of a table
 * of capacity cap. */
void tp_java_order(const char *const *keys, int *order, int n,
                   uint32_t cap);
/* Capacity of new HashMap<>(init) after n puts (init < 0: new HashMap<>()),
 * and of new HashMap<>(otherMapOfSizeN). */
uint32_t tp_java_cap(int init, int n);
uint32_t tp_java_copy_cap(int n);

/* One row of the describe output (TopicDescription / PartitionDescription
 * printDescription). */
typedef struct tp_part_row {
    int32_t        partition;
    int32_t        leader;        /* -1: none */
    const int32_t *replicas;
    int            nreplicas;
    const int32_t *isr;
    int            nisr;
} tp_part_row_t;

void tp_print_topic(const char *topic, const char *topic_id, int32_t nparts,
                    int32_t rf, const char *configs, int marked);
void tp_print_partition(const char *topic, const tp_part_row_t *row,
                        int marked);

/* DescribeOptions: which parts describe prints and which partitions. */
int  tp_describe_configs(const tp_ctx_t *ctx);
int  tp_describe_partitions(const tp_ctx_t *ctx);
/* shouldPrintTopicPartition; min_isr < 0: no config (ZooKeeper mode). */
int  tp_should_print(const tp_ctx_t *ctx, const tp_part_row_t *row,
                     int32_t min_isr, const int32_t *live, int nlive);

/* "k=v,k=v" of n pairs: in the given order / in the order a
 * new HashMap<>() holding just them iterates.  Heap. */
char *tp_configs_join(char *const *keys, char *const *vals, int n);
char *tp_configs_string(char *const *keys, char *const *vals, int n);

/* ------------------------------------------ topics_zk.c, topics_admin.c */

/*
 * Kafka's TopicService.  open() builds the service (a failure there is
 * uncaught in Kafka: main prints "Exception in thread ..."); the actions
 * run inside TopicCommand's try block; close() always runs.
 */
typedef struct tp_service {
    int  (*open)(tp_ctx_t *ctx);
    int  (*create)(tp_ctx_t *ctx, const tp_cmd_t *cmd);
    int  (*list)(tp_ctx_t *ctx);
    int  (*alter)(tp_ctx_t *ctx);
    int  (*describe)(tp_ctx_t *ctx);
    int  (*remove)(tp_ctx_t *ctx);
    void (*close)(tp_ctx_t *ctx);
} tp_service_t;

extern const tp_service_t tp_zk_service;
extern const tp_service_t tp_admin_service;

#endif
