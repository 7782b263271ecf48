/* Reference producer for scripts/bench: plain librdkafka, idempotent, acks=all, every other
 * setting at librdkafka's default (the bootstrap's too). Connects and warms up with one record,
 * then for each repeat sends COUNT records of VALUE_BYTES bytes and waits for every delivery
 * report, printing "elapsed_us <n>" per repeat.
 *
 *   c_producer BOOTSTRAP_SERVERS TOPIC COUNT VALUE_BYTES REPEATS [PARTITIONS [KEYED]]
 *
 * With PARTITIONS above 0 the records go round-robin to partitions 0..PARTITIONS-1 and there is
 * no warm-up record: the bench fills its consume topic that way, evenly, with exactly COUNT
 * records per repeat (librdkafka's mock cluster drops the oldest records of a partition
 * beyond 5 MB, which the default partitioner's uneven batches can reach). With KEYED 1 record i
 * carries the key "key-%08d" (as the bench's produce events do: keyed records are partitioned by
 * their key's hash and batch differently from keyless ones).
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

static long delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    (void)opaque;
    if (message->err) failed++;
    else delivered++;
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    return set_property("c_producer", conf, name, value);
}

/* Sends `count` records and waits (at most 120 s) for all reports; returns 0 when all were delivered. */
static int send_batch(rd_kafka_t *rk, rd_kafka_topic_t *topic, long count, const char *value, size_t size,
                      int partitions, int keyed) {
    char key[32];
    size_t key_size = 0;
    delivered = failed = 0;
    long long give_up = now_us() + 120LL * 1000000LL;
    for (long i = 0; i < count;) {
        int32_t partition = partitions > 0 ? (int32_t)(i % partitions) : RD_KAFKA_PARTITION_UA;
        if (keyed) key_size = (size_t)snprintf(key, sizeof key, "key-%08ld", i);
        if (rd_kafka_produce(topic, partition, RD_KAFKA_MSG_F_COPY, (void *)value, size, keyed ? key : NULL, key_size,
                             NULL) == 0) {
            i++;
        } else if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_us() < give_up) {
            rd_kafka_poll(rk, 100);
        } else {
            fprintf(stderr, "c_producer: produce failed: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
            return -1;
        }
    }
    while (delivered + failed < count && now_us() < give_up) rd_kafka_poll(rk, 100);
    return (delivered == count) ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 6 || argc > 8) {
        fprintf(stderr, "usage: c_producer BOOTSTRAP_SERVERS TOPIC COUNT VALUE_BYTES REPEATS [PARTITIONS [KEYED]]\n");
        return 2;
    }
    long count = atol(argv[3]), repeats = atol(argv[5]);
    size_t size = (size_t)atol(argv[4]);
    int partitions = argc >= 7 ? atoi(argv[6]) : 0, keyed = argc == 8 && atoi(argv[7]) == 1;
    if (count < 1 || repeats < 1 || repeats > 1000 || size < 1 || size > 1000000) {
        fprintf(stderr, "c_producer: COUNT, VALUE_BYTES and REPEATS (1-1000) must be positive\n");
        return 2;
    }
    char *value = malloc(size);
    const char *pattern = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < size; i++) value[i] = pattern[i % 36];

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", argv[1]) || set(conf, "enable.idempotence", "true") || set(conf, "acks", "all")) return 1;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char reason[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
    if (!rk) {
        fprintf(stderr, "c_producer: %s\n", reason);
        return 1;
    }
    rd_kafka_topic_t *topic = rd_kafka_topic_new(rk, argv[2], NULL);
    int status = 0;
    if (partitions == 0 && send_batch(rk, topic, 1, value, size, 0, keyed) != 0) {
        fprintf(stderr, "c_producer: warm-up record not delivered\n");
        status = 1;
    }
    for (long r = 0; r < repeats && status == 0; r++) {
        long long start = now_us();
        if (send_batch(rk, topic, count, value, size, partitions, keyed) != 0) {
            fprintf(stderr, "c_producer: %ld delivered, %ld failed of %ld\n", delivered, failed, count);
            status = 1;
            break;
        }
        printf("elapsed_us %lld\n", now_us() - start);
        fflush(stdout);
    }
    rd_kafka_topic_destroy(topic);
    rd_kafka_flush(rk, 5000);
    rd_kafka_destroy(rk);
    free(value);
    return status;
}
