/*
 * Does librdkafka 2.0.2's mock cluster keep an idempotent producer's retry out of the log?
 *
 * What KafkaFaultScenarioTests "broker-down-and-back" does, without Swift, the emulator or the
 * bootstrap: an idempotent producer sends 10,000 records in batches of 100 to a 3-broker mock
 * cluster whose brokers answer after 20 ms; mid-stream broker 2 goes down for one second. Then a
 * consumer reads the topic back and counts each record id.
 *
 *   scripts/repro/mock-idempotence-duplicate [idempotent|transactional] [runs]
 *
 * The mock appends a Produce request to its log when it reads it and answers `rtt` later; the
 * outage closes the connection before the answer, so librdkafka retries the batch with the same
 * producer id and sequence (possibly persisted). A real broker drops that retry as a duplicate
 * sequence; the mock checks sequences only for transactional producers (rdkafka_mock.c,
 * rd_kafka_mock_validate_records: "if (!TransactionalId ...) return NO_ERROR"), so it appends
 * the batch a second time. In transactional mode the same outage leaves no duplicate.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORDS 10000
#define TOPIC "reliability"

static int delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk; (void)opaque;
    if (message->err) failed++; else delivered++;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char reason[256];
    if (rd_kafka_conf_set(conf, name, value, reason, sizeof reason) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s: %s\n", name, reason);
        exit(2);
    }
}

static int run(int transactional) {
    char reason[512];
    rd_kafka_conf_t *owner_conf = rd_kafka_conf_new();
    set(owner_conf, "log_level", "0");
    rd_kafka_t *owner = rd_kafka_new(RD_KAFKA_PRODUCER, owner_conf, reason, sizeof reason);
    if (!owner) { fprintf(stderr, "%s\n", reason); return -1; }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(owner, 3);
    rd_kafka_mock_topic_create(cluster, TOPIC, 3, 3);
    const char *servers = rd_kafka_mock_cluster_bootstraps(cluster);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", servers);
    set(conf, "enable.idempotence", "true");
    set(conf, "batch.num.messages", "100");
    set(conf, "linger.ms", "5");
    set(conf, "message.timeout.ms", "15000");
    set(conf, "log_level", "0");
    if (transactional) set(conf, "transactional.id", "mock-idempotence-duplicate");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
    if (!producer) { fprintf(stderr, "%s\n", reason); return -1; }
    if (transactional) {
        rd_kafka_error_t *error = rd_kafka_init_transactions(producer, 10000);
        if (!error) error = rd_kafka_begin_transaction(producer);
        if (error) { fprintf(stderr, "transactions: %s\n", rd_kafka_error_string(error)); return -1; }
    }
    /* A warm-up record, as the test does: the producer id and the leaders are known. */
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(TOPIC), RD_KAFKA_V_VALUE("warm", 4), RD_KAFKA_V_END);
    rd_kafka_flush(producer, 10000);
    delivered = failed = 0;
    for (int broker = 1; broker <= 3; broker++) rd_kafka_mock_broker_set_rtt(cluster, broker, 20);

    for (int id = 0; id < RECORDS; id++) {
        char value[16];
        int length = snprintf(value, sizeof value, "%d", id);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(TOPIC), RD_KAFKA_V_PARTITION(id % 3),
            RD_KAFKA_V_VALUE(value, (size_t)length), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err) { fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err)); return -1; }
    }
    /* Down while a third of the records are acknowledged, so requests are in flight to it. */
    while (delivered + failed < RECORDS / 3) rd_kafka_poll(producer, 1);
    rd_kafka_mock_broker_set_down(cluster, 2);
    for (int waited = 0; waited < 1000; waited += 10) rd_kafka_poll(producer, 10);
    rd_kafka_mock_broker_set_up(cluster, 2);
    rd_kafka_flush(producer, 20000);
    if (transactional) {
        rd_kafka_error_t *error = rd_kafka_commit_transaction(producer, 20000);
        if (error) { fprintf(stderr, "commit: %s\n", rd_kafka_error_string(error)); return -1; }
    }
    for (int broker = 1; broker <= 3; broker++) rd_kafka_mock_broker_set_rtt(cluster, broker, 0);

    rd_kafka_conf_t *consumer_conf = rd_kafka_conf_new();
    set(consumer_conf, "bootstrap.servers", servers);
    set(consumer_conf, "group.id", "mock-idempotence-duplicate");
    set(consumer_conf, "enable.partition.eof", "true");
    set(consumer_conf, "log_level", "0");
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, consumer_conf, reason, sizeof reason);
    if (!consumer) { fprintf(stderr, "%s\n", reason); return -1; }
    rd_kafka_topic_partition_list_t *partitions = rd_kafka_topic_partition_list_new(3);
    for (int partition = 0; partition < 3; partition++)
        rd_kafka_topic_partition_list_add(partitions, TOPIC, partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(consumer, partitions);
    rd_kafka_topic_partition_list_destroy(partitions);
    static int seen[RECORDS];
    memset(seen, 0, sizeof seen);
    int ends = 0, in_log = 0;
    while (ends < 3) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 10000);
        if (!message) { fprintf(stderr, "consumer: no message or end within 10 s\n"); return -1; }
        if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) ends++;
        else if (!message->err && message->len < 16) {
            char text[16];
            memcpy(text, message->payload, message->len);
            text[message->len] = 0;
            int id = atoi(text);
            if (strcmp(text, "warm") != 0 && id >= 0 && id < RECORDS) { seen[id]++; in_log++; }
        }
        rd_kafka_message_destroy(message);
    }
    int duplicates = 0, missing = 0;
    for (int id = 0; id < RECORDS; id++) {
        if (seen[id] > 1) duplicates += seen[id] - 1;
        if (seen[id] == 0) missing++;
    }
    printf("mode=%s delivered=%d failed=%d in_log=%d duplicates=%d missing=%d\n",
           transactional ? "transactional" : "idempotent", delivered, failed, in_log, duplicates, missing);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(owner);
    return duplicates;
}

int main(int argc, char **argv) {
    int transactional = argc > 1 && strcmp(argv[1], "transactional") == 0;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    int with_duplicates = 0;
    for (int i = 0; i < runs; i++) {
        int duplicates = run(transactional);
        if (duplicates < 0) return 2;
        if (duplicates > 0) with_duplicates++;
    }
    printf("runs=%d runs_with_duplicates=%d\n", runs, with_duplicates);
    return 0;
}
