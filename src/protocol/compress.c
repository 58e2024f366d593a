/*
 * compress.c: the four compression codecs of Kafka's record formats, with
 * Kafka's framings (compress.h has the contract, protocol.md §3.3 the
 * background).
 *
 * FRAMINGS WRITTEN
 *   gzip    one RFC 1952 member (zlib, windowBits 15 + 16).
 *   snappy  xerial/snappy-java stream, what the Java producer writes:
 *
 *             OFFSET SIZE DESCRIPTION
 *                  0    8 magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *                  8    4 int32 BE version (1)
 *                 12    4 int32 BE minimum compatible version (1)
 *                 16    - { int32 BE block length | raw snappy block }*
 *
 *           every block holding at most 32 KiB of input.  With
 *           SM_COMPRESS_SNAPPY_RAW: one raw snappy block, as librdkafka and
 *           sarama write it.
 *   lz4     one LZ4 frame the way Kafka's Java stream writes it: independent
 *           64 KiB blocks, no content size, no checksums.  The header is
 *           4 magic bytes (04 22 4d 18), FLG, BD, [8-byte content size,
 *           never written here], HC.  HC is byte 1 of XXH32(FLG..end of
 *           descriptor); Kafka before 0.10 (magic 0) hashed from the magic
 *           bytes instead (KAFKA-3160), which SM_COMPRESS_LZ4_LEGACY writes.
 *   zstd    one zstd frame.
 *
 * FRAMINGS READ
 *   gzip    gzip members only (no zlib or raw deflate streams); several
 *           concatenated members are one stream, and bytes after the last
 *           member that do not start a new member are ignored, as Java's
 *           GZIPInputStream does.
 *   snappy  xerial when the input starts with the 8-byte magic (versions are
 *           not checked; a header with no blocks is empty output), else one
 *           raw block.
 *   lz4     any LZ4 frame liblz4 decodes (concatenated frames too).  With
 *           SM_COMPRESS_LZ4_LEGACY the header checksum is not checked at all
 *           (Kafka's ignoreFlagDescriptorChecksum): we feed liblz4 a copy of
 *           the header with the correct HC, so both the broken and the
 *           correct checksum decode.  kafka-python's old-kafka writer also
 *           drops the content-size field and its FLG bit; that needs nothing
 *           special here.
 *   zstd    streaming decoder (frames without a content size, as zstd-jni
 *           writes them, are fine).
 *
 * BOUNDS.  All output goes through sm_dout_t, which grows the caller's
 * buffer itself (never through sm_buf_reserve's doubling) so the capacity
 * added never exceeds max_out + 1 bytes: one byte past the limit is how a
 * streaming decoder tells "exactly max_out" from "more".  Snappy declares
 * its sizes up front and is checked before any allocation.  The codecs'
 * own working memory is bounded by a constant whatever the input says:
 * zlib's 32 KiB window, liblz4's block buffers (at most 4 MiB, BD 7), and
 * zstd's window, capped by sm_zstd_window_log() at 8 MiB unless max_out is
 * larger.  Every decode loop also stops when a call makes no progress.
 *
 * Threads: none shared; every call creates and frees its own codec context.
 */
#include <limits.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "protocol/compress.h"

#define SM_XERIAL_HDR_SIZE   16
#define SM_XERIAL_BLOCK      (32 * 1024)
#define SM_DOUT_STEP_MIN     (64 * 1024)
#define SM_ZSTD_WINDOW_LOG_MAX 27   /* zstd's own default limit */

static const uint8_t sm_xerial_magic[8] = {
    0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00
};
static const uint8_t sm_lz4_magic[4] = { 0x04, 0x22, 0x4d, 0x18 };

static const char *const sm_codec_names[SM_CODEC__CNT] = {
    "none", "gzip", "snappy", "lz4", "zstd"
};

const char *
sm_codec_name(sm_codec_t codec)
{
    if ((unsigned)codec >= SM_CODEC__CNT)
        return "unknown";
    return sm_codec_names[codec];
}

