print("bootstrap: not yet wired")
