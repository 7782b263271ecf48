print("kafka-local-cluster: not yet implemented")
