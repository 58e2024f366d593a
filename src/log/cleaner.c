/*
 * cleaner.c: the log cleaner (compaction).  Not written yet: it needs the
 * record iterator and batch builder of the protocol library.  Until then
 * sm_cleaner_new() returns NULL and the manager runs without a cleaner.
 */
#include <stddef.h>

#include "log/cleaner.h"

sm_cleaner_t *
sm_cleaner_new(sm_logmgr_t *mgr, const sm_logmgr_config_t *cfg,
               int64_t now_ms)
{
    (void)mgr; (void)cfg; (void)now_ms;
    return NULL;
}

void sm_cleaner_tick(sm_cleaner_t *cl, int64_t now_ms) { (void)cl; (void)now_ms; }
void sm_cleaner_abort(sm_cleaner_t *cl, sm_log_t *log) { (void)cl; (void)log; }
void sm_cleaner_stop(sm_cleaner_t *cl) { (void)cl; }
void sm_cleaner_destroy(sm_cleaner_t *cl) { (void)cl; }
sm_err_t sm_cleaner_checkpoint_dir(sm_cleaner_t *cl, int d)
{
    (void)cl; (void)d;
    return SM_OK;
}
