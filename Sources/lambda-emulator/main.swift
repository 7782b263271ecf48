print("lambda-emulator: not yet implemented")
