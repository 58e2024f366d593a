/*
 * crc.c: CRC-32C (hardware or slice-by-8 table) and CRC-32 (zlib).
 *
 * The table is built once under pthread_once.  The implementation pointer is
 * written once, before any other thread can call sm_crc32c (the daemon calls
 * sm_crc32c_init() first thing in main; tests call it from their setup), and
 * later lazily-initialising calls race only to store the same value.
 *
 * HARDWARE PATH, THREE LANES.  The crc32 instruction takes 3 cycles but a
 * new one can start every cycle, so one dependent chain uses a third of
 * the unit.  Long inputs are therefore cut into blocks of three equal lanes
 * A|B|C whose CRCs are computed interleaved - A continuing the running CRC,
 * B and C starting from 0 - and joined.  The CRC register update is linear
 * over GF(2), so with Z(x) = "x followed by n zero bytes" (n = lane size):
 *     crc(A|B|C) = Z(Z(crc_A) ^ crc_B) ^ crc_C
 * Z is a fixed 32x32 bit matrix for each lane size, applied as four
 * 256-entry tables (one per byte of x), built with the slice-by-8 table.
 * Every Produce checks the CRC of every batch it appends (Kafka does too),
 * so this is on the broker's hot path.
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

/* Lane sizes of the three-lane hardware path (see above). */
#define SM_CRC32C_LONG  8192
#define SM_CRC32C_SHORT 256

static uint32_t sm_crc32c_table[8][256];
static uint32_t sm_crc32c_zlong[4][256];    /* Z for SM_CRC32C_LONG */
static uint32_t sm_crc32c_zshort[4][256];   /* Z for SM_CRC32C_SHORT */
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

/* Fill z with the tables of "append n zero bytes" to a raw CRC register:
 * the images of the 32 unit vectors first, then z[k][b] as the XOR of the
 * images of b's bits shifted into byte k. */
static void
sm_crc32c_build_zeros(uint32_t z[4][256], size_t n)
{
    uint32_t col[32];

    for (int bit = 0; bit < 32; bit++) {
        uint32_t c = 1u << bit;
        for (size_t i = 0; i < n; i++)
            c = sm_crc32c_table[0][c & 0xff] ^ (c >> 8);
        col[bit] = c;
    }
    for (int k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t c = 0;
            for (int bit = 0; bit < 8; bit++)
                if (b & (1u << bit))
                    c ^= col[8 * k + bit];
            z[k][b] = c;
        }
}

static void
sm_crc32c_build_tables(void)
{
    sm_crc32c_build_table();
    sm_crc32c_build_zeros(sm_crc32c_zlong, SM_CRC32C_LONG);
    sm_crc32c_build_zeros(sm_crc32c_zshort, SM_CRC32C_SHORT);
}

uint32_t
sm_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;

    pthread_once(&sm_crc32c_once, sm_crc32c_build_tables);
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
static inline uint32_t
sm_crc32c_zshift(const uint32_t z[4][256], uint32_t c)
{
    return z[0][c & 0xff] ^ z[1][(c >> 8) & 0xff] ^ z[2][(c >> 16) & 0xff] ^
           z[3][c >> 24];
}

static inline uint64_t
sm_crc32c_ld64(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return w;
}

/* Blocks of three lanes of `lane` bytes while len allows; *c continues. */
__attribute__((target("sse4.2"))) static inline const uint8_t *
sm_crc32c_hw_lanes(uint64_t *c, const uint8_t *p, size_t *len, size_t lane,
                   const uint32_t z[4][256])
{
    while (*len >= 3 * lane) {
        uint64_t a = *c, b = 0, d = 0;
        const uint8_t *end = p + lane;

        do {
            a = _mm_crc32_u64(a, sm_crc32c_ld64(p));
            b = _mm_crc32_u64(b, sm_crc32c_ld64(p + lane));
            d = _mm_crc32_u64(d, sm_crc32c_ld64(p + 2 * lane));
            p += 8;
        } while (p < end);
        a = sm_crc32c_zshift(z, (uint32_t)a) ^ (uint32_t)b;
        *c = sm_crc32c_zshift(z, (uint32_t)a) ^ (uint32_t)d;
        p += 2 * lane;
        *len -= 3 * lane;
    }
    return p;
}

__attribute__((target("sse4.2"))) static uint32_t
sm_crc32c_hw(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;

    while (len && ((uintptr_t)p & 7)) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        len--;
    }
    p = sm_crc32c_hw_lanes(&c, p, &len, SM_CRC32C_LONG, sm_crc32c_zlong);
    p = sm_crc32c_hw_lanes(&c, p, &len, SM_CRC32C_SHORT, sm_crc32c_zshort);
    while (len >= 8) {
        c = _mm_crc32_u64(c, sm_crc32c_ld64(p));
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

/* The lane paths against the table version: one input that takes a long
 * block, short blocks and a tail, at an odd offset. */
static int
sm_crc32c_check_lanes(uint32_t (*fn)(uint32_t, const void *, size_t))
{
    uint8_t buf[3 * SM_CRC32C_LONG + 3 * SM_CRC32C_SHORT + 64];
    uint32_t x = 2463534242u;

    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    if (fn(0, buf + 3, sizeof(buf) - 3) !=
        sm_crc32c_sw(0, buf + 3, sizeof(buf) - 3))
        return -1;
    if (fn(0x12345678u, buf, 3 * SM_CRC32C_SHORT + 5) !=
        sm_crc32c_sw(0x12345678u, buf, 3 * SM_CRC32C_SHORT + 5))
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
    pthread_once(&sm_crc32c_once, sm_crc32c_build_tables);
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) {
        if (sm_crc32c_check(sm_crc32c_hw) != 0 ||
            sm_crc32c_check_lanes(sm_crc32c_hw) != 0)
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
