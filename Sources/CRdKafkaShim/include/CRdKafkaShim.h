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

/* Delivery reports collected by a callback on the thread that polls (rd_kafka_poll,
   rd_kafka_flush), so a flush returns as soon as the last report is in: in event mode
   rd_kafka_flush waits for the reports to be read, which the same thread cannot do. */
typedef struct {
    void *opaque;
    int64_t offset;
    int64_t timestamp;
    int32_t partition;
    int32_t error;
} cshim_delivery_t;

typedef struct {
    cshim_delivery_t *items;
    size_t count;
    size_t capacity;
    /* Reports dropped because no memory was left for them (they then count as unacknowledged). */
    size_t dropped;
    /* Nonzero: the callback calls rd_kafka_yield after a report, so the rd_kafka_flush or
       rd_kafka_poll serving it returns (other threads wait for reports). Set with
       cshim_delivery_sink_set_yield from any thread. */
    int yield_on_report;
    /* Set by the callback when it yielded; cleared by the thread that polls. */
    int yielded;
} cshim_delivery_sink_t;

/* Sets the delivery report callback that appends to this thread's active sink. */
void cshim_rd_kafka_conf_collect_deliveries(rd_kafka_conf_t *conf);
/* Makes `sink` (or NULL: reports are dropped) the calling thread's active sink. */
void cshim_delivery_sink_activate(cshim_delivery_sink_t *sink);
/* Sets `yield_on_report` (atomically: other threads may set it while one polls). */
void cshim_delivery_sink_set_yield(cshim_delivery_sink_t *sink, int yield);
/* Frees the sink's storage. */
void cshim_delivery_sink_release(cshim_delivery_sink_t *sink);

#endif
