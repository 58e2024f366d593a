/*
 * fuzz_request_header.c: libFuzzer target for the start of every request:
 * sm_req_hdr_read() and the API table lookups a dispatcher does with its
 * result, then the body.  Input: a request frame without its size prefix
 * (exactly what the .bin files in t/data hold; they are the seeds).
 *
 * The body is read in one of two ways:
 *   - Produce v0-8: walked to its records blobs (layout of Kafka's
 *     ProduceRequest.json); entries that validate have their records
 *     iterated (sm_rec_iter_*), as the broker does;
 *   - anything else: "skipped" by a small interpreter that reads primitive
 *     fields chosen by the body's own bytes (every sm_rd_* reader, flexible
 *     and not), so the fuzzer exercises codec.c's bounds checks with
 *     arbitrary field sequences.
 * Properties: a reader never moves outside its frame, and after an error
 * it stays put and keeps the first error (codec.c invariants 1 and 2).
 */
#include "sm_fuzz.h"
#include "protocol/apis.h"
#include "protocol/codec.h"

#define FUZZ_MAX_STEPS 512

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sm_crc32c_init() == 0 ? 0 : 1;
}

static void
fuzz_check_rd(const sm_rd_t *rd, const uint8_t *start, size_t size)
{
    FUZZ_CHECK(rd->start == start && rd->end == start + size);
    FUZZ_CHECK(rd->pos >= rd->start && rd->pos <= rd->end);
}

/* A Produce records blob, as the broker would take it apart. */
static void
fuzz_produce_records(sm_bytes_t recs)
{
    sm_batch_iter_t it;
    sm_batch_t b;

    if (recs.len <= 0)
        return;
    sm_batch_iter_init(&it, recs.ptr, (size_t)recs.len);
    while (sm_batch_next(&it, &b))
        if (sm_batch_validate(&b) == SM_OK)
            (void)fuzz_records(&b);
}

static void
fuzz_produce(sm_rd_t *rd, int16_t v)
{
    int flex = v >= 9;
    int32_t nt, np;

    if (v >= 3)
        sm_rd_nstr(rd, flex);              /* TransactionalId */
    sm_rd_i16(rd);                         /* Acks */
    sm_rd_i32(rd);                         /* TimeoutMs */
    nt = sm_rd_array(rd, flex, 6);
    for (int32_t i = 0; i < nt && sm_rd_ok(rd); i++) {
        sm_rd_str(rd, flex);
        np = sm_rd_array(rd, flex, 8);
        for (int32_t j = 0; j < np && sm_rd_ok(rd); j++) {
            sm_rd_i32(rd);
            fuzz_produce_records(sm_rd_nbytes(rd, flex));
            if (flex)
                sm_rd_tags(rd);
        }
        if (flex)
            sm_rd_tags(rd);
    }
    if (flex)
        sm_rd_tags(rd);
}

/* Read one primitive chosen by op; returns 0 once the reader failed. */
static int
fuzz_step(sm_rd_t *rd, uint8_t op)
{
    sm_uuid_t u;
    int flex = op & 0x10;

    switch (op & 0x0f) {
    case 0:  sm_rd_i8(rd); break;
    case 1:  sm_rd_i16(rd); break;
    case 2:  sm_rd_i32(rd); break;
    case 3:  sm_rd_i64(rd); break;
    case 4:  sm_rd_uvarint(rd); break;
    case 5:  sm_rd_varint(rd); break;
    case 6:  sm_rd_varlong(rd); break;
    case 7:  sm_rd_str(rd, flex); break;
    case 8:  sm_rd_nstr(rd, flex); break;
    case 9:  sm_rd_bytes(rd, flex); break;
    case 10: sm_rd_nbytes(rd, flex); break;
    case 11: sm_rd_array(rd, flex, (size_t)(op >> 5) + 1); break;
    case 12: sm_rd_tags(rd); break;
    case 13: sm_rd_uuid(rd, &u); break;
    case 14: sm_rd_bool(rd); break;
    default: sm_rd_skip(rd, op >> 4); break;
    }
    return sm_rd_ok(rd);
}

static void
fuzz_skip_body(sm_rd_t *rd)
{
    for (int i = 0; i < FUZZ_MAX_STEPS && sm_rd_remaining(rd) > 0; i++) {
        uint8_t op = (uint8_t)sm_rd_i8(rd);

        if (!fuzz_step(rd, op)) {
            /* after the first error the reader is frozen */
            const uint8_t *at = rd->pos;
            sm_err_t err = rd->err;

            fuzz_step(rd, (uint8_t)(op + 1));
            FUZZ_CHECK(rd->pos == at && rd->err == err);
            return;
        }
    }
    sm_rd_skip(rd, sm_rd_remaining(rd));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = fuzz_copy(data, size);
    sm_req_hdr_t hdr;
    sm_rd_t rd;
    sm_err_t err, first;

    sm_rd_init(&rd, p, size);
    err = sm_req_hdr_read(&rd, &hdr);
    fuzz_check_rd(&rd, p, size);
    (void)sm_api_name(hdr.ApiKey);
    (void)sm_api_info(hdr.ApiKey);
    if (size >= 8) {
        FUZZ_CHECK(hdr.ApiKey == (int16_t)sm_load_be16(p));
        FUZZ_CHECK(hdr.CorrelationId == (int32_t)sm_load_be32(p + 4));
    }
    if (err == SM_OK) {
        FUZZ_CHECK(hdr.ClientId.len < 0 || (hdr.ClientId.ptr >= (char *)p &&
                   hdr.ClientId.ptr + hdr.ClientId.len <= (char *)p + size));
        if (hdr.ApiKey == SM_API_Produce && hdr.ApiVersion >= 0 &&
            hdr.ApiVersion <= 8)
            fuzz_produce(&rd, hdr.ApiVersion);
        else
            fuzz_skip_body(&rd);
    }
    fuzz_check_rd(&rd, p, size);
    first = rd.err;
    sm_rd_i64(&rd);                        /* errors are sticky */
    if (first != SM_OK)
        FUZZ_CHECK(rd.err == first);
    free(p);
    return 0;
}
