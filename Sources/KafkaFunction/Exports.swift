// What users of the function (the bootstrap, the fuzzer) see besides `KafkaEventHandler`.
@_exported import JSON
