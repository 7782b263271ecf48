print("msk-iam-token: not yet implemented")
