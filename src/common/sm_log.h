/*
 * sm_log.h: logging and invariant assertions.
 *
 * Lines look like Kafka's log4j default layout so operators' greps keep
 * working:
 *     [2026-11-22 13:26:00,123] INFO message text (samsa.log)
 * Each line is formatted into a stack buffer and written with one write(2),
 * so lines from different threads never interleave.  Thread-safe; the level
 * and the output fd are process-wide and set once at start-up.
 *
 * sm_assert() guards invariants only and stays on in release builds: bad
 * input from a client, the disk or ZooKeeper is an error code, never an
 * assert (STYLE.md §4).
 */
#ifndef SM_LOG_H
#define SM_LOG_H

enum sm_log_level {
    SM_LOG_ERROR = 0,
    SM_LOG_WARN  = 1,
    SM_LOG_INFO  = 2,
    SM_LOG_DEBUG = 3,
    SM_LOG_TRACE = 4,
};

extern int sm_log_level;     /* lines above this level are dropped */

/* Set the output (default 2 = stderr).  Not thread-safe: call at start. */
void sm_log_set_fd(int fd);
/* Parse "ERROR".."TRACE" (case-insensitive); -1 if unknown. */
int  sm_log_level_parse(const char *s);
/* The command-line tools' level: WARN, as Kafka's tools log
 * (config/tools-log4j.properties), or $SAMSA_LOG_LEVEL. */
void sm_log_init_tool(void);

void sm_log_write(int level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define sm_log(lvl, comp, ...)                                              \
    do {                                                                    \
        if ((lvl) <= sm_log_level)                                          \
            sm_log_write((lvl), (comp), __VA_ARGS__);                       \
    } while (0)
#define sm_error(comp, ...) sm_log(SM_LOG_ERROR, comp, __VA_ARGS__)
#define sm_warn(comp, ...)  sm_log(SM_LOG_WARN, comp, __VA_ARGS__)
#define sm_info(comp, ...)  sm_log(SM_LOG_INFO, comp, __VA_ARGS__)
#define sm_debug(comp, ...) sm_log(SM_LOG_DEBUG, comp, __VA_ARGS__)
#define sm_trace(comp, ...) sm_log(SM_LOG_TRACE, comp, __VA_ARGS__)

void sm_assert_fail(const char *expr, const char *file, int line)
    __attribute__((noreturn));

#define sm_assert(e)                                                        \
    ((e) ? (void)0 : sm_assert_fail(#e, __FILE__, __LINE__))

#endif