int
sm_codec_parse(const char *name)
{
    for (int i = 0; i < SM_CODEC__CNT; i++)
        if (strcmp(name, sm_codec_names[i]) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------- xxhash32 */

#define SM_XXH_P1 2654435761u
#define SM_XXH_P2 2246822519u
#define SM_XXH_P3 3266489917u
#define SM_XXH_P4  668265263u
#define SM_XXH_P5  374761393u

static inline uint32_t
sm_rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static inline uint32_t
sm_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint32_t
sm_xxh32_round(uint32_t acc, uint32_t in)
{
    return sm_rotl32(acc + in * SM_XXH_P2, 13) * SM_XXH_P1;
}

/* XXH32, the LZ4 frame's checksum (liblz4 does not export its own).  Only
 * frame headers (at most 19 bytes) are hashed here; the 16-byte stripe loop
 * is kept so this stays the whole algorithm. */
static uint32_t
sm_xxh32(const void *data, size_t len, uint32_t seed)
{
    const uint8_t *p = data, *end = p + len;
    uint32_t h;

    if (len >= 16) {
        uint32_t v[4] = { seed + SM_XXH_P1 + SM_XXH_P2, seed + SM_XXH_P2,
                          seed, seed - SM_XXH_P1 };
        for (; end - p >= 16; p += 16)
            for (int i = 0; i < 4; i++)
                v[i] = sm_xxh32_round(v[i], sm_load_le32(p + 4 * i));
        h = sm_rotl32(v[0], 1) + sm_rotl32(v[1], 7) + sm_rotl32(v[2], 12) +
            sm_rotl32(v[3], 18);
    } else {
        h = seed + SM_XXH_P5;
    }
    h += (uint32_t)len;
    for (; end - p >= 4; p += 4)
        h = sm_rotl32(h + sm_load_le32(p) * SM_XXH_P3, 17) * SM_XXH_P4;
    for (; p < end; p++)
        h = sm_rotl32(h + *p * SM_XXH_P5, 11) * SM_XXH_P1;
    h ^= h >> 15;
    h *= SM_XXH_P2;
    h ^= h >> 13;
    h *= SM_XXH_P3;
    h ^= h >> 16;
    return h;
}

/* ------------------------------------------------------- bounded output */

typedef struct sm_dout {
    sm_buf_t *out;
    size_t    start;             /* out->len on entry */
    size_t    limit;             /* max bytes that may be appended */
} sm_dout_t;

static void
sm_dout_init(sm_dout_t *d, sm_buf_t *out, size_t limit)
{
    d->out = out;
    d->start = out->len;
    d->limit = limit;
}

static size_t
sm_dout_used(const sm_dout_t *d)
{
    return d->out->len - d->start;
}

/*
 * Free space at the end of the buffer, growing it (by doubling what was
 * produced so far, at least 64 KiB, never past the limit).  Returns 0 only
 * when the limit has been reached.
 */
static size_t
sm_dout_room(sm_dout_t *d)
{
    sm_buf_t *b = d->out;
    size_t left = d->limit - sm_dout_used(d);
    size_t step;

    if (left == 0)
        return 0;
    if (b->cap > b->len)
        return b->cap - b->len < left ? b->cap - b->len : left;
    step = sm_dout_used(d);
    if (step < SM_DOUT_STEP_MIN)
        step = SM_DOUT_STEP_MIN;
    if (step > left)
        step = left;
    b->data = sm_realloc(b->data, b->len + step);
    b->cap = b->len + step;
    return step;
}

/* Reserve exactly n more bytes (n already checked against the limit). */
static uint8_t *
sm_dout_take(sm_dout_t *d, size_t n)
{
    sm_buf_t *b = d->out;

    if (n == 0)                 /* b->data may still be NULL: no NULL + 0 */
        return b->data;
    if (b->cap - b->len < n) {
        b->data = sm_realloc(b->data, b->len + n);
        b->cap = b->len + n;
    }
    b->len += n;
    return b->data + b->len - n;
}

/* ----------------------------------------------------------------- gzip */

static sm_err_t
sm_gzip_compress(int level, sm_slice_t src, sm_buf_t *out)
{
    z_stream zs;
    size_t bound;
    sm_err_t err = SM_OK;

    if (src.len > UINT_MAX)
        return SM_ERR__TOO_LARGE;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, level < 0 ? Z_DEFAULT_COMPRESSION : level,
                     Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return SM_ERR__COMPRESSION;
    bound = deflateBound(&zs, (uLong)src.len);
    sm_buf_reserve(out, bound);
    zs.next_in = (Bytef *)(uintptr_t)src.ptr;
    zs.avail_in = (uInt)src.len;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt)bound;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        err = SM_ERR__COMPRESSION;
        goto out;
    }
    out->len += bound - zs.avail_out;
out:
    deflateEnd(&zs);
    return err;
}

