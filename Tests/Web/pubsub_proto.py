"""APISIX's pub/sub messages (PubSubReq, PubSubResp and their parts) for Python's `protobuf`
runtime, described here field by field (names, numbers and types as APISIX's pubsub.proto has
them; proto3, no package) and built at run time: no .proto file and no protoc needed.

    from pubsub_proto import PubSubReq, PubSubResp
    frame = PubSubReq(sequence=1, cmd_kafka_fetch={"topic": "t", "partition": 0, "offset": 4}).SerializeToString()
"""

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto
_SCALARS = {"int32": _F.TYPE_INT32, "int64": _F.TYPE_INT64, "string": _F.TYPE_STRING, "bytes": _F.TYPE_BYTES}

# message name -> [(field name, number, type, repeated, oneof name or None)]
_MESSAGES = {
    "CmdPing": [("state", 1, "bytes", False, None)],
    "CmdEmpty": [],
    "CmdKafkaListOffset": [("topic", 1, "string", False, None), ("partition", 2, "int32", False, None),
                           ("timestamp", 3, "int64", False, None)],
    "CmdKafkaFetch": [("topic", 1, "string", False, None), ("partition", 2, "int32", False, None),
                      ("offset", 3, "int64", False, None)],
    "PubSubReq": [("sequence", 1, "int64", False, None),
                  ("cmd_empty", 31, "CmdEmpty", False, "req"), ("cmd_ping", 32, "CmdPing", False, "req"),
                  ("cmd_kafka_fetch", 33, "CmdKafkaFetch", False, "req"),
                  ("cmd_kafka_list_offset", 34, "CmdKafkaListOffset", False, "req")],
    "ErrorResp": [("code", 1, "int32", False, None), ("message", 2, "string", False, None)],
    "PongResp": [("state", 1, "bytes", False, None)],
    "KafkaMessage": [("offset", 1, "int64", False, None), ("timestamp", 2, "int64", False, None),
                     ("key", 3, "bytes", False, None), ("value", 4, "bytes", False, None)],
    "KafkaFetchResp": [("messages", 1, "KafkaMessage", True, None)],
    "KafkaListOffsetResp": [("offset", 1, "int64", False, None)],
    "PubSubResp": [("sequence", 1, "int64", False, None),
                   ("error_resp", 31, "ErrorResp", False, "resp"), ("pong_resp", 32, "PongResp", False, "resp"),
                   ("kafka_fetch_resp", 33, "KafkaFetchResp", False, "resp"),
                   ("kafka_list_offset_resp", 34, "KafkaListOffsetResp", False, "resp")],
}


def _build():
    file = descriptor_pb2.FileDescriptorProto(name="swift_lambda_kafka_pubsub_test.proto", syntax="proto3")
    for name, fields in _MESSAGES.items():
        message = file.message_type.add(name=name)
        oneofs = []
        for field_name, number, kind, repeated, oneof in fields:
            field = message.field.add(name=field_name, number=number,
                                      label=_F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL)
            if kind in _SCALARS:
                field.type = _SCALARS[kind]
            else:
                field.type = _F.TYPE_MESSAGE
                field.type_name = "." + kind
            if oneof:
                if oneof not in oneofs:
                    oneofs.append(oneof)
                    message.oneof_decl.add(name=oneof)
                field.oneof_index = oneofs.index(oneof)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name)) for name in _MESSAGES}


_CLASSES = _build()
PubSubReq = _CLASSES["PubSubReq"]
PubSubResp = _CLASSES["PubSubResp"]
