/*
 * fuzz_record_batch.c: libFuzzer target for the outer walk of a records
 * blob (sm_batch_iter_*, sm_batch_next) and the entry checks
 * (sm_batch_validate), the code every Produce request and every segment
 * read goes through first, then the records of every entry
 * (sm_rec_iter_*, sm_record_headers; decompression bounded to 1 MiB).
 * Input: one flags byte (sm_fuzz.h), then the blob.  Seeds: the records
 * blobs of the Produce captures in t/data.
 *
 * Properties checked besides "no sanitizer report":
 *   - every entry lies inside the input and is at least its header size;
 *   - entries are contiguous, and iteration ends at the end of the input,
 *     at a partial last entry, or with an error - exactly one of these;
 *   - a v2 entry that validates has 0 <= RecordsCount <= LastOffsetDelta+1
 *     and a known codec; a legacy one has a codec below zstd;
 *   - validation does not depend on PartitionLeaderEpoch or BaseOffset
 *     (outside the CRC, rewritten by the broker);
 *   - record slices lie inside the entry or the decompression buffer, and
 *     a v2 batch yields RecordsCount records unless iteration fails
 *     (fuzz_records() in sm_fuzz.h).
 */
#include "sm_fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sm_crc32c_init() == 0 ? 0 : 1;
}

/* Rewriting the fields outside the checksum must not change the verdict. */
static void
fuzz_check_unchecked_fields(const sm_batch_t *b, sm_err_t verdict)
{
    uint8_t *p = (uint8_t *)b->ptr;
    uint8_t save[SM_MAGIC_OFFSET];

    if (b->magic != 2)
        return;
    memcpy(save, p, sizeof(save));
    sm_store_be64(p + SM_BATCH_OFF_BASE_OFFSET, 12345);
    sm_store_be32(p + SM_BATCH_OFF_LEADER_EPOCH, 7);
    FUZZ_CHECK(sm_batch_validate(b) == verdict);
    memcpy(p, save, sizeof(save));
}

static void
fuzz_one_entry(const sm_batch_t *b, int flags)
{
    sm_err_t err;

    if (flags & FUZZ_FIX_CRC)
        fuzz_fix_crc(b);
    err = sm_batch_validate(b);
    FUZZ_CHECK(err == SM_OK || err == SM_ERR__CRC || err == SM_ERR__BAD_MSG);
    if (flags & FUZZ_FIX_CRC)
        FUZZ_CHECK(err != SM_ERR__CRC);
    if (err == SM_OK && b->magic == 2) {
        FUZZ_CHECK(b->count >= 0);
        FUZZ_CHECK((int64_t)b->count <= (int64_t)(int32_t)sm_load_be32(
                       b->ptr + SM_BATCH_OFF_LAST_DELTA) + 1);
        FUZZ_CHECK(b->codec < SM_CODEC__CNT);
    } else if (err == SM_OK) {
        FUZZ_CHECK(b->codec <= SM_CODEC_LZ4);
    }
    fuzz_check_unchecked_fields(b, err);
    /* records of every entry, valid or not: the iterator must cope */
    (void)fuzz_records(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sm_batch_iter_t it;
    sm_batch_t b;
    const uint8_t *expect;
    uint8_t *p;
    int flags;

    if (size < 1)
        return 0;
    flags = data[0];
    size--;
    p = fuzz_copy(data + 1, size);
    sm_batch_iter_init(&it, p, size);
    if (flags & FUZZ_SMALL_LIMIT)
        it.max_entry_size = FUZZ_SMALL_MAX;
    expect = p;
    while (sm_batch_next(&it, &b)) {
        fuzz_check_entry(&b, p, p + size);
        FUZZ_CHECK(b.ptr == expect);
        expect = b.ptr + b.size;
        if (flags & FUZZ_SMALL_LIMIT)
            FUZZ_CHECK(b.size <= FUZZ_SMALL_MAX);
        fuzz_one_entry(&b, flags);
    }
    /* exactly one way to stop */
    FUZZ_CHECK((it.err != SM_OK) + it.partial + (expect == p + size &&
               it.err == SM_OK && !it.partial) == 1);
    free(p);
    return 0;
}