/* Inflate one gzip member starting at *pos; advances *pos past it. */
static sm_err_t
sm_gzip_member(z_stream *zs, sm_slice_t src, size_t *pos, sm_dout_t *d)
{
    int rc;

    zs->next_in = (Bytef *)(uintptr_t)(src.ptr + *pos);
    zs->avail_in = (uInt)(src.len - *pos);
    do {
        size_t room = sm_dout_room(d);
        if (room == 0)
            return SM_ERR__TOO_LARGE;
        if (room > UINT_MAX)
            room = UINT_MAX;
        zs->next_out = d->out->data + d->out->len;
        zs->avail_out = (uInt)room;
        rc = inflate(zs, Z_NO_FLUSH);
        d->out->len += room - zs->avail_out;
        /* Z_BUF_ERROR: no progress possible with output room left, i.e.
         * the stream is cut short */
        if (rc != Z_OK && rc != Z_STREAM_END)
            return SM_ERR__COMPRESSION;
    } while (rc != Z_STREAM_END);
    *pos = src.len - zs->avail_in;
    return SM_OK;
}

static sm_err_t
sm_gzip_decompress(sm_slice_t src, sm_dout_t *d)
{
    z_stream zs;
    size_t pos = 0;
    sm_err_t err = SM_OK;

    if (src.len > UINT_MAX)
        return SM_ERR__TOO_LARGE;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return SM_ERR__COMPRESSION;
    for (;;) {
        err = sm_gzip_member(&zs, src, &pos, d);
        if (err != SM_OK)
            break;
        /* another member follows only if it starts with the gzip magic */
        if (src.len - pos < 2 || src.ptr[pos] != 0x1f ||
            src.ptr[pos + 1] != 0x8b)
            break;
        inflateReset(&zs);
    }
    inflateEnd(&zs);
    return err;
}

/* --------------------------------------------------------------- snappy */

static void
sm_snappy_block(const uint8_t *p, size_t n, sm_buf_t *out)
{
    size_t clen = snappy_max_compressed_length(n);

    sm_buf_reserve(out, clen);
    /* cannot fail with a buffer of snappy_max_compressed_length() */
    (void)snappy_compress((const char *)p, n, (char *)out->data + out->len,
                          &clen);
    out->len += clen;
}

static sm_err_t
sm_snappy_compress(sm_slice_t src, sm_buf_t *out, int flags)
{
    size_t off;

    if (flags & SM_COMPRESS_SNAPPY_RAW) {
        sm_snappy_block(src.ptr, src.len, out);
        return SM_OK;
    }
    sm_buf_write(out, sm_xerial_magic, sizeof(sm_xerial_magic));
    off = sm_buf_skip(out, 8);
    sm_store_be32(out->data + off, 1);
    sm_store_be32(out->data + off + 4, 1);
    for (size_t pos = 0; pos < src.len; pos += SM_XERIAL_BLOCK) {
        size_t n = src.len - pos < SM_XERIAL_BLOCK ? src.len - pos
                                                   : SM_XERIAL_BLOCK;
        size_t lenoff = sm_buf_skip(out, 4);
        sm_snappy_block(src.ptr + pos, n, out);
        sm_store_be32(out->data + lenoff,
                      (uint32_t)(out->len - lenoff - 4));
    }
    return SM_OK;
}

/* One raw block; its declared size is checked before allocating. */
static sm_err_t
sm_snappy_raw(const uint8_t *p, size_t n, sm_dout_t *d)
{
    size_t ulen;
    uint8_t *dst;

    if (snappy_uncompressed_length((const char *)p, n, &ulen) != SNAPPY_OK)
        return SM_ERR__COMPRESSION;
    if (ulen > d->limit - sm_dout_used(d))
        return SM_ERR__TOO_LARGE;
    dst = sm_dout_take(d, ulen);
    if (snappy_uncompress((const char *)p, n, (char *)dst, &ulen) !=
        SNAPPY_OK)
        return SM_ERR__COMPRESSION;
    return SM_OK;
}

static sm_err_t
sm_snappy_decompress(sm_slice_t src, sm_dout_t *d)
{
    size_t pos = SM_XERIAL_HDR_SIZE;
    sm_err_t err;

    if (src.len < SM_XERIAL_HDR_SIZE ||
        memcmp(src.ptr, sm_xerial_magic, sizeof(sm_xerial_magic)) != 0)
        return sm_snappy_raw(src.ptr, src.len, d);
    while (pos < src.len) {
        uint32_t blen;

        if (src.len - pos < 4)
            return SM_ERR__COMPRESSION;
        blen = sm_load_be32(src.ptr + pos);
        pos += 4;
        if (blen > src.len - pos)
            return SM_ERR__COMPRESSION;
        err = sm_snappy_raw(src.ptr + pos, blen, d);
        if (err != SM_OK)
            return err;
        pos += blen;
    }
    return SM_OK;
}

