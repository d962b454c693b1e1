#ifndef HIGHLIGHT_CRDKAFKA_SHIM_H
#define HIGHLIGHT_CRDKAFKA_SHIM_H

// librdkafka's public API and its mock cluster (rdkafka_mock.h ships with librdkafka-dev since 1.9).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
