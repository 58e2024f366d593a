/*
 * fuzz_msgset.c: libFuzzer target for legacy MessageSets (magic 0 and 1),
 * the format of Produce v0-2 requests and Fetch v0-3 responses.  Input: one
 * flags byte (sm_fuzz.h), then the message set.  Seeds: the records
 * blobs of the Produce v0/v2 captures in t/data (kcat and kafka-python,
 * plain and gzip/snappy/lz4 wrappers).
 *
 * It drives the outer iterator and sm_batch_validate() and checks
 * what validation promises the record iterator: for a message that
 * validates, the key and value lengths are -1 or fit, and they end exactly
 * at the end of the message; magic 0 has no timestamp; an uncompressed
 * message counts one record, a compressed wrapper an unknown number.
 * Then it iterates the records of every legacy entry with sm_rec_iter_*
 * (inner messages of gzip/snappy/lz4 wrappers included, decompression
 * bounded to 1 MiB): slices stay inside their buffers, and a plain message
 * that validated yields exactly one record.
 */
#include "sm_fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sm_crc32c_init() == 0 ? 0 : 1;
}

/* Re-derive key and value from a message that validated; trap if they do
 * not tile the message exactly. */
static void
fuzz_check_legacy(const sm_batch_t *b)
{
    size_t pos = b->magic == 1 ? 26 : 18;
    int32_t klen, vlen;

    FUZZ_CHECK(pos + 8 <= b->size);
    klen = (int32_t)sm_load_be32(b->ptr + pos);
    FUZZ_CHECK(klen >= -1);
    pos += 4 + (klen > 0 ? (size_t)klen : 0);
    FUZZ_CHECK(pos + 4 <= b->size);
    vlen = (int32_t)sm_load_be32(b->ptr + pos);
    FUZZ_CHECK(vlen >= -1);
    pos += 4 + (vlen > 0 ? (size_t)vlen : 0);
    FUZZ_CHECK(pos == b->size);
    FUZZ_CHECK(b->count == (b->codec == SM_CODEC_NONE ? 1 : -1));
    if (b->magic == 0)
        FUZZ_CHECK(b->max_timestamp == SM_NO_TIMESTAMP);
    FUZZ_CHECK(b->base_offset == b->last_offset);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sm_batch_iter_t it;
    sm_batch_t b;
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
    while (sm_batch_next(&it, &b)) {
        sm_err_t err;

        fuzz_check_entry(&b, p, p + size);
        if (flags & FUZZ_FIX_CRC)
            fuzz_fix_crc(&b);
        err = sm_batch_validate(&b);
        if (flags & FUZZ_FIX_CRC)
            FUZZ_CHECK(err != SM_ERR__CRC);
        if (err == SM_OK && b.magic < 2) {
            int n;

            fuzz_check_legacy(&b);
            n = fuzz_records(&b);
            if (b.codec == SM_CODEC_NONE)
                FUZZ_CHECK(n == 1);
        } else if (b.magic < 2) {
            (void)fuzz_records(&b);
        }
    }
    free(p);
    return 0;
}
