import CRdKafka

extension KafkaError {
    /// The name and librdkafka's fixed text for the code, without the message this error carries
    /// (which may name brokers, credential sources or files): what an anonymous caller may read.
    public var standardDescription: String {
        "\(name): \(String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: code))))"
    }
}
