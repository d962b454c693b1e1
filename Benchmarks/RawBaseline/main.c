/*
 * hlkafka-raw-baseline: the raw librdkafka producer and consumer that `hlkafka bench` compares the Swift clients
 * with. Same settings as the Swift defaults (acks=all, idempotence, linger 5 ms, batch 1 MB, queue 100,000;
 * consumer batches of 1,024 from a dedicated loop). Prints one JSON line:
 * {"mode":"raw","operation":...,"messages":N,"seconds":S,"messagesPerSecond":R}
 * consume-copy (mode "raw-copy") also copies each message's key, value and headers into memory of its own and frees
 * them, as the Swift client does: the like-for-like view of the plain client's cost.
 *
 * produce with NAME=VALUE arguments after VALUE_BYTES (mode "raw-headers") sends those headers with every message, as
 * the traced wrapper does: what carrying them costs librdkafka itself.
 *
 * usage: hlkafka-raw-baseline produce|consume|consume-copy BOOTSTRAP TOPIC MESSAGES VALUE_BYTES [NAME=VALUE ...]
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered = 0;
static long failed = 0;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    (void)opaque;
    if (message->err) failed++; else delivered++;
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char error[512];
    if (rd_kafka_conf_set(conf, name, value, error, sizeof(error)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "hlkafka-raw-baseline: %s=%s refused: %s\n", name, value, error);
        return -1;
    }
    return 0;
}

static void report(const char *mode, const char *operation, long messages, double seconds) {
    printf("{\"mode\":\"%s\",\"operation\":\"%s\",\"messages\":%ld,\"seconds\":%.6f,\"messagesPerSecond\":%.1f}\n",
           mode, operation, messages, seconds, seconds > 0 ? (double)messages / seconds : 0.0);
}

/* What the copies are summed into, so the compiler cannot drop a malloc, copy and free that nothing reads. */
static volatile size_t copied_checksum = 0;

static void *copy_bytes(const void *bytes, size_t size) {
    void *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, bytes, size);
    return copy;
}

/* Copies key, value and every header (name and value) of a consumed message, then frees the copies. */
static void copy_and_free(const rd_kafka_message_t *message) {
    void *key = message->key ? copy_bytes(message->key, message->key_len) : NULL;
    void *value = message->payload ? copy_bytes(message->payload, message->len) : NULL;
    size_t sum = message->len ? ((unsigned char *)value)[0] : 0;
    rd_kafka_headers_t *headers = NULL;
    if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        size_t count = rd_kafka_header_cnt(headers);
        void **copies = malloc(sizeof(void *) * 2 * (count ? count : 1));
        const char *name;
        const void *header_value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &header_value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
            copies[2 * i] = copy_bytes(name, strlen(name));
            copies[2 * i + 1] = header_value ? copy_bytes(header_value, size) : NULL;
            sum += size;
        }
        for (size_t i = 0; i < 2 * count; i++) free(copies[i]);
        free(copies);
    }
    free(key);
    free(value);
    copied_checksum += sum;
}

/* A new header list holding every NAME=VALUE of `pairs` (split at the first '='), as the Swift client builds one per
 * message; NULL without pairs. */
static rd_kafka_headers_t *make_headers(char **pairs, int count) {
    if (count == 0) return NULL;
    rd_kafka_headers_t *headers = rd_kafka_headers_new((size_t)count);
    for (int i = 0; i < count; i++) {
        const char *equals = strchr(pairs[i], '=');
        rd_kafka_header_add(headers, pairs[i], equals - pairs[i], equals + 1, (ssize_t)strlen(equals + 1));
    }
    return headers;
}

