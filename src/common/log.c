/*
 * log.c: the line logger and assertion handler of sm_log.h.
 *
 * Owns the process-wide log level and output descriptor.  Formatting happens
 * on the caller's stack; one write(2) per line keeps lines whole across
 * threads without a lock.  Lines longer than the buffer are cut and end in
 * "..." rather than being split.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_log.h"

int sm_log_level = SM_LOG_INFO;
static int sm_log_fd = 2;

static const char *const sm_log_names[] = {
    "ERROR", "WARN", "INFO", "DEBUG", "TRACE"
};

void
sm_log_set_fd(int fd)
{
    sm_log_fd = fd;
}

int
sm_log_level_parse(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, sm_log_names[i]) == 0)
            return i;
    if (strcasecmp(s, "WARNING") == 0)
        return SM_LOG_WARN;
    return -1;
}

void
sm_log_write(int level, const char *component, const char *fmt, ...)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    size_t n;
    va_list ap;
    int r;

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    n = strftime(line, sizeof(line), "[%Y-%m-%d %H:%M:%S", &tm);
    r = snprintf(line + n, sizeof(line) - n, ",%03d] %s ",
                 (int)(tv.tv_usec / 1000),
                 sm_log_names[level < 0 ? 0 : level > 4 ? 4 : level]);
    n += (size_t)r;

    va_start(ap, fmt);
    r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (r < 0)
        r = 0;
    n += (size_t)r;

    /* room for " (samsa.<component>)\n"; cut the message if needed */
    size_t tail = strlen(component) + 10;
    if (n + tail >= sizeof(line)) {
        n = sizeof(line) - tail - 4;
        memcpy(line + n, "...", 3);
        n += 3;
    }
    r = snprintf(line + n, sizeof(line) - n, " (samsa.%s)\n", component);
    n += (size_t)r;
    if (write(sm_log_fd, line, n) < 0) {
        /* the log is the place errors go; nowhere left to report this */
    }
}

void
sm_assert_fail(const char *expr, const char *file, int line)
{
    sm_log_write(SM_LOG_ERROR, "assert", "assertion failed: %s at %s:%d",
                 expr, file, line);
    abort();
}

void
sm_log_init_tool(void)
{
    const char *lvl = getenv("SAMSA_LOG_LEVEL");

    sm_log_level = SM_LOG_WARN;
    if (lvl != NULL && sm_log_level_parse(lvl) >= 0)
        sm_log_level = sm_log_level_parse(lvl);
}
