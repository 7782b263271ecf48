// The emulator speaks the wire contract the runtime does: its users see `LambdaErrorBody` here.
@_exported import LambdaWire