static int produce(const char *bootstrap, const char *topic, long messages, size_t value_bytes, char **pairs, int pair_count) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", bootstrap) || set(conf, "acks", "all") || set(conf, "enable.idempotence", "true") ||
        set(conf, "linger.ms", "5") || set(conf, "batch.size", "1000000") ||
        set(conf, "queue.buffering.max.messages", "100000")) return 2;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    if (!rk) { fprintf(stderr, "hlkafka-raw-baseline: %s\n", error); return 2; }
    char *value = malloc(value_bytes ? value_bytes : 1);
    memset(value, 'x', value_bytes);
    /* The warm-up, as the Swift producers do (see BenchCommand+Produce.swift): one message delivered before the clock
     * starts, so the topic's partitions are known. */
    if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_VALUE(value, value_bytes), RD_KAFKA_V_END) ||
        rd_kafka_flush(rk, 60000) || delivered != 1) {
        fprintf(stderr, "hlkafka-raw-baseline: the warm-up message was not delivered\n");
        return 1;
    }
    delivered = 0;
    double started = now_seconds();
    for (long i = 0; i < messages; i++) {
        rd_kafka_resp_err_t err;
        do {
            rd_kafka_headers_t *headers = make_headers(pairs, pair_count);
            if (headers)
                err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_VALUE(value, value_bytes), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
            else
                err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_VALUE(value, value_bytes), RD_KAFKA_V_END);
            /* The message owns the list only when it was queued. */
            if (err && headers) rd_kafka_headers_destroy(headers);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) rd_kafka_poll(rk, 100);
        } while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
        if (err) { fprintf(stderr, "hlkafka-raw-baseline: produce failed: %s\n", rd_kafka_err2str(err)); return 1; }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
    double seconds = now_seconds() - started;
    free(value);
    rd_kafka_destroy(rk);
    if (failed || delivered != messages) {
        fprintf(stderr, "hlkafka-raw-baseline: %ld delivered, %ld failed of %ld\n", delivered, failed, messages);
        return 1;
    }
    report(pair_count ? "raw-headers" : "raw", "produce", messages, seconds);
    return 0;
}

static int consume(const char *bootstrap, const char *topic, long messages, int copy) {
    char error[512];
    char group[64];
    snprintf(group, sizeof(group), "raw-baseline-%ld", (long)time(NULL));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", bootstrap) || set(conf, "group.id", group) ||
        set(conf, "enable.auto.commit", "false") || set(conf, "enable.auto.offset.store", "false")) return 2;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (!rk) { fprintf(stderr, "hlkafka-raw-baseline: %s\n", error); return 2; }
    rd_kafka_poll_set_consumer(rk);

    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *metadata = NULL;
    if (rd_kafka_metadata(rk, 0, rkt, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || metadata->topic_cnt < 1) {
        fprintf(stderr, "hlkafka-raw-baseline: no metadata for %s\n", topic);
        return 2;
    }
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(metadata->topics[0].partition_cnt);
    for (int i = 0; i < metadata->topics[0].partition_cnt; i++)
        rd_kafka_topic_partition_list_add(assignment, topic, metadata->topics[0].partitions[i].id)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(rkt);

    double started = now_seconds();
    rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[1024];
    long received = 0;
    size_t bytes = 0;
    /* Give up (and fail) only when far slower than any run seen: 30 s plus 1 s per 20,000 messages. */
    double limit = 30.0 + (double)messages / 20000.0;
    while (received < messages && now_seconds() - started < limit) {
        ssize_t count = rd_kafka_consume_batch_queue(queue, 100, batch, 1024);
        for (ssize_t i = 0; i < count; i++) {
            if (!batch[i]->err) {
                received++;
                bytes += batch[i]->len;
                if (copy) copy_and_free(batch[i]);
            }
            rd_kafka_message_destroy(batch[i]);
        }
    }
    double seconds = now_seconds() - started;
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (received < messages) {
        fprintf(stderr, "hlkafka-raw-baseline: read %ld of %ld messages\n", received, messages);
        return 1;
    }
    (void)bytes;
    report(copy ? "raw-copy" : "raw", "consume", received, seconds);
    return 0;
}

int main(int argc, char **argv) {
    int produce_operation = argc >= 6 && strcmp(argv[1], "produce") == 0;
    if (argc < 6 || (argc > 6 && !produce_operation)) {
        fprintf(stderr, "usage: hlkafka-raw-baseline produce|consume|consume-copy BOOTSTRAP TOPIC MESSAGES VALUE_BYTES [NAME=VALUE ...]\n");
        return 2;
    }
    for (int i = 6; i < argc; i++) {
        if (!strchr(argv[i], '=') || argv[i][0] == '=') {
            fprintf(stderr, "hlkafka-raw-baseline: header %s: expected NAME=VALUE\n", argv[i]);
            return 2;
        }
    }
    long messages = atol(argv[4]);
    size_t value_bytes = (size_t)atol(argv[5]);
    if (produce_operation) return produce(argv[2], argv[3], messages, value_bytes, argv + 6, argc - 6);
    if (strcmp(argv[1], "consume") == 0) return consume(argv[2], argv[3], messages, 0);
    if (strcmp(argv[1], "consume-copy") == 0) return consume(argv[2], argv[3], messages, 1);
    fprintf(stderr, "hlkafka-raw-baseline: unknown operation %s\n", argv[1]);
    return 2;
}
