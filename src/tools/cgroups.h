/*
 * cgroups.h: the pieces of samsa-consumer-groups
 * (bin/kafka-consumer-groups.sh), samsa's version of Kafka's
 * kafka.admin.ConsumerGroupCommand: the 2.x tool (--bootstrap-server, text
 * after 2.4) plus the 1.x ZooKeeper mode for 0.8-style groups
 * (--zookeeper) and samsa's --copy-offsets.
 *
 * FILES
 *   samsa-consumer-groups.c  main: options, Kafka's checkArgs, dispatch,
 *                            the reset plan (shared by both modes)
 *   cgroups_kafka.c          --bootstrap-server: groups on the brokers
 *                            through libsamsa (samsa.h)
 *   cgroups_zk.c             --zookeeper: /consumers/<group> through
 *                            src/zk; --copy-offsets
 *   cgroups_parse.c          datetimes, durations, CSV lines (pure)
 *
 * OUTPUT CONTRACT.  stdout and stderr follow Kafka's line for line: tables
 * with Kafka's column widths, "-" for unknown cells, and a failure inside
 * the command printed as "\nError: <message>" on stdout with exit status
 * 0, as Kafka's main catches it.  Usage errors print the message and the
 * option list on stderr and exit 1; so do failures Kafka does not catch
 * (a bad bootstrap list, an unreachable ZooKeeper): "Exception in thread
 * "main" ..." on stderr.  Action functions return 0, 1 (failed, already
 * printed) or 2 (uncaught: exit 1).
 *
 * Threads: one.  Memory: the context owns what it points to.
 */
#ifndef SM_TOOLS_CGROUPS_H
#define SM_TOOLS_CGROUPS_H

#include <stdint.h>

#include "client/samsa.h"
#include "zk/zk_client.h"

enum {
    CG_BOOTSTRAP, CG_ZOOKEEPER, CG_COMMAND_CONFIG, CG_GROUP, CG_TOPIC,
    CG_ALL_TOPICS, CG_LIST, CG_DESCRIBE, CG_ALL_GROUPS, CG_DELETE,
    CG_TIMEOUT, CG_RESET, CG_DRY_RUN, CG_EXECUTE, CG_TO_OFFSET,
    CG_TO_DATETIME, CG_BY_DURATION, CG_TO_EARLIEST, CG_TO_LATEST,
    CG_TO_CURRENT, CG_SHIFT_BY, CG_MEMBERS, CG_VERBOSE, CG_OFFSETS,
    CG_STATE, CG_COPY, CG_FROM, CG_TO, CG_HELP, CG_VERSION,
    CG_DELETE_OFFSETS, CG_EXPORT, CG_FROM_FILE, CG__CNT
};

typedef struct cg_ctx {
    int          has[CG__CNT];       /* occurrences */
    const char  *val[CG__CNT];       /* last argument (borrows argv) */
    const char **groups;             /* every --group */
    int          ngroups;
    const char **topics;             /* every --topic */
    int          ntopics;
    samsa_client_t *client;          /* --bootstrap-server, or built from
                                      * /brokers/ids in ZooKeeper mode */
    sm_zk_t     *zk;                 /* --zookeeper */
    int          failed;             /* a printError happened */
} cg_ctx_t;

/* The Kafka-style failure line: "\nError: <msg>" on stdout. */
void cg_error(cg_ctx_t *ctx, const char *fmt, ...)
     __attribute__((format(printf, 2, 3)));
/* printUsageAndDie: msg and the option list on stderr, exit(1). */
void cg_usage_die(const char *fmt, ...)
     __attribute__((format(printf, 1, 2), noreturn));

/* A client for bootstrap (a Kafka bootstrap.servers list) with the
 * --command-config properties and --timeout; NULL after printing why. */
samsa_client_t *cg_client_new(cg_ctx_t *ctx, const char *bootstrap);

/*
 * The reset plan of one group (prepareOffsetsToReset): the partitions
 * named by --all-topics (the committed ones) or --topic, and their new
 * offsets by the chosen scenario, clamped to the log's range for
 * --to-offset and --shift-by; or the group's lines of --from-file's CSV
 * (clamped too).  committed[0..ncommitted) are the group's
 * offsets (any store).  *planp (heap, sorted) / *nplan.  -1 after an
 * error was printed (cg_error) or 0.  Exits like Kafka on usage-type
 * failures (no log offset for a partition).
 */
int  cg_reset_plan(cg_ctx_t *ctx, const char *group,
                   const samsa_partition_offset_t *committed,
                   int ncommitted, samsa_partition_offset_t **planp,
                   int *nplan);
/* printOffsetsToReset for one group (header printed by the caller);
 * with --export, the CSV lines instead (group column only when more than
 * one --group was given) and no header. */
void cg_print_plan(const cg_ctx_t *ctx, const char *group,
                   const samsa_partition_offset_t *plan, int n);
void cg_print_plan_header(const cg_ctx_t *ctx);
/* The end of the plan output (--export's final newline). */
void cg_print_plan_end(const cg_ctx_t *ctx);
/* Dry run unless --execute. */
int  cg_dry_run(const cg_ctx_t *ctx);

/* cgroups_parse.c: 0 on success, -1 if s does not parse.  datetime: ms
 * since the epoch (no zone: UTC); duration: ms (may be negative);
 * csv_line: nf 3 (topic,partition,offset) or 4 (group first); line is
 * cut in place and the outputs point into it (*group NULL for nf 3). */
int  cg_parse_datetime(const char *s, int64_t *ms);
int  cg_parse_duration(const char *s, int64_t *ms);
int  cg_csv_line(char *line, int nf, char **group, char **topic,
                 int32_t *partition, int64_t *offset);

/* cgroups_kafka.c */
int  cg_kafka_list(cg_ctx_t *ctx);
int  cg_kafka_describe(cg_ctx_t *ctx);
int  cg_kafka_reset(cg_ctx_t *ctx);
int  cg_kafka_delete(cg_ctx_t *ctx);
int  cg_kafka_delete_offsets(cg_ctx_t *ctx);

/* cgroups_zk.c */
int  cg_zk_open(cg_ctx_t *ctx);
int  cg_zk_list(cg_ctx_t *ctx);
int  cg_zk_describe(cg_ctx_t *ctx);
int  cg_zk_reset(cg_ctx_t *ctx);
int  cg_zk_delete(cg_ctx_t *ctx);
/* The committed offsets of group in ZooKeeper, sorted (heap). */
int  cg_zk_offsets(cg_ctx_t *ctx, const char *group,
                   samsa_partition_offset_t **vp, int *np);
int  cg_copy_offsets(cg_ctx_t *ctx);

#endif
