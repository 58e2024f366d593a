/*
 * sm_fuzz.h: helpers shared by the libFuzzer targets in t/fuzz/.
 *
 * Every target takes a first "flags" byte and the bytes to parse after it:
 *   FUZZ_FIX_CRC      recompute each entry's checksum before validating it,
 *                     so mutations get past the CRC and reach the checks
 *                     behind it (lengths, counts, records);
 *   FUZZ_SMALL_LIMIT  bound entry sizes (sm_batch_iter_t.max_entry_size)
 *                     to exercise the _TOO_LARGE path.
 * The seed corpus (t/fuzz/seeds.py) writes each capture once per flag
 * combination.
 *
 * The parsed bytes are copied into a heap block of exactly their size, so
 * AddressSanitizer reports any read past the input, and the targets may
 * patch the copy.  FUZZ_CHECK() traps on a broken invariant: libFuzzer
 * records the input as a crash like any sanitizer report.
 *
 * Single-threaded (libFuzzer calls the target from one thread).
 */
#ifndef SM_FUZZ_H
#define SM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "protocol/records.h"

#define FUZZ_FIX_CRC      0x01
#define FUZZ_SMALL_LIMIT  0x02
#define FUZZ_SMALL_MAX    256

#define FUZZ_CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Decompression bound for the record iterator: small enough that a
 * decompression bomb costs little per execution. */
#define FUZZ_MAX_DECOMP ((size_t)1 << 20)
#define FUZZ_MAX_HDRS   8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Exact-size heap copy (1 byte allocated for an empty input). */
static inline uint8_t *
fuzz_copy(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);

    FUZZ_CHECK(p != NULL);
    if (size)
        memcpy(p, data, size);
    return p;
}

/* Store the correct checksum of one entry the outer iterator returned
 * (the entry lies inside the caller's writable copy). */
static inline void
fuzz_fix_crc(const sm_batch_t *b)
{
    uint8_t *p = (uint8_t *)b->ptr;

    if (b->magic == 2)
        sm_store_be32(p + SM_BATCH_OFF_CRC,
                      sm_crc32c(0, p + SM_BATCH_OFF_ATTRIBUTES,
                                b->size - SM_BATCH_OFF_ATTRIBUTES));
    else
        sm_store_be32(p + 12, sm_crc32(0, p + 16, b->size - 16));
}

/* Every entry must lie inside [start, end) and be at least its header. */
static inline void
fuzz_check_entry(const sm_batch_t *b, const uint8_t *start,
                 const uint8_t *end)
{
    size_t min = b->magic == 2 ? SM_BATCH_V2_HDR_SIZE
               : b->magic == 1 ? SM_MSG_V1_HDR_SIZE : SM_MSG_V0_HDR_SIZE;

    FUZZ_CHECK(b->magic >= 0 && b->magic <= 2);
    FUZZ_CHECK(b->ptr >= start && b->size <= (size_t)(end - b->ptr));
    FUZZ_CHECK(b->size >= min);
    FUZZ_CHECK(b->codec == (b->attributes & SM_ATTR_CODEC_MASK));
}

/* Whether [p, p + len) lies inside [lo, hi). */
static inline int
fuzz_inside(const void *p, int32_t len, const uint8_t *lo, const uint8_t *hi)
{
    const uint8_t *q = p;

    if (len <= 0)
        return 1;
    return q >= lo && q <= hi && (size_t)len <= (size_t)(hi - q);
}

/* A record's slices borrow from the entry or from the iterator's
 * decompression buffer, nowhere else. */
static inline void
fuzz_check_slice(const sm_rec_iter_t *it, const sm_batch_t *b,
                 const void *p, int32_t len)
{
    const uint8_t *d = it->decomp.data;

    FUZZ_CHECK(len >= -1);
    FUZZ_CHECK(fuzz_inside(p, len, b->ptr, b->ptr + b->size) ||
               (d && fuzz_inside(p, len, d, d + it->decomp.len)));
}

/*
 * Iterate the records of one entry (sm_rec_iter_*), decoding headers, and
 * check what the iterator promises: slices stay inside their buffers, a v2
 * batch yields at most RecordsCount records and exactly that many when it
 * ends without error, and the iterator is freed on every path.  Returns
 * the number of records yielded.
 */
static inline int
fuzz_records(const sm_batch_t *b)
{
    sm_record_header_t h[FUZZ_MAX_HDRS];
    sm_rec_iter_t it;
    sm_record_t rec;
    int n = 0;

    if (sm_rec_iter_init(&it, b, FUZZ_MAX_DECOMP) == SM_OK) {
        while (sm_rec_iter_next(&it, &rec)) {
            int nh;

            n++;
            FUZZ_CHECK(b->magic != 2 || n <= b->count);
            fuzz_check_slice(&it, b, rec.key.ptr, rec.key.len);
            fuzz_check_slice(&it, b, rec.value.ptr, rec.value.len);
            nh = sm_record_headers(&rec, h, FUZZ_MAX_HDRS);
            FUZZ_CHECK(nh >= -1 && nh <= FUZZ_MAX_HDRS);
            for (int i = 0; i < nh; i++) {
                fuzz_check_slice(&it, b, h[i].key.ptr, h[i].key.len);
                fuzz_check_slice(&it, b, h[i].value.ptr, h[i].value.len);
            }
        }
        if (b->magic == 2 && it.err == SM_OK)
            FUZZ_CHECK(n == b->count);
    }
    sm_rec_iter_fini(&it);
    return n;
}

#endif
