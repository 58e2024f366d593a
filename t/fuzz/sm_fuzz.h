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

#endif