/* ------------------------------------------------------------------ lz4 */

/* Size of the frame descriptor (FLG..HC inclusive) at p[4..]; 0 if p is
 * not an LZ4 frame header or too short. */
static size_t
sm_lz4_desc_size(const uint8_t *p, size_t len)
{
    size_t n;

    if (len < 7 || memcmp(p, sm_lz4_magic, 4) != 0)
        return 0;
    n = 3 + ((p[4] & 0x08) ? 8 : 0) + ((p[4] & 0x01) ? 4 : 0);
    return 4 + n <= len ? n : 0;
}

/* Store the HC byte: proper (over FLG..) or legacy (over magic + FLG..). */
static void
sm_lz4_set_hc(uint8_t *p, size_t desc, int legacy)
{
    size_t hc = 4 + desc - 1;
    uint32_t h = legacy ? sm_xxh32(p, hc, 0) : sm_xxh32(p + 4, hc - 4, 0);

    p[hc] = (uint8_t)((h >> 8) & 0xff);
}

static sm_err_t
sm_lz4_compress(int level, sm_slice_t src, sm_buf_t *out, int flags)
{
    LZ4F_preferences_t prefs;
    size_t bound, n, start = out->len;

    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.compressionLevel = level < 0 ? 0 : level;
    bound = LZ4F_compressFrameBound(src.len, &prefs);
    sm_buf_reserve(out, bound);
    n = LZ4F_compressFrame(out->data + out->len, bound, src.ptr, src.len,
                           &prefs);
    if (LZ4F_isError(n))
        return SM_ERR__COMPRESSION;
    out->len += n;
    if (flags & SM_COMPRESS_LZ4_LEGACY) {
        size_t desc = sm_lz4_desc_size(out->data + start, n);
        if (desc == 0)
            return SM_ERR__COMPRESSION;
        sm_lz4_set_hc(out->data + start, desc, 1);
    }
    return SM_OK;
}

/* Feed in[0..len) to the frame decoder, appending to d.  *done is set when
 * the decoder reports the end of a frame. */
static sm_err_t
sm_lz4_feed(LZ4F_dctx *dctx, const uint8_t *in, size_t len, sm_dout_t *d,
            int *done)
{
    while (len > 0 || !*done) {
        size_t room = sm_dout_room(d), in_sz = len, out_sz = room, rc;

        if (room == 0)
            return SM_ERR__TOO_LARGE;
        rc = LZ4F_decompress(dctx, d->out->data + d->out->len, &out_sz,
                             in, &in_sz, NULL);
        if (LZ4F_isError(rc))
            return SM_ERR__COMPRESSION;
        d->out->len += out_sz;
        in += in_sz;
        len -= in_sz;
        *done = rc == 0;
        if (len == 0 && out_sz < room)
            break;          /* all input consumed and output flushed */
        if (in_sz == 0 && out_sz == 0)
            return SM_ERR__COMPRESSION;     /* no progress: never loop */
    }
    return SM_OK;
}

static sm_err_t
sm_lz4_decompress(sm_slice_t src, sm_dout_t *d, int flags)
{
    LZ4F_dctx *dctx = NULL;
    uint8_t hdr[LZ4F_HEADER_SIZE_MAX];
    size_t skip = 0;
    int done = 0;
    sm_err_t err = SM_OK;

    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return SM_ERR__COMPRESSION;
    if (flags & SM_COMPRESS_LZ4_LEGACY) {
        size_t desc = sm_lz4_desc_size(src.ptr, src.len);
        if (desc == 0) {
            err = SM_ERR__COMPRESSION;
            goto out;
        }
        skip = 4 + desc;
        memcpy(hdr, src.ptr, skip);
        sm_lz4_set_hc(hdr, desc, 0);
        err = sm_lz4_feed(dctx, hdr, skip, d, &done);
        if (err != SM_OK)
            goto out;
    }
    err = sm_lz4_feed(dctx, src.ptr + skip, src.len - skip, d, &done);
    if (err == SM_OK && !done)
        err = SM_ERR__COMPRESSION;      /* truncated or empty input */
out:
    LZ4F_freeDecompressionContext(dctx);
    return err;
}

