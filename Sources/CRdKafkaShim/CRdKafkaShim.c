#include "CRdKafkaShim.h"

static const unsigned char empty_bytes[1] = {0};

const void *cshim_rd_kafka_empty_bytes(void) {
    return empty_bytes;
}
