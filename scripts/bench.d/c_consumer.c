/* Reference consumer for scripts/bench: plain librdkafka with the bootstrap's consumer settings
 * (a group id only because librdkafka's assign needs one; never joined nor committed;
 * fetch.wait.max.ms=10 as the bootstrap sets it, partition EOF events). Connects and reads the topic's
 * watermarks first, then for each repeat assigns every partition from the beginning and reads
 * until COUNT records arrived, printing "elapsed_us <n>" per repeat.
 *
 *   c_consumer BOOTSTRAP_SERVERS TOPIC COUNT REPEATS
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

static int set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    return set_property("c_consumer", conf, name, value);
}

/* The topic's partition list, each at the beginning; NULL on failure. */
static rd_kafka_topic_partition_list_t *partitions_from_beginning(rd_kafka_t *rk, const char *name) {
    rd_kafka_topic_t *topic = rd_kafka_topic_new(rk, name, NULL);
    const struct rd_kafka_metadata *metadata = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, topic, &metadata, 10000);
    rd_kafka_topic_destroy(topic);
    if (err || metadata->topic_cnt != 1 || metadata->topics[0].err) {
        fprintf(stderr, "c_consumer: no metadata for %s\n", name);
        if (!err) rd_kafka_metadata_destroy(metadata);
        return NULL;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(metadata->topics[0].partition_cnt);
    for (int i = 0; i < metadata->topics[0].partition_cnt; i++) {
        int32_t id = metadata->topics[0].partitions[i].id;
        rd_kafka_topic_partition_list_add(list, name, id)->offset = RD_KAFKA_OFFSET_BEGINNING;
        int64_t low, high; /* warms the connection to each partition's leader */
        rd_kafka_query_watermark_offsets(rk, name, id, &low, &high, 10000);
    }
    rd_kafka_metadata_destroy(metadata);
    return list;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: c_consumer BOOTSTRAP_SERVERS TOPIC COUNT REPEATS\n");
        return 2;
    }
    long count = atol(argv[3]), repeats = atol(argv[4]);
    if (count < 1 || repeats < 1 || repeats > 100) {
        fprintf(stderr, "c_consumer: COUNT and REPEATS (1-100) must be positive\n");
        return 2;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", argv[1]) || set(conf, "group.id", "bench-c-consumer") ||
        set(conf, "fetch.wait.max.ms", "10") ||
        set(conf, "enable.partition.eof", "true") || set(conf, "enable.auto.commit", "false") ||
        set(conf, "enable.auto.offset.store", "false")) return 1;
    char reason[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
    if (!rk) {
        fprintf(stderr, "c_consumer: %s\n", reason);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = partitions_from_beginning(rk, argv[2]);
    int status = list ? 0 : 1;
    for (long r = 0; r < repeats && status == 0; r++) {
        long long start = now_us(), give_up = start + 120LL * 1000000LL;
        rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
        if (err) {
            fprintf(stderr, "c_consumer: assign: %s\n", rd_kafka_err2str(err));
            status = 1;
            break;
        }
        long received = 0;
        size_t bytes = 0;
        while (received < count && now_us() < give_up) {
            rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 100);
            if (!message) continue;
            if (!message->err) {
                received++;
                bytes += message->len;
            }
            rd_kafka_message_destroy(message);
        }
        long long elapsed = now_us() - start;
        rd_kafka_assign(rk, NULL);
        if (received < count) {
            fprintf(stderr, "c_consumer: read %ld of %ld records\n", received, count);
            status = 1;
            break;
        }
        printf("elapsed_us %lld bytes %zu\n", elapsed, bytes);
        fflush(stdout);
    }
    if (list) rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return status;
}
