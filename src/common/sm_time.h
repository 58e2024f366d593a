/*
 * sm_time.h: clocks.
 *
 * sm_now_ms() is wall-clock epoch milliseconds (record timestamps, file
 * mtimes, znode timestamps).  sm_mono_ms()/sm_mono_us() are monotonic and
 * are the only clocks used for timeouts and intervals, so a clock step never
 * fires or starves a timer.
 */
#ifndef SM_TIME_H
#define SM_TIME_H

#include <stdint.h>
#include <time.h>

static inline int64_t
sm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t
sm_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t
sm_mono_ms(void)
{
    return sm_mono_us() / 1000;
}

#endif
