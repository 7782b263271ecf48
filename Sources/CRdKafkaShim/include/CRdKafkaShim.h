#ifndef CRDKAFKASHIM_H
#define CRDKAFKASHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* librdkafka's special partition and offset values are macros with casts,
   which Swift does not import. */
static const int32_t cshim_rd_kafka_partition_unassigned = RD_KAFKA_PARTITION_UA;
static const int64_t cshim_rd_kafka_offset_beginning = RD_KAFKA_OFFSET_BEGINNING;
static const int64_t cshim_rd_kafka_offset_end = RD_KAFKA_OFFSET_END;
static const int64_t cshim_rd_kafka_offset_stored = RD_KAFKA_OFFSET_STORED;
static const int64_t cshim_rd_kafka_offset_invalid = RD_KAFKA_OFFSET_INVALID;

/* A valid address for zero-length keys, values and header values: librdkafka
   treats a NULL pointer as a null (absent) field, not an empty one. */
const void *cshim_rd_kafka_empty_bytes(void);

#endif
