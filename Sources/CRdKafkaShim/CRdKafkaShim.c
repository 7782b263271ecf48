#include "CRdKafkaShim.h"
#include <stdlib.h>

static const unsigned char empty_bytes[1] = {0};

const void *cshim_rd_kafka_empty_bytes(void) {
    return empty_bytes;
}

static _Thread_local cshim_delivery_sink_t *active_sink = NULL;

static void collect_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)opaque;
    cshim_delivery_sink_t *sink = active_sink;
    if (sink == NULL) return;
    if (__atomic_load_n(&sink->yield_on_report, __ATOMIC_RELAXED)) {
        /* Checked after this callback returns: the poll or flush returns to its caller, which
           hands the reports on to the threads waiting for them. */
        sink->yielded = 1;
        rd_kafka_yield(rk);
    }
    if (sink->count == sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity * 2 : 256;
        cshim_delivery_t *grown = realloc(sink->items, capacity * sizeof(cshim_delivery_t));
        if (grown == NULL) {
            sink->dropped++;
            return;
        }
        sink->items = grown;
        sink->capacity = capacity;
    }
    rd_kafka_timestamp_type_t type;
    cshim_delivery_t *item = &sink->items[sink->count++];
    item->opaque = message->_private;
    item->offset = message->offset;
    item->timestamp = rd_kafka_message_timestamp(message, &type);
    item->partition = message->partition;
    item->error = message->err;
}

void cshim_rd_kafka_conf_collect_deliveries(rd_kafka_conf_t *conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, collect_delivery);
}

void cshim_delivery_sink_activate(cshim_delivery_sink_t *sink) {
    active_sink = sink;
}

void cshim_delivery_sink_set_yield(cshim_delivery_sink_t *sink, int yield) {
    __atomic_store_n(&sink->yield_on_report, yield, __ATOMIC_RELAXED);
}

void cshim_delivery_sink_release(cshim_delivery_sink_t *sink) {
    free(sink->items);
    sink->items = NULL;
    sink->count = 0;
    sink->capacity = 0;
}