/* ----------------------------------------------------------------- zstd */

static sm_err_t
sm_zstd_compress(int level, sm_slice_t src, sm_buf_t *out)
{
    size_t bound = ZSTD_compressBound(src.len), n;

    sm_buf_reserve(out, bound);
    n = ZSTD_compress(out->data + out->len, bound, src.ptr, src.len,
                      level < 0 ? ZSTD_CLEVEL_DEFAULT : level);
    if (ZSTD_isError(n))
        return SM_ERR__COMPRESSION;
    out->len += n;
    return SM_OK;
}

/*
 * Largest window a frame may ask for.  Default compression levels use at
 * most 2^23 (level 19; level 3 uses 2^21), so 2^23 is always allowed; above
 * that the window may be as large as the output bound, up to zstd's default
 * limit of 2^27.
 */
static int
sm_zstd_window_log(size_t max_out)
{
    int log = 23;

    while (log < SM_ZSTD_WINDOW_LOG_MAX && ((size_t)1 << log) < max_out)
        log++;
    return log;
}

static sm_err_t
sm_zstd_decompress(sm_slice_t src, sm_dout_t *d)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_inBuffer in = { src.ptr, src.len, 0 };
    size_t rc = 1;
    sm_err_t err = SM_OK;

    if (dctx == NULL)
        return SM_ERR__COMPRESSION;
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax,
                           sm_zstd_window_log(d->limit));
    while (in.pos < in.size || rc != 0) {
        size_t room = sm_dout_room(d);
        ZSTD_outBuffer ob = { d->out->data + d->out->len, room, 0 };

        if (room == 0) {
            err = SM_ERR__TOO_LARGE;
            break;
        }
        size_t in_before = in.pos;

        rc = ZSTD_decompressStream(dctx, &ob, &in);
        d->out->len += ob.pos;
        if (ZSTD_isError(rc)) {
            err = SM_ERR__COMPRESSION;
            break;
        }
        if (ob.pos < room && rc != 0 &&
            (in.pos == in.size || in.pos == in_before)) {
            err = SM_ERR__COMPRESSION;  /* input ended inside a frame */
            break;
        }
    }
    if (err == SM_OK && src.len == 0)
        err = SM_ERR__COMPRESSION;      /* not even a frame header */
    ZSTD_freeDCtx(dctx);
    return err;
}

/* ------------------------------------------------------------------ API */

sm_err_t
sm_compress(sm_codec_t codec, int level, sm_slice_t src, sm_buf_t *out,
            int flags)
{
    switch (codec) {
    case SM_CODEC_NONE:
        sm_buf_write(out, src.ptr, src.len);
        return SM_OK;
    case SM_CODEC_GZIP:
        return sm_gzip_compress(level, src, out);
    case SM_CODEC_SNAPPY:
        return sm_snappy_compress(src, out, flags);
    case SM_CODEC_LZ4:
        return sm_lz4_compress(level, src, out, flags);
    case SM_CODEC_ZSTD:
        return sm_zstd_compress(level, src, out);
    }
    return SM_ERR__UNSUPPORTED_CODEC;
}

sm_err_t
sm_decompress(sm_codec_t codec, sm_slice_t src, size_t max_out,
              sm_buf_t *out, int flags)
{
    sm_dout_t d;
    sm_err_t err;

    /* the extra byte lets streaming decoders tell max_out from more */
    sm_dout_init(&d, out, max_out < SIZE_MAX ? max_out + 1 : max_out);
    switch (codec) {
    case SM_CODEC_NONE:
        if (src.len > max_out)
            return SM_ERR__TOO_LARGE;
        sm_buf_write(out, src.ptr, src.len);
        return SM_OK;
    case SM_CODEC_GZIP:
        err = sm_gzip_decompress(src, &d);
        break;
    case SM_CODEC_SNAPPY:
        d.limit = max_out;      /* sizes are declared: no probe byte */
        err = sm_snappy_decompress(src, &d);
        break;
    case SM_CODEC_LZ4:
        err = sm_lz4_decompress(src, &d, flags);
        break;
    case SM_CODEC_ZSTD:
        err = sm_zstd_decompress(src, &d);
        break;
    default:
        return SM_ERR__UNSUPPORTED_CODEC;
    }
    if (err == SM_OK && sm_dout_used(&d) > max_out)
        err = SM_ERR__TOO_LARGE;
    return err;
}
