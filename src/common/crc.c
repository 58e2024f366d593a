/*
 * crc.c: CRC-32C (hardware or slice-by-8 table) and CRC-32 (zlib).
 *
 * The table is built once under pthread_once.  The implementation pointer is
 * written once, before any other thread can call sm_crc32c (the daemon calls
 * sm_crc32c_init() first thing in main; tests call it from their setup), and
 * later lazily-initialising calls race only to store the same value.
 */
#include <pthread.h>
#include <string.h>
#include <zlib.h>

#include "config.h"
#include "common/sm_crc.h"

#ifdef SM_HAVE_SSE42
#include <nmmintrin.h>
#endif

#define SM_CRC32C_POLY 0x82F63B78u       /* reflected Castagnoli polynomial */

static uint32_t sm_crc32c_table[8][256];
static pthread_once_t sm_crc32c_once = PTHREAD_ONCE_INIT;
static uint32_t (*sm_crc32c_impl)(uint32_t, const void *, size_t);

static void
sm_crc32c_build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ SM_CRC32C_POLY : c >> 1;
        sm_crc32c_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = sm_crc32c_table[0][i];
        for (int t = 1; t < 8; t++) {
            c = sm_crc32c_table[0][c & 0xff] ^ (c >> 8);
            sm_crc32c_table[t][i] = c;
        }
    }
}

uint32_t
sm_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    pthread_once(&sm_crc32c_once, sm_crc32c_build_table);
    crc = ~crc;
    while (len && ((uintptr_t)p & 7)) {
        crc = sm_crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        len--;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);           /* little-endian hosts only (x86, arm) */
        w ^= crc;
        crc = sm_crc32c_table[7][w & 0xff] ^
              sm_crc32c_table[6][(w >> 8) & 0xff] ^
              sm_crc32c_table[5][(w >> 16) & 0xff] ^
              sm_crc32c_table[4][(w >> 24) & 0xff] ^
              sm_crc32c_table[3][(w >> 32) & 0xff] ^
              sm_crc32c_table[2][(w >> 40) & 0xff] ^
              sm_crc32c_table[1][(w >> 48) & 0xff] ^
              sm_crc32c_table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = sm_crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#ifdef SM_HAVE_SSE42
__attribute__((target("sse4.2"))) static uint32_t
sm_crc32c_hw(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;

    while (len && ((uintptr_t)p & 7)) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        len--;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        len -= 8;
    }
    while (len--)
        c = _mm_crc32_u8((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#endif

static int
sm_crc32c_check(uint32_t (*fn)(uint32_t, const void *, size_t))
{
    /* RFC 3720 B.4 vectors plus the classic "123456789" check value. */
    static const uint8_t zeros[32];
    uint8_t ones[32], inc[32];

    memset(ones, 0xff, sizeof(ones));
    for (int i = 0; i < 32; i++)
        inc[i] = (uint8_t)i;
    if (fn(0, "123456789", 9) != 0xE3069283u)
        return -1;
    if (fn(0, zeros, 32) != 0x8A9136AAu)
        return -1;
    if (fn(0, ones, 32) != 0x62A8AB43u)
        return -1;
    if (fn(0, inc, 32) != 0x46DD794Eu)
        return -1;
    /* incremental use must equal one-shot use */
    if (fn(fn(0, "1234", 4), "56789", 5) != 0xE3069283u)
        return -1;
    return 0;
}

int
sm_crc32c_init(void)
{
    uint32_t (*impl)(uint32_t, const void *, size_t) = sm_crc32c_sw;

    if (sm_crc32c_check(sm_crc32c_sw) != 0)
        return -1;
#ifdef SM_HAVE_SSE42
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) {
        if (sm_crc32c_check(sm_crc32c_hw) != 0)
            return -1;
        impl = sm_crc32c_hw;
    }
#endif
    sm_crc32c_impl = impl;
    return 0;
}

uint32_t
sm_crc32c(uint32_t crc, const void *data, size_t len)
{
    if (sm_crc32c_impl == NULL)
        (void)sm_crc32c_init();   /* a failed self-test keeps the sw path */
    if (sm_crc32c_impl == NULL)
        sm_crc32c_impl = sm_crc32c_sw;
    return sm_crc32c_impl(crc, data, len);
}

int
sm_crc32c_hw_active(void)
{
#ifdef SM_HAVE_SSE42
    if (sm_crc32c_impl == NULL)
        (void)sm_crc32c_init();
    return sm_crc32c_impl == sm_crc32c_hw;
#else
    return 0;
#endif
}

uint32_t
sm_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    /* zlib takes a uInt length; feed huge inputs in pieces */
    while (len > 0) {
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}
