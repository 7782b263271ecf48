/* Helpers shared by the C reference clients of scripts/bench. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <time.h>

static inline long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Sets one property; on failure prints "<program>: <name>: <reason>" and returns -1. */
static inline int set_property(const char *program, rd_kafka_conf_t *conf, const char *name, const char *value) {
    char reason[256];
    if (rd_kafka_conf_set(conf, name, value, reason, sizeof reason) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s: %s: %s\n", program, name, reason);
        return -1;
    }
    return 0;
}

#endif
