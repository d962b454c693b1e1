// One import for users: the plain client's types (records, messages, configurations, errors) come with the
// tracing layer.
@_exported public import HighlightKafkaClient
