/*
 * dump_log_decode.c: what --print-data-log shows for a record's key and
 * value (Kafka's DumpLogSegments.MessageParser implementations).
 *
 * DECODERS (--key-decoder-class / --value-decoder-class; Kafka loads the
 * named class, samsa knows Kafka's four by name):
 *   kafka.serializer.StringDecoder   the bytes as UTF-8 (bad sequences
 *                                    become U+FFFD), the default
 *   kafka.serializer.IntegerDecoder  the first 4 bytes, big-endian, signed
 *   kafka.serializer.LongDecoder     the first 8 bytes, big-endian, signed
 *   kafka.serializer.DefaultDecoder  Kafka prints the Java byte array's
 *                                    identity ("[B@1b6d3586"), which
 *                                    changes from run to run; samsa prints
 *                                    the same shape with a hash of the
 *                                    bytes, so equal bytes look equal
 * Any other class name is a ClassNotFoundException, as in Kafka when the
 * class is not on its classpath.
 *
 * Key and value are both decoded before either is printed (Kafka's parse()
 * returns the pair), so a decoder failure leaves neither on the line.
 * Null keys and values print nothing.
 *
 * --offsets-decoder and --transaction-log-decoder: see dump_log_coord.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_endian.h"
#include "tools/dump_log.h"

static const struct {
    const char  *name;
    dl_decoder_t dec;
} dl_decoders[] = {
    { "kafka.serializer.StringDecoder", DL_DEC_STRING },
    { "kafka.serializer.DefaultDecoder", DL_DEC_DEFAULT },
    { "kafka.serializer.IntegerDecoder", DL_DEC_INTEGER },
    { "kafka.serializer.LongDecoder", DL_DEC_LONG },
};

int
dl_decoder_lookup(const char *class_name, dl_decoder_t *dec)
{
    for (size_t i = 0; i < sizeof(dl_decoders) / sizeof(dl_decoders[0]); i++)
        if (strcmp(dl_decoders[i].name, class_name) == 0) {
            *dec = dl_decoders[i].dec;
            return 0;
        }
    return dl_throw("java.lang.ClassNotFoundException", "%s", class_name);
}

/* Decode one non-null field into out; -1 if the decoder throws. */
static int
dl_decode(dl_decoder_t dec, sm_bytes_t b, FILE *out)
{
    uint32_t h = 2166136261u;

    switch (dec) {
    case DL_DEC_STRING:
        dl_put_utf8(out, b.ptr, (size_t)b.len);
        return 0;
    case DL_DEC_INTEGER:
        if (b.len < 4)
            return dl_throw("java.nio.BufferUnderflowException", NULL);
        fprintf(out, "%" PRId32, (int32_t)sm_load_be32(b.ptr));
        return 0;
    case DL_DEC_LONG:
        if (b.len < 8)
            return dl_throw("java.nio.BufferUnderflowException", NULL);
        fprintf(out, "%" PRId64, (int64_t)sm_load_be64(b.ptr));
        return 0;
    case DL_DEC_DEFAULT:
        for (int32_t i = 0; i < b.len; i++)
            h = (h ^ b.ptr[i]) * 16777619u;     /* FNV-1a */
        fprintf(out, "[B@%" PRIx32, h);
        return 0;
    }
    return 0;
}

static int
dl_print_decoded(dl_ctx_t *ctx, sm_bytes_t key, sm_bytes_t value)
{
    char *kbuf = NULL, *vbuf = NULL;
    size_t klen = 0, vlen = 0;
    FILE *kf = open_memstream(&kbuf, &klen);
    FILE *vf = open_memstream(&vbuf, &vlen);
    int rc = -1;

    if (kf == NULL || vf == NULL) {
        dl_throw("java.lang.OutOfMemoryError", NULL);
        goto out;
    }
    if (key.len >= 0 && dl_decode(ctx->key_dec, key, kf) != 0)
        goto out;
    if (value.len >= 0 && dl_decode(ctx->value_dec, value, vf) != 0)
        goto out;
    fflush(kf);
    fflush(vf);
    if (key.len >= 0) {
        fputs(" key: ", stdout);
        fwrite(kbuf, 1, klen, stdout);
    }
    if (value.len >= 0) {
        fputs(" payload: ", stdout);
        fwrite(vbuf, 1, vlen, stdout);
    }
    rc = 0;
out:
    if (kf != NULL)
        fclose(kf);
    if (vf != NULL)
        fclose(vf);
    free(kbuf);
    free(vbuf);
    return rc;
}

int
dl_print_key_value(dl_ctx_t *ctx, sm_bytes_t key, sm_bytes_t value)
{
    switch (ctx->parser) {
    case DL_PARSER_OFFSETS:
        return dl_print_offsets_record(key, value);
    case DL_PARSER_TXN:
        return dl_print_txn_record(key, value);
    case DL_PARSER_DECODERS:
        break;
    }
    return dl_print_decoded(ctx, key, value);
}
