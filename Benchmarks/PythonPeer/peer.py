"""The Python peer of `hlkafka bench`: confluent-kafka with OpenTelemetry's Kafka instrumentation, a span per message
(SDK tracer provider, batch processor, nothing exported), producing and consuming 100-byte values on the same kind of
topic. Prints one JSON line per operation, in the shape `hlkafka bench --json` prints.

    python peer.py BOOTSTRAP_SERVERS TOPIC MESSAGES
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer
from opentelemetry import trace
from opentelemetry.instrumentation.confluent_kafka import ConfluentKafkaInstrumentor
from opentelemetry.sdk.trace import TracerProvider

servers, topic, messages = sys.argv[1], sys.argv[2], int(sys.argv[3])
trace.set_tracer_provider(TracerProvider())
instrumentation = ConfluentKafkaInstrumentor()
value = b"x" * 100


def report(operation, seconds):
    print(json.dumps({"mode": "python-otel", "operation": operation, "messages": messages, "seconds": seconds,
                      "messagesPerSecond": messages / seconds}), flush=True)


producer = instrumentation.instrument_producer(Producer({"bootstrap.servers": servers, "linger.ms": 5}))
delivered = 0


def on_delivery(error, _message):
    global delivered
    if error is None:
        delivered += 1


start = time.monotonic()
for index in range(messages):
    while True:
        try:
            producer.produce(topic, value=value, key=str(index).encode(), on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.01)
    producer.poll(0)
producer.flush(60)
report("produce", time.monotonic() - start)
if delivered != messages:
    sys.exit(f"python peer: {delivered} of {messages} delivered")

consumer = instrumentation.instrument_consumer(Consumer({
    "bootstrap.servers": servers, "group.id": f"python-peer-{time.time_ns()}", "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
}))
consumer.subscribe([topic])
received = 0
start = None
deadline = time.monotonic() + 120
while received < messages and time.monotonic() < deadline:
    message = consumer.poll(1.0)
    if message is None or message.error():
        continue
    if start is None:
        start = time.monotonic()
    received += 1
if received < messages:
    sys.exit(f"python peer: consumed {received} of {messages}")
report("consume", time.monotonic() - start)
consumer.close()
