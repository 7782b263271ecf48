// The runtime speaks the Lambda wire contract: its users see `LambdaErrorType` and `LambdaErrorBody` here.
@_exported import LambdaWire
