/*
 * cleaner.h: the log cleaner (compaction) as the log manager drives it -
 * Kafka's LogCleaner / LogCleanerManager.  See cleaner.c.
 *
 * The manager creates one cleaner when log.cleaner.enable is set, calls
 * sm_cleaner_tick() from its scheduler (the cleaner does its work on its
 * own threads, or inline when the manager has none), aborts cleaning of a
 * log before deleting it, and writes cleaner-offset-checkpoint at close.
 */
#ifndef SM_LOG_CLEANER_H
#define SM_LOG_CLEANER_H

#include <stdint.h>

#include "common/sm_err.h"
#include "log/log.h"

typedef struct sm_cleaner sm_cleaner_t;

sm_cleaner_t *sm_cleaner_new(sm_logmgr_t *mgr, const sm_logmgr_config_t *cfg,
                             int64_t now_ms);
void     sm_cleaner_tick(sm_cleaner_t *cl, int64_t now_ms);
/* Wait until log is not being cleaned and keep it from being picked. */
void     sm_cleaner_abort(sm_cleaner_t *cl, sm_log_t *log);
/* Stop the cleaner threads (before the logs are closed). */
void     sm_cleaner_stop(sm_cleaner_t *cl);
void     sm_cleaner_destroy(sm_cleaner_t *cl);
/* Write cleaner-offset-checkpoint of log dir d. */
sm_err_t sm_cleaner_checkpoint_dir(sm_cleaner_t *cl, int d);

/* manager.c, for the cleaner */
int         sm_logmgr_ndirs(sm_logmgr_t *mgr);
const char *sm_logmgr_dir_path(sm_logmgr_t *mgr, int d);
sm_log_t  **sm_logmgr_logs(sm_logmgr_t *mgr, int **dirs, int *n);

#endif
