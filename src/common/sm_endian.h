/*
 * sm_endian.h: big-endian loads and stores on unaligned memory.
 *
 * Kafka's wire and disk formats are big-endian; these helpers are the only
 * place that knows it.  memcpy keeps them legal on unaligned pointers and
 * compiles to a single load plus bswap.
 */
#ifndef SM_ENDIAN_H
#define SM_ENDIAN_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t sm_load_be16(const void *p)
{ uint16_t v; memcpy(&v, p, 2); return be16toh(v); }
static inline uint32_t sm_load_be32(const void *p)
{ uint32_t v; memcpy(&v, p, 4); return be32toh(v); }
static inline uint64_t sm_load_be64(const void *p)
{ uint64_t v; memcpy(&v, p, 8); return be64toh(v); }

static inline void sm_store_be16(void *p, uint16_t v)
{ v = htobe16(v); memcpy(p, &v, 2); }
static inline void sm_store_be32(void *p, uint32_t v)
{ v = htobe32(v); memcpy(p, &v, 4); }
static inline void sm_store_be64(void *p, uint64_t v)
{ v = htobe64(v); memcpy(p, &v, 8); }

#endif
